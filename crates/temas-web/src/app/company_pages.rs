//! Companies: the list, and the card with its people and their timeline.

use super::contact_pages::{
    ContactRow, InteractionView, ListForm, PointView, list_params, next_link, points,
};
use super::{PageError, Ui, WebUser, fragment, is_htmx, render};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use temas_core::contact::{Company, Contact};
use temas_service::records::ListParams;
use temas_store::{TimelineOf, Uuid};

pub(super) struct CompanyRow {
    pub id: String,
    pub name: String,
    pub domain: String,
    pub industry: String,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "companies_list.html")]
struct CompaniesList {
    ui: Ui,
    rows: Vec<CompanyRow>,
    next: Option<String>,
    error: Option<String>,
}

#[derive(Template)]
#[template(path = "companies.html")]
struct CompaniesPage {
    ui: Ui,
    base: &'static str,
    filter: String,
    sort: String,
    list_html: String,
    /// The shared toolbar asks; companies have no trash view yet.
    trash: bool,
}

pub async fn list(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Query(form): Query<ListForm>,
) -> Response {
    let ui = user.ui.clone().in_section("companies");
    let (rows, next, error) = match app
        .list::<Company>(&user.session, &list_params(&form, 50))
        .await
    {
        Ok(page) => (
            page.items
                .iter()
                .map(|c| CompanyRow {
                    id: c.id.0.to_string(),
                    name: c.data.name.clone(),
                    domain: c.data.domain.clone().unwrap_or_default(),
                    industry: c.data.industry.clone().unwrap_or_default(),
                    updated: ui.instant(&c.meta.updated_at),
                })
                .collect(),
            next_link("/companies", &form, page.next_cursor),
            None,
        ),
        Err(temas_service::AppError::Invalid(e)) => (Vec::new(), None, Some(e.to_string())),
        Err(e) => return PageError::new(e, ui).into_response(),
    };
    let list = CompaniesList {
        ui: ui.clone(),
        rows,
        next,
        error,
    };
    if is_htmx(&headers) {
        return render(&list);
    }
    render(&CompaniesPage {
        ui,
        base: "/companies",
        filter: form.filter.clone(),
        sort: form.sort.clone(),
        list_html: fragment(&list),
        trash: false,
    })
}

#[derive(Template)]
#[template(path = "company.html")]
struct CompanyCard {
    ui: Ui,
    name: String,
    details: Vec<(String, String)>,
    tags: Vec<String>,
    emails: Vec<PointView>,
    phones: Vec<PointView>,
    handles: Vec<PointView>,
    addresses: Vec<String>,
    people: Vec<ContactRow>,
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
        .map(|c| ContactRow::of(c, &ui))
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
