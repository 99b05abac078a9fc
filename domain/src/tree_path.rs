//! The materialized path of an organisation, and with it the scope rule.
//!
//! A path lists the ids from the root down to the organisation itself, as
//! `/<id>/<id>/…/<id>/` (ids in 32-digit lowercase hex). Because every path ends
//! with `/`, "A is an ancestor-or-self of B" is exactly "B's path starts with A's
//! path", so a scope check is a string comparison and a subtree is one contiguous
//! range of an ordered index: `[path, upper_bound(path))`.

use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TreePath(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed tree path `{0}`")]
pub struct MalformedPath(pub String);

impl TreePath {
    pub const SEPARATOR: char = '/';

    /// The path of the root organisation.
    pub fn root(id: Uuid) -> Self {
        Self(format!("/{}/", id.simple()))
    }

    /// The path of a new child of `self`.
    pub fn child(&self, id: Uuid) -> Self {
        Self(format!("{}{}/", self.0, id.simple()))
    }

    pub fn parse(raw: &str) -> Result<Self, MalformedPath> {
        let inner = raw
            .strip_prefix('/')
            .and_then(|r| r.strip_suffix('/'))
            .ok_or_else(|| MalformedPath(raw.to_string()))?;
        let well_formed = !inner.is_empty()
            && inner
                .split('/')
                .all(|seg| seg.len() == 32 && seg.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        if well_formed {
            Ok(Self(raw.to_string()))
        } else {
            Err(MalformedPath(raw.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The scope rule: `self` is `other` or one of its ancestors.
    pub fn is_ancestor_or_self_of(&self, other: &TreePath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// Ids from the root down to this organisation.
    pub fn ids(&self) -> Vec<Uuid> {
        self.segments().filter_map(|s| Uuid::try_parse(s).ok()).collect()
    }

    /// The organisation's own id (the last segment).
    pub fn leaf(&self) -> Option<Uuid> {
        self.segments().last().and_then(|s| Uuid::try_parse(s).ok())
    }

    /// 0 for the root.
    pub fn depth(&self) -> usize {
        self.segments().count().saturating_sub(1)
    }

    /// The paths of this organisation's ancestors and itself, root first: the
    /// organisations whose subtree contains it.
    pub fn ancestors_or_self(&self) -> Vec<String> {
        self.0
            .char_indices()
            .filter(|&(i, c)| c == Self::SEPARATOR && i > 0)
            .map(|(i, _)| self.0[..=i].to_string())
            .collect()
    }

    /// The exclusive upper end of this subtree's range: `/` (0x2F) becomes `0` (0x30),
    /// so every path with this prefix sorts in `[self, upper_bound)` and nothing else does.
    pub fn upper_bound(&self) -> String {
        let mut s = self.0.clone();
        s.pop();
        s.push('0');
        s
    }

    /// The ids of the partner path as seen from `scope_root`: from the scope root
    /// down to this organisation. Empty when this path is outside the scope.
    pub fn ids_below(&self, scope_root: &TreePath) -> Vec<Uuid> {
        if !scope_root.is_ancestor_or_self_of(self) {
            return Vec::new();
        }
        let skip = scope_root.depth();
        self.ids().into_iter().skip(skip).collect()
    }

    /// This path after its ancestor `old_prefix` moved to `new_prefix`.
    pub fn rebase(&self, old_prefix: &TreePath, new_prefix: &TreePath) -> Option<TreePath> {
        self.0
            .strip_prefix(&old_prefix.0)
            .map(|rest| TreePath(format!("{}{}", new_prefix.0, rest)))
    }

    fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|s| !s.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn prefix_is_ancestry() {
        let root = TreePath::root(id(1));
        let a = root.child(id(2));
        let a1 = a.child(id(3));
        let b = root.child(id(0x22));
        assert!(root.is_ancestor_or_self_of(&a1));
        assert!(a.is_ancestor_or_self_of(&a1));
        assert!(a.is_ancestor_or_self_of(&a));
        assert!(!a.is_ancestor_or_self_of(&b));
        assert!(!a1.is_ancestor_or_self_of(&a));
        assert_eq!(a1.depth(), 2);
        assert_eq!(a1.ids(), vec![id(1), id(2), id(3)]);
        assert_eq!(a1.ids_below(&a), vec![id(2), id(3)]);
        assert!(a1.ids_below(&b).is_empty());
        assert_eq!(TreePath::parse(a1.as_str()), Ok(a1.clone()));
        assert!(TreePath::parse("/abc/").is_err());
    }

    #[test]
    fn upper_bound_brackets_the_subtree() {
        let root = TreePath::root(id(1));
        let a = root.child(id(2));
        let inside = a.child(id(u128::MAX));
        let sibling = root.child(id(3));
        let ub = a.upper_bound();
        assert!(a.as_str() <= inside.as_str() && inside.as_str() < ub.as_str());
        assert!(!(a.as_str() <= sibling.as_str() && sibling.as_str() < ub.as_str()));
    }

    #[test]
    fn ancestors_or_self_are_every_prefix_path() {
        let root = TreePath::root(Uuid::now_v7());
        let child = root.child(Uuid::now_v7());
        let leaf = child.child(Uuid::now_v7());
        assert_eq!(
            leaf.ancestors_or_self(),
            vec![
                root.as_str().to_string(),
                child.as_str().to_string(),
                leaf.as_str().to_string()
            ]
        );
    }
}
