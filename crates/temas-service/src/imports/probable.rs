//! A dry run's look for probable duplicates with the duplicate engine: rows that would create a contact although
//! the base probably holds it already (another spelling, another script, one field mistyped), and rows that
//! probably repeat an earlier row of the file. Exact repeats are found while the rows are read; this is what
//! only the engine sees.

use super::run::Run;
use crate::AppError;
use crate::exports::company_names;
use std::collections::HashSet;
use temas_core::contact::Contact;
use temas_core::dedupe::{Incoming, MatchInput, Scorer, Settings};
use temas_store::Uuid;

impl Run<'_> {
    pub(super) async fn flag_probable_duplicates(&mut self) -> Result<(), AppError> {
        let incoming = std::mem::take(&mut self.incoming);
        if incoming.is_empty() {
            return Ok(());
        }
        let (rows, inputs): (Vec<u64>, Vec<MatchInput>) = incoming.into_iter().unzip();
        let model = self.app.duplicate_model::<Contact>(self.session).await?;
        let mut linker = Incoming::new(Scorer::from_model(model), inputs);
        // The base is read once, a page at a time; only the contacts sharing a key with a row are kept.
        let names = company_names(self.app, self.session).await?;
        let mut kept: Vec<(Uuid, String)> = Vec::new();
        self.app
            .each_record_data::<Contact>(self.session, |page| {
                let inputs = page
                    .iter()
                    .map(|(_, c)| {
                        let company = c.companies.first().and_then(|l| names.get(&l.company_id.0));
                        MatchInput::from_contact(c, company.map(String::as_str))
                    })
                    .collect();
                let mask = linker.offer(inputs);
                kept.extend(
                    page.into_iter()
                        .zip(mask)
                        .filter(|(_, keep)| *keep)
                        .map(|((id, c), _)| (id, c.display_name)),
                );
                Ok(())
            })
            .await?;
        let pairs =
            tokio::task::spawn_blocking(move || linker.probable_pairs(&Settings::default()))
                .await
                .map_err(|e| AppError::Internal(format!("the duplicate check stopped: {e}")))?;
        // Each row is reported once, against its likeliest match (pairs come most probable first).
        let mut reported: HashSet<u64> = HashSet::new();
        for p in pairs {
            let (row, percent) = (rows[p.a as usize], (p.probability * 100.0).round());
            match rows.get(p.b as usize) {
                Some(other) => {
                    // Both are rows of the file: the later one repeats the earlier.
                    let (first, later) = (row.min(*other), row.max(*other));
                    if reported.insert(later) {
                        self.summary.probable_duplicates_in_file += 1;
                        let reason =
                            format!("probably the same contact as row {first} ({percent}%)");
                        self.summary.duplicate(later, "", reason);
                    }
                }
                None => {
                    let Some((id, name)) = kept.get(p.b as usize - rows.len()) else {
                        continue;
                    };
                    if self.likely_rows.insert(row) {
                        self.summary.likely_duplicates += 1;
                        let reason =
                            format!("probably the same contact as \"{name}\" ({id}, {percent}%)");
                        self.summary.duplicate(row, "", reason);
                    }
                }
            }
        }
        Ok(())
    }
}
