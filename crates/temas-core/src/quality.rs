//! The checks of the data quality report: how complete each field of the contacts is, which emails and phones
//! cannot be used, which contacts nobody has touched in a while. Each check is a list filter, so that the report's
//! figures open as lists of the records behind them.

use chrono::NaiveDate;

/// Whether a check counts records that have something (completeness) or records that have a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    Filled,
    Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The field (`first_name`, `custom.tier`) or the problem (`invalid_phone`, `stale`).
    pub id: String,
    pub kind: CheckKind,
    /// Filters in the lists' syntax (`field:op:value`, several separated by `; `).
    pub filter: String,
}

/// Fields of a contact whose completeness the report shows, with the filter that finds them filled.
const FILLED: &[(&str, &str)] = &[
    ("first_name", "first_name:notempty"),
    ("last_name", "last_name:notempty"),
    ("email", "email:notempty"),
    ("phone", "phone:notempty"),
    ("company", "company_id:notempty"),
    ("job_title", "job_title:notempty"),
    ("birth_date", "birth_date:notempty"),
    ("gender", "gender:notempty"),
    ("language", "language:notempty"),
    ("source", "source:notempty"),
    ("tags", "tag:notempty"),
];

/// The checks for contacts: every field above and every custom field, then the problems; `stale_before` is the
/// day before which a contact not updated since counts as stale.
pub fn contact_checks(custom_keys: &[String], stale_before: NaiveDate) -> Vec<Check> {
    let filled = FILLED
        .iter()
        .map(|(id, filter)| ((*id).to_owned(), (*filter).to_owned()))
        .chain(
            custom_keys
                .iter()
                .map(|k| (format!("custom.{k}"), format!("custom.{k}:notempty"))),
        )
        .map(|(id, filter)| Check {
            id,
            kind: CheckKind::Filled,
            filter,
        });
    let problems = [
        ("no_email_or_phone", "email:empty; phone:empty".to_owned()),
        ("invalid_phone", "invalid_phone:notempty".to_owned()),
        ("opted_out_email", "opted_out_email:notempty".to_owned()),
        ("opted_out_phone", "opted_out_phone:notempty".to_owned()),
        ("stale", format!("updated_at:lt:{stale_before}")),
    ]
    .into_iter()
    .map(|(id, filter)| Check {
        id: id.to_owned(),
        kind: CheckKind::Problem,
        filter,
    });
    filled.chain(problems).collect()
}

/// `count` of `total` as a whole percentage, rounded down (so 100 means all of them).
pub fn percent(count: u64, total: u64) -> u64 {
    (count * 100).checked_div(total).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::{CONTACT_COLUMNS, parse_filter};
    use crate::phone::parse_region;

    #[test]
    fn every_check_is_a_filter_the_lists_accept() {
        let day = NaiveDate::from_ymd_opt(2025, 11, 22).unwrap_or_default();
        let checks = contact_checks(&["tier".to_owned()], day);
        assert!(checks.iter().any(|c| c.id == "custom.tier"));
        assert_eq!(
            checks.last().map(|c| c.filter.as_str()),
            Some("updated_at:lt:2025-11-22")
        );
        for c in checks {
            for part in c.filter.split("; ") {
                assert!(
                    parse_filter(part, CONTACT_COLUMNS, true, parse_region("IR")).is_ok(),
                    "{part}"
                );
            }
        }
    }

    #[test]
    fn percentages_round_down() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(2, 3), 66);
        assert_eq!(percent(999, 1000), 99);
        assert_eq!(percent(5, 5), 100);
    }
}
