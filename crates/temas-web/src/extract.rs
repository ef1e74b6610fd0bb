//! Request extractors: the bearer-token session, JSON bodies with precise errors, and version preconditions.

use crate::{ApiError, AppState};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, header, request::Parts};
use serde::de::DeserializeOwned;
use temas_service::{AppError, Session};

/// The signed-in user of a request, from `Authorization: Bearer <token>`.
pub struct Auth(pub Session);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ApiError(AppError::Unauthenticated))?;
        Ok(Auth(app.authenticate(token.trim()).await?))
    }
}

/// A JSON body; a malformed one is a 422 naming the position and the reason. Also keeps the raw bytes for
/// idempotency hashing.
pub struct JsonBody<T> {
    pub value: T,
    pub raw: axum::body::Bytes,
}

impl<T: DeserializeOwned> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let raw = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::bad_request("", "unreadable_body", e.body_text()))?;
        let value = serde_json::from_slice(&raw).map_err(|e| {
            ApiError::bad_request(
                "",
                "invalid_json",
                format!("the body is not valid for this endpoint: {e}"),
            )
        })?;
        Ok(JsonBody { value, raw })
    }
}

/// The version in an `If-Match` header (`"3"`, `W/"3"` or `3`); `None` when absent or `*`.
pub fn if_match(headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse::<i64>().map(Some).map_err(|_| {
        ApiError::bad_request(
            "If-Match",
            "invalid_header",
            "must be an ETag returned by this API, e.g. \"3\"",
        )
    })
}

pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}
