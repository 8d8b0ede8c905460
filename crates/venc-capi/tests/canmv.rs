//! The CanMV MPP's family through the exported calls: channels handed out by `request_chn`,
//! stream buffers from an attached pool (`buff_num` of its blocks with `_ex`), the 44-byte
//! `k_venc_chn_attr`, and every code of their error paths.
#![allow(clippy::unwrap_used)]

mod common;

use common::{ok, vb_once, venc_err};
use k230_mpp_sim::abi::{CanmvChnAttr, CanmvVencAttr, ChnStatus, RcAttr, VbPoolConfig};
use k230_mpp_sim::canmv::*;
use k230_mpp_sim::{vb, venc};
use std::ptr::null_mut;
use venc_core::consts;

const INVALID_CHNID: i32 = venc_err(2);
const ILLEGAL_PARAM: i32 = venc_err(3);
const NULL_PTR: i32 = venc_err(6);
const NOT_PERM: i32 = venc_err(9);
const NOBUF: i32 = venc_err(0xd);

const W: u32 = 320;
const H: u32 = 240;

/// The tests share the process's four channels: one test at a time.
static CHANNELS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    CHANNELS.lock().unwrap_or_else(|e| e.into_inner())
}

/// A JPEG channel's CanMV attributes: one pack per picture, so packs count pictures.
fn jpeg_attr() -> CanmvChnAttr {
    let mut rc = RcAttr {
        rc_mode: consts::K_VENC_RC_MODE_MJPEG_FIXQP,
        ..RcAttr::default()
    };
    rc.words[..3].copy_from_slice(&[30, 30, 50]);
    CanmvChnAttr {
        venc_attr: CanmvVencAttr {
            payload: consts::K_PT_JPEG,
            pic_width: W,
            pic_height: H,
            profile: 0,
        },
        rc_attr: rc,
    }
}

fn pool(blk_size: u64, blk_cnt: u32) -> u32 {
    let mut config = VbPoolConfig {
        blk_size,
        blk_cnt,
        ..VbPoolConfig::default()
    };
    // SAFETY: a pointer to a live local.
    let id = unsafe { vb::kd_mpi_vb_create_pool(&mut config) };
    assert!(id >= 0, "create_pool {id:x}");
    id as u32
}

fn request() -> u32 {
    let mut chn = u32::MAX;
    // SAFETY: a pointer to a live local.
    ok("request_chn", unsafe { kd_mpi_venc_request_chn(&mut chn) });
    chn
}

fn create(chn: u32, mut attr: CanmvChnAttr) -> i32 {
    // SAFETY: a pointer to a live local.
    unsafe { kd_mpi_venc_create_chn_canmv(chn, &mut attr) }
}

#[test]
fn channels_are_handed_out_lowest_first_and_given_back() {
    let _one = one_at_a_time();
    vb_once();
    // SAFETY: NULL is the case under test.
    assert_eq!(unsafe { kd_mpi_venc_request_chn(null_mut()) }, NULL_PTR);
    let got: Vec<u32> = (0..4).map(|_| request()).collect();
    assert_eq!(got, [0, 1, 2, 3]);
    let mut chn = 9;
    // SAFETY: a pointer to a live local.
    let none_free = unsafe { kd_mpi_venc_request_chn(&mut chn) };
    assert_eq!(none_free, NOBUF);
    assert_eq!(chn, 9, "left as it was");
    for c in got {
        ok("release_chn", kd_mpi_venc_release_chn(c));
    }
    assert_eq!(kd_mpi_venc_release_chn(0), NOT_PERM, "not requested");
    assert_eq!(kd_mpi_venc_release_chn(4), INVALID_CHNID);
    assert_eq!(kd_mpi_venc_attach_vb_pool(4, 0), INVALID_CHNID);
    assert_eq!(kd_mpi_venc_attach_vb_pool_ex(4, 0, 1), INVALID_CHNID);
    assert_eq!(kd_mpi_venc_detach_vb_pool(4), INVALID_CHNID);
    assert_eq!(create(4, jpeg_attr()), INVALID_CHNID);
}

#[test]
fn create_needs_an_attached_pool_and_the_attr_pointer() {
    let _one = one_at_a_time();
    vb_once();
    let chn = request();
    // SAFETY: NULL is the case under test.
    let null_attr = unsafe { kd_mpi_venc_create_chn_canmv(chn, null_mut()) };
    assert_eq!(null_attr, NULL_PTR);
    assert_eq!(create(chn, jpeg_attr()), NOBUF, "no pool attached (D-004)");
    let p = pool(64 * 1024, 2);
    assert_eq!(kd_mpi_venc_attach_vb_pool_ex(chn, p, 0), ILLEGAL_PARAM);
    assert_eq!(kd_mpi_venc_attach_vb_pool_ex(chn, p, -1), ILLEGAL_PARAM);
    assert_eq!(kd_mpi_venc_attach_vb_pool(chn, 999), NOBUF, "no such pool");
    ok("attach", kd_mpi_venc_attach_vb_pool(chn, p));
    let mut bad = jpeg_attr();
    bad.rc_attr.rc_mode = 7;
    assert_eq!(create(chn, bad), ILLEGAL_PARAM, "wrong rc mode");
    ok("create", create(chn, jpeg_attr()));
    ok("start", venc::kd_mpi_venc_start_chn(chn));
    assert_eq!(
        kd_mpi_venc_attach_vb_pool(chn, p),
        NOT_PERM,
        "while running"
    );
    assert_eq!(kd_mpi_venc_detach_vb_pool(chn), NOT_PERM, "while running");
    ok("stop", venc::kd_mpi_venc_stop_chn(chn));
    ok("destroy", venc::kd_mpi_venc_destroy_chn(chn));
    ok("detach", kd_mpi_venc_detach_vb_pool(chn));
    ok("release_chn", kd_mpi_venc_release_chn(chn));
    ok("destroy_pool", vb::kd_mpi_vb_destory_pool(p));
}

/// Packs waiting after `frames` JPEG pictures are sent and none is taken, with the stream
/// pool (4 blocks) attached through `_ex(…, buff_num)`.
fn packs_held(buff_num: i32, frames: u32) -> u32 {
    let chn = request();
    let streams = pool(64 * 1024, 4);
    let uv_off = u64::from(W * H).next_multiple_of(4096);
    let frame_pool = pool(uv_off * 2, 1);
    ok(
        "attach_ex",
        kd_mpi_venc_attach_vb_pool_ex(chn, streams, buff_num),
    );
    ok("create", create(chn, jpeg_attr()));
    ok("start", venc::kd_mpi_venc_start_chn(chn));
    // SAFETY: a NULL MMZ name is allowed.
    let block = unsafe { vb::kd_mpi_vb_get_block(frame_pool, uv_off * 2, std::ptr::null()) };
    let phys = vb::kd_mpi_vb_handle_to_phyaddr(block);
    for t in 0..frames {
        // SAFETY: a zeroed plain struct.
        let mut frame: k230_mpp_sim::abi::VideoFrameInfo = unsafe { std::mem::zeroed() };
        frame.v_frame.width = W;
        frame.v_frame.height = H;
        frame.v_frame.pixel_format = consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420;
        frame.v_frame.stride = [W, W, 0];
        frame.v_frame.phys_addr = [phys, phys + uv_off, 0];
        frame.v_frame.pts = u64::from(t);
        frame.pool_id = frame_pool;
        // SAFETY: a pointer to a live local.
        ok("send", unsafe {
            venc::kd_mpi_venc_send_frame(chn, &mut frame, 1000)
        });
    }
    // The encoder runs apart: wait until it has taken every frame it can place.
    let mut status = ChnStatus::default();
    let want = frames.min(buff_num as u32);
    for _ in 0..500 {
        // SAFETY: a pointer to a live local.
        ok("query", unsafe {
            venc::kd_mpi_venc_query_status(chn, &mut status)
        });
        if status.cur_packs >= want {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // A little longer: a pack beyond the blocks would show now.
    std::thread::sleep(std::time::Duration::from_millis(200));
    // SAFETY: a pointer to a live local.
    ok("query", unsafe {
        venc::kd_mpi_venc_query_status(chn, &mut status)
    });
    ok("stop", venc::kd_mpi_venc_stop_chn(chn));
    ok("destroy", venc::kd_mpi_venc_destroy_chn(chn));
    ok("detach", kd_mpi_venc_detach_vb_pool(chn));
    ok("release_chn", kd_mpi_venc_release_chn(chn));
    ok("release_block", vb::kd_mpi_vb_release_block(block));
    ok("destroy_pool", vb::kd_mpi_vb_destory_pool(frame_pool));
    ok("destroy_pool", vb::kd_mpi_vb_destory_pool(streams));
    status.cur_packs
}

#[test]
fn buff_num_is_how_many_of_the_pools_blocks_the_channel_writes() {
    let _one = one_at_a_time();
    vb_once();
    // "venc hardware use only one buffer in pool": one block, one pack held at a time.
    assert_eq!(packs_held(1, 3), 1);
    assert_eq!(packs_held(3, 3), 3);
    // More than the pool has: every block (4), with a warning.
    assert_eq!(packs_held(9, 6), 4);
}
