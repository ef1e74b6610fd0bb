//! The workspace dump: a versioned JSON-lines file that moves a whole workspace between databases (SQLite and
//! PostgreSQL alike) and machines. Line 1 says what the file is; then one line per row, `{"table": …, "row": {…}}`;
//! the last line counts the rows, so that a cut-off file is refused rather than loaded in part.

use crate::{App, AppError, Session};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::io::{BufRead, Write};
use temas_core::ids::WorkspaceId;

pub const DUMP_FORMAT: &str = "temas-dump";
pub const DUMP_VERSION: u32 = 1;
/// Rows of one table inserted per transaction when loading.
const LOAD_BATCH: usize = 1000;

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    version: u32,
    workspace_id: WorkspaceId,
    workspace: String,
    exported_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Line {
    table: String,
    row: Map<String, Value>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Footer {
    end: bool,
    rows: u64,
}

/// What a dump held, per table.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DumpCounts {
    pub workspace: String,
    pub tables: Vec<(String, u64)>,
}

impl DumpCounts {
    fn add(&mut self, table: &str) {
        match self.tables.last_mut() {
            Some((t, n)) if t == table => *n += 1,
            _ => self.tables.push((table.to_owned(), 1)),
        }
    }

    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, n)| n).sum()
    }
}

fn io(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(e.to_string())
}

fn bad_dump(line: u64, why: impl std::fmt::Display) -> AppError {
    temas_core::FieldErrors::single("file", "bad_dump", format!("line {line}: {why}")).into()
}

/// Whether the first line of a file says it is a workspace dump.
pub fn is_dump(first_line: &str) -> bool {
    serde_json::from_str::<Header>(first_line).is_ok_and(|h| h.format == DUMP_FORMAT)
}

impl App {
    /// Writes the session's workspace as a dump (owners and admins only: it holds every record and user).
    pub async fn dump_workspace(
        &self,
        session: &Session,
        out: &mut (dyn Write + Send),
    ) -> Result<DumpCounts, AppError> {
        session.require_admin()?;
        let header = Header {
            format: DUMP_FORMAT.into(),
            version: DUMP_VERSION,
            workspace_id: session.workspace.id,
            workspace: session.workspace.name.clone(),
            exported_at: temas_core::time::now(),
        };
        serde_json::to_writer(&mut *out, &header).map_err(io)?;
        out.write_all(b"\n").map_err(io)?;
        let mut counts = DumpCounts {
            workspace: session.workspace.name.clone(),
            ..DumpCounts::default()
        };
        let mut sink = |table: &str, row: Map<String, Value>| -> Result<(), String> {
            let line = serde_json::json!({ "table": table, "row": row });
            serde_json::to_writer(&mut *out, &line).map_err(|e| e.to_string())?;
            out.write_all(b"\n").map_err(|e| e.to_string())?;
            counts.add(table);
            Ok(())
        };
        self.store
            .dump_workspace(session.workspace.id, &mut sink)
            .await?;
        let footer = Footer {
            end: true,
            rows: counts.rows(),
        };
        serde_json::to_writer(&mut *out, &footer).map_err(io)?;
        out.write_all(b"\n").map_err(io)?;
        out.flush().map_err(io)?;
        Ok(counts)
    }

    /// Loads a dump into this database, which must not hold its workspace yet. `open` gives the file from its
    /// start: it is read twice, once to check it whole (every line, the row count at the end) and once to load.
    pub async fn load_workspace(
        &self,
        open: &dyn Fn() -> std::io::Result<Box<dyn BufRead + Send>>,
    ) -> Result<DumpCounts, AppError> {
        let tables = self.store.dump_tables();
        let (header, expected) = check(open().map_err(io)?, &tables)?;
        if self.store.workspace(header.workspace_id).await?.is_some() {
            return Err(temas_core::FieldErrors::single(
                "file",
                "workspace_exists",
                format!(
                    "this database already holds the workspace {} ({})",
                    header.workspace, header.workspace_id.0
                ),
            )
            .into());
        }
        let mut counts = DumpCounts {
            workspace: header.workspace.clone(),
            ..DumpCounts::default()
        };
        let mut batch: Vec<Map<String, Value>> = Vec::with_capacity(LOAD_BATCH);
        let mut batch_table = String::new();
        for (n, line) in open().map_err(io)?.lines().enumerate().skip(1) {
            let line = line.map_err(io)?;
            let Ok(row) = serde_json::from_str::<Line>(&line) else {
                break; // the footer, checked already
            };
            if (row.table != batch_table || batch.len() == LOAD_BATCH) && !batch.is_empty() {
                self.load_batch(header.workspace_id, &batch_table, &batch, n as u64)
                    .await?;
                batch.clear();
            }
            counts.add(&row.table);
            batch_table = row.table;
            batch.push(row.row);
        }
        if !batch.is_empty() {
            self.load_batch(header.workspace_id, &batch_table, &batch, expected)
                .await?;
        }
        // Orders load waiting to be converted into the workspace's currency (the dump does not carry that).
        if let Some(workspace) = self.store.workspace(header.workspace_id).await? {
            let owner = self.owner_session(&workspace).await?;
            self.convert_pending_orders(&owner).await?;
        }
        Ok(counts)
    }

    async fn load_batch(
        &self,
        ws: WorkspaceId,
        table: &str,
        rows: &[Map<String, Value>],
        line: u64,
    ) -> Result<(), AppError> {
        self.store
            .load_rows(ws, table, rows)
            .await
            .map_err(|e| match e {
                temas_store::StoreError::Database(db) => bad_dump(
                    line,
                    format!("loading {table} failed (the workspace is partly loaded): {db}"),
                ),
                other => other.into(),
            })
    }
}

/// Reads a dump through: its header, then every line a row of a known table, then the footer with the right count.
fn check(input: Box<dyn BufRead + Send>, tables: &[&str]) -> Result<(Header, u64), AppError> {
    let mut lines = input.lines();
    let first = lines
        .next()
        .ok_or_else(|| bad_dump(1, "the file is empty"))?
        .map_err(io)?;
    let header: Header = serde_json::from_str(&first)
        .ok()
        .filter(|h: &Header| h.format == DUMP_FORMAT)
        .ok_or_else(|| bad_dump(1, "not a Temas workspace dump"))?;
    if header.version != DUMP_VERSION {
        return Err(bad_dump(
            1,
            format!(
                "a dump of version {} (this Temas reads version {DUMP_VERSION})",
                header.version
            ),
        ));
    }
    let mut rows = 0u64;
    let mut number = 1u64;
    for line in lines {
        number += 1;
        let line = line.map_err(io)?;
        if let Ok(row) = serde_json::from_str::<Line>(&line) {
            if !tables.contains(&row.table.as_str()) {
                return Err(bad_dump(number, format!("unknown table {}", row.table)));
            }
            rows += 1;
            continue;
        }
        match serde_json::from_str::<Footer>(&line) {
            Ok(f) if f.end && f.rows == rows => return Ok((header, number)),
            Ok(f) => {
                return Err(bad_dump(
                    number,
                    format!("the dump says {} rows but holds {rows}", f.rows),
                ));
            }
            Err(e) => return Err(bad_dump(number, e)),
        }
    }
    Err(bad_dump(
        number,
        "the file ends before the last line: it was cut off",
    ))
}
