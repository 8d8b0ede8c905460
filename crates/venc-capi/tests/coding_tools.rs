//! Deblocking, SAO and the entropy settings: the board's state rules and codes (§4), and their
//! effect on the stream (a tool switched changes the bytes, the picture still decodes; the
//! H.264 entropy coder is read back from the picture parameter set).
#![allow(clippy::unwrap_used)]

mod common;

use common::{cbr_attr, encode_pattern, encode_pattern_with, ok, vb_once, venc_err};
use k230_mpp_sim::abi::{ChnAttr, H264Entropy, H265Entropy, H265Sao};
use k230_mpp_sim::tools::*;
use std::ptr::{null, null_mut};
use venc_core::bitstream::{Codec, annexb_units};
use venc_core::consts;
use venc_harness::oracle::{decode, pattern_planes, psnr_yuv};

const W: u32 = 320;
const H: u32 = 240;
const FRAMES: u32 = 4;

const ILLEGAL_PARAM: i32 = venc_err(3);
const NULL_PTR: i32 = venc_err(6);
const NOT_SUPPORT: i32 = venc_err(8);
const BUSY: i32 = venc_err(0x12);

fn h264() -> ChnAttr {
    cbr_attr(consts::K_PT_H264, consts::VENC_PROFILE_H264_HIGH, W, H)
}
fn h265() -> ChnAttr {
    cbr_attr(consts::K_PT_H265, consts::VENC_PROFILE_H265_MAIN, W, H)
}

/// The stream decodes to the pattern (≥ 30 dB on every plane).
fn decodes(codec: Codec, stream: &[u8]) {
    let decoded = decode(codec, stream, W as usize, H as usize).unwrap();
    assert_eq!(decoded.len(), FRAMES as usize);
    let (y, u, v) = psnr_yuv(&decoded, &pattern_planes(W, H, FRAMES));
    assert!(
        y >= 30.0 && u >= 30.0 && v >= 30.0,
        "{y:.1}/{u:.1}/{v:.1} dB"
    );
}

/// `entropy_coding_mode_flag` of the stream's H.264 PPS (ids 0 and 0: two `1` bits first).
fn h264_cabac(stream: &[u8]) -> bool {
    let pps = annexb_units(stream)
        .find(|u| u.data.first().is_some_and(|h| h & 0x1f == 8))
        .expect("a PPS")
        .data;
    assert_eq!(
        pps[1] & 0xc0,
        0xc0,
        "pic_parameter_set_id and seq_parameter_set_id 0"
    );
    pps[1] & 0x20 != 0
}

#[test]
fn the_tools_follow_the_boards_rules_and_change_the_stream() {
    vb_once();
    let (mut sao, mut e264, mut e265, mut dblk) = (
        H265Sao::default(),
        H264Entropy::default(),
        H265Entropy::default(),
        9,
    );
    // SAFETY: pointers to live locals, or NULL on purpose.
    unsafe {
        // A channel never created: the state check first, then the (zeroed) payload.
        assert_eq!(kd_mpi_venc_set_dblk(0, 1), BUSY);
        assert_eq!(kd_mpi_venc_get_dblk(0, &mut dblk), ILLEGAL_PARAM);
        sao.slice_sao_luma_flag = 7;
        ok("get_h265_sao", kd_mpi_venc_get_h265_sao(0, &mut sao));
        assert_eq!(sao, H265Sao::default(), "not H.265: 0 and zeros");
        assert_eq!(kd_mpi_venc_get_h264_entropy(0, null_mut()), NULL_PTR);
    }

    // H.264: the checks while created, then CAVLC and no deblocking reach the codec.
    let default = encode_pattern(h264(), FRAMES, || {});
    assert!(h264_cabac(&default), "High: CABAC by default");
    // SAFETY: pointers to live locals, or NULL on purpose.
    let cavlc = encode_pattern(h264(), FRAMES, || unsafe {
        assert_eq!(kd_mpi_venc_set_dblk(0, 2), ILLEGAL_PARAM);
        assert_eq!(
            kd_mpi_venc_set_h265_sao(0, &sao),
            ILLEGAL_PARAM,
            "not H.265"
        );
        assert_eq!(
            kd_mpi_venc_set_h265_entropy(0, &e265),
            ILLEGAL_PARAM,
            "not H.265"
        );
        assert_eq!(kd_mpi_venc_set_h264_entropy(0, null()), NULL_PTR);
        ok(
            "get_h264_entropy",
            kd_mpi_venc_get_h264_entropy(0, &mut e264),
        );
        assert_eq!(e264, H264Entropy::default(), "zeros until set, not CABAC");
        for (mode, idc, code) in [
            (2, 0, ILLEGAL_PARAM),
            (1, 3, ILLEGAL_PARAM),
            (1, 1, NOT_SUPPORT),
        ] {
            let bad = H264Entropy {
                entropy_coding_mode: mode,
                cabac_init_idc: idc,
            };
            assert_eq!(kd_mpi_venc_set_h264_entropy(0, &bad), code, "{mode}/{idc}");
        }
        ok(
            "set_h264_entropy",
            kd_mpi_venc_set_h264_entropy(0, &H264Entropy::default()),
        );
        ok("get_dblk", kd_mpi_venc_get_dblk(0, &mut dblk));
        assert_eq!(dblk, 1, "deblocking on by default");
    });
    assert!(!h264_cabac(&cavlc), "CAVLC asked for");
    decodes(Codec::H264, &cavlc);
    // SAFETY: pointers to live locals, or NULL on purpose.
    let no_deblock = encode_pattern(h264(), FRAMES, || unsafe {
        ok("set_dblk", kd_mpi_venc_set_dblk(0, 0));
        ok("get_dblk", kd_mpi_venc_get_dblk(0, &mut dblk));
        assert_eq!(dblk, 0);
    });
    assert_ne!(no_deblock, default, "deblocking off changes the stream");
    decodes(Codec::H264, &no_deblock);

    // After start: deblocking is BUSY, the entropy call answers 0 and changes nothing (the
    // codec was built with CAVLC at start; CABAC asked for afterwards is stored, not used).
    let cavlc_then_cabac = encode_pattern_with(
        h264(),
        FRAMES,
        // SAFETY: a pointer to a live local.
        || unsafe {
            ok(
                "set_h264_entropy",
                kd_mpi_venc_set_h264_entropy(0, &H264Entropy::default()),
            );
        },
        // SAFETY: pointers to live locals.
        || unsafe {
            assert_eq!(kd_mpi_venc_set_dblk(0, 0), BUSY);
            let cabac = H264Entropy {
                entropy_coding_mode: 1,
                cabac_init_idc: 0,
            };
            ok("set_h264_entropy", kd_mpi_venc_set_h264_entropy(0, &cabac));
            ok(
                "get_h264_entropy",
                kd_mpi_venc_get_h264_entropy(0, &mut e264),
            );
        },
    );
    assert_eq!(e264.entropy_coding_mode, 1, "the value set is stored");
    assert!(!h264_cabac(&cavlc_then_cabac), "but the stream stays CAVLC");

    // H.265: SAO both planes or none, cabac_init_flag 0 only; each switch changes the stream.
    let default = encode_pattern(h265(), FRAMES, || {});
    // SAFETY: pointers to live locals, or NULL on purpose.
    let no_sao = encode_pattern(h265(), FRAMES, || unsafe {
        ok("get_h265_sao", kd_mpi_venc_get_h265_sao(0, &mut sao));
        assert_eq!((sao.slice_sao_luma_flag, sao.slice_sao_chroma_flag), (1, 1));
        let half = H265Sao {
            slice_sao_luma_flag: 1,
            slice_sao_chroma_flag: 0,
        };
        assert_eq!(kd_mpi_venc_set_h265_sao(0, &half), NOT_SUPPORT);
        let two = H265Sao {
            slice_sao_luma_flag: 2,
            slice_sao_chroma_flag: 2,
        };
        assert_eq!(kd_mpi_venc_set_h265_sao(0, &two), ILLEGAL_PARAM);
        ok(
            "set_h265_sao",
            kd_mpi_venc_set_h265_sao(0, &H265Sao::default()),
        );
        assert_eq!(
            kd_mpi_venc_set_h265_entropy(0, &H265Entropy { cabac_init_flag: 2 }),
            ILLEGAL_PARAM
        );
        assert_eq!(
            kd_mpi_venc_set_h265_entropy(0, &H265Entropy { cabac_init_flag: 1 }),
            NOT_SUPPORT
        );
        ok(
            "set_h265_entropy",
            kd_mpi_venc_set_h265_entropy(0, &H265Entropy { cabac_init_flag: 0 }),
        );
        ok(
            "get_h265_entropy",
            kd_mpi_venc_get_h265_entropy(0, &mut e265),
        );
        assert_eq!(e265.cabac_init_flag, 0);
        assert_eq!(
            kd_mpi_venc_set_h264_entropy(0, &H264Entropy::default()),
            ILLEGAL_PARAM
        );
    });
    assert_ne!(no_sao, default, "SAO off changes the stream");
    decodes(Codec::H265, &no_sao);
    let no_deblock = encode_pattern(h265(), FRAMES, || {
        ok("set_dblk", kd_mpi_venc_set_dblk(0, 0));
    });
    assert_ne!(no_deblock, default, "deblocking off changes the stream");
    decodes(Codec::H265, &no_deblock);
}
