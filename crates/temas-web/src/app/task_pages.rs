//! The user's day: open tasks due by tonight (overdue first) with a button to mark each done, a form for a new
//! one, the follow-up rules to run, and the count the navigation shows as a notification.

use super::{Fields, PageError, Ui, WebUser, field, render};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;
use temas_core::FieldErrors;
use temas_core::task::{Task, TaskInput};
use temas_service::records::DuplicateCheck;
use temas_store::Uuid;

struct TaskView {
    id: String,
    title: String,
    kind: String,
    due: String,
    overdue: bool,
    link: String,
}

#[derive(Template)]
#[template(path = "my_day.html")]
struct DayPage {
    ui: Ui,
    tasks: Vec<TaskView>,
    can_run_rules: bool,
    ran: String,
}

async fn day_page(app: &AppState, user: &WebUser, ran: String) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("my-day");
    let now = temas_core::time::now();
    let tasks = app
        .my_day(&user.session)
        .await
        .map_err(|e| PageError::new(e, ui.clone()))?
        .iter()
        .map(|t| TaskView {
            id: t.id.0.to_string(),
            title: t.data.title.clone(),
            kind: ui.t_of("task-kind-", &t.data.kind),
            due: t
                .data
                .due_at
                .as_ref()
                .map(|d| ui.instant(d))
                .unwrap_or_default(),
            overdue: t.data.due_at.is_some_and(|d| d < now),
            link: t
                .data
                .related
                .as_ref()
                .and_then(|r| page_of(&r.kind).map(|base| format!("{base}/{}", r.id)))
                .unwrap_or_default(),
        })
        .collect();
    Ok(render(&DayPage {
        can_run_rules: user.session.user.role.can_manage_catalogue(),
        tasks,
        ran,
        ui,
    }))
}

/// The web app's page for a record a task is about, where there is one.
fn page_of(kind: &str) -> Option<&'static str> {
    match kind {
        "contact" => Some("/contacts"),
        "company" => Some("/companies"),
        "deal" => Some("/deals"),
        "lead" => Some("/leads"),
        _ => None,
    }
}

pub async fn show(State(app): State<AppState>, user: WebUser) -> Result<Response, PageError> {
    day_page(&app, &user, String::new()).await
}

/// How many tasks the user has due today: the badge beside "My day", refreshed by htmx.
pub async fn count(State(app): State<AppState>, user: WebUser) -> Response {
    match app.my_day(&user.session).await {
        Ok(tasks) if !tasks.is_empty() => Html(format!(
            "<span class=\"badge\" aria-label=\"{}\">{}</span>",
            user.ui.count("my-day-due", "count", tasks.len()),
            user.ui.number(tasks.len())
        ))
        .into_response(),
        _ => Html(String::new()).into_response(),
    }
}

pub async fn create(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&form, "_csrf"))?;
    let fail = |e| PageError::new(e, user.ui.clone());
    let due_at = match field(&form, "due").map(str::trim).filter(|d| !d.is_empty()) {
        Some(d) => Some(user.ui.parse_date(d).map_err(|reason| {
            fail(FieldErrors::single("due_at", "invalid_date", reason).into())
        })?),
        None => None,
    };
    let input = TaskInput {
        title: field(&form, "title").map(str::to_owned),
        due_at: due_at.map(|d| user.ui.local_time(d, 9)),
        ..TaskInput::default()
    };
    app.create::<Task>(&user.session, input, DuplicateCheck::Skip)
        .await
        .map_err(fail)?;
    Ok(Redirect::to("/my-day").into_response())
}

pub async fn done(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&form, "_csrf"))?;
    app.patch::<Task>(&user.session, id, &json!({"status": "done"}), None)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    Ok(Redirect::to("/my-day").into_response())
}

pub async fn run_rules(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&form, "_csrf"))?;
    let run = app
        .run_follow_ups(&user.session)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    let made = run.no_contact + run.deal_stuck + run.birthday;
    day_page(
        &app,
        &user,
        user.ui.count("my-day-rules-made", "count", made),
    )
    .await
}
