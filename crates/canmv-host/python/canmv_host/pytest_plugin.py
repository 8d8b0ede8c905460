"""A pytest plugin for a K230 team's CanMV scripts (docs/ci.md): the ``canmv`` fixture runs a
script on the simulator (or on a CanMV board over its USB serial REPL) and returns what the
board showed and left.

    def test_records(canmv):
        run = canmv.run("record.py", timeout_ms=5000, expect_text=["done"])
        run.assert_passed()
        assert run.files["/sdcard/out.mp4"]["frames"] >= 30

    @pytest.mark.canmv_firmware("canmv-2025-04", "canmv-2026-01")
    def test_every_generation(canmv):
        ...

Options: ``--canmv-target sim`` (default) or ``board:PORT``; ``--canmv-firmware NAME`` and
``--canmv-timing NAME`` for the runs that do not name theirs. A failing test's report shows
the console tail of each run it made. Loaded through the ``pytest11`` entry point; it imports
nothing of the simulator itself (each run is a ``canmv-run`` process).
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .ci import Console

DEFAULT_FIRMWARE = "canmv-2026-01"
DEFAULT_TIMING = "deterministic"
_TAIL_LINES = 30
_RUNS_KEY = pytest.StashKey[list]()


def pytest_addoption(parser):
    group = parser.getgroup("canmv", "CanMV K230 scripts (venc-sim)")
    group.addoption("--canmv-target", default="sim", metavar="sim|board:PORT",
                    help="where the canmv fixture runs scripts: sim (venc-sim's canmv-run, "
                    "default) or board:PORT (a CanMV board's USB serial REPL, via mpremote)")
    group.addoption("--canmv-firmware", default=None, metavar="NAME",
                    help=f"firmware generation for runs that name none ({DEFAULT_FIRMWARE})")
    group.addoption("--canmv-timing", default=None, metavar="NAME",
                    help=f"board clock for runs that name none ({DEFAULT_TIMING})")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "canmv_firmware(*names): run the test once per CanMV firmware generation "
        "(the canmv fixture's default firmware)")


def pytest_generate_tests(metafunc):
    marker = metafunc.definition.get_closest_marker("canmv_firmware")
    if marker is None or "canmv" not in metafunc.fixturenames:
        return
    if not marker.args:
        raise pytest.UsageError(f"{metafunc.definition.nodeid}: canmv_firmware needs at least "
                                "one firmware name")
    metafunc.parametrize("canmv_firmware", list(marker.args), ids=list(marker.args))


@pytest.fixture
def canmv_firmware(request):
    """The firmware generation runs use unless they name one."""
    return request.config.getoption("canmv_firmware") or DEFAULT_FIRMWARE


@pytest.fixture
def canmv(request, tmp_path, canmv_firmware):
    """Runs CanMV scripts: ``canmv.run(script, ...)`` returns a :class:`CanmvRun`."""
    target = request.config.getoption("canmv_target")
    timing = request.config.getoption("canmv_timing") or DEFAULT_TIMING
    runs = request.node.stash.setdefault(_RUNS_KEY, [])
    base = Path(request.node.path).parent if getattr(request.node, "path", None) else Path.cwd()
    if target == "sim":
        return Simulator(tmp_path, canmv_firmware, timing, runs, base)
    if target.startswith("board:") and len(target) > len("board:"):
        return Board(tmp_path, target[len("board:"):], canmv_firmware, runs, base)
    raise pytest.UsageError(f"--canmv-target {target}: sim or board:PORT")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    for i, run in enumerate(item.stash.get(_RUNS_KEY, [])):
        report.sections.append((
            f"canmv console: {run.script} ({run.firmware}, run {i + 1}, {run.verdict}, "
            f"status {run.status})", run.console_tail()))


class CanmvRun:
    """One script's run: its verdict and exit status (``canmv-run``'s, docs/ci.md), console,
    board and wall time, the encoder's counters, the files it wrote under /sdcard with
    ffprobe's facts, its MPI trace (simulator only) and the full report."""

    def __init__(self, script, firmware, status, report, console, trace, sdcard):
        self.script = script
        self.firmware = firmware
        self.status = status
        self.report = report
        self.console = console
        self.trace = trace
        self.sdcard = sdcard
        self.verdict = report.get("verdict", "error")
        self.reason = report.get("reason", "")
        self.board_ms = report.get("board_ms")
        self.wall_s = report.get("wall_s")
        self.counters = report.get("counters")
        self.files = {f["path"]: {"size": f["size"], **f.get("probe", {})}
                      for f in report.get("files", [])}
        self.steps = report.get("steps", [])

    @property
    def passed(self):
        return self.status == 0

    def path(self, board_path):
        """The PC path of a board path under /sdcard."""
        if not board_path.startswith("/sdcard/"):
            raise ValueError(f"{board_path}: not under /sdcard/")
        return self.sdcard / board_path[len("/sdcard/"):]

    def console_tail(self, lines=_TAIL_LINES):
        return "\n".join(self.console.rstrip("\n").split("\n")[-lines:])

    def assert_passed(self):
        if not self.passed:
            raise AssertionError(
                f"{self.script} on {self.firmware}: {self.verdict} (status {self.status}): "
                f"{self.reason}\n--- console tail ---\n{self.console_tail()}")
        return self

    def __repr__(self):
        return (f"<CanmvRun {self.script} {self.firmware} {self.verdict} status {self.status} "
                f"board {self.board_ms} ms>")


class Simulator:
    """The ``canmv`` fixture on venc-sim: each run is a ``canmv-run`` process with a fresh
    /sdcard under the test's temporary folder."""

    def __init__(self, tmp_path, firmware, timing, runs, base):
        self._tmp = tmp_path
        self._firmware = firmware
        self._timing = timing
        self._runs = runs
        self._base = base

    def run(self, script, *args, firmware=None, timing=None, timeout_ms=None, expect_text=(),
            fail_text=(), scenario=None, source=None, faults=(), sdcard=None, extra=(),
            host_timeout_s=600):
        """Runs ``script`` (relative to the test file's folder) and returns a CanmvRun.
        ``host_timeout_s`` is a wall-clock guard for a script that never ends and has no
        board-time ``timeout_ms``."""
        script = self._resolve(script)
        n = len(self._runs) + 1
        work = self._tmp / f"canmv-run-{n}"
        work.mkdir(parents=True, exist_ok=True)
        card = Path(sdcard) if sdcard is not None else work / "sdcard"
        paths = {k: work / f"{k}" for k in ("report.json", "console.log", "trace.jsonl")}
        firmware = firmware or self._firmware
        cmd = [sys.executable, "-m", "canmv_host", "-q", "--sdcard", os.fspath(card),
               "--data", os.fspath(work / "data"), "--firmware", firmware,
               "--timing", timing or self._timing, "--json", os.fspath(paths["report.json"]),
               "--console-log", os.fspath(paths["console.log"]),
               "--trace", os.fspath(paths["trace.jsonl"])]
        if timeout_ms is not None:
            cmd += ["--timeout", str(timeout_ms)]
        for text in expect_text:
            cmd += ["--expect-text", text]
        for text in fail_text:
            cmd += ["--fail-text", text]
        if scenario is not None:
            cmd += ["--scenario", os.fspath(self._resolve(scenario))]
        if source is not None:
            cmd += ["--source", os.fspath(source)]
        for spec in faults:
            cmd += ["--fault", spec]
        cmd += [*extra, os.fspath(script)]
        if args:
            cmd += ["--", *map(str, args)]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=host_timeout_s,
                                  check=False)
        except subprocess.TimeoutExpired as e:
            raise AssertionError(f"{script}: canmv-run did not end within {host_timeout_s} s "
                                 "of wall time (give timeout_ms, in board time)") from e
        report = _read_json(paths["report.json"])
        if report is None:
            report = {"verdict": "error", "reason": done.stderr.strip()[-2000:]}
        console = report.get("console", "")
        trace = _read_trace(paths["trace.jsonl"])
        run = CanmvRun(os.fspath(script), firmware, done.returncode, report, console, trace,
                       card)
        run.stderr = done.stderr
        self._runs.append(run)
        return run

    def _resolve(self, script):
        script = Path(script)
        return script if script.is_absolute() else self._base / script


class Board:
    """The ``canmv`` fixture on a CanMV board (``--canmv-target board:PORT``): each run is
    ``mpremote connect PORT run SCRIPT`` over the board's USB serial REPL; the console is what
    the REPL printed and the verdict is decided on the host by the same rules as canmv-run's
    (expected and forbidden text, a traceback is an error, ``timeout_ms`` in wall time since
    the board keeps its own). No trace and no counters come back; files under /sdcard are
    copied back with ``mpremote fs cp`` when asked (``fetch=``)."""

    def __init__(self, tmp_path, port, firmware, runs, base):
        self._tmp = tmp_path
        self._port = port
        self._firmware = firmware
        self._runs = runs
        self._base = base

    def command(self, script):
        mpremote = shutil.which("mpremote")
        if mpremote is None:
            raise pytest.UsageError("--canmv-target board: needs mpremote (pip install "
                                    "mpremote), MicroPython's own tool for a board's REPL")
        return [mpremote, "connect", self._port, "run", os.fspath(script)]

    def run(self, script, *args, timeout_ms=None, expect_text=(), fail_text=(), fetch=(),
            **ignored):
        if args:
            raise pytest.UsageError("a script on the board gets no arguments (sys.argv is "
                                    "empty there)")
        script = Path(script) if Path(script).is_absolute() else self._base / script
        cmd = self.command(script)
        console = Console(_Sink(), expect=expect_text, fail=fail_text, clock_ms=lambda: None)
        status, reason = 0, "passed"
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, check=False,
                                  timeout=None if timeout_ms is None else timeout_ms / 1000)
            console.feed(done.stdout)
            if done.returncode != 0 or "Traceback (most recent call last)" in done.stdout:
                status, reason = 1, (done.stderr.strip() or "the script raised an exception")
        except subprocess.TimeoutExpired as e:
            console.feed(e.stdout.decode() if isinstance(e.stdout, bytes) else e.stdout or "")
            status, reason = 42, f"timed out after {timeout_ms:g} ms (wall time on the board)"
        if console.failed_text is not None:
            status, reason = 5, f"forbidden text {console.failed_text!r} on the console"
        elif status == 0 and not console.all_expected():
            status, reason = 4, "the console never showed " + ", ".join(
                repr(t) for t in console.missing())
        card = self._tmp / f"board-run-{len(self._runs) + 1}" / "sdcard"
        for board_path in fetch:
            local = card / board_path[len("/sdcard/"):]
            local.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([*cmd[:3], "fs", "cp", ":" + board_path, os.fspath(local)],
                           check=False, capture_output=True)
        verdict = {0: "pass", 42: "timeout", 1: "error"}.get(status, "fail")
        report = {"verdict": verdict, "reason": reason, "console": console.text(),
                  "board_ms": None, "counters": None, "files": []}
        run = CanmvRun(os.fspath(script), self._firmware, status, report, console.text(), None,
                       card)
        self._runs.append(run)
        return run


class _Sink:
    encoding = "utf-8"

    def write(self, s):
        return len(s)

    def flush(self):
        pass


def _read_json(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _read_trace(path):
    try:
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError):
        return []
