//! PostgreSQL storage: connecting (TLS through rustls), the embedded migrations, and the
//! writes of `mailrep ingest`.

pub(crate) mod connect;
pub(crate) mod daily;
pub(crate) mod dmarc;
pub(crate) mod ledger;
pub(crate) mod migrate;

pub(crate) use connect::connect;
