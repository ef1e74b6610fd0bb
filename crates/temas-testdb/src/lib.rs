//! Test support: every test gets its own database, so tests run in parallel and never share state.
//!
//! PostgreSQL is reached through `TEMAS_TEST_POSTGRES_URL` (default `postgres://postgres:postgres@127.0.0.1:5432/postgres`);
//! each test creates a database named `temas_test_<uuid>` there and drops it when done. When that default local
//! server cannot be reached, the machine's PostgreSQL 15 is started first (see `machine.rs`).

#![allow(clippy::expect_used, clippy::unwrap_used)]

mod machine;

pub use machine::ensure_chromedriver;
use sqlx::Connection;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database; removed on drop.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    Database { admin_url: String, name: String },
}

pub fn postgres_admin_url() -> String {
    std::env::var("TEMAS_TEST_POSTGRES_URL").unwrap_or_else(|_| LOCAL_ADMIN_URL.into())
}

impl TestDb {
    pub async fn new(backend: Backend) -> TestDb {
        let id = uuid::Uuid::now_v7().simple().to_string();
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("temas-test-{id}"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                let file = dir.join("temas.db");
                TestDb {
                    url: format!("sqlite://{}", file.display()),
                    cleanup: Cleanup::File(dir),
                }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let name = format!("temas_test_{id}");
                let mut conn = connect_admin(&admin_url).await;
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let base = admin_url
                    .rsplit_once('/')
                    .map_or(admin_url.as_str(), |(b, _)| b)
                    .to_owned();
                TestDb {
                    url: format!("{base}/{name}"),
                    cleanup: Cleanup::Database { admin_url, name },
                }
            }
        }
    }
}

const LOCAL_ADMIN_URL: &str = "postgres://postgres:postgres@127.0.0.1:5432/postgres";

async fn connect_admin(admin_url: &str) -> sqlx::PgConnection {
    let mut attempt = sqlx::PgConnection::connect(admin_url).await;
    if attempt.is_err() && admin_url == LOCAL_ADMIN_URL {
        machine::prepare_local_postgres();
        attempt = sqlx::PgConnection::connect(admin_url).await;
    }
    attempt.unwrap_or_else(|e| {
        panic!("PostgreSQL is not reachable at {admin_url} ({e}); start it (pg_ctlcluster 15 main start) or set TEMAS_TEST_POSTGRES_URL")
    })
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                // Dropped from a plain thread: the test's runtime may be shutting down.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .expect("runtime");
                    rt.block_on(async {
                        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
                            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                                .execute(&mut conn)
                                .await;
                        }
                    });
                })
                .join();
            }
        }
    }
}
