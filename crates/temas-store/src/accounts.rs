//! Workspaces, teams, users, API tokens, custom field definitions and idempotency records.

use crate::types::*;
use sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement};
use sqlx::types::Json;
use temas_core::time::from_micros;

fn a(name: &str) -> Alias {
    Alias::new(name)
}

#[derive(sqlx::FromRow)]
pub(crate) struct WorkspaceRow {
    id: Uuid,
    name: String,
    default_region: String,
    default_currency: String,
    settings: Json<WorkspaceSettings>,
    created_at: i64,
}

impl From<WorkspaceRow> for Workspace {
    fn from(r: WorkspaceRow) -> Self {
        Workspace {
            id: WorkspaceId(r.id),
            name: r.name,
            default_region: r.default_region,
            default_currency: r.default_currency,
            settings: r.settings.0,
            created_at: from_micros(r.created_at),
        }
    }
}

pub(crate) fn select_workspaces() -> SelectStatement {
    Query::select()
        .columns(
            [
                "id",
                "name",
                "default_region",
                "default_currency",
                "settings",
                "created_at",
            ]
            .map(a),
        )
        .from(a("workspaces"))
        .to_owned()
}

#[derive(sqlx::FromRow)]
pub(crate) struct UserRow {
    workspace_id: Uuid,
    id: Uuid,
    email: String,
    name: String,
    password_hash: String,
    role: String,
    team_id: Option<Uuid>,
    prefs: Json<UserPrefs>,
    created_at: i64,
}

impl UserRow {
    pub fn into_secret(self) -> Result<UserSecret, StoreError> {
        let role = Role::parse(&self.role)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown role {}", self.role)))?;
        Ok(UserSecret {
            password_hash: self.password_hash,
            user: User {
                id: UserId(self.id),
                workspace_id: WorkspaceId(self.workspace_id),
                email: self.email,
                name: self.name,
                role,
                team_id: self.team_id.map(TeamId),
                prefs: self.prefs.0,
                created_at: from_micros(self.created_at),
            },
        })
    }
}

/// `SELECT` of users, columns prefixed with `users.` so that it can join tokens.
pub(crate) fn select_users() -> SelectStatement {
    let mut q = Query::select();
    for c in [
        "workspace_id",
        "id",
        "email",
        "name",
        "password_hash",
        "role",
        "team_id",
        "prefs",
        "created_at",
    ] {
        q.column((a("users"), a(c)));
    }
    q.from(a("users")).to_owned()
}

pub(crate) fn insert_workspace(w: &Workspace) -> Result<sea_query::InsertStatement, StoreError> {
    let settings =
        serde_json::to_value(&w.settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut ins = Query::insert();
    ins.into_table(a("workspaces"))
        .columns(
            [
                "id",
                "name",
                "default_region",
                "default_currency",
                "settings",
                "created_at",
            ]
            .map(a),
        )
        .values([
            w.id.0.into(),
            w.name.clone().into(),
            w.default_region.clone().into(),
            w.default_currency.clone().into(),
            settings.into(),
            w.created_at.timestamp_micros().into(),
        ])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(ins)
}

pub(crate) fn insert_user(u: &NewUser) -> Result<sea_query::InsertStatement, StoreError> {
    let prefs =
        serde_json::to_value(&u.user.prefs).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let user = &u.user;
    let mut ins = Query::insert();
    ins.into_table(a("users"))
        .columns(
            [
                "workspace_id",
                "id",
                "email",
                "name",
                "password_hash",
                "role",
                "team_id",
                "prefs",
                "created_at",
            ]
            .map(a),
        )
        .values([
            user.workspace_id.0.into(),
            user.id.0.into(),
            user.email.clone().into(),
            user.name.clone().into(),
            u.password_hash.clone().into(),
            user.role.as_str().into(),
            user.team_id.map(|t| t.0).into(),
            prefs.into(),
            user.created_at.timestamp_micros().into(),
        ])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(ins)
}

pub(crate) fn update_user(u: &User) -> Result<sea_query::UpdateStatement, StoreError> {
    let prefs = serde_json::to_value(&u.prefs).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Query::update()
        .table(a("users"))
        .value(a("name"), u.name.clone())
        .value(a("role"), u.role.as_str())
        .value(a("team_id"), u.team_id.map(|t| t.0))
        .value(a("prefs"), prefs)
        .and_where(Expr::col(a("workspace_id")).eq(u.workspace_id.0))
        .and_where(Expr::col(a("id")).eq(u.id.0))
        .to_owned())
}

pub(crate) fn insert_token(t: &NewToken) -> Result<sea_query::InsertStatement, StoreError> {
    let mut ins = Query::insert();
    ins.into_table(a("api_tokens"))
        .columns(
            [
                "workspace_id",
                "id",
                "user_id",
                "name",
                "token_hash",
                "created_at",
            ]
            .map(a),
        )
        .values([
            t.workspace_id.0.into(),
            t.id.into(),
            t.user_id.0.into(),
            t.name.clone().into(),
            t.token_hash.clone().into(),
            temas_core::time::to_micros(temas_core::time::now()).into(),
        ])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(ins)
}

pub(crate) fn user_by_token(hash: &str) -> SelectStatement {
    let mut q = select_users();
    q.inner_join(
        a("api_tokens"),
        Expr::col((a("api_tokens"), a("workspace_id")))
            .equals((a("users"), a("workspace_id")))
            .and(Expr::col((a("api_tokens"), a("user_id"))).equals((a("users"), a("id")))),
    )
    .and_where(Expr::col((a("api_tokens"), a("token_hash"))).eq(hash))
    .and_where(Expr::col((a("api_tokens"), a("revoked_at"))).is_null());
    q
}

#[derive(sqlx::FromRow)]
pub(crate) struct TeamRow {
    id: Uuid,
    name: String,
}

impl From<TeamRow> for Team {
    fn from(r: TeamRow) -> Self {
        Team {
            id: TeamId(r.id),
            name: r.name,
        }
    }
}

pub(crate) fn select_teams(ws: WorkspaceId) -> SelectStatement {
    Query::select()
        .columns(["id", "name"].map(a))
        .from(a("teams"))
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .order_by(a("name"), sea_query::Order::Asc)
        .to_owned()
}

#[derive(sqlx::FromRow)]
pub(crate) struct CustomFieldRow {
    pub definition: Json<CustomFieldDef>,
}

pub(crate) fn upsert_custom_field(
    ws: WorkspaceId,
    def: &CustomFieldDef,
    update: bool,
) -> Result<(sea_query::InsertStatement, sea_query::UpdateStatement), StoreError> {
    let json = serde_json::to_value(def).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut ins = Query::insert();
    if !update {
        ins.into_table(a("custom_fields"))
            .columns(["workspace_id", "id", "entity", "field_key", "definition"].map(a))
            .values([
                ws.0.into(),
                def.id.0.into(),
                def.entity.as_str().into(),
                def.key.clone().into(),
                json.clone().into(),
            ])
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    }
    let upd = Query::update()
        .table(a("custom_fields"))
        .value(a("definition"), json)
        .and_where(Expr::col(a("workspace_id")).eq(ws.0))
        .and_where(Expr::col(a("id")).eq(def.id.0))
        .to_owned();
    Ok((ins, upd))
}

#[derive(sqlx::FromRow)]
pub(crate) struct IdempotencyRow {
    request_hash: String,
    status: i64,
    body: String,
}

impl From<IdempotencyRow> for StoredResponse {
    fn from(r: IdempotencyRow) -> Self {
        StoredResponse {
            request_hash: r.request_hash,
            status: u16::try_from(r.status).unwrap_or(500),
            body: r.body,
        }
    }
}

pub(crate) fn select_idempotent(viewer: &Viewer, key: &str) -> SelectStatement {
    Query::select()
        .columns(["request_hash", "status", "body"].map(a))
        .from(a("idempotency_keys"))
        .and_where(Expr::col(a("workspace_id")).eq(viewer.workspace_id.0))
        .and_where(Expr::col(a("user_id")).eq(viewer.user_id.0))
        .and_where(Expr::col(a("idem_key")).eq(key))
        .to_owned()
}

pub(crate) fn insert_idempotent(
    viewer: &Viewer,
    key: &str,
    r: &StoredResponse,
) -> Result<sea_query::InsertStatement, StoreError> {
    let mut ins = Query::insert();
    ins.into_table(a("idempotency_keys"))
        .columns(
            [
                "workspace_id",
                "user_id",
                "idem_key",
                "request_hash",
                "status",
                "body",
                "created_at",
            ]
            .map(a),
        )
        .values([
            viewer.workspace_id.0.into(),
            viewer.user_id.0.into(),
            key.into(),
            r.request_hash.clone().into(),
            i64::from(r.status).into(),
            r.body.clone().into(),
            temas_core::time::to_micros(temas_core::time::now()).into(),
        ])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?
        .on_conflict(sea_query::OnConflict::new().do_nothing().to_owned());
    Ok(ins)
}
