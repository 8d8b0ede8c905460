//! The VENC 2D family: the wrapper's and kernel's codes (§4) for every call, and the OSD and
//! border drawn onto the pictures the encoder takes, checked on the decoded stream against the
//! pattern with the same drawing made by this test's own code.
#![allow(clippy::unwrap_used)]

mod common;

use common::{cbr_attr, encode_pattern, ok, vb_once, venc_err};
use k230_mpp_sim::abi::{BorderAttr, CscAttr, OsdAttr, VbPoolConfig};
use k230_mpp_sim::{sys, twod::*, vb, venc};
use std::ptr::{null, null_mut};
use venc_core::bitstream::Codec;
use venc_core::consts;
use venc_harness::oracle::{Yuv, decode, pattern_frame, psnr_yuv};

const INVALID_CHNID: i32 = venc_err(2);
const ILLEGAL_PARAM: i32 = venc_err(3);
const NULL_PTR: i32 = venc_err(6);
const NOT_SUPPORT: i32 = venc_err(8);
const NOT_PERM: i32 = venc_err(9);
const BUF_EMPTY: i32 = venc_err(0x0e);

const W: u32 = 320;
const H: u32 = 240;
const FRAMES: u32 = 4;

/// The tests share channel 0 and its 2D engine: one at a time.
static CHANNEL_0: std::sync::Mutex<()> = std::sync::Mutex::new(());

const OSD_W: u16 = 64;
const OSD_H: u16 = 32;
const OSD_X: u16 = 32;
const OSD_Y: u16 = 16;
/// Opaque red, `0xRRGGBBAA` (the engine's ARGB8888 word).
const RED: u32 = 0xff00_00ff;

/// An ARGB8888 OSD picture of one colour in a block of media memory: its address.
fn osd_picture(argb: u32) -> u32 {
    let size = u64::from(OSD_W) * u64::from(OSD_H) * 4;
    let mut config = VbPoolConfig {
        blk_size: size,
        blk_cnt: 1,
        ..VbPoolConfig::default()
    };
    // SAFETY: pointers to live locals and to the mapping the library returned.
    unsafe {
        let pool = vb::kd_mpi_vb_create_pool(&mut config);
        assert!(pool >= 0);
        let block = vb::kd_mpi_vb_get_block(pool as u32, size, null());
        let phys = vb::kd_mpi_vb_handle_to_phyaddr(block);
        let p = sys::kd_mpi_sys_mmap(phys, size as u32).cast::<u8>();
        let bytes: Vec<u8> = (0..size / 4).flat_map(|_| argb.to_le_bytes()).collect();
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p, bytes.len());
        ok("munmap", sys::kd_mpi_sys_munmap(p.cast(), size as u32));
        u32::try_from(phys).unwrap()
    }
}

fn osd_attr(phys: u32) -> OsdAttr {
    OsdAttr {
        width: OSD_W,
        height: OSD_H,
        startx: OSD_X,
        starty: OSD_Y,
        phys_addr: [phys, 0, 0],
        bg_alpha: 0,
        osd_alpha: 255,
        video_alpha: 255,
        add_order: 0,
        bg_color: 0,
        fmt: 0,
    }
}

const BORDER: BorderAttr = BorderAttr {
    width: 80,
    height: 60,
    line_width: 4,
    // Y 235, U 128, V 128: white.
    color: 0x0080_80eb,
    startx: 160,
    starty: 100,
};

/// The pattern's frame `t` with the red region and the white border drawn by this test: the
/// region's Y and chroma from BT.709 limited range, the border's four sides `line_width` wide.
fn drawn_frame(t: u32) -> Yuv {
    let mut f = pattern_frame(W, H, t);
    let (w, cw) = (W as usize, W as usize / 2);
    // BT.709 limited: red is Y 63, U 102, V 240.
    let (ry, ru, rv) = (63u8, 102u8, 240u8);
    for y in OSD_Y as usize..(OSD_Y + OSD_H) as usize {
        for x in OSD_X as usize..(OSD_X + OSD_W) as usize {
            f.y[y * w + x] = ry;
            f.u[(y / 2) * cw + x / 2] = ru;
            f.v[(y / 2) * cw + x / 2] = rv;
        }
    }
    let b = BORDER;
    let (x0, y0, bw, bh, lw) = (
        b.startx as usize,
        b.starty as usize,
        b.width as usize,
        b.height as usize,
        b.line_width as usize,
    );
    for y in y0..y0 + bh {
        for x in x0..x0 + bw {
            if x < x0 + lw || y < y0 + lw || x + lw >= x0 + bw || y + lw >= y0 + bh {
                f.y[y * w + x] = 235;
                f.u[(y / 2) * cw + x / 2] = 128;
                f.v[(y / 2) * cw + x / 2] = 128;
            }
        }
    }
    f
}

#[test]
fn osd_and_border_are_drawn_on_every_picture_the_encoder_takes() {
    let _one = CHANNEL_0.lock().unwrap_or_else(|e| e.into_inner());
    vb_once();
    let phys = osd_picture(RED);
    let attr = cbr_attr(consts::K_PT_H264, consts::VENC_PROFILE_H264_HIGH, W, H);
    let stream = encode_pattern(attr, FRAMES, || {
        ok("attach_2d", kd_mpi_venc_attach_2d(0));
        ok("set_2d_mode", kd_mpi_venc_set_2d_mode(0, 3));
        // SAFETY: pointers to live locals.
        unsafe {
            ok("osd", kd_mpi_venc_set_2d_osd_param(0, 0, &osd_attr(phys)));
            ok("border", kd_mpi_venc_set_2d_border_param(0, 5, &BORDER));
        }
    });
    // Detached again for the other tests (the 2D settings are the 2D channel's own).
    ok("detach_2d", kd_mpi_venc_detach_2d(0));
    let decoded = decode(Codec::H264, &stream, W as usize, H as usize).unwrap();
    assert_eq!(decoded.len(), FRAMES as usize);
    let want: Vec<Yuv> = (0..FRAMES).map(drawn_frame).collect();
    let plain: Vec<Yuv> = (0..FRAMES).map(|t| pattern_frame(W, H, t)).collect();
    let (y, u, v) = psnr_yuv(&decoded, &want);
    let (py, _, _) = psnr_yuv(&decoded, &plain);
    eprintln!(
        "against the drawn reference {y:.1}/{u:.1}/{v:.1} dB; against the plain pattern {py:.1} dB"
    );
    assert!(
        y >= 35.0 && u >= 33.0 && v >= 33.0,
        "{y:.1}/{u:.1}/{v:.1} dB"
    );
    assert!(py + 6.0 < y, "the drawing is there: {py:.1} vs {y:.1} dB");
    // The region's mean luma is the red's.
    let first = &decoded[0];
    let mut sum = 0u32;
    for yy in OSD_Y + 4..OSD_Y + OSD_H - 4 {
        for xx in OSD_X + 4..OSD_X + OSD_W - 4 {
            sum += u32::from(first.y[usize::from(yy) * W as usize + usize::from(xx)]);
        }
    }
    let mean = f64::from(sum) / f64::from(u32::from(OSD_W - 8) * u32::from(OSD_H - 8));
    assert!((mean - 63.0).abs() < 4.0, "mean Y {mean:.1}");
}

#[test]
fn the_2d_calls_answer_the_boards_codes() {
    let _one = CHANNEL_0.lock().unwrap_or_else(|e| e.into_inner());
    vb_once();
    // Only channels 0..2 have a 2D engine; every call checks that first.
    assert_eq!(kd_mpi_venc_attach_2d(3), INVALID_CHNID);
    assert_eq!(kd_mpi_venc_detach_2d(3), INVALID_CHNID);
    assert_eq!(kd_mpi_venc_set_2d_mode(3, 1), INVALID_CHNID);
    assert_eq!(kd_mpi_venc_set_2d_color_gamut(3, 0), INVALID_CHNID);
    assert_eq!(kd_mpi_venc_start_2d_chn(3), INVALID_CHNID);
    // A mode above 3 is INVALID_CHNID (sic); CSC is not modeled.
    assert_eq!(kd_mpi_venc_set_2d_mode(1, 4), INVALID_CHNID);
    assert_eq!(kd_mpi_venc_set_2d_mode(1, 0), NOT_SUPPORT);
    let mut mode = 9;
    // SAFETY: pointers to live locals, or NULL where that is the case under test.
    unsafe {
        ok("get_2d_mode", kd_mpi_venc_get_2d_mode(1, &mut mode));
        assert_eq!(mode, 0, "CSC until set");
        assert_eq!(kd_mpi_venc_get_2d_mode(1, null_mut()), NULL_PTR);
        // Coefficients go with the mode: none in CSC mode.
        let coef = [1i16; 12];
        assert_eq!(
            kd_mpi_venc_set_2d_custom_coef(1, coef.as_ptr()),
            NOT_SUPPORT
        );
        ok("set_2d_mode", kd_mpi_venc_set_2d_mode(1, 2));
        assert_eq!(
            kd_mpi_venc_set_2d_custom_coef(1, coef.as_ptr()),
            ILLEGAL_PARAM,
            "BORDER"
        );
        ok("set_2d_mode", kd_mpi_venc_set_2d_mode(1, 1));
        assert_eq!(kd_mpi_venc_set_2d_custom_coef(1, null()), NULL_PTR);
        ok(
            "custom_coef",
            kd_mpi_venc_set_2d_custom_coef(1, coef.as_ptr()),
        );
        let back = [0i16; 12];
        ok("get_coef", kd_mpi_venc_get_2d_custom_coef(1, back.as_ptr()));
        assert_eq!(back, coef);
        // A gamut sets its matrix; above 2 is ILLEGAL_PARAM.
        assert_eq!(kd_mpi_venc_set_2d_color_gamut(1, 3), ILLEGAL_PARAM);
        ok("gamut", kd_mpi_venc_set_2d_color_gamut(1, 0));
        let mut gamut = 9;
        ok("get_gamut", kd_mpi_venc_get_2d_color_gamut(1, &mut gamut));
        assert_eq!(gamut, 0);
        ok("get_coef", kd_mpi_venc_get_2d_custom_coef(1, back.as_ptr()));
        assert_eq!(back[..4], [66, 129, 25, 16], "BT.601's Y row");
        // OSD regions 0..7, borders 0..31: past them INVALID_CHNID (sic).
        let osd = osd_attr(0x1000_0000);
        assert_eq!(kd_mpi_venc_set_2d_osd_param(1, 8, &osd), INVALID_CHNID);
        assert_eq!(kd_mpi_venc_set_2d_osd_param(1, 0, null()), NULL_PTR);
        let xrgb = OsdAttr { fmt: 3, ..osd };
        assert_eq!(kd_mpi_venc_set_2d_osd_param(1, 0, &xrgb), NOT_SUPPORT);
        let odd = OsdAttr { startx: 33, ..osd };
        assert_eq!(kd_mpi_venc_set_2d_osd_param(1, 0, &odd), ILLEGAL_PARAM);
        let order = OsdAttr {
            add_order: 10,
            ..osd
        };
        assert_eq!(kd_mpi_venc_set_2d_osd_param(1, 0, &order), ILLEGAL_PARAM);
        let mut got = OsdAttr::default();
        ok("get_osd", kd_mpi_venc_get_2d_osd_param(1, 7, &mut got));
        assert_eq!(got, OsdAttr::default(), "zeros until set");
        ok("set_osd", kd_mpi_venc_set_2d_osd_param(1, 7, &osd));
        ok("get_osd", kd_mpi_venc_get_2d_osd_param(1, 7, &mut got));
        assert_eq!(got, osd);
        assert_eq!(
            kd_mpi_venc_set_2d_border_param(1, 32, &BORDER),
            INVALID_CHNID
        );
        let thin = BorderAttr {
            line_width: 0,
            ..BORDER
        };
        assert_eq!(kd_mpi_venc_set_2d_border_param(1, 0, &thin), ILLEGAL_PARAM);
        ok(
            "set_border",
            kd_mpi_venc_set_2d_border_param(1, 31, &BORDER),
        );
        let mut b = BorderAttr::default();
        ok("get_border", kd_mpi_venc_get_2d_border_param(1, 31, &mut b));
        assert_eq!(b, BORDER);
        assert_eq!(kd_mpi_venc_get_2d_border_param(1, 31, null_mut()), NULL_PTR);
        // CSC is not modeled.
        let csc = CscAttr::default();
        assert_eq!(kd_mpi_venc_set_2d_csc_param(1, &csc), NOT_SUPPORT);
        assert_eq!(kd_mpi_venc_set_2d_csc_param(1, null()), NULL_PTR);
        assert_eq!(kd_mpi_venc_get_2d_csc_param(1, null_mut()), NULL_PTR);
        // The standalone path: a frame of a format the engine does not take, nothing to get.
        ok("start_2d", kd_mpi_venc_start_2d_chn(1));
        // k_video_frame_info is plain integers; all zeros is a valid value (RGB_444).
        let mut frame: k230_mpp_sim::abi::VideoFrameInfo = std::mem::zeroed();
        assert_eq!(kd_mpi_venc_send_2d_frame(1, &mut frame), NOT_SUPPORT);
        assert_eq!(kd_mpi_venc_get_2d_frame(1, &mut frame), BUF_EMPTY);
        assert_eq!(kd_mpi_venc_send_2d_frame(1, null_mut()), NULL_PTR);
        assert_eq!(kd_mpi_venc_get_2d_frame(1, null_mut()), NULL_PTR);
        assert_eq!(kd_mpi_venc_send_2d_frame(3, &mut frame), INVALID_CHNID);
        // A program's NV12 frame comes back as the program sent it, virt_addr and all.
        let size = u64::from(W * H * 3 / 2);
        let mut config = VbPoolConfig {
            blk_size: size,
            blk_cnt: 1,
            ..VbPoolConfig::default()
        };
        let pool = vb::kd_mpi_vb_create_pool(&mut config);
        let block = vb::kd_mpi_vb_get_block(pool as u32, size, null());
        let phys = vb::kd_mpi_vb_handle_to_phyaddr(block);
        let virt = sys::kd_mpi_sys_mmap(phys, size as u32) as u64;
        frame.v_frame.width = W;
        frame.v_frame.height = H;
        frame.v_frame.pixel_format = consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420;
        frame.v_frame.phys_addr = [phys, phys + u64::from(W * H), 0];
        frame.v_frame.virt_addr = [virt, virt + u64::from(W * H), 0];
        frame.v_frame.priv_data = 0x5eed;
        ok("send_2d", kd_mpi_venc_send_2d_frame(1, &mut frame));
        let mut back: k230_mpp_sim::abi::VideoFrameInfo = std::mem::zeroed();
        ok("get_2d", kd_mpi_venc_get_2d_frame(1, &mut back));
        assert_eq!(back, frame);
        ok("stop_2d", kd_mpi_venc_stop_2d_chn(1));
        assert_eq!(kd_mpi_venc_get_2d_frame(1, &mut back), NOT_PERM);
        ok(
            "munmap",
            sys::kd_mpi_sys_munmap(virt as *mut _, size as u32),
        );
        ok("release", vb::kd_mpi_vb_release_block(block));
        ok("destroy_pool", vb::kd_mpi_vb_destory_pool(pool as u32));
    }
    // attach and detach answer 0 whatever happens; a detach while the encoder runs is refused
    // (printed) and the channel stays attached.
    ok("attach", kd_mpi_venc_attach_2d(1));
    let mut attr = cbr_attr(consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN, W, H);
    // SAFETY: a pointer to a live local.
    ok("create", unsafe {
        venc::kd_mpi_venc_create_chn(1, &mut attr)
    });
    ok("start", venc::kd_mpi_venc_start_chn(1));
    ok("detach while started", kd_mpi_venc_detach_2d(1));
    ok("stop", venc::kd_mpi_venc_stop_chn(1));
    ok("detach", kd_mpi_venc_detach_2d(1));
    ok("destroy", venc::kd_mpi_venc_destroy_chn(1));
}
