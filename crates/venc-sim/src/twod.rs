//! The 2D calls of a VENC channel (`kd_mpi_venc_attach_2d`, `set_2d_mode`, `set_2d_osd_param`,
//! `set_2d_border_param`, `set_2d_custom_coef`, `set_2d_color_gamut`, their getters, CSC and
//! the standalone path): the wrapper's checks (only channels 0..=2 have an engine; mode and
//! index checks answered INVALID_CHNID, sic), the kernel's codes (k230-mpp-c-api.md §4: no
//! state check), and the simulator's safe side where the board's answer is not known (D-057).
//! What they set is drawn on every frame the encoder takes ([`crate::venc::overlay`]).
//!
//! Each function takes the channel the simulator's `Mpi` reached (board time, faults), after
//! [`venc_core::features::check_2d_chn`].

use crate::venc::overlay::{Gamut, Mode, OsdFormat, add_order};
use crate::venc::{Channel, Phase};
use log::warn;
use venc_core::features::{COEF_NUM, check_border_index, check_osd_index};
use venc_core::{Border, OsdRegion, VencError};

fn even(values: &[u16]) -> bool {
    values.iter().all(|v| v % 2 == 0)
}

/// `kd_mpi_venc_attach_2d`: frames of the channel go through its 2D engine.
pub(crate) fn attach(ch: &Channel) {
    let mode = ch.with_two_d(|_, t| {
        t.attached = true;
        t.mode
    });
    if mode == Mode::Csc {
        warn!(
            "venc ch{}: attach_2d in CSC mode: frames pass unchanged until set_2d_mode picks \
             OSD or BORDER (CSC is not modeled, D-057)",
            ch.id()
        );
    }
}

/// `kd_mpi_venc_detach_2d`: only with the encoder not running. The kernel refuses otherwise;
/// the wrapper prints that and answers 0, so the program sees success and the engine stays.
pub(crate) fn detach(ch: &Channel) {
    ch.with_two_d(|phase, t| {
        if phase == Phase::Started {
            warn!(
                "venc ch{}: venc detach 2d fail (the encoder is running: stop it first); the \
                 wrapper answers 0 and the engine stays attached",
                ch.id()
            );
        } else {
            t.attached = false;
        }
    });
}

/// `kd_mpi_venc_set_2d_mode`: a mode above 3 is INVALID_CHNID (the wrapper's code, sic); CSC
/// is NOT_SUPPORT (not modeled, D-057).
pub(crate) fn set_mode(ch: &Channel, mode: u32) -> Result<(), VencError> {
    let mode = Mode::from_code(mode).ok_or(VencError::InvalidChnId)?;
    if mode == Mode::Csc {
        warn!(
            "venc ch{}: set_2d_mode(CSC): colour-space conversion is not modeled (D-057)",
            ch.id()
        );
        return Err(VencError::NotSupport);
    }
    ch.with_two_d(|_, t| t.mode = mode);
    Ok(())
}

/// `kd_mpi_venc_get_2d_mode`: CSC (0) until set.
pub(crate) fn mode(ch: &Channel) -> u32 {
    ch.with_two_d(|_, t| t.mode.code())
}

/// `kd_mpi_venc_set_2d_osd_param`: region `index` (0..=7, else INVALID_CHNID). Only the
/// formats the 2D engine takes (ARGB8888/4444/1555, else NOT_SUPPORT); a size or position
/// that is odd or zero, or an add order outside the enum, is ILLEGAL_PARAM (D-057).
pub(crate) fn set_osd(ch: &Channel, index: u8, region: &OsdRegion) -> Result<(), VencError> {
    check_osd_index(index)?;
    let chn = ch.id();
    if OsdFormat::from_code(region.fmt).is_none() {
        warn!(
            "venc ch{chn}: OSD region {index}: format {} (the 2D engine takes ARGB8888, \
             ARGB4444, ARGB1555; D-057)",
            region.fmt
        );
        return Err(VencError::NotSupport);
    }
    let sizes = [region.width, region.height, region.startx, region.starty];
    if region.width == 0 || region.height == 0 || !even(&sizes) {
        warn!(
            "venc ch{chn}: OSD region {index}: {}x{} at ({}, {}): sizes and positions must be \
             even and not zero (D-057)",
            region.width, region.height, region.startx, region.starty
        );
        return Err(VencError::IllegalParam);
    }
    if add_order(region.add_order).is_none() {
        return Err(VencError::IllegalParam);
    }
    ch.with_two_d(|_, t| t.osd[usize::from(index)] = Some(*region));
    Ok(())
}

/// `kd_mpi_venc_get_2d_osd_param`: zeros until set.
pub(crate) fn osd(ch: &Channel, index: u8) -> Result<OsdRegion, VencError> {
    check_osd_index(index)?;
    Ok(ch.with_two_d(|_, t| t.osd[usize::from(index)].unwrap_or_default()))
}

/// `kd_mpi_venc_set_2d_border_param`: border `index` (0..=31, else INVALID_CHNID); odd or
/// zero sizes and a zero line width are ILLEGAL_PARAM (D-057).
pub(crate) fn set_border(ch: &Channel, index: u8, border: &Border) -> Result<(), VencError> {
    check_border_index(index)?;
    let sizes = [border.width, border.height, border.startx, border.starty];
    if border.width == 0 || border.height == 0 || border.line_width == 0 || !even(&sizes) {
        warn!(
            "venc ch{}: border {index}: {}x{} at ({}, {}), line {}: sizes and positions must \
             be even and not zero (D-057)",
            ch.id(),
            border.width,
            border.height,
            border.startx,
            border.starty,
            border.line_width
        );
        return Err(VencError::IllegalParam);
    }
    ch.with_two_d(|_, t| t.borders[usize::from(index)] = Some(*border));
    Ok(())
}

/// `kd_mpi_venc_get_2d_border_param`: zeros until set.
pub(crate) fn border(ch: &Channel, index: u8) -> Result<Border, VencError> {
    check_border_index(index)?;
    Ok(ch.with_two_d(|_, t| t.borders[usize::from(index)].unwrap_or_default()))
}

/// `kd_mpi_venc_set_2d_custom_coef`: the OSD's RGB→YUV matrix in OSD modes; in CSC mode
/// (the default) NOT_SUPPORT, in BORDER mode ILLEGAL_PARAM (VDOC: an error there; D-057).
pub(crate) fn set_custom_coef(ch: &Channel, coef: &[i16; COEF_NUM]) -> Result<(), VencError> {
    ch.with_two_d(|_, t| match t.mode {
        Mode::Csc => Err(VencError::NotSupport),
        Mode::Border => Err(VencError::IllegalParam),
        Mode::Osd | Mode::OsdBorder => {
            t.coef = *coef;
            Ok(())
        }
    })
}

/// `kd_mpi_venc_get_2d_custom_coef`: the OSD matrix in use (the gamut's until set).
pub(crate) fn custom_coef(ch: &Channel) -> Result<[i16; COEF_NUM], VencError> {
    ch.with_two_d(|_, t| match t.mode {
        Mode::Csc => Err(VencError::NotSupport),
        _ => Ok(t.coef),
    })
}

/// `kd_mpi_venc_set_2d_color_gamut`: above 2 ILLEGAL_PARAM (the wrapper's check); the OSD
/// matrix becomes the gamut's. No state or mode check, as in the kernel.
pub(crate) fn set_color_gamut(ch: &Channel, gamut: u32) -> Result<(), VencError> {
    let gamut = Gamut::from_code(gamut).ok_or(VencError::IllegalParam)?;
    ch.with_two_d(|_, t| {
        t.gamut = gamut;
        t.coef = gamut.coefficients();
    });
    Ok(())
}

/// `kd_mpi_venc_get_2d_color_gamut`: BT.709 until set.
pub(crate) fn color_gamut(ch: &Channel) -> u32 {
    ch.with_two_d(|_, t| t.gamut.code())
}

/// What is not modeled: CSC parameters and the standalone 2D path (D-057).
pub(crate) fn not_modeled(ch: &Channel, call: &str) -> VencError {
    warn!(
        "venc ch{}: {call}: colour-space conversion and the standalone 2D path are not \
         modeled; VENC+2D is (D-057)",
        ch.id()
    );
    VencError::NotSupport
}
