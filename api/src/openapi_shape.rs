//! Rules applied to the finished document, so they hold for every operation
//! alike, whoever declared it: what the schema can say about cursors, `If-Match`
//! and region slugs; one named type for country codes; no security on public
//! operations; and the few links that let a client follow a flow.
//!
//! Each rule keeps generated SDKs free of warnings and duplicate types
//! (openapi-python-client, @hey-api/openapi-ts) and lets contract tests
//! generate only requests the server can accept.

use serde_json::{json, Map, Value};

/// A slug, as `domain::service::Slug` accepts it.
pub const SLUG_PATTERN: &str = "^[a-z0-9][a-z0-9-]{0,62}$";

/// One entity tag (`"7"`, weak `W/"7"`; RFC 9110 `etagc` inside), `*`, or
/// empty (no condition): what `crate::preconditions::if_match` reads; anything
/// else is 400.
pub const IF_MATCH_PATTERN: &str = r#"^(\*|(W/)?"[!#-~]*")?$"#;

pub fn apply(doc: &mut Value) {
    cursors_are_not_empty(doc);
    if_match_is_a_tag(doc);
    regions_are_slugs(doc);
    country_code_type(doc);
    public_means_no_security(doc);
    binary_bodies(doc);
    add_links(doc);
}

/// Every operation object of the document.
fn operations(doc: &mut Value) -> impl Iterator<Item = &mut Map<String, Value>> {
    doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(Value::as_object_mut)
        .filter(|op| op.contains_key("responses"))
}

fn parameters<'a>(
    doc: &'a mut Value,
    place: &'a str,
    name: &'a str,
) -> impl Iterator<Item = &'a mut Map<String, Value>> + 'a {
    operations(doc)
        .filter_map(|op| op.get_mut("parameters").and_then(Value::as_array_mut))
        .flat_map(|params| params.iter_mut())
        .filter_map(Value::as_object_mut)
        .filter(move |p| p["in"] == place && p["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
}

/// An empty `cursor=` is not a cursor any list returned: the schema refuses it.
fn cursors_are_not_empty(doc: &mut Value) {
    for param in parameters(doc, "query", "cursor") {
        param.insert("schema".into(), json!({"type": "string", "minLength": 1}));
    }
}

/// `If-Match` is a tag this API wrote (never `null`, which a header cannot be).
fn if_match_is_a_tag(doc: &mut Value) {
    for param in parameters(doc, "header", "If-Match") {
        param.insert(
            "schema".into(),
            json!({"type": "string", "pattern": IF_MATCH_PATTERN, "example": "\"3\""}),
        );
    }
}

/// A service's regions: at least one slug.
fn regions_are_slugs(doc: &mut Value) {
    for body in ["CreateService", "UpdateService"] {
        let at = format!("/components/schemas/{body}/properties/regions");
        if let Some(regions) = doc.pointer_mut(&at).and_then(Value::as_object_mut) {
            regions.insert("items".into(), json!({"type": "string", "pattern": SLUG_PATTERN}));
            regions.insert("minItems".into(), json!(1));
        }
    }
}

/// Country codes are one named enum; a nullable field says so beside it
/// (`anyOf` with `null`), so generators make one type, not one per use.
fn country_code_type(doc: &mut Value) {
    let schemas = &mut doc["components"]["schemas"];
    let codes: Vec<Value> = domain::customer::country_codes().map(Value::from).collect();
    schemas["CountryCode"] = json!({
        "type": "string",
        "description": "An ISO 3166-1 alpha-2 country code.",
        "enum": codes,
        "example": "NZ",
    });
    let code = json!({"$ref": "#/components/schemas/CountryCode"});
    for (schema, nullable) in [
        ("CreateOrganization", true),
        ("UpdateOrganization", true),
        ("ApplyToProgramme", false),
    ] {
        let at = format!("/{schema}/properties/country");
        let Some(field) = schemas.pointer_mut(&at).and_then(Value::as_object_mut) else {
            continue;
        };
        let description = field.get("description").cloned();
        field.clear();
        if nullable {
            field.insert("anyOf".into(), json!([code, {"type": "null"}]));
        } else {
            field.extend(code.as_object().cloned().unwrap_or_default());
        }
        if let Some(d) = description {
            field.insert("description".into(), d);
        }
    }
}

/// A public operation declares `security: []`, so a generated client neither
/// demands credentials for it nor sends its bearer token there. The token
/// endpoint is public in that sense too: the client's id and secret are form
/// fields of its body (HTTP Basic is also accepted, as its description says).
fn public_means_no_security(doc: &mut Value) {
    for op in operations(doc) {
        let public = op["operationId"] == "issueToken"
            || op
                .get("security")
                .and_then(Value::as_array)
                .is_some_and(|reqs| reqs.iter().all(|r| r.as_object().is_some_and(Map::is_empty)));
        if public {
            op.insert("security".into(), json!([]));
        }
    }
}

/// Binary request bodies are bytes (`format: binary`), not arrays of numbers.
fn binary_bodies(doc: &mut Value) {
    for op in operations(doc) {
        let Some(content) = op
            .get_mut("requestBody")
            .and_then(|b| b.get_mut("content"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (media, body) in content.iter_mut() {
            if media.starts_with("image/") {
                body["schema"] = json!({"type": "string", "format": "binary"});
            }
        }
    }
}

/// (source operation, target operation, the target's parameters with the
/// runtime expressions that fill them).
type Link = (&'static str, &'static str, &'static [(&'static str, &'static str)]);

/// The flows a client follows from an answer, a handful per response: from a
/// record to reading, changing (with the `ETag` just received) and listing
/// what hangs off it. Contract tests' stateful phase follows the same links.
const LINKS: &[Link] = &[
    (
        "getMe",
        "getOrganization",
        &[("id", "$response.body#/home_organization_id")],
    ),
    (
        "getMe",
        "listChildren",
        &[("id", "$response.body#/home_organization_id")],
    ),
    (
        "getMe",
        "listCustomers",
        &[("id", "$response.body#/home_organization_id")],
    ),
    ("createOrganization", "getOrganization", &[("id", "$response.body#/id")]),
    (
        "createOrganization",
        "createSubscription",
        &[("id", "$response.body#/id")],
    ),
    ("createOrganization", "createOperator", &[("id", "$response.body#/id")]),
    ("createOrganization", "listChildren", &[("id", "$response.body#/id")]),
    (
        "getOrganization",
        "updateOrganization",
        &[
            ("id", "$response.body#/id"),
            ("header.If-Match", "$response.header.ETag"),
        ],
    ),
    ("getOrganization", "listChildren", &[("id", "$response.body#/id")]),
    ("getOrganization", "getDashboard", &[("id", "$response.body#/id")]),
    (
        "listChildren",
        "getOrganization",
        &[("id", "$response.body#/items/0/id")],
    ),
    (
        "listDescendants",
        "getOrganization",
        &[("id", "$response.body#/items/0/id")],
    ),
    (
        "listCustomers",
        "listCustomerSubscriptions",
        &[("id", "$response.body#/items/0/id")],
    ),
    (
        "listCustomers",
        "createSubscription",
        &[("id", "$response.body#/items/0/id")],
    ),
    ("createSubscription", "getSubscription", &[("id", "$response.body#/id")]),
    (
        "createSubscription",
        "getSubscriptionHistory",
        &[("id", "$response.body#/id")],
    ),
    (
        "getSubscription",
        "updateSubscription",
        &[
            ("id", "$response.body#/id"),
            ("header.If-Match", "$response.header.ETag"),
        ],
    ),
    (
        "getSubscription",
        "suspendSubscription",
        &[("id", "$response.body#/id")],
    ),
    ("createOperator", "getOperator", &[("id", "$response.body#/id")]),
    (
        "getOperator",
        "updateOperator",
        &[
            ("id", "$response.body#/id"),
            ("header.If-Match", "$response.header.ETag"),
        ],
    ),
    ("createCustomerUser", "getCustomerUser", &[("id", "$response.body#/id")]),
    (
        "getCustomerUser",
        "updateCustomerUser",
        &[
            ("id", "$response.body#/id"),
            ("header.If-Match", "$response.header.ETag"),
        ],
    ),
    ("createApiClient", "getApiClient", &[("id", "$response.body#/id")]),
    ("createApiClient", "revokeApiClient", &[("id", "$response.body#/id")]),
    (
        "createWebhookEndpoint",
        "getWebhookEndpoint",
        &[("id", "$response.body#/id")],
    ),
    (
        "createWebhookEndpoint",
        "listWebhookDeliveries",
        &[("id", "$response.body#/id")],
    ),
    (
        "getWebhookEndpoint",
        "updateWebhookEndpoint",
        &[
            ("id", "$response.body#/id"),
            ("header.If-Match", "$response.header.ETag"),
        ],
    ),
    ("createService", "getService", &[("key", "$response.body#/key")]),
    (
        "getService",
        "updateService",
        &[
            ("key", "$response.body#/key"),
            ("header.If-Match", "$response.header.ETag"),
        ],
    ),
    (
        "createServiceInstance",
        "launchServiceInstance",
        &[("id", "$response.body#/id")],
    ),
    ("runBilling", "getBillingRun", &[("id", "$response.body#/id")]),
    ("listInvoices", "getInvoice", &[("id", "$response.body#/items/0/id")]),
    ("listInvoices", "issueInvoice", &[("id", "$response.body#/items/0/id")]),
];

/// Adds [`LINKS`] to the first success response of each source operation.
fn add_links(doc: &mut Value) {
    for op in operations(doc) {
        let Some(source) = op.get("operationId").and_then(Value::as_str).map(str::to_owned) else {
            continue;
        };
        let Some(success) = op["responses"]
            .as_object_mut()
            .and_then(|r| r.iter_mut().find(|(status, _)| status.starts_with('2')).map(|(_, r)| r))
        else {
            continue;
        };
        for (_, target, params) in LINKS.iter().filter(|(s, _, _)| *s == source) {
            let parameters: Map<String, Value> = params.iter().map(|(k, v)| ((*k).into(), json!(v))).collect();
            let mut link = json!({
                "operationId": target,
                "description": format!("`{target}` on the record this answer names"),
            });
            if !parameters.is_empty() {
                link["parameters"] = Value::Object(parameters);
            }
            success["links"][*target] = link;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Value {
        crate::openapi::spec_json()
            .ok()
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default()
    }

    #[test]
    fn links_are_few_and_name_operations_that_exist() {
        let mut doc = spec();
        let ids: Vec<String> = operations(&mut doc)
            .filter_map(|op| op["operationId"].as_str().map(str::to_owned))
            .collect();
        for (source, target, _) in LINKS {
            assert!(ids.iter().any(|i| i == source), "{source}");
            assert!(ids.iter().any(|i| i == target), "{target}");
        }
        for op in operations(&mut doc) {
            for response in op["responses"].as_object().into_iter().flat_map(|r| r.values()) {
                let n = response["links"].as_object().map_or(0, Map::len);
                assert!(n <= 5, "{}: {n} links", op["operationId"]);
            }
        }
    }

    #[test]
    fn schema_states_cursor_if_match_and_country_rules() {
        let mut doc = spec();
        assert_eq!(
            doc["components"]["schemas"]["CreateOrganization"]["properties"]["country"]["anyOf"][1]["type"],
            "null"
        );
        for param in parameters(&mut doc, "query", "cursor") {
            assert_eq!(param["schema"]["minLength"], 1);
        }
        for param in parameters(&mut doc, "header", "If-Match") {
            assert_eq!(param["schema"]["pattern"], IF_MATCH_PATTERN);
        }
        for op in operations(&mut doc).filter(|op| op["operationId"] == "issueToken") {
            assert_eq!(op["security"], json!([]));
        }
    }
}
