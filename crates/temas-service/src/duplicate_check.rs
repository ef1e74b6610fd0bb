//! Keeping new duplicates out: a contact or company about to be created is compared with the few existing records
//! that share its email, phone or domain, or whose names match its name, and scored by the model the workspace's
//! last duplicate scan fitted (before any scan, or when the scan had no duplicates to learn from, by
//! [`Model::baseline`]). Candidates the user cannot see are never
//! shown. Creating it anyway is the client's choice (`confirm`).

use crate::dedupe::DedupeEntity;
use crate::records::RecordType;
use crate::{App, AppError, Session};
use serde::Serialize;
use std::collections::HashSet;
use temas_core::dedupe::model::Model;
use temas_core::dedupe::{MatchInput, Scorer, Settings, probable_duplicates};
use temas_core::search::analyze_query;
use temas_store::{ScanFilter, StoredRecord};
use utoipa::ToSchema;
use uuid::Uuid;

/// How many records found by name are compared; names are the weakest key, so a common one must not flood the
/// check.
const BY_NAME: u32 = 20;

/// An existing record that the one being created probably duplicates.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuplicateCandidate {
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    /// How likely (0–1) the two are one entity.
    pub probability: f64,
    /// Each field's evidence in bits: `field`, agreement `level`, `bits` (positive for one entity).
    #[schema(value_type = Vec<Object>)]
    pub contributions: serde_json::Value,
    /// The existing record as the API shows it.
    #[schema(value_type = Object)]
    pub record: serde_json::Value,
}

impl App {
    /// The visible records that `data` probably duplicates, most probable first.
    pub async fn probable_duplicates_of<R: RecordType>(
        &self,
        session: &Session,
        data: &R::Data,
    ) -> Result<Vec<DuplicateCandidate>, AppError> {
        let Some(probe) = R::duplicate_probe(data) else {
            return Ok(Vec::new());
        };
        let candidates = self.candidates::<R>(session, data, &probe).await?;
        if candidates.is_empty() {
            return Ok(Vec::new());
        }
        let inputs: Vec<MatchInput> = candidates.iter().map(|c| c.2.clone()).collect();
        let scorer = Scorer::from_model(self.duplicate_model::<R>(session).await?);
        let threshold = Settings::default().link_threshold;
        probable_duplicates(&scorer, &probe, &inputs, threshold)
            .into_iter()
            .map(|found| {
                let (id, record, _) = &candidates[found.index];
                Ok(DuplicateCandidate {
                    id: *id,
                    probability: found.probability,
                    contributions: serde_json::to_value(&found.contributions)
                        .map_err(|e| AppError::Internal(e.to_string()))?,
                    record: record.clone(),
                })
            })
            .collect()
    }

    /// The visible records that a record not yet created would probably duplicate: what "did you mean…" shows
    /// while a form is being filled in. The input is validated as on create; an invalid one is refused with its
    /// field errors (a half-typed email), so the caller can show nothing until it is valid.
    pub async fn probable_duplicates_of_input<R: RecordType>(
        &self,
        session: &Session,
        input: R::Input,
    ) -> Result<Vec<DuplicateCandidate>, AppError> {
        let ctx = session.validation(self, R::ENTITY).await?;
        let data = R::validate(input, &ctx, None)?;
        self.probable_duplicates_of::<R>(session, &data).await
    }

    /// Visible live records sharing an email, phone or domain with `data`, and the best matches for its name.
    async fn candidates<R: RecordType>(
        &self,
        session: &Session,
        data: &R::Data,
        probe: &MatchInput,
    ) -> Result<Vec<(Uuid, serde_json::Value, MatchInput)>, AppError> {
        // Terms that name one entity: emails (with @), phone numbers (digits), domains (with a dot).
        let (terms, _) = R::index(data);
        let keys: Vec<String> = terms
            .into_iter()
            .filter(|t| {
                t.contains(['@', '.']) || (t.len() >= 6 && t.bytes().all(|b| b.is_ascii_digit()))
            })
            .collect();
        let mut stored: Vec<StoredRecord> = self
            .store
            .records_by_terms(R::KIND, &session.viewer, &keys)
            .await?
            .into_iter()
            .filter(|(_, _, visible)| *visible)
            .map(|(_, record, _)| record)
            .collect();
        let name = [probe.given_name.as_str(), probe.family_name.as_str()]
            .join(" ")
            .trim()
            .to_owned();
        let name = if name.is_empty() {
            probe.organisation.clone()
        } else {
            name
        };
        if let Some(query) = analyze_query(&name, session.region()) {
            let by_name = self
                .store
                .search_candidates(R::KIND, &session.viewer, &query, BY_NAME)
                .await?;
            stored.extend(
                by_name
                    .into_iter()
                    .filter(|c| temas_core::search::score(&query, &c.doc).is_some())
                    .map(|c| c.record),
            );
        }
        let mut seen = HashSet::new();
        let mut found = Vec::new();
        for record in stored {
            if record.meta.deleted_at.is_some() || !seen.insert(record.id) {
                continue;
            }
            let data = crate::records::data_of::<R>(record.id, record.data)?;
            if let Some(input) = R::duplicate_probe(&data) {
                let shown = R::assemble(record.id, record.version, data, record.meta);
                let shown =
                    serde_json::to_value(shown).map_err(|e| AppError::Internal(e.to_string()))?;
                found.push((record.id, shown, input));
            }
        }
        Ok(found)
    }

    /// The model of the workspace's newest finished scan of this kind, or the baseline before the first (and when
    /// that scan found nothing that looks like duplicates to learn from; see [`Model::is_plausible`]).
    pub(crate) async fn duplicate_model<R: RecordType>(
        &self,
        session: &Session,
    ) -> Result<Model, AppError> {
        let Some(entity) = DedupeEntity::of_kind(R::KIND) else {
            return Ok(Model::baseline());
        };
        let filter = ScanFilter {
            entity: Some(entity.as_str().to_owned()),
            status: Some("done".into()),
            limit: 1,
            ..ScanFilter::default()
        };
        let newest = self
            .store
            .dedupe_scans(session.workspace.id, &filter)
            .await?
            .into_iter()
            .next()
            .and_then(|s| s.model)
            .and_then(|m| serde_json::from_value::<Model>(m).ok())
            .filter(Model::is_plausible);
        Ok(newest.unwrap_or_else(Model::baseline))
    }
}
