//! Files kept with a record — an invoice's PDF, a photo of a damaged delivery. The record keeps what it knows of
//! each (name, type, size, checksum, who added it and when), so attachments are in its history; the bytes live in
//! the file store under the attachment's id.

use crate::errors::FieldErrors;
use crate::ids::UserId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The largest file accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 25 * 1024 * 1024;
/// Attachments per record, at most.
pub const MAX_ATTACHMENTS: usize = 100;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Attachment {
    pub id: Uuid,
    pub file_name: String,
    pub content_type: String,
    pub size: u64,
    /// SHA-256 of the bytes, in hex.
    pub sha256: String,
    pub added_at: DateTime<Utc>,
    pub added_by: UserId,
}

/// A file name as sent, made safe to keep and to offer for download: its last path component, without control
/// characters or surrounding spaces, at most 255 characters.
pub fn file_name(raw: &str) -> Result<String, FieldErrors> {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim();
    if clean.is_empty() || clean == "." || clean == ".." {
        return Err(FieldErrors::single(
            "name",
            "required",
            "give the file's name, e.g. ?name=invoice.pdf",
        ));
    }
    if clean.chars().count() > 255 {
        return Err(FieldErrors::single(
            "name",
            "too_long",
            "at most 255 characters",
        ));
    }
    Ok(clean.to_owned())
}

/// A content type as sent (`type/subtype`, parameters dropped), lowercased; `application/octet-stream` when none
/// is given.
pub fn content_type(raw: Option<&str>) -> Result<String, FieldErrors> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok("application/octet-stream".into());
    };
    let essence = raw.split(';').next().unwrap_or_default().trim();
    let token = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    match essence.split_once('/') {
        Some((kind, sub)) if token(kind) && token(sub) => Ok(essence.to_ascii_lowercase()),
        _ => Err(FieldErrors::single(
            "content_type",
            "invalid",
            "a media type such as application/pdf",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_their_last_part_only() {
        for (raw, kept) in [
            ("invoice.pdf", "invoice.pdf"),
            ("C:\\scans\\فاکتور ۱۲.pdf", "فاکتور ۱۲.pdf"),
            ("../../etc/passwd", "passwd"),
            ("  photo\u{0}.jpg ", "photo.jpg"),
        ] {
            assert_eq!(file_name(raw).ok().as_deref(), Some(kept), "{raw}");
        }
        for bad in ["", "dir/", "..", " \u{7} "] {
            assert!(file_name(bad).is_err(), "{bad:?}");
        }
        assert!(file_name(&"a".repeat(256)).is_err());
    }

    #[test]
    fn content_types_are_media_types() {
        assert_eq!(
            content_type(Some("Application/PDF; charset=binary")).ok(),
            Some("application/pdf".into())
        );
        assert_eq!(
            content_type(None).ok(),
            Some("application/octet-stream".into())
        );
        assert!(content_type(Some("pdf")).is_err());
        assert!(content_type(Some("text/html<script>")).is_err());
    }
}
