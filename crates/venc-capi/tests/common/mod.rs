//! What the C library's tests share.

use std::path::PathBuf;

/// The shared library this test build made, next to the test (`target/<profile>` or its
/// `deps/`).
pub fn shared_library() -> PathBuf {
    let name = format!(
        "{}k230_mpp_sim{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let exe = std::env::current_exe().expect("the test's path");
    let deps = exe.parent().expect("deps/").to_owned();
    let profile = deps.parent().expect("target/<profile>").to_owned();
    // `cargo test` writes `deps/`; `cargo build` also copies it up, so the copy there may be
    // older than this build: take the newer.
    [profile.join(&name), deps.join(&name)]
        .into_iter()
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .max()
        .map(|(_, p)| p)
        .unwrap_or_else(|| panic!("{name} was not built next to the test"))
}
