//! The long soak (`cargo xtask soak`): the CI soak's three loops, run long, with the resident
//! memory they leave printed as a Markdown table. CI runs 10⁴ of each (`venc-sim/tests/soak.rs`,
//! the Python front's buffer test); this runs 10⁶ frames by default.
//!
//! 1. Every channel runs the manual's Example 2 at once ([`venc_harness::soak::soak`]).
//! 2. Channel lifecycles: SetOutBufs, Create, Start, Stop, Destroy, with the real engine.
//! 3. Media buffers: 64 MiB allocated and freed, as `MediaManager.Buffer.get` does.

use clap::Parser;
use std::sync::Arc;
use std::time::Instant;
use venc_core::consts::{K_PT_H264, K_PT_H265, VENC_PROFILE_H264_MAIN, VENC_PROFILE_H265_MAIN};
use venc_core::{ChnAttrStr, Encoder, Mpi};
use venc_harness::soak::{rss_bytes, soak};
use venc_sim::{SimOptions, Simulator};

#[derive(Parser)]
struct Args {
    /// Channels encoding at once (1..=4).
    #[arg(long, default_value_t = 4)]
    channels: u32,
    /// Frames per channel (4 × 250000 = 10⁶).
    #[arg(long, default_value_t = 250_000)]
    frames: u32,
    /// Picture size of the soak.
    #[arg(long, default_value_t = 160)]
    width: u32,
    /// Picture height.
    #[arg(long, default_value_t = 128)]
    height: u32,
    /// Encode H.265 instead of H.264.
    #[arg(long)]
    h265: bool,
    /// Channel lifecycles to run.
    #[arg(long, default_value_t = 100_000)]
    cycles: u32,
    /// 64 MiB media buffers to allocate and free.
    #[arg(long, default_value_t = 1_000_000)]
    buffers: u32,
}

fn mib(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / f64::from(1 << 20))
}

fn rss() -> u64 {
    rss_bytes().unwrap_or(0)
}

fn main() -> Result<(), String> {
    let args = Args::parse();
    let (payload, profile, codec) = if args.h265 {
        (K_PT_H265, VENC_PROFILE_H265_MAIN, "H.265")
    } else {
        (K_PT_H264, VENC_PROFILE_H264_MAIN, "H.264")
    };
    println!("| loop | count | seconds | RSS start | RSS warm | RSS peak | RSS end | lost |");
    println!("|---|---|---|---|---|---|---|---|");

    let sim = Simulator::shared(SimOptions::default());
    let mpi: Arc<dyn Mpi> = sim.clone();
    let attr = ChnAttrStr::new(payload, profile, args.width, args.height);
    let warm_up = (args.frames / 100).max(1);
    let r = soak(&mpi, attr, args.channels, args.frames, warm_up).map_err(|e| e.to_string())?;
    println!(
        "| {} × Example 2, {codec} {}x{} | {} frames | {:.1} | {} MiB | {} MiB | {} MiB | {} MiB | {} |",
        args.channels,
        args.width,
        args.height,
        u64::from(args.channels) * u64::from(args.frames),
        r.seconds,
        mib(r.rss_start),
        mib(r.rss_warm),
        mib(r.rss_peak),
        mib(r.rss_end),
        r.frames_lost
    );
    drop((mpi, sim));

    let sim = Simulator::shared(SimOptions::default());
    let mut enc = Encoder::new(sim.clone());
    let attr = ChnAttrStr::new(payload, profile, 320, 240);
    repeat(
        &format!("channel lifecycles, {codec} 320x240"),
        args.cycles,
        1000,
        |cycle| {
            let failed =
                |what: &str, e: venc_core::CanMvError| format!("cycle {cycle}: {what}: {e}");
            enc.set_out_bufs(0, 8, 320, 240)
                .map_err(|e| failed("SetOutBufs", e))?;
            enc.create(0, &attr).map_err(|e| failed("Create", e))?;
            enc.start(0).map_err(|e| failed("Start", e))?;
            enc.stop(0).map_err(|e| failed("Stop", e))?;
            enc.destroy(0).map_err(|e| failed("Destroy", e))?;
            Ok(())
        },
    )?;

    let mem = sim.memory();
    repeat(
        "64 MiB media buffers got and freed",
        args.buffers,
        10_000,
        |i| {
            let failed = |e: venc_core::MemError| format!("buffer {i}: {e}");
            let addr = mem.alloc(64 << 20).map_err(failed)?;
            mem.write(addr, &i.to_le_bytes()).map_err(failed)?;
            mem.free(addr).map_err(failed)
        },
    )?;
    Ok(())
}

/// Runs `step` `count` times and prints its table row: the resident set at the start, once
/// 1 % of the steps are done (warm), its highest (read every `sample_every` steps) and at the end.
fn repeat(
    what: &str,
    count: u32,
    sample_every: u32,
    mut step: impl FnMut(u32) -> Result<(), String>,
) -> Result<(), String> {
    let (start, started) = (rss(), Instant::now());
    let (mut warm, mut peak) = (start, start);
    for i in 0..count {
        step(i)?;
        if i == count / 100 {
            warm = rss();
        }
        if i % sample_every == 0 {
            peak = peak.max(rss());
        }
    }
    println!(
        "| {what} | {count} | {:.1} | {} MiB | {} MiB | {} MiB | {} MiB | – |",
        started.elapsed().as_secs_f64(),
        mib(start),
        mib(warm),
        mib(peak.max(rss())),
        mib(rss())
    );
    Ok(())
}
