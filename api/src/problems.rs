//! The error responses of each operation, generated from the codes it can
//! answer with. An operation lists the codes its own rules raise
//! (`responses(…, Problems<(codes::Duplicate, codes::StaleVersion)>)`); the
//! codes that follow from its shape (a bearer token, an `{id}` in the path, a
//! body, parameters) are added by [`shape_codes`]. Every response then has one
//! entry per status, describing each code and carrying one example per code,
//! named by the code. The http-tests check every problem the API answers
//! against these examples, so an undocumented code fails a test.

use std::collections::{BTreeMap, BTreeSet};
use std::marker::PhantomData;

use domain::{ErrorCode, KnownCode};
use utoipa::openapi::example::ExampleBuilder;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};

pub const PROBLEM_JSON: &str = "application/problem+json";

/// The codes an operation's own rules raise, for `#[utoipa::path(responses(…))]`.
pub struct Problems<T>(PhantomData<T>);

/// A tuple of code types.
pub trait CodeList {
    fn codes() -> Vec<ErrorCode>;
}

macro_rules! code_lists {
    ($(($($c:ident),+))+) => {
        $(
            impl<$($c: KnownCode),+> CodeList for ($($c,)+) {
                fn codes() -> Vec<ErrorCode> {
                    vec![$($c::CODE),+]
                }
            }
        )+
    };
}

code_lists! {
    (A)
    (A, B)
    (A, B, C)
    (A, B, C, D)
    (A, B, C, D, E)
    (A, B, C, D, E, F)
    (A, B, C, D, E, F, G)
    (A, B, C, D, E, F, G, H)
}

impl<T: CodeList> utoipa::IntoResponses for Problems<T> {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        responses(T::codes())
    }
}

/// One response per status, from `codes`.
fn responses(codes: impl IntoIterator<Item = ErrorCode>) -> BTreeMap<String, RefOr<Response>> {
    let mut by_status: BTreeMap<u16, BTreeSet<ErrorCode>> = BTreeMap::new();
    for code in codes {
        by_status.entry(code.status()).or_default().insert(code);
    }
    by_status
        .into_iter()
        .map(|(status, codes)| (status.to_string(), RefOr::T(response(&codes))))
        .collect()
}

fn response(codes: &BTreeSet<ErrorCode>) -> Response {
    let description = codes
        .iter()
        .map(|c| format!("`{c}`: {}", c.meaning()))
        .collect::<Vec<_>>()
        .join("\n\n");
    let examples = codes.iter().map(|c| {
        let example = ExampleBuilder::new()
            .summary(c.title())
            .value(Some(serde_json::json!({
                "type": format!("/problems/{c}"),
                "title": c.title(),
                "status": c.status(),
                "detail": c.meaning(),
                "code": c.as_str(),
            })))
            .build();
        (c.as_str(), example)
    });
    let retry = codes
        .iter()
        .any(|c| matches!(c, ErrorCode::RateLimited | ErrorCode::Unavailable));
    let mut response = ResponseBuilder::new().description(description);
    if retry {
        response = response.header(
            "Retry-After",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)))
                .description(Some("Seconds to wait before retrying"))
                .build(),
        );
    }
    response
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .examples_from_iter(examples)
                .build(),
        )
        .build()
}

/// The codes an operation's responses already document, read from their examples.
pub fn documented_codes(op: &Operation) -> Vec<ErrorCode> {
    op.responses
        .responses
        .values()
        .filter_map(|r| match r {
            RefOr::T(r) => r.content.get(PROBLEM_JSON),
            RefOr::Ref(_) => None,
        })
        .flat_map(|content| content.examples.keys())
        .filter_map(|name| name.parse().ok())
        .collect()
}

/// The codes every operation of this shape can answer with.
pub fn shape_codes(op: &Operation, path: &str) -> Vec<ErrorCode> {
    use ErrorCode::*;
    let secured = op.security.as_ref().is_some_and(|reqs| {
        reqs.iter()
            .any(|r| serde_json::to_value(r).is_ok_and(|v| v != serde_json::json!({})))
    });
    let bearer = op.security.as_ref().is_some_and(|reqs| {
        reqs.iter()
            .any(|r| serde_json::to_value(r).is_ok_and(|v| v.get("bearer").is_some()))
    });
    let body = op.request_body.as_ref();
    let json_body = body.is_some_and(|b| b.content.contains_key("application/json"));
    // Path parameters name the record (404 when they name none); the others can be malformed or invalid.
    let params = op
        .parameters
        .as_ref()
        .is_some_and(|ps| ps.iter().any(|p| !matches!(p.parameter_in, ParameterIn::Path)));
    let mut codes = vec![InternalError, UriTooLong];
    if crate::rate_limit::limited(path) {
        codes.push(RateLimited);
    }
    if body.is_some() || params {
        codes.push(MalformedRequest);
    }
    if body.is_some() {
        codes.extend([PayloadTooLarge, UnsupportedMediaType]);
    }
    if json_body || params {
        codes.push(ValidationFailed);
    }
    if secured {
        codes.push(Unavailable);
    }
    if crate::idempotency::spec::takes_key(op) {
        codes.push(IdempotencyKeyInUse);
    }
    // Only bearer operations answer 401 problems: the token endpoint refuses
    // client credentials in OAuth2's own format.
    if bearer {
        codes.extend([Unauthenticated, InvalidToken, Forbidden]);
        if path.contains("{id}") {
            codes.push(NotFound);
        }
    }
    codes
}

/// Replaces an operation's problem responses by the ones its codes generate.
/// Error statuses that are not problems (an OAuth2 error body, a bodyless 404
/// that means "free") stay, and share their status with the generated problems.
pub fn document(op: &mut Operation, path: &str) {
    let mut codes = documented_codes(op);
    codes.extend(shape_codes(op, path));
    op.responses.responses.retain(|status, r| {
        !(status.starts_with('4') || status.starts_with('5')) || matches!(r, RefOr::T(r) if !is_problem(r))
    });
    for (status, generated) in responses(codes) {
        match (op.responses.responses.get_mut(&status), generated) {
            (Some(RefOr::T(kept)), RefOr::T(generated)) => {
                kept.description = format!("{}\n\n{}", kept.description, generated.description);
                kept.content.extend(generated.content);
            }
            (_, generated) => {
                op.responses.responses.insert(status, generated);
            }
        }
    }
}

/// A response whose body is a `Problem`.
fn is_problem(r: &Response) -> bool {
    r.content.contains_key(PROBLEM_JSON)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The error-code table in docs/ARCHITECTURE.md, as the code has it.
    fn table() -> String {
        let mut out = String::from("| code | status | meaning |\n|---|---|---|\n");
        for code in ErrorCode::ALL {
            out.push_str(&format!("| `{code}` | {} | {} |\n", code.status(), code.meaning()));
        }
        out
    }

    #[test]
    fn the_architecture_doc_lists_every_error_code() {
        let doc = include_str!("../../docs/ARCHITECTURE.md");
        let listed = doc
            .split_once("<!-- error-codes -->\n")
            .and_then(|(_, rest)| rest.split_once("<!-- /error-codes -->"))
            .map(|(table, _)| table);
        assert_eq!(
            listed,
            Some(table().as_str()),
            "docs/ARCHITECTURE.md's error-code table is stale; put this between its markers:\n{}",
            table()
        );
    }

    #[test]
    fn an_operation_documents_its_own_codes_and_those_of_its_shape() {
        let spec = crate::openapi::spec();
        let op = spec
            .paths
            .paths
            .get("/v1/subscriptions/{id}/suspend")
            .and_then(|item| item.post.as_ref());
        let codes = op.map(documented_codes).unwrap_or_default();
        for code in [
            ErrorCode::InvalidStatusTransition,
            ErrorCode::NotFound,
            ErrorCode::Forbidden,
            ErrorCode::InvalidToken,
        ] {
            assert!(codes.contains(&code), "suspendSubscription documents {code}");
        }
        assert!(!codes.contains(&ErrorCode::PayloadTooLarge), "it takes no body");
    }
}
