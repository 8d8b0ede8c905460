//! The board's clock as the Python front reads it: board time, ticks, tickets for the script's
//! threads, sleeps and the dilation.

use super::{current, lock};
use pyo3::prelude::*;
use std::sync::Mutex;
use venc_sim::clock::ClockKind;

/// Board time since the board was made, in nanoseconds (the host's monotonic clock unless the
/// board's is dilated or deterministic), as the runner reads it.
#[pyfunction]
pub fn board_now_ns() -> u64 {
    u64::try_from(current().sim.clock().now().as_nanos()).unwrap_or(u64::MAX)
}

/// Board time as a script's `time.ticks_*` and `time.time()` read it: a board call, which on a
/// deterministic board takes its turn and its cost (a loop polling the ticks moves time on).
#[pyfunction]
pub fn board_ticks_ns(py: Python<'_>) -> u64 {
    let clock = current().sim.clock().clone();
    // Only a deterministic board's call can wait (for the board): elsewhere a read keeps the
    // GIL, as the firmware's does.
    let now = if clock.kind() == ClockKind::Deterministic {
        py.detach(|| {
            drop(clock.call());
            clock.now()
        })
    } else {
        clock.now()
    };
    u64::try_from(now.as_nanos()).unwrap_or(u64::MAX)
}

/// A place among the board's actors for a script thread about to start: taken by the thread
/// that starts it, so script threads join a deterministic board in the same order every run.
#[pyclass(name = "BoardTicket", module = "_native")]
#[derive(Debug)]
pub struct BoardTicket(Mutex<Option<venc_sim::clock::Ticket>>);

#[pymethods]
impl BoardTicket {
    /// Called first in the new thread: returns when it holds the board.
    fn board(&self, py: Python<'_>) {
        if let Some(ticket) = lock(&self.0).take() {
            py.detach(|| ticket.board());
        }
    }
}

/// A [`BoardTicket`] for a thread the script is starting.
#[pyfunction]
pub fn board_ticket() -> BoardTicket {
    BoardTicket(Mutex::new(Some(current().sim.clock().ticket())))
}

/// Times the deterministic board went on beside a thread stuck outside it.
#[pyfunction]
pub fn board_pass_overs() -> u64 {
    current().sim.clock().pass_overs()
}

/// Sleeps `ns` nanoseconds of board time with the GIL released (`time.sleep` cuts a script's
/// sleep into such slices to see a stop between them). Whole nanoseconds: a float slice could
/// round to nothing and a deterministic board would never move on.
#[pyfunction]
pub fn board_sleep_ns(py: Python<'_>, ns: u64) {
    let clock = current().sim.clock().clone();
    py.detach(|| clock.sleep(std::time::Duration::from_nanos(ns)));
}

/// The script's main thread is done: it leaves the board's actors, so a deterministic board
/// goes on with the script's other threads while the runner waits for them on the host.
#[pyfunction]
pub fn board_leave() {
    current().sim.clock().leave();
}

/// Wall time over board time so far (1 on the wall clock).
#[pyfunction]
pub fn board_dilation() -> f64 {
    current().sim.clock().dilation()
}
