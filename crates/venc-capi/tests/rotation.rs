//! `kd_mpi_venc_set_rotation` / `set_mirror` have their effect on the pictures: frames of the
//! pattern sent through the exported calls, the stream decoded by ffmpeg at the turned size,
//! each picture against the pattern turned by this test's own transform (PSNR).
#![allow(clippy::unwrap_used)]

use k230_mpp_sim::abi::{
    ChnAttr, Pack, RcAttr, Stream, VbConfig, VbPoolConfig, VencAttr, VideoFrameInfo,
};
use k230_mpp_sim::{orient, sys, vb, venc};
use std::ptr::null_mut;
use venc_core::bitstream::Codec;
use venc_core::consts;
use venc_harness::oracle::{Yuv, decode, pattern_frame, psnr_yuv};

const W: u32 = 320;
const H: u32 = 240;
const FRAMES: u32 = 4;
const ILLEGAL_PARAM: i32 = (0xA009_8000u32 | 3) as i32;
const NULL_PTR: i32 = (0xA009_8000u32 | 6) as i32;
const INVALID_CHNID: i32 = (0xA009_8000u32 | 2) as i32;

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

fn ok(what: &str, ret: i32) {
    assert_eq!(ret, 0, "{what}: 0x{:x}", ret as u32);
}

/// Encodes the pattern's first frames on channel 0 with `rotation` and `mirror` (0: none) set
/// after create; the Annex B stream.
fn encode(rotation: u32, mirror: u32) -> Vec<u8> {
    let size = (u64::from(W * H)).next_multiple_of(4096) * 2;
    let uv_off = u64::from(W * H).next_multiple_of(4096);
    let mut pool = VbPoolConfig {
        blk_size: size,
        blk_cnt: FRAMES,
        ..VbPoolConfig::default()
    };
    let mut out = Vec::new();
    // SAFETY: every pointer is to a live local or one the library returned.
    unsafe {
        let pool_id = vb::kd_mpi_vb_create_pool(&mut pool);
        assert!(pool_id >= 0);
        let mut rc = RcAttr {
            rc_mode: consts::K_VENC_RC_MODE_CBR,
            ..RcAttr::default()
        };
        rc.words[..5].copy_from_slice(&[30, 1, 30, 30, 2000]);
        let mut attr = ChnAttr {
            venc_attr: VencAttr {
                payload: consts::K_PT_H264,
                stream_buf_size: 64 * 1024,
                stream_buf_cnt: 4,
                pic_width: W,
                pic_height: H,
                profile: consts::VENC_PROFILE_H264_HIGH,
            },
            rc_attr: rc,
        };
        ok("create", venc::kd_mpi_venc_create_chn(0, &mut attr));
        ok(
            "set_rotation",
            orient::kd_mpi_venc_set_rotation(0, rotation),
        );
        if mirror != 0 {
            ok("set_mirror", orient::kd_mpi_venc_set_mirror(0, mirror));
        }
        let (mut r, mut m) = (9, 9);
        ok("get_rotation", orient::kd_mpi_venc_get_rotation(0, &mut r));
        ok("get_mirror", orient::kd_mpi_venc_get_mirror(0, &mut m));
        assert_eq!((r, m), (rotation, mirror));
        ok("start", venc::kd_mpi_venc_start_chn(0));
        let mut handles = Vec::new();
        for t in 0..FRAMES {
            let f = pattern_frame(W, H, t);
            let handle = vb::kd_mpi_vb_get_block(pool_id as u32, size, std::ptr::null());
            let phys = vb::kd_mpi_vb_handle_to_phyaddr(handle);
            let p = sys::kd_mpi_sys_mmap(phys, size as u32).cast::<u8>();
            std::ptr::copy_nonoverlapping(f.y.as_ptr(), p, f.y.len());
            let uv: Vec<u8> = f.u.iter().zip(&f.v).flat_map(|(&u, &v)| [u, v]).collect();
            std::ptr::copy_nonoverlapping(uv.as_ptr(), p.add(uv_off as usize), uv.len());
            ok("munmap", sys::kd_mpi_sys_munmap(p.cast(), size as u32));
            let mut frame: VideoFrameInfo = std::mem::zeroed();
            frame.v_frame.width = W;
            frame.v_frame.height = H;
            frame.v_frame.pixel_format = consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420;
            frame.v_frame.stride = [W, W, 0];
            frame.v_frame.phys_addr = [phys, phys + uv_off, 0];
            frame.v_frame.pts = u64::from(t) * 33_333;
            frame.pool_id = pool_id as u32;
            ok(
                "send_frame",
                venc::kd_mpi_venc_send_frame(0, &mut frame, 1000),
            );
            handles.push(handle);
        }
        let mut packs = [Pack::default(); 4];
        let mut pictures = 0;
        while pictures < FRAMES {
            let mut stream = Stream {
                pack: packs.as_mut_ptr(),
                pack_cnt: 4,
            };
            ok(
                "get_stream",
                venc::kd_mpi_venc_get_stream(0, &mut stream, 5000),
            );
            for p in &packs[..stream.pack_cnt as usize] {
                let data = sys::kd_mpi_sys_mmap(p.phys_addr, p.len).cast::<u8>();
                out.extend_from_slice(std::slice::from_raw_parts(data, p.len as usize));
                ok("munmap", sys::kd_mpi_sys_munmap(data.cast(), p.len));
                pictures += u32::from(p.pack_type != consts::K_VENC_HEADER);
            }
            ok("release", venc::kd_mpi_venc_release_stream(0, &mut stream));
        }
        ok("stop", venc::kd_mpi_venc_stop_chn(0));
        ok("destroy", venc::kd_mpi_venc_destroy_chn(0));
        for h in handles {
            ok("release_block", vb::kd_mpi_vb_release_block(h));
        }
        ok("destroy_pool", vb::kd_mpi_vb_destory_pool(pool_id as u32));
    }
    out
}

#[test]
fn rotation_and_mirror_turn_the_pictures_the_decoder_sees() {
    let mut config = VbConfig {
        max_pool_cnt: 1,
        ..VbConfig::default()
    };
    config.comm_pool[0] = VbPoolConfig {
        blk_size: 64 * 1024,
        blk_cnt: 8,
        ..VbPoolConfig::default()
    };
    // SAFETY: pointers to live locals, or NULL on purpose.
    unsafe {
        ok("vb_set_config", vb::kd_mpi_vb_set_config(&config));
        ok("vb_init", vb::kd_mpi_vb_init());
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
