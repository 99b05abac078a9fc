//! Every problem answer must be documented: when a response is
//! `application/problem+json`, the operation its request matched in the
//! server's OpenAPI document must list the body's `code` among the examples of
//! that status. Requests that match no operation (unknown paths, 405s) are
//! skipped. A HEAD answer has no body, so there only the status must be
//! documented.
//!
//! On by default: a miss panics. With `UNDOCUMENTED_CODES_LOG=<file>` set, a
//! miss is appended to that file (`operationId status code`, one a line) and
//! the test goes on, so one run collects them all.

use std::io::Write;
use std::sync::OnceLock;

use serde_json::Value;

/// One operation of the spec: method, path template split in segments, and its
/// object in the document.
struct Operation {
    method: String,
    template: String,
    segments: Vec<Segment>,
    doc: Value,
}

#[derive(Clone)]
enum Segment {
    Literal(String),
    Param,
}

/// The spec's operations, built once per process.
fn operations() -> &'static [Operation] {
    static OPS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPS.get_or_init(|| {
        let spec: Value = serde_json::from_str(&api::openapi::spec_json().expect("spec")).expect("spec is JSON");
        let mut ops = Vec::new();
        for (template, item) in spec["paths"].as_object().expect("paths") {
            let segments: Vec<Segment> = template
                .split('/')
                .map(|s| {
                    if s.starts_with('{') && s.ends_with('}') {
                        Segment::Param
                    } else {
                        Segment::Literal(s.to_owned())
                    }
                })
                .collect();
            for (method, doc) in item.as_object().expect("path item") {
                if doc.get("responses").is_some() {
                    ops.push(Operation {
                        method: method.clone(),
                        template: template.clone(),
                        segments: segments.clone(),
                        doc: doc.clone(),
                    });
                }
            }
        }
        ops
    })
}

/// The operation for `method` on `path`; of several templates that match, the
/// one with the most literal segments.
fn find(method: &str, path: &str) -> Option<&'static Operation> {
    let method = method.to_ascii_lowercase();
    let parts: Vec<&str> = path.split('/').collect();
    operations()
        .iter()
        .filter(|op| op.method == method && op.segments.len() == parts.len())
        .filter(|op| {
            op.segments.iter().zip(&parts).all(|(seg, part)| match seg {
                Segment::Literal(l) => l == part,
                Segment::Param => !part.is_empty(),
            })
        })
        .max_by_key(|op| op.segments.iter().filter(|s| matches!(s, Segment::Literal(_))).count())
}

/// Checks one response (see the module docs).
pub(crate) fn check(method: &str, path: &str, status: u16, content_type: Option<&str>, body: &Value) {
    let problem = content_type.is_some_and(|ct| ct.starts_with("application/problem+json"));
    if !problem {
        return;
    }
    let Some(op) = find(method, path) else {
        return;
    };
    let problems = &op.doc["responses"][status.to_string()]["content"]["application/problem+json"];
    // A HEAD answer has no body: its status must at least be documented.
    let (code, documented) = match body["code"].as_str() {
        Some(code) => (code, problems["examples"].get(code).is_some()),
        None if method == "HEAD" => ("(HEAD, no body)", !problems.is_null()),
        None => ("(no code)", false),
    };
    if documented {
        return;
    }
    let operation_id = op.doc["operationId"].as_str().unwrap_or("<no operationId>");
    match std::env::var_os("UNDOCUMENTED_CODES_LOG") {
        Some(file) => {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&file)
                .expect("undocumented codes log");
            writeln!(f, "{operation_id} {status} {code}").expect("write undocumented codes log");
        }
        None => panic!(
            "undocumented problem: {method} {} ({operation_id}) answered {status} `{code}`, \
             which its OpenAPI responses do not list",
            op.template
        ),
    }
}
