//! `kd_mpi_vicap_*`: the SDK's camera flow (`sample_venc`, k230-mpp-c-api.md §2.2) over the
//! simulator's sensor model ([`venc_sim::vicap::Sensor`]).
//!
//! A device is configured (`set_dev_attr`, `set_chn_attr`), made (`init`: the sensor and its
//! channels), run (`start_stream`: frames flow into every encoder channel `kd_mpi_sys_bind`
//! tied to a camera channel, or are taken with `dump_frame`), stopped and unmade (`deinit`).
//! What the camera sees: the test-pattern generator's colour bars after
//! `kd_mpi_vicap_tpg_enable(K_TRUE)`, the raw image `load_image` gave in load-image mode, the
//! file `VENC_SIM_CAMERA` names (Y4M, an image, a folder of images; looped and scaled), or the
//! simulator's moving pattern. Which codes the board gives where the SDK does not say are the
//! safe side, warned (D-051).

pub mod canmv_attrs;
pub(crate) mod sensors;
pub mod types;

use crate::abi::{VideoFrame, VideoFrameInfo};
use crate::board::{Board, board, guarded, lock};
use crate::codes::vicap as code;
use log::warn;
use std::ffi::c_void;
use std::path::Path;
use types::{VicapChnAttr, VicapDevAttr, VicapSensorInfo};
use venc_core::consts;
use venc_core::layout::vicap_block_size;
use venc_frames::source::{Looping, Still, open_file, rgb_to_nv12};
use venc_sim::timing::VpuTiming;
use venc_sim::vicap::{
    Bayer, Crop, Fit, Rect, Sensor, SensorError, SensorOptions, SensorSource, Timing, demosaic,
};

pub use types::{CANMV_LAYOUTS, LAYOUTS};

/// `VICAP_DEV_ID_MAX`, `VICAP_CHN_ID_MAX`.
const DEVICES: u32 = 3;
const CHANNELS: u32 = 3;
/// `VICAP_IMG_MIN_WIDTH/HEIGH`, `VICAP_IMG_MAX_WIDTH/HEIGH`.
const IMG_MIN: (u32, u32) = (320, 240);
const IMG_MAX: (u32, u32) = (2960, 2160);
/// `VICAP_MIN_FRAME_COUNT`, `VICAP_MAX_FRAME_COUNT`.
const FRAMES: std::ops::RangeInclusive<u32> = 3..=10;
/// `k_vicap_work_mode`.
const WORK_LOAD_IMAGE: u32 = 2;
const WORK_ONLY_MCM: u32 = 3;
const WORK_SW_TILE: u32 = 4;
/// `k_vicap_dump_format`.
const DUMP_YUV: u32 = 0;
const DUMP_RGB: u32 = 1;
/// The environment variable naming what the camera sees.
const CAMERA_ENV: &str = "VENC_SIM_CAMERA";

/// A device's attributes as the program set them. The sensor name pointer in them is only
/// handed back by `get_dev_attr`, never read.
#[derive(Debug, Clone, Copy)]
struct DevAttr(VicapDevAttr);
// SAFETY: the one pointer inside (`sensor_info.sensor_name`) is copied, never dereferenced.
unsafe impl Send for DevAttr {}

/// One VICAP device.
#[derive(Debug, Default)]
pub(crate) struct Device {
    attr: Option<DevAttr>,
    chns: [Option<VicapChnAttr>; CHANNELS as usize],
    /// Per channel, the program's pool its buffers come from (the CanMV MPP's
    /// `buffer_pool_id`); `None`: the driver's own.
    chn_pools: [Option<u32>; CHANNELS as usize],
    /// The picture `load_image` gave, demosaiced (load-image mode).
    image: Option<Still>,
    /// Made by `init`, dropped by `deinit`.
    sensor: Option<Sensor>,
    streaming: bool,
    /// Frames `dump_frame` handed out and `dump_release` has not taken back: (chn, Y address).
    dumped: Vec<(u32, u64)>,
}

/// The three devices and the test-pattern switch.
#[derive(Debug, Default)]
pub(crate) struct Vicap {
    devs: [Device; DEVICES as usize],
    tpg: bool,
}

/// Runs a VICAP call on the board; a board that is down answers NOTREADY.
fn vicap_call(call: &str, body: impl FnOnce(&'static Board, &mut Vicap) -> Result<(), i32>) -> i32 {
    guarded(call, code::NOTREADY, || match board() {
        Some(b) => body(b, &mut lock(&b.vicap)).err().unwrap_or(0),
        None => code::NOTREADY,
    })
}

/// Device `dev` of `vicap`, or INVALID_DEVID.
fn device(vicap: &mut Vicap, dev: u32) -> Result<&mut Device, i32> {
    vicap.devs.get_mut(dev as usize).ok_or(code::INVALID_DEVID)
}

fn sensor_code(call: &str, dev: u32, e: &SensorError) -> i32 {
    warn!("{call}: vicap dev{dev}: {e}");
    match e {
        SensorError::Memory(_) => code::NOMEM,
        SensorError::AlreadyRunning | SensorError::NotRunning | SensorError::NotReset => {
            code::NOT_PERM
        }
        _ => code::ILLEGAL_PARAM,
    }
}

/// `kd_mpi_vicap_get_sensor_info`: the mode of `sensor_type`, as the SDK's table describes it.
/// A type at or above `SENSOR_TYPE_MAX` is ILLEGAL_PARAM; a type below it with no entry (29,
/// 59) answers the bare `K_ERR_UNEXIST` (5), as the SDK's code returns it.
///
/// # Safety
/// `sensor_info` is NULL or points to a writable `k_vicap_sensor_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vicap_get_sensor_info(
    sensor_type: u32,
    sensor_info: *mut VicapSensorInfo,
) -> i32 {
    vicap_call("kd_mpi_vicap_get_sensor_info", |_, _| {
        // SAFETY: the caller passes NULL or a writable k_vicap_sensor_info.
        let Some(out) = (unsafe { sensor_info.as_mut() }) else {
            return Err(code::NULL_PTR);
        };
        if sensor_type >= sensors::SENSOR_TYPE_MAX {
            warn!("kd_mpi_vicap_get_sensor_info: no sensor type {sensor_type}");
            return Err(code::ILLEGAL_PARAM);
        }
        let m = sensors::mode(sensor_type).ok_or(code::BARE_UNEXIST)?;
        *out = sensor_info_of(m);
        Ok(())
    })
}

/// The `k_vicap_sensor_info` of one of the SDK's modes.
pub(crate) fn sensor_info_of(m: &sensors::SensorMode) -> VicapSensorInfo {
    VicapSensorInfo {
        sensor_name: m.driver.as_ptr(),
        database_name: m.database.as_ptr(),
        width: m.width,
        height: m.height,
        csi_num: m.csi,
        mipi_lanes: m.lanes,
        source_id: m.source,
        is_3d_sensor: u32::from(m.is_3d),
        phy_freq: m.phy_freq,
        data_type: m.data_type,
        hdr_mode: m.hdr_mode,
        flash_mode: m.flash_mode,
        // VICAP_VI_FIRST_FRAME_FS_TR0 and no glitch filter in every entry.
        first_frame: 0,
        glitch_filter: 0,
        fps: m.fps,
        sensor_type: m.sensor_type,
    }
}

fn in_range(w: u32, h: u32) -> bool {
    (IMG_MIN.0..=IMG_MAX.0).contains(&w) && (IMG_MIN.1..=IMG_MAX.1).contains(&h)
}

fn check_dev_attr(a: &VicapDevAttr) -> Result<(), i32> {
    let (w, h) = (u32::from(a.acq_win.width), u32::from(a.acq_win.height));
    if !in_range(w, h) {
        warn!(
            "kd_mpi_vicap_set_dev_attr: acquisition window {w}x{h} outside {}x{} ~ {}x{}",
            IMG_MIN.0, IMG_MIN.1, IMG_MAX.0, IMG_MAX.1
        );
        return Err(code::ILLEGAL_PARAM);
    }
    if a.mode == WORK_ONLY_MCM || a.mode == WORK_SW_TILE {
        warn!(
            "kd_mpi_vicap_set_dev_attr: the MCM-only and software-tile modes (raw multi-camera \
             capture, tiled ISP passes) are not modeled"
        );
        return Err(code::NOT_SUPPORT);
    }
    if a.mode > WORK_SW_TILE || a.mirror > 3 {
        warn!(
            "kd_mpi_vicap_set_dev_attr: mode {} / mirror {} out of range",
            a.mode, a.mirror
        );
        return Err(code::ILLEGAL_PARAM);
    }
    if sensors::mode(a.sensor_info.sensor_type).is_none() {
        warn!(
            "kd_mpi_vicap_set_dev_attr: no sensor type {}",
            a.sensor_info.sensor_type
        );
        return Err(code::ILLEGAL_PARAM);
    }
    Ok(())
}

/// `kd_mpi_vicap_set_dev_attr`: the acquisition window, work mode, sensor and mirror. Before
/// `init`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vicap_set_dev_attr(dev_num: u32, dev_attr: VicapDevAttr) -> i32 {
    vicap_call("kd_mpi_vicap_set_dev_attr", |_, v| {
        let d = device(v, dev_num)?;
        if d.sensor.is_some() {
            warn!("kd_mpi_vicap_set_dev_attr: vicap dev{dev_num} is initialized (D-051)");
            return Err(code::NOT_PERM);
        }
        check_dev_attr(&dev_attr)?;
        d.attr = Some(DevAttr(dev_attr));
        Ok(())
    })
}

/// `kd_mpi_vicap_get_dev_attr`: what `set_dev_attr` stored.
///
/// # Safety
/// `dev_attr` is NULL or points to a writable `k_vicap_dev_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vicap_get_dev_attr(
    dev_num: u32,
    dev_attr: *mut VicapDevAttr,
) -> i32 {
    vicap_call("kd_mpi_vicap_get_dev_attr", |_, v| {
        let d = device(v, dev_num)?;
        // SAFETY: the caller passes NULL or a writable k_vicap_dev_attr.
        let out = unsafe { dev_attr.as_mut() }.ok_or(code::NULL_PTR)?;
        *out = d.attr.ok_or(code::NOT_CONFIG)?.0;
        Ok(())
    })
}

fn check_chn_attr(dev: u32, chn: u32, a: &VicapChnAttr) -> Result<(), i32> {
    if a.chn_enable == 0 {
        return Ok(());
    }
    let (w, h) = (u32::from(a.out_win.width), u32::from(a.out_win.height));
    let why = if !in_range(w, h) {
        format!(
            "output {w}x{h} outside {}x{} ~ {}x{}",
            IMG_MIN.0, IMG_MIN.1, IMG_MAX.0, IMG_MAX.1
        )
    } else if !w.is_multiple_of(16) || !h.is_multiple_of(2) {
        // The encoder's rows are 16-pixel aligned; what VICAP does with other widths is not
        // known (D-051).
        format!("output {w}x{h}: the width must be a multiple of 16 and the height even")
    } else if !FRAMES.contains(&a.buffer_num) {
        format!(
            "buffer_num {} outside {}..={}",
            a.buffer_num,
            FRAMES.start(),
            FRAMES.end()
        )
    } else if a.alignment > 12 {
        format!("alignment {} above 12 (4096 bytes)", a.alignment)
    } else if u64::from(a.buffer_size) < u64::from(w) * u64::from(h) * 3 / 2 {
        format!("buffer_size {} holds no {w}x{h} picture", a.buffer_size)
    } else {
        String::new()
    };
    if !why.is_empty() {
        warn!("kd_mpi_vicap_set_chn_attr: vicap dev{dev} chn{chn}: {why}");
        return Err(code::ILLEGAL_PARAM);
    }
    if ![
        consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420,
        consts::PIXEL_FORMAT_RGB_888,
        consts::PIXEL_FORMAT_RGB_888_PLANAR,
    ]
    .contains(&a.pix_format)
    {
        warn!(
            "kd_mpi_vicap_set_chn_attr: vicap dev{dev} chn{chn}: pixel format {} is not modeled \
             (YUV420SP 31, RGB888 3, RGB888 planar 46)",
            a.pix_format
        );
        return Err(code::NOT_SUPPORT);
    }
    Ok(())
}

/// `kd_mpi_vicap_set_chn_attr`: one output channel's size, format and buffers. Before `init`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vicap_set_chn_attr(
    dev_num: u32,
    chn_num: u32,
    chn_attr: VicapChnAttr,
) -> i32 {
    set_chn_attr(dev_num, chn_num, chn_attr, None)
}

/// `set_chn_attr` of both families: `pool` is the program's pool for the buffers, if any.
fn set_chn_attr(dev_num: u32, chn_num: u32, chn_attr: VicapChnAttr, pool: Option<u32>) -> i32 {
    vicap_call("kd_mpi_vicap_set_chn_attr", |_, v| {
        let d = device(v, dev_num)?;
        if chn_num >= CHANNELS {
            return Err(code::INVALID_CHNID);
        }
        if d.sensor.is_some() {
            warn!("kd_mpi_vicap_set_chn_attr: vicap dev{dev_num} is initialized (D-051)");
            return Err(code::NOT_PERM);
        }
        check_chn_attr(dev_num, chn_num, &chn_attr)?;
        d.chns[chn_num as usize] = Some(chn_attr);
        d.chn_pools[chn_num as usize] = pool;
        Ok(())
    })
}

/// The program's pool of a channel's buffers (`None`: the driver's own), if the channel is set.
fn chn_pool(dev_num: u32, chn_num: u32) -> Result<Option<u32>, i32> {
    let mut pool = Ok(None);
    let code = vicap_call("kd_mpi_vicap_get_chn_attr", |_, v| {
        let d = device(v, dev_num)?;
        pool = Ok(*d
            .chn_pools
            .get(chn_num as usize)
            .ok_or(code::INVALID_CHNID)?);
        Ok(())
    });
    if code != 0 { Err(code) } else { pool }
}

/// `kd_mpi_vicap_get_chn_attr`: what `set_chn_attr` stored.
///
/// # Safety
/// `chn_attr` is NULL or points to a writable `k_vicap_chn_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vicap_get_chn_attr(
    dev_num: u32,
    chn_num: u32,
    chn_attr: *mut VicapChnAttr,
) -> i32 {
    vicap_call("kd_mpi_vicap_get_chn_attr", |_, v| {
        let d = device(v, dev_num)?;
        let stored = d.chns.get(chn_num as usize).ok_or(code::INVALID_CHNID)?;
        // SAFETY: the caller passes NULL or a writable k_vicap_chn_attr.
        let out = unsafe { chn_attr.as_mut() }.ok_or(code::NULL_PTR)?;
        *out = stored.ok_or(code::NOT_CONFIG)?;
        Ok(())
    })
}

/// What the camera of device `d` sees.
fn scene(tpg: bool, d: &Device, acq: (u32, u32)) -> Result<SensorSource, String> {
    let still = |s: Still| SensorSource::Frames {
        source: Box::new(s),
        fit: Fit::Scale,
    };
    if let Some(image) = &d.image {
        return Ok(still(image.clone()));
    }
    if tpg {
        return Ok(still(Still::color_bars(acq.0, acq.1)));
    }
    match std::env::var_os(CAMERA_ENV) {
        None => Ok(SensorSource::Pattern),
        Some(path) => {
            let path = Path::new(&path).to_path_buf();
            let again = path.clone();
            let looping = Looping::new(move || open_file(&again))
                .map_err(|e| format!("{CAMERA_ENV}={}: {e}", path.display()))?;
            Ok(SensorSource::Frames {
                source: Box::new(looping),
                fit: Fit::Scale,
            })
        }
    }
}

/// Makes the sensor of device `dev` with its configured channels.
fn make_sensor(board: &Board, tpg: bool, dev: u32, d: &Device) -> Result<Sensor, i32> {
    let Some(DevAttr(attr)) = d.attr else {
        warn!("kd_mpi_vicap_init: vicap dev{dev} has no device attributes (set_dev_attr)");
        return Err(code::NOT_CONFIG);
    };
    let enabled: Vec<(u32, VicapChnAttr)> = (0..CHANNELS)
        .filter_map(|c| d.chns[c as usize].map(|a| (c, a)))
        .filter(|(_, a)| a.chn_enable != 0)
        .collect();
    if enabled.is_empty() {
        warn!("kd_mpi_vicap_init: vicap dev{dev} has no enabled channel (set_chn_attr)");
        return Err(code::NOT_CONFIG);
    }
    if attr.mode == WORK_LOAD_IMAGE && d.image.is_none() {
        warn!("kd_mpi_vicap_init: vicap dev{dev} is in load-image mode but no image was loaded");
        return Err(code::NOT_CONFIG);
    }
    let acq = (
        u32::from(attr.acq_win.width),
        u32::from(attr.acq_win.height),
    );
    let source = scene(tpg, d, acq).map_err(|why| {
        warn!("kd_mpi_vicap_init: vicap dev{dev}: {why}");
        code::ILLEGAL_PARAM
    })?;
    let fps = sensors::mode(attr.sensor_info.sensor_type).map_or(30, |m| u32::from(m.fps));
    let timing = match board.sim.options().timing {
        VpuTiming::Fast => Timing::Fast,
        _ => Timing::Realtime,
    };
    let opts = SensorOptions {
        fps,
        timing,
        // The output may exceed the acquisition window (sample_venc asks 1920x1088 of a
        // 1080p sensor): the channel's own bounds apply.
        max_width: IMG_MAX.0,
        max_height: IMG_MAX.1,
        frame_limit: None,
    };
    let sensor = Sensor::new(board.sim.clone(), dev, source, opts);
    let fail = |e: SensorError| sensor_code("kd_mpi_vicap_init", dev, &e);
    sensor.reset().map_err(fail)?;
    for (c, a) in enabled {
        let (w, h) = (u32::from(a.out_win.width), u32::from(a.out_win.height));
        sensor
            .set_framesize(w, h, c, u32::from(a.alignment))
            .map_err(fail)?;
        sensor.set_pixformat(a.pix_format, c).map_err(fail)?;
        if a.crop_enable != 0 {
            let win = a.crop_win;
            let rect = Rect {
                x: u32::from(win.h_start),
                y: u32::from(win.v_start),
                w: u32::from(win.width),
                h: u32::from(win.height),
            };
            sensor.set_crop(c, Crop::Window(rect)).map_err(fail)?;
        }
        let needed = if a.pix_format == consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420 {
            vicap_block_size(w, h, u32::from(a.alignment))
        } else {
            u64::from(w) * u64::from(h) * 3
        };
        if u64::from(a.buffer_size) < needed {
            warn!(
                "kd_mpi_vicap_init: vicap dev{dev} chn{c}: buffer_size {} is below the {needed} \
                 bytes a {w}x{h} picture with its UV plane at alignment {} spans; the buffers \
                 are made {needed} bytes (D-051)",
                a.buffer_size, a.alignment
            );
        }
        sensor
            .set_buffers(c, a.buffer_num, u64::from(a.buffer_size))
            .map_err(fail)?;
        sensor
            .set_buffer_pool(c, d.chn_pools[c as usize])
            .map_err(fail)?;
    }
    sensor.set_mirror(Some(attr.mirror & 1 != 0), Some(attr.mirror & 2 != 0));
    Ok(sensor)
}

/// `kd_mpi_vicap_init`: makes the device's sensor and channels from their attributes.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vicap_init(dev_num: u32) -> i32 {
    vicap_call("kd_mpi_vicap_init", |b, v| {
        let tpg = v.tpg;
        let d = device(v, dev_num)?;
        if d.sensor.is_some() {
            warn!("kd_mpi_vicap_init: vicap dev{dev_num} is already initialized (D-051)");
            return Err(code::NOT_PERM);
        }
        d.sensor = Some(make_sensor(b, tpg, dev_num, d)?);
        Ok(())
    })
}

/// `kd_mpi_vicap_deinit`: unmakes the device (after `stop_stream`).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vicap_deinit(dev_num: u32) -> i32 {
    vicap_call("kd_mpi_vicap_deinit", |_, v| {
        let d = device(v, dev_num)?;
        if d.sensor.is_none() || d.streaming {
            warn!(
                "kd_mpi_vicap_deinit: vicap dev{dev_num} is {} (D-051)",
                if d.streaming {
                    "streaming: stop_stream first"
                } else {
                    "not initialized"
                }
            );
            return Err(code::NOT_PERM);
        }
        d.sensor = None;
        d.dumped.clear();
        Ok(())
    })
}

/// `kd_mpi_vicap_start_stream`: frames start flowing.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vicap_start_stream(dev_num: u32) -> i32 {
    vicap_call("kd_mpi_vicap_start_stream", |_, v| {
        let d = device(v, dev_num)?;
        let Some(sensor) = &d.sensor else {
            warn!("kd_mpi_vicap_start_stream: vicap dev{dev_num} is not initialized");
            return Err(code::NOT_PERM);
        };
        sensor
            .run()
            .map_err(|e| sensor_code("kd_mpi_vicap_start_stream", dev_num, &e))?;
        d.streaming = true;
        Ok(())
    })
}

/// `kd_mpi_vicap_stop_stream`: no more frames; buffers stay until `deinit`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vicap_stop_stream(dev_num: u32) -> i32 {
    vicap_call("kd_mpi_vicap_stop_stream", |_, v| {
        let d = device(v, dev_num)?;
        match (&d.sensor, d.streaming) {
            (Some(sensor), true) => {
                sensor.stop();
                d.streaming = false;
                Ok(())
            }
            _ => {
                warn!("kd_mpi_vicap_stop_stream: vicap dev{dev_num} is not streaming (D-051)");
                Err(code::NOT_PERM)
            }
        }
    })
}

/// `kd_mpi_vicap_tpg_enable`: the test-pattern generator (colour bars) instead of the scene,
/// from the next `init`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vicap_tpg_enable(enable: u32) -> i32 {
    vicap_call("kd_mpi_vicap_tpg_enable", |_, v| {
        if enable > 1 {
            warn!("kd_mpi_vicap_tpg_enable({enable}): a k_bool is 0 or 1");
            return Err(code::ILLEGAL_PARAM);
        }
        v.tpg = enable == 1;
        Ok(())
    })
}

/// `kd_mpi_vicap_load_image`: the raw Bayer picture a device in load-image mode feeds its ISP
/// (`acq_win` samples of the sensor's data type, 8-bit in bytes, wider in little-endian
/// 16-bit words; `image_pat` gives the colour filter). Before `init`.
///
/// # Safety
/// `image_data` is NULL or points to `data_len` readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vicap_load_image(
    dev_num: u32,
    image_data: *const c_void,
    data_len: u32,
) -> i32 {
    vicap_call("kd_mpi_vicap_load_image", |_, v| {
        let d = device(v, dev_num)?;
        if image_data.is_null() {
            return Err(code::NULL_PTR);
        }
        let attr = match d.attr {
            Some(DevAttr(a)) if a.mode == WORK_LOAD_IMAGE && d.sensor.is_none() => a,
            _ => {
                warn!(
                    "kd_mpi_vicap_load_image: vicap dev{dev_num} is not a device in \
                     load-image mode before init (set_dev_attr with mode \
                     VICAP_WORK_LOAD_IMAGE_MODE)"
                );
                return Err(code::NOT_PERM);
            }
        };
        let data_type = attr.sensor_info.data_type;
        let (Some(bits), Some(bayer)) = (
            sensors::raw_bits(data_type),
            Bayer::from_code(attr.image_pat),
        ) else {
            warn!(
                "kd_mpi_vicap_load_image: data type 0x{data_type:x} with pattern {} is not a \
                 modeled raw image (RAW8/10/12/16; RGGB, GRBG, GBRG, BGGR)",
                attr.image_pat
            );
            return Err(code::NOT_SUPPORT);
        };
        let (w, h) = (
            u32::from(attr.acq_win.width),
            u32::from(attr.acq_win.height),
        );
        let want = u64::from(w) * u64::from(h) * if bits > 8 { 2 } else { 1 };
        if u64::from(data_len) != want {
            warn!(
                "kd_mpi_vicap_load_image: {data_len} bytes; a {w}x{h} {bits}-bit raw image \
                 is {want}"
            );
            return Err(code::ILLEGAL_PARAM);
        }
        // SAFETY: the caller passes `data_len` readable bytes at `image_data`.
        let raw = unsafe { std::slice::from_raw_parts(image_data.cast::<u8>(), data_len as usize) };
        let rgb = demosaic(raw, w, h, bits, bayer).ok_or(code::ILLEGAL_PARAM)?;
        let (mut y, mut uv) = (vec![0; (w * h) as usize], vec![0; (w * h / 2) as usize]);
        rgb_to_nv12(&rgb, w, h, &mut y, &mut uv);
        d.image = Some(Still::new(w, h, y, uv).ok_or(code::ILLEGAL_PARAM)?);
        Ok(())
    })
}

/// `kd_mpi_vicap_dump_frame`: the channel's next frame, in one of its buffers, until
/// `dump_release`. `format` must be the channel's (YUV for YUV420SP, RGB for RGB888).
///
/// # Safety
/// `vf_info` is NULL or points to a writable `k_video_frame_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vicap_dump_frame(
    dev_num: u32,
    chn_num: u32,
    format: u32,
    vf_info: *mut VideoFrameInfo,
    milli_sec: u32,
) -> i32 {
    let _ = milli_sec;
    vicap_call("kd_mpi_vicap_dump_frame", |_, v| {
        let d = device(v, dev_num)?;
        if chn_num >= CHANNELS {
            return Err(code::INVALID_CHNID);
        }
        // SAFETY: the caller passes NULL or a writable k_video_frame_info.
        let out = unsafe { vf_info.as_mut() }.ok_or(code::NULL_PTR)?;
        let (Some(sensor), true) = (&d.sensor, d.streaming) else {
            warn!("kd_mpi_vicap_dump_frame: vicap dev{dev_num} is not streaming");
            return Err(code::NOT_PERM);
        };
        let Some(attr) = d.chns[chn_num as usize].filter(|a| a.chn_enable != 0) else {
            return Err(code::NOT_CONFIG);
        };
        let yuv = attr.pix_format == consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420;
        match format {
            DUMP_YUV if yuv => {}
            DUMP_RGB if !yuv => {}
            DUMP_YUV | DUMP_RGB => {
                warn!(
                    "kd_mpi_vicap_dump_frame: dump format {format} on a channel of pixel \
                     format {}",
                    attr.pix_format
                );
                return Err(code::ILLEGAL_PARAM);
            }
            _ => {
                warn!("kd_mpi_vicap_dump_frame: dump format {format} (raw, YUV444) is not modeled");
                return Err(code::NOT_SUPPORT);
            }
        }
        let image = sensor
            .snapshot(chn_num)
            .map_err(|e| sensor_code("kd_mpi_vicap_dump_frame", dev_num, &e))?;
        *out = frame_info(&image.frame_info());
        d.dumped.push((chn_num, out.v_frame.phys_addr[0]));
        Ok(())
    })
}

/// `kd_mpi_vicap_dump_release`: gives back a frame `dump_frame` handed out.
///
/// # Safety
/// `vf_info` is NULL or points to a `k_video_frame_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vicap_dump_release(
    dev_num: u32,
    chn_num: u32,
    vf_info: *const VideoFrameInfo,
) -> i32 {
    vicap_call("kd_mpi_vicap_dump_release", |_, v| {
        let d = device(v, dev_num)?;
        if chn_num >= CHANNELS {
            return Err(code::INVALID_CHNID);
        }
        // SAFETY: the caller passes NULL or a readable k_video_frame_info.
        let info = unsafe { vf_info.as_ref() }.ok_or(code::NULL_PTR)?;
        let key = (chn_num, info.v_frame.phys_addr[0]);
        let Some(i) = d.dumped.iter().position(|&k| k == key) else {
            warn!(
                "kd_mpi_vicap_dump_release: 0x{:x} is not a frame dump_frame gave out on \
                 dev{dev_num} chn{chn_num}",
                key.1
            );
            return Err(code::ILLEGAL_PARAM);
        };
        d.dumped.swap_remove(i);
        Ok(())
    })
}

/// A frame's `k_video_frame_info`, as the board fills it (virtual addresses 0: programs map
/// the physical ones).
fn frame_info(f: &venc_core::VideoFrameInfo) -> VideoFrameInfo {
    // SAFETY: every field of k_video_frame_info is an integer or a pointer; all-zero is valid.
    let mut info: VideoFrameInfo = unsafe { std::mem::zeroed() };
    let v: &mut VideoFrame = &mut info.v_frame;
    v.width = f.width;
    v.height = f.height;
    v.pixel_format = f.pixel_format;
    v.stride = match f.pixel_format {
        consts::PIXEL_FORMAT_RGB_888 => [f.width * 3, 0, 0],
        consts::PIXEL_FORMAT_RGB_888_PLANAR => [f.width; 3],
        _ => [f.width, f.width, 0],
    };
    v.phys_addr = f.phys_addr;
    v.pts = f.pts;
    info.pool_id = f.pool_id;
    info.mod_id = consts::CAMERA_MOD_ID;
    info
}
