//! The web app: server-rendered pages with htmx partial updates, in five languages and three calendars. Handlers
//! here do what the API's do (extract, call one service method, render); they also answer an htmx request with
//! just the fragment it asked for.

mod admin_pages;
mod assets;
mod auth_pages;
mod company_pages;
mod contact_pages;
mod deal_pages;
mod duplicate_pages;
pub mod i18n;
mod import_pages;
mod lead_pages;
mod lists;
mod order_files;
mod order_pages;
mod quality_page;
mod record_bulk;
mod record_form;
mod task_pages;

use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::{HeaderMap, StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use i18n::Tr;
use temas_core::calendar::{self, Calendar, Digits};
use temas_core::contact::{Company, Contact};
use temas_service::{AppError, Session};

pub(crate) const SESSION_COOKIE: &str = "temas_session";
/// Appended to asset links, so that browsers fetch them again after an upgrade.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/contacts") }))
        .route(
            "/login",
            get(auth_pages::login_page).post(auth_pages::login),
        )
        .route("/logout", post(auth_pages::logout))
        .route(
            "/profile",
            get(auth_pages::profile_page).post(auth_pages::save_profile),
        )
        .route("/search", get(contact_pages::search))
        .route(
            "/contacts",
            get(lists::list::<Contact>).post(record_form::create::<Contact>),
        )
        .route("/contacts/views", post(lists::save_view::<Contact>))
        .route(
            "/contacts/views/{id}/delete",
            post(lists::delete_view::<Contact>),
        )
        .route("/contacts/new", get(record_form::new_page::<Contact>))
        .route(
            "/contacts/duplicates",
            post(record_form::live_duplicates::<Contact>),
        )
        .route("/contacts/export", get(lists::export))
        .route("/contacts/bulk-action", post(record_bulk::run::<Contact>))
        .route(
            "/contacts/{id}/restore",
            post(record_bulk::restore::<Contact>),
        )
        .route(
            "/contacts/{id}",
            get(contact_pages::card).post(record_form::update::<Contact>),
        )
        .route(
            "/contacts/{id}/edit",
            get(record_form::edit_page::<Contact>),
        )
        .route("/contacts/{id}/timeline", get(contact_pages::timeline))
        .route(
            "/contacts/{id}/interactions",
            post(contact_pages::log_interaction),
        )
        .route(
            "/companies",
            get(lists::list::<Company>).post(record_form::create::<Company>),
        )
        .route("/companies/new", get(record_form::new_page::<Company>))
        .route(
            "/companies/duplicates",
            post(record_form::live_duplicates::<Company>),
        )
        .route("/companies/bulk-action", post(record_bulk::run::<Company>))
        .route(
            "/companies/{id}/restore",
            post(record_bulk::restore::<Company>),
        )
        .route(
            "/companies/{id}/edit",
            get(record_form::edit_page::<Company>),
        )
        .route("/companies/views", post(lists::save_view::<Company>))
        .route(
            "/companies/views/{id}/delete",
            post(lists::delete_view::<Company>),
        )
        .route(
            "/companies/{id}",
            get(company_pages::card).post(record_form::update::<Company>),
        )
        .route(
            "/imports",
            get(import_pages::list).post(import_pages::upload).layer(
                axum::extract::DefaultBodyLimit::max(crate::imports_api::MAX_UPLOAD_BYTES),
            ),
        )
        .route("/imports/{id}", get(import_pages::show))
        .route("/imports/{id}/progress", get(import_pages::progress))
        .route("/imports/{id}/run", post(import_pages::run))
        .route("/imports/{id}/rollback", post(import_pages::rollback))
        .route("/imports/{id}/errors.csv", get(import_pages::errors))
        .route("/duplicates", get(duplicate_pages::scans))
        .route("/duplicates/scans", post(duplicate_pages::start))
        .route("/duplicates/scans/{id}", get(duplicate_pages::scan))
        .route(
            "/duplicates/scans/{id}/progress",
            get(duplicate_pages::progress),
        )
        .route(
            "/duplicates/scans/{id}/groups/{seq}",
            get(duplicate_pages::group),
        )
        .route(
            "/duplicates/scans/{id}/groups/{seq}/merge",
            post(duplicate_pages::merge),
        )
        .route(
            "/duplicates/scans/{id}/groups/{seq}/dismiss",
            post(duplicate_pages::dismiss),
        )
        .route(
            "/duplicates/scans/{id}/groups/{seq}/undo",
            post(duplicate_pages::undo),
        )
        .route("/deals", get(deal_pages::board).post(deal_pages::create))
        .route("/deals/{id}", get(deal_pages::show))
        .route("/deals/{id}/change", post(deal_pages::change))
        .route("/forecast", get(deal_pages::forecast))
        .route("/leads", get(lead_pages::list).post(lead_pages::create))
        .route("/leads/{id}", get(lead_pages::show))
        .route("/leads/{id}/convert", post(lead_pages::convert))
        .route("/my-day", get(task_pages::show))
        .route("/my-day/count", get(task_pages::count))
        .route("/my-day/rules", post(task_pages::run_rules))
        .route("/tasks", post(task_pages::create))
        .route("/tasks/{id}/done", post(task_pages::done))
        .route("/contacts/{id}/orders", post(order_pages::create))
        .route("/orders/{id}/return", post(order_pages::return_line))
        .route("/orders/{id}/problems", post(order_pages::report_problem))
        .route(
            "/orders/{id}/attachments",
            post(order_files::attach).layer(axum::extract::DefaultBodyLimit::max(
                crate::attachments_api::MAX_BODY_BYTES,
            )),
        )
        .route(
            "/orders/{id}/attachments/{file}",
            get(order_files::download),
        )
        .route(
            "/orders/{id}/attachments/{file}/delete",
            post(order_files::remove),
        )
        .route(
            "/orders/{id}/problems/resolve",
            post(order_pages::resolve_problem),
        )
        .route("/quality", get(quality_page::show))
        .route("/admin", get(admin_pages::show))
        .route("/admin/workspace", post(admin_pages::save_workspace))
        .route("/admin/users", post(admin_pages::add_user))
        .route("/admin/users/{id}", post(admin_pages::change_user))
        .route("/admin/visibility", post(admin_pages::save_visibility))
        .route(
            "/admin/indexed-fields",
            post(admin_pages::save_indexed_fields),
        )
        .route("/admin/custom-fields", post(admin_pages::add_field))
        .route("/admin/custom-fields/{id}", post(admin_pages::update_field))
        .route("/assets/{file}", get(assets::serve))
}

/// What every page needs to render: the language and direction, the user's calendar, digits and zone, and the
/// session's CSRF token for its forms.
#[derive(Clone)]
pub struct Ui {
    pub tr: Tr,
    calendar: Calendar,
    zone: chrono_tz::Tz,
    pub csrf: String,
    pub user_name: String,
    /// Owners and admins see the administration link.
    pub is_admin: bool,
    /// Which top-level section is open, for the navigation.
    pub section: &'static str,
}

impl Ui {
    fn for_session(session: &Session, csrf: String) -> Self {
        let prefs = &session.user.prefs;
        let digits = Digits::parse(&prefs.digits).unwrap_or(Digits::Latin);
        Self {
            tr: Tr::new(&prefs.language, digits),
            calendar: Calendar::parse(&prefs.calendar).unwrap_or(Calendar::Gregorian),
            zone: prefs.time_zone.parse().unwrap_or(chrono_tz::UTC),
            csrf,
            user_name: if session.user.name.is_empty() {
                session.user.email.clone()
            } else {
                session.user.name.clone()
            },
            is_admin: session.user.role.is_admin(),
            section: "",
        }
    }

    /// For pages shown before sign-in: the browser's preferred language among ours.
    fn anonymous(headers: &HeaderMap, csrf: String) -> Self {
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let lang = accept
            .split(',')
            .filter_map(|part| part.split(';').next())
            .map(|tag| tag.trim().get(..2).unwrap_or_default().to_lowercase())
            .find(|l| i18n::LANGUAGES.contains(&l.as_str()))
            .unwrap_or_else(|| "en".to_owned());
        Self {
            tr: Tr::new(&lang, Digits::Latin),
            calendar: Calendar::Gregorian,
            zone: chrono_tz::UTC,
            csrf,
            user_name: String::new(),
            is_admin: false,
            section: "",
        }
    }

    fn in_section(mut self, section: &'static str) -> Self {
        self.section = section;
        self
    }

    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    /// The message `<prefix><name>`, e.g. `channel-` and `call`.
    pub fn t_of(&self, prefix: &str, name: &str) -> String {
        self.tr.t(&format!("{prefix}{name}"))
    }

    /// A contact point's kind (work, home, mobile, …) translated when it is a usual one, else as typed.
    pub fn point_kind(&self, kind: &str) -> String {
        self.tr.t_or(&format!("kind-{kind}"), kind)
    }

    /// A message with a count (which picks the plural form).
    pub fn count(&self, id: &str, name: &str, n: usize) -> String {
        self.tr
            .t_count(id, name, i64::try_from(n).unwrap_or(i64::MAX))
    }

    /// The interface languages, each named in itself.
    pub fn languages(&self) -> [(&'static str, &'static str); 5] {
        [
            ("en", "English"),
            ("fa", "فارسی"),
            ("ar", "العربية"),
            ("ru", "Русский"),
            ("tr", "Türkçe"),
        ]
    }

    /// For templates, which cannot compare `&&str` with `&str` directly.
    pub fn same(&self, a: &str, b: &str) -> bool {
        a == b
    }

    pub fn lang(&self) -> &'static str {
        self.tr.lang()
    }

    pub fn dir(&self) -> &'static str {
        self.tr.dir()
    }

    pub fn calendar_name(&self) -> &'static str {
        match self.calendar {
            Calendar::Gregorian => "gregorian",
            Calendar::Persian => "persian",
            Calendar::Hijri => "hijri",
        }
    }

    pub fn date(&self, d: &NaiveDate) -> String {
        calendar::format_date(*d, self.calendar, self.tr.digits())
    }

    /// A date as the user types it back into a form: in their calendar, with Latin digits.
    pub fn date_input(&self, d: &NaiveDate) -> String {
        calendar::format_date(*d, self.calendar, Digits::Latin)
    }

    pub fn instant(&self, at: &DateTime<Utc>) -> String {
        calendar::format_instant(*at, self.zone, self.calendar, self.tr.digits())
    }

    pub fn number(&self, n: impl std::fmt::Display) -> String {
        self.tr.digits().apply(&n.to_string())
    }

    /// `hour` o'clock on `day` in the user's time zone.
    pub(crate) fn local_time(&self, day: NaiveDate, hour: u32) -> DateTime<Utc> {
        use chrono::TimeZone;
        let local = day.and_hms_opt(hour, 0, 0).unwrap_or_default();
        self.zone
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| local.and_utc())
    }

    pub(crate) fn parse_date(&self, text: &str) -> Result<NaiveDate, &'static str> {
        calendar::parse_date(text, self.calendar)
    }
}

/// The signed-in user of a page, from the session cookie. Without one, pages redirect to `/login`.
pub struct WebUser {
    pub session: Session,
    pub ui: Ui,
    pub cookie: String,
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

impl FromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Response> {
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let target = format!("/login?next={}", urlencode(next));
            if parts.headers.contains_key("hx-request") {
                // htmx follows this header with a full page load rather than swapping the login form in.
                ([("hx-redirect", target)], StatusCode::UNAUTHORIZED).into_response()
            } else {
                Redirect::to(&target).into_response()
            }
        };
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login());
        };
        match app.web_auth(token).await {
            Ok(auth) => Ok(WebUser {
                ui: Ui::for_session(&auth.session, auth.csrf_token),
                session: auth.session,
                cookie: token.to_owned(),
            }),
            Err(AppError::Unauthenticated) => Err(to_login()),
            Err(e) => {
                Err(PageError::new(e, Ui::anonymous(&parts.headers, String::new())).into_response())
            }
        }
    }
}

impl OptionalFromRequestParts<AppState> for WebUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Option<Self>, Response> {
        Ok(
            <WebUser as FromRequestParts<AppState>>::from_request_parts(parts, app)
                .await
                .ok(),
        )
    }
}

impl WebUser {
    /// Every form and htmx request carries the session's CSRF token, in a `_csrf` field or an `X-CSRF-Token`
    /// header; a request without the right one changes nothing.
    fn check_csrf(&self, headers: &HeaderMap, field: Option<&str>) -> Result<(), PageError> {
        let sent = field.or_else(|| headers.get("x-csrf-token").and_then(|v| v.to_str().ok()));
        match sent {
            Some(s) if constant_time_eq(s.as_bytes(), self.ui.csrf.as_bytes()) => Ok(()),
            _ => Err(PageError {
                status: StatusCode::FORBIDDEN,
                message: self.ui.t("error-csrf"),
                ui: Box::new(self.ui.clone()),
            }),
        }
    }
}

pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn is_htmx(headers: &HeaderMap) -> bool {
    headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request")
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ui: &'a Ui,
    message: &'a str,
}

/// A page that could not be shown, in the user's language.
pub struct PageError {
    status: StatusCode,
    message: String,
    ui: Box<Ui>,
}

impl PageError {
    fn new(e: AppError, ui: Ui) -> Self {
        let (status, message) = match e {
            AppError::NotFound => (StatusCode::NOT_FOUND, ui.t("error-not-found")),
            AppError::Forbidden(_) => (StatusCode::FORBIDDEN, ui.t("error-forbidden")),
            AppError::Unauthenticated => (StatusCode::UNAUTHORIZED, ui.t("login-expired")),
            AppError::Invalid(errors) => (StatusCode::UNPROCESSABLE_ENTITY, errors.to_string()),
            other => {
                let request_id = uuid::Uuid::now_v7().to_string();
                tracing::error!(%request_id, cause = %other, "web page failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ui.tr.t_with("error-internal", "id", &request_id),
                )
            }
        };
        Self {
            status,
            message,
            ui: Box::new(ui),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            ui: &self.ui,
            message: &self.message,
        };
        (self.status, render(&page)).into_response()
    }
}

/// Renders a template; a template that fails to render is a bug, shown as a plain 500.
pub(crate) fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// What a form sent, in order (repeated names such as `email` or `ids` keep every value).
pub(crate) type Fields = Vec<(String, String)>;

/// The first value of a form field.
pub(crate) fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A fragment rendered for inclusion in a page (already escaped by its template).
pub(crate) fn fragment(t: &impl Template) -> String {
    t.render().unwrap_or_else(|e| {
        tracing::error!(error = %e, "fragment failed");
        String::new()
    })
}
