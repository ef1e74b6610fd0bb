//! Duplicate detection accuracy on files with ground truth (FEBRL, gen_contacts.py): runs the engine at its
//! default settings and scores its groups pairwise against the truth column, which the engine never reads.

use anyhow::Context;
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;
use temas_core::dedupe::{MatchInput, Settings, resolve};

/// How a file's columns become engine input.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Layout {
    /// FEBRL: given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth,
    /// soc_sec_id; truth in entity_id.
    Febrl,
    /// gen_contacts.py: first_name, last_name, email, phone, city, street_address, company, birth_date; truth in
    /// cluster_id.
    Contacts,
}

struct Row {
    input: MatchInput,
    truth: String,
}

fn read(path: &Path, layout: Layout, source: u32) -> anyhow::Result<Vec<Row>> {
    let mut reader = csv::Reader::from_path(path).with_context(|| path.display().to_string())?;
    let headers = reader.headers()?.clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record?;
        let get = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .and_then(|i| record.get(i))
                .unwrap_or("")
                .trim()
                .to_owned()
        };
        let some = |v: String| if v.is_empty() { vec![] } else { vec![v] };
        let (input, truth) = match layout {
            Layout::Febrl => (
                MatchInput {
                    given_name: get("given_name"),
                    family_name: get("surname"),
                    street: format!("{} {}", get("street_number"), get("address_1")),
                    city: get("suburb"),
                    postcode: get("postcode"),
                    region: get("state"),
                    birth_date: get("date_of_birth"),
                    identifiers: some(get("soc_sec_id")),
                    source,
                    ..MatchInput::default()
                },
                get("entity_id"),
            ),
            Layout::Contacts => (
                MatchInput {
                    given_name: get("first_name"),
                    family_name: get("last_name"),
                    emails: some(get("email")),
                    phones: some(get("phone")),
                    city: get("city"),
                    street: get("street_address"),
                    organisation: get("company"),
                    birth_date: get("birth_date"),
                    source,
                    ..MatchInput::default()
                },
                get("cluster_id"),
            ),
        };
        rows.push(Row { input, truth });
    }
    Ok(rows)
}

/// Pairs inside groups, as (smaller index, larger index).
fn pairs_of(groups: impl Iterator<Item = Vec<u32>>) -> std::collections::HashSet<(u32, u32)> {
    let mut out = std::collections::HashSet::new();
    for mut g in groups {
        g.sort_unstable();
        for (i, a) in g.iter().enumerate() {
            for b in &g[i + 1..] {
                out.insert((*a, *b));
            }
        }
    }
    out
}

pub fn run(
    files: &[std::path::PathBuf],
    layout: Layout,
    show_errors: usize,
    max_block: Option<usize>,
) -> anyhow::Result<()> {
    let mut rows = Vec::new();
    for (source, f) in files.iter().enumerate() {
        rows.extend(read(f, layout, source as u32)?);
    }
    let (inputs, truth): (Vec<MatchInput>, Vec<String>) =
        rows.into_iter().map(|r| (r.input, r.truth)).unzip();
    let settings = Settings {
        link_only: files.len() > 1,
        max_block: max_block.unwrap_or(Settings::default().max_block),
        ..Settings::default()
    };
    let started = Instant::now();
    let records = inputs.len();
    let outcome = resolve(inputs, &settings, &Default::default());
    let secs = started.elapsed().as_secs_f64();
    let mut entities: HashMap<&str, Vec<u32>> = HashMap::new();
    for (i, t) in truth.iter().enumerate() {
        entities.entry(t).or_default().push(i as u32);
    }
    let mut true_pairs = pairs_of(entities.into_values());
    let prepared = &outcome.prepared;
    if settings.link_only {
        true_pairs.retain(|(a, b)| prepared[*a as usize].source != prepared[*b as usize].source);
    }
    let found = pairs_of(outcome.groups.iter().map(|g| g.members.clone()));
    let right = found.intersection(&true_pairs).count() as f64;
    let precision = right / (found.len() as f64).max(1.0);
    let recall = right / (true_pairs.len() as f64).max(1.0);
    let f1 = 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE);
    for (label, wrong) in [
        (
            "false link",
            found.difference(&true_pairs).collect::<Vec<_>>(),
        ),
        ("missed", true_pairs.difference(&found).collect::<Vec<_>>()),
    ] {
        for (a, b) in wrong.into_iter().take(show_errors) {
            let (pa, pb) = (&prepared[*a as usize], &prepared[*b as usize]);
            let (p, parts) = outcome.scorer.explain(pa, pb);
            println!("{label} p={p:.3}\n  {pa:?}\n  {pb:?}");
            let why: Vec<String> = parts
                .iter()
                .map(|c| format!("{} {} {:+.1}", c.field, c.level, c.bits))
                .collect();
            println!("  {}", why.join(", "));
        }
    }
    if std::env::var_os("TEMAS_DEDUPE_MODEL").is_some() {
        for (k, class) in outcome.scorer.model.classes.iter().enumerate() {
            println!("class {k} share {:.4}", class.share);
            for (f, levels) in temas_core::dedupe::compare::FIELDS
                .iter()
                .zip(&class.levels)
            {
                let shown: Vec<String> = levels.iter().map(|p| format!("{p:.4}")).collect();
                println!("  {:<13} {}", f.name(), shown.join(" "));
            }
        }
    }
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    println!(
        "dedupe {}: {} records, {} candidate pairs, {} groups; precision {precision:.4}, recall {recall:.4}, \
         F1 {f1:.4}; {secs:.2} s; class shares {:?}",
        names.join(" + "),
        records,
        outcome.stats.candidate_pairs,
        outcome.groups.len(),
        outcome
            .scorer
            .model
            .classes
            .iter()
            .map(|c| (c.share * 1e4).round() / 1e4)
            .collect::<Vec<_>>(),
    );
    println!(
        "  skipped blocks {} (largest {}); model checks new records: {}; peak memory {}",
        outcome.stats.skipped_blocks,
        outcome.stats.largest_skipped_block,
        if outcome.scorer.model.is_plausible() {
            "yes"
        } else {
            "no (baseline instead)"
        },
        crate::peak_memory()
    );
    Ok(())
}
