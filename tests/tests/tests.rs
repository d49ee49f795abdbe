//! One integration test binary; each module is one kind of test.
mod chunking;
mod dmarc_corpus;
mod postfix_corpus;
mod truth;
