//! Orders as records: the generic use cases (create, bulk upsert by external id — how a shop or POS pushes its
//! orders idempotently —, read, patch, trash, list with filters, history) serve them; the customer, the time and
//! what an order counts as spend go to their own columns, for the customer's metrics.

use crate::records::{RecordType, decode};
use crate::{App, AppError, Session};
use std::collections::HashMap;
use temas_core::FieldErrors;
use temas_core::contact::Contact;
use temas_core::contact::{RecordMeta, ValidationContext};
use temas_core::custom::Entity;
use temas_core::filter::{ColumnKind, ORDER_COLUMNS};
use temas_core::forecast::Rates;
use temas_core::ids::ContactId;
use temas_core::ids::{OrderId, ProductId, UserId};
use temas_core::metrics::{CustomerMetrics, favourites};
use temas_core::normalize::search_key;
use temas_core::order::{Order, OrderData, OrderInput};
use temas_core::product::{Product, ProductData};
use temas_store::{ContactFigures, Indexed, Links, RecordKind, Uuid};

/// How many of a customer's latest purchases their favourite category and brand are taken from.
const FAVOURITES_OVER: u32 = 500;

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
        if bought {
            (metrics.favourite_category, metrics.favourite_brand) =
                self.favourites(session, contact, &rates).await?;
        }
        metrics.rfm = figures.rfm;
        Ok(metrics)
    }

    /// The category and brand of the products a customer spent most on, over their latest purchases.
    async fn favourites(
        &self,
        session: &Session,
        contact: ContactId,
        rates: &Rates,
    ) -> Result<(Option<String>, Option<String>), AppError> {
        let orders = self
            .store
            .customer_purchases(session.workspace.id, contact.0, FAVOURITES_OVER)
            .await?;
        let mut spend: Vec<(ProductId, i64)> = Vec::new();
        for order in orders {
            let order: Order = decode(order)?;
            let on = order.data.ordered_at.date_naive();
            for (product, money) in order.data.line_spend() {
                if let (Some(p), Some(home)) = (product, rates.convert(money, on)) {
                    spend.push((p, home.minor));
                }
            }
        }
        let mut ids: Vec<Uuid> = spend.iter().map(|(id, _)| id.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut products: HashMap<ProductId, ProductData> = HashMap::new();
        for stored in self
            .store
            .get_records(RecordKind::Product, &session.viewer, &ids)
            .await?
        {
            if stored.meta.deleted_at.is_none() {
                let product: Product = decode(stored)?;
                products.insert(product.id, product.data);
            }
        }
        Ok(favourites(spend.iter().filter_map(|(id, minor)| {
            let p = products.get(id)?;
            Some((p.category.as_deref(), p.brand.as_deref(), *minor))
        })))
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
    fn assemble(id: Uuid, version: i64, data: OrderData, meta: RecordMeta) -> Self {
        Order {
            id: OrderId(id),
            version,
            data,
            meta,
        }
    }
}
