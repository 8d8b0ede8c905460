//! Blocking MPI calls in slices, so Ctrl-C gets through.
//!
//! The newest firmware releases the GIL while `GetStream`/`SendFrame` block; v1.0 and older hold
//! it, freezing every other Python thread (facts §1.1, §5.2). Both are modeled. Either way the
//! wait is cut into slices of at most [`SLICE_MS`] with a signal check between them: on the
//! board Ctrl-C from the IDE stops a script, and a host program should be no harder to stop.

use crate::board::Board;
use crate::board::lock;
use pyo3::exceptions::PySystemExit;
use pyo3::prelude::*;
use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use venc_core::VencError;
use venc_core::fault::FaultPoint;

/// The channel incarnation a script's get_stream begins on (None when the channel cannot say:
/// the call then answers the channel's own error).
pub fn incarnation_of(mpi: &dyn venc_core::Mpi, chn: venc_core::Chn) -> Option<u64> {
    mpi.channel_incarnation(chn).ok()
}

/// One slice of a script's get_stream, of the incarnation it began on (`since`): a wait that
/// outlives a Destroy never takes the packs of a channel made since (D-063, as in C).
pub fn get_stream_slice(
    mpi: &dyn venc_core::Mpi,
    chn: venc_core::Chn,
    since: Option<u64>,
    max_packs: u32,
    slice: i32,
    out: &mut Vec<venc_core::Pack>,
) -> Result<(), VencError> {
    match since {
        Some(since) => mpi.get_stream_since(chn, since, max_packs, slice, out),
        None => mpi.get_stream(chn, max_packs, slice, out),
    }
}

/// Longest uninterrupted wait.
pub const SLICE_MS: i32 = 50;

/// A script's blocking `send_frame` or `get_stream` (by `point`), waited in slices; the
/// front's own call-level faults strike here, once per script call, not per slice (an injected
/// BUSY or NOTREADY answers after the call's timeout, also waited in slices; at once for −1).
pub fn program_call<T: Send>(
    py: Python<'_>,
    board: &Board,
    point: FaultPoint,
    timeout_ms: i32,
    chn: u32,
    attempt: impl FnMut(i32) -> Result<T, VencError> + Send,
) -> PyResult<Result<T, VencError>> {
    let release_gil = board.releases_gil();
    let place = format_args!("venc ch{chn} {point:?}");
    let Some(code) = board.call_faults.strike_code(point, place) else {
        let retry_on = match point {
            FaultPoint::SendFrame => VencError::Busy,
            _ => VencError::NotReady,
        };
        return sliced(py, board, release_gil, timeout_ms, retry_on, attempt);
    };
    if timeout_ms < 0 {
        return Ok(Err(code));
    }
    let clock = board.sim.clock().clone();
    sliced(py, board, release_gil, timeout_ms, code, |slice| {
        clock.sleep(Duration::from_millis(u64::try_from(slice).unwrap_or(0)));
        Err(code)
    })
}

/// Runs `attempt(slice_ms)` until it answers something other than `retry_on`, the timeout
/// (`-1` = for ever, `0` = one try; in board time) runs out, or a signal handler raises.
pub fn sliced<T: Send>(
    py: Python<'_>,
    board: &Board,
    release_gil: bool,
    timeout_ms: i32,
    retry_on: VencError,
    mut attempt: impl FnMut(i32) -> Result<T, VencError> + Send,
) -> PyResult<Result<T, VencError>> {
    let clock = board.sim.clock();
    venc_core::in_slices_on(
        || clock.now(),
        timeout_ms,
        SLICE_MS,
        retry_on,
        |slice| {
            if release_gil {
                py.detach(|| attempt(slice))
            } else {
                attempt(slice)
            }
        },
        || {
            py.check_signals()?;
            if SCRIPT_ENDED.load(Ordering::Acquire) {
                if let Ok(ident) = thread_ident(py) {
                    lock(&ENDED_IN_WAIT).insert(ident);
                }
                return Err(PySystemExit::new_err(()));
            }
            Ok(())
        },
    )
}

/// Set when the script's main thread has ended: its other threads get SystemExit, as the
/// board's do (facts §6), also out of a wait that would otherwise never end.
static SCRIPT_ENDED: AtomicBool = AtomicBool::new(false);

/// The script's main thread has ended: every wait of its other threads ends in SystemExit.
#[pyfunction]
pub fn end_script() {
    SCRIPT_ENDED.store(true, Ordering::Release);
}

/// Threads a wait already gave their SystemExit (they get no second one).
static ENDED_IN_WAIT: Mutex<BTreeSet<u64>> = Mutex::new(BTreeSet::new());

fn thread_ident(py: Python<'_>) -> PyResult<u64> {
    py.import("_thread")?.call_method0("get_ident")?.extract()
}

/// Raises SystemExit in the Python thread `ident` at its next bytecode (CPython's
/// `PyThreadState_SetAsyncExc`), unless a board wait already gave it one; false if it got
/// none here.
#[pyfunction]
pub fn exit_thread(py: Python<'_>, ident: u64) -> bool {
    if lock(&ENDED_IN_WAIT).contains(&ident) {
        return false;
    }
    // CPython takes the ident (an unsigned long) as a signed one: the same bits.
    let id = std::ffi::c_long::from_ne_bytes(ident.to_ne_bytes());
    let exc = py.get_type::<PySystemExit>();
    // SAFETY: the GIL is held (`py`), and `exc` is a live exception type.
    let n = unsafe { pyo3::ffi::PyThreadState_SetAsyncExc(id, exc.as_ptr()) };
    n == 1
}

/// Stop signals that arrive as bytes on Python's wakeup fd but are the runner's own
/// (`_thread.interrupt_main()` for a run limit), not the user's.
static OWN_INTERRUPTS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// The runner is about to interrupt the main thread itself: the watch does not count it.
#[pyfunction]
pub fn own_interrupt() {
    OWN_INTERRUPTS.fetch_add(1, Ordering::SeqCst);
}

/// Watches the read end of Python's signal wakeup fd (`signal.set_wakeup_fd`), on a thread
/// that needs no GIL: the third stop signal (SIGINT, SIGTERM, SIGHUP) ends the process with
/// 128 + its number even when the interpreter is stuck and its own handler cannot run.
#[cfg(not(target_os = "linux"))]
#[pyfunction]
pub fn watch_stop_signals(_fd: i32) -> PyResult<()> {
    Ok(())
}

/// See the other definition; Linux (where libc is a dependency).
#[cfg(target_os = "linux")]
#[pyfunction]
pub fn watch_stop_signals(fd: i32) -> PyResult<()> {
    use std::io::Read;
    use std::os::fd::FromRawFd;
    // SAFETY: the runner hands this end of its pipe over for good and never uses it again.
    let mut pipe = unsafe { std::fs::File::from_raw_fd(fd) };
    std::thread::Builder::new()
        .name("canmv-stop-watch".into())
        .spawn(move || {
            let mut seen = 0u32;
            let mut byte = [0u8; 1];
            while pipe.read_exact(&mut byte).is_ok() {
                let signum = i32::from(byte[0]);
                if ![libc::SIGINT, libc::SIGTERM, libc::SIGHUP].contains(&signum) {
                    continue;
                }
                if signum == libc::SIGINT && OWN_INTERRUPTS.load(Ordering::SeqCst) > 0 {
                    OWN_INTERRUPTS.fetch_sub(1, Ordering::SeqCst);
                    continue;
                }
                seen += 1;
                if seen >= 3 {
                    // SAFETY: _exit is async-signal-safe and ends the process at once.
                    unsafe { libc::_exit(128 + signum) };
                }
            }
        })
        .map(drop)
        .map_err(|e| pyo3::exceptions::PyOSError::new_err(e.to_string()))
}
