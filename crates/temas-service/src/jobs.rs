//! The background worker: claims jobs from the queue in the database under a lease, renews the lease while a job
//! runs, and records how each ended. Handlers resume from their own checkpoints when a job is claimed again after
//! its worker died.

use crate::dedupe_scans::JOB_DEDUPE;
use crate::import_jobs::{JOB_IMPORT, JOB_ROLLBACK};
use crate::schedule::JOB_DAILY;
use crate::{App, AppError};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use temas_store::Job;

/// Set when the worker running a job has lost it to another (its lease ran out meanwhile): the handler stops at
/// its next checkpoint and leaves the job's state to the new holder.
#[derive(Debug, Clone, Default)]
pub struct TakenOver(Arc<AtomicBool>);

impl TakenOver {
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

impl App {
    /// Runs one claimed job with the handler for its kind.
    pub async fn run_job(&self, job: &Job, taken_over: &TakenOver) -> Result<(), AppError> {
        match job.kind.as_str() {
            JOB_IMPORT | JOB_ROLLBACK => self.run_import_job(job, taken_over).await,
            JOB_DEDUPE => self.run_dedupe_job(job).await,
            JOB_DAILY => self.run_daily_job(job).await,
            other => Err(AppError::Internal(format!("unknown job kind {other}"))),
        }
    }
}

impl App {
    /// Works the job queue until `shutdown` resolves: claims a job, renews its lease while it runs, records how
    /// it ended; sleeps a second when there is nothing to do. A job cut short by a crash is claimed again once its
    /// lease runs out.
    pub async fn work_jobs(&self, lease: std::time::Duration, shutdown: impl Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                () = &mut shutdown => return,
                worked = self.work_one(lease) => {
                    if !worked {
                        tokio::select! {
                            () = &mut shutdown => return,
                            () = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                        }
                    }
                }
            }
        }
    }

    /// Renews a running job's lease every `every` until another worker has taken the job over; then waits forever.
    async fn keep_lease(
        &self,
        job: &Job,
        lease: chrono::Duration,
        every: std::time::Duration,
        taken_over: &TakenOver,
    ) -> std::convert::Infallible {
        loop {
            tokio::time::sleep(every).await;
            if taken_over.is_set() {
                continue;
            }
            let until = temas_core::time::now() + lease;
            match self
                .store
                .renew_job(job.workspace_id, job.id, job.attempts, until)
                .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(job = %job.id, "another worker took the job over; stopping");
                    taken_over.set();
                }
                Err(e) => {
                    tracing::warn!(error = %e, job = %job.id, "renewing a job's lease failed")
                }
            }
        }
    }

    /// Claims and runs one job; false when there was none.
    async fn work_one(&self, lease: std::time::Duration) -> bool {
        let lease = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(30));
        let now = temas_core::time::now();
        let job = match self.store.claim_job(now, now + lease).await {
            Ok(Some(job)) => job,
            Ok(None) => return false,
            Err(e) => {
                tracing::warn!(error = %e, "claiming a job failed");
                return false;
            }
        };
        tracing::info!(job = %job.id, kind = %job.kind, attempt = job.attempts, "job started");
        let every = (lease / 3)
            .to_std()
            .unwrap_or(std::time::Duration::from_secs(10));
        let taken_over = TakenOver::default();
        let run = self.run_job(&job, &taken_over);
        tokio::pin!(run);
        // The lease is renewed beside the job, not in turn with it: a renewal waiting for the database must not stop
        // the job from finishing the transaction that holds it. Once another worker has the job, the handler is told
        // to stop and is awaited, and its end is not recorded here.
        let outcome = tokio::select! {
            outcome = &mut run => outcome,
            never = self.keep_lease(&job, lease, every, &taken_over) => match never {},
        };
        let error = outcome.as_ref().err().map(ToString::to_string);
        match &error {
            None => tracing::info!(job = %job.id, "job done"),
            Some(e) => tracing::warn!(job = %job.id, error = %e, "job failed"),
        }
        match self
            .store
            .finish_job(job.workspace_id, job.id, job.attempts, error.as_deref())
            .await
        {
            Ok(true) => {}
            Ok(false) => tracing::warn!(job = %job.id, "the job is another worker's now"),
            Err(e) => tracing::warn!(error = %e, job = %job.id, "recording a job's end failed"),
        }
        true
    }
}
