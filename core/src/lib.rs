//! mailrep-core: Postfix delivery logs and DMARC aggregate reports in, [`Findings`] out.
//!
//! The core is sans-I/O: callers push byte chunks of named inputs into an [`Analyzer`] and
//! finish it; the core never touches files, clocks, the environment or the network (enforced
//! by clippy's `disallowed_methods`). The same bytes give byte-identical findings however they
//! are chunked.
#![warn(clippy::disallowed_methods)]

pub mod config;
pub mod date;
pub mod diagnostic;
pub mod dmarc;
pub mod limits;
pub mod postfix;

pub use config::Config;
pub use date::Date;
pub use diagnostic::{Diagnostic, Level, Position};
pub use limits::Limits;
