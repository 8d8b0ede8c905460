//! The VPU's pace: `fast` (encode as fast as the host can, the default), `realtime` (each
//! picture takes the time the K230's encoder would, and all channels share that one encoder),
//! `dilated` (the same model on a board clock that waits for a slow host) or `deterministic`
//! (the same model on a discrete-event board clock: [`crate::clock`]).
//!
//! The model (facts §4): the encoder does at most 8 MP@20 fps; derived, ≈ 166 Mpx/s summed over
//! all channels, one core time-sliced between them. A picture of `w × h` pixels occupies the VPU
//! for `w·h / rate + fixed` seconds (the rate and fixed term of its codec and kind), starting when the VPU takes it from its channel's queue or when the
//! VPU finishes the picture before it, whichever is later. Its packs reach the ring at the end of
//! that service time; in `realtime` a host codec slower than that places them late, in
//! `dilated` the board's clock waits for it. So a host program
//! sees the board's latency and, when it sends faster than the VPU encodes, the board's
//! backpressure: the input queue fills and `SendFrame` waits or answers BUSY.
//!
//! The model is data: a [`BoardProfile`] gives, per codec, the pixel rate of an I and of a P
//! picture and a fixed time per picture. The default, [`BoardProfile::K230`], is the datasheet's
//! one figure for every codec and picture kind with no fixed term (no per-picture latency, no
//! I/P split and no JPEG figure is published: D-030); a profile measured on a board is loaded
//! from a TOML file ([`BoardProfile::load`]; `venc profile` measures one, D-049).

use crate::clock::{BoardClock, Booking, ClockKind};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use venc_core::bitstream::Codec;

/// The K230 encoder's headline rate: 8 MP (3840x2160) at 20 fps.
const K230_PIXELS_PER_SECOND: u64 = 3840 * 2160 * 20;

/// The longest fixed time per picture a profile may give (a typo guard, not a board limit).
const MAX_FIXED_US: u64 = 1_000_000;

/// I or P: the two picture costs of a codec (JPEG pictures are all I).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PictureKind {
    /// An intra (IDR) picture.
    I,
    /// A predicted picture.
    P,
}

/// What one picture costs the encoder, for one codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PictureCost {
    /// Pixels per second the encoder codes an I (IDR) picture at.
    pub i_pixels_per_second: u64,
    /// Pixels per second the encoder codes a P picture at (unused for JPEG).
    pub p_pixels_per_second: u64,
    /// Fixed time per picture on top of the pixel time, in microseconds.
    #[serde(default)]
    pub fixed_us: u64,
}

impl PictureCost {
    /// One rate for both kinds, no fixed term.
    pub const fn flat(pixels_per_second: u64) -> Self {
        Self {
            i_pixels_per_second: pixels_per_second,
            p_pixels_per_second: pixels_per_second,
            fixed_us: 0,
        }
    }

    /// How long one `width × height` picture of `kind` occupies the encoder.
    pub fn picture_time(&self, kind: PictureKind, width: u32, height: u32) -> Duration {
        let rate = match kind {
            PictureKind::I => self.i_pixels_per_second,
            PictureKind::P => self.p_pixels_per_second,
        };
        let pixels = u128::from(width) * u128::from(height);
        let nanos = pixels * 1_000_000_000 / u128::from(rate.max(1));
        Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX))
            + Duration::from_micros(self.fixed_us)
    }

    fn check(&self, codec: &str) -> Result<(), String> {
        for (field, rate) in [
            ("i_pixels_per_second", self.i_pixels_per_second),
            ("p_pixels_per_second", self.p_pixels_per_second),
        ] {
            if rate == 0 {
                return Err(format!("{codec}.{field} must be above 0"));
            }
        }
        if self.fixed_us > MAX_FIXED_US {
            return Err(format!(
                "{codec}.fixed_us {} is over {MAX_FIXED_US} (a second per picture)",
                self.fixed_us
            ));
        }
        Ok(())
    }
}

/// What one board's encoder can do: the timing model's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardProfile {
    /// Short name (`k230`).
    pub name: &'static str,
    /// Where the figures come from.
    pub source: &'static str,
    /// H.264 pictures.
    pub h264: PictureCost,
    /// H.265 pictures.
    pub h265: PictureCost,
    /// JPEG pictures (all I).
    pub jpeg: PictureCost,
}

/// A profile as its TOML file holds it.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    name: String,
    source: String,
    h264: PictureCost,
    h265: PictureCost,
    jpeg: PictureCost,
}

impl BoardProfile {
    /// The K230: 8 MP (3840x2160) at 20 fps = 165 888 000 px/s for every codec and picture
    /// kind, no fixed term.
    pub const K230: Self = Self {
        name: "k230",
        source: "K230 datasheet §1.2.9: encoder up to 8MP@20fps (facts §4), taken for H.264, \
                 H.265 and JPEG, I and P alike; per-picture overhead unpublished, taken as 0",
        h264: PictureCost::flat(K230_PIXELS_PER_SECOND),
        h265: PictureCost::flat(K230_PIXELS_PER_SECOND),
        jpeg: PictureCost::flat(K230_PIXELS_PER_SECOND),
    };

    /// The costs of `codec`'s pictures.
    pub fn cost(&self, codec: Codec) -> &PictureCost {
        match codec {
            Codec::H264 => &self.h264,
            Codec::H265 => &self.h265,
            Codec::Jpeg => &self.jpeg,
        }
    }

    /// How long one `width × height` picture occupies the encoder (JPEG: always an I).
    pub fn picture_time(
        &self,
        codec: Codec,
        kind: PictureKind,
        width: u32,
        height: u32,
    ) -> Duration {
        let kind = if codec == Codec::Jpeg {
            PictureKind::I
        } else {
            kind
        };
        self.cost(codec).picture_time(kind, width, height)
    }

    /// P pictures per second one channel of this size gets when it has the encoder alone.
    pub fn max_fps(&self, codec: Codec, width: u32, height: u32) -> f64 {
        1.0 / self
            .picture_time(codec, PictureKind::P, width, height)
            .as_secs_f64()
    }

    /// A profile from its TOML text (`name`, `source`, and a `[h264]`, `[h265]` and `[jpeg]`
    /// table of `i_pixels_per_second`, `p_pixels_per_second`, `fixed_us`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: ProfileFile = toml::from_str(text).map_err(|e| e.message().to_owned())?;
        if file.name.trim().is_empty() {
            return Err("name must not be empty".into());
        }
        file.h264.check("h264")?;
        file.h265.check("h265")?;
        file.jpeg.check("jpeg")?;
        // A run loads its profile once; leaking its two strings keeps a profile `Copy`.
        Ok(Self {
            name: Box::leak(file.name.into_boxed_str()),
            source: Box::leak(file.source.into_boxed_str()),
            h264: file.h264,
            h265: file.h265,
            jpeg: file.jpeg,
        })
    }

    /// A profile from a TOML file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("board profile {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("board profile {}: {e}", path.display()))
    }

    /// The profile as a TOML file holds it.
    pub fn to_toml(&self) -> String {
        let file = ProfileFile {
            name: self.name.to_owned(),
            source: self.source.to_owned(),
            h264: self.h264,
            h265: self.h265,
            jpeg: self.jpeg,
        };
        toml::to_string(&file).unwrap_or_default()
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

    /// The same pace with `profile`'s figures; `fast` has no model to take them.
    pub fn with_profile(self, profile: BoardProfile) -> Result<Self, String> {
        match self {
            Self::Fast => Err(format!(
                "board profile {:?} sets the timing model's figures: give a paced timing \
                 (realtime, dilated or deterministic), not fast",
                profile.name
            )),
            Self::Realtime(_) => Ok(Self::Realtime(profile)),
            Self::Dilated(_) => Ok(Self::Dilated(profile)),
            Self::Deterministic(_) => Ok(Self::Deterministic(profile)),
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
    pub fn book(&self, clock: &BoardClock, picture_time: Duration, arrived: Duration) -> Booking {
        clock.book(|now| {
            let mut next = self
                .next_free
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let taken = arrived.min(now);
            let start = next.map_or(taken, |n| n.max(taken));
            let done = start + picture_time;
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
        for codec in [Codec::H264, Codec::H265, Codec::Jpeg] {
            assert_eq!(p.cost(codec).p_pixels_per_second, 165_888_000);
            for kind in [PictureKind::I, PictureKind::P] {
                assert_eq!(
                    p.picture_time(codec, kind, 3840, 2160),
                    Duration::from_millis(50)
                );
            }
        }
        assert!((p.max_fps(Codec::H264, 1920, 1080) - 80.0).abs() < 0.01);
        assert!((p.max_fps(Codec::H265, 1280, 720) - 180.0).abs() < 0.01);
        assert_eq!(VpuTiming::parse("realtime"), Ok(VpuTiming::Realtime(p)));
        assert_eq!(VpuTiming::parse("dilated"), Ok(VpuTiming::Dilated(p)));
        let det = VpuTiming::parse("deterministic").unwrap();
        assert_eq!(det, VpuTiming::Deterministic(p));
        assert_eq!(det.clock_kind(), ClockKind::Deterministic);
        assert_eq!(det.name(), "deterministic");
        assert!(VpuTiming::parse("slow").is_err());
    }

    #[test]
    fn a_profile_is_data_with_its_own_i_p_and_fixed_costs() {
        let text = r#"
            name = "measured"
            source = "a test"
            [h264]
            i_pixels_per_second = 100_000_000
            p_pixels_per_second = 200_000_000
            fixed_us = 500
            [h265]
            i_pixels_per_second = 50_000_000
            p_pixels_per_second = 100_000_000
            [jpeg]
            i_pixels_per_second = 400_000_000
            p_pixels_per_second = 1
        "#;
        let p = BoardProfile::parse(text).unwrap();
        assert_eq!(p.name, "measured");
        // 1920x1080 = 2 073 600 px.
        let us = |d: Duration| d.as_micros();
        assert_eq!(
            us(p.picture_time(Codec::H264, PictureKind::I, 1920, 1080)),
            20_736 + 500
        );
        assert_eq!(
            us(p.picture_time(Codec::H264, PictureKind::P, 1920, 1080)),
            10_368 + 500
        );
        assert_eq!(
            us(p.picture_time(Codec::H265, PictureKind::P, 1920, 1080)),
            20_736
        );
        // JPEG pictures are all intra: the P rate is never used.
        assert_eq!(
            us(p.picture_time(Codec::Jpeg, PictureKind::P, 1920, 1080)),
            5_184
        );
        // The file form round-trips.
        assert_eq!(BoardProfile::parse(&p.to_toml()).unwrap(), p);
        assert_eq!(
            BoardProfile::parse(&BoardProfile::K230.to_toml()).unwrap(),
            BoardProfile::K230
        );
    }

    #[test]
    fn a_bad_profile_is_refused_with_the_reason() {
        let good = BoardProfile::K230.to_toml();
        for (bad, says) in [
            (
                good.replace("name = \"k230\"", "name = \" \""),
                "name must not be empty",
            ),
            (
                good.replacen(
                    "p_pixels_per_second = 165888000",
                    "p_pixels_per_second = 0",
                    1,
                ),
                "h264.p_pixels_per_second must be above 0",
            ),
            (
                good.replacen("fixed_us = 0", "fixed_us = 5000000", 3),
                "fixed_us 5000000 is over",
            ),
            (good.replace("[jpeg]", "[mjpeg]"), "mjpeg"),
            (format!("{good}\nspeed = 3\n"), "speed"),
            ("name = 3".to_owned(), "invalid type"),
        ] {
            let err = BoardProfile::parse(&bad).unwrap_err();
            assert!(err.contains(says), "{err:?} should say {says:?}\n{bad}");
        }
        let missing = Path::new("/nonexistent/profile.toml");
        let err = BoardProfile::load(missing).unwrap_err();
        assert!(
            err.starts_with("board profile /nonexistent/profile.toml: "),
            "{err}"
        );
    }

    #[test]
    fn only_a_paced_timing_takes_a_profile() {
        let slow = BoardProfile {
            name: "slow",
            h264: PictureCost::flat(1000),
            ..BoardProfile::K230
        };
        assert_eq!(
            VpuTiming::parse("dilated").unwrap().with_profile(slow),
            Ok(VpuTiming::Dilated(slow))
        );
        let err = VpuTiming::Fast.with_profile(slow).unwrap_err();
        assert!(err.contains("give a paced timing"), "{err}");
    }

    #[test]
    fn channels_queue_for_the_one_encoder() {
        let vpu = VpuClock::default();
        let clock = BoardClock::default();
        let t0 = clock.now();
        // Three pictures of 10 ms booked at once: back to back.
        let done: Vec<Duration> = (0..3)
            .map(|_| vpu.book(&clock, Duration::from_millis(10), t0).due() - t0)
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
