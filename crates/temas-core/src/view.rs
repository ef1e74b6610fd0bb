//! Saved list views: which columns a list of contacts or companies shows, its filters and its sort, kept under a
//! name by the user who saved it and, when shared, seen by their team.

use crate::errors::{FieldErrors, clean_text};
use crate::filter::Sort;
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The lists a view can be saved for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ViewEntity {
    Contacts,
    Companies,
}

impl ViewEntity {
    pub fn as_str(self) -> &'static str {
        match self {
            ViewEntity::Contacts => "contacts",
            ViewEntity::Companies => "companies",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "contacts" => Some(ViewEntity::Contacts),
            "companies" => Some(ViewEntity::Companies),
            _ => None,
        }
    }

    /// The built-in columns a list of this entity can show, in the order a column menu offers them. Custom
    /// fields are offered after these as `custom.<key>`.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            ViewEntity::Contacts => &[
                "name",
                "email",
                "phone",
                "company",
                "job_title",
                "tags",
                "owner",
                "language",
                "gender",
                "birth_date",
                "source",
                "created_at",
                "updated_at",
            ],
            ViewEntity::Companies => &[
                "name",
                "domain",
                "industry",
                "size",
                "email",
                "phone",
                "tags",
                "owner",
                "created_at",
                "updated_at",
            ],
        }
    }

    /// The columns a list shows until the user chooses others.
    pub fn default_columns(self) -> Vec<String> {
        let keys: &[&str] = match self {
            ViewEntity::Contacts => &["name", "email", "phone", "job_title", "tags", "updated_at"],
            ViewEntity::Companies => &["name", "domain", "industry", "size", "updated_at"],
        };
        keys.iter().map(|k| (*k).to_owned()).collect()
    }
}

/// A view as a client writes it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewInput {
    pub name: Option<String>,
    /// `contacts` or `companies`.
    pub entity: Option<String>,
    /// Column keys in display order: built-in ones (see the list) or `custom.<key>`. Empty means the defaults.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Filters as the list takes them: `field:op:value`.
    #[serde(default)]
    pub filters: Vec<String>,
    /// As the list's `sort` parameter.
    pub sort: Option<String>,
    /// Seen by the owner's team (by everyone in the workspace when the owner has no team).
    #[serde(default)]
    pub shared: bool,
}

/// What a saved view holds; the same shape is stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ViewSettings {
    pub columns: Vec<String>,
    pub filters: Vec<String>,
    pub sort: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SavedView {
    pub id: Uuid,
    pub entity: ViewEntity,
    pub name: String,
    pub owner_id: UserId,
    pub shared: bool,
    #[serde(flatten)]
    pub settings: ViewSettings,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The most columns a view shows and the most filters it keeps.
pub const MAX_COLUMNS: usize = 30;
pub const MAX_FILTERS: usize = 20;

impl ViewInput {
    /// Checks the view. `custom_keys` are the entity's defined custom fields; `check_filter` checks one filter
    /// as the entity's list would (it needs the workspace's region).
    pub fn validate(
        self,
        custom_keys: &[String],
        check_filter: impl Fn(ViewEntity, &str) -> Result<(), FieldErrors>,
    ) -> Result<(ViewEntity, String, bool, ViewSettings), FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = clean_text(&mut errors, "name", self.name, 100);
        if name.is_none() {
            errors.add("name", "required", "a view needs a name");
        }
        let entity = match self.entity.as_deref().map(str::trim) {
            None | Some("") => {
                errors.add("entity", "required", "contacts or companies");
                None
            }
            Some(e) => {
                let parsed = ViewEntity::parse(e);
                if parsed.is_none() {
                    errors.add("entity", "invalid", "must be contacts or companies");
                }
                parsed
            }
        };
        let columns = match entity {
            Some(entity) => check_columns(&mut errors, entity, self.columns, custom_keys),
            None => Vec::new(),
        };
        if self.filters.len() > MAX_FILTERS {
            errors.add(
                "filters",
                "too_many",
                format!("at most {MAX_FILTERS} filters"),
            );
        }
        let filters: Vec<String> = self
            .filters
            .into_iter()
            .map(|f| f.trim().to_owned())
            .filter(|f| !f.is_empty())
            .collect();
        if let Some(entity) = entity {
            for (i, f) in filters.iter().enumerate() {
                if let Err(e) = check_filter(entity, f) {
                    for err in e.0 {
                        errors.add(format!("filters[{i}]"), &err.code, err.message);
                    }
                }
            }
        }
        let sort = self
            .sort
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty());
        if let Some(s) = &sort
            && let Err(e) = Sort::parse(s)
        {
            errors.0.extend(e.0);
        }
        let settings = ViewSettings {
            columns,
            filters,
            sort,
        };
        match (entity, name) {
            (Some(entity), Some(name)) if errors.is_empty() => {
                Ok((entity, name, self.shared, settings))
            }
            _ => Err(errors),
        }
    }
}

/// Keeps known column keys in the given order, once each; names each unknown one. No columns means the defaults.
fn check_columns(
    errors: &mut FieldErrors,
    entity: ViewEntity,
    columns: Vec<String>,
    custom_keys: &[String],
) -> Vec<String> {
    if columns.is_empty() {
        return entity.default_columns();
    }
    if columns.len() > MAX_COLUMNS {
        errors.add(
            "columns",
            "too_many",
            format!("at most {MAX_COLUMNS} columns"),
        );
    }
    let mut kept: Vec<String> = Vec::with_capacity(columns.len());
    for (i, column) in columns.into_iter().enumerate() {
        let column = column.trim().to_owned();
        if !is_column(entity, &column, custom_keys) {
            errors.add(
                format!("columns[{i}]"),
                "unknown_column",
                format!("{column} is not a column of {}", entity.as_str()),
            );
        } else if !kept.contains(&column) {
            kept.push(column);
        }
    }
    kept
}

/// Whether a list of `entity` can show `column`.
pub fn is_column(entity: ViewEntity, column: &str, custom_keys: &[String]) -> bool {
    match column.strip_prefix("custom.") {
        Some(key) => custom_keys.iter().any(|k| k == key),
        None => entity.columns().contains(&column),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_filter_errors(_: ViewEntity, _: &str) -> Result<(), FieldErrors> {
        Ok(())
    }

    fn input(columns: &[&str]) -> ViewInput {
        ViewInput {
            name: Some(" VIP in Tehran ".into()),
            entity: Some("contacts".into()),
            columns: columns.iter().map(|c| (*c).to_owned()).collect(),
            filters: vec!["tag:eq:vip".into(), " ".into()],
            sort: Some("-updated_at".into()),
            shared: true,
        }
    }

    #[test]
    fn a_valid_view_keeps_its_columns_in_order_once_each() {
        let keys = vec!["tier".to_owned()];
        let (entity, name, shared, settings) = input(&["email", "custom.tier", "name", "email"])
            .validate(&keys, no_filter_errors)
            .expect("valid");
        assert_eq!(entity, ViewEntity::Contacts);
        assert_eq!(name, "VIP in Tehran");
        assert!(shared);
        assert_eq!(settings.columns, ["email", "custom.tier", "name"]);
        assert_eq!(settings.filters, ["tag:eq:vip"]);
        assert_eq!(settings.sort.as_deref(), Some("-updated_at"));
    }

    #[test]
    fn no_columns_means_the_defaults() {
        let (_, _, _, settings) = input(&[]).validate(&[], no_filter_errors).expect("valid");
        assert_eq!(settings.columns, ViewEntity::Contacts.default_columns());
    }

    #[test]
    fn each_bad_part_is_named() {
        let mut bad = input(&["name", "shoe_size", "custom.nope"]);
        bad.name = Some("  ".into());
        bad.sort = Some("shoe_size".into());
        let errors = bad
            .validate(&[], |_, f| {
                Err(FieldErrors::single("filter", "invalid_filter", f))
            })
            .expect_err("invalid");
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["name", "columns[1]", "columns[2]", "filters[0]", "sort"]
        );
    }

    #[test]
    fn the_entity_must_be_a_list() {
        let mut bad = input(&[]);
        bad.entity = Some("interactions".into());
        let errors = bad.validate(&[], no_filter_errors).expect_err("invalid");
        assert_eq!(errors.0[0].field, "entity");
        assert!(is_column(ViewEntity::Companies, "domain", &[]));
        assert!(!is_column(ViewEntity::Contacts, "domain", &[]));
    }
}
