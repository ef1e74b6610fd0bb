//! The lists of contacts and companies: the columns the user chose (custom fields included), filters, sort, keyset
//! paging and saved views. One page and one table serve both; what differs per record type is in [`Listed`].

use super::contact_pages::value_text;
use super::{Fields, PageError, Ui, WebUser, field, fragment, is_htmx, render, urlencode};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use temas_core::contact::{Company, Contact};
use temas_core::custom::{CustomFieldDef, Entity, FieldKind};
use temas_core::view::{SavedView, ViewEntity, ViewInput, is_column};
use temas_service::records::{ListParams, RecordType};
use temas_service::{App, AppError, Session};
use temas_store::{User, Uuid};

/// How many rows a page shows.
const PAGE_ROWS: u32 = 50;

/// What a list request asked for. Columns come as repeated `col` fields (the column menu's checkboxes).
#[derive(Default, Clone)]
pub struct ListForm {
    pub filter: String,
    pub sort: String,
    pub columns: Vec<String>,
    pub view: Option<Uuid>,
    cursor: Option<String>,
    /// Show the trash instead of the live records.
    trash: bool,
    /// After a bulk action: how many records changed and how many could not, and whether they went to the trash.
    done: Option<usize>,
    failed: Option<usize>,
    undo: bool,
}

impl ListForm {
    fn from_pairs(pairs: &Fields) -> Self {
        let get = |name: &str| field(pairs, name).map(str::to_owned);
        Self {
            filter: get("filter").unwrap_or_default(),
            sort: get("sort").unwrap_or_default(),
            columns: pairs
                .iter()
                .filter(|(k, _)| k == "col")
                .map(|(_, v)| v.clone())
                .collect(),
            view: get("view").and_then(|v| v.parse().ok()),
            cursor: get("cursor").filter(|c| !c.is_empty()),
            trash: get("trash").is_some(),
            done: get("done").and_then(|d| d.parse().ok()),
            failed: get("failed").and_then(|d| d.parse().ok()),
            undo: get("undo").is_some(),
        }
    }

    /// The list parameters: filters typed as `field:op:value`, several separated by `;`.
    fn params(&self) -> ListParams {
        ListParams {
            filters: self
                .filter
                .split(';')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
            sort: (!self.sort.is_empty()).then(|| self.sort.clone()),
            limit: Some(PAGE_ROWS),
            cursor: self.cursor.clone(),
            deleted: self.trash,
        }
    }

    /// The query string that reproduces this list (without the cursor).
    fn query(&self) -> String {
        let mut q = format!(
            "filter={}&sort={}",
            urlencode(&self.filter),
            urlencode(&self.sort)
        );
        for c in &self.columns {
            q.push_str("&col=");
            q.push_str(&urlencode(c));
        }
        if let Some(v) = self.view {
            q.push_str(&format!("&view={v}"));
        }
        if self.trash {
            q.push_str("&trash=1");
        }
        q
    }
}

/// A record type that has a list page.
pub trait Listed: RecordType {
    const LIST: ViewEntity;
    const BASE: &'static str;
    const CUSTOM: Entity;
    fn id(&self) -> Uuid;
    fn name(&self) -> String;
    /// Companies this record links to, for the `company` column.
    fn company_ids(&self) -> Vec<Uuid>;
    /// A built-in column's text, and whether it reads left to right whatever the page's direction.
    fn cell(&self, column: &str, names: &Names, ui: &Ui) -> (String, bool);
    fn custom(&self) -> &serde_json::Map<String, serde_json::Value>;
}

/// Names the cells show instead of ids: owners and companies.
#[derive(Default)]
pub struct Names {
    users: HashMap<Uuid, String>,
    companies: HashMap<Uuid, String>,
}

fn first<T>(items: &[T], text: impl Fn(&T) -> String) -> String {
    items.first().map(text).unwrap_or_default()
}

fn owner_name(owner: Option<temas_core::ids::UserId>, names: &Names) -> String {
    owner
        .and_then(|o| names.users.get(&o.0).cloned())
        .unwrap_or_default()
}

impl Listed for Contact {
    const LIST: ViewEntity = ViewEntity::Contacts;
    const BASE: &'static str = "/contacts";
    const CUSTOM: Entity = Entity::Contact;

    fn id(&self) -> Uuid {
        self.id.0
    }

    fn name(&self) -> String {
        self.data.display_name.clone()
    }

    fn company_ids(&self) -> Vec<Uuid> {
        self.data.companies.iter().map(|l| l.company_id.0).collect()
    }

    fn cell(&self, column: &str, names: &Names, ui: &Ui) -> (String, bool) {
        let d = &self.data;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        match column {
            "email" => (first(&d.points.emails, |e| e.address.clone()), true),
            "phone" => (first(&d.points.phones, |p| p.number.clone()), true),
            "company" => (
                first(&d.companies, |l| {
                    names
                        .companies
                        .get(&l.company_id.0)
                        .cloned()
                        .unwrap_or_default()
                }),
                false,
            ),
            "job_title" => (text(&d.job_title), false),
            "tags" => (d.tags.join(", "), false),
            "owner" => (owner_name(d.owner_id, names), false),
            "language" => (text(&d.language), false),
            "gender" => (text(&d.gender), false),
            "birth_date" => (d.birth_date.map(|b| ui.date(&b)).unwrap_or_default(), false),
            "source" => (text(&d.source), false),
            "created_at" => (ui.instant(&self.meta.created_at), false),
            "updated_at" => (ui.instant(&self.meta.updated_at), false),
            _ => (self.name(), false),
        }
    }

    fn custom(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.data.custom
    }
}

impl Listed for Company {
    const LIST: ViewEntity = ViewEntity::Companies;
    const BASE: &'static str = "/companies";
    const CUSTOM: Entity = Entity::Company;

    fn id(&self) -> Uuid {
        self.id.0
    }

    fn name(&self) -> String {
        self.data.name.clone()
    }

    fn company_ids(&self) -> Vec<Uuid> {
        Vec::new()
    }

    fn cell(&self, column: &str, names: &Names, ui: &Ui) -> (String, bool) {
        let d = &self.data;
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        match column {
            "domain" => (text(&d.domain), true),
            "industry" => (text(&d.industry), false),
            "size" => (text(&d.size), true),
            "email" => (first(&d.points.emails, |e| e.address.clone()), true),
            "phone" => (first(&d.points.phones, |p| p.number.clone()), true),
            "tags" => (d.tags.join(", "), false),
            "owner" => (owner_name(d.owner_id, names), false),
            "created_at" => (ui.instant(&self.meta.created_at), false),
            "updated_at" => (ui.instant(&self.meta.updated_at), false),
            _ => (self.name(), false),
        }
    }

    fn custom(&self) -> &serde_json::Map<String, serde_json::Value> {
        &self.data.custom
    }
}

/// The label of a built-in column.
fn column_label(ui: &Ui, column: &str) -> String {
    let id = match column {
        "job_title" | "owner" | "language" | "gender" | "birth_date" | "source" | "size" => {
            format!("field-{column}")
        }
        "created_at" => "col-created".into(),
        "updated_at" => "col-updated".into(),
        other => format!("col-{other}"),
    };
    ui.t(&id)
}

/// A custom value as a cell shows it: dates in the user's calendar, yes/no translated.
fn custom_text(value: &serde_json::Value, def: &CustomFieldDef, ui: &Ui) -> String {
    match (def.kind, value) {
        (FieldKind::Date, serde_json::Value::String(s)) => {
            s.parse().map(|d| ui.date(&d)).unwrap_or_else(|_| s.clone())
        }
        (FieldKind::Boolean, serde_json::Value::Bool(b)) => {
            ui.t(if *b { "value-yes" } else { "value-no" })
        }
        _ => value_text(value),
    }
}

pub(super) struct Column {
    pub key: String,
    pub label: String,
    pub shown: bool,
}

pub(super) struct Cell {
    pub text: String,
    pub ltr: bool,
}

pub(super) struct Row {
    pub id: String,
    pub name: String,
    /// The cells after the name, in the order of the shown columns.
    pub cells: Vec<Cell>,
}

#[derive(Template)]
#[template(path = "records_list.html")]
struct ListFragment {
    ui: Ui,
    base: &'static str,
    headers: Vec<String>,
    rows: Vec<Row>,
    next: Option<String>,
    error: Option<String>,
    trash: bool,
}

#[derive(Template)]
#[template(path = "records.html")]
struct ListPage {
    ui: Ui,
    base: &'static str,
    entity: &'static str,
    form: ListForm,
    /// Every column the list can show: the chosen ones first, in order, then the rest.
    columns: Vec<Column>,
    views: Vec<SavedView>,
    view: Option<SavedView>,
    list_html: String,
    /// Who can be made owner by the bulk action: (user id, email).
    owners: Vec<(String, String)>,
    /// The outcome of the last action, and a problem with it.
    notice: Option<String>,
    problem: Option<String>,
    /// What the save-view form had, kept when it failed.
    view_name: String,
    user: temas_core::ids::UserId,
}

impl ListPage {
    fn is_current(&self, v: &SavedView) -> bool {
        self.view.as_ref().is_some_and(|c| c.id == v.id)
    }

    /// The filter and sort of the list as shown, for its export links.
    fn export_query(&self) -> String {
        format!(
            "filter={}&sort={}",
            urlencode(&self.form.filter),
            urlencode(&self.form.sort)
        )
    }

    fn owns(&self, v: &SavedView) -> bool {
        v.owner_id == self.user
    }
}

/// Names of the users (when read) and of the companies the rows link to, when a shown column needs them.
async fn names_for<R: Listed>(
    app: &App,
    session: &Session,
    items: &[R],
    columns: &[String],
    users: &[User],
) -> Result<Names, AppError> {
    let mut names = Names {
        users: users
            .iter()
            .map(|u| {
                let name = if u.name.is_empty() { &u.email } else { &u.name };
                (u.id.0, name.clone())
            })
            .collect(),
        ..Names::default()
    };
    if columns.iter().any(|c| c == "company") {
        let mut ids: Vec<Uuid> = items
            .iter()
            .filter_map(|r| r.company_ids().first().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            match app.get::<Company>(session, id).await {
                Ok(c) => {
                    names.companies.insert(id, c.data.name);
                }
                Err(AppError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(names)
}

/// The list page, or only its table for htmx. A saved view fills in what the request leaves empty.
pub async fn list_page<R: Listed>(
    app: &App,
    user: &WebUser,
    headers: &HeaderMap,
    mut form: ListForm,
    problem: Option<String>,
    view_name: String,
) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section(R::LIST.as_str());
    let fail = |e| PageError::new(e, ui.clone());
    let view = match form.view {
        Some(id) => match app.view(&user.session, id).await {
            Ok(v) if v.entity == R::LIST => Some(v),
            Ok(_) | Err(AppError::NotFound) => None,
            Err(e) => return Err(fail(e)),
        },
        None => None,
    };
    if let Some(v) = &view
        && form.filter.is_empty()
        && form.sort.is_empty()
        && form.columns.is_empty()
    {
        form.filter = v.settings.filters.join("; ");
        form.sort = v.settings.sort.clone().unwrap_or_default();
        form.columns = v.settings.columns.clone();
    }
    let defs: Vec<CustomFieldDef> = app
        .custom_fields(&user.session)
        .await
        .map_err(fail)?
        .into_iter()
        .filter(|d| d.entity == R::CUSTOM)
        .collect();
    let keys: Vec<String> = defs.iter().map(|d| d.key.clone()).collect();
    form.columns.retain(|c| is_column(R::LIST, c, &keys));
    if form.columns.is_empty() {
        form.columns = R::LIST.default_columns();
    }
    let shown: Vec<String> = form
        .columns
        .iter()
        .filter(|c| *c != "name")
        .cloned()
        .collect();

    // The users are read once, for the owner column and for the bulk action's owner menu.
    let owner_menu = !is_htmx(headers) && !form.trash;
    let users = if owner_menu || shown.iter().any(|c| c == "owner") {
        app.users(&user.session).await.map_err(fail)?.0
    } else {
        Vec::new()
    };
    let (rows, next, error) = match app.list::<R>(&user.session, &form.params()).await {
        Ok(page) => {
            let names = names_for(app, &user.session, &page.items, &shown, &users)
                .await
                .map_err(fail)?;
            let rows = page
                .items
                .iter()
                .map(|r| Row {
                    id: r.id().to_string(),
                    name: r.name(),
                    cells: shown
                        .iter()
                        .map(|c| match c.strip_prefix("custom.") {
                            Some(key) => Cell {
                                text: match (
                                    r.custom().get(key),
                                    defs.iter().find(|d| d.key == key),
                                ) {
                                    (Some(v), Some(def)) => custom_text(v, def, &ui),
                                    _ => String::new(),
                                },
                                ltr: false,
                            },
                            None => {
                                let (text, ltr) = r.cell(c, &names, &ui);
                                Cell { text, ltr }
                            }
                        })
                        .collect(),
                })
                .collect();
            let next = page
                .next_cursor
                .map(|c| format!("{}?{}&cursor={c}", R::BASE, form.query()));
            (rows, next, None)
        }
        Err(AppError::Invalid(e)) => (Vec::new(), None, Some(e.to_string())),
        Err(e) => return Err(fail(e)),
    };
    let label = |c: &str| match c.strip_prefix("custom.") {
        Some(key) => defs
            .iter()
            .find(|d| d.key == key)
            .map_or_else(|| key.to_owned(), |d| d.label.clone()),
        None => column_label(&ui, c),
    };
    let list = ListFragment {
        ui: ui.clone(),
        base: R::BASE,
        headers: shown.iter().map(|c| label(c)).collect(),
        rows,
        next,
        error,
        trash: form.trash,
    };
    if is_htmx(headers) {
        return Ok(render(&list));
    }
    let mut columns: Vec<Column> = form
        .columns
        .iter()
        .map(|c| Column {
            key: c.clone(),
            label: label(c),
            shown: true,
        })
        .collect();
    let more = R::LIST.columns().iter().map(|c| (*c).to_owned()).chain(
        defs.iter()
            .filter(|d| !d.retired)
            .map(|d| format!("custom.{}", d.key)),
    );
    for c in more {
        if !form.columns.contains(&c) {
            columns.push(Column {
                label: label(&c),
                key: c,
                shown: false,
            });
        }
    }
    let owners = if owner_menu {
        users
            .into_iter()
            .map(|u| (u.id.0.to_string(), u.email))
            .collect()
    } else {
        Vec::new()
    };
    let views = app.views(&user.session, R::LIST).await.map_err(fail)?;
    let notice = form.done.map(|done| {
        let mut text = ui.count("bulk-done", "count", done);
        if let Some(failed) = form.failed.filter(|f| *f > 0) {
            text.push(' ');
            text.push_str(&ui.count("bulk-failed", "count", failed));
        }
        text
    });
    Ok(render(&ListPage {
        base: R::BASE,
        entity: R::LIST.as_str(),
        columns,
        views,
        view,
        list_html: fragment(&list),
        owners,
        notice,
        problem,
        view_name,
        user: user.session.user.id,
        form,
        ui,
    }))
}

pub async fn list<R: Listed>(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Query(pairs): Query<Fields>,
) -> Result<Response, PageError> {
    let form = ListForm::from_pairs(&pairs);
    list_page::<R>(&app, &user, &headers, form, None, String::new()).await
}

/// Downloads every contact the list shows (its filter and sort) as CSV, XLSX or vCard (`format`).
pub async fn export(
    State(app): State<AppState>,
    user: WebUser,
    Query(pairs): Query<Fields>,
) -> Result<Response, PageError> {
    let ui = user.ui.clone();
    let fail = |e| PageError::new(e, ui.clone());
    let form = ListForm::from_pairs(&pairs);
    let mut params = form.params();
    params.limit = Some(500);
    params.cursor = None;
    let format = field(&pairs, "format").unwrap_or("csv");
    let format = temas_service::exports::ExportFormat::parse(format, None).map_err(fail)?;
    crate::downloads::contacts(&app, &user.session, &params, format, "contacts")
        .await
        .map_err(fail)
}

/// Saves the list's current columns, filters and sort as a view, then opens it. A name that is missing or
/// taken shows the list again with the problem and everything kept.
pub async fn save_view<R: Listed>(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    let form = ListForm::from_pairs(&fields);
    let name = field(&fields, "name").unwrap_or_default().to_owned();
    let input = ViewInput {
        name: Some(name.clone()),
        entity: Some(R::LIST.as_str().to_owned()),
        columns: form.columns.clone(),
        filters: form.params().filters,
        sort: (!form.sort.is_empty()).then(|| form.sort.clone()),
        shared: field(&fields, "shared").is_some(),
    };
    match app.create_view(&user.session, input).await {
        Ok(view) => Ok(Redirect::to(&format!("{}?view={}", R::BASE, view.id)).into_response()),
        Err(AppError::Taken(_)) => {
            let problem = user.ui.t("view-name-taken");
            list_page::<R>(&app, &user, &headers, form, Some(problem), name).await
        }
        Err(AppError::Invalid(e)) => {
            let problem = e.to_string();
            list_page::<R>(&app, &user, &headers, form, Some(problem), name).await
        }
        Err(e) => Err(PageError::new(e, user.ui.clone())),
    }
}

/// Deletes a view the user saved and goes back to the plain list.
pub async fn delete_view<R: Listed>(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path(id): Path<Uuid>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    app.delete_view(&user.session, id)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    Ok(Redirect::to(R::BASE).into_response())
}
