//! The data quality page: the report, each figure a link to the list of the contacts behind it.

use super::{PageError, Ui, WebUser, render, urlencode};
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use temas_core::custom::Entity;
use temas_service::quality::{QualityLine, QualityReport};

/// A line as the page shows it.
struct Row {
    label: String,
    line: QualityLine,
    link: String,
}

#[derive(Template)]
#[template(path = "quality.html")]
struct QualityPage {
    ui: Ui,
    report: QualityReport,
    months: u32,
    fields: Vec<Row>,
    problems: Vec<Row>,
}

#[derive(Deserialize)]
pub struct Params {
    months: Option<u32>,
}

pub async fn show(
    State(app): State<AppState>,
    user: WebUser,
    Query(q): Query<Params>,
) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("quality");
    let fail = |e| PageError::new(e, ui.clone());
    let months = q.months.unwrap_or(12);
    let report = app
        .data_quality(&user.session, months)
        .await
        .map_err(fail)?;
    let custom: Vec<(String, String)> = app
        .custom_fields(&user.session)
        .await
        .map_err(fail)?
        .into_iter()
        .filter(|d| d.entity == Entity::Contact)
        .map(|d| (format!("custom.{}", d.key), d.label))
        .collect();
    let label = |check: &str| match check {
        "company" => ui.t("col-company"),
        "tags" => ui.t("field-tags"),
        "stale" => ui.tr.t_with("quality-stale", "months", &months.to_string()),
        c if c.starts_with("custom.") => custom
            .iter()
            .find(|(k, _)| k == c)
            .map_or_else(|| c.to_owned(), |(_, l)| l.clone()),
        c => match report.problems.iter().any(|p| p.check == c) {
            true => ui.t_of("quality-", c),
            false => ui.t_of("field-", c),
        },
    };
    let row = |line: &QualityLine| Row {
        label: label(&line.check),
        link: format!("/contacts?filter={}", urlencode(&line.filter)),
        line: line.clone(),
    };
    let fields = report.fields.iter().map(row).collect();
    let problems = report.problems.iter().map(row).collect();
    Ok(render(&QualityPage {
        ui,
        report,
        months,
        fields,
        problems,
    }))
}
