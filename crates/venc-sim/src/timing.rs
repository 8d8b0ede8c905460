//! The VPU's pace: `fast` (encode as fast as the host can, the default), `realtime` (each
//! picture takes the time the K230's encoder would, and all channels share that one encoder),
//! `dilated` (the same model on a board clock that waits for a slow host) or `deterministic`
//! (the same model on a discrete-event board clock: [`crate::clock`]).
//!
//! The model (facts §4): the encoder does at most 8 MP@20 fps; derived, ≈ 166 Mpx/s summed over
//! all channels, one core time-sliced between them. A picture of `w × h` pixels occupies the VPU
//! for `w·h / rate` seconds, starting when the VPU takes it from its channel's queue or when the
//! VPU finishes the picture before it, whichever is later. Its packs reach the ring at the end of
//! that service time; in `realtime` a host codec slower than that places them late, in
//! `dilated` the board's clock waits for it. So a host program
//! sees the board's latency and, when it sends faster than the VPU encodes, the board's
//! backpressure: the input queue fills and `SendFrame` waits or answers BUSY.
//!
//! The figures are a [`BoardProfile`]'s parameters; no published per-frame latency exists, so
//! the model has no fixed overhead term (`per_frame_us`, 0 for the K230 profile).

use crate::clock::{BoardClock, Booking, ClockKind};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// What one board's encoder can do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardProfile {
    /// Short name (`k230`).
    pub name: &'static str,
    /// Pixels per second the encoder codes, shared by every channel.
    pub pixels_per_second: u64,
    /// Fixed time per picture on top of the pixel time, in microseconds.
    pub per_frame_us: u64,
    /// Where the figures come from.
    pub source: &'static str,
}

impl BoardProfile {
    /// The K230: 8 MP (3840x2160) at 20 fps = 165 888 000 px/s, no fixed term.
    pub const K230: Self = Self {
        name: "k230",
        pixels_per_second: 3840 * 2160 * 20,
        per_frame_us: 0,
        source: "K230 datasheet §1.2.9: encoder up to 8MP@20fps (facts §4); per-picture \
                 overhead unpublished, taken as 0",
    };

    /// How long one `width × height` picture occupies the encoder.
    pub fn service_time(&self, width: u32, height: u32) -> Duration {
        let pixels = u128::from(width) * u128::from(height);
        let nanos = pixels * 1_000_000_000 / u128::from(self.pixels_per_second.max(1));
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
            + Duration::from_micros(self.per_frame_us)
    }

    /// Pictures per second one channel of this size gets when it has the encoder alone.
    pub fn max_fps(&self, width: u32, height: u32) -> f64 {
        1.0 / self.service_time(width, height).as_secs_f64()
    }
}

/// How the simulated VPU is paced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VpuTiming {
    /// As fast as the host encodes (CI, tests, batch encoding).
    #[default]
    Fast,
    /// As the board's encoder would, on the wall clock: see the module doc.
    Realtime(BoardProfile),
    /// As the board's encoder would, on a board clock held while the host is behind.
    Dilated(BoardProfile),
    /// As the board's encoder would, on a discrete-event board clock: the same on every run.
    Deterministic(BoardProfile),
}

impl VpuTiming {
    /// `fast`, `realtime`, `dilated` or `deterministic` (the K230 profile).
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "fast" => Ok(Self::Fast),
            "realtime" => Ok(Self::Realtime(BoardProfile::K230)),
            "dilated" => Ok(Self::Dilated(BoardProfile::K230)),
            "deterministic" => Ok(Self::Deterministic(BoardProfile::K230)),
            other => Err(format!(
                "timing {other:?}: `fast`, `realtime`, `dilated` or `deterministic`"
            )),
        }
    }

    /// The name `parse` takes.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Fast => "fast",
            Self::Realtime(_) => "realtime",
            Self::Dilated(_) => "dilated",
            Self::Deterministic(_) => "deterministic",
        }
    }

    /// The model the VPU follows, if paced.
    pub fn profile(&self) -> Option<BoardProfile> {
        match *self {
            Self::Fast => None,
            Self::Realtime(p) | Self::Dilated(p) | Self::Deterministic(p) => Some(p),
        }
    }

    /// The board clock this pace runs on.
    pub fn clock_kind(&self) -> ClockKind {
        match self {
            Self::Dilated(_) => ClockKind::Dilated,
            Self::Deterministic(_) => ClockKind::Deterministic,
            Self::Fast | Self::Realtime(_) => ClockKind::Wall,
        }
    }
}

/// The one encoder every channel shares, when paced: when it is next free (board time).
#[derive(Debug, Clone, Default)]
pub struct VpuClock {
    next_free: Arc<Mutex<Option<Duration>>>,
}

impl VpuClock {
    /// Books the encoder for one picture that reached its channel at board time `arrived`: the
    /// VPU takes it then, or when it finishes the picture before; the booking says when its
    /// packs are due. (Taking it at `arrived`, not when the host's worker thread woke, keeps
    /// the host's scheduling out of board time.)
    pub fn book(
        &self,
        clock: &BoardClock,
        profile: &BoardProfile,
        width: u32,
        height: u32,
        arrived: Duration,
    ) -> Booking {
        clock.book(|now| {
            let mut next = self
                .next_free
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let taken = arrived.min(now);
            let start = next.map_or(taken, |n| n.max(taken));
            let done = start + profile.service_time(width, height);
            *next = Some(done);
            done
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_k230_profile_is_8_mp_at_20_fps() {
        let p = BoardProfile::K230;
        assert_eq!(p.pixels_per_second, 165_888_000);
        assert_eq!(p.service_time(3840, 2160), Duration::from_millis(50));
        assert!((p.max_fps(1920, 1080) - 80.0).abs() < 0.01);
        assert!((p.max_fps(1280, 720) - 180.0).abs() < 0.01);
        assert_eq!(VpuTiming::parse("realtime"), Ok(VpuTiming::Realtime(p)));
        assert_eq!(VpuTiming::parse("dilated"), Ok(VpuTiming::Dilated(p)));
        let det = VpuTiming::parse("deterministic").unwrap();
        assert_eq!(det, VpuTiming::Deterministic(p));
        assert_eq!(det.clock_kind(), ClockKind::Deterministic);
        assert_eq!(det.name(), "deterministic");
        assert!(VpuTiming::parse("slow").is_err());
    }

    #[test]
    fn channels_queue_for_the_one_encoder() {
        let p = BoardProfile {
            pixels_per_second: 1_000_000,
            ..BoardProfile::K230
        };
        let vpu = VpuClock::default();
        let clock = BoardClock::default();
        let t0 = clock.now();
        // Three 100x100 pictures booked at once: 10 ms each, back to back.
        let done: Vec<Duration> = (0..3)
            .map(|_| vpu.book(&clock, &p, 100, 100, t0).due() - t0)
            .collect();
        for (i, d) in done.iter().enumerate() {
            let want = Duration::from_millis(10 * (i as u64 + 1));
            assert!(
                *d >= want && *d < want + Duration::from_millis(5),
                "{i}: {d:?}"
            );
        }
    }
}
