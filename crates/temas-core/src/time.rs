//! Instants are stored as microseconds since the Unix epoch on both backends, so that ordering and
//! keyset cursors behave the same everywhere.

use chrono::{DateTime, Utc};

pub fn to_micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn from_micros(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::UNIX_EPOCH)
}

/// The current instant, truncated to microseconds so that it survives a round trip through the store.
pub fn now() -> DateTime<Utc> {
    from_micros(to_micros(Utc::now()))
}
