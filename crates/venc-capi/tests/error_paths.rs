//! The C library's error paths the example programs do not reach, called through the exported
//! functions (one process, one board: the checks run in order in one test).
#![allow(clippy::unwrap_used)]

mod common;

use common::{cbr_attr, mmz_err, sys_err, vb_err, venc_err};
use k230_mpp_sim::abi::{ChnAttr, ChnStatus, Stream, VbConfig, VbPoolConfig};
use k230_mpp_sim::{sys, vb, venc};
use std::ffi::c_void;
use std::ptr::{null, null_mut};
use venc_core::consts;

/// An H.264 channel with `stream_buf_cnt` stream buffers of `stream_buf_size` bytes.
fn h264(stream_buf_size: u32, stream_buf_cnt: u32) -> ChnAttr {
    let mut attr = cbr_attr(consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN, 320, 240);
    attr.venc_attr.stream_buf_size = stream_buf_size;
    attr.venc_attr.stream_buf_cnt = stream_buf_cnt;
    attr
}

#[test]
fn every_wrong_call_gets_its_code_and_changes_nothing() {
    // SAFETY: in the whole test, every pointer passed is NULL or to a live value of the right type.
    unsafe {
        let mut config = VbConfig::default();
        assert_eq!(
            vb::kd_mpi_vb_get_config(&mut config),
            vb_err(0x10),
            "unconfigured"
        );
        assert_eq!(vb::kd_mpi_vb_get_config(null_mut()), vb_err(0x06));
        assert_eq!(
            vb::kd_mpi_vb_set_config(&config),
            vb_err(0x03),
            "max_pool_cnt 0"
        );
        config.max_pool_cnt = 257;
        assert_eq!(
            vb::kd_mpi_vb_set_config(&config),
            vb_err(0x03),
            "max_pool_cnt 257"
        );
        config.max_pool_cnt = 2;
        config.comm_pool[0] = VbPoolConfig {
            blk_size: 0,
            blk_cnt: 3,
            ..VbPoolConfig::default()
        };
        assert_eq!(
            vb::kd_mpi_vb_set_config(&config),
            vb_err(0x03),
            "0-byte blocks"
        );
        config.comm_pool[0].blk_size = 0x10000;
        assert_eq!(vb::kd_mpi_vb_set_config(&config), 0);
        let mut back = VbConfig::default();
        assert_eq!(vb::kd_mpi_vb_get_config(&mut back), 0);
        assert_eq!(back, config);
        assert_eq!(vb::kd_mpi_vb_init(), 0);

        // Private pools.
        assert_eq!(vb::kd_mpi_vb_create_pool(null_mut()), -1);
        let mut none = VbPoolConfig::default();
        assert_eq!(vb::kd_mpi_vb_create_pool(&mut none), -1, "0 blocks");
        let mut two = VbPoolConfig {
            blk_size: 4096,
            blk_cnt: 2,
            ..VbPoolConfig::default()
        };
        let pool = vb::kd_mpi_vb_create_pool(&mut two);
        assert!(pool >= 0);
        let pool = pool as u32;
        let handle = vb::kd_mpi_vb_get_block(pool, 4096, null());
        assert_ne!(handle, vb::VB_INVALID);
        let phys = vb::kd_mpi_vb_handle_to_phyaddr(handle);
        assert_eq!(
            vb::kd_mpi_vb_phyaddr_to_handle(phys + 100),
            handle,
            "inside the block"
        );
        assert_eq!(vb::kd_mpi_vb_phyaddr_to_handle(0x1000), vb::VB_INVALID);
        assert_eq!(vb::kd_mpi_vb_handle_to_pool_id(0xdead_0000), -1);
        assert_eq!(
            vb::kd_mpi_vb_destory_pool(pool),
            vb_err(0x12),
            "a block taken"
        );
        assert_eq!(vb::kd_mpi_vb_release_block(handle), 0);
        assert_eq!(vb::kd_mpi_vb_destory_pool(pool), 0);
        assert_eq!(
            vb::kd_mpi_vb_handle_to_phyaddr(handle),
            0,
            "its pool is gone"
        );

        // MMZ and mappings.
        let (mut phys, mut virt) = (0u64, null_mut::<c_void>());
        let name = null();
        assert_eq!(
            sys::kd_mpi_sys_mmz_alloc(null_mut(), &mut virt, name, name, 64),
            mmz_err(0x06)
        );
        assert_eq!(
            sys::kd_mpi_sys_mmz_alloc(&mut phys, null_mut(), name, name, 64),
            mmz_err(0x06)
        );
        assert_eq!(
            sys::kd_mpi_sys_mmz_alloc(&mut phys, &mut virt, name, name, 0),
            mmz_err(0x03)
        );
        assert_eq!(
            sys::kd_mpi_sys_mmz_alloc_cached(&mut phys, &mut virt, name, name, 8192),
            0
        );
        virt.cast::<u8>().write_bytes(0x5a, 8192);
        let again = sys::kd_mpi_sys_mmap(phys + 4096, 16).cast::<u8>();
        assert_eq!(again.read(), 0x5a, "a second mapping sees the same bytes");
        assert_eq!(sys::kd_mpi_sys_mmz_flush_cache(phys, virt, 8192), 0);
        assert_eq!(
            sys::kd_mpi_sys_mmz_flush_cache(0, virt, 0),
            0,
            "the whole cache"
        );
        assert_eq!(
            sys::kd_mpi_sys_mmz_flush_cache(phys, null_mut(), 16),
            sys_err(0x06)
        );
        assert_eq!(
            sys::kd_mpi_sys_mmz_flush_cache(phys, virt, 8193),
            sys_err(0x11)
        );
        assert!(sys::kd_mpi_sys_mmap(phys, 0).is_null());
        assert!(sys::kd_mpi_sys_mmap(phys, 8193).is_null(), "past the block");
        // A size other than the mapping's: unmapped whole, warned and counted (strict: -1).
        let before = sys::munmap_size_mismatches();
        assert_eq!(sys::kd_mpi_sys_munmap(again.cast(), 8), 0);
        assert_eq!(sys::munmap_size_mismatches(), before + 1);
        assert_eq!(
            sys::kd_mpi_sys_munmap(again.cast(), 16),
            -1,
            "unmapped twice"
        );
        assert_eq!(sys::kd_mpi_sys_mmz_free(phys, virt), 0);
        assert_eq!(
            sys::kd_mpi_sys_mmz_free(phys, null_mut()),
            mmz_err(0x11),
            "freed twice"
        );
        assert_eq!(
            sys::kd_mpi_sys_munmap(virt, 8192),
            -1,
            "mmz_free dropped the mapping"
        );

        // VENC.
        let mut attr = h264(0, 3);
        assert_eq!(
            venc::kd_mpi_venc_create_chn(0, &mut attr),
            venc_err(0x0d),
            "0-byte buffers"
        );
        let mut attr = h264(0x10000, 0);
        assert_eq!(
            venc::kd_mpi_venc_create_chn(0, &mut attr),
            venc_err(0x0d),
            "no buffers"
        );
        // More buffers than any pool holds: NOBUF, not an abort (found by fuzz_structs).
        let mut attr = h264(0x10000, u32::MAX);
        assert_eq!(
            venc::kd_mpi_venc_create_chn(0, &mut attr),
            venc_err(0x0d),
            "2^32 - 1 buffers"
        );
        let mut attr = h264(0x10000, 3);
        attr.venc_attr.pic_height = 241;
        assert_eq!(
            venc::kd_mpi_venc_create_chn(0, &mut attr),
            venc_err(0x03),
            "odd height"
        );
        let common_free = vb::kd_mpi_vb_get_block(vb::VB_INVALID, 16, null());
        assert_ne!(
            common_free,
            vb::VB_INVALID,
            "the refused creates gave their blocks back"
        );
        assert_eq!(vb::kd_mpi_vb_release_block(common_free), 0);
        let mut attr = h264(0x10000, 3);
        assert_eq!(venc::kd_mpi_venc_create_chn(0, &mut attr), 0);
        assert_eq!(
            venc::kd_mpi_venc_create_chn(0, &mut attr),
            venc_err(0x04),
            "exists"
        );
        assert_eq!(
            venc::kd_mpi_venc_set_intbuf_size(4, 1 << 20),
            venc_err(0x02)
        );
        assert_eq!(venc::kd_mpi_venc_set_intbuf_size(0, 1 << 20), 0);
        assert_eq!(
            venc::kd_mpi_venc_send_frame(0, null_mut(), 0),
            venc_err(0x06)
        );
        assert_eq!(
            venc::kd_mpi_venc_query_status(0, null_mut()),
            venc_err(0x10)
        );
        let mut status = ChnStatus::default();
        assert_eq!(venc::kd_mpi_venc_query_status(0, &mut status), 0);
        assert_eq!(
            venc::kd_mpi_venc_get_stream(0, null_mut(), 0),
            venc_err(0x10)
        );
        let mut no_array = Stream {
            pack: null_mut(),
            pack_cnt: 2,
        };
        assert_eq!(
            venc::kd_mpi_venc_get_stream(0, &mut no_array, 0),
            venc_err(0x10)
        );
        assert_eq!(
            venc::kd_mpi_venc_get_stream(9, &mut no_array, -1),
            venc_err(0x02)
        );
        assert_eq!(
            venc::kd_mpi_venc_request_idr(0),
            venc_err(0x03),
            "IDR not enabled"
        );
        assert_eq!(venc::kd_mpi_venc_destroy_chn(0), 0);
        assert_eq!(vb::kd_mpi_vb_exit(), 0);
    }
}
