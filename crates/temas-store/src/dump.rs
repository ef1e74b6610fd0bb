//! A workspace as plain rows, to move it between backends and machines: every table that holds the workspace's
//! data, row by row, each row a JSON object keyed by column name (ids as UUID strings, times as the stored
//! microseconds, JSON columns as `{"json": value}` so that a JSON null differs from no value). Reading runs in one read transaction, so the dump is a consistent
//! snapshot; loading inserts the rows as they were, and the search index (FTS5 triggers, pg_trgm) follows.
//!
//! Left out: sessions, sign-in failures, idempotency keys and the job queue (passing state), files uploaded
//! for imports (the imports themselves, their journals and error reports are kept), and duplicate scans with their
//! review queues (derived: a new scan rebuilds them, and the merges and "not a duplicate" decisions they led to are
//! kept).

use crate::db::Pools;
use crate::types::{DumpSink, RecordKind, StoreError, WorkspaceId};
use futures_util::TryStreamExt;
use sea_query::{Alias, Expr, ExprTrait, PostgresQueryBuilder, Query, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use serde_json::{Map, Value};
use sqlx::types::Json;
use sqlx::{AssertSqlSafe, Row};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Id,
    Str,
    Int,
    Doc,
    Flag,
}

use Ty::*;

const RECORD: &[(&str, Ty)] = &[
    ("workspace_id", Id),
    ("id", Id),
    ("version", Int),
    ("sort_name", Str),
    ("external_id", Str),
    ("owner_id", Id),
    ("team_id", Id),
    ("data", Doc),
    ("search_doc", Str),
    ("created_by", Id),
    ("updated_by", Id),
    ("created_at", Int),
    ("updated_at", Int),
    ("deleted_at", Int),
];

/// Columns read from other data, not dumped: an order's spend in the workspace's currency is converted again once
/// it is loaded (it loads marked as waiting for that, see `product_spend.rs`), and a product's category and brand
/// are copied out of its data.
const DERIVED: &[&str] = &[
    "spent_converted_minor",
    "conversion_pending",
    "category",
    "brand",
];

/// A record table's columns: the common ones and its kind's extra ones. A contact's metrics are not dumped: they
/// are computed again as the orders and interactions they come from are loaded.
fn record_columns(kind: RecordKind) -> Vec<(&'static str, Ty)> {
    let extra = crate::records::spec(kind)
        .extra
        .iter()
        .filter(|c| !DERIVED.contains(c))
        .map(|c| {
            let ty = match *c {
                "company_id" | "contact_id" => Id,
                "currency" => Str,
                _ => Int,
            };
            (*c, ty)
        });
    RECORD.iter().copied().chain(extra).collect()
}

const TERMS: &[(&str, Ty)] = &[("workspace_id", Id), ("term", Str), ("record_id", Id)];

/// The tables of a workspace, in the order they are loaded, with their columns.
fn tables() -> Vec<(&'static str, Vec<(&'static str, Ty)>)> {
    vec![
        (
            "workspaces",
            vec![
                ("id", Id),
                ("name", Str),
                ("default_region", Str),
                ("default_currency", Str),
                ("settings", Doc),
                ("created_at", Int),
            ],
        ),
        (
            "teams",
            vec![("workspace_id", Id), ("id", Id), ("name", Str)],
        ),
        (
            "users",
            vec![
                ("workspace_id", Id),
                ("id", Id),
                ("email", Str),
                ("name", Str),
                ("password_hash", Str),
                ("role", Str),
                ("team_id", Id),
                ("prefs", Doc),
                ("created_at", Int),
            ],
        ),
        (
            "api_tokens",
            vec![
                ("workspace_id", Id),
                ("id", Id),
                ("user_id", Id),
                ("name", Str),
                ("token_hash", Str),
                ("created_at", Int),
                ("revoked_at", Int),
            ],
        ),
        (
            "custom_fields",
            vec![
                ("workspace_id", Id),
                ("id", Id),
                ("entity", Str),
                ("field_key", Str),
                ("definition", Doc),
            ],
        ),
        ("companies", record_columns(RecordKind::Company)),
        ("contacts", record_columns(RecordKind::Contact)),
        ("interactions", record_columns(RecordKind::Interaction)),
        ("products", record_columns(RecordKind::Product)),
        ("orders", record_columns(RecordKind::Order)),
        ("pipelines", record_columns(RecordKind::Pipeline)),
        ("deals", record_columns(RecordKind::Deal)),
        ("leads", record_columns(RecordKind::Lead)),
        ("tasks", record_columns(RecordKind::Task)),
        ("offers", record_columns(RecordKind::Offer)),
        (
            "rfm_cuts",
            vec![
                ("workspace_id", Id),
                ("buyers", Int),
                ("cuts", Doc),
                ("computed_at", Int),
            ],
        ),
        (
            "contact_companies",
            vec![
                ("workspace_id", Id),
                ("contact_id", Id),
                ("company_id", Id),
                ("role", Str),
            ],
        ),
        (
            "interaction_contacts",
            vec![
                ("workspace_id", Id),
                ("contact_id", Id),
                ("occurred_at", Int),
                ("interaction_id", Id),
            ],
        ),
        ("contact_terms", TERMS.to_vec()),
        ("company_terms", TERMS.to_vec()),
        ("product_terms", TERMS.to_vec()),
        (
            "changes",
            vec![
                ("workspace_id", Id),
                ("record_id", Id),
                ("id", Id),
                ("entity", Str),
                ("action", Str),
                ("actor_id", Id),
                ("at", Int),
                ("changes", Doc),
            ],
        ),
        (
            "saved_views",
            vec![
                ("workspace_id", Id),
                ("id", Id),
                ("entity", Str),
                ("name", Str),
                ("owner_id", Id),
                ("shared", Flag),
                ("team_id", Id),
                ("settings", Doc),
                ("created_at", Int),
                ("updated_at", Int),
            ],
        ),
        (
            "imports",
            vec![
                ("workspace_id", Id),
                ("id", Id),
                ("entity", Str),
                ("file_name", Str),
                ("status", Str),
                ("summary", Doc),
                ("job", Doc),
                ("created_by", Id),
                ("created_at", Int),
                ("updated_at", Int),
            ],
        ),
        (
            "import_items",
            vec![
                ("workspace_id", Id),
                ("import_id", Id),
                ("seq", Int),
                ("record_kind", Str),
                ("record_id", Id),
                ("action", Str),
                ("before_version", Int),
                ("before_data", Doc),
                ("after_version", Int),
            ],
        ),
        (
            "import_errors",
            vec![
                ("workspace_id", Id),
                ("import_id", Id),
                ("seq", Int),
                ("row_number", Int),
                ("field", Str),
                ("reason", Str),
            ],
        ),
        (
            "merges",
            vec![
                ("workspace_id", Id),
                ("id", Id),
                ("entity", Str),
                ("survivor_id", Id),
                ("merged_ids", Doc),
                ("steps", Doc),
                ("status", Str),
                ("report", Doc),
                ("created_by", Id),
                ("created_at", Int),
                ("updated_at", Int),
            ],
        ),
        (
            "dedupe_decisions",
            vec![
                ("workspace_id", Id),
                ("entity", Str),
                ("record_a", Id),
                ("record_b", Id),
                ("same", Flag),
                ("pattern", Int),
                ("merge_id", Id),
                ("decided_by", Id),
                ("decided_at", Int),
            ],
        ),
    ]
}

fn a(name: &str) -> Alias {
    Alias::new(name)
}

/// Reads one column of a row into JSON, the same way on both backends.
macro_rules! cell {
    ($row:expr, $i:expr, $ty:expr) => {{
        let v: Result<Value, sqlx::Error> = match $ty {
            Id => $row
                .try_get::<Option<Uuid>, _>($i)
                .map(|v| v.map_or(Value::Null, |u| Value::String(u.to_string()))),
            Str => $row
                .try_get::<Option<String>, _>($i)
                .map(|v| v.map_or(Value::Null, Value::String)),
            Int => $row
                .try_get::<Option<i64>, _>($i)
                .map(|v| v.map_or(Value::Null, Value::from)),
            // A JSON column's SQL NULL is told apart from a JSON null: the column is left out of the row.
            Doc => $row
                .try_get::<Option<Json<Value>>, _>($i)
                .map(|v| v.map_or(Value::Null, |j| serde_json::json!({ "json": j.0 }))),
            Flag => $row
                .try_get::<Option<bool>, _>($i)
                .map(|v| v.map_or(Value::Null, Value::Bool)),
        };
        v
    }};
}

/// Hands every row of the workspace to `sink` as `(table, row)`, table by table, from one consistent snapshot.
pub(crate) async fn dump(
    pools: &Pools,
    ws: WorkspaceId,
    sink: &mut DumpSink<'_>,
) -> Result<(), StoreError> {
    let failed = |e: String| StoreError::Corrupt(format!("writing the dump: {e}"));
    let statements: Vec<_> = tables()
        .into_iter()
        .map(|(table, columns)| {
            let key = if table == "workspaces" {
                "id"
            } else {
                "workspace_id"
            };
            let q = Query::select()
                .columns(columns.iter().map(|(c, _)| a(c)))
                .from(a(table))
                .and_where(Expr::col(a(key)).eq(ws.0))
                .to_owned();
            (table, columns, q)
        })
        .collect();
    // The same reading on both engines; only the transaction and the SQL dialect differ.
    macro_rules! read_all {
        ($tx:expr, $builder:expr) => {
            for (table, columns, q) in statements {
                let (sql, values) = q.build_sqlx($builder);
                let mut rows = sqlx::query_with(AssertSqlSafe(sql), values).fetch(&mut *$tx);
                while let Some(row) = rows.try_next().await? {
                    let mut map = Map::new();
                    for (i, (name, ty)) in columns.iter().enumerate() {
                        map.insert((*name).to_owned(), cell!(row, i, *ty)?);
                    }
                    sink(table, map).map_err(failed)?;
                }
            }
        };
    }
    match pools {
        Pools::Sqlite { read, .. } => {
            let mut tx = read.begin().await?;
            read_all!(tx, SqliteQueryBuilder);
            tx.commit().await?;
        }
        Pools::Postgres(pool) => {
            let mut tx = pool.begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                .execute(&mut *tx)
                .await?;
            read_all!(tx, PostgresQueryBuilder);
            tx.commit().await?;
        }
    }
    Ok(())
}

/// The tables a dump may name, in load order.
pub(crate) fn table_names() -> Vec<&'static str> {
    tables().into_iter().map(|(t, _)| t).collect()
}

/// Inserts rows of one table as they were dumped, in one transaction. A row must belong to `ws`.
pub(crate) async fn load(
    pools: &Pools,
    ws: WorkspaceId,
    table: &str,
    rows: &[Map<String, Value>],
) -> Result<(), StoreError> {
    let bad = |why: String| StoreError::Corrupt(format!("{table}: {why}"));
    let Some((_, columns)) = tables().into_iter().find(|(t, _)| *t == table) else {
        return Err(bad("not a table of a workspace".into()));
    };
    let key = if table == "workspaces" {
        "id"
    } else {
        "workspace_id"
    };
    let mut tx = pools.begin().await?;
    for chunk in rows.chunks(200) {
        let mut ins = Query::insert();
        ins.into_table(a(table))
            .columns(columns.iter().map(|(c, _)| a(c)));
        for row in chunk {
            if row.get(key).and_then(Value::as_str) != Some(ws.0.to_string().as_str()) {
                return Err(bad(format!(
                    "a row of another workspace: {}",
                    Value::Object(row.clone())
                )));
            }
            let mut values: Vec<sea_query::SimpleExpr> = Vec::with_capacity(columns.len());
            for (name, ty) in &columns {
                let v = row.get(*name).unwrap_or(&Value::Null);
                values.push(value(*ty, v).map_err(|why| bad(format!("{name}: {why}")))?);
            }
            ins.values(values)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        tx.execute(&ins).await?;
    }
    if matches!(table, "contacts" | "companies") {
        crate::dialect::index_inserted_rows(&mut tx, table, rows.len()).await?;
    }
    // The metrics of the contacts these rows count for (the contacts and interactions load first).
    let contacts_of = |rows: &[Map<String, Value>]| -> Vec<Uuid> {
        rows.iter()
            .filter_map(|r| r.get("contact_id")?.as_str()?.parse().ok())
            .collect()
    };
    match table {
        "products" => crate::product_spend::copy_facets(&mut tx, ws).await?,
        "orders" => crate::customer_metrics::refresh(&mut tx, ws, &contacts_of(rows)).await?,
        "interaction_contacts" => {
            crate::customer_metrics::refresh_last_contact(&mut tx, ws, &contacts_of(rows)).await?;
        }
        _ => {}
    }
    tx.commit().await
}

/// A dumped cell as a value to insert.
fn value(ty: Ty, v: &Value) -> Result<sea_query::SimpleExpr, String> {
    if v.is_null() {
        return Ok(match ty {
            Id => Option::<Uuid>::None.into(),
            Str => Option::<String>::None.into(),
            Int => Option::<i64>::None.into(),
            Doc => Option::<Value>::None.into(),
            Flag => Option::<bool>::None.into(),
        });
    }
    Ok(match ty {
        Id => v
            .as_str()
            .and_then(|s| s.parse::<Uuid>().ok())
            .ok_or("expected a UUID")?
            .into(),
        Str => v.as_str().ok_or("expected text")?.to_owned().into(),
        Int => v.as_i64().ok_or("expected a whole number")?.into(),
        Doc => v
            .get("json")
            .ok_or("expected {\"json\": …}")?
            .clone()
            .into(),
        Flag => v.as_bool().ok_or("expected true or false")?.into(),
    })
}
