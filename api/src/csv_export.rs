//! Streamed CSV downloads (RFC 4180, UTF-8, header row, CRLF line ends).
//!
//! A blocking producer checks the caller, then reads keyset batches inside one
//! database snapshot on that same connection (so the file is consistent however
//! long it streams) and writes rows into a 64 KiB buffer; full buffers go
//! through a bounded channel to the response body, so memory stays constant
//! whatever the size of the export. A client that goes away, or reads less than
//! the minimum rate over [`RATE_WINDOW`], stops the producer and frees its
//! database connection. Cells that start with `=`, `+`, `-`, `@`, tab or CR get
//! a leading `'` so spreadsheets do not run them as formulas.
//!
//! An export that does not reach its last row (a failure, a client too slow,
//! the end of a shutdown's grace period) ends its body with an error, so the
//! client sees a broken chunked transfer, never a short file that looks
//! complete; it is logged and counted ([`crate::metrics::EXPORTS_CUT`]).
//! Slots are limited per process and per caller.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use persistence::{Organization, Snapshot, Store, StoreError};
use tokio::runtime::Handle;
use tokio::sync::mpsc::error::SendTimeoutError;
use tokio::sync::{mpsc, oneshot, watch, OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use crate::error::ApiError;
use crate::state::AppState;

/// Rows read from the store per query.
pub const BATCH: i64 = 5_000;
const CHUNK_BYTES: usize = 64 * 1024;
const CHANNEL_CHUNKS: usize = 8;
/// The period over which a client must read at the minimum rate.
const RATE_WINDOW: Duration = Duration::from_secs(60);
/// The `Retry-After` of an export refused because every slot is taken.
const BUSY_RETRY_SECS: u64 = 10;

/// How many exports may stream at once in this process (each holds a database
/// connection until it ends, and the rest of the API needs the others), and
/// per caller (so one caller cannot hold them all).
#[derive(Clone)]
pub struct ExportSlots(Arc<Slots>);

struct Slots {
    all: Arc<Semaphore>,
    total: usize,
    per_caller: u32,
    held: Mutex<HashMap<Uuid, u32>>,
    min_bytes_per_sec: u64,
    /// Set at the end of a shutdown's grace period: every export ends, broken.
    cut: watch::Sender<bool>,
}

/// One export's slot, given back when dropped.
pub struct ExportSlot {
    _permit: OwnedSemaphorePermit,
    caller: Uuid,
    slots: Arc<Slots>,
}

impl Drop for ExportSlot {
    fn drop(&mut self) {
        let mut held = self
            .slots
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = held.get_mut(&self.caller) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.caller);
            }
        }
    }
}

impl ExportSlots {
    pub fn new(total: u32, per_caller: u32, min_bytes_per_sec: u64) -> Self {
        Self(Arc::new(Slots {
            all: Arc::new(Semaphore::new(total as usize)),
            total: total as usize,
            per_caller: per_caller.max(1),
            held: Mutex::default(),
            min_bytes_per_sec,
            cut: watch::Sender::new(false),
        }))
    }

    /// A slot for `caller`, held until its export ends; `None` when every slot
    /// is taken or the caller holds its share.
    pub fn try_take(&self, caller: Uuid) -> Option<ExportSlot> {
        let mut held = self.0.held.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let mine = held.entry(caller).or_insert(0);
        if *mine >= self.0.per_caller {
            return None;
        }
        let permit = self.0.all.clone().try_acquire_owned().ok()?;
        *mine += 1;
        Some(ExportSlot {
            _permit: permit,
            caller,
            slots: self.0.clone(),
        })
    }

    /// Exports streaming now.
    pub fn in_use(&self) -> usize {
        self.0.total - self.0.all.available_permits()
    }

    /// Ends every running export, broken (the grace period of a shutdown is over).
    pub fn cut_all(&self) {
        self.0.cut.send_replace(true);
    }
}

/// Why a producer stopped early.
#[derive(Debug)]
pub enum ExportError {
    /// The client went away.
    Closed,
    /// The client read below the minimum rate for a whole window.
    TooSlow,
    /// The server's shutdown grace period ended.
    Cut,
    Store(StoreError),
    Csv(csv::Error),
}

impl ExportError {
    /// The `reason` label of [`crate::metrics::EXPORTS_CUT`]; `None` when the client left.
    fn reason(&self) -> Option<&'static str> {
        match self {
            ExportError::Closed => None,
            ExportError::TooSlow => Some("too_slow"),
            ExportError::Cut => Some("shutdown"),
            ExportError::Store(_) | ExportError::Csv(_) => Some("failed"),
        }
    }
}

impl From<StoreError> for ExportError {
    fn from(e: StoreError) -> Self {
        ExportError::Store(e)
    }
}

/// The response body's side: bytes collect into chunks sent through the channel,
/// as fast as the client takes them, but no slower than the minimum rate.
struct ChannelWriter {
    buf: Vec<u8>,
    tx: mpsc::Sender<Bytes>,
    runtime: Handle,
    cut: watch::Receiver<bool>,
    /// Bytes the client must take per `window` ([`RATE_WINDOW`]).
    min_per_window: u64,
    window: Duration,
    window_start: Instant,
    taken: u64,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let mut chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_BYTES + 1024)));
        loop {
            let len = chunk.len() as u64;
            let window_left = (self.window_start + self.window).saturating_duration_since(Instant::now());
            let cut = self.cut.clone();
            let tx = &self.tx;
            let sent = self.runtime.block_on(async move {
                tokio::select! {
                    sent = tx.send_timeout(chunk, window_left) => Some(sent),
                    () = cut_signalled(cut) => None,
                }
            });
            match sent {
                None => {
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "the server is shutting down",
                    ))
                }
                Some(Ok(())) => {
                    self.taken += len;
                    return self.next_window();
                }
                Some(Err(SendTimeoutError::Timeout(back))) => {
                    chunk = back;
                    self.next_window()?;
                }
                Some(Err(SendTimeoutError::Closed(_))) => {
                    return Err(io::Error::new(io::ErrorKind::BrokenPipe, "the client went away"))
                }
            }
        }
    }

    /// At the end of a window: an error if the client took too little in it.
    fn next_window(&mut self) -> io::Result<()> {
        if self.window_start.elapsed() < self.window {
            return Ok(());
        }
        if self.taken < self.min_per_window {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "the client reads too slowly"));
        }
        self.window_start = Instant::now();
        self.taken = 0;
        Ok(())
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
        csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::TimedOut => ExportError::TooSlow,
        csv::ErrorKind::Io(io) if io.kind() == io::ErrorKind::ConnectionAborted => ExportError::Cut,
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

/// The response body: the producer's chunks, then the end only if the producer
/// finished; otherwise, or when the shutdown cuts exports, an error.
struct ExportBody {
    rx: mpsc::Receiver<Bytes>,
    finished: Arc<AtomicBool>,
    cut: Pin<Box<dyn Future<Output = ()> + Send>>,
    ended: bool,
}

impl futures_util::Stream for ExportBody {
    type Item = Result<Bytes, io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        if self.cut.as_mut().poll(cx).is_ready() {
            self.ended = true;
            // A producer still running counts its own cut.
            if self.finished.load(Ordering::Acquire) {
                cut_logged(&ExportError::Cut);
            }
            return Poll::Ready(Some(Err(io::Error::other("the server is shutting down"))));
        }
        match self.rx.poll_recv(cx) {
            Poll::Ready(Some(chunk)) => Poll::Ready(Some(Ok(chunk))),
            Poll::Ready(None) => {
                self.ended = true;
                if self.finished.load(Ordering::Acquire) {
                    Poll::Ready(None)
                } else {
                    Poll::Ready(Some(Err(io::Error::other("the export ended before its last row"))))
                }
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// Resolves when exports are cut; never if the signal's sender is gone.
async fn cut_signalled(mut cut: watch::Receiver<bool>) {
    if cut.wait_for(|cut| *cut).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Logs and counts an export that ended before its last row.
fn cut_logged(e: &ExportError) {
    let Some(reason) = e.reason() else { return };
    metrics::counter!(crate::metrics::EXPORTS_CUT, "reason" => reason).increment(1);
    match e {
        ExportError::Store(_) | ExportError::Csv(_) => {
            tracing::error!(error = ?e, "CSV export failed part way; its body is broken")
        }
        _ => tracing::warn!(reason, "CSV export ended before its last row; its body is broken"),
    }
}

/// A 200 `text/csv` response named `<kind>-<organisation>-<date>.csv`, made in
/// one blocking call on one connection: `open` checks the caller and returns the
/// organisation (its error is the answer), an export slot is taken (429 when
/// every slot, or the caller's share of them, is taken), and `produce` writes
/// after the header row, reading from one snapshot on that same connection.
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
    let store = state.store.clone();
    let exports = state.exports.clone();
    // The caller is known once `open` has loaded it, on the blocking thread.
    let context = crate::request_context::current();
    let (tx, rx) = mpsc::channel::<Bytes>(CHANNEL_CHUNKS);
    let slots = &state.exports.0;
    let writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(ChannelWriter {
            buf: Vec::with_capacity(CHUNK_BYTES + 1024),
            tx,
            runtime: Handle::current(),
            cut: slots.cut.subscribe(),
            min_per_window: slots.min_bytes_per_sec.saturating_mul(RATE_WINDOW.as_secs()),
            window: RATE_WINDOW,
            window_start: Instant::now(),
            taken: 0,
        });
    let mut sink = CsvSink { writer };
    // The organisation's name once the export may start, or why it may not.
    let (opened_tx, opened) = oneshot::channel::<Result<String, ApiError>>();
    let finished = Arc::new(AtomicBool::new(false));
    let done = finished.clone();
    actix_web::rt::task::spawn_blocking(move || {
        let mut answer = Some(opened_tx);
        let outcome = store.session(|s| {
            let taken = open(s).and_then(|org| {
                let caller = context.as_ref().and_then(|c| c.principal()).unwrap_or_default();
                let slot = exports.try_take(caller).ok_or_else(|| {
                    crate::metrics::rate_limited("exports");
                    ApiError::RateLimited {
                        retry_after_secs: BUSY_RETRY_SECS,
                    }
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
            Ok(()) => done.store(true, Ordering::Release),
            // No connection to check the caller on: that is the answer.
            Err(ExportError::Store(e)) if answer.is_some() => reply(&mut answer, Err(e.into())),
            Err(e) => cut_logged(&e),
        }
        // Dropping the sink closes the channel: the body ends, whole or broken.
    });
    let org_name = opened
        .await
        .map_err(|_| ApiError::Internal("the export stopped before it answered".into()))??;
    let body = ExportBody {
        rx,
        finished,
        cut: Box::pin(cut_signalled(slots.cut.subscribe())),
        ended: false,
    };
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

    /// A runtime driven by a thread of its own, as an actix worker drives its
    /// runtime while an export's producer blocks on it from another thread.
    fn driven_runtime() -> Handle {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let handle = runtime.handle().clone();
        std::thread::spawn(move || runtime.block_on(std::future::pending::<()>()));
        handle
    }

    /// A writer into a channel of `CHANNEL_CHUNKS` nobody reads.
    fn unread_writer(window: Duration) -> (ChannelWriter, mpsc::Receiver<Bytes>) {
        let (tx, rx) = mpsc::channel(CHANNEL_CHUNKS);
        let (_, cut) = watch::channel(false);
        let writer = ChannelWriter {
            buf: Vec::new(),
            tx,
            runtime: driven_runtime(),
            cut,
            min_per_window: CHUNK_BYTES as u64 * 2,
            window,
            window_start: Instant::now(),
            taken: 0,
        };
        (writer, rx)
    }

    #[test]
    fn an_export_read_below_the_minimum_rate_for_a_window_ends() {
        use std::io::Write;
        let (mut writer, _unread) = unread_writer(Duration::from_millis(300));
        let chunk = vec![b'x'; CHUNK_BYTES];
        let started = Instant::now();
        let failed = (0..CHANNEL_CHUNKS + 2).find_map(|_| writer.write(&chunk).err());
        let failed = failed.expect("the writer gives up on a client that reads nothing");
        assert_eq!(failed.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(300));
    }

    #[test]
    fn an_export_cut_by_the_shutdown_stops_its_producer() {
        use std::io::Write;
        let (mut writer, _unread) = unread_writer(Duration::from_secs(60));
        let (cut, rx) = watch::channel(false);
        writer.cut = rx;
        let chunk = vec![b'x'; CHUNK_BYTES];
        for _ in 0..CHANNEL_CHUNKS {
            writer.write_all(&chunk).unwrap();
        }
        cut.send_replace(true);
        let failed = writer.write(&chunk).expect_err("cut");
        assert_eq!(failed.kind(), io::ErrorKind::ConnectionAborted);
    }

    #[test]
    fn slots_are_shared_per_caller() {
        let slots = ExportSlots::new(4, 2, 1);
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let a1 = slots.try_take(a).unwrap();
        let _a2 = slots.try_take(a).unwrap();
        assert!(slots.try_take(a).is_none(), "a caller holds at most its share");
        let _b1 = slots.try_take(b).unwrap();
        assert_eq!(slots.in_use(), 3);
        drop(a1);
        assert!(slots.try_take(a).is_some(), "a slot given back is free again");
    }

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(slug("Contoso Cloud, Ltd."), "contoso-cloud-ltd");
        assert_eq!(slug("   "), "organization");
        assert_eq!(slug("Ærø Ünï"), "r-n");
    }
}
