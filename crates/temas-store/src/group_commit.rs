//! Group commit for SQLite inserts. SQLite has one writer, and the cost of a commit is mostly the index pages it
//! dirties, so concurrent insert requests share one transaction, and each is answered once the shared commit is
//! durable. When the shared transaction fails (one request's unique conflict, say), it is rolled back and every
//! request runs again in a transaction of its own, so each gets its own outcome. Savepoints would isolate requests
//! without the rerun, but they make SQLite's FTS5 flush its pending index at each one, which costs more.

use crate::db::Pools;
use crate::records;
use crate::types::{NewRecord, RecordKind, StoreError, Viewer};
use tokio::sync::{mpsc, oneshot};

/// How many records one shared transaction takes at most.
const MAX_RECORDS_PER_COMMIT: usize = 10_000;

pub(crate) struct InsertJob {
    pub kind: RecordKind,
    pub viewer: Viewer,
    pub records: Vec<NewRecord>,
    pub reply: oneshot::Sender<Result<(), StoreError>>,
}

/// Starts the writer task; returns where to send jobs.
pub(crate) fn start(pools: Pools) -> mpsc::Sender<InsertJob> {
    let (sender, receiver) = mpsc::channel(64);
    tokio::spawn(writer(pools, receiver));
    sender
}

async fn writer(pools: Pools, mut jobs: mpsc::Receiver<InsertJob>) {
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        let mut size = batch[0].records.len();
        while size < MAX_RECORDS_PER_COMMIT {
            match jobs.try_recv() {
                Ok(job) => {
                    size += job.records.len();
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        let outcomes = run_batch(&pools, &batch).await;
        for (job, outcome) in batch.into_iter().zip(outcomes) {
            // The caller may have gone away (request cancelled); its records are committed all the same.
            let _ = job.reply.send(outcome);
        }
    }
}

/// Runs the jobs in one transaction; when that fails, runs each alone.
async fn run_batch(pools: &Pools, batch: &[InsertJob]) -> Vec<Result<(), StoreError>> {
    let shared = run_together(pools, batch).await;
    match shared {
        Ok(()) => batch.iter().map(|_| Ok(())).collect(),
        Err(e) if batch.len() == 1 => vec![Err(e)],
        Err(_) => {
            let mut outcomes = Vec::with_capacity(batch.len());
            for job in batch {
                outcomes.push(run_together(pools, std::slice::from_ref(job)).await);
            }
            outcomes
        }
    }
}

async fn run_together(pools: &Pools, jobs: &[InsertJob]) -> Result<(), StoreError> {
    let mut tx = pools.begin().await?;
    let now = temas_core::time::to_micros(temas_core::time::now());
    for job in jobs {
        records::insert(&mut tx, job.kind, &job.viewer, &job.records, now).await?;
    }
    tx.commit().await
}
