//! The board's clock as the Python front reads it: board time, ticks, tickets for the script's
//! threads, sleeps and the dilation.

use super::{current, lock};
use pyo3::prelude::*;
use std::sync::{Condvar, Mutex};
use std::time::Duration;
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
    py.detach(|| clock.sleep(Duration::from_nanos(ns)));
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

/// A count that threads wait on in board time (`canmv-run`'s supervisor: the console's new
/// text, the script's end, a scenario's `wait`): on a deterministic board its waits and
/// wake-ups are board events, so a scenario's steps fall at the same board times every run.
#[pyclass(name = "BoardSignal", module = "_native")]
#[derive(Debug, Default)]
pub struct BoardSignal {
    count: Mutex<u64>,
    changed: Condvar,
}

#[pymethods]
impl BoardSignal {
    #[new]
    fn new() -> Self {
        Self::default()
    }

    /// The count now.
    fn count(&self) -> u64 {
        *lock(&self.count)
    }

    /// Counts one more event and wakes every waiter; returns the new count.
    fn notify(&self) -> u64 {
        let count = {
            let mut count = lock(&self.count);
            *count += 1;
            *count
        };
        current().sim.clock().notify(&self.changed);
        count
    }

    /// Waits until the count is no longer `seen` or board time reaches `deadline_ns` (None:
    /// no end), with the GIL released; returns the count.
    #[pyo3(signature = (seen, deadline_ns = None))]
    fn wait(&self, py: Python<'_>, seen: u64, deadline_ns: Option<u64>) -> u64 {
        let clock = current().sim.clock().clone();
        let deadline = deadline_ns.map(Duration::from_nanos);
        py.detach(|| {
            let mut count = lock(&self.count);
            loop {
                if *count != seen || deadline.is_some_and(|d| clock.now() >= d) {
                    return *count;
                }
                let (again, passed) = clock.wait_on(&self.changed, &self.count, count, deadline);
                count = again;
                if passed {
                    return *count;
                }
            }
        })
    }
}
