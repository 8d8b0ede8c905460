//! `multimedia.rtsp_pusher` over `venc_rtsp::pusher`: the calls the firmware's binding makes
//! (oldgen facts §3.2); the Python module (`multimedia.py`) gives them the binding's argument
//! rules and console lines.

use pyo3::prelude::*;
use std::sync::Mutex;
use venc_rtsp::pusher::{PushError, PusherConfig, RtspPusher};

/// One `KdRtspPusher`: nothing until `init`, the pusher after it.
#[derive(Debug, Default)]
#[pyclass(name = "_RtspPusher", module = "multimedia")]
pub struct PyRtspPusher {
    pusher: Mutex<Option<RtspPusher>>,
}

impl PyRtspPusher {
    fn with<T>(&self, f: impl FnOnce(&RtspPusher) -> T) -> Option<T> {
        let guard = self
            .pusher
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.as_ref().map(f)
    }
}

#[pymethods]
impl PyRtspPusher {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// `rtsppusher_init`: stores the settings (a second init replaces the first, closing it);
    /// the settings as stored: `(url, fps, transport)`.
    fn init(
        &self,
        py: Python<'_>,
        width: u32,
        height: u32,
        url: &[u8],
        fps: i64,
        transport: &[u8],
    ) -> (String, u32, &'static str) {
        let config = PusherConfig::new(width, height, url, fps, transport);
        let stored = (config.url.clone(), config.fps, config.transport.name());
        let old = self
            .pusher
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .replace(RtspPusher::new(config));
        if let Some(old) = old {
            py.detach(|| old.deinit());
        }
        stored
    }

    /// `rtsppusher_pushvideoheader`: 0, or -1 (too large, or before init).
    fn push_header(&self, data: &[u8]) -> i32 {
        match self.with(|p| p.push_header(data)) {
            Some(Ok(())) => 0,
            _ => -1,
        }
    }

    /// `rtsppusher_open`: `(0, None)`, or `(-1, why)`.
    fn open(&self, py: Python<'_>) -> (i32, Option<String>) {
        let result = py.detach(|| self.with(RtspPusher::open));
        match result {
            Some(Ok(())) => (0, None),
            Some(Err(e)) => (-1, Some(e.to_string())),
            None => (-1, Some("rtsppusher_init was not called".into())),
        }
    }

    /// `rtsppusher_pushvideodata`: `(0, queue line or None)`, or `(-1, why)`.
    fn push_video(&self, data: &[u8], key: bool, timestamp: u64) -> (i32, Option<String>) {
        match self.with(|p| (p.push_video(data, key, timestamp), p.config().url.clone())) {
            Some((Ok(pushed), url)) => (0, pushed.console_line(&url)),
            Some((Err(e @ PushError::FrameTooLarge(_)), url)) => (-1, Some(format!("{url}  {e}"))),
            Some((Err(e), _)) => (-1, Some(e.to_string())),
            None => (-1, None),
        }
    }

    /// `rtsppusher_close`.
    fn close(&self, py: Python<'_>) {
        py.detach(|| self.with(RtspPusher::close));
    }

    /// `rtsppusher_deinit`.
    fn deinit(&self, py: Python<'_>) {
        py.detach(|| self.with(RtspPusher::deinit));
    }

    /// `(frames_sent, frames_before_key, packets_sent, reconnects)` so far.
    fn stats(&self) -> (u64, u64, u64, u64) {
        self.with(|p| {
            let s = p.stats();
            (
                s.frames_sent,
                s.frames_before_key,
                s.packets_sent,
                s.reconnects,
            )
        })
        .unwrap_or_default()
    }
}
