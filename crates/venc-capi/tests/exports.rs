//! The export list (`sdk-functions.toml`) against the headers and the sources: every function
//! the SDK declares for a module is modelled, exported as NOT_SUPPORT, or listed missing; the
//! first two are declared in `include/` and defined with `no_mangle` in `src/`; the missing
//! ones are in neither (so the list cannot go stale); and the headers declare nothing the list
//! does not name, apart from this library's own additions.
#![allow(clippy::unwrap_used)]

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Module {
    header: String,
    modelled: Vec<String>,
    not_supported: Vec<String>,
    missing: Vec<String>,
}

/// Functions the headers declare beyond the SDK v1.9's: the CanMV MPP's channel and pool calls
/// (docs/c-api.md, "Which header family").
const ADDITIONS: [&str; 8] = [
    "kd_mpi_vb_create_pool_ex",
    "kd_mpi_sensor_adapt_get_canmv",
    "kd_mpi_venc_request_chn",
    "kd_mpi_venc_release_chn",
    "kd_mpi_venc_attach_vb_pool",
    "kd_mpi_venc_attach_vb_pool_ex",
    "kd_mpi_venc_detach_vb_pool",
    "kd_mpi_venc_create_chn_canmv",
];

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn list() -> BTreeMap<String, Module> {
    let text = std::fs::read_to_string(crate_dir().join("sdk-functions.toml")).unwrap();
    toml::from_str(&text).unwrap()
}

/// `kd_mpi_*` names followed by `(` in `text` (declarations, definitions, macro rows).
fn called_names(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(at) = rest.find("kd_mpi_") {
        let tail = &rest[at..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        if tail[end..].trim_start().starts_with('(') {
            names.insert(tail[..end].to_owned());
        }
        rest = &tail[end..];
    }
    names
}

fn without_comments(c: &str) -> String {
    let mut out = String::new();
    let mut rest = c;
    while let Some(at) = rest.find("/*") {
        out.push_str(&rest[..at]);
        rest = rest[at..]
            .find("*/")
            .map_or("", |end| &rest[at + end + 2..]);
    }
    out + rest
}

/// What the headers declare: every `kd_mpi_*(` outside comments in `include/*.h`.
fn declared(include: &Path) -> BTreeMap<String, BTreeSet<String>> {
    std::fs::read_dir(include)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "h"))
        .map(|p| {
            let text = without_comments(&std::fs::read_to_string(&p).unwrap());
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, called_names(&text))
        })
        .collect()
}

/// What the sources define for C: `fn kd_mpi_*(` after `no_mangle`, or a row of a
/// `not_modelled!` table.
fn defined() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut dirs = vec![crate_dir().join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let mut exported = false;
            for line in text.lines().map(str::trim) {
                if line.starts_with("#[unsafe(no_mangle)]") {
                    exported = true;
                } else if exported && line.contains("fn kd_mpi_") {
                    names.extend(called_names(line));
                    exported = false;
                } else if line.starts_with("kd_mpi_") && line.ends_with(");") {
                    names.extend(called_names(line));
                }
            }
        }
    }
    names
}

#[test]
fn every_sdk_function_is_modelled_refused_or_listed_missing_and_the_list_is_current() {
    let list = list();
    let headers = declared(&crate_dir().join("include"));
    let defined = defined();
    let all_declared: BTreeSet<String> = headers.values().flatten().cloned().collect();
    let mut listed = BTreeSet::new();
    let mut problems = Vec::new();
    for (module, m) in &list {
        // A module with nothing exported yet may have no header yet.
        let none = BTreeSet::new();
        let in_header = headers.get(&m.header).unwrap_or(&none);
        for name in m.modelled.iter().chain(&m.not_supported) {
            if !listed.insert(name.clone()) {
                problems.push(format!("{name} is listed twice"));
            }
            if !in_header.contains(name) {
                problems.push(format!(
                    "{name} ([{module}]) is not declared in {}",
                    m.header
                ));
            }
            if !defined.contains(name) {
                problems.push(format!("{name} ([{module}]) is not exported by src/"));
            }
        }
        for name in &m.missing {
            if !listed.insert(name.clone()) {
                problems.push(format!("{name} is listed twice"));
            }
            if all_declared.contains(name) || defined.contains(name) {
                problems.push(format!(
                    "{name} ([{module}]) is listed missing but is declared or exported: \
                     move it to modelled or not_supported"
                ));
            }
        }
    }
    for name in all_declared.iter().filter(|n| !listed.contains(*n)) {
        if !ADDITIONS.contains(&name.as_str()) {
            problems.push(format!(
                "{name} is declared in include/ but not in sdk-functions.toml"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let count = |f: fn(&Module) -> usize| list.values().map(f).sum::<usize>();
    eprintln!(
        "SDK functions: {} modelled, {} NOT_SUPPORT, {} missing",
        count(|m| m.modelled.len()),
        count(|m| m.not_supported.len()),
        count(|m| m.missing.len())
    );
}

#[test]
fn the_export_check_sees_declarations_and_definitions() {
    let c = "k_s32 kd_mpi_a(k_u32 x); /* kd_mpi_b(1) */ void kd_mpi_c (void);";
    let names = called_names(&without_comments(c));
    assert_eq!(names, ["kd_mpi_a", "kd_mpi_c"].map(String::from).into());
}

/// A call exported without a model answers its module's NOT_SUPPORT and is counted.
#[test]
fn unmodelled_calls_answer_not_support_and_are_counted() {
    use k230_mpp_sim::unmodelled::*;
    let not_support = |module: u32| (0xA000_0000u32 | (module << 16) | (4 << 13) | 8) as i32;
    let before = unmodelled_calls();
    assert_eq!(
        kd_mpi_vvi_start_pipe(0, 0),
        not_support(18),
        "K_ERR_VVI_NOT_SUPPORT"
    );
    assert_eq!(kd_mpi_vb_inquire_user_cnt(0), not_support(4), "K_ERR_VB's");
    assert_eq!(
        kd_mpi_sensor_reg_read(3, 0, std::ptr::null_mut()),
        not_support(21),
        "the sensor calls answer K_ERR_VICAP_NOT_SUPPORT, as mpi_sensor.c does"
    );
    assert_eq!(kd_mpi_log_read(std::ptr::null_mut(), 0), not_support(1));
    kd_mpi_log_close();
    // Counted every time, warned once per call.
    assert_eq!(kd_mpi_vvi_start_pipe(1, 1), not_support(18));
    assert_eq!(unmodelled_calls(), before + 6);
}
