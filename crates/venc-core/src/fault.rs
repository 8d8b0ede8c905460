//! Fault injection for users' own programs: make the next, every Nth or N % of a point's calls
//! fail the way the board can fail, so a program's error handling can be tested without
//! waiting for the board to misbehave (vivid's error-injection controls are the model).
//!
//! A fault is written `KIND[:ARG][@WHEN]`:
//!
//! | kind | where it strikes | what the program sees |
//! |---|---|---|
//! | `get-stream-notready` | `get_stream` | NOTREADY after the call's timeout (at once for 0 and −1) |
//! | `send-frame-busy` | `send_frame` | BUSY after the call's timeout (at once for 0 and −1); the frame is not queued |
//! | `vpu-stall:MS` | the VPU taking a picture | the picture finishes MS ms late; the input queue backs up |
//! | `drop-frame` | the VPU taking a picture | the frame is dropped unencoded (counted, logged) |
//! | `ring-overflow` | a pack entering a non-empty ring | the oldest pack is overwritten, as on a full ring |
//! | `mem-exhausted` | a media-memory allocation (pool, `mmz_alloc`) | the "media memory exhausted" error |
//! | `link-drop` | any call | the backend is gone: the backend-fault contract of [`crate::Mpi`] |
//!
//! `WHEN` is `next` (the default: once, on the next call at that point), `every=N` (the Nth,
//! 2Nth, … call) or `P%` (each call with probability P, from a generator seeded per run, so a
//! run repeats). Faults are off unless armed; each one that strikes is logged at `warn` and
//! counted per kind.

use std::fmt;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// What goes wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum FaultKind {
    /// `get_stream` answers NOTREADY.
    GetStreamNotReady,
    /// `send_frame` answers BUSY.
    SendFrameBusy,
    /// The VPU stalls for this many milliseconds before taking a picture.
    VpuStall {
        /// Milliseconds.
        ms: u32,
    },
    /// The VPU drops the picture it takes.
    DropFrame,
    /// A pack placed in a non-empty ring overwrites the oldest one.
    RingOverflow,
    /// A media-memory allocation fails as if the window were full.
    MemoryExhausted,
    /// The connection to the board is lost.
    LinkDropped,
}

/// Where a fault strikes: each kind has exactly one point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FaultPoint {
    /// `get_stream`.
    GetStream,
    /// `send_frame`.
    SendFrame,
    /// The VPU taking a picture from the input queue.
    Encode,
    /// A pack entering a ring that holds at least one pack.
    PackPlaced,
    /// A media-memory allocation.
    Alloc,
    /// Any MPI call.
    Call,
}

impl FaultKind {
    /// Every kind, with a placeholder stall, in the order of the module table.
    pub const ALL: [Self; 7] = [
        Self::GetStreamNotReady,
        Self::SendFrameBusy,
        Self::VpuStall { ms: 0 },
        Self::DropFrame,
        Self::RingOverflow,
        Self::MemoryExhausted,
        Self::LinkDropped,
    ];

    /// The name written in a fault spec.
    pub const fn name(self) -> &'static str {
        match self {
            Self::GetStreamNotReady => "get-stream-notready",
            Self::SendFrameBusy => "send-frame-busy",
            Self::VpuStall { .. } => "vpu-stall",
            Self::DropFrame => "drop-frame",
            Self::RingOverflow => "ring-overflow",
            Self::MemoryExhausted => "mem-exhausted",
            Self::LinkDropped => "link-drop",
        }
    }

    /// Where it strikes.
    pub const fn point(self) -> FaultPoint {
        match self {
            Self::GetStreamNotReady => FaultPoint::GetStream,
            Self::SendFrameBusy => FaultPoint::SendFrame,
            Self::VpuStall { .. } | Self::DropFrame => FaultPoint::Encode,
            Self::RingOverflow => FaultPoint::PackPlaced,
            Self::MemoryExhausted => FaultPoint::Alloc,
            Self::LinkDropped => FaultPoint::Call,
        }
    }

    /// Whether it strikes inside the device (the VPU, the ring, media memory) rather than at the
    /// call a program makes. A board client acts the call-level kinds out itself, where the
    /// program's call is (it may split one call into several requests), and passes the others
    /// to the board.
    pub const fn is_device_side(self) -> bool {
        !matches!(
            self,
            Self::GetStreamNotReady | Self::SendFrameBusy | Self::LinkDropped
        )
    }

    fn index(self) -> usize {
        match self {
            Self::GetStreamNotReady => 0,
            Self::SendFrameBusy => 1,
            Self::VpuStall { .. } => 2,
            Self::DropFrame => 3,
            Self::RingOverflow => 4,
            Self::MemoryExhausted => 5,
            Self::LinkDropped => 6,
        }
    }
}

/// When a fault strikes, counted in calls at its point since it was armed.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub enum Trigger {
    /// Once, on the next call.
    Next,
    /// On every Nth call (N ≥ 1).
    Every(u32),
    /// On each call with this probability in percent (0 < P ≤ 100).
    Percent(f64),
}

/// One fault to arm: what and when.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct FaultSpec {
    /// What goes wrong.
    pub kind: FaultKind,
    /// When.
    pub when: Trigger,
}

/// A fault spec that does not parse, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("fault `{spec}`: {why} (write KIND[:ARG][@next|@every=N|@P%], KIND one of {kinds})")]
pub struct BadFaultSpec {
    spec: String,
    why: String,
    kinds: &'static str,
}

const KINDS: &str = "get-stream-notready, send-frame-busy, vpu-stall:MS, drop-frame, \
                     ring-overflow, mem-exhausted, link-drop";

impl FromStr for FaultSpec {
    type Err = BadFaultSpec;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: String| BadFaultSpec {
            spec: s.to_owned(),
            why,
            kinds: KINDS,
        };
        let text = s.trim();
        let (what, when) = text.split_once('@').unwrap_or((text, "next"));
        let (name, arg) = match what.split_once(':') {
            Some((n, a)) => (n.trim(), Some(a.trim())),
            None => (what.trim(), None),
        };
        let kind = match (name, arg) {
            ("vpu-stall", Some(a)) => {
                let digits = a.strip_suffix("ms").unwrap_or(a);
                let ms = digits
                    .parse::<u32>()
                    .ok()
                    .filter(|ms| (1..=60_000).contains(ms))
                    .ok_or_else(|| bad(format!("stall `{a}` is not 1..=60000 ms")))?;
                FaultKind::VpuStall { ms }
            }
            ("vpu-stall", None) => {
                return Err(bad("vpu-stall needs a duration: vpu-stall:MS".into()));
            }
            (n, Some(a)) if FaultKind::ALL.iter().any(|k| k.name() == n) => {
                return Err(bad(format!("{n} takes no argument, got `{a}`")));
            }
            (n, None) => *FaultKind::ALL
                .iter()
                .find(|k| k.name() == n)
                .ok_or_else(|| bad(format!("unknown kind `{n}`")))?,
            (n, Some(_)) => return Err(bad(format!("unknown kind `{n}`"))),
        };
        let when = when.trim();
        let when = if when == "next" {
            Trigger::Next
        } else if let Some(n) = when.strip_prefix("every=") {
            let n = n
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| bad(format!("`every={n}` needs a whole number ≥ 1")))?;
            Trigger::Every(n)
        } else if let Some(p) = when.strip_suffix('%') {
            let p = p
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| *p > 0.0 && *p <= 100.0)
                .ok_or_else(|| bad(format!("`{when}` is not a percentage in (0, 100]")))?;
            Trigger::Percent(p)
        } else {
            return Err(bad(format!("unknown trigger `{when}`")));
        };
        Ok(Self { kind, when })
    }
}

impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.name())?;
        if let FaultKind::VpuStall { ms } = self.kind {
            write!(f, ":{ms}ms")?;
        }
        match self.when {
            Trigger::Next => f.write_str("@next"),
            Trigger::Every(n) => write!(f, "@every={n}"),
            Trigger::Percent(p) => write!(f, "@{p}%"),
        }
    }
}

#[derive(Debug)]
struct Armed {
    spec: FaultSpec,
    calls: u64,
    spent: bool,
}

#[derive(Debug)]
struct Inner {
    armed: Vec<Armed>,
    rng: fastrand::Rng,
    injected: [u64; 7],
}

/// The faults armed on one backend, and how many struck. Cheap when none is armed.
///
/// # For implementations
/// - Call [`Faults::strike`] once per event at each [`FaultPoint`] the backend has, and act out
///   the kind it returns as the module table says; nothing else may change what a call does.
/// - A backend that cannot act a kind out refuses to arm it (`NOT_SUPPORT`), never ignores it.
#[derive(Debug)]
pub struct Faults {
    any: AtomicBool,
    inner: Mutex<Inner>,
}

impl Default for Faults {
    fn default() -> Self {
        Self::new(0)
    }
}

impl Faults {
    /// No fault armed; `seed` drives the `P%` triggers.
    pub fn new(seed: u64) -> Self {
        Self {
            any: AtomicBool::new(false),
            inner: Mutex::new(Inner {
                armed: Vec::new(),
                rng: fastrand::Rng::with_seed(seed),
                injected: [0; 7],
            }),
        }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Arms a fault; it counts calls from now.
    pub fn arm(&self, spec: FaultSpec) {
        log::info!("fault armed: {spec}");
        self.inner().armed.push(Armed {
            spec,
            calls: 0,
            spent: false,
        });
        self.any.store(true, Ordering::Release);
    }

    /// Disarms every fault (the counts of those that struck stay).
    pub fn disarm_all(&self) {
        self.inner().armed.clear();
        self.any.store(false, Ordering::Release);
    }

    /// Counts one event at `point` and returns the fault that strikes it, if any (the first
    /// armed one whose trigger fires). `place` names where, for the log line.
    pub fn strike(&self, point: FaultPoint, place: fmt::Arguments<'_>) -> Option<FaultKind> {
        if !self.any.load(Ordering::Acquire) {
            return None;
        }
        let mut inner = self.inner();
        let Inner {
            armed,
            rng,
            injected,
        } = &mut *inner;
        let mut struck = None;
        for a in armed.iter_mut().filter(|a| !a.spent) {
            if a.spec.kind.point() != point {
                continue;
            }
            a.calls += 1;
            let fires = match a.spec.when {
                Trigger::Next => {
                    a.spent = true;
                    true
                }
                Trigger::Every(n) => a.calls % u64::from(n) == 0,
                Trigger::Percent(p) => rng.f64() * 100.0 < p,
            };
            if fires && struck.is_none() {
                struck = Some((a.spec, a.calls));
            }
        }
        let (spec, call) = struck?;
        injected[spec.kind.index()] += 1;
        log::warn!("fault injected: {spec} at {place} (call {call} there since armed)");
        Some(spec.kind)
    }

    /// Strikes a program's `get_stream` or `send_frame` call and returns the code an injected
    /// fault answers it with (NOTREADY or BUSY), without waiting: for a front that waits out
    /// the call's timeout itself, in slices.
    pub fn strike_code(
        &self,
        point: FaultPoint,
        place: fmt::Arguments<'_>,
    ) -> Option<crate::VencError> {
        let code = match point {
            FaultPoint::GetStream => crate::VencError::NotReady,
            FaultPoint::SendFrame => crate::VencError::Busy,
            _ => return None,
        };
        self.strike(point, place).map(|_| code)
    }

    /// [`Faults::strike_code`], then waits as the call would before timing out (`timeout_ms`,
    /// on the host's clock; 0 and −1 not at all: an injected fault never blocks forever).
    pub fn strike_call(
        &self,
        point: FaultPoint,
        timeout_ms: i32,
        place: fmt::Arguments<'_>,
    ) -> Option<crate::VencError> {
        self.strike_call_waiting(point, timeout_ms, place, std::thread::sleep)
    }

    /// [`Faults::strike_call`] waiting with `wait` (a simulated board's own clock).
    pub fn strike_call_waiting(
        &self,
        point: FaultPoint,
        timeout_ms: i32,
        place: fmt::Arguments<'_>,
        wait: impl FnOnce(std::time::Duration),
    ) -> Option<crate::VencError> {
        let code = self.strike_code(point, place)?;
        if let Ok(ms) = u64::try_from(timeout_ms) {
            wait(std::time::Duration::from_millis(ms));
        }
        Some(code)
    }

    /// How many times each kind struck, by name, in the order of [`FaultKind::ALL`].
    pub fn injected(&self) -> [(&'static str, u64); 7] {
        let counts = self.inner().injected;
        FaultKind::ALL.map(|k| (k.name(), counts[k.index()]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strikes(faults: &Faults, point: FaultPoint, n: usize) -> Vec<usize> {
        (1..=n)
            .filter(|_| faults.strike(point, format_args!("test")).is_some())
            .collect()
    }

    #[test]
    fn specs_parse_and_print_back() {
        for (text, printed) in [
            ("get-stream-notready", "get-stream-notready@next"),
            ("send-frame-busy@every=3", "send-frame-busy@every=3"),
            ("vpu-stall:200ms@next", "vpu-stall:200ms@next"),
            ("vpu-stall:15@every=10", "vpu-stall:15ms@every=10"),
            ("drop-frame@25%", "drop-frame@25%"),
            ("ring-overflow@0.5%", "ring-overflow@0.5%"),
            ("mem-exhausted", "mem-exhausted@next"),
            (" link-drop @ every=2 ", "link-drop@every=2"),
        ] {
            let spec: FaultSpec = text.parse().unwrap();
            assert_eq!(spec.to_string(), printed);
            assert_eq!(printed.parse::<FaultSpec>().unwrap(), spec);
        }
    }

    #[test]
    fn bad_specs_say_what_is_wrong() {
        for (text, says) in [
            ("", "unknown kind ``"),
            ("get-stream-busy", "unknown kind `get-stream-busy`"),
            ("vpu-stall", "needs a duration"),
            ("vpu-stall:0", "not 1..=60000 ms"),
            ("vpu-stall:fast", "not 1..=60000 ms"),
            ("drop-frame:3", "takes no argument"),
            ("drop-frame@every=0", "whole number ≥ 1"),
            ("drop-frame@every=-1", "whole number ≥ 1"),
            ("drop-frame@0%", "percentage in (0, 100]"),
            ("drop-frame@101%", "percentage in (0, 100]"),
            ("drop-frame@sometimes", "unknown trigger `sometimes`"),
        ] {
            let err = text.parse::<FaultSpec>().unwrap_err().to_string();
            assert!(err.contains(says), "{text}: {err}");
            assert!(err.contains("KIND[:ARG]"), "{err}");
        }
    }

    #[test]
    fn triggers_fire_on_the_calls_they_name() {
        let f = Faults::default();
        assert_eq!(strikes(&f, FaultPoint::GetStream, 5), Vec::<usize>::new());
        f.arm("get-stream-notready".parse().unwrap());
        assert_eq!(strikes(&f, FaultPoint::SendFrame, 3), Vec::<usize>::new());
        assert_eq!(strikes(&f, FaultPoint::GetStream, 5), vec![1]);
        f.arm("send-frame-busy@every=3".parse().unwrap());
        assert_eq!(strikes(&f, FaultPoint::SendFrame, 10), vec![3, 6, 9]);
        let counts = f.injected();
        assert_eq!(counts[0], ("get-stream-notready", 1));
        assert_eq!(counts[1], ("send-frame-busy", 3));
        f.disarm_all();
        assert_eq!(strikes(&f, FaultPoint::SendFrame, 10), Vec::<usize>::new());
        assert_eq!(f.injected()[1].1, 3);
    }

    #[test]
    fn percentages_repeat_with_the_seed_and_come_near_the_rate() {
        let run = |seed| {
            let f = Faults::new(seed);
            f.arm("drop-frame@20%".parse().unwrap());
            strikes(&f, FaultPoint::Encode, 10_000)
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        assert!((1_800..2_200).contains(&a.len()), "{}", a.len());
    }
}
