//! `temas dedupe --entity contacts|companies [--format csv]`: scans the first workspace for duplicates at the
//! engine's default settings and writes the proposed groups to standard output as CSV
//! `group_id,record_id,external_id,score`, one row per member, most confident group first. A summary goes to
//! standard error.

use anyhow::bail;
use std::io::Write;
use std::time::Instant;
use temas_service::dedupe::DedupeEntity;
use temas_service::{App, Session};

#[derive(clap::Args)]
pub struct DedupeArgs {
    /// contacts or companies.
    #[arg(long, default_value = "contacts")]
    entity: String,
    /// Output format: csv.
    #[arg(long, default_value = "csv")]
    format: String,
}

pub async fn run(app: &App, session: &Session, args: DedupeArgs) -> anyhow::Result<()> {
    let Some(entity) = DedupeEntity::parse(&args.entity) else {
        bail!("--entity {}: choose contacts or companies", args.entity);
    };
    if args.format != "csv" {
        bail!("--format {}: only csv is written so far", args.format);
    }
    let started = Instant::now();
    let scan = app
        .find_duplicates(session, entity)
        .await
        .map_err(crate::cli::describe)?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record(["group_id", "record_id", "external_id", "score"])?;
    for (n, group) in scan.groups.iter().enumerate() {
        for member in &group.members {
            out.write_record([
                (n + 1).to_string(),
                member.id.to_string(),
                member.external_id.clone().unwrap_or_default(),
                format!("{:.4}", group.confidence),
            ])?;
        }
    }
    out.flush()?;
    let stats = &scan.stats;
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "dedupe: {} {} scanned, {} candidate pairs compared, {} groups proposed ({} records) in {:.1} s",
        stats.records,
        args.entity,
        stats.candidate_pairs,
        scan.groups.len(),
        scan.groups.iter().map(|g| g.members.len()).sum::<usize>(),
        started.elapsed().as_secs_f64()
    )?;
    Ok(())
}
