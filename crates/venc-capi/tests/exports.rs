//! What the headers declare is what the library exports, and the other way round: a program
//! never compiles against a call that is not there, and no call is there undeclared.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;
use std::path::Path;

/// The K230 calls, and the simulator's own (`include/venc_sim.h`).
const PREFIXES: [&str; 2] = ["kd_mpi_", "venc_sim_"];

/// `kd_mpi_*` names declared in `include/mpi_*_api.h`, `venc_sim_*` in `venc_sim.h`.
fn declared() -> BTreeSet<String> {
    let include = Path::new(env!("CARGO_MANIFEST_DIR")).join("include");
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(include).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(file.starts_with("mpi_") && file.ends_with("_api.h") || file == "venc_sim.h") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for prefix in PREFIXES {
            for piece in text.split(prefix).skip(1) {
                let name: String = piece
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if piece[name.len()..].starts_with('(') {
                    names.insert(format!("{prefix}{name}"));
                }
            }
        }
    }
    names
}

/// `kd_mpi_*` functions the shared library this build made exports (`nm -D`).
fn exported() -> BTreeSet<String> {
    let lib = common::shared_library();
    let out = std::process::Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(&lib)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "nm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|s| PREFIXES.iter().any(|p| s.starts_with(p)))
        .map(String::from)
        .collect()
}

#[test]
fn the_headers_declare_exactly_what_the_library_exports() {
    let (declared, exported) = (declared(), exported());
    assert!(declared.len() >= 30, "{declared:?}");
    let undeclared: Vec<_> = exported.difference(&declared).collect();
    let missing: Vec<_> = declared.difference(&exported).collect();
    assert!(
        undeclared.is_empty() && missing.is_empty(),
        "exported but not declared: {undeclared:?}; declared but not exported: {missing:?}"
    );
}
