//! Temas HTTP layer. Handlers extract, parse, call one service method and map the result; no SQL and no business
//! rules live here. Depends on `temas-service` (and the core types it returns).

mod error;
mod extract;
mod openapi;
mod records;
mod routes;

pub use error::ApiError;
pub use routes::router;

/// Shared state of every handler.
pub type AppState = temas_service::App;
