//! The raw engine loading the rows of an import file into the same indexed schema, straight on a copy of a Temas
//! SQLite database: the baseline issue 4 measures `temas import` against.
//!
//! Each row becomes what Temas writes for a new contact: its row (the same data and search document), its entry in
//! the trigram index, its search terms, its link to its company and its history entry, 1,000 rows per transaction,
//! as the importer writes them. The rows are mapped, validated and indexed by Temas's own code outside the timed
//! transactions; what is timed is SQLite doing the writes. No matching, journal or checkpoint of the import's own.

use anyhow::Context;
use sqlx::{Connection, Row, SqliteConnection};
use std::collections::HashMap;
use std::time::{Duration, Instant};
use temas_core::contact::{CompanyLink, ContactData, ValidationContext};
use temas_core::custom::{CustomFieldDef, Entity};
use temas_core::ids::CompanyId;
use temas_core::import::{DateOrder, RowContext, map_row, suggest};
use temas_core::normalize::search_key;

/// A contact as the store receives it.
struct NewContact {
    id: uuid::Uuid,
    data: String,
    sort_name: String,
    search_doc: String,
    terms: Vec<String>,
    company: Option<uuid::Uuid>,
}

/// Where the rows go: the workspace, the user who imports them, the companies by normalised name.
struct Target {
    ws: uuid::Uuid,
    user: uuid::Uuid,
    team: Option<uuid::Uuid>,
    now: i64,
}

pub async fn run(url: &str, file: &std::path::Path, batch_rows: usize) -> anyhow::Result<()> {
    let (mut conn, checkpointer) = crate::raw_db::open(url, true).await?;
    let workspace = sqlx::query("SELECT id, default_region FROM workspaces LIMIT 1")
        .fetch_one(&mut conn)
        .await?;
    let ws: uuid::Uuid = workspace.try_get(0)?;
    let region: String = workspace.try_get(1)?;
    let (user, team) = crate::raw_db::first_user(&mut conn, ws).await?;
    let target = Target {
        ws,
        user,
        team,
        now: chrono::Utc::now().timestamp_micros(),
    };
    let mut fields: Vec<CustomFieldDef> = Vec::new();
    for row in sqlx::query("SELECT definition FROM custom_fields WHERE workspace_id = ?")
        .bind(ws)
        .fetch_all(&mut conn)
        .await?
    {
        let text: String = row.try_get(0)?;
        fields.push(serde_json::from_str(&text).context("a custom field definition")?);
    }
    fields.retain(|d| d.entity == Entity::Contact && !d.retired);
    let companies: HashMap<String, uuid::Uuid> =
        sqlx::query("SELECT sort_name, id FROM companies WHERE workspace_id = ?")
            .bind(ws)
            .fetch_all(&mut conn)
            .await?
            .iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect::<Result<_, sqlx::Error>>()?;

    let mut reader = csv::Reader::from_path(file)?;
    let headers: Vec<String> = reader.headers()?.iter().map(str::to_owned).collect();
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()))
        .collect::<Result<_, _>>()?;
    let custom: Vec<(String, String)> = fields
        .iter()
        .map(|d| (d.key.clone(), d.label.clone()))
        .collect();
    let region = temas_core::phone::parse_region(&region);
    let samples = &records[..records.len().min(20)];
    let targets = suggest(&headers, samples, &custom, region);
    let rules = RowContext {
        region,
        date_order: DateOrder::DayFirst,
        calendar: temas_core::calendar::Calendar::Gregorian,
    };
    let validation = ValidationContext {
        region,
        custom_fields: fields,
        pipelines: Vec::new(),
    };

    let mut writing = Duration::ZERO;
    let mut written = 0usize;
    for chunk in records.chunks(batch_rows.max(1)) {
        let mut batch = Vec::with_capacity(chunk.len());
        for cells in chunk {
            let mapped = map_row(&targets, &headers, cells, &rules)
                .map_err(|e| anyhow::anyhow!("a bench row does not map: {e:?}"))?;
            let mut data = mapped
                .input
                .validate(&validation, None)
                .map_err(|e| anyhow::anyhow!("a bench row is invalid: {e:?}"))?;
            let company = mapped
                .company
                .as_deref()
                .and_then(|name| companies.get(&search_key(name)).copied());
            if let Some(id) = company {
                data.companies.push(CompanyLink {
                    company_id: CompanyId(id),
                    role: "employee".into(),
                });
            }
            batch.push(new_contact(data, company, target.user)?);
        }
        let started = Instant::now();
        write_batch(&mut conn, &target, batch).await?;
        writing += started.elapsed();
        written += chunk.len();
    }
    if let Some(task) = checkpointer {
        task.abort();
    }
    let secs = writing.as_secs_f64();
    println!(
        "raw engine, the same rows into the same indexed schema: {written} rows in {secs:.1} s of transactions = {:.0} rows/s \
         ({batch_rows} per transaction; WAL checkpointed in the background, as the server does)",
        written as f64 / secs
    );
    Ok(())
}

/// The contact's row, search document and terms as Temas's store receives them for a new contact.
fn new_contact(
    mut data: ContactData,
    company: Option<uuid::Uuid>,
    owner: uuid::Uuid,
) -> anyhow::Result<NewContact> {
    data.owner_id = Some(temas_core::ids::UserId(owner));
    let (terms, indexed) = temas_service::records::contact_index(&data);
    Ok(NewContact {
        id: uuid::Uuid::now_v7(),
        sort_name: indexed.sort_name,
        search_doc: indexed.search_doc,
        terms,
        company,
        data: serde_json::to_string(&data)?,
    })
}

/// One transaction: the contacts' rows in name order, their trigram index entries, their terms in key order, their
/// company links and their history entries.
async fn write_batch(
    conn: &mut SqliteConnection,
    t: &Target,
    mut batch: Vec<NewContact>,
) -> anyhow::Result<()> {
    batch.sort_unstable_by(|a, b| a.sort_name.cmp(&b.sort_name));
    let mut tx = conn.begin().await?;
    for part in batch.chunks(500) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT OR FAIL INTO contacts (workspace_id, id, version, sort_name, external_id, owner_id, team_id, \
             data, search_doc, created_by, updated_by, created_at, updated_at) ",
        );
        q.push_values(part, |mut b, c| {
            b.push_bind(t.ws)
                .push_bind(c.id)
                .push_bind(1i64)
                .push_bind(&c.sort_name)
                .push_bind(None::<String>)
                .push_bind(t.user)
                .push_bind(t.team)
                .push_bind(&c.data)
                .push_bind(&c.search_doc)
                .push_bind(t.user)
                .push_bind(t.user)
                .push_bind(t.now)
                .push_bind(t.now);
        });
        q.build().execute(&mut *tx).await?;
    }
    sqlx::query(
        "INSERT INTO contacts_fts (rowid, search_doc) SELECT rowid, search_doc FROM contacts \
         WHERE rowid > (SELECT max(rowid) FROM contacts) - ?",
    )
    .bind(batch.len() as i64)
    .execute(&mut *tx)
    .await?;
    let mut terms: Vec<(&str, uuid::Uuid)> = batch
        .iter()
        .flat_map(|c| c.terms.iter().map(move |term| (term.as_str(), c.id)))
        .collect();
    terms.sort_unstable();
    for part in terms.chunks(2000) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO contact_terms (workspace_id, term, record_id) ",
        );
        q.push_values(part, |mut b, (term, id)| {
            b.push_bind(t.ws).push_bind(*term).push_bind(*id);
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut *tx).await?;
    }
    let links: Vec<(uuid::Uuid, uuid::Uuid)> = batch
        .iter()
        .filter_map(|c| Some((c.id, c.company?)))
        .collect();
    for part in links.chunks(2000) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO contact_companies (workspace_id, contact_id, company_id, role) ",
        );
        q.push_values(part, |mut b, (contact, company)| {
            b.push_bind(t.ws)
                .push_bind(*contact)
                .push_bind(*company)
                .push_bind("employee");
        });
        q.build().execute(&mut *tx).await?;
    }
    for part in batch.chunks(500) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT OR FAIL INTO changes (workspace_id, record_id, id, entity, action, actor_id, at, changes) ",
        );
        q.push_values(part, |mut b, c| {
            b.push_bind(t.ws)
                .push_bind(c.id)
                .push_bind(uuid::Uuid::now_v7())
                .push_bind("contact")
                .push_bind("create")
                .push_bind(t.user)
                .push_bind(t.now)
                .push_bind("null");
        });
        q.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
