//! Sales endpoints beyond the generic record ones: converting a lead, the forecast, a user's day and the
//! follow-up rules.

use crate::extract::{Auth, JsonBody};
use crate::{ApiError, AppState};
use axum::Json;
use axum::extract::{Path, Query, State};
use serde_json::{Value, json};
use temas_service::deals::ForecastQuery;
use temas_service::leads::{ConvertLead, Converted};
use temas_service::tasks::FollowUpRun;
use temas_store::Uuid;

pub async fn convert_lead(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<Uuid>,
    body: JsonBody<ConvertLead>,
) -> Result<Json<Converted>, ApiError> {
    Ok(Json(app.convert_lead(&session, id, body.value).await?))
}

pub async fn forecast(
    State(app): State<AppState>,
    Auth(session): Auth,
    Query(query): Query<ForecastQuery>,
) -> Result<Json<temas_core::forecast::Forecast>, ApiError> {
    Ok(Json(app.forecast(&session, &query).await?))
}

pub async fn my_day(
    State(app): State<AppState>,
    Auth(session): Auth,
) -> Result<Json<Value>, ApiError> {
    let tasks = app.my_day(&session).await?;
    Ok(Json(json!({ "items": tasks })))
}

pub async fn run_follow_ups(
    State(app): State<AppState>,
    Auth(session): Auth,
) -> Result<Json<FollowUpRun>, ApiError> {
    Ok(Json(app.run_follow_ups(&session).await?))
}

pub async fn rescore_rfm(
    State(app): State<AppState>,
    Auth(session): Auth,
) -> Result<axum::http::StatusCode, ApiError> {
    app.rescore_rfm(&session).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}
