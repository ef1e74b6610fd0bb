//! XLSX and ODS workbooks through calamine. A sheet is read whole (a workbook sheet holds at most about a million
//! rows), then handed out row by row like a delimited file.

use crate::{Format, ReadError, Row, Table};
use calamine::{Data, Reader, Sheets, open_workbook_auto_from_rs};
use std::io::Cursor;

type Book = Sheets<Cursor<Vec<u8>>>;

fn failure(name: &str, reason: String) -> ReadError {
    ReadError {
        file: name.to_owned(),
        row: 0,
        column: None,
        reason,
    }
}

fn book(name: &str, bytes: Vec<u8>) -> Result<Book, ReadError> {
    open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| failure(name, format!("not a readable XLSX or ODS workbook: {e}")))
}

fn kind(book: &Book) -> &'static str {
    match book {
        Sheets::Ods(_) => "ODS",
        Sheets::Xls(_) => "XLS",
        Sheets::Xlsb(_) => "XLSB",
        Sheets::Xlsx(_) => "XLSX",
    }
}

pub(crate) fn sheet_names(name: &str, bytes: Vec<u8>) -> Result<Vec<String>, ReadError> {
    guarded(name, || Ok(book(name, bytes)?.sheet_names()))
}

/// A cell as text: numbers without a needless `.0`, dates as ISO 8601, booleans as `true`/`false`.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(at) if at.time() == chrono::NaiveTime::MIN => at.date().to_string(),
            Some(at) => at.format("%Y-%m-%dT%H:%M:%S").to_string(),
            None => d.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => return Err(format!("the cell holds the spreadsheet error {e}")),
    })
}

/// Runs a calamine call, turning a panic inside it into an error: damaged workbooks can make calamine index out
/// of bounds (found by the fuzz tests), and a bad upload must not take the server down.
fn guarded<T>(name: &str, read: impl FnOnce() -> Result<T, ReadError>) -> Result<T, ReadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(read))
        .unwrap_or_else(|_| Err(failure(name, "the workbook is damaged".into())))
}

pub(crate) fn open(name: &str, bytes: Vec<u8>, sheet: Option<&str>) -> Result<Table, ReadError> {
    guarded(name, || read_sheet(name, bytes, sheet))
}

fn read_sheet(name: &str, bytes: Vec<u8>, sheet: Option<&str>) -> Result<Table, ReadError> {
    let mut book = book(name, bytes)?;
    let names = book.sheet_names();
    let chosen = match sheet {
        None => names.first().cloned(),
        Some(wanted) => names
            .iter()
            .find(|n| n.as_str() == wanted)
            .cloned()
            .or_else(|| {
                wanted
                    .parse::<usize>()
                    .ok()
                    .and_then(|i| i.checked_sub(1))
                    .and_then(|i| names.get(i).cloned())
            }),
    }
    .ok_or_else(|| {
        failure(
            name,
            format!(
                "no sheet {}; the workbook has {}",
                sheet.unwrap_or("at all"),
                names.join(", ")
            ),
        )
    })?;
    let range = book
        .worksheet_range(&chosen)
        .map_err(|e| failure(name, format!("sheet \"{chosen}\": {e}")))?;
    // Row numbers as the spreadsheet shows them, even when the used range starts lower than row 1.
    let first_row = u64::from(range.start().map_or(0, |(r, _)| r)) + 1;
    let mut rows = range.rows();
    let headers: Vec<String> = match rows.next() {
        None => return Err(failure(name, format!("sheet \"{chosen}\" is empty"))),
        Some(cells) => cells
            .iter()
            .enumerate()
            .map(|(i, c)| match cell_text(c).unwrap_or_default().trim() {
                "" => format!("column {}", i + 1),
                named => named.to_owned(),
            })
            .collect(),
    };
    let file = name.to_owned();
    let mut out = Vec::with_capacity(range.height());
    for (offset, cells) in rows.enumerate() {
        let number = first_row + 1 + offset as u64;
        let texts: Result<Vec<String>, ReadError> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                cell_text(c).map_err(|reason| ReadError {
                    file: file.clone(),
                    row: number,
                    column: Some(i + 1),
                    reason,
                })
            })
            .collect();
        out.push(texts.map(|cells| Row { number, cells }));
    }
    Ok(Table {
        headers,
        format: Format::Workbook {
            kind: kind(&book),
            sheet: chosen,
        },
        rows: Box::new(out.into_iter()),
    })
}
