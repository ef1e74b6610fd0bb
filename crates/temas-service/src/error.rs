//! The service's error type: outcomes a client can act on, and internal failures that it cannot.

use temas_core::FieldErrors;
use temas_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Input failed validation; every bad field is named.
    #[error("invalid input: {0}")]
    Invalid(FieldErrors),
    #[error("authentication required")]
    Unauthenticated,
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// Unknown, or not visible to this user: the two are indistinguishable on purpose.
    #[error("not found")]
    NotFound,
    /// The record changed since the client read it.
    /// `current` is the version now stored, when known (a lost race inside the store does not know it).
    #[error("the record has changed since it was read")]
    VersionMismatch { current: Option<i64> },
    /// A unique value is already taken.
    #[error("{0} is already taken")]
    Taken(&'static str),
    /// An idempotency key was reused for a different request.
    #[error("idempotency key reused with a different request")]
    IdempotencyKeyReused,
    #[error("not supported: {0}")]
    Unsupported(&'static str),
    /// Too many failed attempts; the client may try again after this many seconds.
    #[error("too many attempts; try again in {retry_after} s")]
    TooManyAttempts { retry_after: u64 },
    /// The record probably duplicates these visible ones; the client may confirm and create it anyway.
    #[error("probably a duplicate of {} existing record(s)", .0.len())]
    ProbableDuplicates(Vec<crate::duplicate_check::DuplicateCandidate>),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => AppError::NotFound,
            StoreError::VersionConflict => AppError::VersionMismatch { current: None },
            StoreError::Taken(what) => AppError::Taken(what),
            StoreError::Unsupported(what) => AppError::Unsupported(what),
            StoreError::Database(e) => AppError::Internal(e.to_string()),
            StoreError::Corrupt(e) | StoreError::MigrationBackup(e) => AppError::Internal(e),
        }
    }
}

impl From<FieldErrors> for AppError {
    fn from(e: FieldErrors) -> Self {
        AppError::Invalid(e)
    }
}
