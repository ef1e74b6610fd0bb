//! Files attached to orders: the bytes go to the file store; what the order keeps of them goes into its data, so
//! adding and removing one is in the order's history. Reading one needs to see the order, changing it needs the
//! right to write orders.

use crate::records::RecordType;
use crate::{App, AppError, Session};
use temas_core::FieldErrors;
use temas_core::attachment::{self, Attachment, MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS};
use temas_core::order::Order;
use temas_store::Uuid;

/// A file as uploaded.
pub struct NewFile {
    pub name: String,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl App {
    fn file_store(&self) -> Result<&crate::files::FileStore, AppError> {
        self.files
            .as_ref()
            .ok_or_else(|| AppError::Internal("no file store is configured".into()))
    }

    /// Keeps a file with an order.
    pub async fn attach_to_order(
        &self,
        session: &Session,
        order: Uuid,
        file: NewFile,
    ) -> Result<Attachment, AppError> {
        Order::require_write(session)?;
        let files = self.file_store()?;
        let mut errors = FieldErrors::default();
        let file_name = attachment::file_name(&file.name)
            .map_err(|e| errors.0.extend(e.0))
            .ok();
        let content_type = attachment::content_type(file.content_type.as_deref())
            .map_err(|e| errors.0.extend(e.0))
            .ok();
        if file.bytes.is_empty() {
            errors.add("file", "empty", "the file is empty");
        }
        if file.bytes.len() > MAX_ATTACHMENT_BYTES {
            errors.add(
                "file",
                "too_large",
                format!("at most {} MiB", MAX_ATTACHMENT_BYTES / (1024 * 1024)),
            );
        }
        let (stored, old) = self.live_record::<Order>(session, order).await?;
        if old.attachments.len() >= MAX_ATTACHMENTS {
            errors.add(
                "file",
                "too_many",
                format!("an order keeps at most {MAX_ATTACHMENTS} files"),
            );
        }
        let (Some(file_name), Some(content_type)) = (file_name, content_type) else {
            return Err(errors.into());
        };
        errors.into_result(())?;
        let added = Attachment {
            id: Uuid::now_v7(),
            file_name,
            content_type,
            size: u64::try_from(file.bytes.len()).unwrap_or(u64::MAX),
            sha256: crate::auth::sha256_hex(&file.bytes),
            added_at: temas_core::time::now(),
            added_by: session.user.id,
        };
        let ws = session.workspace.id;
        files
            .put(ws, added.id, file.bytes)
            .await
            .map_err(|e| AppError::Internal(format!("storing the file: {e}")))?;
        let mut data = old.clone();
        data.attachments.push(added.clone());
        if let Err(e) = self
            .save_data::<Order>(session, &stored, &old, data, "attach")
            .await
        {
            let _ = files.delete(ws, added.id).await;
            return Err(e);
        }
        Ok(added)
    }

    /// An order's file and its bytes.
    pub async fn order_attachment(
        &self,
        session: &Session,
        order: Uuid,
        id: Uuid,
    ) -> Result<(Attachment, Vec<u8>), AppError> {
        let order: Order = self.get(session, order).await?;
        let found = order
            .data
            .attachments
            .into_iter()
            .find(|a| a.id == id)
            .ok_or(AppError::NotFound)?;
        let bytes = self
            .file_store()?
            .get(session.workspace.id, id)
            .await
            .map_err(|e| AppError::Internal(format!("reading the file: {e}")))?;
        Ok((found, bytes))
    }

    /// Removes a file from an order, and its bytes once the order no longer lists it.
    pub async fn detach_from_order(
        &self,
        session: &Session,
        order: Uuid,
        id: Uuid,
    ) -> Result<(), AppError> {
        Order::require_write(session)?;
        let files = self.file_store()?;
        let (stored, old) = self.live_record::<Order>(session, order).await?;
        let mut data = old.clone();
        data.attachments.retain(|a| a.id != id);
        if data.attachments.len() == old.attachments.len() {
            return Err(AppError::NotFound);
        }
        self.save_data::<Order>(session, &stored, &old, data, "detach")
            .await?;
        files
            .delete(session.workspace.id, id)
            .await
            .map_err(|e| AppError::Internal(format!("removing the file: {e}")))
    }
}
