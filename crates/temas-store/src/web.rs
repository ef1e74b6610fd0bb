//! Browser sessions and failed sign-ins: the statements behind the web app's sign-in.

use crate::db::Pools;
use crate::types::*;
use chrono::{DateTime, Utc};
use sea_query::{Alias, Expr, ExprTrait, Query};
use temas_core::time::{from_micros, to_micros};

fn a(name: &str) -> Alias {
    Alias::new(name)
}

const COLUMNS: [&str; 6] = [
    "token_hash",
    "workspace_id",
    "user_id",
    "csrf_token",
    "created_at",
    "last_seen_at",
];

#[derive(sqlx::FromRow)]
struct WebSessionRow {
    token_hash: String,
    workspace_id: Uuid,
    user_id: Uuid,
    csrf_token: String,
    created_at: i64,
    last_seen_at: i64,
}

#[derive(sqlx::FromRow)]
struct CountRow {
    n: i64,
}

pub(crate) async fn create(pools: &Pools, s: &WebSession) -> Result<(), StoreError> {
    let mut ins = Query::insert();
    ins.into_table(a("web_sessions"))
        .columns(COLUMNS.map(a))
        .values([
            s.token_hash.clone().into(),
            s.workspace_id.0.into(),
            s.user_id.0.into(),
            s.csrf_token.clone().into(),
            to_micros(s.created_at).into(),
            to_micros(s.last_seen_at).into(),
        ])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    pools.execute(&ins).await.map(|_| ())
}

pub(crate) async fn get(pools: &Pools, token_hash: &str) -> Result<Option<WebSession>, StoreError> {
    let q = Query::select()
        .columns(COLUMNS.map(a))
        .from(a("web_sessions"))
        .and_where(Expr::col(a("token_hash")).eq(token_hash))
        .to_owned();
    Ok(pools
        .fetch_optional::<WebSessionRow, _>(&q)
        .await?
        .map(|r| WebSession {
            token_hash: r.token_hash,
            workspace_id: WorkspaceId(r.workspace_id),
            user_id: UserId(r.user_id),
            csrf_token: r.csrf_token,
            created_at: from_micros(r.created_at),
            last_seen_at: from_micros(r.last_seen_at),
        }))
}

pub(crate) async fn touch(
    pools: &Pools,
    token_hash: &str,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    let upd = Query::update()
        .table(a("web_sessions"))
        .value(a("last_seen_at"), to_micros(at))
        .and_where(Expr::col(a("token_hash")).eq(token_hash))
        .to_owned();
    pools.execute(&upd).await.map(|_| ())
}

pub(crate) async fn delete(pools: &Pools, token_hash: &str) -> Result<(), StoreError> {
    let del = Query::delete()
        .from_table(a("web_sessions"))
        .and_where(Expr::col(a("token_hash")).eq(token_hash))
        .to_owned();
    pools.execute(&del).await.map(|_| ())
}

/// Records a failed sign-in for `key`, forgets that key's failures older than `since`, and counts the rest.
pub(crate) async fn add_login_failure(
    pools: &Pools,
    key: &str,
    at: DateTime<Utc>,
    since: DateTime<Utc>,
) -> Result<u32, StoreError> {
    let mut tx = pools.begin().await?;
    let purge = Query::delete()
        .from_table(a("login_failures"))
        .and_where(Expr::col(a("login_key")).eq(key))
        .and_where(Expr::col(a("failed_at")).lt(to_micros(since)))
        .to_owned();
    tx.execute(&purge).await?;
    let mut ins = Query::insert();
    ins.into_table(a("login_failures"))
        .columns(["login_key", "failed_at"].map(a))
        .values([key.into(), to_micros(at).into()])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.execute(&ins).await?;
    let count = tx
        .fetch_optional::<CountRow, _>(&count_since(key, since))
        .await?
        .map_or(0, |r| r.n);
    tx.commit().await?;
    Ok(u32::try_from(count).unwrap_or(u32::MAX))
}

fn count_since(key: &str, since: DateTime<Utc>) -> sea_query::SelectStatement {
    Query::select()
        .expr_as(Expr::col(a("failed_at")).count(), a("n"))
        .from(a("login_failures"))
        .and_where(Expr::col(a("login_key")).eq(key))
        .and_where(Expr::col(a("failed_at")).gte(to_micros(since)))
        .to_owned()
}

pub(crate) async fn login_failures(
    pools: &Pools,
    key: &str,
    since: DateTime<Utc>,
) -> Result<u32, StoreError> {
    let n = pools
        .fetch_optional::<CountRow, _>(&count_since(key, since))
        .await?
        .map_or(0, |r| r.n);
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

pub(crate) async fn clear_login_failures(pools: &Pools, key: &str) -> Result<(), StoreError> {
    let del = Query::delete()
        .from_table(a("login_failures"))
        .and_where(Expr::col(a("login_key")).eq(key))
        .to_owned();
    pools.execute(&del).await.map(|_| ())
}
