//! Exports: contacts as spreadsheet rows whose headers the importer reads back, and as vCard 4.0 (RFC 6350).

use crate::contact::Contact;
use crate::import::spreadsheet_safe;

/// The plain fields exported, in order, each under its own name as header.
const PLAIN: &[&str] = &[
    "external_id",
    "first_name",
    "middle_name",
    "last_name",
    "display_name",
    "salutation",
    "gender",
    "birth_date",
    "job_title",
    "language",
    "time_zone",
    "source",
];

/// The header of a contacts sheet: plain fields, as many email and phone columns as the most any contact has,
/// company, address parts, tags, notes, then the custom fields (`custom:KEY`), then the record's id and times.
pub fn contact_headers(emails: usize, phones: usize, custom_keys: &[String]) -> Vec<String> {
    let mut h: Vec<String> = PLAIN.iter().map(|s| (*s).to_owned()).collect();
    for i in 0..emails.max(1) {
        h.push(numbered("email", i));
    }
    for i in 0..phones.max(1) {
        h.push(numbered("phone", i));
    }
    for name in [
        "company",
        "street",
        "city",
        "region",
        "postal_code",
        "country",
        "tags",
        "notes",
    ] {
        h.push(name.to_owned());
    }
    h.extend(custom_keys.iter().map(|k| format!("custom:{k}")));
    h.extend(["id", "created_at", "updated_at"].map(str::to_owned));
    h
}

fn numbered(name: &str, i: usize) -> String {
    if i == 0 {
        name.to_owned()
    } else {
        format!("{name} {}", i + 1)
    }
}

/// A contact as cells under [`contact_headers`], every cell made safe against formula injection.
pub fn contact_cells(
    c: &Contact,
    emails: usize,
    phones: usize,
    custom_keys: &[String],
    company: &str,
) -> Vec<String> {
    let d = &c.data;
    let data = serde_json::to_value(d).unwrap_or_default();
    let mut cells: Vec<String> = PLAIN
        .iter()
        .map(|k| match data.get(*k) {
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => String::new(),
        })
        .collect();
    for i in 0..emails.max(1) {
        cells.push(
            d.points
                .emails
                .get(i)
                .map(|e| e.address.clone())
                .unwrap_or_default(),
        );
    }
    for i in 0..phones.max(1) {
        // E.164 reads the same in every country; what was typed is on the card.
        cells.push(
            d.points
                .phones
                .get(i)
                .map(|p| p.e164.clone())
                .unwrap_or_default(),
        );
    }
    let address = d.points.addresses.first();
    let part = |f: fn(&crate::points::Address) -> &Option<String>| {
        address.and_then(|a| f(a).clone()).unwrap_or_default()
    };
    cells.push(company.to_owned());
    cells.push(part(|a| &a.street));
    cells.push(part(|a| &a.city));
    cells.push(part(|a| &a.region));
    cells.push(part(|a| &a.postal_code));
    cells.push(part(|a| &a.country));
    cells.push(d.tags.join(", "));
    cells.push(d.notes.clone().unwrap_or_default());
    for key in custom_keys {
        cells.push(match d.custom.get(key) {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(", "),
            Some(other) => other.to_string(),
        });
    }
    cells.push(c.id.0.to_string());
    cells.push(c.meta.created_at.to_rfc3339());
    cells.push(c.meta.updated_at.to_rfc3339());
    cells
        .into_iter()
        .map(|cell| spreadsheet_safe(&cell).into_owned())
        .collect()
}

/// Escapes a vCard text value (RFC 6350 §3.4).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ',' => out.push_str("\\,"),
            ';' => out.push_str("\\;"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a character (RFC 6350 §3.2).
fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3);
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
    out
}

/// A contact as a vCard 4.0, with the names of the companies it works for.
pub fn vcard(c: &Contact, companies: &[String]) -> String {
    let d = &c.data;
    let opt = |v: &Option<String>| escape(v.as_deref().unwrap_or_default());
    let mut lines = vec![
        "BEGIN:VCARD".to_owned(),
        "VERSION:4.0".to_owned(),
        format!("UID:urn:uuid:{}", c.id.0),
        format!("FN:{}", escape(&d.display_name)),
        format!(
            "N:{};{};{};{};",
            opt(&d.last_name),
            opt(&d.first_name),
            opt(&d.middle_name),
            opt(&d.salutation)
        ),
    ];
    for e in &d.points.emails {
        let pref = if e.primary { ";PREF=1" } else { "" };
        lines.push(format!(
            "EMAIL;TYPE={}{pref}:{}",
            escape(&e.kind),
            escape(&e.address)
        ));
    }
    for p in &d.points.phones {
        let kind = match p.kind.as_str() {
            "mobile" => "cell",
            "fax" => "fax",
            "home" => "home,voice",
            "work" => "work,voice",
            _ => "voice",
        };
        let pref = if p.primary { ";PREF=1" } else { "" };
        lines.push(format!(
            "TEL;VALUE=uri;TYPE=\"{kind}\"{pref}:tel:{}",
            p.e164
        ));
    }
    for a in &d.points.addresses {
        lines.push(format!(
            "ADR;TYPE={}:;;{};{};{};{};{}",
            escape(&a.kind),
            opt(&a.street),
            opt(&a.city),
            opt(&a.region),
            opt(&a.postal_code),
            opt(&a.country)
        ));
    }
    for h in &d.points.handles {
        lines.push(format!(
            "IMPP:{}:{}",
            escape(&h.network.to_lowercase()),
            escape(&h.value)
        ));
    }
    for company in companies {
        lines.push(format!("ORG:{}", escape(company)));
    }
    if let Some(title) = &d.job_title {
        lines.push(format!("TITLE:{}", escape(title)));
    }
    if let Some(b) = &d.birth_date {
        lines.push(format!("BDAY:{}", b.format("%Y%m%d")));
    }
    if let Some(g) = &d.gender {
        let sex = match g.as_str() {
            "female" => "F",
            "male" => "M",
            "other" => "O",
            _ => "U",
        };
        lines.push(format!("GENDER:{sex}"));
    }
    if let Some(lang) = &d.language {
        lines.push(format!("LANG:{}", escape(lang)));
    }
    if !d.tags.is_empty() {
        let tags: Vec<String> = d.tags.iter().map(|t| escape(t)).collect();
        lines.push(format!("CATEGORIES:{}", tags.join(",")));
    }
    if let Some(n) = &d.notes {
        lines.push(format!("NOTE:{}", escape(n)));
    }
    lines.push(format!(
        "REV:{}",
        c.meta.updated_at.format("%Y%m%dT%H%M%SZ")
    ));
    lines.push("END:VCARD".to_owned());
    lines.iter().map(|l| fold(l)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contact::{ContactData, RecordMeta};
    use crate::points::{Email, Phone};

    fn karimi() -> Contact {
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-22T10:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        let mut data = ContactData {
            first_name: Some("یاسمین".into()),
            last_name: Some("کریمی".into()),
            display_name: "یاسمین کریمی".into(),
            job_title: Some("Head of purchasing; Tehran, Iran".into()),
            birth_date: chrono::NaiveDate::from_ymd_opt(1990, 3, 21),
            notes: Some("=HYPERLINK(\"http://evil\")".into()),
            tags: vec!["vip".into(), "expo, 2026".into()],
            ..ContactData::default()
        };
        data.points.emails.push(Email {
            address: "yasmin@example.ir".into(),
            normalized: "yasmin@example.ir".into(),
            kind: "work".into(),
            primary: true,
            opted_out: false,
        });
        data.points.phones.push(Phone {
            number: "0912 345 6789".into(),
            e164: "+989123456789".into(),
            kind: "mobile".into(),
            primary: true,
            opted_out: false,
            valid: true,
        });
        Contact {
            id: crate::ids::ContactId(uuid::Uuid::nil()),
            version: 1,
            data,
            meta: RecordMeta {
                team_id: None,
                created_by: None,
                updated_by: None,
                created_at: at,
                updated_at: at,
                deleted_at: None,
            },
            metrics: None,
        }
    }

    #[test]
    fn a_vcard_escapes_folds_and_uses_tel_uris() {
        let card = vcard(&karimi(), &["پارس، تهران".into()]);
        assert!(card.starts_with("BEGIN:VCARD\r\nVERSION:4.0\r\n"), "{card}");
        assert!(card.contains("N:کریمی;یاسمین;;;\r\n"));
        assert!(card.contains("TEL;VALUE=uri;TYPE=\"cell\";PREF=1:tel:+989123456789\r\n"));
        assert!(card.contains("TITLE:Head of purchasing\\; Tehran\\, Iran\r\n"));
        assert!(card.contains("CATEGORIES:vip,expo\\, 2026\r\n"));
        assert!(card.contains("BDAY:19900321\r\n"));
        assert!(card.ends_with("END:VCARD\r\n"));
        for line in card.split("\r\n") {
            assert!(line.len() <= 75, "{line}");
        }
    }

    #[test]
    fn spreadsheet_rows_follow_the_header_and_are_formula_safe() {
        let keys = vec!["tier".to_owned()];
        let headers = contact_headers(2, 1, &keys);
        let cells = contact_cells(&karimi(), 2, 1, &keys, "پارس");
        assert_eq!(headers.len(), cells.len());
        let cell = |name: &str| cells[headers.iter().position(|h| h == name).unwrap()].as_str();
        assert_eq!(cell("email"), "yasmin@example.ir");
        assert_eq!(cell("email 2"), "");
        assert_eq!(
            cell("phone"),
            "'+989123456789",
            "a leading + would start a formula"
        );
        assert_eq!(cell("company"), "پارس");
        assert_eq!(cell("notes"), "'=HYPERLINK(\"http://evil\")");
        assert_eq!(cell("birth_date"), "1990-03-21");
        assert_eq!(cell("custom:tier"), "");
        // The importer reads these headers back to the same fields.
        let targets =
            crate::import::suggest(&headers, &[], &[("tier".into(), "Tier".into())], None);
        let named: Vec<String> = targets.into_iter().map(String::from).collect();
        assert_eq!(
            &named[..5],
            [
                "external_id",
                "first_name",
                "middle_name",
                "last_name",
                "display_name"
            ]
        );
        assert!(named.contains(&"custom:tier".to_owned()));
    }
}
