//! Reports rendered from findings, shared by the CLI and the page: the static HTML report
//! ([`html`]) and the CSV of the daily delivery rows ([`csv`]).

pub mod csv;
pub mod html;
pub mod markdown;
mod markup;
mod svg;
