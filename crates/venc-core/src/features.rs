//! The values of the VENC calls beyond the encode loop — the 2D engine (OSD regions, borders),
//! the coding tools (SAO, entropy) — as [`crate::Mpi`] takes them, and the user-space
//! wrapper's index checks, defined once for every front (k230-mpp-c-api.md §1.5, §1.6, §4).
//!
//! These are Rust values, not the C layouts: the C library converts its `#[repr(C)]` structs,
//! the board protocol its words, the Python front its uctypes structs. Fields stay raw
//! integers on purpose: a backend must receive (and reject) anything a program can pass.

use crate::error::VencError;
use crate::mpi::Chn;
use serde::{Deserialize, Serialize};

/// Channels with a 2D engine: the wrapper answers INVALID_CHNID on every 2D call above them.
pub const TWO_D_CHANNELS: u32 = 3;
/// OSD regions per channel (VDOC: 8, from 0).
pub const OSD_REGIONS: u8 = 8;
/// Borders per channel (VDOC: 32, from 0).
pub const BORDERS: u8 = 32;
/// `K_VENC_2D_COEF_NUM`: the RGB→YUV matrix's coefficients (three rows of R, G, B, offset).
pub const COEF_NUM: usize = 12;

/// The wrapper's first check on a 2D call: only channels 0..=2 have an engine.
pub fn check_2d_chn(chn: Chn) -> Result<(), VencError> {
    if chn >= TWO_D_CHANNELS {
        return Err(VencError::InvalidChnId);
    }
    Ok(())
}

/// The wrapper's check of an OSD region index: above 7 is INVALID_CHNID (sic).
pub fn check_osd_index(index: u8) -> Result<(), VencError> {
    if index >= OSD_REGIONS {
        return Err(VencError::InvalidChnId);
    }
    Ok(())
}

/// The wrapper's check of a border index: above 31 is INVALID_CHNID (sic).
pub fn check_border_index(index: u8) -> Result<(), VencError> {
    if index >= BORDERS {
        return Err(VencError::InvalidChnId);
    }
    Ok(())
}

/// `k_venc_2d_osd_attr`: a picture in media memory laid over the frame. Only `phys_addr[0]`
/// is read (the packed ARGB formats have one plane); `bg_color` is YUV444 (Y bits 0–7, U 8–15,
/// V 16–23).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[doc(alias = "k_venc_2d_osd_attr")]
pub struct OsdRegion {
    pub width: u16,
    pub height: u16,
    pub startx: u16,
    pub starty: u16,
    pub phys_addr: [u32; 3],
    pub bg_alpha: u8,
    pub osd_alpha: u8,
    pub video_alpha: u8,
    /// `k_venc_2d_add_order`.
    pub add_order: u32,
    pub bg_color: u32,
    /// `k_venc_2d_osd_fmt`.
    pub fmt: u32,
}

/// `k_venc_2d_border_attr`: a rectangle's outline; `color` is YUV444 as in [`OsdRegion`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[doc(alias = "k_venc_2d_border_attr")]
pub struct Border {
    pub width: u16,
    pub height: u16,
    pub line_width: u16,
    pub color: u32,
    pub startx: u16,
    pub starty: u16,
}

/// `k_venc_h265_sao`: the slice SAO flags (0 or 1 each).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[doc(alias = "k_venc_h265_sao")]
pub struct H265Sao {
    pub luma: u32,
    pub chroma: u32,
}

/// `k_venc_h264_entropy`: `k_venc_entropy_mode` (CAVLC 0, CABAC 1) and `cabac_init_idc`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[doc(alias = "k_venc_h264_entropy")]
pub struct H264Entropy {
    pub mode: u32,
    pub cabac_init_idc: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wrappers_index_checks_answer_invalid_chnid() {
        assert_eq!(check_2d_chn(2), Ok(()));
        assert_eq!(check_2d_chn(3), Err(VencError::InvalidChnId));
        assert_eq!(check_osd_index(7), Ok(()));
        assert_eq!(check_osd_index(8), Err(VencError::InvalidChnId));
        assert_eq!(check_border_index(31), Ok(()));
        assert_eq!(check_border_index(32), Err(VencError::InvalidChnId));
    }
}
