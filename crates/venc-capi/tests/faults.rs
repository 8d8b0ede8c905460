//! Faults a C program arms to see its error handling run (`venc_sim_inject_fault`, issue 20's
//! fault injection through the C ABI): each kind answers through the exported calls as the
//! board does when that fault happens for real.
#![allow(clippy::unwrap_used)]

mod common;

use common::{cbr_attr, ok, vb_once, venc_err};
use k230_mpp_sim::abi::ChnStatus;
use k230_mpp_sim::abi::{Pack, Stream, VbPoolConfig, VideoFrameInfo};
use k230_mpp_sim::hooks::{venc_sim_inject_fault, venc_sim_release_pic_pts};
use k230_mpp_sim::{vb, venc};
use std::ffi::CString;
use std::ptr::null;
use venc_core::consts;

const INVALID_CHNID: i32 = venc_err(2);
const ILLEGAL_PARAM: i32 = venc_err(3);
const NULL_PTR: i32 = venc_err(6);
const NOTREADY: i32 = venc_err(0x10);
const BUSY: i32 = venc_err(0x12);
const W: u32 = 320;
const H: u32 = 240;

fn inject(spec: &str) -> i32 {
    let spec = CString::new(spec).unwrap();
    // SAFETY: a NUL-terminated string.
    unsafe { venc_sim_inject_fault(spec.as_ptr()) }
}

/// A started H.264 channel 0 and a frame of one block to send (its content does not matter).
fn started() -> VideoFrameInfo {
    vb_once();
    let uv_off = u64::from(W * H).next_multiple_of(4096);
    let mut pool = VbPoolConfig {
        blk_size: uv_off * 2,
        blk_cnt: 1,
        ..VbPoolConfig::default()
    };
    let mut attr = cbr_attr(consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN, W, H);
    // SAFETY: pointers to live locals.
    unsafe {
        let pool_id = vb::kd_mpi_vb_create_pool(&mut pool);
        assert!(pool_id >= 0);
        let block = vb::kd_mpi_vb_get_block(pool_id as u32, uv_off * 2, null());
        let phys = vb::kd_mpi_vb_handle_to_phyaddr(block);
        ok("create", venc::kd_mpi_venc_create_chn(0, &mut attr));
        ok("start", venc::kd_mpi_venc_start_chn(0));
        let mut frame: VideoFrameInfo = std::mem::zeroed();
        frame.v_frame.width = W;
        frame.v_frame.height = H;
        frame.v_frame.pixel_format = consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420;
        frame.v_frame.stride = [W, W, 0];
        frame.v_frame.phys_addr = [phys, phys + uv_off, 0];
        frame.pool_id = pool_id as u32;
        frame
    }
}

fn send(frame: &mut VideoFrameInfo, pts: u64) -> i32 {
    frame.v_frame.pts = pts;
    // SAFETY: a pointer to a live local.
    unsafe { venc::kd_mpi_venc_send_frame(0, frame, 1000) }
}

/// `get_stream(timeout)` of up to 4 packs: the code and the pictures (I/P packs) taken.
fn take(timeout: i32) -> (i32, u32) {
    let mut packs = [Pack::default(); 4];
    let mut s = Stream {
        pack: packs.as_mut_ptr(),
        pack_cnt: 4,
    };
    // SAFETY: pointers to live locals.
    let ret = unsafe { venc::kd_mpi_venc_get_stream(0, &mut s, timeout) };
    if ret != 0 {
        return (ret, 0);
    }
    let pictures = packs[..s.pack_cnt as usize]
        .iter()
        .filter(|p| p.pack_type != consts::K_VENC_HEADER)
        .count() as u32;
    // SAFETY: the stream just taken.
    ok("release", unsafe {
        venc::kd_mpi_venc_release_stream(0, &mut s)
    });
    (0, pictures)
}

#[test]
fn injected_faults_strike_through_the_exported_calls() {
    // SAFETY: NULL is the case under test.
    assert_eq!(unsafe { venc_sim_inject_fault(null()) }, NULL_PTR);
    assert_eq!(inject("no-such-fault"), ILLEGAL_PARAM);
    assert_eq!(
        inject("vpu-stall"),
        ILLEGAL_PARAM,
        "a stall needs its length"
    );
    let mut frame = started();
    // SendFrame: BUSY once, then taken.
    ok("arm", inject("send-frame-busy@next"));
    assert_eq!(send(&mut frame, 0), BUSY);
    ok("send", send(&mut frame, 1));
    // GetStream: NOTREADY once with a picture waiting, then the picture.
    ok("arm", inject("get-stream-notready@next"));
    assert_eq!(take(1000).0, NOTREADY);
    let mut pictures = 0;
    while pictures < 1 {
        let (ret, n) = take(1000);
        ok("get_stream", ret);
        pictures += n;
    }
    // The picture of pts 1 is out: the harness's hook says so, while query_status leaves
    // release_pic_pts 0 as the board's kernel does (D-056).
    let mut pts = 0;
    // SAFETY: pointers to live locals, or NULL where that is the case under test.
    unsafe {
        ok("release_pic_pts", venc_sim_release_pic_pts(0, &mut pts));
        assert_eq!(venc_sim_release_pic_pts(4, &mut pts), INVALID_CHNID);
        assert_eq!(venc_sim_release_pic_pts(0, std::ptr::null_mut()), NULL_PTR);
        let mut status = ChnStatus::default();
        ok(
            "query_status",
            venc::kd_mpi_venc_query_status(0, &mut status),
        );
        assert_eq!(status.release_pic_pts, 0);
    }
    assert_eq!(pts, 1);
    // A dropped frame: two sent, one picture out, then nothing.
    ok("arm", inject("drop-frame@next"));
    ok("send", send(&mut frame, 2));
    ok("send", send(&mut frame, 3));
    let (ret, n) = take(2000);
    ok("get_stream", ret);
    let mut pictures = n;
    loop {
        match take(500) {
            (0, n) => pictures += n,
            (code, _) => {
                assert_eq!(code, NOTREADY);
                break;
            }
        }
    }
    assert_eq!(pictures, 1, "one of the two frames dropped");
    ok("stop", venc::kd_mpi_venc_stop_chn(0));
    ok("destroy", venc::kd_mpi_venc_destroy_chn(0));
}
