//! `realtime`: each picture takes its modeled VPU time, and every channel shares the one VPU.
//! The assertions are lower bounds (the model's time must pass), which no machine can break by
//! being fast or slow; speeds themselves are measured by `cargo xtask bench-compare`.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};
use venc_core::bitstream::Codec;
use venc_core::{ChnAttrStr, Mpi, VideoFrameInfo, align_up, consts};
use venc_sim::timing::{BoardProfile, PictureCost, PictureKind, VpuTiming};
use venc_sim::{SimOptions, Simulator};

const W: u32 = 320;
const H: u32 = 240;

/// 2 Mpx/s: a 320x240 picture takes 38.4 ms, far longer than openh264 needs for it.
const SLOW: BoardProfile = BoardProfile {
    name: "slow",
    source: "test",
    h264: PictureCost::flat(2_000_000),
    h265: PictureCost::flat(2_000_000),
    jpeg: PictureCost::flat(2_000_000),
};

fn slow_picture() -> Duration {
    SLOW.picture_time(Codec::H264, PictureKind::P, W, H)
}

fn started(sim: &Simulator, chn: u32) -> VideoFrameInfo {
    let pool = sim
        .create_pool(align_up(u64::from(W * H), 4096), 16)
        .unwrap();
    sim.attach_vb_pool(chn, pool).unwrap();
    let attr = ChnAttrStr {
        bit_rate: 1000,
        ..ChnAttrStr::new(consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN, W, H)
    }
    .to_mpi();
    sim.create_chn(chn, &attr).unwrap();
    sim.start_chn(chn).unwrap();
    let frames = sim
        .create_pool(align_up(u64::from(W * H * 3 / 2), 4096), 1)
        .unwrap();
    let y = sim.get_block(frames).unwrap();
    VideoFrameInfo {
        width: W,
        height: H,
        pixel_format: 31,
        phys_addr: [y, y + u64::from(W * H), 0],
        ..VideoFrameInfo::default()
    }
}

/// Waits until `n` frames came out of `chn` (the encoder's count reaches `last_pts`).
fn wait_for(sim: &Simulator, chn: u32, last_pts: u64) {
    let give_up = Instant::now() + Duration::from_secs(20);
    while venc_core::Mpi::released_pts(sim, chn).unwrap() < Some(last_pts) {
        assert!(Instant::now() < give_up, "ch{chn} never finished");
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn sim(timing: VpuTiming) -> Simulator {
    Simulator::new(SimOptions {
        timing,
        ..SimOptions::default()
    })
}

#[test]
fn realtime_pictures_take_the_modeled_time() {
    let sim = sim(VpuTiming::Realtime(SLOW));
    let mut frame = started(&sim, 0);
    let t0 = Instant::now();
    for pts in 1..=5 {
        frame.pts = pts;
        sim.send_frame(0, &frame, 1000).unwrap();
    }
    wait_for(&sim, 0, 5);
    let model = slow_picture() * 5;
    assert!(t0.elapsed() >= model, "{:?} < {model:?}", t0.elapsed());
}

#[test]
fn realtime_channels_share_one_encoder() {
    let sim = sim(VpuTiming::Realtime(SLOW));
    let mut frames = [started(&sim, 0), started(&sim, 1), started(&sim, 2)];
    let t0 = Instant::now();
    for pts in 1..=2 {
        for (chn, f) in frames.iter_mut().enumerate() {
            f.pts = pts;
            sim.send_frame(chn as u32, f, 1000).unwrap();
        }
    }
    for chn in 0..3 {
        wait_for(&sim, chn, 2);
    }
    // Six pictures on one VPU: no faster than six service times, whatever the host's cores.
    let model = slow_picture() * 6;
    assert!(t0.elapsed() >= model, "{:?} < {model:?}", t0.elapsed());
}

#[test]
fn realtime_backpressure_fills_the_queue_and_send_frame_gets_busy() {
    let sim = sim(VpuTiming::Realtime(SLOW));
    let mut frame = started(&sim, 0);
    // One frame every 5 ms: a host encodes 320x240 in far less, so without pacing the queue
    // never fills; at 38.4 ms a picture it holds 30 after ~35 sends, and then SendFrame waits
    // its 1 ms and answers BUSY.
    let mut busy = 0;
    for pts in 1..=45 {
        frame.pts = pts;
        if sim.send_frame(0, &frame, 1) == Err(venc_core::VencError::Busy) {
            busy += 1;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(busy >= 1, "no BUSY: the queue never filled");
}
