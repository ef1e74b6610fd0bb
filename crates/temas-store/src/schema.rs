//! Migrations: one forward-only list of names shared by both backends. Each migration is written once, with
//! type placeholders that `dialect::render_ddl` fills per backend, plus the backend-specific search index DDL.

use crate::dialect;
use crate::types::Backend;

/// A migration: its name and its DDL for a backend.
pub(crate) struct Migration {
    pub name: &'static str,
    pub ddl: fn(Backend) -> String,
}

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "0001_initial",
        ddl: initial,
    },
    Migration {
        name: "0002_web_sessions",
        ddl: web_sessions,
    },
    Migration {
        name: "0003_saved_views",
        ddl: saved_views,
    },
    Migration {
        name: "0004_imports",
        ddl: imports,
    },
    Migration {
        name: "0005_jobs",
        ddl: jobs,
    },
    Migration {
        name: "0006_merges",
        ddl: merges,
    },
    Migration {
        name: "0007_trigram_index_writes",
        ddl: trigram_index_writes,
    },
    Migration {
        name: "0008_dedupe_scans",
        ddl: dedupe_scans,
    },
    Migration {
        name: "0009_products",
        ddl: products,
    },
    Migration {
        name: "0010_orders",
        ddl: orders,
    },
    Migration {
        name: "0011_sales",
        ddl: sales,
    },
    Migration {
        name: "0012_customer_metrics",
        ddl: customer_metrics,
    },
    Migration {
        name: "0013_rfm_cuts",
        ddl: rfm_cuts,
    },
    Migration {
        name: "0014_company_indexes_skip_none",
        ddl: company_indexes_skip_none,
    },
    Migration {
        name: "0015_last_contact",
        ddl: last_contact,
    },
    Migration {
        name: "0016_spend_last_12_months",
        ddl: spend_last_12_months,
    },
    Migration {
        name: "0017_order_value_metrics",
        ddl: order_value_metrics,
    },
    Migration {
        name: "0018_converted_spend_and_favourites",
        ddl: crate::product_spend::migration,
    },
];

/// Columns every record table has: contacts, companies, interactions, products, orders.
const RECORD_COLUMNS: &str = "
    workspace_id {uuid} NOT NULL,
    id {uuid} NOT NULL,
    version BIGINT NOT NULL,
    sort_name {text_c} NOT NULL,
    external_id TEXT,
    owner_id {uuid},
    team_id {uuid},
    data {json} NOT NULL,
    search_doc TEXT NOT NULL,
    created_by {uuid},
    updated_by {uuid},
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT";

fn record_table(table: &str, extra_columns: &str) -> String {
    format!(
        "CREATE TABLE {table} ({RECORD_COLUMNS}{extra_columns},
            PRIMARY KEY (workspace_id, id));
        CREATE UNIQUE INDEX {table}_external_id ON {table} (workspace_id, external_id) WHERE external_id IS NOT NULL;
        CREATE INDEX {table}_by_name ON {table} (workspace_id, sort_name, id) WHERE deleted_at IS NULL;
        CREATE INDEX {table}_by_updated ON {table} (workspace_id, updated_at, id) WHERE deleted_at IS NULL;
        CREATE INDEX {table}_trash ON {table} (workspace_id, deleted_at, id) WHERE deleted_at IS NOT NULL;
"
    )
}

fn terms_table(table: &str, without_rowid: &str) -> String {
    format!(
        "CREATE TABLE {table} (
            workspace_id {{uuid}} NOT NULL,
            term {{text_c}} NOT NULL,
            record_id {{uuid}} NOT NULL,
            PRIMARY KEY (workspace_id, term, record_id)){without_rowid};
"
    )
}

fn initial(backend: Backend) -> String {
    let without_rowid = if backend == Backend::Sqlite {
        " WITHOUT ROWID"
    } else {
        ""
    };
    let mut ddl = String::from(
        "CREATE TABLE workspaces (
            id {uuid} PRIMARY KEY,
            name TEXT NOT NULL,
            default_region TEXT NOT NULL,
            default_currency TEXT NOT NULL,
            settings {json} NOT NULL,
            created_at BIGINT NOT NULL);
        CREATE TABLE teams (
            workspace_id {uuid} NOT NULL,
            id {uuid} NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE UNIQUE INDEX teams_name ON teams (workspace_id, name);
        CREATE TABLE users (
            workspace_id {uuid} NOT NULL,
            id {uuid} NOT NULL,
            email TEXT NOT NULL,
            name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL,
            team_id {uuid},
            prefs {json} NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE UNIQUE INDEX users_email ON users (email);
        CREATE TABLE api_tokens (
            workspace_id {uuid} NOT NULL,
            id {uuid} NOT NULL,
            user_id {uuid} NOT NULL,
            name TEXT NOT NULL,
            token_hash TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            revoked_at BIGINT,
            PRIMARY KEY (workspace_id, id));
        CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
        CREATE TABLE custom_fields (
            workspace_id {uuid} NOT NULL,
            id {uuid} NOT NULL,
            entity TEXT NOT NULL,
            field_key TEXT NOT NULL,
            definition {json} NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE UNIQUE INDEX custom_fields_key ON custom_fields (workspace_id, entity, field_key);
        CREATE TABLE idempotency_keys (
            workspace_id {uuid} NOT NULL,
            user_id {uuid} NOT NULL,
            idem_key TEXT NOT NULL,
            request_hash TEXT NOT NULL,
            status BIGINT NOT NULL,
            body TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (workspace_id, user_id, idem_key));
        CREATE TABLE changes (
            workspace_id {uuid} NOT NULL,
            record_id {uuid} NOT NULL,
            id {uuid} NOT NULL,
            entity TEXT NOT NULL,
            action TEXT NOT NULL,
            actor_id {uuid},
            at BIGINT NOT NULL,
            changes {json} NOT NULL,
            PRIMARY KEY (workspace_id, record_id, id));
        CREATE TABLE contact_companies (
            workspace_id {uuid} NOT NULL,
            contact_id {uuid} NOT NULL,
            company_id {uuid} NOT NULL,
            role TEXT NOT NULL,
            PRIMARY KEY (workspace_id, contact_id, company_id));
        CREATE INDEX contact_companies_by_company ON contact_companies (workspace_id, company_id, contact_id);
        CREATE TABLE interaction_contacts (
            workspace_id {uuid} NOT NULL,
            contact_id {uuid} NOT NULL,
            occurred_at BIGINT NOT NULL,
            interaction_id {uuid} NOT NULL,
            PRIMARY KEY (workspace_id, contact_id, occurred_at, interaction_id));
        CREATE INDEX interaction_contacts_by_interaction ON interaction_contacts (workspace_id, interaction_id);
",
    );
    ddl.push_str(&record_table("contacts", ""));
    ddl.push_str(&record_table("companies", ""));
    ddl.push_str(&record_table(
        "interactions",
        ",\n    occurred_at BIGINT NOT NULL,\n    company_id {uuid}",
    ));
    ddl.push_str("CREATE INDEX interactions_by_company ON interactions (workspace_id, company_id, occurred_at, id);\n");
    ddl.push_str(&terms_table("contact_terms", without_rowid));
    ddl.push_str(&terms_table("company_terms", without_rowid));
    ddl.push_str(&dialect::search_index_ddl(backend, "contacts"));
    ddl.push_str(&dialect::search_index_ddl(backend, "companies"));
    dialect::render_ddl(backend, &ddl)
}

/// Browser sessions and failed sign-ins live in the database, so that several app nodes share them. Both are
/// found by a key known before the workspace is (the cookie's hash, the email and address signing in).
fn web_sessions(backend: Backend) -> String {
    dialect::render_ddl(
        backend,
        "CREATE TABLE web_sessions (
            token_hash TEXT PRIMARY KEY,
            workspace_id {uuid} NOT NULL,
            user_id {uuid} NOT NULL,
            csrf_token TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            last_seen_at BIGINT NOT NULL);
        CREATE INDEX web_sessions_by_user ON web_sessions (workspace_id, user_id);
        CREATE TABLE login_failures (
            login_key TEXT NOT NULL,
            failed_at BIGINT NOT NULL);
        CREATE INDEX login_failures_by_key ON login_failures (login_key, failed_at);
",
    )
}

/// Saved list views. A shared view carries its owner's team at the time it was shared (none: the whole workspace).
fn saved_views(backend: Backend) -> String {
    dialect::render_ddl(
        backend,
        "CREATE TABLE saved_views (
            workspace_id {uuid} NOT NULL,
            id {uuid} NOT NULL,
            entity TEXT NOT NULL,
            name TEXT NOT NULL,
            owner_id {uuid} NOT NULL,
            shared {bool} NOT NULL,
            team_id {uuid},
            settings {json} NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE UNIQUE INDEX saved_views_name ON saved_views (workspace_id, entity, owner_id, name);
",
    )
}

/// Imports and their journals (what each created or changed, and the state before).
fn imports(backend: Backend) -> String {
    dialect::render_ddl(
        backend,
        "CREATE TABLE imports (
            workspace_id {uuid} NOT NULL,
            id {uuid} NOT NULL,
            entity TEXT NOT NULL,
            file_name TEXT NOT NULL,
            status TEXT NOT NULL,
            summary {json} NOT NULL,
            created_by {uuid} NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE TABLE import_items (
            workspace_id {uuid} NOT NULL,
            import_id {uuid} NOT NULL,
            seq BIGINT NOT NULL,
            record_kind TEXT NOT NULL,
            record_id {uuid} NOT NULL,
            action TEXT NOT NULL,
            before_version BIGINT,
            before_data {json},
            after_version BIGINT NOT NULL,
            PRIMARY KEY (workspace_id, import_id, seq));
",
    )
}

/// The durable job queue, and what imports run as jobs need: the uploaded file (in parts, so that any node can
/// read it), every row that failed (the error report) and the import's request and checkpoint.
fn jobs(backend: Backend) -> String {
    // The queue is claimed across workspaces, so its index leads with the status rather than the workspace.
    dialect::render_ddl(
        backend,
        "CREATE TABLE jobs (
            workspace_id {uuid} NOT NULL,
            id {uuid} NOT NULL,
            kind TEXT NOT NULL,
            subject_id {uuid} NOT NULL,
            status TEXT NOT NULL,
            attempts BIGINT NOT NULL,
            lease_until BIGINT,
            error TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE INDEX jobs_ready ON jobs (status, created_at);
        CREATE TABLE import_files (
            workspace_id {uuid} NOT NULL,
            import_id {uuid} NOT NULL,
            part BIGINT NOT NULL,
            bytes {bytes} NOT NULL,
            PRIMARY KEY (workspace_id, import_id, part));
        CREATE TABLE import_errors (
            workspace_id {uuid} NOT NULL,
            import_id {uuid} NOT NULL,
            seq BIGINT NOT NULL,
            row_number BIGINT NOT NULL,
            field TEXT NOT NULL,
            reason TEXT NOT NULL,
            PRIMARY KEY (workspace_id, import_id, seq));
        ALTER TABLE imports ADD COLUMN job {json};
",
    )
}

/// Merges of duplicates with their journals, and users' decisions about candidate pairs.
fn merges(backend: Backend) -> String {
    dialect::render_ddl(
        backend,
        "CREATE TABLE merges (
            workspace_id {uuid} NOT NULL,
            id {uuid} NOT NULL,
            entity TEXT NOT NULL,
            survivor_id {uuid} NOT NULL,
            merged_ids {json} NOT NULL,
            steps {json} NOT NULL,
            status TEXT NOT NULL,
            report {json} NOT NULL,
            created_by {uuid} NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE INDEX merges_by_survivor ON merges (workspace_id, survivor_id);
        CREATE TABLE dedupe_decisions (
            workspace_id {uuid} NOT NULL,
            entity TEXT NOT NULL,
            record_a {uuid} NOT NULL,
            record_b {uuid} NOT NULL,
            same {bool} NOT NULL,
            pattern BIGINT,
            merge_id {uuid},
            decided_by {uuid} NOT NULL,
            decided_at BIGINT NOT NULL,
            PRIMARY KEY (workspace_id, entity, record_a, record_b));
        CREATE INDEX dedupe_decisions_by_merge ON dedupe_decisions (workspace_id, merge_id);
",
    )
}

/// SQLite: inserts add their rows to the trigram index in one statement per transaction
/// (`dialect::index_inserted_rows`) instead of by trigger, and the index merges 16 segments at a time instead of 4.
/// FTS5 writes its pending entries out as a new segment at the start of each statement of a transaction, so the
/// trigger on multi-row inserts made many small segments; merging segments, and reading each merged one back to
/// delete it, was most of a bulk load's time once the index outgrew the page cache. Measured with the term index
/// left out, over the contacts from 300,000 to 400,000: trigger 4,046 contacts/s, one statement 4,593 and 4,930/s (two runs), one
/// statement and 16-segment merges 9,269/s.
fn trigram_index_writes(backend: Backend) -> String {
    match backend {
        Backend::Sqlite => ["contacts", "companies"]
            .map(|t| {
                format!(
                    "DROP TRIGGER {t}_fts_insert;
                    INSERT INTO {t}_fts ({t}_fts, rank) VALUES ('automerge', 16);
"
                )
            })
            .concat(),
        Backend::Postgres => "SELECT 1;".into(),
    }
}

/// Duplicate scans run as jobs, and the review queue of groups each proposes.
fn dedupe_scans(backend: Backend) -> String {
    dialect::render_ddl(
        backend,
        "CREATE TABLE dedupe_scans (
            workspace_id {uuid} NOT NULL,
            id {uuid} NOT NULL,
            entity TEXT NOT NULL,
            status TEXT NOT NULL,
            progress {json} NOT NULL,
            model {json},
            created_by {uuid} NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (workspace_id, id));
        CREATE INDEX dedupe_scans_newest ON dedupe_scans (workspace_id, entity, created_at);
        CREATE TABLE dedupe_groups (
            workspace_id {uuid} NOT NULL,
            scan_id {uuid} NOT NULL,
            seq BIGINT NOT NULL,
            confidence DOUBLE PRECISION NOT NULL,
            members {json} NOT NULL,
            pairs {json} NOT NULL,
            status TEXT NOT NULL,
            merge_id {uuid},
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (workspace_id, scan_id, seq));
",
    )
}

/// Products and services (issue 6): a record table like the others, with a term table for their tags; listed and
/// filtered, not searched by fragment.
fn products(backend: Backend) -> String {
    let without_rowid = if backend == Backend::Sqlite {
        " WITHOUT ROWID"
    } else {
        ""
    };
    let ddl = record_table("products", "") + &terms_table("product_terms", without_rowid);
    dialect::render_ddl(backend, &ddl)
}

/// Orders (issue 6): a record table with the customer, the time and what the order counts as spend in their own
/// columns, so that a customer's orders are found by index and summed without reading their data.
fn orders(backend: Backend) -> String {
    let ddl = record_table(
        "orders",
        ",\n    occurred_at BIGINT NOT NULL,\n    company_id {uuid},\n    contact_id {uuid},\n    currency TEXT,\n    spent_minor BIGINT",
    ) + "CREATE INDEX orders_by_contact ON orders (workspace_id, contact_id, occurred_at, id) WHERE deleted_at IS NULL;
CREATE INDEX orders_by_company ON orders (workspace_id, company_id, occurred_at, id) WHERE deleted_at IS NULL;
";
    dialect::render_ddl(backend, &ddl)
}

/// Pipelines, deals, leads, tasks and offers (issue 6). Deals and offers are found by their customer, tasks by
/// their assignee and due time ("my day").
fn sales(backend: Backend) -> String {
    let ddl = record_table("pipelines", "")
        + &record_table("deals", ",\n    company_id {uuid},\n    contact_id {uuid}")
        + "CREATE INDEX deals_by_contact ON deals (workspace_id, contact_id) WHERE deleted_at IS NULL;
CREATE INDEX deals_by_company ON deals (workspace_id, company_id) WHERE deleted_at IS NULL;
"
        + &record_table("leads", "")
        + &record_table("tasks", ",\n    due_at BIGINT")
        + "CREATE INDEX tasks_by_owner_due ON tasks (workspace_id, owner_id, due_at, id) WHERE deleted_at IS NULL;
"
        + &record_table(
            "offers",
            ",\n    occurred_at BIGINT NOT NULL,\n    company_id {uuid},\n    contact_id {uuid}",
        )
        + "CREATE INDEX offers_by_contact ON offers (workspace_id, contact_id, occurred_at, id) WHERE deleted_at IS NULL;
";
    dialect::render_ddl(backend, &ddl)
}

/// A contact's order metrics as columns of `contacts`, kept current by every order write (see
/// `customer_metrics.rs`), so that lists filter and sort by them on an index; filled here from the orders already
/// recorded.
fn customer_metrics(backend: Backend) -> String {
    let mut ddl = String::new();
    for column in [
        "orders_count BIGINT NOT NULL DEFAULT 0",
        "total_spent_minor BIGINT NOT NULL DEFAULT 0",
        "last_order_at BIGINT NOT NULL DEFAULT 0",
        "rfm_recency BIGINT NOT NULL DEFAULT 0",
        "rfm_frequency BIGINT NOT NULL DEFAULT 0",
        "rfm_monetary BIGINT NOT NULL DEFAULT 0",
    ] {
        ddl.push_str(&format!("ALTER TABLE contacts ADD COLUMN {column};\n"));
    }
    for column in ["orders_count", "total_spent_minor", "last_order_at"] {
        ddl.push_str(&format!(
            "CREATE INDEX contacts_by_{column} ON contacts (workspace_id, {column}, id) WHERE deleted_at IS NULL;\n"
        ));
    }
    ddl.push_str(&format!(
        "UPDATE contacts SET {} WHERE EXISTS (SELECT 1 FROM orders o WHERE o.workspace_id = contacts.workspace_id \
         AND o.contact_id = contacts.id);\n",
        crate::customer_metrics::refresh_set()
    ));
    dialect::render_ddl(backend, &ddl)
}

/// RFM by cut points (see `temas_core::rfm`): the scoring job keeps four cuts per input for the workspace instead
/// of writing three scores into every buying contact, so the score columns go.
fn rfm_cuts(backend: Backend) -> String {
    let ddl = "CREATE TABLE rfm_cuts (
    workspace_id {uuid} NOT NULL PRIMARY KEY,
    buyers BIGINT NOT NULL,
    cuts {json} NOT NULL,
    computed_at BIGINT NOT NULL);
ALTER TABLE contacts DROP COLUMN rfm_recency;
ALTER TABLE contacts DROP COLUMN rfm_frequency;
ALTER TABLE contacts DROP COLUMN rfm_monetary;
";
    dialect::render_ddl(backend, ddl)
}

/// Most orders, deals and interactions name no company, and indexing them under a null company put every one at
/// a random place of the index (its time or id decides), one more page written per order pushed. The indexes
/// now hold only rows with a company; a query for a company's rows implies it has one, so they still serve it.
fn company_indexes_skip_none(backend: Backend) -> String {
    let mut ddl = String::new();
    for (table, columns, deleted) in [
        ("orders", "occurred_at, id", true),
        ("deals", "", true),
        ("interactions", "occurred_at, id", false),
    ] {
        let columns = if columns.is_empty() {
            String::new()
        } else {
            format!(", {columns}")
        };
        let live = if deleted {
            "deleted_at IS NULL AND "
        } else {
            ""
        };
        ddl.push_str(&format!(
            "DROP INDEX {table}_by_company;
CREATE INDEX {table}_by_company ON {table} (workspace_id, company_id{columns}) WHERE {live}company_id IS NOT NULL;
"
        ));
    }
    dialect::render_ddl(backend, &ddl)
}

/// When each contact was last in touch (their latest live interaction), kept current by every interaction write,
/// so that lists filter and sort by it (and by the days since) on an index; filled here from the interactions
/// already recorded.
fn last_contact(backend: Backend) -> String {
    let ddl = format!(
        "ALTER TABLE contacts ADD COLUMN last_contact_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX contacts_by_last_contact_at ON contacts (workspace_id, last_contact_at, id) WHERE deleted_at IS NULL;
UPDATE contacts SET {} WHERE EXISTS (SELECT 1 FROM interaction_contacts l WHERE l.workspace_id = contacts.workspace_id \
AND l.contact_id = contacts.id);
",
        crate::customer_metrics::last_contact_set()
    );
    dialect::render_ddl(backend, &ddl)
}

/// A contact's spend over the last 12 months, kept current by every order write and by the daily job that moves the
/// window (see `spend_window.rs`), so that lists filter and sort by it on an index; filled here from the orders
/// already recorded.
fn spend_last_12_months(backend: Backend) -> String {
    let now = temas_core::time::to_micros(temas_core::time::now());
    dialect::render_ddl(backend, &crate::spend_window::migration(now))
}

/// A contact's first purchase and average order value (in the workspace's currency), kept current by every order
/// write with the purchases in that currency they divide, so that lists filter and sort by them on an index;
/// filled here from the orders already recorded.
fn order_value_metrics(backend: Backend) -> String {
    let mut ddl = String::new();
    for column in [
        "first_order_at",
        "home_orders_count",
        "average_order_value_minor",
    ] {
        ddl.push_str(&format!(
            "ALTER TABLE contacts ADD COLUMN {column} BIGINT NOT NULL DEFAULT 0;\n"
        ));
    }
    for column in ["first_order_at", "average_order_value_minor"] {
        ddl.push_str(&format!(
            "CREATE INDEX contacts_by_{column} ON contacts (workspace_id, {column}, id) WHERE deleted_at IS NULL;\n"
        ));
    }
    ddl.push_str(&format!(
        "UPDATE contacts SET {} WHERE orders_count > 0;\n",
        crate::customer_metrics::order_value_set()
    ));
    dialect::render_ddl(backend, &ddl)
}
