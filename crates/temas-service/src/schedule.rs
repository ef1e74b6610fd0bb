//! The daily jobs: once a day, at the hour each workspace sets, its orders waiting to be converted into its
//! currency are converted, its 12-month spend window moves, its RFM scores are recomputed and its follow-up rules
//! run. The scheduler only queues the day's job; the job queue runs it, so several servers on one database queue
//! and run it once (the job's id is made from the day).

use crate::{App, AppError, Session};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use temas_core::access::Role;
use temas_store::{Job, Uuid, Workspace};

pub(crate) const JOB_DAILY: &str = "daily";

/// How often the scheduler looks for daily jobs that have come due.
const TICK: std::time::Duration = std::time::Duration::from_secs(60);

/// The id of a workspace's daily job for `day`: the same on every server.
fn daily_job_id(day: NaiveDate) -> Uuid {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(b"tm-daily");
    let days = i64::from(day.num_days_from_ce());
    bytes[8..].copy_from_slice(&days.to_be_bytes());
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

impl App {
    /// Queues the daily job of every workspace whose hour has come and whose job for that day is not queued yet;
    /// returns how many it queued.
    pub async fn queue_daily_jobs(&self, now: DateTime<Utc>) -> Result<usize, AppError> {
        let mut queued = 0;
        for ws in self.store.workspaces().await? {
            let Some(hour) = ws.settings.schedule.daily_hour else {
                continue;
            };
            let day = temas_core::calendar::daily_run_day(
                now,
                &ws.settings.user_defaults.time_zone,
                hour,
            );
            if self
                .store
                .enqueue_job_once(ws.id, daily_job_id(day), JOB_DAILY, ws.id.0)
                .await?
            {
                tracing::info!(workspace = %ws.id.0, %day, "daily jobs queued");
                queued += 1;
            }
        }
        Ok(queued)
    }

    /// A session of the workspace's owner, who sees every record.
    pub(crate) async fn owner_session(&self, workspace: &Workspace) -> Result<Session, AppError> {
        let owner = self
            .store
            .users(workspace.id)
            .await?
            .into_iter()
            .find(|u| u.role == Role::Owner)
            .ok_or_else(|| AppError::Internal("the workspace has no owner".into()))?;
        self.session_of(owner).await
    }

    /// Converts the orders of every workspace that wait for it (after an upgrade, or a load from a dump); returns
    /// how many.
    pub async fn convert_all_pending_orders(&self) -> Result<u64, AppError> {
        let mut converted = 0;
        for workspace in self.store.workspaces().await? {
            let session = self.owner_session(&workspace).await?;
            converted += self.convert_pending_orders(&session).await?;
        }
        Ok(converted)
    }

    /// Converts the orders waiting for it, then looks for due daily jobs every minute until `shutdown` resolves.
    pub async fn run_scheduler(&self, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        tokio::select! {
            () = &mut shutdown => return,
            converted = self.convert_all_pending_orders() => match converted {
                Ok(0) => {}
                Ok(n) => tracing::info!(orders = n, "orders converted into their workspace's currency"),
                Err(e) => tracing::warn!(error = %e, "converting the waiting orders failed"),
            },
        }
        loop {
            if let Err(e) = self.queue_daily_jobs(temas_core::time::now()).await {
                tracing::warn!(error = %e, "queueing the daily jobs failed");
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(TICK) => {}
            }
        }
    }

    /// A workspace's daily job, run as the workspace's owner (who sees every record): orders waiting to be converted
    /// into the workspace's currency converted, the 12-month spend window moved to today, RFM scores, then the
    /// follow-up tasks.
    pub(crate) async fn run_daily_job(&self, job: &Job) -> Result<(), AppError> {
        let workspace: Workspace = self
            .store
            .workspace(job.workspace_id)
            .await?
            .ok_or_else(|| AppError::Internal("the workspace is gone".into()))?;
        let session = self.owner_session(&workspace).await?;
        let converted = self.convert_pending_orders(&session).await?;
        let now = temas_core::time::to_micros(temas_core::time::now());
        self.store.advance_spend_window(workspace.id, now).await?;
        self.rescore_rfm(&session).await?;
        let made = self.run_follow_ups(&session).await?;
        tracing::info!(
            workspace = %workspace.id.0,
            no_contact = made.no_contact,
            deal_stuck = made.deal_stuck,
            birthday = made.birthday,
            converted,
            "daily jobs done"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_has_one_job_id() {
        let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default();
        assert_eq!(daily_job_id(day(22)), daily_job_id(day(22)));
        assert_ne!(daily_job_id(day(22)), daily_job_id(day(23)));
    }
}
