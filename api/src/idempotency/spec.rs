//! Which operations take an `Idempotency-Key`, said once in the OpenAPI
//! document and read back from it by the middleware. Every POST and PATCH
//! does, except those that hand out a secret or a token (a replay would keep
//! the secret at rest in the key table and hand it out again) and those
//! without a bearer token (no verified caller to keep a key for: a replay
//! could reach someone else).

use actix_web::http::Method;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{OpenApi, RefOr, Required};

use super::{HEADER, MAX_KEY_LEN, REPLAYED};

/// Operations that answer with a secret or a token, and take no key.
const HAND_OUT_SECRETS: [(&str, &str); 6] = [
    ("createApiClient", "its answer carries the client's secret"),
    ("rotateApiClientSecret", "its answer carries the new secret"),
    ("createWebhookEndpoint", "its answer carries the signing secret"),
    ("rotateWebhookSecret", "its answer carries the new signing secret"),
    ("startTotpEnrolment", "its answer carries the TOTP secret"),
    ("impersonateCustomerUser", "its answer carries an impersonation token"),
];

/// Marks the operations that take no key, and why, in their descriptions.
pub const NO_KEY: &str = "No `Idempotency-Key`";

/// Why `op` takes no key, if it does not.
fn exception(op: &Operation) -> Option<String> {
    let id = op.operation_id.as_deref().unwrap_or_default();
    if let Some((_, why)) = HAND_OUT_SECRETS.iter().find(|(op_id, _)| *op_id == id) {
        return Some(format!(
            "{NO_KEY}: {why}, and answers are kept to be replayed; a secret is never kept at rest in the key \
             table nor handed out twice. Retry only after checking with a GET that the first call did not succeed."
        ));
    }
    let bearer = op.security.as_ref().is_some_and(|reqs| {
        reqs.iter()
            .any(|r| serde_json::to_value(r).is_ok_and(|v| v.get("bearer").is_some()))
    });
    (!bearer).then(|| {
        format!(
            "{NO_KEY}: this operation takes no bearer token, so there is no verified caller to keep a key for \
             (a replayed answer could reach someone else); the header is ignored."
        )
    })
}

fn keyed_ops(api: &mut OpenApi) -> impl Iterator<Item = &mut Operation> + '_ {
    api.paths
        .paths
        .values_mut()
        .flat_map(|item| [item.post.as_mut(), item.patch.as_mut()])
        .flatten()
}

/// Declares the header on each operation that takes it, and the reason on the
/// others; run before the problems are generated (the header adds 409
/// `idempotency_key_in_use`).
pub fn declare(api: &mut OpenApi) {
    for op in keyed_ops(api) {
        match exception(op) {
            Some(why) => {
                let described = op.description.take().unwrap_or_default();
                op.description = Some(format!("{described}\n\n{why}").trim_start().to_string());
            }
            None => op.parameters.get_or_insert_with(Vec::new).push(
                ParameterBuilder::new()
                    .name(HEADER)
                    .parameter_in(ParameterIn::Header)
                    .required(Required::False)
                    .description(Some(
                        "Makes retries safe: the first answer to this key (yours, for 24 hours) is replayed to a \
                         request with the same method, path and body, with `Idempotent-Replayed: true`; a different \
                         request with the key is 422 `idempotency_key_reused`, one while the first is running 409 \
                         `idempotency_key_in_use`. 5xx answers are not kept.",
                    ))
                    .schema(Some(
                        ObjectBuilder::new()
                            .schema_type(Type::String)
                            .min_length(Some(1))
                            .max_length(Some(MAX_KEY_LEN))
                            .pattern(Some("^[\\x21-\\x7E]+$")),
                    ))
                    .build(),
            ),
        }
    }
}

/// Adds `Idempotent-Replayed` to the answers a keyed operation may replay
/// (all but 5xx); run after the problems are generated.
pub fn document_replays(api: &mut OpenApi) {
    for op in keyed_ops(api).filter(|op| takes_key(op)) {
        for (status, response) in op.responses.responses.iter_mut() {
            if let (false, RefOr::T(response)) = (status.starts_with('5'), response) {
                response.headers.insert(
                    REPLAYED.into(),
                    HeaderBuilder::new()
                        .schema(
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .enum_values(Some(["true"])),
                        )
                        .description(Some("Present on an answer replayed for an `Idempotency-Key`"))
                        .build(),
                );
            }
        }
    }
}

/// Whether the operation declares the header.
pub fn takes_key(op: &Operation) -> bool {
    op.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| p.name == HEADER && matches!(p.parameter_in, ParameterIn::Header))
    })
}

/// The path templates and methods that take a key, read from the document.
pub struct KeyedRoutes(Vec<(Vec<String>, Method)>);

impl KeyedRoutes {
    pub fn from_spec(api: &OpenApi) -> Self {
        let mut routes = Vec::new();
        for (path, item) in &api.paths.paths {
            for (op, method) in [(&item.post, Method::POST), (&item.patch, Method::PATCH)] {
                if op.as_ref().is_some_and(takes_key) {
                    routes.push((segments(path).map(str::to_owned).collect(), method));
                }
            }
        }
        Self(routes)
    }

    /// Whether `method` `path` matches an operation that takes a key.
    pub fn takes_key(&self, method: &Method, path: &str) -> bool {
        let wanted: Vec<&str> = segments(path).collect();
        self.0.iter().any(|(template, m)| {
            m == method
                && template.len() == wanted.len()
                && template
                    .iter()
                    .zip(&wanted)
                    .all(|(t, w)| t == w || (t.starts_with('{') && !w.is_empty()))
        })
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every POST (and PATCH) documents the header (at most 255 characters) and
    /// `Idempotent-Replayed` on its successes, or says why it takes no key.
    #[test]
    fn every_post_documents_idempotency_key_or_says_why_not() {
        let spec = crate::openapi::spec();
        let mut keyed = 0;
        for (path, item) in &spec.paths.paths {
            for op in [item.post.as_ref(), item.patch.as_ref()].into_iter().flatten() {
                let name = format!("{path} {}", op.operation_id.as_deref().unwrap_or_default());
                if takes_key(op) {
                    keyed += 1;
                    let param = op
                        .parameters
                        .iter()
                        .flatten()
                        .find(|p| p.name == HEADER)
                        .and_then(|p| serde_json::to_value(p).ok())
                        .unwrap_or_default();
                    assert_eq!(param["schema"]["maxLength"], MAX_KEY_LEN, "{name}");
                    for (status, r) in &op.responses.responses {
                        if let (true, RefOr::T(r)) = (status.starts_with('2'), r) {
                            assert!(r.headers.contains_key(REPLAYED), "{name} {status}");
                        }
                    }
                } else {
                    let described = op.description.as_deref().unwrap_or_default();
                    assert!(
                        described.contains(NO_KEY),
                        "{name} neither takes a key nor says why not"
                    );
                }
            }
        }
        assert!(keyed > 30, "only {keyed} operations take a key");
    }

    #[test]
    fn the_routes_that_take_a_key_are_read_from_the_document() {
        let routes = KeyedRoutes::from_spec(&crate::openapi::spec());
        let id = "0190a0a0-0000-7000-8000-000000000000";
        assert!(routes.takes_key(&Method::POST, &format!("/v1/customers/{id}/subscriptions")));
        assert!(routes.takes_key(&Method::PATCH, &format!("/v1/subscriptions/{id}")));
        assert!(routes.takes_key(&Method::POST, &format!("/v1/invoices/{id}/issue")));
        assert!(!routes.takes_key(&Method::POST, &format!("/v1/api-clients/{id}/rotate-secret")));
        assert!(!routes.takes_key(&Method::POST, "/v1/sessions"));
        assert!(!routes.takes_key(&Method::GET, &format!("/v1/subscriptions/{id}")));
    }
}
