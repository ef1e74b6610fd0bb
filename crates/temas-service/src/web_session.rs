//! Browser sign-in: sessions kept in the database (so that several app nodes share them) with idle and absolute
//! expiry, a CSRF token per session, and a limit on failed attempts per email and client address.

use crate::auth::{random_secret, token_hash};
use crate::{App, AppError, Session};
use chrono::{DateTime, Duration, Utc};
use temas_core::time::now;
use temas_store::WebSession;

/// A session unused for this long ends.
pub const IDLE_TIMEOUT: Duration = Duration::hours(12);
/// A session ends this long after sign-in, used or not.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::days(7);
/// Failed sign-ins allowed per email and client address within [`FAILURE_WINDOW`].
pub const MAX_FAILURES: u32 = 5;
pub const FAILURE_WINDOW: Duration = Duration::minutes(15);
/// Seen-at times are written at most this often, so that reading pages does not mean writing on each one.
const TOUCH_EVERY: Duration = Duration::minutes(1);

/// A new browser session: the cookie's secret (never stored) and the session's CSRF token.
pub struct SignedIn {
    pub cookie: String,
    pub csrf_token: String,
    pub session: Session,
}

/// The session behind a cookie and its CSRF token.
pub struct WebAuth {
    pub session: Session,
    pub csrf_token: String,
}

fn login_key(email: &str, client: &str) -> String {
    format!("{}|{client}", email.trim().to_lowercase())
}

fn expired(s: &WebSession, at: DateTime<Utc>) -> bool {
    at - s.created_at > ABSOLUTE_TIMEOUT || at - s.last_seen_at > IDLE_TIMEOUT
}

impl App {
    /// Signs in with a password from `client` (its address). After [`MAX_FAILURES`] failures in
    /// [`FAILURE_WINDOW`] the pair is refused without checking the password until the window passes.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        client: &str,
    ) -> Result<SignedIn, AppError> {
        let key = login_key(email, client);
        let at = now();
        let since = at - FAILURE_WINDOW;
        let locked = || AppError::TooManyAttempts {
            retry_after: FAILURE_WINDOW.num_seconds().unsigned_abs(),
        };
        if self.store.login_failures(&key, since).await? >= MAX_FAILURES {
            return Err(locked());
        }
        let session = match self.authenticate_password(email, password).await {
            Ok(session) => session,
            Err(AppError::Unauthenticated) => {
                let failures = self.store.add_login_failure(&key, at, since).await?;
                return Err(if failures >= MAX_FAILURES {
                    locked()
                } else {
                    AppError::Unauthenticated
                });
            }
            Err(e) => return Err(e),
        };
        self.store.clear_login_failures(&key).await?;
        let cookie = random_secret();
        let csrf_token = random_secret();
        self.store
            .create_web_session(&WebSession {
                token_hash: token_hash(&cookie),
                workspace_id: session.workspace.id,
                user_id: session.user.id,
                csrf_token: csrf_token.clone(),
                created_at: at,
                last_seen_at: at,
            })
            .await?;
        Ok(SignedIn {
            cookie,
            csrf_token,
            session,
        })
    }

    /// The live session of a cookie; an expired one is ended.
    pub async fn web_auth(&self, cookie: &str) -> Result<WebAuth, AppError> {
        let hash = token_hash(cookie);
        let stored = self
            .store
            .web_session(&hash)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        let at = now();
        if expired(&stored, at) {
            self.store.delete_web_session(&hash).await?;
            return Err(AppError::Unauthenticated);
        }
        if at - stored.last_seen_at > TOUCH_EVERY {
            self.store.touch_web_session(&hash, at).await?;
        }
        let user = self
            .store
            .user(stored.workspace_id, stored.user_id)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        Ok(WebAuth {
            session: self.session_of(user).await?,
            csrf_token: stored.csrf_token,
        })
    }

    pub async fn sign_out(&self, cookie: &str) -> Result<(), AppError> {
        Ok(self.store.delete_web_session(&token_hash(cookie)).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(created_ago: Duration, seen_ago: Duration) -> WebSession {
        let at = now();
        WebSession {
            token_hash: String::new(),
            workspace_id: temas_core::ids::WorkspaceId::new(),
            user_id: temas_core::ids::UserId::new(),
            csrf_token: String::new(),
            created_at: at - created_ago,
            last_seen_at: at - seen_ago,
        }
    }

    #[test]
    fn sessions_end_when_idle_or_old() {
        let at = now();
        assert!(!expired(
            &session(Duration::hours(1), Duration::minutes(5)),
            at
        ));
        assert!(expired(
            &session(
                Duration::hours(13),
                Duration::hours(12) + Duration::seconds(1)
            ),
            at
        ));
        assert!(expired(
            &session(
                Duration::days(7) + Duration::seconds(1),
                Duration::seconds(1)
            ),
            at
        ));
    }
}
