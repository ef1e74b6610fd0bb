//! `temas dedupe --entity contacts|companies [--format csv]`: scans the first workspace for duplicates at the
//! engine's default settings and writes the proposed groups to standard output as CSV
//! `group_id,record_id,external_id,score`, one row per member, most confident group first. A summary goes to
//! standard error. With `--apply`, the groups at or above the workspace's auto-merge confidence are merged, each
//! into its oldest record, values chosen by the most-complete rule; each merge can be undone through the API.

use anyhow::bail;
use std::io::Write;
use std::time::Instant;
use temas_core::contact::{Company, Contact};
use temas_core::merge::Rule;
use temas_service::dedupe::{DedupeEntity, DuplicateScan};
use temas_service::merge::{MergeRequest, Mergeable};
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
    let threshold = session.workspace.settings.auto_merge_confidence;
    if args.apply && threshold.is_none() {
        bail!(
            "--apply: the workspace has no auto-merge confidence; set one first, e.g. \
             PATCH /api/v1/workspace {{\"auto_merge_confidence\": 0.95}}"
        );
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
    if let (true, Some(threshold)) = (args.apply, threshold) {
        let (merged, failed) = match entity {
            DedupeEntity::Contacts => apply::<Contact>(app, session, &scan, threshold).await,
            DedupeEntity::Companies => apply::<Company>(app, session, &scan, threshold).await,
        };
        let below = scan
            .groups
            .iter()
            .filter(|g| g.confidence < threshold)
            .count();
        writeln!(
            err,
            "dedupe: {merged} groups merged at confidence {threshold} or above, {failed} could not be \
             (changed meanwhile?), {below} left for review"
        )?;
    }
    Ok(())
}

/// Merges each group at or above `threshold` into its oldest member (the scan lists members oldest first).
/// Returns how many merges were made and how many failed; a failure is reported and the rest go on.
async fn apply<R: Mergeable>(
    app: &App,
    session: &Session,
    scan: &DuplicateScan,
    threshold: f64,
) -> (usize, usize) {
    let (mut merged, mut failed) = (0, 0);
    for group in scan.groups.iter().filter(|g| g.confidence >= threshold) {
        let Some((survivor, rest)) = group.members.split_first() else {
            continue;
        };
        let req = MergeRequest {
            survivor_id: survivor.id,
            merged_ids: rest.iter().map(|m| m.id).collect(),
            rule: Rule::MostComplete,
            choose: Default::default(),
        };
        match app.merge::<R>(session, &req).await {
            Ok(_) => merged += 1,
            Err(e) => {
                failed += 1;
                eprintln!(
                    "dedupe: group with {} not merged: {}",
                    survivor.id,
                    crate::cli::describe(e)
                );
            }
        }
    }
    (merged, failed)
}
