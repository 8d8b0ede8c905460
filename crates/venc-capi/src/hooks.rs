//! What the simulator offers beyond the K230's calls, for harnesses (`include/venc_sim.h`).
//! No K230 program calls these: they are named `venc_sim_*`, never `kd_mpi_*`.

use crate::venc::{check_chn, venc_call};
use venc_core::{Mpi, VencError};

/// `venc_sim_release_pic_pts`: the pts of the last input picture channel `chn_num` released.
/// `kd_mpi_venc_query_status` leaves `release_pic_pts` 0, as the board's kernel does
/// (k230-mpp-c-api.md §3); a harness that must know when a frame buffer is free again asks
/// here (the conformance suite's `capi` backend, D-056).
///
/// # Safety
/// `pts` is NULL or points to a writable `k_u64`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn venc_sim_release_pic_pts(chn_num: u32, pts: *mut u64) -> i32 {
    venc_call("venc_sim_release_pic_pts", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a writable k_u64.
        let out = unsafe { pts.as_mut() }.ok_or(VencError::NullPtr)?;
        *out = b.sim.query_status(chn_num)?.release_pic_pts;
        Ok(())
    })
}
