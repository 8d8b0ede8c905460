//! Python exceptions as the firmware raises them.

use crate::board::{MediaError, SensorError};
use pyo3::exceptions::{
    PyAssertionError, PyAttributeError, PyBaseException, PyIndexError, PyOSError, PyRuntimeError,
    PyValueError,
};
use pyo3::prelude::*;
use venc_core::CanMvError;

pyo3::create_exception!(
    _native,
    MemoryFault,
    PyBaseException,
    "A read of memory the script does not own (a released pack, a physical address). On the \
     board this crashes the script; `canmv-run` exits with status 3 even if the script caught it."
);

/// A `ValueError` with one message (argument errors of the host itself).
pub fn value_error(message: impl Into<String>) -> PyErr {
    PyValueError::new_err(message.into())
}

/// Adds a note (shown in tracebacks, not in `str(e)`, so messages stay the firmware's).
fn with_note(py: Python<'_>, err: PyErr, note: String) -> PyErr {
    // add_note exists from Python 3.11; a failure to add it must not hide the error itself.
    let _ = err.value(py).call_method1("add_note", (note,));
    err
}

/// The exception a CanMV script sees for a facade error.
pub fn canmv(py: Python<'_>, err: CanMvError) -> PyErr {
    match err {
        CanMvError::ValueError { method, chn } => PyValueError::new_err((
            format!("venc {method}, chn id: "),
            chn,
            " out of range 0 ~ 3",
        )),
        CanMvError::OsError { message, code } => with_note(
            py,
            PyOSError::new_err(message),
            format!("venc-sim: the MPI call returned {code}"),
        ),
        CanMvError::IndexError { delivered } => with_note(
            py,
            PyIndexError::new_err("list index out of range"),
            format!(
                "venc-sim: GetStream got {delivered} packs but StreamData holds 12; they stay \
                 unreleased unless ReleaseStream releases them by count"
            ),
        ),
        CanMvError::BadAddress { addr, len } => memory_fault(addr, len),
        CanMvError::AssertionError { message } => PyAssertionError::new_err(message),
        CanMvError::NotRequested { method } => {
            PyValueError::new_err(format!("venc {method}, chn not requested yet"))
        }
        CanMvError::NoSuchMethod { method } => {
            PyAttributeError::new_err(format!("'Encoder' object has no attribute '{method}'"))
        }
    }
}

/// The fault of a read at `addr`.
pub fn memory_fault(addr: u64, len: u64) -> PyErr {
    crate::board::note_memory_fault();
    MemoryFault::new_err(format!(
        "bytearray_at(0x{addr:x}, {len}): memory not mapped (released pack, physical address or \
         out of bounds); on the board this read faults"
    ))
}

/// Drops the `"AssertionError: "`-style prefix the simulator's messages carry.
pub fn message(text: String) -> String {
    match text.split_once(": ") {
        Some((kind, rest)) if kind.ends_with("Error") => rest.to_owned(),
        _ => text,
    }
}

/// The exception `media.sensor` raises.
pub fn sensor(err: SensorError) -> PyErr {
    let text = message(err.to_string());
    match err {
        SensorError::NotReset
        | SensorError::BadChannel(_)
        | SensorError::SizeOutOfRange { .. }
        | SensorError::BadAlignment(_)
        | SensorError::BadCrop { .. }
        | SensorError::NotConfigured(_) => PyAssertionError::new_err(text),
        _ => PyRuntimeError::new_err(text),
    }
}

/// The exception `MediaManager` raises.
pub fn media(err: MediaError) -> PyErr {
    let text = message(err.to_string());
    match err {
        MediaError::AlreadyInited => PyAssertionError::new_err(text),
        _ => PyRuntimeError::new_err(text),
    }
}
