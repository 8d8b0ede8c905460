//! Codec engines behind one narrow trait: planar 4:2:0 pictures in, Annex-B bytes plus the
//! picture type out. Engines know nothing of channels, packs or media memory.

pub mod jpeg;
pub mod null;
pub mod openh264;
#[cfg(feature = "x265")]
pub mod x265;

use venc_core::bitstream::Codec;
pub use venc_core::codec::{
    CodecEngine, CodecError, CodingTools, EncodedPicture, EngineConfig, Picture, Rate,
};
use venc_core::{ChnAttr, VencError, consts};

/// Which engines a simulator's channels encode with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub enum Engines {
    /// openh264 for H.264, libx265 for H.265: real pictures.
    #[default]
    Real,
    /// [`null::NullEngine`]: valid, tiny, deterministic Annex-B with no coding, for
    /// contract tests that exercise the channel machine, not the picture.
    Null,
}

/// Builds the engine for channel attributes, or the code `create_chn` returns.
pub fn engine_for(
    attr: &ChnAttr,
    threads: u16,
    engines: Engines,
) -> Result<Box<dyn CodecEngine>, (VencError, String)> {
    engine_with_tools(attr, threads, engines, CodingTools::default())
}

/// [`engine_for`] with the coding tools a program set between create and start.
pub fn engine_with_tools(
    attr: &ChnAttr,
    threads: u16,
    engines: Engines,
    tools: CodingTools,
) -> Result<Box<dyn CodecEngine>, (VencError, String)> {
    let codec = check_profile(attr)?;
    if let venc_core::RcAttr::FixQp { gop: 0, .. } = attr.rc {
        FIXQP_ZERO_GOPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        log::warn!(
            "venc: FIXQP with gop 0: the kernel stores no P picture, taken to mean every picture \
             an I (inferred, not seen on a board: D-059)"
        );
    }
    let cfg = EngineConfig {
        tools,
        ..EngineConfig::from_attr(attr, threads)?
    };
    match (engines, codec) {
        // JPEG costs the real library little: the null backend encodes real pictures too.
        (_, Codec::Jpeg) => {
            let engine =
                jpeg::JpegEngine::new(&cfg).map_err(|e| (VencError::NotSupport, e.to_string()))?;
            Ok(Box::new(engine))
        }
        (Engines::Null, codec) => Ok(Box::new(null::NullEngine::new(codec, &cfg))),
        (Engines::Real, Codec::H264) => {
            let engine = openh264::OpenH264Engine::new(&cfg)
                .map_err(|e| (VencError::NotSupport, e.to_string()))?;
            if let Rate::Variable { kbps, max_kbps } = cfg.rate
                && max_kbps > kbps
            {
                UNHELD_VBR_CEILINGS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                log::warn!(
                    "venc: H.264 VBR: max_bit_rate {max_kbps} kbps is handed to openh264, which \
                     holds it only by skipping pictures (the VPU never skips): the stream averages \
                     bit_rate {kbps} kbps and its peaks are not capped (D-054)"
                );
            }
            Ok(Box::new(engine))
        }
        (Engines::Real, Codec::H265) => h265_engine(&cfg),
    }
}

static UNHELD_VBR_CEILINGS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// H.264 VBR channels built whose `max_bit_rate` the engine does not hold (D-054): counted, not
/// only warned about.
pub fn unheld_vbr_ceilings() -> u64 {
    UNHELD_VBR_CEILINGS.load(std::sync::atomic::Ordering::Relaxed)
}

static FIXQP_ZERO_GOPS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// FIXQP channels built with `gop` 0, coded all-I on an inference (D-059): counted, not only
/// warned about.
pub fn fixqp_zero_gops() -> u64 {
    FIXQP_ZERO_GOPS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The codec of a payload whose profile the VPU takes, or the code `create_chn` returns.
fn check_profile(attr: &ChnAttr) -> Result<Codec, (VencError, String)> {
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
            Ok(Codec::H264)
        }
        consts::K_PT_H265 => match attr.profile {
            consts::VENC_PROFILE_H265_MAIN => Ok(Codec::H265),
            consts::VENC_PROFILE_H265_MAIN_10 => Err((
                VencError::NotSupport,
                "H.265 Main 10 needs 10-bit input; the simulator encodes 8-bit NV12 only".into(),
            )),
            p => Err((
                VencError::IllegalParam,
                format!("profile {p} is not an H.265 profile"),
            )),
        },
        // The firmware copies `profile` unchanged for JPEG (scripts pass H264_PROFILE_MAIN);
        // the VPU's JPEG has no profiles.
        consts::K_PT_JPEG => Ok(Codec::Jpeg),
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
        let built = engine_for(&attr, 1, Engines::Real).map(|e| e.codec());
        if cfg!(feature = "x265") {
            assert_eq!(built.ok(), Some(Codec::H265));
        } else {
            assert_eq!(built.err(), Some(h265_not_built()));
        }
    }
}
