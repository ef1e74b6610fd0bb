//! Temas domain layer: types, validation, normalisation, search keys, access rules and change diffs.
//!
//! This crate does no I/O: no database, no HTTP, no async runtime. It may depend only on pure libraries
//! (serde, chrono, uuid, unicode and phone-number tables). Storage, services and the web layer build on it.

pub mod access;
pub mod attachment;
pub mod calendar;
pub mod contact;
pub mod custom;
pub mod deal;
pub mod dedupe;
pub mod diff;
pub mod email;
pub mod errors;
pub mod export;
pub mod filter;
pub mod forecast;
pub mod ids;
pub mod import;
pub mod interaction;
pub mod lead;
pub mod line_problem;
pub mod merge;
pub mod metrics;
pub mod money;
pub mod normalize;
pub mod offer;
pub mod order;
pub mod patch;
pub mod phone;
pub mod pipeline;
pub mod points;
pub mod product;
pub mod quality;
pub mod rfm;
pub mod search;
pub mod task;
pub mod time;
pub mod view;

pub use errors::{FieldError, FieldErrors};
