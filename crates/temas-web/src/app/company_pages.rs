//! Companies: the card with its people and their timeline.

use super::contact_pages::{InteractionView, PointView, points};
use super::{PageError, Ui, WebUser, render};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use temas_core::contact::{Company, Contact};
use temas_service::records::ListParams;
use temas_store::{TimelineOf, Uuid};

/// A person on a company card: their job and their role in the company's buying decisions.
struct Person {
    id: String,
    name: String,
    job_title: String,
    role: String,
}

#[derive(Template)]
#[template(path = "company.html")]
struct CompanyCard {
    ui: Ui,
    id: Uuid,
    name: String,
    details: Vec<(String, String)>,
    tags: Vec<String>,
    emails: Vec<PointView>,
    phones: Vec<PointView>,
    handles: Vec<PointView>,
    addresses: Vec<String>,
    people: Vec<Person>,
    items: Vec<InteractionView>,
}

pub async fn card(
    State(app): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("companies");
    let fail = |e| PageError::new(e, ui.clone());
    let company = app.get::<Company>(&user.session, id).await.map_err(fail)?;
    let d = &company.data;
    let (emails, phones, handles, addresses) = points(&d.points);
    let details = [
        ("domain", &d.domain),
        ("industry", &d.industry),
        ("size", &d.size),
        ("notes", &d.notes),
    ]
    .into_iter()
    .filter_map(|(k, v)| {
        Some((
            ui.t(&format!("field-{k}")),
            v.clone().filter(|v| !v.is_empty())?,
        ))
    })
    .collect();
    let people = app
        .list::<Contact>(
            &user.session,
            &ListParams {
                filters: vec![format!("company_id:eq:{id}")],
                sort: Some("name".into()),
                limit: Some(100),
                ..Default::default()
            },
        )
        .await
        .map_err(fail)?
        .items
        .iter()
        .map(|c| Person {
            id: c.id.0.to_string(),
            name: c.data.display_name.clone(),
            job_title: c.data.job_title.clone().unwrap_or_default(),
            role: c
                .data
                .companies
                .iter()
                .find(|l| l.company_id.0 == id)
                .map(|l| ui.t_of("buying-", &l.role))
                .unwrap_or_default(),
        })
        .collect();
    let items = app
        .timeline(&user.session, TimelineOf::Company(id), None, None, 50)
        .await
        .map_err(fail)?
        .items
        .iter()
        .map(|i| InteractionView::of(i, &ui))
        .collect();
    Ok(render(&CompanyCard {
        id,
        name: d.name.clone(),
        details,
        tags: d.tags.clone(),
        emails,
        phones,
        handles,
        addresses,
        people,
        items,
        ui,
    }))
}
