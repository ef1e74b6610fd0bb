//! `temas export --entity contacts --format csv|xlsx|vcf [--view NAME] [--out FILE] [--encoding E]`: every contact
//! (or those of a saved view, in its order) as a spreadsheet the importer reads back, or as vCard 4.0.
//! `temas export --format jsonl [--out FILE]`: the whole workspace as a dump that `temas import` loads.

use anyhow::{Context, bail};
use std::io::Write;
use std::path::PathBuf;
use temas_core::view::ViewEntity;
use temas_service::exports::ExportFormat;
use temas_service::records::ListParams;
use temas_service::{App, Session};

#[derive(clap::Args)]
pub struct ExportArgs {
    /// What to export: contacts.
    #[arg(long, default_value = "contacts")]
    entity: String,
    /// csv (UTF-8 with a BOM, for Excel), xlsx, vcf (vCard 4.0), or jsonl: the whole workspace (every record,
    /// user, field, view, history and import) as a dump that `temas import` loads into another database.
    #[arg(long, default_value = "csv")]
    format: String,
    /// Only the records of this saved view (by name), in its order.
    #[arg(long)]
    view: Option<String>,
    /// Where to write (standard output by default; required for xlsx).
    #[arg(long)]
    out: Option<PathBuf>,
    /// CSV in a Windows code page instead of UTF-8, e.g. windows-1256, windows-1251, windows-1254.
    #[arg(long)]
    encoding: Option<String>,
}

pub async fn run(app: &App, session: &Session, args: ExportArgs) -> anyhow::Result<()> {
    if args.format == "jsonl" {
        return dump(app, session, &args.out).await;
    }
    if args.entity != "contacts" {
        bail!(
            "--entity {}: only contacts can be exported so far",
            args.entity
        );
    }
    let format = ExportFormat::parse(&args.format, args.encoding.as_deref())
        .map_err(crate::cli::describe)?;
    let mut params = ListParams {
        limit: Some(500),
        sort: Some("created_at".into()),
        ..ListParams::default()
    };
    if let Some(name) = &args.view {
        let views = app
            .views(session, ViewEntity::Contacts)
            .await
            .map_err(crate::cli::describe)?;
        let view = views
            .into_iter()
            .find(|v| v.name == *name)
            .with_context(|| format!("no saved view of contacts named {name:?}"))?;
        params.filters = view.settings.filters;
        if view.settings.sort.is_some() {
            params.sort = view.settings.sort;
        }
    }
    let report = match &args.out {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("writing {}", path.display()))?,
            );
            let report = app
                .export_contacts(session, &params, format, &mut file)
                .await;
            file.flush()?;
            report
        }
        None if format == ExportFormat::Xlsx => bail!("--out FILE is needed for xlsx"),
        None => {
            let mut out = Forward(std::io::BufWriter::new(std::io::stdout()));
            app.export_contacts(session, &params, format, &mut out)
                .await
        }
    }
    .map_err(crate::cli::describe)?;
    if report.lossy_cells > 0 {
        eprintln!(
            "{} cell(s) had characters the chosen encoding cannot hold; they were written as '?'",
            report.lossy_cells
        );
    }
    Ok(())
}

/// Standard output, for the formats written front to back (CSV, vCard): it cannot seek, which only XLSX needs.
struct Forward<W>(W);

impl<W: Write> Write for Forward<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

impl<W> std::io::Seek for Forward<W> {
    fn seek(&mut self, _: std::io::SeekFrom) -> std::io::Result<u64> {
        Err(std::io::Error::other("standard output cannot seek"))
    }
}

/// Writes the workspace dump; says on stderr how many rows of what it holds.
async fn dump(app: &App, session: &Session, out: &Option<PathBuf>) -> anyhow::Result<()> {
    let mut out: Box<dyn Write + Send> = match out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let counts = app
        .dump_workspace(session, &mut *out)
        .await
        .map_err(crate::cli::describe)?;
    let tables: Vec<String> = counts
        .tables
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    eprintln!(
        "workspace {}: {} rows ({})",
        counts.workspace,
        counts.rows(),
        tables.join(", ")
    );
    Ok(())
}
