//! Use cases over contacts, companies, interactions and products: create (one or in bulk), read, merge-patch,
//! trash and restore, list, timeline and history. One generic implementation serves every record type.

use crate::{App, AppError, Session};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use temas_core::FieldErrors;
use temas_core::contact::{
    Company, CompanyData, CompanyInput, Contact, ContactData, ContactInput, RecordMeta,
    ValidationContext,
};
use temas_core::custom::Entity;
use temas_core::diff::diff;
use temas_core::filter::{
    COMPANY_COLUMNS, CONTACT_COLUMNS, ColumnKind, Cursor, DEFAULT_LIMIT, INTERACTION_COLUMNS,
    ListQuery, MAX_LIMIT, Sort, parse_filter,
};
use temas_core::ids::{CompanyId, ContactId, InteractionId, TeamId, UserId};
use temas_core::interaction::{Interaction, InteractionData, InteractionInput};
use temas_core::normalize::search_key;
use temas_core::patch::merge_patch;
use temas_core::search::{SearchKeys, company_keys, contact_keys};
use temas_store::{
    HistoryEntry, Indexed, Links, NewRecord, RecordKind, RecordUpdate, StoredRecord, TimelineOf,
    Uuid,
};

/// Whether creating a record first looks for records it probably duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateCheck {
    Check,
    /// The client saw the candidates and creates the record anyway (or the type is not checked).
    Skip,
}

/// What distinguishes one record type from another for the generic use cases.
pub trait RecordType: Sized + Send + Sync + Serialize + 'static {
    type Input: DeserializeOwned + Serialize + Send;
    type Data: DeserializeOwned + Serialize + Clone + Send + Sync;
    const KIND: RecordKind;
    const ENTITY: Entity;
    /// The plain fields lists filter on.
    const COLUMNS: &'static [(&'static str, ColumnKind)];
    /// Whole-number columns lists may sort by, beyond name and times.
    const SORTS: &'static [&'static str] = &[];

    fn validate(
        input: Self::Input,
        ctx: &ValidationContext,
        previous: Option<&Self::Data>,
    ) -> Result<Self::Data, FieldErrors>;
    fn to_input(data: &Self::Data) -> Self::Input;
    fn owner(data: &Self::Data) -> Option<UserId>;
    fn set_owner(data: &mut Self::Data, owner: UserId);
    /// Search terms (tags as `#tag`) and the indexed columns.
    fn index(data: &Self::Data) -> (Vec<String>, Indexed);
    fn links(data: &Self::Data) -> Links;
    /// Records this one points at, which must exist and be visible: (kind, ids, field name).
    fn references(data: &Self::Data) -> Vec<(RecordKind, Vec<Uuid>, &'static str)>;
    fn external_id(data: &Self::Data) -> Option<&str>;
    /// Fills the indexed columns that depend on the workspace as well as on the record (an order's spend in the
    /// workspace's currency, at its rates).
    fn index_in_workspace(
        _data: &Self::Data,
        _session: &Session,
        _indexed: &mut Indexed,
    ) -> Result<(), AppError> {
        Ok(())
    }
    /// How the duplicate check on create reads a record; `None` for types it does not check.
    fn duplicate_probe(_data: &Self::Data) -> Option<temas_core::dedupe::MatchInput> {
        None
    }
    fn assemble(id: Uuid, version: i64, data: Self::Data, meta: RecordMeta) -> Self;
    /// For records the workspace's assignment rules give an owner when created without one (leads): the territory
    /// and language the rules route on.
    fn routing(_data: &Self::Data) -> Option<(Option<&str>, Option<&str>)> {
        None
    }
    /// Whether the session may create, change or trash records of this type.
    fn require_write(session: &Session) -> Result<(), AppError> {
        session.require_write()
    }
}

/// A contact's search terms and indexed columns as the store receives them for a new contact (the benchmark's raw
/// engine writes the same).
pub fn contact_index(data: &ContactData) -> (Vec<String>, Indexed) {
    Contact::index(data)
}

/// Search terms (tags as `#tag`) and indexed columns of a named record.
pub(crate) fn searchable(
    keys: SearchKeys,
    tags: &[String],
    name: &str,
    external_id: &Option<String>,
) -> (Vec<String>, Indexed) {
    let terms = keys
        .terms
        .into_iter()
        .chain(tags.iter().map(|t| format!("#{}", search_key(t))))
        .collect();
    let indexed = Indexed {
        sort_name: search_key(name),
        external_id: external_id.clone(),
        search_doc: keys.doc,
        ..Indexed::default()
    };
    (terms, indexed)
}

impl RecordType for Contact {
    type Input = ContactInput;
    type Data = ContactData;
    const KIND: RecordKind = RecordKind::Contact;
    const ENTITY: Entity = Entity::Contact;
    const COLUMNS: &'static [(&'static str, ColumnKind)] = CONTACT_COLUMNS;
    const SORTS: &'static [&'static str] = temas_core::filter::CONTACT_SORTS;

    fn validate(
        input: ContactInput,
        ctx: &ValidationContext,
        previous: Option<&ContactData>,
    ) -> Result<ContactData, FieldErrors> {
        input.validate(ctx, previous.map(|p| &p.custom))
    }
    fn to_input(data: &ContactData) -> ContactInput {
        data.to_input()
    }
    fn owner(data: &ContactData) -> Option<UserId> {
        data.owner_id
    }
    fn set_owner(data: &mut ContactData, owner: UserId) {
        data.owner_id = Some(owner);
    }
    fn index(data: &ContactData) -> (Vec<String>, Indexed) {
        searchable(
            contact_keys(data),
            &data.tags,
            &data.display_name,
            &data.external_id,
        )
    }
    fn links(data: &ContactData) -> Links {
        Links {
            companies: data
                .companies
                .iter()
                .map(|l| (l.company_id.0, l.role.clone()))
                .collect(),
            contacts: vec![],
        }
    }
    fn references(data: &ContactData) -> Vec<(RecordKind, Vec<Uuid>, &'static str)> {
        vec![(
            RecordKind::Company,
            data.companies.iter().map(|l| l.company_id.0).collect(),
            "companies",
        )]
    }
    fn duplicate_probe(data: &ContactData) -> Option<temas_core::dedupe::MatchInput> {
        Some(temas_core::dedupe::MatchInput::from_contact(data, None))
    }
    fn external_id(data: &ContactData) -> Option<&str> {
        data.external_id.as_deref()
    }
    fn assemble(id: Uuid, version: i64, data: ContactData, meta: RecordMeta) -> Self {
        Contact {
            id: ContactId(id),
            version,
            data,
            meta,
            metrics: None,
        }
    }
}

impl RecordType for Company {
    type Input = CompanyInput;
    type Data = CompanyData;
    const KIND: RecordKind = RecordKind::Company;
    const ENTITY: Entity = Entity::Company;
    const COLUMNS: &'static [(&'static str, ColumnKind)] = COMPANY_COLUMNS;

    fn validate(
        input: CompanyInput,
        ctx: &ValidationContext,
        previous: Option<&CompanyData>,
    ) -> Result<CompanyData, FieldErrors> {
        input.validate(ctx, previous.map(|p| &p.custom))
    }
    fn to_input(data: &CompanyData) -> CompanyInput {
        data.to_input()
    }
    fn owner(data: &CompanyData) -> Option<UserId> {
        data.owner_id
    }
    fn set_owner(data: &mut CompanyData, owner: UserId) {
        data.owner_id = Some(owner);
    }
    fn index(data: &CompanyData) -> (Vec<String>, Indexed) {
        searchable(
            company_keys(data),
            &data.tags,
            &data.name,
            &data.external_id,
        )
    }
    fn links(_: &CompanyData) -> Links {
        Links::default()
    }
    fn references(_: &CompanyData) -> Vec<(RecordKind, Vec<Uuid>, &'static str)> {
        vec![]
    }
    fn duplicate_probe(data: &CompanyData) -> Option<temas_core::dedupe::MatchInput> {
        Some(temas_core::dedupe::MatchInput::from_company(data))
    }
    fn external_id(data: &CompanyData) -> Option<&str> {
        data.external_id.as_deref()
    }
    fn assemble(id: Uuid, version: i64, data: CompanyData, meta: RecordMeta) -> Self {
        Company {
            id: CompanyId(id),
            version,
            data,
            meta,
        }
    }
}

impl RecordType for Interaction {
    type Input = InteractionInput;
    type Data = InteractionData;
    const KIND: RecordKind = RecordKind::Interaction;
    const ENTITY: Entity = Entity::Interaction;
    const COLUMNS: &'static [(&'static str, ColumnKind)] = INTERACTION_COLUMNS;

    fn validate(
        input: InteractionInput,
        _: &ValidationContext,
        _: Option<&InteractionData>,
    ) -> Result<InteractionData, FieldErrors> {
        input.validate(temas_core::time::now())
    }
    fn to_input(data: &InteractionData) -> InteractionInput {
        data.to_input()
    }
    fn owner(data: &InteractionData) -> Option<UserId> {
        data.owner_id
    }
    fn set_owner(data: &mut InteractionData, owner: UserId) {
        data.owner_id = Some(owner);
        data.performed_by.get_or_insert(owner);
    }
    fn index(data: &InteractionData) -> (Vec<String>, Indexed) {
        let indexed = Indexed {
            occurred_at: Some(data.occurred_at.timestamp_micros()),
            company_id: data.company_id.map(|c| c.0),
            ..Indexed::default()
        };
        (vec![], indexed)
    }
    fn links(data: &InteractionData) -> Links {
        Links {
            companies: vec![],
            contacts: data.contact_ids.iter().map(|c| c.0).collect(),
        }
    }
    fn references(data: &InteractionData) -> Vec<(RecordKind, Vec<Uuid>, &'static str)> {
        vec![
            (
                RecordKind::Contact,
                data.contact_ids.iter().map(|c| c.0).collect(),
                "contact_ids",
            ),
            (
                RecordKind::Company,
                data.company_id.iter().map(|c| c.0).collect(),
                "company_id",
            ),
        ]
    }
    fn external_id(_: &InteractionData) -> Option<&str> {
        None
    }
    fn assemble(id: Uuid, version: i64, data: InteractionData, meta: RecordMeta) -> Self {
        Interaction {
            id: InteractionId(id),
            version,
            data,
            meta,
        }
    }
}

pub(crate) fn decode<R: RecordType>(stored: StoredRecord) -> Result<R, AppError> {
    let data = data_of::<R>(stored.id, stored.data)?;
    Ok(R::assemble(stored.id, stored.version, data, stored.meta))
}

/// A stored record's data, read as its type.
pub(crate) fn data_of<R: RecordType>(id: Uuid, data: Value) -> Result<R::Data, AppError> {
    serde_json::from_value(data).map_err(|e| unreadable::<R>(id, e))
}

/// A stored record's data, from the JSON text it is stored as.
fn data_from_text<R: RecordType>(id: Uuid, data: &str) -> Result<R::Data, AppError> {
    serde_json::from_str(data).map_err(|e| unreadable::<R>(id, e))
}

fn unreadable<R: RecordType>(id: Uuid, e: serde_json::Error) -> AppError {
    AppError::Internal(format!(
        "stored {} {id} is unreadable: {e}",
        R::KIND.entity()
    ))
}

/// One item of a bulk request: what happened to it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BulkItemResult {
    pub index: usize,
    /// created, updated or error.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Uuid)]
    pub id: Option<Uuid>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<temas_core::FieldError>,
}

/// A page of typed records.
pub struct RecordPage<R> {
    pub items: Vec<R>,
    pub next_cursor: Option<String>,
}

pub const MAX_BULK: usize = 1000;

impl App {
    /// The team a record owned by `owner` belongs to; the owner must be a user of the workspace.
    async fn team_of(&self, session: &Session, owner: UserId) -> Result<Option<TeamId>, AppError> {
        if owner == session.user.id {
            return Ok(session.user.team_id);
        }
        match self.store.user(session.workspace.id, owner).await? {
            Some(u) => Ok(u.team_id),
            None => Err(FieldErrors::single(
                "owner_id",
                "unknown_user",
                "no user of this workspace has this id",
            )
            .into()),
        }
    }

    /// Checks that every referenced record exists and is visible.
    async fn check_references<R: RecordType>(
        &self,
        session: &Session,
        data: &R::Data,
    ) -> Result<(), AppError> {
        let errors = self
            .reference_errors::<R>(session, std::slice::from_ref(data))
            .await?;
        Ok(errors
            .into_iter()
            .next()
            .unwrap_or_default()
            .into_result(())?)
    }

    /// For each record of a batch, the references to records that do not exist or are not visible; one query per
    /// kind referred to for the whole batch (a bulk call's thousand orders cost as many queries as one).
    pub(crate) async fn reference_errors<R: RecordType>(
        &self,
        session: &Session,
        batch: &[R::Data],
    ) -> Result<Vec<FieldErrors>, AppError> {
        let references: Vec<_> = batch.iter().map(R::references).collect();
        let mut wanted: HashMap<RecordKind, HashSet<Uuid>> = HashMap::new();
        for (kind, ids, _) in references.iter().flatten() {
            wanted.entry(*kind).or_default().extend(ids);
        }
        let mut found: HashMap<RecordKind, HashSet<Uuid>> = HashMap::new();
        for (kind, ids) in wanted {
            let ids: Vec<Uuid> = ids.into_iter().collect();
            let seen = found.entry(kind).or_default();
            for chunk in ids.chunks(1000) {
                seen.extend(self.store.visible_ids(kind, &session.viewer, chunk).await?);
            }
        }
        Ok(references
            .iter()
            .map(|refs| {
                let mut errors = FieldErrors::default();
                for (kind, ids, field) in refs {
                    let seen = found.get(kind);
                    if ids.iter().any(|id| !seen.is_some_and(|s| s.contains(id))) {
                        errors.add(
                            *field,
                            "unknown_record",
                            format!("refers to a {} that does not exist", kind.entity()),
                        );
                    }
                }
                errors
            })
            .collect())
    }

    /// Validates a new record and prepares it for the store, without checking its references: for generated or
    /// imported data whose references were just created (callers that take references from users check them in
    /// batches with `reference_errors`).
    pub(crate) async fn prepare_new<R: RecordType>(
        &self,
        session: &Session,
        ctx: &ValidationContext,
        input: R::Input,
    ) -> Result<NewRecord, AppError> {
        let data = R::validate(input, ctx, None)?;
        self.prepare_validated::<R>(session, data, false).await
    }

    /// Prepares already validated data for the store: owner and team, references checked (unless `check_refs`
    /// is off), search terms and indexed columns.
    pub(crate) async fn prepare_validated<R: RecordType>(
        &self,
        session: &Session,
        data: R::Data,
        check_refs: bool,
    ) -> Result<NewRecord, AppError> {
        let index = R::index(&data);
        self.prepare_indexed::<R>(session, data, index, check_refs)
            .await
    }

    /// As [`Self::prepare_validated`], with the record's search terms and indexed columns (`R::index` of the same
    /// data) worked out beforehand, off the async runtime: the importer does so for a whole batch.
    pub(crate) async fn prepare_indexed<R: RecordType>(
        &self,
        session: &Session,
        mut data: R::Data,
        (terms, mut indexed): (Vec<String>, Indexed),
        check_refs: bool,
    ) -> Result<NewRecord, AppError> {
        let owner = match (R::owner(&data), R::routing(&data)) {
            (Some(owner), _) => owner,
            (None, Some((territory, language))) => self
                .assigned_owner(session, territory, language)
                .await?
                .unwrap_or(session.user.id),
            (None, None) => session.user.id,
        };
        R::set_owner(&mut data, owner);
        let team = self.team_of(session, owner).await?;
        if check_refs {
            self.check_references::<R>(session, &data).await?;
        }
        indexed.owner_id = Some(owner);
        indexed.team_id = team;
        R::index_in_workspace(&data, session, &mut indexed)?;
        let links = R::links(&data);
        let data_json =
            serde_json::to_string(&data).map_err(|e| AppError::Internal(e.to_string()))?;
        Ok(NewRecord {
            id: Uuid::now_v7(),
            data_json,
            indexed,
            terms,
            links,
        })
    }

    /// Creates a record. With `DuplicateCheck::Check`, a contact or company that probably duplicates a visible
    /// one is refused with the candidates (`AppError::ProbableDuplicates`) and nothing is written.
    pub async fn create<R: RecordType>(
        &self,
        session: &Session,
        input: R::Input,
        check: DuplicateCheck,
    ) -> Result<R, AppError> {
        R::require_write(session)?;
        let ctx = session.validation(self, R::ENTITY).await?;
        let data = R::validate(input, &ctx, None)?;
        if check == DuplicateCheck::Check {
            let found = self.probable_duplicates_of::<R>(session, &data).await?;
            if !found.is_empty() {
                return Err(AppError::ProbableDuplicates(found));
            }
        }
        let record = self.prepare_validated::<R>(session, data, true).await?;
        let id = record.id;
        self.store
            .insert_records(R::KIND, &session.viewer, vec![record])
            .await?;
        self.get::<R>(session, id).await
    }

    /// Reads a live record. Trashed records are found only with `include_deleted`.
    pub async fn get_with<R: RecordType>(
        &self,
        session: &Session,
        id: Uuid,
        include_deleted: bool,
    ) -> Result<R, AppError> {
        let stored = self
            .store
            .get_record(R::KIND, &session.viewer, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if stored.meta.deleted_at.is_some() && !include_deleted {
            return Err(AppError::NotFound);
        }
        decode(stored)
    }

    pub async fn get<R: RecordType>(&self, session: &Session, id: Uuid) -> Result<R, AppError> {
        self.get_with(session, id, false).await
    }

    /// Applies a JSON merge patch (RFC 7396) to the record's writable form and saves it when it validates.
    /// `if_version` is the client's `If-Match`.
    pub async fn patch<R: RecordType>(
        &self,
        session: &Session,
        id: Uuid,
        patch: &Value,
        if_version: Option<i64>,
    ) -> Result<R, AppError> {
        self.patch_as::<R>(session, id, patch, if_version, "update")
            .await?;
        self.get::<R>(session, id).await
    }

    /// A patch that the change history records as `action` (a merge, or its undoing, rather than an edit).
    /// Returns the record's data as stored.
    pub(crate) async fn patch_as<R: RecordType>(
        &self,
        session: &Session,
        id: Uuid,
        patch: &Value,
        if_version: Option<i64>,
        action: &'static str,
    ) -> Result<Value, AppError> {
        R::require_write(session)?;
        if !patch.is_object() {
            return Err(
                FieldErrors::single("", "invalid_patch", "a patch must be a JSON object").into(),
            );
        }
        let (stored, old) = self.live_record::<R>(session, id).await?;
        if let Some(v) = if_version
            && v != stored.version
        {
            return Err(AppError::VersionMismatch {
                current: Some(stored.version),
            });
        }
        let mut writable = serde_json::to_value(R::to_input(&old))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        merge_patch(&mut writable, patch);
        let input: R::Input = serde_json::from_value(writable).map_err(|e| {
            AppError::Invalid(FieldErrors::single(
                "",
                "invalid_json",
                format!("the patched record is not valid: {e}"),
            ))
        })?;
        let ctx = session.validation(self, R::ENTITY).await?;
        self.replace::<R>(session, &ctx, &stored, input, action)
            .await
    }

    /// Validates `input` as the whole new writable form of `stored` and saves it, unless nothing changes. The one
    /// write path of PATCH and of bulk upserts. Returns the data as stored.
    async fn replace<R: RecordType>(
        &self,
        session: &Session,
        ctx: &ValidationContext,
        stored: &StoredRecord,
        input: R::Input,
        action: &'static str,
    ) -> Result<Value, AppError> {
        let old: R::Data = serde_json::from_value(stored.data.clone())
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let data = R::validate(input, ctx, Some(&old))?;
        self.save_data::<R>(session, stored, &old, data, action)
            .await
    }

    /// A record the session sees and that is not in the trash, with its data.
    pub(crate) async fn live_record<R: RecordType>(
        &self,
        session: &Session,
        id: Uuid,
    ) -> Result<(StoredRecord, R::Data), AppError> {
        let stored = self
            .store
            .get_record(R::KIND, &session.viewer, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if stored.meta.deleted_at.is_some() {
            return Err(AppError::NotFound);
        }
        let data = serde_json::from_value(stored.data.clone())
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Ok((stored, data))
    }

    /// Saves validated `data` as the new state of `stored` (whose data is `old`), unless nothing changes; the
    /// history records it as `action`. Returns the data as stored.
    pub(crate) async fn save_data<R: RecordType>(
        &self,
        session: &Session,
        stored: &StoredRecord,
        old: &R::Data,
        mut data: R::Data,
        action: &'static str,
    ) -> Result<Value, AppError> {
        let owner = R::owner(&data).unwrap_or(session.user.id);
        R::set_owner(&mut data, owner);
        let team = if R::owner(old) == Some(owner) {
            stored.meta.team_id
        } else {
            self.team_of(session, owner).await?
        };
        self.check_references::<R>(session, &data).await?;
        let (new_terms, mut indexed) = R::index(&data);
        indexed.owner_id = Some(owner);
        indexed.team_id = team;
        R::index_in_workspace(&data, session, &mut indexed)?;
        let (old_terms, _) = R::index(old);
        let json = serde_json::to_value(&data).map_err(|e| AppError::Internal(e.to_string()))?;
        let changes = diff(&stored.data, &json);
        if changes.is_empty() {
            return Ok(json);
        }
        let update = RecordUpdate {
            id: stored.id,
            action,
            expected_version: stored.version,
            data: json.clone(),
            indexed,
            old_terms,
            new_terms,
            links: R::links(&data),
            changes,
        };
        self.store
            .update_record(R::KIND, &session.viewer, &update)
            .await?;
        Ok(update.data)
    }

    /// Moves a record to the trash (`deleted`) or restores it.
    pub async fn set_deleted<R: RecordType>(
        &self,
        session: &Session,
        id: Uuid,
        deleted: bool,
        if_version: Option<i64>,
    ) -> Result<R, AppError> {
        R::require_write(session)?;
        let stored = self
            .store
            .get_record(R::KIND, &session.viewer, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if stored.meta.deleted_at.is_some() == deleted {
            return if deleted {
                Err(AppError::NotFound)
            } else {
                decode(stored)
            };
        }
        if let Some(v) = if_version
            && v != stored.version
        {
            return Err(AppError::VersionMismatch {
                current: Some(stored.version),
            });
        }
        self.store
            .set_deleted(R::KIND, &session.viewer, id, stored.version, deleted)
            .await?;
        self.get_with::<R>(session, id, true).await
    }

    /// Parses list parameters for a record type.
    pub fn list_query<R: RecordType>(
        &self,
        session: &Session,
        params: &ListParams,
    ) -> Result<ListQuery, AppError> {
        let mut errors = FieldErrors::default();
        let mut filters = Vec::new();
        for f in &params.filters {
            match parse_filter(
                f,
                R::COLUMNS,
                R::KIND == RecordKind::Contact,
                session.region(),
            ) {
                Ok(f) => filters.push(f),
                Err(e) => errors.0.extend(e.0),
            }
        }
        let sort = match &params.sort {
            Some(s) => Sort::parse_with(s, R::SORTS).unwrap_or_else(|e| {
                errors.0.extend(e.0);
                Sort::default()
            }),
            None => Sort::default(),
        };
        let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.add(
                "limit",
                "out_of_range",
                format!("must be between 1 and {MAX_LIMIT}"),
            );
        }
        let cursor = match &params.cursor {
            Some(c) => Cursor::decode(c).map(Some).unwrap_or_else(|e| {
                errors.0.extend(e.0);
                None
            }),
            None => None,
        };
        errors
            .into_result(ListQuery {
                filters,
                sort,
                limit,
                cursor,
                deleted: params.deleted,
            })
            .map_err(AppError::Invalid)
    }

    pub async fn list<R: RecordType>(
        &self,
        session: &Session,
        params: &ListParams,
    ) -> Result<RecordPage<R>, AppError> {
        let query = self.list_query::<R>(session, params)?;
        let page = self
            .store
            .list_records(R::KIND, &session.viewer, &query)
            .await?;
        let items = page
            .items
            .into_iter()
            .map(decode::<R>)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RecordPage {
            items,
            next_cursor: page.next.map(|c| c.encode()),
        })
    }

    /// Calls `each` with every page of records the parameters select, in order, from the first page on.
    pub(crate) async fn each_page<R: RecordType>(
        &self,
        session: &Session,
        params: &ListParams,
        mut each: impl FnMut(Vec<R>) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        let mut params = params.clone();
        params.cursor = None;
        loop {
            let page = self.list::<R>(session, &params).await?;
            each(page.items)?;
            match page.next_cursor {
                Some(next) => params.cursor = Some(next),
                None => return Ok(()),
            }
        }
    }

    /// `each_page` for code generic over the record type: each record as its id, version and data.
    pub(crate) async fn each_raw_page<R: RecordType>(
        &self,
        session: &Session,
        params: &ListParams,
        mut each: impl FnMut(Vec<(Uuid, i64, R::Data)>) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        let mut params = params.clone();
        params.cursor = None;
        loop {
            let query = self.list_query::<R>(session, &params)?;
            let page = self
                .store
                .list_records(R::KIND, &session.viewer, &query)
                .await?;
            let items = page
                .items
                .into_iter()
                .map(|r| Ok((r.id, r.version, data_of::<R>(r.id, r.data)?)))
                .collect::<Result<Vec<_>, AppError>>()?;
            each(items)?;
            match page.next {
                Some(next) => params.cursor = Some(next.encode()),
                None => return Ok(()),
            }
        }
    }

    /// Calls `each` with the id and data of every live record of a kind the session sees, in creation order, a
    /// large page at a time: one pass over the whole base that reads only the data and parses it straight into
    /// its type (off the async threads), which is several times quicker than paging through the list.
    pub(crate) async fn each_record_data<R: RecordType>(
        &self,
        session: &Session,
        mut each: impl FnMut(Vec<(Uuid, R::Data)>) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        const PAGE: u32 = 5_000;
        let mut after = None;
        loop {
            let page = self
                .store
                .raw_records(R::KIND, &session.viewer, after, PAGE)
                .await?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = Some(last.id);
            let full = page.len() == PAGE as usize;
            let parsed = tokio::task::spawn_blocking(move || {
                page.into_iter()
                    .map(|r| Ok((r.id, data_from_text::<R>(r.id, &r.data)?)))
                    .collect::<Result<Vec<_>, AppError>>()
            })
            .await
            .map_err(|e| AppError::Internal(format!("reading records stopped: {e}")))??;
            each(parsed)?;
            if !full {
                return Ok(());
            }
        }
    }

    /// Creates many records, or updates those whose `external_id` already exists. Each item succeeds or fails
    /// on its own; valid items are written together in one transaction.
    pub async fn bulk_upsert<R: RecordType>(
        &self,
        session: &Session,
        inputs: Vec<Value>,
    ) -> Result<Vec<BulkItemResult>, AppError> {
        R::require_write(session)?;
        if inputs.len() > MAX_BULK {
            return Err(FieldErrors::single(
                "items",
                "too_many",
                format!("at most {MAX_BULK} items per call"),
            )
            .into());
        }
        let ctx = session.validation(self, R::ENTITY).await?;
        let mut results: Vec<BulkItemResult> = Vec::with_capacity(inputs.len());
        let mut valid: Vec<(usize, R::Input, Option<String>)> = Vec::with_capacity(inputs.len());
        for (index, raw) in inputs.into_iter().enumerate() {
            let external = raw
                .get("external_id")
                .and_then(Value::as_str)
                .map(str::trim)
                .map(str::to_owned);
            match serde_json::from_value::<R::Input>(raw) {
                Ok(input) => valid.push((index, input, external.filter(|e| !e.is_empty()))),
                Err(e) => results.push(item_error(
                    index,
                    FieldErrors::single("", "invalid_json", e.to_string()),
                )),
            }
        }
        let external_ids: Vec<String> = valid.iter().filter_map(|(_, _, e)| e.clone()).collect();
        let existing = self
            .store
            .records_by_external_id(R::KIND, &session.viewer, &external_ids)
            .await?;
        let mut seen = HashSet::new();
        let mut valid_new: Vec<(usize, R::Data)> = Vec::new();
        for (index, input, external) in valid {
            if let Some(ext) = &external {
                if !seen.insert(ext.clone()) {
                    results.push(item_error(
                        index,
                        FieldErrors::single(
                            "external_id",
                            "duplicate",
                            "appears twice in this request",
                        ),
                    ));
                    continue;
                }
                if let Some((record, visible)) = existing
                    .iter()
                    .find(|(r, _)| r.data.get("external_id").and_then(Value::as_str) == Some(ext))
                {
                    if !visible {
                        results.push(item_error(
                            index,
                            FieldErrors::single(
                                "external_id",
                                "taken",
                                "already used by a record you cannot see",
                            ),
                        ));
                        continue;
                    }
                    results.push(
                        self.upsert_existing::<R>(session, &ctx, index, record, input)
                            .await,
                    );
                    continue;
                }
            }
            match R::validate(input, &ctx, None) {
                Ok(data) => valid_new.push((index, data)),
                Err(errors) => results.push(item_error(index, errors)),
            }
        }
        let (new_indexes, new_data): (Vec<usize>, Vec<R::Data>) = valid_new.into_iter().unzip();
        let reference_errors = self.reference_errors::<R>(session, &new_data).await?;
        let mut creates: Vec<(usize, NewRecord)> = Vec::new();
        for ((index, data), errors) in new_indexes.into_iter().zip(new_data).zip(reference_errors) {
            if !errors.is_empty() {
                results.push(item_error(index, errors));
                continue;
            }
            match self.prepare_validated::<R>(session, data, false).await {
                Ok(record) => creates.push((index, record)),
                Err(AppError::Invalid(errors)) => results.push(item_error(index, errors)),
                Err(other) => return Err(other),
            }
        }
        let (indexes, records): (Vec<usize>, Vec<NewRecord>) = creates.into_iter().unzip();
        let ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
        self.store
            .insert_records(R::KIND, &session.viewer, records)
            .await?;
        results.extend(
            indexes
                .into_iter()
                .zip(ids)
                .map(|(index, id)| BulkItemResult {
                    index,
                    status: "created",
                    id: Some(id),
                    errors: vec![],
                }),
        );
        results.sort_by_key(|r| r.index);
        Ok(results)
    }

    /// A bulk item whose `external_id` exists: the item replaces the record's writable form whole (a PUT, not a
    /// PATCH); a trashed record is restored first.
    async fn upsert_existing<R: RecordType>(
        &self,
        session: &Session,
        ctx: &ValidationContext,
        index: usize,
        record: &StoredRecord,
        input: R::Input,
    ) -> BulkItemResult {
        let mut current = record.clone();
        if record.meta.deleted_at.is_some() {
            if let Err(e) = self
                .store
                .set_deleted(R::KIND, &session.viewer, record.id, record.version, false)
                .await
            {
                return item_error(
                    index,
                    FieldErrors::single("", "restore_failed", e.to_string()),
                );
            }
            // Restoring is one more version; the update below is checked against it.
            current.version += 1;
            current.meta.deleted_at = None;
        }
        match self
            .replace::<R>(session, ctx, &current, input, "update")
            .await
        {
            Ok(_) => BulkItemResult {
                index,
                status: "updated",
                id: Some(record.id),
                errors: vec![],
            },
            Err(AppError::Invalid(errors)) => item_error(index, errors),
            Err(e) => item_error(index, FieldErrors::single("", "failed", e.to_string())),
        }
    }

    pub async fn history<R: RecordType>(
        &self,
        session: &Session,
        id: Uuid,
        before: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<HistoryEntry>, AppError> {
        Ok(self
            .store
            .history(
                &session.viewer,
                R::KIND,
                id,
                before,
                limit.clamp(1, MAX_LIMIT),
            )
            .await?)
    }

    /// A contact's or company's interactions, newest first, of one channel or all. The subject itself must be
    /// visible.
    pub async fn timeline(
        &self,
        session: &Session,
        of: TimelineOf,
        channel: Option<&str>,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<RecordPage<Interaction>, AppError> {
        match of {
            TimelineOf::Contact(id) => self.get::<Contact>(session, id).await.map(|_| ())?,
            TimelineOf::Company(id) => self.get::<Company>(session, id).await.map(|_| ())?,
        }
        let cursor = cursor.map(Cursor::decode).transpose()?;
        let page = self
            .store
            .timeline(
                &session.viewer,
                of,
                channel,
                cursor.as_ref(),
                limit.clamp(1, MAX_LIMIT),
            )
            .await?;
        let items = page
            .items
            .into_iter()
            .map(decode::<Interaction>)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(RecordPage {
            items,
            next_cursor: page.next.map(|c| c.encode()),
        })
    }
}

fn item_error(index: usize, errors: FieldErrors) -> BulkItemResult {
    BulkItemResult {
        index,
        status: "error",
        id: None,
        errors: errors.0,
    }
}

/// List parameters as the client sends them.
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    pub filters: Vec<String>,
    pub sort: Option<String>,
    pub limit: Option<u32>,
    pub cursor: Option<String>,
    pub deleted: bool,
}
