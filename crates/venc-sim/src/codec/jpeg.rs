//! JPEG through libjpeg-turbo 3 (the `turbojpeg` crate; the library is built from source, so
//! every host gets the same TurboJPEG 3 API and SIMD code): baseline, 4:2:0, compressed straight
//! from the picture's Y, U and V planes, with no colour conversion, as the VPU encodes NV12.
//!
//! The channel's `q_factor` (1..=99) is libjpeg's quality scale: the Annex K tables scaled as
//! libjpeg scales them (50 = the tables as printed). The VPU's mapping is not published (D-035).

use super::{CodecEngine, CodecError, EncodedPicture, EngineConfig, Picture, Rate};
use venc_core::bitstream::Codec;

/// One JPEG channel's encoder.
pub struct JpegEngine {
    compressor: turbojpeg::Compressor,
    /// Room for the largest JPEG this size can give (`tj3JPEGBufSize`), reserved once.
    scratch: Vec<u8>,
}

impl std::fmt::Debug for JpegEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JpegEngine").finish_non_exhaustive()
    }
}

fn failed(e: impl std::fmt::Display) -> CodecError {
    CodecError {
        codec: Codec::Jpeg,
        message: e.to_string(),
    }
}

impl JpegEngine {
    /// An encoder for `cfg`'s size at its `q_factor` ([`Rate::JpegQuality`]).
    pub fn new(cfg: &EngineConfig) -> Result<Self, CodecError> {
        let Rate::JpegQuality(q_factor) = cfg.rate else {
            return Err(failed(format!("rate control {:?} is not JPEG's", cfg.rate)));
        };
        let mut compressor = turbojpeg::Compressor::new().map_err(failed)?;
        let quality = i32::try_from(q_factor).map_err(failed)?;
        compressor.set_quality(quality).map_err(failed)?;
        compressor
            .set_subsamp(turbojpeg::Subsamp::Sub2x2)
            .map_err(failed)?;
        let most = turbojpeg::compressed_buf_len(
            cfg.width as usize,
            cfg.height as usize,
            turbojpeg::Subsamp::Sub2x2,
        )
        .map_err(failed)?;
        Ok(Self {
            compressor,
            scratch: vec![0; most],
        })
    }
}

impl CodecEngine for JpegEngine {
    fn codec(&self) -> Codec {
        Codec::Jpeg
    }

    fn encode(
        &mut self,
        picture: &Picture<'_>,
        _force_idr: bool,
        out: &mut EncodedPicture,
    ) -> Result<(), CodecError> {
        out.data.clear();
        let image = turbojpeg::YuvPlanesImage {
            y_plane: picture.y,
            u_plane: picture.u,
            v_plane: picture.v,
            width: picture.width as usize,
            height: picture.height as usize,
            y_stride: picture.y_stride as usize,
            u_stride: picture.uv_stride as usize,
            v_stride: picture.uv_stride as usize,
            subsamp: turbojpeg::Subsamp::Sub2x2,
        };
        let n = self
            .compressor
            .compress_yuv_planes_to_slice(&image, &mut self.scratch)
            .map_err(failed)?;
        out.data.extend_from_slice(&self.scratch[..n]);
        // Every JPEG picture stands alone: the channel types it I.
        out.idr = true;
        Ok(())
    }
}

/// The JPEG library's version, for reports.
pub const LIBRARY: &str = "libjpeg-turbo 3 (TurboJPEG API, built from source by turbojpeg-sys)";
