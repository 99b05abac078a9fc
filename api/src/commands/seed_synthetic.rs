//! `seed --synthetic N`: a generated tree for benchmarks. Fan-out follows
//! preferential attachment (a few large resellers, many small ones), partners
//! nest up to depth 7 and customers sit at most at depth 8. Rows go in with
//! multi-row inserts, 10,000 per transaction. Every customer gets 5 to 15
//! subscriptions (10 on average) with a seat history over the past two years,
//! and two customer users (one of them its master admin).

use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, Utc};
use domain::{BillingCycle, OrgKind, OrgStatus, SubscriptionStatus, TreePath};
use indicatif::{ProgressBar, ProgressStyle};
use persistence::{BulkCustomerUser, BulkOperator, BulkOrganization, BulkSubscription};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uuid::Uuid;

use crate::config::Config;
use crate::startup;

const BATCH: usize = 10_000;

/// (SKU, description, monthly unit price in cents)
const CATALOGUE: &[(&str, &str, i64)] = &[
    ("O365_BUSINESS_BASIC", "Microsoft 365 Business Basic", 900),
    ("O365_BUSINESS_STANDARD", "Microsoft 365 Business Standard", 1890),
    ("O365_BUSINESS_PREMIUM", "Microsoft 365 Business Premium", 3300),
    ("M365_E3", "Microsoft 365 E3", 5480),
    ("M365_E5", "Microsoft 365 E5", 8750),
    ("EXCHANGE_ONLINE_P1", "Exchange Online (Plan 1)", 600),
    ("TEAMS_PHONE_STANDARD", "Teams Phone Standard", 1200),
    ("POWER_BI_PRO", "Power BI Pro", 1500),
    ("DEFENDER_ENDPOINT_P2", "Microsoft Defender for Endpoint P2", 780),
    ("VISIO_PLAN_2", "Visio Plan 2", 2250),
    ("PROJECT_PLAN_3", "Project Plan 3", 4500),
    ("CALL_MANAGER", "Call Manager", 400),
];
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
    let mut subs: Vec<BulkSubscription> = Vec::new();
    let mut users: Vec<BulkCustomerUser> = Vec::new();
    let (mut sub_count, mut user_count) = (0usize, 0usize);
    let mut flush = |batch: &mut Vec<BulkOrganization>,
                     subs: &mut Vec<BulkSubscription>,
                     users: &mut Vec<BulkCustomerUser>|
     -> anyhow::Result<()> {
        store.bulk_insert_organizations(batch)?;
        store.bulk_insert_customer_data(subs, users)?;
        bar.inc(batch.len() as u64);
        sub_count += subs.len();
        user_count += users.len();
        batch.clear();
        subs.clear();
        users.clear();
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
        if kind == OrgKind::Customer {
            customer_data(&mut rng, id, &path, i, &run_tag, &mut subs, &mut users);
        }
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
            flush(&mut batch, &mut subs, &mut users)?;
        }
    }
    if !batch.is_empty() {
        flush(&mut batch, &mut subs, &mut users)?;
    }
    bar.finish();
    // The inserts left one rollup delta per figure; fold them now rather than
    // leave it to the first `serve`.
    let folding = Instant::now();
    let passes = store.fold_all_rollups(200_000)?;
    println!(
        "rollups folded in {:.1} s ({passes} passes)",
        folding.elapsed().as_secs_f64()
    );

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
        "root: {}  created {total} organisations ({distributors} distributors, {partners} partners, {customers} customers), \
         {sub_count} subscriptions, {user_count} customer users, max depth {max_depth}, in {:.1} s",
        root.id,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A customer's subscriptions (with seat history) and users.
fn customer_data(
    rng: &mut ChaCha8Rng,
    customer: Uuid,
    path: &TreePath,
    i: usize,
    run_tag: &str,
    subs: &mut Vec<BulkSubscription>,
    users: &mut Vec<BulkCustomerUser>,
) {
    let now = Utc::now().naive_utc();
    let today = now.date();
    for n in 0..rng.gen_range(5..=15) {
        let (sku, description, price) = CATALOGUE[(i + n * 7) % CATALOGUE.len()];
        let annual = rng.gen_bool(0.3);
        let start = now - Duration::days(rng.gen_range(30..730));
        let mut quantity: i64 = if rng.gen_bool(0.9) {
            rng.gen_range(1..40)
        } else {
            rng.gen_range(40..500)
        };
        let mut assigned = rng.gen_range(0..=quantity);
        let mut history = vec![(start, quantity, assigned)];
        for _ in 0..rng.gen_range(0..3) {
            let last = history.last().map(|h| h.0).unwrap_or(start);
            let at = last + Duration::days(rng.gen_range(1..30));
            if at >= now {
                break;
            }
            quantity = (quantity + rng.gen_range(-3..8)).max(1);
            assigned = rng.gen_range(0..=quantity);
            history.push((at, quantity, assigned));
        }
        let status = match rng.gen_range(0..100) {
            0..=2 => SubscriptionStatus::Suspended,
            3..=5 => SubscriptionStatus::Cancelled,
            _ => SubscriptionStatus::Active,
        };
        if status == SubscriptionStatus::Cancelled {
            let last = history.last().map(|h| h.0).unwrap_or(start);
            let at = (now - Duration::days(rng.gen_range(0..5)))
                .max(last + Duration::minutes(1))
                .min(now);
            history.push((at, 0, 0));
        }
        subs.push(BulkSubscription {
            customer_id: customer,
            customer_path: path.clone(),
            sku: sku.to_string(),
            description: description.to_string(),
            quantity,
            assigned,
            unit_price_minor: if annual { price * 12 } else { price },
            currency: "NZD".into(),
            billing_cycle: if annual {
                BillingCycle::Annual
            } else {
                BillingCycle::Monthly
            },
            renews_on: today + Duration::days(rng.gen_range(0..365)),
            status,
            history,
        });
    }
    for (n, master) in [(0, true), (1, false)] {
        users.push(BulkCustomerUser {
            customer_id: customer,
            email: format!("user{n}@{run_tag}{i}.example"),
            name: format!("User {n} of customer {i}"),
            master_admin: master,
        });
    }
}
