//! Imports in the web app: upload a file, map its columns with a preview, check it (dry run), commit it and follow
//! its progress, download the rows that failed, roll it back. The work runs as jobs, as through the API.

use super::{Fields, PageError, Ui, WebUser, field, render};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::BTreeMap;
use temas_core::custom::Entity;
use temas_core::import::{Target, all_targets};
use temas_service::AppError;
use temas_service::import_jobs::{ImportView, StartImport};
use temas_store::Uuid;

#[derive(Template)]
#[template(path = "imports.html")]
struct ImportsPage {
    ui: Ui,
    imports: Vec<ImportView>,
    error: Option<String>,
}

/// A field a column can feed, as the mapping menu offers it.
struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "import.html")]
struct ImportPage {
    ui: Ui,
    import: ImportView,
    choices: Vec<Choice>,
    error: Option<String>,
}

impl ImportPage {
    fn has_summary(&self) -> bool {
        self.import.summary.rows > 0
    }

    fn label_of(&self, target: &str) -> String {
        self.choices
            .iter()
            .find(|c| c.value == target)
            .map_or_else(|| target.to_owned(), |c| c.label.clone())
    }
}

#[derive(Template)]
#[template(path = "import_progress.html")]
struct ProgressFragment {
    ui: Ui,
    import: ImportView,
}

/// The label of a field in the user's language.
fn target_label(ui: &Ui, target: &Target, custom: &[(String, String)]) -> String {
    match target {
        Target::Ignore => ui.t("import-ignore"),
        Target::FullName => ui.t("import-full-name"),
        Target::Field(f) => ui.t_of("field-", f),
        Target::BirthDate => ui.t("field-birth_date"),
        Target::Email => ui.t("field-email"),
        Target::Phone(kind) => {
            format!("{} · {}", ui.t("field-phone"), ui.t_of("phone-kind-", kind))
        }
        Target::Company => ui.t("col-company"),
        Target::Tags => ui.t("field-tags"),
        Target::Address(part) => ui.t_of("address-", part),
        // Networks are brand names, the same in every language.
        Target::Handle(network) => match *network {
            "whatsapp" => "WhatsApp".into(),
            "linkedin" => "LinkedIn".into(),
            "vk" => "VK".into(),
            "x" => "X".into(),
            other => {
                let mut c = other.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        },
        Target::Interaction(channel) => format!(
            "{} · {}",
            ui.t("import-interaction"),
            ui.t_of("channel-", channel)
        ),
        Target::Custom(key) => custom
            .iter()
            .find(|(k, _)| k == key)
            .map_or_else(|| key.clone(), |(_, label)| label.clone()),
    }
}

async fn choices(app: &AppState, user: &WebUser) -> Result<Vec<Choice>, AppError> {
    let custom: Vec<(String, String)> = app
        .custom_fields(&user.session)
        .await?
        .into_iter()
        .filter(|d| d.entity == Entity::Contact && !d.retired)
        .map(|d| (d.key, d.label))
        .collect();
    let keys: Vec<String> = custom.iter().map(|(k, _)| k.clone()).collect();
    Ok(all_targets(&keys)
        .into_iter()
        .map(|t| Choice {
            label: target_label(&user.ui, &t, &custom),
            value: String::from(t),
        })
        .collect())
}

async fn list_page(
    app: &AppState,
    user: &WebUser,
    error: Option<String>,
) -> Result<ImportsPage, PageError> {
    let ui = user.ui.clone().in_section("imports");
    let imports = app
        .imports(&user.session)
        .await
        .map_err(|e| PageError::new(e, ui.clone()))?;
    Ok(ImportsPage { ui, imports, error })
}

async fn import_page(
    app: &AppState,
    user: &WebUser,
    id: Uuid,
    error: Option<String>,
) -> Result<ImportPage, PageError> {
    let ui = user.ui.clone().in_section("imports");
    let fail = |e| PageError::new(e, ui.clone());
    let import = app.import(&user.session, id).await.map_err(fail)?;
    let choices = choices(app, user).await.map_err(fail)?;
    Ok(ImportPage {
        ui,
        import,
        choices,
        error,
    })
}

pub async fn list(State(app): State<AppState>, user: WebUser) -> Result<Response, PageError> {
    Ok(render(&list_page(&app, &user, None).await?))
}

/// Takes the upload form (`_csrf`, `sheet`, `file`), keeps the file as a new import and shows its mapping.
pub async fn upload(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    mut form: Multipart,
) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("imports");
    let bad = |e: crate::ApiError| PageError::new(e.0, ui.clone());
    let (mut csrf, mut sheet, mut file) = (String::new(), None, None);
    while let Some(part) = form
        .next_field()
        .await
        .map_err(|e| PageError::new(AppError::Internal(e.body_text()), ui.clone()))?
    {
        match part.name() {
            Some("_csrf") => csrf = part.text().await.unwrap_or_default(),
            Some("sheet") => {
                sheet = Some(part.text().await.unwrap_or_default()).filter(|s| !s.trim().is_empty())
            }
            Some("file") => {
                let name = part.file_name().unwrap_or("upload").to_owned();
                let kept = crate::imports_api::receive_field(part).await.map_err(bad)?;
                file = Some((name, kept));
            }
            _ => {}
        }
    }
    user.check_csrf(&headers, Some(&csrf))?;
    let Some((name, kept)) =
        file.filter(|(_, f)| f.as_file().metadata().is_ok_and(|m| m.len() > 0))
    else {
        let page = list_page(&app, &user, Some(ui.t("import-choose-file"))).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
    };
    match app
        .upload_import(&user.session, &name, sheet.as_deref(), kept.path())
        .await
    {
        Ok(view) => Ok(Redirect::to(&format!("/imports/{}", view.id)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = list_page(&app, &user, Some(errors.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(PageError::new(e, ui)),
    }
}

pub async fn show(
    State(app): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    Ok(render(&import_page(&app, &user, id, None).await?))
}

/// The progress line, polled while a job runs; once it has finished, the browser reloads the whole page.
pub async fn progress(
    State(app): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let ui = user.ui.clone();
    let import = app
        .import(&user.session, id)
        .await
        .map_err(|e| PageError::new(e, ui.clone()))?;
    if !import.is_active() {
        return Ok(([("hx-refresh", "true")], StatusCode::OK).into_response());
    }
    Ok(render(&ProgressFragment { ui, import }))
}

/// Runs the import with the mapping as chosen (`col-N` per column) and the key to match on.
pub async fn run(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    let ui = user.ui.clone();
    let import = app
        .import(&user.session, id)
        .await
        .map_err(|e| PageError::new(e, ui.clone()))?;
    let mapping: BTreeMap<String, String> = import
        .job
        .headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| Some((h.clone(), field(&fields, &format!("col-{i}"))?.to_owned())))
        .collect();
    let start = StartImport {
        mapping,
        match_on: field(&fields, "match_on").map(str::to_owned),
        dry_run: field(&fields, "dry_run") == Some("1"),
    };
    match app.start_import(&user.session, id, start).await {
        Ok(_) => Ok(Redirect::to(&format!("/imports/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = import_page(&app, &user, id, Some(errors.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(PageError::new(e, ui)),
    }
}

pub async fn rollback(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    match app.request_rollback(&user.session, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/imports/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = import_page(&app, &user, id, Some(errors.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(PageError::new(e, user.ui.clone())),
    }
}

/// The error report, to fix in a spreadsheet and import again.
pub async fn errors(
    State(app): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let mut report: Vec<u8> = Vec::new();
    app.write_import_errors(&user.session, id, &mut report)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"import-{id}.errors.csv\""),
            ),
        ],
        report,
    )
        .into_response())
}
