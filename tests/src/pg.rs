//! A fresh PostgreSQL database per test, on the throwaway cluster that `scripts/test` starts
//! (`scripts/pg-test-cluster`, which exports `MAILREP_TEST_DATABASE_URL`).
//!
//! ```no_run
//! let Some(url) = mailrep_tests::pg::fresh_database("my_test") else { return };
//! let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
//! ```

use std::sync::atomic::{AtomicU32, Ordering};

/// Environment variable holding the URL of the test cluster's `postgres` database.
pub const URL_VAR: &str = "MAILREP_TEST_DATABASE_URL";

/// The test cluster's URL, or `None` with a printed notice when [`URL_VAR`] is unset (the
/// test then skips). When `CI` is set, an unset variable fails the test.
pub fn cluster_url() -> Option<String> {
    if let Some(url) = std::env::var(URL_VAR).ok().filter(|u| !u.is_empty()) {
        return Some(url);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but {URL_VAR} is not: run the tests through ./scripts/test"
    );
    #[allow(clippy::print_stderr)]
    {
        eprintln!(
            "notice: {URL_VAR} is unset; database test skipped (eval \"$(scripts/pg-test-cluster start)\")"
        );
    }
    None
}

/// Creates an empty database `mailrep_t_<label>_<pid>_<n>` on the test cluster and returns
/// its URL; `None` when there is no cluster (see [`cluster_url`]). Databases are left behind
/// for inspection; the cluster is thrown away as a whole.
pub fn fresh_database(label: &str) -> Option<String> {
    static N: AtomicU32 = AtomicU32::new(0);
    let url = cluster_url()?;
    let label: String = label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    let name = format!(
        "mailrep_t_{label}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    );
    let mut admin = postgres::Client::connect(&url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("connecting to the test cluster {url}: {e}"));
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
    Some(with_database(&url, &name))
}

/// `url` with its database name replaced by `db` (URL form `postgres://…/db?…`).
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{db}", &base[..path_start]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5/postgres", "x"),
            "postgres://postgres@127.0.0.1:5/x"
        );
        assert_eq!(
            super::with_database("postgres://h:5/postgres?sslmode=disable", "x"),
            "postgres://h:5/x?sslmode=disable"
        );
    }
}
