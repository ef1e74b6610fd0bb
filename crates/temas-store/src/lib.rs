//! Temas storage layer: the [`Store`] interface and its SQL implementation for SQLite and PostgreSQL.
//!
//! All SQL lives in this crate. Statements are built once with sea-query and rendered for the backend in use;
//! the few real dialect differences (column types, trigram search, backup) sit in `dialect.rs`. Each store
//! method is one use case and one transaction. Visibility ([`temas_core::access::Viewer`]) is applied inside every
//! read, so no caller can forget it. Depends on `temas-core` and sqlx; knows nothing of HTTP.

mod accounts;
mod customer_metrics;
mod db;
mod dedupe_scans;
mod dialect;
mod dump;
mod filters;
mod group_commit;
mod imports;
mod jobs;
mod merges;
mod product_spend;
mod records;
mod schema;
mod search;
mod spend_window;
mod sql_store;
mod types;
mod views;
mod web;

pub use db::StoreConfig;
pub use product_spend::favourite_columns;
pub use sql_store::SqlStore;
pub use types::*;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::sync::Arc;

/// Connects to the database named by `url` (`sqlite://…` or `postgres://…`) and runs pending migrations.
pub async fn open(config: &StoreConfig) -> Result<Arc<dyn Store>, StoreError> {
    let store = connect(config).await?;
    store.migrate().await?;
    Ok(store)
}

/// Connects without migrating (for `temas migrate`, which reports what it applies).
pub async fn connect(config: &StoreConfig) -> Result<Arc<dyn Store>, StoreError> {
    Ok(Arc::new(SqlStore::connect(config).await?))
}

#[async_trait]
pub trait Store: Send + Sync {
    fn backend(&self) -> Backend;

    /// Applies pending migrations; returns the names of those applied now.
    async fn migrate(&self) -> Result<Vec<String>, StoreError>;
    /// Verifies the database: integrity check and applied migrations. Returns findings; empty means healthy.
    async fn check(&self) -> Result<Vec<String>, StoreError>;
    /// A consistent online copy of the database into a file (SQLite) — see the PostgreSQL note in the docs.
    async fn backup_to(&self, path: &std::path::Path) -> Result<(), StoreError>;

    // Workspaces, users, tokens, settings.
    async fn count_workspaces(&self) -> Result<i64, StoreError>;
    async fn first_workspace(&self) -> Result<Option<Workspace>, StoreError>;
    async fn workspaces(&self) -> Result<Vec<Workspace>, StoreError>;
    async fn create_workspace(
        &self,
        workspace: &Workspace,
        owner: &NewUser,
    ) -> Result<(), StoreError>;
    async fn workspace(&self, id: WorkspaceId) -> Result<Option<Workspace>, StoreError>;
    async fn update_workspace(&self, workspace: &Workspace) -> Result<(), StoreError>;
    /// Finds the team with this name, creating it when missing.
    async fn ensure_team(&self, workspace: WorkspaceId, name: &str) -> Result<Team, StoreError>;
    async fn teams(&self, workspace: WorkspaceId) -> Result<Vec<Team>, StoreError>;
    async fn create_user(&self, user: &NewUser) -> Result<(), StoreError>;
    async fn user_by_email(&self, email: &str) -> Result<Option<UserSecret>, StoreError>;
    async fn user(&self, workspace: WorkspaceId, id: UserId) -> Result<Option<User>, StoreError>;
    async fn users(&self, workspace: WorkspaceId) -> Result<Vec<User>, StoreError>;
    async fn update_user(&self, user: &User) -> Result<(), StoreError>;
    async fn create_token(&self, token: &NewToken) -> Result<(), StoreError>;
    async fn user_by_token_hash(&self, hash: &str) -> Result<Option<User>, StoreError>;
    async fn custom_fields(
        &self,
        workspace: WorkspaceId,
    ) -> Result<Vec<CustomFieldDef>, StoreError>;
    async fn create_custom_field(
        &self,
        workspace: WorkspaceId,
        def: &CustomFieldDef,
    ) -> Result<(), StoreError>;
    async fn update_custom_field(
        &self,
        workspace: WorkspaceId,
        def: &CustomFieldDef,
    ) -> Result<(), StoreError>;
    async fn idempotent_response(
        &self,
        viewer: &Viewer,
        key: &str,
    ) -> Result<Option<StoredResponse>, StoreError>;
    async fn save_idempotent_response(
        &self,
        viewer: &Viewer,
        key: &str,
        response: &StoredResponse,
    ) -> Result<(), StoreError>;

    // Records: contacts, companies and interactions share one layout.
    /// Inserts new records with their search terms, links and "created" history entries, in one transaction.
    async fn insert_records(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        records: Vec<NewRecord>,
    ) -> Result<(), StoreError>;
    async fn get_record(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        id: Uuid,
    ) -> Result<Option<StoredRecord>, StoreError>;
    /// The records among `ids` that exist and the viewer sees, live or trashed, in no particular order.
    async fn get_records(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        ids: &[Uuid],
    ) -> Result<Vec<StoredRecord>, StoreError>;
    /// Live and trashed records with these external ids, visible or not (`visible` says which).
    async fn records_by_external_id(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        external_ids: &[String],
    ) -> Result<Vec<(StoredRecord, bool)>, StoreError>;
    /// The ids among `ids` of records that exist, are live and are visible.
    async fn visible_ids(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        ids: &[Uuid],
    ) -> Result<Vec<Uuid>, StoreError>;
    /// Replaces a record's data when its version is still `update.expected_version`.
    async fn update_record(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        update: &RecordUpdate,
    ) -> Result<(), StoreError>;
    /// Moves a record to the trash (`deleted = true`) or back, when its version is still `expected_version`.
    async fn set_deleted(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        id: Uuid,
        expected_version: i64,
        deleted: bool,
    ) -> Result<(), StoreError>;
    async fn list_records(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        query: &ListQuery,
    ) -> Result<Page, StoreError>;
    /// Interactions of a contact or company, newest first.
    /// A contact's or company's interactions, newest first, of one channel or all.
    async fn timeline(
        &self,
        viewer: &Viewer,
        of: TimelineOf,
        channel: Option<&str>,
        cursor: Option<&Cursor>,
        limit: u32,
    ) -> Result<Page, StoreError>;
    async fn history(
        &self,
        viewer: &Viewer,
        kind: RecordKind,
        id: Uuid,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<HistoryEntry>, StoreError>;
    async fn create_web_session(&self, session: &WebSession) -> Result<(), StoreError>;
    async fn web_session(&self, token_hash: &str) -> Result<Option<WebSession>, StoreError>;
    async fn touch_web_session(
        &self,
        token_hash: &str,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError>;
    async fn delete_web_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Records a failed sign-in for `key` and returns how many it has had since `since` (older ones are dropped).
    async fn add_login_failure(
        &self,
        key: &str,
        at: chrono::DateTime<chrono::Utc>,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<u32, StoreError>;
    async fn login_failures(
        &self,
        key: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<u32, StoreError>;
    async fn clear_login_failures(&self, key: &str) -> Result<(), StoreError>;
    /// Creates, if missing, the index that serves lists of `kind` filtered on `fields` and sorted by name, and
    /// refreshes the planner's statistics for it. Indexes are shared by all workspaces (they lead with the
    /// workspace id). Building one over a large table takes seconds and holds up writes to that table meanwhile.
    async fn ensure_field_index(
        &self,
        kind: RecordKind,
        fields: &[temas_core::filter::FilterField],
    ) -> Result<(), StoreError>;
    /// Saves an import's state (a new one, or a later status and summary).
    async fn save_import(&self, workspace: WorkspaceId, run: &ImportRun) -> Result<(), StoreError>;
    async fn import_run(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
    ) -> Result<Option<ImportRun>, StoreError>;
    /// Appends to an import's journal.
    async fn add_import_items(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        items: &[ImportItem],
    ) -> Result<(), StoreError>;
    /// An import's journal after `after_seq`, in order.
    async fn import_items(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<ImportItem>, StoreError>;
    /// Hands every row of a workspace to `sink` as `(table, row)`, from one consistent snapshot (see `dump.rs`
    /// for what is left out).
    async fn dump_workspace(
        &self,
        workspace: WorkspaceId,
        sink: &mut DumpSink<'_>,
    ) -> Result<(), StoreError>;
    /// The tables a dump holds, in the order they are loaded.
    fn dump_tables(&self) -> Vec<&'static str>;
    /// Inserts dumped rows of one table of `workspace`, as they were.
    async fn load_rows(
        &self,
        workspace: WorkspaceId,
        table: &str,
        rows: &[serde_json::Map<String, serde_json::Value>],
    ) -> Result<(), StoreError>;
    /// How many live records of `kind` the viewer sees, and how many of them match each set of filters (all the
    /// filters of a set), in one pass.
    async fn count_matching(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        sets: &[Vec<temas_core::filter::Filter>],
    ) -> Result<(u64, Vec<u64>), StoreError>;
    /// A workspace's imports, newest first.
    async fn import_runs(
        &self,
        workspace: WorkspaceId,
        limit: u32,
    ) -> Result<Vec<ImportRun>, StoreError>;
    /// Drops an import's journal after `after_seq`.
    async fn remove_import_items(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        after_seq: i64,
    ) -> Result<(), StoreError>;
    /// Appends failed rows to an import's error report, numbered on from `first_seq` (1 for the first).
    async fn add_import_errors(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        first_seq: i64,
        problems: &[RowProblem],
    ) -> Result<(), StoreError>;
    /// An import's failed rows after `after_seq`, each with its number in the report, in order.
    async fn import_errors(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<(i64, RowProblem)>, StoreError>;
    /// Drops an import's error report after `after_seq` (all of it with 0).
    async fn remove_import_errors(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        after_seq: i64,
    ) -> Result<(), StoreError>;
    /// Stores one part (numbered from 0) of an import's uploaded file.
    async fn add_import_file_part(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        part: i64,
        bytes: &[u8],
    ) -> Result<(), StoreError>;
    /// One part of an import's uploaded file; `None` past the last.
    async fn import_file_part(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
        part: i64,
    ) -> Result<Option<Vec<u8>>, StoreError>;
    async fn delete_import_file(
        &self,
        workspace: WorkspaceId,
        import_id: Uuid,
    ) -> Result<(), StoreError>;
    /// Queues a job of `kind` about `subject` under `id` unless a job with that id exists; true when it queued it.
    async fn enqueue_job_once(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        kind: &str,
        subject: Uuid,
    ) -> Result<bool, StoreError>;
    /// Queues a job of `kind` about `subject`; returns its id.
    async fn enqueue_job(
        &self,
        workspace: WorkspaceId,
        kind: &str,
        subject: Uuid,
    ) -> Result<Uuid, StoreError>;
    /// Takes the oldest job that is queued or whose worker's lease ran out, leased until `lease_until`.
    async fn claim_job(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
    ) -> Result<Option<Job>, StoreError>;
    /// Extends the lease of a running job held by its `attempt`; false when it is not running any more or another
    /// worker has taken it over.
    async fn renew_job(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        attempt: i64,
        lease_until: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Ends a job held by its `attempt`: done, or failed with `error`; false when another worker holds it now.
    async fn finish_job(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
        attempt: i64,
        error: Option<&str>,
    ) -> Result<bool, StoreError>;
    async fn job(&self, workspace: WorkspaceId, id: Uuid) -> Result<Option<Job>, StoreError>;
    /// The next `limit` live records of a kind the viewer sees after the id `after`, in id (creation) order, with
    /// their data as JSON text: for passes over the whole base.
    async fn raw_records(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<RawRecord>, StoreError>;
    /// A customer's purchases per currency (their live orders that count as spend), from the orders' own columns,
    /// with what of it was spent since `since` (microseconds).
    async fn customer_spend(
        &self,
        workspace: WorkspaceId,
        contact: Uuid,
        since: i64,
    ) -> Result<Vec<temas_core::metrics::SpendInCurrency>, StoreError>;
    /// Up to `limit` orders waiting for their spend to be converted into the workspace's currency, in id order
    /// after `after`, trashed ones included (see `product_spend.rs`).
    async fn pending_conversions(
        &self,
        workspace: WorkspaceId,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<StoredRecord>, StoreError>;
    /// Keeps the conversions of pending orders and recomputes what their customers' metrics read from them (the
    /// converted spend and the favourites); an order written since the version a conversion was worked out from
    /// keeps its own.
    async fn set_conversions(
        &self,
        workspace: WorkspaceId,
        conversions: &[Conversion],
    ) -> Result<(), StoreError>;
    /// Marks the workspace's orders for conversion: those in currencies other than `home` when given (the rates
    /// changed), else all of them (the workspace's currency changed); returns how many.
    async fn convert_again(
        &self,
        workspace: WorkspaceId,
        home: Option<&str>,
    ) -> Result<u64, StoreError>;
    /// Finds the cut points of the workspace's RFM quintiles over its buying contacts (see `temas_core::rfm`).
    async fn rescore_rfm(&self, workspace: WorkspaceId, now: i64) -> Result<(), StoreError>;
    /// Moves the workspace's 12-month spend window to start a year before `now` (microseconds), taking the
    /// purchases it passes off their contacts' `spent_last_12_months_minor`.
    async fn advance_spend_window(
        &self,
        workspace: WorkspaceId,
        now: i64,
    ) -> Result<(), StoreError>;
    /// A contact the viewer sees, with the figures the store keeps on it for the card.
    async fn contact_with_figures(
        &self,
        viewer: &Viewer,
        id: Uuid,
    ) -> Result<Option<(StoredRecord, ContactFigures)>, StoreError>;
    /// A user's open tasks due by `until` (microseconds), soonest first: the "my day" list.
    async fn tasks_due(
        &self,
        viewer: &Viewer,
        owner: UserId,
        until: i64,
        limit: u32,
    ) -> Result<Vec<StoredRecord>, StoreError>;
    /// Each of `users`' open leads and when they last got one (users without leads are left out).
    async fn lead_load(
        &self,
        workspace: WorkspaceId,
        users: &[UserId],
    ) -> Result<Vec<LeadLoad>, StoreError>;
    /// When each of `contacts` last had an interaction, in microseconds; contacts without one are left out.
    async fn last_interactions(
        &self,
        workspace: WorkspaceId,
        contacts: &[Uuid],
    ) -> Result<Vec<(Uuid, i64)>, StoreError>;
    /// Live records having any of `terms`, with the matching term and whether the viewer may see each.
    async fn records_by_terms(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        terms: &[String],
    ) -> Result<Vec<(String, StoredRecord, bool)>, StoreError>;
    /// Live records whose custom field `key` holds (as text) any of `values`, with the matching value and whether
    /// the viewer may see each.
    async fn records_by_custom(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        key: &str,
        values: &[String],
    ) -> Result<Vec<(String, StoredRecord, bool)>, StoreError>;
    /// Removes records for good, with their terms, links and history.
    async fn purge_records(
        &self,
        kind: RecordKind,
        workspace: WorkspaceId,
        ids: &[Uuid],
    ) -> Result<(), StoreError>;
    /// Saves a new list view owned by the viewer (`Taken("name")` when they have one by that name).
    async fn create_view(
        &self,
        viewer: &Viewer,
        view: &temas_core::view::SavedView,
    ) -> Result<(), StoreError>;
    /// The views of `entity` the viewer may use: their own and those shared with their team, by name.
    async fn views(
        &self,
        viewer: &Viewer,
        entity: temas_core::view::ViewEntity,
    ) -> Result<Vec<temas_core::view::SavedView>, StoreError>;
    async fn view(
        &self,
        viewer: &Viewer,
        id: Uuid,
    ) -> Result<Option<temas_core::view::SavedView>, StoreError>;
    /// Replaces a view the viewer owns (`NotFound` for any other).
    async fn update_view(
        &self,
        viewer: &Viewer,
        view: &temas_core::view::SavedView,
    ) -> Result<(), StoreError>;
    /// Deletes a view the viewer owns (`NotFound` for any other).
    async fn delete_view(&self, viewer: &Viewer, id: Uuid) -> Result<(), StoreError>;
    /// Writes a merge (its journal and status), replacing the earlier row of the same id.
    async fn save_merge(
        &self,
        workspace: WorkspaceId,
        merge: &MergeRecord,
    ) -> Result<(), StoreError>;
    async fn merge_record(
        &self,
        workspace: WorkspaceId,
        id: Uuid,
    ) -> Result<Option<MergeRecord>, StoreError>;
    /// The merges into `survivor`, newest first.
    async fn merges_into(
        &self,
        workspace: WorkspaceId,
        survivor: Uuid,
    ) -> Result<Vec<MergeRecord>, StoreError>;
    /// Writes a duplicate scan's row, replacing the earlier one of the same id.
    async fn save_dedupe_scan(
        &self,
        workspace: WorkspaceId,
        scan: &DedupeScanRecord,
    ) -> Result<(), StoreError>;
    /// Scans as `filter` says, newest first.
    async fn dedupe_scans(
        &self,
        workspace: WorkspaceId,
        filter: &ScanFilter,
    ) -> Result<Vec<DedupeScanRecord>, StoreError>;
    /// Replaces a scan's groups.
    async fn replace_dedupe_groups(
        &self,
        workspace: WorkspaceId,
        scan: Uuid,
        groups: &[DedupeGroupRecord],
    ) -> Result<(), StoreError>;
    /// A page of a scan's groups, in queue order.
    async fn dedupe_groups(
        &self,
        workspace: WorkspaceId,
        scan: Uuid,
        page: &GroupPage,
    ) -> Result<Vec<DedupeGroupRecord>, StoreError>;
    /// Reopens the groups a merge closed (the merge was undone).
    async fn reopen_groups_of_merge(
        &self,
        workspace: WorkspaceId,
        merge: Uuid,
    ) -> Result<(), StoreError>;
    /// Saves a group's status and merge.
    async fn set_dedupe_group_status(
        &self,
        workspace: WorkspaceId,
        scan: Uuid,
        group: &DedupeGroupRecord,
    ) -> Result<(), StoreError>;
    /// Records users' decisions about pairs; a later decision about a pair replaces the earlier one.
    async fn add_pair_decisions(
        &self,
        workspace: WorkspaceId,
        decisions: &[PairDecision],
    ) -> Result<(), StoreError>;
    async fn pair_decisions(
        &self,
        workspace: WorkspaceId,
        entity: &str,
    ) -> Result<Vec<PairDecision>, StoreError>;
    /// Forgets the decisions a merge made.
    async fn remove_merge_decisions(
        &self,
        workspace: WorkspaceId,
        merge: Uuid,
    ) -> Result<(), StoreError>;
    /// Candidates for a search: records whose terms start with the probe, then records containing every word.
    async fn search_candidates(
        &self,
        kind: RecordKind,
        viewer: &Viewer,
        query: &SearchQuery,
        limit: u32,
    ) -> Result<Vec<SearchCandidate>, StoreError>;
}
