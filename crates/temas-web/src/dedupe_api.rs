//! Duplicate scans and their review queue through the API: `POST/GET /api/v1/dedupe/scans`,
//! `GET /api/v1/dedupe/scans/{id}`, `GET /api/v1/dedupe/scans/{id}/groups`, and per group `GET …/groups/{seq}`,
//! `POST …/groups/{seq}/merge` and `POST …/groups/{seq}/dismiss`.

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use temas_service::dedupe_scans::{ScanRequest, ScanView};
use temas_service::merge::MergeView;
use temas_service::review_queue::{GroupMerge, GroupView, QueuePage};
use temas_store::Uuid;

pub async fn start(
    State(app): State<AppState>,
    Auth(session): Auth,
    body: JsonBody<ScanRequest>,
) -> Result<(StatusCode, Json<ScanView>), ApiError> {
    let scan = app.start_dedupe_scan(&session, &body.value).await?;
    Ok((StatusCode::ACCEPTED, Json(scan)))
}

pub async fn list(
    State(app): State<AppState>,
    Auth(session): Auth,
) -> Result<Json<serde_json::Value>, ApiError> {
    let scans = app.dedupe_scans(&session).await?;
    Ok(Json(serde_json::json!({ "items": scans })))
}

pub async fn get(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<ScanView>, ApiError> {
    Ok(Json(app.dedupe_scan(&session, id).await?))
}

#[derive(Deserialize)]
pub struct QueueParams {
    status: Option<String>,
    cursor: Option<String>,
    limit: Option<u32>,
}

pub async fn groups(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
    Query(p): Query<QueueParams>,
) -> Result<Json<QueuePage>, ApiError> {
    let page = app
        .review_queue(
            &session,
            id,
            p.status.as_deref(),
            p.cursor.as_deref(),
            p.limit,
        )
        .await?;
    Ok(Json(page))
}

pub async fn group(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path((id, seq)): Path<(Uuid, i64)>,
) -> Result<Json<GroupView>, ApiError> {
    Ok(Json(app.review_group(&session, id, seq).await?))
}

pub async fn merge(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path((id, seq)): Path<(Uuid, i64)>,
    body: JsonBody<GroupMerge>,
) -> Result<(StatusCode, Json<MergeView>), ApiError> {
    let view = app.merge_group(&session, id, seq, &body.value).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

pub async fn dismiss(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path((id, seq)): Path<(Uuid, i64)>,
) -> Result<Json<GroupView>, ApiError> {
    Ok(Json(app.dismiss_group(&session, id, seq).await?))
}
