//! Temas HTTP layer: the JSON API under `/api/v1` and the server-rendered web app. Handlers extract, parse, call
//! one service method and map the result; no SQL and no business rules live here. Depends on `temas-service`
//! (and the core types it returns).

pub mod app;
mod attachments_api;
mod dedupe_api;
mod downloads;
mod error;
mod extract;
mod imports_api;
mod merges_api;
mod openapi;
mod records;
mod routes;
mod sales_api;

pub use error::ApiError;
pub use routes::router;

/// Serves the API and the web app on `listener` until `shutdown` completes, then finishes the requests in
/// flight. Handlers see the client's address (the sign-in limit counts failures per email and address).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Shared state of every handler.
pub type AppState = temas_service::App;
