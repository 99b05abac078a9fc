//! Parsing an endpoint's fields: the domain's rules, plus the DNS check of the
//! URL's host (which needs I/O, so it lives here).

use domain::webhook::parse_description;
use domain::{EventTypes, FieldError, WebhookUrl};

use crate::state::AppState;
use crate::webhooks::address::resolves_to_public;

/// The URL, checked by the domain and then (unless private targets are
/// allowed) resolved: every address it resolves to must be public.
pub async fn url(state: &AppState, raw: &str) -> Result<WebhookUrl, FieldError> {
    let allow_private = state.config.webhook_allow_private_targets;
    let url = WebhookUrl::parse(raw, allow_private)?;
    if !allow_private {
        resolves_to_public(&url).await?;
    }
    Ok(url)
}

pub fn events(raw: &[String]) -> Result<EventTypes, Vec<FieldError>> {
    EventTypes::parse(raw)
}

pub fn description(raw: &str) -> Result<String, FieldError> {
    parse_description(raw)
}
