//! The C headers' layouts, compiled by a real C compiler, against k230-mpp-c-api.md §3.
#![allow(clippy::unwrap_used)]

use k230_mpp_sim::abi::{CANMV_LAYOUTS, LAYOUTS, Layout};
use std::path::PathBuf;
use std::process::Command;

#[test]
fn every_struct_in_the_headers_has_the_sdks_size_and_offsets() {
    let layouts: Vec<&Layout> = LAYOUTS.iter().chain(k230_mpp_sim::vicap::LAYOUTS).collect();
    check("sdk", &[], &layouts);
}

#[test]
fn with_k230_mpp_canmv_the_chn_attr_has_the_canmv_layout() {
    let layouts: Vec<&Layout> = CANMV_LAYOUTS.iter().collect();
    check("canmv", &["-DK230_MPP_CANMV"], &layouts);
}

/// Compiles a program printing `layouts`' sizes and offsets with `defines`, runs it and
/// compares its output with the facts.
fn check(name: &str, defines: &[&str], layouts: &[&Layout]) {
    let include = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("include");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("venc-capi-layout-{name}"));
    std::fs::create_dir_all(&dir).unwrap();
    let mut c = String::from(
        "#include <stddef.h>\n#include <stdio.h>\n#include \"mpi_venc_api.h\"\n#include \"mpi_vb_api.h\"\n#include \"mpi_sys_api.h\"\n#include \"mpi_vicap_api.h\"\nint main(void) {\n",
    );
    for (name, _, fields) in layouts.iter().copied() {
        c += &format!("    printf(\"{name} %zu\\n\", sizeof({name}));\n");
        for (field, _) in *fields {
            c += &format!("    printf(\"{name}.{field} %zu\\n\", offsetof({name}, {field}));\n");
        }
    }
    c += "    return 0;\n}\n";
    let src = dir.join("layout.c");
    std::fs::write(&src, c).unwrap();
    let exe = dir.join("layout");
    // The system's C compiler, as a K230 developer's `cc prog.c` would use.
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let built = Command::new(compiler)
        .args(["-std=c11", "-Wall", "-Werror"])
        .args(defines)
        .arg("-I")
        .arg(&include)
        .arg(&src)
        .arg("-o")
        .arg(&exe)
        .output()
        .unwrap();
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
    let out = Command::new(&exe).output().unwrap();
    let got = String::from_utf8(out.stdout).unwrap();
    let mut want = String::new();
    for (name, size, fields) in layouts.iter().copied() {
        want += &format!("{name} {size}\n");
        for (field, offset) in *fields {
            want += &format!("{name}.{field} {offset}\n");
        }
    }
    assert_eq!(got, want);
}
