//! Sales demo data for the demo workspace: a pipeline, deals in every stage (some won, some lost), leads from
//! several sources, customers' orders with a return, exchange rates and today's tasks — so that the board, the
//! forecast, "my day" and the customer card show something on first start.

use crate::records::{ListParams, RecordType};
use crate::{App, AppError, Session};
use chrono::Duration;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use temas_core::contact::Contact;
use temas_core::deal::Deal;
use temas_core::lead::Lead;
use temas_core::order::Order;
use temas_core::pipeline::Pipeline;
use temas_core::task::Task;
use temas_store::{NewRecord, RecordKind};

impl App {
    /// Adds the sales demo data to the session's workspace, around its first contacts.
    pub async fn generate_demo_sales(&self, session: &Session, seed: u64) -> Result<(), AppError> {
        let mut rng = StdRng::seed_from_u64(seed);
        let pipeline = self
            .create_from::<Pipeline>(
                session,
                json!({"name": "Sales", "stages": [
                    {"name": "Qualified", "probability": 10},
                    {"name": "Needs analysis", "probability": 25},
                    {"name": "Proposal", "probability": 50, "stuck_after_days": 21},
                    {"name": "Negotiation", "probability": 75, "stuck_after_days": 14}]}),
            )
            .await?;
        let stages = ["qualified", "needs_analysis", "proposal", "negotiation"];
        let contacts = self
            .list::<Contact>(
                session,
                &ListParams {
                    sort: Some("created_at".into()),
                    limit: Some(200),
                    ..ListParams::default()
                },
            )
            .await?
            .items;
        let currency = session.workspace.default_currency.clone();
        let now = temas_core::time::now();
        let mut records: Vec<(RecordKind, NewRecord)> = Vec::new();
        for (i, c) in contacts.iter().enumerate() {
            if i % 6 == 0 {
                let status = match i % 5 {
                    0 => "won",
                    1 => "lost",
                    _ => "open",
                };
                let amount = rng.random_range(50..2_000) * 1_000_000;
                let stage = stages[i % stages.len()];
                let what = ["licences", "renewal", "service contract", "fleet"][i % 4];
                let input = json!({
                    "name": format!("{} — {what}", c.data.display_name),
                    "pipeline_id": pipeline,
                    "stage": stage,
                    "status": status,
                    "close_reason": (status == "lost").then_some("Chose a cheaper supplier"),
                    "amount": amount.to_string(),
                    "currency": currency,
                    "expected_close": (now + Duration::days(rng.random_range(5..120))).date_naive(),
                    "contacts": [{"contact_id": c.id, "role": "decision_maker"}],
                    "company_id": c.data.companies.first().map(|l| l.company_id),
                });
                records.push((
                    RecordKind::Deal,
                    self.prepare_from::<Deal>(session, input).await?,
                ));
            }
            if i % 2 == 0 {
                for n in 0..rng.random_range(1..4) {
                    let lines: Vec<Value> = (0..rng.random_range(2..4))
                        .map(|_| {
                            let item = [
                                "Filter cartridge",
                                "Water heater",
                                "Installation",
                                "Service visit",
                            ][rng.random_range(0..4)];
                            json!({"description": item,
                                   "quantity": rng.random_range(1..4),
                                   "unit_price": (rng.random_range(5..300) * 100_000).to_string()})
                        })
                        .collect();
                    let status = ["paid", "invoiced", "paid"][n % 3];
                    let channel = ["shop", "pos", "phone"][i % 3];
                    let mut input = json!({
                        "contact_id": c.id, "currency": currency, "status": status,
                        "channel": channel, "external_id": format!("demo-{i}-{n}"),
                        "ordered_at": now - Duration::days(rng.random_range(1..500)), "lines": lines,
                    });
                    if i % 40 == 0 && n == 0 {
                        input["lines"][0]["returned_quantity"] = json!("1");
                        input["lines"][0]["return_reason"] = json!("Damaged on delivery");
                    }
                    records.push((
                        RecordKind::Order,
                        self.prepare_from::<Order>(session, input).await?,
                    ));
                }
            }
        }
        let names = [
            ("Reza", "Ahmadi", "web_form"),
            ("Layla", "Haddad", "event"),
            ("Ivan", "Petrov", "referral"),
            ("Elif", "Yılmaz", "campaign"),
            ("Nima", "Farahani", "phone"),
            ("Grace", "Miller", "partner"),
        ];
        for (i, (first, last, source)) in names.iter().enumerate() {
            let input = json!({"first_name": first, "last_name": last, "source": source,
                               "company_name": format!("{last} Trading"), "email": format!("{}.{}@example.com", first.to_lowercase(), i)});
            records.push((
                RecordKind::Lead,
                self.prepare_from::<Lead>(session, input).await?,
            ));
        }
        for (i, c) in contacts.iter().take(3).enumerate() {
            let input = json!({"title": format!("Call {}", c.data.display_name), "kind": "call",
                               "due_at": now + Duration::hours(i as i64), "related": {"kind": "contact", "id": c.id}});
            records.push((
                RecordKind::Task,
                self.prepare_from::<Task>(session, input).await?,
            ));
        }
        for (kind, record) in records {
            self.store
                .insert_records(kind, &session.viewer, vec![record])
                .await?;
        }
        Ok(())
    }

    /// A demo record from its JSON form, validated, ready for the store.
    async fn prepare_from<R: RecordType>(
        &self,
        session: &Session,
        input: Value,
    ) -> Result<NewRecord, AppError> {
        let input: R::Input =
            serde_json::from_value(input).map_err(|e| AppError::Internal(e.to_string()))?;
        let ctx = session.validation(self, R::ENTITY).await?;
        self.prepare_new::<R>(session, &ctx, input).await
    }

    async fn create_from<R: RecordType>(
        &self,
        session: &Session,
        input: Value,
    ) -> Result<uuid::Uuid, AppError> {
        let record = self.prepare_from::<R>(session, input).await?;
        let id = record.id;
        self.store
            .insert_records(R::KIND, &session.viewer, vec![record])
            .await?;
        Ok(id)
    }
}
