//! Raw codec (openh264, libx265) vs the simulator's `Encoder`, same frames, same settings, in
//! one run.
//!
//! Each configuration runs in a fresh child process (this binary with `--one`), so its peak RSS
//! is its own. Each pair runs `BENCH_REPS` times (default 3), alternating, and the median is
//! reported. Prints a Markdown table; `--json FILE` also writes the median rows.
//!
//! Memory per channel: the child resets its peak RSS once the frames sit in media memory (the
//! sensor's buffers, there before any channel), so peak minus that baseline is what one
//! channel (or one raw encoder) added: codec state, worker, output blocks, pack copies.

use std::process::Command;
use venc_benches::{Frames, Measured, RawRig, SimRig, peak_rss_mib, reset_peak_rss};
use venc_core::bitstream::Codec;

fn parse_codec(s: &str) -> Codec {
    Codec::from_name(s).unwrap_or_else(|| panic!("codec {s}"))
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Row {
    codec: String,
    path: String,
    width: u32,
    height: u32,
    threads: u16,
    measured: Measured,
    peak_rss_mib: Option<f64>,
    /// Peak RSS minus the RSS once the frames were loaded: one channel's (or encoder's) own.
    channel_rss_mib: Option<f64>,
}

fn one(codec: Codec, path: &str, w: u32, h: u32, threads: u16, frames: u32) {
    let f = Frames::render(w, h);
    // A warm-up run keeps first-touch page faults out of the timed one.
    let (measured, base) = if path == "raw" {
        let rig = RawRig::new(f, codec, threads);
        let base = reset_peak_rss();
        rig.run(5);
        (rig.run(frames), base)
    } else {
        let rig = SimRig::new(f, codec, threads);
        let base = reset_peak_rss();
        rig.run(5);
        (rig.run(frames), base)
    };
    let peak = peak_rss_mib();
    let row = Row {
        codec: Codec::name(codec).into(),
        path: path.into(),
        width: w,
        height: h,
        threads,
        measured,
        peak_rss_mib: peak,
        channel_rss_mib: peak.zip(base).map(|(p, b)| p - b),
    };
    println!("{}", serde_json::to_string(&row).expect("json"));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--one") {
        let n = |i: usize| args[i].parse::<u32>().expect("number");
        one(
            parse_codec(&args[2]),
            &args[3],
            n(4),
            n(5),
            n(6) as u16,
            n(7),
        );
        return;
    }
    let frames: u32 = std::env::var("BENCH_FRAMES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let json_out = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1).cloned());
    let reps: usize = std::env::var("BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let exe = std::env::current_exe().expect("exe");
    let mut rows = Vec::new();
    // BENCH_CODECS=h264,jpeg picks some; all three by default.
    let codecs: Vec<Codec> = match std::env::var("BENCH_CODECS") {
        Ok(list) => list.split(',').map(parse_codec).collect(),
        Err(_) => vec![Codec::H264, Codec::H265, Codec::Jpeg],
    };
    println!(
        "| codec | size | threads | raw codec fps | sim Encoder fps | sim/raw | raw peak RSS MiB | sim peak RSS MiB | raw encoder MiB | sim channel MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (codec, (w, h)) in codecs
        .iter()
        .flat_map(|&c| [(1280u32, 720u32), (1920, 1080)].map(|s| (c, s)))
    {
        // libjpeg-turbo encodes a picture on one thread.
        let thread_counts: &[u16] = if codec == Codec::Jpeg { &[1] } else { &[1, 2] };
        for &threads in thread_counts {
            // Raw and sim alternate, so a slow spell of the machine hits both; medians reported.
            let mut runs: [Vec<Row>; 2] = [Vec::new(), Vec::new()];
            for _ in 0..reps {
                for (k, path) in ["raw", "sim"].into_iter().enumerate() {
                    let out = Command::new(&exe)
                        .args(["--one", Codec::name(codec), path])
                        .args([w, h, u32::from(threads), frames].map(|v| v.to_string()))
                        .output()
                        .expect("child");
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                    runs[k].push(serde_json::from_slice(&out.stdout).expect("row"));
                }
            }
            let [raw, sim] = runs.map(|mut v| {
                v.sort_by(|a, b| a.measured.fps.total_cmp(&b.measured.fps));
                v.swap_remove(v.len() / 2)
            });
            println!(
                "| {} | {}x{} | {} | {:.1} | {:.1} | {:.3} | {:.0} | {:.0} | {:.0} | {:.0} |",
                Codec::name(codec),
                w,
                h,
                threads,
                raw.measured.fps,
                sim.measured.fps,
                sim.measured.fps / raw.measured.fps,
                raw.peak_rss_mib.unwrap_or(f64::NAN),
                sim.peak_rss_mib.unwrap_or(f64::NAN),
                raw.channel_rss_mib.unwrap_or(f64::NAN),
                sim.channel_rss_mib.unwrap_or(f64::NAN),
            );
            rows.push(raw);
            rows.push(sim);
        }
    }
    if let Some(path) = json_out {
        std::fs::write(&path, serde_json::to_string_pretty(&rows).expect("json")).expect("write");
    }
}
