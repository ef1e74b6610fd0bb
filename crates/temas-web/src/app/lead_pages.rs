//! Leads in the web app: the list with a form for a new one, and a lead's page, where it is converted. When the
//! person or company probably exists already, conversion shows the candidates: the rep picks the contact it is,
//! or creates it anyway.

use super::{Fields, PageError, Ui, WebUser, field, render};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use temas_core::FieldErrors;
use temas_core::deal::DealInput;
use temas_core::ids::{CompanyId, ContactId};
use temas_core::lead::{Lead, LeadInput, SOURCES};
use temas_service::AppError;
use temas_service::leads::ConvertLead;
use temas_service::records::{DuplicateCheck, ListParams};
use temas_store::Uuid;

struct LeadRow {
    id: String,
    name: String,
    company: String,
    email: String,
    status: String,
    source: String,
}

#[derive(Template)]
#[template(path = "leads.html")]
struct LeadsPage {
    ui: Ui,
    rows: Vec<LeadRow>,
    sources: &'static [&'static str],
    /// What the new-lead form holds (kept when it was refused) and why it was refused.
    form: Fields,
    errors: Vec<String>,
}

impl LeadsPage {
    fn value(&self, name: &str) -> &str {
        field(&self.form, name).unwrap_or_default()
    }
}

async fn leads_page(
    app: &AppState,
    user: &WebUser,
    form: Fields,
    errors: Vec<String>,
) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("leads");
    let leads = app
        .list::<Lead>(
            &user.session,
            &ListParams {
                sort: Some("-created_at".into()),
                limit: Some(200),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| PageError::new(e, ui.clone()))?
        .items;
    let rows = leads
        .iter()
        .map(|l| LeadRow {
            id: l.id.0.to_string(),
            name: l.data.display_name.clone(),
            company: l.data.company_name.clone().unwrap_or_default(),
            email: l.data.email.clone().unwrap_or_default(),
            status: ui.t_of("lead-status-", &l.data.status),
            source: l
                .data
                .source
                .as_deref()
                .map(|s| ui.t_of("lead-source-", s))
                .unwrap_or_default(),
        })
        .collect();
    Ok(render(&LeadsPage {
        ui,
        rows,
        sources: SOURCES,
        form,
        errors,
    }))
}

pub async fn list(State(app): State<AppState>, user: WebUser) -> Result<Response, PageError> {
    leads_page(&app, &user, Vec::new(), Vec::new()).await
}

fn text(form: &Fields, name: &str) -> Option<String> {
    field(form, name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

pub async fn create(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&form, "_csrf"))?;
    let input = LeadInput {
        first_name: text(&form, "first_name"),
        last_name: text(&form, "last_name"),
        company_name: text(&form, "company_name"),
        email: text(&form, "email"),
        phone: text(&form, "phone"),
        source: text(&form, "source"),
        notes: text(&form, "notes"),
        ..LeadInput::default()
    };
    match app
        .create::<Lead>(&user.session, input, DuplicateCheck::Skip)
        .await
    {
        Ok(lead) => Ok(Redirect::to(&format!("/leads/{}", lead.id.0)).into_response()),
        // A refused lead comes back with everything typed and the reasons.
        Err(AppError::Invalid(errors)) => {
            let reasons = errors
                .0
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect();
            leads_page(&app, &user, form, reasons).await
        }
        Err(e) => Err(PageError::new(e, user.ui.clone())),
    }
}

/// A probable duplicate as the conversion shows it.
struct Candidate {
    id: String,
    name: String,
    percent: u32,
    kind: String,
}

#[derive(Template)]
#[template(path = "lead.html")]
struct LeadPage {
    ui: Ui,
    id: String,
    lead: temas_core::lead::LeadData,
    currency: String,
    candidates: Vec<Candidate>,
    converted: Option<(String, String)>,
    /// The conversion form as last sent (kept when it comes back with candidates).
    form: Fields,
}

impl LeadPage {
    fn value(&self, name: &str) -> &str {
        field(&self.form, name).unwrap_or_default()
    }
}

async fn lead_page(
    app: &AppState,
    user: &WebUser,
    id: Uuid,
    candidates: Vec<Candidate>,
    form: Fields,
) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("leads");
    let lead = app
        .get::<Lead>(&user.session, id)
        .await
        .map_err(|e| PageError::new(e, ui.clone()))?;
    let converted = lead.data.converted.as_ref().map(|c| {
        (
            c.contact_id.0.to_string(),
            c.deal_id.map(|d| d.0.to_string()).unwrap_or_default(),
        )
    });
    Ok(render(&LeadPage {
        id: id.to_string(),
        lead: lead.data,
        currency: user.session.workspace.default_currency.clone(),
        candidates,
        converted,
        form,
        ui,
    }))
}

pub async fn show(
    State(app): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    lead_page(&app, &user, id, Vec::new(), Vec::new()).await
}

pub async fn convert(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&form, "_csrf"))?;
    let fail = |e| PageError::new(e, user.ui.clone());
    let expected_close = match text(&form, "expected_close") {
        Some(d) => Some(user.ui.parse_date(&d).map_err(|reason| {
            fail(FieldErrors::single("expected_close", "invalid_date", reason).into())
        })?),
        None => None,
    };
    let deal = (field(&form, "with_deal") == Some("on")).then(|| DealInput {
        name: text(&form, "deal_name"),
        amount: text(&form, "amount"),
        currency: text(&form, "currency"),
        expected_close,
        ..DealInput::default()
    });
    let request = ConvertLead {
        contact_id: text(&form, "contact_id")
            .and_then(|c| c.parse().ok())
            .map(ContactId),
        company_id: text(&form, "company_id")
            .and_then(|c| c.parse().ok())
            .map(CompanyId),
        create_anyway: field(&form, "create_anyway") == Some("true"),
        deal,
    };
    match app.convert_lead(&user.session, id, request).await {
        Ok(done) => Ok(Redirect::to(&match done.deal {
            Some(d) => format!("/deals/{}", d.id.0),
            None => format!("/contacts/{}", done.contact.id.0),
        })
        .into_response()),
        Err(AppError::ProbableDuplicates(found)) => {
            let candidates = found
                .iter()
                .map(|c| Candidate {
                    id: c.id.to_string(),
                    name: c.record["display_name"]
                        .as_str()
                        .or(c.record["name"].as_str())
                        .unwrap_or_default()
                        .to_owned(),
                    percent: (c.probability * 100.0).round() as u32,
                    kind: if c.record.get("display_name").is_some() {
                        "contact".into()
                    } else {
                        "company".into()
                    },
                })
                .collect();
            lead_page(&app, &user, id, candidates, form).await
        }
        Err(e) => Err(fail(e)),
    }
}
