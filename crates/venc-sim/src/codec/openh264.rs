//! H.264 through Cisco's openh264, built from the bundled source by `openh264-sys2`.
//!
//! The raw `SEncParamExt` API is used because the idiomatic wrapper cannot set CABAC
//! (`iEntropyCodingModeFlag`), which Main and High need.

use super::{CodecEngine, CodecError, EncodedPicture, EngineConfig, Picture, Rate};
use openh264_sys2::{self as sys, API};
use std::os::raw::{c_int, c_void};
use venc_core::bitstream::Codec;
use venc_core::consts;

/// `profile_idc` written into the SPS for a `VENC_PROFILE_H264_*` value.
pub const fn profile_idc(profile: u32) -> Option<u32> {
    match profile {
        consts::VENC_PROFILE_H264_BASELINE => Some(sys::PRO_BASELINE as u32),
        consts::VENC_PROFILE_H264_MAIN => Some(sys::PRO_MAIN as u32),
        consts::VENC_PROFILE_H264_HIGH => Some(sys::PRO_HIGH as u32),
        _ => None,
    }
}

#[cfg(target_arch = "x86_64")]
unsafe extern "C" {
    // An SSE2 routine that exists only when openh264's NASM sources were assembled.
    fn WelsCopy16x16_sse2();
}

/// Keeps a reference to an assembly-only symbol, so the link fails if openh264-sys2 fell back to
/// plain C (it does so silently when `nasm` is missing); `build.rs` gives the readable message.
#[cfg(target_arch = "x86_64")]
#[used]
static ASM_LINK_GUARD: unsafe extern "C" fn() = WelsCopy16x16_sse2;

/// An openh264 encoder configured like the K230 VPU for one channel.
pub struct OpenH264Engine {
    api: sys::DynamicAPI,
    enc: *mut sys::ISVCEncoder,
    info: Box<sys::SFrameBSInfo>,
    frame_index: u64,
    frame_interval_ms: f64,
    gop: u32,
    /// FIXQP's QPs, with the parameters to hand back to openh264 when the QP changes.
    fixed_qp: Option<FixedQp>,
    /// Pictures coded since the last IDR, the IDR included; `None` before the first.
    since_idr: Option<u32>,
}

/// FIXQP on openh264: rate control off, and the layer QP (`iDLayerQp`, which openh264 reads for
/// every picture) switched between `i_qp` and `p_qp` before the picture that needs the other.
struct FixedQp {
    i_qp: u32,
    p_qp: u32,
    current: u32,
    params: Box<sys::SEncParamExt>,
}

impl std::fmt::Debug for OpenH264Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenH264Engine")
            .field("frame_index", &self.frame_index)
            .finish_non_exhaustive()
    }
}

// SAFETY: the encoder instance is owned by this value and only used through `&mut self`.
unsafe impl Send for OpenH264Engine {}

/// MaxFS of level 5.2, openh264's highest (ITU-T H.264 Table A-1).
const LEVEL_52_MAX_MBS: u32 = 36_864;

/// The highest bit rate openh264 takes, in kbps: level 5.2's MaxBR (240,000) × 1.2, the NAL
/// factor, for every profile (measured: 288,000 is taken, 288,001 refused, at Baseline, Main and
/// High).
const MAX_KBPS: u32 = 288_000;

/// openh264 clips its frame rate to 1..=60 (`MAX_FRAME_RATE`, `wels_const.h`) and spends
/// `bit rate / frame rate` on each picture: above 60 fps it gets 60 and a rate scaled by
/// `60 / fps`, which is the same bits per picture, so the stream keeps the channel's rate.
const MAX_FPS: f32 = 60.0;

/// ITU-T H.264 Table A-1: `level_idc`, MaxMBPS (macroblocks a second), MaxFS (macroblocks),
/// MaxBR (kbps, Baseline/Main), lowest first (level 1b left out).
const LEVELS: [(u32, u64, u32, u32); 16] = [
    (10, 1_485, 99, 64),
    (11, 3_000, 396, 192),
    (12, 6_000, 396, 384),
    (13, 11_880, 396, 768),
    (20, 11_880, 396, 2_000),
    (21, 19_800, 792, 4_000),
    (22, 20_250, 1_620, 4_000),
    (30, 40_500, 1_620, 10_000),
    (31, 108_000, 3_600, 14_000),
    (32, 216_000, 5_120, 20_000),
    (40, 245_760, 8_192, 20_000),
    (41, 245_760, 8_192, 50_000),
    (42, 522_240, 8_704, 50_000),
    (50, 589_824, 22_080, 135_000),
    (51, 983_040, 36_864, 240_000),
    (52, 2_073_600, 36_864, 240_000),
];

/// The lowest level whose limits hold `mbs` macroblocks a picture at `fps` and `kbps`; 5.2
/// (openh264's highest) when none does.
fn level_for(mbs: u32, fps: f32, kbps: Option<u32>) -> u32 {
    let rate = (f64::from(mbs) * f64::from(fps)).ceil() as u64;
    LEVELS
        .iter()
        .find(|&&(_, max_mbps, max_fs, max_br)| {
            rate <= max_mbps && mbs <= max_fs && kbps.is_none_or(|k| k <= max_br)
        })
        .map_or(52, |&(idc, ..)| idc)
}

fn err(message: impl Into<String>) -> CodecError {
    CodecError {
        codec: Codec::H264,
        message: message.into(),
    }
}

impl OpenH264Engine {
    /// Creates and initializes the encoder. Fails for sizes openh264 cannot encode.
    pub fn new(cfg: &EngineConfig) -> Result<Self, CodecError> {
        let idc = profile_idc(cfg.profile)
            .ok_or_else(|| err(format!("profile {} is not H.264", cfg.profile)))?;
        let api = sys::DynamicAPI::from_source();
        let mut enc: *mut sys::ISVCEncoder = std::ptr::null_mut();
        // SAFETY: FFI call that writes an encoder pointer into `enc`.
        let rc = unsafe { api.WelsCreateSVCEncoder(&mut enc) };
        if rc != 0 || enc.is_null() {
            return Err(err(format!("WelsCreateSVCEncoder failed ({rc})")));
        }
        let mut engine = Self {
            api,
            enc,
            info: Box::default(),
            frame_index: 0,
            frame_interval_ms: 1000.0 / f64::from(cfg.frame_rate.min(MAX_FPS)),
            gop: cfg.gop.max(1),
            fixed_qp: None,
            since_idr: None,
        };
        let mut level: c_int = sys::WELS_LOG_QUIET as c_int;
        // SAFETY: vtable call on a live encoder; the option points at a c_int as documented.
        unsafe {
            let vt = &**engine.enc;
            let set_option = vt.SetOption.ok_or_else(|| err("vtable lacks SetOption"))?;
            set_option(
                engine.enc,
                sys::ENCODER_OPTION_TRACE_LEVEL,
                (&raw mut level).cast::<c_void>(),
            );
        }
        let mut p = sys::SEncParamExt::default();
        // SAFETY: vtable calls on a live encoder with a properly sized parameter struct.
        unsafe {
            let vt = &**engine.enc;
            let get_default = vt
                .GetDefaultParams
                .ok_or_else(|| err("vtable lacks GetDefaultParams"))?;
            get_default(engine.enc, &raw mut p);
        }
        // Name what is out of openh264's range before it answers a bare "invalid argument".
        let mbs = cfg.width.div_ceil(16) * cfg.height.div_ceil(16);
        if mbs > LEVEL_52_MAX_MBS {
            return Err(err(format!(
                "openh264 encodes up to level 5.2 ({LEVEL_52_MAX_MBS} macroblocks); {}x{} has {mbs}",
                cfg.width, cfg.height
            )));
        }
        if let Some(kbps) = cfg.rate.ceiling_kbps()
            && kbps > MAX_KBPS
        {
            let name = match cfg.rate {
                Rate::Variable { .. } => "max_bit_rate",
                _ => "bit_rate",
            };
            return Err(err(format!(
                "openh264 encodes up to level 5.2 ({MAX_KBPS} kbps); {name} {kbps} kbps is above it"
            )));
        }
        let fps = cfg.frame_rate.min(MAX_FPS);
        let per_fps = f64::from(fps) / f64::from(cfg.frame_rate);
        let bps =
            |kbps: u32| (f64::from(kbps) * 1000.0 * per_fps).min(f64::from(i32::MAX)) as c_int;
        let (rc_mode, target, max) = match cfg.rate {
            Rate::Constant { kbps } => (
                sys::RC_BITRATE_MODE,
                bps(kbps),
                sys::UNSPECIFIED_BIT_RATE as c_int,
            ),
            Rate::Variable { kbps, max_kbps } => (sys::RC_BITRATE_MODE, bps(kbps), bps(max_kbps)),
            // Rate control off: the rate is not read; the level's ceiling keeps validation quiet.
            Rate::FixedQp { .. } => (sys::RC_OFF_MODE, bps(MAX_KBPS), bps(MAX_KBPS)),
            Rate::JpegQuality(_) => return Err(err("JPEG quality is not an H.264 rate control")),
        };
        p.iUsageType = sys::CAMERA_VIDEO_REAL_TIME;
        p.iPicWidth = cfg.width as c_int;
        p.iPicHeight = cfg.height as c_int;
        p.iTargetBitrate = target;
        p.iMaxBitrate = max;
        p.iRCMode = rc_mode;
        p.fMaxFrameRate = fps;
        p.iTemporalLayerNum = 1;
        p.iSpatialLayerNum = 1;
        p.uiIntraPeriod = cfg.gop;
        p.iNumRefFrame = 1;
        p.eSpsPpsIdStrategy = sys::CONSTANT_ID;
        p.bPrefixNalAddingCtrl = false;
        p.bEnableSSEI = false;
        let cabac = cfg.tools.cabac.unwrap_or(idc != sys::PRO_BASELINE as u32);
        p.iEntropyCodingModeFlag = c_int::from(cabac);
        // One picture out per picture in: the K230 never skips in CBR.
        p.bEnableFrameSkip = false;
        p.bEnableLongTermReference = false;
        p.iMultipleThreadIdc = cfg.threads;
        // Load balancing moves slice boundaries by timing: off, so output is deterministic.
        p.bUseLoadBalancing = false;
        // 0: deblocking on; 1: off (`kd_mpi_venc_set_dblk`).
        p.iLoopFilterDisableIdc = c_int::from(!cfg.tools.deblock);
        p.bEnableDenoise = false;
        p.bEnableBackgroundDetection = true;
        // FIXQP gives every macroblock the picture's QP: no adaptive offsets.
        p.bEnableAdaptiveQuant = !matches!(cfg.rate, Rate::FixedQp { .. });
        // Scene-change detection inserts extra IDRs; the VPU keeps the GOP.
        p.bEnableSceneChangeDetect = false;
        p.bEnableFrameCroppingFlag = true;
        p.iComplexityMode = sys::LOW_COMPLEXITY;
        let layer = &mut p.sSpatialLayers[0];
        layer.iVideoWidth = cfg.width as c_int;
        layer.iVideoHeight = cfg.height as c_int;
        layer.fFrameRate = fps;
        layer.iSpatialBitrate = target;
        layer.iMaxSpatialBitrate = max;
        if let Rate::FixedQp { i_qp, .. } = cfg.rate {
            // The first picture is an IDR.
            layer.iDLayerQp = i_qp as c_int;
        }
        layer.uiProfileIdc = idc as sys::EProfileIdc;
        // openh264 picks the level from the frame rate it was told; above 60 fps that is too
        // low for the stream, so the level comes from the channel's real rate.
        layer.uiLevelIdc = if cfg.frame_rate > MAX_FPS {
            level_for(mbs, cfg.frame_rate, cfg.rate.ceiling_kbps()) as sys::ELevelIdc
        } else {
            sys::LEVEL_UNKNOWN
        };
        if cfg.threads > 1 {
            layer.sSliceArgument.uiSliceMode = sys::SM_FIXEDSLCNUM_SLICE;
            layer.sSliceArgument.uiSliceNum = u32::from(cfg.threads);
        } else {
            layer.sSliceArgument.uiSliceMode = sys::SM_SINGLE_SLICE;
            layer.sSliceArgument.uiSliceNum = 1;
        }
        // SAFETY: vtable call on a live encoder with initialized parameters.
        let rc = unsafe {
            let vt = &**engine.enc;
            let init = vt
                .InitializeExt
                .ok_or_else(|| err("vtable lacks InitializeExt"))?;
            init(engine.enc, &raw const p)
        };
        if rc != 0 {
            return Err(err(format!(
                "openh264 rejected {}x{} with {:?} (InitializeExt returned {rc}); it encodes up \
                 to level 5.2: {LEVEL_52_MAX_MBS} macroblocks, {} kbps",
                cfg.width, cfg.height, cfg.rate, MAX_KBPS,
            )));
        }
        if let Rate::FixedQp { i_qp, p_qp } = cfg.rate {
            engine.fixed_qp = Some(FixedQp {
                i_qp,
                p_qp,
                current: i_qp,
                params: Box::new(p),
            });
        }
        Ok(engine)
    }
}

impl CodecEngine for OpenH264Engine {
    fn codec(&self) -> Codec {
        Codec::H264
    }

    fn encode(
        &mut self,
        pic: &Picture<'_>,
        force_idr: bool,
        out: &mut EncodedPicture,
    ) -> Result<(), CodecError> {
        out.data.clear();
        out.idr = false;
        // openh264's own cadence: an IDR when forced, first, or `gop` pictures after the last.
        let idr_due = force_idr || self.since_idr.is_none_or(|n| n >= self.gop);
        self.set_fixed_qp(idr_due)?;
        // Rate control reads timestamps: derive them from the frame count, so pts left at 0 (as
        // CanMV programs often do) cannot disturb it, and output stays deterministic.
        let ts = (self.frame_index as f64 * self.frame_interval_ms).round() as i64;
        let src = sys::SSourcePicture {
            iColorFormat: sys::videoFormatI420 as c_int,
            iStride: [
                pic.y_stride as c_int,
                pic.uv_stride as c_int,
                pic.uv_stride as c_int,
                0,
            ],
            pData: [
                pic.y.as_ptr().cast_mut(),
                pic.u.as_ptr().cast_mut(),
                pic.v.as_ptr().cast_mut(),
                std::ptr::null_mut(),
            ],
            iPicWidth: pic.width as c_int,
            iPicHeight: pic.height as c_int,
            uiTimeStamp: ts,
            bPsnrY: false,
            bPsnrU: false,
            bPsnrV: false,
        };
        // SAFETY: the planes outlive the call and hold width x height (and half-size chroma)
        // bytes at the given strides, which the channel checked; openh264 only reads them.
        let rc = unsafe {
            let vt = &**self.enc;
            if force_idr && let Some(force) = vt.ForceIntraFrame {
                force(self.enc, true);
            }
            let encode = vt
                .EncodeFrame
                .ok_or_else(|| err("vtable lacks EncodeFrame"))?;
            encode(self.enc, &raw const src, &raw mut *self.info)
        };
        if rc != 0 {
            return Err(err(format!("EncodeFrame returned {rc}")));
        }
        self.frame_index += 1;
        let info = &*self.info;
        match info.eFrameType {
            sys::videoFrameTypeIDR => out.idr = true,
            sys::videoFrameTypeP | sys::videoFrameTypeI => {}
            t => return Err(err(format!("unexpected frame type {t} (frame skipped?)"))),
        }
        self.since_idr = Some(if out.idr {
            1
        } else {
            self.since_idr.map_or(1, |n| n + 1)
        });
        if self.fixed_qp.is_some() && out.idr != idr_due {
            // The QP was chosen for the other picture type: say so rather than hand it on.
            return Err(err(format!(
                "FIXQP: picture {} came out {} where an {} was due",
                self.frame_index - 1,
                if out.idr { "an IDR" } else { "a P" },
                if idr_due { "IDR" } else { "P" },
            )));
        }
        for layer in &info.sLayerInfo[..info.iLayerNum.max(0) as usize] {
            let nal_lens = if layer.iNalCount > 0 {
                // SAFETY: openh264 fills `iNalCount` lengths at `pNalLengthInByte`.
                unsafe {
                    std::slice::from_raw_parts(layer.pNalLengthInByte, layer.iNalCount as usize)
                }
            } else {
                &[]
            };
            let total: usize = nal_lens.iter().map(|&l| l.max(0) as usize).sum();
            if total > 0 {
                // SAFETY: `pBsBuf` holds the layer's NAL units back to back, `total` bytes.
                let bytes = unsafe { std::slice::from_raw_parts(layer.pBsBuf, total) };
                out.data.extend_from_slice(bytes);
            }
        }
        Ok(())
    }
}

impl OpenH264Engine {
    /// Under FIXQP, puts the layer QP on `i_qp` for an IDR and `p_qp` otherwise.
    fn set_fixed_qp(&mut self, idr: bool) -> Result<(), CodecError> {
        let Some(fixed) = self.fixed_qp.as_mut() else {
            return Ok(());
        };
        let qp = if idr { fixed.i_qp } else { fixed.p_qp };
        if qp == fixed.current {
            return Ok(());
        }
        fixed.params.sSpatialLayers[0].iDLayerQp = qp as c_int;
        // SAFETY: vtable call on a live encoder; the option points at a whole `SEncParamExt`,
        // the one it was initialized with but for the QP, which openh264 copies without a reset.
        let rc = unsafe {
            let vt = &**self.enc;
            let set_option = vt.SetOption.ok_or_else(|| err("vtable lacks SetOption"))?;
            set_option(
                self.enc,
                sys::ENCODER_OPTION_SVC_ENCODE_PARAM_EXT,
                (&raw mut *fixed.params).cast::<c_void>(),
            )
        };
        if rc != 0 {
            return Err(err(format!("setting QP {qp} returned {rc}")));
        }
        fixed.current = qp;
        Ok(())
    }
}

impl Drop for OpenH264Engine {
    fn drop(&mut self) {
        // SAFETY: the encoder was created by this API and is not used after this.
        unsafe {
            let vt = &**self.enc;
            if let Some(uninit) = vt.Uninitialize {
                uninit(self.enc);
            }
            self.api.WelsDestroySVCEncoder(self.enc);
        }
    }
}
