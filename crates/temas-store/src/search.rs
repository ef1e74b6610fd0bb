//! Search candidates: a prefix probe on the ordered terms index, then, when that finds too few, a fragment probe
//! on the trigram index. Ranking happens in the service over these few candidates.

use crate::db::Pools;
use crate::dialect::restrict_to_fragments;
use crate::records::{SearchRow, select_records, table, terms_table, visible};
use crate::types::*;
use sea_query::{Alias, Condition, Expr, ExprTrait, Order};

/// The smallest string greater than every string that starts with `prefix`.
fn prefix_end(prefix: &str) -> String {
    format!("{prefix}\u{10FFFF}")
}

pub(crate) async fn candidates(
    pools: &Pools,
    kind: RecordKind,
    viewer: &Viewer,
    query: &SearchQuery,
    limit: u32,
) -> Result<Vec<SearchCandidate>, StoreError> {
    let t = table(kind);
    let Some(terms) = terms_table(kind) else {
        return Ok(Vec::new());
    };
    let fetch = u64::from(limit) * 3;

    let mut prefix = select_records(kind);
    prefix
        .expr(Expr::col((Alias::new(t), Alias::new("search_doc"))))
        .inner_join(
            Alias::new(terms),
            Condition::all()
                .add(
                    Expr::col((Alias::new(terms), Alias::new("workspace_id")))
                        .equals((Alias::new(t), Alias::new("workspace_id"))),
                )
                .add(
                    Expr::col((Alias::new(terms), Alias::new("record_id")))
                        .equals((Alias::new(t), Alias::new("id"))),
                ),
        )
        .cond_where(visible(kind, viewer))
        .and_where(
            Expr::col((Alias::new(terms), Alias::new("workspace_id"))).eq(viewer.workspace_id.0),
        )
        .and_where(Expr::col((Alias::new(terms), Alias::new("term"))).gte(query.probe.clone()))
        .and_where(Expr::col((Alias::new(terms), Alias::new("term"))).lt(prefix_end(&query.probe)))
        .and_where(Expr::col((Alias::new(t), Alias::new("deleted_at"))).is_null())
        .order_by((Alias::new(terms), Alias::new("term")), Order::Asc)
        .limit(fetch);
    let mut found: Vec<SearchCandidate> = pools
        .fetch_all::<SearchRow, _>(&prefix)
        .await?
        .into_iter()
        .map(SearchRow::into_candidate)
        .collect();
    found.sort_by_key(|c| c.record.id);
    found.dedup_by_key(|c| c.record.id);

    let words: Vec<String> = query
        .words
        .iter()
        .filter(|w| w.chars().count() >= 3)
        .cloned()
        .collect();
    if found.len() < limit as usize && !words.is_empty() {
        let mut infix = select_records(kind);
        infix
            .expr(Expr::col((Alias::new(t), Alias::new("search_doc"))))
            .cond_where(visible(kind, viewer))
            .and_where(Expr::col((Alias::new(t), Alias::new("deleted_at"))).is_null())
            .limit(fetch);
        if !restrict_to_fragments(pools, &mut infix, t, &words, fetch * 4).await? {
            return Ok(found);
        }
        for c in pools.fetch_all::<SearchRow, _>(&infix).await? {
            let c = c.into_candidate();
            if !found.iter().any(|f| f.record.id == c.record.id) {
                found.push(c);
            }
        }
    }
    Ok(found)
}
