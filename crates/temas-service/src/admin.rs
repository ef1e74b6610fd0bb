//! Workspace set-up and administration: workspaces, users, teams, tokens, custom fields, preferences, settings.

use crate::auth::{check_password, hash_password, new_token};
use crate::{App, AppError, Session};
use serde::Deserialize;
use temas_core::FieldErrors;
use temas_core::access::Role;
use temas_core::custom::{CustomFieldDef, Entity, NewCustomField};
use temas_core::filter::{COMPANY_COLUMNS, CONTACT_COLUMNS, FilterField, indexable_fields};
use temas_core::ids::{CustomFieldId, UserId, WorkspaceId};
pub use temas_store::Workspace;
use temas_store::{
    IndexedFields, NewToken, NewUser, RecordKind, User, UserPrefs, Uuid, WorkspaceSettings,
};

/// What `temas init` needs.
#[derive(Debug, Clone)]
pub struct InitWorkspace {
    pub name: String,
    pub admin_email: String,
    pub admin_password: String,
    pub default_region: String,
    pub default_currency: String,
}

fn check_email(email: &str) -> Result<String, AppError> {
    temas_core::email::normalize_email(email)
        .map_err(|reason| AppError::Invalid(FieldErrors::single("email", "invalid_email", reason)))
}

fn check_region(region: &str) -> Result<String, FieldErrors> {
    let upper = region.trim().to_ascii_uppercase();
    temas_core::phone::parse_region(&upper)
        .map(|_| upper)
        .ok_or_else(|| {
            FieldErrors::single(
                "default_region",
                "invalid_region",
                "must be an ISO 3166 country code such as IR",
            )
        })
}

fn check_currency(currency: &str) -> Result<String, FieldErrors> {
    let upper = currency.trim().to_ascii_uppercase();
    if upper.len() == 3 && upper.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(upper)
    } else {
        Err(FieldErrors::single(
            "default_currency",
            "invalid_currency",
            "must be an ISO 4217 code such as IRR or USD",
        ))
    }
}

/// What `PATCH /api/v1/users/me` accepts.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrefsPatch {
    pub name: Option<String>,
    /// en, fa, ar, ru or tr.
    pub language: Option<String>,
    /// gregorian, persian or hijri.
    pub calendar: Option<String>,
    /// latin, persian or arabic.
    pub digits: Option<String>,
    /// IANA time zone.
    pub time_zone: Option<String>,
}

/// Display preferences as a workspace sets them for its new users: any of the four, the rest unchanged.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserDefaultsPatch {
    /// en, fa, ar, ru or tr.
    pub language: Option<String>,
    /// gregorian, persian or hijri.
    pub calendar: Option<String>,
    /// latin, persian or arabic.
    pub digits: Option<String>,
    /// IANA time zone.
    pub time_zone: Option<String>,
}

/// Applies the given preferences to `prefs`, naming each bad one as `<prefix><field>`.
fn apply_prefs(
    errors: &mut FieldErrors,
    prefix: &str,
    patch: UserDefaultsPatch,
    prefs: &mut UserPrefs,
) {
    let mut pick = |field: &str, value: Option<String>, allowed: &[&str], target: &mut String| {
        if let Some(v) = value {
            if allowed.contains(&v.as_str()) {
                *target = v;
            } else {
                errors.add(
                    format!("{prefix}{field}"),
                    "invalid_value",
                    format!("must be one of {}", allowed.join(", ")),
                );
            }
        }
    };
    pick(
        "language",
        patch.language,
        &["en", "fa", "ar", "ru", "tr"],
        &mut prefs.language,
    );
    pick(
        "calendar",
        patch.calendar,
        &["gregorian", "persian", "hijri"],
        &mut prefs.calendar,
    );
    pick(
        "digits",
        patch.digits,
        &["latin", "persian", "arabic"],
        &mut prefs.digits,
    );
    let field = format!("{prefix}time_zone");
    if let Some(tz) = temas_core::contact::check_time_zone(errors, &field, patch.time_zone) {
        prefs.time_zone = tz;
    }
}

/// Changes to the workspace's settings (owners and admins).
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkspacePatch {
    pub name: Option<String>,
    /// ISO 3166 region for phone numbers typed without a country code, e.g. `IR`.
    pub default_region: Option<String>,
    /// ISO 4217 currency code, e.g. `IRR`.
    pub default_currency: Option<String>,
    /// Which records each role sees: `own`, `team` or `all` (the owner always sees all).
    pub visibility: Option<temas_core::access::VisibilitySettings>,
    /// Fields lists are often filtered by; each entry gets an index (built when set, which takes seconds on a
    /// large base). Plain fields such as `language`, custom fields as `custom.<key>`, or up to three fields
    /// filtered together as `gender,language`.
    pub indexed_fields: Option<IndexedFields>,
    /// The language, calendar, digits and time zone new users start with (each user can change theirs).
    pub user_defaults: Option<UserDefaultsPatch>,
    /// Duplicate groups at or above this confidence (0.5 to 1) are merged without review by
    /// `temas dedupe --apply`; `null` turns automatic merging off.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<f64>)]
    pub auto_merge_confidence: Option<Option<f64>>,
    /// Replaces the exchange rates: what one unit of each other currency is worth in the workspace's, from a date.
    pub currency_rates: Option<Vec<temas_core::forecast::CurrencyRate>>,
    /// Replaces the follow-up rules.
    pub follow_ups: Option<temas_store::FollowUpSettings>,
    /// Replaces the lead assignment rules.
    pub lead_assignment: Option<Vec<temas_store::AssignmentRule>>,
    /// When the daily jobs (RFM scores, follow-up tasks) run.
    pub schedule: Option<temas_store::ScheduleSettings>,
}

/// A field that is present, even as `null` (`Some(None)`), as against absent (`None`).
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// An admin's change to a user: their role, their team (by name; empty for none), or both.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    pub role: Option<Role>,
    /// The team's name; it is created when new. An empty name takes the user out of their team.
    pub team: Option<String>,
}

/// Changes to a custom field definition: rename, reorder, make required or not, retire.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomFieldPatch {
    pub label: Option<String>,
    pub position: Option<i32>,
    pub required: Option<bool>,
    pub options: Option<Vec<String>>,
    pub retired: Option<bool>,
}

impl App {
    /// Creates a workspace and its owner.
    pub async fn init_workspace(&self, init: InitWorkspace) -> Result<(Workspace, User), AppError> {
        let mut errors = FieldErrors::default();
        if init.name.trim().is_empty() {
            errors.add("workspace", "required", "a workspace needs a name");
        }
        let region = check_region(&init.default_region)
            .map_err(|e| errors.0.extend(e.0))
            .ok();
        let currency = check_currency(&init.default_currency)
            .map_err(|e| errors.0.extend(e.0))
            .ok();
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let email = check_email(&init.admin_email)?;
        check_password(&init.admin_password)?;
        let workspace = Workspace {
            id: WorkspaceId::new(),
            name: init.name.trim().to_owned(),
            default_region: region.unwrap_or_default(),
            default_currency: currency.unwrap_or_default(),
            settings: WorkspaceSettings::default(),
            created_at: temas_core::time::now(),
        };
        let owner = User {
            id: UserId::new(),
            workspace_id: workspace.id,
            name: email.split('@').next().unwrap_or_default().to_owned(),
            email,
            role: Role::Owner,
            team_id: None,
            prefs: UserPrefs::default(),
            created_at: temas_core::time::now(),
        };
        let password_hash = hash_password(&init.admin_password)?;
        self.store
            .create_workspace(
                &workspace,
                &NewUser {
                    user: owner.clone(),
                    password_hash,
                },
            )
            .await?;
        Ok((workspace, owner))
    }

    /// Adds a user to a workspace, creating the named team if needed. Used by the CLI and by admins.
    pub async fn add_user(
        &self,
        workspace: WorkspaceId,
        email: &str,
        password: &str,
        role: Role,
        team: Option<&str>,
    ) -> Result<User, AppError> {
        let email = check_email(email)?;
        check_password(password)?;
        let team_id = match team.map(str::trim).filter(|t| !t.is_empty()) {
            Some(name) => Some(self.store.ensure_team(workspace, name).await?.id),
            None => None,
        };
        let prefs = self
            .store
            .workspace(workspace)
            .await?
            .map(|w| w.settings.user_defaults)
            .unwrap_or_default();
        let user = User {
            id: UserId::new(),
            workspace_id: workspace,
            name: email.split('@').next().unwrap_or_default().to_owned(),
            email,
            role,
            team_id,
            prefs,
            created_at: temas_core::time::now(),
        };
        let password_hash = hash_password(password)?;
        self.store
            .create_user(&NewUser {
                user: user.clone(),
                password_hash,
            })
            .await?;
        Ok(user)
    }

    /// An owner or admin changes a user's role or team. Only an owner makes or unmakes owners, and the last owner
    /// stays one. The user's open sessions take the change at once.
    pub async fn change_user(
        &self,
        session: &Session,
        id: UserId,
        patch: UserPatch,
    ) -> Result<User, AppError> {
        session.require_admin()?;
        let mut user = self
            .store
            .user(session.workspace.id, id)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some(role) = patch.role {
            let touches_owner = role == Role::Owner || user.role == Role::Owner;
            if touches_owner && session.user.role != Role::Owner {
                return Err(AppError::Forbidden(
                    "only an owner can make or change an owner",
                ));
            }
            if user.role == Role::Owner && role != Role::Owner {
                let owners = self
                    .store
                    .users(session.workspace.id)
                    .await?
                    .iter()
                    .filter(|u| u.role == Role::Owner)
                    .count();
                if owners <= 1 {
                    return Err(FieldErrors::single(
                        "role",
                        "last_owner",
                        "the workspace needs an owner; make someone else owner first",
                    )
                    .into());
                }
            }
            user.role = role;
        }
        if let Some(team) = patch.team {
            user.team_id = match team.trim() {
                "" => None,
                name => Some(self.store.ensure_team(session.workspace.id, name).await?.id),
            };
        }
        self.store.update_user(&user).await?;
        self.forget_sessions();
        Ok(user)
    }

    /// An admin adds a user through the API.
    pub async fn create_user(
        &self,
        session: &Session,
        email: &str,
        password: &str,
        role: Role,
        team: Option<&str>,
    ) -> Result<User, AppError> {
        session.require_admin()?;
        if role == Role::Owner && session.user.role != Role::Owner {
            return Err(AppError::Forbidden("only the owner can add another owner"));
        }
        self.add_user(session.workspace.id, email, password, role, team)
            .await
    }

    /// Issues an API token for the user with this email; returns the token, shown once.
    pub async fn issue_token(&self, email: &str, name: &str) -> Result<String, AppError> {
        let email = check_email(email)?;
        let secret = self
            .store
            .user_by_email(&email)
            .await?
            .ok_or(AppError::NotFound)?;
        let (token, hash) = new_token();
        let record = NewToken {
            id: Uuid::now_v7(),
            workspace_id: secret.user.workspace_id,
            user_id: secret.user.id,
            name: name.to_owned(),
            token_hash: hash,
        };
        self.store.create_token(&record).await?;
        Ok(token)
    }

    pub async fn update_prefs(
        &self,
        session: &Session,
        patch: PrefsPatch,
    ) -> Result<User, AppError> {
        let mut errors = FieldErrors::default();
        let mut user = session.user.clone();
        let prefs = UserDefaultsPatch {
            language: patch.language,
            calendar: patch.calendar,
            digits: patch.digits,
            time_zone: patch.time_zone,
        };
        apply_prefs(&mut errors, "", prefs, &mut user.prefs);
        if let Some(name) = temas_core::errors::clean_text(&mut errors, "name", patch.name, 200) {
            user.name = name;
        }
        errors.into_result(())?;
        self.store.update_user(&user).await?;
        self.forget_sessions();
        Ok(user)
    }

    pub async fn update_workspace(
        &self,
        session: &Session,
        patch: WorkspacePatch,
    ) -> Result<Workspace, AppError> {
        session.require_admin()?;
        let mut errors = FieldErrors::default();
        let mut workspace = session.workspace.clone();
        if let Some(name) = patch.name {
            match name.trim() {
                "" => errors.add("name", "required", "a workspace needs a name"),
                trimmed => workspace.name = trimmed.to_owned(),
            }
        }
        if let Some(region) = patch.default_region {
            match check_region(&region) {
                Ok(r) => workspace.default_region = r,
                Err(e) => errors.0.extend(e.0),
            }
        }
        if let Some(currency) = patch.default_currency {
            match check_currency(&currency) {
                Ok(c) => workspace.default_currency = c,
                Err(e) => errors.0.extend(e.0),
            }
        }
        if let Some(visibility) = patch.visibility {
            workspace.settings.visibility = visibility;
        }
        if let Some(defaults) = patch.user_defaults {
            apply_prefs(
                &mut errors,
                "user_defaults.",
                defaults,
                &mut workspace.settings.user_defaults,
            );
        }
        if let Some(confidence) = patch.auto_merge_confidence {
            match confidence {
                Some(c) if !(0.5..=1.0).contains(&c) => errors.add(
                    "auto_merge_confidence",
                    "out_of_range",
                    "choose a confidence between 0.5 and 1, or null to review every group",
                ),
                c => workspace.settings.auto_merge_confidence = c,
            }
        }
        if let Some(rates) = patch.currency_rates {
            workspace.settings.currency_rates = temas_core::forecast::validate_rates(
                &mut errors,
                rates,
                &workspace.default_currency,
            );
        }
        if let Some(rules) = patch.follow_ups {
            for (field, days) in [
                ("follow_ups.no_contact_days", rules.no_contact_days),
                ("follow_ups.birthday_days_ahead", rules.birthday_days_ahead),
            ] {
                if days.is_some_and(|d| !(1..=366).contains(&d)) {
                    errors.add(
                        field,
                        "out_of_range",
                        "from 1 to 366 days, or null for none",
                    );
                }
            }
            workspace.settings.follow_ups = rules;
        }
        if let Some(rules) = patch.lead_assignment {
            let users = self.store.users(workspace.id).await?;
            let teams = self.store.teams(workspace.id).await?;
            for (i, rule) in rules.iter().enumerate() {
                let field = |f: &str| format!("lead_assignment[{i}].{f}");
                if !["round_robin", "workload"].contains(&rule.method.as_str()) {
                    errors.add(field("method"), "invalid_value", "round_robin or workload");
                }
                if rule.users.iter().any(|u| !users.iter().any(|x| x.id == *u)) {
                    errors.add(
                        field("users"),
                        "unknown_user",
                        "no user of this workspace has this id",
                    );
                }
                if let Some(team) = &rule.team
                    && !teams.iter().any(|t| &t.name == team)
                {
                    errors.add(
                        field("team"),
                        "unknown_team",
                        "no team of this workspace has this name",
                    );
                }
                if rule.users.is_empty() && rule.team.is_none() {
                    errors.add(
                        field("users"),
                        "required",
                        "name the users or the team to assign to",
                    );
                }
            }
            workspace.settings.lead_assignment = rules;
        }
        if let Some(schedule) = patch.schedule {
            if schedule.daily_hour.is_some_and(|h| h > 23) {
                errors.add(
                    "schedule.daily_hour",
                    "out_of_range",
                    "an hour from 0 to 23, or null to run the daily jobs only on demand",
                );
            }
            workspace.settings.schedule = schedule;
        }
        let mut to_index = Vec::new();
        if let Some(fields) = patch.indexed_fields {
            to_index = self.indexable(session, &fields, &mut errors).await?;
            workspace.settings.indexed_fields = fields;
        }
        errors.into_result(())?;
        for (kind, fields) in &to_index {
            self.store.ensure_field_index(*kind, fields).await?;
        }
        self.store.update_workspace(&workspace).await?;
        // Sessions carry the scope of their role: drop them so that the new settings apply at once.
        self.forget_sessions();
        let old = &session.workspace;
        let home_changed = workspace.default_currency != old.default_currency;
        if home_changed || workspace.settings.currency_rates != old.settings.currency_rates {
            // Orders are kept converted into the workspace's currency: those the change affects are converted
            // again (with a new currency, all of them), and their customers' metrics follow.
            let home = (!home_changed).then_some(workspace.default_currency.as_str());
            self.store.convert_again(workspace.id, home).await?;
            let updated = Session {
                workspace: workspace.clone(),
                ..session.clone()
            };
            self.convert_pending_orders(&updated).await?;
        }
        Ok(workspace)
    }

    /// Resolves the fields to index, adding an error for each that cannot be: unknown, always indexed already,
    /// or a custom field the workspace has not defined for that entity.
    async fn indexable(
        &self,
        session: &Session,
        fields: &IndexedFields,
        errors: &mut FieldErrors,
    ) -> Result<Vec<(RecordKind, Vec<FilterField>)>, AppError> {
        let defs = self.store.custom_fields(session.workspace.id).await?;
        let mut out = Vec::new();
        let entities = [
            (
                "contacts",
                &fields.contacts,
                RecordKind::Contact,
                Entity::Contact,
                CONTACT_COLUMNS,
            ),
            (
                "companies",
                &fields.companies,
                RecordKind::Company,
                Entity::Company,
                COMPANY_COLUMNS,
            ),
        ];
        for (label, names, kind, entity, columns) in entities {
            for (i, name) in names.iter().enumerate() {
                let path = format!("indexed_fields.{label}[{i}]");
                let unknown_custom = |fields: &[FilterField]| {
                    fields.iter().find_map(|f| match f {
                        FilterField::Custom(key)
                            if !defs.iter().any(|d| d.entity == entity && &d.key == key) =>
                        {
                            Some(key.clone())
                        }
                        _ => None,
                    })
                };
                match indexable_fields(name, columns) {
                    Ok(fields) => match unknown_custom(&fields) {
                        Some(key) => errors.add(
                            path,
                            "unknown_field",
                            format!("no custom field {key} on {label}"),
                        ),
                        None => out.push((kind, fields)),
                    },
                    Err(reason) => errors.add(path, "not_indexable", reason),
                }
            }
        }
        Ok(out)
    }

    /// The workspace's users and teams.
    pub async fn users(
        &self,
        session: &Session,
    ) -> Result<(Vec<User>, Vec<temas_store::Team>), AppError> {
        let ws = session.workspace.id;
        Ok((self.store.users(ws).await?, self.store.teams(ws).await?))
    }

    pub async fn custom_fields(&self, session: &Session) -> Result<Vec<CustomFieldDef>, AppError> {
        Ok(self.store.custom_fields(session.workspace.id).await?)
    }

    pub async fn create_custom_field(
        &self,
        session: &Session,
        input: NewCustomField,
    ) -> Result<CustomFieldDef, AppError> {
        session.require_admin()?;
        let existing = self.store.custom_fields(session.workspace.id).await?;
        let position = existing
            .iter()
            .filter(|d| d.entity == input.entity)
            .map(|d| d.position + 1)
            .max()
            .unwrap_or(0);
        let def = input.validate(position)?;
        self.store
            .create_custom_field(session.workspace.id, &def)
            .await?;
        Ok(def)
    }

    pub async fn update_custom_field(
        &self,
        session: &Session,
        id: CustomFieldId,
        patch: CustomFieldPatch,
    ) -> Result<CustomFieldDef, AppError> {
        session.require_admin()?;
        let defs = self.store.custom_fields(session.workspace.id).await?;
        let mut def = defs
            .into_iter()
            .find(|d| d.id == id)
            .ok_or(AppError::NotFound)?;
        if let Some(label) = patch.label.map(|l| l.trim().to_owned()) {
            if label.is_empty() {
                return Err(FieldErrors::single("label", "required", "must not be empty").into());
            }
            def.label = label;
        }
        def.position = patch.position.unwrap_or(def.position);
        def.required = patch.required.unwrap_or(def.required);
        def.retired = patch.retired.unwrap_or(def.retired);
        if let Some(options) = patch.options {
            // Removing an option would orphan stored values; options can only be added.
            if let Some(missing) = def.options.iter().find(|o| !options.contains(o)) {
                return Err(FieldErrors::single(
                    "options",
                    "option_in_use",
                    format!("{missing} cannot be removed"),
                )
                .into());
            }
            def.options = options;
        }
        self.store
            .update_custom_field(session.workspace.id, &def)
            .await?;
        Ok(def)
    }
}
