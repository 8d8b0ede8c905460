//! The simulated board's time: one clock that the sensor's frame times, the VPU model's busy
//! time, the `SendFrame`/`GetStream` timeouts and (under `canmv-run`) the script's own clock
//! all read.
//!
//! - **wall** (`fast` and `realtime`): the host's monotonic clock.
//! - **dilated**: the wall clock, held while the host's codec is behind the modeled VPU. Each
//!   picture the VPU model takes is booked with the virtual time its packs are due
//!   ([`BoardClock::book`]); until the host has placed them, virtual time cannot pass that due
//!   time, so the program sees the model's latency whatever the host's speed, and the run takes
//!   longer on a slow host ([`BoardClock::dilation`]). What runs on the host meanwhile (the
//!   script's own work) costs virtual time, as it would on the board.
//!
//! *Invariant:* virtual time never goes back: a booking is made under the clock's lock at a due
//! time after "now", and ending one holds virtual time where it stood.

use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How often a wait re-reads a held clock (its own condition may have come meanwhile).
const HELD_POLL: Duration = Duration::from_millis(1);

/// Which time the board keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockKind {
    /// The host's monotonic clock.
    Wall,
    /// The wall clock, held while a booked picture is late on the host.
    Dilated,
}

#[derive(Debug)]
struct State {
    origin: Instant,
    /// Wall time the clock was held, in total: virtual = wall since origin − offset.
    offset: Duration,
    /// Due times of booked pictures not yet placed (a multiset).
    pending: BTreeMap<Duration, u32>,
}

impl State {
    fn raw(&self) -> Duration {
        self.origin.elapsed().saturating_sub(self.offset)
    }

    fn now(&self, kind: ClockKind) -> Duration {
        let raw = self.raw();
        match (kind, self.pending.keys().next()) {
            (ClockKind::Dilated, Some(&due)) => raw.min(due),
            _ => raw,
        }
    }

    /// Whether virtual time stands at a booked picture's due time, waiting for the host.
    fn held(&self, kind: ClockKind) -> bool {
        // One reading of the wall clock: two would differ and look like a hold.
        let raw = self.raw();
        kind == ClockKind::Dilated && self.pending.keys().next().is_some_and(|&due| due < raw)
    }
}

#[derive(Debug)]
struct Inner {
    kind: ClockKind,
    state: Mutex<State>,
    /// Notified when a booking ends (a held clock moves on).
    moved: Condvar,
}

/// The board's clock; clones share it.
#[derive(Debug, Clone)]
pub struct BoardClock(Arc<Inner>);

impl Default for BoardClock {
    fn default() -> Self {
        Self::new(ClockKind::Wall)
    }
}

/// A picture booked on a dilated clock: virtual time cannot pass its due time until this is
/// dropped (its packs placed, or the picture given up).
#[derive(Debug)]
#[must_use = "virtual time is held at the due time only while the booking lives"]
pub struct Booking {
    clock: BoardClock,
    due: Duration,
}

impl Booking {
    /// When the picture's packs are due (virtual time).
    pub fn due(&self) -> Duration {
        self.due
    }
}

impl Drop for Booking {
    fn drop(&mut self) {
        let inner = &self.clock.0;
        if inner.kind == ClockKind::Wall {
            // Nothing was held: a wall clock keeps no bookings.
            return;
        }
        let mut st = inner.lock();
        let before = st.now(inner.kind);
        if let Some(n) = st.pending.get_mut(&self.due) {
            *n -= 1;
            if *n == 0 {
                st.pending.remove(&self.due);
            }
        }
        // Resume from where the clock stood: the wall time it was held is not board time.
        let raw = st.raw();
        if raw > before {
            st.offset += raw - before;
        }
        drop(st);
        inner.moved.notify_all();
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl BoardClock {
    /// A clock starting at 0 now.
    pub fn new(kind: ClockKind) -> Self {
        Self(Arc::new(Inner {
            kind,
            state: Mutex::new(State {
                origin: Instant::now(),
                offset: Duration::ZERO,
                pending: BTreeMap::new(),
            }),
            moved: Condvar::new(),
        }))
    }

    /// Which time it keeps.
    pub fn kind(&self) -> ClockKind {
        self.0.kind
    }

    /// Board time since the clock started.
    pub fn now(&self) -> Duration {
        self.0.lock().now(self.0.kind)
    }

    /// Books a picture: `due` gets the board time now and returns when its packs are due (not
    /// before now). On a dilated clock virtual time waits at that time until the booking is
    /// dropped; on a wall clock the booking only carries the time.
    pub fn book(&self, due: impl FnOnce(Duration) -> Duration) -> Booking {
        let inner = &self.0;
        let mut st = inner.lock();
        let now = st.now(inner.kind);
        let due = due(now).max(now);
        if inner.kind == ClockKind::Dilated {
            *st.pending.entry(due).or_insert(0) += 1;
        }
        Booking {
            clock: self.clone(),
            due,
        }
    }

    /// Blocks until board time reaches `t`.
    pub fn sleep_until(&self, t: Duration) {
        let inner = &self.0;
        let mut st = inner.lock();
        loop {
            let now = st.now(inner.kind);
            if now >= t {
                return;
            }
            st = if st.held(inner.kind) {
                inner.moved.wait(st).unwrap_or_else(PoisonError::into_inner)
            } else {
                inner
                    .moved
                    .wait_timeout(st, t - now)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            };
        }
    }

    /// Blocks for `d` of board time.
    pub fn sleep(&self, d: Duration) {
        self.sleep_until(self.now() + d);
    }

    /// One wait on `cv` (whose mutex `guard` holds) until board time `deadline`, or without
    /// end for `None`. Returns the guard and whether the deadline has passed; like any condvar
    /// wait it may return early, so callers loop on their condition.
    pub fn wait_on<'a, T>(
        &self,
        cv: &Condvar,
        guard: MutexGuard<'a, T>,
        deadline: Option<Duration>,
    ) -> (MutexGuard<'a, T>, bool) {
        let Some(deadline) = deadline else {
            return (
                cv.wait(guard).unwrap_or_else(PoisonError::into_inner),
                false,
            );
        };
        let (now, held) = {
            let st = self.0.lock();
            (st.now(self.0.kind), st.held(self.0.kind))
        };
        if now >= deadline {
            return (guard, true);
        }
        let wall = if held { HELD_POLL } else { deadline - now };
        let guard = cv
            .wait_timeout(guard, wall)
            .unwrap_or_else(PoisonError::into_inner)
            .0;
        let passed = self.now() >= deadline;
        (guard, passed)
    }

    /// Wall time over board time since the start: 1 on a wall clock, above 1 when a dilated
    /// clock was held for a slow host.
    pub fn dilation(&self) -> f64 {
        let st = self.0.lock();
        let wall = st.origin.elapsed().as_secs_f64();
        let board = st.now(self.0.kind).as_secs_f64();
        if board > 0.0 { wall / board } else { 1.0 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wall_clock_follows_the_host() {
        let clock = BoardClock::new(ClockKind::Wall);
        let t0 = clock.now();
        let booking = clock.book(|now| now + Duration::from_millis(1));
        std::thread::sleep(Duration::from_millis(20));
        // A booking does not hold a wall clock.
        assert!(clock.now() >= t0 + Duration::from_millis(20));
        drop(booking);
    }

    #[test]
    fn a_dilated_clock_waits_at_a_late_pictures_due_time_and_resumes_from_there() {
        let clock = BoardClock::new(ClockKind::Dilated);
        let booking = clock.book(|now| now + Duration::from_millis(5));
        let due = booking.due();
        std::thread::sleep(Duration::from_millis(40));
        // The host is 35 ms late: board time stands at the due time.
        assert_eq!(clock.now(), due);
        drop(booking);
        let after = clock.now();
        assert!(
            after >= due && after < due + Duration::from_millis(10),
            "{after:?}"
        );
        assert!(clock.dilation() > 1.5, "{}", clock.dilation());
    }

    #[test]
    fn sleepers_wake_at_board_time_after_the_hold() {
        let clock = BoardClock::new(ClockKind::Dilated);
        let booking = clock.book(|now| now + Duration::from_millis(2));
        let sleeper = {
            let clock = clock.clone();
            std::thread::spawn(move || {
                let target = Duration::from_millis(10);
                clock.sleep_until(target);
                clock.now()
            })
        };
        std::thread::sleep(Duration::from_millis(50));
        // Held at 2 ms: the sleeper for 10 ms is still asleep.
        assert!(!sleeper.is_finished());
        drop(booking);
        let woke = sleeper.join().unwrap();
        assert!(woke >= Duration::from_millis(10), "{woke:?}");
    }

    #[test]
    fn condvar_waits_time_out_in_board_time() {
        let clock = BoardClock::new(ClockKind::Dilated);
        let m = Mutex::new(());
        let cv = Condvar::new();
        let booking = clock.book(|now| now + Duration::from_millis(1));
        let started = Instant::now();
        let deadline = Duration::from_millis(5);
        let mut g = m.lock().unwrap();
        // Held at 1 ms for 30 ms of wall time: the 5 ms deadline does not pass meanwhile.
        while started.elapsed() < Duration::from_millis(30) {
            let (back, passed) = clock.wait_on(&cv, g, Some(deadline));
            g = back;
            assert!(!passed);
        }
        drop(g);
        drop(booking);
        let mut g = m.lock().unwrap();
        loop {
            let (back, passed) = clock.wait_on(&cv, g, Some(deadline));
            g = back;
            if passed {
                break;
            }
        }
        assert!(clock.now() >= deadline);
    }

    #[test]
    fn bookings_never_take_time_back() {
        let clock = BoardClock::new(ClockKind::Dilated);
        std::thread::sleep(Duration::from_millis(5));
        let now = clock.now();
        let booking = clock.book(|_| Duration::ZERO);
        assert!(booking.due() >= now);
        assert!(clock.now() >= now);
    }
}
