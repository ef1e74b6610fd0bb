//! Passwords (argon2id), API tokens (random, stored as SHA-256) and the session cache.

use crate::{App, AppError, Session};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use temas_core::access::Viewer;
use temas_store::User;

/// How long a token lookup is reused before the database is asked again. Short, so that a revoked token or a
/// changed role takes effect within seconds on every node.
const SESSION_TTL: Duration = Duration::from_secs(5);

#[derive(Clone, Default)]
pub(crate) struct SessionCache(Arc<Mutex<HashMap<String, (Instant, Session)>>>);

/// Argon2id with 7 MiB, 5 passes and one lane: OWASP's password storage guidance rates it as strong as the
/// crate's default of 19 MiB and 2 passes. A sign-in verifies with the parameters kept in the user's hash, so for
/// passwords set from now on a burst of sign-ins costs the server a third of the memory; older hashes still verify.
fn hasher() -> Result<Argon2<'static>, AppError> {
    let params =
        argon2::Params::new(7 * 1024, 5, 1, None).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params,
    ))
}

pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
    hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(e.to_string()))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// Checks a new password: at least 10 characters.
pub fn check_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < 10 {
        return Err(temas_core::FieldErrors::single(
            "password",
            "too_short",
            "must be at least 10 characters",
        )
        .into());
    }
    Ok(())
}

/// 32 random bytes, base64url.
pub(crate) fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A new random API token (shown once) and its hash (stored).
pub fn new_token() -> (String, String) {
    let token = format!("tms_{}", random_secret());
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    sha256_hex(token.as_bytes())
}

/// SHA-256 in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl App {
    /// The session of a bearer token.
    pub async fn authenticate(&self, token: &str) -> Result<Session, AppError> {
        let hash = token_hash(token);
        if let Ok(cache) = self.sessions.0.lock()
            && let Some((at, session)) = cache.get(&hash)
            && at.elapsed() < SESSION_TTL
        {
            return Ok(session.clone());
        }
        let user = self
            .store
            .user_by_token_hash(&hash)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let session = self.session_of(user).await?;
        if let Ok(mut cache) = self.sessions.0.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(hash, (Instant::now(), session.clone()));
        }
        Ok(session)
    }

    /// The session of a user with a password (for sign-in).
    pub async fn authenticate_password(
        &self,
        email: &str,
        password: &str,
    ) -> Result<Session, AppError> {
        let email = email.trim().to_lowercase();
        let found = self.store.user_by_email(&email).await?;
        match found {
            Some(secret) if verify_password(password, &secret.password_hash) => {
                self.session_of(secret.user).await
            }
            _ => Err(AppError::Unauthenticated),
        }
    }

    pub async fn session_of(&self, user: User) -> Result<Session, AppError> {
        let workspace = self
            .store
            .workspace(user.workspace_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let scope = workspace.settings.visibility.scope_of(user.role);
        let viewer = Viewer {
            workspace_id: user.workspace_id,
            user_id: user.id,
            team_id: user.team_id,
            role: user.role,
            scope,
        };
        Ok(Session {
            user,
            workspace,
            viewer,
        })
    }

    /// Forgets cached sessions, after a change to users, roles or settings.
    pub fn forget_sessions(&self) {
        if let Ok(mut cache) = self.sessions.0.lock() {
            cache.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
    }

    /// Passwords hashed before the parameters changed (the crate's defaults, 19 MiB and 2 passes) still sign in.
    #[test]
    fn hashes_with_other_parameters_still_verify() {
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let old = Argon2::default()
            .hash_password(b"correct horse battery", &salt)
            .unwrap()
            .to_string();
        assert!(old.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery", &old));
        assert!(!verify_password("wrong horse battery", &old));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(token_hash(&a), ha);
        assert_eq!(ha.len(), 64);
    }
}
