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

/// Words of a C struct: every field widened to `u32` in declaration order (an array field's
/// elements one by one). What the board protocol and the Python front's bindings carry; going
/// back, a field keeps the low bits a C store into it keeps.
pub trait Words: Sized {
    /// How many words.
    const LEN: usize;
    /// The fields in order.
    fn to_words(&self) -> Vec<u32>;
    /// The struct of `words`; `None` when there are not exactly [`Self::LEN`].
    fn from_words(words: &[u32]) -> Option<Self>;
}

impl Words for OsdRegion {
    const LEN: usize = 13;
    fn to_words(&self) -> Vec<u32> {
        let r = self;
        let [a0, a1, a2] = r.phys_addr;
        vec![
            r.width.into(),
            r.height.into(),
            r.startx.into(),
            r.starty.into(),
            a0,
            a1,
            a2,
            r.bg_alpha.into(),
            r.osd_alpha.into(),
            r.video_alpha.into(),
            r.add_order,
            r.bg_color,
            r.fmt,
        ]
    }
    fn from_words(w: &[u32]) -> Option<Self> {
        let &[
            width,
            height,
            startx,
            starty,
            a0,
            a1,
            a2,
            bg,
            osd,
            video,
            order,
            color,
            fmt,
        ] = w
        else {
            return None;
        };
        Some(Self {
            width: width as u16,
            height: height as u16,
            startx: startx as u16,
            starty: starty as u16,
            phys_addr: [a0, a1, a2],
            bg_alpha: bg as u8,
            osd_alpha: osd as u8,
            video_alpha: video as u8,
            add_order: order,
            bg_color: color,
            fmt,
        })
    }
}

impl Words for Border {
    const LEN: usize = 6;
    fn to_words(&self) -> Vec<u32> {
        let b = self;
        vec![
            b.width.into(),
            b.height.into(),
            b.line_width.into(),
            b.color,
            b.startx.into(),
            b.starty.into(),
        ]
    }
    fn from_words(w: &[u32]) -> Option<Self> {
        let &[width, height, line_width, color, startx, starty] = w else {
            return None;
        };
        Some(Self {
            width: width as u16,
            height: height as u16,
            line_width: line_width as u16,
            color,
            startx: startx as u16,
            starty: starty as u16,
        })
    }
}

impl Words for H265Sao {
    const LEN: usize = 2;
    fn to_words(&self) -> Vec<u32> {
        vec![self.luma, self.chroma]
    }
    fn from_words(w: &[u32]) -> Option<Self> {
        let &[luma, chroma] = w else { return None };
        Some(Self { luma, chroma })
    }
}

impl Words for H264Entropy {
    const LEN: usize = 2;
    fn to_words(&self) -> Vec<u32> {
        vec![self.mode, self.cabac_init_idc.into()]
    }
    fn from_words(w: &[u32]) -> Option<Self> {
        let &[mode, idc] = w else { return None };
        Some(Self {
            mode,
            cabac_init_idc: idc as u8,
        })
    }
}

/// A VENC call beyond the encode loop, as its words travel ([`Words`]): what the Python
/// front's `mpp` bindings and a board agent carry, run on any [`crate::Mpi`] by
/// [`FeatureCall::run`]. The 2D standalone frames (`send_2d_frame`, `get_2d_frame`) carry a
/// whole frame and are not here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeatureCall {
    /// `kd_mpi_venc_set_rotation`.
    #[doc(alias = "kd_mpi_venc_set_rotation")]
    SetRotation,
    /// `kd_mpi_venc_get_rotation`.
    #[doc(alias = "kd_mpi_venc_get_rotation")]
    GetRotation,
    /// `kd_mpi_venc_set_mirror`.
    #[doc(alias = "kd_mpi_venc_set_mirror")]
    SetMirror,
    /// `kd_mpi_venc_get_mirror`.
    #[doc(alias = "kd_mpi_venc_get_mirror")]
    GetMirror,
    /// `kd_mpi_venc_set_dblk`.
    #[doc(alias = "kd_mpi_venc_set_dblk")]
    SetDblk,
    /// `kd_mpi_venc_get_dblk`.
    #[doc(alias = "kd_mpi_venc_get_dblk")]
    GetDblk,
    /// `kd_mpi_venc_set_h265_sao`.
    #[doc(alias = "kd_mpi_venc_set_h265_sao")]
    SetH265Sao,
    /// `kd_mpi_venc_get_h265_sao`.
    #[doc(alias = "kd_mpi_venc_get_h265_sao")]
    GetH265Sao,
    /// `kd_mpi_venc_set_h264_entropy`.
    #[doc(alias = "kd_mpi_venc_set_h264_entropy")]
    SetH264Entropy,
    /// `kd_mpi_venc_get_h264_entropy`.
    #[doc(alias = "kd_mpi_venc_get_h264_entropy")]
    GetH264Entropy,
    /// `kd_mpi_venc_set_h265_entropy`.
    #[doc(alias = "kd_mpi_venc_set_h265_entropy")]
    SetH265Entropy,
    /// `kd_mpi_venc_get_h265_entropy`.
    #[doc(alias = "kd_mpi_venc_get_h265_entropy")]
    GetH265Entropy,
    /// `kd_mpi_venc_set_intbuf_size`.
    #[doc(alias = "kd_mpi_venc_set_intbuf_size")]
    SetIntbufSize,
    /// `kd_mpi_venc_attach_vb_pool_ex`.
    #[doc(alias = "kd_mpi_venc_attach_vb_pool_ex")]
    AttachVbPoolEx,
    /// `kd_mpi_venc_attach_2d`.
    #[doc(alias = "kd_mpi_venc_attach_2d")]
    Attach2d,
    /// `kd_mpi_venc_detach_2d`.
    #[doc(alias = "kd_mpi_venc_detach_2d")]
    Detach2d,
    /// `kd_mpi_venc_set_2d_mode`.
    #[doc(alias = "kd_mpi_venc_set_2d_mode")]
    Set2dMode,
    /// `kd_mpi_venc_get_2d_mode`.
    #[doc(alias = "kd_mpi_venc_get_2d_mode")]
    Get2dMode,
    /// `kd_mpi_venc_set_2d_osd_param`.
    #[doc(alias = "kd_mpi_venc_set_2d_osd_param")]
    Set2dOsd,
    /// `kd_mpi_venc_get_2d_osd_param`.
    #[doc(alias = "kd_mpi_venc_get_2d_osd_param")]
    Get2dOsd,
    /// `kd_mpi_venc_set_2d_border_param`.
    #[doc(alias = "kd_mpi_venc_set_2d_border_param")]
    Set2dBorder,
    /// `kd_mpi_venc_get_2d_border_param`.
    #[doc(alias = "kd_mpi_venc_get_2d_border_param")]
    Get2dBorder,
    /// `kd_mpi_venc_set_2d_custom_coef`.
    #[doc(alias = "kd_mpi_venc_set_2d_custom_coef")]
    Set2dCoef,
    /// `kd_mpi_venc_get_2d_custom_coef`.
    #[doc(alias = "kd_mpi_venc_get_2d_custom_coef")]
    Get2dCoef,
    /// `kd_mpi_venc_set_2d_color_gamut`.
    #[doc(alias = "kd_mpi_venc_set_2d_color_gamut")]
    Set2dGamut,
    /// `kd_mpi_venc_get_2d_color_gamut`.
    #[doc(alias = "kd_mpi_venc_get_2d_color_gamut")]
    Get2dGamut,
    /// `kd_mpi_venc_set_2d_csc_param`.
    #[doc(alias = "kd_mpi_venc_set_2d_csc_param")]
    Set2dCsc,
    /// `kd_mpi_venc_get_2d_csc_param`.
    #[doc(alias = "kd_mpi_venc_get_2d_csc_param")]
    Get2dCsc,
    /// `kd_mpi_venc_start_2d_chn`.
    #[doc(alias = "kd_mpi_venc_start_2d_chn")]
    Start2d,
    /// `kd_mpi_venc_stop_2d_chn`.
    #[doc(alias = "kd_mpi_venc_stop_2d_chn")]
    Stop2d,
}

impl FeatureCall {
    /// Every call.
    pub const ALL: [Self; 30] = [
        Self::SetRotation,
        Self::GetRotation,
        Self::SetMirror,
        Self::GetMirror,
        Self::SetDblk,
        Self::GetDblk,
        Self::SetH265Sao,
        Self::GetH265Sao,
        Self::SetH264Entropy,
        Self::GetH264Entropy,
        Self::SetH265Entropy,
        Self::GetH265Entropy,
        Self::SetIntbufSize,
        Self::AttachVbPoolEx,
        Self::Attach2d,
        Self::Detach2d,
        Self::Set2dMode,
        Self::Get2dMode,
        Self::Set2dOsd,
        Self::Get2dOsd,
        Self::Set2dBorder,
        Self::Get2dBorder,
        Self::Set2dCoef,
        Self::Get2dCoef,
        Self::Set2dGamut,
        Self::Get2dGamut,
        Self::Set2dCsc,
        Self::Get2dCsc,
        Self::Start2d,
        Self::Stop2d,
    ];

    /// The MPI function's name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::SetRotation => "kd_mpi_venc_set_rotation",
            Self::GetRotation => "kd_mpi_venc_get_rotation",
            Self::SetMirror => "kd_mpi_venc_set_mirror",
            Self::GetMirror => "kd_mpi_venc_get_mirror",
            Self::SetDblk => "kd_mpi_venc_set_dblk",
            Self::GetDblk => "kd_mpi_venc_get_dblk",
            Self::SetH265Sao => "kd_mpi_venc_set_h265_sao",
            Self::GetH265Sao => "kd_mpi_venc_get_h265_sao",
            Self::SetH264Entropy => "kd_mpi_venc_set_h264_entropy",
            Self::GetH264Entropy => "kd_mpi_venc_get_h264_entropy",
            Self::SetH265Entropy => "kd_mpi_venc_set_h265_entropy",
            Self::GetH265Entropy => "kd_mpi_venc_get_h265_entropy",
            Self::SetIntbufSize => "kd_mpi_venc_set_intbuf_size",
            Self::AttachVbPoolEx => "kd_mpi_venc_attach_vb_pool_ex",
            Self::Attach2d => "kd_mpi_venc_attach_2d",
            Self::Detach2d => "kd_mpi_venc_detach_2d",
            Self::Set2dMode => "kd_mpi_venc_set_2d_mode",
            Self::Get2dMode => "kd_mpi_venc_get_2d_mode",
            Self::Set2dOsd => "kd_mpi_venc_set_2d_osd_param",
            Self::Get2dOsd => "kd_mpi_venc_get_2d_osd_param",
            Self::Set2dBorder => "kd_mpi_venc_set_2d_border_param",
            Self::Get2dBorder => "kd_mpi_venc_get_2d_border_param",
            Self::Set2dCoef => "kd_mpi_venc_set_2d_custom_coef",
            Self::Get2dCoef => "kd_mpi_venc_get_2d_custom_coef",
            Self::Set2dGamut => "kd_mpi_venc_set_2d_color_gamut",
            Self::Get2dGamut => "kd_mpi_venc_get_2d_color_gamut",
            Self::Set2dCsc => "kd_mpi_venc_set_2d_csc_param",
            Self::Get2dCsc => "kd_mpi_venc_get_2d_csc_param",
            Self::Start2d => "kd_mpi_venc_start_2d_chn",
            Self::Stop2d => "kd_mpi_venc_stop_2d_chn",
        }
    }

    /// The call named `name` (`kd_mpi_venc_set_rotation`), if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Runs the call on `mpi`: `index` is the OSD region or border (0 elsewhere), `words`
    /// the values a setter takes; the answer is the words a getter read (none for a
    /// setter). Words that do not make the call's values are ILLEGAL_PARAM.
    pub fn run(
        self,
        mpi: &dyn crate::Mpi,
        chn: Chn,
        index: u8,
        words: &[u32],
    ) -> Result<Vec<u32>, VencError> {
        let bad = || VencError::IllegalParam;
        let one = || match words {
            &[v] => Ok(v),
            _ => Err(VencError::IllegalParam),
        };
        let none = |r: Result<(), VencError>| r.map(|()| Vec::new());
        let single = |r: Result<u32, VencError>| r.map(|v| vec![v]);
        match self {
            Self::SetRotation => none(mpi.set_rotation(chn, one()?)),
            Self::GetRotation => single(mpi.get_rotation(chn)),
            Self::SetMirror => none(mpi.set_mirror(chn, one()?)),
            Self::GetMirror => single(mpi.get_mirror(chn)),
            Self::SetDblk => none(mpi.set_dblk(chn, one()?)),
            Self::GetDblk => single(mpi.get_dblk(chn)),
            Self::SetH265Sao => {
                none(mpi.set_h265_sao(chn, &H265Sao::from_words(words).ok_or_else(bad)?))
            }
            Self::GetH265Sao => mpi.get_h265_sao(chn).map(|v| v.to_words()),
            Self::SetH264Entropy => {
                let e = H264Entropy::from_words(words).ok_or_else(bad)?;
                none(mpi.set_h264_entropy(chn, &e))
            }
            Self::GetH264Entropy => mpi.get_h264_entropy(chn).map(|v| v.to_words()),
            Self::SetH265Entropy => none(mpi.set_h265_entropy(chn, one()? as u8)),
            Self::GetH265Entropy => single(mpi.get_h265_entropy(chn).map(u32::from)),
            Self::SetIntbufSize => none(mpi.set_intbuf_size(chn, one()?)),
            Self::AttachVbPoolEx => match words {
                &[pool, buff_num] => none(mpi.attach_vb_pool_ex(chn, pool, buff_num as i32)),
                _ => Err(bad()),
            },
            Self::Attach2d => none(mpi.attach_2d(chn)),
            Self::Detach2d => none(mpi.detach_2d(chn)),
            Self::Set2dMode => none(mpi.set_2d_mode(chn, one()?)),
            Self::Get2dMode => single(mpi.get_2d_mode(chn)),
            Self::Set2dOsd => {
                let r = OsdRegion::from_words(words).ok_or_else(bad)?;
                none(mpi.set_2d_osd(chn, index, &r))
            }
            Self::Get2dOsd => mpi.get_2d_osd(chn, index).map(|v| v.to_words()),
            Self::Set2dBorder => {
                let b = Border::from_words(words).ok_or_else(bad)?;
                none(mpi.set_2d_border(chn, index, &b))
            }
            Self::Get2dBorder => mpi.get_2d_border(chn, index).map(|v| v.to_words()),
            Self::Set2dCoef => {
                let c: Vec<i16> = words.iter().map(|&w| w as u16 as i16).collect();
                let c = <[i16; COEF_NUM]>::try_from(c).map_err(|_| bad())?;
                none(mpi.set_2d_custom_coef(chn, &c))
            }
            Self::Get2dCoef => mpi
                .get_2d_custom_coef(chn)
                .map(|c| c.iter().map(|&v| u32::from(v as u16)).collect()),
            Self::Set2dGamut => none(mpi.set_2d_color_gamut(chn, one()?)),
            Self::Get2dGamut => single(mpi.get_2d_color_gamut(chn)),
            Self::Set2dCsc => none(mpi.set_2d_csc(chn, one()?)),
            Self::Get2dCsc => single(mpi.get_2d_csc(chn)),
            Self::Start2d => none(mpi.start_2d_chn(chn)),
            Self::Stop2d => none(mpi.stop_2d_chn(chn)),
        }
    }
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

    #[test]
    fn structs_round_trip_through_words_and_keep_a_c_stores_low_bits() {
        let region = OsdRegion {
            width: 640,
            height: 64,
            startx: 2,
            starty: 4,
            phys_addr: [0x1000_0000, 7, 9],
            bg_alpha: 1,
            osd_alpha: 200,
            video_alpha: 255,
            add_order: 5,
            bg_color: 0x0080_80eb,
            fmt: 2,
        };
        let words = region.to_words();
        assert_eq!(words.len(), OsdRegion::LEN);
        assert_eq!(OsdRegion::from_words(&words), Some(region));
        let border = Border {
            width: 100,
            height: 50,
            line_width: 3,
            color: 0x00ff_0000,
            startx: 10,
            starty: 12,
        };
        assert_eq!(Border::from_words(&border.to_words()), Some(border));
        let sao = H265Sao { luma: 1, chroma: 0 };
        assert_eq!(H265Sao::from_words(&sao.to_words()), Some(sao));
        let e = H264Entropy {
            mode: 1,
            cabac_init_idc: 2,
        };
        assert_eq!(H264Entropy::from_words(&e.to_words()), Some(e));
        // A count that is not the struct's is refused; a wide value keeps its low bits.
        assert_eq!(Border::from_words(&[1, 2, 3]), None);
        let mut wide = border.to_words();
        wide[0] = 0x1_0002;
        assert_eq!(Border::from_words(&wide).map(|b| b.width), Some(2));
    }
}
