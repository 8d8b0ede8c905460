//! `media.media.MediaManager`: init/deinit and links between the sensor and the encoder.

use crate::board;
use crate::errors;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use std::sync::Mutex;
use venc_sim::sys::{Link, MediaManager};

fn manager() -> MediaManager {
    let board = board::current();
    MediaManager::new(board.sim.clone(), board.personality)
}

/// `MediaManager.init()`.
#[pyfunction]
pub fn media_init() -> PyResult<()> {
    manager().init().map_err(errors::media)
}

/// `MediaManager.deinit(force=False)`.
#[pyfunction]
pub fn media_deinit() {
    manager().deinit();
}

fn mod_chn(which: &str, value: &Bound<'_, PyAny>) -> PyResult<(u32, u32, u32)> {
    value.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "MediaManager.link: {which} must be a (mod, dev, chn) tuple of 3 ints, not {}",
            value.repr().map_or_else(|_| "?".into(), |r| r.to_string())
        ))
    })
}

/// `MediaManager.link(src, dst)`: binds; the returned linker unbinds when deleted (`del link`).
#[pyfunction]
pub fn media_link(src: &Bound<'_, PyAny>, dst: &Bound<'_, PyAny>) -> PyResult<PyLinker> {
    let (src, dst) = (mod_chn("src", src)?, mod_chn("dst", dst)?);
    let link = manager().link(src, dst).map_err(errors::media)?;
    Ok(PyLinker {
        link: Mutex::new(Some(link)),
    })
}

/// A live link (`MediaManager.linker`).
#[derive(Debug)]
#[pyclass(name = "linker", module = "media.media")]
pub struct PyLinker {
    link: Mutex<Option<Link>>,
}

#[pymethods]
impl PyLinker {
    /// Unbinds now (the firmware's `del link` path, callable by hand).
    fn unlink(&self) {
        drop(self.link.lock().map(|mut l| l.take()));
    }

    fn __repr__(&self) -> String {
        match self.link.lock().ok().as_deref().and_then(Option::as_ref) {
            Some(l) => format!("<linker {} -> {}>", l.src(), l.dst()),
            None => "<linker (unlinked)>".into(),
        }
    }
}
