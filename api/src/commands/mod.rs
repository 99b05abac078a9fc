//! The subcommands of `partner-portal`.

mod audit;
mod import_operators;
mod seed_demo;
mod seed_synthetic;
mod serve;
mod token;

use crate::cli::{AuditCommand, Cli, Command};

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    match cli.command {
        Command::Serve { demo } => serve::run(&config, demo),
        Command::Migrate => {
            let store = crate::startup::open_store(&config, true)?;
            crate::startup::bootstrap(&store, &config)?;
            Ok(())
        }
        Command::Openapi => {
            println!("{}", crate::openapi::spec_json()?);
            Ok(())
        }
        Command::Token {
            email,
            organization,
            ttl_secs,
        } => token::run(&config, &email, organization, ttl_secs),
        Command::ImportOperators {
            file,
            organization,
            dry_run,
        } => import_operators::run(&config, &file, organization, dry_run),
        Command::Audit {
            command: AuditCommand::Verify { batch_size },
        } => audit::verify(&config, batch_size),
        Command::Seed {
            demo: _,
            synthetic: Some(n),
            rng_seed,
        } => seed_synthetic::run(&config, n, rng_seed),
        Command::Seed { .. } => seed_demo::run(&config).map(|_| ()),
    }
}
