"""``canmv-run`` as a CI test: the board's console, its expected and forbidden texts, the
board-time timeout, the verdict, its exit status and the reports (docs/ci.md).

The console is what the board's serial console would show: what the script prints (and the
firmware's modules print for it) and the traceback of an uncaught exception. ``canmv-run``'s
own notes (``canmv-run: …`` on stderr) and the simulator's log are not on it.
"""

import json
import os
import threading
import xml.etree.ElementTree as ET

# The simulator is imported where it is used: the pytest plugin uses the console matcher in a
# process that runs no board.

# Exit statuses (docs/ci.md has the table). 1-3 and 128+N are canmv-run's from before.
EXIT_PASS = 0
EXIT_EXCEPTION = 1
EXIT_USAGE = 2
EXIT_MEMORY_FAULT = 3
EXIT_EXPECT_MISSING = 4
EXIT_FAIL_TEXT = 5
EXIT_SCENARIO_FAILED = 6
EXIT_TIMEOUT = 42  # Wokwi's CLI's code for a simulation timeout, so CI set-ups carry over

# Console text kept for matching; older text is dropped (a script printing for hours).
_KEEP_CHARS = 4 << 20
_TAIL_LINES = 30


class Console:
    """Stands for ``sys.stdout`` while the script runs: what is written goes to the real
    stdout, to ``--console-log`` and to the matcher; every write wakes the supervisor."""

    def __init__(self, out, log=None, expect=(), fail=(), signal=None, clock_ms=None):
        self._out = out
        self._clock_ms = clock_ms or _board_ms
        self.log_error = None
        self._log = log
        self._lock = threading.RLock()
        self._text = ""
        self._base = 0  # characters dropped from the front of _text
        self._expect = list(expect)
        self._expect_at = []  # board ms each expected text was seen at
        self._expect_from = 0  # where the next expected text may start
        self._fail = list(fail)
        self.failed_text = None
        self.failed_at_ms = None
        self._signal = signal
        self.on_all_expected = None
        self.on_fail_text = None
        # A stop a match asks for waits for the line's end: the line reaches the console whole.
        self._due = []
        self.encoding = getattr(out, "encoding", "utf-8")
        self.errors = getattr(out, "errors", "strict")

    # -- the TextIO a script uses --------------------------------------------------------
    def write(self, s):
        if not isinstance(s, str):
            raise TypeError(f"write() argument must be str, not {type(s).__name__}")
        self._out.write(s)
        self.feed(s)
        return len(s)

    def flush(self):
        self._run_due()
        self._out.flush()

    def isatty(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        return self._out.fileno()

    @property
    def buffer(self):
        return self._out.buffer

    # -- the runner's side --------------------------------------------------------------
    def feed(self, s):
        """Console text that did not go through stdout (the traceback the board prints)."""
        if not s:
            return
        actions = []
        with self._lock:
            if self._log is not None:
                try:
                    self._log.write(s)
                except OSError as e:
                    # The script must not fail for the log's sake: the runner reports it.
                    self.log_error, self._log = e, None
            start = len(self._text)
            self._text += s
            actions = self._scan(start)
            if len(self._text) > _KEEP_CHARS:
                cut = len(self._text) - _KEEP_CHARS // 2
                cut = min(cut, self._expect_from - self._base)
                if cut > 0:
                    self._text = self._text[cut:]
                    self._base += cut
        if self._signal is not None:
            self._signal.notify()
        self._due.extend(actions)
        if "\n" in s:
            self._run_due()

    def script_ended(self):
        """Text from now on is still matched (a traceback can be a --fail-text) but asks for
        no stop: the script is no longer there to stop."""
        with self._lock:
            self.on_all_expected = self.on_fail_text = None
            self._due = []

    def _run_due(self):
        due, self._due = self._due, []
        for action in due:
            action()

    def _scan(self, start):
        actions = []
        now_ms = self._clock_ms()
        if self.failed_text is None:
            longest = max((len(t) for t in self._fail), default=0)
            window_from = max(0, start - longest + 1)
            for text in self._fail:
                if self._text.find(text, window_from) >= 0:
                    self.failed_text, self.failed_at_ms = text, now_ms
                    if self.on_fail_text:
                        actions.append(self.on_fail_text)
                    break
        progressed = False
        while len(self._expect_at) < len(self._expect):
            text = self._expect[len(self._expect_at)]
            found = self._text.find(text, self._expect_from - self._base)
            if found < 0:
                break
            self._expect_from = self._base + found + len(text)
            self._expect_at.append(now_ms)
            progressed = True
        if progressed and self.all_expected() and self.on_all_expected:
            actions.append(self.on_all_expected)
        return actions

    def find(self, text, since):
        """Where ``text`` ends if it appeared at or after position ``since`` (None if not)."""
        with self._lock:
            found = self._text.find(text, max(0, since - self._base))
            return None if found < 0 else self._base + found + len(text)

    def position(self):
        with self._lock:
            return self._base + len(self._text)

    def all_expected(self):
        return len(self._expect_at) == len(self._expect)

    def expected(self):
        return [{"text": t, "seen_at_board_ms": self._expect_at[i] if i < len(self._expect_at)
                 else None} for i, t in enumerate(self._expect)]

    def missing(self):
        return self._expect[len(self._expect_at):]

    def tail(self, lines=_TAIL_LINES):
        with self._lock:
            return "\n".join(self._text.rstrip("\n").split("\n")[-lines:])

    def text(self):
        with self._lock:
            return self._text


def _board_ms():
    from . import _native

    return round(_native.board_now_ns() / 1e6, 3)


def _request_stop(why):
    from . import env

    env.request_stop(why)


class Verdict:
    """What decides the exit status: the first of the decisive events wins its reason."""

    def __init__(self):
        self._lock = threading.Lock()
        self.timed_out_at_ms = None
        self.scenario_failure = None
        self.reason = None

    def time_out(self, timeout_ms):
        with self._lock:
            if self.timed_out_at_ms is None:
                self.timed_out_at_ms = _board_ms()
                self.reason = self.reason or f"timed out after {timeout_ms:g} ms of board time"
        _request_stop(f"--timeout {timeout_ms:g}")

    def fail_scenario(self, why):
        with self._lock:
            if self.scenario_failure is None:
                self.scenario_failure = why
                self.reason = self.reason or why
        _request_stop("a scenario step failed")

    def status(self, script_status, console, memory_faults, signal_status):
        """The exit status and the verdict's one-word name."""
        if memory_faults:
            return EXIT_MEMORY_FAULT, "crash"
        if signal_status:
            return signal_status, "interrupted"
        if console.failed_text is not None:
            return EXIT_FAIL_TEXT, "fail"
        if self.scenario_failure is not None:
            return EXIT_SCENARIO_FAILED, "fail"
        if self.timed_out_at_ms is not None:
            return EXIT_TIMEOUT, "timeout"
        if script_status:
            return script_status, "error"
        if not console.all_expected():
            return EXIT_EXPECT_MISSING, "fail"
        return EXIT_PASS, "pass"

    def describe(self, status, console, memory_faults):
        if status == EXIT_PASS:
            return "passed"
        if memory_faults:
            return f"the script did {memory_faults} time(s) what crashes the board"
        if console.failed_text is not None:
            return (f"forbidden text {console.failed_text!r} on the console at "
                    f"{console.failed_at_ms:g} ms")
        if self.reason:
            return self.reason
        if status == EXIT_EXPECT_MISSING:
            return "the script ended before the console showed " + ", ".join(
                repr(t) for t in console.missing())
        if status == EXIT_EXCEPTION:
            return "the script raised an exception it did not catch"
        return f"the script ended with status {status}"


def card_files(card):
    """Every file under the /sdcard folder: board path → (size, mtime_ns)."""
    found = {}
    for folder, _dirs, files in os.walk(card):
        for name in files:
            host = os.path.join(folder, name)
            try:
                st = os.stat(host)
            except OSError:
                continue
            rel = os.path.relpath(host, card).replace(os.sep, "/")
            found["/sdcard/" + rel] = (host, st.st_size, st.st_mtime_ns)
    return found


def written_files(before, after):
    """Files the run made or changed under /sdcard: sorted board paths."""
    return sorted(p for p, (_h, size, mtime) in after.items()
                  if p not in before or before[p][1:] != (size, mtime))


MEDIA_SUFFIXES = (".mp4", ".264", ".265", ".h264", ".h265", ".hevc", ".jpg", ".jpeg",
                  ".mjpeg", ".mjpg", ".mkv", ".ts", ".bmp", ".png", ".wav")


def is_media(path):
    return path.lower().endswith(MEDIA_SUFFIXES)


def channel_counters():
    """Each channel's counters over the run, for the channels the run used."""
    from . import _native

    out = {}
    for chn in range(4):
        try:
            stats = _native.channel_run_stats(chn)
        except ValueError:
            continue
        if any(stats.values()):
            out[str(chn)] = dict(stats)
    return out


def write_json(out, report):
    """The report as JSON into the open text file ``out``."""
    json.dump(report, out, indent=2, sort_keys=True)
    out.write("\n")


def write_junit(out, report):
    """The report as a JUnit XML file (the schema Jenkins, GitLab and GitHub's reporters read):
    one suite, one case for the script (or scenario), its console as system-out."""
    name = report.get("scenario_id") or os.path.basename(report["script"])
    suite = ET.Element("testsuite", name="canmv-run", tests="1",
                       failures="0" if report["verdict"] == "pass" else "1",
                       errors="0", time=f"{report['wall_s']:.3f}")
    props = ET.SubElement(suite, "properties")
    for key in ("firmware", "timing", "board_ms", "exit_status", "verdict"):
        ET.SubElement(props, "property", name=key, value=str(report[key]))
    case = ET.SubElement(suite, "testcase", classname="canmv", name=name,
                         time=f"{report['wall_s']:.3f}")
    if report["verdict"] != "pass":
        failure = ET.SubElement(case, "failure", type=report["verdict"],
                                message=report["reason"])
        failure.text = report["console_tail"]
    console = ET.SubElement(case, "system-out")
    console.text = report.get("console", "")
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    ET.ElementTree(suite).write(out, encoding="unicode")
    out.write("\n")

