//! Products and services as records: the generic use cases (create, bulk upsert by external id, read, patch,
//! trash, list with filters, history) serve them as they serve contacts.

use crate::records::{RecordType, searchable};
use crate::{AppError, Session};
use temas_core::FieldErrors;
use temas_core::contact::{RecordMeta, ValidationContext};
use temas_core::custom::Entity;
use temas_core::filter::{ColumnKind, PRODUCT_COLUMNS};
use temas_core::ids::{ProductId, UserId};
use temas_core::product::{Product, ProductData, ProductInput};
use temas_core::search::SearchKeys;
use temas_store::{Indexed, Links, RecordKind, Uuid};

impl RecordType for Product {
    type Input = ProductInput;
    type Data = ProductData;
    const KIND: RecordKind = RecordKind::Product;
    const ENTITY: Entity = Entity::Product;
    const COLUMNS: &'static [(&'static str, ColumnKind)] = PRODUCT_COLUMNS;

    fn validate(
        input: ProductInput,
        ctx: &ValidationContext,
        previous: Option<&ProductData>,
    ) -> Result<ProductData, FieldErrors> {
        input.validate(ctx, previous.map(|p| &p.custom))
    }
    fn to_input(data: &ProductData) -> ProductInput {
        data.to_input()
    }
    fn owner(data: &ProductData) -> Option<UserId> {
        data.owner_id
    }
    fn set_owner(data: &mut ProductData, owner: UserId) {
        data.owner_id = Some(owner);
    }
    /// Tags are terms (so lists filter on them); products are not searched by fragment, so no search text. The
    /// category and brand have columns, which the customers' favourites group by.
    fn index(data: &ProductData) -> (Vec<String>, Indexed) {
        let (terms, indexed) = searchable(
            SearchKeys::default(),
            &data.tags,
            &data.name,
            &data.external_id,
        );
        let indexed = Indexed {
            category: data.category.clone(),
            brand: data.brand.clone(),
            ..indexed
        };
        (terms, indexed)
    }
    fn links(_: &ProductData) -> Links {
        Links::default()
    }
    fn references(_: &ProductData) -> Vec<(RecordKind, Vec<Uuid>, &'static str)> {
        Vec::new()
    }
    fn external_id(data: &ProductData) -> Option<&str> {
        data.external_id.as_deref()
    }
    /// The catalogue is everyone's to read (the store shows it whole) and its keepers' to change.
    fn require_write(session: &Session) -> Result<(), AppError> {
        session.require_catalogue()
    }
    fn assemble(id: Uuid, version: i64, data: ProductData, meta: RecordMeta) -> Self {
        Product {
            id: ProductId(id),
            version,
            data,
            meta,
        }
    }
}
