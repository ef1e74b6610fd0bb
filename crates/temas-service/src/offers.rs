//! Offers as records: the generic use cases serve them; the customer and the time go to their own columns so a
//! customer's offers are found without reading every one.

use crate::records::RecordType;
use temas_core::FieldErrors;
use temas_core::contact::{RecordMeta, ValidationContext};
use temas_core::custom::Entity;
use temas_core::filter::{ColumnKind, OFFER_COLUMNS};
use temas_core::ids::{OfferId, UserId};
use temas_core::normalize::search_key;
use temas_core::offer::{Offer, OfferData, OfferInput};
use temas_store::{Indexed, Links, RecordKind, Uuid};

impl RecordType for Offer {
    type Input = OfferInput;
    type Data = OfferData;
    const KIND: RecordKind = RecordKind::Offer;
    const ENTITY: Entity = Entity::Offer;
    const COLUMNS: &'static [(&'static str, ColumnKind)] = OFFER_COLUMNS;

    fn validate(
        input: OfferInput,
        ctx: &ValidationContext,
        previous: Option<&OfferData>,
    ) -> Result<OfferData, FieldErrors> {
        input.validate(ctx, previous, temas_core::time::now())
    }
    fn to_input(data: &OfferData) -> OfferInput {
        data.to_input()
    }
    fn owner(data: &OfferData) -> Option<UserId> {
        data.owner_id
    }
    fn set_owner(data: &mut OfferData, owner: UserId) {
        data.owner_id = Some(owner);
    }
    fn index(data: &OfferData) -> (Vec<String>, Indexed) {
        let indexed = Indexed {
            sort_name: search_key(&data.title),
            external_id: data.external_id.clone(),
            occurred_at: Some(data.offered_at.timestamp_micros()),
            company_id: data.company_id.map(|c| c.0),
            contact_id: data.contact_id.map(|c| c.0),
            ..Indexed::default()
        };
        (Vec::new(), indexed)
    }
    fn links(_: &OfferData) -> Links {
        Links::default()
    }
    fn references(data: &OfferData) -> Vec<(RecordKind, Vec<Uuid>, &'static str)> {
        let one = |kind, id: Option<Uuid>, field| (kind, id.into_iter().collect(), field);
        vec![
            one(
                RecordKind::Contact,
                data.contact_id.map(|c| c.0),
                "contact_id",
            ),
            one(
                RecordKind::Company,
                data.company_id.map(|c| c.0),
                "company_id",
            ),
            one(RecordKind::Deal, data.deal_id.map(|d| d.0), "deal_id"),
            one(RecordKind::Order, data.order_id.map(|o| o.0), "order_id"),
            (
                RecordKind::Product,
                data.lines
                    .iter()
                    .filter_map(|l| l.product_id.map(|p| p.0))
                    .collect(),
                "lines",
            ),
        ]
    }
    fn external_id(data: &OfferData) -> Option<&str> {
        data.external_id.as_deref()
    }
    fn assemble(id: Uuid, version: i64, data: OfferData, meta: RecordMeta) -> Self {
        Offer {
            id: OfferId(id),
            version,
            data,
            meta,
        }
    }
}
