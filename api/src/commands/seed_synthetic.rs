//! `seed --synthetic N`: a generated tree for benchmarks. Fan-out follows
//! preferential attachment (a few large resellers, many small ones), partners
//! nest up to depth 7 and customers sit at most at depth 8. Rows go in with
//! multi-row inserts, 10,000 per transaction.

use std::time::Instant;

use anyhow::Context;
use domain::{OrgKind, OrgStatus, TreePath};
use indicatif::{ProgressBar, ProgressStyle};
use persistence::{BulkOperator, BulkOrganization};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::config::Config;
use crate::startup;

const BATCH: usize = 10_000;
const MAX_PARTNER_DEPTH: usize = 7;

struct Node {
    id: Uuid,
    path: TreePath,
    depth: usize,
    descendants: u64,
    parent: Option<usize>,
}

pub fn run(config: &Config, n: usize, rng_seed: u64) -> anyhow::Result<()> {
    let store = startup::open_store(config, true)?;
    startup::bootstrap(&store, config)?;
    let root = store.root()?.context("no provider root")?;
    let started = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(rng_seed);
    let run_tag: String = (0..6).map(|_| char::from(b'a' + rng.gen_range(0..26u8))).collect();

    let total = n.saturating_sub(1);
    let distributors = (total / 25_000).clamp(2, 200).min(total);
    let partners = ((total as f64) * 0.12) as usize;
    let customers = total.saturating_sub(distributors + partners);

    let mut nodes = vec![Node {
        id: root.id,
        path: root.path.clone(),
        depth: 0,
        descendants: 0,
        parent: None,
    }];
    // Each container appears once per child it has plus once, so picking uniformly
    // from this list is preferential attachment.
    let mut containers: Vec<usize> = Vec::new();
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} organisations {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut batch: Vec<BulkOrganization> = Vec::with_capacity(BATCH);
    let flush = |batch: &mut Vec<BulkOrganization>| -> anyhow::Result<()> {
        store.bulk_insert_organizations(batch)?;
        bar.inc(batch.len() as u64);
        batch.clear();
        Ok(())
    };

    for i in 0..total {
        let (kind, parent) = if i < distributors {
            (OrgKind::Distributor, 0)
        } else if i < distributors + partners {
            let mut p = containers[rng.gen_range(0..containers.len())];
            while nodes[p].depth >= MAX_PARTNER_DEPTH {
                p = nodes[p].parent.unwrap_or(0);
            }
            (OrgKind::Partner, p)
        } else {
            (OrgKind::Customer, containers[rng.gen_range(0..containers.len())])
        };
        let id = Uuid::now_v7();
        let path = nodes[parent].path.child(id);
        let depth = nodes[parent].depth + 1;
        let status = match rng.gen_range(0..100) {
            0..=2 => OrgStatus::Pending,
            3..=4 => OrgStatus::Suspended,
            _ => OrgStatus::Active,
        };
        let (name, primary_domain) = match kind {
            OrgKind::Distributor => (format!("Distributor {i}"), None),
            OrgKind::Partner => (format!("Reseller {i}"), None),
            _ => (format!("Customer {i}"), Some(format!("{run_tag}{i}.onmicrosoft.com"))),
        };
        batch.push(BulkOrganization {
            id,
            parent_id: Some(nodes[parent].id),
            kind,
            name,
            status,
            path: path.clone(),
            primary_domain,
        });
        let mut up = Some(parent);
        while let Some(a) = up {
            nodes[a].descendants += 1;
            up = nodes[a].parent;
        }
        if kind != OrgKind::Customer {
            containers.push(nodes.len());
        }
        if parent != 0 {
            containers.push(parent);
        }
        nodes.push(Node {
            id,
            path,
            depth,
            descendants: 0,
            parent: Some(parent),
        });
        if batch.len() == BATCH {
            flush(&mut batch)?;
        }
    }
    if !batch.is_empty() {
        flush(&mut batch)?;
    }
    bar.finish();

    // Benchmark handles: the largest reseller at depth 6, with an admin operator.
    let deep = nodes
        .iter()
        .filter(|x| x.depth == 6 && x.descendants > 0)
        .max_by_key(|x| x.descendants);
    if let Some(deep) = deep {
        store.bulk_insert_operators(&[BulkOperator {
            home_organization_id: deep.id,
            email: format!("admin-{run_tag}@deep-reseller.example"),
            name: "Deep reseller admin".into(),
            roles: "admin".into(),
        }])?;
        println!(
            "depth-6 reseller: {} ({} descendants), admin: admin-{run_tag}@deep-reseller.example",
            deep.id, deep.descendants
        );
    }
    let max_depth = nodes.iter().map(|x| x.depth).max().unwrap_or(0);
    println!(
        "root: {}  created {total} organisations ({distributors} distributors, {partners} partners, {customers} customers), max depth {max_depth}, in {:.1} s",
        root.id,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
