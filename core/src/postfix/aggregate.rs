//! Daily delivery aggregates.
