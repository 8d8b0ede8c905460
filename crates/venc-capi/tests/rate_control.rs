//! VBR and FIXQP through `kd_mpi_venc_create_chn`: the `k_venc_rc_attr` union read as the SDK
//! lays it out (VBR `max_bit_rate` before `bit_rate`; FIXQP without `stats_time`), the codes of
//! values out of range, and FIXQP's QPs read back from the slice headers by libavcodec.
#![allow(clippy::unwrap_used)]

mod common;

use common::{cbr_attr, encode_pattern, vb_once, venc_err};
use k230_mpp_sim::abi::{ChnAttr, RcAttr};
use k230_mpp_sim::venc;
use venc_core::bitstream::Codec;
use venc_core::consts;
use venc_harness::oracle::{decode, slice_qps};

const ILLEGAL_PARAM: i32 = venc_err(3);

/// The tests share the process's channel 0: one at a time.
static CHANNEL_0: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn with_rc(payload: u32, profile: u32, mode: u32, words: [u32; 6]) -> ChnAttr {
    let mut attr = cbr_attr(payload, profile, 320, 240);
    attr.rc_attr = RcAttr {
        rc_mode: mode,
        ..RcAttr::default()
    };
    attr.rc_attr.words = words;
    attr
}

/// FIXQP words as `k_venc_fixqp`: gop, src, dst, i_qp, p_qp.
fn fixqp(payload: u32, profile: u32, i_qp: u32, p_qp: u32) -> ChnAttr {
    let words = [5, 30, 30, i_qp, p_qp, 0];
    with_rc(payload, profile, consts::K_VENC_RC_MODE_FIXQP, words)
}

/// VBR words as `k_venc_vbr`: gop, stats_time, src, dst, max_bit_rate, bit_rate.
fn vbr(max_bit_rate: u32, bit_rate: u32) -> ChnAttr {
    let words = [30, 1, 30, 30, max_bit_rate, bit_rate];
    with_rc(
        consts::K_PT_H264,
        consts::VENC_PROFILE_H264_MAIN,
        consts::K_VENC_RC_MODE_VBR,
        words,
    )
}

fn create(mut attr: ChnAttr) -> i32 {
    // SAFETY: a pointer to a live local.
    let ret = unsafe { venc::kd_mpi_venc_create_chn(0, &mut attr) };
    if ret == 0 {
        assert_eq!(venc::kd_mpi_venc_destroy_chn(0), 0);
    }
    ret
}

#[test]
fn values_out_of_range_are_illegal_param_and_the_ranges_are_taken() {
    let _one = CHANNEL_0.lock().unwrap_or_else(|e| e.into_inner());
    vb_once();
    let h264 = (consts::K_PT_H264, consts::VENC_PROFILE_H264_HIGH);
    let h265 = (consts::K_PT_H265, consts::VENC_PROFILE_H265_MAIN);
    assert_eq!(
        create(vbr(1999, 2000)),
        ILLEGAL_PARAM,
        "ceiling below target"
    );
    assert_eq!(create(vbr(3000, 0)), ILLEGAL_PARAM, "bit_rate 0");
    assert_eq!(create(vbr(2000, 2000)), 0);
    assert_eq!(create(fixqp(h264.0, h264.1, 52, 30)), ILLEGAL_PARAM);
    assert_eq!(create(fixqp(h265.0, h265.1, 30, 52)), ILLEGAL_PARAM);
    // gop 0 is taken, as the kernel takes it (VENC-ATTR-010).
    let mut gop0 = fixqp(h264.0, h264.1, 30, 30);
    gop0.rc_attr.words[0] = 0;
    assert_eq!(create(gop0), 0, "gop 0");
    for (payload, profile) in [h264, h265] {
        assert_eq!(create(fixqp(payload, profile, 0, 51)), 0);
    }
    // JPEG takes MJPEG_FIXQP only (VENC-ATTR-008).
    let jpeg = fixqp(consts::K_PT_JPEG, 0, 30, 30);
    assert_eq!(create(jpeg), venc_err(8));
}

#[test]
fn fixqp_slices_carry_the_programs_qps() {
    let _one = CHANNEL_0.lock().unwrap_or_else(|e| e.into_inner());
    for (payload, profile, codec) in [
        (
            consts::K_PT_H264,
            consts::VENC_PROFILE_H264_BASELINE,
            Codec::H264,
        ),
        (
            consts::K_PT_H265,
            consts::VENC_PROFILE_H265_MAIN,
            Codec::H265,
        ),
    ] {
        let stream = encode_pattern(fixqp(payload, profile, 26, 38), 7, || {});
        let (slices, _) = slice_qps(codec, &stream).unwrap();
        let qps: Vec<i32> = slices.iter().map(|s| s.qp).collect();
        assert_eq!(qps, [26, 38, 38, 38, 38, 26, 38], "{codec:?}: GOP 5");
        assert_eq!(decode(codec, &stream, 320, 240).unwrap().len(), 7);
    }
}

#[test]
fn vbr_streams_decode() {
    let _one = CHANNEL_0.lock().unwrap_or_else(|e| e.into_inner());
    let stream = encode_pattern(vbr(3000, 1000), 6, || {});
    assert_eq!(decode(Codec::H264, &stream, 320, 240).unwrap().len(), 6);
}
