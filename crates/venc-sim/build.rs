//! Build checks for the codec engines.
//!
//! - openh264-sys2 silently builds plain C (about 3x slower) when `nasm` is missing. Fail here,
//!   loudly, instead; the link-time guard in `codec::openh264` backs this up.
//! - With feature `x265`, link the system libx265 found by pkg-config. Only the unversioned
//!   `x265_api_query` symbol is used, so any libx265 build number links.

use std::process::Command;

fn main() {
    println!("cargo::rerun-if-env-changed=PATH");
    check_nasm();
    if std::env::var_os("CARGO_FEATURE_X265").is_some() {
        link_x265();
    }
}

fn check_nasm() {
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    if arch != "x86_64" && arch != "x86" {
        return;
    }
    let ok = Command::new("nasm")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        panic!(
            "\n\nvenc-sim: `nasm` was not found on PATH.\n\
             openh264 would silently fall back to plain C, about 3x slower.\n\
             Install it: `apt-get install -y nasm` (as root), or run `cargo xtask deps`.\n\n"
        );
    }
}

fn link_x265() {
    // pkg-config prints the link flags itself.
    if let Err(e) = pkg_config::Config::new().probe("x265") {
        panic!(
            "\n\nvenc-sim: feature `x265` needs the system libx265 (pkg-config could not find it: {e}).\n\
             Install it: `apt-get install -y libx265-dev` (as root), or run `cargo xtask deps`,\n\
             or build without the feature (H.265 channels then return NOT_SUPPORT).\n\n"
        );
    }
}
