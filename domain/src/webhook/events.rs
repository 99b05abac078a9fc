//! What an endpoint subscribes to: a list of event types (the audit actions'
//! strings) or `["*"]` for every one.

use std::collections::BTreeSet;

use crate::audit_action::AuditAction;
use crate::error::FieldError;

/// The event type of a test delivery; no change produces it.
pub const PING: &str = "ping";
/// Longest `events` list accepted (more than there are event types).
pub const MAX_EVENT_TYPES: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventTypes {
    All,
    Only(BTreeSet<AuditAction>),
}

impl EventTypes {
    /// `["*"]`, or a non-empty list of known event types (duplicates collapse).
    pub fn parse(raw: &[String]) -> Result<Self, Vec<FieldError>> {
        if raw.is_empty() {
            return Err(vec![FieldError::new(
                "events",
                "required",
                "name at least one event type, or \"*\"",
            )]);
        }
        if raw.len() > MAX_EVENT_TYPES {
            return Err(vec![FieldError::new(
                "events",
                "too_many",
                format!("at most {MAX_EVENT_TYPES} entries"),
            )]);
        }
        if raw.iter().any(|e| e == "*") {
            return if raw.len() == 1 {
                Ok(Self::All)
            } else {
                Err(vec![FieldError::new("events", "invalid", "\"*\" stands alone")])
            };
        }
        let mut set = BTreeSet::new();
        let mut errors = Vec::new();
        for (i, name) in raw.iter().enumerate() {
            match name.parse::<AuditAction>() {
                Ok(a) => {
                    set.insert(a);
                }
                Err(_) => errors.push(FieldError::new(
                    format!("events[{i}]"),
                    "unknown_event_type",
                    "not an event type (see the `webhooks` section of the API document)",
                )),
            }
        }
        if errors.is_empty() {
            Ok(Self::Only(set))
        } else {
            Err(errors)
        }
    }

    /// Whether an event of type `event_type` goes to this endpoint.
    pub fn matches(&self, event_type: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(set) => set.iter().any(|a| a.as_str() == event_type),
        }
    }

    /// The list as clients send and see it.
    pub fn names(&self) -> Vec<String> {
        match self {
            Self::All => vec!["*".into()],
            Self::Only(set) => set.iter().map(|a| a.as_str().to_string()).collect(),
        }
    }

    /// One stored string: `*` or the names joined by spaces.
    pub fn to_storage(&self) -> String {
        self.names().join(" ")
    }

    /// The stored string back; a name no longer known is dropped (never renamed).
    pub fn from_storage(s: &str) -> Self {
        if s == "*" {
            return Self::All;
        }
        Self::Only(s.split(' ').filter_map(|n| n.parse().ok()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn star_or_known_types() {
        assert_eq!(EventTypes::parse(&strings(&["*"])), Ok(EventTypes::All));
        let only = EventTypes::parse(&strings(&["organization.created", "invoice.issued", "invoice.issued"])).unwrap();
        assert!(only.matches("invoice.issued") && !only.matches("invoice.paid") && !only.matches(PING));
        assert_eq!(EventTypes::from_storage(&only.to_storage()), only);
        assert!(EventTypes::All.matches("anything"));
    }

    #[test]
    fn unknown_empty_mixed_and_huge_lists_are_refused() {
        let e = EventTypes::parse(&strings(&["organization.created", "no.such"])).unwrap_err();
        assert_eq!(e[0].field, "events[1]");
        assert_eq!(EventTypes::parse(&[]).unwrap_err()[0].field, "events");
        assert_eq!(
            EventTypes::parse(&strings(&["*", "invoice.paid"])).unwrap_err()[0].field,
            "events"
        );
        let huge = vec!["invoice.paid".to_string(); 10_000];
        assert_eq!(EventTypes::parse(&huge).unwrap_err()[0].code, "too_many");
    }
}
