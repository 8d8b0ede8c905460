//! Codec engines behind one narrow trait: planar 4:2:0 pictures in, Annex-B bytes plus the
//! picture type out. Engines know nothing of channels, packs or media memory.

pub mod openh264;
#[cfg(feature = "x265")]
pub mod x265;

use venc_core::bitstream::Codec;
use venc_core::{ChnAttr, RcAttr, VencError, consts};

/// One planar YUV 4:2:0 picture.
#[derive(Debug, Clone, Copy)]
pub struct Picture<'a> {
    /// Luma plane.
    pub y: &'a [u8],
    /// Cb plane.
    pub u: &'a [u8],
    /// Cr plane.
    pub v: &'a [u8],
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Luma stride in bytes.
    pub y_stride: u32,
    /// Chroma stride in bytes.
    pub uv_stride: u32,
}

impl<'a> Picture<'a> {
    /// Planes packed without row padding: strides `width` and `width / 2`.
    pub fn packed(y: &'a [u8], u: &'a [u8], v: &'a [u8], width: u32, height: u32) -> Self {
        Self {
            y,
            u,
            v,
            width,
            height,
            y_stride: width,
            uv_stride: width / 2,
        }
    }
}

/// What an engine produced for one picture.
#[derive(Debug, Default, Clone)]
pub struct EncodedPicture {
    /// Annex-B bytes with 4-byte start codes: parameter sets (if any) then the slices.
    pub data: Vec<u8>,
    /// Whether the picture is an IDR.
    pub idr: bool,
}

/// Settings an engine is built with, derived from the channel attributes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EngineConfig {
    /// Picture width.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// `VENC_PROFILE_*`.
    pub profile: u32,
    /// IDR period in frames.
    pub gop: u32,
    /// CBR target in kbps.
    pub bit_rate_kbps: u32,
    /// Output frame rate.
    pub frame_rate: f32,
    /// Encoder threads (1 = single-threaded, deterministic).
    pub threads: u16,
}

impl EngineConfig {
    /// The engine settings for channel attributes; `Err` is what `create_chn` returns.
    pub fn from_attr(attr: &ChnAttr, threads: u16) -> Result<Self, (VencError, String)> {
        let RcAttr::Cbr {
            gop,
            src_frame_rate,
            dst_frame_rate,
            bit_rate,
            ..
        } = attr.rc
        else {
            return Err((
                VencError::NotSupport,
                format!(
                    "rate control {:?} is not modeled; CanMV always sets CBR",
                    attr.rc
                ),
            ));
        };
        if gop == 0 {
            return Err((VencError::IllegalParam, "gop 0".into()));
        }
        if bit_rate == 0 {
            return Err((VencError::IllegalParam, "bit_rate 0 kbps".into()));
        }
        if src_frame_rate == 0 || dst_frame_rate == 0 || dst_frame_rate > src_frame_rate {
            return Err((
                VencError::IllegalParam,
                format!(
                    "frame rates src {src_frame_rate} / dst {dst_frame_rate}: need 0 < dst <= src"
                ),
            ));
        }
        Ok(Self {
            width: attr.width,
            height: attr.height,
            profile: attr.profile,
            gop,
            bit_rate_kbps: bit_rate,
            frame_rate: dst_frame_rate as f32,
            threads: threads.max(1),
        })
    }
}

/// A codec engine error.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{codec:?} engine: {message}")]
pub struct CodecError {
    /// The codec that failed.
    pub codec: Codec,
    /// What went wrong.
    pub message: String,
}

/// A software codec standing in for the VPU's.
///
/// # For implementations
/// - One call in, one picture out: no frame skipping, no B frames, no reordering.
/// - `force_idr` makes this picture an IDR; otherwise IDRs come every `gop` pictures from the first.
/// - Every IDR is preceded by its parameter sets (SPS+PPS, or VPS+SPS+PPS) in the same output.
/// - Same input, same settings, same thread count: same bytes.
pub trait CodecEngine: Send {
    /// The codec this engine produces.
    fn codec(&self) -> Codec;
    /// Encodes one picture into `out` (cleared first).
    fn encode(
        &mut self,
        picture: &Picture<'_>,
        force_idr: bool,
        out: &mut EncodedPicture,
    ) -> Result<(), CodecError>;
}

/// Builds the engine for channel attributes, or the code `create_chn` returns.
pub fn engine_for(
    attr: &ChnAttr,
    threads: u16,
) -> Result<Box<dyn CodecEngine>, (VencError, String)> {
    let profile_ok = |allowed: &[u32]| allowed.contains(&attr.profile);
    match attr.payload {
        consts::K_PT_H264 => {
            if !profile_ok(&[
                consts::VENC_PROFILE_H264_BASELINE,
                consts::VENC_PROFILE_H264_MAIN,
                consts::VENC_PROFILE_H264_HIGH,
            ]) {
                return Err(match attr.profile {
                    consts::VENC_PROFILE_H264_HIGH_10 => (
                        VencError::NotSupport,
                        "H.264 High 10 needs 10-bit input; the simulator encodes 8-bit NV12 only"
                            .into(),
                    ),
                    p => (
                        VencError::IllegalParam,
                        format!("profile {p} is not an H.264 profile"),
                    ),
                });
            }
            let cfg = EngineConfig::from_attr(attr, threads)?;
            let engine = openh264::OpenH264Engine::new(&cfg)
                .map_err(|e| (VencError::NotSupport, e.to_string()))?;
            Ok(Box::new(engine))
        }
        consts::K_PT_H265 => {
            match attr.profile {
                consts::VENC_PROFILE_H265_MAIN => {}
                consts::VENC_PROFILE_H265_MAIN_10 => {
                    return Err((
                        VencError::NotSupport,
                        "H.265 Main 10 needs 10-bit input; the simulator encodes 8-bit NV12 only"
                            .into(),
                    ));
                }
                p => {
                    return Err((
                        VencError::IllegalParam,
                        format!("profile {p} is not an H.265 profile"),
                    ));
                }
            }
            let cfg = EngineConfig::from_attr(attr, threads)?;
            h265_engine(&cfg)
        }
        consts::K_PT_JPEG => Err((
            VencError::NotSupport,
            "JPEG is not modeled by the simulator".into(),
        )),
        p => Err((VencError::IllegalParam, format!("unknown payload type {p}"))),
    }
}

#[cfg(feature = "x265")]
fn h265_engine(cfg: &EngineConfig) -> Result<Box<dyn CodecEngine>, (VencError, String)> {
    let engine = x265::X265Engine::new(cfg).map_err(|e| (VencError::NotSupport, e.to_string()))?;
    Ok(Box::new(engine))
}

#[cfg(not(feature = "x265"))]
fn h265_engine(_: &EngineConfig) -> Result<Box<dyn CodecEngine>, (VencError, String)> {
    Err(h265_not_built())
}

/// What Create returns for H.265 in a build without feature `x265`.
pub fn h265_not_built() -> (VencError, String) {
    (
        VencError::NotSupport,
        "H.265 needs venc-sim built with cargo feature `x265` (system libx265, GPL)".into(),
    )
}

/// The H.265 engine's library, or why there is none (for reports and `--version`).
pub fn h265_library() -> Result<String, String> {
    #[cfg(feature = "x265")]
    {
        x265::library_version()
            .map(|v| format!("libx265 {v}"))
            .map_err(|e| e.to_string())
    }
    #[cfg(not(feature = "x265"))]
    {
        Err("built without feature `x265`".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn h265_without_the_feature_is_not_support_naming_it() {
        let (code, why) = h265_not_built();
        assert_eq!(code, VencError::NotSupport);
        assert!(why.contains("feature `x265`"), "{why}");
        // With the feature, the same attributes build a working engine instead.
        let attr =
            venc_core::ChnAttrStr::new(consts::K_PT_H265, consts::VENC_PROFILE_H265_MAIN, 320, 240)
                .to_mpi();
        let built = engine_for(&attr, 1).map(|e| e.codec());
        if cfg!(feature = "x265") {
            assert_eq!(built.ok(), Some(Codec::H265));
        } else {
            assert_eq!(built.err(), Some(h265_not_built()));
        }
    }
}
