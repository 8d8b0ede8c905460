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
//! - **deterministic**: discrete events. The threads that drive the board (the program's, the
//!   sensor's, each channel's VPU worker) are *actors* and take turns holding it
//!   ([`events`]); board time moves only when every actor waits, and then straight to the
//!   earliest deadline. The host's speed never shows: the same program gives the same times,
//!   drops and traces on every run. What the program computes between board calls costs no
//!   board time; each board call costs [`CALL_COST`] (D-048).
//!
//! *Invariant:* virtual time never goes back: a booking is made under the clock's lock at a due
//! time after "now", ending one holds virtual time where it stood, and the deterministic
//! schedule only moves time forward to a deadline.
//!
//! *For callers:* in the simulator every wait on a condition goes through
//! [`BoardClock::wait_on`] and every wake-up through [`BoardClock::notify`], every thread that
//! drives the board is started by [`BoardClock::spawn`] (or a [`Ticket`]), and a thread that
//! blocks outside the board (joining another) does it in [`BoardClock::away`]; otherwise a
//! deterministic clock cannot tell who may run.

mod actors;
pub mod events;

use events::{ActorId, Park, Schedule};
use log::warn;
use std::collections::BTreeMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{Builder, JoinHandle};
use std::time::{Duration, Instant};

/// How often a wait re-reads a held clock (its own condition may have come meanwhile).
const HELD_POLL: Duration = Duration::from_millis(1);

/// Board time one board call takes on a deterministic clock: the program's own work is free
/// there, so without it a loop polling `GetStream(timeout=0)` or `ticks_ms()` would never let
/// time move. The order of an MPI ioctl from MicroPython on the board; no figure is published
/// (D-048).
pub const CALL_COST: Duration = Duration::from_micros(10);

/// How long an actor may hold a deterministic board without a board call, or stay away from
/// it, before the board goes on without it (it is blocked outside the board, e.g. joining a
/// thread that waits for the board or for board time): the run goes on, warned and counted,
/// no longer deterministic.
const PASS_OVER_AFTER: Duration = Duration::from_secs(2);

/// The same for a holder inside a stretch of simulator work ([`BoardClock::work`]: a board
/// call, a picture being encoded, a frame being drawn): host computation that never blocks
/// outside the board, so only a bug makes it this long. On a loaded host one 1080p H.265
/// picture has taken over 2 s, which must not end a run's determinism.
const WORK_PASS_OVER_AFTER: Duration = Duration::from_secs(60);

/// How often a waiting actor checks whether the holder is stuck.
const WATCH_EVERY: Duration = Duration::from_millis(100);

/// Which time the board keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockKind {
    /// The host's monotonic clock.
    Wall,
    /// The wall clock, held while a booked picture is late on the host.
    Dilated,
    /// Discrete events: time moves only when every actor waits.
    Deterministic,
}

impl ClockKind {
    /// `wall`, `dilated` or `deterministic`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Wall => "wall",
            Self::Dilated => "dilated",
            Self::Deterministic => "deterministic",
        }
    }
}

#[derive(Debug)]
struct State {
    origin: Instant,
    /// Wall time the clock was held, in total: virtual = wall since origin − offset.
    offset: Duration,
    /// Due times of booked pictures not yet placed (a multiset).
    pending: BTreeMap<Duration, u32>,
    /// The deterministic clock's actors and deadlines.
    events: Schedule,
    /// When the deterministic board last changed hands (or an actor went away).
    changed_at: Instant,
    /// Times a stuck holder was passed over.
    pass_overs: u64,
    /// The actors' thread names, for the pass-over warning.
    names: BTreeMap<ActorId, String>,
    /// Actors inside simulator work ([`BoardClock::work`]), with how deep.
    working: BTreeMap<ActorId, u32>,
}

impl State {
    fn raw(&self) -> Duration {
        self.origin.elapsed().saturating_sub(self.offset)
    }

    fn now(&self, kind: ClockKind) -> Duration {
        match kind {
            ClockKind::Deterministic => self.events.now(),
            ClockKind::Wall => self.raw(),
            ClockKind::Dilated => {
                let raw = self.raw();
                self.pending.keys().next().map_or(raw, |&due| raw.min(due))
            }
        }
    }

    /// Whether virtual time stands at a booked picture's due time, waiting for the host.
    fn held(&self, kind: ClockKind) -> bool {
        // One reading of the wall clock: two would differ and look like a hold.
        let raw = self.raw();
        kind == ClockKind::Dilated && self.pending.keys().next().is_some_and(|&due| due < raw)
    }
}

/// What a host that embeds the board runs around an actor's wait for a deterministic board
/// (the Python front lets go of the GIL, which the actor holding the board may need). *For
/// implementations:* call the wait given, once, and hold no lock the board's actors take.
pub type AroundWait = dyn Fn(&(dyn Fn() + Sync)) + Send + Sync;

struct Inner {
    kind: ClockKind,
    state: Mutex<State>,
    /// Notified when a booking ends (a held clock moves on) or the deterministic board
    /// changes hands.
    moved: Condvar,
    around_wait: OnceLock<Box<AroundWait>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("kind", &self.kind)
            .field("state", &self.state)
            .field("around_wait", &self.around_wait.get().is_some())
            .finish()
    }
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
        if inner.kind != ClockKind::Dilated {
            // Nothing was held: only a dilated clock keeps bookings.
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

/// A board call in progress ([`BoardClock::call`]).
#[derive(Debug)]
#[must_use = "the call ends when this is dropped"]
pub struct Call {
    counted: bool,
    _work: Option<Work>,
}

impl Drop for Call {
    fn drop(&mut self) {
        if self.counted {
            actors::leave_call();
        }
    }
}

/// Simulator work in progress ([`BoardClock::work`]); ends when dropped.
#[derive(Debug)]
#[must_use = "the work ends when this is dropped"]
pub struct Work {
    on: Option<(BoardClock, ActorId)>,
}

impl Drop for Work {
    fn drop(&mut self) {
        let Some((clock, id)) = self.on.take() else {
            return;
        };
        let mut st = clock.0.lock();
        if let Some(depth) = st.working.get_mut(&id) {
            *depth -= 1;
            if *depth == 0 {
                st.working.remove(&id);
            }
        }
        // The holder's time without a board call starts again (an actor parked meanwhile
        // holds nothing, and the holder's watch must not restart for it).
        if st.events.holder() == Some(id) {
            st.changed_at = Instant::now();
        }
    }
}

/// A place among a deterministic clock's actors, taken by one thread and used by another it
/// starts ([`Ticket::board`]): actors joined in the order their tickets were taken, so a
/// program that starts several threads gets the same order on every run.
#[derive(Debug)]
#[must_use = "an unused ticket leaves the board at once"]
pub struct Ticket {
    clock: BoardClock,
    id: Option<ActorId>,
}

impl Ticket {
    /// Called first in the new thread: this thread is now that actor, holding the board
    /// when this returns.
    pub fn board(mut self) {
        if let Some(id) = self.id.take() {
            actors::remember(&self.clock.0, id);
            let mut st = self.clock.0.lock();
            st.names.insert(id, thread_name());
            self.clock.0.wait_for_board(st, id);
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            self.clock.0.leave(id);
        }
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Gives a free deterministic board to the next actor.
    fn schedule(&self, st: &mut State) {
        if st.events.schedule().is_some() {
            st.changed_at = Instant::now();
            self.moved.notify_all();
        }
    }

    /// Actor `id` is gone (its thread ended, or its ticket was dropped).
    fn leave(&self, id: ActorId) {
        let mut st = self.lock();
        st.events.leave(id);
        st.names.remove(&id);
        self.schedule(&mut st);
    }

    /// Waits until actor `id` holds the board, inside the host's [`AroundWait`] unless the
    /// board is its own already.
    fn wait_for_board(&self, mut st: MutexGuard<'_, State>, id: ActorId) {
        self.schedule(&mut st);
        if st.events.holder() == Some(id) {
            return;
        }
        let Some(around) = self.around_wait.get() else {
            return self.await_board(st, id);
        };
        drop(st);
        around(&|| self.await_board(self.lock(), id));
    }

    /// Waits until actor `id` holds the board; passes over a holder stuck outside the board
    /// (or computing) for [`PASS_OVER_AFTER`].
    fn await_board(&self, mut st: MutexGuard<'_, State>, id: ActorId) {
        loop {
            self.schedule(&mut st);
            if st.events.holder() == Some(id) {
                return;
            }
            st = self
                .moved
                .wait_timeout(st, WATCH_EVERY)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            let held_for = st.changed_at.elapsed();
            if held_for < PASS_OVER_AFTER {
                continue;
            }
            let stuck = st.events.holder().filter(|&h| h != id);
            if stuck.is_some_and(|h| st.working.contains_key(&h)) && held_for < WORK_PASS_OVER_AFTER
            {
                continue;
            }
            if let Some(holder) = stuck
                && st.events.others_wait()
            {
                // Stepped aside: the board, and time, go on without it.
                st.events.step_aside(holder);
                self.passed_over(&mut st, holder, "held the board without a board call");
            } else if st.events.stopped_by_away() {
                // Time stands for actors away that do not come back (joining a thread that
                // waits for board time).
                let away: Vec<ActorId> = st.events.away().collect();
                st.events.forget_away();
                for holder in away {
                    self.passed_over(&mut st, holder, "stayed outside the board");
                }
            }
        }
    }

    /// Counts and says that the board went on without `actor`.
    fn passed_over(&self, st: &mut State, actor: ActorId, what: &str) {
        st.changed_at = Instant::now();
        st.pass_overs += 1;
        let who = st.names.get(&actor).map_or("?", String::as_str);
        warn!(
            "deterministic clock at {:?}: actor {actor} ({who}) {what} for {PASS_OVER_AFTER:?} \
             of host time (blocked outside the board?); the board goes on without it and this \
             run's timing may differ from the next (D-048)",
            st.events.now()
        );
    }
}

impl BoardClock {
    /// A clock starting at 0 now.
    pub fn new(kind: ClockKind) -> Self {
        let origin = Instant::now();
        Self(Arc::new(Inner {
            kind,
            state: Mutex::new(State {
                origin,
                offset: Duration::ZERO,
                pending: BTreeMap::new(),
                events: Schedule::default(),
                changed_at: origin,
                pass_overs: 0,
                names: BTreeMap::new(),
                working: BTreeMap::new(),
            }),
            moved: Condvar::new(),
            around_wait: OnceLock::new(),
        }))
    }

    /// Sets what runs around every wait for a deterministic board ([`AroundWait`]); once.
    pub fn set_around_wait(&self, around: Box<AroundWait>) -> Result<(), &'static str> {
        self.0
            .around_wait
            .set(around)
            .map_err(|_| "the board's wait hook is set once")
    }

    /// Which time it keeps.
    pub fn kind(&self) -> ClockKind {
        self.0.kind
    }

    fn deterministic(&self) -> bool {
        self.0.kind == ClockKind::Deterministic
    }

    /// Board time since the clock started.
    pub fn now(&self) -> Duration {
        self.0.lock().now(self.0.kind)
    }

    /// This thread's actor number, joining the board's actors if it is not one yet.
    fn me(&self) -> ActorId {
        if let Some(id) = actors::id_on(&self.0) {
            return id;
        }
        let id = {
            let mut st = self.0.lock();
            let id = st.events.join();
            st.names.insert(id, thread_name());
            id
        };
        actors::remember(&self.0, id);
        id
    }

    /// On a deterministic clock: returns once this thread holds the board (joining its
    /// actors if needed). Elsewhere nothing.
    pub fn enter(&self) {
        if !self.deterministic() {
            return;
        }
        let id = self.me();
        let mut st = self.0.lock();
        if st.events.holder() == Some(id) {
            return;
        }
        st.events.want(id);
        self.0.wait_for_board(st, id);
    }

    /// A board call by the program, for as long as the guard lives: on a deterministic clock
    /// it holds the board and costs [`CALL_COST`] of board time (actors due meanwhile run
    /// first); the board calls it makes inside (a sensor allocating its buffers) cost nothing
    /// more. Elsewhere nothing.
    pub fn call(&self) -> Call {
        if !self.deterministic() {
            return Call {
                counted: false,
                _work: None,
            };
        }
        if actors::enter_call() > 1 {
            return Call {
                counted: true,
                _work: None,
            };
        }
        self.enter();
        self.sleep(CALL_COST);
        Call {
            counted: true,
            _work: Some(self.work()),
        }
    }

    /// Simulator work by the board's holder, for as long as the guard lives (encoding a
    /// picture, drawing a frame; every board call is one): on a deterministic clock the
    /// watch for stuck holders waits [`WORK_PASS_OVER_AFTER`] of host time before passing it
    /// over, not [`PASS_OVER_AFTER`], since it computes rather than blocks. Elsewhere, or on
    /// a thread that is not an actor, nothing.
    pub fn work(&self) -> Work {
        let id = self
            .deterministic()
            .then(|| actors::id_on(&self.0))
            .flatten();
        let on = id.map(|id| {
            *self.0.lock().working.entry(id).or_insert(0) += 1;
            (self.clone(), id)
        });
        Work { on }
    }

    /// Parks this actor until `on` is notified or board time reaches `deadline`, and until it
    /// holds the board again.
    fn park(&self, on: Option<usize>, deadline: Option<Duration>) {
        let id = self.me();
        let mut st = self.0.lock();
        if st.events.holder() == Some(id) && deadline.is_some_and(|d| d <= st.events.now()) {
            return;
        }
        st.events.park(id, Park { on, deadline });
        self.0.wait_for_board(st, id);
    }

    /// Books a picture: `due` gets the board time now and returns when its packs are due (not
    /// before now). On a dilated clock virtual time waits at that time until the booking is
    /// dropped; on the others the booking only carries the time (a deterministic clock cannot
    /// move while the booking actor works anyway).
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
        if self.deterministic() {
            return self.park(None, Some(t));
        }
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

    /// One wait on `cv` (whose `mutex` `guard` holds) until board time `deadline`, or without
    /// end for `None`. Returns the guard and whether the deadline has passed; like any condvar
    /// wait it may return early, so callers loop on their condition. The wake-up must come
    /// through [`BoardClock::notify`].
    pub fn wait_on<'a, T>(
        &self,
        cv: &Condvar,
        mutex: &'a Mutex<T>,
        guard: MutexGuard<'a, T>,
        deadline: Option<Duration>,
    ) -> (MutexGuard<'a, T>, bool) {
        if self.deterministic() {
            // Parked without the caller's lock: the actor that wakes it needs it.
            drop(guard);
            self.park(Some(condition(cv)), deadline);
            let guard = mutex.lock().unwrap_or_else(PoisonError::into_inner);
            return (guard, deadline.is_some_and(|d| self.now() >= d));
        }
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

    /// Wakes whoever waits on `cv` through [`BoardClock::wait_on`].
    pub fn notify(&self, cv: &Condvar) {
        if self.deterministic() {
            let mut st = self.0.lock();
            st.events.notify(condition(cv));
            self.0.schedule(&mut st);
        }
        cv.notify_all();
    }

    /// Runs `f`, which blocks outside the board (joining a thread that needs the board), with
    /// the board given up meanwhile and taken back after. Board time stands meanwhile (the
    /// host time `f` takes is not the board's): what `f` waits for must not need time to
    /// pass.
    pub fn away<R>(&self, f: impl FnOnce() -> R) -> R {
        let Some(id) = self
            .deterministic()
            .then(|| actors::id_on(&self.0))
            .flatten()
        else {
            return f();
        };
        {
            let mut st = self.0.lock();
            st.events.go_away(id);
            st.changed_at = Instant::now();
            self.0.schedule(&mut st);
        }
        let out = f();
        self.enter();
        out
    }

    /// This thread leaves the board's actors for good, as if it had ended (a script's main
    /// thread that is done, waiting on the host for its other threads): a deterministic board
    /// goes on without it. A later board call joins it again, as a new actor.
    pub fn leave(&self) {
        if !self.deterministic() {
            return;
        }
        if let Some(id) = actors::forget(&self.0) {
            self.0.leave(id);
        }
    }

    /// A place among the actors for a thread about to be started ([`Ticket::board`]).
    pub fn ticket(&self) -> Ticket {
        let id = self.deterministic().then(|| {
            let mut st = self.0.lock();
            let id = st.events.join();
            self.0.schedule(&mut st);
            id
        });
        Ticket {
            clock: self.clone(),
            id,
        }
    }

    /// Starts a thread that drives the board (an actor on a deterministic clock).
    pub fn spawn<T: Send + 'static>(
        &self,
        builder: Builder,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> std::io::Result<JoinHandle<T>> {
        let ticket = self.ticket();
        builder.spawn(move || {
            ticket.board();
            f()
        })
    }

    /// Wall time over board time since the start: 1 on a wall clock, above 1 when a dilated
    /// clock was held for a slow host, anything on a deterministic one.
    pub fn dilation(&self) -> f64 {
        let st = self.0.lock();
        let wall = st.origin.elapsed().as_secs_f64();
        let board = st.now(self.0.kind).as_secs_f64();
        if board > 0.0 { wall / board } else { 1.0 }
    }

    /// Times a deterministic board passed over a holder stuck outside it: 0 for a run that is
    /// the same on every machine.
    pub fn pass_overs(&self) -> u64 {
        self.0.lock().pass_overs
    }
}

fn thread_name() -> String {
    let t = std::thread::current();
    t.name()
        .map_or_else(|| format!("{:?}", t.id()), str::to_owned)
}

/// A condvar's identity for the deterministic schedule.
fn condition(cv: &Condvar) -> usize {
    std::ptr::from_ref(cv) as usize
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
            let (back, passed) = clock.wait_on(&cv, &m, g, Some(deadline));
            g = back;
            assert!(!passed);
        }
        drop(g);
        drop(booking);
        let mut g = m.lock().unwrap();
        loop {
            let (back, passed) = clock.wait_on(&cv, &m, g, Some(deadline));
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

    fn deterministic_clock() -> BoardClock {
        BoardClock::new(ClockKind::Deterministic)
    }

    #[test]
    fn a_deterministic_clock_moves_only_by_events() {
        let clock = deterministic_clock();
        clock.enter();
        std::thread::sleep(Duration::from_millis(20));
        // The host's time is not the board's.
        assert_eq!(clock.now(), Duration::ZERO);
        let started = Instant::now();
        clock.sleep(Duration::from_secs(3600));
        // An hour of board time with nobody else to run takes no host time.
        assert_eq!(clock.now(), Duration::from_secs(3600));
        assert!(started.elapsed() < Duration::from_secs(1));
        {
            let _call = clock.call();
            // A call made inside a call costs nothing more.
            drop(clock.call());
        }
        assert_eq!(clock.now(), Duration::from_secs(3600) + CALL_COST);
    }

    #[test]
    fn actors_take_turns_in_ticket_order_and_wake_at_their_deadlines() {
        let clock = deterministic_clock();
        let log = Arc::new(Mutex::new(Vec::new()));
        let threads: Vec<_> = (0..3u64)
            .map(|k| {
                let ticket = clock.ticket();
                let clock = clock.clone();
                let log = Arc::clone(&log);
                std::thread::spawn(move || {
                    ticket.board();
                    // Host work of different lengths: it does not show in board time.
                    std::thread::sleep(Duration::from_millis(10 * (3 - k)));
                    for round in 0..3u64 {
                        clock.sleep_until(Duration::from_millis(10 * round));
                        log.lock().unwrap().push((clock.now(), k));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let log = log.lock().unwrap().clone();
        let want: Vec<(Duration, u64)> = (0..3u64)
            .flat_map(|round| (0..3u64).map(move |k| (Duration::from_millis(10 * round), k)))
            .collect();
        assert_eq!(log, want);
    }

    #[test]
    fn a_deterministic_wait_ends_at_its_notify_or_its_deadline() {
        let clock = deterministic_clock();
        let m = Arc::new(Mutex::new(false));
        let cv = Arc::new(Condvar::new());
        let ticket = clock.ticket();
        let waiter = {
            let (clock, m, cv) = (clock.clone(), Arc::clone(&m), Arc::clone(&cv));
            std::thread::spawn(move || {
                ticket.board();
                let mut g = m.lock().unwrap();
                while !*g {
                    let (back, passed) = clock.wait_on(&cv, &m, g, Some(Duration::from_secs(5)));
                    g = back;
                    assert!(!passed, "timed out");
                }
                drop(g);
                // Nobody sets it again: this one times out at its board deadline.
                let deadline = clock.now() + Duration::from_millis(300);
                let g = m.lock().unwrap();
                let (_g, passed) = clock.wait_on(&cv, &m, g, Some(deadline));
                (passed, clock.now() - deadline)
            })
        };
        clock.sleep(Duration::from_millis(40));
        *m.lock().unwrap() = true;
        clock.notify(&cv);
        // Board time passes while this actor sleeps; the waiter is done by then.
        clock.sleep(Duration::from_secs(1));
        let (passed, late) = waiter.join().unwrap();
        assert!(passed);
        assert_eq!(late, Duration::ZERO);
        assert_eq!(clock.now(), Duration::from_millis(1040));
        assert_eq!(clock.pass_overs(), 0);
    }

    #[test]
    fn an_actor_away_lets_others_have_the_board_while_time_stands() {
        let clock = deterministic_clock();
        let m = Arc::new(Mutex::new(()));
        let cv = Arc::new(Condvar::new());
        let other = {
            let ticket = clock.ticket();
            let (clock, m, cv) = (clock.clone(), Arc::clone(&m), Arc::clone(&cv));
            std::thread::spawn(move || {
                ticket.board();
                let g = m.lock().unwrap();
                drop(clock.wait_on(&cv, &m, g, None));
                clock.now()
            })
        };
        clock.sleep(Duration::from_millis(5));
        clock.notify(&cv);
        // The other actor needs the board, not time: joining it away from the board works,
        // and no board time passes meanwhile.
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(
            clock.away(|| other.join().unwrap()),
            Duration::from_millis(5)
        );
        assert_eq!(clock.now(), Duration::from_millis(5));
        assert_eq!(clock.pass_overs(), 0);
    }

    #[test]
    fn an_actor_away_for_a_thread_that_needs_board_time_is_passed_over() {
        let clock = deterministic_clock();
        clock.enter();
        let sleeper = {
            let ticket = clock.ticket();
            let clock = clock.clone();
            std::thread::spawn(move || {
                ticket.board();
                clock.sleep(Duration::from_millis(5));
                clock.now()
            })
        };
        // Time stands while this actor is away, and the sleeper needs time: after the
        // watchdog's wait the board goes on without the actor away, counted.
        assert_eq!(
            clock.away(|| sleeper.join().unwrap()),
            Duration::from_millis(5)
        );
        assert_eq!(clock.pass_overs(), 1);
        // The embedding host's hook is set once.
        assert_eq!(clock.set_around_wait(Box::new(|wait| wait())), Ok(()));
        assert!(clock.set_around_wait(Box::new(|wait| wait())).is_err());
    }

    #[test]
    fn a_holder_at_work_longer_than_the_watch_is_not_passed_over() {
        use std::sync::atomic::{AtomicBool, Ordering};
        let clock = deterministic_clock();
        clock.enter();
        let boarded = Arc::new(AtomicBool::new(false));
        let other = {
            let ticket = clock.ticket();
            let boarded = Arc::clone(&boarded);
            std::thread::spawn(move || {
                ticket.board();
                boarded.store(true, Ordering::SeqCst);
            })
        };
        {
            // Encoding a picture on a loaded host: computation past the watch's wait.
            let _work = clock.work();
            std::thread::sleep(PASS_OVER_AFTER + WATCH_EVERY * 5);
        }
        assert!(
            !boarded.load(Ordering::SeqCst),
            "the board was taken mid-work"
        );
        assert_eq!(clock.pass_overs(), 0);
        clock.away(|| other.join().unwrap());
        assert!(boarded.load(Ordering::SeqCst));
        assert_eq!(clock.pass_overs(), 0);
    }

    #[test]
    fn a_holder_stuck_outside_the_board_is_passed_over_and_counted() {
        let clock = deterministic_clock();
        clock.enter();
        let other = {
            let clock = clock.clone();
            std::thread::spawn(move || {
                clock.sleep(Duration::from_millis(5));
                clock.now()
            })
        };
        // A plain join while holding the board: the other actor can never have it, until
        // the watchdog gives it.
        assert_eq!(other.join().unwrap(), Duration::from_millis(5));
        assert_eq!(clock.pass_overs(), 1);
    }
}
