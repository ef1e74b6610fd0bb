//! Deals in the web app: the board of a pipeline (a column per stage; a card is dragged, or moved with its
//! stage menu, to another), the list of every deal, a deal's page with its stage history and outcome, and the
//! forecast.

use super::{Fields, PageError, Ui, WebUser, field, render};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use temas_core::deal::{Deal, DealInput};
use temas_core::forecast::Forecast;
use temas_core::ids::PipelineId;
use temas_core::pipeline::PipelineData;
use temas_service::deals::ForecastQuery;
use temas_service::records::{DuplicateCheck, ListParams};
use temas_store::Uuid;

/// A deal as a card or a row shows it.
#[derive(Clone)]
pub(crate) struct DealView {
    pub id: String,
    pub name: String,
    pub stage: String,
    pub stage_name: String,
    pub status: String,
    pub amount: String,
    pub probability: u8,
    pub expected_close: String,
}

impl DealView {
    fn of(deal: &Deal, pipeline: Option<&PipelineData>, ui: &Ui) -> Self {
        let d = &deal.data;
        DealView {
            id: deal.id.0.to_string(),
            name: d.name.clone(),
            stage: d.stage.clone(),
            stage_name: pipeline
                .and_then(|p| p.stage(&d.stage))
                .map(|s| s.name.clone())
                .unwrap_or_else(|| d.stage.clone()),
            status: d.status.clone(),
            amount: match (&d.amount, &d.currency) {
                (Some(a), Some(c)) => format!("{} {c}", ui.number(a)),
                _ => String::new(),
            },
            probability: d.probability,
            expected_close: d
                .expected_close
                .as_ref()
                .map(|e| ui.date(e))
                .unwrap_or_default(),
        }
    }
}

struct Column {
    key: String,
    name: String,
    probability: u8,
    deals: Vec<DealView>,
}

#[derive(Template)]
#[template(path = "deals.html")]
struct BoardPage {
    ui: Ui,
    pipelines: Vec<(String, String)>,
    pipeline: String,
    list: bool,
    columns: Vec<Column>,
    rows: Vec<DealView>,
    currency: String,
}

#[derive(Deserialize, Default)]
pub struct BoardParams {
    pipeline: Option<Uuid>,
    view: Option<String>,
}

pub async fn board(
    State(app): State<AppState>,
    user: WebUser,
    Query(q): Query<BoardParams>,
) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("deals");
    let fail = |e| PageError::new(e, ui.clone());
    let pipelines = app.pipelines(&user.session).await.map_err(fail)?;
    let chosen = q
        .pipeline
        .and_then(|id| pipelines.iter().find(|(p, _)| p.0 == id))
        .or(pipelines.first());
    let list = q.view.as_deref() == Some("list");
    let mut filters = Vec::new();
    if let Some((id, _)) = chosen {
        filters.push(format!("pipeline_id:eq:{}", id.0));
    }
    if !list {
        filters.push("status:eq:open".to_owned());
    }
    let deals = app
        .list::<Deal>(
            &user.session,
            &ListParams {
                filters,
                sort: Some("name".into()),
                limit: Some(500),
                ..Default::default()
            },
        )
        .await
        .map_err(fail)?
        .items;
    let pipeline = chosen.map(|(_, p)| p);
    let views: Vec<DealView> = deals
        .iter()
        .map(|d| DealView::of(d, pipeline, &ui))
        .collect();
    let columns = pipeline
        .map(|p| {
            p.stages
                .iter()
                .map(|s| Column {
                    key: s.key.clone(),
                    name: s.name.clone(),
                    probability: s.probability,
                    deals: views.iter().filter(|d| d.stage == s.key).cloned().collect(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(render(&BoardPage {
        pipelines: pipelines
            .iter()
            .map(|(id, p)| (id.0.to_string(), p.name.clone()))
            .collect(),
        pipeline: chosen.map(|(id, _)| id.0.to_string()).unwrap_or_default(),
        list,
        columns,
        rows: views,
        currency: user.session.workspace.default_currency.clone(),
        ui,
    }))
}

/// Creates a deal from the board's form, in the pipeline shown and its first stage.
pub async fn create(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&form, "_csrf"))?;
    let fail = |e| PageError::new(e, user.ui.clone());
    let text = |name| {
        field(&form, name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let expected_close = match text("expected_close") {
        Some(d) => Some(user.ui.parse_date(&d).map_err(|reason| {
            fail(temas_core::FieldErrors::single("expected_close", "invalid_date", reason).into())
        })?),
        None => None,
    };
    let input = DealInput {
        name: text("name"),
        pipeline_id: text("pipeline_id")
            .and_then(|p| p.parse().ok())
            .map(PipelineId),
        amount: text("amount"),
        currency: text("currency"),
        expected_close,
        ..DealInput::default()
    };
    let deal = app
        .create::<Deal>(&user.session, input, DuplicateCheck::Skip)
        .await
        .map_err(fail)?;
    Ok(Redirect::to(&format!("/deals/{}", deal.id.0)).into_response())
}

#[derive(Template)]
#[template(path = "deal.html")]
struct DealPage {
    ui: Ui,
    deal: DealView,
    pipeline_name: String,
    stages: Vec<(String, String)>,
    close_reason: String,
    closed: String,
    changes: Vec<(String, String, String)>,
    contacts: Vec<(String, String)>,
}

pub async fn show(
    State(app): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("deals");
    let fail = |e| PageError::new(e, ui.clone());
    let deal = app.get::<Deal>(&user.session, id).await.map_err(fail)?;
    let pipelines = app.pipelines(&user.session).await.map_err(fail)?;
    let pipeline = pipelines
        .iter()
        .find(|(p, _)| Some(*p) == deal.data.pipeline_id)
        .map(|(_, p)| p);
    let stage_name = |key: &str| {
        pipeline
            .and_then(|p| p.stage(key))
            .map(|s| s.name.clone())
            .unwrap_or_else(|| key.to_owned())
    };
    let mut contacts = Vec::new();
    for c in &deal.data.contacts {
        if let Ok(found) = app
            .get::<temas_core::contact::Contact>(&user.session, c.contact_id.0)
            .await
        {
            contacts.push((found.id.0.to_string(), found.data.display_name));
        }
    }
    Ok(render(&DealPage {
        deal: DealView::of(&deal, pipeline, &ui),
        pipeline_name: pipeline.map(|p| p.name.clone()).unwrap_or_default(),
        stages: pipeline
            .map(|p| {
                p.stages
                    .iter()
                    .map(|s| (s.key.clone(), s.name.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        close_reason: deal.data.close_reason.clone().unwrap_or_default(),
        closed: deal
            .data
            .closed_at
            .as_ref()
            .map(|t| ui.instant(t))
            .unwrap_or_default(),
        changes: deal
            .data
            .stage_changes
            .iter()
            .rev()
            .map(|c| {
                (
                    ui.instant(&c.at),
                    c.from.as_deref().map(stage_name).unwrap_or_default(),
                    stage_name(&c.to),
                )
            })
            .collect(),
        contacts,
        ui,
    }))
}

/// Moves a deal to a stage (the board's drag and drop and its menus post here), or closes it as won or lost.
pub async fn change(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&form, "_csrf"))?;
    let fail = |e| PageError::new(e, user.ui.clone());
    let mut patch = serde_json::Map::new();
    for name in ["stage", "status", "close_reason"] {
        if let Some(v) = field(&form, name) {
            patch.insert(name.to_owned(), json!(v));
        }
    }
    app.patch::<Deal>(&user.session, id, &Value::Object(patch), None)
        .await
        .map_err(fail)?;
    let back = field(&form, "back")
        .filter(|b| b.starts_with("/deals"))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("/deals/{id}"));
    Ok(Redirect::to(&back).into_response())
}

#[derive(Template)]
#[template(path = "forecast.html")]
struct ForecastPage {
    ui: Ui,
    forecast: Forecast,
    owners: Vec<(String, temas_core::forecast::ForecastLine)>,
}

pub async fn forecast(State(app): State<AppState>, user: WebUser) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("forecast");
    let fail = |e| PageError::new(e, ui.clone());
    let forecast = app
        .forecast(&user.session, &ForecastQuery::default())
        .await
        .map_err(fail)?;
    let (users, _) = app.users(&user.session).await.map_err(fail)?;
    let owners = forecast
        .owners
        .iter()
        .map(|line| {
            let name = line
                .owner_id
                .flatten()
                .and_then(|o| users.iter().find(|u| u.id == o))
                .map(|u| {
                    if u.name.is_empty() {
                        u.email.clone()
                    } else {
                        u.name.clone()
                    }
                })
                .unwrap_or_else(|| ui.t("forecast-unassigned"));
            (name, line.clone())
        })
        .collect();
    Ok(render(&ForecastPage {
        forecast,
        owners,
        ui,
    }))
}
