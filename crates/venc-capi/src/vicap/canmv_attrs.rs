//! The CanMV MPP's VICAP attributes (what a program built with `K230_MPP_CANMV` calls): the
//! SDK's, plus `buffer_pool_id` in the channel and the device. `VB_INVALID_POOLID` (what every
//! public program passes) means the driver's own buffers, as the SDK's calls have; a channel's
//! other id is the program's pool its buffers are taken from at `start_stream` (each block
//! large enough, enough free blocks), given back at `deinit`. The device's buffers (offline
//! and load-image modes) are not modelled: an id there is warned, counted, and ignored (D-061);
//! in online mode, which has none, it is not read (programs `memset` it to 0).

use super::types::{VicapChnAttr, VicapChnAttrCanmv, VicapDevAttr};
use super::{
    chn_pool, kd_mpi_vicap_get_chn_attr, kd_mpi_vicap_get_dev_attr, kd_mpi_vicap_set_dev_attr,
    set_chn_attr,
};
use crate::unmodelled::unmodelled_part;

const VB_INVALID_POOLID: u32 = u32::MAX;
const WORK_ONLINE_MODE: u32 = 0;

/// `kd_mpi_vicap_set_dev_attr` of the CanMV MPP.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vicap_set_dev_attr_canmv(dev_num: u32, dev_attr: VicapDevAttr) -> i32 {
    let pool = dev_attr.buffer_pool_id_canmv;
    if dev_attr.mode != WORK_ONLINE_MODE && pool != VB_INVALID_POOLID {
        unmodelled_part(
            "k_vicap_dev_attr.buffer_pool_id",
            &format!(
                "vicap dev{dev_num}: pool {pool}: the device's buffers are not modelled (D-061)"
            ),
        );
    }
    kd_mpi_vicap_set_dev_attr(dev_num, dev_attr)
}

/// `kd_mpi_vicap_get_dev_attr` of the CanMV MPP: `buffer_pool_id` as set.
///
/// # Safety
/// `dev_attr` is NULL or points to a writable CanMV `k_vicap_dev_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vicap_get_dev_attr_canmv(
    dev_num: u32,
    dev_attr: *mut VicapDevAttr,
) -> i32 {
    // SAFETY: the same contract; the tail word is the CanMV field, stored with the rest.
    unsafe { kd_mpi_vicap_get_dev_attr(dev_num, dev_attr) }
}

/// `kd_mpi_vicap_set_chn_attr` of the CanMV MPP: `buffer_pool_id` other than
/// `VB_INVALID_POOLID` is the pool the channel's buffers are taken from.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vicap_set_chn_attr_canmv(
    dev_num: u32,
    chn_num: u32,
    chn_attr: VicapChnAttrCanmv,
) -> i32 {
    let pool = Some(chn_attr.buffer_pool_id).filter(|&p| p != VB_INVALID_POOLID);
    set_chn_attr(dev_num, chn_num, chn_attr.attr, pool)
}

/// `kd_mpi_vicap_get_chn_attr` of the CanMV MPP: `buffer_pool_id` as set.
///
/// # Safety
/// `chn_attr` is NULL or points to a writable CanMV `k_vicap_chn_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vicap_get_chn_attr_canmv(
    dev_num: u32,
    chn_num: u32,
    chn_attr: *mut VicapChnAttrCanmv,
) -> i32 {
    let mut attr = VicapChnAttr::default();
    // SAFETY: a valid local.
    let code = unsafe { kd_mpi_vicap_get_chn_attr(dev_num, chn_num, &mut attr) };
    if code != 0 {
        return code;
    }
    let pool = match chn_pool(dev_num, chn_num) {
        Ok(pool) => pool.unwrap_or(VB_INVALID_POOLID),
        Err(code) => return code,
    };
    // SAFETY: NULL or writable, by the caller's contract.
    match unsafe { chn_attr.as_mut() } {
        Some(out) => {
            *out = VicapChnAttrCanmv {
                attr,
                buffer_pool_id: pool,
            };
            0
        }
        None => super::code::NULL_PTR,
    }
}
