//! Streamed CSV downloads (RFC 4180, UTF-8, header row, CRLF line ends).
//!
//! A blocking producer checks the caller, then reads keyset batches inside one
//! database snapshot on that same connection (so the file is consistent however
//! long it streams) and writes rows into a 64 KiB buffer; full buffers go
//! through a bounded channel to the response body, so memory stays constant
//! whatever the size of the export. A client that
//! goes away, or stops reading for [`STALL_LIMIT`], stops the producer and frees
//! its database connection. Cells that start with `=`, `+`, `-`, `@`, tab or CR
//! get a leading `'` so spreadsheets do not run them as formulas.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use persistence::{Organization, Snapshot, Store, StoreError};
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;
use crate::state::AppState;

/// Rows read from the store per query.
pub const BATCH: i64 = 5_000;
const CHUNK_BYTES: usize = 64 * 1024;
const CHANNEL_CHUNKS: usize = 8;
/// How long a client may leave a full chunk unread before the export is dropped.
const STALL_LIMIT: Duration = Duration::from_secs(60);
/// The `Retry-After` of an export refused because every slot is taken.
const BUSY_RETRY_SECS: u64 = 10;

/// How many exports may stream at once in this process: each holds a database
/// connection until it ends, and the rest of the API needs the others.
#[derive(Clone)]
pub struct ExportSlots(Arc<Semaphore>);

impl ExportSlots {
    pub fn new(slots: u32) -> Self {
        Self(Arc::new(Semaphore::new(slots as usize)))
    }

    /// A slot, held until its export ends; `None` when every slot is taken.
    pub fn try_take(&self) -> Option<OwnedSemaphorePermit> {
        self.0.clone().try_acquire_owned().ok()
    }
}

/// Why a producer stopped early.
#[derive(Debug)]
pub enum ExportError {
    /// The client went away.
    Closed,
    Store(StoreError),
    Csv(csv::Error),
}

impl From<StoreError> for ExportError {
    fn from(e: StoreError) -> Self {
        ExportError::Store(e)
    }
}

/// The response body's side: bytes collect into chunks sent through the channel.
struct ChannelWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<Result<Bytes, io::Error>>,
    runtime: Handle,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_BYTES + 1024));
        let sent = self
            .runtime
            .block_on(self.tx.send_timeout(Ok(Bytes::from(chunk)), STALL_LIMIT));
        sent.map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the client went away or stopped reading"))
    }
}

impl io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK_BYTES {
            self.send()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

fn csv_error(e: csv::Error) -> ExportError {
    match e.kind() {
        csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::BrokenPipe => ExportError::Closed,
        _ => ExportError::Csv(e),
    }
}

/// Where a producer writes its rows.
pub struct CsvSink {
    writer: csv::Writer<ChannelWriter>,
}

/// The cell as written: formula-looking text gets a leading apostrophe.
pub fn escape(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

impl CsvSink {
    /// Writes one record.
    pub fn row<I, S>(&mut self, cells: I) -> Result<(), ExportError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for cell in cells {
            self.writer
                .write_field(escape(cell.as_ref()).as_bytes())
                .map_err(csv_error)?;
        }
        self.writer.write_record(None::<&[u8]>).map_err(csv_error)
    }

    fn finish(&mut self) -> Result<(), ExportError> {
        self.writer.flush().map_err(|e| csv_error(e.into()))
    }
}

/// A file-name fragment: lower-case ASCII letters and digits, other runs as `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars().flat_map(char::to_lowercase) {
        if ch.is_ascii_alphanumeric() {
            out.push(ch);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(60).collect();
    if out.is_empty() {
        "organization".to_string()
    } else {
        out.trim_end_matches('-').to_string()
    }
}

/// `<kind>-<slug of name>-<today>.csv`.
fn file_name(kind: &str, org_name: &str) -> String {
    format!(
        "{kind}-{}-{}.csv",
        slug(org_name),
        chrono::Utc::now().format("%Y-%m-%d")
    )
}

/// Writes every row of a keyset-paginated read, [`BATCH`] rows per query, each
/// query starting after the key of the previous one's last row. A second thread
/// fetches the next batch while this one writes the current one, so the
/// database and the CSV encoding work at the same time.
pub fn write_all<T: Send, K: Send>(
    sink: &mut CsvSink,
    mut fetch: impl FnMut(Option<K>) -> Result<Vec<T>, StoreError> + Send,
    key: impl Fn(&T) -> K + Send,
    mut write: impl FnMut(&mut CsvSink, &T) -> Result<(), ExportError>,
) -> Result<(), ExportError> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<T>, StoreError>>(1);
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut after = None;
            loop {
                let batch = fetch(after.take());
                after = match &batch {
                    Ok(rows) if rows.len() as i64 == BATCH => rows.last().map(&key),
                    _ => None,
                };
                // The writer hung up (client gone) or this was the last batch.
                if tx.send(batch).is_err() || after.is_none() {
                    return;
                }
            }
        });
        for batch in rx {
            for row in &batch? {
                write(sink, row)?;
            }
        }
        Ok(())
    })
}

/// A 200 `text/csv` response named `<kind>-<organisation>-<date>.csv`, made in
/// one blocking call on one connection: `open` checks the caller and returns the
/// organisation (its error is the answer), an export slot is taken (429 when
/// every slot is taken), and `produce` writes after the header row, reading from
/// one snapshot on that same connection.
pub async fn response<O, F>(
    state: &AppState,
    kind: &str,
    header_row: &'static [&'static str],
    open: O,
    produce: F,
) -> Result<HttpResponse, ApiError>
where
    O: FnOnce(&Store) -> Result<Organization, ApiError> + Send + 'static,
    F: FnOnce(&Organization, &mut Snapshot<'_>, &mut CsvSink) -> Result<(), ExportError> + Send + 'static,
{
    let (store, slots) = (state.store.clone(), state.exports.clone());
    let (tx, mut rx) = mpsc::channel::<Result<Bytes, io::Error>>(CHANNEL_CHUNKS);
    let writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(ChannelWriter {
            buf: Vec::with_capacity(CHUNK_BYTES + 1024),
            tx: tx.clone(),
            runtime: Handle::current(),
        });
    let mut sink = CsvSink { writer };
    // The organisation's name once the export may start, or why it may not.
    let (opened_tx, opened) = oneshot::channel::<Result<String, ApiError>>();
    actix_web::rt::task::spawn_blocking(move || {
        let mut answer = Some(opened_tx);
        let outcome = store.session(|s| {
            let taken = open(s).and_then(|org| {
                let slot = slots.try_take().ok_or(ApiError::RateLimited {
                    retry_after_secs: BUSY_RETRY_SECS,
                })?;
                Ok((org, slot))
            });
            let (org, _slot) = match taken {
                Ok(taken) => taken,
                Err(e) => {
                    reply(&mut answer, Err(e));
                    return Ok(());
                }
            };
            reply(&mut answer, Ok(org.name.clone()));
            s.snapshot(|snapshot| {
                sink.row(header_row.iter())?;
                produce(&org, snapshot, &mut sink)?;
                sink.finish()
            })
        });
        match outcome {
            Ok(()) | Err(ExportError::Closed) => {}
            // No connection to check the caller on: that is the answer.
            Err(ExportError::Store(e)) if answer.is_some() => reply(&mut answer, Err(e.into())),
            Err(e) => {
                tracing::error!(error = ?e, "CSV export failed part way");
                // The status is already sent: break the body so the client sees a failure.
                let _ = tx.blocking_send(Err(io::Error::other("the export failed part way")));
            }
        }
    });
    let org_name = opened
        .await
        .map_err(|_| ApiError::Internal("the export stopped before it answered".into()))??;
    let body = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{}\"", file_name(kind, &org_name)),
        ))
        .streaming(body))
}

/// Answers the request once: the first reply wins.
fn reply(answer: &mut Option<oneshot::Sender<Result<String, ApiError>>>, result: Result<String, ApiError>) {
    if let Some(answer) = answer.take() {
        let _ = answer.send(result);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_escaped() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(escape(bad), format!("'{bad}"));
        }
        assert_eq!(escape("plain"), "plain");
        assert_eq!(escape(""), "");
    }

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(slug("Contoso Cloud, Ltd."), "contoso-cloud-ltd");
        assert_eq!(slug("   "), "organization");
        assert_eq!(slug("Ærø Ünï"), "r-n");
    }
}
