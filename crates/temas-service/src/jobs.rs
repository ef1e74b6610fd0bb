//! The background worker: claims jobs from the queue in the database under a lease, renews the lease while a job
//! runs, and records how each ended. Handlers resume from their own checkpoints when a job is claimed again after
//! its worker died.

use crate::import_jobs::{JOB_IMPORT, JOB_ROLLBACK};
use crate::{App, AppError};
use temas_store::Job;

impl App {
    /// Runs one claimed job with the handler for its kind.
    pub async fn run_job(&self, job: &Job) -> Result<(), AppError> {
        match job.kind.as_str() {
            JOB_IMPORT | JOB_ROLLBACK => self.run_import_job(job).await,
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
        let renew = async {
            let every = (lease / 3)
                .to_std()
                .unwrap_or(std::time::Duration::from_secs(10));
            loop {
                tokio::time::sleep(every).await;
                let until = temas_core::time::now() + lease;
                match self.store.renew_job(job.workspace_id, job.id, until).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    Err(e) => {
                        tracing::warn!(error = %e, job = %job.id, "renewing a job's lease failed")
                    }
                }
            }
        };
        let outcome = tokio::select! {
            outcome = self.run_job(&job) => outcome,
            () = renew => Err(AppError::Internal("the job was taken over".into())),
        };
        let error = outcome.as_ref().err().map(ToString::to_string);
        match &error {
            None => tracing::info!(job = %job.id, "job done"),
            Some(e) => tracing::warn!(job = %job.id, error = %e, "job failed"),
        }
        if let Err(e) = self
            .store
            .finish_job(job.workspace_id, job.id, error.as_deref())
            .await
        {
            tracing::warn!(error = %e, job = %job.id, "recording a job's end failed");
        }
        true
    }
}
