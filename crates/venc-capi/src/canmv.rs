//! The CanMV MPP's VENC calls (k230-mpp-c-api.md §1.7, §1.8): channels handed out by the
//! driver, stream buffers from a VB pool the program attaches, and the 44-byte
//! `k_venc_chn_attr` without `stream_buf_size`/`stream_buf_cnt`.
//!
//! A program picks this family with `-DK230_MPP_CANMV`: the headers then lay `k_venc_attr` out
//! as CanMV does and map `kd_mpi_venc_create_chn` to [`kd_mpi_venc_create_chn_canmv`], so a
//! CanMV program and an SDK program link the same library (docs/c-api.md).

use crate::abi::CanmvChnAttr;
use crate::venc::{check_chn, core_attr, venc_call};
use venc_core::{Mpi, VencError};

/// `kd_mpi_venc_request_chn`: the lowest channel neither requested nor created (D-036).
///
/// # Safety
/// `chn_num` is NULL or points to a writable `k_u32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_request_chn(chn_num: *mut u32) -> i32 {
    venc_call("kd_mpi_venc_request_chn", |b| {
        // SAFETY: the caller passes NULL or a writable k_u32.
        let out = unsafe { chn_num.as_mut() }.ok_or(VencError::NullPtr)?;
        *out = b.sim.request_chn()?;
        Ok(())
    })
}

/// `kd_mpi_venc_release_chn`: a channel requested and not created (else NOT_PERM, D-036).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_release_chn(chn_num: u32) -> i32 {
    venc_call("kd_mpi_venc_release_chn", |b| {
        check_chn(chn_num)?;
        b.sim.release_chn(chn_num)
    })
}

/// `kd_mpi_venc_attach_vb_pool` (the two-argument form): the channel's packs go to every
/// block of `pool_id`. Not while the channel runs (NOT_PERM).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_attach_vb_pool(chn_num: u32, pool_id: u32) -> i32 {
    venc_call("kd_mpi_venc_attach_vb_pool", |b| {
        check_chn(chn_num)?;
        b.sim.attach_vb_pool(chn_num, pool_id)
    })
}

/// `kd_mpi_venc_attach_vb_pool_ex`: the packs go to at most `buff_num` of the pool's blocks;
/// `buff_num` below 1 is ILLEGAL_PARAM (D-055).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_attach_vb_pool_ex(chn_num: u32, pool_id: u32, buff_num: i32) -> i32 {
    venc_call("kd_mpi_venc_attach_vb_pool_ex", |b| {
        b.sim.attach_vb_pool_ex(chn_num, pool_id, buff_num)
    })
}

/// `kd_mpi_venc_detach_vb_pool`: not while the channel runs (NOT_PERM).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_detach_vb_pool(chn_num: u32) -> i32 {
    venc_call("kd_mpi_venc_detach_vb_pool", |b| {
        check_chn(chn_num)?;
        b.sim.detach_vb_pool(chn_num)
    })
}

/// `kd_mpi_venc_create_chn` of the CanMV MPP (what the headers call under `K230_MPP_CANMV`):
/// the packs go to the pool the program attached; none attached is NOBUF (D-004).
///
/// # Safety
/// `attr` is NULL or points to a 44-byte CanMV `k_venc_chn_attr`.
#[doc(alias = "kd_mpi_venc_create_chn")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_create_chn_canmv(
    chn_num: u32,
    attr: *mut CanmvChnAttr,
) -> i32 {
    venc_call("kd_mpi_venc_create_chn", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a valid CanMV k_venc_chn_attr.
        let attr = unsafe { attr.as_ref() }.ok_or(VencError::NullPtr)?;
        let a = &attr.venc_attr;
        let picture = (a.payload, a.pic_width, a.pic_height, a.profile);
        let core = core_attr(chn_num, picture, &attr.rc_attr)?;
        b.sim.create_chn(chn_num, &core)
    })
}

const VB_INVALID: i32 = crate::vb::VB_INVALID as i32;

/// `kd_mpi_vb_create_pool_ex` (the CanMV MPP's shorthand for `kd_mpi_vb_create_pool`): a
/// private pool of `blk_cnt` blocks of `blk_size` bytes, its id or `VB_INVALID_POOLID`. The
/// remap mode is the kernel's mapping of the blocks; media memory here has no cache, so every
/// mode maps alike (a mode past `VB_REMAP_MODE_CACHED` is refused).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vb_create_pool_ex(blk_size: u64, blk_cnt: u32, mode: u32) -> i32 {
    let mut config = crate::abi::VbPoolConfig {
        blk_size,
        blk_cnt,
        mode,
        mmz_name: [0; 16],
    };
    if mode > 2 {
        return crate::board::guarded("kd_mpi_vb_create_pool_ex", VB_INVALID, || {
            log::warn!("kd_mpi_vb_create_pool_ex: remap mode {mode} outside 0..=2");
            VB_INVALID
        });
    }
    // SAFETY: a valid k_vb_pool_config on this stack.
    unsafe { crate::vb::kd_mpi_vb_create_pool(&mut config) }
}
