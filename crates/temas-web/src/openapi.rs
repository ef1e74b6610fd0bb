//! The OpenAPI 3.1 document at `/api/v1/openapi.json`. Schemas come from the Rust types (`ToSchema`); the
//! operations come from [`ENDPOINTS`], which an integration test checks against the live router.

use temas_core::contact::{Company, CompanyInput, Contact, ContactInput};
use temas_core::custom::{CustomFieldDef, NewCustomField};
use temas_core::interaction::{Interaction, InteractionInput};
use temas_core::order::{Order, OrderInput};
use temas_core::product::{Product, ProductInput};
use temas_service::admin::{CustomFieldPatch, PrefsPatch};
use temas_service::records::BulkItemResult;
use temas_service::search::SearchHit;
use temas_store::HistoryEntry;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, ObjectBuilder, OpenApiBuilder, Paths, Ref,
    RefOr, Required, ResponseBuilder, Schema, Type,
};

/// One documented operation.
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub tag: &'static str,
    /// Schema name of the JSON request body.
    pub body: Option<&'static str>,
    /// Success status and schema name of its body (`Page:X` for a page of X, `Items:X` for a list, `Empty` for
    /// none).
    pub ok: (u16, &'static str),
    /// Query parameters: (name, description).
    pub query: &'static [(&'static str, &'static str)],
}

const LIST_QUERY: &[(&str, &str)] = &[
    (
        "filter",
        "field:op:value, repeatable. Ops: eq, ne, contains, starts, gt, gte, lt, lte, empty, notempty. Fields: any column, email, phone, tag, company_id, custom.<key>",
    ),
    (
        "sort",
        "name, created_at or updated_at; prefix - for descending (default -created_at)",
    ),
    ("limit", "1 to 500, default 50"),
    ("cursor", "next_cursor of the previous page"),
    ("deleted", "true lists the trash"),
];
const TIMELINE_QUERY: &[(&str, &str)] = &[
    ("cursor", "next_cursor of the previous page"),
    ("limit", "1 to 500"),
    (
        "channel",
        "only this channel: call, email, meeting, message, sms, visit, note or other",
    ),
];
const HISTORY_QUERY: &[(&str, &str)] = &[
    ("before", "id of the last entry already seen"),
    ("limit", "1 to 500"),
];

/// Creating a contact or company checks for probable duplicates first.
const CHECKED_CREATE: &[(&str, &str)] = &[(
    "confirm",
    "true creates the record even when it probably duplicates one you can see; otherwise such a request is \
     refused with 409 probable_duplicate, its candidates (record, probability, each field's contribution) in \
     candidates, and nothing is written",
)];

macro_rules! record_endpoints {
    ($base:literal, $item:literal, $tag:literal, $schema:literal, $input:literal, $create_query:expr) => {
        [
            Endpoint {
                method: "post",
                path: $base,
                summary: concat!("Create a ", $tag),
                tag: $tag,
                body: Some($input),
                ok: (201, $schema),
                query: $create_query,
            },
            Endpoint {
                method: "get",
                path: $base,
                summary: concat!("List ", $tag, " records (keyset paging, filters, sort)"),
                tag: $tag,
                body: None,
                ok: (200, concat!("Page:", $schema)),
                query: LIST_QUERY,
            },
            Endpoint {
                method: "get",
                path: $item,
                summary: concat!("Read a ", $tag, " (ETag carries the version)"),
                tag: $tag,
                body: None,
                ok: (200, $schema),
                query: &[("include_deleted", "true also finds a record in the trash")],
            },
            Endpoint {
                method: "patch",
                path: $item,
                summary: concat!(
                    "Change a ",
                    $tag,
                    " with a JSON merge patch (RFC 7396); If-Match guards against lost updates"
                ),
                tag: $tag,
                body: Some("MergePatch"),
                ok: (200, $schema),
                query: &[],
            },
            Endpoint {
                method: "delete",
                path: $item,
                summary: concat!("Move a ", $tag, " to the trash"),
                tag: $tag,
                body: None,
                ok: (200, $schema),
                query: &[],
            },
            Endpoint {
                method: "post",
                path: concat!($item, "/restore"),
                summary: concat!("Restore a ", $tag, " from the trash"),
                tag: $tag,
                body: None,
                ok: (200, $schema),
                query: &[],
            },
            Endpoint {
                method: "get",
                path: concat!($item, "/history"),
                summary: concat!(
                    "Change history of a ",
                    $tag,
                    ", newest first, field by field"
                ),
                tag: $tag,
                body: None,
                ok: (200, "Items:HistoryEntry"),
                query: HISTORY_QUERY,
            },
        ]
    };
}

pub fn endpoints() -> Vec<Endpoint> {
    let mut all = Vec::new();
    all.extend(record_endpoints!(
        "/api/v1/contacts",
        "/api/v1/contacts/{id}",
        "contact",
        "Contact",
        "ContactInput",
        CHECKED_CREATE
    ));
    all.extend(record_endpoints!(
        "/api/v1/companies",
        "/api/v1/companies/{id}",
        "company",
        "Company",
        "CompanyInput",
        CHECKED_CREATE
    ));
    all.extend(record_endpoints!(
        "/api/v1/interactions",
        "/api/v1/interactions/{id}",
        "interaction",
        "Interaction",
        "InteractionInput",
        &[]
    ));
    all.extend(record_endpoints!(
        "/api/v1/orders",
        "/api/v1/orders/{id}",
        "order",
        "Order",
        "OrderInput",
        &[]
    ));
    all.extend(record_endpoints!(
        "/api/v1/pipelines",
        "/api/v1/pipelines/{id}",
        "pipeline",
        "Pipeline",
        "PipelineInput",
        &[]
    ));
    all.extend(record_endpoints!(
        "/api/v1/deals",
        "/api/v1/deals/{id}",
        "deal",
        "Deal",
        "DealInput",
        &[]
    ));
    all.extend(record_endpoints!(
        "/api/v1/leads",
        "/api/v1/leads/{id}",
        "lead",
        "Lead",
        "LeadInput",
        &[]
    ));
    all.extend(record_endpoints!(
        "/api/v1/tasks",
        "/api/v1/tasks/{id}",
        "task",
        "Task",
        "TaskInput",
        &[]
    ));
    all.extend(record_endpoints!(
        "/api/v1/offers",
        "/api/v1/offers/{id}",
        "offer",
        "Offer",
        "OfferInput",
        &[]
    ));
    all.extend(record_endpoints!(
        "/api/v1/products",
        "/api/v1/products/{id}",
        "product",
        "Product",
        "ProductInput",
        &[]
    ));
    all.extend([
        Endpoint { method: "post", path: "/api/v1/contacts/bulk", summary: "Create or upsert (by external_id) up to 1,000 contacts; answers per item", tag: "contact", body: Some("ContactBulkRequest"), ok: (200, "Items:BulkItemResult"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/orders/bulk", summary: "Push up to 1,000 orders (a shop or POS); an order whose external_id exists is updated, so pushing again is harmless; answers per item", tag: "order", body: Some("OrderBulkRequest"), ok: (200, "Items:BulkItemResult"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/deals/bulk", summary: "Create or upsert (by external_id) up to 1,000 deals; answers per item", tag: "deal", body: Some("DealBulkRequest"), ok: (200, "Items:BulkItemResult"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/leads/bulk", summary: "Create or upsert (by external_id) up to 1,000 leads; answers per item", tag: "lead", body: Some("LeadBulkRequest"), ok: (200, "Items:BulkItemResult"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/offers/bulk", summary: "Create or upsert (by external_id) up to 1,000 offers; answers per item", tag: "offer", body: Some("OfferBulkRequest"), ok: (200, "Items:BulkItemResult"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/leads/{id}/convert", summary: "Convert a lead into a contact (or the existing one given), a company from its company name (or the one given) and, when asked, a deal; 409 probable_duplicate with the candidates when the new contact or company probably exists already", tag: "lead", body: Some("ConvertLead"), ok: (200, "Converted"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/forecast", summary: "Open deals weighted by probability, and won deals, by month and by owner, in the workspace's currency", tag: "deal", body: None, ok: (200, "Forecast"), query: &[("pipeline_id", "only this pipeline's deals"), ("from", "first month, YYYY-MM"), ("to", "last month, YYYY-MM")] },
        Endpoint { method: "post", path: "/api/v1/orders/{id}/attachments", summary: "Keep a file with an order (the raw file as the body, its media type as Content-Type, at most 25 MiB); the order lists it in `attachments` and its history records it", tag: "order", body: Some("Upload"), ok: (201, "Attachment"), query: &[("name", "the file's name (required)")] },
        Endpoint { method: "get", path: "/api/v1/orders/{id}/attachments/{attachment_id}", summary: "Download an order's file (always as an attachment, with its name and media type)", tag: "order", body: None, ok: (200, "Upload"), query: &[] },
        Endpoint { method: "delete", path: "/api/v1/orders/{id}/attachments/{attachment_id}", summary: "Remove a file from an order (its history keeps the record of it)", tag: "order", body: None, ok: (204, "Empty"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/rfm/run", summary: "Find the cut points of the RFM quintiles over the workspace's buying contacts, against which every contact's recency, frequency and spend scores (1 to 5) are read (owners, admins, managers; run daily)", tag: "contact", body: None, ok: (204, "Empty"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/my-day", summary: "Your open tasks due by the end of your day (in your time zone), overdue ones first", tag: "task", body: None, ok: (200, "Items:Task"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/follow-ups/run", summary: "Run the follow-up rules now (owners, admins, managers): tasks for open deals without contact, deals stuck in a stage, birthdays ahead; never the same task twice", tag: "task", body: None, ok: (200, "FollowUpRun"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/products/bulk", summary: "Create or upsert (by external_id) up to 1,000 products; answers per item", tag: "product", body: Some("ProductBulkRequest"), ok: (200, "Items:BulkItemResult"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/companies/bulk", summary: "Create or upsert (by external_id) up to 1,000 companies; answers per item", tag: "company", body: Some("CompanyBulkRequest"), ok: (200, "Items:BulkItemResult"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/contacts/{id}/timeline", summary: "A contact's interactions, newest first", tag: "contact", body: None, ok: (200, "Page:Interaction"), query: TIMELINE_QUERY },
        Endpoint { method: "get", path: "/api/v1/companies/{id}/timeline", summary: "A company's interactions, newest first", tag: "company", body: None, ok: (200, "Page:Interaction"), query: TIMELINE_QUERY },
        Endpoint { method: "get", path: "/api/v1/search", summary: "Find contacts and companies by any fragment of a name, email, phone or domain, in any script, ranked", tag: "search", body: None, ok: (200, "Items:SearchHit"), query: &[("q", "the text typed (required)"), ("limit", "1 to 50, default 20")] },
        Endpoint { method: "get", path: "/api/v1/users", summary: "Users of the workspace", tag: "user", body: None, ok: (200, "Items:User"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/users", summary: "Add a user (owners and admins)", tag: "user", body: Some("NewUser"), ok: (201, "User"), query: &[] },
        Endpoint { method: "patch", path: "/api/v1/users/{id}", summary: "Change a user's role or team (owners and admins; only owners make owners)", tag: "user", body: Some("UserPatch"), ok: (200, "User"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/users/me", summary: "The signed-in user", tag: "user", body: None, ok: (200, "User"), query: &[] },
        Endpoint { method: "patch", path: "/api/v1/users/me", summary: "Set language, calendar, digits and time zone", tag: "user", body: Some("PrefsPatch"), ok: (200, "User"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/workspace", summary: "The workspace and its settings", tag: "workspace", body: None, ok: (200, "WorkspaceJson"), query: &[] },
        Endpoint { method: "patch", path: "/api/v1/workspace", summary: "Change the name, default region and currency, each role's visibility scope, indexed list fields and new users' display defaults (owners and admins)", tag: "workspace", body: Some("WorkspacePatch"), ok: (200, "WorkspaceJson"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/custom-fields", summary: "Custom field definitions", tag: "custom field", body: None, ok: (200, "Items:CustomFieldDef"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/custom-fields", summary: "Define a custom field (owners and admins)", tag: "custom field", body: Some("NewCustomField"), ok: (201, "CustomFieldDef"), query: &[] },
        Endpoint { method: "patch", path: "/api/v1/custom-fields/{id}", summary: "Rename, reorder, require or retire a custom field", tag: "custom field", body: Some("CustomFieldPatch"), ok: (200, "CustomFieldDef"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/contacts/export", summary: "Every contact a list would show (same filter and sort), as CSV (UTF-8 with BOM, or a Windows code page), XLSX or vCard 4.0; headers are the importer's field names", tag: "import", body: None, ok: (200, "Csv"), query: &[("format", "csv (default), xlsx or vcf"), ("encoding", "CSV only: a Windows code page such as windows-1256, windows-1251, windows-1254"), ("filter", "as for the list, repeatable"), ("sort", "as for the list")] },
        Endpoint { method: "get", path: "/api/v1/imports", summary: "Your latest imports (all of the workspace's for owners and admins)", tag: "import", body: None, ok: (200, "Items:ImportView"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/imports", summary: "Upload a CSV, TSV, XLSX or ODS file (the raw file as the body): answers its preview and the guessed mapping; nothing is imported yet", tag: "import", body: Some("Upload"), ok: (201, "ImportView"), query: &[("file_name", "the file's name (its extension helps tell the format)"), ("sheet", "a workbook's sheet, by name or number (the first by default)")] },
        Endpoint { method: "get", path: "/api/v1/imports/{id}", summary: "An import: preview, mapping, status, progress (rows read so far) and summary", tag: "import", body: None, ok: (200, "ImportView"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/imports/{id}/run", summary: "Check (dry_run) or commit an uploaded import in the background, with the mapping as chosen; follow it with GET", tag: "import", body: Some("StartImport"), ok: (202, "ImportView"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/imports/{id}/rollback", summary: "Undo a committed import in the background: records it created are removed, records it updated get their earlier values back", tag: "import", body: None, ok: (202, "ImportView"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/imports/{id}/errors", summary: "The error report: the rows that failed, as they were in the file, with the reason in a last column (CSV, UTF-8 with BOM)", tag: "import", body: None, ok: (200, "Csv"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/contacts/merge", summary: "Merge duplicate contacts into one: values chosen by a rule or by hand, every email, phone, address, tag, company link and note kept, interactions moved to the survivor, the others to the trash", tag: "duplicates", body: Some("MergeRequest"), ok: (201, "MergeView"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/companies/merge", summary: "Merge duplicate companies into one; their contacts and interactions move to the survivor", tag: "duplicates", body: Some("MergeRequest"), ok: (201, "MergeView"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/merges/{id}", summary: "A merge: which records, how each value was chosen, and whether it was undone", tag: "duplicates", body: None, ok: (200, "MergeView"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/merges/{id}/undo", summary: "Undo a merge: merged records come back, moved links move back, the survivor's values return; changes made since are kept and reported", tag: "duplicates", body: None, ok: (200, "MergeView"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/contacts/not-duplicates", summary: "Remember that these contacts are different people: never proposed as duplicates again", tag: "duplicates", body: Some("NotDuplicates"), ok: (200, "Decided"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/companies/not-duplicates", summary: "Remember that these companies are different: never proposed as duplicates again", tag: "duplicates", body: Some("NotDuplicates"), ok: (200, "Decided"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/dedupe/scans", summary: "Scan the contacts or companies you see for duplicates in the background; with merge, the groups at or above the workspace's auto-merge confidence are merged and the rest wait for review. Follow it with GET", tag: "duplicates", body: Some("ScanRequest"), ok: (202, "ScanView"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/dedupe/scans", summary: "Your latest duplicate scans, newest first (all of the workspace's for owners and admins)", tag: "duplicates", body: None, ok: (200, "Items:ScanView"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/dedupe/scans/{id}", summary: "A duplicate scan: status, records read so far, and when done the engine's figures", tag: "duplicates", body: None, ok: (200, "ScanView"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/dedupe/scans/{id}/groups", summary: "The review queue of a scan: proposed groups, most confident first, each with its members and the pairs that hold it together explained field by field", tag: "duplicates", body: None, ok: (200, "QueuePage"), query: &[("status", "only open, merged or dismissed groups"), ("cursor", "next_cursor of the previous page"), ("limit", "1 to 100, default 20")] },
        Endpoint { method: "get", path: "/api/v1/dedupe/scans/{id}/groups/{seq}", summary: "One group of the review queue", tag: "duplicates", body: None, ok: (200, "GroupView"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/dedupe/scans/{id}/groups/{seq}/merge", summary: "Merge a group (the body may be {}: into its oldest live member, values by the most-complete rule); undo through /api/v1/merges/{id}/undo", tag: "duplicates", body: Some("GroupMerge"), ok: (201, "MergeView"), query: &[] },
        Endpoint { method: "post", path: "/api/v1/dedupe/scans/{id}/groups/{seq}/dismiss", summary: "Not duplicates: every pair of the group's members is remembered as different and never proposed again", tag: "duplicates", body: None, ok: (200, "GroupView"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/data-quality", summary: "The data quality report over the contacts you see: how complete each field is, emails and phones that cannot be used, contacts not updated in a while; each line with the list filter that shows its contacts", tag: "quality", body: None, ok: (200, "QualityReport"), query: &[("stale_months", "a contact not updated for this many months is stale (1 to 120, default 12)")] },
        Endpoint { method: "get", path: "/api/v1/views", summary: "Saved list views you may use: yours and those shared with your team", tag: "view", body: None, ok: (200, "Items:SavedView"), query: &[("entity", "contacts (default) or companies")] },
        Endpoint { method: "post", path: "/api/v1/views", summary: "Save a list view: columns, filters, sort; shared with your team or not", tag: "view", body: Some("ViewInput"), ok: (201, "SavedView"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/views/{id}", summary: "A saved view", tag: "view", body: None, ok: (200, "SavedView"), query: &[] },
        Endpoint { method: "put", path: "/api/v1/views/{id}", summary: "Replace a view you saved (its list cannot change)", tag: "view", body: Some("ViewInput"), ok: (200, "SavedView"), query: &[] },
        Endpoint { method: "delete", path: "/api/v1/views/{id}", summary: "Delete a view you saved", tag: "view", body: None, ok: (204, "Empty"), query: &[] },
        Endpoint { method: "get", path: "/api/v1/openapi.json", summary: "This document", tag: "meta", body: None, ok: (200, "Object"), query: &[] },
        Endpoint { method: "get", path: "/healthz", summary: "The process is alive", tag: "meta", body: None, ok: (200, "Text"), query: &[] },
        Endpoint { method: "get", path: "/readyz", summary: "The database answers", tag: "meta", body: None, ok: (200, "Text"), query: &[] },
    ]);
    all
}

fn schema_ref(name: &str) -> RefOr<Schema> {
    let wrap = |inner: &str, paged: bool| {
        let array = utoipa::openapi::schema::ArrayBuilder::new()
            .items(Ref::from_schema_name(inner))
            .build();
        let mut obj = ObjectBuilder::new()
            .property("items", array)
            .required("items");
        if paged {
            obj = obj.property(
                "next_cursor",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("absent on the last page")),
            );
        }
        RefOr::T(Schema::Object(obj.build()))
    };
    match name.split_once(':') {
        Some(("Page", inner)) => wrap(inner, true),
        Some((_, inner)) => wrap(inner, false),
        None if name == "Object" || name == "MergePatch" => {
            RefOr::T(Schema::Object(ObjectBuilder::new().build()))
        }
        None if name == "Text" => RefOr::T(Schema::Object(
            ObjectBuilder::new().schema_type(Type::String).build(),
        )),
        None => RefOr::Ref(Ref::from_schema_name(name)),
    }
}

fn method(m: &str) -> HttpMethod {
    match m {
        "post" => HttpMethod::Post,
        "put" => HttpMethod::Put,
        "patch" => HttpMethod::Patch,
        "delete" => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}

fn bulk_request_schema(item: &str) -> Schema {
    let array = utoipa::openapi::schema::ArrayBuilder::new()
        .items(Ref::from_schema_name(item))
        .max_items(Some(1000))
        .build();
    Schema::Object(
        ObjectBuilder::new()
            .property("items", array)
            .required("items")
            .build(),
    )
}

/// Builds the document.
pub fn document() -> axum::Json<utoipa::openapi::OpenApi> {
    let mut paths = Paths::new();
    for e in endpoints() {
        let problem = ResponseBuilder::new()
            .description("Problem details (RFC 9457)")
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build();
        let success = match e.ok.1 {
            "Empty" => ResponseBuilder::new().description("Done; no body"),
            "Csv" => ResponseBuilder::new().description("CSV").content(
                "text/csv",
                ContentBuilder::new()
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                    .build(),
            ),
            schema => ResponseBuilder::new().description("Success").content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(schema_ref(schema)))
                    .build(),
            ),
        };
        let mut op = OperationBuilder::new()
            .summary(Some(e.summary))
            .tag(e.tag)
            .response(e.ok.0.to_string(), success.build())
            .response("default", problem);
        if !e.path.starts_with("/healthz")
            && !e.path.starts_with("/readyz")
            && !e.path.ends_with("openapi.json")
        {
            op = op.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
        }
        if e.path.contains("{id}") {
            op = op.parameter(
                ParameterBuilder::new()
                    .name("id")
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String).format(
                        Some(utoipa::openapi::SchemaFormat::KnownFormat(
                            utoipa::openapi::KnownFormat::Uuid,
                        )),
                    ))),
            );
        }
        if e.path.contains("{seq}") {
            op = op.parameter(
                ParameterBuilder::new()
                    .name("seq")
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .description(Some(
                        "the group's place in the queue, 1 being the most confident",
                    ))
                    .schema(Some(ObjectBuilder::new().schema_type(Type::Integer))),
            );
        }
        for (name, description) in e.query {
            op = op.parameter(
                ParameterBuilder::new()
                    .name(*name)
                    .parameter_in(ParameterIn::Query)
                    .required(if *name == "q" {
                        Required::True
                    } else {
                        Required::False
                    })
                    .description(Some(*description))
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
            );
        }
        if e.method == "post" && e.body.is_some() {
            op = op.parameter(
                ParameterBuilder::new()
                    .name("Idempotency-Key")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some(
                        "repeating a request with the same key replays the first answer",
                    ))
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
            );
        }
        if matches!(e.method, "patch" | "delete") || e.path.ends_with("/restore") {
            op = op.parameter(
                ParameterBuilder::new()
                    .name("If-Match")
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some("the ETag you read; a mismatch answers 412"))
                    .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
            );
        }
        if let Some(body) = e.body {
            let content = match body {
                "MergePatch" => (
                    "application/merge-patch+json",
                    ContentBuilder::new().schema(Some(schema_ref(body))),
                ),
                "Upload" => (
                    "application/octet-stream",
                    ContentBuilder::new().schema(Some(
                        ObjectBuilder::new().schema_type(Type::String).format(Some(
                            utoipa::openapi::SchemaFormat::KnownFormat(
                                utoipa::openapi::KnownFormat::Binary,
                            ),
                        )),
                    )),
                ),
                _ => (
                    "application/json",
                    ContentBuilder::new().schema(Some(schema_ref(body))),
                ),
            };
            op = op.request_body(Some(
                RequestBodyBuilder::new()
                    .required(Some(Required::True))
                    .content(content.0, content.1.build())
                    .build(),
            ));
        }
        paths.add_path_operation(e.path, vec![method(e.method)], op.build());
    }
    let components = ComponentsBuilder::new()
        .schema_from::<Contact>()
        .schema_from::<ContactInput>()
        .schema_from::<Company>()
        .schema_from::<CompanyInput>()
        .schema_from::<Interaction>()
        .schema_from::<InteractionInput>()
        .schema_from::<Product>()
        .schema_from::<ProductInput>()
        .schema_from::<temas_core::product::Price>()
        .schema_from::<temas_core::metrics::CustomerMetrics>()
        .schema_from::<temas_core::metrics::Amount>()
        .schema_from::<temas_core::metrics::Rfm>()
        .schema_from::<Order>()
        .schema_from::<OrderInput>()
        .schema_from::<temas_core::order::OrderLine>()
        .schema_from::<temas_core::order::OrderLineInput>()
        .schema_from::<temas_core::line_problem::LineProblem>()
        .schema_from::<temas_core::attachment::Attachment>()
        .schema_from::<temas_core::line_problem::LineProblemInput>()
        .schema_from::<temas_core::pipeline::Pipeline>()
        .schema_from::<temas_core::pipeline::PipelineInput>()
        .schema_from::<temas_core::pipeline::Stage>()
        .schema_from::<temas_core::pipeline::StageInput>()
        .schema_from::<temas_core::deal::Deal>()
        .schema_from::<temas_core::deal::DealInput>()
        .schema_from::<temas_core::deal::DealContact>()
        .schema_from::<temas_core::deal::StageChange>()
        .schema_from::<temas_core::lead::Lead>()
        .schema_from::<temas_core::lead::LeadInput>()
        .schema_from::<temas_core::lead::Conversion>()
        .schema_from::<temas_core::task::Task>()
        .schema_from::<temas_core::task::TaskInput>()
        .schema_from::<temas_core::task::Related>()
        .schema_from::<temas_core::task::Recurrence>()
        .schema_from::<temas_core::offer::Offer>()
        .schema_from::<temas_core::offer::OfferInput>()
        .schema_from::<temas_core::forecast::Forecast>()
        .schema_from::<temas_core::forecast::ForecastLine>()
        .schema_from::<temas_core::forecast::CurrencyRate>()
        .schema_from::<temas_service::leads::ConvertLead>()
        .schema_from::<temas_service::leads::Converted>()
        .schema_from::<temas_service::tasks::FollowUpRun>()
        .schema_from::<temas_store::FollowUpSettings>()
        .schema_from::<temas_store::ScheduleSettings>()
        .schema_from::<temas_store::AssignmentRule>()
        .schema_from::<HistoryEntry>()
        .schema_from::<SearchHit>()
        .schema_from::<BulkItemResult>()
        .schema_from::<CustomFieldDef>()
        .schema_from::<NewCustomField>()
        .schema_from::<CustomFieldPatch>()
        .schema_from::<temas_core::view::SavedView>()
        .schema_from::<temas_core::view::ViewInput>()
        .schema_from::<temas_core::view::ViewSettings>()
        .schema_from::<temas_core::view::ViewEntity>()
        .schema_from::<temas_service::import_jobs::ImportView>()
        .schema_from::<temas_service::import_jobs::ImportJob>()
        .schema_from::<temas_service::import_jobs::StartImport>()
        .schema_from::<temas_service::imports::ImportSummary>()
        .schema_from::<temas_store::RowProblem>()
        .schema_from::<temas_service::quality::QualityReport>()
        .schema_from::<temas_service::quality::QualityLine>()
        .schema_from::<temas_service::merge::MergeRequest>()
        .schema_from::<temas_service::merge::MergeView>()
        .schema_from::<temas_core::merge::Rule>()
        .schema_from::<temas_service::dedupe_scans::ScanRequest>()
        .schema_from::<temas_service::dedupe_scans::ScanView>()
        .schema_from::<temas_service::review_queue::QueuePage>()
        .schema_from::<temas_service::review_queue::GroupView>()
        .schema_from::<temas_service::review_queue::GroupMember>()
        .schema_from::<temas_service::review_queue::GroupMerge>()
        .schema_from::<crate::merges_api::NotDuplicates>()
        .schema_from::<crate::merges_api::Decided>()
        .schema_from::<PrefsPatch>()
        .schema_from::<temas_service::admin::WorkspacePatch>()
        .schema_from::<temas_service::admin::UserDefaultsPatch>()
        .schema_from::<temas_service::admin::UserPatch>()
        .schema_from::<temas_store::UserPrefs>()
        .schema_from::<crate::routes::WorkspaceJson>()
        .schema_from::<crate::error::Problem>()
        .schema_from::<crate::routes::UserJson>()
        .schema_from::<crate::routes::NewUserJson>()
        .schema("User", RefOr::Ref(Ref::from_schema_name("UserJson")))
        .schema("NewUser", RefOr::Ref(Ref::from_schema_name("NewUserJson")))
        .schema("ContactBulkRequest", bulk_request_schema("ContactInput"))
        .schema("CompanyBulkRequest", bulk_request_schema("CompanyInput"))
        .schema("ProductBulkRequest", bulk_request_schema("ProductInput"))
        .schema("OrderBulkRequest", bulk_request_schema("OrderInput"))
        .schema("DealBulkRequest", bulk_request_schema("DealInput"))
        .schema("LeadBulkRequest", bulk_request_schema("LeadInput"))
        .schema("OfferBulkRequest", bulk_request_schema("OfferInput"))
        .security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        )
        .build();
    let info = InfoBuilder::new()
        .title("Temas API")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "The customer database server. JSON under /api/v1, bearer tokens, problem+json errors.",
        ))
        .build();
    axum::Json(
        OpenApiBuilder::new()
            .info(info)
            .paths(paths)
            .components(Some(components))
            .build(),
    )
}
