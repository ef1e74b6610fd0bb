//! `temas-bench`: drives a running Temas server over loopback and measures the raw engine beside it.
//! Every load is bounded in count and time. See bench/run.sh for how BENCHMARKS.md is produced.

mod dedupe;
mod duplicate_check;
mod orders;
mod raw_db;
mod raw_import;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create N demo contacts (each with an email and a phone) through POST /api/v1/contacts/bulk.
    Bulk {
        #[arg(long)]
        base: String,
        #[arg(long)]
        token: String,
        #[arg(long)]
        contacts: usize,
        #[arg(long, default_value_t = 1000)]
        batch: usize,
        #[arg(long, default_value_t = 2)]
        concurrency: usize,
    },
    /// Write a CSV of N realistic contacts as a CRM export would have them: name, 2 emails, 2 phones, company,
    /// city and 3 custom fields (tier, score, segment).
    Csv {
        #[arg(long)]
        rows: usize,
        #[arg(long)]
        out: std::path::PathBuf,
        /// Number the emails from here, so that two files do not share contacts.
        #[arg(long, default_value_t = 0)]
        offset: usize,
    },
    /// Write sample inputs: contact ids (for wrk), search fragments and list queries.
    Sample {
        #[arg(long)]
        base: String,
        #[arg(long)]
        token: String,
        #[arg(long)]
        out: std::path::PathBuf,
        #[arg(long, default_value_t = 2000)]
        count: usize,
        /// Samples only the contacts a list filter keeps (`orders_count:gt:0`: the buyers).
        #[arg(long)]
        filter: Option<String>,
    },
    /// GET each path of a file (one per line), `rounds` times over, and report latency percentiles.
    Latency {
        #[arg(long)]
        base: String,
        #[arg(long)]
        token: String,
        #[arg(long)]
        paths: std::path::PathBuf,
        #[arg(long, default_value_t = 1)]
        rounds: usize,
        #[arg(long, default_value_t = 120)]
        max_seconds: u64,
    },
    /// Signs in to the web app with a password, then GETs each page of a file (one path per line) `rounds`
    /// times over, as a browser would (session cookie), and reports latency percentiles.
    Pages {
        #[arg(long)]
        base: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
        #[arg(long)]
        paths: std::path::PathBuf,
        #[arg(long, default_value_t = 1)]
        rounds: usize,
        #[arg(long, default_value_t = 120)]
        max_seconds: u64,
    },
    /// The raw engine inserting N plain rows (id, name, email, phone) in 1,000-row statements, one transaction per
    /// 10,000 rows, into a fresh table.
    RawInsert {
        #[arg(long)]
        url: String,
        #[arg(long)]
        rows: usize,
    },
    /// Duplicate detection at the engine's default settings on files with ground truth; two files are linked.
    Dedupe {
        #[arg(long, value_enum)]
        layout: dedupe::Layout,
        /// Print this many wrong links and missed pairs, with their explanations.
        #[arg(long, default_value_t = 0)]
        show_errors: usize,
        /// Override the engine's largest compared block (for exploring; benchmarks use the default).
        #[arg(long)]
        max_block: Option<usize>,
        files: Vec<std::path::PathBuf>,
    },
    /// Time the duplicate check on create: for each sampled contact id, a misspelled repeat (refused with 409)
    /// and a new contact (checked, then created).
    DuplicateCheck {
        #[arg(long)]
        base: String,
        #[arg(long)]
        token: String,
        /// A file of contact ids, one per line (`sample` writes one).
        #[arg(long)]
        ids: std::path::PathBuf,
        #[arg(long, default_value_t = 500)]
        count: usize,
        #[arg(long, default_value_t = 120)]
        max_seconds: u64,
    },
    /// Push N orders (2 or 3 lines each) over the first `customers` contacts through POST /api/v1/orders/bulk.
    Orders {
        #[arg(long)]
        base: String,
        #[arg(long)]
        token: String,
        #[arg(long)]
        orders: usize,
        #[arg(long, default_value_t = 1_000_000)]
        customers: usize,
        #[arg(long, default_value_t = 2)]
        concurrency: usize,
        /// The number of its first order: its external ids start there, so that a later run into the same base
        /// pushes new orders rather than replaying those of the one before.
        #[arg(long, default_value_t = 0)]
        first: usize,
    },
    /// The raw engine making the same writes as pushing N orders through the bulk API (order rows, history, the
    /// customers' metrics), straight on a copy of a Temas SQLite database.
    RawOrders {
        #[arg(long)]
        url: String,
        #[arg(long)]
        orders: usize,
        #[arg(long, default_value_t = 1_000_000)]
        customers: usize,
        /// The number of its first order: its external ids start there, so that it can write into a base that
        /// Temas's own run pushes orders 0.. into.
        #[arg(long, default_value_t = 0)]
        first: usize,
        /// Leave checkpoints to SQLite's default (in the committing connection) instead of a background
        /// connection, as the server has.
        #[arg(long)]
        inline_checkpoints: bool,
    },
    /// The raw engine loading the rows of an import file (as `temas-bench csv` writes them) into the same indexed
    /// schema, straight on a copy of a Temas SQLite database whose companies the rows name.
    RawImport {
        #[arg(long)]
        url: String,
        #[arg(long)]
        file: std::path::PathBuf,
        /// Rows per transaction (the importer writes 1,000).
        #[arg(long, default_value_t = 1000)]
        batch: usize,
    },
    /// The raw engine answering unranked trigram look-ups for each fragment of a file, straight on the database.
    RawSearch {
        #[arg(long)]
        url: String,
        #[arg(long)]
        fragments: std::path::PathBuf,
    },
}

fn percentiles(mut samples: Vec<Duration>) -> String {
    if samples.is_empty() {
        return "no samples".into();
    }
    samples.sort();
    let at =
        |p: f64| samples[((samples.len() as f64 * p).ceil() as usize).clamp(1, samples.len()) - 1];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "n={} p50={:.2}ms p95={:.2}ms p99={:.2}ms max={:.2}ms",
        samples.len(),
        ms(at(0.50)),
        ms(at(0.95)),
        ms(at(0.99)),
        ms(at(1.0))
    )
}

async fn bulk(
    base: &str,
    token: &str,
    contacts: usize,
    batch: usize,
    concurrency: usize,
) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(42);
    let mut bodies = Vec::new();
    for start in (0..contacts).step_by(batch) {
        let items: Vec<Value> = (start..(start + batch).min(contacts))
            .map(|i| {
                let mut c =
                    serde_json::to_value(temas_service::demo::demo_contact(&mut rng, i, None))
                        .unwrap_or(Value::Null);
                if let Some(map) = c.as_object_mut() {
                    map.remove("external_id");
                }
                c
            })
            .collect();
        bodies.push(serde_json::to_vec(&json!({ "items": items }))?);
    }
    let url = format!("{base}/api/v1/contacts/bulk");
    let secs = post_batches(&url, token, bodies, concurrency, "contacts").await?;
    println!(
        "bulk: {contacts} contacts in {secs:.1} s = {:.0} contacts/s (batch {batch}, {concurrency} connections)",
        contacts as f64 / secs
    );
    Ok(())
}

/// POSTs each body (a bulk request) to `url` over `concurrency` connections; every item must be created or
/// updated. Returns the seconds it took.
async fn post_batches(
    url: &str,
    token: &str,
    bodies: Vec<Vec<u8>>,
    concurrency: usize,
    what: &'static str,
) -> anyhow::Result<f64> {
    let client = reqwest::Client::new();
    let queue = std::sync::Arc::new(tokio::sync::Mutex::new(bodies.into_iter()));
    let started = Instant::now();
    let progress = std::sync::Arc::new(Progress::new(started, what));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (queue, client, url, token, progress) = (
            queue.clone(),
            client.clone(),
            url.to_owned(),
            token.to_owned(),
            progress.clone(),
        );
        workers.push(tokio::spawn(async move {
            loop {
                let Some(body) = queue.lock().await.next() else {
                    break;
                };
                let resp = client
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await?;
                let status = resp.status();
                let answer: Value = resp.json().await?;
                if !status.is_success() {
                    bail!("bulk answered {status}: {answer}");
                }
                let items = answer["items"].as_array().context("items")?;
                if let Some(f) = items.iter().find(|i| i["status"] == "error") {
                    bail!("an item failed: {f}");
                }
                progress.add(items.len());
            }
            anyhow::Ok(())
        }));
    }
    for w in workers {
        w.await??;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// Prints the rate of each 100,000 records as a load goes, so that a slowdown as the base grows shows.
struct Progress {
    done: std::sync::atomic::AtomicUsize,
    last: std::sync::Mutex<(usize, Instant)>,
    what: &'static str,
}

impl Progress {
    const STEP: usize = 100_000;

    fn new(started: Instant, what: &'static str) -> Self {
        Self {
            done: std::sync::atomic::AtomicUsize::new(0),
            last: std::sync::Mutex::new((0, started)),
            what,
        }
    }

    fn add(&self, n: usize) {
        let done = self.done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        if done >= last.0 + Self::STEP {
            let secs = last.1.elapsed().as_secs_f64();
            println!(
                "bulk: {done} {what}; the last {} at {:.0} {what}/s",
                done - last.0,
                (done - last.0) as f64 / secs,
                what = self.what
            );
            *last = (done, Instant::now());
        }
    }
}

/// A fragment of `len` characters from one word of `text` (a user types inside one word).
fn fragment(text: &str, len: usize, at: usize) -> Option<String> {
    let words: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.chars().count() >= len)
        .collect();
    let word = words.get(at % words.len().max(1))?;
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < len {
        return None;
    }
    let start = at % (chars.len() - len + 1);
    Some(chars[start..start + len].iter().collect())
}

/// A JSON document read through the API with `token`.
async fn get_json(client: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Value> {
    Ok(client
        .get(url)
        .bearer_auth(token)
        .send()
        .await?
        .json()
        .await?)
}

async fn sample(
    base: &str,
    token: &str,
    out: &std::path::Path,
    count: usize,
    filter: Option<&str>,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(out)?;
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    let mut search = Vec::new();
    let mut cursor: Option<String> = None;
    let mut n = 0usize;
    let page_url = |cursor: Option<&str>| {
        let mut url = format!("{base}/api/v1/contacts?limit=500&sort=name");
        if let Some(f) = filter {
            url.push_str(&format!("&filter={f}"));
        }
        if let Some(c) = cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        url
    };
    // Spread the sample over the base: every page of 500 contributes a few records.
    while ids.len() < count {
        let url = page_url(cursor.as_deref());
        let page = get_json(&client, &url, token).await?;
        let items = page["items"].as_array().context("items")?;
        for c in items.iter().step_by(97) {
            n += 1;
            ids.push(c["id"].as_str().unwrap_or_default().to_owned());
            let name = c["display_name"].as_str().unwrap_or_default();
            let email = c["emails"][0]["address"].as_str().unwrap_or_default();
            let phone = c["phones"][0]["number"].as_str().unwrap_or_default();
            let len = 3 + n % 4;
            let f = match n % 3 {
                0 => fragment(name, len, n),
                1 => fragment(email, len, n),
                _ => fragment(&phone.replace(['-', '(', ')', '+', ' '], ""), len, n),
            };
            search.extend(f);
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
        // Jump ahead so the sample is not the alphabetical start of the base only.
        for _ in 0..9 {
            let Some(c) = &cursor else { break };
            let skip: Value = client
                .get(page_url(Some(c)))
                .bearer_auth(token)
                .send()
                .await?
                .json()
                .await?;
            cursor = skip["next_cursor"].as_str().map(str::to_owned);
        }
        if cursor.is_none() {
            break;
        }
    }
    let encode = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    std::fs::write(out.join("ids.txt"), ids.join("\n") + "\n")?;
    std::fs::write(out.join("fragments.txt"), search.join("\n") + "\n")?;
    let search_paths: Vec<String> = search
        .iter()
        .map(|f| format!("/api/v1/search?q={}&limit=20", encode(f)))
        .collect();
    std::fs::write(out.join("search-paths.txt"), search_paths.join("\n") + "\n")?;
    let lists = [
        "/api/v1/contacts?limit=50",
        "/api/v1/contacts?limit=50&sort=name",
        "/api/v1/contacts?limit=50&sort=name&filter=tag:eq:vip",
        "/api/v1/contacts?limit=50&filter=language:eq:fa",
        "/api/v1/contacts?limit=50&sort=-updated_at&filter=job_title:eq:Buyer",
        "/api/v1/contacts?limit=50&sort=name&filter=gender:eq:female&filter=language:eq:tr",
        "/api/v1/contacts?limit=50&filter=source:eq:referral&filter=birth_date:gte:1990-01-01",
        "/api/v1/contacts?limit=50&sort=name&filter=display_name:starts:a",
    ];
    std::fs::write(out.join("list-paths.txt"), lists.join("\n") + "\n")?;
    println!(
        "sample: {} ids, {} search fragments",
        ids.len(),
        search.len()
    );
    Ok(())
}

async fn latency(
    base: &str,
    token: &str,
    paths: &std::path::Path,
    rounds: usize,
    max_seconds: u64,
) -> anyhow::Result<()> {
    let paths: Vec<String> = std::fs::read_to_string(paths)?
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(max_seconds);
    let mut samples = Vec::new();
    let mut empty = 0usize;
    'outer: for _ in 0..rounds {
        for p in &paths {
            if Instant::now() > deadline {
                break 'outer;
            }
            let started = Instant::now();
            let resp = client
                .get(format!("{base}{p}"))
                .bearer_auth(token)
                .send()
                .await?;
            let status = resp.status();
            let body: Value = resp.json().await?;
            samples.push(started.elapsed());
            if !status.is_success() {
                bail!("{p} answered {status}: {body}");
            }
            if body["items"].as_array().is_none_or(Vec::is_empty) {
                empty += 1;
            }
        }
    }
    println!(
        "latency: {} ({} answers were empty)",
        percentiles(samples),
        empty
    );
    Ok(())
}

/// The `name=value` part of a response's Set-Cookie for `name`.
fn cookie_of(resp: &reqwest::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .map(str::to_owned)
}

/// Signs in through the login form (its CSRF cookie and field included) and returns the session cookie.
async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    email: &str,
    password: &str,
) -> anyhow::Result<String> {
    let form = client.get(format!("{base}/login")).send().await?;
    let login_cookie =
        cookie_of(&form, "temas_login").ok_or_else(|| anyhow::anyhow!("no login cookie"))?;
    let html = form.text().await?;
    let marker = "name=\"_csrf\" value=\"";
    let start = html
        .find(marker)
        .ok_or_else(|| anyhow::anyhow!("no csrf field"))?
        + marker.len();
    let csrf = &html[start..start + html[start..].find('"').unwrap_or(0)];
    let resp = client
        .post(format!("{base}/login"))
        .header(reqwest::header::COOKIE, login_cookie)
        .form(&[("email", email), ("password", password), ("_csrf", csrf)])
        .send()
        .await?;
    cookie_of(&resp, "temas_session")
        .ok_or_else(|| anyhow::anyhow!("sign-in failed: {}", resp.status()))
}

async fn pages(
    base: &str,
    email: &str,
    password: &str,
    paths: &std::path::Path,
    rounds: usize,
    max_seconds: u64,
) -> anyhow::Result<()> {
    let paths: Vec<String> = std::fs::read_to_string(paths)?
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let session = sign_in(&client, base, email, password).await?;
    let deadline = Instant::now() + Duration::from_secs(max_seconds);
    let mut samples = Vec::new();
    'outer: for _ in 0..rounds {
        for p in &paths {
            if Instant::now() > deadline {
                break 'outer;
            }
            let started = Instant::now();
            let resp = client
                .get(format!("{base}{p}"))
                .header(reqwest::header::COOKIE, &session)
                .send()
                .await?;
            let status = resp.status();
            let html = resp.text().await?;
            samples.push(started.elapsed());
            if !status.is_success() || !html.contains("<html lang=") {
                bail!("{p} answered {status}");
            }
        }
    }
    println!("pages: {}", percentiles(samples));
    Ok(())
}

async fn raw_insert(url: &str, rows: usize) -> anyhow::Result<()> {
    use sqlx::Connection;
    let started;
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::raw_sql("DROP TABLE IF EXISTS raw_bench; CREATE TABLE raw_bench (id UUID PRIMARY KEY, name TEXT, email TEXT, phone TEXT)").execute(&mut conn).await?;
        started = Instant::now();
        for chunk in (0..rows).collect::<Vec<_>>().chunks(10_000) {
            let mut tx = conn.begin().await?;
            for part in chunk.chunks(1000) {
                let mut q = sqlx::QueryBuilder::<sqlx::Postgres>::new(
                    "INSERT INTO raw_bench (id, name, email, phone) ",
                );
                q.push_values(part, |mut b, i| {
                    b.push_bind(uuid::Uuid::now_v7())
                        .push_bind(format!("Name {i}"))
                        .push_bind(format!("user{i}@example.com"))
                        .push_bind(format!("+98912{i:07}"));
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&format!("{url}?mode=rwc")).await?;
        sqlx::raw_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; DROP TABLE IF EXISTS raw_bench; CREATE TABLE raw_bench (id BLOB PRIMARY KEY, name TEXT, email TEXT, phone TEXT)").execute(&mut conn).await?;
        started = Instant::now();
        for chunk in (0..rows).collect::<Vec<_>>().chunks(10_000) {
            let mut tx = conn.begin().await?;
            for part in chunk.chunks(1000) {
                let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
                    "INSERT INTO raw_bench (id, name, email, phone) ",
                );
                q.push_values(part, |mut b, i| {
                    b.push_bind(uuid::Uuid::now_v7())
                        .push_bind(format!("Name {i}"))
                        .push_bind(format!("user{i}@example.com"))
                        .push_bind(format!("+98912{i:07}"));
                });
                q.build().execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "raw insert: {rows} plain rows in {secs:.2} s = {:.0} rows/s",
        rows as f64 / secs
    );
    Ok(())
}

async fn raw_search(url: &str, fragments: &std::path::Path) -> anyhow::Result<()> {
    use sqlx::Connection;
    let fragments: Vec<String> = std::fs::read_to_string(fragments)?
        .lines()
        .filter(|l| l.chars().count() >= 3)
        .map(str::to_lowercase)
        .collect();
    let mut samples = Vec::new();
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        for f in &fragments {
            let started = Instant::now();
            let _rows: Vec<(uuid::Uuid,)> =
                sqlx::query_as("SELECT id FROM contacts WHERE search_doc LIKE $1 LIMIT 20")
                    .bind(format!("%{f}%"))
                    .fetch_all(&mut conn)
                    .await?;
            samples.push(started.elapsed());
        }
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        for f in &fragments {
            let started = Instant::now();
            let _rows: Vec<(i64,)> = sqlx::query_as(
                "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? LIMIT 20",
            )
            .bind(format!("\"{}\"", f.replace('"', "\"\"")))
            .fetch_all(&mut conn)
            .await?;
            samples.push(started.elapsed());
        }
    }
    println!("raw unranked trigram look-up: {}", percentiles(samples));
    Ok(())
}

fn write_csv(rows: usize, out: &std::path::Path, offset: usize) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(7 + offset as u64);
    let mut w = csv::Writer::from_path(out)?;
    w.write_record([
        "First name",
        "Last name",
        "Email",
        "Email 2",
        "Mobile",
        "Work phone",
        "Company",
        "City",
        "Tier",
        "Score",
        "Segment",
    ])?;
    let companies: Vec<String> = (0..2000).map(|i| format!("Company {i}")).collect();
    for i in offset..offset + rows {
        let c = temas_service::demo::demo_contact(&mut rng, i, None);
        let email = c
            .emails
            .first()
            .map(|e| e.address.clone())
            .unwrap_or_default();
        let phone = c
            .phones
            .first()
            .map(|p| p.number.clone())
            .unwrap_or_default();
        let work = format!("+90 212 {:03} {:04}", i % 1000, (i / 1000) % 10_000);
        let tier = ["gold", "silver", "bronze"][i % 3];
        w.write_record([
            c.first_name.as_deref().unwrap_or_default(),
            c.last_name.as_deref().unwrap_or_default(),
            &email,
            &format!("c{i}@mail.example"),
            &phone,
            &work,
            &companies[i % companies.len()],
            c.addresses
                .first()
                .and_then(|a| a.city.as_deref())
                .unwrap_or_default(),
            tier,
            &((i * 37) % 100).to_string(),
            ["retail", "wholesale", "online"][(i / 3) % 3],
        ])?;
    }
    w.flush()?;
    println!("wrote {rows} rows to {}", out.display());
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Bulk {
            base,
            token,
            contacts,
            batch,
            concurrency,
        } => bulk(&base, &token, contacts, batch, concurrency).await,
        Command::Sample {
            base,
            token,
            out,
            count,
            filter,
        } => sample(&base, &token, &out, count, filter.as_deref()).await,
        Command::Latency {
            base,
            token,
            paths,
            rounds,
            max_seconds,
        } => latency(&base, &token, &paths, rounds, max_seconds).await,
        Command::Pages {
            base,
            email,
            password,
            paths,
            rounds,
            max_seconds,
        } => pages(&base, &email, &password, &paths, rounds, max_seconds).await,
        Command::Csv { rows, out, offset } => write_csv(rows, &out, offset),
        Command::Dedupe {
            layout,
            files,
            show_errors,
            max_block,
        } => dedupe::run(&files, layout, show_errors, max_block),
        Command::DuplicateCheck {
            base,
            token,
            ids,
            count,
            max_seconds,
        } => duplicate_check::run(&base, &token, &ids, count, max_seconds).await,
        Command::Orders {
            base,
            token,
            orders,
            customers,
            concurrency,
            first,
        } => orders::run(&base, &token, first..first + orders, customers, concurrency).await,
        Command::RawInsert { url, rows } => raw_insert(&url, rows).await,
        Command::RawOrders {
            url,
            orders,
            customers,
            first,
            inline_checkpoints,
        } => orders::raw(&url, first..first + orders, customers, inline_checkpoints).await,
        Command::RawImport { url, file, batch } => raw_import::run(&url, &file, batch).await,
        Command::RawSearch { url, fragments } => raw_search(&url, &fragments).await,
    }
}

/// This process's peak resident memory, as the kernel reports it.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}
