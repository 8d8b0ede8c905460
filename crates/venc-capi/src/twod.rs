//! The VENC 2D family (`kd_mpi_venc_*_2d_*`, k230-mpp-c-api.md §1.6, §4): OSD regions and
//! borders a channel's 2D engine draws onto every frame before the encoder reads it.
//!
//! The wrapper's checks come first: `chn_num > 2` is INVALID_CHNID on every 2D call (only the
//! first three channels have a 2D engine), a mode above 3, an OSD index above 7 and a border
//! index above 31 are INVALID_CHNID too (sic), a gamut above 2 ILLEGAL_PARAM, NULL pointers
//! NULL_PTR; `attach_2d`/`detach_2d` print their failure and answer 0. Colour-space conversion
//! and the standalone 2D path (`start_2d_chn`, `send_2d_frame`, …) are NOT_SUPPORT (D-057).

use crate::abi::{BorderAttr, CscAttr, OsdAttr};
use crate::venc::venc_call;
use log::warn;
use venc_core::VencError;

/// Channels with a 2D engine.
const TWO_D_CHANNELS: u32 = 3;

fn check_2d_chn(chn: u32) -> Result<(), VencError> {
    if chn >= TWO_D_CHANNELS {
        return Err(VencError::InvalidChnId);
    }
    Ok(())
}

/// The standalone 2D calls: not modeled.
fn standalone(call: &str, chn: u32) -> i32 {
    venc_call(call, |_| {
        check_2d_chn(chn)?;
        warn!("{call}: the standalone 2D path is not modeled; VENC+2D is (D-057)");
        Err(VencError::NotSupport)
    })
}

/// `kd_mpi_venc_attach_2d`: always 0, as the wrapper answers (a failure is printed).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_attach_2d(chn_num: u32) -> i32 {
    venc_call("kd_mpi_venc_attach_2d", |b| {
        check_2d_chn(chn_num)?;
        if let Err(e) = b.sim.attach_2d(chn_num) {
            eprintln!("venc attach 2d fail:{e}");
        }
        Ok(())
    })
}

/// `kd_mpi_venc_detach_2d`: always 0; while the encoder runs it prints the failure and the
/// channel stays attached.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_detach_2d(chn_num: u32) -> i32 {
    venc_call("kd_mpi_venc_detach_2d", |b| {
        check_2d_chn(chn_num)?;
        match b.sim.detach_2d(chn_num) {
            Ok(Ok(())) => {}
            Ok(Err(why)) => eprintln!("venc detach 2d fail ({why})"),
            Err(e) => eprintln!("venc detach 2d fail ({e})"),
        }
        Ok(())
    })
}

/// `kd_mpi_venc_set_2d_mode`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_set_2d_mode(chn_num: u32, mode: u32) -> i32 {
    venc_call("kd_mpi_venc_set_2d_mode", |b| {
        check_2d_chn(chn_num)?;
        if mode > 3 {
            return Err(VencError::InvalidChnId);
        }
        b.sim.set_2d_mode(chn_num, mode)
    })
}

/// `kd_mpi_venc_get_2d_mode`.
///
/// # Safety
/// `mode` is NULL or points to a writable `k_venc_2d_calc_mode`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_2d_mode(chn_num: u32, mode: *mut u32) -> i32 {
    venc_call("kd_mpi_venc_get_2d_mode", |b| {
        check_2d_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a writable enum.
        let out = unsafe { mode.as_mut() }.ok_or(VencError::NullPtr)?;
        *out = b.sim.two_d_mode(chn_num)?;
        Ok(())
    })
}

/// `kd_mpi_venc_set_2d_osd_param`.
///
/// # Safety
/// `attr` is NULL or points to a `k_venc_2d_osd_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_set_2d_osd_param(
    chn_num: u32,
    index: u8,
    attr: *const OsdAttr,
) -> i32 {
    venc_call("kd_mpi_venc_set_2d_osd_param", |b| {
        check_2d_chn(chn_num)?;
        if index > 7 {
            return Err(VencError::InvalidChnId);
        }
        // SAFETY: the caller passes NULL or a valid k_venc_2d_osd_attr.
        let a = unsafe { attr.as_ref() }.ok_or(VencError::NullPtr)?;
        b.sim.set_2d_osd(chn_num, index, *a)
    })
}

/// `kd_mpi_venc_get_2d_osd_param`: zeros until set.
///
/// # Safety
/// `attr` is NULL or points to a writable `k_venc_2d_osd_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_2d_osd_param(
    chn_num: u32,
    index: u8,
    attr: *mut OsdAttr,
) -> i32 {
    venc_call("kd_mpi_venc_get_2d_osd_param", |b| {
        check_2d_chn(chn_num)?;
        if index > 7 {
            return Err(VencError::InvalidChnId);
        }
        // SAFETY: the caller passes NULL or a writable k_venc_2d_osd_attr.
        let out = unsafe { attr.as_mut() }.ok_or(VencError::NullPtr)?;
        *out = b.sim.two_d_osd(chn_num, index)?;
        Ok(())
    })
}

/// `kd_mpi_venc_set_2d_border_param`.
///
/// # Safety
/// `attr` is NULL or points to a `k_venc_2d_border_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_set_2d_border_param(
    chn_num: u32,
    index: u8,
    attr: *const BorderAttr,
) -> i32 {
    venc_call("kd_mpi_venc_set_2d_border_param", |b| {
        check_2d_chn(chn_num)?;
        if index > 31 {
            return Err(VencError::InvalidChnId);
        }
        // SAFETY: the caller passes NULL or a valid k_venc_2d_border_attr.
        let a = unsafe { attr.as_ref() }.ok_or(VencError::NullPtr)?;
        b.sim.set_2d_border(chn_num, index, *a)
    })
}

/// `kd_mpi_venc_get_2d_border_param`: zeros until set.
///
/// # Safety
/// `attr` is NULL or points to a writable `k_venc_2d_border_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_2d_border_param(
    chn_num: u32,
    index: u8,
    attr: *mut BorderAttr,
) -> i32 {
    venc_call("kd_mpi_venc_get_2d_border_param", |b| {
        check_2d_chn(chn_num)?;
        if index > 31 {
            return Err(VencError::InvalidChnId);
        }
        // SAFETY: the caller passes NULL or a writable k_venc_2d_border_attr.
        let out = unsafe { attr.as_mut() }.ok_or(VencError::NullPtr)?;
        *out = b.sim.two_d_border(chn_num, index)?;
        Ok(())
    })
}

/// `kd_mpi_venc_set_2d_custom_coef`: 12 coefficients.
///
/// # Safety
/// `coef` is NULL or points to 12 `k_s16`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_set_2d_custom_coef(chn_num: u32, coef: *const i16) -> i32 {
    venc_call("kd_mpi_venc_set_2d_custom_coef", |b| {
        check_2d_chn(chn_num)?;
        // SAFETY: the caller passes NULL or 12 k_s16.
        let c = unsafe { coef.cast::<[i16; 12]>().as_ref() }.ok_or(VencError::NullPtr)?;
        b.sim.set_2d_custom_coef(chn_num, *c)
    })
}

/// `kd_mpi_venc_get_2d_custom_coef` (the SDK declares the output `const`).
///
/// # Safety
/// `coef` is NULL or points to 12 writable `k_s16`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_2d_custom_coef(chn_num: u32, coef: *const i16) -> i32 {
    venc_call("kd_mpi_venc_get_2d_custom_coef", |b| {
        check_2d_chn(chn_num)?;
        // SAFETY: the caller passes NULL or 12 writable k_s16 (const in the SDK's prototype).
        let out =
            unsafe { coef.cast_mut().cast::<[i16; 12]>().as_mut() }.ok_or(VencError::NullPtr)?;
        *out = b.sim.two_d_custom_coef(chn_num)?;
        Ok(())
    })
}

/// `kd_mpi_venc_set_2d_color_gamut`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_set_2d_color_gamut(chn_num: u32, color_gamut: u32) -> i32 {
    venc_call("kd_mpi_venc_set_2d_color_gamut", |b| {
        check_2d_chn(chn_num)?;
        b.sim.set_2d_color_gamut(chn_num, color_gamut)
    })
}

/// `kd_mpi_venc_get_2d_color_gamut`.
///
/// # Safety
/// `color_gamut` is NULL or points to a writable `k_venc_2d_color_gamut`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_2d_color_gamut(
    chn_num: u32,
    color_gamut: *mut u32,
) -> i32 {
    venc_call("kd_mpi_venc_get_2d_color_gamut", |b| {
        check_2d_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a writable enum.
        let out = unsafe { color_gamut.as_mut() }.ok_or(VencError::NullPtr)?;
        *out = b.sim.two_d_color_gamut(chn_num)?;
        Ok(())
    })
}

/// `kd_mpi_venc_set_2d_csc_param`: NOT_SUPPORT (colour-space conversion is not modeled).
///
/// # Safety
/// `attr` is NULL or points to a `k_venc_2d_csc_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_set_2d_csc_param(chn_num: u32, attr: *const CscAttr) -> i32 {
    venc_call("kd_mpi_venc_set_2d_csc_param", |_| {
        check_2d_chn(chn_num)?;
        if attr.is_null() {
            return Err(VencError::NullPtr);
        }
        Err(VencError::NotSupport)
    })
}

/// `kd_mpi_venc_get_2d_csc_param`: NOT_SUPPORT.
///
/// # Safety
/// `attr` is NULL or points to a writable `k_venc_2d_csc_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_2d_csc_param(chn_num: u32, attr: *mut CscAttr) -> i32 {
    venc_call("kd_mpi_venc_get_2d_csc_param", |_| {
        check_2d_chn(chn_num)?;
        if attr.is_null() {
            return Err(VencError::NullPtr);
        }
        Err(VencError::NotSupport)
    })
}

/// `kd_mpi_venc_start_2d_chn`: the standalone 2D path, NOT_SUPPORT.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_start_2d_chn(chn_num: u32) -> i32 {
    standalone("kd_mpi_venc_start_2d_chn", chn_num)
}

/// `kd_mpi_venc_stop_2d_chn`: the standalone 2D path, NOT_SUPPORT.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_stop_2d_chn(chn_num: u32) -> i32 {
    standalone("kd_mpi_venc_stop_2d_chn", chn_num)
}

/// `kd_mpi_venc_send_2d_frame`: the standalone 2D path, NOT_SUPPORT.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_send_2d_frame(
    chn_num: u32,
    _frame: *mut crate::abi::VideoFrameInfo,
) -> i32 {
    standalone("kd_mpi_venc_send_2d_frame", chn_num)
}

/// `kd_mpi_venc_get_2d_frame`: the standalone 2D path, NOT_SUPPORT.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_get_2d_frame(
    chn_num: u32,
    _frame: *mut crate::abi::VideoFrameInfo,
) -> i32 {
    standalone("kd_mpi_venc_get_2d_frame", chn_num)
}
