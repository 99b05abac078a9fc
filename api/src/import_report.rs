//! The operator import's report, written as it goes to temporary files and
//! sent as a streamed body, so a large file's report costs disk, not memory:
//! `{"dry_run", "rows", "created": […], "existing": […]}` (the shape of
//! `ImportReport`). Also where an upload (a plain body or one part of a
//! `multipart/form-data` body) is spooled to a temporary file.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};

use actix_multipart::Multipart;
use actix_web::web::{self, Bytes};
use actix_web::HttpRequest;
use futures_util::{Stream, StreamExt};
use persistence::{ImportRow, Imported};
use uuid::Uuid;

use crate::error::ApiError;
use crate::operator_import::ImportedOperator;

/// The report of one import, its two lists in temporary files.
pub struct ReportWriter {
    dry_run: bool,
    rows: usize,
    created: List,
    existing: List,
}

/// A JSON array's elements, comma-separated, in a temporary file.
struct List {
    out: BufWriter<File>,
    empty: bool,
}

impl List {
    fn new() -> io::Result<Self> {
        Ok(Self {
            out: BufWriter::new(tempfile::tempfile()?),
            empty: true,
        })
    }

    fn push(&mut self, item: &ImportedOperator) -> io::Result<()> {
        if !self.empty {
            self.out.write_all(b",")?;
        }
        self.empty = false;
        serde_json::to_writer(&mut self.out, item).map_err(io::Error::other)
    }

    /// Appends the elements to `to`.
    fn copy_to(self, to: &mut impl Write) -> io::Result<()> {
        let mut file = self.out.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.rewind()?;
        io::copy(&mut file, to)?;
        Ok(())
    }
}

impl ReportWriter {
    pub fn new(dry_run: bool) -> io::Result<Self> {
        Ok(Self {
            dry_run,
            rows: 0,
            created: List::new()?,
            existing: List::new()?,
        })
    }

    /// One row of the file: its operator's id (`None` for a new one on a dry run).
    pub fn row(&mut self, row: &ImportRow, id: Option<Uuid>, imported: Imported) -> io::Result<()> {
        let item = ImportedOperator {
            line: row.line,
            email: row.email.as_str().to_string(),
            organization_id: row.home_organization_id,
            operator_id: id,
        };
        match imported {
            Imported::Created => self.created.push(&item),
            Imported::Existing => self.existing.push(&item),
        }
    }

    /// The number of data rows the file had.
    pub fn set_rows(&mut self, rows: usize) {
        self.rows = rows;
    }

    /// The whole report in one temporary file, from its start, and its length.
    pub fn finish(self) -> io::Result<(File, u64)> {
        let mut out = BufWriter::new(tempfile::tempfile()?);
        write!(out, r#"{{"dry_run":{},"rows":{},"created":["#, self.dry_run, self.rows)?;
        self.created.copy_to(&mut out)?;
        out.write_all(br#"],"existing":["#)?;
        self.existing.copy_to(&mut out)?;
        out.write_all(b"]}")?;
        let mut file = out.into_inner().map_err(io::IntoInnerError::into_error)?;
        let len = file.stream_position()?;
        file.rewind()?;
        Ok((file, len))
    }
}

/// A file's bytes as a body, read 64 KiB at a time on the blocking pool.
pub fn body(file: File) -> impl Stream<Item = Result<web::Bytes, io::Error>> {
    futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = web::block(move || {
            let mut buf = vec![0; 64 * 1024];
            let n = file.read(&mut buf)?;
            buf.truncate(n);
            Ok::<_, io::Error>((file, buf))
        })
        .await;
        match read {
            Ok(Ok((_, buf))) if buf.is_empty() => None,
            Ok(Ok((file, buf))) => Some((Ok(web::Bytes::from(buf)), Some(file))),
            Ok(Err(e)) => Some((Err(e), None)),
            Err(e) => Some((Err(io::Error::other(e)), None)),
        }
    })
}

/// Writes an upload of at most `limit` bytes (413 beyond) to a temporary file
/// and returns it, so its size costs disk, not memory.
pub async fn spool<S, E>(payload: S, limit: usize) -> Result<File, ApiError>
where
    S: Stream<Item = Result<Bytes, E>>,
    E: std::fmt::Display,
{
    let mut file = tempfile::tempfile().map_err(|e| ApiError::Internal(format!("cannot spool the upload: {e}")))?;
    let mut written = 0;
    futures_util::pin_mut!(payload);
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::Malformed(format!("cannot read the request body: {e}")))?;
        written += chunk.len();
        if written > limit {
            return Err(ApiError::PayloadTooLarge { limit });
        }
        file.write_all(&chunk)
            .map_err(|e| ApiError::Internal(format!("cannot spool the upload: {e}")))?;
    }
    Ok(file)
}

/// The one part, named `field`, of a `multipart/form-data` upload, spooled as
/// [`spool`] does (413 beyond `limit`). Like a JSON body's unknown fields, any
/// other part is 422 `unknown_field`, a second one 422 `repeated`, and none 422
/// `required`, each naming the part.
pub async fn spool_part(req: &HttpRequest, payload: web::Payload, field: &str, limit: usize) -> Result<File, ApiError> {
    let mut parts = Multipart::new(req.headers(), payload);
    let mut found = None;
    while let Some(part) = parts.next().await {
        let part = part.map_err(|e| ApiError::Malformed(format!("cannot read the multipart body: {e}")))?;
        let name = part.name().unwrap_or_default().to_owned();
        if name != field {
            return Err(ApiError::invalid(
                &name,
                "unknown_field",
                format!("unknown part `{name}`: send `{field}` only"),
            ));
        }
        if found.is_some() {
            return Err(ApiError::invalid(field, "repeated", format!("send one `{field}` part")));
        }
        found = Some(spool(part, limit).await?);
    }
    found.ok_or_else(|| ApiError::invalid(field, "required", format!("the upload has no `{field}` part")))
}
