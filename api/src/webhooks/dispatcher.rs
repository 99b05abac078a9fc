//! The dispatcher `serve` starts: a thread that turns sealed audit events into
//! webhook events, one per audit event, with one delivery per enabled endpoint
//! whose organisation is the event's or one of its ancestors, whose types
//! match, and which existed when the event occurred. A batch's events, deliveries and the new watermark are written in one
//! transaction that only commits if the watermark is still where the batch
//! started, so replicas that dispatch at once never write an event twice, and
//! a crash re-reads the batch (nothing is lost). A batch's reads, renderings
//! and writes share one connection, and its rows go in one statement each.

use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

use persistence::{DispatchedEvent, NewDelivery, Store, StoreError, WebhookEndpoint};

use super::payload::{envelope, render};
use crate::background::{self, Background};
use crate::clock::Clock;

/// Audit events per batch.
pub const BATCH: i64 = 500;
/// Pause after a round that found nothing.
pub const POLL: Duration = Duration::from_millis(100);

/// One batch: returns how many audit events it handled (0: none were waiting,
/// or another dispatcher took the batch).
pub fn run_once(store: &Store, clock: &Clock) -> Result<usize, StoreError> {
    store.session(|s| dispatch(s, clock))
}

fn dispatch(store: &Store, clock: &Clock) -> Result<usize, StoreError> {
    let batch = store.webhook_backlog(BATCH)?;
    let Some(last) = batch.events.last() else {
        return Ok(0);
    };
    let to = last.seq;
    let paths: BTreeSet<String> = batch
        .events
        .iter()
        .flat_map(|e| e.organization_path.ancestors_or_self())
        .collect();
    let paths: Vec<String> = paths.into_iter().collect();
    let endpoints = store.webhook_subscribers(&paths)?;
    let mut events = Vec::with_capacity(batch.events.len());
    for event in &batch.events {
        let wanted: Vec<&WebhookEndpoint> = endpoints
            .iter()
            .filter(|ep| {
                ep.path.is_ancestor_or_self_of(&event.organization_path)
                    && ep.events.matches(&event.action)
                    && event.occurred_at >= ep.created_at
            })
            .collect();
        // One rendering per distinct viewing organisation.
        let mut bodies: HashMap<&domain::TreePath, String> = HashMap::new();
        let mut deliveries = Vec::with_capacity(wanted.len());
        for ep in wanted {
            if !bodies.contains_key(&ep.path) {
                let data = render(store, event, &ep.path)?;
                let body = envelope(event.id, &event.action, event.occurred_at, event.organization_id, data);
                bodies.insert(&ep.path, body);
            }
            if let Some(body) = bodies.get(&ep.path) {
                deliveries.push(NewDelivery {
                    endpoint_id: ep.id,
                    body: body.clone(),
                });
            }
        }
        events.push(DispatchedEvent {
            id: event.id,
            event_type: event.action.clone(),
            organization_id: event.organization_id,
            occurred_at: event.occurred_at,
            deliveries,
        });
    }
    let handled = batch.events.len();
    match store.commit_webhook_batch(batch.after_seq, to, &events, clock.now())? {
        true => Ok(handled),
        false => Ok(0),
    }
}

/// Starts the dispatcher thread.
pub fn spawn(store: Store, clock: Clock) -> std::io::Result<Background> {
    tracing::info!("webhook dispatcher started");
    background::spawn("webhook dispatcher", POLL, move |_| match run_once(&store, &clock) {
        Ok(n) => n > 0,
        Err(e) => {
            background::round_failed("webhook dispatcher cannot dispatch", &e);
            false
        }
    })
}
