//! The `temas` binary. Each subcommand parses its arguments, opens the store and calls one library function.

mod cli;

// glibc's allocator spent a third of the CPU of a bulk import in malloc/free; mimalloc is made for this load.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::Parser;

fn main() -> std::process::ExitCode {
    limit_malloc_arenas();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TEMAS_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let args = cli::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("temas: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(args)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("temas: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// SQLite allocates through the C library's malloc, not through mimalloc. glibc gives each thread that allocates its
/// own arena, and keeps what an arena once held: with eight reader threads each running trigram searches, that
/// was 90 MB of resident memory left behind. Two arenas keep it to a fraction. Must run before any thread starts.
#[allow(unsafe_code)]
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; no thread has been started yet.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
