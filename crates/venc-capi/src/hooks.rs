//! What the simulator offers beyond the K230's calls, for harnesses and for programs testing
//! their error handling (`include/venc_sim.h`).
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
        *out = Mpi::released_pts(b.sim.as_ref(), chn_num)?.unwrap_or_default();
        Ok(())
    })
}

/// `venc_sim_inject_fault`: arms a fault (`venc --fault`'s spec, e.g. `send-frame-busy@next`,
/// `drop-frame@every=5`, `vpu-stall:200ms@10%`) so a program can see its error handling run.
/// A spec that does not parse is K_ERR_VENC_ILLEGAL_PARAM, the reason printed; NULL is NULL_PTR.
/// Each fault that strikes is logged.
///
/// # Safety
/// `spec` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn venc_sim_inject_fault(spec: *const std::ffi::c_char) -> i32 {
    venc_call("venc_sim_inject_fault", |b| {
        if spec.is_null() {
            return Err(VencError::NullPtr);
        }
        // SAFETY: the caller passes a NUL-terminated string.
        let text = unsafe { std::ffi::CStr::from_ptr(spec) }.to_string_lossy();
        let spec: venc_core::FaultSpec = text.parse().map_err(|e| {
            eprintln!("venc_sim_inject_fault: {e}");
            VencError::IllegalParam
        })?;
        b.sim.inject_fault(&spec)
    })
}
