//! A contact's purchases on their card: the numbers from their orders, the orders with a way to take back part
//! of a line (with the reason) and to record and settle problems with a line, and a form to record a new order.

use super::{Fields, PageError, Ui, WebUser, field, fragment};
use crate::AppState;
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};
use temas_core::FieldErrors;
use temas_core::contact::Contact;
use temas_core::line_problem::{LineProblemInput, PROBLEM_KINDS, RESOLUTIONS};
use temas_core::metrics::CustomerMetrics;
use temas_core::order::{Order, OrderInput, OrderLineInput, PURCHASED, STATUSES};
use temas_service::records::{DuplicateCheck, ListParams};
use temas_store::Uuid;

/// How many line rows the new-order form offers.
const FORM_LINES: usize = 3;

struct LineView {
    index: usize,
    description: String,
    quantity: String,
    total: String,
    returned: String,
    problems: Vec<ProblemView>,
}

struct ProblemView {
    index: usize,
    kind: String,
    description: String,
    open: bool,
    resolution: String,
}

struct OrderView {
    id: String,
    when: String,
    status: String,
    total: String,
    returnable: bool,
    open_problems: usize,
    lines: Vec<LineView>,
    files: Vec<FileView>,
}

struct FileView {
    id: String,
    name: String,
    size: String,
}

#[derive(Template)]
#[template(path = "contact_sales.html")]
struct SalesPanel {
    ui: Ui,
    id: String,
    metrics: CustomerMetrics,
    last_order: String,
    last_contact: String,
    orders: Vec<OrderView>,
    statuses: &'static [&'static str],
    currency: String,
    form_lines: usize,
    problem_kinds: &'static [&'static str],
    resolutions: &'static [&'static str],
}

/// The purchases panel of a contact's card.
pub(crate) async fn panel(app: &AppState, user: &WebUser, id: Uuid) -> Result<String, PageError> {
    let ui = &user.ui;
    let fail = |e| PageError::new(e, ui.clone());
    let metrics = app
        .contact_card(&user.session, id, false)
        .await
        .map_err(fail)?
        .metrics
        .unwrap_or_default();
    let orders = app
        .list::<Order>(
            &user.session,
            &ListParams {
                filters: vec![format!("contact_id:eq:{id}")],
                sort: Some("-created_at".into()),
                limit: Some(20),
                ..Default::default()
            },
        )
        .await
        .map_err(fail)?
        .items
        .iter()
        .map(|o| OrderView {
            id: o.id.0.to_string(),
            when: ui.instant(&o.data.ordered_at),
            status: ui.t_of("order-status-", &o.data.status),
            total: format!("{} {}", ui.number(&o.data.total), o.data.currency),
            returnable: PURCHASED.contains(&o.data.status.as_str()),
            open_problems: o.data.open_problems,
            files: o
                .data
                .attachments
                .iter()
                .map(|a| FileView {
                    id: a.id.to_string(),
                    name: a.file_name.clone(),
                    size: format!("{} KB", ui.number(a.size.div_ceil(1024))),
                })
                .collect(),
            lines: o
                .data
                .lines
                .iter()
                .enumerate()
                .map(|(index, l)| LineView {
                    index,
                    description: l.description.clone().unwrap_or_default(),
                    quantity: ui.number(&l.quantity),
                    total: ui.number(&l.total),
                    returned: l
                        .returned_quantity
                        .as_ref()
                        .map(|q| {
                            let reason = l.return_reason.clone().unwrap_or_default();
                            format!("{} ({reason})", ui.number(q))
                        })
                        .unwrap_or_default(),
                    problems: l
                        .problems
                        .iter()
                        .enumerate()
                        .map(|(index, p)| ProblemView {
                            index,
                            kind: ui.t_of("problem-kind-", &p.kind),
                            description: p.description.clone().unwrap_or_default(),
                            open: p.is_open(),
                            resolution: p
                                .resolution
                                .as_ref()
                                .map(|r| {
                                    let note = p.resolution_note.as_deref().unwrap_or_default();
                                    format!("{} {note}", ui.t_of("problem-resolution-", r))
                                })
                                .unwrap_or_default(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    Ok(fragment(&SalesPanel {
        ui: ui.clone(),
        id: id.to_string(),
        last_order: metrics
            .last_order_at
            .as_ref()
            .map(|t| ui.instant(t))
            .unwrap_or_default(),
        last_contact: metrics
            .last_contact_at
            .as_ref()
            .map(|t| ui.instant(t))
            .unwrap_or_default(),
        metrics,
        orders,
        statuses: STATUSES,
        currency: user.session.workspace.default_currency.clone(),
        form_lines: FORM_LINES,
        problem_kinds: PROBLEM_KINDS,
        resolutions: RESOLUTIONS,
    }))
}

/// Records an order for the contact from the card's form (empty line rows are skipped).
pub async fn create(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&form, "_csrf"))?;
    let fail = |e| PageError::new(e, user.ui.clone());
    let contact = app.get::<Contact>(&user.session, id).await.map_err(fail)?;
    let text = |name: &str| {
        field(&form, name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let lines = (0..FORM_LINES)
        .filter_map(|i| {
            let description = text(&format!("line{i}_description"))?;
            Some(OrderLineInput {
                description: Some(description),
                quantity: text(&format!("line{i}_quantity")).map(Value::String),
                unit_price: text(&format!("line{i}_unit_price")),
                ..OrderLineInput::default()
            })
        })
        .collect();
    let input = OrderInput {
        contact_id: Some(contact.id),
        company_id: contact.data.companies.first().map(|l| l.company_id),
        currency: text("currency"),
        status: text("status"),
        invoice_number: text("invoice_number"),
        lines,
        ..OrderInput::default()
    };
    app.create::<Order>(&user.session, input, DuplicateCheck::Skip)
        .await
        .map_err(fail)?;
    Ok(Redirect::to(&format!("/contacts/{id}")).into_response())
}

/// Takes back part of an order line, with the reason.
pub async fn return_line(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    change_line(&app, &user, &headers, id, &form, |line| {
        line.returned_quantity =
            field(&form, "quantity").map(|q| Value::String(q.trim().to_owned()));
        line.return_reason = field(&form, "reason").map(str::to_owned);
        Ok(())
    })
    .await
}

/// Records a problem with an order line (damaged, missing part …).
pub async fn report_problem(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    change_line(&app, &user, &headers, id, &form, |line| {
        line.problems.push(LineProblemInput {
            kind: field(&form, "kind").map(str::to_owned),
            description: field(&form, "description").map(str::to_owned),
            ..LineProblemInput::default()
        });
        Ok(())
    })
    .await
}

/// Settles a problem of an order line with its resolution.
pub async fn resolve_problem(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(form): Form<Fields>,
) -> Result<Response, PageError> {
    change_line(&app, &user, &headers, id, &form, |line| {
        let index: usize = field(&form, "problem")
            .and_then(|p| p.parse().ok())
            .unwrap_or(usize::MAX);
        let problem = line.problems.get_mut(index).ok_or_else(|| {
            FieldErrors::single("problem", "not_found", "the line has no such problem")
        })?;
        problem.resolution = field(&form, "resolution").map(str::to_owned);
        problem.resolution_note = field(&form, "note").map(str::to_owned);
        Ok(())
    })
    .await
}

/// Changes the order line the form's `line` names, saves the order and goes back to the customer's card.
async fn change_line(
    app: &AppState,
    user: &WebUser,
    headers: &HeaderMap,
    id: Uuid,
    form: &Fields,
    change: impl FnOnce(&mut OrderLineInput) -> Result<(), FieldErrors>,
) -> Result<Response, PageError> {
    user.check_csrf(headers, field(form, "_csrf"))?;
    let fail = |e| PageError::new(e, user.ui.clone());
    let order = app.get::<Order>(&user.session, id).await.map_err(fail)?;
    let index: usize = field(form, "line")
        .and_then(|l| l.parse().ok())
        .unwrap_or(usize::MAX);
    let mut lines: Vec<OrderLineInput> = order.data.lines.iter().map(|l| l.to_input()).collect();
    let line = lines
        .get_mut(index)
        .ok_or_else(|| FieldErrors::single("line", "not_found", "the order has no such line"));
    line.and_then(change).map_err(|e| fail(e.into()))?;
    app.patch::<Order>(
        &user.session,
        id,
        &json!({ "lines": lines }),
        Some(order.version),
    )
    .await
    .map_err(fail)?;
    Ok(Redirect::to(&card_of(&order)).into_response())
}

/// The card an order is shown on: its contact's.
pub(super) fn card_of(order: &Order) -> String {
    order
        .data
        .contact_id
        .map(|c| format!("/contacts/{}", c.0))
        .unwrap_or_else(|| "/contacts".into())
}
