//! The calls that change what the VPU does with every frame, short of the 2D engine
//! ([`crate::twod`]): rotation and mirror (any state; applied by the channel before the codec,
//! D-052), and the coding tools set between `create_chn` and `start_chn` — deblocking, H.265
//! SAO, the H.264 and H.265 entropy settings — with the board wrapper's value checks and the
//! kernel's state rules and codes (k230-mpp-c-api.md §4). The tools reach the codec when the
//! channel starts (openh264: `iLoopFilterDisableIdc`, `iEntropyCodingModeFlag`; libx265:
//! `deblock`, `sao`). What the libraries cannot do is NOT_SUPPORT (D-053).
//!
//! Each function takes the channel the simulator's `Mpi` reached (board time, faults), so
//! these run only as board calls.

use crate::venc::{Channel, Phase};
use log::warn;
use venc_core::bitstream::Codec;
use venc_core::{H264Entropy, H265Sao, VencError};

/// The codec of a channel that exists (the kernel's zeroed channel has no payload).
fn codec_of(phase: Phase, codec: Codec) -> Option<Codec> {
    (phase != Phase::Idle).then_some(codec)
}

/// `kd_mpi_venc_set_rotation`: every frame the VPU takes from now on is turned `rotation`
/// quarter turns clockwise (0..=3, else ILLEGAL_PARAM); any state, any payload. A quarter
/// turn swaps the coded size (D-052).
pub(crate) fn set_rotation(ch: &Channel, rotation: u32) -> Result<(), VencError> {
    let Some(r) = u8::try_from(rotation).ok().filter(|&r| r <= 3) else {
        warn!(
            "venc ch{}: set_rotation({rotation}): 0..3 (K_VPU_ROTATION_0..270)",
            ch.id()
        );
        return Err(VencError::IllegalParam);
    };
    ch.set_orientation(|o| o.rotation = r);
    Ok(())
}

/// `kd_mpi_venc_get_rotation`: 0 until set (and after each create).
pub(crate) fn rotation(ch: &Channel) -> u32 {
    u32::from(ch.orientation().rotation)
}

/// `kd_mpi_venc_set_mirror`: 1 horizontal or 2 vertical; 0 (none) and anything above 2 are
/// ILLEGAL_PARAM, as the board's wrapper checks, so a mirror once set stays until the next
/// create (§4). Any state.
pub(crate) fn set_mirror(ch: &Channel, mirror: u32) -> Result<(), VencError> {
    let m = match mirror {
        1 => 1,
        2 => 2,
        _ => {
            warn!(
                "venc ch{}: set_mirror({mirror}): 1 (HORI) or 2 (VERT); a mirror cannot be \
                 cleared",
                ch.id()
            );
            return Err(VencError::IllegalParam);
        }
    };
    ch.set_orientation(|o| o.mirror = m);
    Ok(())
}

/// `kd_mpi_venc_get_mirror`: 0 until set (not a value of the enum).
pub(crate) fn mirror(ch: &Channel) -> u32 {
    u32::from(ch.orientation().mirror)
}

/// `kd_mpi_venc_set_dblk`: a `k_bool` above 1 is ILLEGAL_PARAM (the wrapper); then between
/// create and start only (else BUSY); H.264 and H.265.
pub(crate) fn set_dblk(ch: &Channel, enable: u32) -> Result<(), VencError> {
    if enable > 1 {
        return Err(VencError::IllegalParam);
    }
    ch.with_tools(|phase, codec, tools, _| {
        if phase != Phase::Created {
            return Err(VencError::Busy);
        }
        match codec_of(phase, codec) {
            Some(Codec::H264 | Codec::H265) => {
                tools.deblock = enable == 1;
                Ok(())
            }
            _ => Err(VencError::IllegalParam),
        }
    })
}

/// `kd_mpi_venc_get_dblk`: H.264 and H.265 only; on by default.
pub(crate) fn dblk(ch: &Channel) -> Result<u32, VencError> {
    ch.with_tools(|phase, codec, tools, _| match codec_of(phase, codec) {
        Some(Codec::H264 | Codec::H265) => Ok(u32::from(tools.deblock)),
        _ => Err(VencError::IllegalParam),
    })
}

/// `kd_mpi_venc_set_h265_sao`: between create and start only (else BUSY); H.265; flags 0
/// or 1. libx265 has one SAO switch: luma and chroma apart are NOT_SUPPORT (D-053).
pub(crate) fn set_h265_sao(ch: &Channel, sao: &H265Sao) -> Result<(), VencError> {
    let H265Sao { luma, chroma } = *sao;
    ch.with_tools(|phase, codec, tools, _| {
        if phase != Phase::Created {
            return Err(VencError::Busy);
        }
        if codec_of(phase, codec) != Some(Codec::H265) || luma > 1 || chroma > 1 {
            return Err(VencError::IllegalParam);
        }
        if luma != chroma {
            warn!(
                "venc ch{}: set_h265_sao(luma {luma}, chroma {chroma}): the simulator's H.265 \
                 codec switches SAO for both planes at once (D-053)",
                ch.id()
            );
            return Err(VencError::NotSupport);
        }
        tools.sao = (luma == 1, chroma == 1);
        Ok(())
    })
}

/// `kd_mpi_venc_get_h265_sao`: zeros for a channel that is not H.265 (the board answers 0 and
/// leaves the struct zeroed).
pub(crate) fn h265_sao(ch: &Channel) -> H265Sao {
    ch.with_tools(|phase, codec, tools, _| {
        if codec_of(phase, codec) == Some(Codec::H265) {
            H265Sao {
                luma: u32::from(tools.sao.0),
                chroma: u32::from(tools.sao.1),
            }
        } else {
            H265Sao::default()
        }
    })
}

/// `kd_mpi_venc_set_h264_entropy`: mode above 1 or `cabac_init_idc` above 2 is ILLEGAL_PARAM
/// (the wrapper); H.264; no state check, but after start the firmware is loaded and the
/// setting has no effect (0 all the same, as on the board). CABAC with the Baseline profile
/// and `cabac_init_idc` other than 0 are NOT_SUPPORT (D-053).
pub(crate) fn set_h264_entropy(ch: &Channel, entropy: &H264Entropy) -> Result<(), VencError> {
    let (mode, idc) = (entropy.mode, entropy.cabac_init_idc);
    if mode > 1 || idc > 2 {
        return Err(VencError::IllegalParam);
    }
    let baseline =
        ch.attr().map(|a| a.profile) == Some(venc_core::consts::VENC_PROFILE_H264_BASELINE);
    ch.with_tools(|phase, codec, tools, set| {
        if codec_of(phase, codec) != Some(Codec::H264) {
            return Err(VencError::IllegalParam);
        }
        if (mode == 1 && baseline) || idc != 0 {
            warn!(
                "venc ch{}: set_h264_entropy(mode {mode}, cabac_init_idc {idc}): the \
                 simulator's H.264 codec has CABAC only above Baseline and only with \
                 cabac_init_idc 0 (D-053)",
                ch.id()
            );
            return Err(VencError::NotSupport);
        }
        set.0 = Some(*entropy);
        if phase == Phase::Created {
            tools.cabac = Some(mode == 1);
        } else {
            warn!(
                "venc ch{}: set_h264_entropy after start has no effect, as on the board",
                ch.id()
            );
        }
        Ok(())
    })
}

/// `kd_mpi_venc_get_h264_entropy`: what was set, zeros (CAVLC, 0) until then.
pub(crate) fn h264_entropy(ch: &Channel) -> H264Entropy {
    ch.with_tools(|_, _, _, set| set.0.unwrap_or_default())
}

/// `kd_mpi_venc_set_h265_entropy`: `cabac_init_flag` above 1 is ILLEGAL_PARAM (the wrapper);
/// H.265; no state check. libx265 never sets `cabac_init_flag`: 1 is NOT_SUPPORT (D-053).
pub(crate) fn set_h265_entropy(ch: &Channel, cabac_init_flag: u8) -> Result<(), VencError> {
    ch.with_tools(|phase, codec, _, set| {
        if cabac_init_flag > 1 || codec_of(phase, codec) != Some(Codec::H265) {
            return Err(VencError::IllegalParam);
        }
        if cabac_init_flag == 1 {
            warn!(
                "venc ch{}: set_h265_entropy(cabac_init_flag 1): the simulator's H.265 codec \
                 never signals cabac_init_flag (D-053)",
                ch.id()
            );
            return Err(VencError::NotSupport);
        }
        set.1 = cabac_init_flag;
        Ok(())
    })
}

/// `kd_mpi_venc_get_h265_entropy`: what was set, 0 until then.
pub(crate) fn h265_entropy(ch: &Channel) -> u8 {
    ch.with_tools(|_, _, _, set| set.1)
}
