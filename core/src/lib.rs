//! mailrep-core: Postfix delivery logs and DMARC aggregate reports in, [`Findings`] out.
//!
//! The core is sans-I/O: callers push byte chunks of named inputs into an [`Analyzer`] and
//! finish it; the core never touches files, clocks, the environment or the network (enforced
//! by clippy's `disallowed_methods`, see `clippy.toml`). The same bytes give byte-identical
//! findings however they are chunked, on any platform: every map in the output is ordered.
//!
//! Data flow: bytes -> sniff (gzip | zip | MIME | mbox | XML | JSON | text log) -> decode ->
//! Postfix lines -> delivery attempts -> classification -> daily aggregates, or DMARC XML ->
//! reports -> per-source aggregates -> verdicts -> [`Findings`].
#![warn(clippy::disallowed_methods)]

pub mod analyzer;
pub mod cli_settings;
pub mod config;
pub mod config_edit;
pub mod date;
pub mod diagnostic;
pub mod dmarc;
pub mod findings;
pub mod input;
mod intern;
pub mod ledger;
pub mod limits;
pub mod postfix;
pub mod redact;
pub mod report;
mod scan;
pub mod share;
mod sort;
pub mod sorted;
pub mod verdict;
pub mod view;

pub use analyzer::Analyzer;
pub use config::Config;
pub use date::Date;
pub use diagnostic::{Diagnostic, Level, Position};
pub use findings::{Findings, SCHEMA_VERSION};
pub use limits::Limits;
pub use redact::{Preset, redact};
pub use verdict::{Severity, Verdict};
