//! The file store: attachment bytes, one object per attachment id in a folder per workspace, kept on the local disk
//! (the data directory's `files/` by default) or in an S3-compatible bucket (AWS S3, MinIO, Ceph, R2 …). Either way
//! an object is written whole or not at all.

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use std::sync::Arc;
use temas_store::{Uuid, WorkspaceId};

#[derive(Debug, Clone)]
pub struct FileStore {
    objects: Arc<dyn ObjectStore>,
    /// The folder of the bucket the files go under (empty for the root, and for a local directory).
    prefix: Path,
}

impl FileStore {
    /// Files under a local directory, created if missing.
    pub fn local(root: &std::path::Path) -> std::io::Result<FileStore> {
        std::fs::create_dir_all(root)?;
        // Synced to disk before a write returns, as the database is: an order never lists a file a crash lost.
        let objects = LocalFileSystem::new_with_prefix(root)
            .map_err(std::io::Error::other)?
            .with_fsync(true);
        Ok(FileStore {
            objects: Arc::new(objects),
            prefix: Path::default(),
        })
    }

    /// Files in an S3-compatible bucket, at `url` (`s3://bucket` or `s3://bucket/folder`). `options` are the
    /// client's settings as the `AWS_…` environment variables name them, lower-cased (`aws_endpoint`,
    /// `aws_access_key_id`, `aws_secret_access_key`, `aws_region`, `aws_allow_http` …); the reason says which is
    /// wrong.
    pub fn s3(
        url: &str,
        options: impl IntoIterator<Item = (String, String)>,
    ) -> Result<FileStore, String> {
        let mut builder = AmazonS3Builder::new();
        for (key, value) in options {
            let key = key
                .parse()
                .map_err(|_| format!("{key}: not a setting of the S3 client"))?;
            builder = builder.with_config(key, value);
        }
        FileStore::s3_with(url, builder)
    }

    /// Files in an S3-compatible bucket at `url`, with the client's settings from the `AWS_…` environment
    /// variables.
    pub fn s3_from_env(url: &str) -> Result<FileStore, String> {
        FileStore::s3_with(url, AmazonS3Builder::from_env())
    }

    fn s3_with(url: &str, builder: AmazonS3Builder) -> Result<FileStore, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("{url}: {e}"))?;
        if parsed.scheme() != "s3" || parsed.host_str().is_none_or(str::is_empty) {
            return Err(format!("{url}: expected s3://bucket or s3://bucket/folder"));
        }
        let objects = builder
            .with_url(url)
            .build()
            .map_err(|e| format!("{url}: {e}"))?;
        Ok(FileStore {
            objects: Arc::new(objects),
            prefix: Path::from(parsed.path().trim_matches('/')),
        })
    }

    fn path(&self, ws: WorkspaceId, id: Uuid) -> Path {
        self.prefix
            .clone()
            .join(ws.0.to_string())
            .join(id.to_string())
    }

    pub async fn put(&self, ws: WorkspaceId, id: Uuid, bytes: Vec<u8>) -> std::io::Result<()> {
        self.objects
            .put(&self.path(ws, id), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(io_error)
    }

    pub async fn get(&self, ws: WorkspaceId, id: Uuid) -> std::io::Result<Vec<u8>> {
        let found = self
            .objects
            .get(&self.path(ws, id))
            .await
            .map_err(io_error)?;
        Ok(found.bytes().await.map_err(io_error)?.to_vec())
    }

    /// Removes a file; one already gone is not an error.
    pub async fn delete(&self, ws: WorkspaceId, id: Uuid) -> std::io::Result<()> {
        match self.objects.delete(&self.path(ws, id)).await {
            Err(object_store::Error::NotFound { .. }) => Ok(()),
            other => other.map_err(io_error),
        }
    }
}

fn io_error(e: object_store::Error) -> std::io::Error {
    match e {
        object_store::Error::NotFound { .. } => {
            std::io::Error::new(std::io::ErrorKind::NotFound, e.to_string())
        }
        other => std::io::Error::other(other.to_string()),
    }
}
