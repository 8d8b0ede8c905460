//! The manual's Example 2 flow (SendFrame + GetStream) over the CanMV facade on the simulator.
#![allow(clippy::unwrap_used)]

mod support;

use support::*;
use venc_core::bitstream::Codec;
use venc_core::bitstream::NalKind;
use venc_core::consts::*;
use venc_core::encoder::{
    H264_PROFILE_BASELINE, H264_PROFILE_HIGH, H264_PROFILE_MAIN, H265_PROFILE_MAIN,
};
use venc_harness::oracle::{decode, pattern_planes, psnr_yuv};
use venc_harness::{EncodeJob, UvPlacement};

const W: u32 = 800;
const H: u32 = 480;

/// Runs Example 2 and checks what the board guarantees: pack grammar (HEADER + I every 30
/// frames, P between, pts copied from the input), the HEADER's parameter sets, the SPS profile
/// and size, an independent decode of every frame, and luma PSNR. Returns the run.
fn check_example2(payload: u32, profile: u32, w: u32, h: u32, frames: u32, min_psnr_y: f64) -> Run {
    let codec = Codec::from_payload(payload).unwrap();
    let job = EncodeJob::example2(payload, profile, w, h, frames);
    let run = run(&job);
    check_run(codec, &run, w, h, frames, min_psnr_y);
    let header = &run.packs[0].1;
    if codec == Codec::H264 {
        let (idc, _level, sw, sh, _cabac) = header_info(header);
        assert_eq!((u32::from(idc), sw, sh), (h264_profile_idc(profile), w, h));
    }
    run
}

fn h264_profile_idc(profile: u32) -> u32 {
    match profile {
        H264_PROFILE_BASELINE => 66,
        H264_PROFILE_MAIN => 77,
        _ => 100,
    }
}

#[test]
fn example2_h264_800x480_200_frames() {
    let run = check_example2(K_PT_H264, H264_PROFILE_MAIN, W, H, 200, 35.0);
    let (_, _, _, _, cabac) = header_info(&run.packs[0].1);
    assert!(cabac, "Main uses CABAC");
}

#[test]
fn example2_h265_800x480_200_frames() {
    check_example2(K_PT_H265, H265_PROFILE_MAIN, W, H, 200, 35.0);
}

#[test]
fn example2_h265_1920x1080_uv_plus_3072() {
    check_example2(K_PT_H265, H265_PROFILE_MAIN, 1920, 1080, 31, 35.0);
}

#[test]
fn example2_h265_640x360_uv_plus_3072() {
    check_example2(K_PT_H265, H265_PROFILE_MAIN, 640, 360, 31, 35.0);
}

#[test]
fn example2_h265_after_h264_on_the_same_channel() {
    // Destroy and re-create with another codec: the channel carries nothing over.
    check_example2(K_PT_H264, H264_PROFILE_HIGH, 320, 240, 12, 35.0);
    check_example2(K_PT_H265, H265_PROFILE_MAIN, 320, 240, 12, 35.0);
}

#[test]
fn manual_fallback_uv_offset_decodes_but_chroma_collapses() {
    // The manual's `else` branch puts UV at Y + w*h; VICAP put it at Y + w*h + 1024 (800x480).
    let frames = 60;
    let mut job = EncodeJob::example2(K_PT_H264, H264_PROFILE_MAIN, W, H, frames);
    let good = run(&job);
    job.uv = UvPlacement::ManualFallback;
    let bad = run(&job);
    let src = pattern_planes(W, H, frames);
    let good_dec = decode(Codec::H264, &good.stream, W as usize, H as usize).unwrap();
    let bad_dec = decode(Codec::H264, &bad.stream, W as usize, H as usize).unwrap();
    assert_eq!(bad_dec.len(), frames as usize, "still decodes");
    let (gy, gu, gv) = psnr_yuv(&good_dec, &src);
    let (by, bu, bv) = psnr_yuv(&bad_dec, &src);
    eprintln!(
        "VICAP offset: Y {gy:.2} U {gu:.2} V {gv:.2}; fallback: Y {by:.2} U {bu:.2} V {bv:.2}"
    );
    assert!(by >= 35.0, "luma unaffected: {by:.2}");
    assert!(
        bu < 20.0 && bv < 20.0,
        "chroma collapses: U {bu:.2} V {bv:.2}"
    );
    assert!(gu - bu > 15.0 && gv - bv > 15.0);
}

#[test]
fn sps_profile_idc_and_entropy_for_each_profile() {
    for (profile, idc, cabac) in [
        (H264_PROFILE_BASELINE, 66, false),
        (H264_PROFILE_MAIN, 77, true),
        (H264_PROFILE_HIGH, 100, true),
    ] {
        let job = EncodeJob::example2(K_PT_H264, profile, 320, 240, 5);
        let run = run(&job);
        let (got_idc, _, w, h, got_cabac) = header_info(&run.packs[0].1);
        assert_eq!(
            (got_idc, got_cabac, w, h),
            (idc, cabac, 320, 240),
            "profile {profile}"
        );
        let decoded = decode(Codec::H264, &run.stream, 320, 240).unwrap();
        assert_eq!(decoded.len(), 5);
    }
}

#[test]
fn identical_input_gives_identical_bytes() {
    for (payload, profile) in [
        (K_PT_H264, H264_PROFILE_HIGH),
        (K_PT_H265, H265_PROFILE_MAIN),
    ] {
        let job = EncodeJob::example2(payload, profile, 640, 360, 40);
        let a = run(&job);
        let b = run(&job);
        assert!(!a.stream.is_empty());
        assert!(a.stream == b.stream, "payload {payload}: runs differ");
    }
}

#[test]
fn h265_wpp_threads_change_speed_not_bytes() {
    let job = EncodeJob::example2(K_PT_H265, H265_PROFILE_MAIN, 640, 360, 40);
    let one = run(&job);
    let two = run_with(
        &job,
        venc_sim::SimOptions {
            codec_threads: 2,
            ..Default::default()
        },
    );
    assert!(one.stream == two.stream, "1 and 2 WPP threads differ");
}

#[test]
fn two_codec_threads_are_deterministic_too() {
    // Two slices per picture; openh264's load balancing is off, so slice boundaries are fixed.
    let job = EncodeJob::example2(K_PT_H264, H264_PROFILE_MAIN, 640, 360, 40);
    let opts = venc_sim::SimOptions {
        codec_threads: 2,
        ..Default::default()
    };
    let a = run_with(&job, opts);
    let b = run_with(&job, opts);
    assert_eq!(a.stream, b.stream);
    let first_i = &a
        .packs
        .iter()
        .find(|(ev, _)| ev.stream_type() == K_VENC_I_FRAME)
        .unwrap()
        .1;
    assert_eq!(
        kinds(Codec::H264, first_i),
        [NalKind::IdrSlice, NalKind::IdrSlice],
        "two slices, one pack"
    );
    assert_eq!(decode(Codec::H264, &a.stream, 640, 360).unwrap().len(), 40);
}

#[test]
fn example2_on_the_null_backend_keeps_the_board_pack_grammar() {
    for (payload, profile) in [
        (K_PT_H264, H264_PROFILE_BASELINE),
        (K_PT_H264, H264_PROFILE_HIGH),
        (K_PT_H265, H265_PROFILE_MAIN),
    ] {
        let job = EncodeJob::example2(payload, profile, 640, 360, 70);
        let run = run_with(
            &job,
            venc_sim::SimOptions {
                engines: venc_sim::codec::Engines::Null,
                ..venc_sim::SimOptions::default()
            },
        );
        check_grammar(Codec::from_payload(payload).unwrap(), &run, 640, 360, 70);
        assert!(
            run.stream.len() < 70 * 1000,
            "tiny: {} bytes",
            run.stream.len()
        );
    }
}
