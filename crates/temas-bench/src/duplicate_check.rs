//! The duplicate check on create, timed through the API: for sampled existing contacts, a new contact that
//! repeats one (its name and email, every other one with the first name misspelled) should be refused with the
//! original among the candidates; a new contact unlike any other must be created. How many repeats were caught is
//! counted per kind: a repeat that gets through is created, like any new contact.

use crate::percentiles;
use anyhow::bail;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// The first name with its second letter doubled: a typo the engine should still see through.
fn misspelled(name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if let Some(c) = chars.get(1).copied() {
        chars.insert(1, c);
    }
    chars.into_iter().collect()
}

pub async fn run(
    base: &str,
    token: &str,
    ids: &std::path::Path,
    count: usize,
    max_seconds: u64,
) -> anyhow::Result<()> {
    let ids: Vec<String> = std::fs::read_to_string(ids)?
        .lines()
        .filter(|l| !l.is_empty())
        .take(count)
        .map(str::to_owned)
        .collect();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(max_seconds);
    let (mut refused, mut created) = (Vec::new(), Vec::new());
    // Per kind of repeat (exact, misspelled): refused with the original among the candidates, and all.
    let mut caught = [(0usize, 0usize); 2];
    for (n, id) in ids.iter().enumerate() {
        if Instant::now() > deadline {
            break;
        }
        let original: Value = client
            .get(format!("{base}/api/v1/contacts/{id}"))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        let kind = n % 2;
        let first = original["first_name"].as_str().unwrap_or_default();
        let probe = json!({
            "first_name": if kind == 0 { first.to_owned() } else { misspelled(first) },
            "last_name": original["last_name"],
            "emails": [{"address": original["emails"][0]["address"]}],
        });
        let started = Instant::now();
        let resp = client
            .post(format!("{base}/api/v1/contacts"))
            .bearer_auth(token)
            .json(&probe)
            .send()
            .await?;
        let status = resp.status();
        let body: Value = resp.json().await?;
        caught[kind].1 += 1;
        match status.as_u16() {
            409 => {
                refused.push(started.elapsed());
                let candidates = body["candidates"].as_array().cloned().unwrap_or_default();
                if candidates.iter().any(|c| c["id"] == original["id"]) {
                    caught[kind].0 += 1;
                }
            }
            201 => {}
            _ => bail!("a repeat of {id} answered {status}: {body}"),
        }
        // Someone new: checked, then created.
        let stranger = json!({
            "first_name": format!("Probe{n}"),
            "last_name": format!("Unmatched{}", std::process::id()),
            "emails": [{"address": format!("probe{n}.{}@unmatched.example", std::process::id())}],
        });
        let started = Instant::now();
        let resp = client
            .post(format!("{base}/api/v1/contacts"))
            .bearer_auth(token)
            .json(&stranger)
            .send()
            .await?;
        created.push(started.elapsed());
        if resp.status().as_u16() != 201 {
            bail!("a new contact was refused: {}", resp.text().await?);
        }
    }
    println!(
        "duplicate check, repeats refused: {}; caught with the original among the candidates: exact repeats {} of \
         {}, misspelled first name {} of {}",
        percentiles(refused),
        caught[0].0,
        caught[0].1,
        caught[1].0,
        caught[1].1
    );
    println!(
        "duplicate check, new contacts checked and created: {}",
        percentiles(created)
    );
    Ok(())
}
