//! The CanMV MPP's VICAP attributes (`buffer_pool_id`), through the `_canmv` calls its
//! headers map the names to: a channel's buffers taken from the program's pool (and given
//! back), the errors of a pool too small or too short, the device's field warned.
#![allow(clippy::unwrap_used)]

mod common;

use common::vicap_err;
use k230_mpp_sim::abi::VideoFrameInfo;
use k230_mpp_sim::canmv::kd_mpi_vb_create_pool_ex;
use k230_mpp_sim::unmodelled::unmodelled_calls;
use k230_mpp_sim::vb;
use k230_mpp_sim::vicap::canmv_attrs::*;
use k230_mpp_sim::vicap::types::{VicapChnAttr, VicapChnAttrCanmv, VicapDevAttr, VicapWindow};
use k230_mpp_sim::vicap::*;

const VB_INVALID_POOLID: u32 = u32::MAX;
const ILLEGAL_PARAM: i32 = vicap_err(3);
const NOMEM: i32 = vicap_err(0x0c);
/// 640x480 NV12 with the UV plane at the next 4 KiB.
const FRAME_BYTES: u64 = 307_200 + 155_648;

fn chn_attr(pool: u32) -> VicapChnAttrCanmv {
    let win = VicapWindow {
        h_start: 0,
        v_start: 0,
        width: 640,
        height: 480,
    };
    VicapChnAttrCanmv {
        attr: VicapChnAttr {
            out_win: win,
            crop_win: win,
            scale_win: win,
            chn_enable: 1,
            pix_format: 31,
            buffer_num: 3,
            buffer_size: FRAME_BYTES as u32,
            alignment: 12,
            ..VicapChnAttr::default()
        },
        buffer_pool_id: pool,
    }
}

fn dev_attr(mode: u32, pool: u32) -> VicapDevAttr {
    let mut info = Default::default();
    // SAFETY: a live local.
    assert_eq!(unsafe { kd_mpi_vicap_get_sensor_info(7, &mut info) }, 0);
    VicapDevAttr {
        acq_win: VicapWindow {
            h_start: 0,
            v_start: 0,
            width: 1920,
            height: 1080,
        },
        mode,
        sensor_info: info,
        dev_enable: 1,
        buffer_pool_id_canmv: pool,
        ..VicapDevAttr::default()
    }
}

/// Free blocks of `pool`, through the VB calls: taken until none is left, then given back.
fn free_blocks(pool: u32) -> usize {
    let mut taken = Vec::new();
    loop {
        // SAFETY: a NULL zone name is allowed.
        let h = unsafe { vb::kd_mpi_vb_get_block(pool, 16, std::ptr::null()) };
        if h == u32::MAX {
            break;
        }
        taken.push(h);
    }
    for &h in &taken {
        assert_eq!(vb::kd_mpi_vb_release_block(h), 0);
    }
    taken.len()
}

/// init, start, one frame dumped and released, stop, deinit: the frame's pool id.
fn capture_once() -> Result<u32, i32> {
    let fail = |r: i32| if r == 0 { Ok(()) } else { Err(r) };
    fail(kd_mpi_vicap_init(0))?;
    let started = kd_mpi_vicap_start_stream(0);
    if started != 0 {
        assert_eq!(kd_mpi_vicap_deinit(0), 0);
        return Err(started);
    }
    // SAFETY: integers and pointers: all-zero is valid.
    let mut frame: VideoFrameInfo = unsafe { std::mem::zeroed() };
    // SAFETY: a live local.
    fail(unsafe { kd_mpi_vicap_dump_frame(0, 0, 0, &mut frame, 1000) })?;
    // SAFETY: the frame dump_frame filled.
    fail(unsafe { kd_mpi_vicap_dump_release(0, 0, &frame) })?;
    fail(kd_mpi_vicap_stop_stream(0))?;
    fail(kd_mpi_vicap_deinit(0))?;
    Ok(frame.pool_id)
}

#[test]
fn a_channel_captures_into_the_programs_pool() {
    // SAFETY: the pointers (the whole test) are to live locals.
    unsafe {
        let pool = kd_mpi_vb_create_pool_ex(FRAME_BYTES, 4, 1) as u32;
        assert_ne!(pool, VB_INVALID_POOLID);
        assert_eq!(kd_mpi_vicap_set_dev_attr_canmv(0, dev_attr(0, 0)), 0);

        // The program's pool: 3 of its 4 blocks are the channel's while it is initialised.
        let before = unmodelled_calls();
        assert_eq!(kd_mpi_vicap_set_chn_attr_canmv(0, 0, chn_attr(pool)), 0);
        let mut back = VicapChnAttrCanmv::default();
        assert_eq!(kd_mpi_vicap_get_chn_attr_canmv(0, 0, &mut back), 0);
        assert_eq!(
            (back.attr, back.buffer_pool_id),
            (chn_attr(pool).attr, pool)
        );
        assert_eq!(kd_mpi_vicap_init(0), 0);
        assert_eq!(kd_mpi_vicap_start_stream(0), 0);
        assert_eq!(free_blocks(pool), 1, "three blocks are the camera's");
        let mut frame: VideoFrameInfo = std::mem::zeroed();
        assert_eq!(kd_mpi_vicap_dump_frame(0, 0, 0, &mut frame, 1000), 0);
        assert_eq!(frame.pool_id, pool, "the frame says where it lives");
        let handle = vb::kd_mpi_vb_phyaddr_to_handle(frame.v_frame.phys_addr[0]);
        assert_eq!(vb::kd_mpi_vb_handle_to_pool_id(handle) as u32, pool);
        assert_eq!(kd_mpi_vicap_dump_release(0, 0, &frame), 0);
        assert_eq!(kd_mpi_vicap_stop_stream(0), 0);
        assert_eq!(kd_mpi_vicap_deinit(0), 0);
        assert_eq!(free_blocks(pool), 4, "given back at deinit");
        assert_eq!(unmodelled_calls(), before, "modelled: nothing counted");

        // VB_INVALID_POOLID: the driver's own buffers, as the SDK's calls.
        assert_eq!(
            kd_mpi_vicap_set_chn_attr_canmv(0, 0, chn_attr(VB_INVALID_POOLID)),
            0
        );
        assert_ne!(capture_once(), Ok(pool));
        assert_eq!(free_blocks(pool), 4);

        // Too short: 2 free blocks for 3 buffers; too small: 4 KiB blocks.
        let mut held = [0; 2];
        for h in &mut held {
            *h = vb::kd_mpi_vb_get_block(pool, 16, std::ptr::null());
        }
        assert_eq!(kd_mpi_vicap_set_chn_attr_canmv(0, 0, chn_attr(pool)), 0);
        assert_eq!(capture_once(), Err(NOMEM));
        assert_eq!(free_blocks(pool), 2, "none kept after the failure");
        for h in held {
            assert_eq!(vb::kd_mpi_vb_release_block(h), 0);
        }
        let small = kd_mpi_vb_create_pool_ex(4096, 4, 1) as u32;
        assert_eq!(kd_mpi_vicap_set_chn_attr_canmv(0, 0, chn_attr(small)), 0);
        assert_eq!(capture_once(), Err(ILLEGAL_PARAM));
        assert_eq!(free_blocks(small), 4);

        // The device's field: not read online (a memset's 0), warned and counted offline.
        let before = unmodelled_calls();
        assert_eq!(kd_mpi_vicap_set_dev_attr_canmv(0, dev_attr(0, 0)), 0);
        assert_eq!(unmodelled_calls(), before);
        assert_eq!(kd_mpi_vicap_set_dev_attr_canmv(0, dev_attr(1, 0)), 0);
        assert_eq!(
            unmodelled_calls(),
            before + 1,
            "offline with pool 0: counted"
        );
        let mut got = VicapDevAttr::default();
        assert_eq!(kd_mpi_vicap_get_dev_attr_canmv(0, &mut got), 0);
        assert_eq!(got.mode, 1);
        assert_eq!(vb::kd_mpi_vb_destory_pool(small), 0);
        assert_eq!(vb::kd_mpi_vb_destory_pool(pool), 0);
    }
}
