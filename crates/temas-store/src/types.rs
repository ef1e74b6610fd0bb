//! Data the store takes and returns. Record data travels as validated JSON; the service layer turns it into
//! typed domain records.

pub use temas_core::access::{Role, Scope, Viewer, VisibilitySettings};
pub use temas_core::contact::RecordMeta;
pub use temas_core::custom::CustomFieldDef;
pub use temas_core::diff::FieldChange;
pub use temas_core::filter::{Cursor, ListQuery};
pub use temas_core::ids::{TeamId, UserId, WorkspaceId};
pub use temas_core::search::SearchQuery;
pub use uuid::Uuid;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// The record changed since it was read: its version is no longer the expected one.
    #[error("version conflict")]
    VersionConflict,
    /// A unique value (email, external id, name) is already taken.
    #[error("already taken: {0}")]
    Taken(&'static str),
    #[error("unsupported on this backend: {0}")]
    Unsupported(&'static str),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The copy taken before migrating could not be written; nothing was migrated.
    #[error("{0}")]
    MigrationBackup(String),
}

/// Which table family a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Contact,
    Company,
    Interaction,
    Product,
    Order,
    Pipeline,
    Deal,
    Lead,
    Task,
    Offer,
}

impl RecordKind {
    pub const ALL: [RecordKind; 10] = [
        RecordKind::Contact,
        RecordKind::Company,
        RecordKind::Interaction,
        RecordKind::Product,
        RecordKind::Order,
        RecordKind::Pipeline,
        RecordKind::Deal,
        RecordKind::Lead,
        RecordKind::Task,
        RecordKind::Offer,
    ];

    /// The kind [`RecordKind::entity`] names.
    pub fn parse(entity: &str) -> Option<RecordKind> {
        Self::ALL.into_iter().find(|k| k.entity() == entity)
    }

    pub fn entity(self) -> &'static str {
        match self {
            RecordKind::Contact => "contact",
            RecordKind::Company => "company",
            RecordKind::Interaction => "interaction",
            RecordKind::Product => "product",
            RecordKind::Order => "order",
            RecordKind::Pipeline => "pipeline",
            RecordKind::Deal => "deal",
            RecordKind::Lead => "lead",
            RecordKind::Task => "task",
            RecordKind::Offer => "offer",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Workspace {
    pub id: WorkspaceId,
    pub name: String,
    /// ISO 3166 region used to read phone numbers typed without a country code.
    pub default_region: String,
    /// ISO 4217 currency code.
    pub default_currency: String,
    pub settings: WorkspaceSettings,
    pub created_at: DateTime<Utc>,
}

/// Settings an administrator changes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct WorkspaceSettings {
    #[serde(default)]
    pub visibility: VisibilitySettings,
    #[serde(default)]
    pub indexed_fields: IndexedFields,
    /// The language, calendar, digits and time zone new users start with.
    #[serde(default)]
    pub user_defaults: UserPrefs,
    /// Duplicate groups at or above this confidence (0.5–1) are merged without review by `temas dedupe --apply`;
    /// none: every group waits for review.
    #[serde(default)]
    pub auto_merge_confidence: Option<f64>,
    /// What other currencies are worth in the workspace's, with the dates the rates hold from (the forecast
    /// converts with them).
    #[serde(default)]
    pub currency_rates: Vec<temas_core::forecast::CurrencyRate>,
    /// The rules that make follow-up tasks.
    #[serde(default)]
    pub follow_ups: FollowUpSettings,
    /// Who gets a new lead created without an owner: the first rule that matches it picks among its users.
    #[serde(default)]
    pub lead_assignment: Vec<AssignmentRule>,
    /// When the daily jobs run.
    #[serde(default)]
    pub schedule: ScheduleSettings,
}

/// The daily jobs (RFM scores, follow-up tasks) run at `daily_hour` o'clock (0–23) in the time zone of the
/// workspace's user defaults; null turns them off (they can still be run on demand).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleSettings {
    pub daily_hour: Option<u32>,
}

impl Default for ScheduleSettings {
    fn default() -> Self {
        ScheduleSettings {
            daily_hour: Some(3),
        }
    }
}

/// A lead assignment rule: leads of this territory and/or language (either may be left out to match any) go to
/// one of `users` or of the members of `team` — `round_robin` (whoever was given a lead least recently) or
/// `workload` (whoever has the fewest open leads).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentRule {
    pub territory: Option<String>,
    pub language: Option<String>,
    #[serde(default)]
    pub users: Vec<UserId>,
    /// A team's name: its members join the rule's users.
    pub team: Option<String>,
    /// `round_robin` (the default) or `workload`.
    #[serde(default = "round_robin")]
    pub method: String,
}

fn round_robin() -> String {
    "round_robin".to_owned()
}

/// A user's share of the leads: how many are open, and when they were last given one (microseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeadLoad {
    pub user: UserId,
    pub open: i64,
    pub last_assigned: i64,
}

/// When the follow-up rules make tasks: an open deal whose contacts have not been in touch for
/// `no_contact_days`, and a contact's birthday `birthday_days_ahead` days before it (in the owner's calendar).
/// Deals stuck in a stage follow each stage's `stuck_after_days`. None turns a rule off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FollowUpSettings {
    pub no_contact_days: Option<u32>,
    pub birthday_days_ahead: Option<u32>,
}

impl Default for FollowUpSettings {
    fn default() -> Self {
        FollowUpSettings {
            no_contact_days: Some(14),
            birthday_days_ahead: Some(3),
        }
    }
}

/// The fields lists are often filtered by, per entity: `language`, `custom.tier`, or fields filtered together as
/// `gender,language`. Each entry has an index, so a filtered first page sorted by name stays fast at a million
/// records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct IndexedFields {
    #[serde(default)]
    pub contacts: Vec<String>,
    #[serde(default)]
    pub companies: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
}

/// A user's display preferences.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct UserPrefs {
    /// en, fa, ar, ru or tr.
    pub language: String,
    /// gregorian, persian or hijri.
    pub calendar: String,
    /// latin, persian or arabic.
    pub digits: String,
    pub time_zone: String,
}

impl Default for UserPrefs {
    fn default() -> Self {
        Self {
            language: "en".into(),
            calendar: "gregorian".into(),
            digits: "latin".into(),
            time_zone: "UTC".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub workspace_id: WorkspaceId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team_id: Option<TeamId>,
    pub prefs: UserPrefs,
    pub created_at: DateTime<Utc>,
}

/// A user with their password hash, for signing in.
#[derive(Debug, Clone)]
pub struct UserSecret {
    pub user: User,
    pub password_hash: String,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub user: User,
    pub password_hash: String,
}

/// A signed-in browser session. The cookie holds a random token; only its hash is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct WebSession {
    pub token_hash: String,
    pub workspace_id: WorkspaceId,
    pub user_id: UserId,
    /// The token every form and partial request of this session must echo.
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewToken {
    pub id: Uuid,
    pub workspace_id: WorkspaceId,
    pub user_id: UserId,
    pub name: String,
    /// SHA-256 of the token, hex: the token itself is never stored.
    pub token_hash: String,
}

/// The first answer to a request that carried an `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredResponse {
    /// Hash of method, path and body, so that a different request with the same key is refused.
    pub request_hash: String,
    pub status: u16,
    pub body: String,
}

/// The indexed columns of a record, beside its JSON data. Which apply depends on the kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Indexed {
    /// Normalised display name (contacts, companies).
    pub sort_name: String,
    pub external_id: Option<String>,
    pub owner_id: Option<UserId>,
    pub team_id: Option<TeamId>,
    /// Trigram document (contacts, companies).
    pub search_doc: String,
    /// When it happened (interactions, orders, offers), or when it is due (tasks).
    pub occurred_at: Option<i64>,
    /// Linked company (interactions, orders, deals, offers).
    pub company_id: Option<Uuid>,
    /// The customer (orders, deals, offers).
    pub contact_id: Option<Uuid>,
    /// What an order counts as spend, in minor units of its currency (orders; none unless it is a purchase).
    pub spent: Option<(String, i64)>,
    /// That spend in the workspace's currency at the rate of the order's day (orders; none without a rate).
    pub spent_converted: Option<i64>,
    /// The converted spend per product of the order's lines that name one (orders).
    pub product_spend: Vec<(Uuid, i64)>,
    /// A product's category and brand (products).
    pub category: Option<String>,
    pub brand: Option<String>,
}

/// Rows of the link tables that a record owns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Links {
    /// contact → (company, role).
    pub companies: Vec<(Uuid, String)>,
    /// interaction → contacts.
    pub contacts: Vec<Uuid>,
}

#[derive(Debug, Clone)]
pub struct NewRecord {
    pub id: Uuid,
    /// The record's data as JSON text: a bulk write holds thousands of these at once, and as text each takes a
    /// fraction of the memory of a parsed tree.
    pub data_json: String,
    pub indexed: Indexed,
    pub terms: Vec<String>,
    pub links: Links,
}

#[derive(Debug, Clone)]
pub struct RecordUpdate {
    pub id: Uuid,
    /// What the history calls the change: `update`, or `merge` / `unmerge` for a merge and its undoing.
    pub action: &'static str,
    pub expected_version: i64,
    pub data: serde_json::Value,
    pub indexed: Indexed,
    pub old_terms: Vec<String>,
    pub new_terms: Vec<String>,
    pub links: Links,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub id: Uuid,
    pub version: i64,
    pub data: serde_json::Value,
    pub meta: RecordMeta,
}

/// What the store keeps on a contact's row for their card, beside the record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFigures {
    /// Their purchases (live orders with a spend, in any currency): 0 means there is nothing more to read.
    pub orders_count: i64,
    /// When they were last in touch, in microseconds.
    pub last_contact_at: Option<i64>,
    /// Their RFM scores, once the workspace is scored and if they bought.
    pub rfm: Option<temas_core::metrics::Rfm>,
    /// The product category and brand their converted spend adds up to most in.
    pub favourite_category: Option<String>,
    pub favourite_brand: Option<String>,
}

/// An order's spend converted into the workspace's currency, as the service worked it out from the version it
/// read (see `Indexed::spent_converted` and `Indexed::product_spend`).
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    pub order: Uuid,
    pub version: i64,
    pub spent_converted: Option<i64>,
    pub product_spend: Vec<(Uuid, i64)>,
}

/// A record's id and its data as the JSON text it is stored as.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    pub id: Uuid,
    pub data: String,
}

/// One page of a keyset-paged list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub items: Vec<StoredRecord>,
    pub next: Option<Cursor>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimelineOf {
    Contact(Uuid),
    Company(Uuid),
}

/// One entry of a record's change history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct HistoryEntry {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    /// create, update, delete or restore.
    pub action: String,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub actor_id: Option<UserId>,
    pub at: DateTime<Utc>,
    pub changes: Vec<FieldChange>,
}

/// A record found by search, with its trigram document for ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchCandidate {
    pub record: StoredRecord,
    pub doc: String,
}

/// One record a merge changed, as it was before and right after, so that undo can take the change back.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MergeStep {
    pub kind: RecordKind,
    pub id: Uuid,
    /// `update` (the survivor, or a record whose link moved to it) or `trash` (a merged record).
    pub action: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// A merge of duplicates into one surviving record.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeRecord {
    pub id: Uuid,
    /// `contacts` or `companies`.
    pub entity: String,
    pub survivor_id: Uuid,
    pub merged_ids: Vec<Uuid>,
    /// What the merge changed, in order.
    pub steps: Vec<MergeStep>,
    /// `applying` (written before the first change), `applied` or `undone`.
    pub status: String,
    /// How the values were chosen, and after an undo what had changed since.
    pub report: serde_json::Value,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A duplicate scan: where it stands, its figures, and the model it fitted (which checks new records until the
/// next scan).
#[derive(Debug, Clone, PartialEq)]
pub struct DedupeScanRecord {
    pub id: Uuid,
    /// `contacts` or `companies`.
    pub entity: String,
    /// `queued`, `reading`, `matching`, `saving`, `merging`, `done` or `failed`.
    pub status: String,
    /// Records read, the engine's figures, groups proposed and merged, or the error that stopped it.
    pub progress: serde_json::Value,
    pub model: Option<serde_json::Value>,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Which scans to read, newest first.
#[derive(Debug, Clone, Default)]
pub struct ScanFilter {
    pub id: Option<Uuid>,
    pub entity: Option<String>,
    pub status: Option<String>,
    pub limit: u64,
}

impl ScanFilter {
    /// The scan with this id.
    pub fn id(id: Uuid) -> ScanFilter {
        ScanFilter {
            id: Some(id),
            limit: 1,
            ..ScanFilter::default()
        }
    }
}

/// A group of records a scan proposes as one entity.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupeGroupRecord {
    /// Its place in the scan's queue: 1 is the most confident.
    pub seq: i64,
    pub confidence: f64,
    /// Oldest first.
    pub members: Vec<Uuid>,
    /// The scored pairs between members, each with its fields' contributions.
    pub pairs: serde_json::Value,
    /// `open`, `merged` or `dismissed`.
    pub status: String,
    pub merge_id: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

/// A page of a scan's groups.
#[derive(Debug, Clone, Default)]
pub struct GroupPage {
    pub after_seq: i64,
    pub status: Option<String>,
    pub limit: u64,
}

/// A user's decision about two records: the same entity (they merged them) or not duplicates.
#[derive(Debug, Clone, PartialEq)]
pub struct PairDecision {
    pub entity: String,
    pub a: Uuid,
    pub b: Uuid,
    pub same: bool,
    /// The engine's comparison pattern of the pair when decided, for learning from the decision.
    pub pattern: Option<i64>,
    pub merge_id: Option<Uuid>,
    pub decided_by: UserId,
    pub decided_at: DateTime<Utc>,
}

impl PairDecision {
    /// The two ids in a fixed order, so that a pair is one row whichever way round it was decided.
    pub fn pair(&self) -> (Uuid, Uuid) {
        (self.a.min(self.b), self.a.max(self.b))
    }
}

/// An import as the store keeps it: what was read, where it stands, and its summary (counts, samples, errors).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRun {
    pub id: Uuid,
    pub entity: String,
    pub file_name: String,
    /// `uploaded`, `checking`, `checked`, `running`, `committed`, `rolling_back`, `rolled_back` or `failed`.
    pub status: String,
    pub summary: serde_json::Value,
    /// For an import run as a job: what to import and how far it got (`null` for one run from the command line).
    pub job: serde_json::Value,
    pub created_by: UserId,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportAction {
    Created,
    Updated,
}

impl ImportAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ImportAction::Created => "created",
            ImportAction::Updated => "updated",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "created" => Some(ImportAction::Created),
            "updated" => Some(ImportAction::Updated),
            _ => None,
        }
    }
}

/// One record an import created or changed, in the order it did: enough to undo it.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportItem {
    pub seq: i64,
    pub kind: RecordKind,
    pub record_id: Uuid,
    pub action: ImportAction,
    /// The version and data before an update.
    pub before: Option<(i64, serde_json::Value)>,
    /// The version the import left, to tell later edits apart.
    pub after_version: i64,
}

/// A unit of background work, claimed by one worker at a time under a lease.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub workspace_id: WorkspaceId,
    pub id: Uuid,
    /// What to do (`import`, `import_rollback`, …); the handler reads its details from the subject.
    pub kind: String,
    /// The record the job works on, such as the import.
    pub subject_id: Uuid,
    /// `queued`, `running`, `done` or `failed`.
    pub status: String,
    /// How many times a worker has claimed it (more than once when a worker died holding it).
    pub attempts: i64,
    pub error: Option<String>,
    /// Until when the worker that claimed it holds it.
    pub lease_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A row an import could not take, and why: one line of its error report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct RowProblem {
    /// The row's number in the file (the header is row 1).
    pub row: u64,
    /// The column or field at fault, when one is.
    pub field: String,
    pub reason: String,
}

/// Where a workspace dump goes, row by row: `(table, row)`; an error stops the dump.
pub type DumpSink<'a> =
    dyn FnMut(&str, serde_json::Map<String, serde_json::Value>) -> Result<(), String> + Send + 'a;
