//! Duplicate scans over a workspace's contacts or companies: the records the user may see, through the engine in
//! `temas_core::dedupe`, as groups ranked by confidence.

use crate::exports::company_names;
use crate::{App, AppError, Session};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use temas_core::contact::{Company, Contact};
use temas_core::dedupe::model::Model;
use temas_core::dedupe::{
    Contribution, Decisions, MatchInput, Settings, Stats, pattern_vector, resolve,
};
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DedupeEntity {
    Contacts,
    Companies,
}

impl DedupeEntity {
    pub fn parse(text: &str) -> Option<DedupeEntity> {
        match text {
            "contacts" => Some(DedupeEntity::Contacts),
            "companies" => Some(DedupeEntity::Companies),
            _ => None,
        }
    }

    /// The scanned entity of records of `kind`, if they are scanned.
    pub fn of_kind(kind: temas_store::RecordKind) -> Option<DedupeEntity> {
        match kind {
            temas_store::RecordKind::Contact => Some(DedupeEntity::Contacts),
            temas_store::RecordKind::Company => Some(DedupeEntity::Companies),
            _ => None,
        }
    }

    pub fn record_kind(self) -> temas_store::RecordKind {
        match self {
            DedupeEntity::Contacts => temas_store::RecordKind::Contact,
            DedupeEntity::Companies => temas_store::RecordKind::Company,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DedupeEntity::Contacts => "contacts",
            DedupeEntity::Companies => "companies",
        }
    }
}

/// Calls an `App` method generic over the record type with the type of a scanned entity, and awaits it.
macro_rules! for_entity {
    ($entity:expr, $app:ident . $method:ident ( $($arg:expr),* $(,)? )) => {
        match $entity {
            $crate::dedupe::DedupeEntity::Contacts => {
                $app.$method::<temas_core::contact::Contact>($($arg),*).await
            }
            $crate::dedupe::DedupeEntity::Companies => {
                $app.$method::<temas_core::contact::Company>($($arg),*).await
            }
        }
    };
}
pub(crate) use for_entity;

#[derive(Debug, Clone)]
pub struct DuplicateMember {
    pub id: Uuid,
    pub external_id: Option<String>,
}

/// Two members of a group and why the engine thinks they are one: the probability and each field's part in it.
#[derive(Debug, Clone, Serialize)]
pub struct ExplainedPair {
    pub a: Uuid,
    pub b: Uuid,
    pub probability: f64,
    pub contributions: Vec<Contribution>,
}

/// Records the engine found to be one entity; `confidence` (0–1) is the weakest link holding them together.
#[derive(Debug, Clone)]
pub struct DuplicateGroup {
    /// Oldest first.
    pub members: Vec<DuplicateMember>,
    pub confidence: f64,
    /// The scored pairs between members, strongest first.
    pub pairs: Vec<ExplainedPair>,
}

pub struct DuplicateScan {
    /// Most confident first.
    pub groups: Vec<DuplicateGroup>,
    pub stats: Stats,
    /// The model fitted to the scanned records; it checks new records until the next scan.
    pub model: Model,
}

impl App {
    /// Every record of the kind the session sees, as the engine reads it; `read` counts them as they come.
    pub(crate) async fn scan_inputs(
        &self,
        session: &Session,
        entity: DedupeEntity,
        read: &AtomicUsize,
    ) -> Result<(Vec<DuplicateMember>, Vec<MatchInput>), AppError> {
        match entity {
            DedupeEntity::Contacts => self.contact_inputs(session, read).await,
            DedupeEntity::Companies => self.company_inputs(session, read).await,
        }
    }

    /// Runs the engine over the records read, with the users' decisions about pairs of them.
    pub(crate) async fn resolve_duplicates(
        &self,
        session: &Session,
        entity: DedupeEntity,
        members: Vec<DuplicateMember>,
        inputs: Vec<MatchInput>,
    ) -> Result<DuplicateScan, AppError> {
        let decisions = self.decisions_for(session, entity, &members).await?;
        tokio::task::spawn_blocking(move || {
            let outcome = resolve(inputs, &Settings::default(), &decisions);
            let explained = outcome.explain_groups();
            let groups = outcome
                .groups
                .iter()
                .zip(explained)
                .map(|(g, pairs)| DuplicateGroup {
                    members: g
                        .members
                        .iter()
                        .map(|i| members[*i as usize].clone())
                        .collect(),
                    confidence: g.confidence,
                    pairs: pairs
                        .into_iter()
                        .map(|p| ExplainedPair {
                            a: members[p.a as usize].id,
                            b: members[p.b as usize].id,
                            probability: p.probability,
                            contributions: p.contributions,
                        })
                        .collect(),
                })
                .collect();
            DuplicateScan {
                groups,
                stats: outcome.stats,
                model: outcome.scorer.model,
            }
        })
        .await
        .map_err(|e| AppError::Internal(format!("the duplicate scan stopped: {e}")))
    }

    /// Users' decisions about pairs of the workspace's records, as the engine takes them: pairs said to be
    /// different among the scanned records, and the stored patterns of every decided pair.
    async fn decisions_for(
        &self,
        session: &Session,
        entity: DedupeEntity,
        members: &[DuplicateMember],
    ) -> Result<Decisions, AppError> {
        let stored = self
            .store
            .pair_decisions(session.workspace.id, entity.as_str())
            .await?;
        let index: HashMap<Uuid, u32> =
            members.iter().zip(0u32..).map(|(m, i)| (m.id, i)).collect();
        let mut decisions = Decisions::default();
        for d in stored {
            if let Some(vector) = d.pattern.and_then(pattern_vector) {
                decisions.labelled.push((vector, d.same));
            }
            if !d.same
                && let (Some(&a), Some(&b)) = (index.get(&d.a), index.get(&d.b))
            {
                decisions.distinct.insert((a.min(b), a.max(b)));
            }
        }
        Ok(decisions)
    }

    async fn contact_inputs(
        &self,
        session: &Session,
        read: &AtomicUsize,
    ) -> Result<(Vec<DuplicateMember>, Vec<MatchInput>), AppError> {
        let names = company_names(self, session).await?;
        let mut found = (Vec::new(), Vec::new());
        self.each_record_data::<Contact>(session, |page| {
            read.fetch_add(page.len(), Ordering::Relaxed);
            for (id, c) in page {
                let company = c.companies.first().and_then(|l| names.get(&l.company_id.0));
                found
                    .1
                    .push(MatchInput::from_contact(&c, company.map(String::as_str)));
                found.0.push(DuplicateMember {
                    id,
                    external_id: c.external_id,
                });
            }
            Ok(())
        })
        .await?;
        Ok(found)
    }

    async fn company_inputs(
        &self,
        session: &Session,
        read: &AtomicUsize,
    ) -> Result<(Vec<DuplicateMember>, Vec<MatchInput>), AppError> {
        let mut found = (Vec::new(), Vec::new());
        self.each_record_data::<Company>(session, |page| {
            read.fetch_add(page.len(), Ordering::Relaxed);
            for (id, c) in page {
                found.1.push(MatchInput::from_company(&c));
                found.0.push(DuplicateMember {
                    id,
                    external_id: c.external_id,
                });
            }
            Ok(())
        })
        .await?;
        Ok(found)
    }
}
