//! Running cases on a backend: outcomes, expected outcomes, selection, the watchdog.

use crate::case::Case;
use crate::check;
use crate::exec::{Execution, Executor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use venc_core::Mpi;

/// What happened to a case. Never folded into one another: a case that could not run is not a
/// pass, and neither is one the backend does not support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Every expectation held.
    Pass,
    /// An expectation did not hold.
    Fail,
    /// The backend answered NOT_SUPPORT where the case needs the feature.
    NotSupported,
    /// The case could not be run here (a tool it needs is missing).
    NotRun,
    /// The harness or the backend broke: malformed case, panic, hang.
    Error,
}

impl Outcome {
    /// Every outcome, in report order.
    pub const ALL: [Outcome; 5] = [
        Self::Pass,
        Self::Fail,
        Self::NotSupported,
        Self::NotRun,
        Self::Error,
    ];

    /// The name reports use.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::NotSupported => "not-supported",
            Self::NotRun => "not-run",
            Self::Error => "error",
        }
    }

    /// Parses [`Outcome::name`].
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == s)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A backend the suite can run on: it opens a fresh board per case.
///
/// # For implementations
/// - `open` returns a backend with no channel created and no pool: every case starts from a
///   reset board (a simulator is rebuilt; a board is reset).
/// - Cases see the board only through the returned [`Mpi`].
pub trait Backend: Send + Sync {
    /// Name in reports (`sim`, `hw`).
    fn name(&self) -> &str;
    /// A reset board.
    fn open(&self) -> Result<Arc<dyn Mpi>, String>;
    /// One line describing the backend and its version for report headers.
    fn describe(&self) -> String;
}

/// A case's result on one backend.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseResult {
    /// Case id.
    pub id: String,
    /// Backend name.
    pub backend: String,
    /// What happened.
    pub outcome: Outcome,
    /// The rules the case covers.
    pub rules: Vec<String>,
    /// The outcome the expectations file lists (pass when absent).
    pub expected: Outcome,
    /// Why a non-pass outcome is expected, from the expectations file.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub expected_reason: Option<String>,
    /// What went wrong, or why it did not run.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub detail: Option<String>,
    /// The firmware the case ran with.
    pub firmware: String,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
    /// The normalized trace (not serialized into reports; snapshots hold it).
    #[serde(skip)]
    pub trace: Vec<String>,
    /// The bit rate of every 1-second window of each stream whose rate a case checks.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub rates: Vec<crate::check::RateSeries>,
}

impl CaseResult {
    /// Whether the outcome is the one expected: a failure listed as expected is fine, an
    /// unexpected pass is not.
    pub fn as_expected(&self) -> bool {
        self.outcome == self.expected
    }

    /// The trace as one text (what snapshots hold).
    pub fn trace_text(&self) -> String {
        let mut s = self.trace.join("\n");
        s.push('\n');
        s
    }
}

/// Outcomes a backend is known to have, other than pass (`conformance/expectations/<backend>.toml`).
#[derive(Debug, Clone, Default)]
pub struct Expectations {
    entries: BTreeMap<String, (Outcome, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectationsFile {
    #[serde(default)]
    case: Vec<ExpectationEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectationEntry {
    id: String,
    outcome: String,
    reason: String,
}

impl Expectations {
    /// Parses an expectations file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: ExpectationsFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut entries = BTreeMap::new();
        for e in file.case {
            let outcome = Outcome::from_name(&e.outcome)
                .ok_or_else(|| format!("{}: unknown outcome {:?}", e.id, e.outcome))?;
            if e.reason.trim().is_empty() {
                return Err(format!(
                    "{}: an expected {} needs a reason",
                    e.id, e.outcome
                ));
            }
            if entries.insert(e.id.clone(), (outcome, e.reason)).is_some() {
                return Err(format!("{} is listed twice", e.id));
            }
        }
        Ok(Self { entries })
    }

    /// `conformance/expectations/<backend>.toml`, empty if the file does not exist.
    pub fn load(dir: &Path, backend: &str) -> Result<Self, String> {
        let path = dir.join(format!("{backend}.toml"));
        match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    /// The expected outcome of a case and why.
    pub fn get(&self, id: &str) -> (Outcome, Option<String>) {
        self.entries
            .get(id)
            .map_or((Outcome::Pass, None), |(o, r)| (*o, Some(r.clone())))
    }

    /// Case ids listed.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.keys().map(String::as_str)
    }
}

/// Which cases to run.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Only ids containing this.
    pub filter: Option<String>,
    /// `(k, n)`: the k-th of n shares (1-based), by position in id order.
    pub partition: Option<(usize, usize)>,
}

impl Selection {
    /// Parses `K/N` (1 <= K <= N).
    pub fn parse_partition(s: &str) -> Result<(usize, usize), String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| format!("partition {s:?}: expected K/N"))?;
        let (k, n): (usize, usize) = (
            k.trim()
                .parse()
                .map_err(|_| format!("partition {s:?}: K"))?,
            n.trim()
                .parse()
                .map_err(|_| format!("partition {s:?}: N"))?,
        );
        if n == 0 || k == 0 || k > n {
            return Err(format!("partition {s:?}: need 1 <= K <= N"));
        }
        Ok((k, n))
    }

    /// The selected cases, in id order.
    pub fn apply<'c>(&self, cases: &'c [Case]) -> Vec<&'c Case> {
        let mut sorted: Vec<&Case> = cases.iter().collect();
        sorted.sort_by(|a, b| a.id.cmp(&b.id));
        sorted
            .into_iter()
            .enumerate()
            .filter(|(i, _)| self.partition.is_none_or(|(k, n)| i % n == k - 1))
            .map(|(_, c)| c)
            .filter(|c| {
                self.filter
                    .as_ref()
                    .is_none_or(|f| c.id.contains(f.as_str()))
            })
            .collect()
    }
}

/// Whether the `ffmpeg` program runs (the H.265 decode oracle needs it).
pub fn ffmpeg_available() -> bool {
    std::process::Command::new("ffmpeg")
        .arg("-version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs one case on a backend under a watchdog, with every oracle.
pub fn run_case(
    backend: &Arc<dyn Backend>,
    case: &Case,
    expectations: &Expectations,
) -> CaseResult {
    let t0 = Instant::now();
    let (expected, expected_reason) = expectations.get(&case.id);
    let ((outcome, detail, trace), rates) = watchdog(backend, case);
    CaseResult {
        id: case.id.clone(),
        backend: backend.name().to_owned(),
        outcome,
        rules: case.rules.clone(),
        expected,
        expected_reason,
        detail,
        firmware: case.setup.firmware.0.name().to_owned(),
        duration_ms: t0.elapsed().as_millis() as u64,
        trace,
        rates,
    }
}

type Verdict = (Outcome, Option<String>, Vec<String>);

fn watchdog(backend: &Arc<dyn Backend>, case: &Case) -> (Verdict, Vec<crate::check::RateSeries>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let (b, c) = (Arc::clone(backend), case.clone());
    let spawned = std::thread::Builder::new()
        .name(format!("case-{}", case.id))
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut rates = Vec::new();
                let v = evaluate(&*b, &c, &mut rates);
                (v, rates)
            }));
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        return (
            (Outcome::Error, Some(format!("thread: {e}")), Vec::new()),
            Vec::new(),
        );
    }
    match rx.recv_timeout(case.timeout()) {
        Ok(Ok(v)) => v,
        Ok(Err(panic)) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            (
                (Outcome::Error, Some(format!("panicked: {msg}")), Vec::new()),
                Vec::new(),
            )
        }
        // The case thread is left behind: a hung backend call cannot be cancelled.
        Err(_) => (
            (
                Outcome::Error,
                Some(format!("hung: no result after {:?}", case.timeout())),
                Vec::new(),
            ),
            Vec::new(),
        ),
    }
}

fn execute(backend: &dyn Backend, case: &Case) -> Result<Execution, String> {
    let mpi = backend.open()?;
    let ex = Executor::new(Arc::clone(&mpi), case).run(&case.steps);
    // A dead link answers every call with an error; the run says nothing about the board.
    match mpi.backend_fault() {
        Some(fault) => Err(fault),
        None => Ok(ex),
    }
}

/// L1 to L4 in order; the first that fails decides.
fn evaluate(
    backend: &dyn Backend,
    case: &Case,
    rates: &mut Vec<crate::check::RateSeries>,
) -> Verdict {
    let mut ex = match execute(backend, case) {
        Ok(ex) => ex,
        Err(e) => return (Outcome::Error, Some(format!("backend: {e}")), Vec::new()),
    };
    if let Some(why) = ex.not_supported.take() {
        return (Outcome::NotSupported, Some(why), ex.trace);
    }
    if let Some(why) = ex.failure.take() {
        return (Outcome::Fail, Some(why), ex.trace);
    }
    let mut trace = ex.trace;
    for (chn, s) in &ex.streams {
        if s.packs.is_empty() {
            continue;
        }
        if let Err(e) = check::grammar(s) {
            return (Outcome::Fail, Some(format!("L2 ch{chn}: {e}")), trace);
        }
    }
    for e in &case.streams {
        let Some(s) = ex.streams.get(&e.chn) else {
            return (
                Outcome::Fail,
                Some(format!("ch{}: no stream (never created)", e.chn)),
                trace,
            );
        };
        let reads_syntax = !e.syntax.is_empty() || e.slice_qp.is_some();
        if (e.decode || reads_syntax) && !ffmpeg_available() {
            return (
                Outcome::NotRun,
                Some("the stream oracle needs the ffmpeg program, which is not installed".into()),
                trace,
            );
        }
        match check::expectations(s, e, rates) {
            Ok(lines) => trace.extend(
                lines
                    .into_iter()
                    .map(|l| l.replacen("ch:", &format!("ch{}:", e.chn), 1)),
            ),
            Err(why) => return (Outcome::Fail, Some(format!("ch{}: {why}", e.chn)), trace),
        }
    }
    if case.deterministic {
        let again = match execute(backend, case) {
            Ok(ex) => ex,
            Err(e) => return (Outcome::Error, Some(format!("backend: {e}")), trace),
        };
        for (chn, s) in &ex.streams {
            let other = again.streams.get(chn).map(|o| o.bytes());
            if other.as_deref() != Some(&s.bytes()[..]) {
                return (
                    Outcome::Fail,
                    Some(format!("L4 ch{chn}: a second run gave different bytes")),
                    trace,
                );
            }
        }
        trace.push("L4: a second run gave the same bytes".into());
    }
    (Outcome::Pass, None, trace)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_covers_every_case_once() {
        assert_eq!(Selection::parse_partition("2/3"), Ok((2, 3)));
        assert!(Selection::parse_partition("0/3").is_err());
        assert!(Selection::parse_partition("4/3").is_err());
        assert!(Selection::parse_partition("x").is_err());
    }

    #[test]
    fn expectations_file_rules() {
        let ok =
            Expectations::parse("[[case]]\nid = \"a\"\noutcome = \"fail\"\nreason = \"D-003\"\n")
                .expect("parse");
        assert_eq!(ok.get("a").0, Outcome::Fail);
        assert_eq!(ok.get("b"), (Outcome::Pass, None));
        assert!(
            Expectations::parse("[[case]]\nid = \"a\"\noutcome = \"meh\"\nreason = \"x\"\n")
                .is_err()
        );
        assert!(
            Expectations::parse("[[case]]\nid = \"a\"\noutcome = \"fail\"\nreason = \" \"\n")
                .is_err()
        );
        let twice = "[[case]]\nid = \"a\"\noutcome = \"fail\"\nreason = \"x\"\n".repeat(2);
        assert!(Expectations::parse(&twice).is_err());
    }

    /// A backend that misbehaves while opening: the harness must report, never hang or panic.
    struct Broken {
        hang: bool,
    }

    impl Backend for Broken {
        fn name(&self) -> &str {
            "broken"
        }
        fn open(&self) -> Result<Arc<dyn Mpi>, String> {
            if self.hang {
                std::thread::sleep(std::time::Duration::from_secs(3));
                Err("woke up".into())
            } else {
                panic!("board on fire")
            }
        }
        fn describe(&self) -> String {
            "a backend that breaks".into()
        }
    }

    fn one_step_case(timeout_s: u64) -> Case {
        toml::from_str(&format!(
            "id = \"x\"\ntitle = \"x\"\nrules = [\"VENC-LIFE-002\"]\ntimeout_s = {timeout_s}\nsteps = [{{ call = \"Start\", chn = 0 }}]\n"
        ))
        .expect("case")
    }

    #[test]
    fn a_panicking_or_hung_backend_is_an_error_outcome() {
        let x = Expectations::default();
        let panics: Arc<dyn Backend> = Arc::new(Broken { hang: false });
        let r = run_case(&panics, &one_step_case(10), &x);
        assert_eq!(r.outcome, Outcome::Error);
        assert!(
            r.detail
                .as_deref()
                .is_some_and(|d| d.contains("board on fire")),
            "{r:?}"
        );
        let hangs: Arc<dyn Backend> = Arc::new(Broken { hang: true });
        let r = run_case(&hangs, &one_step_case(1), &x);
        assert_eq!(r.outcome, Outcome::Error);
        assert!(
            r.detail.as_deref().is_some_and(|d| d.starts_with("hung")),
            "{r:?}"
        );
        assert!(!r.as_expected());
    }
}
