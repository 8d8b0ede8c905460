//! A channel's stream buffers are common-pool blocks on the board, with no pool of their own: a
//! program cannot reach the pool the simulator keeps its packs in (its own process: one board).
#![allow(clippy::unwrap_used)]

mod common;

use common::{cbr_attr, vb_err};
use k230_mpp_sim::abi::{VbConfig, VbPoolConfig};
use k230_mpp_sim::vb::{self, VB_INVALID};
use k230_mpp_sim::venc;
use venc_core::consts::{K_PT_H264, VENC_PROFILE_H264_MAIN};

const VB_UNEXIST: i32 = vb_err(5);

#[test]
fn the_pool_holding_a_channels_packs_is_not_a_pool_to_the_program() {
    let mut config = VbConfig {
        max_pool_cnt: 1,
        ..VbConfig::default()
    };
    config.comm_pool[0] = VbPoolConfig {
        blk_size: 0x10000,
        blk_cnt: 4,
        ..VbPoolConfig::default()
    };
    // SAFETY: a valid k_vb_config.
    assert_eq!(unsafe { vb::kd_mpi_vb_set_config(&config) }, 0);
    assert_eq!(vb::kd_mpi_vb_init(), 0);
    let mut attr = cbr_attr(K_PT_H264, VENC_PROFILE_H264_MAIN, 320, 240);
    // SAFETY: a valid k_venc_chn_attr.
    assert_eq!(unsafe { venc::kd_mpi_venc_create_chn(0, &mut attr) }, 0);
    let common = vb::kd_mpi_vb_handle_to_pool_id(0) as u32;
    for pool in (0..16).filter(|&p| p != common) {
        // SAFETY: a NULL zone name is allowed.
        let handle = unsafe { vb::kd_mpi_vb_get_block(pool, 16, std::ptr::null()) };
        assert_eq!(handle, VB_INVALID, "pool {pool} handed out a block");
        assert_eq!(vb::kd_mpi_vb_destory_pool(pool), VB_UNEXIST, "pool {pool}");
    }
    // Every common block is the channel's: none is left for the program.
    // SAFETY: a NULL zone name is allowed.
    let handle = unsafe { vb::kd_mpi_vb_get_block(VB_INVALID, 16, std::ptr::null()) };
    assert_eq!(handle, VB_INVALID);
    assert_eq!(venc::kd_mpi_venc_destroy_chn(0), 0);
    assert_eq!(vb::kd_mpi_vb_exit(), 0);
}
