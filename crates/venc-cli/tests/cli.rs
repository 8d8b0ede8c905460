//! The `venc` binary end to end: files it writes decode; bad input fails with a clear message.
#![allow(clippy::unwrap_used)]

use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use venc_core::bitstream::{Codec, NalKind, annexb_units};
use venc_harness::oracle::{decode, pattern_planes, psnr_yuv};

fn tmp(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("venc-cli");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn venc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_venc"))
        .args(args)
        .output()
        .unwrap()
}

/// Runs `venc` with `--json` among `args`; it must succeed. Returns the parsed summary.
fn venc_json(args: &[&str]) -> serde_json::Value {
    let out = venc(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn fails_with(args: &[&str], needle: &str) {
    let out = venc(args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} succeeded");
    assert!(
        err.contains(needle),
        "{args:?}: stderr lacks {needle:?}:\n{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn default_pattern_encodes_to_a_playable_file_with_a_json_summary() {
    let out_path = tmp("default.264");
    let json = venc_json(&[
        "encode",
        "--frames",
        "40",
        "--json",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(json["width"], 800);
    assert_eq!(json["height"], 480);
    assert_eq!(json["frames_out"], 40);
    assert_eq!(json["header_packs"], 2);
    assert_eq!(json["i_packs"], 2);
    assert_eq!(json["p_packs"], 38);
    let stream = std::fs::read(&out_path).unwrap();
    assert_eq!(json["bytes"], stream.len());
    let decoded = decode(Codec::H264, &stream, 800, 480).unwrap();
    assert_eq!(decoded.len(), 40);
    let (y, _, _) = psnr_yuv(&decoded, &pattern_planes(800, 480, 40));
    assert!(y >= 35.0, "{y}");
}

#[test]
fn h265_follows_the_output_suffix() {
    let out_path = tmp("suffix.265");
    let json = venc_json(&[
        "encode",
        "--frames",
        "31",
        "--json",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(json["codec"], "H265");
    let library = json["codec_library"].as_str().unwrap();
    assert!(
        library.starts_with("libx265 ") && library.contains("(build "),
        "{library}"
    );
    assert_eq!(json["frames_out"], 31);
    assert_eq!(
        (json["header_packs"].as_u64(), json["i_packs"].as_u64()),
        (Some(2), Some(2))
    );
    let stream = std::fs::read(&out_path).unwrap();
    let kinds: Vec<NalKind> = annexb_units(&stream)
        .map(|u| Codec::H265.classify(u.data))
        .collect();
    assert_eq!(
        &kinds[..4],
        &[NalKind::Vps, NalKind::Sps, NalKind::Pps, NalKind::IdrSlice]
    );
    assert_eq!(kinds.iter().filter(|k| **k == NalKind::IdrSlice).count(), 2);
}

/// The pictures ffmpeg decodes from a file (any container), as raw yuv420p.
fn decoded_file(path: &std::path::Path) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
        .output()
        .unwrap();
    assert!(out.status.success() && out.stderr.is_empty(), "{out:?}");
    out.stdout
}

#[test]
fn fragmented_wants_an_mp4_output() {
    fails_with(
        &[
            "encode",
            "--fragmented",
            "-o",
            tmp("f.264").to_str().unwrap(),
        ],
        "--fragmented writes MP4",
    );
}

#[test]
fn mp4_output_holds_the_same_pictures_as_the_elementary_stream() {
    for (codec, bind, fragmented) in [
        ("h264", false, false),
        ("h265", false, false),
        ("h265", true, false),
        ("h264", false, true),
    ] {
        let (es, mp4) = (
            tmp(&format!("m-{codec}-{bind}-{fragmented}.es")),
            tmp(&format!("m-{codec}-{bind}-{fragmented}.mp4")),
        );
        let mut args = vec![
            "encode", "--codec", codec, "--size", "320x240", "--frames", "45", "--json",
        ];
        if bind {
            args.push("--bind");
        }
        for out in [&es, &mp4] {
            let mut a = args.clone();
            a.extend(["-o", out.to_str().unwrap()]);
            if fragmented && out == &mp4 {
                a.push("--fragmented");
            }
            venc_json(&a);
        }
        let c = if codec == "h264" {
            Codec::H264
        } else {
            Codec::H265
        };
        let es_pictures = decode(c, &std::fs::read(&es).unwrap(), 320, 240).unwrap();
        let mp4_bytes = decoded_file(&mp4);
        assert_eq!(es_pictures.len(), 45);
        let flat: Vec<u8> = es_pictures
            .iter()
            .flat_map(|p| [p.y.as_slice(), &p.u, &p.v].concat())
            .collect();
        assert!(
            flat == mp4_bytes,
            "{codec} bind={bind} fragmented={fragmented}: the MP4 decodes to other pictures"
        );
        let head = std::fs::read(&mp4).unwrap();
        let moofs = head.windows(4).filter(|w| *w == b"moof").count();
        // 45 pictures, GOP 30: two fragments.
        assert_eq!(moofs, if fragmented { 2 } else { 0 }, "{codec}");
        let probe = Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-show_entries",
                "format=format_name,duration",
                "-of",
                "csv=p=0",
            ])
            .arg(&mp4)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&probe.stdout);
        assert!(text.starts_with("\"mov,mp4"), "{text}");
        let duration: f64 = text.trim().rsplit(',').next().unwrap().parse().unwrap();
        assert!(
            (duration - 1.5).abs() < 0.05,
            "{codec}: {duration} s for 45 frames at 30 fps"
        );
    }
}

#[test]
fn rtsp_without_a_port_serves_on_the_firmwares_8554() {
    let out = venc(&[
        "encode",
        "--size",
        "160x128",
        "--frames",
        "2",
        "--rtsp",
        "-o",
        tmp("default-port.264").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.lines()
            .next()
            .is_some_and(|l| l.starts_with("serving rtsp://127.0.0.1:8554/test")),
        "{err}"
    );
}

#[test]
fn rtsp_serves_the_run_live_to_ffmpeg_and_a_taken_port_fails_clearly() {
    use std::io::{BufRead, BufReader};
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = tmp("live.264");
    let mut child = Command::new(env!("CARGO_BIN_EXE_venc"))
        .args([
            "encode",
            "--size",
            "320x240",
            "--frames",
            "120",
            "--rtsp",
            &port.to_string(),
        ])
        .args(["-o", out.to_str().unwrap()])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = format!("rtsp://127.0.0.1:{port}/test");
    assert_eq!(first, format!("serving {url} at 30 fps"));
    // A second server on the port is refused, as live555's createNew is.
    fails_with(
        &[
            "encode",
            "--rtsp",
            &port.to_string(),
            "-o",
            tmp("second.264").to_str().unwrap(),
        ],
        "create rtsp server failed.",
    );
    let played = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-timeout",
            "10000000",
            "-i",
            &url,
        ])
        .args(["-frames:v", "15", "-f", "null", "-"])
        .output()
        .unwrap();
    assert!(
        played.status.success(),
        "{}",
        String::from_utf8_lossy(&played.stderr)
    );
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(child.wait().unwrap().success(), "{rest:?}");
    let file = decode(Codec::H264, &std::fs::read(&out).unwrap(), 320, 240).unwrap();
    assert_eq!(file.len(), 120, "the file gets every frame as well");
}

#[test]
fn bind_runs_example1_and_writes_the_same_stream_as_send_frame() {
    let (bound, sent) = (tmp("bound.264"), tmp("sent.264"));
    let json = venc_json(&[
        "encode",
        "--bind",
        "--frames",
        "45",
        "--json",
        "-o",
        bound.to_str().unwrap(),
    ]);
    assert_eq!(json["frames_out"], 45);
    assert_eq!(json["sensor"]["frames_delivered"], 45);
    venc_json(&[
        "encode",
        "--frames",
        "45",
        "--json",
        "-o",
        sent.to_str().unwrap(),
    ]);
    // Same pattern, same timestamps, same encoder: the bound path changes the plumbing only.
    assert!(std::fs::read(&bound).unwrap() == std::fs::read(&sent).unwrap());
    fails_with(
        &[
            "encode",
            "--bind",
            "--manual-uv-offset",
            "-o",
            bound.to_str().unwrap(),
        ],
        "not to --bind",
    );
    fails_with(
        &["encode", "--realtime", "-o", bound.to_str().unwrap()],
        "--bind",
    );
}

#[test]
fn dst_fps_is_the_channel_s_dst_frame_rate_which_nothing_reads() {
    // The K230 kernel never loads dst_frame_rate (D-009): every frame is encoded.
    let run = |name: &str, dst: &str| {
        let out_path = tmp(name);
        let json = venc_json(&[
            "encode",
            "--frames",
            "40",
            "--fps",
            "30",
            "--dst-fps",
            dst,
            "--json",
            "-o",
            out_path.to_str().unwrap(),
        ]);
        (json, std::fs::read(&out_path).unwrap())
    };
    let (json, half) = run("half.264", "15");
    let (_, full) = run("full.264", "30");
    assert_eq!(json["dst_frame_rate"], 15);
    assert_eq!(
        (&json["frames_sent"], &json["frames_out"]),
        (&40.into(), &40.into())
    );
    assert_eq!(json["frames_dropped"], 0);
    assert_eq!(json["channel_stats"]["frames_encoded"], 40);
    assert!(half == full, "dst_frame_rate changed the stream");
    let decoded = decode(Codec::H264, &half, 800, 480).unwrap();
    assert_eq!(decoded.len(), 40);
}

#[test]
fn verbose_prints_one_line_per_pack_like_the_manual() {
    let out_path = tmp("verbose.264");
    let out = venc(&[
        "encode",
        "--frames",
        "5",
        "--size",
        "320x240",
        "--verbose",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("stream size:"))
        .collect();
    assert_eq!(lines.len(), 6, "HEADER + I + 4 P:\n{text}");
    assert!(lines[0].ends_with("stream type:  3"));
    assert!(lines[1].ends_with("stream type:  2"));
    assert!(lines[5].ends_with("stream type:  1"));
    assert!(text.contains("1 HEADER, 1 I, 4 P"));
}

fn write_y4m(path: &PathBuf, w: u32, h: u32, frames: u32) {
    let mut file = format!("YUV4MPEG2 W{w} H{h} F30:1 Ip A1:1 C420jpeg\n").into_bytes();
    for p in pattern_planes(w, h, frames) {
        file.extend_from_slice(b"FRAME\n");
        file.extend_from_slice(&p.y);
        file.extend_from_slice(&p.u);
        file.extend_from_slice(&p.v);
    }
    std::fs::write(path, file).unwrap();
}

#[test]
fn y4m_input_is_encoded_at_its_own_size() {
    let input = tmp("in.y4m");
    write_y4m(&input, 320, 240, 12);
    let out_path = tmp("y4m.264");
    let json = venc_json(&[
        "encode",
        "--input",
        input.to_str().unwrap(),
        "--json",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(
        json["frames_out"], 12,
        "a source that ends early ends the run"
    );
    let decoded = decode(Codec::H264, &std::fs::read(&out_path).unwrap(), 320, 240).unwrap();
    let (y, u, v) = psnr_yuv(&decoded, &pattern_planes(320, 240, 12));
    assert!(y >= 35.0 && u >= 35.0 && v >= 35.0, "{y} {u} {v}");
    fails_with(
        &[
            "encode",
            "--input",
            input.to_str().unwrap(),
            "--size",
            "640x480",
            "-o",
            out_path.to_str().unwrap(),
        ],
        "input is 320x240 but 640x480 was asked for",
    );
    for (fixture, why) in [
        ("truncated.y4m", "frame 0 is truncated"),
        ("yuv444.y4m", "not 8-bit 4:2:0"),
        ("not-y4m.y4m", "Y4M input"),
        ("odd-width.y4m", "odd or empty size 33x16"),
    ] {
        let path = fixtures().join("bad").join(fixture);
        let args = [
            "encode",
            "--input",
            path.to_str().unwrap(),
            "-o",
            out_path.to_str().unwrap(),
        ];
        fails_with(&args, why);
    }
    fails_with(
        &[
            "encode",
            "--input",
            "/nonexistent/x.y4m",
            "-o",
            out_path.to_str().unwrap(),
        ],
        "/nonexistent/x.y4m",
    );
}

#[test]
fn bad_arguments_fail_clearly() {
    let o = tmp("x.264");
    let o = o.to_str().unwrap();
    fails_with(
        &["encode", "-o", tmp("x.mkv").to_str().unwrap()],
        "use a .264 or .265 suffix",
    );
    fails_with(
        &[
            "encode",
            "--codec",
            "jpeg",
            "-o",
            tmp("j.mp4").to_str().unwrap(),
        ],
        "an MP4 holds H.264 or H.265",
    );
    assert!(!tmp("j.mp4").exists(), "a refused run leaves no file");
    fails_with(
        &[
            "encode",
            "--codec",
            "h264",
            "-o",
            tmp("x.265").to_str().unwrap(),
        ],
        "does not match the output suffix",
    );
    fails_with(
        &["encode", "--size", "100x64", "-o", o],
        "K_ERR_VENC_ILLEGAL_PARAM",
    );
    fails_with(
        &["encode", "--size", "328x240", "-o", o],
        "K_ERR_VENC_ILLEGAL_PARAM",
    );
    fails_with(&["encode", "--size", "big", "-o", o], "not WIDTHxHEIGHT");
    fails_with(&["encode", "--gop", "0", "-o", o], "'--gop <GOP>'");
    fails_with(&["encode", "--chn", "4", "-o", o], "out of range 0 ~ 3");
    fails_with(&["encode", "--fps", "0", "-o", o], "--fps");
    fails_with(
        &["encode", "-o", "/nonexistent-dir/x.264"],
        "/nonexistent-dir/x.264",
    );
}

#[test]
fn hw_backend_on_the_emulated_board_writes_the_simulator_s_bytes() {
    let hw = tmp("hw.264");
    let sim = tmp("sim.264");
    let common = ["encode", "--size", "320x240", "--frames", "20", "--json"];
    let summary = venc_json(
        &[
            &common[..],
            &[
                "--backend",
                "hw",
                "--board",
                "emulated",
                "-o",
                hw.to_str().unwrap(),
            ],
        ]
        .concat(),
    );
    assert!(
        summary["codec_library"]
            .as_str()
            .unwrap()
            .starts_with("EMULATED board (not a K230)"),
        "{summary}"
    );
    assert_eq!(summary["frames_out"], 20);
    venc_json(&[&common[..], &["-o", sim.to_str().unwrap()]].concat());
    let (a, b) = (std::fs::read(&hw).unwrap(), std::fs::read(&sim).unwrap());
    assert!(a == b, "the board path changed the stream");
    assert_eq!(decode(Codec::H264, &a, 320, 240).unwrap().len(), 20);
}

#[test]
fn hw_backend_arguments_fail_clearly() {
    let o = tmp("hw-bad.264");
    let o = o.to_str().unwrap();
    fails_with(
        &["encode", "--backend", "hw", "-o", o],
        "--board tcp://HOST:PORT",
    );
    fails_with(
        &["encode", "--board", "tcp://127.0.0.1:1", "-o", o],
        "--board applies to --backend hw",
    );
    fails_with(
        &[
            "encode",
            "--backend",
            "hw",
            "--board",
            "http://x:1",
            "-o",
            o,
        ],
        "expected tcp://HOST:PORT",
    );
    fails_with(
        &[
            "encode",
            "--backend",
            "hw",
            "--board",
            "emulated",
            "--bind",
            "-o",
            o,
        ],
        "--bind needs the simulator",
    );
    fails_with(
        &[
            "encode",
            "--backend",
            "hw",
            "--board",
            "emulated",
            "--threads",
            "2",
            "-o",
            o,
        ],
        "configure the simulator",
    );
    // Nobody listens on the port: refused at once, not a hang.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    fails_with(
        &[
            "encode",
            "--backend",
            "hw",
            "--board",
            &format!("tcp://127.0.0.1:{port}"),
            "-o",
            o,
        ],
        "cannot reach the board",
    );
    fails_with(
        &["conformance", "--board", "emulated", "--filter", "life-001"],
        "--board applies to the hw backend",
    );
    fails_with(
        &["conformance", "--no-released-count", "--filter", "life-001"],
        "--board <URL>",
    );
}

#[test]
fn a_reader_that_goes_away_ends_the_run_quietly_with_sigpipe_s_status() {
    use std::io::Read;
    use std::process::Stdio;
    let out_path = tmp("pipe.264");
    let mut child = Command::new(env!("CARGO_BIN_EXE_venc"))
        .args(["encode", "-v", "--frames", "60", "--size", "320x240", "-o"])
        .arg(&out_path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe's read end is closed here, as `| head -c 16` does.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(first.starts_with(b"stream size:"));
}

#[test]
fn a_full_stdout_is_an_error_not_a_panic() {
    let file = std::fs::OpenOptions::new().write(true).open("/dev/full");
    let Ok(full) = file else {
        eprintln!("no /dev/full here: nothing to check");
        return;
    };
    let out = Command::new(env!("CARGO_BIN_EXE_venc"))
        .args(["encode", "--frames", "3", "--size", "320x240", "-o"])
        .arg(tmp("full.264"))
        .stdout(full)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("stdout: No space left on device"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn arguments_that_cannot_be_honoured_fail_before_any_frame() {
    let o = tmp("refused.264");
    let o = o.to_str().unwrap();
    fails_with(&["encode", "--frames", "0", "-o", o], "0 is not in 1..");
    fails_with(
        &["encode", "--fps", "100000000", "--frames", "10", "-o", o],
        "pts are in µs",
    );
    fails_with(
        &["encode", "--dst-fps", "0", "-o", o],
        "outside 1..=1000000",
    );
}

#[test]
fn a_failed_run_names_its_cause_and_leaves_no_output_file() {
    let path = tmp("failed.264");
    let _ = std::fs::remove_file(&path);
    let o = path.to_str().unwrap();
    fails_with(
        &["encode", "--size", "0x0", "-o", o],
        "width 0 outside 128..=4096",
    );
    assert!(!path.exists(), "an empty file was left behind");
    fails_with(
        &["encode", "--bitrate", "4294967295", "-o", o],
        "bit_rate 4294967295 kbps is above it",
    );
    assert!(!path.exists(), "an empty file was left behind");
    // The highest bit rate openh264 takes still encodes.
    let ok = venc(&["encode", "--bitrate", "288000", "--frames", "2", "-o", o]);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(path.exists());
}

#[test]
fn traces_of_one_program_on_two_backends_agree_and_a_changed_program_differs() {
    let run = |name: &str, extra: &[&str]| {
        let trace = tmp(name);
        let out = tmp(&format!("{name}.264"));
        let mut args = vec!["encode", "--frames", "24", "--size", "320x240", "--trace"];
        args.push(trace.to_str().unwrap());
        args.extend_from_slice(extra);
        args.extend(["-o", out.to_str().unwrap()]);
        let o = venc(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        trace
    };
    let sim = run("sim.jsonl", &[]);
    // Every line is one call with its result.
    let text = std::fs::read_to_string(&sim).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    for field in ["t_us", "dur_us", "call", "args", "result"] {
        assert!(first.get(field).is_some(), "{field} missing: {first}");
    }
    assert!(text.contains("\"call\":\"kd_mpi_venc_send_frame\""));
    let board = run("board.jsonl", &["--backend", "hw", "--board", "emulated"]);
    let same = venc(&[
        "trace",
        "diff",
        sim.to_str().unwrap(),
        board.to_str().unwrap(),
    ]);
    assert!(
        same.status.success(),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    assert!(String::from_utf8_lossy(&same.stdout).contains("agree in behaviour"));
    // An armed fault is itself a traced call, so two runs differ where one was given it.
    let faulty = run("fault.jsonl", &["--fault", "drop-frame@every=1000"]);
    let text = std::fs::read_to_string(&faulty).unwrap();
    assert!(
        text.contains("\"call\":\"inject_fault\"") && text.contains("drop-frame@every=1000"),
        "{text}"
    );
    fails_with(
        &[
            "trace",
            "diff",
            sim.to_str().unwrap(),
            faulty.to_str().unwrap(),
        ],
        "inject_fault",
    );
    let gop = run("gop8.jsonl", &["--gop", "8"]);
    fails_with(
        &[
            "trace",
            "diff",
            sim.to_str().unwrap(),
            gop.to_str().unwrap(),
        ],
        "pack ch0 HEADER",
    );
    // Exit 1 differ, 2 unreadable: a missing file, a file that is no trace (read no further
    // than a line's limit); a last line cut off by a crash is left out, with a warning.
    let status = |args: &[&str]| venc(args).status.code();
    let diff = |a: &Path, b: &str| ["trace", "diff", a.to_str().unwrap(), b].map(str::to_owned);
    let gop_path = gop.to_str().unwrap().to_owned();
    assert_eq!(
        status(&diff(&sim, &gop_path).each_ref().map(String::as_str)),
        Some(1)
    );
    for unreadable in ["/nonexistent.jsonl", "/dev/zero"] {
        let args = diff(&sim, unreadable);
        let o = venc(&args.each_ref().map(String::as_str));
        assert_eq!(o.status.code(), Some(2), "{unreadable}");
        assert!(String::from_utf8_lossy(&o.stderr).contains(unreadable));
    }
    let cut = tmp("cut.jsonl");
    std::fs::write(&cut, &text_of(&sim)[..text_of(&sim).len() - 30]).unwrap();
    let o = venc(
        &diff(&sim, cut.to_str().unwrap())
            .each_ref()
            .map(String::as_str),
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("was cut off"));
    assert_eq!(
        o.status.code(),
        Some(1),
        "the cut call is missing: they differ"
    );
    // A bound run is traced too: the program's calls, no SendFrame (the sensor feeds the VENC).
    let bound = run("bound.jsonl", &["--bind"]);
    let text = std::fs::read_to_string(&bound).unwrap();
    assert!(
        text.contains("\"call\":\"kd_mpi_venc_get_stream\""),
        "{text}"
    );
    assert!(!text.contains("kd_mpi_venc_send_frame"), "{text}");
    fails_with(
        &[
            "trace",
            "diff",
            sim.to_str().unwrap(),
            bound.to_str().unwrap(),
        ],
        "the traces differ",
    );
}

fn text_of(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn canmv_run_traces_the_script_s_calls_and_a_fault_shows_in_the_diff() {
    let runner = venc_hw::emulator::canmv_run().unwrap();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/canmv/2026-01/stream_venc.py");
    let run = |name: &str, extra: &[&str]| {
        let trace = tmp(name);
        let card = tmp(&format!("{name}.card"));
        let o = Command::new(&runner)
            .args([
                "-q",
                "--sdcard",
                card.to_str().unwrap(),
                "--trace",
                trace.to_str().unwrap(),
            ])
            .args(extra)
            .arg(&script)
            .args(["--", "/sdcard/s.264", "12"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        trace
    };
    let first = run("script1.jsonl", &[]);
    let text = std::fs::read_to_string(&first).unwrap();
    for call in [
        "kd_mpi_venc_create_chn",
        "kd_mpi_venc_send_frame",
        "kd_mpi_venc_get_stream",
    ] {
        assert!(
            text.contains(&format!("\"call\":\"{call}\"")),
            "{call} missing"
        );
    }
    let again = run("script2.jsonl", &[]);
    let same = venc(&[
        "trace",
        "diff",
        first.to_str().unwrap(),
        again.to_str().unwrap(),
    ]);
    assert!(
        same.status.success(),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );
    let dropped = run("script3.jsonl", &["--fault", "drop-frame@every=4"]);
    fails_with(
        &[
            "trace",
            "diff",
            first.to_str().unwrap(),
            dropped.to_str().unwrap(),
        ],
        "the traces differ",
    );
    let o = Command::new(&runner)
        .args(["-q", "--trace", "/nonexistent/dir/t.jsonl"])
        .arg(&script)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/dir/t.jsonl"));
}

#[test]
fn injected_faults_change_what_the_run_sees_and_are_counted_in_the_summary() {
    let out_path = tmp("faulty.264");
    let json = venc_json(&[
        "encode",
        "--size",
        "320x240",
        "--frames",
        "9",
        "--fault",
        "drop-frame@every=3",
        "--json",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(json["frames_sent"], 9);
    assert_eq!(json["frames_out"], 6);
    assert_eq!(json["channel_stats"]["dropped_injected"], 3);
    assert_eq!(json["faults_injected"]["drop-frame"], 3);
    assert_eq!(json["faults_injected"]["send-frame-busy"], 0);
    let decoded = decode(Codec::H264, &std::fs::read(&out_path).unwrap(), 320, 240).unwrap();
    assert_eq!(decoded.len(), 6);

    // Without --fault nothing strikes.
    let clean = venc_json(&[
        "encode",
        "--size",
        "320x240",
        "--frames",
        "9",
        "--json",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert_eq!(clean["frames_out"], 9);
    assert!(
        clean["faults_injected"]
            .as_object()
            .unwrap()
            .values()
            .all(|n| n == 0)
    );

    // A fault the run cannot absorb ends it with the code the program saw, logged as injected.
    let out = venc(&[
        "encode",
        "--frames",
        "5",
        "--fault",
        "send-frame-busy",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("K_ERR_VENC_BUSY") && err.contains("fault injected: send-frame-busy@next"),
        "{err}"
    );
    assert!(!out_path.exists(), "a failed run leaves no output");

    fails_with(
        &["encode", "--fault", "drop-frame@every=0"],
        "whole number ≥ 1",
    );
    fails_with(
        &["encode", "--fault", "gremlins"],
        "unknown kind `gremlins`",
    );
    fails_with(
        &[
            "encode",
            "--backend",
            "hw",
            "--board",
            "tcp://127.0.0.1:9",
            "--fault-seed",
            "3",
        ],
        "--fault-seed configure the simulator",
    );
}

#[test]
fn jpeg_follows_the_output_suffix_one_i_pack_per_picture() {
    let run = |name: &str, quality: &str| {
        let out_path = tmp(name);
        let json = venc_json(&[
            "encode",
            "--size",
            "320x240",
            "--frames",
            "12",
            "--quality",
            quality,
            "--json",
            "-o",
            out_path.to_str().unwrap(),
        ]);
        (json, std::fs::read(&out_path).unwrap())
    };
    let (json, stream) = run("q45.mjpeg", "45");
    assert_eq!(json["codec"], "Jpeg");
    assert_eq!(
        (&json["header_packs"], &json["i_packs"], &json["p_packs"]),
        (&0.into(), &12.into(), &0.into())
    );
    let decoded = decode(Codec::Jpeg, &stream, 320, 240).unwrap();
    assert_eq!(decoded.len(), 12);
    let (y, _, _) = psnr_yuv(&decoded, &pattern_planes(320, 240, 12));
    assert!(y >= 30.0, "{y}");
    // Quality is the channel's q_factor: higher keeps more.
    let (_, fine) = run("q90.jpg", "90");
    let (_, coarse) = run("q10.jpg", "10");
    assert!(fine.len() > stream.len() && stream.len() > coarse.len());
    fails_with(&["encode", "--quality", "100", "-o", "x.mjpeg"], "100");
    fails_with(
        &["encode", "--codec", "jpeg", "-o", "x.264"],
        "does not match",
    );
}

#[test]
fn a_dilated_bound_camera_at_1080p30_drops_nothing_on_this_host() {
    // This host's H.265 at 1080p is far slower than the board's 80 fps: on the wall clock the
    // paced sensor finds its buffers held and drops frames (BENCHMARKS.md); on a dilated
    // clock it drops none and the run's rate in board time is the sensor's.
    let out = tmp("dilated.265");
    let report = venc_json(&[
        "encode",
        "--bind",
        "--realtime",
        "--vpu-timing",
        "dilated",
        "--size",
        "1920x1080",
        "--frames",
        "30",
        "--json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(report["frames_out"], 30, "{report}");
    assert_eq!(report["frames_dropped"], 0, "{report}");
    assert_eq!(report["sensor"]["dropped_no_buffer"], 0, "{report}");
    assert_eq!(report["board_clock"]["kind"], "dilated");
    let fps = report["fps"].as_f64().unwrap();
    assert!((fps - 30.0).abs() < 1.5, "board-time fps {fps}");
    assert!(report["board_clock"]["dilation"].as_f64().unwrap() >= 1.0);
    let frames = decode(Codec::H265, &std::fs::read(&out).unwrap(), 1920, 1080).unwrap();
    assert_eq!(frames.len(), 30);
}

#[test]
fn a_deterministic_bound_camera_is_the_same_on_every_run() {
    // 1080p30 H.265 from the paced sensor on the discrete-event clock, 90 frames (far beyond
    // this host's codec in real time): every frame, the sensor's rate in board time, and two
    // runs give the same call trace (board-time stamps included) and the same stream.
    let mut runs = Vec::new();
    for run in 0..2 {
        let out = tmp(&format!("deterministic-{run}.265"));
        let trace = tmp(&format!("deterministic-{run}.jsonl"));
        let report = venc_json(&[
            "encode",
            "--bind",
            "--vpu-timing",
            "deterministic",
            "--size",
            "1920x1080",
            "--frames",
            "90",
            "--json",
            "--trace",
            trace.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(report["frames_out"], 90, "{report}");
        assert_eq!(report["frames_dropped"], 0, "{report}");
        assert_eq!(report["board_clock"]["kind"], "deterministic");
        assert_eq!(report["board_clock"]["pass_overs"], 0, "{report}");
        let fps = report["fps"].as_f64().unwrap();
        assert!((fps - 30.0).abs() < 1.5, "board-time fps {fps}");
        let stream = std::fs::read(&out).unwrap();
        assert_eq!(decode(Codec::H265, &stream, 1920, 1080).unwrap().len(), 90);
        runs.push((
            std::fs::read_to_string(&trace).unwrap(),
            stream,
            report["board_clock"]["board_seconds"].as_f64().unwrap(),
        ));
    }
    assert!(runs[0].0.lines().count() > 180, "{}", runs[0].0);
    assert_eq!(runs[0].0, runs[1].0, "the call traces differ");
    assert_eq!(runs[0].1, runs[1].1, "the streams differ");
    assert_eq!(
        runs[0].2, runs[1].2,
        "the runs ended at different board times"
    );
}

#[test]
fn a_board_profile_sets_the_models_figures_and_bad_ones_are_refused() {
    // A board where a 640x480 H.264 picture takes 20 ms: 10 frames sent back to back, each
    // waited for, take 200 ms of board time on the deterministic clock (the K230's 1.85 ms a
    // picture would take 18.5 ms).
    let profile = tmp("slow-board.toml");
    let rate = 640 * 480 * 50;
    std::fs::write(
        &profile,
        format!(
            "name = \"slow\"\nsource = \"a test\"\n\
             [h264]\ni_pixels_per_second = {rate}\np_pixels_per_second = {rate}\n\
             [h265]\ni_pixels_per_second = {rate}\np_pixels_per_second = {rate}\n\
             [jpeg]\ni_pixels_per_second = {rate}\np_pixels_per_second = {rate}\n"
        ),
    )
    .unwrap();
    let out = tmp("slow-board.264");
    let common = [
        "encode",
        "--size",
        "640x480",
        "--frames",
        "10",
        "-o",
        out.to_str().unwrap(),
    ];
    let mut args = common.to_vec();
    args.extend(["--json", "--vpu-timing", "deterministic", "--board-profile"]);
    args.push(profile.to_str().unwrap());
    let report = venc_json(&args);
    assert_eq!(report["frames_out"], 10, "{report}");
    let board = report["board_clock"]["board_seconds"].as_f64().unwrap();
    assert!((0.2..0.21).contains(&board), "{board} s of board time");
    // A profile needs a paced timing, a readable file and sound figures.
    let mut fast = common.to_vec();
    fast.extend(["--board-profile", profile.to_str().unwrap()]);
    fails_with(&fast, "give a paced timing");
    let mut missing = common.to_vec();
    missing.extend([
        "--vpu-timing",
        "dilated",
        "--board-profile",
        "/nonexistent/board.toml",
    ]);
    fails_with(&missing, "board profile /nonexistent/board.toml: ");
    let bad = tmp("zero-board.toml");
    std::fs::write(
        &bad,
        std::fs::read_to_string(&profile).unwrap().replacen(
            &format!("i_pixels_per_second = {rate}"),
            "i_pixels_per_second = 0",
            1,
        ),
    )
    .unwrap();
    let mut zero = common.to_vec();
    zero.extend([
        "--vpu-timing",
        "realtime",
        "--board-profile",
        bad.to_str().unwrap(),
    ]);
    fails_with(&zero, "h264.i_pixels_per_second must be above 0");
}

#[test]
fn venc_profile_measures_the_profile_an_emulated_board_runs() {
    // The emulated board runs a known profile on the deterministic clock: its agent's ticks
    // are board time, so `venc profile` over a real socket must find that profile's figures.
    let known = tmp("known-board.toml");
    std::fs::write(
        &known,
        "name = \"known\"\nsource = \"a test\"\n\
         [h264]\ni_pixels_per_second = 60000000\np_pixels_per_second = 120000000\nfixed_us = 300\n\
         [h265]\ni_pixels_per_second = 40000000\np_pixels_per_second = 80000000\nfixed_us = 500\n\
         [jpeg]\ni_pixels_per_second = 200000000\np_pixels_per_second = 200000000\nfixed_us = 100\n",
    )
    .unwrap();
    let board = venc_hw::EmulatedBoard::start_with(
        0,
        &[
            "--timing",
            "deterministic",
            "--board-profile",
            known.to_str().unwrap(),
        ],
    )
    .unwrap();
    let measured = tmp("measured-board.toml");
    let out = venc(&[
        "profile",
        "--board",
        board.url(),
        "--name",
        "emulated",
        "--frames",
        "5",
        "-o",
        measured.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let got = venc_sim::timing::BoardProfile::load(&measured).unwrap();
    let want = venc_sim::timing::BoardProfile::load(&known).unwrap();
    assert_eq!(got.name, "emulated");
    assert!(
        got.source.contains("measured by `venc profile`"),
        "{}",
        got.source
    );
    let close = |a: u64, b: u64, what: &str| {
        let ratio = a as f64 / b as f64;
        assert!(
            (0.99..1.01).contains(&ratio),
            "{what}: {a} measured, {b} known\n{err}"
        );
    };
    for (what, g, w) in [("h264", got.h264, want.h264), ("h265", got.h265, want.h265)] {
        close(
            g.i_pixels_per_second,
            w.i_pixels_per_second,
            &format!("{what} I"),
        );
        close(
            g.p_pixels_per_second,
            w.p_pixels_per_second,
            &format!("{what} P"),
        );
        assert!(
            g.fixed_us.abs_diff(w.fixed_us) <= 20,
            "{what} fixed {}\n{err}",
            g.fixed_us
        );
    }
    close(
        got.jpeg.i_pixels_per_second,
        want.jpeg.i_pixels_per_second,
        "jpeg",
    );
    assert!(
        got.jpeg.fixed_us.abs_diff(100) <= 20,
        "jpeg fixed {}",
        got.jpeg.fixed_us
    );
}

#[test]
fn venc_profile_refuses_what_it_cannot_measure() {
    fails_with(
        &["profile", "--board", "tcp://127.0.0.1:1", "--frames", "2"],
        "--frames 2: give at least 5",
    );
    fails_with(
        &["profile", "--board", "udp://x:1"],
        "scheme \"udp\" is not tcp",
    );
}

/// Frames ffprobe counts in `path` (decoding them all).
fn frames_in(path: &Path) -> (u32, String) {
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&probe.stdout).trim().to_owned();
    let errors = String::from_utf8_lossy(&probe.stderr).into_owned();
    (text.parse().unwrap_or(0), errors)
}

#[test]
fn ctrl_c_ends_the_run_with_a_finished_playable_recording() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
        .to_string();
    for (name, extra) in [
        ("ctrl-c.mp4", &[][..]),
        ("ctrl-c-fragmented.mp4", &["--fragmented"][..]),
        ("ctrl-c.265", &[][..]),
        // Serving RTSP too (the run the help says lasts until Ctrl-C).
        ("ctrl-c-rtsp.mp4", &["--rtsp", port.as_str()][..]),
        // The camera bound to the encoder (Example 1): its capture ends where it is.
        ("ctrl-c-bind.mp4", &["--bind"][..]),
        (
            "ctrl-c-bind-fragmented.mp4",
            &["--bind", "--fragmented"][..],
        ),
    ] {
        let out = tmp(name);
        let _ = std::fs::remove_file(&out);
        // 3000 pictures of 720p: minutes of encoding, stopped long before the end.
        let child = Command::new(env!("CARGO_BIN_EXE_venc"))
            .args(["encode", "--frames", "3000", "--size", "1280x720"])
            .args(extra)
            .args(["-o", out.to_str().unwrap()])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Long enough for a GOP or two (a fragment per GOP), bounded.
        std::thread::sleep(std::time::Duration::from_millis(2500));
        let killed = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let done = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(130), "{name}: {stderr}");
        assert!(stderr.contains("interrupted"), "{name}: {stderr}");
        let (frames, errors) = frames_in(&out);
        assert!(errors.is_empty(), "{name}: ffprobe: {errors}");
        // The summary names what was recorded; ffprobe decodes exactly that many.
        let said = String::from_utf8_lossy(&done.stdout);
        assert!(
            said.contains(&format!(": {frames} frames")),
            "{name}: {frames} decoded, summary: {said}"
        );
        assert!((10..3000).contains(&frames), "{name}: {frames} frames");
    }
}

#[test]
fn outputs_go_through_links_and_special_files_are_refused_or_streamed() {
    let dir = tmp("links");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("real")).unwrap();
    for name in ["rec.mp4", "rec.264"] {
        let target = dir.join("real").join(name);
        let link = dir.join(format!("link-{name}"));
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let out = venc(&["encode", "--frames", "20", "-o", link.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The link is still a link, and what it points at holds the recording.
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(
            meta.file_type().is_symlink(),
            "{name}: the link was replaced"
        );
        let (frames, errors) = frames_in(&target);
        assert!(errors.is_empty(), "{name}: {errors}");
        assert_eq!(frames, 20, "{name}");
    }
    // An MP4 needs a regular file; a stream may go to a device.
    let null_link = dir.join("null.mp4");
    std::os::unix::fs::symlink("/dev/null", &null_link).unwrap();
    fails_with(
        &["encode", "--frames", "5", "-o", null_link.to_str().unwrap()],
        "needs a regular file",
    );
    let out = venc(&[
        "encode",
        "--frames",
        "5",
        "--codec",
        "h264",
        "-o",
        "/dev/null",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // Links that lead round in a circle are refused, not followed for ever.
    std::os::unix::fs::symlink(dir.join("loop-b.264"), dir.join("loop-a.264")).unwrap();
    std::os::unix::fs::symlink(dir.join("loop-a.264"), dir.join("loop-b.264")).unwrap();
    fails_with(
        &[
            "encode",
            "--frames",
            "5",
            "-o",
            dir.join("loop-a.264").to_str().unwrap(),
        ],
        "too many levels of links",
    );
    std::fs::create_dir_all(dir.join("folder.264")).unwrap();
    fails_with(
        &[
            "encode",
            "--frames",
            "5",
            "-o",
            dir.join("folder.264").to_str().unwrap(),
        ],
        "is a directory",
    );
    // The input named as the output (directly or through a link) is refused, and kept.
    let input = dir.join("in.y4m");
    write_y4m(&input, 64, 48, 4);
    let before = std::fs::read(&input).unwrap();
    let in_link = dir.join("in-link.264");
    std::os::unix::fs::symlink(&input, &in_link).unwrap();
    fails_with(
        &[
            "encode",
            "--input",
            input.to_str().unwrap(),
            "-o",
            in_link.to_str().unwrap(),
        ],
        "is the input too",
    );
    assert_eq!(std::fs::read(&input).unwrap(), before);
}

#[test]
fn a_full_disk_keeps_a_fragmented_recording_s_whole_fragments() {
    // A file-size limit (EFBIG) stands in for a full disk (ENOSPC) without privileges: the
    // same failed write. SIGXFSZ is ignored so the write fails instead of killing the process.
    let out = tmp("full.mp4");
    let _ = std::fs::remove_file(&out);
    let run = |fragmented: bool| {
        let script = format!(
            "trap '' XFSZ; ulimit -f 300; exec {} encode --frames 300 --gop 10 --size 640x480 \
             {} -o {}",
            env!("CARGO_BIN_EXE_venc"),
            if fragmented { "--fragmented" } else { "" },
            out.display()
        );
        Command::new("sh").args(["-c", &script]).output().unwrap()
    };
    let done = run(true);
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert_eq!(done.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("File too large"), "{stderr}");
    let kept: u32 = stderr
        .split("kept its ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count of kept fragments: {stderr}"));
    assert!(kept >= 1, "{stderr}");
    assert!(std::fs::metadata(&out).unwrap().len() <= 300 * 512);
    let (frames, errors) = frames_in(&out);
    assert!(errors.is_empty(), "the kept file does not play: {errors}");
    assert_eq!(frames, kept * 10, "whole GOPs of 10");
    // An ordinary MP4 has no whole part to keep: it goes, as before.
    let done = run(false);
    assert_eq!(done.status.code(), Some(1));
    assert!(!out.exists(), "a broken ordinary MP4 was left behind");
}
