//! `partner-portal audit verify`: checks the audit hash chain.

use anyhow::bail;

use crate::config::Config;
use crate::startup;

/// Prints what it checked; fails naming the first event that does not link.
pub fn verify(config: &Config, batch_size: i64) -> anyhow::Result<()> {
    let store = startup::open_store(config, false)?;
    let report = store.verify_audit_chain(batch_size)?;
    if report.unchained > 0 {
        println!(
            "{} event(s) predate the hash chain and are not covered",
            report.unchained
        );
    }
    if let Some(b) = report.broken {
        bail!(
            "audit chain broken at event {} (seq {}): {}; {} event(s) before it verified",
            b.id,
            b.seq,
            b.reason,
            report.verified
        );
    }
    match report.head {
        Some((seq, hash)) => println!(
            "audit chain intact: {} event(s) verified; head seq {seq} hash {hash}",
            report.verified
        ),
        None => println!("audit chain intact: no chained events"),
    }
    Ok(())
}
