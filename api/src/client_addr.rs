//! The client's address behind proxies. `TRUSTED_PROXIES` lists the networks
//! (CIDRs) of our own proxies and load balancers; only a request whose peer is
//! one of them has its `Forwarded` (RFC 7239, preferred) or `X-Forwarded-For`
//! read, from the right (the hop nearest to us) leftwards, skipping trusted
//! hops and stopping at the first untrusted one: that is the client. Anything
//! further left was written by the client and is never believed. Without
//! trusted proxies the peer address is the client, whatever the headers say.
//! The access log computes it once per request ([`ClientAddr`] in the request's
//! extensions); per-address limits and log lines read it from there.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use actix_web::http::header::HeaderMap;
use actix_web::{HttpMessage, HttpRequest};
use ipnet::IpNet;

/// The client's address, in a request's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// The address put there by the access log, or the peer's.
    pub fn of(req: &HttpRequest) -> Option<IpAddr> {
        req.extensions()
            .get::<ClientAddr>()
            .map(|c| c.0)
            .or_else(|| req.peer_addr().map(|a| a.ip()))
    }
}

/// The networks whose forwarding headers are believed (`TRUSTED_PROXIES`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl FromStr for TrustedProxies {
    type Err = String;

    /// Comma-separated CIDRs (`10.0.0.0/8, fd00::/8`); a bare address is a
    /// network of one. Empty: no proxy is trusted.
    fn from_str(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| format!("`{s}` is not an address or a CIDR network such as 10.0.0.0/8 or fd00::/8"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }
}

impl TrustedProxies {
    fn trusts(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    /// The client of a request that came from `peer` with `headers`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let mut nearest = peer;
        for hop in forwarded_hops(headers).iter().rev() {
            match hop {
                Some(ip) if self.trusts(*ip) => nearest = *ip,
                Some(ip) => return *ip,
                // An obfuscated or unknown hop: the trusted proxy that named it is as far as we can see.
                None => return nearest,
            }
        }
        nearest
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`, as dual-stack sockets report
/// them) compare as the IPv4 address they are.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The hops the forwarding headers list, left (furthest) to right (nearest);
/// `None` for a hop that is not an address. `Forwarded` wins when present.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    };
    let forwarded = values("forwarded");
    if !forwarded.is_empty() {
        return forwarded
            .iter()
            .flat_map(|v| v.split(','))
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.split_once('='))
                    .find(|(key, _)| key.trim().eq_ignore_ascii_case("for"))
                    .and_then(|(_, value)| node_ip(value.trim().trim_matches('"')))
            })
            .collect();
    }
    values("x-forwarded-for")
        .iter()
        .flat_map(|v| v.split(','))
        .map(|hop| node_ip(hop.trim()))
        .collect()
}

/// An address as the headers write it: `192.0.2.1`, `192.0.2.1:4711`,
/// `2001:db8::1`, `[2001:db8::1]` or `[2001:db8::1]:4711`.
fn node_ip(raw: &str) -> Option<IpAddr> {
    raw.parse::<IpAddr>()
        .or_else(|_| raw.parse::<SocketAddr>().map(|s| s.ip()))
        .or_else(|_| raw.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>())
        .ok()
        .map(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::{HeaderName, HeaderValue};

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(HeaderName::from_static(name), HeaderValue::from_static(value));
        }
        map
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or_else(|_| panic!("{s}"))
    }

    #[test]
    fn proxies_parse_as_cidrs_or_addresses() {
        let p: TrustedProxies = "10.0.0.0/8, 192.168.1.7 ,fd00::/8".parse().unwrap_or_default();
        assert!(p.trusts(ip("10.2.3.4")) && p.trusts(ip("192.168.1.7")) && p.trusts(ip("fd00::1")));
        assert!(p.trusts(ip("::ffff:10.0.0.1")));
        assert!(!p.trusts(ip("192.168.1.8")));
        assert_eq!("".parse::<TrustedProxies>(), Ok(TrustedProxies::default()));
        for bad in ["10.0.0.0/33", "proxy.internal", "10.0.0.0/8;10.1.0.0/16"] {
            assert!(bad.parse::<TrustedProxies>().is_err(), "{bad}");
        }
    }

    #[test]
    fn untrusted_peers_are_the_client_whatever_they_send() {
        let none = TrustedProxies::default();
        let forged = headers(&[("x-forwarded-for", "203.0.113.9"), ("forwarded", "for=203.0.113.9")]);
        assert_eq!(none.client(ip("198.51.100.4"), &forged), ip("198.51.100.4"));
        let some: TrustedProxies = "10.0.0.0/8".parse().unwrap_or_default();
        assert_eq!(some.client(ip("198.51.100.4"), &forged), ip("198.51.100.4"));
    }

    #[test]
    fn trusted_hops_are_walked_from_the_right() {
        let p: TrustedProxies = "10.0.0.0/8".parse().unwrap_or_default();
        let peer = ip("10.0.0.2");
        // The client forged a leftmost entry; the first untrusted from the right is the real one.
        let xff = headers(&[("x-forwarded-for", "1.1.1.1, 203.0.113.9, 10.0.0.5")]);
        assert_eq!(p.client(peer, &xff), ip("203.0.113.9"));
        // Several header lines read as one list.
        let split = headers(&[("x-forwarded-for", "1.1.1.1"), ("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(p.client(peer, &split), ip("203.0.113.9"));
        // Forwarded wins over X-Forwarded-For, with ports, quotes and IPv6.
        let fwd = headers(&[
            (
                "forwarded",
                "for=1.1.1.1, for=\"[2001:db8::7]:4711\";proto=https, for=10.0.0.9:80",
            ),
            ("x-forwarded-for", "198.51.100.1"),
        ]);
        assert_eq!(p.client(peer, &fwd), ip("2001:db8::7"));
        // An unknown hop stops the walk at the proxy that reported it.
        let unknown = headers(&[("forwarded", "for=1.1.1.1, for=_hidden, for=10.0.0.9")]);
        assert_eq!(p.client(peer, &unknown), ip("10.0.0.9"));
        // Only trusted hops, or no header: the leftmost trusted one, or the peer.
        assert_eq!(
            p.client(peer, &headers(&[("x-forwarded-for", "10.0.0.7, 10.0.0.5")])),
            ip("10.0.0.7")
        );
        assert_eq!(p.client(peer, &HeaderMap::new()), peer);
    }
}
