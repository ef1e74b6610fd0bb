//! Search across contacts and companies: candidates from the store's indexes, ranked here.

use crate::{App, AppError, Session};
use serde::Serialize;
use temas_core::search::{analyze_query, score};
use temas_store::{RecordKind, Uuid};

/// One search result.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SearchHit {
    /// contact or company.
    pub entity: &'static str,
    #[schema(value_type = String, format = Uuid)]
    pub id: Uuid,
    pub name: String,
    /// The primary email or phone, or the domain, to tell namesakes apart.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Higher is better.
    pub score: u32,
}

fn primary_detail(data: &serde_json::Value) -> Option<String> {
    let first = |key: &str, field: &str| {
        data.get(key)?
            .as_array()?
            .iter()
            .find(|v| v["primary"].as_bool() == Some(true))?
            .get(field)?
            .as_str()
            .map(str::to_owned)
    };
    first("emails", "address")
        .or_else(|| first("phones", "number"))
        .or_else(|| data.get("domain")?.as_str().map(str::to_owned))
}

pub const MAX_SEARCH_LIMIT: u32 = 50;

impl App {
    /// Finds contacts and companies by any fragment of a name, email, phone or domain, best first.
    pub async fn search(
        &self,
        session: &Session,
        q: &str,
        limit: u32,
    ) -> Result<Vec<SearchHit>, AppError> {
        let limit = limit.clamp(1, MAX_SEARCH_LIMIT);
        let Some(query) = analyze_query(q, session.region()) else {
            return Ok(Vec::new());
        };
        let mut hits = Vec::new();
        for kind in [RecordKind::Contact, RecordKind::Company] {
            for c in self
                .store
                .search_candidates(kind, &session.viewer, &query, limit)
                .await?
            {
                let Some(score) = score(&query, &c.doc) else {
                    continue;
                };
                let name_key = if kind == RecordKind::Contact {
                    "display_name"
                } else {
                    "name"
                };
                let name = c
                    .record
                    .data
                    .get(name_key)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned();
                hits.push(SearchHit {
                    entity: kind.entity(),
                    id: c.record.id,
                    detail: primary_detail(&c.record.data),
                    name,
                    score,
                });
            }
        }
        hits.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.name.len().cmp(&b.name.len()))
                .then_with(|| a.name.cmp(&b.name))
        });
        hits.truncate(limit as usize);
        Ok(hits)
    }
}
