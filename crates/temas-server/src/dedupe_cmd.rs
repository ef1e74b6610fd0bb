//! `temas dedupe --entity contacts|companies [--format csv]`: scans the first workspace for duplicates at the
//! engine's default settings and writes the proposed groups to standard output as CSV
//! `group_id,record_id,external_id,score`, one row per member, most confident group first. A summary goes to
//! standard error. The scan is recorded like one started through the API: its groups stay in a review queue (the
//! last line of standard error names it). With `--apply`, the groups at or above the workspace's auto-merge
//! confidence are merged, each into its oldest record, values chosen by the most-complete rule; each merge can be
//! undone through the API.

use anyhow::bail;
use std::io::Write;
use std::time::Instant;
use temas_service::dedupe::DedupeEntity;
use temas_service::dedupe_scans::ScanRequest;
use temas_service::{App, Session};

#[derive(clap::Args)]
pub struct DedupeArgs {
    /// contacts or companies.
    #[arg(long, default_value = "contacts")]
    entity: String,
    /// Output format: csv.
    #[arg(long, default_value = "csv")]
    format: String,
    /// Merge the groups at or above the workspace's auto-merge confidence.
    #[arg(long)]
    apply: bool,
}

pub async fn run(app: &App, session: &Session, args: DedupeArgs) -> anyhow::Result<()> {
    let Some(entity) = DedupeEntity::parse(&args.entity) else {
        bail!("--entity {}: choose contacts or companies", args.entity);
    };
    if args.format != "csv" {
        bail!("--format {}: only csv is written so far", args.format);
    }
    let started = Instant::now();
    let request = ScanRequest {
        entity: Some(entity.as_str().to_owned()),
        merge: args.apply,
    };
    let scan = app
        .new_dedupe_scan(session, &request)
        .map_err(crate::cli::describe)?;
    let (found, scan) = app
        .run_dedupe_scan(session, scan)
        .await
        .map_err(crate::cli::describe)?;
    let mut out = csv::Writer::from_writer(std::io::stdout().lock());
    out.write_record(["group_id", "record_id", "external_id", "score"])?;
    for (n, group) in found.groups.iter().enumerate() {
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
    let stats = &found.stats;
    let mut err = std::io::stderr().lock();
    writeln!(
        err,
        "dedupe: {} {} scanned, {} candidate pairs compared, {} groups proposed ({} records) in {:.1} s",
        stats.records,
        args.entity,
        stats.candidate_pairs,
        found.groups.len(),
        found.groups.iter().map(|g| g.members.len()).sum::<usize>(),
        started.elapsed().as_secs_f64()
    )?;
    if args.apply {
        let count = |key: &str| scan.progress[key].as_u64().unwrap_or(0);
        writeln!(
            err,
            "dedupe: {} groups merged at confidence {} or above, {} could not be (changed meanwhile?), {} left \
             for review",
            count("merged"),
            session
                .workspace
                .settings
                .auto_merge_confidence
                .unwrap_or(1.0),
            count("merge_failed"),
            count("left_for_review"),
        )?;
    }
    writeln!(err, "dedupe: review queue {}", scan.id)?;
    Ok(())
}
