//! Generic handlers for contacts, companies and interactions; `routes.rs` mounts them per type.

use crate::extract::{Auth, JsonBody, etag, if_match};
use crate::{ApiError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::future::Future;
use temas_service::records::{DuplicateCheck, ListParams, RecordPage, RecordType};
use temas_service::{AppError, Session};
use temas_store::{StoredResponse, TimelineOf, Uuid};

/// A record type the API serves: its JSON form and its URL.
pub trait ApiRecord: RecordType + Serialize {
    const BASE: &'static str;
    fn id(&self) -> Uuid;
    fn version(&self) -> i64;
}

macro_rules! api_record {
    ($type:ty, $base:literal) => {
        impl ApiRecord for $type {
            const BASE: &'static str = $base;
            fn id(&self) -> Uuid {
                self.id.0
            }
            fn version(&self) -> i64 {
                self.version
            }
        }
    };
}

api_record!(temas_core::contact::Contact, "/api/v1/contacts");
api_record!(temas_core::contact::Company, "/api/v1/companies");
api_record!(temas_core::interaction::Interaction, "/api/v1/interactions");
api_record!(temas_core::product::Product, "/api/v1/products");
api_record!(temas_core::order::Order, "/api/v1/orders");
api_record!(temas_core::pipeline::Pipeline, "/api/v1/pipelines");
api_record!(temas_core::deal::Deal, "/api/v1/deals");
api_record!(temas_core::lead::Lead, "/api/v1/leads");
api_record!(temas_core::task::Task, "/api/v1/tasks");
api_record!(temas_core::offer::Offer, "/api/v1/offers");

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn record_response<R: ApiRecord>(status: StatusCode, record: &R) -> Result<Response, ApiError> {
    let body =
        serde_json::to_vec(record).map_err(|e| ApiError(AppError::Internal(e.to_string())))?;
    let mut r = json_response(status, body);
    if let Ok(v) = HeaderValue::from_str(&etag(record.version())) {
        r.headers_mut().insert(header::ETAG, v);
    }
    if status == StatusCode::CREATED
        && let Ok(v) = HeaderValue::from_str(&format!("{}/{}", R::BASE, record.id()))
    {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

/// Runs a POST once per `Idempotency-Key`: a repeat of the same request gets the first answer again; the same key
/// on a different request is refused. Only successful answers are kept.
async fn idempotent<F, Fut>(
    app: &AppState,
    session: &Session,
    headers: &HeaderMap,
    what: &str,
    raw: &[u8],
    run: F,
) -> Result<Response, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Response, ApiError>>,
{
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return run().await;
    };
    if key.is_empty() || key.len() > 255 {
        return Err(ApiError::bad_request(
            "Idempotency-Key",
            "invalid_header",
            "must be 1 to 255 characters",
        ));
    }
    let mut hasher = Sha256::new();
    hasher.update(what.as_bytes());
    hasher.update(raw);
    let request_hash: String = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if let Some(stored) = app
        .store
        .idempotent_response(&session.viewer, &key)
        .await
        .map_err(AppError::from)?
    {
        if stored.request_hash != request_hash {
            return Err(ApiError(AppError::IdempotencyKeyReused));
        }
        let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
        let mut r = json_response(status, stored.body.into_bytes());
        r.headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
        return Ok(r);
    }
    let response = run().await?;
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .map_err(|e| ApiError(AppError::Internal(e.to_string())))?;
    if parts.status.is_success() {
        let stored = StoredResponse {
            request_hash,
            status: parts.status.as_u16(),
            body: String::from_utf8_lossy(&bytes).into_owned(),
        };
        app.store
            .save_idempotent_response(&session.viewer, &key, &stored)
            .await
            .map_err(AppError::from)?;
    }
    Ok(Response::from_parts(parts, axum::body::Body::from(bytes)))
}

#[derive(serde::Deserialize)]
pub struct CreateParams {
    /// The client saw the probable duplicates (a 409) and creates the record anyway.
    #[serde(default)]
    confirm: bool,
}

pub async fn create<R: ApiRecord>(
    State(app): State<AppState>,
    Auth(session): Auth,
    headers: HeaderMap,
    Query(params): Query<CreateParams>,
    body: JsonBody<R::Input>,
) -> Result<Response, ApiError> {
    let JsonBody { value, raw } = body;
    let check = if params.confirm {
        DuplicateCheck::Skip
    } else {
        DuplicateCheck::Check
    };
    idempotent(&app, &session, &headers, R::BASE, &raw, || async {
        let record = app.create::<R>(&session, value, check).await?;
        record_response(StatusCode::CREATED, &record)
    })
    .await
}

#[derive(serde::Deserialize)]
pub struct GetParams {
    #[serde(default)]
    include_deleted: bool,
}

pub async fn get<R: ApiRecord>(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
    Query(params): Query<GetParams>,
) -> Result<Response, ApiError> {
    let record = app
        .get_with::<R>(&session, id, params.include_deleted)
        .await?;
    record_response(StatusCode::OK, &record)
}

/// A contact read by itself carries the customer's numbers from their orders.
pub async fn get_contact(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
    Query(params): Query<GetParams>,
) -> Result<Response, ApiError> {
    let contact = app
        .contact_card(&session, id, params.include_deleted)
        .await?;
    record_response(StatusCode::OK, &contact)
}

pub async fn patch<R: ApiRecord>(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
    body: JsonBody<Value>,
) -> Result<Response, ApiError> {
    let record = app
        .patch::<R>(&session, id, &body.value, if_match(&headers)?)
        .await?;
    record_response(StatusCode::OK, &record)
}

pub async fn delete<R: ApiRecord>(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let record = app
        .set_deleted::<R>(&session, id, true, if_match(&headers)?)
        .await?;
    record_response(StatusCode::OK, &record)
}

pub async fn restore<R: ApiRecord>(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let record = app
        .set_deleted::<R>(&session, id, false, if_match(&headers)?)
        .await?;
    record_response(StatusCode::OK, &record)
}

fn page_response<T: Serialize>(page: RecordPage<T>) -> Result<Response, ApiError> {
    let body = serde_json::to_vec(&json!({"items": page.items, "next_cursor": page.next_cursor}))
        .map_err(|e| ApiError(AppError::Internal(e.to_string())))?;
    Ok(json_response(StatusCode::OK, body))
}

/// `GET /api/v1/contacts/export?format=csv|xlsx|vcf&encoding=…&filter=…&sort=…`: the contacts a list would show,
/// all of them, as a file.
pub async fn export_contacts(
    State(app): State<AppState>,
    Auth(session): Auth,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let mut format = "csv".to_owned();
    let mut encoding = None;
    let mut rest = Vec::new();
    for (key, value) in pairs {
        match key.as_str() {
            "format" => format = value,
            "encoding" => encoding = Some(value),
            _ => rest.push((key, value)),
        }
    }
    let mut params = list_params(rest)?;
    params.limit = Some(500);
    let format = temas_service::exports::ExportFormat::parse(&format, encoding.as_deref())?;
    Ok(crate::downloads::contacts(&app, &session, &params, format, "contacts").await?)
}

/// Reads list parameters; `filter` may repeat.
pub fn list_params(pairs: Vec<(String, String)>) -> Result<ListParams, ApiError> {
    let mut params = ListParams::default();
    for (key, value) in pairs {
        match key.as_str() {
            "filter" => params.filters.push(value),
            "sort" => params.sort = Some(value),
            "cursor" => params.cursor = Some(value),
            "limit" => {
                params.limit = Some(value.parse().map_err(|_| {
                    ApiError::bad_request("limit", "invalid_number", "must be a whole number")
                })?)
            }
            "deleted" => params.deleted = value == "true",
            other => {
                return Err(ApiError::bad_request(
                    other,
                    "unknown_parameter",
                    "use filter, sort, limit, cursor or deleted",
                ));
            }
        }
    }
    Ok(params)
}

pub async fn list<R: ApiRecord>(
    State(app): State<AppState>,
    Auth(session): Auth,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, ApiError> {
    let params = list_params(pairs)?;
    page_response(app.list::<R>(&session, &params).await?)
}

#[derive(serde::Deserialize)]
pub struct BulkRequest {
    items: Vec<Value>,
}

pub async fn bulk<R: ApiRecord>(
    State(app): State<AppState>,
    Auth(session): Auth,
    headers: HeaderMap,
    body: JsonBody<BulkRequest>,
) -> Result<Response, ApiError> {
    let JsonBody { value, raw } = body;
    idempotent(
        &app,
        &session,
        &headers,
        &format!("{}/bulk", R::BASE),
        &raw,
        || async {
            let results = app.bulk_upsert::<R>(&session, value.items).await?;
            let body = serde_json::to_vec(&json!({ "items": results }))
                .map_err(|e| ApiError(AppError::Internal(e.to_string())))?;
            Ok(json_response(StatusCode::OK, body))
        },
    )
    .await
}

#[derive(serde::Deserialize)]
pub struct HistoryParams {
    before: Option<Uuid>,
    limit: Option<u32>,
}

pub async fn history<R: ApiRecord>(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
    Query(params): Query<HistoryParams>,
) -> Result<Response, ApiError> {
    let entries = app
        .history::<R>(&session, id, params.before, params.limit.unwrap_or(50))
        .await?;
    let body = serde_json::to_vec(&json!({ "items": entries }))
        .map_err(|e| ApiError(AppError::Internal(e.to_string())))?;
    Ok(json_response(StatusCode::OK, body))
}

#[derive(serde::Deserialize)]
pub struct TimelineParams {
    cursor: Option<String>,
    limit: Option<u32>,
    channel: Option<String>,
}

async fn timeline(
    app: AppState,
    session: &temas_service::Session,
    of: TimelineOf,
    params: TimelineParams,
) -> Result<Response, ApiError> {
    page_response(
        app.timeline(
            session,
            of,
            params.channel.as_deref(),
            params.cursor.as_deref(),
            params.limit.unwrap_or(50),
        )
        .await?,
    )
}

pub async fn contact_timeline(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
    Query(params): Query<TimelineParams>,
) -> Result<Response, ApiError> {
    timeline(app, &session, TimelineOf::Contact(id), params).await
}

pub async fn company_timeline(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
    Query(params): Query<TimelineParams>,
) -> Result<Response, ApiError> {
    timeline(app, &session, TimelineOf::Company(id), params).await
}
