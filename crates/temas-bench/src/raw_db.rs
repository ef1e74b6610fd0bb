//! What the raw-engine baselines share: a connection to a copy of a Temas SQLite database set up as the server's
//! writer is, its WAL checkpointed as the server does, and the user the rows are written as.

use sqlx::{Connection, Row, SqliteConnection};
use tokio::task::JoinHandle;

/// A connection with the server writer's settings (WAL, `synchronous=FULL`, a 64 MB page cache). With
/// `background_checkpoints`, the WAL is checkpointed from a connection of its own, as the server does; otherwise
/// by SQLite's default, in the committing connection every 1,000 pages.
pub async fn open(
    url: &str,
    background_checkpoints: bool,
) -> anyhow::Result<(SqliteConnection, Option<JoinHandle<anyhow::Result<()>>>)> {
    let mut conn = SqliteConnection::connect(url).await?;
    sqlx::raw_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536")
        .execute(&mut conn)
        .await?;
    if !background_checkpoints {
        return Ok((conn, None));
    }
    sqlx::raw_sql("PRAGMA wal_autocheckpoint=0")
        .execute(&mut conn)
        .await?;
    Ok((conn, Some(tokio::spawn(checkpoint(url.to_owned())))))
}

/// Checkpoints the WAL from a connection of its own, as the server does: passively every half second, and with
/// truncation once the log passes 16,384 pages.
async fn checkpoint(url: String) -> anyhow::Result<()> {
    let mut conn = SqliteConnection::connect(&url).await?;
    loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let (_, frames, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&mut conn)
            .await?;
        if frames > 16_384 {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&mut conn)
                .await?;
        }
    }
}

/// The workspace's first user (its owner), who the rows are written as, and their team.
pub async fn first_user(
    conn: &mut SqliteConnection,
    ws: uuid::Uuid,
) -> anyhow::Result<(uuid::Uuid, Option<uuid::Uuid>)> {
    let row = sqlx::query(
        "SELECT id, team_id FROM users WHERE workspace_id = ? ORDER BY created_at LIMIT 1",
    )
    .bind(ws)
    .fetch_one(conn)
    .await?;
    Ok((row.try_get(0)?, row.try_get(1)?))
}
