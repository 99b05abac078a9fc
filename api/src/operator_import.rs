//! The legacy operator import: a CSV of the old portal (`email,name,legacy_role,
//! organization`) checked row by row, then written all at once or not at all,
//! streamed: the file is spooled to a temporary file and read twice, the report
//! written to another (`import_report`), so memory does not grow with the file.
//! Shared by `POST /v1/organizations/{id}/operators/import` and the
//! `import-operators` command.

use std::collections::HashMap;
use std::io::{Read, Seek};

use domain::{map_legacy_role, DisplayName, FieldError, RoleSet, TreePath, WorkEmail};
use persistence::{AuditEntry, ImportRow, Organization, Store, StoreError};

pub use crate::import_report::ReportWriter;
use serde::{Deserialize, Serialize};
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

/// The file as a `multipart/form-data` upload, for clients that send files
/// that way (the spec's schema of that body, with no other parts; the part is
/// streamed, not parsed into this).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportUpload {
    /// The CSV file.
    #[schema(value_type = String, format = Binary, content_media_type = "text/csv")]
    pub file: Vec<u8>,
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

/// Most problems a rejected file lists; a last entry counts the rest.
pub const MAX_LISTED_PROBLEMS: usize = 1_000;

/// Valid rows written (or looked up) per batch of the write pass.
const BATCH: usize = 500;

/// Checks and (unless `dry_run`) writes the file in `file`, for operators
/// homed in `target`'s subtree, on behalf of a caller whose scope is `scope`;
/// the report goes to `report`. Memory stays bounded whatever the file's
/// size: the file is read twice from where it is spooled, row by row. The
/// first pass checks every row (nothing is written if any is bad); the second
/// writes the rows in batches, all in one transaction.
pub fn import<F: Read + Seek>(
    store: &Store,
    scope: &TreePath,
    target: &Organization,
    file: &mut F,
    dry_run: bool,
    who: &AuditEntry,
    report: &mut ReportWriter,
) -> Result<(), ImportError> {
    if is_blank(file)? {
        return Err(file_error(1, "empty_file", "the file is empty; expected a header line"));
    }
    let mut resolver = Resolver::new(store, target);
    let rows = check(&mut reader(file)?, &mut resolver)?;
    let mut reader = reader(file)?;
    let columns = header(&mut reader)?;
    let mut records = reader.into_records();
    let mut next = || -> Result<Option<Vec<ImportRow>>, StoreError> {
        let mut batch = Vec::with_capacity(BATCH);
        for record in records.by_ref() {
            let record = record.map_err(|e| StoreError::Corrupt(format!("the spooled import changed: {e}")))?;
            let line = record.position().map(|p| p.line()).unwrap_or(0);
            let row = parse_row(&record, &columns, &mut resolver)?
                .map_err(|_| StoreError::Corrupt(format!("line {line} of the spooled import changed")))?;
            batch.push(ImportRow { line, ..row });
            if batch.len() == BATCH {
                break;
            }
        }
        Ok((!batch.is_empty()).then_some(batch))
    };
    store.import_operators(scope, who, dry_run, &mut next, |row, id, imported| {
        report.row(row, id, imported).map_err(|e| spool_error(e).into_store())
    })?;
    report.set_rows(rows);
    Ok(())
}

/// The first pass: every row checked; the number of data rows, or every problem.
fn check<R: Read>(reader: &mut csv::Reader<R>, resolver: &mut Resolver) -> Result<usize, ImportError> {
    let columns = header(reader)?;
    let mut problems = Problems::default();
    // (organisation, e-mail) → first line; hashed so a large file costs 16 bytes a row.
    let seen_key = std::hash::RandomState::new();
    let mut seen: HashMap<u64, u64> = HashMap::new();
    let mut count = 0;
    for record in reader.records() {
        count += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(file_problem(&e));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        let row = match parse_row(&record, &columns, resolver)? {
            Ok(row) => row,
            Err(errors) => {
                for e in errors {
                    problems.push(RowError {
                        line,
                        column: e.field,
                        code: e.code.into(),
                        message: e.message,
                    });
                }
                continue;
            }
        };
        let key = std::hash::BuildHasher::hash_one(&seen_key, (row.home_organization_id, row.email.as_str()));
        match seen.get(&key) {
            Some(first) => problems.push(RowError {
                line,
                column: "email".into(),
                code: "duplicate_row".into(),
                message: format!("the same operator as line {first}"),
            }),
            None => {
                seen.insert(key, line);
            }
        }
    }
    if count == 0 {
        problems.push(RowError {
            line: 2,
            column: "file".into(),
            code: "no_rows".into(),
            message: "the file has a header but no operators".into(),
        });
    }
    problems.into_result().map(|()| count)
}

/// One record as a row (its `line` left 0), or the problems of its cells.
fn parse_row(
    record: &csv::StringRecord,
    columns: &HashMap<String, usize>,
    resolver: &mut Resolver,
) -> Result<Result<ImportRow, Vec<FieldError>>, StoreError> {
    let cell = |name: &str| columns.get(name).and_then(|i| record.get(*i)).unwrap_or("");
    let email = WorkEmail::parse(cell("email"), "email");
    let name = DisplayName::parse(cell("name"));
    let role = map_legacy_role(cell("legacy_role"));
    let org = resolver.resolve(cell("organization"))?;
    Ok(match (email, name, role, org) {
        (Ok(email), Ok(name), Ok(role), Ok(org)) => Ok(ImportRow {
            line: 0,
            home_organization_id: org,
            email,
            name,
            roles: RoleSet::new([role]),
        }),
        (email, name, role, org) => Err([email.err(), name.err(), role.err(), org.err()]
            .into_iter()
            .flatten()
            .collect()),
    })
}

/// The problems of a file: the first [`MAX_LISTED_PROBLEMS`], then a count.
#[derive(Default)]
struct Problems {
    listed: Vec<RowError>,
    more: usize,
}

impl Problems {
    fn push(&mut self, e: RowError) {
        if self.listed.len() < MAX_LISTED_PROBLEMS {
            self.listed.push(e);
        } else {
            self.more += 1;
        }
    }

    fn into_result(mut self) -> Result<(), ImportError> {
        if self.more > 0 {
            let line = self.listed.last().map_or(0, |e| e.line);
            self.listed.push(RowError {
                line,
                column: "file".into(),
                code: "too_many_problems".into(),
                message: format!("{} more problems after line {line} are not listed", self.more),
            });
        }
        if self.listed.is_empty() {
            Ok(())
        } else {
            Err(ImportError::Rows(self.listed))
        }
    }
}

fn file_problem(e: &csv::Error) -> RowError {
    let line = e.position().map(|p| p.line()).unwrap_or(0);
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => RowError {
            line,
            column: "file".into(),
            code: "not_utf8".into(),
            message: "the file must be UTF-8 encoded (save it as CSV UTF-8)".into(),
        },
        _ => RowError {
            line,
            column: "file".into(),
            code: "malformed_csv".into(),
            message: csv_message(e),
        },
    }
}

/// A reader of the whole file from its start (a UTF-8 byte-order mark is skipped).
fn reader<F: Read + Seek>(file: &mut F) -> Result<csv::Reader<std::io::BufReader<&mut F>>, ImportError> {
    file.rewind().map_err(spool_error)?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(std::io::BufReader::new(file)))
}

/// Nothing but white space (or nothing at all), read without holding the file.
fn is_blank<F: Read + Seek>(file: &mut F) -> Result<bool, ImportError> {
    file.rewind().map_err(spool_error)?;
    let mut buf = [0u8; 8192];
    let mut first = true;
    loop {
        let n = file.read(&mut buf).map_err(spool_error)?;
        if n == 0 {
            return Ok(true);
        }
        let mut chunk = &buf[..n];
        if first {
            chunk = chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(chunk);
            first = false;
        }
        if !chunk.iter().all(u8::is_ascii_whitespace) {
            return Ok(false);
        }
    }
}

/// The spooled file or report could not be read or written: an internal error.
fn spool_error(e: std::io::Error) -> ImportError {
    ImportError::Store(StoreError::Corrupt(format!("the import's spool file: {e}")))
}

impl ImportError {
    fn into_store(self) -> StoreError {
        match self {
            ImportError::Store(e) => e,
            ImportError::Rows(rows) => StoreError::Corrupt(format!("{} problems after the check", rows.len())),
        }
    }
}

/// Column positions by name; exactly the four columns, in any order.
fn header<R: Read>(reader: &mut csv::Reader<R>) -> Result<HashMap<String, usize>, ImportError> {
    let headers = reader
        .headers()
        .map_err(|e| {
            ImportError::Rows(vec![RowError {
                line: 1,
                ..file_problem(&e)
            }])
        })?
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
