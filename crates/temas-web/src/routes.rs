//! The router: every path of the API, and the small handlers that are not per record type.

use crate::extract::{Auth, JsonBody};
use crate::records::{self as rec, ApiRecord};
use crate::{ApiError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, patch, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use temas_core::access::Role;
use temas_core::contact::{Company, Contact};
use temas_core::custom::NewCustomField;
use temas_core::deal::Deal;
use temas_core::ids::CustomFieldId;
use temas_core::interaction::Interaction;
use temas_core::lead::Lead;
use temas_core::offer::Offer;
use temas_core::order::Order;
use temas_core::pipeline::Pipeline;
use temas_core::product::Product;
use temas_core::task::Task;
use temas_core::view::{ViewEntity, ViewInput};
use temas_service::admin::{CustomFieldPatch, PrefsPatch};
use temas_store::User;

/// Routes of one record type: collection, item, restore and history.
fn record_routes<R: ApiRecord>() -> Router<AppState> {
    record_routes_read_by::<R>(get(rec::get::<R>))
}

/// The same, with the item read by `read` (a contact is read with its metrics).
fn record_routes_read_by<R: ApiRecord>(read: MethodRouter<AppState>) -> Router<AppState> {
    Router::new()
        .route(R::BASE, post(rec::create::<R>).get(rec::list::<R>))
        .route(
            &format!("{}/{{id}}", R::BASE),
            read.patch(rec::patch::<R>).delete(rec::delete::<R>),
        )
        .route(
            &format!("{}/{{id}}/restore", R::BASE),
            post(rec::restore::<R>),
        )
        .route(
            &format!("{}/{{id}}/history", R::BASE),
            get(rec::history::<R>),
        )
}

pub fn router(app: AppState) -> Router {
    Router::new()
        .merge(record_routes_read_by::<Contact>(get(rec::get_contact)))
        .merge(record_routes::<Company>())
        .merge(record_routes::<Interaction>())
        .merge(record_routes::<Product>())
        .merge(record_routes::<Order>())
        .merge(record_routes::<Pipeline>())
        .merge(record_routes::<Deal>())
        .merge(record_routes::<Lead>())
        .merge(record_routes::<Task>())
        .merge(record_routes::<Offer>())
        .route("/api/v1/deals/bulk", post(rec::bulk::<Deal>))
        .route("/api/v1/leads/bulk", post(rec::bulk::<Lead>))
        .route("/api/v1/offers/bulk", post(rec::bulk::<Offer>))
        .route(
            "/api/v1/leads/{id}/convert",
            post(crate::sales_api::convert_lead),
        )
        .route("/api/v1/forecast", get(crate::sales_api::forecast))
        .route("/api/v1/my-day", get(crate::sales_api::my_day))
        .route("/api/v1/rfm/run", post(crate::sales_api::rescore_rfm))
        .route(
            "/api/v1/follow-ups/run",
            post(crate::sales_api::run_follow_ups),
        )
        .route("/api/v1/contacts/export", get(rec::export_contacts))
        .route("/api/v1/contacts/bulk", post(rec::bulk::<Contact>))
        .route("/api/v1/companies/bulk", post(rec::bulk::<Company>))
        .route("/api/v1/products/bulk", post(rec::bulk::<Product>))
        .route("/api/v1/orders/bulk", post(rec::bulk::<Order>))
        .route(
            "/api/v1/orders/{id}/attachments",
            post(crate::attachments_api::attach).layer(axum::extract::DefaultBodyLimit::max(
                crate::attachments_api::MAX_BODY_BYTES,
            )),
        )
        .route(
            "/api/v1/orders/{id}/attachments/{attachment_id}",
            get(crate::attachments_api::download).delete(crate::attachments_api::detach),
        )
        .route("/api/v1/contacts/{id}/timeline", get(rec::contact_timeline))
        .route(
            "/api/v1/companies/{id}/timeline",
            get(rec::company_timeline),
        )
        .route("/api/v1/search", get(search))
        .route("/api/v1/users", get(list_users).post(create_user))
        .route("/api/v1/users/me", get(me).patch(update_me))
        .route("/api/v1/users/{id}", patch(change_user))
        .route(
            "/api/v1/custom-fields",
            get(list_custom_fields).post(create_custom_field),
        )
        .route("/api/v1/custom-fields/{id}", patch(update_custom_field))
        .route("/api/v1/views", get(list_views).post(create_view))
        .route(
            "/api/v1/views/{id}",
            get(get_view).put(update_view).delete(delete_view),
        )
        .route(
            "/api/v1/imports",
            get(crate::imports_api::list)
                .post(crate::imports_api::upload)
                .layer(axum::extract::DefaultBodyLimit::max(
                    crate::imports_api::MAX_UPLOAD_BYTES,
                )),
        )
        .route("/api/v1/imports/{id}", get(crate::imports_api::get))
        .route("/api/v1/imports/{id}/run", post(crate::imports_api::run))
        .route(
            "/api/v1/imports/{id}/rollback",
            post(crate::imports_api::rollback),
        )
        .route(
            "/api/v1/imports/{id}/errors",
            get(crate::imports_api::errors),
        )
        .route(
            "/api/v1/contacts/merge",
            post(crate::merges_api::merge::<Contact>),
        )
        .route(
            "/api/v1/companies/merge",
            post(crate::merges_api::merge::<Company>),
        )
        .route(
            "/api/v1/contacts/not-duplicates",
            post(crate::merges_api::not_duplicates::<Contact>),
        )
        .route(
            "/api/v1/companies/not-duplicates",
            post(crate::merges_api::not_duplicates::<Company>),
        )
        .route(
            "/api/v1/dedupe/scans",
            get(crate::dedupe_api::list).post(crate::dedupe_api::start),
        )
        .route("/api/v1/dedupe/scans/{id}", get(crate::dedupe_api::get))
        .route(
            "/api/v1/dedupe/scans/{id}/groups",
            get(crate::dedupe_api::groups),
        )
        .route(
            "/api/v1/dedupe/scans/{id}/groups/{seq}",
            get(crate::dedupe_api::group),
        )
        .route(
            "/api/v1/dedupe/scans/{id}/groups/{seq}/merge",
            post(crate::dedupe_api::merge),
        )
        .route(
            "/api/v1/dedupe/scans/{id}/groups/{seq}/dismiss",
            post(crate::dedupe_api::dismiss),
        )
        .route("/api/v1/merges/{id}", get(crate::merges_api::get))
        .route("/api/v1/merges/{id}/undo", post(crate::merges_api::undo))
        .route("/api/v1/data-quality", get(data_quality))
        .route("/api/v1/workspace", get(workspace).patch(update_workspace))
        .route("/api/v1/openapi.json", get(openapi))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .merge(crate::app::router())
        .fallback(not_found)
        .with_state(app)
}

async fn not_found() -> ApiError {
    ApiError(temas_service::AppError::NotFound)
}

async fn openapi() -> Response {
    let mut r = crate::openapi::document().into_response();
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=300"),
    );
    r
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready when the database answers.
async fn readyz(State(app): State<AppState>) -> Result<&'static str, ApiError> {
    app.store
        .count_workspaces()
        .await
        .map_err(temas_service::AppError::from)?;
    Ok("ready")
}

#[derive(Deserialize)]
struct SearchParams {
    q: String,
    limit: Option<u32>,
}

async fn search(
    State(app): State<AppState>,
    Auth(session): Auth,
    Query(p): Query<SearchParams>,
) -> Result<Response, ApiError> {
    let hits = app.search(&session, &p.q, p.limit.unwrap_or(20)).await?;
    Ok(Json(serde_json::json!({ "items": hits })).into_response())
}

/// A user as the API shows them.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserJson {
    #[schema(value_type = String, format = Uuid)]
    id: uuid::Uuid,
    email: String,
    name: String,
    role: Role,
    #[schema(value_type = Option<String>, format = Uuid)]
    team_id: Option<uuid::Uuid>,
    language: String,
    calendar: String,
    digits: String,
    time_zone: String,
}

impl From<User> for UserJson {
    fn from(u: User) -> Self {
        UserJson {
            id: u.id.0,
            email: u.email,
            name: u.name,
            role: u.role,
            team_id: u.team_id.map(|t| t.0),
            language: u.prefs.language,
            calendar: u.prefs.calendar,
            digits: u.prefs.digits,
            time_zone: u.prefs.time_zone,
        }
    }
}

async fn me(Auth(session): Auth) -> Json<UserJson> {
    Json(session.user.into())
}

async fn update_me(
    State(app): State<AppState>,
    Auth(session): Auth,
    body: JsonBody<PrefsPatch>,
) -> Result<Json<UserJson>, ApiError> {
    Ok(Json(app.update_prefs(&session, body.value).await?.into()))
}

async fn list_users(
    State(app): State<AppState>,
    Auth(session): Auth,
) -> Result<Response, ApiError> {
    let (users, _teams) = app.users(&session).await?;
    let items: Vec<UserJson> = users.into_iter().map(Into::into).collect();
    Ok(Json(serde_json::json!({ "items": items })).into_response())
}

/// A new user, created by an owner or admin.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserJson {
    email: String,
    password: String,
    role: Role,
    team: Option<String>,
}

async fn create_user(
    State(app): State<AppState>,
    Auth(session): Auth,
    body: JsonBody<NewUserJson>,
) -> Result<Response, ApiError> {
    let u = body.value;
    let user = app
        .create_user(&session, &u.email, &u.password, u.role, u.team.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(UserJson::from(user))).into_response())
}

async fn change_user(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<uuid::Uuid>,
    body: JsonBody<temas_service::admin::UserPatch>,
) -> Result<Response, ApiError> {
    let user = app
        .change_user(&session, temas_core::ids::UserId(id), body.value)
        .await?;
    Ok(Json(UserJson::from(user)).into_response())
}

/// The workspace as the API shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WorkspaceJson {
    #[schema(value_type = String, format = Uuid)]
    id: uuid::Uuid,
    name: String,
    default_region: String,
    default_currency: String,
    visibility: temas_core::access::VisibilitySettings,
    indexed_fields: temas_store::IndexedFields,
    /// The language, calendar, digits and time zone new users start with.
    user_defaults: temas_store::UserPrefs,
    /// Duplicate groups at or above this confidence are merged by `temas dedupe --apply`; null: none.
    auto_merge_confidence: Option<f64>,
}

impl From<temas_service::admin::Workspace> for WorkspaceJson {
    fn from(w: temas_service::admin::Workspace) -> Self {
        WorkspaceJson {
            id: w.id.0,
            name: w.name,
            default_region: w.default_region,
            default_currency: w.default_currency,
            visibility: w.settings.visibility,
            indexed_fields: w.settings.indexed_fields,
            user_defaults: w.settings.user_defaults,
            auto_merge_confidence: w.settings.auto_merge_confidence,
        }
    }
}

async fn workspace(Auth(session): Auth) -> Json<WorkspaceJson> {
    Json(session.workspace.into())
}

async fn update_workspace(
    State(app): State<AppState>,
    Auth(session): Auth,
    body: JsonBody<temas_service::admin::WorkspacePatch>,
) -> Result<Json<WorkspaceJson>, ApiError> {
    Ok(Json(
        app.update_workspace(&session, body.value).await?.into(),
    ))
}

#[derive(Deserialize)]
struct ViewsQuery {
    entity: Option<String>,
}

async fn list_views(
    State(app): State<AppState>,
    Auth(session): Auth,
    Query(q): Query<ViewsQuery>,
) -> Result<Response, ApiError> {
    let entity = match q.entity.as_deref() {
        None => ViewEntity::Contacts,
        Some(e) => ViewEntity::parse(e).ok_or_else(|| {
            temas_service::AppError::from(temas_core::FieldErrors::single(
                "entity",
                "invalid",
                "must be contacts or companies",
            ))
        })?,
    };
    let views = app.views(&session, entity).await?;
    Ok(Json(serde_json::json!({ "items": views })).into_response())
}

async fn create_view(
    State(app): State<AppState>,
    Auth(session): Auth,
    body: JsonBody<ViewInput>,
) -> Result<Response, ApiError> {
    let view = app.create_view(&session, body.value).await?;
    Ok((StatusCode::CREATED, Json(view)).into_response())
}

async fn get_view(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<temas_store::Uuid>,
) -> Result<Response, ApiError> {
    Ok(Json(app.view(&session, id).await?).into_response())
}

async fn update_view(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<temas_store::Uuid>,
    body: JsonBody<ViewInput>,
) -> Result<Response, ApiError> {
    Ok(Json(app.update_view(&session, id, body.value).await?).into_response())
}

async fn delete_view(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<temas_store::Uuid>,
) -> Result<Response, ApiError> {
    app.delete_view(&session, id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_custom_fields(
    State(app): State<AppState>,
    Auth(session): Auth,
) -> Result<Response, ApiError> {
    let defs = app.custom_fields(&session).await?;
    Ok(Json(serde_json::json!({ "items": defs })).into_response())
}

async fn create_custom_field(
    State(app): State<AppState>,
    Auth(session): Auth,
    body: JsonBody<NewCustomField>,
) -> Result<Response, ApiError> {
    let def = app.create_custom_field(&session, body.value).await?;
    Ok((StatusCode::CREATED, Json(def)).into_response())
}

async fn update_custom_field(
    State(app): State<AppState>,
    Auth(session): Auth,
    Path(id): Path<CustomFieldId>,
    body: JsonBody<CustomFieldPatch>,
) -> Result<Response, ApiError> {
    Ok(Json(app.update_custom_field(&session, id, body.value).await?).into_response())
}

#[derive(Deserialize)]
struct QualityParams {
    stale_months: Option<u32>,
}

async fn data_quality(
    State(app): State<AppState>,
    Auth(session): Auth,
    Query(q): Query<QualityParams>,
) -> Result<Response, ApiError> {
    let report = app
        .data_quality(&session, q.stale_months.unwrap_or(12))
        .await?;
    Ok(Json(report).into_response())
}
