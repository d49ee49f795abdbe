//! Output formats of `mailrep analyze`.

pub(crate) mod csv;
pub(crate) mod ingest;
pub(crate) mod table;
pub(crate) mod text;
