//! `temas export --entity contacts --format csv|xlsx|vcf [--view NAME] [--out FILE] [--encoding E]`: every contact
//! (or those of a saved view, in its order) as a spreadsheet the importer reads back, or as vCard 4.0.
//! `temas export --format jsonl [--out FILE]`: the whole workspace as a dump that `temas import` loads.

use anyhow::{Context, bail};
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use temas_core::contact::{Company, Contact};
use temas_core::export::{contact_cells, contact_headers, vcard};
use temas_core::view::ViewEntity;
use temas_service::records::ListParams;
use temas_service::{App, Session};
use temas_store::Uuid;

/// Records read per page.
const PAGE: u32 = 500;

#[derive(clap::Args)]
pub struct ExportArgs {
    /// What to export: contacts.
    #[arg(long, default_value = "contacts")]
    entity: String,
    /// csv (UTF-8 with a BOM, for Excel), xlsx, vcf (vCard 4.0), or jsonl: the whole workspace (every record,
    /// user, field, view, history and import) as a dump that `temas import` loads into another database.
    #[arg(long, default_value = "csv")]
    format: String,
    /// Only the records of this saved view (by name), in its order.
    #[arg(long)]
    view: Option<String>,
    /// Where to write (standard output by default; required for xlsx).
    #[arg(long)]
    out: Option<PathBuf>,
    /// CSV in a Windows code page instead of UTF-8, e.g. windows-1256, windows-1251, windows-1254.
    #[arg(long)]
    encoding: Option<String>,
}

pub async fn run(app: &App, session: &Session, args: ExportArgs) -> anyhow::Result<()> {
    if args.format == "jsonl" {
        return dump(app, session, &args.out).await;
    }
    if args.entity != "contacts" {
        bail!(
            "--entity {}: only contacts can be exported so far",
            args.entity
        );
    }
    let mut params = ListParams {
        limit: Some(PAGE),
        sort: Some("created_at".into()),
        ..ListParams::default()
    };
    if let Some(name) = &args.view {
        let views = app
            .views(session, ViewEntity::Contacts)
            .await
            .map_err(crate::cli::describe)?;
        let view = views
            .into_iter()
            .find(|v| v.name == *name)
            .with_context(|| format!("no saved view of contacts named {name:?}"))?;
        params.filters = view.settings.filters;
        if view.settings.sort.is_some() {
            params.sort = view.settings.sort;
        }
    }
    let companies = company_names(app, session).await?;
    match args.format.as_str() {
        "vcf" => {
            let mut out = output(&args.out)?;
            each_page(app, session, &params, |page| {
                for c in page {
                    let names: Vec<String> = c
                        .data
                        .companies
                        .iter()
                        .filter_map(|l| companies.get(&l.company_id.0).cloned())
                        .collect();
                    out.write_all(vcard(c, &names).as_bytes())?;
                }
                Ok(())
            })
            .await?;
            out.flush()?;
        }
        "csv" | "xlsx" => {
            // A first pass finds how many email and phone columns the sheet needs, so that none is dropped.
            let (mut emails, mut phones) = (1, 1);
            each_page(app, session, &params, |page| {
                for c in page {
                    emails = emails.max(c.data.points.emails.len());
                    phones = phones.max(c.data.points.phones.len());
                }
                Ok(())
            })
            .await?;
            let keys: Vec<String> = app
                .custom_fields(session)
                .await
                .map_err(crate::cli::describe)?
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
            if args.format == "csv" {
                let mut sheet = CsvOut::new(output(&args.out)?, args.encoding.as_deref())?;
                sheet.row(&headers)?;
                each_page(app, session, &params, |page| {
                    for c in page {
                        sheet.row(&contact_cells(c, emails, phones, &keys, &company_of(c)))?;
                    }
                    Ok(())
                })
                .await?;
                sheet.finish()?;
            } else {
                let path = args.out.clone().context("--out FILE is needed for xlsx")?;
                let mut book = rust_xlsxwriter::Workbook::new();
                let sheet = book.add_worksheet_with_constant_memory();
                sheet.set_name("contacts")?;
                let mut row = 0u32;
                for (col, h) in headers.iter().enumerate() {
                    sheet.write_string(row, u16::try_from(col)?, h)?;
                }
                each_page(app, session, &params, |page| {
                    for c in page {
                        row += 1;
                        for (col, cell) in contact_cells(c, emails, phones, &keys, &company_of(c))
                            .iter()
                            .enumerate()
                        {
                            sheet.write_string(row, u16::try_from(col)?, cell)?;
                        }
                    }
                    Ok(())
                })
                .await?;
                book.save(&path)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
        }
        other => bail!("--format {other}: use csv, xlsx, vcf or jsonl"),
    }
    Ok(())
}

/// Writes the workspace dump; says on stderr how many rows of what it holds.
async fn dump(app: &App, session: &Session, out: &Option<PathBuf>) -> anyhow::Result<()> {
    let mut out: Box<dyn Write + Send> = match out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let counts = app
        .dump_workspace(session, &mut *out)
        .await
        .map_err(crate::cli::describe)?;
    let tables: Vec<String> = counts
        .tables
        .iter()
        .map(|(t, n)| format!("{t} {n}"))
        .collect();
    eprintln!(
        "workspace {}: {} rows ({})",
        counts.workspace,
        counts.rows(),
        tables.join(", ")
    );
    Ok(())
}

fn output(out: &Option<PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

/// Every company's name by id, for the company column and vCard ORG.
async fn company_names(app: &App, session: &Session) -> anyhow::Result<HashMap<Uuid, String>> {
    let mut names = HashMap::new();
    let mut params = ListParams {
        limit: Some(PAGE),
        ..ListParams::default()
    };
    loop {
        let page = app
            .list::<Company>(session, &params)
            .await
            .map_err(crate::cli::describe)?;
        names.extend(page.items.into_iter().map(|c| (c.id.0, c.data.name)));
        match page.next_cursor {
            Some(next) => params.cursor = Some(next),
            None => return Ok(names),
        }
    }
}

/// Calls `each` with every page of contacts the parameters select, in order.
async fn each_page(
    app: &App,
    session: &Session,
    params: &ListParams,
    mut each: impl FnMut(&[Contact]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut params = params.clone();
    params.cursor = None;
    loop {
        let page = app
            .list::<Contact>(session, &params)
            .await
            .map_err(crate::cli::describe)?;
        each(&page.items)?;
        match page.next_cursor {
            Some(next) => params.cursor = Some(next),
            None => return Ok(()),
        }
    }
}

/// CSV in UTF-8 with a BOM (so Excel reads it as UTF-8), or in a Windows code page. Characters a code page lacks
/// become `?`, and how many cells lost one is said on stderr.
struct CsvOut {
    out: Box<dyn Write>,
    encoding: Option<&'static encoding_rs::Encoding>,
    lossy_cells: usize,
}

impl CsvOut {
    fn new(mut out: Box<dyn Write>, encoding: Option<&str>) -> anyhow::Result<Self> {
        let encoding = match encoding {
            None => None,
            Some(label) => Some(
                encoding_rs::Encoding::for_label(label.as_bytes())
                    .with_context(|| format!("--encoding {label}: unknown encoding"))?,
            )
            .filter(|e| *e != encoding_rs::UTF_8),
        };
        if encoding.is_none() {
            out.write_all("\u{FEFF}".as_bytes())?;
        }
        Ok(Self {
            out,
            encoding,
            lossy_cells: 0,
        })
    }

    fn row(&mut self, cells: &[String]) -> anyhow::Result<()> {
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
        writer.write_record(&fitted)?;
        let text = writer
            .into_inner()
            .map_err(|e| anyhow::anyhow!("writing a CSV row: {e}"))?;
        match self.encoding {
            None => self.out.write_all(&text)?,
            Some(enc) => {
                let (bytes, _, _) = enc.encode(std::str::from_utf8(&text)?);
                self.out.write_all(&bytes)?;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<()> {
        self.out.flush()?;
        if self.lossy_cells > 0 {
            eprintln!(
                "{} cell(s) had characters the chosen encoding cannot hold; they were written as '?'",
                self.lossy_cells
            );
        }
        Ok(())
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
