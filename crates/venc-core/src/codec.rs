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

/// The rate control an engine runs, from the channel's `rc_mode` (k230-mpp-c-api.md §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    /// CBR: `kbps` held steady (the VPU's `CONSTANT`, target = maximum).
    #[doc(alias = "K_VENC_RC_MODE_CBR")]
    Constant {
        /// Target and maximum in kbps.
        kbps: u32,
    },
    /// VBR: about `kbps`, never above `max_kbps` (the VPU's `C_VARIABLE`).
    #[doc(alias = "K_VENC_RC_MODE_VBR")]
    Variable {
        /// Target in kbps.
        kbps: u32,
        /// Ceiling in kbps.
        max_kbps: u32,
    },
    /// FIXQP: rate control off; every slice of an IDR at `i_qp`, of a P picture at `p_qp`, with
    /// no per-block offsets.
    #[doc(alias = "K_VENC_RC_MODE_FIXQP")]
    FixedQp {
        /// QP of IDR pictures (0..=51).
        i_qp: u32,
        /// QP of P pictures (0..=51).
        p_qp: u32,
    },
    /// MJPEG_FIXQP: JPEG at libjpeg quality `q_factor` (1..=99).
    #[doc(alias = "K_VENC_RC_MODE_MJPEG_FIXQP")]
    JpegQuality(u32),
}

impl Rate {
    /// The highest rate the engine may aim at, in kbps; `None` where no rate is set.
    pub fn ceiling_kbps(self) -> Option<u32> {
        match self {
            Self::Constant { kbps } => Some(kbps),
            Self::Variable { max_kbps, .. } => Some(max_kbps),
            Self::FixedQp { .. } | Self::JpegQuality(_) => None,
        }
    }
}

/// H.264 and H.265 QPs run 0..=51 for 8-bit video (VDOC §3.1.20's range for `i_qp`/`p_qp`).
pub const MAX_QP: u32 = 51;

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
    /// What sets the size of each picture.
    pub rate: Rate,
    /// Output frame rate.
    pub frame_rate: f32,
    /// Encoder threads (1 = single-threaded, deterministic).
    pub threads: u16,
    /// Deblocking, SAO, entropy coder.
    pub tools: CodingTools,
}

impl EngineConfig {
    /// The engine settings for channel attributes; `Err` is what `create_chn` returns.
    pub fn from_attr(attr: &ChnAttr, threads: u16) -> Result<Self, (VencError, String)> {
        let jpeg = attr.payload == crate::consts::K_PT_JPEG;
        let mjpeg = matches!(attr.rc, RcAttr::MjpegFixQp { .. });
        if jpeg != mjpeg {
            let why = if jpeg {
                format!(
                    "rate control {:?} on JPEG: the VPU's JPEG takes MJPEG_FIXQP only",
                    attr.rc
                )
            } else {
                format!(
                    "MJPEG_FIXQP rate control on payload {}: it is JPEG's",
                    attr.payload
                )
            };
            return Err((VencError::NotSupport, why));
        }
        let gop = attr.rc.coded_gop();
        let (src_frame_rate, rate) = match attr.rc {
            RcAttr::Cbr {
                src_frame_rate,
                bit_rate,
                ..
            } => {
                check_kbps(bit_rate)?;
                (src_frame_rate, Rate::Constant { kbps: bit_rate })
            }
            RcAttr::Vbr {
                src_frame_rate,
                max_bit_rate,
                bit_rate,
                ..
            } => {
                check_kbps(bit_rate)?;
                // The kernel hands both to the firmware unchecked; what Arm's `C_VARIABLE` does
                // with a ceiling under the target is unknown (D-054).
                if max_bit_rate < bit_rate {
                    return Err((
                        VencError::IllegalParam,
                        format!(
                            "VBR max_bit_rate {max_bit_rate} kbps is below bit_rate {bit_rate} kbps"
                        ),
                    ));
                }
                let rate = Rate::Variable {
                    kbps: bit_rate,
                    max_kbps: max_bit_rate,
                };
                (src_frame_rate, rate)
            }
            RcAttr::FixQp {
                src_frame_rate,
                i_qp,
                p_qp,
                ..
            } => {
                // Out of VDOC's range the kernel passes the QP on unchecked (D-054).
                for (name, qp) in [("i_qp", i_qp), ("p_qp", p_qp)] {
                    if qp > MAX_QP {
                        return Err((
                            VencError::IllegalParam,
                            format!("FIXQP {name} {qp} outside 0..={MAX_QP}"),
                        ));
                    }
                }
                (src_frame_rate, Rate::FixedQp { i_qp, p_qp })
            }
            RcAttr::MjpegFixQp {
                src_frame_rate,
                q_factor,
                ..
            } => {
                if !(1..=99).contains(&q_factor) {
                    return Err((
                        VencError::IllegalParam,
                        format!("q_factor {q_factor} outside 1..=99"),
                    ));
                }
                // One picture is one JPEG: every picture an I (the GOP is never read).
                (src_frame_rate, Rate::JpegQuality(q_factor))
            }
        };
        check_rate(src_frame_rate)?;
        Ok(Self {
            width: attr.width,
            height: attr.height,
            profile: attr.profile,
            gop,
            rate,
            frame_rate: src_frame_rate as f32,
            threads: threads.max(1),
            tools: CodingTools::default(),
        })
    }
}

/// `gop` 0 is refused, the simulator's safe side: the kernel makes it GOP 30 under CBR and VBR and
/// likely all-I under FIXQP (k230-mpp-c-api.md §5, VENC-ATTR-006).
fn check_kbps(bit_rate: u32) -> Result<(), (VencError, String)> {
    if bit_rate == 0 {
        return Err((VencError::IllegalParam, "bit_rate 0 kbps".into()));
    }
    Ok(())
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
