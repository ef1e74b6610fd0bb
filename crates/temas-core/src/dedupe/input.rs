//! Engine input from stored contacts and companies.

use super::MatchInput;
use crate::contact::{CompanyData, ContactData};
use crate::points::ContactPoints;

impl MatchInput {
    /// A contact, with the name of its (first) company.
    pub fn from_contact(c: &ContactData, company: Option<&str>) -> MatchInput {
        let mut input = from_points(&c.points);
        input.given_name = c.first_name.clone().unwrap_or_default();
        input.family_name = c.last_name.clone().unwrap_or_default();
        if input.given_name.is_empty() && input.family_name.is_empty() {
            // A contact known only by its display name: its last word is the likeliest family name.
            let display = c.display_name.trim();
            match display.rsplit_once(' ') {
                Some((given, family)) => {
                    input.given_name = given.to_owned();
                    input.family_name = family.to_owned();
                }
                None => input.family_name = display.to_owned(),
            }
        }
        input.birth_date = c.birth_date.map(|d| d.to_string()).unwrap_or_default();
        input.organisation = company.unwrap_or_default().to_owned();
        input
    }

    pub fn from_company(c: &CompanyData) -> MatchInput {
        let mut input = from_points(&c.points);
        input.organisation = c.name.clone();
        input.domain = c.domain.clone().unwrap_or_default();
        input
    }
}

/// Emails, phones and the first postal address.
fn from_points(points: &ContactPoints) -> MatchInput {
    let address = points.addresses.first();
    let part = |f: fn(&crate::points::Address) -> &Option<String>| {
        address.and_then(|a| f(a).clone()).unwrap_or_default()
    };
    MatchInput {
        emails: points.emails.iter().map(|e| e.normalized.clone()).collect(),
        phones: points
            .phones
            .iter()
            .map(|p| {
                if p.e164.is_empty() {
                    p.number.clone()
                } else {
                    p.e164.clone()
                }
            })
            .collect(),
        street: part(|a| &a.street),
        city: part(|a| &a.city),
        postcode: part(|a| &a.postal_code),
        region: part(|a| &a.region),
        ..MatchInput::default()
    }
}
