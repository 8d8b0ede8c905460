//! Rate control as CanMV sets it: CBR at `bit_rate` kbps, and frame-rate control dropping
//! `src - dst` of every `src` frames before the encoder.
#![allow(clippy::unwrap_used)]

mod support;

use support::*;
use venc_core::bitstream::Codec;
use venc_core::consts::*;
use venc_core::encoder::{H264_PROFILE_MAIN, H265_PROFILE_MAIN};
use venc_harness::EncodeJob;
use venc_harness::oracle::decode;
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
fn dst_below_src_drops_frames_evenly_and_keeps_the_rate_over_video_time() {
    for (payload, profile) in [
        (K_PT_H264, H264_PROFILE_MAIN),
        (K_PT_H265, H265_PROFILE_MAIN),
    ] {
        let (kbps, run) = measured_kbps(payload, profile, 2000, 30, 15);
        assert_eq!(run.summary.frames_sent, 300);
        assert_eq!(run.summary.frames_out, 150);
        assert_eq!(run.summary.frames_dropped, 150);
        // Every other input frame: output pts step by two input frame times.
        let pts: Vec<u64> = run
            .packs
            .iter()
            .filter(|(ev, _)| ev.stream_type() != K_VENC_HEADER)
            .map(|(ev, _)| ev.pts)
            .collect();
        let even: Vec<u64> = (0..150u64).map(|k| (2 * k + 1) * 1_000_000 / 30).collect();
        assert_eq!(pts, even, "input frames 0, 2, 4, …");
        // GOP counts encoded frames: an IDR every 30 of the 150.
        assert_eq!(run.summary.i_packs, 5);
        let codec = Codec::from_payload(payload).unwrap();
        assert_eq!(decode(codec, &run.stream, 1280, 720).unwrap().len(), 150);
        let err = (kbps - 2000.0) / 2000.0;
        eprintln!(
            "payload {payload} 30->15 fps, 2000 kbps: {kbps:.0} kbps ({:+.1} %)",
            err * 100.0
        );
        assert!(err.abs() <= 0.10, "payload {payload}: {kbps:.0} kbps");
    }
}
