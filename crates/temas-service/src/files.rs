//! The file store: attachment bytes as files under a directory (the data directory's `files/` by default), one
//! per attachment id, in a folder per workspace. Writes go to a temporary file first and are renamed into place,
//! so a file is either whole or absent.

use std::path::PathBuf;
use temas_store::{Uuid, WorkspaceId};

#[derive(Debug, Clone)]
pub struct FileStore {
    root: PathBuf,
}

impl FileStore {
    pub fn new(root: impl Into<PathBuf>) -> FileStore {
        FileStore { root: root.into() }
    }

    fn path(&self, ws: WorkspaceId, id: Uuid) -> PathBuf {
        self.root.join(ws.0.to_string()).join(id.to_string())
    }

    pub async fn put(&self, ws: WorkspaceId, id: Uuid, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(ws, id);
        let dir = path
            .parent()
            .map(PathBuf::from)
            .unwrap_or_else(|| self.root.clone());
        tokio::fs::create_dir_all(&dir).await?;
        let partial = dir.join(format!(".{id}.partial"));
        tokio::fs::write(&partial, bytes).await?;
        tokio::fs::rename(&partial, &path).await
    }

    pub async fn get(&self, ws: WorkspaceId, id: Uuid) -> std::io::Result<Vec<u8>> {
        tokio::fs::read(self.path(ws, id)).await
    }

    /// Removes a file; one already gone is not an error.
    pub async fn delete(&self, ws: WorkspaceId, id: Uuid) -> std::io::Result<()> {
        match tokio::fs::remove_file(self.path(ws, id)).await {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            other => other,
        }
    }
}
