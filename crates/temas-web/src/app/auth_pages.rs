//! Sign in and out, and the user's own preferences (language, calendar, digits, time zone).

use super::{PageError, SESSION_COOKIE, Ui, WebUser, constant_time_eq, cookie, render};
use crate::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;
use temas_service::AppError;
use temas_service::admin::PrefsPatch;
use temas_service::web_session::ABSOLUTE_TIMEOUT;
use temas_store::UserPrefs;

/// The login form's CSRF token lives in a cookie of its own until there is a session (double submit).
const LOGIN_CSRF_COOKIE: &str = "temas_login";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ui: Ui,
    email: String,
    next: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextParam {
    next: Option<String>,
}

/// Only local paths: a `next` pointing elsewhere would make the login page an open redirect.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => "/contacts".to_owned(),
    }
}

fn login_form(
    headers: &HeaderMap,
    email: String,
    next: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let token = temas_service::auth::new_token().0;
    let page = LoginPage {
        ui: Ui::anonymous(headers, token.clone()),
        email,
        next,
        error,
    };
    let mut r = (status, render(&page)).into_response();
    if let Ok(v) =
        format!("{LOGIN_CSRF_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict").parse()
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub async fn login_page(
    user: Option<WebUser>,
    headers: HeaderMap,
    Query(q): Query<NextParam>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if user.is_some() {
        return Redirect::to(&next).into_response();
    }
    login_form(&headers, String::new(), next, None, StatusCode::OK)
}

#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn login(
    State(app): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(Some(&form.next));
    let ui = Ui::anonymous(&headers, String::new());
    let csrf_ok = cookie(&headers, LOGIN_CSRF_COOKIE)
        .is_some_and(|c| constant_time_eq(c.as_bytes(), form.csrf.as_bytes()));
    if !csrf_ok {
        let message = ui.t("error-csrf");
        return login_form(
            &headers,
            form.email,
            next,
            Some(message),
            StatusCode::FORBIDDEN,
        );
    }
    match app
        .sign_in(&form.email, &form.password, &client.ip().to_string())
        .await
    {
        Ok(signed_in) => {
            let mut r = Redirect::to(&next).into_response();
            let max_age = ABSOLUTE_TIMEOUT.num_seconds();
            let cookie = format!(
                "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}",
                signed_in.cookie
            );
            if let Ok(v) = cookie.parse() {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
            r
        }
        Err(AppError::Unauthenticated) => {
            let message = ui.t("login-failed");
            login_form(
                &headers,
                form.email,
                next,
                Some(message),
                StatusCode::UNAUTHORIZED,
            )
        }
        Err(AppError::TooManyAttempts { retry_after }) => {
            let minutes = i64::try_from(retry_after.div_ceil(60)).unwrap_or(i64::MAX);
            let message = ui.tr.t_count("login-locked", "minutes", minutes);
            let mut r = login_form(
                &headers,
                form.email,
                next,
                Some(message),
                StatusCode::TOO_MANY_REQUESTS,
            );
            r.headers_mut()
                .insert(header::RETRY_AFTER, retry_after.into());
            r
        }
        Err(e) => PageError::new(e, ui).into_response(),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn logout(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(form): Form<CsrfForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, Some(&form.csrf))?;
    app.sign_out(&user.cookie)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0").parse() {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

#[derive(Template)]
#[template(path = "profile.html")]
struct ProfilePage {
    ui: Ui,
    prefs: UserPrefs,
    error: Option<String>,
    saved: bool,
}

/// `?saved=1` after a form that redirects back to its page.
#[derive(Deserialize)]
pub struct SavedParam {
    #[serde(default)]
    saved: Option<String>,
}

impl SavedParam {
    pub(super) fn is_saved(&self) -> bool {
        self.saved.is_some()
    }
}

pub async fn profile_page(user: WebUser, Query(q): Query<SavedParam>) -> Response {
    render(&ProfilePage {
        prefs: user.session.user.prefs.clone(),
        ui: user.ui.in_section("profile"),
        error: None,
        saved: q.is_saved(),
    })
}

#[derive(Deserialize)]
pub struct ProfileForm {
    language: String,
    calendar: String,
    digits: String,
    time_zone: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

pub async fn save_profile(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(form): Form<ProfileForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, Some(&form.csrf))?;
    let patch = PrefsPatch {
        language: Some(form.language.clone()),
        calendar: Some(form.calendar.clone()),
        digits: Some(form.digits.clone()),
        time_zone: Some(form.time_zone.clone()),
        ..Default::default()
    };
    match app.update_prefs(&user.session, patch).await {
        // The page is drawn again in the new language, calendar and digits.
        Ok(_) => Ok(Redirect::to("/profile?saved=1").into_response()),
        Err(AppError::Invalid(errors)) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            render(&ProfilePage {
                ui: user.ui.in_section("profile"),
                prefs: UserPrefs {
                    language: form.language,
                    calendar: form.calendar,
                    digits: form.digits,
                    time_zone: form.time_zone,
                },
                error: Some(errors.to_string()),
                saved: false,
            }),
        )
            .into_response()),
        Err(e) => Err(PageError::new(e, user.ui)),
    }
}
