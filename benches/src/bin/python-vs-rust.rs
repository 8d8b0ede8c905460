//! The Python front's overhead: a 720p H.264 SendFrame loop driven from a CanMV script through
//! `canmv-run`, against the same loop in Rust over the same `Encoder` facade and sensor, in
//! one run.
//!
//! Both loops: `snapshot()` → fill `k_video_frame_info` → `SendFrame` → `GetStream` until the
//! frame's picture pack arrived, reading every pack (`bytearray_at`) → `ReleaseStream`; 5
//! warm-up frames, then `FRAMES` timed. Each side runs in its own process, alternating,
//! `BENCH_REPS` times (default 5); medians are reported.
//!
//! `python-vs-rust --canmv-run PATH --script PATH [--size WxH] [--frames N] [--json FILE]`

use std::process::Command;
use std::sync::Arc;
use std::time::Instant;
use venc_benches::{LoopRun, arg, child_run, median_run, print_loop_table, size_and_frames};
use venc_core::{ChnAttrStr, Encoder, Mpi, StreamData, consts};
use venc_sim::vicap::{CAM_CHN_ID_0, Sensor, SensorOptions, SensorSource, YUV420SP};
use venc_sim::{SimOptions, Simulator};

const WARMUP: u32 = 5;

/// The Rust twin of `benches/python/sendframe_loop.py`.
fn rust_loop(width: u32, height: u32, frames: u32) -> LoopRun {
    let sim = Simulator::shared(SimOptions::default());
    let sensor = Sensor::new(
        Arc::clone(&sim),
        2,
        SensorSource::Pattern,
        SensorOptions::default(),
    );
    sensor.reset().expect("reset");
    sensor
        .set_framesize(width, height, CAM_CHN_ID_0, consts::VICAP_ALIGNMENT_4K)
        .expect("framesize");
    sensor
        .set_pixformat(YUV420SP, CAM_CHN_ID_0)
        .expect("pixformat");
    let mpi: Arc<dyn Mpi> = sim.clone();
    let mut enc = Encoder::new(mpi);
    let chn = 0;
    enc.set_out_bufs(chn, 8, width, height).expect("SetOutBufs");
    let attr = ChnAttrStr::new(
        consts::K_PT_H264,
        consts::VENC_PROFILE_H264_MAIN,
        width,
        height,
    );
    enc.create(chn, &attr).expect("Create");
    enc.start(chn).expect("Start");
    sensor.run().expect("run");
    let mut stream = StreamData::new();
    let mut buf = Vec::new();
    let mut one_frame = |enc: &mut Encoder| -> u64 {
        let img = sensor.snapshot(CAM_CHN_ID_0).expect("snapshot");
        let status = enc
            .send_frame(
                chn,
                &img.frame_info(),
                consts::defaults::SEND_FRAME_TIMEOUT_MS,
            )
            .expect("SendFrame");
        assert_eq!(status, 0, "SendFrame failed");
        let (mut size, mut picture) = (0, false);
        while !picture {
            assert_eq!(enc.get_stream(chn, &mut stream, -1), Ok(0), "GetStream");
            for i in 0..stream.pack_cnt as usize {
                enc.read_mapped(stream.data[i], u64::from(stream.data_size[i]), &mut buf)
                    .expect("bytearray_at");
                size += buf.len() as u64;
                picture |= stream.stream_type[i] != consts::K_VENC_HEADER;
            }
            enc.release_stream(chn, &stream).expect("ReleaseStream");
        }
        size
    };
    for _ in 0..WARMUP {
        one_frame(&mut enc);
    }
    let t0 = Instant::now();
    let bytes = (0..frames).map(|_| one_frame(&mut enc)).sum();
    let elapsed = t0.elapsed().as_secs_f64();
    sensor.stop();
    enc.stop(chn).expect("Stop");
    enc.destroy(chn).expect("Destroy");
    LoopRun {
        fps: f64::from(frames) / elapsed,
        frames,
        bytes,
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (size, (w, h), frames) = size_and_frames(&args, 300);
    if args.get(1).map(String::as_str) == Some("--one") {
        println!(
            "{}",
            serde_json::to_string(&rust_loop(w, h, frames)).expect("json")
        );
        return;
    }
    let runner = arg(&args, "--canmv-run").expect("--canmv-run PATH");
    let script = arg(&args, "--script").expect("--script PATH");
    let reps: usize = std::env::var("BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let exe = std::env::current_exe().expect("exe");
    let dims = [w, h, frames].map(|v| v.to_string());
    let (mut rust, mut python) = (Vec::new(), Vec::new());
    for _ in 0..reps {
        rust.push(child_run(
            Command::new(&exe)
                .args(["--one", "--size", &size, "--frames"])
                .arg(&dims[2]),
        ));
        python.push(child_run(
            Command::new(&runner)
                .args(["-q", "--sdcard", "target/bench-sdcard", &script, "--"])
                .args(&dims),
        ));
    }
    print_loop_table(
        (w, h),
        reps,
        &[
            ("Rust (venc_core::Encoder)", &rust),
            ("Python (canmv-run)", &python),
        ],
    );
    let (rust, python) = (median_run(rust), median_run(python));
    let ratio = python.fps / rust.fps;
    println!("\nPython / Rust = {ratio:.3} (target >= 0.9)");
    // Same frames, same settings, deterministic codec: the two loops must produce the same bytes.
    let same = rust.bytes == python.bytes;
    println!(
        "same stream size from both loops: {}",
        if same { "yes" } else { "NO" }
    );
    if let Some(path) = arg(&args, "--json") {
        let doc = serde_json::json!({
            "size": size, "frames": frames, "reps": reps,
            "rust": rust, "python": python, "ratio": ratio, "same_bytes": same,
        });
        std::fs::write(&path, serde_json::to_string_pretty(&doc).expect("json"))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    assert!(same, "the Python and Rust loops encoded different streams");
}
