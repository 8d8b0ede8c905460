//! The VENC 2D family (`kd_mpi_venc_*_2d_*`, k230-mpp-c-api.md §1.6, §4) over [`Mpi`]: OSD
//! regions and borders a channel's 2D engine draws onto every frame before the encoder reads
//! it. The wrapper's checks (only channels 0..=2 have an engine, mode and index checks
//! answered INVALID_CHNID, sic) and the kernel's rules are the simulator's; where a pointer
//! comes in, the wrapper's channel and index checks run before its NULL check, through the one
//! definition of each in [`venc_core::features`]. CSC is NOT_SUPPORT; the standalone 2D path
//! (`start_2d_chn`, `send_2d_frame`, `get_2d_frame`) draws on the program's own frames (D-057).

use crate::abi::{BorderAttr, CscAttr, OsdAttr};
use crate::board::{SentFrame, lock};
use crate::venc::venc_call;
use venc_core::features::{COEF_NUM, check_2d_chn, check_border_index, check_osd_index};
use venc_core::{Mpi, VencError};

/// `kd_mpi_venc_attach_2d`: always 0, as the wrapper answers (a failure is printed).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_attach_2d(chn_num: u32) -> i32 {
    venc_call("kd_mpi_venc_attach_2d", |b| b.sim.attach_2d(chn_num))
}

/// `kd_mpi_venc_detach_2d`: always 0; while the encoder runs the failure is printed and the
/// channel stays attached.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_detach_2d(chn_num: u32) -> i32 {
    venc_call("kd_mpi_venc_detach_2d", |b| b.sim.detach_2d(chn_num))
}

/// `kd_mpi_venc_set_2d_mode`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_set_2d_mode(chn_num: u32, mode: u32) -> i32 {
    venc_call("kd_mpi_venc_set_2d_mode", |b| {
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
        *out = b.sim.get_2d_mode(chn_num)?;
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
        check_osd_index(index)?;
        // SAFETY: the caller passes NULL or a valid k_venc_2d_osd_attr.
        let a = unsafe { attr.as_ref() }.ok_or(VencError::NullPtr)?;
        b.sim.set_2d_osd(chn_num, index, &a.to_core())
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
        check_osd_index(index)?;
        // SAFETY: the caller passes NULL or a writable k_venc_2d_osd_attr.
        let out = unsafe { attr.as_mut() }.ok_or(VencError::NullPtr)?;
        *out = OsdAttr::from_core(&b.sim.get_2d_osd(chn_num, index)?);
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
        check_border_index(index)?;
        // SAFETY: the caller passes NULL or a valid k_venc_2d_border_attr.
        let a = unsafe { attr.as_ref() }.ok_or(VencError::NullPtr)?;
        b.sim.set_2d_border(chn_num, index, &a.to_core())
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
        check_border_index(index)?;
        // SAFETY: the caller passes NULL or a writable k_venc_2d_border_attr.
        let out = unsafe { attr.as_mut() }.ok_or(VencError::NullPtr)?;
        *out = BorderAttr::from_core(&b.sim.get_2d_border(chn_num, index)?);
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
        let c = unsafe { coef.cast::<[i16; COEF_NUM]>().as_ref() }.ok_or(VencError::NullPtr)?;
        b.sim.set_2d_custom_coef(chn_num, c)
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
        let out = unsafe { coef.cast_mut().cast::<[i16; COEF_NUM]>().as_mut() }
            .ok_or(VencError::NullPtr)?;
        *out = b.sim.get_2d_custom_coef(chn_num)?;
        Ok(())
    })
}

/// `kd_mpi_venc_set_2d_color_gamut`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_set_2d_color_gamut(chn_num: u32, color_gamut: u32) -> i32 {
    venc_call("kd_mpi_venc_set_2d_color_gamut", |b| {
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
        *out = b.sim.get_2d_color_gamut(chn_num)?;
        Ok(())
    })
}

/// `kd_mpi_venc_set_2d_csc_param`: NOT_SUPPORT (colour-space conversion is not modeled).
///
/// # Safety
/// `attr` is NULL or points to a `k_venc_2d_csc_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_set_2d_csc_param(chn_num: u32, attr: *const CscAttr) -> i32 {
    venc_call("kd_mpi_venc_set_2d_csc_param", |b| {
        check_2d_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a readable k_venc_2d_csc_attr.
        let a = unsafe { attr.as_ref() }.ok_or(VencError::NullPtr)?;
        b.sim.set_2d_csc(chn_num, a.dst_fmt)
    })
}

/// `kd_mpi_venc_get_2d_csc_param`: NOT_SUPPORT.
///
/// # Safety
/// `attr` is NULL or points to a writable `k_venc_2d_csc_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_2d_csc_param(chn_num: u32, attr: *mut CscAttr) -> i32 {
    venc_call("kd_mpi_venc_get_2d_csc_param", |b| {
        check_2d_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a writable k_venc_2d_csc_attr.
        let out = unsafe { attr.as_mut() }.ok_or(VencError::NullPtr)?;
        out.dst_fmt = b.sim.get_2d_csc(chn_num)?;
        Ok(())
    })
}

/// `kd_mpi_venc_start_2d_chn`: the channel's 2D engine takes frames of its own.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_start_2d_chn(chn_num: u32) -> i32 {
    venc_call("kd_mpi_venc_start_2d_chn", |b| b.sim.start_2d_chn(chn_num))
}

/// `kd_mpi_venc_stop_2d_chn`: frames not taken are dropped.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_stop_2d_chn(chn_num: u32) -> i32 {
    venc_call("kd_mpi_venc_stop_2d_chn", |b| {
        b.sim.stop_2d_chn(chn_num)?;
        lock(&b.two_d_sent)[chn_num as usize].clear();
        Ok(())
    })
}

/// `kd_mpi_venc_send_2d_frame`: the frame drawn on in place (docs/c-api.md).
///
/// # Safety
/// `frame` is NULL or points to a `k_video_frame_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_send_2d_frame(
    chn_num: u32,
    frame: *mut crate::abi::VideoFrameInfo,
) -> i32 {
    venc_call("kd_mpi_venc_send_2d_frame", |b| {
        check_2d_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a readable k_video_frame_info.
        let f = unsafe { frame.as_ref() }.ok_or(VencError::NullPtr)?;
        b.sim.send_2d_frame(chn_num, &f.to_core())?;
        lock(&b.two_d_sent)[chn_num as usize].push_back(SentFrame(*f));
        Ok(())
    })
}

/// `kd_mpi_venc_get_2d_frame`: the oldest frame sent, as the program sent it (its planes now
/// drawn on); BUF_EMPTY when none is waiting.
///
/// # Safety
/// `frame` is NULL or points to a writable `k_video_frame_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_get_2d_frame(
    chn_num: u32,
    frame: *mut crate::abi::VideoFrameInfo,
) -> i32 {
    venc_call("kd_mpi_venc_get_2d_frame", |b| {
        check_2d_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a writable k_video_frame_info.
        let out = unsafe { frame.as_mut() }.ok_or(VencError::NullPtr)?;
        let got = b.sim.get_2d_frame(chn_num)?;
        let sent = lock(&b.two_d_sent)[chn_num as usize].pop_front();
        match sent {
            Some(SentFrame(sent)) if sent.v_frame.phys_addr == got.phys_addr => *out = sent,
            // Not a frame this library saw sent (the two queues move together, so only if the
            // simulator's were changed behind it): what the core carries.
            _ => out.set_from_core(&got),
        }
        Ok(())
    })
}
