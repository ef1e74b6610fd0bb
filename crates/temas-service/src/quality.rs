//! The data quality report: for the contacts the user sees, how complete each field is, which emails and phones
//! cannot be used, and how many contacts nobody has touched in a while — counted in one pass over the base.

use crate::{App, AppError, Session};
use serde::Serialize;
use temas_core::custom::Entity;
use temas_core::filter::{CONTACT_COLUMNS, Filter, parse_filter};
use temas_core::quality::{CheckKind, contact_checks, percent};
use temas_store::RecordKind;

/// One line of the report.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QualityLine {
    /// The field (`first_name`, `email`, `custom.tier`) or the problem (`no_email_or_phone`, `invalid_phone`,
    /// `opted_out_email`, `opted_out_phone`, `stale`).
    pub check: String,
    pub count: u64,
    /// Of all contacts, rounded down.
    pub percent: u64,
    /// The list filter that shows these contacts (`GET /api/v1/contacts?filter=…`, one per `; `-separated part).
    pub filter: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QualityReport {
    /// Live contacts the user sees.
    pub contacts: u64,
    /// Contacts not updated since this day count as stale.
    pub stale_before: chrono::NaiveDate,
    /// How many contacts have each field filled.
    pub fields: Vec<QualityLine>,
    /// How many contacts have each problem.
    pub problems: Vec<QualityLine>,
}

impl App {
    /// The report over the contacts the session sees; `stale_months` (1 to 120) sets when a contact is stale.
    pub async fn data_quality(
        &self,
        session: &Session,
        stale_months: u32,
    ) -> Result<QualityReport, AppError> {
        if !(1..=120).contains(&stale_months) {
            return Err(temas_core::FieldErrors::single(
                "stale_months",
                "out_of_range",
                "between 1 and 120",
            )
            .into());
        }
        let today = temas_core::time::now().date_naive();
        let stale_before = today
            .checked_sub_months(chrono::Months::new(stale_months))
            .unwrap_or(today);
        let custom: Vec<String> = self
            .store
            .custom_fields(session.workspace.id)
            .await?
            .into_iter()
            .filter(|d| d.entity == Entity::Contact && !d.retired)
            .map(|d| d.key)
            .collect();
        let checks = contact_checks(&custom, stale_before);
        let sets = checks
            .iter()
            .map(|c| {
                c.filter
                    .split("; ")
                    .map(|part| parse_filter(part, CONTACT_COLUMNS, true, session.region()))
                    .collect::<Result<Vec<Filter>, _>>()
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (total, counts) = self
            .store
            .count_matching(RecordKind::Contact, &session.viewer, &sets)
            .await?;
        let mut report = QualityReport {
            contacts: total,
            stale_before,
            fields: Vec::new(),
            problems: Vec::new(),
        };
        for (check, count) in checks.into_iter().zip(counts) {
            let line = QualityLine {
                check: check.id,
                count,
                percent: percent(count, total),
                filter: check.filter,
            };
            match check.kind {
                CheckKind::Filled => report.fields.push(line),
                CheckKind::Problem => report.problems.push(line),
            }
        }
        Ok(report)
    }
}
