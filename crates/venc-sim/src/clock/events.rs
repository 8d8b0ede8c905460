//! The deterministic clock's scheduler, as data: who holds the board, who is ready for it, who
//! waits and until when. No threads here; [`super`] parks and wakes them.
//!
//! The rules, which make a run the same on every machine:
//! - one actor (a thread that drives the board) holds it at a time; the others are ready (in
//!   the order they became so), parked (on a condition, a deadline or both) or away (outside
//!   the board for a while, e.g. joining a thread);
//! - when the holder parks or leaves, the first ready actor gets the board; when none is
//!   ready and nobody is away, board time jumps to the earliest deadline and the actors due
//!   then become ready in the order they parked. An actor away stops time (what it waits for
//!   takes host time, which must not become board time). Host time never enters.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;

/// An actor's number on one clock, given in the order actors join.
pub type ActorId = u64;

/// What a parked actor waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Park {
    /// The condition it waits on (a condvar's address), if any.
    pub on: Option<usize>,
    /// When it wakes anyway, if ever.
    pub deadline: Option<Duration>,
}

/// Who holds the board and what everyone else waits for.
#[derive(Debug, Default)]
pub struct Schedule {
    now: Duration,
    next_id: ActorId,
    /// Parks so far: orders wake-ups that fall on the same instant.
    parks: u64,
    holder: Option<ActorId>,
    ready: VecDeque<ActorId>,
    /// Parked actors, each with the number of its park.
    parked: BTreeMap<ActorId, (u64, Park)>,
    /// Deadlines of parked actors: (deadline, park number) → actor.
    timers: BTreeMap<(Duration, u64), ActorId>,
    /// Actors outside the board for a while: time stands until they are back.
    away: BTreeSet<ActorId>,
}

impl Schedule {
    /// Board time.
    pub fn now(&self) -> Duration {
        self.now
    }

    /// Who holds the board.
    pub fn holder(&self) -> Option<ActorId> {
        self.holder
    }

    /// A new actor, ready for the board after those already waiting.
    pub fn join(&mut self) -> ActorId {
        let id = self.next_id;
        self.next_id += 1;
        self.ready.push_back(id);
        id
    }

    /// `id` wants the board (back from away, or after its holder was passed over): queued
    /// unless it holds it, is queued or is parked.
    pub fn want(&mut self, id: ActorId) {
        self.away.remove(&id);
        if self.holder != Some(id) && !self.ready.contains(&id) && !self.parked.contains_key(&id) {
            self.ready.push_back(id);
        }
    }

    /// `id` waits for `park`; if it held the board, the board is free.
    pub fn park(&mut self, id: ActorId, park: Park) {
        self.step_aside(id);
        self.parks += 1;
        if let Some(deadline) = park.deadline {
            self.timers.insert((deadline, self.parks), id);
        }
        self.parked.insert(id, (self.parks, park));
    }

    /// `id` no longer holds the board nor waits for it (it stays known; time may go on).
    pub fn step_aside(&mut self, id: ActorId) {
        if self.holder == Some(id) {
            self.holder = None;
        }
        self.ready.retain(|&r| r != id);
    }

    /// `id` goes outside the board for a while: others may have it, time stands until `id`
    /// wants it again ([`Schedule::want`]).
    pub fn go_away(&mut self, id: ActorId) {
        self.step_aside(id);
        self.away.insert(id);
    }

    /// Actors away, if any.
    pub fn away(&self) -> impl Iterator<Item = ActorId> + '_ {
        self.away.iter().copied()
    }

    /// Takes every actor away as gone for time's sake: the board moves on without them.
    pub fn forget_away(&mut self) {
        self.away.clear();
    }

    /// `id` is gone for good.
    pub fn leave(&mut self, id: ActorId) {
        self.step_aside(id);
        self.away.remove(&id);
        self.unpark(id);
    }

    fn unpark(&mut self, id: ActorId) -> bool {
        let Some((n, park)) = self.parked.remove(&id) else {
            return false;
        };
        if let Some(deadline) = park.deadline {
            self.timers.remove(&(deadline, n));
        }
        true
    }

    /// Every actor parked on `on` becomes ready, in the order they parked.
    pub fn notify(&mut self, on: usize) {
        let mut woken: Vec<(u64, ActorId)> = self
            .parked
            .iter()
            .filter(|(_, (_, p))| p.on == Some(on))
            .map(|(&id, &(n, _))| (n, id))
            .collect();
        woken.sort_unstable();
        for (_, id) in woken {
            self.unpark(id);
            self.ready.push_back(id);
        }
    }

    /// Whether anyone could run if the board were free: an actor ready, or a deadline.
    pub fn others_wait(&self) -> bool {
        !self.ready.is_empty() || !self.timers.is_empty()
    }

    /// Whether time stands only for actors away: the board is free, nobody is ready, and a
    /// deadline would move time on.
    pub fn stopped_by_away(&self) -> bool {
        self.holder.is_none()
            && self.ready.is_empty()
            && !self.away.is_empty()
            && !self.timers.is_empty()
    }

    /// Whether `id` is parked.
    pub fn is_parked(&self, id: ActorId) -> bool {
        self.parked.contains_key(&id)
    }

    /// Gives a free board to the next actor, moving board time on to the earliest deadline
    /// when nobody is ready. Returns the new holder, if the board changed hands.
    pub fn schedule(&mut self) -> Option<ActorId> {
        if self.holder.is_some() {
            return None;
        }
        if self.ready.is_empty() {
            if !self.away.is_empty() {
                return None;
            }
            let &(deadline, _) = self.timers.keys().next()?;
            self.now = self.now.max(deadline);
            while let Some((&(t, _), &id)) = self.timers.iter().next() {
                if t > self.now {
                    break;
                }
                self.unpark(id);
                self.ready.push_back(id);
            }
        }
        self.holder = self.ready.pop_front();
        self.holder
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn until(t: Duration) -> Park {
        Park {
            on: None,
            deadline: Some(t),
        }
    }

    #[test]
    fn the_board_goes_to_actors_in_the_order_they_became_ready() {
        let mut s = Schedule::default();
        let a = s.join();
        let b = s.join();
        assert_eq!(s.schedule(), Some(a));
        // Held: nobody else gets it.
        assert_eq!(s.schedule(), None);
        s.park(a, until(ms(5)));
        assert_eq!(s.schedule(), Some(b));
        assert_eq!(s.now(), Duration::ZERO);
    }

    #[test]
    fn time_jumps_to_the_earliest_deadline_only_when_nobody_is_ready() {
        let mut s = Schedule::default();
        let a = s.join();
        let b = s.join();
        s.schedule();
        s.park(a, until(ms(30)));
        s.schedule();
        s.park(b, until(ms(10)));
        assert_eq!(s.schedule(), Some(b));
        assert_eq!(s.now(), ms(10));
        s.park(b, until(ms(30)));
        // Both due at 30 ms: a parked first, so a goes first.
        assert_eq!(s.schedule(), Some(a));
        assert_eq!(s.now(), ms(30));
        s.park(a, until(ms(40)));
        assert_eq!(s.schedule(), Some(b));
        assert_eq!(s.now(), ms(30));
    }

    #[test]
    fn a_notify_wakes_the_condition_s_waiters_and_cancels_their_deadlines() {
        let mut s = Schedule::default();
        let a = s.join();
        let b = s.join();
        let c = s.join();
        s.schedule();
        s.park(
            a,
            Park {
                on: Some(1),
                deadline: Some(ms(50)),
            },
        );
        s.schedule();
        s.park(
            b,
            Park {
                on: Some(2),
                deadline: None,
            },
        );
        assert_eq!(s.schedule(), Some(c));
        s.notify(1);
        assert!(!s.is_parked(a) && s.is_parked(b));
        s.park(c, until(ms(20)));
        assert_eq!(s.schedule(), Some(a));
        s.park(a, until(ms(60)));
        // a's old 50 ms deadline is gone: time goes to c's 20 ms, then a's 60 ms.
        assert_eq!(s.schedule(), Some(c));
        assert_eq!(s.now(), ms(20));
        s.leave(c);
        assert_eq!(s.schedule(), Some(a));
        assert_eq!(s.now(), ms(60));
    }

    #[test]
    fn with_nothing_ready_and_no_deadline_the_board_stays_free() {
        let mut s = Schedule::default();
        let a = s.join();
        s.schedule();
        s.park(
            a,
            Park {
                on: Some(7),
                deadline: None,
            },
        );
        assert_eq!(s.schedule(), None);
        assert_eq!(s.holder(), None);
        s.notify(7);
        assert_eq!(s.schedule(), Some(a));
    }

    #[test]
    fn time_stands_while_an_actor_is_away() {
        let mut s = Schedule::default();
        let a = s.join();
        let b = s.join();
        s.schedule();
        s.park(a, until(ms(5)));
        assert_eq!(s.schedule(), Some(b));
        s.go_away(b);
        // a is due at 5 ms, but b is outside the board: time stands.
        assert_eq!(s.schedule(), None);
        assert!(s.stopped_by_away());
        assert_eq!(s.now(), Duration::ZERO);
        s.want(b);
        assert_eq!(s.schedule(), Some(b));
        s.park(b, until(ms(9)));
        assert_eq!(s.schedule(), Some(a));
        assert_eq!(s.now(), ms(5));
        // Forgotten, an actor away no longer holds time.
        s.go_away(a);
        s.forget_away();
        assert_eq!(s.schedule(), Some(b));
        assert_eq!(s.now(), ms(9));
    }

    #[test]
    fn an_actor_away_comes_back_at_the_end_of_the_queue() {
        let mut s = Schedule::default();
        let a = s.join();
        let b = s.join();
        s.schedule();
        s.go_away(a);
        assert_eq!(s.schedule(), Some(b));
        s.want(a);
        s.want(a);
        s.park(b, until(ms(1)));
        assert_eq!(s.schedule(), Some(a));
        assert_eq!(s.now(), Duration::ZERO);
    }
}
