//! Output formats of `mailrep analyze`.

pub(crate) mod ingest;
pub(crate) mod table;
pub(crate) mod text;
