//! `venc conformance`: the conformance suite on a backend, with reports.

use crate::out::Failure;
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use venc_conformance::backends::backend_by_name;
use venc_conformance::case::conformance_dir;
use venc_conformance::{Backend, Expectations, Outcome, Report, Selection, load_dir, run_suite};

/// Report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Markdown table, case × backend, with a TOTAL row.
    Md,
    /// JSON with `cases` and `totals`.
    Json,
    /// JUnit XML.
    Junit,
}

impl Format {
    fn file_name(self) -> &'static str {
        match self {
            Self::Md => "conformance.md",
            Self::Json => "conformance.json",
            Self::Junit => "conformance.xml",
        }
    }
}

#[derive(Args, Debug)]
pub struct ConformanceArgs {
    /// Backends to run on, one after the other into one report: `sim`, `hw` (repeatable or
    /// comma-separated: `--backend sim,hw`).
    #[arg(long, default_value = "sim", value_delimiter = ',')]
    backend: Vec<String>,
    /// The board for `hw`: `tcp://HOST:PORT` where venc_agent.py listens, or `emulated` to start
    /// the emulated board (the same agent under canmv-run on the simulator) for this run.
    #[arg(long, value_name = "URL")]
    board: Option<String>,
    /// Ask the board as a K230 is asked: without its count of released frames
    /// (`RELEASED_PTS`, which only the emulated board has), so the suite's waits use the ring
    /// standing still (D-056). Needs --board.
    #[arg(long, requires = "board")]
    no_released_count: bool,
    /// Only cases whose id contains this.
    #[arg(long)]
    filter: Option<String>,
    /// Run the K-th of N shares of the suite (1-based), for spreading CI over machines.
    #[arg(long, value_name = "K/N", value_parser = Selection::parse_partition)]
    partition: Option<(usize, usize)>,
    /// Report formats to write (repeatable). Without --out they go to standard output.
    #[arg(long = "report", value_enum)]
    reports: Vec<Format>,
    /// Directory for the reports (created if needed).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The conformance directory (cases/, expectations/, snapshots/).
    #[arg(long, value_name = "DIR")]
    suite: Option<PathBuf>,
    /// Merge these JSON reports (from partitions or backends) instead of running.
    #[arg(long, value_name = "JSON", num_args = 1.., conflicts_with_all = ["filter", "partition"])]
    merge: Vec<PathBuf>,
}

/// Runs (or merges) and writes reports; `Ok(false)` when an outcome was not the expected one.
pub fn run(args: &ConformanceArgs) -> Result<bool, Failure> {
    let report = if args.merge.is_empty() {
        run_cases(args)?
    } else {
        let reports = args
            .merge
            .iter()
            .map(|p| {
                let text =
                    std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
                Report::from_json(&text).map_err(|e| format!("{}: {e}", p.display()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Report::merge(reports)?
    };
    write_reports(&report, &args.reports, args.out.as_deref())?;
    let t = &report.totals;
    eprintln!(
        "conformance: {} cases in {:.1} s: {} pass, {} fail, {} not-supported, {} not-run, {} error; {} unexpected",
        report.cases.len(),
        report.duration_s,
        t["pass"],
        t["fail"],
        t["not-supported"],
        t["not-run"],
        t["error"],
        report.unexpected.len()
    );
    for u in &report.unexpected {
        eprintln!("  unexpected: {u}");
    }
    Ok(report.ok())
}

fn run_cases(args: &ConformanceArgs) -> Result<Report, String> {
    let dir = args.suite.clone().unwrap_or_else(conformance_dir);
    let cases_dir = dir.join("cases");
    let (cases, bad) = load_dir(&cases_dir).map_err(|e| format!("{}: {e}", cases_dir.display()))?;
    if let Some(e) = bad.first() {
        return Err(format!("malformed case: {e}"));
    }
    if args.board.is_some() && !args.backend.iter().any(|b| b == "hw") {
        return Err("--board applies to the hw backend: add --backend hw".into());
    }
    // Kept until the run ends: dropping it stops the agent.
    let mut emulator = None;
    let board = match args.board.as_deref() {
        Some("emulated") => {
            let started = venc_hw::EmulatedBoard::start(0)?;
            eprintln!("started the emulated board at {}", started.url());
            Some(emulator.insert(started).url().to_owned())
        }
        other => other.map(str::to_owned),
    };
    let mut reports = Vec::new();
    let mut real_board_ran = false;
    for name in &args.backend {
        let board = if name == "hw" { board.as_deref() } else { None };
        let backend: Arc<dyn Backend> = match board {
            Some(url) if args.no_released_count => {
                let opts = venc_hw::HwOptions {
                    ask_released: false,
                    ..venc_hw::HwOptions::default()
                };
                Arc::new(venc_conformance::backends::HwBackend::connect_with(
                    url, opts,
                )?)
            }
            _ => Arc::from(backend_by_name(name, board)?),
        };
        real_board_ran |= backend.name() == "hw";
        eprintln!("backend {}: {}", backend.name(), backend.describe());
        reports.push(run_on(&dir, &cases, &backend, args)?);
    }
    let mut report = Report::merge(reports)?;
    if args.backend.iter().any(|b| b == "hw") && !real_board_ran {
        // Say so in the report: the emulated board is not a K230.
        report.backends.push(venc_conformance::BackendInfo {
            name: "hw".into(),
            description: "a real K230 board: not run (no board was given; the hw-emulated \
                          column is venc_agent.py on the simulator)"
                .into(),
        });
    }
    Ok(report)
}

fn run_on(
    dir: &Path,
    cases: &[venc_conformance::Case],
    backend: &Arc<dyn Backend>,
    args: &ConformanceArgs,
) -> Result<Report, String> {
    let expectations = Expectations::load(&dir.join("expectations"), backend.name())?;
    let selection = Selection {
        filter: args.filter.clone(),
        partition: args.partition,
    };
    let snapshots = dir.join("snapshots");
    let total = selection.apply(cases).len();
    if total == 0 {
        return Err("no case matches the selection".into());
    }
    let mut done = 0;
    let mut report = run_suite(backend, cases, &expectations, &selection, |r| {
        done += 1;
        eprintln!(
            "[{done:>3}/{total}] {:<6} {:<14} {} ({} ms)",
            r.backend,
            r.outcome.name(),
            r.id,
            r.duration_ms
        );
    });
    // The trace must match the snapshot the suite keeps for the case (any backend).
    for c in &mut report.cases {
        if c.outcome != Outcome::Pass {
            continue;
        }
        match venc_conformance::snapshot_trace(&snapshots, &c.id) {
            Ok(Some(want)) if want != c.trace_text() => {
                c.outcome = Outcome::Fail;
                c.detail = Some(format!(
                    "trace differs from snapshots/{}.snap:\n{}",
                    c.id,
                    c.trace_text()
                ));
            }
            Ok(_) => {}
            Err(e) => {
                c.outcome = Outcome::Error;
                c.detail = Some(e);
            }
        }
    }
    Ok(Report::recounted(report))
}

fn write_reports(report: &Report, formats: &[Format], out: Option<&Path>) -> Result<(), Failure> {
    if let Some(dir) = out {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    for &f in formats {
        let text = match f {
            Format::Md => report.to_markdown(),
            Format::Json => report.to_json(),
            Format::Junit => report.to_junit()?,
        };
        match out {
            Some(dir) => {
                let path = dir.join(f.file_name());
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
                eprintln!("wrote {}", path.display());
            }
            None => crate::out::say!("{text}")?,
        }
    }
    Ok(())
}
