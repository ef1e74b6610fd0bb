//! One import run: rows validated and matched in batches, each batch journalled, then written.

use super::merge::{key_hash, update_patch};
use super::prepare::{Prepared, RowRules, ValidRow, prepare, row_keys};
use super::*;
use temas_core::dedupe::MatchInput;

/// A row's interactions, with the row and the contact they go on.
type ContactLogs = (u64, Uuid, Vec<RowInteraction>);

/// State carried across batches.
pub(super) struct Run<'a> {
    pub(super) app: &'a App,
    pub(super) session: &'a Session,
    pub(super) req: &'a ImportRequest,
    pub(super) rules: std::sync::Arc<RowRules>,
    pub(super) summary: ImportSummary,
    /// Match keys seen in earlier rows (as 64-bit hashes, to keep a million-row file's keys small), with the
    /// row that had them first.
    pub(super) seen: HashMap<u64, u64>,
    /// In a dry run, each row that would create a contact, as the duplicate engine reads it.
    pub(super) incoming: Vec<(u64, MatchInput)>,
    /// Rows already counted as likely duplicates.
    pub(super) likely_rows: std::collections::HashSet<u64>,
    /// Companies by normalised name, read from the workspace or created during this import.
    pub(super) companies: HashMap<String, CompanyId>,
    pub(super) companies_loaded: bool,
    /// External ids brought by earlier rows, with the row that brought each.
    pub(super) external_ids: HashMap<u64, u64>,
    pub(super) journal: Vec<ImportItem>,
    /// Failed rows of the batch under way, written to the error report with it.
    pub(super) failures: Vec<RowProblem>,
    pub(super) started: chrono::DateTime<chrono::Utc>,
}

impl Run<'_> {
    pub(super) fn active_status(&self) -> &'static str {
        if self.req.dry_run {
            "checking"
        } else {
            "running"
        }
    }

    fn fail(&mut self, row: u64, field: &str, reason: String) {
        self.summary.failed += 1;
        let problem = RowProblem {
            row,
            field: field.to_owned(),
            reason,
        };
        if self.summary.failed_rows.len() < PROBLEM_SAMPLES {
            self.summary.failed_rows.push(problem.clone());
        }
        self.failures.push(problem);
    }

    /// Notes the match keys of a row imported before an interruption, so later rows with the same keys are still
    /// reported as duplicates inside the file.
    pub(super) fn remember(&mut self, row: SourceRow) {
        if let Some((number, keys)) = row_keys(row, &self.rules) {
            for k in &keys {
                self.seen.entry(key_hash(k)).or_insert(number);
            }
        }
    }

    pub(super) async fn save(&self, status: &str) -> Result<(), AppError> {
        let run = ImportRun {
            id: self.req.id,
            entity: "contacts".into(),
            file_name: self.req.file_name.clone(),
            status: status.into(),
            summary: serde_json::to_value(&self.summary)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            job: self.req.job.clone(),
            created_by: self.session.user.id,
            created_at: self.started,
            updated_at: temas_core::time::now(),
        };
        self.app
            .store
            .save_import(self.session.workspace.id, &run)
            .await?;
        Ok(())
    }

    /// Prepares a batch (mapping, validation, keys, search index: CPU work, done on a blocking thread so that an
    /// import run as a job does not hold up the server's request workers), matches and writes it, and saves the
    /// run's checkpoint.
    pub(super) async fn write_batch(
        &mut self,
        rows: Vec<SourceRow>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<(), AppError> {
        if self.req.taken_over.as_ref().is_some_and(|t| t.is_set()) {
            return Err(AppError::Internal(
                "another worker took the import over".into(),
            ));
        }
        let rules = self.rules.clone();
        let prepared = tokio::task::spawn_blocking(move || prepare(rows, &rules))
            .await
            .map_err(|e| AppError::Internal(format!("preparing rows failed: {e}")))?;
        self.batch(prepared).await?;
        self.save(self.active_status()).await?;
        progress(self.summary.rows);
        Ok(())
    }

    /// Matches a prepared batch against the file's earlier rows and the base, and writes it.
    pub(super) async fn batch(&mut self, rows: Vec<Prepared>) -> Result<(), AppError> {
        let mut ready: Vec<ValidRow> = Vec::with_capacity(rows.len());
        for row in rows {
            self.summary.rows += 1;
            let r = match row {
                Prepared::Unreadable { row, reason } => {
                    self.fail(row, "", reason);
                    continue;
                }
                Prepared::Invalid { row, errors } => {
                    for e in errors.0 {
                        self.fail(row, &e.field, e.message);
                    }
                    continue;
                }
                Prepared::Empty { row } => {
                    self.summary.skip(row, "no name, email, phone or company");
                    continue;
                }
                Prepared::Valid(r) => *r,
            };
            if let Some(first) = r.keys.iter().find_map(|k| self.seen.get(&key_hash(k))) {
                self.summary.skipped += 1;
                let reason = format!("the same {} as row {first}", self.req.match_on.name());
                self.summary.duplicate(r.row, "", reason);
                continue;
            }
            for k in &r.keys {
                self.seen.insert(key_hash(k), r.row);
            }
            ready.push(r);
        }
        let ready = self.without_taken_external_ids(ready).await?;
        let existing = self.existing(&ready).await?;
        self.count_likely_duplicates(&ready).await?;
        self.add_companies(&ready).await?;
        let mut creates: Vec<(u64, NewRecord)> = Vec::new();
        let mut updates: Vec<(u64, temas_store::StoredRecord, Value)> = Vec::new();
        let mut logs: Vec<ContactLogs> = Vec::new();
        for mut r in ready {
            let company = r
                .company_key
                .take()
                .and_then(|key| self.companies.get(&key).copied())
                .filter(|id| !id.0.is_nil());
            if let Some(id) = company {
                let link = CompanyLink {
                    company_id: id,
                    role: "employee".into(),
                };
                r.input.companies.push(link.clone());
                r.data.companies.push(link);
            }
            match r.keys.iter().find_map(|k| existing.get(k)) {
                Some((_, false)) => self.fail(r.row, "", "matches a contact you cannot see".into()),
                Some((record, true)) => {
                    let patch = update_patch(&record.data, &r.input)?;
                    logs.push((r.row, record.id, r.interactions));
                    updates.push((r.row, record.clone(), patch));
                }
                None => {
                    if self.req.dry_run {
                        let input = MatchInput::from_contact(&r.data, r.company.as_deref());
                        self.incoming.push((r.row, input));
                    }
                    let record = self
                        .app
                        .prepare_indexed::<Contact>(self.session, r.data, r.index, false)
                        .await?;
                    logs.push((r.row, record.id, r.interactions));
                    creates.push((r.row, record));
                }
            }
        }
        self.create(creates).await?;
        let failed = self.update(updates).await?;
        logs.retain(|(row, _, items)| !items.is_empty() && !failed.contains(row));
        self.log_interactions(logs).await?;
        if !self.failures.is_empty() {
            let failures = std::mem::take(&mut self.failures);
            self.app
                .store
                .add_import_errors(
                    self.session.workspace.id,
                    self.req.id,
                    self.summary.error_seq + 1,
                    &failures,
                )
                .await?;
            self.summary.error_seq += failures.len() as i64;
        }
        Ok(())
    }

    /// Writes the journal entries noted so far: before the records they describe, so that whatever an
    /// interrupted batch wrote is known and can be undone.
    async fn write_journal(&mut self) -> Result<(), AppError> {
        if self.journal.is_empty() {
            return Ok(());
        }
        let journal = std::mem::take(&mut self.journal);
        self.app
            .store
            .add_import_items(self.session.workspace.id, self.req.id, &journal)
            .await?;
        Ok(())
    }

    /// Unless rows are matched on it, an external id must be new: one that a contact already has, or that an
    /// earlier row brought, fails the row (it would collide when written).
    async fn without_taken_external_ids(
        &mut self,
        ready: Vec<ValidRow>,
    ) -> Result<Vec<ValidRow>, AppError> {
        if self.req.match_on == MatchOn::ExternalId {
            return Ok(ready);
        }
        let ids: Vec<String> = ready
            .iter()
            .filter_map(|r| r.data.external_id.clone())
            .collect();
        if ids.is_empty() {
            return Ok(ready);
        }
        let taken: std::collections::HashSet<String> = self
            .app
            .store
            .records_by_external_id(RecordKind::Contact, &self.session.viewer, &ids)
            .await?
            .into_iter()
            .filter_map(|(r, _)| Some(r.data.get("external_id")?.as_str()?.to_owned()))
            .collect();
        let mut kept = Vec::with_capacity(ready.len());
        for r in ready {
            match &r.data.external_id {
                Some(id) if taken.contains(id) => self.fail(
                    r.row,
                    "external_id",
                    "already used by another contact; match on external_id to update it".into(),
                ),
                Some(id) => match self.external_ids.entry(key_hash(id)) {
                    Entry::Occupied(first) => {
                        let first = *first.get();
                        self.fail(r.row, "external_id", format!("the same as row {first}"));
                    }
                    Entry::Vacant(slot) => {
                        slot.insert(r.row);
                        kept.push(r);
                    }
                },
                None => kept.push(r),
            }
        }
        Ok(kept)
    }

    /// Existing contacts the rows match, by key, with whether the user may see each.
    async fn existing(
        &self,
        ready: &[ValidRow],
    ) -> Result<HashMap<String, (temas_store::StoredRecord, bool)>, AppError> {
        let keys: Vec<String> = ready.iter().flat_map(|r| r.keys.iter().cloned()).collect();
        if keys.is_empty() {
            return Ok(HashMap::new());
        }
        let viewer = &self.session.viewer;
        let store = &self.app.store;
        Ok(match &self.req.match_on {
            MatchOn::Nothing => HashMap::new(),
            MatchOn::ExternalId => store
                .records_by_external_id(RecordKind::Contact, viewer, &keys)
                .await?
                .into_iter()
                .filter_map(|(r, visible)| {
                    let key = r.data.get("external_id")?.as_str()?.to_owned();
                    Some((key, (r, visible)))
                })
                .collect(),
            MatchOn::Email | MatchOn::Phone => store
                .records_by_terms(RecordKind::Contact, viewer, &keys)
                .await?
                .into_iter()
                .map(|(term, r, visible)| (term, (r, visible)))
                .collect(),
            MatchOn::Custom(key) => store
                .records_by_custom(RecordKind::Contact, viewer, key, &keys)
                .await?
                .into_iter()
                .map(|(value, r, visible)| (value, (r, visible)))
                .collect(),
        })
    }

    /// Counts rows that will become new contacts although their email already belongs to one.
    async fn count_likely_duplicates(&mut self, ready: &[ValidRow]) -> Result<(), AppError> {
        if matches!(self.req.match_on, MatchOn::Email) {
            return Ok(());
        }
        let emails: Vec<String> = ready
            .iter()
            .flat_map(|r| r.data.points.emails.iter().map(|e| e.normalized.clone()))
            .collect();
        if emails.is_empty() {
            return Ok(());
        }
        let found = self
            .app
            .store
            .records_by_terms(RecordKind::Contact, &self.session.viewer, &emails)
            .await?;
        let known: std::collections::HashSet<String> =
            found.into_iter().map(|(t, _, _)| t).collect();
        for r in ready {
            if r.data
                .points
                .emails
                .iter()
                .any(|e| known.contains(&e.normalized))
            {
                self.summary.likely_duplicates += 1;
                self.likely_rows.insert(r.row);
                let reason = "a contact with this email already exists".to_owned();
                self.summary.duplicate(r.row, "email", reason);
            }
        }
        Ok(())
    }

    /// Makes sure every company the rows name is known: the workspace's companies are read once (by normalised
    /// name), and those still missing are created together (in a dry run only counted, under the nil id).
    async fn add_companies(&mut self, ready: &[ValidRow]) -> Result<(), AppError> {
        if ready.iter().all(|r| r.company.is_none()) {
            return Ok(());
        }
        if !self.companies_loaded {
            self.companies_loaded = true;
            let params = crate::records::ListParams {
                limit: Some(500),
                ..Default::default()
            };
            let companies = &mut self.companies;
            self.app
                .each_page::<Company>(self.session, &params, |page| {
                    for c in page {
                        companies.entry(search_key(&c.data.name)).or_insert(c.id);
                    }
                    Ok(())
                })
                .await?;
        }
        let mut missing: HashMap<String, &str> = HashMap::new();
        for r in ready {
            if let (Some(name), Some(key)) = (r.company.as_deref(), r.company_key.as_ref())
                && !self.companies.contains_key(key)
            {
                missing.entry(key.clone()).or_insert(name);
            }
        }
        self.summary.companies_created += missing.len() as u64;
        if self.req.dry_run {
            for key in missing.into_keys() {
                self.companies.insert(key, CompanyId(Uuid::nil()));
            }
            return Ok(());
        }
        let ctx = self.session.validation(self.app, Entity::Company).await?;
        let mut records = Vec::with_capacity(missing.len());
        for (key, name) in missing {
            let input = CompanyInput {
                name: Some(name.to_owned()),
                ..CompanyInput::default()
            };
            let record = self
                .app
                .prepare_new::<Company>(self.session, &ctx, input)
                .await?;
            self.companies.insert(key, CompanyId(record.id));
            self.record(
                RecordKind::Company,
                record.id,
                ImportAction::Created,
                None,
                1,
            );
            records.push(record);
        }
        if !records.is_empty() {
            self.write_journal().await?;
            self.app
                .store
                .insert_records(RecordKind::Company, &self.session.viewer, records)
                .await?;
        }
        Ok(())
    }

    fn record(
        &mut self,
        kind: RecordKind,
        id: Uuid,
        action: ImportAction,
        before: Option<(i64, Value)>,
        after: i64,
    ) {
        self.summary.journal_seq += 1;
        self.journal.push(ImportItem {
            seq: self.summary.journal_seq,
            kind,
            record_id: id,
            action,
            before,
            after_version: after,
        });
    }

    async fn create(&mut self, creates: Vec<(u64, NewRecord)>) -> Result<(), AppError> {
        if creates.is_empty() {
            return Ok(());
        }
        for (row, _) in &creates {
            if self.summary.created_samples.len() < SAMPLES {
                self.summary.created_samples.push(*row);
            }
        }
        self.summary.created += creates.len() as u64;
        if self.req.dry_run {
            return Ok(());
        }
        let records: Vec<NewRecord> = creates.into_iter().map(|(_, r)| r).collect();
        for r in &records {
            self.record(RecordKind::Contact, r.id, ImportAction::Created, None, 1);
        }
        self.write_journal().await?;
        self.app
            .store
            .insert_records(RecordKind::Contact, &self.session.viewer, records)
            .await?;
        Ok(())
    }

    /// Applies rows to the contacts they matched, each update journalled (with the data it replaces) before it is
    /// made. An update that fails stays in the journal; a rollback sees the contact unchanged and leaves it.
    /// Returns the rows whose update failed.
    async fn update(
        &mut self,
        updates: Vec<(u64, temas_store::StoredRecord, Value)>,
    ) -> Result<Vec<u64>, AppError> {
        for (row, _, _) in &updates {
            if self.summary.updated_samples.len() < SAMPLES {
                self.summary.updated_samples.push(*row);
            }
        }
        self.summary.updated += updates.len() as u64;
        let mut failed = Vec::new();
        if self.req.dry_run || updates.is_empty() {
            return Ok(failed);
        }
        for (_, record, _) in &updates {
            let before = Some((record.version, record.data.clone()));
            let after = record.version + 1;
            self.record(
                RecordKind::Contact,
                record.id,
                ImportAction::Updated,
                before,
                after,
            );
        }
        self.write_journal().await?;
        for (row, record, patch) in updates {
            let outcome: Result<Contact, AppError> = self
                .app
                .patch(self.session, record.id, &patch, Some(record.version))
                .await;
            match outcome {
                Ok(_) => {}
                Err(AppError::Invalid(errors)) => {
                    self.summary.updated -= 1;
                    failed.push(row);
                    for e in errors.0 {
                        self.fail(row, &e.field, e.message);
                    }
                }
                Err(AppError::VersionMismatch { .. }) => {
                    self.summary.updated -= 1;
                    failed.push(row);
                    self.fail(
                        row,
                        "",
                        "the contact was changed by someone else during the import; import the row again".into(),
                    );
                }
                Err(e) => return Err(e),
            }
        }
        Ok(failed)
    }

    /// Logs the interactions the rows bring on their contacts' timelines (journalled first, like contacts).
    async fn log_interactions(&mut self, logs: Vec<ContactLogs>) -> Result<(), AppError> {
        let count: usize = logs.iter().map(|(_, _, items)| items.len()).sum();
        self.summary.interactions_created += count as u64;
        if self.req.dry_run || count == 0 {
            return Ok(());
        }
        let ctx = self
            .session
            .validation(self.app, Entity::Interaction)
            .await?;
        let mut records = Vec::with_capacity(count);
        for (row, contact, items) in logs {
            for item in items {
                let input = InteractionInput {
                    channel: Some(item.channel.to_owned()),
                    subject: Some(item.subject),
                    body: Some(item.body),
                    contact_ids: vec![temas_core::ids::ContactId(contact)],
                    ..InteractionInput::default()
                };
                match self
                    .app
                    .prepare_new::<Interaction>(self.session, &ctx, input)
                    .await
                {
                    Ok(record) => {
                        self.record(
                            RecordKind::Interaction,
                            record.id,
                            ImportAction::Created,
                            None,
                            1,
                        );
                        records.push(record);
                    }
                    Err(AppError::Invalid(errors)) => {
                        self.summary.interactions_created -= 1;
                        for e in errors.0 {
                            self.fail(row, &e.field, e.message);
                        }
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        if records.is_empty() {
            return Ok(());
        }
        self.write_journal().await?;
        self.app
            .store
            .insert_records(RecordKind::Interaction, &self.session.viewer, records)
            .await?;
        Ok(())
    }
}
