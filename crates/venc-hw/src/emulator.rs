//! The emulated board: the very `agent/venc_agent.py` a K230 runs, run on this PC by
//! `canmv-run` (the Python front, `crates/canmv-host`) against the simulator, on loopback.
//!
//! It stands in for a board in CI; everything it answers is the simulator's, so it proves the
//! protocol, the agent and the client, never the silicon. Reports label it `hw-emulated`.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// The agent script, as shipped to boards.
pub const AGENT_SOURCE: &str = include_str!("../agent/venc_agent.py");

/// How long the agent may take to start listening (CPython start-up, imports).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A running emulated board; stopped (killed) when dropped.
#[derive(Debug)]
pub struct EmulatedBoard {
    child: Child,
    url: String,
    log: Arc<Mutex<String>>,
    _dir: tempfile::TempDir,
}

/// Where `canmv-run` is: `$VENC_CANMV_RUN`, the workspace's `target/py` (made by
/// `cargo xtask python`), or `PATH`.
pub fn canmv_run() -> Result<PathBuf, String> {
    if let Some(p) = std::env::var_os("VENC_CANMV_RUN") {
        return Ok(PathBuf::from(p));
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = workspace.join("target/py/bin/canmv-run");
    if venv.is_file() {
        return Ok(venv);
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("canmv-run"))
            .find(|p| p.is_file())
    });
    on_path.ok_or_else(|| {
        "the emulated board needs the Python front's canmv-run: run `cargo xtask python` \
         (or set VENC_CANMV_RUN)"
            .into()
    })
}

impl EmulatedBoard {
    /// Starts the agent on 127.0.0.1, on `port` (0: any free port), and waits until it listens.
    pub fn start(port: u16) -> Result<Self, String> {
        Self::start_with(port, &[])
    }

    /// [`EmulatedBoard::start`] with `canmv-run` options, e.g. `["--firmware", "canmv-2026-07"]`
    /// for a board on another firmware generation.
    pub fn start_with(port: u16, canmv_run_args: &[&str]) -> Result<Self, String> {
        let runner = canmv_run()?;
        let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
        let script = dir.path().join("venc_agent.py");
        std::fs::write(&script, AGENT_SOURCE).map_err(|e| format!("{}: {e}", script.display()))?;
        let mut child = Command::new(&runner)
            .arg("--sdcard")
            .arg(dir.path().join("sdcard"))
            .args(canmv_run_args)
            .arg(&script)
            .args(["--", "--host", "127.0.0.1", "--port", &port.to_string()])
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{}: {e}", runner.display()))?;
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    if let Some(addr) = line.split("listening on ").nth(1) {
                        let _ = tx.send(addr.split_whitespace().next().unwrap_or("").to_owned());
                    }
                    append(&log, &line);
                }
            });
        }
        if let Some(mut err) = child.stderr.take() {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut text = String::new();
                let mut buf = [0; 4096];
                while let Ok(n) = err.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    text.push_str(&String::from_utf8_lossy(&buf[..n]));
                    while let Some(i) = text.find('\n') {
                        append(&log, &text[..i]);
                        text.drain(..=i);
                    }
                }
            });
        }
        let mut board = Self {
            child,
            url: String::new(),
            log,
            _dir: dir,
        };
        match rx.recv_timeout(START_TIMEOUT) {
            Ok(addr) if !addr.is_empty() => {
                board.url = format!("tcp://{addr}");
                Ok(board)
            }
            _ => {
                let _ = board.child.kill();
                let _ = board.child.wait();
                // Let the reader threads drain what the agent said before it died.
                std::thread::sleep(Duration::from_millis(100));
                Err(format!(
                    "the emulated board did not start listening within {} s:\n{}",
                    START_TIMEOUT.as_secs(),
                    board.log()
                ))
            }
        }
    }

    /// `tcp://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Whether the agent process still runs.
    /// The board's process (its memory can be read in `/proc/<pid>`).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Everything the agent and `canmv-run` printed so far.
    pub fn log(&self) -> String {
        self.log
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Blocks until the agent process ends (for `cargo xtask board-emulator`).
    pub fn wait(mut self) -> Result<std::process::ExitStatus, String> {
        self.child.wait().map_err(|e| e.to_string())
    }
}

fn append(log: &Mutex<String>, line: &str) {
    let mut log = log.lock().unwrap_or_else(PoisonError::into_inner);
    log.push_str(line);
    log.push('\n');
}

impl Drop for EmulatedBoard {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
