//! Blocking MPI calls in slices, so Ctrl-C gets through.
//!
//! The newest firmware releases the GIL while `GetStream`/`SendFrame` block; v1.0 and older hold
//! it, freezing every other Python thread (facts §1.1, §5.2). Both are modeled. Either way the
//! wait is cut into slices of at most [`SLICE_MS`] with a signal check between them: on the
//! board Ctrl-C from the IDE stops a script, and a host program should be no harder to stop.

use pyo3::prelude::*;
use venc_core::VencError;

/// Longest uninterrupted wait.
pub const SLICE_MS: i32 = 50;

/// Runs `attempt(slice_ms)` until it answers something other than `retry_on`, the timeout
/// (`-1` = for ever, `0` = one try) runs out, or a signal handler raises.
pub fn sliced<T: Send>(
    py: Python<'_>,
    release_gil: bool,
    timeout_ms: i32,
    retry_on: VencError,
    mut attempt: impl FnMut(i32) -> Result<T, VencError> + Send,
) -> PyResult<Result<T, VencError>> {
    venc_core::in_slices(
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
