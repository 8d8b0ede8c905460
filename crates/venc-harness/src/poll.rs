//! The one wait-with-patience loop: poll a backend until a condition holds, and give up when
//! nothing has moved for a while, where a board's blocking call would hang for good.

use std::time::{Duration, Instant};

/// What one poll saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Poll {
    /// The condition holds: stop.
    Done,
    /// Not yet, but something moved (a pack arrived): the patience starts again.
    Progress,
    /// Nothing moved: sleep, then poll again.
    Idle,
}

/// Polls `step` until it says [`Poll::Done`]; an error from `step` ends the wait. After
/// `patience` without [`Poll::Progress`], `stalled(waited)` is the error. `idle` is the sleep
/// after an idle poll (zero when `step` waits itself, e.g. a GetStream with a timeout).
pub fn poll_until<E>(
    patience: Duration,
    idle: Duration,
    mut step: impl FnMut() -> Result<Poll, E>,
    stalled: impl FnOnce(Duration) -> E,
) -> Result<(), E> {
    let mut quiet_since = Instant::now();
    loop {
        match step()? {
            Poll::Done => return Ok(()),
            Poll::Progress => quiet_since = Instant::now(),
            Poll::Idle => {
                if quiet_since.elapsed() > patience {
                    return Err(stalled(quiet_since.elapsed()));
                }
                if !idle.is_zero() {
                    std::thread::sleep(idle);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_restarts_the_patience_and_idleness_ends_it() {
        let mut n = 0;
        let r: Result<(), String> = poll_until(
            Duration::from_millis(30),
            Duration::from_millis(1),
            || {
                n += 1;
                Ok(if n == 3 { Poll::Done } else { Poll::Progress })
            },
            |_| "stalled".into(),
        );
        assert_eq!((r, n), (Ok(()), 3));
        let t0 = Instant::now();
        let r: Result<(), String> = poll_until(
            Duration::from_millis(30),
            Duration::from_millis(2),
            || Ok(Poll::Idle),
            |waited| format!("stalled after {}ms", waited.as_millis()),
        );
        assert!(r.expect_err("idle").starts_with("stalled after"));
        assert!(t0.elapsed() >= Duration::from_millis(30));
        let r: Result<(), &str> = poll_until(
            Duration::from_secs(60),
            Duration::ZERO,
            || Err("backend gone"),
            |_| "stalled",
        );
        assert_eq!(r, Err("backend gone"));
    }
}
