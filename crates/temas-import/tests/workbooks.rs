//! Workbooks written by LibreOffice Calc: XLSX and ODS read to the same rows, dates and numbers as text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use temas_import::{Format, open, sheets};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn xlsx_ods_and_csv_read_the_same() {
    let expected_rows = vec![
        vec![
            "یاسمین",
            "کریمی",
            "yasmin@example.ir",
            "0912 345 6789",
            "1369/01/01",
            "12",
        ],
        vec![
            "Olga",
            "Ivanova",
            "olga@example.ru",
            "+7 912 345-67-89",
            "1990-03-21",
            "7.5",
        ],
    ];
    for (file, kind) in [
        ("contacts.xlsx", Some("XLSX")),
        ("contacts.ods", Some("ODS")),
        ("contacts.csv", None),
    ] {
        let mut table = open(&fixture(file), None).unwrap();
        assert_eq!(
            table.headers,
            [
                "نام",
                "نام خانوادگی",
                "ایمیل",
                "موبایل",
                "تاریخ تولد",
                "امتیاز"
            ],
            "{file}"
        );
        match (&table.format, kind) {
            (Format::Workbook { kind: k, sheet }, Some(expected)) => {
                assert_eq!(*k, expected);
                assert_eq!(sheet, "contacts");
            }
            (
                Format::Delimited {
                    encoding,
                    delimiter,
                },
                None,
            ) => {
                assert_eq!((*encoding, *delimiter), ("UTF-8", ','));
            }
            (other, _) => panic!("{file}: read as {other}"),
        }
        let rows: Vec<_> = table.by_ref().map(Result::unwrap).collect();
        let cells: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.cells.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(cells, expected_rows, "{file}");
        assert_eq!(
            rows[1].number, 3,
            "{file}: row numbers as the spreadsheet shows them"
        );
    }
}

#[test]
fn sheets_are_chosen_by_name_or_number_and_a_missing_one_is_named() {
    let path = fixture("contacts.xlsx");
    assert_eq!(sheets(&path).unwrap(), ["contacts"]);
    assert!(open(&path, Some("1")).is_ok());
    assert!(open(&path, Some("contacts")).is_ok());
    let err = open(&path, Some("Leads")).err().unwrap();
    assert!(
        err.to_string()
            .contains("no sheet Leads; the workbook has contacts"),
        "{err}"
    );
    assert!(sheets(&fixture("contacts.csv")).unwrap().is_empty());
}

#[test]
fn a_damaged_workbook_is_an_error_not_a_crash() {
    let bytes = std::fs::read(fixture("contacts.xlsx")).unwrap();
    let cut = bytes[..bytes.len() / 2].to_vec();
    let err = temas_import::from_bytes("cut.xlsx", cut, None)
        .err()
        .unwrap();
    assert_eq!(err.row, 0);
    assert!(err.to_string().starts_with("cut.xlsx: "), "{err}");
}
