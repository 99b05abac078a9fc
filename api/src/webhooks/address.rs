//! Public addresses only: a URL's host is resolved when the endpoint is written
//! (422 if any address is private), and again by the sender's resolver on every
//! connection, so a name that later resolves to a private address (DNS
//! rebinding) is refused at delivery too.

use std::net::SocketAddr;

use domain::webhook::is_public_ip;
use domain::{FieldError, WebhookUrl};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Every address `host` resolves to, if all are public.
async fn public_addresses(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| format!("`{host}` does not resolve: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("`{host}` does not resolve"));
    }
    if addrs.iter().any(|a| !is_public_ip(a.ip())) {
        return Err(format!("`{host}` resolves to a non-public address"));
    }
    Ok(addrs)
}

/// The URL's host resolves, to public addresses only (IP literals were checked
/// by [`WebhookUrl::parse`]).
pub async fn resolves_to_public(url: &WebhookUrl) -> Result<(), FieldError> {
    let parsed = reqwest::Url::parse(url.as_str()).map_err(|e| FieldError::new("url", "invalid_url", e.to_string()))?;
    let Some(url::Host::Domain(host)) = parsed.host() else {
        return Ok(());
    };
    public_addresses(host, parsed.port_or_known_default().unwrap_or(443))
        .await
        .map(|_| ())
        .map_err(|m| FieldError::new("url", "private_address", m))
}

/// The sender's resolver: refuses names that resolve to any non-public address.
pub struct PublicResolver;

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = public_addresses(&host, 0).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}
