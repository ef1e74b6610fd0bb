//! Delimited text: the encoding and the delimiter are detected from the first 64 KiB, then the file is decoded to
//! UTF-8 and parsed as it streams (quoted fields may hold delimiters, quotes and line breaks).

use crate::{Format, ReadError, Row, Table};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use std::io::{Cursor, Read};

/// How much of the file the detection looks at.
const SAMPLE_BYTES: usize = 64 * 1024;
/// How many lines the delimiter detection compares.
const SAMPLE_LINES: usize = 50;
const DELIMITERS: [char; 4] = [',', ';', '\t', '|'];

pub(crate) fn open(name: &str, mut input: Box<dyn Read + Send>) -> Result<Table, ReadError> {
    let fail = |reason: String| ReadError {
        file: name.to_owned(),
        row: 0,
        column: None,
        reason,
    };
    let mut sample = Vec::with_capacity(SAMPLE_BYTES);
    (&mut input)
        .take(SAMPLE_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(|e| fail(e.to_string()))?;
    let at_end = sample.len() < SAMPLE_BYTES;
    let encoding = detect_encoding(&sample, at_end);
    let (text, _, _) = encoding.decode(&sample);
    let delimiter = detect_delimiter(&text);
    let whole = Cursor::new(sample).chain(input);
    let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(true)
        .build(whole);
    let mut records = csv::ReaderBuilder::new()
        .delimiter(delimiter as u8)
        .has_headers(false)
        .flexible(true)
        .from_reader(decoded)
        .into_records();
    let file = name.to_owned();
    let headers: Vec<String> = match records.next() {
        None => return Err(fail("the file is empty".into())),
        Some(Err(e)) => return Err(fail(e.to_string())),
        Some(Ok(header)) => header
            .iter()
            .enumerate()
            .map(|(i, h)| match h.trim() {
                "" => format!("column {}", i + 1),
                named => named.to_owned(),
            })
            .collect(),
    };
    if let Some(i) = headers.iter().position(|h| h.contains('\u{FFFD}')) {
        return Err(ReadError {
            file,
            row: 1,
            column: Some(i + 1),
            reason: format!("bytes that are not valid {}", encoding.name()),
        });
    }
    let width = headers.len();
    let encoding_name = encoding.name();
    let mut number = 1u64;
    let rows = records.map(move |record| {
        number += 1;
        let bad = |column: Option<usize>, reason: String| ReadError {
            file: file.clone(),
            row: number,
            column,
            reason,
        };
        let record = record.map_err(|e| bad(None, e.to_string()))?;
        let mut cells: Vec<String> = record.iter().map(str::to_owned).collect();
        // Trailing empty cells beyond the header are what some programs write; anything else is a shifted row.
        while cells.len() > width && cells.last().is_some_and(|c| c.trim().is_empty()) {
            cells.pop();
        }
        if cells.len() > width {
            return Err(bad(
                None,
                format!(
                    "{} cells where the header has {width}; a delimiter inside an unquoted value?",
                    cells.len()
                ),
            ));
        }
        cells.resize(width, String::new());
        if let Some(i) = cells.iter().position(|c| c.contains('\u{FFFD}')) {
            return Err(bad(
                Some(i + 1),
                format!("bytes that are not valid {encoding_name}"),
            ));
        }
        Ok(Row { number, cells })
    });
    Ok(Table {
        headers,
        format: Format::Delimited {
            encoding: encoding_name,
            delimiter,
        },
        rows: Box::new(rows),
    })
}

/// The encoding of a text file from its first bytes: a byte-order mark; UTF-16 without one (a zero byte in every
/// other position); UTF-8 when the bytes are valid UTF-8; otherwise the legacy encoding the bytes look most like
/// (Windows-1256 for Persian and Arabic, 1251 for Russian, 1254 for Turkish, …).
pub(crate) fn detect_encoding(sample: &[u8], at_end: bool) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(sample) {
        return encoding;
    }
    let pairs = sample.len() / 2;
    if pairs >= 2 {
        let zero_odd = sample
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|b| **b == 0)
            .count();
        let zero_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
        if zero_odd * 10 >= pairs * 3 && zero_even * 10 < pairs {
            return UTF_16LE;
        }
        if zero_even * 10 >= pairs * 3 && zero_odd * 10 < pairs {
            return UTF_16BE;
        }
    }
    match std::str::from_utf8(sample) {
        Ok(_) => return UTF_8,
        // Cut in the middle of a character at the sample's end: still UTF-8.
        Err(e) if e.error_len().is_none() && !at_end => return UTF_8,
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(sample, at_end);
    detector.guess(None, false)
}

/// The delimiter that splits the first lines into the same number of fields most consistently.
pub(crate) fn detect_delimiter(text: &str) -> char {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(SAMPLE_LINES)
        .collect();
    let mut best = (',', 0usize, 0usize);
    for d in DELIMITERS {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d)).collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        if first == 0 {
            continue;
        }
        let agreeing = counts.iter().filter(|c| **c == first).count();
        if (agreeing, first) > (best.1, best.2) {
            best = (d, agreeing, first);
        }
    }
    best.0
}

/// How many times `d` occurs in a line outside double quotes. A quoted field that spans lines makes the count of
/// its lines off, which only lowers that delimiter's agreement.
fn count_outside_quotes(line: &str, d: char) -> usize {
    let mut quoted = false;
    line.chars()
        .filter(|c| {
            if *c == '"' {
                quoted = !quoted;
            }
            *c == d && !quoted
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(bytes: Vec<u8>) -> (Table, Vec<Result<Row, ReadError>>) {
        let mut table = open("t.csv", Box::new(Cursor::new(bytes))).expect("opens");
        let rows: Vec<_> = table.by_ref().collect();
        (table, rows)
    }

    #[test]
    fn utf8_with_bom_and_semicolons_and_quoted_newlines() {
        let text = "\u{FEFF}Name;Email;Notes\r\nAli;ali@example.ir;\"first line\nsecond; still notes\"\r\nOlga;olga@example.ru;\r\n";
        let (table, rows) = read_all(text.as_bytes().to_vec());
        assert_eq!(table.headers, ["Name", "Email", "Notes"]);
        assert_eq!(
            table.format,
            Format::Delimited {
                encoding: "UTF-8",
                delimiter: ';'
            }
        );
        let rows: Vec<Row> = rows.into_iter().map(Result::unwrap).collect();
        assert_eq!(rows[0].cells[2], "first line\nsecond; still notes");
        assert_eq!(rows[1].number, 3);
        assert_eq!(rows[1].cells, ["Olga", "olga@example.ru", ""]);
    }

    #[test]
    fn windows_code_pages_are_detected() {
        for (text, expected) in [
            // Windows-1256 has the Arabic yeh (ي) where Persian uses its own (ی); files from Iran are written that way.
            (
                "نام,ايميل\nعلي کريمي,ali@example.ir\nمحمد رضايي,m@example.ir\nفاطمه حسيني,f@example.ir\n",
                "windows-1256",
            ),
            (
                "Имя,Почта\nОльга Иванова,olga@example.ru\nСергей Петров,s@example.ru\nАнна Смирнова,a@example.ru\n",
                "windows-1251",
            ),
            (
                "Ad,E-posta\nAyşe Yılmaz,ayse@example.tr\nMehmet Öztürk,m@example.tr\nŞükrü Çağlar,s@example.tr\n",
                "windows-1254",
            ),
        ] {
            let encoding = Encoding::for_label(expected.as_bytes()).unwrap();
            let (bytes, _, _) = encoding.encode(text);
            let (table, rows) = read_all(bytes.into_owned());
            assert_eq!(
                table.format,
                Format::Delimited {
                    encoding: encoding.name(),
                    delimiter: ','
                },
                "{expected}"
            );
            let first = rows[0].as_ref().unwrap();
            assert_eq!(
                first.cells[0],
                text.lines().nth(1).unwrap().split(',').next().unwrap()
            );
        }
    }

    #[test]
    fn utf16_tab_separated_as_excel_saves_unicode_text() {
        let text = "First name\tLast name\r\nYasmin\tKarimi\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let (table, rows) = read_all(bytes);
        assert_eq!(table.headers, ["First name", "Last name"]);
        assert_eq!(
            table.format,
            Format::Delimited {
                encoding: "UTF-16LE",
                delimiter: '\t'
            }
        );
        assert_eq!(rows[0].as_ref().unwrap().cells, ["Yasmin", "Karimi"]);
    }

    #[test]
    fn shifted_rows_are_errors_that_name_the_row_and_short_rows_are_padded() {
        let (_, rows) = read_all(b"a,b,c\n1,2,3,4\n5,6\n7,8,9,,\n".to_vec());
        let err = rows[0].as_ref().unwrap_err();
        assert_eq!((err.row, err.column), (2, None));
        assert!(
            err.to_string()
                .contains("row 2: 4 cells where the header has 3"),
            "{err}"
        );
        assert_eq!(rows[1].as_ref().unwrap().cells, ["5", "6", ""]);
        assert_eq!(rows[2].as_ref().unwrap().cells, ["7", "8", "9"]);
    }

    #[test]
    fn bytes_invalid_in_the_encoding_name_the_cell() {
        // The sample (the first 64 KiB) is valid UTF-8; a stray byte comes later.
        let mut bytes = b"name,city\n".to_vec();
        while bytes.len() < SAMPLE_BYTES + 100 {
            bytes.extend_from_slice("Ali,Tehran\n".as_bytes());
        }
        bytes.extend_from_slice(b"Reza,Sh\xFFraz\n");
        let (table, rows) = read_all(bytes);
        assert_eq!(
            table.format,
            Format::Delimited {
                encoding: "UTF-8",
                delimiter: ','
            }
        );
        let err = rows.last().unwrap().as_ref().unwrap_err();
        assert_eq!(err.column, Some(2));
        assert!(err.reason.contains("not valid UTF-8"), "{err}");
        assert!(rows[..rows.len() - 1].iter().all(Result::is_ok));
    }

    #[test]
    fn pipes_and_commas_inside_quotes_do_not_confuse_the_delimiter() {
        assert_eq!(detect_delimiter("a|b|c\n\"x, y\"|2|3\n"), '|');
        assert_eq!(
            detect_delimiter("name,notes\n\"Ali\",\"likes; tea\"\n"),
            ','
        );
        assert_eq!(detect_delimiter("only one column\nvalue\n"), ',');
    }
}
