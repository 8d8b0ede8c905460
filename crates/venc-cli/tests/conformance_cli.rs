//! `venc conformance` end to end: reports, partitions and merging, expected failures, bad input.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("venc-conformance-cli");
    let d = dir.join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn suite() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../conformance")
}

fn venc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_venc"))
        .args(args)
        .output()
        .unwrap()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn filtered_run_writes_all_three_reports() {
    let out = tmp("filtered");
    let o = out.to_str().unwrap();
    let r = venc(&[
        "conformance",
        "--backend",
        "sim",
        "--filter",
        "life-00",
        "--report",
        "md",
        "--report",
        "json",
        "--report",
        "junit",
        "--out",
        o,
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let j = json(&out.join("conformance.json"));
    let cases = j["cases"].as_array().unwrap();
    assert!(cases.len() >= 10, "{} cases", cases.len());
    assert!(
        cases
            .iter()
            .all(|c| c["id"].as_str().unwrap().contains("life-00"))
    );
    assert!(
        cases
            .iter()
            .all(|c| c["backend"] == "sim" && c["outcome"] == "pass")
    );
    assert!(
        cases
            .iter()
            .all(|c| c["rules"].as_array().is_some_and(|r| !r.is_empty()))
    );
    assert_eq!(j["totals"]["pass"].as_u64().unwrap() as usize, cases.len());
    let md = std::fs::read_to_string(out.join("conformance.md")).unwrap();
    assert!(md.contains("| **TOTAL** |"), "{md}");
    let xml = std::fs::read_to_string(out.join("conformance.xml")).unwrap();
    assert!(xml.contains("<testsuite name=\"sim\""), "{xml}");
}

#[test]
fn partitions_merge_into_the_whole_selection() {
    let (a, b, m) = (tmp("part1"), tmp("part2"), tmp("merged"));
    for (k, dir) in [("1/2", &a), ("2/2", &b)] {
        let r = venc(&[
            "conformance",
            "--filter",
            "attr-",
            "--partition",
            k,
            "--report",
            "json",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    }
    let (ja, jb) = (
        json(&a.join("conformance.json")),
        json(&b.join("conformance.json")),
    );
    let (na, nb) = (
        ja["cases"].as_array().unwrap().len(),
        jb["cases"].as_array().unwrap().len(),
    );
    assert!(na > 0 && nb > 0 && na.abs_diff(nb) <= 1, "{na} / {nb}");
    let r = venc(&[
        "conformance",
        "--merge",
        a.join("conformance.json").to_str().unwrap(),
        b.join("conformance.json").to_str().unwrap(),
        "--report",
        "json",
        "--out",
        m.to_str().unwrap(),
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let jm = json(&m.join("conformance.json"));
    assert_eq!(jm["cases"].as_array().unwrap().len(), na + nb);
    assert_eq!(jm["partitions"], serde_json::json!(["1/2", "2/2"]));
    // The same partition twice overlaps.
    let r = venc(&[
        "conformance",
        "--merge",
        a.join("conformance.json").to_str().unwrap(),
        a.join("conformance.json").to_str().unwrap(),
    ]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("appears in two reports"));
}

/// A private suite with one real case, to play with expectations and broken files.
fn private_suite(name: &str, expectation: Option<&str>) -> PathBuf {
    let dir = tmp(name);
    std::fs::create_dir_all(dir.join("cases")).unwrap();
    std::fs::create_dir_all(dir.join("expectations")).unwrap();
    let id = "life-002-start-twice";
    std::fs::copy(
        suite().join("cases").join(format!("{id}.toml")),
        dir.join("cases").join(format!("{id}.toml")),
    )
    .unwrap();
    if let Some(outcome) = expectation {
        std::fs::write(
            dir.join("expectations/sim.toml"),
            format!("[[case]]\nid = \"{id}\"\noutcome = \"{outcome}\"\nreason = \"test\"\n"),
        )
        .unwrap();
    }
    dir
}

#[test]
fn an_unexpected_pass_fails_the_run() {
    let dir = private_suite("xpass", Some("fail"));
    let r = venc(&[
        "conformance",
        "--suite",
        dir.to_str().unwrap(),
        "--report",
        "md",
    ]);
    assert!(!r.status.success());
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(
        err.contains("unexpected: life-002-start-twice on sim: pass (expected fail)"),
        "{err}"
    );
    let md = String::from_utf8_lossy(&r.stdout);
    assert!(md.contains("**pass** (expected fail)"), "{md}");
}

#[test]
fn a_trace_that_differs_from_its_snapshot_fails() {
    let dir = private_suite("snapshot", None);
    std::fs::create_dir_all(dir.join("snapshots")).unwrap();
    std::fs::write(
        dir.join("snapshots/life-002-start-twice.snap"),
        "---\nsource: x\n---\nStart(0) -> ok\n",
    )
    .unwrap();
    let r = venc(&["conformance", "--suite", dir.to_str().unwrap()]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("1 fail"));
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = private_suite("malformed", None);
    std::fs::write(
        dir.join("cases/broken.toml"),
        "id = \"broken\"\ntitle = 1\n",
    )
    .unwrap();
    let r = venc(&["conformance", "--suite", dir.to_str().unwrap()]);
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("malformed case"));
    let dir = private_suite("bad-expectation", Some("maybe"));
    let r = venc(&["conformance", "--suite", dir.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&r.stderr).contains("unknown outcome"));
    for args in [
        &["conformance", "--backend", "hw"][..],
        &["conformance", "--partition", "3/2"],
        &["conformance", "--filter", "no-such-case"],
        &["conformance", "--merge", "/nonexistent.json"],
    ] {
        let r = venc(args);
        assert!(!r.status.success(), "{args:?}");
        assert!(!r.stderr.is_empty());
    }
}

#[test]
fn sim_and_the_emulated_board_side_by_side_with_the_real_board_not_run() {
    let out_dir = tmp("side-by-side");
    let out = venc(&[
        "conformance",
        "--backend",
        "sim,hw",
        "--board",
        "emulated",
        "--filter",
        "life-00",
        "--report",
        "md",
        "--report",
        "json",
        "--out",
        out_dir.to_str().expect("utf-8"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(out_dir.join("conformance.md")).expect("md");
    assert!(
        md.contains("| case | rules | sim | hw-emulated | hw |"),
        "{md}"
    );
    assert!(
        md.contains("backend hw-emulated: EMULATED board (not a K230)"),
        "{md}"
    );
    assert!(
        md.contains("backend hw: a real K230 board: not run"),
        "{md}"
    );
    assert!(md.contains("| pass | pass | not run |"), "{md}");
    let report = json(&out_dir.join("conformance.json"));
    let cases = report["cases"].as_array().expect("cases");
    let on = |b: &str| cases.iter().filter(|c| c["backend"] == b).count();
    assert!(on("sim") > 0);
    assert_eq!(on("sim"), on("hw-emulated"));
    assert_eq!(on("hw"), 0);
}

/// The board process's resident memory, in KiB.
fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap()
}

#[test]
fn the_emulated_board_serves_run_after_run_in_bounded_memory() {
    let board = venc_hw::EmulatedBoard::start(0).unwrap_or_else(|e| panic!("{e}"));
    let mut after = Vec::new();
    for run in 0..5 {
        let r = venc(&[
            "conformance",
            "--backend",
            "hw",
            "--board",
            board.url(),
            "--filter",
            "attr",
        ]);
        assert!(
            r.status.success(),
            "run {run}: {}",
            String::from_utf8_lossy(&r.stderr)
        );
        after.push(rss_kib(board.pid()));
    }
    // The first run warms the allocator up. Before the board bounded its allocator's
    // retention it grew by 25-60 MB a run (70, 95, 122, 182 MB), none of it leaked.
    let grown = after[4].saturating_sub(after[1]);
    assert!(
        grown < 16 * 1024,
        "the board grew {grown} KiB over 3 runs: {after:?} KiB"
    );
}
