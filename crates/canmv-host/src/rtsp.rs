//! `multimedia.rtsp_server` over `venc_rtsp`: the server objects and the calls the firmware's
//! binding makes; the Python module (`multimedia.py`) gives them the binding's argument rules.

use crate::board;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use venc_rtsp::{RtspError, RtspServer, VideoType};

/// A call the board does not survive: counted with the memory faults (canmv-run exits 3) and
/// raised as `MemoryFault`, which a script cannot catch with `except Exception`.
fn crash(message: String) -> PyErr {
    board::note_memory_fault();
    crate::errors::MemoryFault::new_err(format!("{message} (a crash on the board)"))
}

fn to_py(e: RtspError) -> PyErr {
    match e {
        RtspError::Crash(m) => crash(m),
        other => PyRuntimeError::new_err(other.to_string()),
    }
}

/// One `KdRtspServer`.
#[derive(Debug)]
#[pyclass(name = "_RtspServer", module = "multimedia")]
pub struct PyRtspServer {
    server: RtspServer,
}

#[pymethods]
impl PyRtspServer {
    #[new]
    fn new() -> Self {
        Self {
            server: RtspServer::new(),
        }
    }

    /// Binds `host:port`: 0, or -1 after the firmware's line.
    fn init(&self, py: Python<'_>, host: &str, port: u16) -> PyResult<i32> {
        match py.detach(|| self.server.init(host, port)) {
            Ok(()) => Ok(0),
            Err(RtspError::InitFailed(why)) => {
                log::warn!("rtsp: {host}:{port}: {why}");
                py.import("builtins")?
                    .getattr("print")?
                    .call1(("create rtsp server failed.",))?;
                Ok(-1)
            }
            Err(e) => Err(to_py(e)),
        }
    }

    /// The bound port (0 asks the OS for one).
    fn bound_port(&self) -> Option<u16> {
        self.server.bound_port()
    }

    /// Mounts the session: True if new, False if the name existed; None for an unknown type.
    fn create_session(&self, name: &str, video_type: i64, audio: bool) -> PyResult<Option<bool>> {
        let Some(video) = VideoType::from_value(video_type) else {
            return Ok(None);
        };
        self.server
            .create_session(name, video, audio)
            .map(Some)
            .map_err(to_py)
    }

    fn start(&self) -> PyResult<()> {
        self.server.start().map_err(to_py)
    }

    fn stop(&self, py: Python<'_>) {
        py.detach(|| self.server.stop());
    }

    fn deinit(&self, py: Python<'_>) {
        py.detach(|| self.server.deinit());
    }

    fn destroy_session(&self, name: &str) -> PyResult<()> {
        self.server.destroy_session(name).map_err(to_py)
    }
}

/// `rtspserver_getrtspurl(name)`.
#[pyfunction]
pub fn rtsp_url(name: &str) -> PyResult<String> {
    venc_rtsp::session_url(name).map_err(to_py)
}

/// `rtspserver_sendvideodata`: 0, or -1 when the session does not exist.
#[pyfunction]
pub fn rtsp_send(name: &str, data: &[u8]) -> i32 {
    match venc_rtsp::send_video(name, data) {
        Some(_) => 0,
        None => -1,
    }
}

/// `rtspserver_sendaudiodata`: 0, or -1 when the session does not exist.
#[pyfunction]
pub fn rtsp_send_audio(name: &str, data: &[u8]) -> i32 {
    match venc_rtsp::send_audio(name, data) {
        Some(_) => 0,
        None => -1,
    }
}

/// `warm_gstreamer()`: GStreamer started before the sandbox (its registry rebuild runs a
/// helper program, which the sandbox refuses).
#[pyfunction]
pub fn warm_gstreamer() -> PyResult<()> {
    venc_rtsp::warm_up().map_err(to_py)
}
