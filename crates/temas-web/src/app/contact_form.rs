//! Creating and editing a contact. A form that fails validation comes back with everything the user typed and a
//! message beside each bad field; a save that lost a race with another user's is explained, not overwritten.

use super::{Fields, PageError, Ui, WebUser, field, render};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use temas_core::FieldErrors;
use temas_core::contact::{Contact, ContactInput};
use temas_core::custom::{CustomFieldDef, Entity, FieldKind};
use temas_service::AppError;
use temas_store::Uuid;

/// Plain text fields of the form, in order.
const TEXT_FIELDS: [&str; 10] = [
    "first_name",
    "middle_name",
    "last_name",
    "display_name",
    "salutation",
    "job_title",
    "language",
    "time_zone",
    "source",
    "notes",
];
/// How many email and phone inputs the form offers.
const SLOTS: usize = 3;

pub(super) struct CustomInput {
    pub key: String,
    pub label: String,
    pub value: String,
    pub options: Vec<String>,
    pub long: bool,
}

#[derive(Template)]
#[template(path = "contact_form.html")]
struct ContactForm {
    ui: Ui,
    /// `None` for a new contact.
    id: Option<String>,
    title: String,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    emails: Vec<String>,
    phones: Vec<String>,
    custom: Vec<CustomInput>,
    version: i64,
    conflict: Option<String>,
    has_errors: bool,
}

impl ContactForm {
    fn text_fields(&self) -> [&'static str; 10] {
        TEXT_FIELDS
    }

    fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }

    fn error(&self, name: &str) -> String {
        self.errors.get(name).cloned().unwrap_or_default()
    }
}

fn custom_inputs(defs: &[CustomFieldDef], values: &HashMap<String, String>) -> Vec<CustomInput> {
    defs.iter()
        .filter(|d| d.entity == Entity::Contact && !d.retired)
        .map(|d| CustomInput {
            key: d.key.clone(),
            label: d.label.clone(),
            value: values
                .get(&format!("custom.{}", d.key))
                .cloned()
                .unwrap_or_default(),
            options: d.options.clone(),
            long: d.kind == FieldKind::LongText,
        })
        .collect()
}

/// The form's values for an existing contact.
fn values_of(c: &Contact, ui: &Ui) -> HashMap<String, String> {
    let v = serde_json::to_value(&c.data).unwrap_or_default();
    let mut values: HashMap<String, String> = TEXT_FIELDS
        .iter()
        .chain(["gender"].iter())
        .filter_map(|k| Some(((*k).to_owned(), v.get(*k)?.as_str()?.to_owned())))
        .collect();
    if let Some(b) = &c.data.birth_date {
        values.insert("birth_date".into(), ui.date_input(b));
    }
    values.insert("tags".into(), c.data.tags.join(", "));
    for (key, value) in &c.data.custom {
        values.insert(
            format!("custom.{key}"),
            super::contact_pages::value_text(value),
        );
    }
    values
}

fn slots(mut items: Vec<String>) -> Vec<String> {
    let wanted = (items.len() + 1).max(SLOTS);
    items.resize(wanted, String::new());
    items
}

async fn defs(app: &AppState, user: &WebUser) -> Result<Vec<CustomFieldDef>, PageError> {
    app.custom_fields(&user.session)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))
}

pub async fn new_page(State(app): State<AppState>, user: WebUser) -> Result<Response, PageError> {
    let defs = defs(&app, &user).await?;
    let ui = user.ui.clone().in_section("contacts");
    Ok(render(&ContactForm {
        title: ui.t("form-new-contact"),
        id: None,
        values: HashMap::new(),
        errors: HashMap::new(),
        emails: slots(Vec::new()),
        phones: slots(Vec::new()),
        custom: custom_inputs(&defs, &HashMap::new()),
        version: 0,
        conflict: None,
        has_errors: false,
        ui,
    }))
}

pub async fn edit_page(
    State(app): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("contacts");
    let contact = app
        .get::<Contact>(&user.session, id)
        .await
        .map_err(|e| PageError::new(e, ui.clone()))?;
    let defs = defs(&app, &user).await?;
    let values = values_of(&contact, &ui);
    Ok(render(&ContactForm {
        title: ui
            .tr
            .t_with("form-edit-contact", "name", &contact.data.display_name),
        id: Some(id.to_string()),
        emails: slots(
            contact
                .data
                .points
                .emails
                .iter()
                .map(|e| e.address.clone())
                .collect(),
        ),
        phones: slots(
            contact
                .data
                .points
                .phones
                .iter()
                .map(|p| p.number.clone())
                .collect(),
        ),
        custom: custom_inputs(&defs, &values),
        values,
        errors: HashMap::new(),
        version: contact.version,
        conflict: None,
        has_errors: false,
        ui,
    }))
}

fn all<'a>(fields: &'a Fields, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    fields
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A custom field's typed text as the JSON value its kind takes; a value of the wrong shape is passed on as text
/// so that validation names the field.
fn custom_value(kind: FieldKind, text: &str) -> Value {
    match kind {
        FieldKind::Number => text
            .parse::<f64>()
            .map_or_else(|_| json!(text), |n| json!(n)),
        FieldKind::Boolean => match text {
            "true" | "on" | "yes" => json!(true),
            "false" | "off" | "no" => json!(false),
            _ => json!(text),
        },
        FieldKind::MultiSelect => {
            json!(
                text.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
            )
        }
        _ => json!(text),
    }
}

/// The contact's writable form built from the submitted fields. Emails and phones that were not retyped keep
/// their kind and flags. A birth date is read in the user's calendar; one that does not parse is an error here.
fn body_of(
    fields: &Fields,
    defs: &[CustomFieldDef],
    before: Option<&Contact>,
    ui: &Ui,
    errors: &mut FieldErrors,
) -> Map<String, Value> {
    let mut body = Map::new();
    for name in TEXT_FIELDS.iter().chain(["gender"].iter()) {
        let text = field(fields, name).unwrap_or_default().trim();
        body.insert(
            (*name).to_owned(),
            if text.is_empty() {
                Value::Null
            } else {
                json!(text)
            },
        );
    }
    let birth = field(fields, "birth_date").unwrap_or_default().trim();
    body.insert(
        "birth_date".into(),
        match birth {
            "" => Value::Null,
            typed => match ui.parse_date(typed) {
                Ok(d) => json!(d.format("%Y-%m-%d").to_string()),
                Err(reason) => {
                    errors.add("birth_date", "invalid_date", reason);
                    Value::Null
                }
            },
        },
    );
    let old_emails = before
        .map(|c| c.data.points.emails.as_slice())
        .unwrap_or_default();
    let emails: Vec<Value> = all(fields, "email")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|address| match old_emails.iter().find(|e| e.address == address) {
            Some(e) => json!({"address": e.address, "kind": e.kind, "primary": e.primary, "opted_out": e.opted_out}),
            None => json!({"address": address}),
        })
        .collect();
    body.insert("emails".into(), Value::Array(emails));
    let old_phones = before
        .map(|c| c.data.points.phones.as_slice())
        .unwrap_or_default();
    let phones: Vec<Value> = all(fields, "phone")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|number| match old_phones.iter().find(|p| p.number == number) {
            Some(p) => json!({"number": p.number, "kind": p.kind, "primary": p.primary, "opted_out": p.opted_out}),
            None => json!({"number": number, "kind": "mobile"}),
        })
        .collect();
    body.insert("phones".into(), Value::Array(phones));
    let tags: Vec<&str> = field(fields, "tags")
        .unwrap_or_default()
        .split([',', '،'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    body.insert("tags".into(), json!(tags));
    let mut custom = Map::new();
    for def in defs
        .iter()
        .filter(|d| d.entity == Entity::Contact && !d.retired)
    {
        let text = field(fields, &format!("custom.{}", def.key))
            .unwrap_or_default()
            .trim();
        custom.insert(
            def.key.clone(),
            if text.is_empty() {
                Value::Null
            } else {
                custom_value(def.kind, text)
            },
        );
    }
    body.insert("custom".into(), Value::Object(custom));
    body
}

/// The input an error belongs to. `emails[1].address` is the second *filled* email input (empty ones are not
/// sent), `custom.tier` keeps its name, and other fields are named as they are.
fn input_of(fields: &Fields, error_field: &str) -> String {
    if error_field.starts_with("custom.") {
        return error_field.to_owned();
    }
    let head = error_field.split('.').next().unwrap_or_default();
    for (list, input) in [("emails[", "email"), ("phones[", "phone")] {
        if let Some(index) = head.strip_prefix(list).and_then(|r| r.strip_suffix(']')) {
            let nth: usize = index.parse().unwrap_or(0);
            let slot = all(fields, input)
                .enumerate()
                .filter(|(_, v)| !v.trim().is_empty())
                .nth(nth)
                .map_or(nth, |(slot, _)| slot);
            return format!("{input}_{slot}");
        }
    }
    head.to_owned()
}

/// The form again, as the user filled it, with the errors beside their fields.
fn refill(
    ui: Ui,
    id: Option<Uuid>,
    title: String,
    fields: &Fields,
    defs: &[CustomFieldDef],
    errors: &FieldErrors,
    conflict: Option<(String, i64)>,
) -> Response {
    let values: HashMap<String, String> = fields
        .iter()
        .filter(|(k, _)| k != "email" && k != "phone")
        .cloned()
        .collect();
    let errors: HashMap<String, String> = errors
        .0
        .iter()
        .map(|e| (input_of(fields, &e.field), e.message.clone()))
        .collect();
    let has_errors = !errors.is_empty();
    // After a conflict the form carries the version now stored, so that saving again applies the user's values
    // over it, knowingly.
    let (conflict, version) = match conflict {
        Some((message, current)) => (Some(message), current),
        None => (
            None,
            field(fields, "version")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
        ),
    };
    let status = if conflict.is_some() {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ContactForm {
        id: id.map(|i| i.to_string()),
        title,
        emails: slots(all(fields, "email").map(str::to_owned).collect()),
        phones: slots(all(fields, "phone").map(str::to_owned).collect()),
        custom: custom_inputs(defs, &values),
        values,
        errors,
        version,
        conflict,
        has_errors,
        ui,
    };
    (status, render(&page)).into_response()
}

pub async fn create(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    let ui = user.ui.clone().in_section("contacts");
    let defs = defs(&app, &user).await?;
    let mut errors = FieldErrors::default();
    let body = body_of(&fields, &defs, None, &ui, &mut errors);
    let input: Result<ContactInput, _> = serde_json::from_value(Value::Object(body));
    let result = match input {
        Ok(input) if errors.0.is_empty() => app.create::<Contact>(&user.session, input).await,
        Ok(_) => Err(AppError::Invalid(errors)),
        Err(e) => Err(AppError::Internal(e.to_string())),
    };
    match result {
        Ok(contact) => Ok(Redirect::to(&format!("/contacts/{}", contact.id.0)).into_response()),
        Err(AppError::Invalid(errors)) => {
            let title = ui.t("form-new-contact");
            Ok(refill(ui, None, title, &fields, &defs, &errors, None))
        }
        Err(e) => Err(PageError::new(e, ui)),
    }
}

pub async fn update(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    let ui = user.ui.clone().in_section("contacts");
    let fail = |e| PageError::new(e, ui.clone());
    let before = app.get::<Contact>(&user.session, id).await.map_err(fail)?;
    let defs = defs(&app, &user).await?;
    let title = ui
        .tr
        .t_with("form-edit-contact", "name", &before.data.display_name);
    let mut errors = FieldErrors::default();
    let body = body_of(&fields, &defs, Some(&before), &ui, &mut errors);
    if !errors.0.is_empty() {
        return Ok(refill(ui, Some(id), title, &fields, &defs, &errors, None));
    }
    let version = field(&fields, "version").and_then(|v| v.parse().ok());
    match app
        .patch::<Contact>(&user.session, id, &Value::Object(body), version)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/contacts/{id}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            Ok(refill(ui, Some(id), title, &fields, &defs, &errors, None))
        }
        Err(AppError::VersionMismatch { current }) => {
            let now = current.unwrap_or(before.version);
            let message = ui.tr.t_count("form-conflict", "version", now);
            let conflict = Some((message, now));
            Ok(refill(
                ui,
                Some(id),
                title,
                &fields,
                &defs,
                &FieldErrors::default(),
                conflict,
            ))
        }
        Err(e) => Err(fail(e)),
    }
}
