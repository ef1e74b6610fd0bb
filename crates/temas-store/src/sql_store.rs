//! [`SqlStore`]: the [`Store`] implementation over SQLite or PostgreSQL.

use crate::accounts::{self, CustomFieldRow, IdempotencyRow, TeamRow, UserRow, WorkspaceRow};
use crate::db::{Pools, StoreConfig, taken_as};
use crate::group_commit::InsertJob;
use crate::records::{
    self, RecordRow, list_cursor, page, select_records, table, timeline_cursor, visible,
};
use crate::schema::MIGRATIONS;
use crate::types::*;
use crate::{Store, search};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sea_query::{Alias, Expr, ExprTrait, Order, Query};
use sqlx::types::Json;
use temas_core::time::{from_micros, now, to_micros};

pub struct SqlStore {
    pools: Pools,
    /// SQLite only: the group-commit writer that takes inserts.
    writer: Option<tokio::sync::mpsc::Sender<InsertJob>>,
    /// The SQLite file, for backups before migrations.
    sqlite_path: Option<std::path::PathBuf>,
    migration_backup: bool,
}

fn a(name: &str) -> Alias {
    Alias::new(name)
}

#[derive(sqlx::FromRow)]
struct NameRow {
    name: String,
}

#[derive(sqlx::FromRow)]
struct CountRow {
    n: i64,
}

#[derive(sqlx::FromRow)]
struct ChangeRow {
    id: Uuid,
    action: String,
    actor_id: Option<Uuid>,
    at: i64,
    changes: Json<serde_json::Value>,
}

impl SqlStore {
    /// Runs `work`, which builds indexes, with the SQLite writer's page cache lowered to
    /// [`crate::db::INDEX_BUILD_CACHE_KIB`] and its usual size back afterwards, whatever the outcome; the work's
    /// own error comes first.
    async fn building_indexes<T>(
        &self,
        work: impl std::future::Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        if self.backend() != Backend::Sqlite {
            return work.await;
        }
        self.set_writer_cache(Some(crate::db::INDEX_BUILD_CACHE_KIB))
            .await?;
        let outcome = work.await;
        let restored = self.set_writer_cache(None).await;
        let value = outcome?;
        restored?;
        Ok(value)
    }

    /// Applies `pending` migrations in order, each in its transaction with its entry in `temas_migrations`.
    async fn apply_migrations(
        &self,
        pending: Vec<&crate::schema::Migration>,
    ) -> Result<Vec<String>, StoreError> {
        let mut done = Vec::new();
        for m in pending {
            let mut tx = self.pools.begin().await?;
            tx.execute_raw(&(m.ddl)(self.backend())).await?;
            let ins = Query::insert()
                .into_table(a("temas_migrations"))
                .columns([a("name"), a("applied_at")])
                .values_panic([m.name.into(), to_micros(now()).into()])
                .to_owned();
            tx.execute(&ins).await?;
            tx.commit().await?;
            tracing::info!(migration = m.name, "applied migration");
            done.push(m.name.to_owned());
        }
        Ok(done)
    }

    async fn set_writer_cache(&self, kib: Option<u32>) -> Result<(), StoreError> {
        let mut tx = self.pools.begin().await?;
        tx.execute_raw(&crate::db::writer_cache_pragma(kib)).await?;
        tx.commit().await
    }

    pub async fn connect(config: &StoreConfig) -> Result<Self, StoreError> {
        let pools = Pools::connect(config).await?;
        let sqlite_path = config
            .url
            .strip_prefix("sqlite://")
            .or_else(|| config.url.strip_prefix("sqlite:"))
            .map(|p| std::path::PathBuf::from(p.split('?').next().unwrap_or(p)));
        let writer = matches!(pools, Pools::Sqlite { .. })
            .then(|| crate::group_commit::start(pools.clone()));
        Ok(Self {
            pools,
            writer,
            sqlite_path,
            migration_backup: config.migration_backup,
        })
    }

    async fn applied_migrations(&self) -> Result<Vec<String>, StoreError> {
        let mut tx = self.pools.begin().await?;
        tx.execute_raw("CREATE TABLE IF NOT EXISTS temas_migrations (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)")
            .await?;
        tx.commit().await?;
        let q = Query::select()
            .column(a("name"))
            .from(a("temas_migrations"))
            .to_owned();
        let rows: Vec<NameRow> = self.pools.fetch_all(&q).await?;
        Ok(rows.into_iter().map(|r| r.name).collect())
    }

    /// The record as it was created: its current data with every update undone, newest first.
    async fn created_data(
        &self,
        viewer: &Viewer,
        id: Uuid,
        mut data: serde_json::Value,
    ) -> Result<serde_json::Value, StoreError> {
        let q = Query::select()
            .columns(["id", "action", "actor_id", "at", "changes"].map(a))
            .from(a("changes"))
            .and_where(Expr::col(a("workspace_id")).eq(viewer.workspace_id.0))
            .and_where(Expr::col(a("record_id")).eq(id))
            .and_where(Expr::col(a("action")).is_in(["update", "merge", "unmerge"]))
            .order_by(a("id"), Order::Desc)
            .to_owned();
        for row in self.pools.fetch_all::<ChangeRow, _>(&q).await? {
            let changes: Vec<FieldChange> = serde_json::from_value(row.changes.0)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            temas_core::diff::undo(&mut data, &changes);
        }
        Ok(data)
    }

    async fn fetch_record(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        id: Uuid,
    ) -> Result<Option<RecordRow>, StoreError> {
        let t = table(kind);
        let mut q = select_records(kind);
        q.cond_where(visible(kind, viewer))
            .and_where(Expr::col((a(t), a("id"))).eq(id));
        self.pools.fetch_optional(&q).await
    }
}

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.pools.backend()
    }

    async fn migrate(&self) -> Result<Vec<String>, StoreError> {
        let applied = self.applied_migrations().await?;
        let pending: Vec<_> = MIGRATIONS
            .iter()
            .filter(|m| !applied.iter().any(|a| a == m.name))
            .collect();
        if pending.is_empty() {
            return Ok(Vec::new());
        }
        // An existing SQLite database is copied before its schema changes, so a failed migration loses nothing.
        if !applied.is_empty()
            && self.migration_backup
            && let Some(path) = &self.sqlite_path
        {
            let backup = path.with_extension(format!("before-{}.db", pending[0].name));
            if let Err(e) = self.backup_to(&backup).await {
                // A copy cut short (a full disk) is no backup: it goes, and the database stays unmigrated.
                if !matches!(e, StoreError::Taken(_)) {
                    let _ = std::fs::remove_file(&backup);
                }
                return Err(StoreError::MigrationBackup(format!(
                    "copying the database to {} before migrating failed, so nothing was migrated ({e}); \
                     free the space for a copy, or pass --skip-migration-backup if you keep backups of your own",
                    backup.display()
                )));
            }
            tracing::info!(backup = %backup.display(), "backed up the database before migrating");
        }
        self.building_indexes(async {
            let done = self.apply_migrations(pending).await?;
            if !done.is_empty() {
                self.pools.sample_new_indexes().await?;
            }
            Ok(done)
        })
        .await
    }

    async fn check(&self) -> Result<Vec<String>, StoreError> {
        let mut findings = Vec::new();
        let applied = self.applied_migrations().await?;
        for m in MIGRATIONS {
            if !applied.iter().any(|a| a == m.name) {
                findings.push(format!("migration {} is not applied", m.name));
            }
        }
        if let Pools::Sqlite { read, .. } = &self.pools {
            let rows: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check")
                .fetch_all(read)
                .await?;
            findings.extend(rows.into_iter().map(|r| r.0).filter(|r| r != "ok"));
            let fk: Vec<(String,)> =
                sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                    .fetch_all(read)
                    .await?;
            findings.extend(
                fk.into_iter()
                    .map(|r| format!("foreign key violation in {}", r.0)),
            );
        }
        Ok(findings)
    }

    async fn backup_to(&self, path: &std::path::Path) -> Result<(), StoreError> {
        match &self.pools {
            Pools::Sqlite { write, .. } => {
                if path.exists() {
                    return Err(StoreError::Taken("backup file"));
                }
                // VACUUM INTO writes a consistent snapshot while readers and writers carry on.
                sqlx::query("VACUUM INTO ?")
                    .bind(path.to_string_lossy().to_string())
                    .execute(write)
                    .await?;
                Ok(())
            }
            Pools::Postgres(_) => Err(StoreError::Unsupported(
                "use pg_dump for PostgreSQL backups",
            )),
        }
    }

    async fn count_workspaces(&self) -> Result<i64, StoreError> {
        let q = Query::select()
            .expr_as(Expr::col(sea_query::Asterisk).count(), a("n"))
            .from(a("workspaces"))
            .to_owned();
        Ok(self
            .pools
            .fetch_optional::<CountRow, _>(&q)
            .await?
            .map_or(0, |r| r.n))
    }

    async fn first_workspace(&self) -> Result<Option<Workspace>, StoreError> {
        let mut q = accounts::select_workspaces();
        q.order_by(a("created_at"), Order::Asc).limit(1);
        Ok(self
            .pools
            .fetch_optional::<WorkspaceRow, _>(&q)
            .await?
            .map(Into::into))
    }

    async fn workspaces(&self) -> Result<Vec<Workspace>, StoreError> {
        let mut q = accounts::select_workspaces();
        q.order_by(a("created_at"), Order::Asc);
        let rows: Vec<WorkspaceRow> = self.pools.fetch_all(&q).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    async fn create_workspace(
        &self,
        workspace: &Workspace,
        owner: &NewUser,
    ) -> Result<(), StoreError> {
        let mut tx = self.pools.begin().await?;
        tx.execute(&accounts::insert_workspace(workspace)?).await?;
        tx.execute(&accounts::insert_user(owner)?)
            .await
            .map_err(taken_as("email"))?;
        tx.commit().await
    }

    async fn workspace(&self, id: WorkspaceId) -> Result<Option<Workspace>, StoreError> {
        let mut q = accounts::select_workspaces();
        q.and_where(Expr::col(a("id")).eq(id.0));
        Ok(self
            .pools
            .fetch_optional::<WorkspaceRow, _>(&q)
            .await?
            .map(Into::into))
    }

    async fn update_workspace(&self, w: &Workspace) -> Result<(), StoreError> {
        let settings =
            serde_json::to_value(&w.settings).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let upd = Query::update()
            .table(a("workspaces"))
            .value(a("name"), w.name.clone())
            .value(a("default_region"), w.default_region.clone())
            .value(a("default_currency"), w.default_currency.clone())
            .value(a("settings"), settings)
            .and_where(Expr::col(a("id")).eq(w.id.0))
            .to_owned();
        self.pools.execute(&upd).await.map(|_| ())
    }

    async fn ensure_team(&self, ws: WorkspaceId, name: &str) -> Result<Team, StoreError> {
        let mut q = accounts::select_teams(ws);
        q.and_where(Expr::col(a("name")).eq(name));
        if let Some(t) = self.pools.fetch_optional::<TeamRow, _>(&q).await? {
            return Ok(t.into());
        }
        let team = Team {
            id: TeamId::new(),
            name: name.to_owned(),
        };
        let ins = Query::insert()
            .into_table(a("teams"))
            .columns([a("workspace_id"), a("id"), a("name")])
            .values_panic([ws.0.into(), team.id.0.into(), name.into()])
            .to_owned();
        self.pools
            .execute(&ins)
            .await
            .map_err(taken_as("team name"))?;
        Ok(team)
    }

    async fn teams(&self, ws: WorkspaceId) -> Result<Vec<Team>, StoreError> {
        Ok(self
            .pools
            .fetch_all::<TeamRow, _>(&accounts::select_teams(ws))
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }

    async fn create_user(&self, user: &NewUser) -> Result<(), StoreError> {
        self.pools
            .execute(&accounts::insert_user(user)?)
            .await
            .map_err(taken_as("email"))
            .map(|_| ())
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserSecret>, StoreError> {
        let mut q = accounts::select_users();
        q.and_where(Expr::col((a("users"), a("email"))).eq(email));
        self.pools
            .fetch_optional::<UserRow, _>(&q)
            .await?
            .map(UserRow::into_secret)
            .transpose()
    }

    async fn user(&self, ws: WorkspaceId, id: UserId) -> Result<Option<User>, StoreError> {
        let mut q = accounts::select_users();
        q.and_where(Expr::col((a("users"), a("workspace_id"))).eq(ws.0))
            .and_where(Expr::col((a("users"), a("id"))).eq(id.0));
        Ok(self
            .pools
            .fetch_optional::<UserRow, _>(&q)
            .await?
            .map(UserRow::into_secret)
            .transpose()?
            .map(|s| s.user))
    }

    async fn users(&self, ws: WorkspaceId) -> Result<Vec<User>, StoreError> {
        let mut q = accounts::select_users();
        q.and_where(Expr::col((a("users"), a("workspace_id"))).eq(ws.0))
            .order_by((a("users"), a("email")), Order::Asc);
        let rows: Vec<UserRow> = self.pools.fetch_all(&q).await?;
        rows.into_iter()
            .map(|r| r.into_secret().map(|s| s.user))
            .collect()
    }

    async fn update_user(&self, user: &User) -> Result<(), StoreError> {
        self.pools
            .execute(&accounts::update_user(user)?)
            .await
            .map(|_| ())
    }

    async fn create_token(&self, token: &NewToken) -> Result<(), StoreError> {
        self.pools
            .execute(&accounts::insert_token(token)?)
            .await
            .map(|_| ())
    }

    async fn user_by_token_hash(&self, hash: &str) -> Result<Option<User>, StoreError> {
        let q = accounts::user_by_token(hash);
        Ok(self
            .pools
            .fetch_optional::<UserRow, _>(&q)
            .await?
            .map(UserRow::into_secret)
            .transpose()?
            .map(|s| s.user))
    }

    async fn custom_fields(&self, ws: WorkspaceId) -> Result<Vec<CustomFieldDef>, StoreError> {
        let q = Query::select()
            .column(a("definition"))
            .from(a("custom_fields"))
            .and_where(Expr::col(a("workspace_id")).eq(ws.0))
            .to_owned();
        let mut defs: Vec<CustomFieldDef> = self
            .pools
            .fetch_all::<CustomFieldRow, _>(&q)
            .await?
            .into_iter()
            .map(|r| r.definition.0)
            .collect();
        defs.sort_by_key(|d| (d.entity.as_str(), d.position));
        Ok(defs)
    }

    async fn create_custom_field(
        &self,
        ws: WorkspaceId,
        def: &CustomFieldDef,
    ) -> Result<(), StoreError> {
        let (ins, _) = accounts::upsert_custom_field(ws, def, false)?;
        self.pools
            .execute(&ins)
            .await
            .map_err(taken_as("custom field key"))
            .map(|_| ())
    }

    async fn update_custom_field(
        &self,
        ws: WorkspaceId,
        def: &CustomFieldDef,
    ) -> Result<(), StoreError> {
        let (_, upd) = accounts::upsert_custom_field(ws, def, true)?;
        match self.pools.execute(&upd).await? {
            0 => Err(StoreError::NotFound),
            _ => Ok(()),
        }
    }

    async fn idempotent_response(
        &self,
        viewer: &Viewer,
        key: &str,
    ) -> Result<Option<StoredResponse>, StoreError> {
        let q = accounts::select_idempotent(viewer, key);
        Ok(self
            .pools
            .fetch_optional::<IdempotencyRow, _>(&q)
            .await?
            .map(Into::into))
    }

    async fn save_idempotent_response(
        &self,
        viewer: &Viewer,
        key: &str,
        r: &StoredResponse,
    ) -> Result<(), StoreError> {
        self.pools
            .execute(&accounts::insert_idempotent(viewer, key, r)?)
            .await
            .map(|_| ())
    }

    async fn insert_records(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        records: Vec<NewRecord>,
    ) -> Result<(), StoreError> {
        match &self.writer {
            Some(writer) => {
                let (reply, answer) = tokio::sync::oneshot::channel();
                let job = InsertJob {
                    kind,
                    viewer: *viewer,
                    records,
                    reply,
                };
                writer
                    .send(job)
                    .await
                    .map_err(|_| StoreError::Corrupt("the writer has stopped".into()))?;
                answer
                    .await
                    .map_err(|_| StoreError::Corrupt("the writer has stopped".into()))?
            }
            None => {
                let mut tx = self.pools.begin().await?;
                records::insert(&mut tx, kind, viewer, &records, to_micros(now())).await?;
                tx.commit().await
            }
        }
    }

    async fn get_record(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        id: Uuid,
    ) -> Result<Option<StoredRecord>, StoreError> {
        Ok(self
            .fetch_record(kind, viewer, id)
            .await?
            .map(RecordRow::into_record))
    }

    async fn get_records(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        ids: &[Uuid],
    ) -> Result<Vec<StoredRecord>, StoreError> {
        let t = table(kind);
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut q = select_records(kind);
            q.cond_where(visible(kind, viewer))
                .and_where(Expr::col((a(t), a("id"))).is_in(chunk.iter().copied()));
            let rows: Vec<RecordRow> = self.pools.fetch_all(&q).await?;
            out.extend(rows.into_iter().map(RecordRow::into_record));
        }
        Ok(out)
    }

    async fn records_by_external_id(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        external_ids: &[String],
    ) -> Result<Vec<(StoredRecord, bool)>, StoreError> {
        if external_ids.is_empty() {
            return Ok(Vec::new());
        }
        let t = table(kind);
        let mut q = select_records(kind);
        q.and_where(Expr::col((a(t), a("workspace_id"))).eq(viewer.workspace_id.0))
            .and_where(Expr::col((a(t), a("external_id"))).is_in(external_ids.iter().cloned()));
        let rows: Vec<RecordRow> = self.pools.fetch_all(&q).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let visible = viewer.can_see(r.owner(), r.team());
                (r.into_record(), visible)
            })
            .collect())
    }

    async fn visible_ids(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        ids: &[Uuid],
    ) -> Result<Vec<Uuid>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let t = table(kind);
        let q = Query::select()
            .column((a(t), a("id")))
            .from(a(t))
            .cond_where(visible(kind, viewer))
            .and_where(Expr::col((a(t), a("id"))).is_in(ids.iter().copied()))
            .and_where(Expr::col((a(t), a("deleted_at"))).is_null())
            .to_owned();
        let rows: Vec<(Uuid,)> = self.pools.fetch_all(&q).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn update_record(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        update: &RecordUpdate,
    ) -> Result<(), StoreError> {
        let mut tx = self.pools.begin().await?;
        records::update(&mut tx, kind, viewer, update, to_micros(now())).await?;
        tx.commit().await
    }

    async fn set_deleted(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        id: Uuid,
        expected: i64,
        deleted: bool,
    ) -> Result<(), StoreError> {
        let mut tx = self.pools.begin().await?;
        records::set_deleted(
            &mut tx,
            kind,
            viewer,
            id,
            expected,
            deleted,
            to_micros(now()),
        )
        .await?;
        tx.commit().await
    }

    async fn list_records(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        query: &ListQuery,
    ) -> Result<Page, StoreError> {
        let mut cx = crate::filters::FilterContext::of(
            &self.pools,
            viewer.workspace_id,
            query.filters.iter(),
        )
        .await?;
        // PostgreSQL's planner has the values' histograms and chooses well by itself.
        let mut sort_apart = false;
        if self.backend() == Backend::Sqlite && !query.deleted {
            match records::few_metric_matches(&self.pools, kind, viewer, query, &cx).await? {
                Some(true) => sort_apart = true,
                Some(false) => cx.walk_sort_index = Some(records::sort_column(query.sort.key)),
                None => {}
            }
        }
        let q = records::list_statement(self.backend(), kind, viewer, query, &cx, sort_apart)?;
        let rows: Vec<RecordRow> = self.pools.fetch_all(&q).await?;
        Ok(page(rows, query.limit, list_cursor(query.sort.key)))
    }

    async fn timeline(
        &self,
        viewer: &Viewer,
        of: TimelineOf,
        channel: Option<&str>,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> Result<Page, StoreError> {
        let q =
            records::timeline_statement(self.pools.backend(), viewer, of, channel, cursor, limit);
        let rows: Vec<RecordRow> = self.pools.fetch_all(&q).await?;
        Ok(page(rows, limit, timeline_cursor))
    }

    async fn history(
        &self,
        viewer: &Viewer,
        kind: RecordKind,
        id: Uuid,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<HistoryEntry>, StoreError> {
        let Some(current) = self.fetch_record(kind, viewer, id).await? else {
            return Err(StoreError::NotFound);
        };
        let mut q = Query::select()
            .columns(["id", "action", "actor_id", "at", "changes"].map(a))
            .from(a("changes"))
            .and_where(Expr::col(a("workspace_id")).eq(viewer.workspace_id.0))
            .and_where(Expr::col(a("record_id")).eq(id))
            .order_by(a("id"), Order::Desc)
            .limit(u64::from(limit))
            .to_owned();
        if let Some(before) = before {
            q.and_where(Expr::col(a("id")).lt(before));
        }
        let rows: Vec<ChangeRow> = self.pools.fetch_all(&q).await?;
        let created = match rows.iter().any(|r| r.action == "create") {
            true => Some(
                self.created_data(viewer, id, current.into_record().data)
                    .await?,
            ),
            false => None,
        };
        Ok(rows
            .into_iter()
            .map(|r| {
                let changes = match (&created, r.action.as_str()) {
                    (Some(data), "create") => {
                        temas_core::diff::diff(&serde_json::Value::Null, data)
                    }
                    _ => serde_json::from_value(r.changes.0).unwrap_or_default(),
                };
                HistoryEntry {
                    id: r.id,
                    action: r.action,
                    actor_id: r.actor_id.map(UserId),
                    at: from_micros(r.at),
                    changes,
                }
            })
            .collect())
    }

    async fn create_web_session(&self, session: &WebSession) -> Result<(), StoreError> {
        crate::web::create(&self.pools, session).await
    }

    async fn web_session(&self, token_hash: &str) -> Result<Option<WebSession>, StoreError> {
        crate::web::get(&self.pools, token_hash).await
    }

    async fn touch_web_session(
        &self,
        token_hash: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        crate::web::touch(&self.pools, token_hash, at).await
    }

    async fn delete_web_session(&self, token_hash: &str) -> Result<(), StoreError> {
        crate::web::delete(&self.pools, token_hash).await
    }

    async fn add_login_failure(
        &self,
        key: &str,
        at: chrono::DateTime<chrono::Utc>,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<u32, StoreError> {
        crate::web::add_login_failure(&self.pools, key, at, since).await
    }

    async fn login_failures(
        &self,
        key: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<u32, StoreError> {
        crate::web::login_failures(&self.pools, key, since).await
    }

    async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError> {
        crate::web::clear_login_failures(&self.pools, key).await
    }

    async fn ensure_field_index(
        &self,
        kind: RecordKind,
        fields: &[temas_core::filter::FilterField],
    ) -> Result<(), StoreError> {
        let Some(index) = crate::filters::field_index_ddl(self.pools.backend(), kind, fields)
        else {
            return Ok(());
        };
        // A new index has no statistics yet, and without them the planners would not trust it. SQLite samples (as
        // its `PRAGMA optimize` does) the new index only, rather than reading a million-row table and all its
        // indexes in full; PostgreSQL analyses tables, not indexes. The statistics commit with the index: SQLite's
        // other connections reload statistics only with a changed schema, so statistics gathered after the index
        // went in stayed unseen by the readers (lists took seconds after a bulk load).
        let statistics = match self.pools.backend() {
            Backend::Sqlite => crate::db::sample_index_sql(&index.name),
            Backend::Postgres => format!("ANALYZE {};", table(kind)),
        };
        self.building_indexes(async {
            let mut tx = self.pools.begin().await?;
            tx.execute_raw(&index.ddl).await?;
            tx.execute_raw(&statistics).await?;
            tx.commit().await
        })
        .await
    }

    async fn save_merge(
        &self,
        workspace: WorkspaceId,
        merge: &MergeRecord,
    ) -> Result<(), StoreError> {
        crate::merges::save(&self.pools, workspace, merge).await
    }

    async fn merge_record(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
    ) -> Result<Option<MergeRecord>, StoreError> {
        crate::merges::get(&self.pools, workspace, id).await
    }

    async fn merges_into(
        &self,
        workspace: WorkspaceId,
        survivor: Uuid,
    ) -> Result<Vec<MergeRecord>, StoreError> {
        crate::merges::of_survivor(&self.pools, workspace, survivor).await
    }

    async fn add_pair_decisions(
        &self,
        workspace: WorkspaceId,
        decisions: &[PairDecision],
    ) -> Result<(), StoreError> {
        crate::merges::add_decisions(&self.pools, workspace, decisions).await
    }

    async fn save_dedupe_scan(
        &self,
        workspace: WorkspaceId,
        scan: &DedupeScanRecord,
    ) -> Result<(), StoreError> {
        crate::dedupe_scans::save_scan(&self.pools, workspace, scan).await
    }

    async fn dedupe_scans(
        &self,
        workspace: WorkspaceId,
        filter: &ScanFilter,
    ) -> Result<Vec<DedupeScanRecord>, StoreError> {
        crate::dedupe_scans::scans(&self.pools, workspace, filter).await
    }

    async fn replace_dedupe_groups(
        &self,
        workspace: WorkspaceId,
        scan: Uuid,
        groups: &[DedupeGroupRecord],
    ) -> Result<(), StoreError> {
        crate::dedupe_scans::replace_groups(&self.pools, workspace, scan, groups).await
    }

    async fn dedupe_groups(
        &self,
        workspace: WorkspaceId,
        scan: Uuid,
        page: &GroupPage,
    ) -> Result<Vec<DedupeGroupRecord>, StoreError> {
        crate::dedupe_scans::groups(&self.pools, workspace, scan, page).await
    }

    async fn reopen_groups_of_merge(
        &self,
        workspace: WorkspaceId,
        merge: Uuid,
    ) -> Result<(), StoreError> {
        crate::dedupe_scans::reopen_groups_of_merge(&self.pools, workspace, merge).await
    }

    async fn set_dedupe_group_status(
        &self,
        workspace: WorkspaceId,
        scan: Uuid,
        group: &DedupeGroupRecord,
    ) -> Result<(), StoreError> {
        crate::dedupe_scans::set_group_status(&self.pools, workspace, scan, group).await
    }

    async fn pair_decisions(
        &self,
        workspace: WorkspaceId,
        entity: &str,
    ) -> Result<Vec<PairDecision>, StoreError> {
        crate::merges::decisions(&self.pools, workspace, entity).await
    }

    async fn remove_merge_decisions(
        &self,
        workspace: WorkspaceId,
        merge: Uuid,
    ) -> Result<(), StoreError> {
        crate::merges::remove_decisions_of_merge(&self.pools, workspace, merge).await
    }

    async fn save_import(&self, workspace: WorkspaceId, run: &ImportRun) -> Result<(), StoreError> {
        crate::imports::save_run(&self.pools, workspace, run).await
    }

    async fn import_run(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
    ) -> Result<Option<ImportRun>, StoreError> {
        crate::imports::run(&self.pools, workspace, id).await
    }

    async fn count_matching(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        sets: &[Vec<temas_core::filter::Filter>],
    ) -> Result<(u64, Vec<u64>), StoreError> {
        crate::records::count_matching(&self.pools, kind, viewer, sets).await
    }

    async fn dump_workspace(
        &self,
        workspace: WorkspaceId,
        sink: &mut DumpSink<'_>,
    ) -> Result<(), StoreError> {
        crate::dump::dump(&self.pools, workspace, sink).await
    }

    fn dump_tables(&self) -> Vec<&'static str> {
        crate::dump::table_names()
    }

    async fn load_rows(
        &self,
        workspace: WorkspaceId,
        table: &str,
        rows: &[serde_json::Map<String, serde_json::Value>],
    ) -> Result<(), StoreError> {
        crate::dump::load(&self.pools, workspace, table, rows).await
    }

    async fn import_runs(
        &self,
        workspace: WorkspaceId,
        limit: u32,
    ) -> Result<Vec<ImportRun>, StoreError> {
        crate::imports::runs(&self.pools, workspace, limit).await
    }

    async fn remove_import_items(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        after_seq: i64,
    ) -> Result<(), StoreError> {
        crate::imports::remove_after(&self.pools, "import_items", workspace, import_id, after_seq)
            .await
    }

    async fn add_import_errors(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        first_seq: i64,
        problems: &[RowProblem],
    ) -> Result<(), StoreError> {
        crate::imports::add_errors(&self.pools, workspace, import_id, first_seq, problems).await
    }

    async fn import_errors(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<(i64, RowProblem)>, StoreError> {
        crate::imports::errors(&self.pools, workspace, import_id, after_seq, limit).await
    }

    async fn remove_import_errors(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        after_seq: i64,
    ) -> Result<(), StoreError> {
        crate::imports::remove_after(
            &self.pools,
            "import_errors",
            workspace,
            import_id,
            after_seq,
        )
        .await
    }

    async fn add_import_file_part(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        part: i64,
        bytes: &[u8],
    ) -> Result<(), StoreError> {
        crate::imports::add_file_part(&self.pools, workspace, import_id, part, bytes).await
    }

    async fn import_file_part(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        part: i64,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        crate::imports::file_part(&self.pools, workspace, import_id, part).await
    }

    async fn delete_import_file(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
    ) -> Result<(), StoreError> {
        crate::imports::delete_file(&self.pools, workspace, import_id).await
    }

    async fn enqueue_job_once(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        kind: &str,
        subject: Uuid,
    ) -> Result<bool, StoreError> {
        crate::jobs::enqueue_as(&self.pools, workspace, id, kind, subject).await
    }

    async fn enqueue_job(
        &self,
        workspace: WorkspaceId,
        kind: &str,
        subject: Uuid,
    ) -> Result<Uuid, StoreError> {
        crate::jobs::enqueue(&self.pools, workspace, kind, subject).await
    }

    async fn claim_job(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Job>, StoreError> {
        crate::jobs::claim(&self.pools, now, lease_until).await
    }

    async fn renew_job(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        attempt: i64,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        crate::jobs::renew(&self.pools, workspace, id, attempt, lease_until).await
    }

    async fn finish_job(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        attempt: i64,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        crate::jobs::finish(&self.pools, workspace, id, attempt, error).await
    }

    async fn job(&self, workspace: WorkspaceId, id: Uuid) -> Result<Option<Job>, StoreError> {
        crate::jobs::get(&self.pools, workspace, id).await
    }

    async fn add_import_items(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        items: &[ImportItem],
    ) -> Result<(), StoreError> {
        crate::imports::add_items(&self.pools, workspace, import_id, items).await
    }

    async fn import_items(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ImportItem>, StoreError> {
        crate::imports::items(&self.pools, workspace, import_id, after_seq, limit).await
    }

    async fn raw_records(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<RawRecord>, StoreError> {
        records::raw_page(&self.pools, kind, viewer, after, limit).await
    }

    async fn customer_spend(
        &self,
        workspace: WorkspaceId,
        contact: Uuid,
        since: i64,
    ) -> Result<Vec<temas_core::metrics::SpendInCurrency>, StoreError> {
        records::customer_spend(&self.pools, workspace, contact, since).await
    }

    async fn pending_conversions(
        &self,
        workspace: WorkspaceId,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        crate::product_spend::pending_orders(&self.pools, workspace, after, limit).await
    }

    async fn set_conversions(
        &self,
        workspace: WorkspaceId,
        conversions: &[Conversion],
    ) -> Result<(), StoreError> {
        crate::product_spend::set_conversions(&self.pools, workspace, conversions).await
    }

    async fn convert_again(
        &self,
        workspace: WorkspaceId,
        home: Option<&str>,
    ) -> Result<u64, StoreError> {
        crate::product_spend::mark_pending(&self.pools, workspace, home).await
    }

    async fn rescore_rfm(&self, workspace: WorkspaceId, now: i64) -> Result<(), StoreError> {
        crate::customer_metrics::rescore(&self.pools, workspace, now).await
    }

    async fn advance_spend_window(
        &self,
        workspace: WorkspaceId,
        now: i64,
    ) -> Result<(), StoreError> {
        crate::spend_window::advance(&self.pools, workspace, now).await
    }

    async fn contact_with_figures(
        &self,
        viewer: &Viewer,
        id: Uuid,
    ) -> Result<Option<(StoredRecord, ContactFigures)>, StoreError> {
        crate::customer_metrics::contact_with_figures(&self.pools, viewer, id).await
    }

    async fn tasks_due(
        &self,
        viewer: &Viewer,
        owner: UserId,
        until: i64,
        limit: u32,
    ) -> Result<Vec<StoredRecord>, StoreError> {
        records::tasks_due(&self.pools, viewer, owner, until, limit).await
    }

    async fn lead_load(
        &self,
        workspace: WorkspaceId,
        users: &[UserId],
    ) -> Result<Vec<LeadLoad>, StoreError> {
        records::lead_load(&self.pools, workspace, users).await
    }

    async fn last_interactions(
        &self,
        workspace: WorkspaceId,
        contacts: &[Uuid],
    ) -> Result<Vec<(Uuid, i64)>, StoreError> {
        records::last_interactions(&self.pools, workspace, contacts).await
    }

    async fn records_by_terms(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        terms: &[String],
    ) -> Result<Vec<(String, StoredRecord, bool)>, StoreError> {
        crate::imports::records_by_terms(&self.pools, kind, viewer, terms).await
    }

    async fn records_by_custom(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        key: &str,
        values: &[String],
    ) -> Result<Vec<(String, StoredRecord, bool)>, StoreError> {
        crate::imports::records_by_custom(&self.pools, kind, viewer, key, values).await
    }

    async fn purge_records(
        &self,
        kind: RecordKind,
        workspace: WorkspaceId,
        ids: &[Uuid],
    ) -> Result<(), StoreError> {
        crate::imports::purge(&self.pools, kind, workspace, ids).await
    }

    async fn create_view(
        &self,
        viewer: &Viewer,
        view: &temas_core::view::SavedView,
    ) -> Result<(), StoreError> {
        crate::views::create(&self.pools, viewer, view).await
    }

    async fn views(
        &self,
        viewer: &Viewer,
        entity: temas_core::view::ViewEntity,
    ) -> Result<Vec<temas_core::view::SavedView>, StoreError> {
        crate::views::list(&self.pools, viewer, entity).await
    }

    async fn view(
        &self,
        viewer: &Viewer,
        id: Uuid,
    ) -> Result<Option<temas_core::view::SavedView>, StoreError> {
        crate::views::get(&self.pools, viewer, id).await
    }

    async fn update_view(
        &self,
        viewer: &Viewer,
        view: &temas_core::view::SavedView,
    ) -> Result<(), StoreError> {
        crate::views::update(&self.pools, viewer, view).await
    }

    async fn delete_view(&self, viewer: &Viewer, id: Uuid) -> Result<(), StoreError> {
        crate::views::delete(&self.pools, viewer, id).await
    }

    async fn search_candidates(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        query: &SearchQuery,
        limit: u32,
    ) -> Result<Vec<SearchCandidate>, StoreError> {
        search::candidates(&self.pools, kind, viewer, query, limit).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SQLite writer's page cache is small while an index is built and back to its size afterwards, whether
    /// the build worked or failed.
    #[tokio::test]
    async fn an_index_build_gives_the_writer_its_cache_back() {
        let db = temas_testdb::TestDb::new(temas_testdb::Backend::Sqlite).await;
        let store = SqlStore::connect(&StoreConfig::new(db.url.clone()))
            .await
            .expect("connect");
        let Pools::Sqlite { write, .. } = &store.pools else {
            panic!("a SQLite URL opens SQLite pools");
        };
        let cache_kib = || async {
            let (size,): (i64,) = sqlx::query_as("PRAGMA cache_size")
                .fetch_one(write)
                .await
                .expect("cache size");
            -size
        };
        let usual = cache_kib().await;
        assert!(usual > i64::from(crate::db::INDEX_BUILD_CACHE_KIB));
        let during = store
            .building_indexes(async { Ok(cache_kib().await) })
            .await
            .expect("a build");
        assert_eq!(during, i64::from(crate::db::INDEX_BUILD_CACHE_KIB));
        assert_eq!(cache_kib().await, usual);
        let failed: Result<(), StoreError> = store
            .building_indexes(async { Err(StoreError::Corrupt("a failed build".into())) })
            .await;
        assert!(failed.is_err());
        assert_eq!(cache_kib().await, usual);
    }

    /// On SQLite a declared field's new index gets planner statistics of its own, committed with it.
    #[tokio::test]
    async fn a_declared_fields_index_gets_its_statistics() {
        let db = temas_testdb::TestDb::new(temas_testdb::Backend::Sqlite).await;
        let store = SqlStore::connect(&StoreConfig::new(db.url.clone()))
            .await
            .expect("connect");
        store.migrate().await.expect("migrate");
        let Pools::Sqlite { write, .. } = &store.pools else {
            panic!("a SQLite URL opens SQLite pools");
        };
        sqlx::raw_sql(
            "INSERT INTO contacts (workspace_id, id, version, sort_name, data, search_doc, created_at, updated_at)
             VALUES (x'01', x'01', 1, 'a', '{\"language\": \"fa\"}', 'a', 0, 0),
                    (x'01', x'02', 1, 'b', '{\"language\": \"tr\"}', 'b', 0, 0);",
        )
        .execute(write)
        .await
        .expect("two contacts");
        let fields =
            temas_core::filter::indexable_fields("language", temas_core::filter::CONTACT_COLUMNS)
                .expect("an indexable field");
        store
            .ensure_field_index(RecordKind::Contact, &fields)
            .await
            .expect("the index");
        let stats: Vec<(String,)> =
            sqlx::query_as("SELECT stat FROM sqlite_stat1 WHERE idx = 'contacts_by_language'")
                .fetch_all(write)
                .await
                .expect("statistics");
        assert_eq!(stats.len(), 1, "{stats:?}");
        assert!(stats[0].0.starts_with("2 "), "{stats:?}");
    }
}
