//! Where this addon was loaded from: the worker host binary ships next to it.

use std::ffi::CStr;
use std::path::{Path, PathBuf};

/// The directory of the shared library this function is in (the `.node` file).
pub fn addon_dir() -> Option<PathBuf> {
    // SAFETY: dladdr only reads the loader's tables; a zeroed Dl_info is valid.
    let mut info: libc::Dl_info = unsafe { std::mem::zeroed() };
    let address = addon_dir as *const libc::c_void;
    if unsafe { libc::dladdr(address, &mut info) } == 0 || info.dli_fname.is_null() {
        return None;
    }
    // SAFETY: dli_fname is a NUL-terminated path owned by the loader.
    let path = unsafe { CStr::from_ptr(info.dli_fname) }.to_str().ok()?;
    Path::new(path).parent().map(Path::to_path_buf)
}

/// The worker host binary a pool runs by default: `MAFALDA_WORKER_HOST`, else the
/// one next to this addon (mediasoup's `workerBin`).
#[napi_derive::napi]
pub fn worker_host_binary() -> String {
    let dir = addon_dir().unwrap_or_default();
    mafalda_core::host::binary::host_binary_in(&dir).to_string_lossy().into_owned()
}
