//! Connections and statement execution for both backends. Statements are sea-query values rendered for the
//! backend in use; rows decode through `FromRow` implementations that work on both.

use crate::types::{Backend, StoreError};
use sea_query::{PostgresQueryBuilder, SqliteQueryBuilder};
use sea_query_sqlx::SqlxBinder;
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
// Statements come from sea-query with every value bound as a parameter, which is what makes them safe.
use sqlx::{AssertSqlSafe, FromRow, Postgres, Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// How to reach the database.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `sqlite://path/to/file.db` or `postgres://user:pass@host/db`.
    pub url: String,
    /// Connections for reads (SQLite) or for everything (PostgreSQL), at most two per core.
    pub max_connections: u32,
    /// SQLite only: `full` (default, durable on power loss) or `normal` (durable on process crash).
    pub sqlite_synchronous: String,
    /// SQLite only: copy the database beside itself before applying migrations (default). Turned off by an
    /// operator who keeps backups of their own and lacks the disk space for another copy.
    pub migration_backup: bool,
}

impl StoreConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            max_connections: 8,
            sqlite_synchronous: "full".into(),
            migration_backup: true,
        }
    }
}

/// The writer's page cache, in KiB.
const WRITER_CACHE_KIB: u32 = 65_536;

/// The writer's page cache while it builds an index and samples its statistics. The build reads the table through
/// the cache and sorts the new keys in memory up to the cache's size before it spills a sorted run to a temporary
/// file: with the full cache, adding an indexed field to 1,000,000 contacts peaked at 182–184 MB, and with this one
/// at 65–68 MB, and 0.45 s sooner.
pub(crate) const INDEX_BUILD_CACHE_KIB: u32 = 8_192;

/// `PRAGMA cache_size` for the writer: `kib` while it builds indexes, its usual size otherwise. Lowering it frees
/// the pages above the new size at once.
pub(crate) fn writer_cache_pragma(kib: Option<u32>) -> String {
    format!("PRAGMA cache_size=-{}", kib.unwrap_or(WRITER_CACHE_KIB))
}

/// SQLite: gathers the planner's statistics for one index from a sample of its rows (as `PRAGMA optimize` does),
/// rather than reading it in full.
pub(crate) fn sample_index_sql(index: &str) -> String {
    format!(
        "PRAGMA analysis_limit=1000; ANALYZE \"{}\";",
        index.replace('"', "\"\"")
    )
}

/// A row type that decodes from both backends.
pub(crate) trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> Row for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{}

#[derive(Clone)]
pub(crate) enum Pools {
    /// SQLite allows one writer: writes go through a one-connection pool so they queue instead of failing busy.
    Sqlite {
        read: SqlitePool,
        write: SqlitePool,
    },
    Postgres(PgPool),
}

impl Pools {
    pub async fn connect(config: &StoreConfig) -> Result<Self, StoreError> {
        // Statements that run at once beyond two per core only wait for a core, and lengthen the slowest answers.
        let two_per_core = std::thread::available_parallelism().map_or(4, |n| n.get() as u32 * 2);
        if config.url.starts_with("postgres://") || config.url.starts_with("postgresql://") {
            // PostgreSQL runs each connection's statements in a process of its own, on the same cores as Temas
            // when it is local: on two cores, GET's p99 at 50 client connections was 7.1-7.2 ms with 8
            // connections, 6.0 ms with 4 and 8.1 ms with 2.
            let pool = PgPoolOptions::new()
                .max_connections(config.max_connections.clamp(2, two_per_core))
                .acquire_timeout(Duration::from_secs(10))
                .connect(&config.url)
                .await?;
            return Ok(Pools::Postgres(pool));
        }
        let synchronous = match config.sqlite_synchronous.as_str() {
            "normal" => SqliteSynchronous::Normal,
            _ => SqliteSynchronous::Full,
        };
        let options = SqliteConnectOptions::from_str(&config.url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("temp_store", "memory");
        // The writer does not checkpoint the WAL itself: a background connection does, on the other core, so that
        // commits do not wait for it.
        // Writes queue for the one writer rather than fail while it is busy with something long: an index build,
        // the copy taken before migrating, statistics gathered on a large base whose pages are not cached yet.
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(WRITER_QUEUE_LIMIT)
            .connect_with(
                options
                    .clone()
                    .pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
                    .pragma("wal_autocheckpoint", "0")
                    // Index builds spill their sorted runs to disk rather than to memory (see
                    // `SqlStore::building_indexes`).
                    .pragma("temp_store", "file"),
            )
            .await?;
        let checkpointer = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options.clone())
            .await?;
        tokio::spawn(checkpoint_loop(checkpointer, write.clone()));
        // Readers keep small page caches: the OS page cache holds the hot data once for all of them. Each reader
        // is a thread whose C allocations (SQLite's) glibc keeps in an arena of its own after a large search, so
        // there are no more of them than the cores can keep busy.
        // A reader loads the planner's statistics with the schema and keeps them; statistics gathered later (see
        // `checkpoint_loop`) reach it when it reconnects, so readers live two minutes at most.
        let read = SqlitePoolOptions::new()
            .max_connections(config.max_connections.clamp(1, two_per_core))
            .max_lifetime(STATISTICS_REFRESH * 2)
            .connect_with(
                options
                    .read_only(true)
                    .pragma("cache_size", "-2048")
                    .row_buffer_size(512),
            )
            .await?;
        Ok(Pools::Sqlite { read, write })
    }

    pub fn backend(&self) -> Backend {
        match self {
            Pools::Sqlite { .. } => Backend::Sqlite,
            Pools::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(match self {
            Pools::Sqlite { write, .. } => Tx::Sqlite(write.begin().await?),
            Pools::Postgres(pool) => Tx::Postgres(pool.begin().await?),
        })
    }

    pub async fn fetch_all<T: Row, S: SqlxBinder>(&self, stmt: &S) -> Result<Vec<T>, StoreError> {
        Ok(match self {
            Pools::Sqlite { read, .. } => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with::<Sqlite, T, _>(AssertSqlSafe(sql), values)
                    .fetch_all(read)
                    .await?
            }
            Pools::Postgres(pool) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<Postgres, T, _>(AssertSqlSafe(sql), values)
                    .fetch_all(pool)
                    .await?
            }
        })
    }

    pub async fn fetch_optional<T: Row, S: SqlxBinder>(
        &self,
        stmt: &S,
    ) -> Result<Option<T>, StoreError> {
        Ok(match self {
            Pools::Sqlite { read, .. } => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with::<Sqlite, T, _>(AssertSqlSafe(sql), values)
                    .fetch_optional(read)
                    .await?
            }
            Pools::Postgres(pool) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<Postgres, T, _>(AssertSqlSafe(sql), values)
                    .fetch_optional(pool)
                    .await?
            }
        })
    }

    /// Runs a statement that answers one row of `n` whole numbers (counts, sums); NULL reads as 0.
    pub async fn fetch_numbers<S: SqlxBinder>(
        &self,
        stmt: &S,
        n: usize,
    ) -> Result<Vec<i64>, StoreError> {
        use sqlx::Row;
        Ok(match self {
            Pools::Sqlite { read, .. } => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                let row = sqlx::query_with(AssertSqlSafe(sql), values)
                    .fetch_one(read)
                    .await?;
                (0..n)
                    .map(|i| {
                        row.try_get::<Option<i64>, _>(i)
                            .map(Option::unwrap_or_default)
                    })
                    .collect::<Result<_, _>>()?
            }
            Pools::Postgres(pool) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                let row = sqlx::query_with(AssertSqlSafe(sql), values)
                    .fetch_one(pool)
                    .await?;
                (0..n)
                    .map(|i| {
                        row.try_get::<Option<i64>, _>(i)
                            .map(Option::unwrap_or_default)
                    })
                    .collect::<Result<_, _>>()?
            }
        })
    }

    /// SQLite: gathers the planner's statistics for the indexes that have none while others of the base have them
    /// (those a migration just made). Until the next statistics refresh, lists sorted by a metric took 3–5 s at
    /// 1,000,000 contacts after migration 0017; the likely cause, not confirmed with a query plan, is that SQLite
    /// takes an index without statistics for the best beside indexes with them. A base never sampled is left to that refresh: with no statistics at
    /// all, no index is favoured.
    pub async fn sample_new_indexes(&self) -> Result<(), StoreError> {
        let Pools::Sqlite { write, .. } = self else {
            return Ok(());
        };
        let sampled: (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'",
        )
        .fetch_one(write)
        .await?;
        if sampled.0 == 0 {
            return Ok(());
        }
        let unsampled: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'index' \
             AND name NOT IN (SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL) ORDER BY name",
        )
        .fetch_all(write)
        .await?;
        for (index,) in unsampled {
            let started = std::time::Instant::now();
            sqlx::raw_sql(AssertSqlSafe(sample_index_sql(&index)))
                .execute(write)
                .await?;
            tracing::debug!(
                index,
                seconds = started.elapsed().as_secs_f64(),
                "sampled a new index"
            );
        }
        Ok(())
    }

    /// Runs one statement outside any transaction (writes go to the writer on SQLite).
    pub async fn execute<S: SqlxBinder>(&self, stmt: &S) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let n = tx.execute(stmt).await?;
        tx.commit().await?;
        Ok(n)
    }
}

/// WAL frames (4 KiB pages) beyond which the checkpointer makes writers wait for a full checkpoint and truncates
/// the log, so that a continuous write load cannot grow it without bound.
const WAL_LIMIT_FRAMES: i64 = 16_384;

/// How often the planner's statistics are brought up to date.
const STATISTICS_REFRESH: Duration = Duration::from_secs(60);

/// How long after opening the database its statistics are first brought up to date: a one-shot command
/// (`temas token create`) is done by then, and migrations never wait for it. On a large base whose pages are not yet
/// cached, the first refresh can hold the writer for a minute (10,000,000 orders: about 60 s), mostly reading.
const FIRST_STATISTICS_REFRESH: Duration = Duration::from_secs(5);

/// How long a write waits for the one writer connection before it fails.
const WRITER_QUEUE_LIMIT: Duration = Duration::from_secs(300);

/// Checkpoints the WAL into the database file every half second while the process runs: passively (writers carry
/// on) while the log is small, fully with truncation once it passes [`WAL_LIMIT_FRAMES`].
///
/// It also keeps the query planner's statistics current (`PRAGMA optimize`, bounded by `analysis_limit`): shortly
/// after opening and every minute; it re-samples only the tables whose size changed a lot since they were last
/// sampled (after a bulk load, say: planned on an empty base's statistics, searches and lists took 0.1 to 5 s at a
/// million contacts; a search took 100 ms instead of 3 ms). The bound is on rows sampled, not pages read: with
/// STAT4 (compiled into the bundled SQLite) each index is still counted exactly, which reads it whole. And the
/// rows per value are taken from the sample: an index that leads with `workspace_id` is said to hold about 1,000
/// rows per workspace, however many it has, so a statement must not depend on that figure for its plan (see
/// `customer_metrics::update_from_batches`).
/// Gathering statistics writes, so it goes through the one writer connection (`writer`) and queues behind other
/// writes: on a connection of its own it made a concurrent write transaction that had started by reading fail at
/// once with "database is locked".
async fn checkpoint_loop(pool: SqlitePool, writer: SqlitePool) {
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let opened = std::time::Instant::now();
    let mut last_optimize: Option<std::time::Instant> = None;
    loop {
        tick.tick().await;
        if opened.elapsed() >= FIRST_STATISTICS_REFRESH
            && last_optimize.is_none_or(|t| t.elapsed() > STATISTICS_REFRESH)
        {
            let flags = if last_optimize.is_none() {
                "0x10002"
            } else {
                "0xfffe"
            };
            let sql = format!("PRAGMA analysis_limit=1000; PRAGMA optimize={flags};");
            let started = std::time::Instant::now();
            match sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&writer)
                .await
            {
                Err(e) => tracing::warn!(error = %e, "updating planner statistics failed"),
                Ok(_) if started.elapsed() > Duration::from_secs(1) => tracing::info!(
                    seconds = started.elapsed().as_secs_f64(),
                    "planner statistics brought up to date"
                ),
                Ok(_) => {}
            }
            last_optimize = Some(std::time::Instant::now());
        }
        let passive: Result<(i64, i64, i64), _> = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&pool)
            .await;
        match passive {
            // The truncation runs on the writer's own connection. Writers wait for it wherever it runs, but a log
            // restarted by another connection makes SQLite drop the writer's whole page cache (it cannot tell the
            // new log from someone else's writes): during a bulk load that was every few seconds, 64 MB of pages
            // read again each time.
            Ok((_, log_frames, _)) if log_frames > WAL_LIMIT_FRAMES => {
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&writer)
                    .await
                {
                    tracing::warn!(error = %e, "WAL truncation failed");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
        }
    }
}

/// SQLite's `OR FAIL` conflict clause added to an INSERT or UPDATE; other statements are left as they are.
fn or_fail(sql: String) -> String {
    for verb in ["INSERT ", "UPDATE "] {
        if let Some(rest) = sql.strip_prefix(verb) {
            return format!("{verb}OR FAIL {rest}");
        }
    }
    sql
}

pub(crate) enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Statements longer than this are not kept prepared on the connection. They are the multi-row inserts of bulk
/// writes, whose text differs with every batch size: caching them kept up to 100 large prepared statements per
/// connection alive (resident memory after a 150,000-contact bulk load on PostgreSQL: 161 MB cached, 139 MB not).
const MAX_CACHED_SQL: usize = 4096;

impl Tx {
    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(_) => Backend::Postgres,
        }
    }

    pub async fn execute<S: SqlxBinder>(&mut self, stmt: &S) -> Result<u64, StoreError> {
        self.execute_sqlite_as(stmt, |sql| sql).await
    }

    /// Runs a multi-row INSERT or UPDATE whose failure fails the whole transaction (the caller returns the error
    /// and the transaction is rolled back). SQLite then need not undo a failed statement on its own: `OR FAIL`
    /// spares it the statement journal, a copy of every page the statement changes (15–20 % of a 500-row metrics
    /// update, timed apart with Python's `sqlite3`).
    pub async fn execute_all_or_nothing<S: SqlxBinder>(
        &mut self,
        stmt: &S,
    ) -> Result<u64, StoreError> {
        self.execute_sqlite_as(stmt, or_fail).await
    }

    async fn execute_sqlite_as<S: SqlxBinder>(
        &mut self,
        stmt: &S,
        sqlite_sql: impl FnOnce(String) -> String,
    ) -> Result<u64, StoreError> {
        Ok(match self {
            Tx::Sqlite(tx) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                let sql = sqlite_sql(sql);
                let cache = sql.len() <= MAX_CACHED_SQL;
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .persistent(cache)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
            Tx::Postgres(tx) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                let cache = sql.len() <= MAX_CACHED_SQL;
                sqlx::query_with(AssertSqlSafe(sql), values)
                    .persistent(cache)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected()
            }
        })
    }

    /// Runs SQL text without parameters (DDL, pragmas).
    pub async fn execute_raw(&mut self, sql: &str) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => {
                sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
                    .execute(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                sqlx::raw_sql(AssertSqlSafe(sql.to_owned()))
                    .execute(&mut **tx)
                    .await?;
                return Ok(());
            }
        };
        Ok(())
    }

    pub async fn fetch_all<T: Row, S: SqlxBinder>(
        &mut self,
        stmt: &S,
    ) -> Result<Vec<T>, StoreError> {
        Ok(match self {
            Tx::Sqlite(tx) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with::<Sqlite, T, _>(AssertSqlSafe(sql), values)
                    .fetch_all(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<Postgres, T, _>(AssertSqlSafe(sql), values)
                    .fetch_all(&mut **tx)
                    .await?
            }
        })
    }

    pub async fn fetch_optional<T: Row, S: SqlxBinder>(
        &mut self,
        stmt: &S,
    ) -> Result<Option<T>, StoreError> {
        Ok(match self {
            Tx::Sqlite(tx) => {
                let (sql, values) = stmt.build_sqlx(SqliteQueryBuilder);
                sqlx::query_as_with::<Sqlite, T, _>(AssertSqlSafe(sql), values)
                    .fetch_optional(&mut **tx)
                    .await?
            }
            Tx::Postgres(tx) => {
                let (sql, values) = stmt.build_sqlx(PostgresQueryBuilder);
                sqlx::query_as_with::<Postgres, T, _>(AssertSqlSafe(sql), values)
                    .fetch_optional(&mut **tx)
                    .await?
            }
        })
    }

    pub async fn commit(self) -> Result<(), StoreError> {
        match self {
            Tx::Sqlite(tx) => tx.commit().await?,
            Tx::Postgres(tx) => tx.commit().await?,
        }
        Ok(())
    }
}

/// Maps a unique-constraint failure to [`StoreError::Taken`] with the given name; other errors pass through.
pub(crate) fn taken_as(what: &'static str) -> impl Fn(StoreError) -> StoreError {
    move |e| match &e {
        StoreError::Database(sqlx::Error::Database(db)) if db.is_unique_violation() => {
            StoreError::Taken(what)
        }
        _ => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_query::{Alias, Expr, ExprTrait, Query};

    #[test]
    fn all_or_nothing_writes_fail_without_a_statement_journal() {
        let insert = Query::insert()
            .into_table(Alias::new("t"))
            .columns([Alias::new("a")])
            .values_panic([1.into()])
            .to_owned();
        let (sql, _) = insert.build_sqlx(SqliteQueryBuilder);
        assert!(or_fail(sql).starts_with("INSERT OR FAIL INTO \"t\""));
        let update = Query::update()
            .table(Alias::new("t"))
            .value(Alias::new("a"), 2)
            .and_where(Expr::col(Alias::new("a")).eq(1))
            .to_owned();
        let (sql, _) = update.build_sqlx(SqliteQueryBuilder);
        assert!(or_fail(sql).starts_with("UPDATE OR FAIL \"t\" SET"));
        assert_eq!(or_fail("DELETE FROM t".into()), "DELETE FROM t");
    }

    /// An index made after the base was sampled gets statistics of its own; one whose table was never sampled
    /// is left alone.
    #[tokio::test]
    async fn new_indexes_are_sampled_beside_sampled_ones() {
        let db = temas_testdb::TestDb::new(temas_testdb::Backend::Sqlite).await;
        let pools = Pools::connect(&StoreConfig::new(db.url.clone()))
            .await
            .expect("connect");
        let Pools::Sqlite { write, .. } = &pools else {
            panic!("a SQLite URL opens SQLite pools");
        };
        let run = |sql: &'static str| sqlx::raw_sql(AssertSqlSafe(sql)).execute(write);
        run(
            "CREATE TABLE t (a INTEGER, b INTEGER); CREATE INDEX t_a ON t (a);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
             INSERT INTO t SELECT i, i % 7 FROM n;",
        )
        .await
        .expect("a table");
        let stats = || async {
            let rows: Vec<(String,)> =
                sqlx::query_as("SELECT idx FROM sqlite_stat1 WHERE idx IS NOT NULL ORDER BY idx")
                    .fetch_all(write)
                    .await
                    .expect("statistics");
            rows.into_iter().map(|(i,)| i).collect::<Vec<_>>()
        };
        pools
            .sample_new_indexes()
            .await
            .expect("nothing sampled yet");
        let never: (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
                .fetch_one(write)
                .await
                .expect("count");
        assert_eq!(never.0, 0);
        run("ANALYZE").await.expect("analyze");
        run("CREATE INDEX t_b ON t (b)").await.expect("a new index");
        assert_eq!(stats().await, ["t_a"]);
        pools.sample_new_indexes().await.expect("sampled");
        assert_eq!(stats().await, ["t_a", "t_b"]);
    }
}
