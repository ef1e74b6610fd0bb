//! The durable job queue. A worker claims the oldest ready job under a lease and renews the lease while it works;
//! a job whose worker died (its lease ran out) is claimed again, so handlers resume from their own checkpoints.
//!
//! Claiming is a conditional update (`… WHERE id = ? AND <still claimable>`): of two workers that pick the same
//! job, one updates a row and the other none, on both engines and without engine-specific locking.

use crate::db::Pools;
use crate::types::*;
use sea_query::{Alias, Condition, Expr, ExprTrait, Order, Query};
use temas_core::time::{from_micros, to_micros};

fn a(name: &str) -> Alias {
    Alias::new(name)
}

const COLUMNS: [&str; 10] = [
    "workspace_id",
    "id",
    "kind",
    "subject_id",
    "status",
    "attempts",
    "error",
    "lease_until",
    "created_at",
    "updated_at",
];

#[derive(sqlx::FromRow)]
struct JobRow {
    workspace_id: Uuid,
    id: Uuid,
    kind: String,
    subject_id: Uuid,
    status: String,
    attempts: i64,
    error: Option<String>,
    lease_until: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl From<JobRow> for Job {
    fn from(r: JobRow) -> Self {
        Job {
            workspace_id: WorkspaceId(r.workspace_id),
            id: r.id,
            kind: r.kind,
            subject_id: r.subject_id,
            status: r.status,
            attempts: r.attempts,
            error: r.error,
            lease_until: r.lease_until.map(from_micros),
            created_at: from_micros(r.created_at),
            updated_at: from_micros(r.updated_at),
        }
    }
}

pub(crate) async fn enqueue(
    pools: &Pools,
    ws: WorkspaceId,
    kind: &str,
    subject: Uuid,
) -> Result<Uuid, StoreError> {
    let id = Uuid::now_v7();
    enqueue_as(pools, ws, id, kind, subject).await?;
    Ok(id)
}

/// Queues a job under an id of the caller's making; false when a job with that id was queued before.
pub(crate) async fn enqueue_as(
    pools: &Pools,
    ws: WorkspaceId,
    id: Uuid,
    kind: &str,
    subject: Uuid,
) -> Result<bool, StoreError> {
    let now = to_micros(temas_core::time::now());
    let mut ins = Query::insert();
    ins.into_table(a("jobs"))
        .columns(COLUMNS.map(a))
        .values([
            ws.0.into(),
            id.into(),
            kind.into(),
            subject.into(),
            "queued".into(),
            0i64.into(),
            None::<String>.into(),
            None::<i64>.into(),
            now.into(),
            now.into(),
        ])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    ins.on_conflict(sea_query::OnConflict::new().do_nothing().to_owned());
    Ok(pools.execute(&ins).await? == 1)
}

/// Jobs a worker may take at `now`: queued ones, and running ones whose lease has run out.
fn claimable(now: i64) -> Condition {
    Condition::any()
        .add(Expr::col(a("status")).eq("queued"))
        .add(
            Condition::all()
                .add(Expr::col(a("status")).eq("running"))
                .add(Expr::col(a("lease_until")).lt(now)),
        )
}

pub(crate) async fn claim(
    pools: &Pools,
    now: chrono::DateTime<chrono::Utc>,
    lease_until: chrono::DateTime<chrono::Utc>,
) -> Result<Option<Job>, StoreError> {
    let now = to_micros(now);
    // A few tries: another worker may take the job we picked between the read and the update.
    for _ in 0..3 {
        let pick = Query::select()
            .columns(COLUMNS.map(a))
            .from(a("jobs"))
            .cond_where(claimable(now))
            .order_by(a("created_at"), Order::Asc)
            .limit(1)
            .to_owned();
        let Some(job) = pools.fetch_optional::<JobRow, _>(&pick).await? else {
            return Ok(None);
        };
        let take = Query::update()
            .table(a("jobs"))
            .values([
                (a("status"), "running".into()),
                (a("attempts"), (job.attempts + 1).into()),
                (a("lease_until"), to_micros(lease_until).into()),
                (a("updated_at"), now.into()),
            ])
            .and_where(Expr::col(a("workspace_id")).eq(job.workspace_id))
            .and_where(Expr::col(a("id")).eq(job.id))
            .and_where(Expr::col(a("attempts")).eq(job.attempts))
            .cond_where(claimable(now))
            .to_owned();
        if pools.execute(&take).await? == 1 {
            let mut claimed: Job = job.into();
            claimed.status = "running".into();
            claimed.attempts += 1;
            return Ok(Some(claimed));
        }
    }
    Ok(None)
}

/// Extends the lease of a running job held by the worker that claimed it as `attempt`; false when the job is no
/// longer running or another worker has taken it over since.
pub(crate) async fn renew(
    pools: &Pools,
    ws: WorkspaceId,
    id: Uuid,
    attempt: i64,
    lease_until: chrono::DateTime<chrono::Utc>,
) -> Result<bool, StoreError> {
    let q = Query::update()
        .table(a("jobs"))
        .values([(a("lease_until"), to_micros(lease_until).into())])
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("id")).eq(id))
        .and_where(Expr::col(a("status")).eq("running"))
        .and_where(Expr::col(a("attempts")).eq(attempt))
        .to_owned();
    Ok(pools.execute(&q).await? == 1)
}

/// Marks a job done, or failed with the reason, if the worker that claimed it as `attempt` still holds it; false
/// when another has taken it over.
pub(crate) async fn finish(
    pools: &Pools,
    ws: WorkspaceId,
    id: Uuid,
    attempt: i64,
    error: Option<&str>,
) -> Result<bool, StoreError> {
    let status = if error.is_some() { "failed" } else { "done" };
    let q = Query::update()
        .table(a("jobs"))
        .values([
            (a("status"), status.into()),
            (a("error"), error.map(str::to_owned).into()),
            (a("lease_until"), None::<i64>.into()),
            (a("updated_at"), to_micros(temas_core::time::now()).into()),
        ])
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("id")).eq(id))
        .and_where(Expr::col(a("attempts")).eq(attempt))
        .to_owned();
    Ok(pools.execute(&q).await? == 1)
}

pub(crate) async fn get(
    pools: &Pools,
    ws: WorkspaceId,
    id: Uuid,
) -> Result<Option<Job>, StoreError> {
    let q = Query::select()
        .columns(COLUMNS.map(a))
        .from(a("jobs"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("id")).eq(id))
        .to_owned();
    Ok(pools.fetch_optional::<JobRow, _>(&q).await?.map(Into::into))
}
