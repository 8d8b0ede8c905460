//! `kd_mpi_sys_bind` / `kd_mpi_sys_unbind`: a camera channel's frames go straight into an
//! encoder channel, as `sample_venc` ties `{K_ID_VI, dev, chn}` to `{K_ID_VENC, 0, chn}`.
//! Only that pair of modules is modeled; other modules are NOT_SUPPORT (D-051).

use crate::abi::MppChn;
use crate::board::{board, guarded};
use crate::codes::sys as code;
use log::warn;
use venc_core::consts;
use venc_sim::sys::{ModChn, SENSOR_CHANNELS, SENSOR_DEVICES};

/// The two ends, checked: `K_ID_VI` → `K_ID_VENC`, devices and channels that exist.
fn ends(call: &str, src: *const MppChn, dst: *const MppChn) -> Result<(ModChn, ModChn), i32> {
    // SAFETY: the caller passes NULL or readable k_mpp_chn structs.
    let (Some(s), Some(d)) = (unsafe { src.as_ref() }, unsafe { dst.as_ref() }) else {
        return Err(code::NULL_PTR);
    };
    if s.mod_id != consts::CAMERA_MOD_ID || d.mod_id != consts::VIDEO_ENCODE_MOD_ID {
        warn!(
            "{call}: module {} -> {}: only K_ID_VI ({}) -> K_ID_VENC ({}) is modeled (D-051)",
            s.mod_id,
            d.mod_id,
            consts::CAMERA_MOD_ID,
            consts::VIDEO_ENCODE_MOD_ID
        );
        return Err(code::NOT_SUPPORT);
    }
    let index = |v: i32, below: u32| u32::try_from(v).ok().filter(|&v| v < below);
    let (Some(sd), Some(sc), Some(dd), Some(dc)) = (
        index(s.dev_id, SENSOR_DEVICES),
        index(s.chn_id, SENSOR_CHANNELS),
        index(d.dev_id, consts::VENC_DEV_ID + 1).filter(|&v| v == consts::VENC_DEV_ID),
        index(d.chn_id, consts::VENC_MAX_CHN_NUMS),
    ) else {
        warn!(
            "{call}: ({}, {}, {}) -> ({}, {}, {}): no such device or channel",
            s.mod_id, s.dev_id, s.chn_id, d.mod_id, d.dev_id, d.chn_id
        );
        return Err(code::ILLEGAL_PARAM);
    };
    Ok((
        ModChn::from((s.mod_id, sd, sc)),
        ModChn::from((d.mod_id, dd, dc)),
    ))
}

/// `kd_mpi_sys_bind`: an encoder channel takes one source (a second is EXIST).
///
/// # Safety
/// `src_chn` and `dest_chn` are NULL or point to `k_mpp_chn`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_sys_bind(src_chn: *const MppChn, dest_chn: *const MppChn) -> i32 {
    guarded("kd_mpi_sys_bind", code::NOTREADY, || {
        let Some(b) = board() else {
            return code::NOTREADY;
        };
        let (src, dst) = match ends("kd_mpi_sys_bind", src_chn, dest_chn) {
            Ok(e) => e,
            Err(c) => return c,
        };
        match b.sim.bind(src, dst) {
            Ok(()) => 0,
            Err(why) => {
                warn!("kd_mpi_sys_bind: {why} (D-051)");
                code::EXIST
            }
        }
    })
}

/// `kd_mpi_sys_unbind`: a pair that is not bound is UNEXIST.
///
/// # Safety
/// `src_chn` and `dest_chn` are NULL or point to `k_mpp_chn`s.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_sys_unbind(src_chn: *const MppChn, dest_chn: *const MppChn) -> i32 {
    guarded("kd_mpi_sys_unbind", code::NOTREADY, || {
        let Some(b) = board() else {
            return code::NOTREADY;
        };
        let (src, dst) = match ends("kd_mpi_sys_unbind", src_chn, dest_chn) {
            Ok(e) => e,
            Err(c) => return c,
        };
        if b.sim.unbind(src, dst) {
            0
        } else {
            warn!("kd_mpi_sys_unbind: {src} -> {dst} is not bound (D-051)");
            code::UNEXIST
        }
    })
}

/// `kd_mpi_sys_get_bind_by_dest`: the source bound to `dest_chn`, written to `src_chn`; a
/// destination with no source is UNEXIST (the board's code for it is not in the facts: the
/// safe side, D-051).
///
/// # Safety
/// `dest_chn` is NULL or points to a `k_mpp_chn`; `src_chn` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_sys_get_bind_by_dest(
    dest_chn: *const MppChn,
    src_chn: *mut MppChn,
) -> i32 {
    guarded("kd_mpi_sys_get_bind_by_dest", code::NOTREADY, || {
        let Some(b) = board() else {
            return code::NOTREADY;
        };
        // SAFETY: the caller passes NULL or a readable k_mpp_chn, and NULL or a writable one.
        let (Some(d), Some(out)) = (unsafe { dest_chn.as_ref() }, unsafe { src_chn.as_mut() })
        else {
            return code::NULL_PTR;
        };
        let as_u32 = |v: i32| u32::try_from(v).unwrap_or(u32::MAX);
        let dst = ModChn::from((d.mod_id, as_u32(d.dev_id), as_u32(d.chn_id)));
        let Some(src) = b.sim.bound_source(dst) else {
            warn!("kd_mpi_sys_get_bind_by_dest: nothing is bound to {dst}");
            return code::UNEXIST;
        };
        *out = MppChn {
            mod_id: src.mod_id,
            dev_id: src.dev as i32,
            chn_id: src.chn as i32,
        };
        0
    })
}
