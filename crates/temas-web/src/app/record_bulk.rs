//! Acting on many contacts or companies at once from their list: tag them, give them an owner, or move them to the
//! trash (and restore them from it).

use super::record_form::Editable;
use super::{Fields, PageError, WebUser, field};
use crate::AppState;
use axum::extract::{Form, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};
use temas_service::AppError;
use temas_store::Uuid;

/// The most rows one action takes, so that a request stays short.
const MAX_SELECTED: usize = 500;

/// One record's change for the action; `Ok(false)` when there was nothing to do.
async fn apply<R: Editable>(
    app: &AppState,
    user: &WebUser,
    id: Uuid,
    action: &str,
    value: &str,
) -> Result<bool, AppError> {
    let session = &user.session;
    match action {
        "delete" => app
            .set_deleted::<R>(session, id, true, None)
            .await
            .map(|_| true),
        "tag" => {
            let record = app.get::<R>(session, id).await?;
            let tag = value.trim();
            if tag.is_empty() || record.tags().iter().any(|t| t == tag) {
                return Ok(false);
            }
            let mut tags = record.tags().to_vec();
            tags.push(tag.to_owned());
            let patch = json!({ "tags": tags });
            app.patch::<R>(session, id, &patch, Some(record.version()))
                .await
                .map(|_| true)
        }
        "owner" => {
            let owner: Uuid = value.parse().map_err(|_| {
                temas_core::FieldErrors::single("owner_id", "invalid", "choose an owner")
            })?;
            let patch: Value = json!({ "owner_id": owner });
            app.patch::<R>(session, id, &patch, None)
                .await
                .map(|_| true)
        }
        _ => Err(temas_core::FieldErrors::single("action", "invalid", "unknown action").into()),
    }
}

/// Applies the chosen action to every selected record, each on its own: one that fails (changed meanwhile, not
/// visible any more) does not stop the others. The list then says how many changed and how many did not.
pub async fn run<R: Editable>(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    let action = field(&fields, "action").unwrap_or_default();
    let value = match action {
        "tag" => field(&fields, "tag").unwrap_or_default(),
        "owner" => field(&fields, "owner").unwrap_or_default(),
        _ => "",
    };
    let ids: Vec<Uuid> = fields
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.parse().ok())
        .take(MAX_SELECTED)
        .collect();
    let (mut done, mut failed) = (0usize, 0usize);
    for id in ids {
        match apply::<R>(&app, &user, id, action, value).await {
            Ok(true) => done += 1,
            Ok(false) => {}
            Err(AppError::Internal(e)) => {
                return Err(PageError::new(AppError::Internal(e), user.ui.clone()));
            }
            Err(_) => failed += 1,
        }
    }
    let back = if action == "delete" { "&undo=1" } else { "" };
    Ok(Redirect::to(&format!("{}?done={done}&failed={failed}{back}", R::BASE)).into_response())
}

/// Takes a record out of the trash.
pub async fn restore<R: Editable>(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    app.set_deleted::<R>(&user.session, id, false, None)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    Ok(Redirect::to(&format!("{}/{id}", R::BASE)).into_response())
}
