//! The legacy operator import: a CSV of the old portal (`email,name,legacy_role,
//! organization`) checked row by row, then written all at once or not at all.
//! Shared by `POST /v1/organizations/{id}/operators/import` and the
//! `import-operators` command.

use std::collections::HashMap;

use domain::{map_legacy_role, DisplayName, FieldError, RoleSet, TreePath, WorkEmail};
use persistence::{AuditEntry, ImportRow, Organization, Store, StoreError};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// The columns, in any order; no others.
pub const COLUMNS: [&str; 4] = ["email", "name", "legacy_role", "organization"];

/// One problem in the file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowError {
    /// Line in the file; the header is line 1.
    pub line: u64,
    /// The column, or `file` for the file as a whole.
    pub column: String,
    pub code: String,
    pub message: String,
}

/// One operator of the file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportedOperator {
    pub line: u64,
    pub email: String,
    pub organization_id: Uuid,
    /// Null on a dry run for operators that would be created.
    pub operator_id: Option<Uuid>,
}

/// What an import did, or on a dry run would do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows read (the header excluded).
    pub rows: usize,
    /// Operators created (or, on a dry run, to be created), all `invited`.
    pub created: Vec<ImportedOperator>,
    /// Rows whose operator already exists: reported, not duplicated.
    pub existing: Vec<ImportedOperator>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file has {} bad rows", .0.len())]
    Rows(Vec<RowError>),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn file_error(line: u64, code: &str, message: impl Into<String>) -> ImportError {
    ImportError::Rows(vec![RowError {
        line,
        column: "file".into(),
        code: code.into(),
        message: message.into(),
    }])
}

/// Parses, checks and (unless `dry_run`) writes the file, for operators homed in
/// `target`'s subtree, on behalf of a caller whose scope is `scope`.
pub fn import(
    store: &Store,
    scope: &TreePath,
    target: &Organization,
    bytes: &[u8],
    dry_run: bool,
    who: &AuditEntry,
) -> Result<ImportReport, ImportError> {
    let text = decode(bytes)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let columns = header(&mut reader)?;
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut resolver = Resolver::new(store, target);
    let mut seen: HashMap<(Uuid, String), u64> = HashMap::new();
    let mut count = 0;
    for record in reader.records() {
        count += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                errors.push(RowError {
                    line,
                    column: "file".into(),
                    code: "malformed_csv".into(),
                    message: csv_message(&e),
                });
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let cell = |name: &str| columns.get(name).and_then(|i| record.get(*i)).unwrap_or("");
        let mut row_errors = Vec::new();
        let mut check = |r: Result<(), FieldError>| {
            if let Err(e) = r {
                row_errors.push(RowError {
                    line,
                    column: e.field.clone(),
                    code: e.code.into(),
                    message: e.message,
                });
            }
        };
        let email = WorkEmail::parse(cell("email"), "email");
        let name = DisplayName::parse(cell("name"));
        let role = map_legacy_role(cell("legacy_role"));
        let org = resolver.resolve(cell("organization"))?;
        check(email.as_ref().map(|_| ()).map_err(Clone::clone));
        check(name.as_ref().map(|_| ()).map_err(Clone::clone));
        check(role.as_ref().map(|_| ()).map_err(Clone::clone));
        check(org.as_ref().map(|_| ()).map_err(Clone::clone));
        if let (Ok(email), Ok(name), Ok(role), Ok(org)) = (email, name, role, org) {
            let key = (org, email.as_str().to_string());
            if let Some(first) = seen.get(&key) {
                check(Err(FieldError::new(
                    "email",
                    "duplicate_row",
                    format!("the same operator as line {first}"),
                )));
            } else {
                seen.insert(key, line);
                rows.push(ImportRow {
                    line,
                    home_organization_id: org,
                    email,
                    name,
                    roles: RoleSet::new([role]),
                });
            }
        }
        errors.extend(row_errors);
    }
    if count == 0 {
        errors.push(RowError {
            line: 2,
            column: "file".into(),
            code: "no_rows".into(),
            message: "the file has a header but no operators".into(),
        });
    }
    if !errors.is_empty() {
        return Err(ImportError::Rows(errors));
    }
    let pairs: Vec<(Uuid, String)> = rows
        .iter()
        .map(|r| (r.home_organization_id, r.email.as_str().to_string()))
        .collect();
    let present = store.existing_operators(&pairs)?;
    let (existing, new): (Vec<ImportRow>, Vec<ImportRow>) = rows
        .into_iter()
        .partition(|r| present.contains_key(&(r.home_organization_id, r.email.as_str().to_string())));
    let ids: Vec<Option<Uuid>> = if dry_run || new.is_empty() {
        vec![None; new.len()]
    } else {
        store
            .import_operators(scope, &new, who)?
            .into_iter()
            .map(Some)
            .collect()
    };
    let report = |r: &ImportRow, id: Option<Uuid>| ImportedOperator {
        line: r.line,
        email: r.email.as_str().to_string(),
        organization_id: r.home_organization_id,
        operator_id: id,
    };
    Ok(ImportReport {
        dry_run,
        rows: count,
        created: new.iter().zip(ids).map(|(r, id)| report(r, id)).collect(),
        existing: existing
            .iter()
            .map(|r| {
                report(
                    r,
                    present
                        .get(&(r.home_organization_id, r.email.as_str().to_string()))
                        .copied(),
                )
            })
            .collect(),
    })
}

/// UTF-8 only (a byte-order mark is allowed); the error names the first bad line.
fn decode(bytes: &[u8]) -> Result<&str, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count() as u64 + 1;
        file_error(
            line,
            "not_utf8",
            "the file must be UTF-8 encoded (save it as CSV UTF-8)",
        )
    })?;
    if text.trim().is_empty() {
        return Err(file_error(1, "empty_file", "the file is empty; expected a header line"));
    }
    Ok(text)
}

/// Column positions by name; exactly the four columns, in any order.
fn header(reader: &mut csv::Reader<&[u8]>) -> Result<HashMap<String, usize>, ImportError> {
    let headers = reader
        .headers()
        .map_err(|e| file_error(1, "malformed_csv", csv_message(&e)))?
        .clone();
    let columns: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim().to_ascii_lowercase(), i))
        .collect();
    let missing: Vec<&str> = COLUMNS.iter().copied().filter(|c| !columns.contains_key(*c)).collect();
    if !missing.is_empty() || columns.len() != COLUMNS.len() || headers.len() != COLUMNS.len() {
        return Err(file_error(
            1,
            "wrong_header",
            format!(
                "the header must be `{}` (found `{}`)",
                COLUMNS.join(","),
                headers.iter().collect::<Vec<_>>().join(",")
            ),
        ));
    }
    Ok(columns)
}

fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("expected {expected_len} fields, found {len} (check quoting and commas)")
        }
        csv::ErrorKind::Utf8 { .. } => "the line is not valid UTF-8".into(),
        _ => e.to_string(),
    }
}

/// Turns `organization` cells (an id, or a partner path of names from the target
/// down, `/`-separated) into organisation ids, each distinct cell looked up once.
struct Resolver<'a> {
    store: &'a Store,
    target: &'a Organization,
    cache: HashMap<String, Result<Uuid, FieldError>>,
}

impl<'a> Resolver<'a> {
    fn new(store: &'a Store, target: &'a Organization) -> Self {
        Self {
            store,
            target,
            cache: HashMap::new(),
        }
    }

    fn resolve(&mut self, cell: &str) -> Result<Result<Uuid, FieldError>, StoreError> {
        let key = cell.trim().to_string();
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit.clone());
        }
        let found = self.lookup(&key)?;
        let checked = found.and_then(|org| {
            if !self.target.path.is_ancestor_or_self_of(&org.path) {
                Err(not_found(&key, self.target))
            } else {
                org.kind.check_homes_operators().map_err(|e| e.at("organization"))?;
                Ok(org.id)
            }
        });
        self.cache.insert(key, checked.clone());
        Ok(checked)
    }

    fn lookup(&self, key: &str) -> Result<Result<Organization, FieldError>, StoreError> {
        if key.is_empty() {
            return Ok(Err(FieldError::new(
                "organization",
                "required",
                "the organisation is required",
            )));
        }
        if let Ok(id) = Uuid::try_parse(key) {
            return Ok(self.store.organization(id)?.ok_or_else(|| not_found(key, self.target)));
        }
        let names: Vec<&str> = key.split('/').map(str::trim).collect();
        if names[0].to_lowercase() != self.target.name.trim().to_lowercase() {
            return Ok(Err(not_found(key, self.target)));
        }
        let mut current = self.target.clone();
        for name in &names[1..] {
            let mut found = self.store.children_named(current.id, name)?;
            match found.len() {
                1 => current = found.remove(0),
                0 => return Ok(Err(not_found(key, self.target))),
                _ => {
                    return Ok(Err(FieldError::new(
                        "organization",
                        "ambiguous_organization",
                        format!(
                            "several organisations under `{}` are named `{name}`; use the id",
                            current.name
                        ),
                    )))
                }
            }
        }
        Ok(Ok(current))
    }
}

fn not_found(key: &str, target: &Organization) -> FieldError {
    FieldError::new(
        "organization",
        "organization_not_found",
        format!(
            "`{key}` is neither the id nor the partner path (starting `{}/…`) of an organisation in `{}`",
            target.name, target.name
        ),
    )
}
