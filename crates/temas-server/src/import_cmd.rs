//! `temas import FILE [--mapping M] [--match-on FIELD] [--dry-run]` and `temas import --rollback ID`: the summary
//! goes to stdout (the import's id on the last line when committed), progress and the error report's place to
//! stderr.

use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use temas_core::import::Target;
use temas_service::imports::{ImportRequest, ImportSummary, MatchOn, SourceRow};
use temas_service::{App, Session};
use temas_store::Uuid;

/// How many rows the mapping guess looks at.
const SAMPLE_ROWS: usize = 50;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// The file: CSV or TSV (any common encoding and delimiter), XLSX or ODS; or a workspace dump
    /// (`temas export --format jsonl`), loaded whole into a database that does not hold its workspace yet.
    #[arg(required_unless_present = "rollback")]
    file: Option<PathBuf>,
    /// A JSON mapping `{"Header": "field", …}` (fields: first_name, last_name, full_name, email, phone:mobile,
    /// phone:work, company, city, tags, custom:KEY, ignore, …). Columns it leaves out are guessed.
    #[arg(long)]
    mapping: Option<PathBuf>,
    /// Write the mapping used (guessed or given) to this file, to edit and reuse.
    #[arg(long)]
    save_mapping: Option<PathBuf>,
    /// Update the contact that has the same external_id, email, phone or custom:KEY (a custom field holding text)
    /// instead of creating one.
    #[arg(long, default_value = "none")]
    match_on: String,
    /// Show what would happen without changing anything.
    #[arg(long)]
    dry_run: bool,
    /// The workbook sheet to read, by name or number (the first by default).
    #[arg(long)]
    sheet: Option<String>,
    /// Where to write the rows that failed, with the reason (default: beside the file, `NAME.errors.csv`).
    #[arg(long)]
    errors: Option<PathBuf>,
    /// Columns that feed no field become text custom fields of contacts, named after their headers.
    #[arg(long)]
    new_fields: bool,
    /// Undo the import with this id.
    #[arg(long, conflicts_with_all = ["file", "dry_run"])]
    rollback: Option<Uuid>,
}

/// The file to import, when it is a workspace dump (`temas export --format jsonl`) rather than a spreadsheet.
pub fn dump_file(args: &ImportArgs) -> Option<&Path> {
    let path = args.file.as_deref()?;
    let file = std::fs::File::open(path).ok()?;
    let mut first = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(file), &mut first).ok()?;
    temas_service::dump::is_dump(first.trim_end()).then_some(path)
}

/// Loads a workspace dump into this database (which must not hold that workspace yet).
pub async fn load_dump(app: &App, path: &Path) -> anyhow::Result<()> {
    let open = || -> std::io::Result<Box<dyn std::io::BufRead + Send>> {
        Ok(Box::new(std::io::BufReader::new(std::fs::File::open(
            path,
        )?)))
    };
    let counts = app
        .load_workspace(&open)
        .await
        .map_err(crate::cli::describe)?;
    println!(
        "loaded workspace {}: {} rows",
        counts.workspace,
        counts.rows()
    );
    for (table, n) in &counts.tables {
        println!("  {table}: {n}");
    }
    Ok(())
}

pub async fn run(app: &App, session: &Session, args: ImportArgs) -> anyhow::Result<()> {
    if let Some(id) = args.rollback {
        let report = app
            .rollback_import(session, id)
            .await
            .map_err(crate::cli::describe)?;
        println!(
            "rolled back import {id}: {} contact(s) restored, {} record(s) removed",
            report["restored"], report["removed"]
        );
        let changed = report["changed_since_import"]
            .as_array()
            .map_or(0, Vec::len);
        if changed > 0 {
            println!(
                "{changed} record(s) had been changed since the import; they were restored all the same: {}",
                report["changed_since_import"]
            );
        }
        return Ok(());
    }
    let path = args.file.context("a file to import")?;
    let match_on = MatchOn::parse(&args.match_on).with_context(|| {
        format!(
            "--match-on {}: use external_id, email, phone or custom:KEY",
            args.match_on
        )
    })?;
    let mut table = temas_import::open(&path, args.sheet.as_deref())?;
    let headers = table.headers.clone();
    let format = table.format.to_string();
    // The first rows serve the mapping guess and are then imported like the rest.
    let first: Vec<Result<temas_import::Row, temas_import::ReadError>> =
        table.by_ref().take(SAMPLE_ROWS).collect();
    let samples: Vec<Vec<String>> = first
        .iter()
        .filter_map(|r| r.as_ref().ok().map(|r| r.cells.clone()))
        .collect();
    let mut targets = app
        .suggest_mapping(session, &headers, &samples)
        .await
        .map_err(crate::cli::describe)?;
    if let Some(file) = &args.mapping {
        apply_mapping(file, &headers, &mut targets)?;
    }
    if args.new_fields {
        if args.dry_run {
            let unmapped: Vec<&str> = headers
                .iter()
                .zip(&targets)
                .filter(|(_, t)| **t == Target::Ignore)
                .map(|(h, _)| h.as_str())
                .collect();
            if !unmapped.is_empty() {
                println!("would add custom fields for: {}", unmapped.join(", "));
            }
        } else {
            let added = app
                .add_fields_for_unmapped(session, &headers, &mut targets)
                .await
                .map_err(crate::cli::describe)?;
            if !added.is_empty() {
                println!("custom fields added for: {}", added.join(", "));
            }
        }
    }
    if let Some(out) = &args.save_mapping {
        let map: BTreeMap<&String, String> = headers
            .iter()
            .zip(targets.iter().cloned().map(String::from))
            .collect();
        std::fs::write(out, serde_json::to_string_pretty(&map)?)
            .with_context(|| format!("writing {}", out.display()))?;
    }
    let req = ImportRequest {
        id: Uuid::now_v7(),
        file_name: path.display().to_string(),
        format,
        headers,
        targets,
        match_on,
        dry_run: args.dry_run,
        job: serde_json::Value::Null,
        resume: None,
        taken_over: None,
    };
    let bar = ProgressBar::new_spinner().with_style(
        ProgressStyle::with_template("{spinner} {pos} rows read ({per_sec}) {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let report = |rows: u64| bar.set_position(rows);
    let mut rows = first.into_iter().chain(table).map(|r| -> SourceRow {
        r.map(|row| (row.number, row.cells))
            .map_err(|e| (e.row, e.to_string()))
    });
    let summary = app
        .import_contacts(session, &req, &mut rows, &report)
        .await
        .map_err(crate::cli::describe)?;
    bar.finish_and_clear();
    print_summary(&summary);
    if summary.failed > 0 {
        let out = args
            .errors
            .unwrap_or_else(|| path.with_extension("errors.csv"));
        let reasons = app
            .import_failures(session, req.id)
            .await
            .map_err(crate::cli::describe)?;
        let mut file =
            std::fs::File::create(&out).with_context(|| format!("writing {}", out.display()))?;
        let table = temas_import::open(&path, args.sheet.as_deref())?;
        temas_service::import_jobs::write_error_report(table, &reasons, &mut file)
            .map_err(|e| anyhow::anyhow!("writing {}: {e}", out.display()))?;
        eprintln!(
            "{} row(s) failed; they are in {} with the reason, ready to fix and import again",
            summary.failed,
            out.display()
        );
    }
    if let Some(id) = summary.id {
        println!("{id}");
    }
    Ok(())
}

/// Overrides the guessed targets with the columns a mapping file names.
fn apply_mapping(file: &Path, headers: &[String], targets: &mut [Target]) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let map: HashMap<String, String> = serde_json::from_str(&text)
        .with_context(|| format!("{}: expected {{\"Header\": \"field\", …}}", file.display()))?;
    for (header, field) in map {
        let Some(i) = headers.iter().position(|h| *h == header) else {
            bail!("{}: the file has no column {header:?}", file.display());
        };
        targets[i] = Target::try_from(field)
            .map_err(|e| anyhow::anyhow!("{}: {header}: {e}", file.display()))?;
    }
    Ok(())
}

fn print_summary(s: &ImportSummary) {
    println!(
        "{}: {} ({} rows)",
        if s.dry_run { "dry run" } else { "imported" },
        s.format,
        s.rows
    );
    println!("columns:");
    for (header, target) in &s.mapping {
        println!("  {header} -> {target}");
    }
    let verb = |done: &str, would: &str| {
        if s.dry_run {
            would.to_owned()
        } else {
            done.to_owned()
        }
    };
    println!("{}: {}", verb("created", "would create"), s.created);
    println!("{}: {}", verb("updated", "would update"), s.updated);
    println!("skipped: {}", s.skipped);
    println!("failed: {}", s.failed);
    println!(
        "{}: {}",
        verb("companies created", "companies to create"),
        s.companies_created
    );
    println!(
        "{}: {}",
        verb("interactions logged", "interactions to log"),
        s.interactions_created
    );
    println!(
        "likely duplicates of existing contacts: {}",
        s.likely_duplicates
    );
    if s.dry_run {
        println!(
            "probable duplicates inside the file: {}",
            s.probable_duplicates_in_file
        );
    }
    let rows = |list: &[u64]| {
        list.iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !s.created_samples.is_empty() {
        println!("  e.g. rows {}", rows(&s.created_samples));
    }
    for p in s
        .failed_rows
        .iter()
        .take(5)
        .chain(s.skipped_rows.iter().take(5))
        .chain(s.duplicate_rows.iter().take(5))
    {
        let field = if p.field.is_empty() {
            String::new()
        } else {
            format!("{}: ", p.field)
        };
        println!("  row {}: {field}{}", p.row, p.reason);
    }
}
