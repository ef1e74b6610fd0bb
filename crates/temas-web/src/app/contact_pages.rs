//! Contacts: the card with its timeline and history, logging an interaction, and search as you type.

use super::{PageError, Ui, WebUser, fragment, is_htmx, render};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use temas_core::contact::{Company, Contact};
use temas_core::interaction::{CHANNELS, DIRECTIONS, Interaction, InteractionInput};
use temas_store::{TimelineOf, Uuid};

/// An email, phone or handle with the link that acts on it.
pub(super) struct PointView {
    pub value: String,
    pub href: String,
    pub kind: String,
    pub primary: bool,
    pub opted_out: bool,
}

/// Where a messenger or social handle opens.
fn handle_href(network: &str, value: &str) -> String {
    let bare = value.trim().trim_start_matches('@');
    let digits: String = bare.chars().filter(char::is_ascii_digit).collect();
    match network.to_lowercase().as_str() {
        "telegram" => format!("https://t.me/{bare}"),
        "whatsapp" => format!("https://wa.me/{digits}"),
        "instagram" => format!("https://instagram.com/{bare}"),
        "linkedin" if bare.starts_with("http") => bare.to_owned(),
        "linkedin" => format!("https://www.linkedin.com/in/{bare}"),
        "x" | "twitter" => format!("https://x.com/{bare}"),
        "vk" => format!("https://vk.com/{bare}"),
        "skype" => format!("skype:{bare}?chat"),
        _ if bare.starts_with("https://") => bare.to_owned(),
        _ => String::new(),
    }
}

pub(super) fn points(
    data: &temas_core::points::ContactPoints,
) -> (Vec<PointView>, Vec<PointView>, Vec<PointView>, Vec<String>) {
    let emails = data
        .emails
        .iter()
        .map(|e| PointView {
            value: e.address.clone(),
            href: format!("mailto:{}", e.address),
            kind: e.kind.clone(),
            primary: e.primary,
            opted_out: e.opted_out,
        })
        .collect();
    let phones = data
        .phones
        .iter()
        .map(|p| PointView {
            value: p.number.clone(),
            href: format!("tel:{}", p.e164),
            kind: p.kind.clone(),
            primary: p.primary,
            opted_out: p.opted_out,
        })
        .collect();
    let handles = data
        .handles
        .iter()
        .map(|h| PointView {
            value: h.value.clone(),
            href: handle_href(&h.network, &h.value),
            kind: h.network.clone(),
            primary: false,
            opted_out: false,
        })
        .collect();
    let addresses = data
        .addresses
        .iter()
        .map(|a| {
            [&a.street, &a.city, &a.region, &a.postal_code, &a.country]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    (emails, phones, handles, addresses)
}

/// A stored value as people read it: lists joined, an email or phone by its address or number.
pub(super) fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join(", "),
        Value::Object(map) => ["address", "number", "value", "city", "company_id"]
            .iter()
            .find_map(|k| map.get(*k).and_then(Value::as_str))
            .map_or_else(|| v.to_string(), str::to_owned),
        other => other.to_string(),
    }
}

/// An interaction on a timeline.
pub(super) struct InteractionView {
    pub channel: String,
    pub channel_label: String,
    pub direction: String,
    pub when: String,
    pub subject: String,
    pub body: String,
    pub outcome: String,
}

impl InteractionView {
    pub(super) fn of(i: &Interaction, ui: &Ui) -> Self {
        let d = &i.data;
        Self {
            channel: d.channel.clone(),
            channel_label: ui.t(&format!("channel-{}", d.channel)),
            direction: ui.t(&format!("direction-{}", d.direction)),
            when: ui.instant(&d.occurred_at),
            subject: d.subject.clone().unwrap_or_default(),
            body: d.body.clone().unwrap_or_default(),
            outcome: d.outcome.clone().unwrap_or_default(),
        }
    }
}

/// A change history line.
pub(super) struct HistoryView {
    pub when: String,
    pub what: String,
    pub changes: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "timeline.html")]
struct TimelinePartial {
    ui: Ui,
    id: String,
    channel: String,
    items: Vec<InteractionView>,
    channels: &'static [&'static str],
}

#[derive(Template)]
#[template(path = "contact.html")]
struct ContactCard {
    ui: Ui,
    id: String,
    name: String,
    job_title: String,
    tags: Vec<String>,
    emails: Vec<PointView>,
    phones: Vec<PointView>,
    handles: Vec<PointView>,
    addresses: Vec<String>,
    details: Vec<(String, String)>,
    custom: Vec<(String, String)>,
    companies: Vec<(String, String, String)>,
    timeline_html: String,
    sales_html: String,
    history: Vec<HistoryView>,
    channels: &'static [&'static str],
    directions: &'static [&'static str],
    created: String,
    updated: String,
}

#[derive(Deserialize, Default)]
pub struct ChannelParam {
    #[serde(default)]
    channel: String,
}

async fn timeline_items(
    app: &AppState,
    user: &WebUser,
    id: Uuid,
    channel: &str,
) -> Result<Vec<InteractionView>, PageError> {
    // An unknown channel shows everything rather than nothing.
    let channel = CHANNELS.contains(&channel).then_some(channel);
    let page = app
        .timeline(&user.session, TimelineOf::Contact(id), channel, None, 50)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    Ok(page
        .items
        .iter()
        .map(|i| InteractionView::of(i, &user.ui))
        .collect())
}

pub async fn card(
    State(app): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Query(q): Query<ChannelParam>,
) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("contacts");
    let fail = |e| PageError::new(e, ui.clone());
    let contact = app.get::<Contact>(&user.session, id).await.map_err(fail)?;
    let d = &contact.data;
    let (emails, phones, handles, addresses) = points(&d.points);
    let mut details = Vec::new();
    if let Some(b) = &d.birth_date {
        details.push((ui.t("field-birth_date"), ui.date(b)));
    }
    for (key, value) in [
        ("gender", &d.gender),
        ("language", &d.language),
        ("time_zone", &d.time_zone),
        ("source", &d.source),
        ("notes", &d.notes),
    ] {
        if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
            let shown = if key == "gender" {
                ui.t_of("choice-", v)
            } else {
                v.clone()
            };
            details.push((ui.t(&format!("field-{key}")), shown));
        }
    }
    let defs = app.custom_fields(&user.session).await.map_err(fail)?;
    let custom = defs
        .iter()
        .filter(|def| def.entity == temas_core::custom::Entity::Contact)
        .filter_map(|def| Some((def.label.clone(), value_text(d.custom.get(&def.key)?))))
        .collect();
    let mut companies = Vec::new();
    for link in &d.companies {
        // A linked company the user may not see is left out rather than failing the card.
        if let Ok(c) = app.get::<Company>(&user.session, link.company_id.0).await {
            companies.push((
                c.id.0.to_string(),
                c.data.name,
                ui.t_of("buying-", &link.role),
            ));
        }
    }
    let history = app
        .history::<Contact>(&user.session, id, None, 50)
        .await
        .map_err(fail)?
        .into_iter()
        .map(|h| HistoryView {
            when: ui.instant(&h.at),
            what: match h.action.as_str() {
                "create" => ui.t("history-created"),
                "delete" => ui.t("history-deleted"),
                "restore" => ui.t("history-restored"),
                _ => h
                    .changes
                    .iter()
                    .map(|c| c.field.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            changes: h
                .changes
                .iter()
                .map(|c| (c.field.clone(), value_text(&c.old), value_text(&c.new)))
                .collect(),
        })
        .collect();
    let items = timeline_items(&app, &user, id, &q.channel).await?;
    let sales_html = super::order_pages::panel(&app, &user, id).await?;
    Ok(render(&ContactCard {
        sales_html,
        id: id.to_string(),
        name: d.display_name.clone(),
        job_title: d.job_title.clone().unwrap_or_default(),
        tags: d.tags.clone(),
        emails,
        phones,
        handles,
        addresses,
        details,
        custom,
        companies,
        timeline_html: fragment(&TimelinePartial {
            ui: ui.clone(),
            id: id.to_string(),
            channel: q.channel,
            items,
            channels: CHANNELS,
        }),
        channels: CHANNELS,
        directions: DIRECTIONS,
        history,
        created: ui.tr.t_with(
            "card-created",
            "when",
            &ui.instant(&contact.meta.created_at),
        ),
        updated: ui.tr.t_with(
            "card-updated",
            "when",
            &ui.instant(&contact.meta.updated_at),
        ),
        ui,
    }))
}

/// The timeline alone, for the channel filter's partial update.
pub async fn timeline(
    State(app): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Query(q): Query<ChannelParam>,
) -> Result<Response, PageError> {
    let items = timeline_items(&app, &user, id, &q.channel).await?;
    Ok(render(&TimelinePartial {
        ui: user.ui.clone(),
        id: id.to_string(),
        channel: q.channel,
        items,
        channels: CHANNELS,
    }))
}

#[derive(Deserialize)]
pub struct LogForm {
    channel: String,
    #[serde(default)]
    direction: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    outcome: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

fn non_empty(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// Logs a call, meeting, message or note against the contact (and their first company), then shows the
/// timeline again.
pub async fn log_interaction(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<LogForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, Some(&form.csrf))?;
    let fail = |e| PageError::new(e, user.ui.clone());
    let contact = app.get::<Contact>(&user.session, id).await.map_err(fail)?;
    let input = InteractionInput {
        channel: Some(form.channel),
        direction: non_empty(form.direction),
        subject: non_empty(form.subject),
        body: non_empty(form.body),
        outcome: non_empty(form.outcome),
        contact_ids: vec![contact.id],
        company_id: contact.data.companies.first().map(|l| l.company_id),
        ..Default::default()
    };
    app.create::<Interaction>(
        &user.session,
        input,
        temas_service::records::DuplicateCheck::Skip,
    )
    .await
    .map_err(fail)?;
    if is_htmx(&headers) {
        let items = timeline_items(&app, &user, id, "").await?;
        return Ok(render(&TimelinePartial {
            ui: user.ui.clone(),
            id: id.to_string(),
            channel: String::new(),
            items,
            channels: CHANNELS,
        }));
    }
    Ok(Redirect::to(&format!("/contacts/{id}")).into_response())
}

#[derive(Template)]
#[template(path = "search_results.html")]
struct SearchResults {
    ui: Ui,
    query: String,
    hits: Vec<(String, String, String, String)>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    ui: Ui,
    query: String,
    results_html: String,
}

#[derive(Deserialize, Default)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
}

/// Search as you type: the htmx box asks for the results fragment; without JavaScript it is a page.
pub async fn search(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Query(form): Query<SearchForm>,
) -> Result<Response, PageError> {
    let hits = app
        .search(&user.session, &form.q, 12)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    let hits = hits
        .into_iter()
        .map(|h| {
            let (href, kind) = match h.entity {
                "company" => (format!("/companies/{}", h.id), user.ui.t("search-company")),
                _ => (format!("/contacts/{}", h.id), user.ui.t("search-contact")),
            };
            (href, h.name, h.detail.unwrap_or_default(), kind)
        })
        .collect();
    let results = SearchResults {
        ui: user.ui.clone(),
        query: form.q.clone(),
        hits,
    };
    if is_htmx(&headers) {
        return Ok(render(&results));
    }
    Ok(render(&SearchPage {
        ui: user.ui.clone(),
        query: form.q,
        results_html: fragment(&results),
    }))
}
