//! `kd_mpi_venc_set_rotation` / `get_rotation` / `set_mirror` / `get_mirror` over [`Mpi`]: the
//! input frame flags every later frame gets (k230-mpp-c-api.md §4), checked and applied by the
//! simulator (D-052). This layer only moves values across the C boundary.

use crate::venc::{check_chn, venc_call};
use venc_core::{Mpi, VencError};

/// `kd_mpi_venc_set_rotation`: `K_VPU_ROTATION_0..270` (0..3, else ILLEGAL_PARAM); any state.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_set_rotation(chn_num: u32, rotation: u32) -> i32 {
    venc_call("kd_mpi_venc_set_rotation", |b| {
        b.sim.set_rotation(chn_num, rotation)
    })
}

/// `kd_mpi_venc_get_rotation`.
///
/// # Safety
/// `rotation` is NULL or points to a writable `k_rotation`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_rotation(chn_num: u32, rotation: *mut u32) -> i32 {
    venc_call("kd_mpi_venc_get_rotation", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a writable k_rotation.
        let out = unsafe { rotation.as_mut() }.ok_or(VencError::NullPtr)?;
        *out = b.sim.get_rotation(chn_num)?;
        Ok(())
    })
}

/// `kd_mpi_venc_set_mirror`: `K_VENC_MIRROR_HORI` (1) or `VERT` (2); 0 and above 2 are
/// ILLEGAL_PARAM, so a mirror cannot be cleared (the board's wrapper checks the same).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_set_mirror(chn_num: u32, mirror: u32) -> i32 {
    venc_call("kd_mpi_venc_set_mirror", |b| {
        b.sim.set_mirror(chn_num, mirror)
    })
}

/// `kd_mpi_venc_get_mirror`: 0 until set (not a value of the enum).
///
/// # Safety
/// `mirror` is NULL or points to a writable `k_venc_mirror`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_mirror(chn_num: u32, mirror: *mut u32) -> i32 {
    venc_call("kd_mpi_venc_get_mirror", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a writable k_venc_mirror.
        let out = unsafe { mirror.as_mut() }.ok_or(VencError::NullPtr)?;
        *out = b.sim.get_mirror(chn_num)?;
        Ok(())
    })
}
