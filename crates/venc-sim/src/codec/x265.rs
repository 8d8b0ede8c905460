//! H.265 through the system libx265 (GPL-2.0-or-later; compiled only with feature `x265`).
//!
//! libx265 renames its entry points with every build number (`x265_encoder_open_199`), and its
//! `x265_param` layout changes between builds. This engine depends on neither:
//! - the only symbol linked is the unversioned `x265_api_query`;
//! - every setting goes through `x265_param_parse` by name, so `x265_param` stays opaque;
//! - pictures come from `picture_alloc`/`picture_init`; the engine writes only the head of
//!   `x265_picture` (pts … colorSpace), unchanged since x265 1.6, and checks that head against
//!   `picture_init`'s defaults before the first frame, refusing to run if a build ever moves it;
//! - `encoder_encode` gets a null `pic_out`, whose type changed in builds 210–212.

use super::{CodecEngine, CodecError, EncodedPicture, EngineConfig, Picture, Rate};
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::sync::{Mutex, OnceLock};

/// Held across `x265_encoder_open`, which sets up process-wide state unlocked.
static OPEN: Mutex<()> = Mutex::new(());
use venc_core::bitstream::{Codec, NalKind, annexb_units};
use venc_core::consts;

/// The x265 preset the engine starts from (see `docs/divergences.md` D-016 for why).
pub const PRESET: &str = "ultrafast";

mod ffi {
    use std::ffi::{c_char, c_int, c_void};

    /// Opaque `x265_param`.
    #[repr(C)]
    pub struct Param {
        _opaque: [u8; 0],
    }
    /// Opaque `x265_encoder`.
    #[repr(C)]
    pub struct Encoder {
        _opaque: [u8; 0],
    }
    /// Opaque `x265_picture`; only its head is touched, through [`PictureHead`].
    #[repr(C)]
    pub struct Picture {
        _opaque: [u8; 0],
    }

    /// The leading members of `x265_picture`, the same in every build since 1.6 (build 51).
    #[repr(C)]
    pub struct PictureHead {
        pub pts: i64,
        pub dts: i64,
        pub user_data: *mut c_void,
        pub planes: [*mut c_void; 3],
        pub stride: [c_int; 3],
        pub bit_depth: c_int,
        pub slice_type: c_int,
        pub poc: c_int,
        pub color_space: c_int,
        pub force_qp: c_int,
    }

    /// `x265_nal`.
    #[repr(C)]
    pub struct Nal {
        pub nal_type: u32,
        pub size_bytes: u32,
        pub payload: *mut u8,
    }

    /// `x265_api` up to `cleanup`: API major version 1 only appends members after it.
    #[repr(C)]
    pub struct Api {
        pub api_major_version: c_int,
        pub api_build_number: c_int,
        pub sizeof_param: c_int,
        pub sizeof_picture: c_int,
        pub sizeof_analysis_data: c_int,
        pub sizeof_zone: c_int,
        pub sizeof_stats: c_int,
        pub bit_depth: c_int,
        pub version_str: *const c_char,
        pub build_info_str: *const c_char,
        pub param_alloc: Option<unsafe extern "C" fn() -> *mut Param>,
        pub param_free: Option<unsafe extern "C" fn(*mut Param)>,
        pub param_default: Option<unsafe extern "C" fn(*mut Param)>,
        pub param_parse:
            Option<unsafe extern "C" fn(*mut Param, *const c_char, *const c_char) -> c_int>,
        pub param_apply_profile: Option<unsafe extern "C" fn(*mut Param, *const c_char) -> c_int>,
        pub param_default_preset:
            Option<unsafe extern "C" fn(*mut Param, *const c_char, *const c_char) -> c_int>,
        pub picture_alloc: Option<unsafe extern "C" fn() -> *mut Picture>,
        pub picture_free: Option<unsafe extern "C" fn(*mut Picture)>,
        pub picture_init: Option<unsafe extern "C" fn(*mut Param, *mut Picture)>,
        pub encoder_open: Option<unsafe extern "C" fn(*mut Param) -> *mut Encoder>,
        pub encoder_parameters: *const c_void,
        pub encoder_reconfig: *const c_void,
        pub encoder_reconfig_zone: *const c_void,
        pub encoder_headers: *const c_void,
        /// The last argument is `x265_picture*` (or `x265_picture**` in builds 210–212): always null here.
        pub encoder_encode: Option<
            unsafe extern "C" fn(
                *mut Encoder,
                *mut *mut Nal,
                *mut u32,
                *mut Picture,
                *mut c_void,
            ) -> c_int,
        >,
        pub encoder_get_stats: *const c_void,
        pub encoder_log: *const c_void,
        pub encoder_close: Option<unsafe extern "C" fn(*mut Encoder)>,
        pub cleanup: *const c_void,
    }

    unsafe extern "C" {
        pub fn x265_api_query(bit_depth: c_int, api_version: c_int, err: *mut c_int) -> *const Api;
    }
}

/// The oldest build whose struct layouts this engine relies on (x265 1.6); libx265 refuses
/// nothing newer than this, so any later build answers.
const QUERY_BUILD: c_int = 51;
/// `X265_CSP_I420`.
const CSP_I420: c_int = 1;
/// `X265_TYPE_AUTO` / `X265_TYPE_IDR`.
const TYPE_AUTO: c_int = 0;
const TYPE_IDR: c_int = 1;

/// The function table of the linked libx265, queried once.
struct Lib {
    api: &'static ffi::Api,
    param_alloc: unsafe extern "C" fn() -> *mut ffi::Param,
    param_free: unsafe extern "C" fn(*mut ffi::Param),
    param_parse: unsafe extern "C" fn(*mut ffi::Param, *const c_char, *const c_char) -> c_int,
    param_apply_profile: unsafe extern "C" fn(*mut ffi::Param, *const c_char) -> c_int,
    param_default_preset:
        unsafe extern "C" fn(*mut ffi::Param, *const c_char, *const c_char) -> c_int,
    picture_alloc: unsafe extern "C" fn() -> *mut ffi::Picture,
    picture_free: unsafe extern "C" fn(*mut ffi::Picture),
    picture_init: unsafe extern "C" fn(*mut ffi::Param, *mut ffi::Picture),
    encoder_open: unsafe extern "C" fn(*mut ffi::Param) -> *mut ffi::Encoder,
    encoder_encode: unsafe extern "C" fn(
        *mut ffi::Encoder,
        *mut *mut ffi::Nal,
        *mut u32,
        *mut ffi::Picture,
        *mut c_void,
    ) -> c_int,
    encoder_close: unsafe extern "C" fn(*mut ffi::Encoder),
}

// SAFETY: the table points at libx265's static, immutable `x265_api`; its functions are
// thread-safe for distinct encoders.
unsafe impl Sync for Lib {}
// SAFETY: as above.
unsafe impl Send for Lib {}

fn lib() -> Result<&'static Lib, CodecError> {
    static LIB: OnceLock<Result<Lib, String>> = OnceLock::new();
    LIB.get_or_init(query).as_ref().map_err(|m| err(m.clone()))
}

fn query() -> Result<Lib, String> {
    let mut code: c_int = 0;
    // SAFETY: FFI call with a valid out-pointer; the result is null or a static table.
    let api = unsafe { ffi::x265_api_query(8, QUERY_BUILD, &raw mut code) };
    // SAFETY: non-null pointers from x265_api_query point at a static `x265_api`.
    let Some(api) = (unsafe { api.as_ref() }) else {
        return Err(format!(
            "x265_api_query(8-bit) refused (error {code}): no usable 8-bit libx265"
        ));
    };
    if api.api_major_version != 1 {
        return Err(format!(
            "libx265 API major version {} (build {}): this engine knows version 1",
            api.api_major_version, api.api_build_number
        ));
    }
    let missing = |name: &str| format!("libx265 build {} lacks {name}", api.api_build_number);
    Ok(Lib {
        api,
        param_alloc: api.param_alloc.ok_or_else(|| missing("param_alloc"))?,
        param_free: api.param_free.ok_or_else(|| missing("param_free"))?,
        param_parse: api.param_parse.ok_or_else(|| missing("param_parse"))?,
        param_apply_profile: api
            .param_apply_profile
            .ok_or_else(|| missing("param_apply_profile"))?,
        param_default_preset: api
            .param_default_preset
            .ok_or_else(|| missing("param_default_preset"))?,
        picture_alloc: api.picture_alloc.ok_or_else(|| missing("picture_alloc"))?,
        picture_free: api.picture_free.ok_or_else(|| missing("picture_free"))?,
        picture_init: api.picture_init.ok_or_else(|| missing("picture_init"))?,
        encoder_open: api.encoder_open.ok_or_else(|| missing("encoder_open"))?,
        encoder_encode: api
            .encoder_encode
            .ok_or_else(|| missing("encoder_encode"))?,
        encoder_close: api.encoder_close.ok_or_else(|| missing("encoder_close"))?,
    })
}

/// HEVC `nal_unit_type` of an IDR picture without leading pictures, as libx265 writes it.
const H265_IDR_N_LP: u32 = 20;
/// HEVC `nal_unit_type` of an IDR picture that may have RADL leading pictures.
const H265_IDR_W_RADL: u8 = 19;

/// The linked libx265's version and build number, e.g. `"3.5+1-f0c1022b6 (build 199)"`.
pub fn library_version() -> Result<String, CodecError> {
    let lib = lib()?;
    let version = if lib.api.version_str.is_null() {
        "unknown".into()
    } else {
        // SAFETY: libx265's version string is a static NUL-terminated string.
        unsafe { CStr::from_ptr(lib.api.version_str) }.to_string_lossy()
    };
    Ok(format!("{version} (build {})", lib.api.api_build_number))
}

fn err(message: impl Into<String>) -> CodecError {
    CodecError {
        codec: Codec::H265,
        message: message.into(),
    }
}

/// The `x265_param_parse` settings that make libx265 behave like the K230 VPU for a channel.
pub fn settings(cfg: &EngineConfig) -> Vec<(&'static str, String)> {
    let gop = cfg.gop.to_string();
    // The VPU's SAO is on unless a program turns it off; libx265 has one switch for both
    // planes (the channel refuses them apart, D-053). Deblocking is the preset's default (on);
    // `deblock=0` would set a filter offset, so off is `no-deblock`.
    let (sao_luma, _) = cfg.tools.sao;
    let mut tools = vec![("sao", if sao_luma { "1" } else { "0" }.to_string())];
    if !cfg.tools.deblock {
        tools.push(("no-deblock", "1".into()));
    }
    let mut all = vec![
        ("input-res", format!("{}x{}", cfg.width, cfg.height)),
        ("fps", format!("{}", cfg.frame_rate)),
        ("input-csp", "i420".into()),
        // The VPU codes 64x64 CTUs down to 8x8 CUs; that costs libx265 about 2x the time, so the
        // preset's 32/16 stay (D-016). Set here so a new preset cannot move them.
        ("ctu", "32".into()),
        ("min-cu-size", "16".into()),
        // GOP: an IDR every `gop` frames and nowhere else, each after VPS+SPS+PPS.
        ("keyint", gop.clone()),
        ("min-keyint", gop),
        ("scenecut", "0".into()),
        ("open-gop", "0".into()),
        ("repeat-headers", "1".into()),
        ("bframes", "0".into()),
        ("rc-lookahead", "0".into()),
        // Nothing the VPU does not emit: no version SEI, no AUD, no picture hash.
        ("info", "0".into()),
        ("aud", "0".into()),
        ("hash", "0".into()),
        ("annexb", "1".into()),
        // One picture out per picture in; threads only as WPP rows, which keep output identical.
        ("frame-threads", "1".into()),
        ("pools", cfg.threads.max(1).to_string()),
        ("lookahead-slices", "0".into()),
        ("log-level", "error".into()),
    ];
    all.extend(tools);
    all.extend(rate_settings(cfg.rate));
    all
}

/// The rate control of `rate` in libx265's terms.
fn rate_settings(rate: Rate) -> Vec<(&'static str, String)> {
    match rate {
        // CBR: rate = ceiling, one second of buffer (the VPU's CONSTANT: target = maximum).
        // VBR: the target on average, the ceiling through the buffer (Arm's C_VARIABLE).
        Rate::Constant { kbps: target, .. } | Rate::Variable { kbps: target, .. } => {
            let ceiling = rate.ceiling_kbps().unwrap_or(target).to_string();
            vec![
                ("bitrate", target.to_string()),
                ("vbv-maxrate", ceiling.clone()),
                ("vbv-bufsize", ceiling),
            ]
        }
        // Constant QP: `qp` is the P pictures'; libx265 puts I pictures `6·log2(ipratio)` below
        // it (rounded), so this ratio lands them on `i_qp` exactly. No adaptive offsets.
        Rate::FixedQp { i_qp, p_qp } => {
            let ipratio = 2f64.powf((f64::from(p_qp) - f64::from(i_qp)) / 6.0);
            vec![
                ("qp", p_qp.to_string()),
                ("ipratio", format!("{ipratio}")),
                ("aq-mode", "0".into()),
                ("cutree", "0".into()),
            ]
        }
        Rate::JpegQuality(_) => Vec::new(),
    }
}

/// A libx265 encoder configured like the K230 VPU for one channel.
pub struct X265Engine {
    lib: &'static Lib,
    param: *mut ffi::Param,
    encoder: *mut ffi::Encoder,
    picture: *mut ffi::Picture,
    frame_index: i64,
}

impl std::fmt::Debug for X265Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("X265Engine")
            .field("frame_index", &self.frame_index)
            .finish_non_exhaustive()
    }
}

// SAFETY: the encoder, parameters and picture are owned by this value and only used through
// `&mut self`; libx265 encoders may be driven from any one thread at a time.
unsafe impl Send for X265Engine {}

fn cstring(s: &str) -> Result<CString, CodecError> {
    CString::new(s).map_err(|_| err(format!("setting {s:?} contains NUL")))
}

impl X265Engine {
    /// Opens an encoder for `cfg` (profile must be H.265 Main).
    pub fn new(cfg: &EngineConfig) -> Result<Self, CodecError> {
        if cfg.profile != consts::VENC_PROFILE_H265_MAIN {
            return Err(err(format!("profile {} is not H.265 Main", cfg.profile)));
        }
        let lib = lib()?;
        // SAFETY: allocation through the library's own function.
        let param = unsafe { (lib.param_alloc)() };
        if param.is_null() {
            return Err(err("x265_param_alloc failed"));
        }
        // From here on `Drop` frees whatever has been allocated.
        let mut engine = Self {
            lib,
            param,
            encoder: std::ptr::null_mut(),
            picture: std::ptr::null_mut(),
            frame_index: 0,
        };
        let preset = cstring(PRESET)?;
        let tune = cstring("zerolatency")?;
        // SAFETY: live param and NUL-terminated strings.
        if unsafe { (lib.param_default_preset)(param, preset.as_ptr(), tune.as_ptr()) } != 0 {
            return Err(err(format!("preset {PRESET}/zerolatency rejected")));
        }
        for (name, value) in settings(cfg) {
            let (n, v) = (cstring(name)?, cstring(&value)?);
            // SAFETY: live param and NUL-terminated strings.
            let rc = unsafe { (lib.param_parse)(param, n.as_ptr(), v.as_ptr()) };
            if rc != 0 {
                let why = if rc == -1 {
                    "unknown option"
                } else {
                    "bad value"
                };
                return Err(err(format!(
                    "libx265 build {} rejected --{name} {value} ({why})",
                    lib.api.api_build_number
                )));
            }
        }
        let main = cstring("main")?;
        // SAFETY: live param and NUL-terminated string.
        if unsafe { (lib.param_apply_profile)(param, main.as_ptr()) } != 0 {
            return Err(err("profile main rejected"));
        }
        // SAFETY: allocation through the library's own function.
        engine.picture = unsafe { (lib.picture_alloc)() };
        if engine.picture.is_null() {
            return Err(err("x265_picture_alloc failed"));
        }
        // SAFETY: live param and picture from this library.
        unsafe { (lib.picture_init)(param, engine.picture) };
        engine.check_picture_layout(cfg)?;
        // One open at a time: x265's first `encoder_open` fills the process-wide table of
        // primitives (`x265_setup_primitives`), and a second open started meanwhile sees the
        // table begun and encodes through entries not yet written (a rare SIGSEGV when channels
        // are created on several threads at once, seen in the rate-control tests).
        let opening = OPEN
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // SAFETY: live, fully set param.
        engine.encoder = unsafe { (lib.encoder_open)(param) };
        drop(opening);
        if engine.encoder.is_null() {
            return Err(err(format!(
                "x265_encoder_open refused {}x{} with {:?}",
                cfg.width, cfg.height, cfg.rate
            )));
        }
        Ok(engine)
    }

    /// Confirms the picture head sits where this engine writes it, using the values
    /// `picture_init` just set; a libx265 that moved it is refused, not corrupted.
    fn check_picture_layout(&self, cfg: &EngineConfig) -> Result<(), CodecError> {
        let build = self.lib.api.api_build_number;
        let size_ok = usize::try_from(self.lib.api.sizeof_picture)
            .is_ok_and(|n| n >= std::mem::size_of::<ffi::PictureHead>());
        // SAFETY: `picture` was allocated by libx265 with `sizeof_picture` bytes, checked to
        // cover the head before it is read.
        let head = size_ok.then(|| unsafe { &*self.picture.cast::<ffi::PictureHead>() });
        match head {
            Some(h)
                if h.bit_depth == 8
                    && h.color_space == CSP_I420
                    && h.slice_type == TYPE_AUTO
                    && h.planes.iter().all(|p| p.is_null()) =>
            {
                Ok(())
            }
            _ => Err(err(format!(
                "libx265 build {build}: x265_picture does not start as this engine expects \
                 (pts, dts, userData, planes, stride, bitDepth, sliceType, poc, colorSpace); \
                 refusing to encode {}x{}",
                cfg.width, cfg.height
            ))),
        }
    }
}

impl CodecEngine for X265Engine {
    fn codec(&self) -> Codec {
        Codec::H265
    }

    fn encode(
        &mut self,
        pic: &Picture<'_>,
        force_idr: bool,
        out: &mut EncodedPicture,
    ) -> Result<(), CodecError> {
        out.data.clear();
        out.idr = false;
        {
            // SAFETY: the head layout was checked in `new`; `&mut self` makes this the only
            // reference to the picture.
            let head = unsafe { &mut *self.picture.cast::<ffi::PictureHead>() };
            head.planes = [
                pic.y.as_ptr().cast_mut().cast(),
                pic.u.as_ptr().cast_mut().cast(),
                pic.v.as_ptr().cast_mut().cast(),
            ];
            head.stride = [
                pic.y_stride as c_int,
                pic.uv_stride as c_int,
                pic.uv_stride as c_int,
            ];
            // Timestamps from the frame count, so rate control never sees a pts of 0 twice.
            head.pts = self.frame_index;
            head.slice_type = if force_idr { TYPE_IDR } else { TYPE_AUTO };
        }
        let mut nals: *mut ffi::Nal = std::ptr::null_mut();
        let mut count: u32 = 0;
        // SAFETY: live encoder and picture; the planes hold width x height (half-size chroma)
        // bytes at these strides, as the channel checked, and libx265 copies them during the
        // call. A null `pic_out` is allowed in every build.
        let rc = unsafe {
            (self.lib.encoder_encode)(
                self.encoder,
                &raw mut nals,
                &raw mut count,
                self.picture,
                std::ptr::null_mut(),
            )
        };
        // SAFETY: the picture is still ours; clear the borrowed plane pointers.
        unsafe { (*self.picture.cast::<ffi::PictureHead>()).planes = [std::ptr::null_mut(); 3] };
        if rc < 0 {
            return Err(err(format!("x265_encoder_encode returned {rc}")));
        }
        if rc == 0 || count == 0 || nals.is_null() {
            return Err(err(
                "libx265 held a picture back (one picture out per picture in is required)",
            ));
        }
        self.frame_index += 1;
        // SAFETY: libx265 returned `count` NAL descriptors at `nals`, valid until the next call.
        let nals = unsafe { std::slice::from_raw_parts(nals, count as usize) };
        for nal in nals {
            if nal.payload.is_null() {
                continue;
            }
            // SAFETY: each descriptor points at `size_bytes` bytes of Annex-B output.
            let bytes = unsafe { std::slice::from_raw_parts(nal.payload, nal.size_bytes as usize) };
            // libx265 writes 3-byte start codes before slices; the VPU's packs use 4 everywhere
            // (facts §2.4), and programs read the NAL header at byte 4.
            let header = out.data.len() + 4; // after the 4-byte start code
            if bytes.starts_with(&[0, 0, 1]) {
                out.data.push(0);
            }
            out.data.extend_from_slice(bytes);
            // libx265 types an IDR with no leading pictures IDR_N_LP (20); the firmware's MP4
            // muxer opens an H.265 track only on IDR_W_RADL (19), so the VPU's IDRs are taken
            // to be 19 (D-043). With no RADL pictures the two decode alike.
            if nal.nal_type == H265_IDR_N_LP
                && let Some(b) = out.data.get_mut(header)
            {
                *b = (*b & 0x81) | (H265_IDR_W_RADL << 1);
            }
        }
        out.idr =
            annexb_units(&out.data).any(|u| Codec::H265.classify(u.data) == NalKind::IdrSlice);
        Ok(())
    }
}

impl Drop for X265Engine {
    fn drop(&mut self) {
        // SAFETY: each pointer is null or owned by this engine and freed exactly once; libx265's
        // global `cleanup` is never called because other channels may still encode.
        unsafe {
            if !self.encoder.is_null() {
                (self.lib.encoder_close)(self.encoder);
            }
            if !self.picture.is_null() {
                (self.lib.picture_free)(self.picture);
            }
            if !self.param.is_null() {
                (self.lib.param_free)(self.param);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> EngineConfig {
        EngineConfig {
            width: 320,
            height: 240,
            profile: consts::VENC_PROFILE_H265_MAIN,
            gop: 10,
            rate: Rate::Constant { kbps: 500 },
            frame_rate: 30.0,
            threads: 1,
            tools: Default::default(),
        }
    }

    #[test]
    fn library_answers_the_api_query() {
        let v = library_version().expect("libx265 linked");
        assert!(v.contains("(build "), "{v}");
    }

    #[test]
    fn every_setting_is_accepted_by_the_linked_build() {
        // `new` parses each setting and fails naming the first one refused.
        X265Engine::new(&cfg()).expect("all settings accepted");
    }

    #[test]
    fn main_10_is_refused() {
        let c = EngineConfig {
            profile: consts::VENC_PROFILE_H265_MAIN_10,
            ..cfg()
        };
        let e = X265Engine::new(&c).expect_err("Main 10 refused");
        assert!(e.message.contains("not H.265 Main"), "{e}");
    }
}
