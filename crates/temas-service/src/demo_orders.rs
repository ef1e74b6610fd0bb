//! Demo orders for benchmark bases (`temas demo --orders`): a small catalogue of products in a few categories and
//! brands, and orders of two or three of them spread unevenly over the demo contacts, as in a real shop: many
//! contacts never buy, a few buy often.

use crate::{App, AppError, Session};
use chrono::{DateTime, Duration, Utc};
use rand::Rng;
use rand::rngs::StdRng;
use serde_json::json;
use temas_core::custom::Entity;
use temas_core::ids::{ContactId, ProductId};
use temas_core::money::{Currency, Money};
use temas_core::order::{Order, OrderInput, OrderLineInput};
use temas_core::product::{Price, Product, ProductInput};
use temas_store::{NewRecord, RecordKind};

/// Category, brand, product and its price in US dollars (scaled into the workspace's currency).
const CATALOGUE: &[(&str, &str, &str, i64)] = &[
    ("Water filters", "AquaPure", "Filter cartridge", 25),
    ("Water filters", "AquaPure", "Reverse osmosis unit", 240),
    ("Water filters", "Zamzam", "Carbon filter", 18),
    ("Water filters", "Zamzam", "Sediment filter", 12),
    ("Heating", "Ardakan", "Water heater", 310),
    ("Heating", "Ardakan", "Wall boiler", 690),
    ("Heating", "Termo", "Radiator", 120),
    ("Heating", "Termo", "Thermostat", 45),
    ("Spare parts", "Termo", "Pump", 85),
    ("Spare parts", "AquaPure", "Membrane", 60),
    ("Spare parts", "Ardakan", "Valve kit", 22),
    ("Services", "Temas Care", "Installation", 80),
    ("Services", "Temas Care", "Service visit", 40),
    ("Services", "Temas Care", "Yearly maintenance plan", 150),
    ("Tea", "Lahijan", "Black tea 500 g", 9),
    ("Tea", "Çaykur", "Rize tea 1 kg", 11),
    ("Tea", "Ahmad", "Earl Grey 250 g", 7),
    ("Books", "Ofoq", "Persian cookbook", 20),
    ("Books", "Dar Al Saqi", "Arabic poetry anthology", 16),
    ("Books", "Azbuka", "Russian classics box", 45),
];

/// About how many units of `code` a US dollar buys, so that demo prices look like that currency's.
fn per_dollar(code: &str) -> i64 {
    match code {
        "IRR" => 600_000,
        "TRY" => 35,
        "RUB" => 90,
        "SAR" | "AED" | "QAR" => 4,
        _ => 1,
    }
}

/// The demo catalogue, once written, and what an order line needs of each product.
pub(crate) struct DemoShop {
    products: Vec<(ProductId, String)>,
    currency: String,
    seed: u64,
    orders_made: usize,
}

impl App {
    /// Writes the demo catalogue into the session's workspace, priced in its currency.
    pub(crate) async fn open_demo_shop(
        &self,
        session: &Session,
        seed: u64,
    ) -> Result<DemoShop, AppError> {
        let currency = session.workspace.default_currency.clone();
        let unit = Currency::parse(&currency).map_err(AppError::Internal)?;
        let ctx = session.validation(self, Entity::Product).await?;
        let mut products = Vec::with_capacity(CATALOGUE.len());
        let mut records = Vec::with_capacity(CATALOGUE.len());
        for (n, (category, brand, name, dollars)) in CATALOGUE.iter().enumerate() {
            let price = Money {
                minor: dollars * per_dollar(&currency) * 10i64.pow(unit.decimals()),
                currency: unit,
            }
            .to_decimal();
            let input = ProductInput {
                name: Some((*name).to_owned()),
                sku: Some(format!("DEMO-{seed}-{n:02}")),
                kind: Some(
                    if *category == "Services" {
                        "service"
                    } else {
                        "product"
                    }
                    .to_owned(),
                ),
                category: Some((*category).to_owned()),
                brand: Some((*brand).to_owned()),
                prices: vec![Price {
                    currency: currency.clone(),
                    amount: price.clone(),
                }],
                ..ProductInput::default()
            };
            let record = self.prepare_new::<Product>(session, &ctx, input).await?;
            products.push((ProductId(record.id), price));
            records.push(record);
        }
        self.store
            .insert_records(RecordKind::Product, &session.viewer, records)
            .await?;
        Ok(DemoShop {
            products,
            currency,
            seed,
            orders_made: 0,
        })
    }

    /// `count` demo orders from `shop`, spread over `customers`, validated and ready for the store.
    pub(crate) async fn demo_orders(
        &self,
        session: &Session,
        shop: &mut DemoShop,
        rng: &mut StdRng,
        customers: &[ContactId],
        count: usize,
    ) -> Result<Vec<NewRecord>, AppError> {
        let ctx = session.validation(self, Entity::Order).await?;
        let now = temas_core::time::now();
        let mut records = Vec::with_capacity(count);
        for _ in 0..count {
            let input = shop.order(rng, customers, now);
            records.push(self.prepare_new::<Order>(session, &ctx, input).await?);
        }
        Ok(records)
    }
}

impl DemoShop {
    /// The next order: two or three catalogue lines, ordered in the last two years; most are paid, some invoiced,
    /// one in ten a quote, and a few paid ones had an item sent back. Six contacts in ten buy, and the earlier of
    /// them in `customers` buy far more often than the later ones.
    fn order(
        &mut self,
        rng: &mut StdRng,
        customers: &[ContactId],
        now: DateTime<Utc>,
    ) -> OrderInput {
        let buyers = (customers.len() * 6).div_ceil(10).max(1);
        let skewed: f64 = rng.random::<f64>().powi(2);
        let customer = customers
            .get((skewed * buyers as f64) as usize)
            .or(customers.first())
            .copied();
        let mut lines: Vec<OrderLineInput> = (0..rng.random_range(2..4))
            .map(|_| {
                let (product, price) = &self.products[rng.random_range(0..self.products.len())];
                OrderLineInput {
                    product_id: Some(*product),
                    quantity: Some(json!(rng.random_range(1..4))),
                    unit_price: Some(price.clone()),
                    ..OrderLineInput::default()
                }
            })
            .collect();
        let status = match rng.random_range(0..20) {
            0 | 1 => "quote",
            2 => "invoiced",
            _ => "paid",
        };
        if status == "paid" && rng.random_range(0..50) == 0 {
            lines[0].returned_quantity = Some(json!(1));
            lines[0].return_reason = Some("Damaged on delivery".into());
        }
        self.orders_made += 1;
        OrderInput {
            contact_id: customer,
            currency: Some(self.currency.clone()),
            status: Some(status.into()),
            external_id: Some(format!("demo-{}-{:010}", self.seed, self.orders_made)),
            channel: Some(["shop", "pos", "phone", "partner"][rng.random_range(0..4)].into()),
            ordered_at: Some(now - Duration::minutes(rng.random_range(0..1_051_200))),
            lines,
            ..OrderInput::default()
        }
    }
}
