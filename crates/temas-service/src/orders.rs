//! Orders as records: the generic use cases (create, bulk upsert by external id — how a shop or POS pushes its
//! orders idempotently —, read, patch, trash, list with filters, history) serve them; the customer, the time and
//! what an order counts as spend go to their own columns, for the customer's metrics.

use crate::records::{RecordType, decode};
use crate::{App, AppError, Session};
use temas_core::FieldErrors;
use temas_core::contact::Contact;
use temas_core::contact::{RecordMeta, ValidationContext};
use temas_core::custom::Entity;
use temas_core::filter::{ColumnKind, ORDER_COLUMNS};
use temas_core::forecast::Rates;
use temas_core::ids::ContactId;
use temas_core::ids::{OrderId, UserId};
use temas_core::metrics::CustomerMetrics;
use temas_core::normalize::search_key;
use temas_core::order::{Order, OrderData, OrderInput};
use temas_store::{ContactFigures, Conversion, Indexed, Links, RecordKind, Uuid};

impl App {
    /// A contact the session sees, with the customer's numbers from their orders and interactions (in the
    /// workspace's currency and per currency) unless it is in the trash; every one of the customer's orders
    /// counts, whoever recorded it. A contact who never bought costs one read.
    pub async fn contact_card(
        &self,
        session: &Session,
        id: Uuid,
        include_deleted: bool,
    ) -> Result<Contact, AppError> {
        let (stored, figures) = self
            .store
            .contact_with_figures(&session.viewer, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let trashed = stored.meta.deleted_at.is_some();
        if trashed && !include_deleted {
            return Err(AppError::NotFound);
        }
        let mut contact: Contact = decode(stored)?;
        if !trashed {
            contact.metrics = Some(self.customer_metrics(session, contact.id, figures).await?);
        }
        Ok(contact)
    }

    async fn customer_metrics(
        &self,
        session: &Session,
        contact: ContactId,
        figures: ContactFigures,
    ) -> Result<CustomerMetrics, AppError> {
        let now = temas_core::time::now();
        let rates = session.rates()?;
        let bought = figures.orders_count > 0;
        let spend = if bought {
            let year_ago = now - chrono::Duration::days(365);
            self.store
                .customer_spend(session.workspace.id, contact.0, year_ago.timestamp_micros())
                .await?
        } else {
            Vec::new()
        };
        let mut metrics = CustomerMetrics::of(&spend, &rates, now);
        metrics.set_last_contact(
            figures.last_contact_at.map(temas_core::time::from_micros),
            now,
        );
        metrics.favourite_category = figures.favourite_category;
        metrics.favourite_brand = figures.favourite_brand;
        metrics.rfm = figures.rfm;
        Ok(metrics)
    }

    /// Converts the workspace's orders that wait for it (see [`Conversion`]) at its current rates, a page at a
    /// time, with the metrics their customers read from them; returns how many it converted.
    pub async fn convert_pending_orders(&self, session: &Session) -> Result<u64, AppError> {
        let rates = session.rates()?;
        let mut after = None;
        let mut converted_count = 0;
        loop {
            let page = self
                .store
                .pending_conversions(session.workspace.id, after, CONVERSION_PAGE)
                .await?;
            let Some(last) = page.last() else {
                return Ok(converted_count);
            };
            after = Some(last.id);
            let mut conversions = Vec::with_capacity(page.len());
            for stored in page {
                let version = stored.version;
                let order: Order = decode(stored)?;
                let (spent_converted, product_spend) = converted(&order.data, &rates);
                conversions.push(Conversion {
                    order: order.id.0,
                    version,
                    spent_converted,
                    product_spend,
                });
            }
            converted_count += conversions.len() as u64;
            self.store
                .set_conversions(session.workspace.id, &conversions)
                .await?;
        }
    }

    /// Finds the workspace's RFM quintiles over its buying customers, from the metrics the store keeps current;
    /// every customer's scores are read against them from then on (owners, admins and managers; the daily job
    /// runs it).
    pub async fn rescore_rfm(&self, session: &Session) -> Result<(), AppError> {
        session.require_catalogue()?;
        let now = temas_core::time::to_micros(temas_core::time::now());
        Ok(self.store.rescore_rfm(session.workspace.id, now).await?)
    }
}

/// How many pending orders one conversion transaction takes.
const CONVERSION_PAGE: u32 = 500;

/// An order's spend in the workspace's currency, in all and per product, as the store keeps them.
fn converted(data: &OrderData, rates: &Rates) -> (Option<i64>, Vec<(Uuid, i64)>) {
    let per_product = data
        .product_spend_converted(rates)
        .into_iter()
        .map(|(product, minor)| (product.0, minor))
        .collect();
    (data.spent_converted(rates), per_product)
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
        let mut data = input.validate(ctx, previous.map(|p| &p.custom), temas_core::time::now())?;
        // Attachments change only through their own use cases, never by writing the order.
        data.attachments = previous.map(|p| p.attachments.clone()).unwrap_or_default();
        Ok(data)
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
    fn index_in_workspace(
        data: &OrderData,
        session: &Session,
        indexed: &mut Indexed,
    ) -> Result<(), AppError> {
        let rates = session.rates()?;
        (indexed.spent_converted, indexed.product_spend) = converted(data, &rates);
        Ok(())
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
