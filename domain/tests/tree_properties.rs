//! Property tests on random trees: the scope rule is exactly ancestry, and no
//! sequence of accepted moves can create a cycle or an illegal parent.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a failed test setup should panic"
)]

use domain::organization::{check_move, MoveNode};
use domain::{OrgKind, OrgStatus, TreePath};
use proptest::prelude::*;
use uuid::Uuid;

#[derive(Debug, Clone)]
struct Node {
    kind: OrgKind,
    parent: Option<usize>,
    path: TreePath,
}

fn id(i: usize) -> Uuid {
    Uuid::from_u128(0x1000 + i as u128)
}

/// Builds a tree from (kind choice, parent choice) pairs: each node goes under the
/// chosen earlier node if its kind allows, else under the root as a partner.
fn build(spec: &[(u8, usize)]) -> Vec<Node> {
    let mut nodes = vec![Node {
        kind: OrgKind::Provider,
        parent: None,
        path: TreePath::root(id(0)),
    }];
    for (i, (k, p)) in spec.iter().enumerate() {
        let i = i + 1;
        let kind = [OrgKind::Distributor, OrgKind::Partner, OrgKind::Customer][*k as usize % 3];
        let candidate = p % nodes.len();
        let (kind, parent) = if kind.may_be_child_of(nodes[candidate].kind) {
            (kind, candidate)
        } else {
            (OrgKind::Partner, 0)
        };
        let path = nodes[parent].path.child(id(i));
        nodes.push(Node {
            kind,
            parent: Some(parent),
            path,
        });
    }
    nodes
}

fn naive_ancestor_or_self(nodes: &[Node], a: usize, b: usize) -> bool {
    let mut cur = Some(b);
    let mut steps = 0;
    while let Some(c) = cur {
        if c == a {
            return true;
        }
        cur = nodes[c].parent;
        steps += 1;
        assert!(steps <= nodes.len(), "cycle in parent chain");
    }
    false
}

fn tree_spec() -> impl Strategy<Value = Vec<(u8, usize)>> {
    prop::collection::vec((0u8..3, 0usize..1000), 1..60)
}

proptest! {
    #[test]
    fn access_is_granted_exactly_to_ancestors_or_self(spec in tree_spec(), a in 0usize..1000, b in 0usize..1000) {
        let nodes = build(&spec);
        let (a, b) = (a % nodes.len(), b % nodes.len());
        prop_assert_eq!(
            nodes[a].path.is_ancestor_or_self_of(&nodes[b].path),
            naive_ancestor_or_self(&nodes, a, b)
        );
        // The range form used by the database agrees with the prefix form.
        let in_range = nodes[a].path.as_str() <= nodes[b].path.as_str()
            && nodes[b].path.as_str() < nodes[a].path.upper_bound().as_str();
        prop_assert_eq!(in_range, naive_ancestor_or_self(&nodes, a, b));
    }

    #[test]
    fn moves_never_create_cycles_or_illegal_parents(
        spec in tree_spec(),
        moves in prop::collection::vec((0usize..1000, 0usize..1000), 1..40),
    ) {
        let mut nodes = build(&spec);
        for (m, p) in moves {
            let (m, p) = (m % nodes.len(), p % nodes.len());
            let verdict = check_move(
                &MoveNode { kind: nodes[m].kind, status: OrgStatus::Active, path: &nodes[m].path },
                &MoveNode { kind: nodes[p].kind, status: OrgStatus::Active, path: &nodes[p].path },
            );
            let would_cycle = naive_ancestor_or_self(&nodes, m, p);
            if would_cycle || m == 0 || !nodes[m].kind.may_be_child_of(nodes[p].kind) {
                prop_assert!(verdict.is_err());
                continue;
            }
            prop_assert!(verdict.is_ok());
            let old = nodes[m].path.clone();
            let new = nodes[p].path.child(id(m));
            nodes[m].parent = Some(p);
            for n in nodes.iter_mut() {
                if let Some(rebased) = n.path.rebase(&old, &new) {
                    n.path = rebased;
                }
            }
        }
        for (i, n) in nodes.iter().enumerate() {
            match n.parent {
                None => prop_assert_eq!(i, 0),
                Some(p) => {
                    prop_assert!(n.kind.may_be_child_of(nodes[p].kind));
                    prop_assert_eq!(&n.path, &nodes[p].path.child(id(i)));
                }
            }
            prop_assert!(naive_ancestor_or_self(&nodes, 0, i));
        }
    }
}
