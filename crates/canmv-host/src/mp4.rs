//! `kd_mp4_*` (the firmware's `mp4_format` muxer) over `venc_mp4`: handles are plain ints, as
//! the C binding's pointers are; results are the C ints (firmware facts §4.1, §4.3).

use crate::board;
use pyo3::exceptions::PyNotImplementedError;
use pyo3::prelude::*;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use venc_mp4::{Mp4Error, Muxer, TrackKind};

/// Where muxer handles start: a user-space pointer's look, never 0 (the C code checks NULL).
const HANDLE_BASE: u64 = 0x7f00_4000_0000;
/// Track handles: the muxer's handle plus one of these steps per track.
const TRACK_STEP: u64 = 0x100;

static MUXERS: Mutex<BTreeMap<u64, Muxer>> = Mutex::new(BTreeMap::new());
static NEXT: AtomicU64 = AtomicU64::new(HANDLE_BASE);

fn refused(py: Python<'_>, e: &Mp4Error) -> PyResult<i64> {
    if let Mp4Error::NotModeled(what) = e {
        return Err(PyNotImplementedError::new_err(format!(
            "venc-sim: kd_mp4_*: {what}"
        )));
    }
    // The C muxer prints its complaint and returns the code.
    py.import("builtins")?
        .getattr("print")?
        .call1((e.to_string(),))?;
    Ok(i64::from(e.code()))
}

/// A handle this front never gave out (the C code only checks for NULL).
fn no_muxer(handle: u64) -> Mp4Error {
    Mp4Error::Mux(format!("no muxer at handle 0x{handle:x}"))
}

/// `kd_mp4_create(handle, cfg)` for a muxer config: the handle, or the C code (< 0).
#[pyfunction]
pub fn mp4_create(py: Python<'_>, path: &str, fmp4: bool) -> PyResult<i64> {
    match Muxer::create(path, fmp4) {
        Ok(muxer) => {
            let handle = NEXT.fetch_add(0x1_0000, Ordering::Relaxed);
            board::lock(&MUXERS).insert(handle, muxer);
            Ok(handle as i64)
        }
        Err(e) => refused(py, &e),
    }
}

/// `kd_mp4_create_track`: the track handle, or the C code (< 0).
#[pyfunction]
#[pyo3(signature = (handle, video, width, height, sample_rate, channels))]
pub fn mp4_create_track(
    py: Python<'_>,
    handle: u64,
    video: bool,
    width: u32,
    height: u32,
    sample_rate: u32,
    channels: u32,
) -> PyResult<i64> {
    let mut muxers = board::lock(&MUXERS);
    let Some(muxer) = muxers.get_mut(&handle) else {
        return refused(py, &no_muxer(handle));
    };
    let kind = if video {
        TrackKind::Video { width, height }
    } else {
        TrackKind::Audio {
            sample_rate,
            channels,
        }
    };
    match muxer.create_track(kind) {
        Ok(index) => Ok((handle + TRACK_STEP * (index as u64 + 1)) as i64),
        Err(e) => refused(py, &e),
    }
}

/// `kd_mp4_write_frame`: 0, or the C code (< 0).
#[pyfunction]
pub fn mp4_write_frame(
    py: Python<'_>,
    handle: u64,
    track: u64,
    codec_id: u32,
    time_stamp: u64,
    data: &[u8],
) -> PyResult<i64> {
    let mut muxers = board::lock(&MUXERS);
    let Some(muxer) = muxers.get_mut(&handle) else {
        return refused(py, &no_muxer(handle));
    };
    let index = (track.wrapping_sub(handle) / TRACK_STEP).wrapping_sub(1) as usize;
    match muxer.write_frame(index, codec_id, time_stamp, data) {
        Ok(_) => Ok(0),
        Err(e) => refused(py, &e),
    }
}

/// `kd_mp4_destroy_tracks`.
#[pyfunction]
pub fn mp4_destroy_tracks(py: Python<'_>, handle: u64) -> PyResult<i64> {
    match board::lock(&MUXERS).get_mut(&handle) {
        Some(muxer) => {
            muxer.destroy_tracks();
            Ok(0)
        }
        None => refused(
            py,
            &Mp4Error::Mux(format!("no muxer at handle 0x{handle:x}")),
        ),
    }
}

/// `kd_mp4_destroy`: finishes the file (moov in front) and frees the muxer.
#[pyfunction]
pub fn mp4_destroy(py: Python<'_>, handle: u64) -> PyResult<i64> {
    let Some(muxer) = board::lock(&MUXERS).remove(&handle) else {
        return refused(
            py,
            &Mp4Error::Mux(format!("no muxer at handle 0x{handle:x}")),
        );
    };
    match muxer.finish() {
        Ok(()) => Ok(0),
        Err(e) => refused(py, &e),
    }
}
