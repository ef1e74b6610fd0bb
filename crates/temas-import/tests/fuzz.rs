//! Property-based fuzzing of every reader path: arbitrary bytes, as delimited text or as a damaged workbook, are
//! read to rows or to errors, never to a panic, and every row has one cell per header.

use proptest::prelude::*;

fn read_everything(name: &str, bytes: Vec<u8>) {
    if let Ok(table) = temas_import::from_bytes(name, bytes, None) {
        let width = table.headers.len();
        for row in table.flatten() {
            assert_eq!(row.cells.len(), width);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn any_bytes_as_delimited_text(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        read_everything("fuzz.csv", bytes);
    }

    #[test]
    fn text_with_quotes_and_delimiters(text in "[a-zé,;|\t\"\r\n ۱ي]{0,400}") {
        read_everything("fuzz.csv", text.into_bytes());
    }

    #[test]
    fn a_workbook_with_bytes_flipped(flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8)) {
        let mut bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/contacts.xlsx")).unwrap_or_default();
        for (at, value) in flips {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] = value;
            }
        }
        read_everything("fuzz.xlsx", bytes);
    }
}
