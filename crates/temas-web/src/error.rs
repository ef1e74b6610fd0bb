//! Errors as RFC 9457 problem details with a stable snake_case `code` and per-field messages.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use temas_core::FieldError;
use temas_service::AppError;
use temas_service::duplicate_check::DuplicateCandidate;

/// The body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code, e.g. `validation_failed`, `not_found`, `version_mismatch`.
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// One entry per invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For 500s: quote it when reporting the problem; the server log has the cause under the same id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// For `probable_duplicate`: the existing records the new one probably duplicates, most probable first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<DuplicateCandidate>,
}

#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<temas_core::FieldErrors> for ApiError {
    fn from(e: temas_core::FieldErrors) -> Self {
        ApiError(AppError::Invalid(e))
    }
}

impl ApiError {
    pub fn bad_request(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError(AppError::Invalid(temas_core::FieldErrors::single(
            field, code, message,
        )))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, title, detail, errors) = match self.0 {
            AppError::Invalid(e) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "The input is not valid",
                None,
                e.0,
            ),
            AppError::Unauthenticated => (
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Authentication required",
                Some("send a valid API token as Authorization: Bearer <token>".to_owned()),
                vec![],
            ),
            AppError::Forbidden(why) => (
                StatusCode::FORBIDDEN,
                "forbidden",
                "Not allowed",
                Some(why.to_owned()),
                vec![],
            ),
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "not_found",
                "No such record",
                None,
                vec![],
            ),
            AppError::VersionMismatch { current } => (
                StatusCode::PRECONDITION_FAILED,
                "version_mismatch",
                "The record has changed since you read it",
                Some(match current {
                    Some(v) => {
                        format!("the current version is {v}; read it again and reapply your change")
                    }
                    None => "read the record again and reapply your change".to_owned(),
                }),
                vec![],
            ),
            AppError::Taken(what) => (
                StatusCode::CONFLICT,
                "already_taken",
                "A unique value is already taken",
                Some(format!("{what} is already taken")),
                vec![],
            ),
            AppError::IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "This Idempotency-Key was used for a different request",
                None,
                vec![],
            ),
            AppError::Unsupported(what) => (
                StatusCode::NOT_IMPLEMENTED,
                "unsupported",
                "Not supported",
                Some(what.to_owned()),
                vec![],
            ),
            AppError::ProbableDuplicates(candidates) => {
                let problem = Problem {
                    kind: "https://temas.dev/problems/probable_duplicate".into(),
                    title: "Probably a duplicate".into(),
                    status: 409,
                    code: "probable_duplicate",
                    detail: Some(
                        "existing records look like the same entity; use one of them, or send the request \
                         again with ?confirm=true to create it anyway"
                            .into(),
                    ),
                    errors: vec![],
                    request_id: None,
                    candidates,
                };
                return problem_response(StatusCode::CONFLICT, &problem);
            }
            AppError::TooManyAttempts { retry_after } => {
                let problem = Problem {
                    kind: "https://temas.dev/problems/too_many_attempts".into(),
                    title: "Too many attempts".into(),
                    status: 429,
                    code: "too_many_attempts",
                    detail: Some(format!("try again in {retry_after} seconds")),
                    errors: vec![],
                    request_id: None,
                    candidates: vec![],
                };
                let mut r = problem_response(StatusCode::TOO_MANY_REQUESTS, &problem);
                r.headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, retry_after.into());
                return r;
            }
            AppError::Internal(cause) => {
                let request_id = uuid::Uuid::now_v7().to_string();
                tracing::error!(%request_id, %cause, "internal error");
                let problem = Problem {
                    kind: "about:blank".into(),
                    title: "Internal error".into(),
                    status: 500,
                    code: "internal",
                    detail: None,
                    errors: vec![],
                    request_id: Some(request_id),
                    candidates: vec![],
                };
                return problem_response(StatusCode::INTERNAL_SERVER_ERROR, &problem);
            }
        };
        let problem = Problem {
            kind: format!("https://temas.dev/problems/{code}"),
            title: title.into(),
            status: status.as_u16(),
            code,
            detail,
            errors,
            request_id: None,
            candidates: vec![],
        };
        problem_response(status, &problem)
    }
}

fn problem_response(status: StatusCode, problem: &Problem) -> Response {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}
