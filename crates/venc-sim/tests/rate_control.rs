//! Rate control as CanMV sets it: CBR at `bit_rate` kbps over `src_frame_rate`, with
//! `dst_frame_rate` set and never read (D-009).
#![allow(clippy::unwrap_used)]

mod support;

use support::*;
use venc_core::consts::*;
use venc_core::encoder::{H264_PROFILE_MAIN, H265_PROFILE_MAIN};
use venc_harness::EncodeJob;
use venc_sim::SimOptions;

const TWO_THREADS: SimOptions = SimOptions {
    strict: false,
    codec_threads: 2,
    timing: venc_sim::timing::VpuTiming::Fast,
    engines: venc_sim::codec::Engines::Real,
    fault_seed: 0,
};

/// Bit rate over a 10-second (300-frame) 720p clip, in kbps of video time.
fn measured_kbps(
    payload: u32,
    profile: u32,
    target: u32,
    src_fps: u32,
    dst_fps: u32,
) -> (f64, Run) {
    let mut job = EncodeJob::example2(payload, profile, 1280, 720, 300);
    job.attr.bit_rate = target;
    job.attr.src_frame_rate = src_fps;
    job.attr.dst_frame_rate = dst_fps;
    let run = run_with(&job, TWO_THREADS);
    let seconds = 300.0 / f64::from(src_fps);
    (run.stream.len() as f64 * 8.0 / 1000.0 / seconds, run)
}

#[test]
fn cbr_holds_the_target_within_10_percent_for_both_codecs() {
    for (payload, profile) in [
        (K_PT_H264, H264_PROFILE_MAIN),
        (K_PT_H265, H265_PROFILE_MAIN),
    ] {
        for target in [1000, 4000] {
            let (kbps, _) = measured_kbps(payload, profile, target, 30, 30);
            let err = (kbps - f64::from(target)) / f64::from(target);
            eprintln!(
                "payload {payload} target {target} kbps: {kbps:.0} kbps ({:+.1} %)",
                err * 100.0
            );
            assert!(
                err.abs() <= 0.10,
                "payload {payload}: {kbps:.0} kbps for {target}"
            );
        }
    }
}

#[test]
fn dst_frame_rate_is_never_read_every_frame_is_encoded_at_the_src_rate() {
    // The kernel hands `src_frame_rate` to the VPU and never loads `dst_frame_rate`
    // (k230-mpp-c-api.md §5, D-009): 30 -> 15 gives the very bytes of 30 -> 30.
    for (payload, profile) in [
        (K_PT_H264, H264_PROFILE_MAIN),
        (K_PT_H265, H265_PROFILE_MAIN),
    ] {
        let (kbps, half) = measured_kbps(payload, profile, 2000, 30, 15);
        let (_, same) = measured_kbps(payload, profile, 2000, 30, 30);
        assert_eq!(half.summary.frames_sent, 300);
        assert_eq!(half.summary.frames_out, 300);
        assert_eq!(half.summary.frames_dropped, 0);
        assert_eq!(half.summary.i_packs, 10, "an IDR every 30 frames");
        assert!(
            half.stream == same.stream,
            "payload {payload}: dst changed the stream"
        );
        let err = (kbps - 2000.0) / 2000.0;
        assert!(err.abs() <= 0.10, "payload {payload}: {kbps:.0} kbps");
    }
}
