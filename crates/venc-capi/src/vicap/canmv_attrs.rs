//! The CanMV MPP's VICAP attributes (what a program built with `K230_MPP_CANMV` calls): the
//! SDK's, plus `buffer_pool_id` in the channel and the device. `VB_INVALID_POOLID` (what every
//! public program passes) means the driver's own buffers, as the SDK's calls have. Capturing
//! into a program's pool is not modelled: another id is warned, counted, and the driver's own
//! buffers are used, so the program runs on (D-061). The device's id is read only in the
//! modes that use device buffers (offline, load image): in online mode the board has none.

use super::types::{VicapChnAttr, VicapChnAttrCanmv, VicapDevAttr};
use super::{
    kd_mpi_vicap_get_chn_attr, kd_mpi_vicap_get_dev_attr, kd_mpi_vicap_set_chn_attr,
    kd_mpi_vicap_set_dev_attr,
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
            &format!("vicap dev{dev_num}: pool {pool}: the driver's own buffers are used (D-061)"),
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

/// `kd_mpi_vicap_set_chn_attr` of the CanMV MPP.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vicap_set_chn_attr_canmv(
    dev_num: u32,
    chn_num: u32,
    chn_attr: VicapChnAttrCanmv,
) -> i32 {
    let pool = chn_attr.buffer_pool_id;
    if pool != VB_INVALID_POOLID {
        unmodelled_part(
            "k_vicap_chn_attr.buffer_pool_id",
            &format!(
                "vicap dev{dev_num} chn{chn_num}: pool {pool}: the driver's own buffers are used \
                 (D-061)"
            ),
        );
    }
    kd_mpi_vicap_set_chn_attr(dev_num, chn_num, chn_attr.attr)
}

/// `kd_mpi_vicap_get_chn_attr` of the CanMV MPP: `buffer_pool_id` is `VB_INVALID_POOLID` (the
/// buffers are the driver's).
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
    // SAFETY: NULL or writable, by the caller's contract.
    match unsafe { chn_attr.as_mut() } {
        Some(out) => {
            *out = VicapChnAttrCanmv {
                attr,
                buffer_pool_id: VB_INVALID_POOLID,
            };
            0
        }
        None => super::code::NULL_PTR,
    }
}
