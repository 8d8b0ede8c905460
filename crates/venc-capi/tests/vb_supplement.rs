//! The VB calls beyond pools and blocks: the blocks' supplement areas, the modules' common
//! pools, the CanMV MPP's `create_pool_ex`, and what a mapped address is
//! (`kd_mpi_sys_get_virmem_info`), with every error path (one process, one board: in order).
#![allow(clippy::unwrap_used)]

mod common;

use common::{sys_err, vb_err};
use k230_mpp_sim::abi::{VbConfig, VbPoolConfig, VideoSupplement};
use k230_mpp_sim::canmv::kd_mpi_vb_create_pool_ex;
use k230_mpp_sim::sys::{
    SysVirmemInfo, kd_mpi_sys_get_virmem_info, kd_mpi_sys_mmap, kd_mpi_sys_mmap_cached,
    kd_mpi_sys_munmap,
};
use k230_mpp_sim::vb::module_pools::*;
use k230_mpp_sim::vb::supplement::*;
use k230_mpp_sim::vb::{self, VB_INVALID};
use std::ptr::{null, null_mut};

const ILLEGAL_PARAM: i32 = vb_err(3);
const NULL_PTR: i32 = vb_err(6);
const NOTREADY: i32 = vb_err(0x10);
const BUSY: i32 = vb_err(0x12);
const NOT_PERM: i32 = vb_err(9);
const BADADDR: i32 = sys_err(0x11);

fn config(pools: &[(u64, u32)]) -> VbConfig {
    let mut c = VbConfig {
        max_pool_cnt: 4,
        ..VbConfig::default()
    };
    for (slot, &(blk_size, blk_cnt)) in c.comm_pool.iter_mut().zip(pools) {
        *slot = VbPoolConfig {
            blk_size,
            blk_cnt,
            ..VbPoolConfig::default()
        };
    }
    c
}

fn supplement() -> VideoSupplement {
    // SAFETY: integers and pointers: all-zero is valid.
    unsafe { std::mem::zeroed() }
}

#[test]
fn supplements_module_pools_and_mapped_addresses() {
    // SAFETY: every pointer (the whole test) is NULL on purpose or to a live local.
    unsafe {
        // The supplement is set before vb_init, read back, checked.
        let jpeg = VbSupplementConfig {
            supplement_config: 1,
        };
        assert_eq!(kd_mpi_vb_set_supplement_config(null()), NULL_PTR);
        let unknown = VbSupplementConfig {
            supplement_config: 4,
        };
        assert_eq!(kd_mpi_vb_set_supplement_config(&unknown), ILLEGAL_PARAM);
        assert_eq!(kd_mpi_vb_set_supplement_config(&jpeg), 0);
        let mut got = VbSupplementConfig::default();
        assert_eq!(kd_mpi_vb_get_supplement_config(&mut got), 0);
        assert_eq!(got, jpeg);
        assert_eq!(kd_mpi_vb_get_supplement_config(null_mut()), NULL_PTR);

        // Module pools need vb_init and a configuration.
        let mod_config = config(&[(0x1000, 5), (0x2000, 3)]);
        assert_eq!(
            kd_mpi_vb_init_mod_common_pool(2),
            NOTREADY,
            "before vb_init"
        );
        assert_eq!(vb::kd_mpi_vb_set_config(&config(&[(0x10000, 4)])), 0);
        assert_eq!(vb::kd_mpi_vb_init(), 0);
        assert_eq!(
            kd_mpi_vb_set_supplement_config(&jpeg),
            NOT_PERM,
            "after vb_init"
        );
        assert_eq!(
            kd_mpi_vb_init_mod_common_pool(2),
            NOTREADY,
            "no configuration"
        );
        assert_eq!(
            kd_mpi_vb_set_mod_pool_config(15, &mod_config),
            ILLEGAL_PARAM
        );
        assert_eq!(kd_mpi_vb_set_mod_pool_config(2, null()), NULL_PTR);
        let mut empty = mod_config;
        empty.max_pool_cnt = 0;
        assert_eq!(kd_mpi_vb_set_mod_pool_config(2, &empty), ILLEGAL_PARAM);
        let mut back = VbConfig::default();
        assert_eq!(kd_mpi_vb_get_mod_pool_config(2, &mut back), NOTREADY);
        assert_eq!(kd_mpi_vb_set_mod_pool_config(2, &mod_config), 0);
        assert_eq!(kd_mpi_vb_get_mod_pool_config(2, &mut back), 0);
        assert_eq!(back, mod_config);
        assert_eq!(kd_mpi_vb_get_mod_pool_config(2, null_mut()), NULL_PTR);
        assert_eq!(kd_mpi_vb_init_mod_common_pool(2), 0);
        assert_eq!(kd_mpi_vb_init_mod_common_pool(2), 0, "again: 0");
        assert_eq!(
            kd_mpi_vb_set_mod_pool_config(2, &mod_config),
            BUSY,
            "pools made"
        );
        assert_eq!(vb::kd_mpi_vb_exit(), BUSY, "module pools still made");

        // A private block's supplement: JPEG DCF data in media memory, ISP data off.
        let pool = kd_mpi_vb_create_pool_ex(0x2000, 2, 1);
        assert_ne!(pool, VB_INVALID as i32);
        assert_eq!(
            kd_mpi_vb_create_pool_ex(0x2000, 2, 3),
            VB_INVALID as i32,
            "remap mode"
        );
        let block = vb::kd_mpi_vb_get_block(pool as u32, 0x800, null());
        assert_ne!(block, VB_INVALID);
        let mut s = supplement();
        assert_eq!(kd_mpi_vb_get_supplement_attr(block, &mut s), 0);
        assert_ne!(s.jpeg_dcf_phy_addr, 0);
        assert_eq!(s.isp_info_phy_addr, 0);
        assert!(s.jpeg_dcf_kvirt_addr.is_null());
        let again = {
            let mut t = supplement();
            assert_eq!(kd_mpi_vb_get_supplement_attr(block, &mut t), 0);
            t.jpeg_dcf_phy_addr
        };
        assert_eq!(again, s.jpeg_dcf_phy_addr, "one area per block");
        let dcf = kd_mpi_sys_mmap(s.jpeg_dcf_phy_addr, 204);
        assert!(!dcf.is_null(), "the area is media memory a program maps");
        assert_eq!(*dcf.cast::<u8>(), 0);
        assert_eq!(kd_mpi_sys_munmap(dcf, 204), 0);
        assert_eq!(
            kd_mpi_vb_get_supplement_attr(VB_INVALID, &mut s),
            ILLEGAL_PARAM
        );
        assert_eq!(
            kd_mpi_vb_get_supplement_attr(0x00ff_0000, &mut s),
            ILLEGAL_PARAM
        );
        assert_eq!(kd_mpi_vb_get_supplement_attr(block, null_mut()), NULL_PTR);

        // What a mapped address is: the block's address plus the offset; cached or not.
        let phys = vb::kd_mpi_vb_handle_to_phyaddr(block);
        let plain = kd_mpi_sys_mmap(phys, 0x800);
        let mut info = SysVirmemInfo::default();
        assert_eq!(
            kd_mpi_sys_get_virmem_info(plain.cast::<u8>().add(0x10).cast(), &mut info),
            0
        );
        assert_eq!(
            info,
            SysVirmemInfo {
                phy_addr: phys + 0x10,
                cached: 0
            }
        );
        let cached = kd_mpi_sys_mmap_cached(phys, 0x800);
        assert_eq!(kd_mpi_sys_get_virmem_info(cached, &mut info), 0);
        assert_eq!(info.cached, u32::from(cached != plain));
        assert_eq!(kd_mpi_sys_get_virmem_info(plain, null_mut()), sys_err(6));
        let outside = &info as *const SysVirmemInfo as *const std::ffi::c_void;
        assert_eq!(kd_mpi_sys_get_virmem_info(outside, &mut info), BADADDR);
        assert_eq!(kd_mpi_sys_munmap(cached, 0x800), 0);
        assert_eq!(kd_mpi_sys_munmap(plain, 0x800), 0);

        // The ends: the block back, the pool and the supplement areas gone, module pools
        // ended before the VB.
        assert_eq!(vb::kd_mpi_vb_release_block(block), 0);
        assert_eq!(vb::kd_mpi_vb_destory_pool(pool as u32), 0);
        assert_eq!(kd_mpi_vb_exit_mod_common_pool(15), ILLEGAL_PARAM);
        assert_eq!(kd_mpi_vb_exit_mod_common_pool(2), 0);
        assert_eq!(kd_mpi_vb_exit_mod_common_pool(2), 0, "again: 0");
        assert_eq!(vb::kd_mpi_vb_exit(), 0);
    }
}
