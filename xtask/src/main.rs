//! `cargo xtask`: every repository chore.
//!
//! - `deps`: install the system packages the build and tests need (nasm, pkg-config,
//!   libx265-dev, ffmpeg) with apt-get when root, otherwise print the exact command.
//! - `demo`: encode the built-in pattern on the simulator to `out.264` (the README's first command).
//! - `test`: deps, then formatting, clippy (also on `venc-sim` without feature `x265`) and every
//!   test of the workspace (the README's second command; `.ci/run` calls it).
//! - `conformance`: `venc conformance` on the simulator, reports in `target/conformance/`
//!   (extra arguments replace the defaults). `test` runs it last, so CI keeps the reports.
//! - `bench`: raw codec vs the simulator's Encoder table, then the criterion benches.

use clap::{Parser, Subcommand};
use std::process::{Command, ExitCode};

#[derive(Parser)]
#[command(name = "xtask")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Install system packages needed by the build and tests.
    Deps,
    /// Encode the default test pattern to out.264 (extra arguments go to `venc encode`).
    Demo {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Check formatting and lints, then run every test and the conformance suite.
    Test,
    /// Run the conformance suite on the simulator (extra arguments go to `venc conformance`).
    Conformance {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run the benchmarks (release builds).
    Bench {
        /// Only the raw-vs-sim table, not the criterion micro-benchmarks.
        #[arg(long)]
        table_only: bool,
    },
}

/// Debian packages the build and tests need, each with a command that succeeds once it is there:
/// nasm for openh264's assembly, libx265 (found by pkg-config) for H.265, ffmpeg as the
/// independent HEVC decoder of the tests.
const SYSTEM_PACKAGES: &[(&str, &[&str])] = &[
    ("nasm", &["nasm", "-v"]),
    ("pkg-config", &["pkg-config", "--version"]),
    ("libx265-dev", &["pkg-config", "--exists", "x265"]),
    ("ffmpeg", &["ffmpeg", "-version"]),
];

fn have(probe: &[&str]) -> bool {
    Command::new(probe[0])
        .args(&probe[1..])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn run(cmd: &mut Command) -> Result<(), String> {
    eprintln!("+ {cmd:?}");
    let status = cmd.status().map_err(|e| format!("{cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {status}"))
    }
}

fn deps() -> Result<(), String> {
    let missing: Vec<&str> = SYSTEM_PACKAGES
        .iter()
        .filter(|(_, probe)| !have(probe))
        .map(|(pkg, _)| *pkg)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "missing system packages: {}. Install them with:\n  sudo apt-get update && sudo apt-get install -y {}",
            missing.join(" "),
            missing.join(" ")
        ));
    }
    run(Command::new("apt-get").arg("update").arg("-qq"))?;
    run(Command::new("apt-get")
        .args(["install", "-y", "-qq", "--no-install-recommends"])
        .args(&missing)
        .env("DEBIAN_FRONTEND", "noninteractive"))
}

/// `venc conformance`, by default on the simulator with every report in `target/conformance/`.
fn conformance(args: Vec<String>) -> Result<(), String> {
    let args = if args.is_empty() {
        [
            "--backend",
            "sim",
            "--report",
            "md",
            "--report",
            "json",
            "--report",
            "junit",
            "--out",
            "target/conformance",
        ]
        .map(String::from)
        .to_vec()
    } else {
        args
    };
    run(cargo()
        .args([
            "run",
            "--release",
            "--quiet",
            "-p",
            "venc-cli",
            "--",
            "conformance",
        ])
        .args(args))
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Deps => deps(),
        Cmd::Demo { args } => deps().and_then(|()| {
            let args = if args.is_empty() {
                vec!["-o".to_string(), "out.264".to_string()]
            } else {
                args
            };
            run(cargo()
                .args([
                    "run",
                    "--release",
                    "--quiet",
                    "-p",
                    "venc-cli",
                    "--",
                    "encode",
                ])
                .args(args))
        }),
        Cmd::Test => deps()
            .and_then(|()| run(cargo().args(["fmt", "--all", "--", "--check"])))
            .and_then(|()| {
                run(cargo().args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ]))
            })
            // The library as a dependency sees it: without feature `x265` (no GPL code).
            .and_then(|()| {
                run(cargo().args(["clippy", "-p", "venc-sim", "--lib", "--", "-D", "warnings"]))
            })
            .and_then(|()| run(cargo().args(["test", "--workspace", "--release"])))
            .and_then(|()| conformance(Vec::new())),
        Cmd::Conformance { args } => deps().and_then(|()| conformance(args)),
        Cmd::Bench { table_only } => deps()
            .and_then(|()| {
                run(cargo().args([
                    "run",
                    "--release",
                    "--quiet",
                    "-p",
                    "venc-benches",
                    "--bin",
                    "raw-vs-sim",
                    "--",
                    "--json",
                    "target/raw-vs-sim.json",
                ]))
            })
            .and_then(|()| {
                if table_only {
                    Ok(())
                } else {
                    run(cargo().args(["bench", "-p", "venc-benches"]))
                }
            }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}
