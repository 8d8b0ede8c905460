//! `kd_mpi_venc_set_rotation` / `set_mirror` have their effect on the pictures: frames of the
//! pattern sent through the exported calls, the stream decoded by ffmpeg at the turned size,
//! each picture against the pattern turned by this test's own transform (PSNR).
#![allow(clippy::unwrap_used)]

mod common;

use common::{cbr_attr, encode_pattern, ok, vb_once, venc_err};
use k230_mpp_sim::orient;
use std::ptr::null_mut;
use venc_core::bitstream::Codec;
use venc_core::consts;
use venc_harness::oracle::{Yuv, decode, pattern_frame, psnr_yuv};

const W: u32 = 320;
const H: u32 = 240;
const FRAMES: u32 = 4;
const ILLEGAL_PARAM: i32 = venc_err(3);
const NULL_PTR: i32 = venc_err(6);
const INVALID_CHNID: i32 = venc_err(2);

/// Plane `p` (`w`x`h`) turned: mirrored (1 left-right, 2 top-bottom), then `quarters` quarter
/// turns clockwise, one quarter turn at a time.
fn turn(p: &[u8], (w, h): (usize, usize), quarters: u32, mirror: u32) -> (Vec<u8>, usize, usize) {
    let mut cur: Vec<u8> = (0..h)
        .flat_map(|y| {
            (0..w).map(move |x| match mirror {
                1 => p[y * w + (w - 1 - x)],
                2 => p[(h - 1 - y) * w + x],
                _ => p[y * w + x],
            })
        })
        .collect();
    let (mut cw, mut ch) = (w, h);
    for _ in 0..quarters {
        // Clockwise: the new row r is the old column r read bottom to top.
        let next: Vec<u8> = (0..cw)
            .flat_map(|r| {
                let cur = &cur;
                (0..ch).map(move |c| cur[(ch - 1 - c) * cw + r])
            })
            .collect();
        cur = next;
        std::mem::swap(&mut cw, &mut ch);
    }
    (cur, cw, ch)
}

fn turned_pattern(t: u32, quarters: u32, mirror: u32) -> Yuv {
    let f = pattern_frame(W, H, t);
    let (y, _, _) = turn(&f.y, (W as usize, H as usize), quarters, mirror);
    let c = ((W / 2) as usize, (H / 2) as usize);
    let (u, _, _) = turn(&f.u, c, quarters, mirror);
    let (v, _, _) = turn(&f.v, c, quarters, mirror);
    Yuv { y, u, v }
}

/// The pattern with `rotation` and `mirror` (0: none) set between create and start.
fn encode(rotation: u32, mirror: u32) -> Vec<u8> {
    let attr = cbr_attr(consts::K_PT_H264, consts::VENC_PROFILE_H264_HIGH, W, H);
    encode_pattern(attr, FRAMES, || {
        ok(
            "set_rotation",
            orient::kd_mpi_venc_set_rotation(0, rotation),
        );
        if mirror != 0 {
            ok("set_mirror", orient::kd_mpi_venc_set_mirror(0, mirror));
        }
        let (mut r, mut m) = (9, 9);
        // SAFETY: pointers to live locals.
        unsafe {
            ok("get_rotation", orient::kd_mpi_venc_get_rotation(0, &mut r));
            ok("get_mirror", orient::kd_mpi_venc_get_mirror(0, &mut m));
        }
        assert_eq!((r, m), (rotation, mirror));
    })
}

#[test]
fn rotation_and_mirror_turn_the_pictures_the_decoder_sees() {
    vb_once();
    // SAFETY: pointers to live locals, or NULL on purpose.
    unsafe {
        // The wrapper's checks (§4), before any channel.
        assert_eq!(orient::kd_mpi_venc_set_rotation(0, 4), ILLEGAL_PARAM);
        assert_eq!(orient::kd_mpi_venc_set_rotation(4, 1), INVALID_CHNID);
        assert_eq!(
            orient::kd_mpi_venc_set_mirror(0, 0),
            ILLEGAL_PARAM,
            "0 cannot clear it"
        );
        assert_eq!(orient::kd_mpi_venc_set_mirror(0, 3), ILLEGAL_PARAM);
        assert_eq!(orient::kd_mpi_venc_get_rotation(0, null_mut()), NULL_PTR);
        assert_eq!(orient::kd_mpi_venc_get_mirror(0, null_mut()), NULL_PTR);
        let mut m = 9;
        ok("get_mirror", orient::kd_mpi_venc_get_mirror(0, &mut m));
        assert_eq!(m, 0, "no mirror until one is set");
    }
    for (rotation, mirror) in [(1, 0), (2, 0), (3, 0), (0, 1), (0, 2), (1, 1), (3, 2)] {
        let stream = encode(rotation, mirror);
        let (w, h) = if rotation % 2 == 1 { (H, W) } else { (W, H) };
        let decoded = decode(Codec::H264, &stream, w as usize, h as usize).unwrap();
        assert_eq!(decoded.len(), FRAMES as usize, "{rotation}/{mirror}");
        let want: Vec<Yuv> = (0..FRAMES)
            .map(|t| turned_pattern(t, rotation, mirror))
            .collect();
        let (y, u, v) = psnr_yuv(&decoded, &want);
        assert!(
            y >= 30.0 && u >= 30.0 && v >= 30.0,
            "rotation {rotation} mirror {mirror}: {y:.1}/{u:.1}/{v:.1} dB"
        );
        // The same size without the turn must not match: the test sees the transform.
        let other: Vec<Yuv> = (0..FRAMES)
            .map(|t| turned_pattern(t, (rotation + 2) % 4, mirror))
            .collect();
        let (y2, _, _) = psnr_yuv(&decoded, &other);
        assert!(
            y2 < y - 6.0,
            "rotation {rotation} mirror {mirror}: {y2:.1} vs {y:.1} dB"
        );
    }
}
