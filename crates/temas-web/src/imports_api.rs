//! `/api/v1/imports`: upload a file, see its preview and guessed mapping, check or commit it as a job, follow
//! its progress, download its error report, roll it back.

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState};
use axum::Json;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use serde::Deserialize;
use std::io::Write;
use temas_service::AppError;
use temas_service::import_jobs::StartImport;
use temas_store::Uuid;

/// The largest file an import takes (a million contacts with ten columns is about 150 MB as CSV).
pub const MAX_UPLOAD_BYTES: usize = 1 << 30;

#[derive(Deserialize)]
pub(crate) struct UploadQuery {
    file_name: String,
    sheet: Option<String>,
}

fn io_error(e: std::io::Error) -> ApiError {
    ApiError(AppError::Internal(e.to_string()))
}

fn too_large() -> ApiError {
    ApiError::bad_request(
        "file",
        "too_large",
        format!(
            "the file is larger than {} MB",
            MAX_UPLOAD_BYTES / (1 << 20)
        ),
    )
}

/// An upload being written to a temporary file, chunk by chunk, within the size limit.
struct Spool {
    file: tempfile::NamedTempFile,
    size: usize,
}

impl Spool {
    fn new() -> Result<Self, ApiError> {
        Ok(Spool {
            file: tempfile::NamedTempFile::new().map_err(io_error)?,
            size: 0,
        })
    }

    fn push(&mut self, chunk: &[u8]) -> Result<(), ApiError> {
        self.size += chunk.len();
        if self.size > MAX_UPLOAD_BYTES {
            return Err(too_large());
        }
        self.file.write_all(chunk).map_err(io_error)
    }

    fn finish(mut self) -> Result<tempfile::NamedTempFile, ApiError> {
        self.file.flush().map_err(io_error)?;
        Ok(self.file)
    }
}

/// Streams a request body into a temporary file, without holding it in memory.
async fn receive(body: Body) -> Result<tempfile::NamedTempFile, ApiError> {
    let mut spool = Spool::new()?;
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        spool.push(
            &chunk.map_err(|e| ApiError::bad_request("file", "unreadable_body", e.to_string()))?,
        )?;
    }
    spool.finish()
}

/// Streams one multipart field (the web app's upload form) into a temporary file.
pub(crate) async fn receive_field(
    mut field: axum::extract::multipart::Field<'_>,
) -> Result<tempfile::NamedTempFile, ApiError> {
    let mut spool = Spool::new()?;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|e| ApiError::bad_request("file", "unreadable_body", e.body_text()))?
    {
        spool.push(&chunk)?;
    }
    spool.finish()
}

pub(crate) async fn upload(
    State(app): State<AppState>,
    Auth(session): Auth,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> Result<Response, ApiError> {
    let file = receive(body).await?;
    let view = app
        .upload_import(&session, &q.file_name, q.sheet.as_deref(), file.path())
        .await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

pub(crate) async fn list(
    State(app): State<AppState>,
    Auth(session): Auth,
) -> Result<Response, ApiError> {
    let items = app.imports(&session).await?;
    Ok(Json(serde_json::json!({ "items": items })).into_response())
}

pub(crate) async fn get(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    Ok(Json(app.import(&session, id).await?).into_response())
}

pub(crate) async fn run(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
    body: JsonBody<StartImport>,
) -> Result<Response, ApiError> {
    let view = app.start_import(&session, id, body.value).await?;
    Ok((StatusCode::ACCEPTED, Json(view)).into_response())
}

pub(crate) async fn rollback(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let view = app.request_rollback(&session, id).await?;
    Ok((StatusCode::ACCEPTED, Json(view)).into_response())
}

/// The error report as CSV: the failed rows as they were in the file, with the reason in a last column.
pub(crate) async fn errors(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
    let view = app.import(&session, id).await?;
    // The report holds only the failed rows; it is built in memory.
    let mut report: Vec<u8> = Vec::new();
    app.write_import_errors(&session, id, &mut report).await?;
    let stem = std::path::Path::new(&view.file_name)
        .file_stem()
        .map_or_else(|| "import".into(), |s| s.to_string_lossy().into_owned());
    let name: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.errors.csv\""),
            ),
        ],
        report,
    )
        .into_response())
}
