//! One integration test binary; each module is one kind of test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "tests fail loudly and print their figures"
)]
mod chunking;
mod dmarc_corpus;
mod html_report;
mod parts;
mod postfix_corpus;
mod replies;
mod truth;
