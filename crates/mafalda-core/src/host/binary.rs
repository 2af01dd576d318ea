//! Where the worker host binary is: `MAFALDA_WORKER_HOST` when set, else next to
//! the program that runs the pool. The napi binding passes the one next to the
//! addon (the platform package ships both side by side).

use std::path::{Path, PathBuf};

pub const HOST_BINARY_NAME: &str = "mafalda-worker-host";

/// The environment variable that overrides every default.
pub const HOST_BINARY_ENV: &str = "MAFALDA_WORKER_HOST";

/// `MAFALDA_WORKER_HOST`, else the host binary in `dir`.
pub fn host_binary_in(dir: &Path) -> PathBuf {
    std::env::var_os(HOST_BINARY_ENV).map(PathBuf::from).unwrap_or_else(|| dir.join(HOST_BINARY_NAME))
}

/// `MAFALDA_WORKER_HOST`, else the host binary next to the current executable.
pub fn default_host_binary() -> PathBuf {
    let dir = std::env::current_exe().ok().and_then(|exe| exe.parent().map(Path::to_path_buf)).unwrap_or_default();
    host_binary_in(&dir)
}
