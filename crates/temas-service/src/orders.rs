//! Orders as records: the generic use cases (create, bulk upsert by external id — how a shop or POS pushes its
//! orders idempotently —, read, patch, trash, list with filters, history) serve them; the customer, the time and
//! what an order counts as spend go to their own columns, for the customer's metrics.

use crate::records::RecordType;
use crate::{App, AppError, Session};
use temas_core::FieldErrors;
use temas_core::contact::Contact;
use temas_core::contact::{RecordMeta, ValidationContext};
use temas_core::custom::Entity;
use temas_core::filter::{ColumnKind, ORDER_COLUMNS};
use temas_core::ids::ContactId;
use temas_core::ids::{OrderId, UserId};
use temas_core::metrics::CustomerMetrics;
use temas_core::normalize::search_key;
use temas_core::order::{Order, OrderData, OrderInput};
use temas_store::{Indexed, Links, RecordKind, Uuid};

impl App {
    /// A contact's numbers from their orders, in the workspace's currency and per currency. The contact must be
    /// one the session sees; every one of the customer's orders counts, whoever recorded it.
    pub async fn customer_metrics(
        &self,
        session: &Session,
        contact: ContactId,
    ) -> Result<CustomerMetrics, AppError> {
        self.get::<Contact>(session, contact.0).await?;
        let spend = self
            .store
            .customer_spend(session.workspace.id, contact.0)
            .await?;
        let mut metrics = CustomerMetrics::of(
            &spend,
            &session.workspace.default_currency,
            temas_core::time::now(),
        );
        metrics.rfm = self
            .store
            .rfm_scores(session.workspace.id, contact.0)
            .await?
            .map(temas_core::metrics::Rfm::new);
        Ok(metrics)
    }

    /// Scores every buying contact of the workspace on recency, frequency and spend, from the metrics the store
    /// keeps current (owners, admins and managers; run it daily, e.g. from cron).
    pub async fn rescore_rfm(&self, session: &Session) -> Result<(), AppError> {
        session.require_catalogue()?;
        Ok(self.store.rescore_rfm(session.workspace.id).await?)
    }
}

impl RecordType for Order {
    type Input = OrderInput;
    type Data = OrderData;
    const KIND: RecordKind = RecordKind::Order;
    const ENTITY: Entity = Entity::Order;
    const COLUMNS: &'static [(&'static str, ColumnKind)] = ORDER_COLUMNS;

    fn validate(
        input: OrderInput,
        ctx: &ValidationContext,
        previous: Option<&OrderData>,
    ) -> Result<OrderData, FieldErrors> {
        input.validate(ctx, previous.map(|p| &p.custom), temas_core::time::now())
    }
    fn to_input(data: &OrderData) -> OrderInput {
        data.to_input()
    }
    fn owner(data: &OrderData) -> Option<UserId> {
        data.owner_id
    }
    fn set_owner(data: &mut OrderData, owner: UserId) {
        data.owner_id = Some(owner);
    }
    /// Orders sort by their invoice number (or the shop's id) when listed by name.
    fn index(data: &OrderData) -> (Vec<String>, Indexed) {
        let name = data
            .invoice_number
            .as_deref()
            .or(data.external_id.as_deref())
            .unwrap_or_default();
        let indexed = Indexed {
            sort_name: search_key(name),
            external_id: data.external_id.clone(),
            occurred_at: Some(data.ordered_at.timestamp_micros()),
            company_id: data.company_id.map(|c| c.0),
            contact_id: data.contact_id.map(|c| c.0),
            spent: data
                .spent_minor()
                .map(|minor| (data.currency.clone(), minor)),
            ..Indexed::default()
        };
        (Vec::new(), indexed)
    }
    fn links(_: &OrderData) -> Links {
        Links::default()
    }
    fn references(data: &OrderData) -> Vec<(RecordKind, Vec<Uuid>, &'static str)> {
        vec![
            (
                RecordKind::Contact,
                data.contact_id.iter().map(|c| c.0).collect(),
                "contact_id",
            ),
            (
                RecordKind::Company,
                data.company_id.iter().map(|c| c.0).collect(),
                "company_id",
            ),
            (
                RecordKind::Product,
                data.lines
                    .iter()
                    .filter_map(|l| l.product_id.map(|p| p.0))
                    .collect(),
                "lines",
            ),
        ]
    }
    fn external_id(data: &OrderData) -> Option<&str> {
        data.external_id.as_deref()
    }
    fn assemble(id: Uuid, version: i64, data: OrderData, meta: RecordMeta) -> Self {
        Order {
            id: OrderId(id),
            version,
            data,
            meta,
        }
    }
}
