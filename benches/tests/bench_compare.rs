//! `bench-compare` end to end on a tiny run: the JSON has exactly the promised fields, every
//! backend row is there with its ratios, BENCHMARKS.md keeps its hand-written text around the
//! generated section, the plot is written; bad arguments are refused with a message.
#![allow(clippy::unwrap_used)]

use std::process::Command;

const FIELDS: [&str; 12] = [
    "backend",
    "codec",
    "width",
    "height",
    "fps",
    "p50_ms",
    "p90_ms",
    "p99_ms",
    "kbps",
    "psnr_y",
    "ratio_to_raw",
    "ratio_spread",
];

fn bench_compare() -> Command {
    Command::new(env!("CARGO_BIN_EXE_bench-compare"))
}

#[test]
fn a_small_run_writes_json_markdown_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    let (json, md, svg) = (
        dir.path().join("rows.json"),
        dir.path().join("BENCHMARKS.md"),
        dir.path().join("plot.svg"),
    );
    let begin = "<!-- bench-compare: begin (written by `cargo xtask bench-compare`) -->";
    std::fs::write(
        &md,
        format!(
            "# Mine\n\nhand-written\n{begin}\nstale table\n<!-- bench-compare: end -->\ntail\n"
        ),
    )
    .unwrap();
    let out = bench_compare()
        .args(["--no-emulated", "--codecs", "h264", "--sizes", "320x240"])
        .args(["--frames", "4", "--reps", "1", "--scenario-frames", "3"])
        .arg("--json")
        .arg(&json)
        .arg("--markdown")
        .arg(&md)
        .arg("--plot")
        .arg(&svg)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let rows: Vec<serde_json::Map<String, serde_json::Value>> =
        serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let backends: Vec<&str> = rows
        .iter()
        .map(|r| r["backend"].as_str().unwrap())
        .collect();
    assert_eq!(
        backends,
        [
            "raw",
            "sim",
            "sim-realtime",
            "k230-model",
            "sim-3ch",
            "sim-realtime-3ch",
            "sim-dilated-3ch",
            "sim-deterministic-3ch"
        ]
    );
    for r in &rows {
        let keys: Vec<&str> = r.keys().map(String::as_str).collect();
        let mut want = FIELDS.to_vec();
        want.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(got, want, "{r:?}");
        assert!(r["fps"].as_f64().unwrap() > 0.0, "{r:?}");
    }
    let by = |b: &str| rows.iter().find(|r| r["backend"] == b).unwrap();
    // Ratios only where they apply; measured rows carry bit rate and a real PSNR.
    assert!(by("raw")["ratio_to_raw"].is_null());
    assert!(by("k230-model")["ratio_to_raw"].is_null());
    assert!(by("sim")["ratio_to_raw"].as_f64().unwrap() > 0.0);
    // One pair here: its range is the one ratio; no other row has a range.
    let spread = by("sim")["ratio_spread"].as_array().unwrap().clone();
    assert_eq!(spread.len(), 2);
    assert_eq!(spread[0], by("sim")["ratio_to_raw"]);
    assert_eq!(spread[0], spread[1]);
    assert!(by("raw")["ratio_spread"].is_null());
    assert!(by("sim")["psnr_y"].as_f64().unwrap() > 30.0);
    assert!(by("sim")["kbps"].as_f64().unwrap() > 0.0);
    // The model: 320x240 at 165.888 Mpx/s.
    assert!((by("k230-model")["fps"].as_f64().unwrap() - 2160.0).abs() < 0.01);
    // Same encoder, same frames: the simulator's stream is the raw codec's.
    assert_eq!(by("sim")["kbps"], by("raw")["kbps"]);

    let text = std::fs::read_to_string(&md).unwrap();
    assert!(text.starts_with("# Mine\n\nhand-written\n"), "{text}");
    assert!(
        text.ends_with("<!-- bench-compare: end -->\ntail\n"),
        "{text}"
    );
    assert!(!text.contains("stale table"));
    assert!(text.contains("| h264 | 320x240 | sim |"), "{text}");
    assert!(text.contains("Three 1280x720@30 H.264 channels"), "{text}");
    assert!(text.contains("at once on `sim-dilated-3ch`"), "{text}");
    assert!(text.contains("dilation "), "{text}");
    assert!(std::fs::read_to_string(&svg).unwrap().contains("<svg"));
}

#[test]
fn bad_arguments_are_refused_with_a_message() {
    for (args, says) in [
        (&["--sizes", "12x7"][..], "width 12 outside"),
        (&["--sizes", "1280"][..], "expected WIDTHxHEIGHT"),
        (&["--sizes", "1280x721"][..], "even height"),
        (&["--codecs", "vp9"][..], "h264 or h265"),
    ] {
        let out = bench_compare()
            .arg("--no-emulated")
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
