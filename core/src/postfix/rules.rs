//! The rule table: providers by MX suffix / recipient domain, outcomes by code and phrase.
//!
//! OWNER: classification helper. Interface fixed; implementation to be filled in.

use serde::{Deserialize, Serialize};

/// Extra rules from the configuration (`[rules]` in `mailrep.toml`), tried before the
/// embedded defaults. The same shape as the embedded default table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RulesConfig {}
