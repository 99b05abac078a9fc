//! What the access log and the export slots learn about a request while it
//! runs: the principal the auth extractors load. It lives in a task-local set
//! around each request by [`crate::access_log`], so handlers pass nothing.

use std::sync::{Arc, OnceLock};

use uuid::Uuid;

tokio::task_local! {
    static CONTEXT: RequestContext;
}

/// One request's context, shared between the middleware and the handler.
#[derive(Clone, Default)]
pub struct RequestContext {
    principal: Arc<OnceLock<Uuid>>,
}

impl RequestContext {
    /// Runs `fut` (the rest of the request) with this context.
    pub async fn scope<F: std::future::Future>(self, fut: F) -> F::Output {
        CONTEXT.scope(self, fut).await
    }

    pub fn principal(&self) -> Option<Uuid> {
        self.principal.get().copied()
    }
}

impl RequestContext {
    /// Records the authenticated caller (from any thread: the caller is loaded
    /// on the request's blocking trip).
    pub fn record_principal(&self, id: Uuid) {
        let _ = self.principal.set(id);
    }
}

/// The context of the request in hand, to carry onto its blocking trip.
pub fn current() -> Option<RequestContext> {
    CONTEXT.try_with(RequestContext::clone).ok()
}
