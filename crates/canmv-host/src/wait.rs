//! Blocking MPI calls in slices, so Ctrl-C gets through.
//!
//! The newest firmware releases the GIL while `GetStream`/`SendFrame` block; v1.0 and older hold
//! it, freezing every other Python thread (facts §1.1, §5.2). Both are modeled. Either way the
//! wait is cut into slices of at most [`SLICE_MS`] with a signal check between them: on the
//! board Ctrl-C from the IDE stops a script, and a host program should be no harder to stop.

use crate::board::Board;
use pyo3::prelude::*;
use std::time::Duration;
use venc_core::VencError;
use venc_core::fault::FaultPoint;

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
        || py.check_signals(),
    )
}
