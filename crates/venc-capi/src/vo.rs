//! `kd_mpi_vo_*` and `kd_mpi_wbc_*`: the video output as far as write-back into the encoder
//! needs it (docs/c-api.md, docs/display.md). The device takes a panel's timing, video layers
//! 0–2 show NV12 frames, OSD layers 0–3 RGB pictures, and write-back hands out the composed
//! screen as NV12 frames `kd_mpi_venc_send_frame` takes: the simulator's VO (`venc_sim::vo`),
//! the one CanMV's `Display` drives.

use crate::abi::VideoFrameInfo;
use crate::board::{Board, board, guarded, lock};
use crate::codes::vo as code;
use crate::unmodelled::unmodelled_part;
use log::warn;
use std::sync::Mutex;
use std::time::Duration;
use venc_core::consts;
use venc_sim::vo::compose::LayerFormat;
use venc_sim::vo::{FIRST_OSD, LayerRect, VoError};

/// `k_vo_point`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VoPoint {
    pub x: u32,
    pub y: u32,
}

/// `k_vo_size`.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VoSize {
    pub width: u32,
    pub height: u32,
}

/// `k_vo_display_resolution` (48 bytes): a panel's timing.
#[doc(alias = "k_vo_display_resolution")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VoDisplayResolution {
    /// kHz.
    pub pclk: u32,
    pub phyclk: u32,
    pub htotal: u32,
    pub hdisplay: u32,
    pub hsync_len: u32,
    pub hback_porch: u32,
    pub hfront_porch: u32,
    pub vtotal: u32,
    pub vdisplay: u32,
    pub vsync_len: u32,
    pub vback_porch: u32,
    pub vfront_porch: u32,
}

/// `k_vo_pub_attr` (24 bytes).
#[doc(alias = "k_vo_pub_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VoPubAttr {
    pub bg_color: u32,
    pub intf_type: u32,
    pub intf_sync: u32,
    pub sync_info: *const VoDisplayResolution,
}

/// `k_vo_wbc_attr` (20 bytes).
#[doc(alias = "k_vo_wbc_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VoWbcAttr {
    pub target_size: VoSize,
    pub pixel_format: u32,
    pub stride: u32,
    pub y_phy_addr: u32,
}

/// `k_vo_video_layer_attr` (40 bytes).
#[doc(alias = "k_vo_video_layer_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VoVideoLayerAttr {
    pub display_rect: VoPoint,
    pub img_size: VoSize,
    pub pixel_format: u32,
    pub stride: u32,
    /// `K_ROTATION_*` | `K_VO_MIRROR_*` | gray | scaler flags.
    pub func: u32,
    pub scaler_attr: [u32; 3],
}

/// `k_vo_video_osd_attr` (28 bytes).
#[doc(alias = "k_vo_video_osd_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VoVideoOsdAttr {
    pub display_rect: VoPoint,
    pub img_size: VoSize,
    pub pixel_format: u32,
    pub stride: u32,
    pub global_alptha: u8,
}

const _: () = {
    assert!(std::mem::size_of::<VoDisplayResolution>() == 48);
    assert!(std::mem::size_of::<VoPubAttr>() == 24);
    assert!(std::mem::size_of::<VoWbcAttr>() == 20);
    assert!(std::mem::size_of::<VoVideoLayerAttr>() == 40);
    assert!(std::mem::size_of::<VoVideoOsdAttr>() == 28);
    assert!(std::mem::align_of::<VoPubAttr>() == 8);
};

/// The VO structs' sizes and offsets (kendryte/k230_sdk v1.9 `k_vo_comm.h`, compiled),
/// checked from C by `tests/layout.rs`.
pub const LAYOUTS: &[crate::abi::Layout] = &[
    (
        "k_vo_display_resolution",
        48,
        &[
            ("pclk", 0),
            ("htotal", 8),
            ("hdisplay", 12),
            ("vtotal", 28),
            ("vdisplay", 32),
        ],
    ),
    (
        "k_vo_pub_attr",
        24,
        &[
            ("bg_color", 0),
            ("intf_type", 4),
            ("intf_sync", 8),
            ("sync_info", 16),
        ],
    ),
    (
        "k_vo_wbc_attr",
        20,
        &[
            ("target_size", 0),
            ("pixel_format", 8),
            ("stride", 12),
            ("y_phy_addr", 16),
        ],
    ),
    (
        "k_vo_video_layer_attr",
        40,
        &[
            ("display_rect", 0),
            ("img_size", 8),
            ("pixel_format", 16),
            ("stride", 20),
            ("func", 24),
            ("scaler_attr", 28),
        ],
    ),
    (
        "k_vo_video_osd_attr",
        28,
        &[
            ("display_rect", 0),
            ("img_size", 8),
            ("pixel_format", 16),
            ("stride", 20),
            ("global_alptha", 24),
        ],
    ),
];

/// Video layers (`K_MAX_VO_LAYER_NUM`) and OSD layers (`K_MAX_VO_OSD_NUM`).
const VIDEO_LAYERS: u32 = 3;
const OSD_LAYERS: u32 = 4;
/// `k_u8` answers of `kd_mpi_vo_enable`/`disable`: the SDK's header gives only the type.
const U8_FAILED: u8 = 1;

/// What the program configured and the VO has not been told yet.
#[derive(Debug)]
struct Vo {
    /// (width, height, refreshes a second) from `set_dev_param`.
    device: Option<(u32, u32, u32)>,
    video: [Option<VoVideoLayerAttr>; VIDEO_LAYERS as usize],
    osd: [Option<(VoVideoOsdAttr, LayerFormat)>; OSD_LAYERS as usize],
}

static VO: Mutex<Vo> = Mutex::new(Vo {
    device: None,
    video: [None; 3],
    osd: [None; 4],
});

fn vo_call(call: &str, body: impl FnOnce(&'static Board, &mut Vo) -> Result<(), i32>) -> i32 {
    guarded(call, code::NOTREADY, || match board() {
        Some(b) => body(b, &mut lock(&VO)).err().unwrap_or(0),
        None => code::NOTREADY,
    })
}

fn vo_code(call: &str, e: &VoError) -> i32 {
    warn!("{call}: {e}");
    match e {
        VoError::BadLayer(_) => code::INVALID_CHNID,
        VoError::NotConfigured(_) => code::NOT_CONFIG,
        VoError::NotEnabled | VoError::WbcOff => code::NOTREADY,
        VoError::Timeout(_) => code::BUF_EMPTY,
        VoError::Memory(_) => code::BADADDR,
        VoError::NotHeld(_) | VoError::BadFormat { .. } | VoError::BadPixels { .. } => {
            code::ILLEGAL_PARAM
        }
        VoError::BadSize(..) => code::ILLEGAL_PARAM,
    }
}

/// The layout an OSD pixel format names (the 2024/2025 CanMV pairing: `image.ARGB8888`'s
/// bytes A, R, G, B are `PIXEL_FORMAT_ARGB_8888`, display facts §3.2).
fn osd_format(pixel_format: u32) -> Option<LayerFormat> {
    Some(match pixel_format {
        consts::PIXEL_FORMAT_ARGB_8888 => LayerFormat::Argb8888,
        consts::PIXEL_FORMAT_ABGR_8888 => LayerFormat::Abgr8888,
        consts::PIXEL_FORMAT_BGRA_8888 => LayerFormat::Bgra8888,
        consts::PIXEL_FORMAT_RGB_888 => LayerFormat::Rgb888,
        consts::PIXEL_FORMAT_BGR_888 => LayerFormat::Bgr888,
        consts::PIXEL_FORMAT_RGB_565 | consts::PIXEL_FORMAT_RGB_565_LE => LayerFormat::Rgb565Le,
        consts::PIXEL_FORMAT_BGR_565_LE => LayerFormat::Bgr565Le,
        consts::PIXEL_FORMAT_RGB_MONOCHROME_8BPP => LayerFormat::Mono8,
        _ => return None,
    })
}

/// Quarter turns clockwise of a video layer's `func` (`K_ROTATION_90` 2, `_180` 4, `_270` 8).
fn turns(func: u32) -> u8 {
    match func & 0x0e {
        2 => 1,
        4 => 2,
        8 => 3,
        _ => 0,
    }
}

/// `kd_mpi_vo_init`: the VO driver opened.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vo_init() -> i32 {
    vo_call("kd_mpi_vo_init", |_, _| Ok(()))
}

/// `kd_mpi_vo_set_dev_param`: the panel's size and refresh rate from `sync_info`
/// (`pclk` kHz · 1000 / (`htotal` · `vtotal`)).
///
/// # Safety
/// `attr` is NULL or points to a `k_vo_pub_attr` whose `sync_info` is NULL or readable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vo_set_dev_param(attr: *const VoPubAttr) -> i32 {
    vo_call("kd_mpi_vo_set_dev_param", |_, vo| {
        // SAFETY: the caller passes NULL or a readable k_vo_pub_attr.
        let attr = unsafe { attr.as_ref() }.ok_or(code::NULL_PTR)?;
        // SAFETY: as above, its sync_info NULL or readable.
        let sync = unsafe { attr.sync_info.as_ref() }.ok_or(code::NULL_PTR)?;
        let frame = u64::from(sync.htotal) * u64::from(sync.vtotal);
        if sync.hdisplay == 0 || sync.vdisplay == 0 || frame == 0 || sync.pclk == 0 {
            warn!(
                "kd_mpi_vo_set_dev_param: a timing of {}x{} in {}x{} at {} kHz shows nothing",
                sync.hdisplay, sync.vdisplay, sync.htotal, sync.vtotal, sync.pclk
            );
            return Err(code::ILLEGAL_PARAM);
        }
        let fps = (u64::from(sync.pclk) * 1000 / frame).max(1) as u32;
        vo.device = Some((sync.hdisplay, sync.vdisplay, fps));
        Ok(())
    })
}

/// `kd_mpi_vo_enable`: the device runs at the parameters given (0), or cannot (1).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vo_enable() -> u8 {
    let status = vo_call("kd_mpi_vo_enable", |b, vo| {
        let Some((w, h, fps)) = vo.device else {
            warn!("kd_mpi_vo_enable: no kd_mpi_vo_set_dev_param before");
            return Err(code::NOT_CONFIG);
        };
        b.sim
            .vo_enable(w, h, fps)
            .map_err(|e| vo_code("kd_mpi_vo_enable", &e))
    });
    if status == 0 { 0 } else { U8_FAILED }
}

/// `kd_mpi_vo_disable`: the device, its layers and write-back off.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vo_disable() -> u8 {
    let status = vo_call("kd_mpi_vo_disable", |b, _| {
        b.sim.vo_disable();
        Ok(())
    });
    if status == 0 { 0 } else { U8_FAILED }
}

/// `kd_mpi_vo_set_video_layer_attr`: where video layer `layer` shows its NV12 frames.
///
/// # Safety
/// `attr` is NULL or points to a `k_vo_video_layer_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vo_set_video_layer_attr(
    layer: u32,
    attr: *const VoVideoLayerAttr,
) -> i32 {
    vo_call("kd_mpi_vo_set_video_layer_attr", |_, vo| {
        if layer >= VIDEO_LAYERS {
            return Err(code::INVALID_CHNID);
        }
        // SAFETY: the caller passes NULL or a readable k_vo_video_layer_attr.
        let attr = *unsafe { attr.as_ref() }.ok_or(code::NULL_PTR)?;
        let nv12 = [
            consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420,
            consts::PIXEL_FORMAT_YVU_PLANAR_420,
        ];
        if !nv12.contains(&attr.pixel_format) {
            warn!(
                "kd_mpi_vo_set_video_layer_attr: layer {layer} takes NV12 only, not pixel \
                 format {}",
                attr.pixel_format
            );
            return Err(code::ILLEGAL_PARAM);
        }
        if attr.img_size.width == 0 || attr.img_size.height == 0 {
            return Err(code::ILLEGAL_PARAM);
        }
        if attr.func & 0xe0 != 0 {
            unmodelled_part(
                "k_vo_video_layer_attr.func mirror",
                "the video layer's mirror is not modelled: frames are shown unmirrored",
            );
        }
        vo.video[layer as usize] = Some(attr);
        Ok(())
    })
}

/// `kd_mpi_vo_enable_video_layer`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vo_enable_video_layer(layer: u32) -> i32 {
    vo_call("kd_mpi_vo_enable_video_layer", |b, vo| {
        let attr = vo
            .video
            .get(layer as usize)
            .ok_or(code::INVALID_CHNID)?
            .ok_or(code::NOT_CONFIG)?;
        let t = turns(attr.func);
        let (w, h) = (attr.img_size.width, attr.img_size.height);
        let (w, h) = if t % 2 == 1 { (h, w) } else { (w, h) };
        let rect = LayerRect {
            x: attr.display_rect.x,
            y: attr.display_rect.y,
            w,
            h,
        };
        let call = "kd_mpi_vo_enable_video_layer";
        b.sim
            .vo_set_layer(layer, rect, LayerFormat::Nv12, 255)
            .and_then(|()| b.sim.vo_turn_layer(layer, t))
            .map_err(|e| vo_code(call, &e))
    })
}

/// `kd_mpi_vo_disable_video_layer`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vo_disable_video_layer(layer: u32) -> i32 {
    vo_call("kd_mpi_vo_disable_video_layer", |b, _| {
        if layer >= VIDEO_LAYERS {
            return Err(code::INVALID_CHNID);
        }
        b.sim
            .vo_disable_layer(layer)
            .map_err(|e| vo_code("kd_mpi_vo_disable_video_layer", &e))
    })
}

/// `kd_mpi_vo_set_video_osd_attr`: where OSD layer `layer` shows its pictures and in what
/// format.
///
/// # Safety
/// `attr` is NULL or points to a `k_vo_video_osd_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vo_set_video_osd_attr(
    layer: u32,
    attr: *const VoVideoOsdAttr,
) -> i32 {
    vo_call("kd_mpi_vo_set_video_osd_attr", |_, vo| {
        if layer >= OSD_LAYERS {
            return Err(code::INVALID_CHNID);
        }
        // SAFETY: the caller passes NULL or a readable k_vo_video_osd_attr.
        let attr = *unsafe { attr.as_ref() }.ok_or(code::NULL_PTR)?;
        let Some(format) = osd_format(attr.pixel_format) else {
            warn!(
                "kd_mpi_vo_set_video_osd_attr: OSD {layer}: pixel format {} is not an OSD \
                 format (or ARGB/ABGR 4444/1555, not modelled)",
                attr.pixel_format
            );
            return Err(code::ILLEGAL_PARAM);
        };
        if attr.img_size.width == 0 || attr.img_size.height == 0 {
            return Err(code::ILLEGAL_PARAM);
        }
        vo.osd[layer as usize] = Some((attr, format));
        Ok(())
    })
}

/// `kd_mpi_vo_osd_enable`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vo_osd_enable(layer: u32) -> i32 {
    vo_call("kd_mpi_vo_osd_enable", |b, vo| {
        let (attr, format) = vo
            .osd
            .get(layer as usize)
            .ok_or(code::INVALID_CHNID)?
            .ok_or(code::NOT_CONFIG)?;
        let rect = LayerRect {
            x: attr.display_rect.x,
            y: attr.display_rect.y,
            w: attr.img_size.width,
            h: attr.img_size.height,
        };
        b.sim
            .vo_set_layer(FIRST_OSD + layer, rect, format, attr.global_alptha)
            .map_err(|e| vo_code("kd_mpi_vo_osd_enable", &e))
    })
}

/// `kd_mpi_vo_osd_disable`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vo_osd_disable(layer: u32) -> i32 {
    vo_call("kd_mpi_vo_osd_disable", |b, _| {
        if layer >= OSD_LAYERS {
            return Err(code::INVALID_CHNID);
        }
        b.sim
            .vo_disable_layer(FIRST_OSD + layer)
            .map_err(|e| vo_code("kd_mpi_vo_osd_disable", &e))
    })
}

/// `kd_mpi_vo_chn_insert_frame`: the picture at `vf_info`'s physical addresses on channel
/// `chn_num` (0–2 the video layers, 3–6 OSD 0–3), read at the layer's size now.
///
/// # Safety
/// `vf_info` is NULL or points to a `k_video_frame_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vo_chn_insert_frame(
    chn_num: u32,
    vf_info: *const VideoFrameInfo,
) -> i32 {
    vo_call("kd_mpi_vo_chn_insert_frame", |b, _| {
        if chn_num >= VIDEO_LAYERS + OSD_LAYERS {
            return Err(code::INVALID_CHNID);
        }
        // SAFETY: the caller passes NULL or a readable k_video_frame_info.
        let info = unsafe { vf_info.as_ref() }.ok_or(code::NULL_PTR)?;
        let layer = if chn_num < VIDEO_LAYERS {
            chn_num
        } else {
            FIRST_OSD + chn_num - VIDEO_LAYERS
        };
        let (rect, format, _) = b.sim.vo_layer(layer).ok_or(code::NOT_CONFIG)?;
        let (w, h) = (rect.w, rect.h);
        let mem = b.sim.memory();
        let bad = |e: venc_core::MemError| {
            warn!("kd_mpi_vo_chn_insert_frame: chn {chn_num}: {e}");
            code::BADADDR
        };
        let mut pixels = vec![0u8; format.size(w, h)];
        let phys = info.v_frame.phys_addr;
        if format == LayerFormat::Nv12 {
            let (y, uv) = pixels.split_at_mut((w * h) as usize);
            mem.read(phys[0], y).map_err(bad)?;
            mem.read(phys[1], uv).map_err(bad)?;
        } else {
            mem.read(phys[0], &mut pixels).map_err(bad)?;
        }
        b.sim
            .vo_show(layer, pixels)
            .map_err(|e| vo_code("kd_mpi_vo_chn_insert_frame", &e))
    })
}

/// `kd_mpi_vo_set_wbc_attr`: the write-back's frames have the screen's size; another
/// `target_size` is warned about (the VO's scaling is not modelled, D-069).
///
/// # Safety
/// `attr` is NULL or points to a `k_vo_wbc_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vo_set_wbc_attr(attr: *const VoWbcAttr) -> i32 {
    vo_call("kd_mpi_vo_set_wbc_attr", |b, vo| {
        // SAFETY: the caller passes NULL or a readable k_vo_wbc_attr.
        let attr = unsafe { attr.as_ref() }.ok_or(code::NULL_PTR)?;
        let size = (attr.target_size.width, attr.target_size.height);
        let screen = b.sim.vo_mode().or(vo.device).map(|(w, h, _)| (w, h));
        if screen.is_some_and(|s| s != size) {
            warn!(
                "kd_mpi_vo_set_wbc_attr: target size {}x{}, the display is {:?}: the \
                 write-back frames have the display's size (D-069)",
                size.0, size.1, screen
            );
        }
        Ok(())
    })
}

/// `kd_mpi_vo_enable_wbc`: NOTREADY while the device is off.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vo_enable_wbc() -> i32 {
    vo_call("kd_mpi_vo_enable_wbc", |b, _| {
        b.sim
            .vo_wbc(true)
            .map_err(|e| vo_code("kd_mpi_vo_enable_wbc", &e))
    })
}

/// `kd_mpi_vo_disable_wbc`: frames still held are given back.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vo_disable_wbc() -> i32 {
    vo_call("kd_mpi_vo_disable_wbc", |b, _| {
        b.sim
            .vo_wbc(false)
            .map_err(|e| vo_code("kd_mpi_vo_disable_wbc", &e))
    })
}

/// `kd_mpi_wbc_dump_frame`: the next refresh's screen as NV12, held until released;
/// `timeout_ms` of board time (`0xFFFFFFFF`, −1: for ever, waited in slices).
///
/// # Safety
/// `vf_info` is NULL or points to a writable `k_video_frame_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_wbc_dump_frame(
    vf_info: *mut VideoFrameInfo,
    timeout_ms: u32,
) -> i32 {
    let slice = Duration::from_millis(50);
    let call = "kd_mpi_wbc_dump_frame";
    guarded(call, code::NOTREADY, || {
        let Some(b) = board() else {
            return code::NOTREADY;
        };
        // SAFETY: the caller passes NULL or a writable k_video_frame_info.
        let Some(out) = (unsafe { vf_info.as_mut() }) else {
            return code::NULL_PTR;
        };
        let forever = timeout_ms == u32::MAX;
        let mut left = Duration::from_millis(u64::from(timeout_ms));
        loop {
            let this = if forever { slice } else { left.min(slice) };
            match b.sim.vo_wbc_dump(Some(this)) {
                Ok(frame) => {
                    // SAFETY: every field of k_video_frame_info is an integer or a pointer.
                    *out = unsafe { std::mem::zeroed() };
                    out.set_from_core(&frame);
                    return 0;
                }
                Err(VoError::Timeout(_)) if forever || left > this => {
                    left = left.saturating_sub(this);
                }
                Err(e) => return vo_code(call, &e),
            }
        }
    })
}

/// `kd_mpi_wbc_dump_release`: ILLEGAL_PARAM for a frame not dumped (or released already).
///
/// # Safety
/// `vf_info` is NULL or points to a `k_video_frame_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_wbc_dump_release(vf_info: *const VideoFrameInfo) -> i32 {
    vo_call("kd_mpi_wbc_dump_release", |b, _| {
        // SAFETY: the caller passes NULL or a readable k_video_frame_info.
        let info = unsafe { vf_info.as_ref() }.ok_or(code::NULL_PTR)?;
        b.sim
            .vo_wbc_release(&info.to_core())
            .map_err(|e| vo_code("kd_mpi_wbc_dump_release", &e))
    })
}
