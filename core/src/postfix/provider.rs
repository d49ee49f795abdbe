//! Mailbox provider identification.
//!
//! OWNER: classification helper.
