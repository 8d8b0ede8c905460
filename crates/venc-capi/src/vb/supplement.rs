//! The supplement of a block: what the MPP's modules carry beside a picture (JPEG DCF data,
//! real-time ISP data), switched on for every block by `kd_mpi_vb_set_supplement_config`
//! before `kd_mpi_vb_init`. A block's area is media memory of its own, 4 KiB: the DCF data
//! (`k_jpeg_dcf`, 204 bytes) at its start, the ISP data (`k_isp_frame_info`, 60 bytes) at 2
//! KiB; a program maps it with `kd_mpi_sys_mmap`. The simulated modules write nothing there
//! (the simulated ISP has no statistics; the JPEG encoder no DCF), so it reads as zeros. The
//! `kvirt` fields are kernel addresses on the board: 0 here, where there is no kernel.

use super::{VB_INVALID, Vb, phys_of};
use crate::abi::VideoSupplement;
use crate::board::{board, guarded, lock};
use crate::codes;
use log::warn;

/// `VB_SUPPLEMENT_JPEG_MASK`, `VB_SUPPLEMENT_ISP_INFO_MASK`.
const JPEG: u32 = 1;
const ISP_INFO: u32 = 2;
const AREA_BYTES: u64 = 4096;
const ISP_INFO_OFFSET: u64 = 2048;

/// `k_vb_supplement_config`.
#[doc(alias = "k_vb_supplement_config")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VbSupplementConfig {
    pub supplement_config: u32,
}

/// `kd_mpi_vb_set_supplement_config`: the supplement every block carries; before
/// `kd_mpi_vb_init` (after it: NOT_PERM, the pools are made). Unknown bits: ILLEGAL_PARAM.
///
/// # Safety
/// `supplement_config` is NULL or points to a `k_vb_supplement_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vb_set_supplement_config(
    supplement_config: *const VbSupplementConfig,
) -> i32 {
    guarded(
        "kd_mpi_vb_set_supplement_config",
        codes::vb::NOTREADY,
        || {
            let Some(board) = board() else {
                return codes::vb::NOTREADY;
            };
            // SAFETY: NULL or a valid struct, by the caller's contract.
            let Some(config) = (unsafe { supplement_config.as_ref() }) else {
                return codes::vb::NULL_PTR;
            };
            let mask = config.supplement_config;
            if mask & !(JPEG | ISP_INFO) != 0 {
                warn!("kd_mpi_vb_set_supplement_config: unknown bits 0x{mask:x}");
                return codes::vb::ILLEGAL_PARAM;
            }
            let mut vb = lock(&board.vb);
            if vb.inited {
                warn!(
                    "kd_mpi_vb_set_supplement_config: the VB is initialised; set the supplement \
                 before kd_mpi_vb_init"
                );
                return codes::vb::NOT_PERM;
            }
            vb.supplement_mask = mask;
            0
        },
    )
}

/// `kd_mpi_vb_get_supplement_config`: what `set_supplement_config` stored (0 before).
///
/// # Safety
/// `supplement_config` is NULL or points to a writable `k_vb_supplement_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vb_get_supplement_config(
    supplement_config: *mut VbSupplementConfig,
) -> i32 {
    guarded(
        "kd_mpi_vb_get_supplement_config",
        codes::vb::NOTREADY,
        || {
            let Some(board) = board() else {
                return codes::vb::NOTREADY;
            };
            // SAFETY: NULL or writable, by the caller's contract.
            let Some(out) = (unsafe { supplement_config.as_mut() }) else {
                return codes::vb::NULL_PTR;
            };
            out.supplement_config = lock(&board.vb).supplement_mask;
            0
        },
    )
}

/// The supplement area of the block at `block`, made on first use.
fn area(board: &crate::board::Board, vb: &mut Vb, block: u64) -> Result<u64, i32> {
    if let Some(&a) = vb.supplements.get(&block) {
        return Ok(a);
    }
    match board.sim.memory().alloc(AREA_BYTES) {
        Ok(a) => {
            vb.supplements.insert(block, a);
            Ok(a)
        }
        Err(e) => {
            warn!("kd_mpi_vb_get_supplement_attr: no memory for the supplement: {e}");
            Err(codes::vb::NOMEM)
        }
    }
}

/// `kd_mpi_vb_get_supplement_attr`: where a block's supplement data is (0 for what the
/// configuration does not carry). A bad handle: ILLEGAL_PARAM.
///
/// # Safety
/// `supplement` is NULL or points to a writable `k_video_supplement`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vb_get_supplement_attr(
    block: u32,
    supplement: *mut VideoSupplement,
) -> i32 {
    guarded("kd_mpi_vb_get_supplement_attr", codes::vb::NOTREADY, || {
        let Some(board) = board() else {
            return codes::vb::NOTREADY;
        };
        // SAFETY: NULL or writable, by the caller's contract.
        let Some(out) = (unsafe { supplement.as_mut() }) else {
            return codes::vb::NULL_PTR;
        };
        let Some(addr) = (block != VB_INVALID)
            .then(|| phys_of(board, block))
            .flatten()
        else {
            warn!("kd_mpi_vb_get_supplement_attr: 0x{block:x} is not a block handle");
            return codes::vb::ILLEGAL_PARAM;
        };
        let mut vb = lock(&board.vb);
        let mask = vb.supplement_mask;
        let base = if mask == 0 {
            0
        } else {
            match area(board, &mut vb, addr) {
                Ok(a) => a,
                Err(code) => return code,
            }
        };
        *out = VideoSupplement {
            jpeg_dcf_phy_addr: if mask & JPEG != 0 { base } else { 0 },
            isp_info_phy_addr: if mask & ISP_INFO != 0 {
                base + ISP_INFO_OFFSET
            } else {
                0
            },
            jpeg_dcf_kvirt_addr: std::ptr::null_mut(),
            isp_info_kvirt_addr: std::ptr::null_mut(),
        };
        0
    })
}
