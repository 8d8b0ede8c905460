//! `rtsp-latency` end to end on a short run: a real ffmpeg plays the stream, every measured
//! picture is matched on the relay and in the client, and the JSON's figures are ordered as
//! the path is (the server's share after the encoder's, the client's after the server's).
#![allow(clippy::unwrap_used)]

use std::process::Command;

#[test]
fn a_short_run_measures_every_picture_along_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("latency.json");
    let out = Command::new(env!("CARGO_BIN_EXE_rtsp-latency"))
        .args(["--frames", "30", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(report["lost"], 0);
    let p50 = |path: &str| report[path]["p50_ms"].as_f64().unwrap();
    for path in ["encoder_alone", "rtsp_server_delivered", "rtsp_to_ffmpeg"] {
        assert_eq!(report[path]["samples"], 30, "{path}");
    }
    assert!(p50("encoder_alone") > 0.0);
    assert!(p50("rtsp_server_delivered") >= p50("encoder_alone"));
    assert!(p50("rtsp_to_ffmpeg") > p50("rtsp_server_delivered"));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("| RTSP: SendFrame → ffmpeg's decoded picture |"),
        "{table}"
    );
}
