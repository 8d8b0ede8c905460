//! The coding tools a program switches between `create_chn` and `start_chn`: deblocking, H.265
//! SAO, the H.264 and H.265 entropy settings, with the kernel's state rules and codes
//! (k230-mpp-c-api.md §4). The values reach the codec when the channel starts (openh264:
//! `iLoopFilterDisableIdc`, `iEntropyCodingModeFlag`; libx265: `deblock`, `sao`). What the
//! libraries cannot do is NOT_SUPPORT (D-053).

use crate::Simulator;
use crate::venc::Phase;
use log::warn;
use venc_core::bitstream::Codec;
use venc_core::{Chn, VencError};

/// The codec of a channel that exists (the kernel's zeroed channel has no payload).
fn codec_of(phase: Phase, codec: Codec) -> Option<Codec> {
    (phase != Phase::Idle).then_some(codec)
}

impl Simulator {
    /// `kd_mpi_venc_set_dblk`: between create and start only (else BUSY); H.264 and H.265.
    #[doc(alias = "kd_mpi_venc_set_dblk")]
    pub fn set_dblk(&self, chn: Chn, enable: bool) -> Result<(), VencError> {
        self.chn(chn)?.with_tools(|phase, codec, tools, _| {
            if phase != Phase::Created {
                return Err(VencError::Busy);
            }
            match codec_of(phase, codec) {
                Some(Codec::H264 | Codec::H265) => {
                    tools.deblock = enable;
                    Ok(())
                }
                _ => Err(VencError::IllegalParam),
            }
        })
    }

    /// `kd_mpi_venc_get_dblk`: H.264 and H.265 only; on by default.
    #[doc(alias = "kd_mpi_venc_get_dblk")]
    pub fn dblk(&self, chn: Chn) -> Result<bool, VencError> {
        self.chn(chn)?
            .with_tools(|phase, codec, tools, _| match codec_of(phase, codec) {
                Some(Codec::H264 | Codec::H265) => Ok(tools.deblock),
                _ => Err(VencError::IllegalParam),
            })
    }

    /// `kd_mpi_venc_set_h265_sao`: between create and start only (else BUSY); H.265; flags 0
    /// or 1. libx265 has one SAO switch: luma and chroma apart are NOT_SUPPORT (D-053).
    #[doc(alias = "kd_mpi_venc_set_h265_sao")]
    pub fn set_h265_sao(&self, chn: Chn, luma: u32, chroma: u32) -> Result<(), VencError> {
        self.chn(chn)?.with_tools(|phase, codec, tools, _| {
            if phase != Phase::Created {
                return Err(VencError::Busy);
            }
            if codec_of(phase, codec) != Some(Codec::H265) || luma > 1 || chroma > 1 {
                return Err(VencError::IllegalParam);
            }
            if luma != chroma {
                warn!(
                    "venc ch{chn}: set_h265_sao(luma {luma}, chroma {chroma}): the simulator's \
                     H.265 codec switches SAO for both planes at once (D-053)"
                );
                return Err(VencError::NotSupport);
            }
            tools.sao = (luma == 1, chroma == 1);
            Ok(())
        })
    }

    /// `kd_mpi_venc_get_h265_sao`: `None` for a channel that is not H.265 (the board answers
    /// 0 and leaves the struct zeroed).
    #[doc(alias = "kd_mpi_venc_get_h265_sao")]
    pub fn h265_sao(&self, chn: Chn) -> Result<Option<(u32, u32)>, VencError> {
        Ok(self.chn(chn)?.with_tools(|phase, codec, tools, _| {
            (codec_of(phase, codec) == Some(Codec::H265))
                .then_some((u32::from(tools.sao.0), u32::from(tools.sao.1)))
        }))
    }

    /// `kd_mpi_venc_set_h264_entropy`: H.264; no state check, but after start the firmware is
    /// loaded and the setting has no effect (0 all the same, as on the board). CABAC with the
    /// Baseline profile and `cabac_init_idc` other than 0 are NOT_SUPPORT (D-053).
    #[doc(alias = "kd_mpi_venc_set_h264_entropy")]
    pub fn set_h264_entropy(
        &self,
        chn: Chn,
        mode: u32,
        cabac_init_idc: u32,
    ) -> Result<(), VencError> {
        let baseline = self.chn(chn)?.attr().map(|a| a.profile)
            == Some(venc_core::consts::VENC_PROFILE_H264_BASELINE);
        self.chn(chn)?.with_tools(|phase, codec, tools, set| {
            if codec_of(phase, codec) != Some(Codec::H264) || mode > 1 || cabac_init_idc > 2 {
                return Err(VencError::IllegalParam);
            }
            if (mode == 1 && baseline) || cabac_init_idc != 0 {
                warn!(
                    "venc ch{chn}: set_h264_entropy(mode {mode}, cabac_init_idc \
                     {cabac_init_idc}): the simulator's H.264 codec has CABAC only above \
                     Baseline and only with cabac_init_idc 0 (D-053)"
                );
                return Err(VencError::NotSupport);
            }
            set.0 = Some((mode, cabac_init_idc));
            if phase == Phase::Created {
                tools.cabac = Some(mode == 1);
            } else {
                warn!("venc ch{chn}: set_h264_entropy after start has no effect, as on the board");
            }
            Ok(())
        })
    }

    /// `kd_mpi_venc_get_h264_entropy`: what was set, `None` (zeros) until then.
    #[doc(alias = "kd_mpi_venc_get_h264_entropy")]
    pub fn h264_entropy(&self, chn: Chn) -> Result<Option<(u32, u32)>, VencError> {
        Ok(self.chn(chn)?.with_tools(|_, _, _, set| set.0))
    }

    /// `kd_mpi_venc_set_h265_entropy`: H.265; `cabac_init_flag` 0 or 1; no state check.
    /// libx265 never sets `cabac_init_flag`: 1 is NOT_SUPPORT (D-053).
    #[doc(alias = "kd_mpi_venc_set_h265_entropy")]
    pub fn set_h265_entropy(&self, chn: Chn, cabac_init_flag: u32) -> Result<(), VencError> {
        self.chn(chn)?.with_tools(|phase, codec, _, set| {
            if codec_of(phase, codec) != Some(Codec::H265) || cabac_init_flag > 1 {
                return Err(VencError::IllegalParam);
            }
            if cabac_init_flag == 1 {
                warn!(
                    "venc ch{chn}: set_h265_entropy(cabac_init_flag 1): the simulator's H.265 \
                     codec never signals cabac_init_flag (D-053)"
                );
                return Err(VencError::NotSupport);
            }
            set.1 = cabac_init_flag;
            Ok(())
        })
    }

    /// `kd_mpi_venc_get_h265_entropy`: what was set, 0 until then.
    #[doc(alias = "kd_mpi_venc_get_h265_entropy")]
    pub fn h265_entropy(&self, chn: Chn) -> Result<u32, VencError> {
        Ok(self.chn(chn)?.with_tools(|_, _, _, set| set.1))
    }
}
