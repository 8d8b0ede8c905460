//! When is the encoder done with an input frame, so its buffer may be filled again? Where the
//! backend can see it ([`Mpi::released_pts`]: the simulator, the C library) by the encoder's
//! own count; on a board, whose kernel reports nothing of it (`release_pic_pts` reads 0,
//! D-056), by what a program sees there: the output ring has not moved for
//! [`BOARD_SETTLE`].
//!
//! *For callers:* ask before reading the ring (`cur_packs`, a GetStream): the encoder counts a
//! frame released only once its packs are in the ring, so asked first, "released and the ring
//! empty" means the frame was dropped; asked after, its packs may have arrived in between.

use log::warn;
use std::time::{Duration, Instant};
use venc_core::{Mpi, VencError};

/// How long a board's ring must stand still before a harness takes the frames sent as
/// released: the K230 codes an 8 MP picture in 50 ms (8 MP at 20 fps, facts §4), so twenty
/// times that with no pack placed or taken leaves nothing in flight.
pub const BOARD_SETTLE: Duration = Duration::from_secs(1);

/// Watches one channel for the release of its input frames.
#[derive(Debug, Default)]
pub struct ReleaseWatch {
    /// The ring's `cur_packs` and since when it has stood at that (board backends only).
    still: Option<(u32, Instant)>,
    /// Answers that came from the ring settling, not from the encoder's count.
    settled: u64,
    warned: bool,
}

impl ReleaseWatch {
    /// A watch with nothing seen yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether the encoder released frame `pts` of `chn` (encoded or dropped). On a backend
    /// without a count, `true` once `cur_packs` has stood still for [`BOARD_SETTLE`] of this
    /// watch's polls (every frame sent is then taken as released), warned once and counted.
    pub fn released(&mut self, mpi: &dyn Mpi, chn: u32, pts: u64) -> Result<bool, VencError> {
        let count = mpi.released_pts(chn)?;
        let cur_packs = match count {
            Some(_) => 0,
            None => mpi.query_status(chn)?.cur_packs,
        };
        let settled_before = self.settled;
        let released = self.judge(count, cur_packs, pts, Instant::now());
        if self.settled > settled_before && !self.warned {
            self.warned = true;
            warn!(
                "{}: no count of released frames (a board's query_status leaves \
                 release_pic_pts 0, D-056): frame pts {pts} of ch{chn} taken as released \
                 after the ring stood still for {BOARD_SETTLE:?}",
                mpi.backend_name()
            );
        }
        Ok(released)
    }

    /// One poll's answer from the encoder's `count` if there is one, else from `cur_packs`
    /// seen at `now`.
    fn judge(&mut self, count: Option<u64>, cur_packs: u32, pts: u64, now: Instant) -> bool {
        if let Some(released) = count {
            return released >= pts;
        }
        match self.still {
            Some((seen, since)) if seen == cur_packs => {
                let settled = now.saturating_duration_since(since) >= BOARD_SETTLE;
                self.settled += u64::from(settled);
                settled
            }
            _ => {
                self.still = Some((cur_packs, now));
                false
            }
        }
    }

    /// The ring moved (the caller took packs or sent a frame): standing still starts again.
    pub fn moved(&mut self) {
        self.still = None;
    }

    /// How many answers came from the ring settling rather than from the encoder's count.
    pub fn settled(&self) -> u64 {
        self.settled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backend_with_a_count_answers_by_it_at_once() {
        let mut watch = ReleaseWatch::new();
        let now = Instant::now();
        assert!(watch.judge(Some(66_666), 0, 33_333, now));
        assert!(watch.judge(Some(66_666), 0, 66_666, now));
        assert!(!watch.judge(Some(66_666), 0, 100_000, now));
        assert_eq!(watch.settled(), 0);
    }

    #[test]
    fn a_board_answers_once_its_ring_stood_still_for_the_settle_time() {
        let mut watch = ReleaseWatch::new();
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        assert!(!watch.judge(None, 3, 33_333, at(0)));
        assert!(!watch.judge(None, 3, 33_333, at(999)));
        // A pack placed: the ring moved, standing still starts again.
        assert!(!watch.judge(None, 4, 33_333, at(1_200)));
        assert!(!watch.judge(None, 4, 33_333, at(2_100)));
        assert!(watch.judge(None, 4, 33_333, at(2_200)));
        assert_eq!(watch.settled(), 1);
        // The caller took packs or sent a frame.
        watch.moved();
        assert!(!watch.judge(None, 4, 66_666, at(5_000)));
        assert!(watch.judge(None, 4, 66_666, at(6_000)));
        assert_eq!(watch.settled(), 2);
    }
}
