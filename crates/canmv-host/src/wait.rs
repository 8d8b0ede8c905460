//! Blocking MPI calls in slices, so Ctrl-C gets through.
//!
//! The newest firmware releases the GIL while `GetStream`/`SendFrame` block; v1.0 and older hold
//! it, freezing every other Python thread (facts §1.1, §5.2). Both are modeled. Either way the
//! wait is cut into slices of at most [`SLICE_MS`] with a signal check between them: on the
//! board Ctrl-C from the IDE stops a script, and a host program should be no harder to stop.

use pyo3::prelude::*;
use std::time::{Duration, Instant};
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
    let deadline = (timeout_ms > 0)
        .then(|| Instant::now() + Duration::from_millis(u64::from(timeout_ms.unsigned_abs())));
    loop {
        let slice = match (timeout_ms, deadline) {
            (0, _) => 0,
            (_, None) => SLICE_MS,
            (_, Some(d)) => {
                let left = d.saturating_duration_since(Instant::now()).as_millis();
                i32::try_from(left).unwrap_or(i32::MAX).clamp(0, SLICE_MS)
            }
        };
        let answer = if release_gil {
            py.detach(|| attempt(slice))
        } else {
            attempt(slice)
        };
        let more_time = match deadline {
            None => timeout_ms < 0,
            Some(d) => Instant::now() < d,
        };
        match answer {
            Err(e) if e == retry_on && more_time => py.check_signals()?,
            other => return Ok(other),
        }
    }
}
