//! The CPU side of an import batch: each row mapped, validated, given its match keys and its search index. No I/O
//! and no state carried between rows, so a batch is prepared on a blocking thread, off the async runtime.

use super::MatchOn;
use crate::records::RecordType;
use serde_json::Value;
use temas_core::FieldErrors;
use temas_core::contact::{Contact, ContactData, ContactInput, ValidationContext};
use temas_core::import::{MappedRow, RowContext, RowInteraction, Target, map_row};
use temas_core::normalize::search_key;
use temas_core::phone::national_of_e164;
use temas_store::Indexed;

/// What every row of one import is read with; fixed for the whole run.
pub(super) struct RowRules {
    pub targets: Vec<Target>,
    pub headers: Vec<String>,
    pub row_context: RowContext,
    pub contact: ValidationContext,
    pub match_on: MatchOn,
}

/// A row after preparation.
pub(super) enum Prepared {
    /// The reader could not read it.
    Unreadable {
        row: u64,
        reason: String,
    },
    /// Its cells, or the contact they make, fail validation.
    Invalid {
        row: u64,
        errors: FieldErrors,
    },
    /// No name, email, phone or company.
    Empty {
        row: u64,
    },
    Valid(Box<ValidRow>),
}

/// A valid row, ready to be matched against the base and written.
pub(super) struct ValidRow {
    pub row: u64,
    pub input: ContactInput,
    pub data: ContactData,
    pub company: Option<String>,
    /// The company's name as companies are matched: normalised.
    pub company_key: Option<String>,
    pub keys: Vec<String>,
    pub interactions: Vec<RowInteraction>,
    /// The contact's search terms and indexed columns, should the row create one.
    pub index: (Vec<String>, Indexed),
}

pub(super) fn prepare(rows: Vec<super::SourceRow>, rules: &RowRules) -> Vec<Prepared> {
    rows.into_iter()
        .map(|row| prepare_row(row, rules))
        .collect()
}

pub(super) fn prepare_row(row: super::SourceRow, rules: &RowRules) -> Prepared {
    match checked(row, rules) {
        Ok((row, mapped, data, keys)) => {
            let index = Contact::index(&data);
            Prepared::Valid(Box::new(ValidRow {
                row,
                company_key: mapped.company.as_deref().map(search_key),
                company: mapped.company,
                input: mapped.input,
                data,
                keys,
                interactions: mapped.interactions,
                index,
            }))
        }
        Err(failed) => failed,
    }
}

/// The match keys of a valid row, with its number: all that resuming needs of a row imported before.
pub(super) fn row_keys(row: super::SourceRow, rules: &RowRules) -> Option<(u64, Vec<String>)> {
    checked(row, rules)
        .ok()
        .map(|(row, _, _, keys)| (row, keys))
}

/// A row mapped, validated and given its match keys, or what it is instead.
fn checked(
    row: super::SourceRow,
    rules: &RowRules,
) -> Result<(u64, MappedRow, ContactData, Vec<String>), Prepared> {
    let (row, cells) = row.map_err(|(row, reason)| Prepared::Unreadable { row, reason })?;
    let mapped = map_row(&rules.targets, &rules.headers, &cells, &rules.row_context)
        .map_err(|errors| Prepared::Invalid { row, errors })?;
    if mapped.is_empty() {
        return Err(Prepared::Empty { row });
    }
    let data = Contact::validate(mapped.input.clone(), &rules.contact, None)
        .map_err(|errors| Prepared::Invalid { row, errors })?;
    let keys = match_keys(&rules.match_on, &mapped.input, &data);
    Ok((row, mapped, data, keys))
}

/// The keys a row is matched on (and checked for duplicates inside the file).
fn match_keys(match_on: &MatchOn, input: &ContactInput, data: &ContactData) -> Vec<String> {
    match match_on {
        MatchOn::Nothing => Vec::new(),
        MatchOn::ExternalId => input
            .external_id
            .iter()
            .map(|e| e.trim().to_owned())
            .collect(),
        MatchOn::Email => data
            .points
            .emails
            .iter()
            .map(|e| e.normalized.clone())
            .collect(),
        MatchOn::Phone => data
            .points
            .phones
            .iter()
            .map(|p| national_of_e164(&p.e164).to_owned())
            .collect(),
        MatchOn::Custom(key) => data
            .custom
            .get(key)
            .and_then(Value::as_str)
            .map(|v| vec![v.to_owned()])
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use temas_core::calendar::Calendar;
    use temas_core::import::DateOrder;

    fn rules(match_on: MatchOn) -> RowRules {
        RowRules {
            targets: vec![
                Target::Field("first_name"),
                Target::Email,
                Target::Phone("mobile"),
                Target::Company,
            ],
            headers: ["Name", "Email", "Mobile", "Company"]
                .map(String::from)
                .to_vec(),
            row_context: RowContext {
                region: temas_core::phone::parse_region("TR"),
                date_order: DateOrder::DayFirst,
                calendar: Calendar::Gregorian,
            },
            contact: ValidationContext {
                region: temas_core::phone::parse_region("TR"),
                ..ValidationContext::default()
            },
            match_on,
        }
    }

    fn row(number: u64, cells: [&str; 4]) -> super::super::SourceRow {
        Ok((number, cells.map(String::from).to_vec()))
    }

    #[test]
    fn each_row_comes_out_failed_empty_or_ready_with_its_keys_and_index() {
        let rows = vec![
            Err((2, "a quote is not closed".to_owned())),
            row(3, ["Ayşe", "not an email", "", ""]),
            row(4, ["", "", "", ""]),
            row(
                5,
                ["Ayşe", "AYSE@Example.COM", "0532 111 22 33", "Acme A.Ş."],
            ),
        ];
        let out = prepare(rows, &rules(MatchOn::Email));
        assert!(
            matches!(&out[0], Prepared::Unreadable { row: 2, reason } if reason.contains("quote"))
        );
        match &out[1] {
            Prepared::Invalid { row: 3, errors } => {
                assert!(
                    errors.0.iter().any(|e| e.field.starts_with("emails")),
                    "{errors:?}"
                )
            }
            _ => panic!("row 3 should be invalid"),
        }
        assert!(matches!(out[2], Prepared::Empty { row: 4 }));
        let Prepared::Valid(ready) = &out[3] else {
            panic!("row 5 should be valid");
        };
        assert_eq!(ready.keys, vec!["ayse@example.com".to_owned()]);
        assert_eq!(ready.company.as_deref(), Some("Acme A.Ş."));
        assert_eq!(
            ready.company_key.as_deref(),
            Some(search_key("Acme A.Ş.").as_str())
        );
        let (terms, indexed) = &ready.index;
        assert!(terms.contains(&"ayse@example.com".to_owned()), "{terms:?}");
        assert_eq!(indexed.sort_name, search_key(&ready.data.display_name));
    }

    #[test]
    fn rows_matched_on_phone_carry_the_national_number() {
        let rows = vec![row(2, ["Ali", "", "+90 532 111 22 33", ""])];
        let out = prepare(rows, &rules(MatchOn::Phone));
        let Prepared::Valid(ready) = &out[0] else {
            panic!("the row should be valid");
        };
        assert_eq!(ready.keys, vec!["5321112233".to_owned()]);
    }
}
