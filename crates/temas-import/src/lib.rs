//! Spreadsheet readers for imports: CSV and TSV as Excel and other programs write them in Iran, the Arab world,
//! Russia, Turkey and elsewhere (UTF-8 with or without BOM, UTF-16, Windows code pages 1256, 1251, 1254 and the
//! like, detected), with the delimiter detected, and XLSX and ODS workbooks (any sheet). A table yields its header
//! and then its rows one at a time; CSV is streamed, so a file of any size reads in constant memory.
//!
//! Nothing is skipped silently: a row that cannot be read is an error naming the file, the row and, where known,
//! the column.

mod delimited;
mod workbook;

use std::path::Path;

/// Why a file, a row or a cell could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {}{reason}", place(*.row, *.column))]
pub struct ReadError {
    pub file: String,
    /// 1-based row of the file (the header is row 1); 0 when the file as a whole failed.
    pub row: u64,
    /// 1-based column, when one cell is at fault.
    pub column: Option<usize>,
    pub reason: String,
}

fn place(row: u64, column: Option<usize>) -> String {
    match (row, column) {
        (0, _) => String::new(),
        (r, None) => format!("row {r}: "),
        (r, Some(c)) => format!("row {r}, column {c}: "),
    }
}

/// One data row: where it is in the file and its cells as text, one per header column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: u64,
    pub cells: Vec<String>,
}

/// How a file was read, for the dry run to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    Delimited {
        encoding: &'static str,
        delimiter: char,
    },
    Workbook {
        kind: &'static str,
        sheet: String,
    },
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Format::Delimited {
                encoding,
                delimiter,
            } => {
                let shown = match delimiter {
                    '\t' => "tab".to_owned(),
                    c => format!("'{c}'"),
                };
                write!(f, "delimited text, {encoding}, separated by {shown}")
            }
            Format::Workbook { kind, sheet } => write!(f, "{kind} workbook, sheet \"{sheet}\""),
        }
    }
}

/// An open table: its header, how it was read, and its rows.
pub struct Table {
    pub headers: Vec<String>,
    pub format: Format,
    rows: Box<dyn Iterator<Item = Result<Row, ReadError>> + Send>,
}

impl Iterator for Table {
    type Item = Result<Row, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.rows.next()
    }
}

/// What kind of file a name and its first bytes say this is.
fn is_workbook(name: &str, head: &[u8]) -> bool {
    let lower = name.to_lowercase();
    // XLSX and ODS are zip archives; the extension is not trusted on its own.
    head.starts_with(b"PK\x03\x04")
        || lower.ends_with(".xlsx")
        || lower.ends_with(".xlsm")
        || lower.ends_with(".ods")
}

/// Opens a file; `sheet` picks a workbook's sheet by name or 1-based number (the first by default).
pub fn open(path: &Path, sheet: Option<&str>) -> Result<Table, ReadError> {
    let name = path.display().to_string();
    let fail = |reason: String| ReadError {
        file: name.clone(),
        row: 0,
        column: None,
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut head = [0u8; 4];
    let n = std::io::Read::read(&mut &file, &mut head).map_err(|e| fail(e.to_string()))?;
    if is_workbook(&name, &head[..n]) {
        let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        return workbook::open(&name, bytes, sheet);
    }
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    delimited::open(&name, Box::new(file))
}

/// Reads an uploaded file held in memory.
pub fn from_bytes(name: &str, bytes: Vec<u8>, sheet: Option<&str>) -> Result<Table, ReadError> {
    if is_workbook(name, &bytes) {
        return workbook::open(name, bytes, sheet);
    }
    delimited::open(name, Box::new(std::io::Cursor::new(bytes)))
}

/// The sheets of a workbook, in order; a delimited file has none.
pub fn sheets(path: &Path) -> Result<Vec<String>, ReadError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| ReadError {
        file: name.clone(),
        row: 0,
        column: None,
        reason: e.to_string(),
    })?;
    if !is_workbook(&name, &bytes) {
        return Ok(Vec::new());
    }
    workbook::sheet_names(&name, bytes)
}
