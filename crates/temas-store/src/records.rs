//! Contacts, companies and interactions share one table layout: indexed columns beside the validated JSON data.
//! This module holds the statements over that layout; `sql_store.rs` strings them into transactions.

use crate::db::{Pools, Tx};
use crate::types::*;
use sea_query::{Alias, Condition, Expr, ExprTrait, Order, Query, SelectStatement, Value};
use sqlx::types::Json;
use temas_core::filter::{CursorKey, SortKey};
use temas_core::time::from_micros;

/// What sets one record kind's storage apart: its table, its term table, the indexed columns it has beyond the
/// common ones, whether it is searched by fragment, and whether every user of a workspace sees all of it.
pub(crate) struct KindSpec {
    pub table: &'static str,
    pub terms: Option<&'static str>,
    /// Filled from [`Indexed`]; see [`extra_value`].
    pub extra: &'static [&'static str],
    /// Found by any fragment of names, emails and phones (a trigram index of `search_doc`).
    pub search_index: bool,
    /// Seen whole by every user of the workspace, whoever added a row: the catalogue and the pipelines.
    pub shared: bool,
    /// Columns the store keeps itself (a contact's metrics): filtered on, the whole-number ones sorted on too,
    /// never written from [`Indexed`].
    pub derived: &'static [&'static str],
}

pub(crate) fn spec(kind: RecordKind) -> KindSpec {
    let plain = |table| KindSpec {
        table,
        terms: None,
        extra: &[],
        search_index: false,
        shared: false,
        derived: &[],
    };
    match kind {
        RecordKind::Contact => KindSpec {
            terms: Some("contact_terms"),
            search_index: true,
            derived: temas_core::filter::CONTACT_METRICS,
            ..plain("contacts")
        },
        RecordKind::Company => KindSpec {
            terms: Some("company_terms"),
            search_index: true,
            ..plain("companies")
        },
        RecordKind::Interaction => KindSpec {
            extra: &["occurred_at", "company_id"],
            ..plain("interactions")
        },
        RecordKind::Product => KindSpec {
            terms: Some("product_terms"),
            extra: &["category", "brand"],
            shared: true,
            ..plain("products")
        },
        RecordKind::Order => KindSpec {
            extra: &[
                "occurred_at",
                "company_id",
                "contact_id",
                "currency",
                "spent_minor",
                "spent_converted_minor",
                "conversion_pending",
            ],
            ..plain("orders")
        },
        RecordKind::Pipeline => KindSpec {
            shared: true,
            ..plain("pipelines")
        },
        RecordKind::Deal => KindSpec {
            extra: &["company_id", "contact_id"],
            ..plain("deals")
        },
        RecordKind::Lead => plain("leads"),
        RecordKind::Task => KindSpec {
            extra: &["due_at"],
            ..plain("tasks")
        },
        RecordKind::Offer => KindSpec {
            extra: &["occurred_at", "company_id", "contact_id"],
            ..plain("offers")
        },
    }
}

pub(crate) fn table(kind: RecordKind) -> &'static str {
    spec(kind).table
}

pub(crate) fn terms_table(kind: RecordKind) -> Option<&'static str> {
    spec(kind).terms
}

/// A record's value for one of its kind's extra columns.
fn extra_value(column: &str, i: &Indexed, now: i64) -> Expr {
    match column {
        "occurred_at" => i.occurred_at.unwrap_or(now).into(),
        "due_at" => i.occurred_at.into(),
        "company_id" => uuid_opt(i.company_id).into(),
        "contact_id" => uuid_opt(i.contact_id).into(),
        "currency" => i.spent.as_ref().map(|(c, _)| c.clone()).into(),
        "spent_minor" => i.spent.as_ref().map(|(_, minor)| *minor).into(),
        "spent_converted_minor" => i.spent_converted.into(),
        // A written order is converted as it is written.
        "conversion_pending" => 0i64.into(),
        "category" => i.category.clone().into(),
        "brand" => i.brand.clone().into(),
        other => unreachable!("no indexed value for column {other}"),
    }
}

/// A record row as selected by [`select_records`].
#[derive(sqlx::FromRow)]
pub(crate) struct RecordRow {
    id: Uuid,
    version: i64,
    sort_name: String,
    occurred_at: Option<i64>,
    owner_id: Option<Uuid>,
    team_id: Option<Uuid>,
    data: Json<serde_json::Value>,
    created_by: Option<Uuid>,
    updated_by: Option<Uuid>,
    created_at: i64,
    updated_at: i64,
    deleted_at: Option<i64>,
    sort_value: Option<i64>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct SearchRow {
    #[sqlx(flatten)]
    record: RecordRow,
    search_doc: String,
}

impl RecordRow {
    pub fn owner(&self) -> Option<UserId> {
        self.owner_id.map(UserId)
    }

    pub fn team(&self) -> Option<TeamId> {
        self.team_id.map(TeamId)
    }

    /// Where a list page that ends on this row continues.
    fn cursor(&self, sort: SortKey) -> Cursor {
        let key = match sort {
            SortKey::Name => CursorKey::Text(self.sort_name.clone()),
            SortKey::CreatedAt => CursorKey::Int(self.created_at),
            SortKey::UpdatedAt => CursorKey::Int(self.updated_at),
            SortKey::Column(_) => CursorKey::Int(self.sort_value.unwrap_or_default()),
        };
        Cursor { key, id: self.id }
    }

    fn timeline_cursor(&self) -> Cursor {
        Cursor {
            key: CursorKey::Int(self.occurred_at.unwrap_or_default()),
            id: self.id,
        }
    }

    pub fn into_record(self) -> StoredRecord {
        StoredRecord {
            id: self.id,
            version: self.version,
            data: self.data.0,
            meta: RecordMeta {
                team_id: self.team_id.map(TeamId),
                created_by: self.created_by.map(UserId),
                updated_by: self.updated_by.map(UserId),
                created_at: from_micros(self.created_at),
                updated_at: from_micros(self.updated_at),
                deleted_at: self.deleted_at.map(from_micros),
            },
        }
    }
}

impl SearchRow {
    pub fn into_candidate(self) -> SearchCandidate {
        SearchCandidate {
            doc: self.search_doc,
            record: self.record.into_record(),
        }
    }
}

pub(crate) fn col(table: &'static str, column: &'static str) -> Expr {
    Expr::col((Alias::new(table), Alias::new(column)))
}

fn uuid_opt(v: Option<Uuid>) -> Value {
    v.into()
}

/// `SELECT <record columns> FROM <table>` for the kind.
pub(crate) fn select_records(kind: RecordKind) -> SelectStatement {
    select_records_sorted(kind, None)
}

/// The same, with the value of a derived column a list sorts by as `sort_value` (for the next page's cursor).
fn select_records_sorted(kind: RecordKind, sorted_by: Option<&'static str>) -> SelectStatement {
    let t = table(kind);
    let mut q = Query::select();
    q.from(Alias::new(t));
    for c in [
        "id",
        "version",
        "sort_name",
        "owner_id",
        "team_id",
        "data",
        "created_by",
        "updated_by",
        "created_at",
    ] {
        q.expr(col(t, c));
    }
    q.expr(col(t, "updated_at")).expr(col(t, "deleted_at"));
    match sorted_by {
        Some(c) => q.expr_as(col(t, c), Alias::new("sort_value")),
        None => q.expr_as(Expr::cust("CAST(NULL AS BIGINT)"), Alias::new("sort_value")),
    };
    if spec(kind).extra.contains(&"occurred_at") {
        q.expr(col(t, "occurred_at"));
    } else {
        q.expr_as(
            Expr::cust("CAST(NULL AS BIGINT)"),
            Alias::new("occurred_at"),
        );
    }
    q
}

/// Rows of `kind` in the viewer's workspace that the viewer may see.
pub(crate) fn visible(kind: RecordKind, viewer: &Viewer) -> Condition {
    let KindSpec {
        table: t, shared, ..
    } = spec(kind);
    let ws = col(t, "workspace_id").eq(viewer.workspace_id.0);
    if shared {
        return Condition::all().add(ws);
    }
    let me = col(t, "owner_id").eq(viewer.user_id.0);
    match viewer.scope {
        Scope::All => Condition::all().add(ws),
        Scope::Own => Condition::all().add(ws).add(me),
        Scope::Team => {
            let mut either = Condition::any().add(me);
            if let Some(team) = viewer.team_id {
                either = either.add(col(t, "team_id").eq(team.0));
            }
            Condition::all().add(ws).add(either)
        }
    }
}

/// Keyset condition: rows strictly after the cursor in the given order.
fn after(sort_col: Option<Expr>, id_col: Expr, cursor: &Cursor, descending: bool) -> Condition {
    let key: Value = match &cursor.key {
        CursorKey::Int(i) => (*i).into(),
        CursorKey::Text(s) => s.clone().into(),
    };
    let beyond = |e: Expr, v: Expr| if descending { e.lt(v) } else { e.gt(v) };
    let id: Expr = cursor.id.into();
    match sort_col {
        None => Condition::all().add(beyond(id_col, id)),
        // A row-value comparison, which both engines answer by seeking the (sort, id) index; the equivalent
        // `a > x OR (a = x AND id > y)` makes them scan.
        Some(sc) => Condition::all().add(beyond(
            Expr::tuple([sc, id_col]),
            Expr::tuple([Expr::val(key), id]),
        )),
    }
}

pub(crate) async fn insert(
    tx: &mut Tx,
    kind: RecordKind,
    viewer: &Viewer,
    records: &[NewRecord],
    now: i64,
) -> Result<(), StoreError> {
    let t = table(kind);
    // Rows go in in name order and terms in key order, so that consecutive inserts land on neighbouring pages of
    // the name and term indexes instead of all over them.
    let mut ordered: Vec<&NewRecord> = records.iter().collect();
    ordered.sort_unstable_by(|a, b| a.indexed.sort_name.cmp(&b.indexed.sort_name));
    for chunk in ordered.chunks(500) {
        let mut ins = Query::insert();
        ins.into_table(Alias::new(t));
        let mut columns = vec![
            "workspace_id",
            "id",
            "version",
            "sort_name",
            "external_id",
            "owner_id",
            "team_id",
            "data",
            "search_doc",
            "created_by",
            "updated_by",
            "created_at",
            "updated_at",
        ];
        columns.extend(spec(kind).extra);
        ins.columns(columns.into_iter().map(Alias::new));
        for r in chunk {
            let i = &r.indexed;
            let mut values: Vec<Expr> = vec![
                viewer.workspace_id.0.into(),
                r.id.into(),
                1i64.into(),
                i.sort_name.clone().into(),
                i.external_id.clone().into(),
                uuid_opt(i.owner_id.map(|u| u.0)).into(),
                uuid_opt(i.team_id.map(|t| t.0)).into(),
                crate::dialect::json_document(tx.backend(), &r.data_json),
                i.search_doc.clone().into(),
                viewer.user_id.0.into(),
                viewer.user_id.0.into(),
                now.into(),
                now.into(),
            ];
            values.extend(spec(kind).extra.iter().map(|c| extra_value(c, i, now)));
            ins.values(values)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        tx.execute_all_or_nothing(&ins)
            .await
            .map_err(crate::db::taken_as("external_id"))?;
    }
    if spec(kind).search_index {
        crate::dialect::index_inserted_rows(tx, t, records.len()).await?;
    }
    if let Some(terms) = terms_table(kind) {
        let mut rows: Vec<(Uuid, &String)> = records
            .iter()
            .flat_map(|r| r.terms.iter().map(move |t| (r.id, t)))
            .collect();
        rows.sort_unstable_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(&b.0)));
        insert_terms(tx, terms, viewer.workspace_id, &rows).await?;
    }
    let links: Vec<(Uuid, &Links, i64)> = records
        .iter()
        .map(|r| (r.id, &r.links, r.indexed.occurred_at.unwrap_or(now)))
        .collect();
    insert_links(tx, kind, viewer.workspace_id, &links).await?;
    if kind == RecordKind::Interaction {
        let touches: Vec<(Uuid, i64)> = links
            .iter()
            .flat_map(|(_, links, at)| links.contacts.iter().map(move |c| (*c, *at)))
            .collect();
        crate::customer_metrics::add_touches(tx, viewer.workspace_id, &touches).await?;
    }
    if kind == RecordKind::Order {
        let orders: Vec<(Uuid, &Indexed)> = records.iter().map(|r| (r.id, &r.indexed)).collect();
        crate::customer_metrics::add_orders(tx, viewer.workspace_id, &orders, now).await?;
    }
    // A creation's entry carries no copy of the data: every later update stores the old values of the fields it
    // changed, so the created values are the current ones with the updates undone (see `history`).
    let history: Vec<(Uuid, &'static str, serde_json::Value)> = records
        .iter()
        .map(|r| (r.id, "create", serde_json::Value::Null))
        .collect();
    insert_history(tx, kind, viewer, &history, now).await
}

pub(crate) async fn insert_terms(
    tx: &mut Tx,
    terms: &'static str,
    ws: WorkspaceId,
    rows: &[(Uuid, &String)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(2000) {
        let mut ins = Query::insert();
        ins.into_table(Alias::new(terms))
            .columns(["workspace_id", "term", "record_id"].map(Alias::new));
        for (id, term) in chunk {
            ins.values([ws.0.into(), (*term).clone().into(), (*id).into()])
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        // A record's terms are a set; the same term from two sources is one row.
        ins.on_conflict(sea_query::OnConflict::new().do_nothing().to_owned());
        tx.execute(&ins).await?;
    }
    Ok(())
}

pub(crate) async fn delete_terms(
    tx: &mut Tx,
    terms: &'static str,
    ws: WorkspaceId,
    id: Uuid,
    old: &[String],
) -> Result<(), StoreError> {
    if old.is_empty() {
        return Ok(());
    }
    let del = Query::delete()
        .from_table(Alias::new(terms))
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .and_where(Expr::col(Alias::new("term")).is_in(old.iter().cloned()))
        .and_where(Expr::col(Alias::new("record_id")).eq(id))
        .to_owned();
    tx.execute(&del).await?;
    Ok(())
}

/// Inserts the link rows records own: (record id, links, occurred_at for interactions).
pub(crate) async fn insert_links(
    tx: &mut Tx,
    kind: RecordKind,
    ws: WorkspaceId,
    records: &[(Uuid, &Links, i64)],
) -> Result<(), StoreError> {
    let (link_table, cols) = match kind {
        RecordKind::Contact => (
            "contact_companies",
            ["workspace_id", "contact_id", "company_id", "role"],
        ),
        RecordKind::Interaction => (
            "interaction_contacts",
            [
                "workspace_id",
                "contact_id",
                "occurred_at",
                "interaction_id",
            ],
        ),
        _ => return Ok(()),
    };
    let rows: Vec<[Expr; 4]> = records
        .iter()
        .flat_map(|(id, links, occurred_at)| {
            let companies = links.companies.iter().map(move |(c, role)| {
                [ws.0.into(), (*id).into(), (*c).into(), role.clone().into()]
            });
            let contacts = links.contacts.iter().map(move |c| {
                [
                    ws.0.into(),
                    (*c).into(),
                    (*occurred_at).into(),
                    (*id).into(),
                ]
            });
            companies.chain(contacts)
        })
        .collect();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut ins = Query::insert();
        ins.into_table(Alias::new(link_table))
            .columns(cols.map(Alias::new));
        for row in rows.by_ref().take(2000) {
            ins.values(row)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        tx.execute(&ins).await?;
    }
    Ok(())
}

pub(crate) async fn delete_links(
    tx: &mut Tx,
    kind: RecordKind,
    ws: WorkspaceId,
    id: Uuid,
) -> Result<(), StoreError> {
    let (link_table, owner_col) = match kind {
        RecordKind::Contact => ("contact_companies", "contact_id"),
        RecordKind::Interaction => ("interaction_contacts", "interaction_id"),
        _ => return Ok(()),
    };
    let del = Query::delete()
        .from_table(Alias::new(link_table))
        .and_where(Expr::col(Alias::new("workspace_id")).eq(ws.0))
        .and_where(Expr::col(Alias::new(owner_col)).eq(id))
        .to_owned();
    tx.execute(&del).await?;
    Ok(())
}

fn changes_json(changes: &[FieldChange]) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(changes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) async fn insert_history(
    tx: &mut Tx,
    kind: RecordKind,
    viewer: &Viewer,
    entries: &[(Uuid, &'static str, serde_json::Value)],
    now: i64,
) -> Result<(), StoreError> {
    for chunk in entries.chunks(500) {
        let mut ins = Query::insert();
        ins.into_table(Alias::new("changes")).columns(
            [
                "workspace_id",
                "record_id",
                "id",
                "entity",
                "action",
                "actor_id",
                "at",
                "changes",
            ]
            .map(Alias::new),
        );
        for (record_id, action, changes) in chunk {
            ins.values([
                viewer.workspace_id.0.into(),
                (*record_id).into(),
                Uuid::now_v7().into(),
                kind.entity().into(),
                (*action).into(),
                viewer.user_id.0.into(),
                now.into(),
                changes.clone().into(),
            ])
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        }
        tx.execute_all_or_nothing(&ins).await?;
    }
    Ok(())
}

/// Whether a live or trashed record with this id exists and is visible (to tell 404 from 412).
pub(crate) async fn exists_visible(
    tx: &mut Tx,
    kind: RecordKind,
    viewer: &Viewer,
    id: Uuid,
) -> Result<bool, StoreError> {
    let t = table(kind);
    let mut q = select_records(kind);
    q.cond_where(visible(kind, viewer))
        .and_where(col(t, "id").eq(id));
    Ok(tx.fetch_optional::<RecordRow, _>(&q).await?.is_some())
}

pub(crate) async fn update(
    tx: &mut Tx,
    kind: RecordKind,
    viewer: &Viewer,
    u: &RecordUpdate,
    now: i64,
) -> Result<(), StoreError> {
    let t = table(kind);
    let i = &u.indexed;
    // An order's customer before and after the change both have their metrics refreshed, and an interaction's
    // contacts before and after when they were last in touch.
    let mut customers: Vec<Uuid> = Vec::new();
    let mut touched: Vec<Uuid> = Vec::new();
    let mut customer_before = None;
    if kind == RecordKind::Order {
        customer_before =
            crate::customer_metrics::customer_of_order(tx, viewer.workspace_id, u.id).await?;
        customers.extend(customer_before);
        customers.extend(i.contact_id);
    }
    let facets_before = if kind == RecordKind::Product {
        Some(crate::product_spend::facets_of_product(tx, viewer.workspace_id, u.id).await?)
    } else {
        None
    };
    if kind == RecordKind::Interaction {
        touched =
            crate::customer_metrics::contacts_of_interaction(tx, viewer.workspace_id, u.id).await?;
        touched.extend(&u.links.contacts);
    }
    let mut upd = Query::update();
    upd.table(Alias::new(t))
        .value(
            Alias::new("version"),
            Expr::col(Alias::new("version")).add(1),
        )
        .value(Alias::new("data"), u.data.clone())
        .value(Alias::new("sort_name"), i.sort_name.clone())
        .value(Alias::new("external_id"), i.external_id.clone())
        .value(Alias::new("owner_id"), uuid_opt(i.owner_id.map(|x| x.0)))
        .value(Alias::new("team_id"), uuid_opt(i.team_id.map(|x| x.0)))
        .value(Alias::new("search_doc"), i.search_doc.clone())
        .value(Alias::new("updated_by"), viewer.user_id.0)
        .value(Alias::new("updated_at"), now);
    for column in spec(kind).extra {
        upd.value(Alias::new(*column), extra_value(column, i, now));
    }
    upd.cond_where(visible(kind, viewer))
        .and_where(col(t, "id").eq(u.id))
        .and_where(col(t, "version").eq(u.expected_version))
        .and_where(col(t, "deleted_at").is_null());
    let n = tx
        .execute(&upd)
        .await
        .map_err(crate::db::taken_as("external_id"))?;
    if n == 0 {
        return Err(if exists_visible(tx, kind, viewer, u.id).await? {
            StoreError::VersionConflict
        } else {
            StoreError::NotFound
        });
    }
    if let Some(terms) = terms_table(kind) {
        let removed: Vec<String> = u
            .old_terms
            .iter()
            .filter(|t| !u.new_terms.contains(t))
            .cloned()
            .collect();
        delete_terms(tx, terms, viewer.workspace_id, u.id, &removed).await?;
        let added: Vec<(Uuid, &String)> = u
            .new_terms
            .iter()
            .filter(|t| !u.old_terms.contains(t))
            .map(|t| (u.id, t))
            .collect();
        insert_terms(tx, terms, viewer.workspace_id, &added).await?;
    }
    delete_links(tx, kind, viewer.workspace_id, u.id).await?;
    insert_links(
        tx,
        kind,
        viewer.workspace_id,
        &[(u.id, &u.links, i.occurred_at.unwrap_or(now))],
    )
    .await?;
    if kind == RecordKind::Order {
        let ws = viewer.workspace_id;
        crate::product_spend::delete_rows(tx, ws, u.id, customer_before).await?;
        let spend = if i.spent.is_some() {
            i.product_spend.as_slice()
        } else {
            &[]
        };
        crate::product_spend::insert_rows(tx, ws, &[(u.id, i.contact_id, spend)], true).await?;
    }
    if facets_before.is_some_and(|before| before != (i.category.clone(), i.brand.clone())) {
        crate::product_spend::refresh_buyers(tx, viewer.workspace_id, u.id).await?;
    }
    crate::customer_metrics::refresh(tx, viewer.workspace_id, &customers).await?;
    crate::customer_metrics::refresh_last_contact(tx, viewer.workspace_id, &touched).await?;
    insert_history(
        tx,
        kind,
        viewer,
        &[(u.id, u.action, changes_json(&u.changes)?)],
        now,
    )
    .await
}

pub(crate) async fn set_deleted(
    tx: &mut Tx,
    kind: RecordKind,
    viewer: &Viewer,
    id: Uuid,
    expected: i64,
    deleted: bool,
    now: i64,
) -> Result<(), StoreError> {
    let t = table(kind);
    let mut upd = Query::update();
    let deleted_at: Value = if deleted {
        Some(now).into()
    } else {
        Option::<i64>::None.into()
    };
    upd.table(Alias::new(t))
        .value(
            Alias::new("version"),
            Expr::col(Alias::new("version")).add(1),
        )
        .value(Alias::new("deleted_at"), deleted_at)
        .value(Alias::new("updated_by"), viewer.user_id.0)
        .value(Alias::new("updated_at"), now)
        .cond_where(visible(kind, viewer))
        .and_where(col(t, "id").eq(id))
        .and_where(col(t, "version").eq(expected));
    upd.and_where(if deleted {
        col(t, "deleted_at").is_null()
    } else {
        col(t, "deleted_at").is_not_null()
    });
    if tx.execute(&upd).await? == 0 {
        return Err(if exists_visible(tx, kind, viewer, id).await? {
            StoreError::VersionConflict
        } else {
            StoreError::NotFound
        });
    }
    if kind == RecordKind::Order {
        let customer =
            crate::customer_metrics::customer_of_order(tx, viewer.workspace_id, id).await?;
        crate::product_spend::set_live(tx, viewer.workspace_id, id, customer, !deleted).await?;
        crate::customer_metrics::refresh(tx, viewer.workspace_id, &Vec::from_iter(customer))
            .await?;
    }
    if kind == RecordKind::Interaction {
        let contacts =
            crate::customer_metrics::contacts_of_interaction(tx, viewer.workspace_id, id).await?;
        crate::customer_metrics::refresh_last_contact(tx, viewer.workspace_id, &contacts).await?;
    }
    if kind == RecordKind::Product {
        crate::product_spend::refresh_buyers(tx, viewer.workspace_id, id).await?;
    }
    let (action, old, new) = if deleted {
        ("delete", serde_json::Value::Null, serde_json::json!(true))
    } else {
        ("restore", serde_json::json!(true), serde_json::Value::Null)
    };
    let change = FieldChange {
        field: "deleted".into(),
        old,
        new,
    };
    insert_history(
        tx,
        kind,
        viewer,
        &[(id, action, changes_json(&[change])?)],
        now,
    )
    .await
}

/// A keyset-paged list statement. Returns the statement and the sort key, for building the next cursor.
pub(crate) fn list_statement(
    backend: Backend,
    kind: RecordKind,
    viewer: &Viewer,
    query: &ListQuery,
    cx: &crate::filters::FilterContext,
    sort_apart: bool,
) -> Result<SelectStatement, StoreError> {
    let t = table(kind);
    // Sorting apart: a column under SQLite's no-op unary plus is not one an index can order by (see
    // `few_metric_matches`).
    let sortable = |c: &'static str| {
        if sort_apart {
            Expr::cust(format!("+\"{t}\".\"{c}\""))
        } else {
            col(t, c)
        }
    };
    let sort_key = metric_sort(query.sort.key);
    let sorted_by = match sort_key {
        SortKey::Column(c) if spec(kind).derived.contains(&c) => Some(c),
        SortKey::Column(c) => return Err(StoreError::Corrupt(format!("{t} do not sort by {c}"))),
        _ => None,
    };
    let mut q = select_records_sorted(kind, sorted_by);
    q.cond_where(visible(kind, viewer));
    q.and_where(if query.deleted {
        col(t, "deleted_at").is_not_null()
    } else {
        col(t, "deleted_at").is_null()
    });
    for f in &query.filters {
        q.and_where(crate::filters::condition(backend, kind, f, cx));
    }
    let sort_col = match sort_key {
        SortKey::CreatedAt => None,
        key => Some(sortable(sort_column(key))),
    };
    if let Some(cursor) = &query.cursor {
        q.cond_where(after(
            sort_col.clone(),
            sortable("id"),
            cursor,
            query.sort.descending,
        ));
    }
    let order = if query.sort.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    if let Some(sc) = sort_col {
        q.order_by_expr(sc, order.clone());
    }
    q.order_by_expr(sortable("id"), order)
        .limit(u64::from(query.limit) + 1);
    Ok(q)
}

/// A sort key with a score read as the metric it is read from (the same order).
fn metric_sort(key: SortKey) -> SortKey {
    match key {
        SortKey::Column(c) => SortKey::Column(temas_core::rfm::scored_column(c).unwrap_or(c)),
        key => key,
    }
}

/// The list's first filter on one of its kind's metrics (or a score read from one) that its sort does not follow:
/// the filter whose matches [`few_metric_matches`] counts.
fn filter_apart_from_sort(
    kind: RecordKind,
    query: &ListQuery,
) -> Option<&temas_core::filter::Filter> {
    let derived = spec(kind).derived;
    let sorted_by = metric_sort(query.sort.key);
    query.filters.iter().find(|f| match f.field {
        temas_core::filter::FilterField::Column(name, _) => {
            let metric = crate::filters::column_read(name);
            derived.contains(&metric) && sorted_by != SortKey::Column(metric)
        }
        _ => false,
    })
}

/// Up to how many matches a list filtered on a metric but sorted by something else is sorted apart.
const FEW_MATCHES: u64 = 5_000;

/// Whether a list that filters on one of its kind's metrics (or a score read from one) and sorts by another key
/// has few matches; `None` for another list. SQLite's planner keeps no histogram of a column's values, so it
/// guesses wrong both ways: it cannot tell that `total_spent_minor > x` holds for a few dozen of a million contacts
/// (it walks the name index to sort and tests every row: seconds), nor that `last_order_at` in a two-sided range
/// holds for 400,000 (it reads them all through that index and sorts them: 1.3 s). Counting the matches on the
/// metric's index, up to [`FEW_MATCHES`], costs milliseconds: when they are few, the list reads them through that
/// index and sorts them itself; when they are many, it walks its sort's index, where a page of matches comes soon.
pub(crate) async fn few_metric_matches(
    pools: &Pools,
    kind: RecordKind,
    viewer: &Viewer,
    query: &ListQuery,
    cx: &crate::filters::FilterContext,
) -> Result<Option<bool>, StoreError> {
    let Some(filter) = filter_apart_from_sort(kind, query) else {
        return Ok(None);
    };
    let t = table(kind);
    let matches = Query::select()
        .expr(Expr::val(1))
        .from(Alias::new(t))
        .and_where(col(t, "workspace_id").eq(viewer.workspace_id.0))
        .and_where(col(t, "deleted_at").is_null())
        .and_where(crate::filters::condition(pools.backend(), kind, filter, cx))
        .limit(FEW_MATCHES + 1)
        .to_owned();
    let probe = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from_subquery(matches, Alias::new("probe"))
        .to_owned();
    let found = pools.fetch_numbers(&probe, 1).await?[0];
    Ok(Some(
        u64::try_from(found).unwrap_or(u64::MAX) <= FEW_MATCHES,
    ))
}

/// The column a list's sort follows.
pub(crate) fn sort_column(key: SortKey) -> &'static str {
    match metric_sort(key) {
        SortKey::Name => "sort_name",
        SortKey::UpdatedAt => "updated_at",
        // Ids are UUIDv7: ordering by id is ordering by creation time, on the primary key.
        SortKey::CreatedAt => "id",
        SortKey::Column(c) => c,
    }
}

/// The live orders of a customer that count as spend.
fn purchases_of(ws: WorkspaceId, contact: uuid::Uuid) -> Condition {
    let t = "orders";
    Condition::all()
        .add(col(t, "workspace_id").eq(ws.0))
        .add(col(t, "contact_id").eq(contact))
        .add(col(t, "deleted_at").is_null())
        .add(col(t, "spent_minor").is_not_null())
}

/// A customer's purchases per currency, and what of them was bought since `since` (microseconds): one indexed
/// pass over their live orders' own columns.
pub(crate) async fn customer_spend(
    pools: &Pools,
    ws: WorkspaceId,
    contact: uuid::Uuid,
    since: i64,
) -> Result<Vec<temas_core::metrics::SpendInCurrency>, StoreError> {
    let t = "orders";
    let q = Query::select()
        .expr(col(t, "currency"))
        .expr(Expr::cust("COUNT(*)"))
        .expr(Expr::cust("CAST(SUM(orders.spent_minor) AS BIGINT)"))
        .expr(Expr::cust("MIN(orders.occurred_at)"))
        .expr(Expr::cust("MAX(orders.occurred_at)"))
        .expr(sea_query::Func::cast_as(
            sea_query::Func::sum(
                sea_query::CaseStatement::new()
                    .case(col(t, "occurred_at").gte(since), col(t, "spent_minor"))
                    .finally(0i64),
            ),
            Alias::new("BIGINT"),
        ))
        .expr(Expr::cust(
            "CAST(SUM(orders.spent_converted_minor) AS BIGINT)",
        ))
        .expr(Expr::cust("COUNT(orders.spent_converted_minor)"))
        .from(Alias::new(t))
        .cond_where(purchases_of(ws, contact))
        .group_by_col((Alias::new(t), Alias::new("currency")))
        .order_by((Alias::new(t), Alias::new("currency")), Order::Asc)
        .to_owned();
    type Row = (String, i64, i64, i64, i64, i64, Option<i64>, i64);
    let rows: Vec<Row> = pools.fetch_all(&q).await?;
    Ok(rows
        .into_iter()
        .map(
            |(currency, orders, spent, first, last, recent, converted, converted_count)| {
                temas_core::metrics::SpendInCurrency {
                    currency,
                    orders: u64::try_from(orders).unwrap_or(0),
                    spent_minor: spent,
                    recent_minor: recent,
                    converted_minor: converted.filter(|_| converted_count == orders),
                    first_at: from_micros(first),
                    last_at: from_micros(last),
                }
            },
        )
        .collect())
}

/// A user's open tasks due by `until` (overdue ones first, then by due time), at most `limit`, among those the
/// viewer sees: the "my day" list.
pub(crate) async fn tasks_due(
    pools: &Pools,
    viewer: &Viewer,
    owner: UserId,
    until: i64,
    limit: u32,
) -> Result<Vec<StoredRecord>, StoreError> {
    let t = "tasks";
    let mut q = select_records(RecordKind::Task);
    q.cond_where(visible(RecordKind::Task, viewer))
        .and_where(col(t, "owner_id").eq(owner.0))
        .and_where(col(t, "due_at").lte(until))
        .and_where(col(t, "deleted_at").is_null())
        .and_where(crate::dialect::json_text(pools.backend(), t, "status", false).eq("open"))
        .order_by_expr(col(t, "due_at"), Order::Asc)
        .order_by_expr(col(t, "id"), Order::Asc)
        .limit(u64::from(limit));
    let rows: Vec<RecordRow> = pools.fetch_all(&q).await?;
    Ok(rows.into_iter().map(RecordRow::into_record).collect())
}

/// Each of `users`' open leads (new, contacted, qualified) and the time of their latest lead.
pub(crate) async fn lead_load(
    pools: &Pools,
    ws: WorkspaceId,
    users: &[UserId],
) -> Result<Vec<LeadLoad>, StoreError> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let t = "leads";
    let status = crate::dialect::json_text_sql(pools.backend(), "data", "status", false);
    let q = Query::select()
        .expr(col(t, "owner_id"))
        .expr(Expr::cust(format!(
            "CAST(SUM(CASE WHEN {status} IN ('new', 'contacted', 'qualified') THEN 1 ELSE 0 END) AS BIGINT)"
        )))
        .expr(Expr::cust("MAX(leads.created_at)"))
        .from(Alias::new(t))
        .and_where(col(t, "workspace_id").eq(ws.0))
        .and_where(col(t, "deleted_at").is_null())
        .and_where(col(t, "owner_id").is_in(users.iter().map(|u| u.0)))
        .group_by_col((Alias::new(t), Alias::new("owner_id")))
        .to_owned();
    let rows: Vec<(uuid::Uuid, i64, i64)> = pools.fetch_all(&q).await?;
    Ok(rows
        .into_iter()
        .map(|(user, open, last_assigned)| LeadLoad {
            user: UserId(user),
            open,
            last_assigned,
        })
        .collect())
}

/// When each of `contacts` last had a live interaction (contacts without one are left out): the column the store
/// keeps current.
pub(crate) async fn last_interactions(
    pools: &Pools,
    ws: WorkspaceId,
    contacts: &[uuid::Uuid],
) -> Result<Vec<(uuid::Uuid, i64)>, StoreError> {
    let t = "contacts";
    let mut out = Vec::with_capacity(contacts.len());
    for chunk in contacts.chunks(500) {
        let q = Query::select()
            .expr(col(t, "id"))
            .expr(col(t, "last_contact_at"))
            .from(Alias::new(t))
            .and_where(col(t, "workspace_id").eq(ws.0))
            .and_where(col(t, "id").is_in(chunk.iter().copied()))
            .and_where(col(t, "last_contact_at").ne(0))
            .to_owned();
        let rows: Vec<(uuid::Uuid, i64)> = pools.fetch_all(&q).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The next `limit` live records of a kind the viewer sees after `after`, by id (creation order), with their data
/// as JSON text: a pass over the whole base (a duplicate scan) parses each record straight into its type instead
/// of through a JSON tree, and reads no other column.
pub(crate) async fn raw_page(
    pools: &Pools,
    kind: RecordKind,
    viewer: &Viewer,
    after: Option<uuid::Uuid>,
    limit: u32,
) -> Result<Vec<RawRecord>, StoreError> {
    let t = table(kind);
    let mut q = Query::select();
    q.from(Alias::new(t))
        .expr(col(t, "id"))
        .expr_as(
            Expr::cust(format!("CAST({t}.data AS TEXT)")),
            Alias::new("data"),
        )
        .cond_where(visible(kind, viewer))
        .and_where(col(t, "deleted_at").is_null());
    if let Some(after) = after {
        q.and_where(col(t, "id").gt(after));
    }
    q.order_by_expr(col(t, "id"), Order::Asc)
        .limit(u64::from(limit));
    let rows: Vec<(uuid::Uuid, String)> = pools.fetch_all(&q).await?;
    Ok(rows
        .into_iter()
        .map(|(id, data)| RawRecord { id, data })
        .collect())
}

/// One pass over the live records the viewer sees: how many there are, and how many match each set of filters
/// (the filters of a set all hold).
pub(crate) async fn count_matching(
    pools: &Pools,
    kind: RecordKind,
    viewer: &Viewer,
    sets: &[Vec<temas_core::filter::Filter>],
) -> Result<(u64, Vec<u64>), StoreError> {
    let backend = pools.backend();
    let cx = crate::filters::FilterContext::of(pools, viewer.workspace_id, sets.iter().flatten())
        .await?;
    let t = table(kind);
    let mut q = Query::select();
    q.expr(Expr::cust("COUNT(*)")).from(Alias::new(t));
    for set in sets {
        let mut all = Condition::all();
        for f in set {
            all = all.add(crate::filters::condition(backend, kind, f, &cx));
        }
        // CAST keeps the sum a 64-bit integer on PostgreSQL (a plain SUM of integers is numeric there).
        let hit = sea_query::CaseStatement::new().case(all, 1).finally(0);
        q.expr(sea_query::Func::cast_as(
            sea_query::Func::sum(hit),
            Alias::new("BIGINT"),
        ));
    }
    q.cond_where(visible(kind, viewer))
        .and_where(col(t, "deleted_at").is_null());
    let numbers = pools.fetch_numbers(&q, sets.len() + 1).await?;
    let as_count = |n: i64| u64::try_from(n).unwrap_or_default();
    Ok((
        as_count(numbers[0]),
        numbers[1..].iter().map(|n| as_count(*n)).collect(),
    ))
}

/// Splits `limit + 1` fetched rows into a page and its next cursor.
pub(crate) fn page(
    mut rows: Vec<RecordRow>,
    limit: u32,
    cursor_of: impl Fn(&RecordRow) -> Cursor,
) -> Page {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(&cursor_of)
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(RecordRow::into_record).collect(),
        next,
    }
}

pub(crate) fn list_cursor(sort: SortKey) -> impl Fn(&RecordRow) -> Cursor {
    move |r| r.cursor(sort)
}

pub(crate) fn timeline_statement(
    backend: Backend,
    viewer: &Viewer,
    of: TimelineOf,
    channel: Option<&str>,
    cursor: Option<&Cursor>,
    limit: u32,
) -> SelectStatement {
    let t = "interactions";
    let mut q = select_records(RecordKind::Interaction);
    q.cond_where(visible(RecordKind::Interaction, viewer))
        .and_where(col(t, "deleted_at").is_null());
    if let Some(channel) = channel {
        q.and_where(crate::dialect::json_text(backend, t, "channel", false).eq(channel));
    }
    let (sort_col, id_col) = match of {
        TimelineOf::Contact(contact) => {
            let l = "interaction_contacts";
            q.inner_join(
                Alias::new(l),
                Condition::all()
                    .add(col(l, "workspace_id").equals((Alias::new(t), Alias::new("workspace_id"))))
                    .add(col(l, "interaction_id").equals((Alias::new(t), Alias::new("id")))),
            )
            .and_where(col(l, "contact_id").eq(contact));
            (col(l, "occurred_at"), col(l, "interaction_id"))
        }
        TimelineOf::Company(company) => {
            q.and_where(col(t, "company_id").eq(company));
            (col(t, "occurred_at"), col(t, "id"))
        }
    };
    if let Some(c) = cursor {
        q.cond_where(after(Some(sort_col.clone()), id_col.clone(), c, true));
    }
    q.order_by_expr(sort_col, Order::Desc)
        .order_by_expr(id_col, Order::Desc)
        .limit(u64::from(limit) + 1);
    q
}

pub(crate) fn timeline_cursor(r: &RecordRow) -> Cursor {
    r.timeline_cursor()
}

#[cfg(test)]
mod tests {
    use super::*;
    use temas_core::filter::{
        CONTACT_COLUMNS, CONTACT_SORTS, ColumnKind, FilterField, Sort, parse_filter,
    };

    fn query(filters: &[&str], sort: &str) -> ListQuery {
        ListQuery {
            filters: filters
                .iter()
                .map(|f| parse_filter(f, CONTACT_COLUMNS, true, None).unwrap())
                .collect(),
            sort: Sort::parse_with(sort, CONTACT_SORTS).unwrap(),
            limit: 50,
            cursor: None,
            deleted: false,
        }
    }

    /// The filter probed for a sort apart is a metric or score filter the sort does not already follow.
    #[test]
    fn a_metric_filter_is_probed_when_the_list_sorts_by_something_else() {
        let probed = |filters: &[&str], sort: &str| {
            let q = query(filters, sort);
            filter_apart_from_sort(RecordKind::Contact, &q).map(|f| f.field.clone())
        };
        let spend = Some(FilterField::Column(
            "total_spent_minor",
            ColumnKind::Integer,
        ));
        assert_eq!(probed(&["total_spent_minor:gt:100"], "name"), spend);
        assert_eq!(
            probed(
                &["language:eq:fa", "total_spent_minor:gt:100"],
                "-updated_at"
            ),
            spend
        );
        assert_eq!(
            probed(&["rfm_monetary:eq:5"], "name"),
            Some(FilterField::Column("rfm_monetary", ColumnKind::Integer))
        );
        // The sort follows the metric's index already (a score sorts as its metric).
        assert_eq!(
            probed(&["total_spent_minor:gt:100"], "-total_spent_minor"),
            None
        );
        assert_eq!(probed(&["rfm_monetary:eq:5"], "-total_spent_minor"), None);
        assert_eq!(probed(&["language:eq:fa"], "name"), None);
        // Only contacts have metrics.
        let q = query(&["total_spent_minor:gt:100"], "name");
        assert!(filter_apart_from_sort(RecordKind::Company, &q).is_none());
    }
}
