//! Helpers shared by the integration tests: where the shared corpus and the examples are.

use std::path::PathBuf;

/// `../shared` beside the project root, or `$MAILREP_SHARED` when set.
pub fn shared_root() -> PathBuf {
    std::env::var_os("MAILREP_SHARED").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
        PathBuf::from,
    )
}

/// `../shared/corpus` beside the project root, or `None` (with a printed notice) when it is
/// absent. When the `CI` environment variable is set, absence is a test failure.
pub fn corpus() -> Option<PathBuf> {
    shared_dir("corpus")
}

/// A folder of `../shared` (`corpus`, `bench`), with the same absence rule as [`corpus`].
pub fn shared_dir(name: &str) -> Option<PathBuf> {
    let dir = shared_root().join(name);
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but {} is missing",
        dir.display()
    );
    #[allow(clippy::print_stderr)]
    {
        eprintln!("notice: {} is absent; test skipped", dir.display());
    }
    None
}

/// The project's own example data (`examples/`).
pub fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples")
}

pub mod pg;
