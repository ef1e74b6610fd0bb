//! Pipelines and deals as records, and the forecast over the deals the session sees. A deal is validated against
//! the workspace's pipelines, so its stage is always one of its pipeline's.

use crate::records::{RecordType, searchable};
use crate::{App, AppError, Session};
use chrono::NaiveDate;
use temas_core::FieldErrors;
use temas_core::contact::{RecordMeta, ValidationContext};
use temas_core::custom::Entity;
use temas_core::deal::{Deal, DealData, DealInput};
use temas_core::filter::{ColumnKind, DEAL_COLUMNS, PIPELINE_COLUMNS};
use temas_core::forecast::{Forecast, Rates, forecast};
use temas_core::ids::{DealId, PipelineId, UserId};
use temas_core::money::Currency;
use temas_core::pipeline::{Pipeline, PipelineData, PipelineInput};
use temas_core::search::SearchKeys;
use temas_store::{Indexed, Links, RecordKind, Uuid};

/// Which deals a forecast covers.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ForecastQuery {
    /// Only this pipeline's deals.
    pub pipeline_id: Option<Uuid>,
    /// First month, `YYYY-MM`.
    pub from: Option<String>,
    /// Last month, `YYYY-MM`.
    pub to: Option<String>,
}

fn month(errors: &mut FieldErrors, field: &str, text: &Option<String>) -> Option<String> {
    let text = text.as_deref()?;
    match NaiveDate::parse_from_str(&format!("{text}-01"), "%Y-%m-%d") {
        Ok(d) => Some(d.format("%Y-%m").to_string()),
        Err(_) => {
            errors.add(field, "invalid_month", "a month as YYYY-MM, e.g. 2026-12");
            None
        }
    }
}

impl App {
    /// The workspace's pipelines, oldest first: what deals are validated against.
    pub async fn pipelines(
        &self,
        session: &Session,
    ) -> Result<Vec<(PipelineId, PipelineData)>, AppError> {
        let mut all = Vec::new();
        self.each_record_data::<Pipeline>(session, |page| {
            all.extend(page.into_iter().map(|(id, p)| (PipelineId(id), p)));
            Ok(())
        })
        .await?;
        Ok(all)
    }

    /// Open deals weighted by probability and won deals, by month and by owner, in the workspace's currency.
    pub async fn forecast(
        &self,
        session: &Session,
        query: &ForecastQuery,
    ) -> Result<Forecast, AppError> {
        let mut errors = FieldErrors::default();
        let from = month(&mut errors, "from", &query.from);
        let to = month(&mut errors, "to", &query.to);
        errors.into_result(())?;
        let months = match (from, to) {
            (None, None) => None,
            (from, to) => Some((
                from.unwrap_or_else(|| "0000-01".into()),
                to.unwrap_or_else(|| "9999-12".into()),
            )),
        };
        let rates = session.rates()?;
        let mut deals = Vec::new();
        let pipeline = query.pipeline_id.map(PipelineId);
        self.each_record_data::<Deal>(session, |page| {
            deals.extend(
                page.into_iter()
                    .map(|(_, d)| d)
                    .filter(|d| pipeline.is_none() || d.pipeline_id == pipeline),
            );
            Ok(())
        })
        .await?;
        let today = temas_core::time::now().date_naive();
        Ok(forecast(&deals, &rates, today, months))
    }
}

impl RecordType for Pipeline {
    type Input = PipelineInput;
    type Data = PipelineData;
    const KIND: RecordKind = RecordKind::Pipeline;
    const ENTITY: Entity = Entity::Pipeline;
    const COLUMNS: &'static [(&'static str, ColumnKind)] = PIPELINE_COLUMNS;

    fn validate(
        input: PipelineInput,
        ctx: &ValidationContext,
        _: Option<&PipelineData>,
    ) -> Result<PipelineData, FieldErrors> {
        input.validate(ctx)
    }
    fn to_input(data: &PipelineData) -> PipelineInput {
        data.to_input()
    }
    fn owner(data: &PipelineData) -> Option<UserId> {
        data.owner_id
    }
    fn set_owner(data: &mut PipelineData, owner: UserId) {
        data.owner_id = Some(owner);
    }
    fn index(data: &PipelineData) -> (Vec<String>, Indexed) {
        searchable(SearchKeys::default(), &[], &data.name, &data.external_id)
    }
    fn links(_: &PipelineData) -> Links {
        Links::default()
    }
    fn references(_: &PipelineData) -> Vec<(RecordKind, Vec<Uuid>, &'static str)> {
        Vec::new()
    }
    fn external_id(data: &PipelineData) -> Option<&str> {
        data.external_id.as_deref()
    }
    /// Pipelines shape everyone's deals: everyone sees them, owners, admins and managers change them.
    fn require_write(session: &Session) -> Result<(), AppError> {
        session.require_catalogue()
    }
    fn assemble(id: Uuid, version: i64, data: PipelineData, meta: RecordMeta) -> Self {
        Pipeline {
            id: PipelineId(id),
            version,
            data,
            meta,
        }
    }
}

impl RecordType for Deal {
    type Input = DealInput;
    type Data = DealData;
    const KIND: RecordKind = RecordKind::Deal;
    const ENTITY: Entity = Entity::Deal;
    const COLUMNS: &'static [(&'static str, ColumnKind)] = DEAL_COLUMNS;

    fn validate(
        input: DealInput,
        ctx: &ValidationContext,
        previous: Option<&DealData>,
    ) -> Result<DealData, FieldErrors> {
        input.validate(ctx, previous, temas_core::time::now())
    }
    fn to_input(data: &DealData) -> DealInput {
        data.to_input()
    }
    fn owner(data: &DealData) -> Option<UserId> {
        data.owner_id
    }
    fn set_owner(data: &mut DealData, owner: UserId) {
        data.owner_id = Some(owner);
    }
    fn index(data: &DealData) -> (Vec<String>, Indexed) {
        let (terms, indexed) =
            searchable(SearchKeys::default(), &[], &data.name, &data.external_id);
        let indexed = Indexed {
            company_id: data.company_id.map(|c| c.0),
            contact_id: data.contacts.first().map(|c| c.contact_id.0),
            ..indexed
        };
        (terms, indexed)
    }
    fn links(_: &DealData) -> Links {
        Links::default()
    }
    fn references(data: &DealData) -> Vec<(RecordKind, Vec<Uuid>, &'static str)> {
        vec![
            (
                RecordKind::Contact,
                data.contacts.iter().map(|c| c.contact_id.0).collect(),
                "contacts",
            ),
            (
                RecordKind::Company,
                data.company_id.iter().map(|c| c.0).collect(),
                "company_id",
            ),
            (
                RecordKind::Lead,
                data.lead_id.iter().map(|l| l.0).collect(),
                "lead_id",
            ),
        ]
    }
    fn external_id(data: &DealData) -> Option<&str> {
        data.external_id.as_deref()
    }
    fn assemble(id: Uuid, version: i64, data: DealData, meta: RecordMeta) -> Self {
        Deal {
            id: DealId(id),
            version,
            data,
            meta,
        }
    }
}

impl Session {
    /// What other currencies are worth in the workspace's, by the rates it keeps.
    pub fn rates(&self) -> Result<Rates, AppError> {
        let home = Currency::parse(&self.workspace.default_currency)
            .map_err(|e| AppError::Internal(format!("workspace currency: {e}")))?;
        Ok(Rates::new(home, &self.workspace.settings.currency_rates))
    }
}
