//! The CI soak: a process that runs for a week must lose no frame and hold its memory flat.
//! Bounded to a few minutes here; `cargo xtask soak` runs the same [`soak`] for 10⁶ frames and
//! prints the figures.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use venc_core::encoder::H264_PROFILE_MAIN;
use venc_core::{ChnAttrStr, Encoder, Mpi, consts::K_PT_H264};
use venc_harness::soak::{rss_bytes, soak};
use venc_sim::{SimOptions, Simulator};

const MIB: u64 = 1 << 20;

/// Both tests read the one process's resident set: they take turns.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn alone() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner)
}

#[test]
fn four_channels_of_ten_thousand_frames_lose_none_and_hold_memory_flat() {
    let _turn = alone();
    let sim = Simulator::shared(SimOptions::default());
    let mpi: Arc<dyn Mpi> = sim.clone();
    let attr = ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, 160, 128);
    let r = soak(&mpi, attr, 4, 10_000, 1_000).unwrap();
    eprintln!(
        "soak 4 × 10000 frames (openh264 160x128): {:.1} s, RSS start {} / warm {} / peak {} / end {} MiB, lost {}",
        r.seconds,
        r.rss_start / MIB,
        r.rss_warm / MIB,
        r.rss_peak / MIB,
        r.rss_end / MIB,
        r.frames_lost
    );
    assert_eq!(r.frames_lost, 0);
    for (chn, s) in r.channels.iter().enumerate() {
        assert_eq!((s.frames_sent, s.frames_out), (10_000, 10_000), "ch{chn}");
        let stats = sim.channel_stats(chn as u32).unwrap();
        assert_eq!(stats.frames_dropped(), 0, "ch{chn}: {stats:?}");
        assert_eq!(stats.packs_overwritten, 0, "ch{chn}");
    }
    assert!(
        r.growth_after_warm_up() < 8 * MIB,
        "grew {} KiB after warm-up",
        r.growth_after_warm_up() >> 10
    );
}

#[test]
fn ten_thousand_channel_lifecycles_hold_memory_flat() {
    let _turn = alone();
    // The real H.264 engine is built and dropped every cycle (H.265's libx265 keeps ~20 KB a
    // cycle inside itself: D-033, measured by `examples/engine_growth.rs`).
    let sim = Simulator::shared(SimOptions::default());
    let mut enc = Encoder::new(sim.clone());
    let attr = ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, 320, 240);
    let mut warm = 0;
    for cycle in 0..10_000 {
        let step = |r: Result<i32, venc_core::CanMvError>, what: &str| {
            r.unwrap_or_else(|e| panic!("cycle {cycle}: {what}: {e}"))
        };
        enc.set_out_bufs(0, 8, 320, 240).unwrap();
        step(enc.create(0, &attr), "Create");
        step(enc.start(0), "Start");
        step(enc.stop(0), "Stop");
        step(enc.destroy(0), "Destroy");
        if cycle == 500 {
            warm = rss_bytes().unwrap();
        }
    }
    let end = rss_bytes().unwrap();
    eprintln!(
        "10000 lifecycles: RSS after 500 {} KiB, at the end {} KiB",
        warm >> 10,
        end >> 10
    );
    assert_eq!(sim.memory().bytes_mapped(), 0, "nothing left mapped");
    assert!(
        end.saturating_sub(warm) < 4 * MIB,
        "grew {} KiB",
        (end - warm) >> 10
    );
}
