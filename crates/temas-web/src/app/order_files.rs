//! An order's files on the customer's card: attach one (a multipart form), download one, remove one.

use super::order_pages::card_of;
use super::{Fields, PageError, WebUser, field};
use crate::AppState;
use axum::Form;
use axum::extract::{Multipart, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use temas_core::order::Order;
use temas_service::AppError;
use temas_service::attachments::NewFile;
use temas_store::Uuid;

/// Takes the form (`_csrf`, `file`) and keeps the file with the order.
pub async fn attach(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let fail = |e| PageError::new(e, user.ui.clone());
    let (mut csrf, mut file) = (String::new(), None);
    while let Some(part) = form
        .next_field()
        .await
        .map_err(|e| fail(AppError::Internal(e.body_text())))?
    {
        match part.name() {
            Some("_csrf") => csrf = part.text().await.unwrap_or_default(),
            Some("file") => {
                let name = part.file_name().unwrap_or_default().to_owned();
                let content_type = part.content_type().map(str::to_owned);
                let bytes = part
                    .bytes()
                    .await
                    .map_err(|e| fail(AppError::Internal(e.body_text())))?;
                file = Some(NewFile {
                    name,
                    content_type,
                    bytes: bytes.to_vec(),
                });
            }
            _ => {}
        }
    }
    user.check_csrf(&headers, Some(&csrf))?;
    let file = file.unwrap_or(NewFile {
        name: String::new(),
        content_type: None,
        bytes: Vec::new(),
    });
    app.attach_to_order(&user.session, id, file)
        .await
        .map_err(fail)?;
    back_to_card(&app, &user, id).await
}

pub async fn download(
    State(app): State<AppState>,
    user: WebUser,
    Path((id, file)): Path<(Uuid, Uuid)>,
) -> Result<Response, PageError> {
    let (attachment, bytes) = app
        .order_attachment(&user.session, id, file)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    Ok(crate::attachments_api::file_response(&attachment, bytes))
}

pub async fn remove(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path((id, file)): Path<(Uuid, Uuid)>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&form, "_csrf"))?;
    app.detach_from_order(&user.session, id, file)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    back_to_card(&app, &user, id).await
}

async fn back_to_card(app: &AppState, user: &WebUser, order: Uuid) -> Result<Response, PageError> {
    let order = app
        .get::<Order>(&user.session, order)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    Ok(Redirect::to(&card_of(&order)).into_response())
}
