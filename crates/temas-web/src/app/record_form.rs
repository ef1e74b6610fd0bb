//! Creating and editing contacts and companies. A form that fails validation comes back with everything the user
//! typed and a message beside each bad field; a save that lost a race with another user's is explained, not
//! overwritten.

use super::lists::Listed;
use super::{Fields, PageError, Ui, WebUser, field, render};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use temas_core::FieldErrors;
use temas_core::contact::{Company, Contact, GENDERS, SIZES};
use temas_core::custom::{CustomFieldDef, FieldKind};
use temas_core::points::ContactPoints;
use temas_service::AppError;
use temas_service::duplicate_check::DuplicateCandidate;
use temas_service::records::DuplicateCheck;
use temas_store::Uuid;

/// How many email and phone inputs the form offers.
const SLOTS: usize = 3;

/// A field chosen from a list: its name, its choices (the form adds an empty one), whether they have translated
/// labels.
pub type Choice = (&'static str, &'static [&'static str], bool);

/// What the form needs to know of a record type.
pub trait Editable: Listed {
    /// One-line text inputs, in order (notes come last as a text area on every form).
    const TEXT_FIELDS: &'static [&'static str];
    /// Fields chosen from a list: (name, choices, whether each choice has a translated label `choice-<value>` or
    /// shows as it is stored).
    const CHOICES: &'static [Choice];
    /// Date fields, typed in the user's calendar.
    const DATES: &'static [&'static str];
    /// Message ids of the page titles.
    const NEW_TITLE: &'static str;
    const EDIT_TITLE: &'static str;
    fn points(&self) -> &ContactPoints;
    fn tags(&self) -> &[String];
    fn version(&self) -> i64;
    fn date(&self, field: &str) -> Option<chrono::NaiveDate>;
    /// The record's data as JSON, to read the text and choice fields from.
    fn data_json(&self) -> Value;
}

/// The accessors contacts and companies share: both keep their points, tags and version the same way.
macro_rules! record_accessors {
    () => {
        fn points(&self) -> &ContactPoints {
            &self.data.points
        }
        fn tags(&self) -> &[String] {
            &self.data.tags
        }
        fn version(&self) -> i64 {
            self.version
        }
        fn data_json(&self) -> Value {
            serde_json::to_value(&self.data).unwrap_or_default()
        }
    };
}

impl Editable for Contact {
    const TEXT_FIELDS: &'static [&'static str] = &[
        "first_name",
        "middle_name",
        "last_name",
        "display_name",
        "salutation",
        "job_title",
        "language",
        "time_zone",
        "source",
    ];
    const CHOICES: &'static [Choice] = &[("gender", GENDERS, true)];
    const DATES: &'static [&'static str] = &["birth_date"];
    const NEW_TITLE: &'static str = "form-new-contact";
    const EDIT_TITLE: &'static str = "form-edit-contact";

    record_accessors!();
    fn date(&self, field: &str) -> Option<chrono::NaiveDate> {
        (field == "birth_date")
            .then_some(self.data.birth_date)
            .flatten()
    }
}

impl Editable for Company {
    const TEXT_FIELDS: &'static [&'static str] = &["name", "domain", "industry"];
    const CHOICES: &'static [Choice] = &[("size", SIZES, false)];
    const DATES: &'static [&'static str] = &[];
    const NEW_TITLE: &'static str = "form-new-company";
    const EDIT_TITLE: &'static str = "form-edit-company";

    record_accessors!();
    fn date(&self, _field: &str) -> Option<chrono::NaiveDate> {
        None
    }
}

/// Every field read as text from the form: the text inputs, the choices, the dates and the notes.
fn plain_fields<R: Editable>() -> impl Iterator<Item = &'static str> {
    R::TEXT_FIELDS
        .iter()
        .copied()
        .chain(R::CHOICES.iter().map(|(name, _, _)| *name))
        .chain(["notes"])
}

pub(super) struct CustomInput {
    pub key: String,
    pub label: String,
    pub value: String,
    pub options: Vec<String>,
    pub long: bool,
}

#[derive(Template)]
#[template(path = "record_form.html")]
struct RecordForm {
    ui: Ui,
    base: &'static str,
    text_fields: &'static [&'static str],
    choices: &'static [Choice],
    dates: &'static [&'static str],
    /// `None` for a new record.
    id: Option<String>,
    title: String,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    emails: Vec<String>,
    phones: Vec<String>,
    custom: Vec<CustomInput>,
    version: i64,
    conflict: Option<String>,
    /// Existing records the new one probably duplicates ("did you mean…"), with a box to create it anyway.
    duplicates: Vec<DuplicateLink>,
    has_errors: bool,
}

/// A probable duplicate as the form lists it.
struct DuplicateLink {
    href: String,
    name: String,
    percent: u32,
}

/// What the form says above its fields after a failed save, besides the field errors.
enum Notice {
    None,
    /// Someone saved the record meanwhile: the message, and the version now stored.
    Conflict(String, i64),
    Duplicates(Vec<DuplicateLink>),
}

impl RecordForm {
    fn value(&self, name: &str) -> String {
        self.values.get(name).cloned().unwrap_or_default()
    }

    fn error(&self, name: &str) -> String {
        self.errors.get(name).cloned().unwrap_or_default()
    }
}

fn custom_inputs<R: Editable>(
    defs: &[CustomFieldDef],
    values: &HashMap<String, String>,
) -> Vec<CustomInput> {
    defs.iter()
        .filter(|d| d.entity == R::CUSTOM && !d.retired)
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

/// The form's values for an existing record.
fn values_of<R: Editable>(r: &R, ui: &Ui) -> HashMap<String, String> {
    let v = r.data_json();
    let mut values: HashMap<String, String> = plain_fields::<R>()
        .filter_map(|k| Some((k.to_owned(), v.get(k)?.as_str()?.to_owned())))
        .collect();
    for name in R::DATES {
        if let Some(d) = r.date(name) {
            values.insert((*name).to_owned(), ui.date_input(&d));
        }
    }
    values.insert("tags".into(), r.tags().join(", "));
    for (key, value) in r.custom() {
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

/// The form with everything it shows; values and errors are empty for a fresh form.
struct FormState {
    id: Option<Uuid>,
    title: String,
    values: HashMap<String, String>,
    errors: HashMap<String, String>,
    emails: Vec<String>,
    phones: Vec<String>,
    version: i64,
    conflict: Option<String>,
    duplicates: Vec<DuplicateLink>,
}

fn form_page<R: Editable>(ui: Ui, defs: &[CustomFieldDef], state: FormState) -> RecordForm {
    RecordForm {
        base: R::BASE,
        text_fields: R::TEXT_FIELDS,
        choices: R::CHOICES,
        dates: R::DATES,
        id: state.id.map(|i| i.to_string()),
        title: state.title,
        custom: custom_inputs::<R>(defs, &state.values),
        has_errors: !state.errors.is_empty(),
        values: state.values,
        errors: state.errors,
        emails: slots(state.emails),
        phones: slots(state.phones),
        version: state.version,
        conflict: state.conflict,
        duplicates: state.duplicates,
        ui,
    }
}

pub async fn new_page<R: Editable>(
    State(app): State<AppState>,
    user: WebUser,
) -> Result<Response, PageError> {
    let defs = defs(&app, &user).await?;
    let ui = user.ui.clone().in_section(R::LIST.as_str());
    let state = FormState {
        id: None,
        title: ui.t(R::NEW_TITLE),
        values: HashMap::new(),
        errors: HashMap::new(),
        emails: Vec::new(),
        phones: Vec::new(),
        version: 0,
        conflict: None,
        duplicates: Vec::new(),
    };
    Ok(render(&form_page::<R>(ui, &defs, state)))
}

pub async fn edit_page<R: Editable>(
    State(app): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section(R::LIST.as_str());
    let record = app
        .get::<R>(&user.session, id)
        .await
        .map_err(|e| PageError::new(e, ui.clone()))?;
    let defs = defs(&app, &user).await?;
    let state = FormState {
        id: Some(id),
        title: ui.tr.t_with(R::EDIT_TITLE, "name", &record.name()),
        values: values_of(&record, &ui),
        errors: HashMap::new(),
        emails: record
            .points()
            .emails
            .iter()
            .map(|e| e.address.clone())
            .collect(),
        phones: record
            .points()
            .phones
            .iter()
            .map(|p| p.number.clone())
            .collect(),
        version: record.version(),
        conflict: None,
        duplicates: Vec::new(),
    };
    Ok(render(&form_page::<R>(ui, &defs, state)))
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

/// The record's writable form built from the submitted fields. Emails and phones that were not retyped keep
/// their kind and flags. Dates are read in the user's calendar; one that does not parse is an error here.
fn body_of<R: Editable>(
    fields: &Fields,
    defs: &[CustomFieldDef],
    before: Option<&R>,
    ui: &Ui,
    errors: &mut FieldErrors,
) -> Map<String, Value> {
    let mut body = Map::new();
    for name in plain_fields::<R>() {
        let text = field(fields, name).unwrap_or_default().trim();
        body.insert(
            name.to_owned(),
            if text.is_empty() {
                Value::Null
            } else {
                json!(text)
            },
        );
    }
    for name in R::DATES {
        let typed = field(fields, name).unwrap_or_default().trim();
        let value = match typed {
            "" => Value::Null,
            typed => match ui.parse_date(typed) {
                Ok(d) => json!(d.format("%Y-%m-%d").to_string()),
                Err(reason) => {
                    errors.add(*name, "invalid_date", reason);
                    Value::Null
                }
            },
        };
        body.insert((*name).to_owned(), value);
    }
    let old_emails = before
        .map(|r| r.points().emails.as_slice())
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
        .map(|r| r.points().phones.as_slice())
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
    for def in defs.iter().filter(|d| d.entity == R::CUSTOM && !d.retired) {
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
fn refill<R: Editable>(
    ui: Ui,
    id: Option<Uuid>,
    title: String,
    fields: &Fields,
    defs: &[CustomFieldDef],
    errors: &FieldErrors,
    notice: Notice,
) -> Response {
    let values: HashMap<String, String> = fields
        .iter()
        .filter(|(k, _)| k != "email" && k != "phone")
        .cloned()
        .collect();
    let errors: HashMap<String, String> = errors
        .0
        .iter()
        .map(|e| (input_of(fields, &e.field), ui.tr.field_error(e)))
        .collect();
    // After a conflict the form carries the version now stored, so that saving again applies the user's values
    // over it, knowingly.
    let typed_version = || {
        field(fields, "version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    let (status, conflict, version, duplicates) = match notice {
        Notice::Conflict(message, current) => {
            (StatusCode::CONFLICT, Some(message), current, Vec::new())
        }
        Notice::Duplicates(links) => (StatusCode::CONFLICT, None, typed_version(), links),
        Notice::None => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            typed_version(),
            Vec::new(),
        ),
    };
    let state = FormState {
        id,
        title,
        values,
        errors,
        emails: all(fields, "email").map(str::to_owned).collect(),
        phones: all(fields, "phone").map(str::to_owned).collect(),
        version,
        conflict,
        duplicates,
    };
    (status, render(&form_page::<R>(ui, defs, state))).into_response()
}

/// A new record's form as posted: the user's language, the custom fields, and the record's input, or `Invalid`
/// with each bad field when the form does not make one yet.
struct NewInput<R: Editable> {
    ui: Ui,
    defs: Vec<CustomFieldDef>,
    input: Result<R::Input, AppError>,
}

async fn new_input<R: Editable>(
    app: &AppState,
    user: &WebUser,
    headers: &HeaderMap,
    fields: &Fields,
) -> Result<NewInput<R>, PageError> {
    user.check_csrf(headers, field(fields, "_csrf"))?;
    let ui = user.ui.clone().in_section(R::LIST.as_str());
    let defs = defs(app, user).await?;
    let mut errors = FieldErrors::default();
    let body = body_of::<R>(fields, &defs, None, &ui, &mut errors);
    let input = match serde_json::from_value::<R::Input>(Value::Object(body)) {
        Ok(input) if errors.0.is_empty() => Ok(input),
        Ok(_) => Err(AppError::Invalid(errors)),
        Err(e) => Err(AppError::Internal(e.to_string())),
    };
    Ok(NewInput { ui, defs, input })
}

pub async fn create<R: Editable>(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    let NewInput { ui, defs, input } = new_input::<R>(&app, &user, &headers, &fields).await?;
    let check = if field(&fields, "confirm_duplicate").is_some() {
        DuplicateCheck::Skip
    } else {
        DuplicateCheck::Check
    };
    let result = match input {
        Ok(input) => app.create::<R>(&user.session, input, check).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(record) => Ok(Redirect::to(&format!("{}/{}", R::BASE, record.id())).into_response()),
        Err(AppError::Invalid(errors)) => {
            let title = ui.t(R::NEW_TITLE);
            Ok(refill::<R>(
                ui,
                None,
                title,
                &fields,
                &defs,
                &errors,
                Notice::None,
            ))
        }
        Err(AppError::ProbableDuplicates(found)) => {
            let title = ui.t(R::NEW_TITLE);
            let links = duplicate_links::<R>(&found);
            let none = FieldErrors::default();
            Ok(refill::<R>(
                ui,
                None,
                title,
                &fields,
                &defs,
                &none,
                Notice::Duplicates(links),
            ))
        }
        Err(e) => Err(PageError::new(e, ui)),
    }
}

/// Links to the records a new one probably duplicates, with how sure the check is.
fn duplicate_links<R: Editable>(found: &[DuplicateCandidate]) -> Vec<DuplicateLink> {
    found
        .iter()
        .map(|c| DuplicateLink {
            href: format!("{}/{}", R::BASE, c.id),
            name: ["display_name", "name"]
                .iter()
                .find_map(|k| c.record.get(*k).and_then(Value::as_str))
                .unwrap_or_default()
                .to_owned(),
            percent: (c.probability * 100.0).round() as u32,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "duplicates_live.html")]
struct LiveDuplicates {
    ui: Ui,
    duplicates: Vec<DuplicateLink>,
}

/// "Did you mean…" while a new record's form is filled in: the form's fields as typed so far, checked like a
/// create (nothing is written), answered with the list of probable duplicates, or nothing while the input is
/// not yet valid.
pub async fn live_duplicates<R: Editable>(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    let NewInput { ui, input, .. } = new_input::<R>(&app, &user, &headers, &fields).await?;
    let checked = match input {
        Ok(input) => {
            app.probable_duplicates_of_input::<R>(&user.session, input)
                .await
        }
        Err(e) => Err(e),
    };
    let found = match checked {
        Ok(found) => found,
        Err(AppError::Invalid(_)) => Vec::new(),
        Err(e) => return Err(PageError::new(e, ui)),
    };
    let page = LiveDuplicates {
        ui,
        duplicates: duplicate_links::<R>(&found),
    };
    Ok(render(&page))
}

pub async fn update<R: Editable>(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    let ui = user.ui.clone().in_section(R::LIST.as_str());
    let fail = |e| PageError::new(e, ui.clone());
    let before = app.get::<R>(&user.session, id).await.map_err(fail)?;
    let defs = defs(&app, &user).await?;
    let title = ui.tr.t_with(R::EDIT_TITLE, "name", &before.name());
    let mut errors = FieldErrors::default();
    let body = body_of(&fields, &defs, Some(&before), &ui, &mut errors);
    if !errors.0.is_empty() {
        return Ok(refill::<R>(
            ui,
            Some(id),
            title,
            &fields,
            &defs,
            &errors,
            Notice::None,
        ));
    }
    let version = field(&fields, "version").and_then(|v| v.parse().ok());
    match app
        .patch::<R>(&user.session, id, &Value::Object(body), version)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("{}/{id}", R::BASE)).into_response()),
        Err(AppError::Invalid(errors)) => Ok(refill::<R>(
            ui,
            Some(id),
            title,
            &fields,
            &defs,
            &errors,
            Notice::None,
        )),
        Err(AppError::VersionMismatch { current }) => {
            let now = current.unwrap_or(before.version());
            let message = ui.tr.t_count("form-conflict", "version", now);
            Ok(refill::<R>(
                ui,
                Some(id),
                title,
                &fields,
                &defs,
                &FieldErrors::default(),
                Notice::Conflict(message, now),
            ))
        }
        Err(e) => Err(fail(e)),
    }
}
