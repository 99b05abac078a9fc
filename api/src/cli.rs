//! The `partner-portal` command line.

use clap::{Parser, Subcommand};
use uuid::Uuid;

use crate::config::Config;

#[derive(Debug, Parser)]
#[command(name = "partner-portal", version, about = "Partner Portal API server and tools")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (migrates, and bootstraps an empty database).
    Serve {
        /// Also create the demo data (as `seed --demo`) and print its tokens.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Print the OpenAPI document (JSON) on stdout.
    Openapi,
    /// Print a bearer token for an existing operator on stdout.
    Token {
        /// The operator's e-mail.
        #[arg(long)]
        email: String,
        /// The operator's home organisation, when the e-mail exists in several.
        #[arg(long)]
        organization: Option<Uuid>,
        /// Lifetime in seconds.
        #[arg(long, default_value_t = 8 * 3600)]
        ttl_secs: i64,
    },
    /// Import operators from a legacy portal CSV (`email,name,legacy_role,organization`).
    ImportOperators {
        /// The CSV file (UTF-8).
        file: std::path::PathBuf,
        /// The organisation whose subtree the operators join (default: the provider root).
        #[arg(long)]
        organization: Option<Uuid>,
        /// Check the file and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// The audit log's tamper evidence.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Create demo data or a synthetic tree.
    Seed {
        /// A small, named demo tree with admin and viewer operators; prints their tokens.
        #[arg(long, conflicts_with = "synthetic", required_unless_present = "synthetic")]
        demo: bool,
        /// A generated tree of N organisations (depth up to 8).
        #[arg(long, value_name = "N")]
        synthetic: Option<usize>,
        /// Seed of the random generator, for reproducible trees.
        #[arg(long, default_value_t = 7)]
        rng_seed: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the audit hash chain in order; exit non-zero naming the first broken event.
    Verify {
        /// Events read per query.
        #[arg(long, default_value_t = 5_000)]
        batch_size: i64,
    },
}
