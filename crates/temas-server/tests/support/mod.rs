//! `spawn_app()`: the real server on a random loopback port over a fresh database, with typed helpers.

#![allow(dead_code, unused_macros, clippy::unwrap_used, clippy::expect_used)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use temas_core::access::Role;
use temas_service::App;
use temas_service::admin::InitWorkspace;
use temas_store::StoreConfig;
use temas_testdb::{Backend, TestDb};

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub owner_token: String,
    client: reqwest::Client,
    _db: TestDb,
    /// The directory behind the file store.
    pub files: tempfile::TempDir,
}

pub const PASSWORD: &str = "a long enough password";

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// A response read whole: its body as JSON, or as a JSON string when it is not JSON.
    async fn of(resp: reqwest::Response) -> Self {
        let status = resp.status();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            headers,
            body,
        }
    }

    /// The field names of a problem+json's errors.
    pub fn error_fields(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    let files = tempfile::tempdir().expect("files dir");
    let store = temas_service::files::FileStore::local(files.path()).expect("file store");
    spawn_app_with_files(backend, store, files).await
}

/// The server keeping attachments in `store`; `files` is the directory behind it, kept as long as the app.
pub async fn spawn_app_with_files(
    backend: Backend,
    store: temas_service::files::FileStore,
    files: tempfile::TempDir,
) -> TestApp {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let db = TestDb::new(backend).await;
    let app = App::new(
        temas_store::open(&StoreConfig::new(db.url.clone()))
            .await
            .expect("store"),
    )
    .with_files(store);
    app.init_workspace(InitWorkspace {
        name: "Acme".into(),
        admin_email: "owner@acme.test".into(),
        admin_password: PASSWORD.into(),
        default_region: "IR".into(),
        default_currency: "IRR".into(),
    })
    .await
    .expect("init");
    let owner_token = app
        .issue_token("owner@acme.test", "test")
        .await
        .expect("token");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let served = app.clone();
    tokio::spawn(async move {
        let _ = temas_web::serve(listener, served, std::future::pending()).await;
    });
    let worker = app.clone();
    tokio::spawn(async move {
        worker
            .work_jobs(std::time::Duration::from_secs(30), std::future::pending())
            .await;
    });
    TestApp {
        base,
        app,
        owner_token,
        client: reqwest::Client::new(),
        _db: db,
        files,
    }
}

/// An S3-compatible server on a random loopback port, keeping its buckets as folders of `root` (s3s-fs), with
/// one bucket, `invoices`; returns a file store on that bucket under the folder `temas`.
pub async fn s3_bucket(root: &std::path::Path) -> temas_service::files::FileStore {
    use hyper_util::rt::{TokioExecutor, TokioIo};
    std::fs::create_dir_all(root.join("invoices")).expect("bucket");
    let mut builder =
        s3s::service::S3ServiceBuilder::new(s3s_fs::FileSystem::new(root).expect("s3s-fs"));
    builder.set_auth(s3s::auth::SimpleAuth::from_single(
        "temas-test",
        "temas-test-secret",
    ));
    let service = builder.build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let service = service.clone();
            tokio::spawn(async move {
                let server = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new());
                let _ = server.serve_connection(TokioIo::new(socket), service).await;
            });
        }
    });
    let options = [
        ("aws_endpoint", endpoint.as_str()),
        ("aws_allow_http", "true"),
        ("aws_region", "us-east-1"),
        ("aws_access_key_id", "temas-test"),
        ("aws_secret_access_key", "temas-test-secret"),
    ];
    temas_service::files::FileStore::s3(
        "s3://invoices/temas",
        options.map(|(k, v)| (k.to_owned(), v.to_owned())),
    )
    .expect("s3 file store")
}

impl TestApp {
    /// Adds a user and returns their token.
    pub async fn user(&self, email: &str, role: Role, team: Option<&str>) -> String {
        let ws = self.app.store.first_workspace().await.unwrap().unwrap();
        self.app
            .add_user(ws.id, email, PASSWORD, role, team)
            .await
            .expect("user");
        self.app.issue_token(email, "test").await.expect("token")
    }

    pub async fn call(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path))
            .bearer_auth(token);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Reply::of(req.send().await.expect("request")).await
    }

    /// POSTs raw bytes (a file upload).
    pub async fn upload(&self, token: &str, path: &str, bytes: Vec<u8>) -> Reply {
        self.upload_typed(token, path, bytes, None).await
    }

    /// POSTs raw bytes with their media type.
    pub async fn upload_typed(
        &self,
        token: &str,
        path: &str,
        bytes: Vec<u8>,
        content_type: Option<&str>,
    ) -> Reply {
        let mut req = self
            .client
            .post(format!("{}{}", self.base, path))
            .bearer_auth(token)
            .body(bytes);
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        Reply::of(req.send().await.expect("request")).await
    }

    pub async fn get(&self, token: &str, path: &str) -> Reply {
        self.call(token, Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> Reply {
        self.call(token, Method::POST, path, Some(body), &[]).await
    }

    pub async fn patch(&self, token: &str, path: &str, body: Value) -> Reply {
        self.call(token, Method::PATCH, path, Some(body), &[]).await
    }

    /// Creates a contact and returns its JSON.
    pub async fn contact(&self, token: &str, body: Value) -> Value {
        let r = self.post(token, "/api/v1/contacts", body).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body
    }

    /// Creates a contact even when it probably duplicates one (as a client does after a `409`); returns its JSON.
    pub async fn contact_anyway(&self, token: &str, body: Value) -> Value {
        let r = self
            .post(token, "/api/v1/contacts?confirm=true", body)
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
        r.body
    }

    /// Adds [`different_people`], for the duplicate engine to learn what unrelated records look like.
    pub async fn add_different_people(&self, token: &str) -> Value {
        let r = self
            .post(
                token,
                "/api/v1/contacts/bulk",
                json!({"items": different_people()}),
            )
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body
    }

    /// Starts a duplicate scan and returns it once done.
    pub async fn scan(&self, token: &str, body: Value) -> Value {
        let started = self.post(token, "/api/v1/dedupe/scans", body).await;
        assert_eq!(started.status, StatusCode::ACCEPTED, "{}", started.body);
        self.scan_done(token, started.body["id"].as_str().unwrap())
            .await
    }

    /// Polls a duplicate scan until it is done, for at most a minute.
    pub async fn scan_done(&self, token: &str, id: &str) -> Value {
        for _ in 0..600 {
            let r = self.get(token, &format!("/api/v1/dedupe/scans/{id}")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            match r.body["status"].as_str() {
                Some("done") => return r.body,
                Some("failed") => panic!("scan failed: {}", r.body),
                _ => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
            }
        }
        panic!("scan {id} not done after a minute");
    }

    pub async fn search_ids(&self, token: &str, q: &str) -> Vec<String> {
        let r = self
            .get(token, &format!("/api/v1/search?q={}", urlencode(q)))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn ali() -> Value {
    json!({"first_name": "علی", "last_name": "کریمی", "emails": [{"address": "Ali.Karimi@Example.com"}],
           "phones": [{"number": "0912 345 6789"}], "tags": ["VIP"]})
}

/// 80 different people (each name, email, phone and birth date their own), for the duplicate engine to learn what
/// unrelated records look like.
pub fn different_people() -> Vec<Value> {
    let given = [
        "Maryam", "Ivan", "Ayse", "John", "Omar", "Elif", "Sara", "Mehmet", "Anna", "Hassan",
    ];
    let family = [
        "Karimi", "Petrov", "Yilmaz", "Smith", "Haddad", "Demir", "Brown", "Kaya",
    ];
    let mut items = Vec::new();
    for (i, g) in given.iter().enumerate() {
        for (j, f) in family.iter().enumerate() {
            let n = i * family.len() + j;
            items.push(json!({
                "first_name": g, "last_name": f,
                "emails": [{"address": format!("{}.{}{n}@example.com", g.to_lowercase(), f.to_lowercase())}],
                "phones": [{"number": format!("+98 912 {:03} {:04}", n % 997, (n * 37) % 10_000)}],
                "birth_date": format!("19{:02}-{:02}-{:02}", 40 + n % 60, 1 + n % 12, 1 + n % 28),
            }));
        }
    }
    items
}

/// Runs each story (an `async fn(TestApp)`) as two tests, `sqlite::<story>` and `postgres::<story>`, each on a
/// fresh database.
macro_rules! on_both_backends {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $story() {
                super::$story(super::spawn_app(temas_testdb::Backend::Sqlite).await).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $story() {
                super::$story(super::spawn_app(temas_testdb::Backend::Postgres).await).await;
            })*
        }
    };
}
