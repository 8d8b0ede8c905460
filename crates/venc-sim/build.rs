//! openh264-sys2 silently builds plain C (about 3x slower) when `nasm` is missing. Fail here,
//! loudly, instead; the link-time check in `codec::openh264::asm_in_use` backs this up.

use std::process::Command;

fn main() {
    println!("cargo::rerun-if-env-changed=PATH");
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
