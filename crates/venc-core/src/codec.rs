//! The codec engine contract: what a software codec standing in for the VPU's must do. Engines
//! (openh264 and libx265 in `venc-sim`, the null engine in `venc-harness`) implement
//! [`CodecEngine`]; the channel that drives them knows nothing of which one runs.
//!
//! No codec lives here: this is the trait and its data, so a crate can implement or drive an
//! engine without linking one.

use crate::bitstream::Codec;
use crate::{ChnAttr, RcAttr, VencError};

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

/// The coding tools a program may switch between create and start (`kd_mpi_venc_set_dblk`,
/// `set_h265_sao`, `set_h264_entropy`, `set_h265_entropy`). The default is the VPU's: deblocking
/// and SAO on, the profile's entropy coder (CABAC for Main and High, CAVLC for Baseline).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodingTools {
    /// In-loop deblocking (H.264 and H.265).
    pub deblock: bool,
    /// H.265 SAO on luma and on chroma.
    pub sao: (bool, bool),
    /// H.264: CABAC (`Some(true)`), CAVLC (`Some(false)`) or the profile's (`None`).
    pub cabac: Option<bool>,
}

impl Default for CodingTools {
    fn default() -> Self {
        Self {
            deblock: true,
            sao: (true, true),
            cabac: None,
        }
    }
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
    /// JPEG `q_factor` (1..=99); 0 for H.264 and H.265.
    pub quality: u32,
    /// Deblocking, SAO, entropy coder.
    pub tools: CodingTools,
}

impl EngineConfig {
    /// The engine settings for channel attributes; `Err` is what `create_chn` returns.
    pub fn from_attr(attr: &ChnAttr, threads: u16) -> Result<Self, (VencError, String)> {
        let jpeg = attr.payload == crate::consts::K_PT_JPEG;
        if let RcAttr::MjpegFixQp {
            src_frame_rate,
            dst_frame_rate: _,
            q_factor,
        } = attr.rc
        {
            if !jpeg {
                return Err((
                    VencError::NotSupport,
                    format!(
                        "MJPEG_FIXQP rate control on payload {}: it is JPEG's",
                        attr.payload
                    ),
                ));
            }
            if !(1..=99).contains(&q_factor) {
                return Err((
                    VencError::IllegalParam,
                    format!("q_factor {q_factor} outside 1..=99"),
                ));
            }
            check_rate(src_frame_rate)?;
            return Ok(Self {
                width: attr.width,
                height: attr.height,
                profile: attr.profile,
                gop: 1,
                bit_rate_kbps: 0,
                frame_rate: src_frame_rate as f32,
                threads: threads.max(1),
                quality: q_factor,
                tools: CodingTools::default(),
            });
        }
        if jpeg {
            return Err((
                VencError::NotSupport,
                format!(
                    "rate control {:?} on JPEG: the VPU's JPEG takes MJPEG_FIXQP only",
                    attr.rc
                ),
            ));
        }
        let RcAttr::Cbr {
            gop,
            src_frame_rate,
            dst_frame_rate: _,
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
        check_rate(src_frame_rate)?;
        Ok(Self {
            width: attr.width,
            height: attr.height,
            profile: attr.profile,
            gop,
            bit_rate_kbps: bit_rate,
            frame_rate: src_frame_rate as f32,
            threads: threads.max(1),
            quality: 0,
            tools: CodingTools::default(),
        })
    }
}

/// The encoder's frame rate is `src_frame_rate` (the kernel hands it to the VPU as Q16;
/// `dst_frame_rate` is never read, D-009). 0 is refused: what the VPU does with it is unknown.
fn check_rate(src: u32) -> Result<(), (VencError, String)> {
    if src == 0 {
        return Err((VencError::IllegalParam, "src_frame_rate 0".into()));
    }
    Ok(())
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
