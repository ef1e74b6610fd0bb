//! Leads as records, and their conversion: one step that makes the lead a contact (or finds the one it already
//! is), a company when it names one, and a deal, and marks the lead converted.

use crate::records::{DuplicateCheck, RecordType, decode, searchable};
use crate::{App, AppError, Session};
use serde::Deserialize;
use temas_core::FieldErrors;
use temas_core::contact::{
    Company, CompanyInput, CompanyLink, Contact, ContactInput, RecordMeta, ValidationContext,
};
use temas_core::custom::Entity;
use temas_core::deal::{Deal, DealContact, DealInput};
use temas_core::filter::{ColumnKind, LEAD_COLUMNS};
use temas_core::ids::{CompanyId, ContactId, DealId, LeadId, UserId};
use temas_core::lead::{Conversion, Lead, LeadData, LeadInput};
use temas_core::points::{EmailInput, PhoneInput};
use temas_core::search::SearchKeys;
use temas_store::{Indexed, Links, NewRecord, RecordKind, Uuid};

/// How to convert a lead.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConvertLead {
    /// An existing contact the lead turns out to be; otherwise a contact is made from the lead.
    pub contact_id: Option<ContactId>,
    /// An existing company; otherwise one is made from the lead's company name, if it has one.
    pub company_id: Option<CompanyId>,
    /// Make the contact or company even though it probably duplicates one (answered with 409 and the
    /// candidates otherwise).
    #[serde(default)]
    pub create_anyway: bool,
    /// The deal to open; its name, contacts, company, lead and owner default from the lead. Absent: no deal.
    pub deal: Option<DealInput>,
}

/// What a conversion made or linked.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Converted {
    pub lead: Lead,
    pub contact: Contact,
    pub company: Option<Company>,
    pub deal: Option<Deal>,
}

impl App {
    /// Converts a lead the session sees. Everything is validated before anything is written.
    pub async fn convert_lead(
        &self,
        session: &Session,
        id: Uuid,
        request: ConvertLead,
    ) -> Result<Converted, AppError> {
        session.require_write()?;
        let stored = self
            .store
            .get_record(RecordKind::Lead, &session.viewer, id)
            .await?
            .filter(|s| s.meta.deleted_at.is_none())
            .ok_or(AppError::NotFound)?;
        let lead: Lead = decode(stored.clone())?;
        if lead.data.converted.is_some() {
            return Err(FieldErrors::single(
                "",
                "already_converted",
                "this lead was converted already",
            )
            .into());
        }
        let owner = lead.data.owner_id;
        let check = if request.create_anyway {
            DuplicateCheck::Skip
        } else {
            DuplicateCheck::Check
        };
        let mut new_company: Option<NewRecord> = None;
        let company_id = match (request.company_id, &lead.data.company_name) {
            (Some(c), _) => Some(self.get::<Company>(session, c.0).await?.id),
            (None, Some(name)) => {
                let input = CompanyInput {
                    name: Some(name.clone()),
                    owner_id: owner,
                    ..CompanyInput::default()
                };
                let record = self
                    .prepare_checked::<Company>(session, input, check)
                    .await?;
                let id = CompanyId(record.id);
                new_company = Some(record);
                Some(id)
            }
            (None, None) => None,
        };
        let mut new_contact: Option<NewRecord> = None;
        let contact_id = match request.contact_id {
            Some(c) => self.get::<Contact>(session, c.0).await?.id,
            None => {
                let input = contact_from(&lead.data, company_id);
                let record = self
                    .prepare_checked::<Contact>(session, input, check)
                    .await?;
                let id = ContactId(record.id);
                new_contact = Some(record);
                id
            }
        };
        let new_deal = match request.deal {
            Some(deal) => {
                let input = deal_from(&lead, deal, contact_id, company_id);
                let ctx = session.validation(self, Entity::Deal).await?;
                let data = Deal::validate(input, &ctx, None)?;
                Some(self.prepare_validated::<Deal>(session, data, false).await?)
            }
            None => None,
        };
        for (kind, record) in [
            (RecordKind::Company, new_company),
            (RecordKind::Contact, new_contact),
            (RecordKind::Deal, new_deal.clone()),
        ] {
            if let Some(r) = record {
                self.store
                    .insert_records(kind, &session.viewer, vec![r])
                    .await?;
            }
        }
        let deal_id = new_deal.map(|d| DealId(d.id));
        let converted = LeadData {
            status: "converted".into(),
            converted: Some(Conversion {
                contact_id,
                company_id,
                deal_id,
                at: temas_core::time::now(),
            }),
            ..lead.data.clone()
        };
        self.save_data::<Lead>(session, &stored, &lead.data, converted, "convert")
            .await?;
        Ok(Converted {
            lead: self.get::<Lead>(session, id).await?,
            contact: self.get::<Contact>(session, contact_id.0).await?,
            company: match company_id {
                Some(c) => Some(self.get::<Company>(session, c.0).await?),
                None => None,
            },
            deal: match deal_id {
                Some(d) => Some(self.get::<Deal>(session, d.0).await?),
                None => None,
            },
        })
    }

    /// The owner the workspace's assignment rules give a new lead of this territory and language: among the
    /// first matching rule's users (and its team's members), whoever got a lead least recently (`round_robin`) or
    /// has the fewest open leads (`workload`); ties go to the user listed first. `None` when no rule matches.
    pub(crate) async fn assigned_owner(
        &self,
        session: &Session,
        territory: Option<&str>,
        language: Option<&str>,
    ) -> Result<Option<UserId>, AppError> {
        let same = |want: &Option<String>, got: Option<&str>| {
            want.as_deref().is_none_or(|w| {
                got.is_some_and(|g| {
                    temas_core::normalize::search_key(w) == temas_core::normalize::search_key(g)
                })
            })
        };
        let rules = &session.workspace.settings.lead_assignment;
        let Some(rule) = rules
            .iter()
            .find(|r| same(&r.territory, territory) && same(&r.language, language))
        else {
            return Ok(None);
        };
        let ws = session.workspace.id;
        let mut pool = rule.users.clone();
        if let Some(team) = &rule.team {
            let teams = self.store.teams(ws).await?;
            if let Some(t) = teams.iter().find(|t| &t.name == team) {
                let members = self.store.users(ws).await?;
                for u in members.iter().filter(|u| u.team_id == Some(t.id)) {
                    if !pool.contains(&u.id) {
                        pool.push(u.id);
                    }
                }
            }
        }
        let load = self.store.lead_load(ws, &pool).await?;
        let of = |u: &UserId| {
            load.iter()
                .find(|l| l.user == *u)
                .map(|l| (l.open, l.last_assigned))
                .unwrap_or((0, i64::MIN))
        };
        let chosen = pool.iter().enumerate().min_by_key(|(i, u)| {
            let (open, last) = of(u);
            if rule.method == "workload" {
                (open, *i as i64)
            } else {
                (last, *i as i64)
            }
        });
        Ok(chosen.map(|(_, u)| *u))
    }

    /// Validates a new record and, with `DuplicateCheck::Check`, refuses it when it probably duplicates one.
    async fn prepare_checked<R: RecordType>(
        &self,
        session: &Session,
        input: R::Input,
        check: DuplicateCheck,
    ) -> Result<NewRecord, AppError> {
        let ctx = session.validation(self, R::ENTITY).await?;
        let data = R::validate(input, &ctx, None)?;
        if check == DuplicateCheck::Check {
            let found = self.probable_duplicates_of::<R>(session, &data).await?;
            if !found.is_empty() {
                return Err(AppError::ProbableDuplicates(found));
            }
        }
        self.prepare_validated::<R>(session, data, false).await
    }
}

fn contact_from(lead: &LeadData, company: Option<CompanyId>) -> ContactInput {
    ContactInput {
        first_name: lead.first_name.clone(),
        last_name: lead.last_name.clone(),
        display_name: (lead.first_name.is_none() && lead.last_name.is_none())
            .then(|| lead.display_name.clone()),
        job_title: lead.job_title.clone(),
        language: lead.language.clone(),
        source: lead.source.clone(),
        notes: lead.notes.clone(),
        emails: lead
            .email
            .iter()
            .map(|address| EmailInput {
                address: address.clone(),
                kind: "work".into(),
                primary: true,
                opted_out: false,
            })
            .collect(),
        phones: lead
            .phone
            .iter()
            .map(|number| PhoneInput {
                number: number.clone(),
                kind: "mobile".into(),
                primary: true,
                opted_out: false,
            })
            .collect(),
        companies: company
            .iter()
            .map(|c| CompanyLink {
                company_id: *c,
                role: "employee".into(),
            })
            .collect(),
        tags: lead.tags.clone(),
        owner_id: lead.owner_id,
        ..ContactInput::default()
    }
}

fn deal_from(
    lead: &Lead,
    mut deal: DealInput,
    contact: ContactId,
    company: Option<CompanyId>,
) -> DealInput {
    deal.name = deal.name.or_else(|| {
        Some(
            lead.data
                .company_name
                .clone()
                .unwrap_or_else(|| lead.data.display_name.clone()),
        )
    });
    if deal.contacts.is_empty() {
        deal.contacts.push(DealContact {
            contact_id: contact,
            role: Some("decision_maker".into()),
        });
    }
    deal.company_id = deal.company_id.or(company);
    deal.lead_id = Some(lead.id);
    deal.owner_id = deal.owner_id.or(lead.data.owner_id);
    deal
}

impl RecordType for Lead {
    type Input = LeadInput;
    type Data = LeadData;
    const KIND: RecordKind = RecordKind::Lead;
    const ENTITY: Entity = Entity::Lead;
    const COLUMNS: &'static [(&'static str, ColumnKind)] = LEAD_COLUMNS;

    fn validate(
        input: LeadInput,
        ctx: &ValidationContext,
        previous: Option<&LeadData>,
    ) -> Result<LeadData, FieldErrors> {
        input.validate(ctx, previous)
    }
    fn to_input(data: &LeadData) -> LeadInput {
        data.to_input()
    }
    fn owner(data: &LeadData) -> Option<UserId> {
        data.owner_id
    }
    fn set_owner(data: &mut LeadData, owner: UserId) {
        data.owner_id = Some(owner);
    }
    fn index(data: &LeadData) -> (Vec<String>, Indexed) {
        searchable(
            SearchKeys::default(),
            &[],
            &data.display_name,
            &data.external_id,
        )
    }
    fn links(_: &LeadData) -> Links {
        Links::default()
    }
    fn references(_: &LeadData) -> Vec<(RecordKind, Vec<Uuid>, &'static str)> {
        Vec::new()
    }
    fn external_id(data: &LeadData) -> Option<&str> {
        data.external_id.as_deref()
    }
    fn routing(data: &LeadData) -> Option<(Option<&str>, Option<&str>)> {
        Some((data.territory.as_deref(), data.language.as_deref()))
    }
    fn assemble(id: Uuid, version: i64, data: LeadData, meta: RecordMeta) -> Self {
        Lead {
            id: LeadId(id),
            version,
            data,
            meta,
        }
    }
}
