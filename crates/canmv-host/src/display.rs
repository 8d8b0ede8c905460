//! The display (VO) and its write-back for `media.display.Display` and the `mpp` VO calls.
//!
//! The Python half (`firmware/media/display.py`) holds each generation's `Display`: panel
//! tables, argument forms, messages and exceptions. This half moves pixels: layers onto the
//! simulator's VO, sensor channels bound to video layers, write-back frames out.

use crate::board::{self, LayerFormat, LayerRect, ModChn, VoError};
use crate::image::PyImage;
use crate::screen_dump::{self, DumpReport};
use canmv_image::PixFormat;
use pyo3::exceptions::{PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;
use venc_core::{VideoFrameInfo, consts};

fn vo_error(e: VoError) -> PyErr {
    match e {
        VoError::BadLayer(_) | VoError::BadFormat { .. } | VoError::BadSize(..) => {
            PyValueError::new_err(e.to_string())
        }
        _ => PyRuntimeError::new_err(e.to_string()),
    }
}

/// The layer layout of an image format (what `show_image` hands the OSD layer).
fn layer_format(fmt: PixFormat) -> Option<LayerFormat> {
    Some(match fmt {
        PixFormat::Argb8888 => LayerFormat::Argb8888,
        PixFormat::Bgra8888 => LayerFormat::Bgra8888,
        PixFormat::Rgb888 => LayerFormat::Rgb888,
        PixFormat::Bgr888 => LayerFormat::Bgr888,
        PixFormat::Rgb565 => LayerFormat::Rgb565Le,
        PixFormat::Grayscale => LayerFormat::Mono8,
        _ => return None,
    })
}

/// Turns the display on at `width`×`height`, `fps` refreshes a second.
#[pyfunction]
pub fn vo_enable(width: u32, height: u32, fps: u32) -> PyResult<()> {
    board::current()
        .sim
        .vo_enable(width, height, fps)
        .map_err(vo_error)
}

/// Turns the display off (layers, binds to them, write-back).
#[pyfunction]
pub fn vo_disable() {
    board::current().sim.vo_disable();
}

/// `(width, height, fps)` while on.
#[pyfunction]
pub fn vo_mode() -> Option<(u32, u32, u32)> {
    board::current().sim.vo_mode()
}

/// Places video layer `layer` (NV12) at `rect` (on the screen, after `turns` quarter turns
/// clockwise of the camera's picture), for a bound sensor channel.
#[pyfunction]
#[pyo3(signature = (layer, rect, alpha, turns = 0))]
pub fn vo_video_layer(
    layer: u32,
    rect: (u32, u32, u32, u32),
    alpha: u8,
    turns: u8,
) -> PyResult<()> {
    let (x, y, w, h) = rect;
    let sim = &board::current().sim;
    sim.vo_set_layer(layer, LayerRect { x, y, w, h }, LayerFormat::Nv12, alpha)
        .map_err(vo_error)?;
    sim.vo_turn_layer(layer, turns).map_err(vo_error)
}

/// Shows `img` on OSD layer `layer` at (`x`, `y`) with global `alpha`, turned `turns` quarter
/// turns clockwise (the 2024/2025 GDMA rotation; (`x`, `y`) is then the turned picture's
/// place); the layer takes the image's size and format. False when the image's format has no
/// OSD layout.
#[pyfunction]
#[pyo3(signature = (layer, img, x, y, alpha, turns = 0))]
pub fn vo_show_image(
    layer: u32,
    img: PyRef<'_, PyImage>,
    x: u32,
    y: u32,
    alpha: u8,
    turns: u8,
) -> PyResult<bool> {
    let (w, h, fmt, pixels) = img.pixels()?;
    let Some(format) = layer_format(fmt) else {
        return Ok(false);
    };
    let (w, h) = if turns % 2 == 1 { (h, w) } else { (w, h) };
    let sim = &board::current().sim;
    sim.vo_set_layer(layer, LayerRect { x, y, w, h }, format, alpha)
        .map_err(vo_error)?;
    sim.vo_turn_layer(layer, turns).map_err(vo_error)?;
    sim.vo_show(layer, pixels).map_err(vo_error)?;
    Ok(true)
}

/// Disables layer `layer`.
#[pyfunction]
pub fn vo_disable_layer(layer: u32) -> PyResult<()> {
    board::current()
        .sim
        .vo_disable_layer(layer)
        .map_err(vo_error)
}

/// Whether layer `layer` is configured.
#[pyfunction]
pub fn vo_layer_on(layer: u32) -> bool {
    board::current().sim.vo_layer(layer).is_some()
}

/// Binds sensor `src` (mod, dev, chn) to video layer `layer` (`kd_mpi_sys_bind` to
/// `(K_ID_VO, 0, layer)`); the error says why a pair is refused.
#[pyfunction]
pub fn vo_bind(src: (u32, u32, u32), layer: u32) -> PyResult<()> {
    let dst = ModChn::from((consts::DISPLAY_MOD_ID, 0, layer));
    board::current()
        .sim
        .bind(src.into(), dst)
        .map_err(PyRuntimeError::new_err)
}

/// Unbinds whatever feeds video layer `layer`; whether something did.
#[pyfunction]
pub fn vo_unbind(layer: u32) -> bool {
    let sim = &board::current().sim;
    let dst = ModChn::from((consts::DISPLAY_MOD_ID, 0, layer));
    sim.bound_source(dst)
        .is_some_and(|src| sim.unbind(src, dst))
}

/// Turns write-back on or off.
#[pyfunction]
pub fn vo_wbc(enable: bool) -> PyResult<()> {
    board::current().sim.vo_wbc(enable).map_err(vo_error)
}

/// Whether write-back runs.
#[pyfunction]
pub fn vo_wbc_running() -> bool {
    board::current().sim.vo_wbc_running()
}

/// One write-back frame as the bytes of its `k_video_frame_info`, waiting up to `timeout_ms`
/// of board time (−1: for ever), in slices so Ctrl-C gets through; `None` when none came.
#[pyfunction]
pub fn vo_wbc_dump(py: Python<'_>, timeout_ms: i64) -> PyResult<Option<Bound<'_, PyBytes>>> {
    let board = board::current();
    let slice = Duration::from_millis(crate::wait::SLICE_MS as u64);
    let mut left = (timeout_ms >= 0).then(|| Duration::from_millis(timeout_ms as u64));
    loop {
        let this = left.map_or(slice, |l| l.min(slice));
        let got = if board.releases_gil() {
            py.detach(|| board.sim.vo_wbc_dump(Some(this)))
        } else {
            board.sim.vo_wbc_dump(Some(this))
        };
        match got {
            Ok(frame) => return Ok(Some(PyBytes::new(py, &frame.to_c_bytes()))),
            Err(VoError::Timeout(_)) => {
                py.check_signals()?;
                left = left.map(|l| l.saturating_sub(this));
                if left == Some(Duration::ZERO) {
                    return Ok(None);
                }
            }
            Err(VoError::NotEnabled | VoError::WbcOff) => return Ok(None),
            Err(e) => return Err(vo_error(e)),
        }
    }
}

/// Gives a dumped frame back (`kd_mpi_wbc_dump_release`): whether it was held.
#[pyfunction]
pub fn vo_wbc_release(frame: &[u8]) -> bool {
    VideoFrameInfo::from_c_bytes(frame)
        .ok()
        .is_some_and(|f| board::current().sim.vo_wbc_release(&f).is_ok())
}

/// The screen now: `(width, height, refresh, rgb bytes)`, `None` while the display is off.
#[pyfunction]
pub fn vo_screen(py: Python<'_>) -> Option<(u32, u32, u64, Bound<'_, PyBytes>)> {
    let s = board::current().sim.vo_screen()?;
    Some((s.width, s.height, s.refresh, PyBytes::new(py, &s.rgb)))
}

/// What the display has done: `osd_updates`, `video_frames`, `wbc_frames`, `wbc_timeouts`.
#[pyfunction]
pub fn vo_stats(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let s = board::current().sim.vo_stats();
    let d = PyDict::new(py);
    d.set_item("osd_updates", s.osd_updates)?;
    d.set_item("video_frames", s.video_frames)?;
    d.set_item("wbc_frames", s.wbc_frames)?;
    d.set_item("wbc_timeouts", s.wbc_timeouts)?;
    Ok(d)
}

/// The screen now as a `png` or `jpeg` file's bytes (the web view, the IDE's frame buffer),
/// `None` while the display is off.
#[pyfunction]
#[pyo3(signature = (kind = "png", quality = 90))]
pub fn vo_screen_file<'py>(
    py: Python<'py>,
    kind: &str,
    quality: u8,
) -> PyResult<Option<Bound<'py, PyBytes>>> {
    let kind = match kind {
        "png" => canmv_image::FileKind::Png,
        "jpeg" => canmv_image::FileKind::Jpeg,
        other => {
            return Err(PyValueError::new_err(format!(
                "screen file {other:?}: png or jpeg"
            )));
        }
    };
    let Some(s) = board::current().sim.vo_screen() else {
        return Ok(None);
    };
    let file = py
        .detach(|| crate::screen_dump::encode(&s, kind, quality))
        .map_err(PyRuntimeError::new_err)?;
    Ok(Some(PyBytes::new(py, &file)))
}

static DUMP: std::sync::Mutex<Option<Arc<DumpReport>>> = std::sync::Mutex::new(None);

/// `--display-dump DIR`: every `every`-th refresh from now on as `png` files or `y4m`.
#[pyfunction]
pub fn vo_dump(dir: PathBuf, every: u64, format: &str) -> PyResult<()> {
    std::fs::create_dir_all(&dir)
        .map_err(|e| PyOSError::new_err(format!("{}: {e}", dir.display())))?;
    let board = board::current();
    let report = Arc::new(DumpReport::default());
    let sink = match format {
        "png" => screen_dump::png_sink(dir, Arc::clone(&report)),
        "y4m" => screen_dump::y4m_sink(dir, every, Arc::clone(&report)),
        other => {
            return Err(PyValueError::new_err(format!(
                "display dump format {other:?}: png or y4m"
            )));
        }
    };
    board.sim.vo_record(every, Some(sink));
    *DUMP
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(report);
    Ok(())
}

/// Ends the dump (the refreshes due by now written first): `(files, frames, failure)`.
#[pyfunction]
pub fn vo_dump_end() -> (u64, u64, Option<String>) {
    let sim = &board::current().sim;
    sim.vo_record_flush();
    sim.vo_record(1, None);
    let report = DUMP
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take();
    report.map_or((0, 0, None), |r| {
        (
            r.files.load(Ordering::Relaxed),
            r.frames.load(Ordering::Relaxed),
            r.failed.lock().ok().and_then(|f| f.clone()),
        )
    })
}

/// Whether `MediaManager.init()` has run (2024 `Display.init` must come before it).
#[pyfunction]
pub fn vo_media_inited() -> bool {
    venc_core::Mpi::media_inited(board::current().sim.as_ref())
}

/// Adds the functions.
pub fn add_functions(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(vo_enable, m)?)?;
    m.add_function(wrap_pyfunction!(vo_disable, m)?)?;
    m.add_function(wrap_pyfunction!(vo_mode, m)?)?;
    m.add_function(wrap_pyfunction!(vo_video_layer, m)?)?;
    m.add_function(wrap_pyfunction!(vo_show_image, m)?)?;
    m.add_function(wrap_pyfunction!(vo_disable_layer, m)?)?;
    m.add_function(wrap_pyfunction!(vo_layer_on, m)?)?;
    m.add_function(wrap_pyfunction!(vo_bind, m)?)?;
    m.add_function(wrap_pyfunction!(vo_unbind, m)?)?;
    m.add_function(wrap_pyfunction!(vo_wbc, m)?)?;
    m.add_function(wrap_pyfunction!(vo_wbc_running, m)?)?;
    m.add_function(wrap_pyfunction!(vo_wbc_dump, m)?)?;
    m.add_function(wrap_pyfunction!(vo_wbc_release, m)?)?;
    m.add_function(wrap_pyfunction!(vo_screen, m)?)?;
    m.add_function(wrap_pyfunction!(vo_stats, m)?)?;
    m.add_function(wrap_pyfunction!(vo_media_inited, m)?)?;
    m.add_function(wrap_pyfunction!(vo_screen_file, m)?)?;
    m.add_function(wrap_pyfunction!(vo_dump, m)?)?;
    m.add_function(wrap_pyfunction!(vo_dump_end, m)?)?;
    m.add("DISPLAY_MOD_ID", consts::DISPLAY_MOD_ID)?;
    Ok(())
}
