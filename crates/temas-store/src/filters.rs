//! Translates parsed list filters into SQL conditions over the record layout.

use crate::dialect::{json_number, json_text, json_text_sql, lower};
use crate::records::{table, terms_table};
use crate::types::{Backend, RecordKind};
use sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr, Value};
use temas_core::filter::{ColumnKind, Filter, FilterField, FilterValue, Op};
use temas_core::rfm::{RfmCuts, scored_column};

/// What filters read beyond the row: the workspace's RFM cuts, when a filter names a score, and the time now in
/// microseconds, which `days_since_…` fields count to.
pub(crate) struct FilterContext {
    pub rfm: Option<RfmCuts>,
    pub now: i64,
    /// Set (to the column the list sorts by) when a SQLite list walks its sort's index and tests each row: the
    /// conditions then write every other metric column under SQLite's no-op unary plus, which no index serves, so
    /// that the planner cannot read every match through a metric's index and sort them all instead (see
    /// `records::few_metric_matches`).
    pub walk_sort_index: Option<&'static str>,
}

impl FilterContext {
    /// The context of `filters` in a workspace: the RFM cuts are read only when one of them names a score.
    pub(crate) async fn of<'a>(
        pools: &crate::db::Pools,
        ws: crate::types::WorkspaceId,
        mut filters: impl Iterator<Item = &'a Filter>,
    ) -> Result<FilterContext, crate::types::StoreError> {
        let scored = filters.any(
            |f| matches!(f.field, FilterField::Column(name, _) if scored_column(name).is_some()),
        );
        Ok(FilterContext {
            rfm: if scored {
                crate::customer_metrics::cuts(pools, ws).await?
            } else {
                None
            },
            now: temas_core::time::to_micros(temas_core::time::now()),
            walk_sort_index: None,
        })
    }

    /// A column of table `t` as the conditions read it.
    fn column(&self, kind: RecordKind, t: &str, name: &str) -> SimpleExpr {
        let metric = crate::records::spec(kind).derived.contains(&name);
        match self.walk_sort_index {
            Some(sorted) if metric && sorted != name => Expr::cust(format!("+\"{t}\".\"{name}\"")),
            _ => Expr::col((Alias::new(t), Alias::new(name))),
        }
    }
}

/// The column a field is read from: a score its metric's, a `days_since_…` field its instant's, any other itself.
pub(crate) fn column_read(name: &'static str) -> &'static str {
    scored_column(name)
        .or_else(|| temas_core::filter::days_since_column(name))
        .unwrap_or(name)
}

/// Columns every record table has; a kind's extra columns (see [`crate::records::spec`]) exist too, and every
/// other field lives in the JSON data.
const COMMON_COLUMNS: &[&str] = &[
    "external_id",
    "owner_id",
    "team_id",
    "created_at",
    "updated_at",
];

fn is_real_column(kind: RecordKind, name: &str) -> bool {
    let spec = crate::records::spec(kind);
    COMMON_COLUMNS.contains(&name) || spec.extra.contains(&name) || spec.derived.contains(&name)
}

fn value(v: &FilterValue) -> Value {
    match v {
        FilterValue::None => Option::<String>::None.into(),
        FilterValue::Text(s) => s.clone().into(),
        FilterValue::Int(i) => (*i).into(),
        FilterValue::Uuid(u) => (*u).into(),
    }
}

fn compare(expr: SimpleExpr, op: Op, v: &FilterValue, text: bool) -> SimpleExpr {
    let val = value(v);
    let pattern = |prefix: &str, suffix: &str| {
        let raw = match v {
            FilterValue::Text(s) => s.to_lowercase(),
            _ => String::new(),
        };
        sea_query::LikeExpr::new(format!(
            "{prefix}{}{suffix}",
            crate::dialect::escape_like(&raw)
        ))
        .escape('\\')
    };
    match op {
        Op::Eq => expr.eq(val),
        Op::Ne => expr.clone().is_null().or(expr.ne(val)),
        Op::Contains => lower(expr).like(pattern("%", "%")),
        Op::StartsWith => lower(expr).like(pattern("", "%")),
        Op::Gt => expr.gt(val),
        Op::Gte => expr.gte(val),
        Op::Lt => expr.lt(val),
        Op::Lte => expr.lte(val),
        Op::Empty if text => expr.clone().is_null().or(expr.eq("")),
        Op::Empty => expr.is_null(),
        Op::NotEmpty if text => expr.clone().is_not_null().and(expr.ne("")),
        Op::NotEmpty => expr.is_not_null(),
    }
}

/// `EXISTS (a term of this record equals value)`.
fn has_term(kind: RecordKind, term: String) -> SimpleExpr {
    let t = table(kind);
    let Some(terms) = terms_table(kind) else {
        return Expr::cust("FALSE");
    };
    let sub = Query::select()
        .expr(Expr::val(1))
        .from(Alias::new(terms))
        .and_where(
            Expr::col((Alias::new(terms), Alias::new("workspace_id")))
                .equals((Alias::new(t), Alias::new("workspace_id"))),
        )
        .and_where(
            Expr::col((Alias::new(terms), Alias::new("record_id")))
                .equals((Alias::new(t), Alias::new("id"))),
        )
        .and_where(Expr::col((Alias::new(terms), Alias::new("term"))).eq(term))
        .to_owned();
    Expr::exists(sub)
}

fn linked_to_company(company: Value) -> SimpleExpr {
    let sub = Query::select()
        .expr(Expr::val(1))
        .from(Alias::new("contact_companies"))
        .and_where(
            Expr::col((Alias::new("contact_companies"), Alias::new("workspace_id")))
                .equals((Alias::new("contacts"), Alias::new("workspace_id"))),
        )
        .and_where(
            Expr::col((Alias::new("contact_companies"), Alias::new("contact_id")))
                .equals((Alias::new("contacts"), Alias::new("id"))),
        )
        .and_where(
            Expr::col((Alias::new("contact_companies"), Alias::new("company_id"))).eq(company),
        )
        .to_owned();
    Expr::exists(sub)
}

/// Whether any entry of the record's `array` (emails, phones) has `flag` set to `value`.
fn any_point_flagged(
    backend: Backend,
    t: &str,
    array: &str,
    flag: &str,
    value: bool,
) -> SimpleExpr {
    match backend {
        Backend::Sqlite => Expr::cust(format!(
            "EXISTS (SELECT 1 FROM json_each({t}.data, '$.{array}') AS p \
             WHERE json_extract(p.value, '$.{flag}') = {})",
            i32::from(value)
        )),
        Backend::Postgres => Expr::cust(format!(
            "jsonb_path_exists({t}.data, '$.{array}[*] ? (@.{flag} == {value})')"
        )),
    }
}

fn array_len(backend: Backend, t: &str, key: &str) -> SimpleExpr {
    match backend {
        Backend::Sqlite => Expr::cust(format!("json_array_length({t}.data, '$.{key}')")),
        Backend::Postgres => Expr::cust(format!("jsonb_array_length({t}.data->'{key}')")),
    }
}

/// A set-like filter (email, phone, tag, company): `eq`/`ne` test membership, `empty`/`notempty` the set's size.
fn membership(
    backend: Backend,
    kind: RecordKind,
    array_key: &str,
    op: Op,
    member: SimpleExpr,
) -> SimpleExpr {
    let t = table(kind);
    match op {
        Op::Ne => member.not(),
        Op::Empty => array_len(backend, t, array_key).eq(0),
        Op::NotEmpty => array_len(backend, t, array_key).gt(0),
        _ => member,
    }
}

pub(crate) fn condition(
    backend: Backend,
    kind: RecordKind,
    f: &Filter,
    cx: &FilterContext,
) -> SimpleExpr {
    let t = table(kind);
    let text_of = |v: &FilterValue| match v {
        FilterValue::Text(s) => s.clone(),
        _ => String::new(),
    };
    match &f.field {
        FilterField::Email => membership(
            backend,
            kind,
            "emails",
            f.op,
            has_term(kind, text_of(&f.value)),
        ),
        FilterField::Phone => {
            let national = temas_core::phone::national_of_e164(&text_of(&f.value)).to_owned();
            membership(backend, kind, "phones", f.op, has_term(kind, national))
        }
        FilterField::Tag => membership(
            backend,
            kind,
            "tags",
            f.op,
            has_term(kind, format!("#{}", text_of(&f.value))),
        ),
        FilterField::Company => membership(
            backend,
            kind,
            "companies",
            f.op,
            linked_to_company(value(&f.value)),
        ),
        FilterField::Unreachable(issue) => {
            let (array, flag, value) = issue.test();
            let any = any_point_flagged(backend, t, array, flag, value);
            match f.op {
                Op::Empty => any.not(),
                _ => any,
            }
        }
        FilterField::Custom(key) => {
            let numeric = matches!(f.op, Op::Gt | Op::Gte | Op::Lt | Op::Lte)
                && text_of(&f.value).parse::<f64>().is_ok();
            if numeric {
                let n: f64 = text_of(&f.value).parse().unwrap_or_default();
                let number = json_number(backend, t, key);
                match f.op {
                    Op::Gt => number.gt(n),
                    Op::Gte => number.gte(n),
                    Op::Lt => number.lt(n),
                    _ => number.lte(n),
                }
            } else {
                compare(json_text(backend, t, key, true), f.op, &f.value, true)
            }
        }
        FilterField::Column(name, _) if scored_column(name).is_some() => {
            let column = |name: &str| cx.column(kind, t, name);
            score_condition(column, column_read(name), cx.rfm.as_ref(), f)
        }
        FilterField::Column(name, ColumnKind::DaysSince) => {
            let days = match f.value {
                FilterValue::Int(v) => v,
                _ => 0,
            };
            let range = temas_core::filter::days_since_range(f.op, days, cx.now);
            instant_metric_condition(cx.column(kind, t, column_read(name)), f, range)
        }
        FilterField::Column(name, ColumnKind::Instant)
            if crate::records::spec(kind).derived.contains(name) =>
        {
            let range = match f.value {
                FilterValue::Int(at) => temas_core::filter::instant_range(f.op, at),
                _ => None,
            };
            instant_metric_condition(cx.column(kind, t, name), f, range)
        }
        FilterField::Column(name, kind_of) => {
            let expr = if is_real_column(kind, name) {
                cx.column(kind, t, name)
            } else {
                json_text(backend, t, name, false)
            };
            compare(expr, f.op, &f.value, *kind_of == ColumnKind::Text)
        }
    }
}

/// A filter on an RFM score as ranges of the metric it scores (see [`temas_core::rfm::select`]), which that
/// metric's index answers.
fn score_condition(
    column: impl Fn(&str) -> SimpleExpr,
    metric: &str,
    rfm: Option<&RfmCuts>,
    f: &Filter,
) -> SimpleExpr {
    let value = match f.value {
        FilterValue::Int(v) => v,
        _ => 0,
    };
    let selection = temas_core::rfm::select(rfm.and_then(|c| c.of_metric(metric)), f.op, value);
    let mut parts: Vec<SimpleExpr> = Vec::new();
    if selection.non_buyers {
        parts.push(column("orders_count").eq(0));
    }
    for (low, high) in selection.ranges {
        let mut range = column("orders_count").gt(0);
        if let Some(low) = low {
            range = range.and(column(metric).gt(low));
        }
        if let Some(high) = high {
            range = range.and(column(metric).lte(high));
        }
        parts.push(range);
    }
    parts
        .into_iter()
        .reduce(SimpleExpr::or)
        .unwrap_or_else(|| Expr::cust("1 = 0"))
}

/// A filter on an instant metric (`last_order_at`, `last_contact_at` …), which holds 0 when there is none: `empty`
/// matches those, and a comparison never does (a contact who never bought did not buy before any date).
/// Comparisons keep to instants above 0, a bound the metric's index seeks to past the contacts with none (half the
/// base can have none; skipping them one by one took 90 ms at 1,000,000 contacts). So an instant before 1970 is
/// not found by a comparison. A comparison, `range`, has one lower bound, never two: given `> 0 AND >= t`, SQLite
/// seeks to the first and tests the second on every entry past it (first purchases since a date read all the
/// earlier ones: 67 ms at 1,000,000 contacts).
fn instant_metric_condition(
    instant: SimpleExpr,
    f: &Filter,
    range: Option<temas_core::filter::InstantRange>,
) -> SimpleExpr {
    match f.op {
        Op::Empty => instant.eq(0),
        Op::NotEmpty => instant.ne(0),
        Op::Ne => instant.clone().gt(0).and(instant.ne(value(&f.value))),
        _ => match range {
            Some(range) => {
                let after = instant
                    .clone()
                    .gt(range.after.map_or(0, |a| Ord::max(a, 0)));
                match range.up_to {
                    Some(up_to) => after.and(instant.lte(up_to)),
                    None => after,
                }
            }
            None => Expr::cust("1 = 0"),
        },
    }
}

/// `CREATE INDEX` for lists filtered on `fields` together (plain columns or custom fields, see
/// [`temas_core::filter::indexable_fields`]) and sorted by name: the index leads with the workspace and the
/// fields' values, then follows the name order, so a filtered page by name reads only the rows it returns.
pub(crate) fn field_index_ddl(
    backend: Backend,
    kind: RecordKind,
    fields: &[FilterField],
) -> Option<FieldIndex> {
    let t = table(kind);
    let mut labels = Vec::with_capacity(fields.len());
    let mut exprs = Vec::with_capacity(fields.len());
    for field in fields {
        let (label, expr) = match field {
            FilterField::Column(name, _) if is_real_column(kind, name) => {
                ((*name).to_owned(), (*name).to_owned())
            }
            FilterField::Column(name, _) => (
                (*name).to_owned(),
                json_text_sql(backend, "data", name, false),
            ),
            FilterField::Custom(key) => (
                format!("custom_{key}"),
                json_text_sql(backend, "data", key, true),
            ),
            FilterField::Email
            | FilterField::Phone
            | FilterField::Tag
            | FilterField::Company
            | FilterField::Unreachable(_) => {
                return None;
            }
        };
        labels.push(label);
        exprs.push(expr);
    }
    if exprs.is_empty() {
        return None;
    }
    let mut name = format!("{t}_by_{}", labels.join("_"));
    // PostgreSQL cuts identifiers at 63 bytes; keep long names distinct with a hash of the whole.
    if name.len() > 63 {
        let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        name = format!("{}_{:08x}", &name[..50], hash as u32);
    }
    let mut ddl = format!(
        "CREATE INDEX IF NOT EXISTS {name} ON {t} (workspace_id, {}, sort_name, id) WHERE deleted_at IS NULL;",
        exprs.join(", ")
    );
    // PostgreSQL keeps no statistics for the expressions of a partial index, and without them guesses that any
    // value matches 0.5 % of the rows (a filter on a value held by a fifth of a million contacts took 800 ms).
    // Extended statistics on the expressions give it the real distribution. A lone plain column has its own.
    let json_fields = fields
        .iter()
        .filter(|f| {
            matches!(f, FilterField::Custom(_))
                || matches!(f, FilterField::Column(n, _) if !is_real_column(kind, n))
        })
        .count();
    if backend == Backend::Postgres && json_fields > 0 {
        ddl.push_str(&format!(
            "CREATE STATISTICS IF NOT EXISTS {name}_stats ON {} FROM {t};",
            exprs.join(", ")
        ));
    }
    Some(FieldIndex { name, ddl })
}

/// The index of declared fields: its name, and the statements that create it (and its statistics' definition).
pub(crate) struct FieldIndex {
    pub name: String,
    pub ddl: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use temas_core::filter::{CONTACT_COLUMNS, indexable_fields};

    fn ddl(backend: Backend, entry: &str) -> String {
        let fields = indexable_fields(entry, CONTACT_COLUMNS).unwrap();
        field_index_ddl(backend, RecordKind::Contact, &fields)
            .unwrap()
            .ddl
    }

    #[test]
    fn index_leads_with_the_values_and_follows_the_name_order() {
        assert_eq!(
            ddl(Backend::Sqlite, "gender,custom.tier"),
            "CREATE INDEX IF NOT EXISTS contacts_by_gender_custom_tier ON contacts (workspace_id, \
             json_extract(data, '$.gender'), json_extract(data, '$.custom.tier'), sort_name, id) \
             WHERE deleted_at IS NULL;"
        );
    }

    #[test]
    fn postgres_gets_statistics_for_json_fields_only() {
        let json = ddl(Backend::Postgres, "language");
        assert!(json.ends_with(
            "CREATE STATISTICS IF NOT EXISTS contacts_by_language_stats ON (data->>'language') FROM contacts;"
        ), "{json}");
        assert!(!ddl(Backend::Postgres, "owner_id").contains("STATISTICS"));
    }

    /// Walking the sort's index, every other metric a filter reads is out of the planner's reach; the sort's own
    /// column and plain columns are not.
    #[test]
    fn a_walk_of_the_sort_index_hides_the_other_metrics_from_the_planner() {
        let sql = |filter: &str, walk: Option<&'static str>| {
            let f = temas_core::filter::parse_filter(filter, CONTACT_COLUMNS, true, None).unwrap();
            let cx = FilterContext {
                rfm: None,
                now: 1_000_000_000_000_000,
                walk_sort_index: walk,
            };
            Query::select()
                .expr(Expr::val(1))
                .from(Alias::new("contacts"))
                .and_where(condition(Backend::Sqlite, RecordKind::Contact, &f, &cx))
                .to_string(sea_query::SqliteQueryBuilder)
        };
        let lapsed = "days_since_last_order:gt:180";
        assert!(sql(lapsed, None).contains(r#""contacts"."last_order_at" > 0"#));
        let walked = sql(lapsed, Some("total_spent_minor"));
        assert!(
            walked.contains(r#"(+"contacts"."last_order_at") > 0"#),
            "{walked}"
        );
        assert!(!sql(lapsed, Some("last_order_at")).contains('+'));
        assert!(!sql("language:eq:fa", Some("sort_name")).contains('+'));
        // One lower bound for the index to seek to, not `> 0` and the comparison's own.
        let since = sql("first_order_at:gte:2026-01-01", None);
        assert!(
            since.contains(r#""contacts"."first_order_at" > 1767225599999999"#)
                && !since.contains("> 0"),
            "{since}"
        );
        let spend = sql("orders_count:gte:2", Some("sort_name"));
        assert!(
            spend.contains(r#"(+"contacts"."orders_count") >= 2"#),
            "{spend}"
        );
    }

    #[test]
    fn long_names_stay_within_postgres_identifier_length() {
        let key = format!("custom.{}", "k".repeat(60));
        let d = ddl(Backend::Postgres, &key);
        let name = d.split_whitespace().nth(5).unwrap();
        assert!(name.len() <= 63, "{name}");
    }
}
