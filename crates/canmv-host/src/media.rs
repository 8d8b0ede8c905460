//! `media.media.MediaManager`: init/deinit and links between the sensor and the encoder.

use crate::board::{self, Board};
use crate::board::{MediaManager, ModChn};
use crate::errors;
use pyo3::exceptions::{PyAssertionError, PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use std::sync::{Arc, Mutex, PoisonError};
use venc_core::OutBufPools;

fn manager() -> MediaManager {
    let board = board::current();
    MediaManager::new(board.sim.clone(), board.firmware)
}

/// `MediaManager.init()`.
#[pyfunction]
pub fn media_init() -> PyResult<()> {
    manager().init().map_err(errors::media)
}

/// `MediaManager.deinit(force=False)`: also unbinds every link still kept. VB is exited if
/// the generation's deinit does that, or with `force`.
#[pyfunction]
#[pyo3(signature = (force = false))]
pub fn media_deinit(force: bool) {
    let board = board::current();
    board.destroy_links();
    let manager = MediaManager::new(board.sim.clone(), board.firmware);
    manager.deinit();
    if force {
        manager.exit_vb();
    }
}

fn mod_chn(which: &str, value: &Bound<'_, PyAny>) -> PyResult<(u32, u32, u32)> {
    value.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "MediaManager.link: {which} must be a (mod, dev, chn) tuple of 3 ints, not {}",
            value.repr().map_or_else(|_| "?".into(), |r| r.to_string())
        ))
    })
}

/// `MediaManager.link(src, dst)`: binds. The board keeps the link (as the firmware's list
/// does), so dropping the returned handle unbinds nothing; `destroy()` or `deinit()` does.
#[pyfunction]
pub fn media_link(src: &Bound<'_, PyAny>, dst: &Bound<'_, PyAny>) -> PyResult<PyLinker> {
    let (src, dst) = (mod_chn("src", src)?, mod_chn("dst", dst)?);
    let board = board::current();
    let link = manager().link(src, dst).map_err(errors::media)?;
    let (src, dst) = (link.src(), link.dst());
    board.keep_link(link);
    Ok(PyLinker { board, src, dst })
}

/// A link the board keeps (`MediaManager.linker`); the firmware's Python classes around it
/// decide which methods a script sees.
#[derive(Debug)]
#[pyclass(name = "linker", module = "media.media")]
pub struct PyLinker {
    board: Arc<Board>,
    src: ModChn,
    dst: ModChn,
}

#[pymethods]
impl PyLinker {
    /// `(mod, dev, chn)` of the source.
    #[getter]
    fn src(&self) -> (u32, u32, u32) {
        (self.src.mod_id, self.src.dev, self.src.chn)
    }

    /// `(mod, dev, chn)` of the destination.
    #[getter]
    fn dst(&self) -> (u32, u32, u32) {
        (self.dst.mod_id, self.dst.dev, self.dst.chn)
    }

    /// Unbinds: true, or false (and the firmware's console line) when it was no longer bound.
    fn destroy(&self, py: Python<'_>) -> PyResult<bool> {
        if self.board.destroy_link(self.src, self.dst) {
            return Ok(true);
        }
        let print = py.import("builtins")?.getattr("print")?;
        print.call1((format!(
            "vb unbind failed {}",
            venc_core::VencError::Unexist.code()
        ),))?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("<linker {} -> {}>", self.src, self.dst)
    }
}

/// `MediaManager.Buffer`: a block of media memory a script fills (through
/// `uctypes.bytearray_at(buf.virt_addr, n)[:] = data`) and hands to the hardware by
/// `phys_addr`. Freed by `buf.__del__()` or when the object goes.
#[derive(Debug)]
#[pyclass(name = "Buffer", module = "media.media")]
pub struct PyMediaBuffer {
    board: Arc<Board>,
    virt: u64,
    phys: u64,
    size: u64,
    live: Mutex<bool>,
}

impl PyMediaBuffer {
    fn release(&self) {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        if std::mem::take(&mut *live) {
            self.board.unmap_buffer(self.virt);
        }
    }
}

#[pymethods]
impl PyMediaBuffer {
    /// `MediaManager.Buffer.get(size)`. v0.7 … 2025 firmware needs `MediaManager.init()` first.
    #[staticmethod]
    #[pyo3(signature = (size, pool_id = None))]
    fn get(size: u64, pool_id: Option<u32>) -> PyResult<Self> {
        let _ = pool_id; // buffers come from the simulator's own allocator
        let board = board::current();
        if board.firmware.traits().out_bufs == OutBufPools::MediaConfig
            && !venc_core::Mpi::media_inited(board.sim.as_ref())
        {
            return Err(PyAssertionError::new_err(
                "MediaManager.Buffer.get() before MediaManager.init()",
            ));
        }
        if size == 0 || size > MAX_BUFFER_BYTES {
            return Err(PyValueError::new_err(format!(
                "MediaManager.Buffer.get: size {size} outside 1 ~ {MAX_BUFFER_BYTES}"
            )));
        }
        let (virt, phys) = board.map_buffer(size).map_err(PyRuntimeError::new_err)?;
        Ok(Self {
            board,
            virt,
            phys,
            size,
            live: Mutex::new(true),
        })
    }

    /// The physical address, for `k_video_frame_info.v_frame.phys_addr`.
    #[getter]
    fn phys_addr(&self) -> u64 {
        self.phys
    }

    /// The mapped address, for `uctypes.bytearray_at`.
    #[getter]
    fn virt_addr(&self) -> u64 {
        self.virt
    }

    /// Bytes.
    #[getter]
    fn size(&self) -> u64 {
        self.size
    }

    /// Not from a VB pool: `VB_INVALID_POOLID`.
    #[getter]
    fn pool_id(&self) -> u32 {
        venc_core::consts::VB_INVALID_POOLID
    }

    /// Frees the buffer now (the firmware's code calls `buffer.__del__()` by hand).
    fn __del__(&self) {
        self.release();
    }

    fn __repr__(&self) -> String {
        format!(
            "<MediaManager.Buffer {} bytes at 0x{:x} (virt 0x{:x})>",
            self.size, self.phys, self.virt
        )
    }
}

impl Drop for PyMediaBuffer {
    fn drop(&mut self) {
        self.release();
    }
}

/// One buffer at most: a 4K NV12 frame and then some.
const MAX_BUFFER_BYTES: u64 = 64 << 20;
