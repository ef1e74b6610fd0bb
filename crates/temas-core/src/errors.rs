//! Field-level validation errors, reported together so a user can fix every field in one go.

use serde::Serialize;

/// One problem with one input field. `field` is a path such as `emails[1].address` or `custom.tier`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    /// Stable machine-readable reason, e.g. `invalid_email`, `required`, `too_long`.
    pub code: String,
    pub message: String,
}

/// All field errors of one input. Empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn add(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds every error of `other`, prefixing its field paths with `prefix`.
    pub fn extend_prefixed(&mut self, prefix: &str, other: FieldErrors) {
        for e in other.0 {
            let field = if e.field.is_empty() {
                prefix.to_owned()
            } else {
                format!("{prefix}.{}", e.field)
            };
            self.0.push(FieldError { field, ..e });
        }
    }

    /// `Ok(value)` when no error was recorded, the errors otherwise.
    pub fn into_result<T>(self, value: T) -> Result<T, FieldErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }

    pub fn single(field: &str, code: &str, message: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.add(field, code, message);
        errors
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}

/// Checks an optional free-text field: trims it, drops it when empty, and limits its length.
pub fn clean_text(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<String>,
    max_chars: usize,
) -> Option<String> {
    let value = value?;
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return None;
    }
    if trimmed.chars().count() > max_chars {
        errors.add(
            field,
            "too_long",
            format!("must be at most {max_chars} characters"),
        );
    }
    Some(trimmed.to_owned())
}

/// Checks an optional choice: lower-cased, it must be one of `allowed`.
pub fn one_of(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<String>,
    allowed: &[&str],
) -> Option<String> {
    let v = clean_text(errors, field, value, 32).map(|v| v.to_lowercase())?;
    if !allowed.contains(&v.as_str()) {
        errors.add(
            field,
            "invalid_value",
            format!("must be one of {}", allowed.join(", ")),
        );
    }
    Some(v)
}
