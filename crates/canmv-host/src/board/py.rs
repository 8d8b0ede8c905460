//! The board's Python functions: `configure`, what the board is (`board_info`, the C struct
//! layout), what it did (channel statistics, faults struck, memory faults), faults and traces.

use super::{Board, MEMORY_FAULTS, SourceSpec, current, slot};
use crate::errors::value_error;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use venc_core::cstruct::{Scalar, VIDEO_FRAME_INFO_FIELDS, VIDEO_FRAME_INFO_SIZE};
use venc_core::fault::FaultPoint;
use venc_core::{
    Failures, FaultSpec, Firmware, GetStreamStyle, MediaApi, Mpi, OutBufPools, SendFrameStyle,
    Traits,
};
use venc_sim::timing::{BoardProfile, VpuTiming};
use venc_sim::venc::ChannelStats;

/// `firmware_name(name)`: the generation's name, or ValueError naming the one meant (the
/// front's `--firmware` check).
#[pyfunction]
pub fn firmware_name(name: &str) -> PyResult<&'static str> {
    Firmware::parse(name)
        .map(Firmware::name)
        .map_err(value_error)
}

/// `configure(firmware="canmv-2026-01", source="pattern", timing="fast", codec_threads=1,
/// fault_seed=0, trace=None)`: a new board. Files are opened once here, so a bad `source` or
/// `trace` path fails now with a clear error. `trace` names a file that receives every MPI call
/// the script makes, as JSON lines (`venc trace diff` compares two).
#[pyfunction]
#[pyo3(signature = (firmware = "canmv-2026-01", source = "pattern", timing = "fast", codec_threads = 1, fault_seed = 0, trace = None, ide = false, board_profile = None))]
#[allow(clippy::too_many_arguments)] // Python's keyword arguments, one per runner option
pub fn configure(
    firmware: &str,
    source: &str,
    timing: &str,
    codec_threads: u16,
    fault_seed: u64,
    trace: Option<PathBuf>,
    ide: bool,
    board_profile: Option<PathBuf>,
) -> PyResult<()> {
    let firmware = Firmware::parse(firmware).map_err(value_error)?;
    let timing = VpuTiming::parse(timing).map_err(|e| value_error(format!("unknown {e}")))?;
    let timing = match board_profile {
        Some(path) => BoardProfile::load(&path)
            .and_then(|profile| timing.with_profile(profile))
            .map_err(value_error)?,
        None => timing,
    };
    if !(1..=16).contains(&codec_threads) {
        return Err(value_error(format!(
            "codec_threads {codec_threads} outside 1 ~ 16"
        )));
    }
    let source = SourceSpec::parse(source).map_err(value_error)?;
    let trace = match trace {
        Some(path) => {
            Some(BufWriter::new(File::create(&path).map_err(|e| {
                value_error(format!("trace {}: {e}", path.display()))
            })?))
        }
        None => None,
    };
    *slot() = Some(Arc::new(Board::new(
        firmware,
        source,
        timing,
        codec_threads,
        fault_seed,
        trace,
        ide,
    )));
    MEMORY_FAULTS.store(0, Ordering::Relaxed);
    Ok(())
}

/// What the current board is: firmware, source, timing, simulator version.
#[pyfunction]
pub fn board_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let board = current();
    let info = PyDict::new(py);
    info.set_item("firmware", board.firmware.name())?;
    info.set_item("traits", traits_dict(py, board.firmware.traits())?)?;
    info.set_item("source", board.source().describe())?;
    info.set_item("timing", board.vpu_timing.name())?;
    info.set_item("codec_threads", board.sim.options().codec_threads)?;
    info.set_item("simulator", env!("CARGO_PKG_VERSION"))?;
    info.set_item("h265", cfg!(feature = "x265"))?;
    // Channel numbers whose board reading is unknown (D-031), taken as INVALID_CHNID.
    info.set_item("wrapping_channels", venc_core::wrapping_channel_count())?;
    info.set_item("ide_channel", board.ide_channel())?;
    info.set_item(
        "ide_collisions",
        board.ide_collisions.load(Ordering::Relaxed),
    )?;
    Ok(info)
}

/// The generation's traits, for the firmware's Python modules (which signatures to present).
fn traits_dict(py: Python<'_>, t: Traits) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("takes_chn", t.takes_chn)?;
    let send_frame = match t.send_frame {
        SendFrameStyle::Absent => "absent",
        SendFrameStyle::Raises => "raises",
        SendFrameStyle::ReturnsStatus => "status",
    };
    d.set_item("send_frame", send_frame)?;
    d.set_item("send_frame_timeout", t.send_frame_timeout)?;
    d.set_item(
        "get_stream_timeout",
        t.get_stream == GetStreamStyle::TimeoutReturnsCode,
    )?;
    d.set_item("jpeg", t.jpeg)?;
    d.set_item("rate_attrs", t.rate_attrs)?;
    d.set_item("stream_phy_addr", t.stream_phy_addr)?;
    d.set_item("link_destroy", t.link_destroy)?;
    d.set_item("snapshot_dump_frame", t.snapshot_dump_frame)?;
    d.set_item("media_config", t.out_bufs == OutBufPools::MediaConfig)?;
    d.set_item("camera_api", t.media_api == MediaApi::Camera)?;
    d.set_item("return_codes", t.failures == Failures::ReturnCodes)?;
    d.set_item("exitpoint", t.exitpoint)?;
    d.set_item("exitpoint_returns_flag", t.exitpoint_returns_flag)?;
    d.set_item("deinit_exits_vb", t.deinit_exits_vb)?;
    d.set_item("rtsp_pusher", t.rtsp_pusher)?;
    Ok(d)
}

/// What VENC channel `chn` did with its frames, as a dict of counters (`frames_encoded`,
/// `dropped_*`, `packs_overwritten`, …; see `venc_sim::venc::ChannelStats`) plus
/// `frames_dropped`, their sum. A simulator call: the board has no such module.
#[pyfunction]
pub fn channel_stats(py: Python<'_>, chn: i64) -> PyResult<Bound<'_, PyDict>> {
    let stats = current()
        .sim
        .channel_stats(venc_core::chn_from_int(chn))
        .map_err(|e| value_error(format!("channel_stats({chn}): {e}")))?;
    stats_dict(py, &stats)
}

/// Every counter by name, and `frames_dropped`.
fn stats_dict<'py>(py: Python<'py>, stats: &ChannelStats) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for (name, value) in stats.fields() {
        out.set_item(name, value)?;
    }
    out.set_item("frames_dropped", stats.frames_dropped())?;
    Ok(out)
}

/// `channel_run_stats(chn)`: channel `chn`'s counters added up over every Create of the run
/// (a report's totals; `channel_stats` counts from the last Create).
#[pyfunction]
pub fn channel_run_stats(py: Python<'_>, chn: i64) -> PyResult<Bound<'_, PyDict>> {
    let stats = current()
        .sim
        .channel_run_stats(venc_core::chn_from_int(chn))
        .map_err(|e| value_error(format!("channel_run_stats({chn}): {e}")))?;
    stats_dict(py, &stats)
}

/// `set_sensor_source(bus, "pattern" | PATH)`: what the sensor on CSI bus `bus` sees (made
/// after this call), instead of the board's source.
#[pyfunction]
pub fn set_sensor_source(bus: u32, text: &str) -> PyResult<()> {
    current().set_bus_source(bus, text).map_err(value_error)
}

/// `change_source("pattern" | PATH)`: what the camera sees from the next frame on (a
/// scenario's `source` step); `ValueError` for a source that does not open.
#[pyfunction]
pub fn change_source(text: &str) -> PyResult<()> {
    current().change_source(text).map_err(value_error)
}

/// `check_fault(spec)`: `ValueError` saying why if `spec` would not arm (a scenario checks its
/// steps before the script runs).
#[pyfunction]
pub fn check_fault(spec: &str) -> PyResult<()> {
    spec.parse::<FaultSpec>()
        .map(drop)
        .map_err(|e: venc_core::fault::BadFaultSpec| value_error(e.to_string()))
}

/// `inject_fault("KIND[:ARG][@WHEN]")`: arms a fault on the simulated board
/// (`venc_core::fault`); a spec that does not parse raises `ValueError` saying why.
#[pyfunction]
pub fn inject_fault(spec: &str) -> PyResult<()> {
    let spec: FaultSpec = spec
        .parse()
        .map_err(|e: venc_core::fault::BadFaultSpec| value_error(e.to_string()))?;
    let board = current();
    if matches!(
        spec.kind.point(),
        FaultPoint::GetStream | FaultPoint::SendFrame
    ) {
        board.call_faults.arm(spec);
        return Ok(());
    }
    board
        .sim
        .inject_fault(&spec)
        .map_err(|e| value_error(format!("inject_fault({spec}): {e}")))
}

/// `finish_trace()`: writes out the call trace; `OSError` naming the file's trouble if it could
/// not be written (a full disk, say).
#[pyfunction]
pub fn finish_trace() -> PyResult<()> {
    current()
        .finish_trace()
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("trace: {e}")))
}

/// `disarm_faults()`: no armed fault strikes any more (the counts stay).
#[pyfunction]
pub fn disarm_faults() {
    let board = current();
    board.call_faults.disarm_all();
    board.sim.faults().disarm_all();
}

/// `faults_injected()`: how many times each fault kind struck, as a dict by kind name.
#[pyfunction]
pub fn faults_injected(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let board = current();
    let out = PyDict::new(py);
    let at_calls = board.call_faults.injected();
    for ((name, n), (_, m)) in board.sim.faults_injected().into_iter().zip(at_calls) {
        out.set_item(name, n + m)?;
    }
    Ok(out)
}

/// How many `bytearray_at` reads faulted since `configure()` (a crash on the board).
#[pyfunction]
pub fn memory_faults() -> u64 {
    MEMORY_FAULTS.load(Ordering::Relaxed)
}

/// `(size, [(path, offset, "u32"|"u64", count), …])`: the `k_video_frame_info` layout, for the
/// Python struct.
#[pyfunction]
pub fn frame_info_layout() -> (usize, Vec<(&'static str, usize, &'static str, usize)>) {
    let fields = VIDEO_FRAME_INFO_FIELDS
        .iter()
        .map(|f| {
            let kind = match f.scalar {
                Scalar::U32 => "u32",
                Scalar::U64 => "u64",
            };
            (f.path, f.offset, kind, f.count)
        })
        .collect();
    (VIDEO_FRAME_INFO_SIZE, fields)
}

/// `query_status(chn)`: `kd_mpi_venc_query_status` as a dict (`cur_packs`, `release_pic_pts`),
/// a host-side aid for tests and debugging; CanMV's Python does not export it.
#[pyfunction]
pub fn query_status(py: Python<'_>, chn: u32) -> PyResult<Bound<'_, PyDict>> {
    let status = venc_core::Mpi::query_status(current().sim.as_ref(), chn)
        .map_err(|e| value_error(format!("query_status({chn}): {e}")))?;
    let out = PyDict::new(py);
    out.set_item("cur_packs", status.cur_packs)?;
    out.set_item("release_pic_pts", status.release_pic_pts)?;
    Ok(out)
}

/// `released_pts(chn)`: the pts of the last input picture the channel's encoder released
/// (encoded or dropped). A simulator addition: `query_status` leaves `release_pic_pts` 0, as
/// the board's kernel does (D-056); the emulated board's agent answers `RELEASED_PTS` with it.
#[pyfunction]
pub fn released_pts(chn: u32) -> PyResult<u64> {
    venc_core::Mpi::released_pts(current().sim.as_ref(), chn)
        .map_err(|e| value_error(format!("released_pts({chn}): {e}")))
        .map(Option::unwrap_or_default)
}
