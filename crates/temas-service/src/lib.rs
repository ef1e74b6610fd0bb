//! Temas use cases. Every operation takes the signed-in [`Session`], checks what the user may do, validates input
//! against the workspace's rules, and calls one store method. Depends on `temas-core` and the `Store` trait;
//! knows nothing of HTTP or SQL.

pub mod admin;
pub mod attachments;
pub mod auth;
pub mod deals;
pub mod dedupe;
pub mod dedupe_scans;
pub mod demo;
mod demo_orders;
mod demo_sales;
pub mod dump;
pub mod duplicate_check;
mod error;
pub mod exports;
pub mod files;
pub mod import_jobs;
pub mod imports;
pub mod jobs;
pub mod leads;
pub mod merge;
mod offers;
mod orders;
mod products;
pub mod quality;
pub mod records;
pub mod review_queue;
pub mod schedule;
pub mod search;
pub mod tasks;
pub mod views;
pub mod web_session;

pub use error::AppError;
pub use temas_store::{Store, StoreError};

use std::sync::Arc;
use temas_core::access::Viewer;
use temas_core::contact::ValidationContext;
use temas_store::{User, Workspace};

/// The application: the store plus the caches that make authentication cheap.
#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    sessions: auth::SessionCache,
    /// Where attachments' bytes go; without one, attaching a file is refused.
    files: Option<files::FileStore>,
}

impl App {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self {
            store,
            sessions: auth::SessionCache::default(),
            files: None,
        }
    }

    /// Keeps attachments' bytes in `files`.
    pub fn with_files(mut self, files: files::FileStore) -> Self {
        self.files = Some(files);
        self
    }
}

/// Who is acting, in which workspace, with what visibility.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub workspace: Workspace,
    pub viewer: Viewer,
}

impl Session {
    pub(crate) fn region(&self) -> Option<phonenumber::country::Id> {
        temas_core::phone::parse_region(&self.workspace.default_region)
    }

    /// The workspace's validation rules for writes; loads the custom field definitions (and for deals the
    /// pipelines).
    async fn validation(
        &self,
        app: &App,
        entity: temas_core::custom::Entity,
    ) -> Result<ValidationContext, AppError> {
        let defs = app.store.custom_fields(self.workspace.id).await?;
        let pipelines = match entity {
            temas_core::custom::Entity::Deal => app.pipelines(self).await?,
            _ => Vec::new(),
        };
        Ok(ValidationContext {
            region: self.region(),
            custom_fields: defs.into_iter().filter(|d| d.entity == entity).collect(),
            pipelines,
        })
    }

    pub(crate) fn require_catalogue(&self) -> Result<(), AppError> {
        if self.user.role.can_manage_catalogue() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "only owners, admins and managers change the product catalogue",
            ))
        }
    }

    pub(crate) fn require_write(&self) -> Result<(), AppError> {
        if self.user.role.can_write() {
            Ok(())
        } else {
            Err(AppError::Forbidden("your role can only read"))
        }
    }

    pub fn require_admin(&self) -> Result<(), AppError> {
        if self.user.role.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden("only owners and admins can do this"))
        }
    }
}
