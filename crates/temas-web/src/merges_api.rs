//! Merging duplicates through the API: `POST /api/v1/{contacts,companies}/merge`, `GET /api/v1/merges/{id}`,
//! `POST /api/v1/merges/{id}/undo`, and `POST /api/v1/{contacts,companies}/not-duplicates`.

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use temas_service::merge::{MergeRequest, MergeView, Mergeable};
use temas_store::Uuid;

pub async fn merge<R: Mergeable>(
    State(app): State<AppState>,
    Auth(session): Auth,
    body: JsonBody<MergeRequest>,
) -> Result<(StatusCode, Json<MergeView>), ApiError> {
    let view = app.merge::<R>(&session, &body.value).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

pub async fn get(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<MergeView>, ApiError> {
    Ok(Json(app.merge_view(&session, id).await?))
}

pub async fn undo(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
) -> Result<Json<MergeView>, ApiError> {
    Ok(Json(app.undo_merge(&session, id).await?))
}

/// Records that are different entities.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotDuplicates {
    /// Two or more records; every pair among them is remembered as different.
    #[schema(value_type = Vec<String>)]
    ids: Vec<Uuid>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Decided {
    /// How many pairs were recorded.
    pairs: usize,
}

pub async fn not_duplicates<R: Mergeable>(
    State(app): State<AppState>,
    Auth(session): Auth,
    body: JsonBody<NotDuplicates>,
) -> Result<Json<Decided>, ApiError> {
    let pairs = app
        .mark_not_duplicates::<R>(&session, &body.value.ids)
        .await?;
    Ok(Json(Decided { pairs }))
}
