//! `kd_mpi_venc_set/get_dblk`, `_h265_sao`, `_h264_entropy`, `_h265_entropy` over [`Mpi`]: the
//! coding tools set between create and start. The wrapper's value checks and the kernel's
//! state and payload rules are the simulator's (k230-mpp-c-api.md §4, D-053); this layer moves
//! the C structs across the boundary and checks their pointers.

use crate::abi::{H264Entropy, H265Entropy, H265Sao};
use crate::venc::{check_chn, venc_call};
use venc_core::{Mpi, VencError};

/// `kd_mpi_venc_set_dblk`: `dblk_en` > 1 is ILLEGAL_PARAM; then create-to-start only (BUSY).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_set_dblk(chn_num: u32, dblk_en: u32) -> i32 {
    venc_call("kd_mpi_venc_set_dblk", |b| b.sim.set_dblk(chn_num, dblk_en))
}

/// `kd_mpi_venc_get_dblk`.
///
/// # Safety
/// `dblk_en` is NULL or points to a writable `k_bool`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_dblk(chn_num: u32, dblk_en: *mut u32) -> i32 {
    venc_call("kd_mpi_venc_get_dblk", |b| {
        check_chn(chn_num)?;
        // The board's wrapper has no NULL check here (§4): a code is the safe side (D-053).
        // SAFETY: the caller passes NULL or a writable k_bool.
        let out = unsafe { dblk_en.as_mut() }.ok_or(VencError::NullPtr)?;
        *out = b.sim.get_dblk(chn_num)?;
        Ok(())
    })
}

/// `kd_mpi_venc_set_h265_sao`.
///
/// # Safety
/// `h265_sao` is NULL or points to a `k_venc_h265_sao`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_set_h265_sao(chn_num: u32, h265_sao: *const H265Sao) -> i32 {
    venc_call("kd_mpi_venc_set_h265_sao", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a readable k_venc_h265_sao.
        let sao = unsafe { h265_sao.as_ref() }.ok_or(VencError::NullPtr)?;
        let sao = venc_core::H265Sao {
            luma: sao.slice_sao_luma_flag,
            chroma: sao.slice_sao_chroma_flag,
        };
        b.sim.set_h265_sao(chn_num, &sao)
    })
}

/// `kd_mpi_venc_get_h265_sao`: a channel that is not H.265 answers 0 with the struct zeroed.
///
/// # Safety
/// `h265_sao` is NULL or points to a writable `k_venc_h265_sao`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_h265_sao(chn_num: u32, h265_sao: *mut H265Sao) -> i32 {
    venc_call("kd_mpi_venc_get_h265_sao", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a writable k_venc_h265_sao.
        let out = unsafe { h265_sao.as_mut() }.ok_or(VencError::NullPtr)?;
        let sao = b.sim.get_h265_sao(chn_num)?;
        *out = H265Sao {
            slice_sao_luma_flag: sao.luma,
            slice_sao_chroma_flag: sao.chroma,
        };
        Ok(())
    })
}

/// `kd_mpi_venc_set_h264_entropy`: mode > 1 or `cabac_init_idc` > 2 is ILLEGAL_PARAM.
///
/// # Safety
/// `h264_entropy` is NULL or points to a `k_venc_h264_entropy`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_set_h264_entropy(
    chn_num: u32,
    h264_entropy: *const H264Entropy,
) -> i32 {
    venc_call("kd_mpi_venc_set_h264_entropy", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a readable k_venc_h264_entropy.
        let e = unsafe { h264_entropy.as_ref() }.ok_or(VencError::NullPtr)?;
        let e = venc_core::H264Entropy {
            mode: e.entropy_coding_mode,
            cabac_init_idc: e.cabac_init_idc,
        };
        b.sim.set_h264_entropy(chn_num, &e)
    })
}

/// `kd_mpi_venc_get_h264_entropy`: zeros (CAVLC, 0) until set, not the documented CABAC.
///
/// # Safety
/// `h264_entropy` is NULL or points to a writable `k_venc_h264_entropy`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_h264_entropy(
    chn_num: u32,
    h264_entropy: *mut H264Entropy,
) -> i32 {
    venc_call("kd_mpi_venc_get_h264_entropy", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a writable k_venc_h264_entropy.
        let out = unsafe { h264_entropy.as_mut() }.ok_or(VencError::NullPtr)?;
        let e = b.sim.get_h264_entropy(chn_num)?;
        *out = H264Entropy {
            entropy_coding_mode: e.mode,
            cabac_init_idc: e.cabac_init_idc,
        };
        Ok(())
    })
}

/// `kd_mpi_venc_set_h265_entropy`: `cabac_init_flag` > 1 is ILLEGAL_PARAM.
///
/// # Safety
/// `h265_entropy` is NULL or points to a `k_venc_h265_entropy`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_set_h265_entropy(
    chn_num: u32,
    h265_entropy: *const H265Entropy,
) -> i32 {
    venc_call("kd_mpi_venc_set_h265_entropy", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a readable k_venc_h265_entropy.
        let e = unsafe { h265_entropy.as_ref() }.ok_or(VencError::NullPtr)?;
        b.sim.set_h265_entropy(chn_num, e.cabac_init_flag)
    })
}

/// `kd_mpi_venc_get_h265_entropy`: 0 until set (the documented default is 1).
///
/// # Safety
/// `h265_entropy` is NULL or points to a writable `k_venc_h265_entropy`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_h265_entropy(
    chn_num: u32,
    h265_entropy: *mut H265Entropy,
) -> i32 {
    venc_call("kd_mpi_venc_get_h265_entropy", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a writable k_venc_h265_entropy.
        let out = unsafe { h265_entropy.as_mut() }.ok_or(VencError::NullPtr)?;
        out.cabac_init_flag = b.sim.get_h265_entropy(chn_num)?;
        Ok(())
    })
}
