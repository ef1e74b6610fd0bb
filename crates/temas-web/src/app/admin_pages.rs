//! Administration (owners and admins): workspace settings, users and teams, custom field definitions.

use super::{Fields, PageError, Ui, WebUser, render};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use temas_core::access::Role;
use temas_core::custom::{Entity, FieldKind, NewCustomField};
use temas_core::ids::CustomFieldId;
use temas_service::AppError;
use temas_service::admin::{CustomFieldPatch, UserDefaultsPatch, WorkspacePatch};
use temas_store::Uuid;

/// A user as the page lists them.
struct UserRow {
    id: String,
    email: String,
    role: &'static str,
    team: String,
}

/// A custom field definition as the page lists it.
struct FieldRow {
    id: String,
    entity: &'static str,
    key: String,
    label: String,
    kind: String,
    required: bool,
    position: i32,
    retired: bool,
    options: String,
}

const KINDS: [&str; 12] = [
    "text",
    "long_text",
    "number",
    "money",
    "date",
    "date_time",
    "boolean",
    "single_select",
    "multi_select",
    "url",
    "email",
    "phone",
];

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    ui: Ui,
    name: String,
    region: String,
    currency: String,
    users: Vec<UserRow>,
    fields: Vec<FieldRow>,
    /// Each role but the owner's, with the records it sees: `own`, `team` or `all`.
    scopes: Vec<(&'static str, String)>,
    /// Indexed list fields, one entry per line, for contacts and for companies.
    indexed_contacts: String,
    indexed_companies: String,
    /// What new users start with.
    prefs: temas_store::UserPrefs,
    error: Option<String>,
    saved: bool,
}

impl AdminPage {
    fn roles(&self) -> [&'static str; 6] {
        Role::ALL.map(Role::as_str)
    }

    fn kinds(&self) -> [&'static str; 12] {
        KINDS
    }
}

async fn page(
    app: &AppState,
    user: &WebUser,
    error: Option<String>,
    saved: bool,
) -> Result<AdminPage, PageError> {
    let ui = user.ui.clone().in_section("admin");
    let fail = |e| PageError::new(e, ui.clone());
    user.session.require_admin().map_err(fail)?;
    let (users, teams) = app.users(&user.session).await.map_err(fail)?;
    let users = users
        .into_iter()
        .map(|u| UserRow {
            id: u.id.0.to_string(),
            team: u
                .team_id
                .and_then(|t| teams.iter().find(|x| x.id == t))
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            email: u.email,
            role: u.role.as_str(),
        })
        .collect();
    let fields = app
        .custom_fields(&user.session)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|d| FieldRow {
            id: d.id.0.to_string(),
            entity: d.entity.as_str(),
            key: d.key,
            label: d.label,
            kind: serde_json::to_value(d.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            required: d.required,
            position: d.position,
            retired: d.retired,
            options: d.options.join(", "),
        })
        .collect();
    let w = &user.session.workspace;
    let scopes = Role::ALL
        .into_iter()
        .filter(|r| *r != Role::Owner)
        .map(|r| {
            let scope = serde_json::to_value(w.settings.visibility.scope_of(r))
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default();
            (r.as_str(), scope)
        })
        .collect();
    let indexed = &w.settings.indexed_fields;
    Ok(AdminPage {
        prefs: w.settings.user_defaults.clone(),
        scopes,
        indexed_contacts: indexed.contacts.join("\n"),
        indexed_companies: indexed.companies.join("\n"),
        name: w.name.clone(),
        region: w.default_region.clone(),
        currency: w.default_currency.clone(),
        users,
        fields,
        error,
        saved,
        ui,
    })
}

pub async fn show(
    State(app): State<AppState>,
    user: WebUser,
    axum::extract::Query(q): axum::extract::Query<super::auth_pages::SavedParam>,
) -> Result<Response, PageError> {
    Ok(render(&page(&app, &user, None, q.is_saved()).await?))
}

/// After a change: back to the page (so that a reload does not post again), or the page with the error.
async fn outcome<T>(
    app: &AppState,
    user: &WebUser,
    result: Result<T, AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => Ok(Redirect::to("/admin?saved=1").into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = page(app, user, Some(errors.to_string()), false).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(AppError::Taken(what)) => {
            let page = page(app, user, Some(format!("{what}: already taken")), false).await?;
            Ok((StatusCode::CONFLICT, render(&page)).into_response())
        }
        Err(e) => Err(PageError::new(e, user.ui.clone())),
    }
}

#[derive(Deserialize)]
pub struct WorkspaceForm {
    name: String,
    default_region: String,
    default_currency: String,
    /// New users' display defaults; absent ones stay as they are.
    language: Option<String>,
    calendar: Option<String>,
    digits: Option<String>,
    time_zone: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn save_workspace(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(form): Form<WorkspaceForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, Some(&form.csrf))?;
    let patch = WorkspacePatch {
        name: Some(form.name),
        default_region: Some(form.default_region),
        default_currency: Some(form.default_currency),
        user_defaults: Some(UserDefaultsPatch {
            language: form.language,
            calendar: form.calendar,
            digits: form.digits,
            time_zone: form.time_zone,
        }),
        ..Default::default()
    };
    let result = app.update_workspace(&user.session, patch).await;
    outcome(&app, &user, result).await
}

/// Which records each role sees. The owner always sees everything.
pub async fn save_visibility(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, super::field(&fields, "_csrf"))?;
    let mut settings = serde_json::Map::new();
    settings.insert("owner".into(), json!("all"));
    for (role, scope) in fields.iter().filter(|(k, _)| Role::parse(k).is_some()) {
        settings.insert(role.clone(), json!(scope));
    }
    let result = match serde_json::from_value(serde_json::Value::Object(settings)) {
        Ok(visibility) => {
            let patch = WorkspacePatch {
                visibility: Some(visibility),
                ..Default::default()
            };
            app.update_workspace(&user.session, patch).await
        }
        Err(e) => {
            Err(temas_core::FieldErrors::single("visibility", "invalid", e.to_string()).into())
        }
    };
    outcome(&app, &user, result).await
}

/// Declares the fields lists are filtered by, one entry per line (`language`, `custom.tier`, `gender,language`);
/// each new entry builds its index before the page comes back.
pub async fn save_indexed_fields(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, super::field(&fields, "_csrf"))?;
    let lines = |name: &str| -> Vec<String> {
        super::field(&fields, name)
            .unwrap_or_default()
            .lines()
            .map(|l| l.split(',').map(str::trim).collect::<Vec<_>>().join(","))
            .filter(|l| !l.is_empty())
            .collect()
    };
    let patch = WorkspacePatch {
        indexed_fields: Some(temas_store::IndexedFields {
            contacts: lines("contacts"),
            companies: lines("companies"),
        }),
        ..Default::default()
    };
    let result = app.update_workspace(&user.session, patch).await;
    outcome(&app, &user, result).await
}

/// Changes a user's role and team.
pub async fn change_user(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    axum::extract::Path(id): axum::extract::Path<uuid::Uuid>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, super::field(&fields, "_csrf"))?;
    let role = super::field(&fields, "role").unwrap_or_default();
    let result = match Role::parse(role) {
        Some(role) => {
            let patch = temas_service::admin::UserPatch {
                role: Some(role),
                team: Some(super::field(&fields, "team").unwrap_or_default().to_owned()),
            };
            app.change_user(&user.session, temas_core::ids::UserId(id), patch)
                .await
        }
        None => Err(temas_core::FieldErrors::single("role", "invalid_role", "unknown role").into()),
    };
    outcome(&app, &user, result).await
}

#[derive(Deserialize)]
pub struct UserForm {
    email: String,
    password: String,
    role: String,
    #[serde(default)]
    team: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn add_user(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(form): Form<UserForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, Some(&form.csrf))?;
    let result = match Role::parse(&form.role) {
        Some(role) => {
            let team = Some(form.team.as_str()).filter(|t| !t.trim().is_empty());
            app.create_user(&user.session, &form.email, &form.password, role, team)
                .await
        }
        None => Err(temas_core::FieldErrors::single("role", "invalid_role", "unknown role").into()),
    };
    outcome(&app, &user, result).await
}

#[derive(Deserialize)]
pub struct NewFieldForm {
    entity: String,
    key: String,
    label: String,
    kind: String,
    #[serde(default)]
    options: String,
    #[serde(default)]
    required: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

fn options_of(text: &str) -> Vec<String> {
    text.split([',', '،'])
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(str::to_owned)
        .collect()
}

pub async fn add_field(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(form): Form<NewFieldForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, Some(&form.csrf))?;
    let kind: Option<FieldKind> = serde_json::from_value(json!(form.kind)).ok();
    let result = match (Entity::parse(&form.entity), kind) {
        (Some(entity), Some(kind)) => {
            let input = NewCustomField {
                entity,
                key: form.key.trim().to_owned(),
                label: form.label,
                kind,
                required: form.required.is_some(),
                default: None,
                options: options_of(&form.options),
            };
            app.create_custom_field(&user.session, input).await
        }
        _ => {
            Err(temas_core::FieldErrors::single("kind", "invalid", "unknown entity or kind").into())
        }
    };
    outcome(&app, &user, result).await
}

#[derive(Deserialize)]
pub struct FieldForm {
    label: String,
    position: i32,
    #[serde(default)]
    options: String,
    #[serde(default)]
    required: Option<String>,
    #[serde(default)]
    retired: Option<String>,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// Renames, reorders, requires or retires a field, or adds options to it.
pub async fn update_field(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<FieldForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, Some(&form.csrf))?;
    let options = options_of(&form.options);
    let patch = CustomFieldPatch {
        label: Some(form.label),
        position: Some(form.position),
        required: Some(form.required.is_some()),
        retired: Some(form.retired.is_some()),
        options: (!options.is_empty()).then_some(options),
    };
    let result = app
        .update_custom_field(&user.session, CustomFieldId(id), patch)
        .await;
    outcome(&app, &user, result).await
}
