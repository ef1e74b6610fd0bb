//! `/api/v1/orders/{id}/attachments`: keep a file with an order (the raw file as the body), download it, remove it.

use crate::extract::Auth;
use crate::{ApiError, AppState};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use temas_core::attachment::Attachment;
use temas_service::attachments::NewFile;
use temas_store::Uuid;

/// The request limit on the upload route: the largest attachment, and room for the rest of the request.
pub const MAX_BODY_BYTES: usize = temas_core::attachment::MAX_ATTACHMENT_BYTES + 64 * 1024;

/// What RFC 8187 lets a `filename*` value carry unescaped besides letters and digits.
const ATTR_CHAR: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'!')
    .remove(b'#')
    .remove(b'$')
    .remove(b'&')
    .remove(b'+')
    .remove(b'-')
    .remove(b'.')
    .remove(b'^')
    .remove(b'_')
    .remove(b'`')
    .remove(b'|')
    .remove(b'~');

#[derive(Deserialize)]
pub(crate) struct AttachQuery {
    name: String,
}

pub(crate) async fn attach(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(order): Path<Uuid>,
    Query(query): Query<AttachQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(StatusCode, axum::Json<Attachment>), ApiError> {
    let file = NewFile {
        name: query.name,
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        bytes: body.to_vec(),
    };
    let added = app.attach_to_order(&session, order, file).await?;
    Ok((StatusCode::CREATED, axum::Json(added)))
}

pub(crate) async fn download(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path((order, id)): Path<(Uuid, Uuid)>,
) -> Result<Response, ApiError> {
    let (attachment, bytes) = app.order_attachment(&session, order, id).await?;
    Ok(file_response(&attachment, bytes))
}

pub(crate) async fn detach(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path((order, id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    app.detach_from_order(&session, order, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A stored file as a download: never shown inline (a file a customer sent is not trusted to run in our origin),
/// its name kept in any script.
pub(crate) fn file_response(attachment: &Attachment, bytes: Vec<u8>) -> Response {
    let ascii: String = attachment
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded = utf8_percent_encode(&attachment.file_name, ATTR_CHAR);
    (
        [
            (header::CONTENT_TYPE, attachment.content_type.clone()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
