//! Reports: Markdown (case × backend with a TOTAL row), JSON and JUnit XML. Every format carries
//! the system, the simulator version and the firmware; JSON reports of partitions merge.

use crate::run::{CaseResult, Outcome};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Where and with what a run happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct System {
    /// `linux`, …
    pub os: String,
    /// `x86_64`, …
    pub arch: String,
    /// Logical CPUs.
    pub cpus: usize,
    /// CPU model name, when the OS says.
    pub cpu_model: String,
}

impl System {
    /// This machine.
    pub fn current() -> Self {
        let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split_once(':'))
                    .map(|(_, v)| v.trim().to_owned())
            })
            .unwrap_or_else(|| "unknown".into());
        Self {
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            cpu_model,
        }
    }
}

/// One backend's part of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackendInfo {
    /// Name.
    pub name: String,
    /// Description with versions.
    pub description: String,
}

/// A run's report.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The machine.
    pub system: System,
    /// This project's version (`venc-sim` and the harness share it).
    pub simulator_version: String,
    /// The default generation of the run (cases may set their own; each case records it).
    pub firmware: String,
    /// Backends in the report.
    pub backends: Vec<BackendInfo>,
    /// Partitions merged into this report (`"1/2"`, …); empty for a whole run.
    #[serde(default)]
    pub partitions: Vec<String>,
    /// Wall time of the run(s), seconds.
    pub duration_s: f64,
    /// Per case and backend.
    pub cases: Vec<CaseResult>,
    /// Count per outcome, every outcome present.
    pub totals: BTreeMap<String, usize>,
    /// Cases whose outcome differs from the expected one (unexpected passes included).
    pub unexpected: Vec<String>,
}

impl Report {
    /// A report over results.
    pub fn new(
        backends: Vec<BackendInfo>,
        firmware: &str,
        partition: Option<(usize, usize)>,
        duration_s: f64,
        cases: Vec<CaseResult>,
    ) -> Self {
        let mut r = Self {
            system: System::current(),
            simulator_version: env!("CARGO_PKG_VERSION").into(),
            firmware: firmware.into(),
            backends,
            partitions: partition
                .map(|(k, n)| vec![format!("{k}/{n}")])
                .unwrap_or_default(),
            duration_s,
            cases,
            totals: BTreeMap::new(),
            unexpected: Vec::new(),
        };
        r.recount();
        r
    }

    /// The report with totals and unexpected outcomes computed again after outcomes changed.
    pub fn recounted(mut self) -> Self {
        self.recount();
        self
    }

    fn recount(&mut self) {
        self.cases
            .sort_by(|a, b| (&a.id, &a.backend).cmp(&(&b.id, &b.backend)));
        self.totals = Outcome::ALL
            .iter()
            .map(|o| {
                let n = self.cases.iter().filter(|c| c.outcome == *o).count();
                (o.name().to_owned(), n)
            })
            .collect();
        self.unexpected = self
            .cases
            .iter()
            .filter(|c| !c.as_expected())
            .map(|c| {
                format!(
                    "{} on {}: {} (expected {})",
                    c.id, c.backend, c.outcome, c.expected
                )
            })
            .collect();
    }

    /// Whether every case had its expected outcome.
    pub fn ok(&self) -> bool {
        self.unexpected.is_empty()
    }

    /// Merges reports of partitions or of other backends. A case present twice for the same
    /// backend is an error (overlapping partitions).
    pub fn merge(reports: Vec<Report>) -> Result<Report, String> {
        let mut it = reports.into_iter();
        let mut out = it.next().ok_or("nothing to merge")?;
        for r in it {
            if r.simulator_version != out.simulator_version {
                return Err(format!(
                    "reports of different versions: {} and {}",
                    out.simulator_version, r.simulator_version
                ));
            }
            for b in r.backends {
                if !out.backends.contains(&b) {
                    out.backends.push(b);
                }
            }
            out.partitions.extend(r.partitions);
            out.duration_s += r.duration_s;
            out.cases.extend(r.cases);
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &out.cases {
            if !seen.insert((c.id.clone(), c.backend.clone())) {
                return Err(format!("{} on {} appears in two reports", c.id, c.backend));
            }
        }
        out.partitions.sort();
        out.recount();
        Ok(out)
    }

    /// JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// Parses [`Report::to_json`].
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }

    fn header_lines(&self) -> Vec<String> {
        let s = &self.system;
        let mut lines = vec![
            format!(
                "system: {} {}, {} CPUs ({})",
                s.os, s.arch, s.cpus, s.cpu_model
            ),
            format!("simulator version: {}", self.simulator_version),
            format!("firmware: {}", self.firmware),
        ];
        for b in &self.backends {
            lines.push(format!("backend {}: {}", b.name, b.description));
        }
        if !self.partitions.is_empty() {
            lines.push(format!("partitions: {}", self.partitions.join(", ")));
        }
        lines.push(format!("duration: {:.1} s", self.duration_s));
        lines
    }

    /// Markdown: a case × backend table with a TOTAL row, then the details of every case that
    /// did not pass.
    pub fn to_markdown(&self) -> String {
        let backends: Vec<&str> = self.backends.iter().map(|b| b.name.as_str()).collect();
        let mut by_case: BTreeMap<&str, BTreeMap<&str, &CaseResult>> = BTreeMap::new();
        for c in &self.cases {
            by_case
                .entry(&c.id)
                .or_default()
                .insert(c.backend.as_str(), c);
        }
        let mut md = String::from("# VENC conformance report\n\n");
        for l in self.header_lines() {
            let _ = writeln!(md, "- {l}");
        }
        md.push('\n');
        let _ = writeln!(md, "| case | rules | {} |", backends.join(" | "));
        let _ = writeln!(md, "|---|---|{}", "---|".repeat(backends.len()));
        for (id, row) in &by_case {
            let rules = row
                .values()
                .next()
                .map(|c| c.rules.join(", "))
                .unwrap_or_default();
            let cells: Vec<String> = backends
                .iter()
                .map(|b| {
                    row.get(b).map_or("not run".into(), |c| {
                        if c.as_expected() && c.outcome != Outcome::Pass {
                            format!("{} (expected)", c.outcome)
                        } else if c.as_expected() {
                            c.outcome.to_string()
                        } else {
                            format!("**{}** (expected {})", c.outcome, c.expected)
                        }
                    })
                })
                .collect();
            let _ = writeln!(md, "| {id} | {rules} | {} |", cells.join(" | "));
        }
        let totals: Vec<String> = backends
            .iter()
            .map(|b| {
                if !self.cases.iter().any(|c| c.backend == *b) {
                    return "not run".to_owned();
                }
                Outcome::ALL
                    .iter()
                    .map(|o| {
                        let n = self
                            .cases
                            .iter()
                            .filter(|c| c.backend == *b && c.outcome == *o)
                            .count();
                        format!("{n} {o}")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect();
        let _ = writeln!(md, "| **TOTAL** | | {} |", totals.join(" | "));
        md.push_str(&self.rates_markdown());
        let notes: Vec<&CaseResult> = self
            .cases
            .iter()
            .filter(|c| c.outcome != Outcome::Pass)
            .collect();
        if !notes.is_empty() {
            md.push_str("\n## Not passed\n\n");
            for c in notes {
                let _ = writeln!(
                    md,
                    "- `{}` on {}: {} — {}{}",
                    c.id,
                    c.backend,
                    c.outcome,
                    c.detail.as_deref().unwrap_or(""),
                    c.expected_reason
                        .as_deref()
                        .map(|r| format!(" (expected: {r})"))
                        .unwrap_or_default()
                );
            }
        }
        if !self.unexpected.is_empty() {
            md.push_str("\n## Unexpected outcomes\n\n");
            for u in &self.unexpected {
                let _ = writeln!(md, "- {u}");
            }
        }
        md
    }

    /// The rate-controlled streams: mean and peak 1-s window against the target, and the
    /// windows second by second as a bar line (eighths of twice the reference), so a drift or a
    /// burst shows without opening the JSON, which holds every window.
    fn rates_markdown(&self) -> String {
        let rated: Vec<(&CaseResult, &crate::check::RateSeries)> = self
            .cases
            .iter()
            .flat_map(|c| c.rates.iter().map(move |r| (c, r)))
            .collect();
        if rated.is_empty() {
            return String::new();
        }
        let mut md = String::from(
            "\n## Rate control\n\n| case | backend | ch | mode | mean / bit_rate | peak 1-s window / reference | 1-s windows (▁ 0 … █ 2 × reference) |\n|---|---|---|---|---|---|---|\n",
        );
        const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
        for (c, r) in rated {
            let reference = f64::from(r.reference_kbps.max(1));
            let line: String = r
                .window_kbps
                .iter()
                .step_by(r.fps.max(1) as usize)
                .map(|&k| BARS[((k / reference / 2.0 * 8.0) as usize).min(7)])
                .collect();
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {:.3} | {:.3} | {line} |",
                c.id,
                c.backend,
                r.chn,
                r.mode,
                r.mean_ratio(),
                r.peak_ratio()
            );
        }
        md
    }

    /// JUnit XML: one suite per backend, one test case per case. An expected non-pass is
    /// reported as skipped with its reason; an unexpected outcome as a failure (fail, unexpected
    /// pass) or an error (error, not-run, not-supported).
    pub fn to_junit(&self) -> Result<String, String> {
        use quick_junit::{NonSuccessKind, Report as JReport, TestCase, TestCaseStatus, TestSuite};
        let mut report = JReport::new("venc-conformance");
        for b in &self.backends {
            let mut suite = TestSuite::new(b.name.as_str());
            for l in self.header_lines() {
                if let Some((k, v)) = l.split_once(": ") {
                    suite.add_property((k, v));
                }
            }
            for c in self.cases.iter().filter(|c| c.backend == b.name) {
                let message = c.detail.clone().unwrap_or_default();
                let status = if c.as_expected() && c.outcome == Outcome::Pass {
                    TestCaseStatus::success()
                } else if c.as_expected() {
                    let mut s = TestCaseStatus::skipped();
                    s.set_message(format!(
                        "expected {}: {}",
                        c.outcome,
                        c.expected_reason.as_deref().unwrap_or("")
                    ));
                    s
                } else {
                    let kind = match c.outcome {
                        Outcome::Fail | Outcome::Pass => NonSuccessKind::Failure,
                        _ => NonSuccessKind::Error,
                    };
                    let mut s = TestCaseStatus::non_success(kind);
                    s.set_type(c.outcome.name());
                    s.set_message(if c.outcome == Outcome::Pass {
                        format!("unexpected pass (expected {})", c.expected)
                    } else {
                        message
                    });
                    s
                };
                let mut tc = TestCase::new(c.id.as_str(), status);
                tc.set_classname(format!("conformance.{}", b.name));
                tc.set_time(std::time::Duration::from_millis(c.duration_ms));
                tc.add_property(("rules", c.rules.join(" ").as_str()));
                tc.add_property(("firmware", c.firmware.as_str()));
                suite.add_test_case(tc);
            }
            report.add_test_suite(suite);
        }
        report.to_string().map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(id: &str, backend: &str, outcome: Outcome, expected: Outcome) -> CaseResult {
        CaseResult {
            id: id.into(),
            backend: backend.into(),
            outcome,
            rules: vec!["VENC-LIFE-001".into()],
            expected,
            expected_reason: (expected != Outcome::Pass).then(|| "D-003".into()),
            detail: (outcome != Outcome::Pass).then(|| "expected ok, got EXIST".into()),
            firmware: "canmv-2026-01".into(),
            duration_ms: 12,
            trace: vec!["Start(0) -> ok".into()],
            rates: Vec::new(),
        }
    }

    fn report(cases: Vec<CaseResult>, partition: Option<(usize, usize)>) -> Report {
        let backends = vec![BackendInfo {
            name: "sim".into(),
            description: "venc-sim test".into(),
        }];
        Report::new(backends, "canmv-2026-01", partition, 1.5, cases)
    }

    #[test]
    fn totals_count_every_outcome_and_flag_unexpected_ones() {
        let r = report(
            vec![
                result("a", "sim", Outcome::Pass, Outcome::Pass),
                result("b", "sim", Outcome::Fail, Outcome::Fail),
                result("c", "sim", Outcome::Pass, Outcome::Fail),
                result("d", "sim", Outcome::NotRun, Outcome::Pass),
            ],
            None,
        );
        assert_eq!(r.totals["pass"], 2);
        assert_eq!(r.totals["fail"], 1);
        assert_eq!(r.totals["not-run"], 1);
        assert_eq!(r.totals["error"], 0);
        assert_eq!(r.totals["not-supported"], 0);
        // The unexpected pass and the not-run both fail the run; the expected failure does not.
        assert_eq!(r.unexpected.len(), 2);
        assert!(!r.ok());
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).expect("json");
        assert_eq!(json["cases"][0]["id"], "a");
        assert_eq!(json["cases"][0]["backend"], "sim");
        assert_eq!(json["cases"][0]["outcome"], "pass");
        assert_eq!(json["cases"][0]["rules"][0], "VENC-LIFE-001");
        assert_eq!(json["totals"]["pass"], 2);
        assert_eq!(json["firmware"], "canmv-2026-01");
        assert!(json["system"]["cpus"].as_u64().is_some_and(|n| n >= 1));
    }

    #[test]
    fn markdown_has_a_row_per_case_and_a_total_row() {
        let r = report(
            vec![
                result("a", "sim", Outcome::Pass, Outcome::Pass),
                result("b", "sim", Outcome::Fail, Outcome::Fail),
            ],
            None,
        );
        let md = r.to_markdown();
        assert!(md.contains("| a | VENC-LIFE-001 | pass |"), "{md}");
        assert!(
            md.contains("| b | VENC-LIFE-001 | fail (expected) |"),
            "{md}"
        );
        assert!(
            md.contains("| **TOTAL** | | 1 pass, 1 fail, 0 not-supported, 0 not-run, 0 error |"),
            "{md}"
        );
        assert!(md.contains("simulator version"));
        assert!(md.contains("firmware: canmv-2026-01"));
    }

    #[test]
    fn junit_marks_failures_skips_and_unexpected_passes() {
        let r = report(
            vec![
                result("a", "sim", Outcome::Pass, Outcome::Pass),
                result("b", "sim", Outcome::Fail, Outcome::Fail),
                result("c", "sim", Outcome::Pass, Outcome::Fail),
                result("d", "sim", Outcome::Error, Outcome::Pass),
            ],
            None,
        );
        let xml = r.to_junit().expect("xml");
        assert!(xml.contains("<testsuite name=\"sim\" tests=\"4\""), "{xml}");
        assert!(
            xml.contains("<skipped message=\"expected fail: D-003\""),
            "{xml}"
        );
        assert!(xml.contains("unexpected pass (expected fail)"), "{xml}");
        assert!(
            xml.contains("<error message=\"expected ok, got EXIST\" type=\"error\""),
            "{xml}"
        );
        assert!(xml.contains("simulator version"), "{xml}");
    }

    #[test]
    fn partitions_merge_and_overlaps_are_refused() {
        let one = report(
            vec![result("a", "sim", Outcome::Pass, Outcome::Pass)],
            Some((1, 2)),
        );
        let two = report(
            vec![result("b", "sim", Outcome::Fail, Outcome::Pass)],
            Some((2, 2)),
        );
        let back = Report::from_json(&two.to_json()).expect("round trip");
        let merged = Report::merge(vec![one.clone(), back]).expect("merge");
        assert_eq!(merged.cases.len(), 2);
        assert_eq!(merged.partitions, vec!["1/2", "2/2"]);
        assert_eq!(merged.totals["fail"], 1);
        assert_eq!(merged.unexpected.len(), 1);
        assert!((merged.duration_s - 3.0).abs() < 1e-9);
        assert!(Report::merge(vec![one.clone(), one]).is_err());
        assert!(Report::merge(Vec::new()).is_err());
    }
}
