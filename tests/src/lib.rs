//! Helpers shared by the integration tests: where the shared corpus is.

use std::path::PathBuf;

/// `../shared/corpus` beside the project root, or `None` (with a printed notice) when it is
/// absent. When the `CI` environment variable is set, absence is a test failure.
pub fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI is set but the corpus is missing at {}",
        dir.display()
    );
    #[allow(clippy::print_stderr)]
    {
        eprintln!("notice: {} is absent; corpus test skipped", dir.display());
    }
    None
}
