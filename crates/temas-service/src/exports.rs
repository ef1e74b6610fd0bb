//! Contacts out of the base: every contact the user sees (or those a list's filters select, in its order) as
//! CSV (UTF-8 with a BOM for Excel, or a Windows code page), XLSX or vCard 4.0. The spreadsheets use the
//! importer's field names as headers, so an export imports back unchanged.

use crate::records::ListParams;
use crate::{App, AppError, Session};
use std::collections::HashMap;
use std::io::Write;
use temas_core::contact::{Company, Contact};
use temas_core::export::{contact_cells, contact_headers, vcard};
use temas_store::Uuid;

/// What to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// CSV in UTF-8 with a BOM, or in the given code page.
    Csv(Option<&'static encoding_rs::Encoding>),
    Xlsx,
    Vcf,
}

impl ExportFormat {
    /// `csv`, `xlsx` or `vcf`, with an encoding label (`windows-1256`, …) for CSV.
    pub fn parse(format: &str, encoding: Option<&str>) -> Result<Self, AppError> {
        let bad = |field: &str, message: String| -> AppError {
            temas_core::FieldErrors::single(field, "invalid", message).into()
        };
        match (format, encoding) {
            ("csv", None) => Ok(ExportFormat::Csv(None)),
            ("csv", Some(label)) => encoding_rs::Encoding::for_label(label.as_bytes())
                .map(|e| ExportFormat::Csv(Some(e).filter(|e| *e != encoding_rs::UTF_8)))
                .ok_or_else(|| bad("encoding", format!("{label}: unknown encoding"))),
            ("xlsx", _) => Ok(ExportFormat::Xlsx),
            ("vcf", _) => Ok(ExportFormat::Vcf),
            (other, _) => Err(bad("format", format!("{other}: use csv, xlsx or vcf"))),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv(_) => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Vcf => "vcf",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv(_) => "text/csv",
            ExportFormat::Xlsx => {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
            ExportFormat::Vcf => "text/vcard",
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportReport {
    pub contacts: u64,
    /// CSV cells with characters the chosen code page lacks, written as `?`.
    pub lossy_cells: usize,
}

fn failed(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("writing the export: {e}"))
}

/// Where an export goes: XLSX needs to seek (it writes the archive's directory last).
pub trait ExportSink: Write + std::io::Seek + Send {}
impl<T: Write + std::io::Seek + Send> ExportSink for T {}

impl App {
    /// Writes the contacts `params` select (filters and sort; the cursor is ignored) in `format`.
    pub async fn export_contacts(
        &self,
        session: &Session,
        params: &ListParams,
        format: ExportFormat,
        out: &mut dyn ExportSink,
    ) -> Result<ExportReport, AppError> {
        let companies = company_names(self, session).await?;
        let mut report = ExportReport::default();
        if format == ExportFormat::Vcf {
            self.each_page::<Contact>(session, params, |page| {
                for c in &page {
                    let names: Vec<String> = c
                        .data
                        .companies
                        .iter()
                        .filter_map(|l| companies.get(&l.company_id.0).cloned())
                        .collect();
                    out.write_all(vcard(c, &names).as_bytes()).map_err(failed)?;
                    report.contacts += 1;
                }
                Ok(())
            })
            .await?;
            out.flush().map_err(failed)?;
            return Ok(report);
        }
        // A first pass finds how many email and phone columns the sheet needs, so that none is dropped.
        let (mut emails, mut phones) = (1, 1);
        self.each_page::<Contact>(session, params, |page| {
            for c in &page {
                emails = emails.max(c.data.points.emails.len());
                phones = phones.max(c.data.points.phones.len());
            }
            Ok(())
        })
        .await?;
        let keys: Vec<String> = self
            .custom_fields(session)
            .await?
            .into_iter()
            .filter(|d| d.entity == temas_core::custom::Entity::Contact)
            .map(|d| d.key)
            .collect();
        let headers = contact_headers(emails, phones, &keys);
        let company_of = |c: &Contact| {
            c.data
                .companies
                .first()
                .and_then(|l| companies.get(&l.company_id.0).cloned())
                .unwrap_or_default()
        };
        if let ExportFormat::Csv(encoding) = format {
            let mut sheet = CsvOut::new(&mut *out, encoding)?;
            sheet.row(&headers)?;
            self.each_page::<Contact>(session, params, |page| {
                for c in &page {
                    sheet.row(&contact_cells(c, emails, phones, &keys, &company_of(c)))?;
                    report.contacts += 1;
                }
                Ok(())
            })
            .await?;
            report.lossy_cells = sheet.finish()?;
            return Ok(report);
        }
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet_with_constant_memory();
        sheet.set_name("contacts").map_err(failed)?;
        let mut row = 0u32;
        let column = |i: usize| u16::try_from(i).map_err(failed);
        for (col, h) in headers.iter().enumerate() {
            sheet.write_string(row, column(col)?, h).map_err(failed)?;
        }
        self.each_page::<Contact>(session, params, |page| {
            for c in &page {
                row += 1;
                for (col, cell) in contact_cells(c, emails, phones, &keys, &company_of(c))
                    .iter()
                    .enumerate()
                {
                    sheet
                        .write_string(row, column(col)?, cell)
                        .map_err(failed)?;
                }
                report.contacts += 1;
            }
            Ok(())
        })
        .await?;
        book.save_to_writer(out).map_err(failed)?;
        Ok(report)
    }
}

/// Every company's name by id, for the company column and vCard ORG.
pub(crate) async fn company_names(
    app: &App,
    session: &Session,
) -> Result<HashMap<Uuid, String>, AppError> {
    let mut names = HashMap::new();
    app.each_record_data::<Company>(session, |page| {
        names.extend(page.into_iter().map(|(id, c)| (id, c.name)));
        Ok(())
    })
    .await?;
    Ok(names)
}

/// CSV in UTF-8 with a BOM (so Excel reads it as UTF-8), or in a Windows code page. Characters a code page lacks
/// become `?`; the cells that lost one are counted.
struct CsvOut<'a> {
    out: &'a mut dyn ExportSink,
    encoding: Option<&'static encoding_rs::Encoding>,
    lossy_cells: usize,
}

impl<'a> CsvOut<'a> {
    fn new(
        out: &'a mut dyn ExportSink,
        encoding: Option<&'static encoding_rs::Encoding>,
    ) -> Result<Self, AppError> {
        if encoding.is_none() {
            out.write_all("\u{FEFF}".as_bytes()).map_err(failed)?;
        }
        Ok(Self {
            out,
            encoding,
            lossy_cells: 0,
        })
    }

    fn row(&mut self, cells: &[String]) -> Result<(), AppError> {
        let fitted: Vec<String> = match self.encoding {
            None => cells.to_vec(),
            Some(enc) => cells
                .iter()
                .map(|cell| {
                    let (_, _, lossy) = enc.encode(cell);
                    if lossy {
                        let fitted = fit(enc, cell);
                        if fitted.contains('?') && !cell.contains('?') {
                            self.lossy_cells += 1;
                        }
                        fitted
                    } else {
                        cell.clone()
                    }
                })
                .collect(),
        };
        // One record at a time through a fresh writer, so that each is encoded whole.
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&fitted).map_err(failed)?;
        let text = writer.into_inner().map_err(failed)?;
        match self.encoding {
            None => self.out.write_all(&text).map_err(failed)?,
            Some(enc) => {
                let (bytes, _, _) = enc.encode(std::str::from_utf8(&text).map_err(failed)?);
                self.out.write_all(&bytes).map_err(failed)?;
            }
        }
        Ok(())
    }

    /// Flushes; returns how many cells lost a character.
    fn finish(self) -> Result<usize, AppError> {
        self.out.flush().map_err(failed)?;
        Ok(self.lossy_cells)
    }
}

/// A cell with every character the encoding lacks replaced by `?` — except the Persian yeh, which Windows-1256
/// lacks and Persian files in that code page write as the Arabic one.
fn fit(enc: &'static encoding_rs::Encoding, cell: &str) -> String {
    cell.chars()
        .map(|c| match c {
            'ی' if enc == encoding_rs::WINDOWS_1256 => 'ي',
            c => c,
        })
        .map(|c| {
            let mut buf = [0u8; 4];
            let (_, _, lossy) = enc.encode(c.encode_utf8(&mut buf));
            if lossy { '?' } else { c }
        })
        .collect()
}
