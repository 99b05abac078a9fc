//! Where an endpoint may point: `https` to public addresses only, unless the
//! server allows private targets (local development and the tests).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::FieldError;

/// Longest URL an endpoint may have.
pub const MAX_URL_LEN: usize = 2_000;

/// Host names that never lead to a public address.
const PRIVATE_NAMES: &[&str] = &["localhost", "metadata.google.internal", "metadata"];
const PRIVATE_SUFFIXES: &[&str] = &[".localhost", ".local", ".internal", ".localdomain"];

/// An endpoint URL that passed every check that needs no DNS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookUrl(String);

impl WebhookUrl {
    /// `https` (or `http` with `allow_private`), a host, no credentials or
    /// fragment, at most [`MAX_URL_LEN`] characters; an IP literal or a
    /// well-known private name is refused unless `allow_private`.
    pub fn parse(raw: &str, allow_private: bool) -> Result<Self, FieldError> {
        let bad = |m: &str| FieldError::new("url", "invalid_url", m);
        if raw.chars().count() > MAX_URL_LEN {
            return Err(bad(&format!("at most {MAX_URL_LEN} characters")));
        }
        let url = url::Url::parse(raw).map_err(|e| bad(&format!("not a URL: {e}")))?;
        match url.scheme() {
            "https" => {}
            "http" if allow_private => {}
            _ => return Err(bad("must use https")),
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("must not carry credentials"));
        }
        if url.fragment().is_some() {
            return Err(bad("must not have a fragment"));
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) => Host::Name(d.to_ascii_lowercase()),
            Some(url::Host::Ipv4(ip)) => Host::Ip(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Host::Ip(IpAddr::V6(ip)),
            None => return Err(bad("must name a host")),
        };
        if !allow_private {
            let private = match &host {
                Host::Ip(ip) => !is_public_ip(*ip),
                Host::Name(n) => {
                    let n = n.trim_end_matches('.');
                    PRIVATE_NAMES.contains(&n) || PRIVATE_SUFFIXES.iter().any(|s| n.ends_with(s))
                }
            };
            if private {
                return Err(FieldError::new(
                    "url",
                    "private_address",
                    "must point to a public address (not loopback, private, link-local or metadata)",
                ));
            }
        }
        Ok(Self(url.to_string()))
    }

    /// A URL as stored (it passed [`WebhookUrl::parse`] when it was written).
    pub fn from_stored(raw: String) -> Self {
        Self(raw)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

enum Host {
    Name(String),
    Ip(IpAddr),
}

/// Whether an address is reachable on the public internet: not loopback,
/// private, shared, link-local (the cloud metadata services live there),
/// unique-local, multicast, documentation, benchmarking or reserved.
pub fn is_public_ip(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => public_v4(v4),
            None => public_v6(v6),
        },
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || first == 0x0064 && ip.segments()[1] == 0xff9b && public_nat64(ip))
}

/// NAT64 (`64:ff9b::/96`) embeds an IPv4 address; it is as private as that one.
fn public_nat64(ip: Ipv6Addr) -> bool {
    let o = ip.octets();
    !public_v4(Ipv4Addr::new(o[12], o[13], o[14], o[15]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(url: &str) -> &'static str {
        WebhookUrl::parse(url, false)
            .err()
            .map(|e| e.code)
            .unwrap_or("accepted")
    }

    #[test]
    fn https_to_a_public_host_is_accepted() {
        assert!(WebhookUrl::parse("https://psa.example.com/hooks?x=1", false).is_ok());
        assert!(WebhookUrl::parse("https://93.184.216.34/hook", false).is_ok());
    }

    #[test]
    fn plain_http_private_and_odd_urls_are_refused() {
        assert_eq!(refused("http://psa.example.com/hook"), "invalid_url");
        assert_eq!(refused("ftp://psa.example.com/hook"), "invalid_url");
        assert_eq!(refused("not a url"), "invalid_url");
        assert_eq!(refused("https://user:pw@psa.example.com/"), "invalid_url");
        assert_eq!(refused("https://127.0.0.1/hook"), "private_address");
        assert_eq!(refused("https://10.1.2.3/hook"), "private_address");
        assert_eq!(refused("https://192.168.0.10/hook"), "private_address");
        assert_eq!(refused("https://169.254.169.254/latest/meta-data"), "private_address");
        assert_eq!(refused("https://[::1]/hook"), "private_address");
        assert_eq!(refused("https://[fd00:ec2::254]/"), "private_address");
        assert_eq!(refused("https://[::ffff:10.0.0.1]/"), "private_address");
        assert_eq!(refused("https://localhost/hook"), "private_address");
        assert_eq!(refused("https://metadata.google.internal/"), "private_address");
        let long = format!("https://psa.example.com/{}", "a".repeat(5_000));
        assert_eq!(refused(&long), "invalid_url");
    }

    #[test]
    fn private_targets_pass_when_allowed() {
        assert!(WebhookUrl::parse("http://127.0.0.1:8081/hook", true).is_ok());
        assert!(WebhookUrl::parse("https://localhost/hook", true).is_ok());
    }

    #[test]
    fn public_addresses() {
        for ip in ["8.8.8.8", "2606:4700::1111", "1.1.1.1"] {
            assert!(is_public_ip(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "0.0.0.0",
            "100.64.0.1",
            "198.18.0.1",
            "240.0.0.1",
            "fe80::1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public_ip(ip.parse().unwrap()), "{ip}");
        }
    }
}
