//! Which threads are actors on which deterministic clock: a thread's memberships live in its
//! thread-local storage and end with the thread, which frees the board if it held it.

use super::Inner;
use super::events::ActorId;
use std::cell::{Cell, RefCell};
use std::sync::{Arc, Weak};

struct Memberships(Vec<(Weak<Inner>, ActorId)>);

impl Drop for Memberships {
    fn drop(&mut self) {
        for (clock, id) in self.0.drain(..) {
            if let Some(inner) = clock.upgrade() {
                inner.leave(id);
            }
        }
    }
}

thread_local! {
    static MINE: RefCell<Memberships> = const { RefCell::new(Memberships(Vec::new())) };
    /// Board calls this thread is inside of (a call made from within a call is not the
    /// program's).
    static CALLS: Cell<u32> = const { Cell::new(0) };
}

/// Enters a board call; returns how deep this thread now is.
pub(super) fn enter_call() -> u32 {
    CALLS
        .try_with(|c| {
            c.set(c.get() + 1);
            c.get()
        })
        .unwrap_or(1)
}

/// Leaves a board call.
pub(super) fn leave_call() {
    let _ = CALLS.try_with(|c| c.set(c.get().saturating_sub(1)));
}

/// This thread's number on `clock`, if it is an actor there.
pub(super) fn id_on(clock: &Arc<Inner>) -> Option<ActorId> {
    MINE.try_with(|m| {
        m.borrow()
            .0
            .iter()
            .find(|(c, _)| std::ptr::eq(c.as_ptr(), Arc::as_ptr(clock)))
            .map(|&(_, id)| id)
    })
    .ok()
    .flatten()
}

/// Forgets that this thread is an actor on `clock`; returns the number it had.
pub(super) fn forget(clock: &Arc<Inner>) -> Option<ActorId> {
    MINE.try_with(|m| {
        let mut m = m.borrow_mut();
        let at =
            m.0.iter()
                .position(|(c, _)| std::ptr::eq(c.as_ptr(), Arc::as_ptr(clock)))?;
        Some(m.0.remove(at).1)
    })
    .ok()
    .flatten()
}

/// Notes that this thread is actor `id` on `clock`, until it ends.
pub(super) fn remember(clock: &Arc<Inner>, id: ActorId) {
    let _ = MINE.try_with(|m| {
        let mut m = m.borrow_mut();
        // Clocks of simulators dropped meanwhile are forgotten.
        m.0.retain(|(c, _)| c.strong_count() > 0);
        m.0.push((Arc::downgrade(clock), id));
    });
}
