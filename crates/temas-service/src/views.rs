//! Saved list views: save, list, change and delete the column, filter and sort choices of a list.

use crate::{App, AppError, Session};
use temas_core::FieldErrors;
use temas_core::custom::Entity;
use temas_core::filter::{COMPANY_COLUMNS, CONTACT_COLUMNS, parse_filter};
use temas_core::view::{SavedView, ViewEntity, ViewInput, ViewSettings};
use temas_store::Uuid;

impl App {
    pub async fn views(
        &self,
        session: &Session,
        entity: ViewEntity,
    ) -> Result<Vec<SavedView>, AppError> {
        Ok(self.store.views(&session.viewer, entity).await?)
    }

    pub async fn view(&self, session: &Session, id: Uuid) -> Result<SavedView, AppError> {
        self.store
            .view(&session.viewer, id)
            .await?
            .ok_or(AppError::NotFound)
    }

    pub async fn create_view(
        &self,
        session: &Session,
        input: ViewInput,
    ) -> Result<SavedView, AppError> {
        let (entity, name, shared, settings) = self.check_view(session, input).await?;
        let now = temas_core::time::now();
        let view = SavedView {
            id: Uuid::now_v7(),
            entity,
            name,
            owner_id: session.user.id,
            shared,
            settings,
            created_at: now,
            updated_at: now,
        };
        self.store.create_view(&session.viewer, &view).await?;
        Ok(view)
    }

    /// Replaces a view the user owns; its entity cannot change.
    pub async fn update_view(
        &self,
        session: &Session,
        id: Uuid,
        input: ViewInput,
    ) -> Result<SavedView, AppError> {
        let current = self.view(session, id).await?;
        if current.owner_id != session.user.id {
            return Err(AppError::Forbidden(
                "only the user who saved a view can change it",
            ));
        }
        if input
            .entity
            .as_deref()
            .is_some_and(|e| e != current.entity.as_str())
        {
            return Err(FieldErrors::single(
                "entity",
                "immutable",
                "a view's list cannot change; save a new view instead",
            )
            .into());
        }
        let input = ViewInput {
            entity: Some(current.entity.as_str().to_owned()),
            ..input
        };
        let (_, name, shared, settings) = self.check_view(session, input).await?;
        let view = SavedView {
            name,
            shared,
            settings,
            updated_at: temas_core::time::now(),
            ..current
        };
        self.store.update_view(&session.viewer, &view).await?;
        Ok(view)
    }

    pub async fn delete_view(&self, session: &Session, id: Uuid) -> Result<(), AppError> {
        let current = self.view(session, id).await?;
        if current.owner_id != session.user.id {
            return Err(AppError::Forbidden(
                "only the user who saved a view can delete it",
            ));
        }
        Ok(self.store.delete_view(&session.viewer, id).await?)
    }

    /// Validates a view as a list would take it: known columns, filters that parse, a valid sort.
    async fn check_view(
        &self,
        session: &Session,
        input: ViewInput,
    ) -> Result<(ViewEntity, String, bool, ViewSettings), AppError> {
        // An unknown entity is named by `validate`; the custom fields of contacts serve meanwhile.
        let record_entity = match input
            .entity
            .as_deref()
            .map(str::trim)
            .and_then(ViewEntity::parse)
        {
            Some(ViewEntity::Companies) => Entity::Company,
            _ => Entity::Contact,
        };
        let custom_keys: Vec<String> = self
            .store
            .custom_fields(session.workspace.id)
            .await?
            .into_iter()
            .filter(|d| d.entity == record_entity)
            .map(|d| d.key)
            .collect();
        let region = session.region();
        Ok(input.validate(&custom_keys, |entity, filter| {
            let (columns, has_companies) = match entity {
                ViewEntity::Contacts => (CONTACT_COLUMNS, true),
                ViewEntity::Companies => (COMPANY_COLUMNS, false),
            };
            parse_filter(filter, columns, has_companies, region).map(|_| ())
        })?)
    }
}
