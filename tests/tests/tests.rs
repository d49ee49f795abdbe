//! One integration test binary; each module is one kind of test.
mod chunking;
mod postfix_corpus;
mod truth;
