//! Duplicates in the web app: start a scan and follow it, work through its review queue (most confident group
//! first, each with the reasons the engine gives), and on a group's page choose the surviving record and values,
//! merge, undo, or say the records are different. The same service calls as `/api/v1/dedupe/…`.

use super::{Fields, PageError, Ui, WebUser, field, render};
use crate::AppState;
use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use temas_core::merge::Rule;
use temas_service::AppError;
use temas_service::dedupe_scans::{ScanRequest, ScanView};
use temas_service::review_queue::{GroupMember, GroupMerge, GroupView};
use temas_store::Uuid;

/// Contributions a queue line shows: the strongest few, for and against.
const REASONS_SHOWN: usize = 4;

#[derive(Template)]
#[template(path = "duplicates.html")]
struct ScansPage {
    ui: Ui,
    scans: Vec<ScanView>,
    can_merge: bool,
}

#[derive(Template)]
#[template(path = "duplicate_scan.html")]
struct ScanPage {
    ui: Ui,
    scan: ScanView,
    /// `open`, `merged`, `dismissed` or empty for all.
    status: String,
    groups: Vec<GroupLine>,
    next: Option<String>,
}

impl ScanPage {
    fn active(&self) -> bool {
        !matches!(self.scan.status.as_str(), "done" | "failed")
    }

    fn figure(&self, key: &str) -> u64 {
        self.scan.progress[key].as_u64().unwrap_or(0)
    }

    fn is_filter(&self, status: &str) -> bool {
        self.status == status
    }
}

#[derive(Template)]
#[template(path = "duplicate_progress.html")]
struct ProgressFragment {
    ui: Ui,
    scan: ScanView,
}

impl ProgressFragment {
    fn figure(&self, key: &str) -> u64 {
        self.scan.progress[key].as_u64().unwrap_or(0)
    }
}

/// A member as pages show it.
struct Member {
    id: Uuid,
    href: String,
    name: String,
    /// Emails and phones, joined.
    detail: String,
    state: String,
}

/// A group in the queue.
struct GroupLine {
    seq: i64,
    percent: u32,
    status: String,
    members: Vec<Member>,
    reasons: String,
}

/// A single value the merge keeps from one record: the field (as `choose` names it) and each member's value.
struct ValueRow {
    key: String,
    label: String,
    values: Vec<String>,
}

#[derive(Template)]
#[template(path = "duplicate_group.html")]
struct GroupPage {
    ui: Ui,
    scan: ScanView,
    seq: i64,
    percent: u32,
    status: String,
    merge_id: Option<Uuid>,
    members: Vec<Member>,
    rows: Vec<ValueRow>,
    pairs: Vec<String>,
    error: Option<String>,
}

impl GroupPage {
    fn live(&self) -> usize {
        self.members.iter().filter(|m| m.state == "live").count()
    }
}

/// The single-valued fields a merge screen offers to choose, per entity (`name` is the name parts together).
fn value_fields(entity: &str) -> &'static [&'static str] {
    if entity == "companies" {
        &["name", "domain", "industry", "size"]
    } else {
        &[
            "name",
            "salutation",
            "gender",
            "birth_date",
            "job_title",
            "language",
            "time_zone",
            "source",
        ]
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn member(entity: &str, m: &GroupMember) -> Member {
    let record = m.record.clone().unwrap_or(Value::Null);
    let name = ["display_name", "name"]
        .iter()
        .map(|k| text(&record[*k]))
        .find(|s| !s.is_empty())
        .unwrap_or_else(|| m.id.to_string());
    let points: Vec<String> = ["emails", "phones"]
        .iter()
        .flat_map(|k| record[*k].as_array().cloned().unwrap_or_default())
        .map(|p| {
            text(if p["address"].is_null() {
                &p["number"]
            } else {
                &p["address"]
            })
        })
        .collect();
    Member {
        id: m.id,
        href: format!("/{entity}/{}", m.id),
        name,
        detail: points.join(", "),
        state: m.state.clone(),
    }
}

/// "email same +9.8 · family name nearly same +4.1": the contributions that weigh most, in the user's language.
fn reasons(ui: &Ui, pair: &Value, shown: usize) -> String {
    let mut parts: Vec<(f64, String)> = pair["contributions"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|c| {
            let bits = c["bits"].as_f64()?;
            (bits.abs() >= 0.5).then(|| {
                let field = text(&c["field"]);
                let level = text(&c["level"]);
                let label = format!(
                    "{} {} {:+.1}",
                    ui.tr.t_or(&format!("dedupe-field-{field}"), &field),
                    ui.tr
                        .t_or(&format!("dedupe-level-{}", level.replace(' ', "-")), &level),
                    bits
                );
                (bits, label)
            })
        })
        .collect();
    parts.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()));
    parts
        .into_iter()
        .take(shown)
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join(" · ")
}

fn line(ui: &Ui, entity: &str, g: &GroupView) -> GroupLine {
    GroupLine {
        seq: g.seq,
        percent: (g.confidence * 100.0).round() as u32,
        status: g.status.clone(),
        members: g.members.iter().map(|m| member(entity, m)).collect(),
        reasons: g
            .pairs
            .get(0)
            .map_or_else(String::new, |p| reasons(ui, p, REASONS_SHOWN)),
    }
}

pub async fn scans(State(app): State<AppState>, user: WebUser) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("duplicates");
    let scans = app
        .dedupe_scans(&user.session)
        .await
        .map_err(|e| PageError::new(e, ui.clone()))?;
    let can_merge = user
        .session
        .workspace
        .settings
        .auto_merge_confidence
        .is_some();
    Ok(render(&ScansPage {
        ui,
        scans,
        can_merge,
    }))
}

pub async fn start(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    let req = ScanRequest {
        entity: field(&fields, "entity").map(str::to_owned),
        merge: field(&fields, "merge") == Some("1"),
    };
    let scan = app
        .start_dedupe_scan(&user.session, &req)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    Ok(Redirect::to(&format!("/duplicates/scans/{}", scan.id)).into_response())
}

#[derive(Deserialize)]
pub struct QueueQuery {
    status: Option<String>,
    cursor: Option<String>,
}

pub async fn scan(
    State(app): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
    Query(q): Query<QueueQuery>,
) -> Result<Response, PageError> {
    let ui = user.ui.clone().in_section("duplicates");
    let fail = |e| PageError::new(e, ui.clone());
    let scan = app.dedupe_scan(&user.session, id).await.map_err(fail)?;
    let status = q.status.unwrap_or_else(|| "open".into());
    let filter = (!status.is_empty()).then_some(status.as_str());
    let (groups, next) = if scan.status == "done" {
        let page = app
            .review_queue(&user.session, id, filter, q.cursor.as_deref(), Some(50))
            .await
            .map_err(fail)?;
        let lines = page
            .items
            .iter()
            .map(|g| line(&ui, &scan.entity, g))
            .collect();
        (lines, page.next_cursor)
    } else {
        (Vec::new(), None)
    };
    Ok(render(&ScanPage {
        ui,
        scan,
        status,
        groups,
        next,
    }))
}

/// The running scan's progress line; once it has ended, a full reload shows the queue.
pub async fn progress(
    State(app): State<AppState>,
    user: WebUser,
    Path(id): Path<Uuid>,
) -> Result<Response, PageError> {
    let ui = user.ui.clone();
    let scan = app
        .dedupe_scan(&user.session, id)
        .await
        .map_err(|e| PageError::new(e, ui.clone()))?;
    if matches!(scan.status.as_str(), "done" | "failed") {
        return Ok(([("hx-refresh", "true")], StatusCode::OK).into_response());
    }
    Ok(render(&ProgressFragment { ui, scan }))
}

pub async fn group(
    State(app): State<AppState>,
    user: WebUser,
    Path((id, seq)): Path<(Uuid, i64)>,
) -> Result<Response, PageError> {
    let page = group_page(&app, &user, id, seq, None).await?;
    Ok(render(&page))
}

async fn group_page(
    app: &AppState,
    user: &WebUser,
    id: Uuid,
    seq: i64,
    error: Option<String>,
) -> Result<GroupPage, PageError> {
    let ui = user.ui.clone().in_section("duplicates");
    let fail = |e| PageError::new(e, ui.clone());
    let scan = app.dedupe_scan(&user.session, id).await.map_err(fail)?;
    let group = app
        .review_group(&user.session, id, seq)
        .await
        .map_err(fail)?;
    let members: Vec<Member> = group
        .members
        .iter()
        .map(|m| member(&scan.entity, m))
        .collect();
    let records: Vec<Value> = group
        .members
        .iter()
        .map(|m| m.record.clone().unwrap_or(Value::Null))
        .collect();
    let rows = value_fields(&scan.entity)
        .iter()
        .map(|key| {
            let source = if *key == "name" && scan.entity == "contacts" {
                "display_name"
            } else {
                key
            };
            ValueRow {
                key: (*key).to_owned(),
                label: ui.tr.t_or(&format!("field-{key}"), key),
                values: records.iter().map(|r| text(&r[source])).collect(),
            }
        })
        .filter(|row| row.values.iter().any(|v| !v.is_empty()))
        .collect();
    let name_of = |id: &Value| {
        members
            .iter()
            .find(|m| Some(m.id.to_string().as_str()) == id.as_str())
            .map_or_else(String::new, |m| m.name.clone())
    };
    let pairs = group
        .pairs
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            format!(
                "{} ↔ {} ({}%): {}",
                name_of(&p["a"]),
                name_of(&p["b"]),
                (p["probability"].as_f64().unwrap_or(0.0) * 100.0).round(),
                reasons(&ui, p, usize::MAX)
            )
        })
        .collect();
    Ok(GroupPage {
        percent: (group.confidence * 100.0).round() as u32,
        status: group.status.clone(),
        merge_id: group.merge_id,
        seq,
        scan,
        members,
        rows,
        pairs,
        error,
        ui,
    })
}

/// Merges the group as chosen on its page: the survivor, the rule, and per field the record to keep it from
/// (`pick-FIELD`, empty for "by the rule").
pub async fn merge(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path((id, seq)): Path<(Uuid, i64)>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    let parse = |v: &str| v.parse::<Uuid>().ok();
    let choose: BTreeMap<String, Uuid> = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("pick-")?.to_owned(), parse(v)?)))
        .collect();
    let how = GroupMerge {
        survivor_id: field(&fields, "survivor").and_then(parse),
        exclude: fields
            .iter()
            .filter(|(k, _)| k == "exclude")
            .filter_map(|(_, v)| parse(v))
            .collect(),
        rule: match field(&fields, "rule") {
            Some("most_recent") => Rule::MostRecent,
            _ => Rule::MostComplete,
        },
        choose,
    };
    match app.merge_group(&user.session, id, seq, &how).await {
        Ok(_) => Ok(Redirect::to(&format!("/duplicates/scans/{id}/groups/{seq}")).into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = group_page(&app, &user, id, seq, Some(errors.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(PageError::new(e, user.ui.clone())),
    }
}

pub async fn dismiss(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path((id, seq)): Path<(Uuid, i64)>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    app.dismiss_group(&user.session, id, seq)
        .await
        .map_err(|e| PageError::new(e, user.ui.clone()))?;
    Ok(Redirect::to(&format!("/duplicates/scans/{id}")).into_response())
}

/// Undoes a group's merge and shows the group again.
pub async fn undo(
    State(app): State<AppState>,
    user: WebUser,
    headers: HeaderMap,
    Path((id, seq)): Path<(Uuid, i64)>,
    Form(fields): Form<Fields>,
) -> Result<Response, PageError> {
    user.check_csrf(&headers, field(&fields, "_csrf"))?;
    let fail = |e| PageError::new(e, user.ui.clone());
    let group = app
        .review_group(&user.session, id, seq)
        .await
        .map_err(fail)?;
    let Some(merge) = group.merge_id else {
        return Err(fail(AppError::NotFound));
    };
    app.undo_merge(&user.session, merge).await.map_err(fail)?;
    Ok(Redirect::to(&format!("/duplicates/scans/{id}/groups/{seq}")).into_response())
}
