//! The real differences between SQLite and PostgreSQL, in one place: column types, the trigram search index,
//! JSON field extraction and text collation.

use crate::db::{Pools, Tx};
use crate::types::{Backend, StoreError};
use sea_query::{Alias, Expr, ExprTrait, LikeExpr, Query, SelectStatement, SimpleExpr};

/// Fills the type placeholders of portable DDL.
pub(crate) fn render_ddl(backend: Backend, ddl: &str) -> String {
    let types: &[(&str, &str)] = match backend {
        Backend::Sqlite => &[
            ("{uuid}", "BLOB"),
            ("{json}", "TEXT"),
            ("{text_c}", "TEXT"),
            ("{bool}", "INTEGER"),
            ("{bytes}", "BLOB"),
        ],
        Backend::Postgres => &[
            ("{uuid}", "UUID"),
            ("{json}", "JSONB"),
            ("{text_c}", "TEXT COLLATE \"C\""),
            ("{bool}", "BOOLEAN"),
            ("{bytes}", "BYTEA"),
        ],
    };
    types.iter().fold(ddl.to_owned(), |acc, (placeholder, ty)| {
        acc.replace(placeholder, ty)
    })
}

/// JSON text as the value of a JSON column: SQLite keeps JSON as text, PostgreSQL's `jsonb` takes text through a
/// cast.
pub(crate) fn json_document(backend: Backend, json: &str) -> Expr {
    let text = Expr::val(json);
    match backend {
        Backend::Sqlite => text,
        Backend::Postgres => text.cast_as(Alias::new("jsonb")),
    }
}

/// The trigram index over `search_doc`: an FTS5 trigram table kept in step by triggers on SQLite, a pg_trgm GIN
/// index on PostgreSQL.
pub(crate) fn search_index_ddl(backend: Backend, table: &str) -> String {
    match backend {
        Backend::Sqlite => format!(
            "CREATE VIRTUAL TABLE {table}_fts USING fts5(search_doc, content='{table}', content_rowid='rowid',
                tokenize='trigram');
            CREATE TRIGGER {table}_fts_insert AFTER INSERT ON {table} BEGIN
                INSERT INTO {table}_fts (rowid, search_doc) VALUES (new.rowid, new.search_doc);
            END;
            CREATE TRIGGER {table}_fts_delete AFTER DELETE ON {table} BEGIN
                INSERT INTO {table}_fts ({table}_fts, rowid, search_doc) VALUES ('delete', old.rowid, old.search_doc);
            END;
            CREATE TRIGGER {table}_fts_update AFTER UPDATE OF search_doc ON {table}
                WHEN old.search_doc IS NOT new.search_doc BEGIN
                INSERT INTO {table}_fts ({table}_fts, rowid, search_doc) VALUES ('delete', old.rowid, old.search_doc);
                INSERT INTO {table}_fts (rowid, search_doc) VALUES (new.rowid, new.search_doc);
            END;
"
        ),
        Backend::Postgres => format!(
            "CREATE EXTENSION IF NOT EXISTS pg_trgm;
            CREATE INDEX {table}_doc_trgm ON {table} USING gin (search_doc gin_trgm_ops);
"
        ),
    }
}

/// Adds the last `count` rows inserted into `table` (contacts or companies) to its trigram index. On SQLite the
/// index is written here, once per transaction, rather than by a trigger (see migration 0007); the new rows are the
/// last `count` by rowid, as SQLite gives each inserted row the next rowid after the largest and only the one
/// writer inserts. PostgreSQL maintains its index itself.
pub(crate) async fn index_inserted_rows(
    tx: &mut Tx,
    table: &str,
    count: usize,
) -> Result<(), StoreError> {
    if tx.backend() == Backend::Postgres || count == 0 {
        return Ok(());
    }
    tx.execute_raw(&format!(
        "INSERT INTO {table}_fts (rowid, search_doc)
            SELECT rowid, search_doc FROM {table}
            WHERE rowid > (SELECT max(rowid) FROM {table}) - {count}"
    ))
    .await
}

/// Restricts a select over `table` to rows whose `search_doc` contains every word as a substring, answered by the
/// trigram index. Returns `false` when no row can match (the select need not run). Words shorter than three
/// characters cannot use a trigram index; callers leave them out.
///
/// SQLite's planner misjudges an FTS5 subquery and scans the workspace instead, so its matches are looked up first
/// (at most `cap`, so a common fragment stops early) and the select then takes those rows by rowid, in rowid order. PostgreSQL
/// answers `LIKE '%word%'` from the pg_trgm index inside the select itself.
pub(crate) async fn restrict_to_fragments(
    pools: &Pools,
    q: &mut SelectStatement,
    table: &str,
    words: &[String],
    cap: u64,
) -> Result<bool, StoreError> {
    match pools.backend() {
        Backend::Sqlite => {
            let fts_query = words
                .iter()
                .map(|w| format!("\"{}\"", w.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" AND ");
            let matches = Query::select()
                .column(Alias::new("rowid"))
                .from(Alias::new(format!("{table}_fts")))
                .and_where(Expr::cust_with_values(
                    format!("{table}_fts MATCH ?"),
                    [fts_query],
                ))
                .limit(cap)
                .to_owned();
            let rowids: Vec<(i64,)> = pools.fetch_all(&matches).await?;
            q.and_where(
                Expr::col((Alias::new(table), Alias::new("rowid")))
                    .is_in(rowids.iter().map(|r| r.0)),
            );
            // Sampled statistics (`analysis_limit`) underestimate how many rows a workspace has, and the planner
            // then scans a whole workspace through an index, testing each row against the list (70 ms on a
            // million contacts). Ordering by rowid makes looking the rows up by rowid the plan it picks (2 ms).
            q.order_by(
                (Alias::new(table), Alias::new("rowid")),
                sea_query::Order::Asc,
            );
            Ok(!rowids.is_empty())
        }
        Backend::Postgres => {
            for w in words {
                let pattern = format!("%{}%", escape_like(w));
                q.and_where(
                    Expr::col((Alias::new(table), Alias::new("search_doc")))
                        .like(LikeExpr::new(pattern).escape('\\')),
                );
            }
            Ok(true)
        }
    }
}

pub(crate) fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The text value at `data.custom.<key>` (or `data.<key>` when `custom` is false).
pub(crate) fn json_text(backend: Backend, table: &str, key: &str, custom: bool) -> SimpleExpr {
    Expr::cust(json_text_sql(
        backend,
        &format!("{table}.data"),
        key,
        custom,
    ))
}

/// The SQL of [`json_text`] over the JSON column `data`, which may be qualified by its table or not (an index
/// expression may not be; the engines match the two forms).
pub(crate) fn json_text_sql(backend: Backend, data: &str, key: &str, custom: bool) -> String {
    // Keys are validated to [a-z0-9_] before they get here, so they can be spliced into the path safely.
    let safe: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    match (backend, custom) {
        (Backend::Sqlite, true) => format!("json_extract({data}, '$.custom.{safe}')"),
        (Backend::Sqlite, false) => format!("json_extract({data}, '$.{safe}')"),
        (Backend::Postgres, true) => format!("({data}->'custom'->>'{safe}')"),
        (Backend::Postgres, false) => format!("({data}->>'{safe}')"),
    }
}

/// The same value as a number, for numeric comparisons.
pub(crate) fn json_number(backend: Backend, table: &str, key: &str) -> SimpleExpr {
    let safe: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    match backend {
        Backend::Sqlite => Expr::cust(format!(
            "CAST(json_extract({table}.data, '$.custom.{safe}') AS REAL)"
        )),
        Backend::Postgres => Expr::cust(format!(
            "(CASE WHEN jsonb_typeof({table}.data->'custom'->'{safe}') = 'number' \
             THEN ({table}.data->'custom'->>'{safe}')::numeric END)"
        )),
    }
}

/// Case-insensitive containment for free-text filters. SQLite's `lower` folds ASCII only, so both sides go through
/// the same function on each backend.
pub(crate) fn lower(expr: SimpleExpr) -> SimpleExpr {
    sea_query::Func::lower(expr).into()
}
