//! Undoing an import: its journal walked backwards, created records removed, updated ones restored.

use super::*;

impl App {
    /// An import's journal after `after_seq`, read in pages.
    pub(super) async fn journal_after(
        &self,
        ws: temas_core::ids::WorkspaceId,
        id: Uuid,
        mut after: i64,
    ) -> Result<Vec<ImportItem>, AppError> {
        let mut items = Vec::new();
        loop {
            let page = self.store.import_items(ws, id, after, 5000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            items.extend(page);
        }
        Ok(items)
    }

    /// Undoes a committed import: records it updated get their earlier values back, records it created are
    /// removed. Records changed by someone since the import are restored all the same; their ids are reported.
    pub async fn rollback_import(&self, session: &Session, id: Uuid) -> Result<Value, AppError> {
        session.require_write()?;
        let ws = session.workspace.id;
        let mut run = self
            .store
            .import_run(ws, id)
            .await?
            .ok_or(AppError::NotFound)?;
        // `running` and `failed`: an import cut short (from the command line, or a job that failed part-way);
        // `rolling_back`: the rollback job.
        if !matches!(
            run.status.as_str(),
            "committed" | "running" | "failed" | "rolling_back"
        ) {
            return Err(temas_core::FieldErrors::single(
                "import",
                "not_committed",
                format!("this import is {}, not committed", run.status),
            )
            .into());
        }
        let items = self.journal_after(ws, id, 0).await?;
        let report = self.undo(session, &items).await?;
        run.status = "rolled_back".into();
        if let Some(summary) = run.summary.as_object_mut() {
            summary.insert("rollback".into(), report.clone());
        }
        run.updated_at = temas_core::time::now();
        self.store.save_import(ws, &run).await?;
        Ok(report)
    }

    /// Undoes journal entries, newest first: created records are removed, updated ones get their earlier data
    /// back. An update journalled but never made (the record is still at its earlier version) is left alone.
    pub(super) async fn undo(
        &self,
        session: &Session,
        items: &[ImportItem],
    ) -> Result<Value, AppError> {
        let ws = session.workspace.id;
        let mut changed_since: Vec<Uuid> = Vec::new();
        let mut removed: HashMap<RecordKind, Vec<Uuid>> = HashMap::new();
        let mut restored = 0u64;
        for item in items.iter().rev() {
            let current = self
                .store
                .get_record(item.kind, &session.viewer, item.record_id)
                .await?;
            let Some(current) = current else {
                // Never written (the batch was cut short) or already gone.
                continue;
            };
            let untouched = item
                .before
                .as_ref()
                .is_some_and(|(version, _)| *version == current.version);
            if current.version != item.after_version && !untouched {
                changed_since.push(item.record_id);
            }
            match (&item.action, &item.before) {
                (ImportAction::Created, _) => {
                    removed.entry(item.kind).or_default().push(item.record_id);
                }
                (ImportAction::Updated, Some((_, before))) if !untouched => {
                    self.restore_contact(session, item.record_id, before)
                        .await?;
                    restored += 1;
                }
                (ImportAction::Updated, _) => {}
            }
        }
        for kind in [
            RecordKind::Interaction,
            RecordKind::Contact,
            RecordKind::Company,
        ] {
            if let Some(ids) = removed.get(&kind) {
                self.store.purge_records(kind, ws, ids).await?;
            }
        }
        Ok(json!({
            "restored": restored,
            "removed": removed.values().map(Vec::len).sum::<usize>(),
            "changed_since_import": changed_since,
        }))
    }

    /// Puts a contact's data back as it was, as one more change in its history.
    async fn restore_contact(
        &self,
        session: &Session,
        id: Uuid,
        before: &Value,
    ) -> Result<(), AppError> {
        let data: temas_core::contact::ContactData = serde_json::from_value(before.clone())
            .map_err(|e| AppError::Internal(format!("journal of contact {id}: {e}")))?;
        let mut patch = serde_json::to_value(Contact::to_input(&data))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        // Custom values the import added are removed: a merge patch removes what it sets to null.
        let now: Contact = self.get(session, id).await?;
        if let Some(custom) = patch.get_mut("custom").and_then(Value::as_object_mut) {
            for key in now.data.custom.keys() {
                custom.entry(key.clone()).or_insert(Value::Null);
            }
        }
        self.patch::<Contact>(session, id, &patch, None).await?;
        Ok(())
    }
}
