//! `import-operators FILE`: the legacy CSV import from the command line, acting
//! as the system (audited as such) with the whole tree in scope.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};
use persistence::{Actor, AuditEntry};
use uuid::Uuid;

use crate::config::Config;
use crate::operator_import::{import, ImportError, ReportWriter};
use crate::startup;

pub fn run(config: &Config, file: &Path, organization: Option<Uuid>, dry_run: bool) -> anyhow::Result<()> {
    let mut csv = std::fs::File::open(file).with_context(|| format!("cannot read {}", file.display()))?;
    let store = startup::open_store(config, true)?;
    startup::bootstrap(&store, config)?;
    let root = store.root()?.context("the database has no provider root")?;
    let target = match organization {
        Some(id) => store
            .organization(id)?
            .with_context(|| format!("no organisation {id}"))?,
        None => root.clone(),
    };
    let mut report = ReportWriter::new(dry_run)?;
    match import(
        &store,
        &root.path,
        &target,
        &mut csv,
        dry_run,
        &AuditEntry::by(Actor::System),
        &mut report,
    ) {
        Ok(()) => {
            let (mut json, _) = report.finish()?;
            let mut stdout = std::io::stdout().lock();
            std::io::copy(&mut json, &mut stdout)?;
            writeln!(stdout)?;
            Ok(())
        }
        Err(ImportError::Rows(rows)) => {
            for r in &rows {
                eprintln!("line {}, {}: {} ({})", r.line, r.column, r.message, r.code);
            }
            bail!("{} problems in {}; nothing was imported", rows.len(), file.display())
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}
