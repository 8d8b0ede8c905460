//! The 2D calls of a VENC channel (`kd_mpi_venc_attach_2d`, `set_2d_mode`, `set_2d_osd_param`,
//! `set_2d_border_param`, `set_2d_custom_coef`, `set_2d_color_gamut` and their getters): the
//! kernel's codes (k230-mpp-c-api.md §4: no state check, index checks answered INVALID_CHNID),
//! and the simulator's safe side where the board's answer is not known (D-057). What they set
//! is drawn on every frame the encoder takes ([`crate::venc::overlay`]).

use crate::Simulator;
use crate::venc::Phase;
use crate::venc::overlay::{
    BORDERS, BorderAttr, Gamut, Mode, OSD_REGIONS, OsdAttr, OsdFormat, add_order,
};
use log::warn;
use venc_core::{Chn, VencError};

fn even(values: &[u16]) -> bool {
    values.iter().all(|v| v % 2 == 0)
}

impl Simulator {
    /// `kd_mpi_venc_attach_2d`: frames of the channel go through its 2D engine.
    #[doc(alias = "kd_mpi_venc_attach_2d")]
    pub fn attach_2d(&self, chn: Chn) -> Result<(), VencError> {
        let mode = self.chn(chn)?.with_two_d(|_, t| {
            t.attached = true;
            t.mode
        });
        if mode == Mode::Csc {
            warn!(
                "venc ch{chn}: attach_2d in CSC mode: frames pass unchanged until set_2d_mode \
                 picks OSD or BORDER (CSC is not modeled, D-057)"
            );
        }
        Ok(())
    }

    /// `kd_mpi_venc_detach_2d`: only with the encoder not running (the kernel's refusal, which
    /// the wrapper prints and answers 0 for). `Err` says why it stays attached.
    #[doc(alias = "kd_mpi_venc_detach_2d")]
    pub fn detach_2d(&self, chn: Chn) -> Result<Result<(), String>, VencError> {
        Ok(self.chn(chn)?.with_two_d(|phase, t| {
            if phase == Phase::Started {
                return Err("the encoder is running: stop it first".to_owned());
            }
            t.attached = false;
            Ok(())
        }))
    }

    /// `kd_mpi_venc_set_2d_mode`: a mode above 3 is INVALID_CHNID (the wrapper's code, sic);
    /// CSC is NOT_SUPPORT (not modeled, D-057).
    #[doc(alias = "kd_mpi_venc_set_2d_mode")]
    pub fn set_2d_mode(&self, chn: Chn, mode: u32) -> Result<(), VencError> {
        let mode = Mode::from_code(mode).ok_or(VencError::InvalidChnId)?;
        if mode == Mode::Csc {
            warn!("venc ch{chn}: set_2d_mode(CSC): colour-space conversion is not modeled (D-057)");
            return Err(VencError::NotSupport);
        }
        self.chn(chn)?.with_two_d(|_, t| t.mode = mode);
        Ok(())
    }

    /// `kd_mpi_venc_get_2d_mode`: CSC (0) until set.
    #[doc(alias = "kd_mpi_venc_get_2d_mode")]
    pub fn two_d_mode(&self, chn: Chn) -> Result<u32, VencError> {
        Ok(self.chn(chn)?.with_two_d(|_, t| t.mode.code()))
    }

    /// `kd_mpi_venc_set_2d_osd_param`: region `index` (0..=7, else INVALID_CHNID). Only the
    /// formats the 2D engine takes (ARGB8888/4444/1555, else NOT_SUPPORT); a size or position
    /// that is odd or zero, or an add order outside the enum, is ILLEGAL_PARAM (D-057).
    #[doc(alias = "kd_mpi_venc_set_2d_osd_param")]
    pub fn set_2d_osd(&self, chn: Chn, index: u8, region: OsdAttr) -> Result<(), VencError> {
        let slot = usize::from(index);
        if slot >= OSD_REGIONS {
            return Err(VencError::InvalidChnId);
        }
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
                "venc ch{chn}: OSD region {index}: {}x{} at ({}, {}): sizes and positions must \
                 be even and not zero (D-057)",
                region.width, region.height, region.startx, region.starty
            );
            return Err(VencError::IllegalParam);
        }
        if add_order(region.add_order).is_none() {
            return Err(VencError::IllegalParam);
        }
        self.chn(chn)?.with_two_d(|_, t| t.osd[slot] = Some(region));
        Ok(())
    }

    /// `kd_mpi_venc_get_2d_osd_param`: zeros until set.
    #[doc(alias = "kd_mpi_venc_get_2d_osd_param")]
    pub fn two_d_osd(&self, chn: Chn, index: u8) -> Result<OsdAttr, VencError> {
        let slot = usize::from(index);
        if slot >= OSD_REGIONS {
            return Err(VencError::InvalidChnId);
        }
        Ok(self
            .chn(chn)?
            .with_two_d(|_, t| t.osd[slot].unwrap_or_default()))
    }

    /// `kd_mpi_venc_set_2d_border_param`: border `index` (0..=31, else INVALID_CHNID); odd or
    /// zero sizes and a zero line width are ILLEGAL_PARAM (D-057).
    #[doc(alias = "kd_mpi_venc_set_2d_border_param")]
    pub fn set_2d_border(&self, chn: Chn, index: u8, border: BorderAttr) -> Result<(), VencError> {
        let slot = usize::from(index);
        if slot >= BORDERS {
            return Err(VencError::InvalidChnId);
        }
        let sizes = [border.width, border.height, border.startx, border.starty];
        if border.width == 0 || border.height == 0 || border.line_width == 0 || !even(&sizes) {
            warn!(
                "venc ch{chn}: border {index}: {}x{} at ({}, {}), line {}: sizes and positions \
                 must be even and not zero (D-057)",
                border.width, border.height, border.startx, border.starty, border.line_width
            );
            return Err(VencError::IllegalParam);
        }
        self.chn(chn)?
            .with_two_d(|_, t| t.borders[slot] = Some(border));
        Ok(())
    }

    /// `kd_mpi_venc_get_2d_border_param`: zeros until set.
    #[doc(alias = "kd_mpi_venc_get_2d_border_param")]
    pub fn two_d_border(&self, chn: Chn, index: u8) -> Result<BorderAttr, VencError> {
        let slot = usize::from(index);
        if slot >= BORDERS {
            return Err(VencError::InvalidChnId);
        }
        Ok(self
            .chn(chn)?
            .with_two_d(|_, t| t.borders[slot].unwrap_or_default()))
    }

    /// `kd_mpi_venc_set_2d_custom_coef`: the OSD's RGB→YUV matrix in OSD modes; in CSC mode
    /// (the default) NOT_SUPPORT, in BORDER mode ILLEGAL_PARAM (VDOC: an error there; D-057).
    #[doc(alias = "kd_mpi_venc_set_2d_custom_coef")]
    pub fn set_2d_custom_coef(&self, chn: Chn, coef: [i16; 12]) -> Result<(), VencError> {
        self.chn(chn)?.with_two_d(|_, t| match t.mode {
            Mode::Csc => Err(VencError::NotSupport),
            Mode::Border => Err(VencError::IllegalParam),
            Mode::Osd | Mode::OsdBorder => {
                t.coef = coef;
                Ok(())
            }
        })
    }

    /// `kd_mpi_venc_get_2d_custom_coef`: the OSD matrix in use (the gamut's until set).
    #[doc(alias = "kd_mpi_venc_get_2d_custom_coef")]
    pub fn two_d_custom_coef(&self, chn: Chn) -> Result<[i16; 12], VencError> {
        self.chn(chn)?.with_two_d(|_, t| match t.mode {
            Mode::Csc => Err(VencError::NotSupport),
            _ => Ok(t.coef),
        })
    }

    /// `kd_mpi_venc_set_2d_color_gamut`: above 2 ILLEGAL_PARAM (the wrapper's check); the OSD
    /// matrix becomes the gamut's. No state or mode check, as in the kernel.
    #[doc(alias = "kd_mpi_venc_set_2d_color_gamut")]
    pub fn set_2d_color_gamut(&self, chn: Chn, gamut: u32) -> Result<(), VencError> {
        let gamut = Gamut::from_code(gamut).ok_or(VencError::IllegalParam)?;
        self.chn(chn)?.with_two_d(|_, t| {
            t.gamut = gamut;
            t.coef = gamut.coefficients();
        });
        Ok(())
    }

    /// `kd_mpi_venc_get_2d_color_gamut`: BT.709 until set.
    #[doc(alias = "kd_mpi_venc_get_2d_color_gamut")]
    pub fn two_d_color_gamut(&self, chn: Chn) -> Result<u32, VencError> {
        Ok(self.chn(chn)?.with_two_d(|_, t| t.gamut.code()))
    }
}
