//! Saved list views. A user sees their own views and the views shared with their team (or, when the sharer had
//! no team, with the whole workspace); only the owner changes or deletes one.

use crate::db::Pools;
use crate::types::*;
use sea_query::{Alias, Condition, Expr, ExprTrait, Order, Query};
use sqlx::types::Json;
use temas_core::time::{from_micros, to_micros};
use temas_core::view::{SavedView, ViewEntity, ViewSettings};

fn a(name: &str) -> Alias {
    Alias::new(name)
}

const COLUMNS: [&str; 8] = [
    "id",
    "entity",
    "name",
    "owner_id",
    "shared",
    "settings",
    "created_at",
    "updated_at",
];

#[derive(sqlx::FromRow)]
struct ViewRow {
    id: Uuid,
    entity: String,
    name: String,
    owner_id: Uuid,
    shared: bool,
    settings: Json<ViewSettings>,
    created_at: i64,
    updated_at: i64,
}

impl ViewRow {
    fn into_view(self) -> Result<SavedView, StoreError> {
        Ok(SavedView {
            id: self.id,
            entity: ViewEntity::parse(&self.entity)
                .ok_or_else(|| StoreError::Corrupt(format!("view entity {}", self.entity)))?,
            name: self.name,
            owner_id: UserId(self.owner_id),
            shared: self.shared,
            settings: self.settings.0,
            created_at: from_micros(self.created_at),
            updated_at: from_micros(self.updated_at),
        })
    }
}

/// Views of `viewer`'s workspace that the viewer may use.
fn usable_by(viewer: &Viewer) -> Condition {
    let shared_with = match viewer.team_id {
        Some(team) => Condition::any()
            .add(Expr::col(a("team_id")).is_null())
            .add(Expr::col(a("team_id")).eq(team.0)),
        None => Condition::all().add(Expr::col(a("team_id")).is_null()),
    };
    Condition::all()
        .add(Expr::col(a("workspace_id")).eq(viewer.workspace_id.0))
        .add(
            Condition::any()
                .add(Expr::col(a("owner_id")).eq(viewer.user_id.0))
                .add(
                    Condition::all()
                        .add(Expr::col(a("shared")).eq(true))
                        .add(shared_with),
                ),
        )
}

fn settings_json(view: &SavedView) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(&view.settings).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The team a shared view is shared with: its owner's.
fn shared_team(viewer: &Viewer, view: &SavedView) -> Option<Uuid> {
    view.shared.then_some(viewer.team_id.map(|t| t.0)).flatten()
}

pub(crate) async fn create(
    pools: &Pools,
    viewer: &Viewer,
    view: &SavedView,
) -> Result<(), StoreError> {
    let mut ins = Query::insert();
    ins.into_table(a("saved_views"))
        .columns(
            ["workspace_id", "team_id"]
                .into_iter()
                .chain(COLUMNS)
                .map(a),
        )
        .values([
            viewer.workspace_id.0.into(),
            shared_team(viewer, view).into(),
            view.id.into(),
            view.entity.as_str().into(),
            view.name.clone().into(),
            view.owner_id.0.into(),
            view.shared.into(),
            settings_json(view)?.into(),
            to_micros(view.created_at).into(),
            to_micros(view.updated_at).into(),
        ])
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let mut tx = pools.begin().await?;
    tx.execute(&ins)
        .await
        .map_err(crate::db::taken_as("name"))?;
    tx.commit().await
}

pub(crate) async fn list(
    pools: &Pools,
    viewer: &Viewer,
    entity: ViewEntity,
) -> Result<Vec<SavedView>, StoreError> {
    let q = Query::select()
        .columns(COLUMNS.map(a))
        .from(a("saved_views"))
        .cond_where(usable_by(viewer))
        .and_where(Expr::col(a("entity")).eq(entity.as_str()))
        .order_by(a("name"), Order::Asc)
        .order_by(a("id"), Order::Asc)
        .to_owned();
    pools
        .fetch_all::<ViewRow, _>(&q)
        .await?
        .into_iter()
        .map(ViewRow::into_view)
        .collect()
}

pub(crate) async fn get(
    pools: &Pools,
    viewer: &Viewer,
    id: Uuid,
) -> Result<Option<SavedView>, StoreError> {
    let q = Query::select()
        .columns(COLUMNS.map(a))
        .from(a("saved_views"))
        .cond_where(usable_by(viewer))
        .and_where(Expr::col(a("id")).eq(id))
        .to_owned();
    pools
        .fetch_optional::<ViewRow, _>(&q)
        .await?
        .map(ViewRow::into_view)
        .transpose()
}

/// Replaces the name, sharing and settings of a view the viewer owns; `NotFound` when they own none by that id.
pub(crate) async fn update(
    pools: &Pools,
    viewer: &Viewer,
    view: &SavedView,
) -> Result<(), StoreError> {
    let upd = Query::update()
        .table(a("saved_views"))
        .value(a("name"), view.name.clone())
        .value(a("shared"), view.shared)
        .value(a("team_id"), shared_team(viewer, view))
        .value(a("settings"), settings_json(view)?)
        .value(a("updated_at"), to_micros(view.updated_at))
        .and_where(Expr::col(a("workspace_id")).eq(viewer.workspace_id.0))
        .and_where(Expr::col(a("id")).eq(view.id))
        .and_where(Expr::col(a("owner_id")).eq(viewer.user_id.0))
        .to_owned();
    let mut tx = pools.begin().await?;
    let n = tx
        .execute(&upd)
        .await
        .map_err(crate::db::taken_as("name"))?;
    tx.commit().await?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

/// Deletes a view the viewer owns; `NotFound` when they own none by that id.
pub(crate) async fn delete(pools: &Pools, viewer: &Viewer, id: Uuid) -> Result<(), StoreError> {
    let del = Query::delete()
        .from_table(a("saved_views"))
        .and_where(Expr::col(a("workspace_id")).eq(viewer.workspace_id.0))
        .and_where(Expr::col(a("id")).eq(id))
        .and_where(Expr::col(a("owner_id")).eq(viewer.user_id.0))
        .to_owned();
    if pools.execute(&del).await? == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}
