"""Scenario files (``canmv-run --scenario FILE``): what happens around a script, on the board
clock, and what must hold after it (docs/ci.md has every step).

A scenario is TOML in the conformance suite's shape: ``id``, ``title``, settings, and
``steps = [ { do = "...", ... }, ... ]`` run in order. The live steps (``wait_text``, ``wait``,
``wifi``, ``fault``, ``disarm``, ``source``, ``expect_screen``, ``stop``) act while the script
runs, on the board's clock: on a deterministic board they fall at the same board times on every run. The first
``expect_*`` step waits for the script to end (stop it first with ``stop`` if it would not end
by itself); the expectations are checked on what it left.
"""

import json
import os
import threading
import tomllib
from pathlib import Path

from . import _native, env

# Settings a scenario may give; the command line's flags win over them.
SETTINGS = {
    "script": str, "firmware": str, "timing": str, "source": str, "timeout_ms": (int, float),
    "expect_text": list, "fail_text": list, "args": list,
}

# Each step: its keys (required ones first, then optional) and their types.
STEPS = {
    "wait_text": ({"text": str}, {"within_ms": (int, float)}),
    "wait": ({"ms": (int, float)}, {}),
    "wifi": ({"state": str}, {}),
    "fault": ({"spec": str}, {}),
    "disarm": ({}, {}),
    "source": ({"source": str}, {}),
    "stop": ({}, {}),
    "expect_file": ({"path": str}, {
        "codec": str, "frames_min": int, "frames_max": int, "size_min": int, "size_max": int,
        "width": int, "height": int, "decodes": bool}),
    "expect_trace": ({"call": str}, {
        "chn": int, "result": str, "count_min": int, "count_max": int}),
    # The display's screen at that board time (docs/display.md): its size, a pixel's colour,
    # or the whole screen against a picture (JPEG, PNG or BMP beside the scenario).
    "expect_screen": ({}, {
        "width": int, "height": int, "pixel": list, "color": list, "tolerance": int,
        "matches": str, "psnr_min": (int, float)}),
}
LIVE = ("wait_text", "wait", "wifi", "fault", "disarm", "source", "expect_screen", "stop")
_WIFI_STATES = ("up", "down")


class ScenarioError(ValueError):
    """A scenario file that does not parse or names what does not exist."""


def _check_type(where, key, value, kind):
    if isinstance(value, bool) and kind is not bool and bool not in (
            kind if isinstance(kind, tuple) else (kind,)):
        raise ScenarioError(f"{where}: {key} must be a {_kind_name(kind)}, not a boolean")
    if not isinstance(value, kind):
        raise ScenarioError(f"{where}: {key} must be a {_kind_name(kind)}, not "
                            f"{type(value).__name__} {value!r}")


def _kind_name(kind):
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {int: "number", float: "number", str: "string", bool: "boolean", list: "list"}
    return " or ".join(sorted({names[k] for k in kinds}))


def load(path):
    """The scenario in ``path``: ``{"id", "title", "settings", "steps", "folder"}``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ScenarioError(f"{path}: {e.strerror or e}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ScenarioError(f"{path}: not TOML: {e}") from None
    where = str(path)
    unknown = set(data) - set(SETTINGS) - {"id", "title", "steps"}
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} (known: id, "
                            f"title, steps, {', '.join(SETTINGS)})")
    settings = {}
    for key, kind in SETTINGS.items():
        if key in data:
            _check_type(where, key, data[key], kind)
            settings[key] = data[key]
    for key in ("expect_text", "fail_text", "args"):
        for item in settings.get(key, ()):
            _check_type(where, key + " item", item, str)
    if "timeout_ms" in settings and not settings["timeout_ms"] > 0:
        raise ScenarioError(f"{where}: timeout_ms must be above 0")
    steps = data.get("steps", [])
    if not isinstance(steps, list):
        raise ScenarioError(f"{where}: steps must be a list of tables")
    checked = [_check_step(f"{where}: step {i + 1}", s) for i, s in enumerate(steps)]
    seen_expect = False
    for i, step in enumerate(checked):
        if step["do"] in LIVE and seen_expect:
            raise ScenarioError(f"{where}: step {i + 1} ({step['do']}) comes after an expect "
                                "step, which waits for the script to end: put it before")
        seen_expect = seen_expect or step["do"] not in LIVE
    for i, step in enumerate(checked):
        if step["do"] == "expect_screen" and "matches" in step:
            # Read now: the script's sandbox does not let the supervisor open it later.
            picture = path.resolve().parent / step["matches"]
            try:
                step["_picture"] = picture.read_bytes()
            except OSError as e:
                raise ScenarioError(f"{where}: step {i + 1} (expect_screen): matches "
                                    f"{picture}: {e.strerror or e}") from None
    return {"id": str(data.get("id", path.stem)), "title": str(data.get("title", "")),
            "settings": settings, "steps": checked, "folder": path.resolve().parent}


def _check_step(where, step):
    if not isinstance(step, dict) or "do" not in step:
        raise ScenarioError(f"{where}: a step is a table with a 'do' key")
    do = step["do"]
    if do not in STEPS:
        raise ScenarioError(f"{where}: unknown step {do!r} (known: {', '.join(STEPS)})")
    required, optional = STEPS[do]
    for key, kind in required.items():
        if key not in step:
            raise ScenarioError(f"{where} ({do}): {key} is missing")
    for key, value in step.items():
        if key == "do":
            continue
        kind = required.get(key) or optional.get(key)
        if kind is None:
            raise ScenarioError(f"{where} ({do}): unknown key {key!r} (known: "
                                f"{', '.join([*required, *optional]) or 'none'})")
        _check_type(f"{where} ({do})", key, value, kind)
    if do == "wifi" and step["state"] not in _WIFI_STATES:
        raise ScenarioError(f"{where} (wifi): state must be 'up' or 'down'")
    if do in ("wait", "wait_text"):
        for key in ("ms", "within_ms"):
            if key in step and step[key] < 0:
                raise ScenarioError(f"{where} ({do}): {key} must not be negative")
    if do == "fault":
        try:
            _native.check_fault(step["spec"])
        except ValueError as e:
            raise ScenarioError(f"{where} (fault): {e}") from None
    if do == "expect_file" and not step["path"].startswith("/sdcard/"):
        raise ScenarioError(f"{where} (expect_file): path must be under /sdcard/")
    if do == "expect_screen":
        _check_screen_step(where, step)
    return dict(step)


def _check_screen_step(where, step):
    if ("pixel" in step) != ("color" in step):
        raise ScenarioError(f"{where} (expect_screen): pixel and color go together")
    for key, n in (("pixel", 2), ("color", 3)):
        value = step.get(key)
        if value is not None and (len(value) != n or not all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)):
            raise ScenarioError(f"{where} (expect_screen): {key} must be {n} whole numbers "
                                "of 0 or more")
    if "color" in step and max(step["color"]) > 255:
        raise ScenarioError(f"{where} (expect_screen): color values are 0..255")
    if not any(k in step for k in ("width", "height", "pixel", "matches")):
        raise ScenarioError(f"{where} (expect_screen): give width/height, pixel and color, "
                            "or matches")


def describe(step):
    args = ", ".join(f"{k}={v!r}" for k, v in step.items() if k != "do" and not k.startswith("_"))
    return f"{step['do']}({args})"


class Supervisor:
    """The thread that acts out a scenario's live steps and the ``--timeout`` on the board
    clock, beside the script; an actor of a deterministic board, joined in a fixed place."""

    def __init__(self, steps, console, verdict, timeout_ms, signal):
        self._steps = [s for s in steps if s["do"] in LIVE]
        self._console = console
        self._verdict = verdict
        self._signal = signal
        self._timeout_ms = timeout_ms
        self._ended = False
        self._deadline = None
        self.results = []
        self._thread = None

    def start(self):
        if not self._steps and self._timeout_ms is None:
            return
        # The script's thread joins the board's actors first: a deterministic board then waits
        # for it, not only for the supervisor's deadline.
        start = _native.board_ticks_ns()
        if self._timeout_ms is not None:
            self._deadline = start + round(self._timeout_ms * 1e6)
        ticket = _native.board_ticket()
        self._thread = threading.Thread(target=self._run, args=(ticket,),
                                        name="canmv-run-supervisor", daemon=True)
        self._thread.start()

    def end(self):
        """The script has ended: the supervisor's waits return."""
        self._ended = True
        self._signal.notify()

    def join(self):
        if self._thread is not None:
            self._thread.join(timeout=10)

    # -- the thread ------------------------------------------------------------------------
    def _run(self, ticket):
        ticket.board()
        text_from = 0
        for step in self._steps:
            if self._ended:
                break
            at = _board_ms()
            ok, detail, text_from = self._act(step, text_from)
            self.results.append({"step": describe(step), "ok": ok, "at_board_ms": at,
                                 "done_at_board_ms": _board_ms(), "detail": detail})
            if ok is None:  # the script ended or the run timed out meanwhile
                break
            if not ok:
                self._verdict.fail_scenario(f"step {describe(step)}: {detail}")
                break
        self._wait_until(lambda: False, None)  # the timeout still stands

    def _wait_until(self, done, deadline_ns):
        """Waits in board time until ``done()``, the script's end, ``deadline_ns`` or the
        timeout. Returns 'done', 'ended', 'deadline' or 'timeout'."""
        while True:
            seen = self._signal.count()
            if done():
                return "done"
            if self._ended:
                return "ended"
            now = _native.board_now_ns()
            if self._deadline is not None and now >= self._deadline:
                self._verdict.time_out(self._timeout_ms)
                return "timeout"
            if deadline_ns is not None and now >= deadline_ns:
                return "deadline"
            ends = [d for d in (self._deadline, deadline_ns) if d is not None]
            self._signal.wait(seen, min(ends) if ends else None)

    def _act(self, step, text_from):
        do = step["do"]
        if do == "wait_text":
            found = {}

            def seen():
                found["end"] = self._console.find(step["text"], text_from)
                return found["end"] is not None

            within = step.get("within_ms")
            deadline = (_native.board_now_ns() + round(within * 1e6)) if within is not None \
                else None
            how = self._wait_until(seen, deadline)
            if how == "done":
                return True, "seen", found["end"]
            if how == "deadline":
                return False, f"not on the console within {within:g} ms", text_from
            if how == "ended":
                return False, "the script ended before the console showed it", text_from
            return None, "timed out", text_from
        if do == "wait":
            how = self._wait_until(lambda: False, _native.board_now_ns() + round(step["ms"] * 1e6))
            return (True, "", text_from) if how == "deadline" else (None, how, text_from)
        if do == "wifi":
            env.set_wifi(step["state"] == "up")
            return True, "", text_from
        if do == "fault":
            _native.inject_fault(step["spec"])
            return True, "", text_from
        if do == "disarm":
            _native.disarm_faults()
            return True, "", text_from
        if do == "source":
            try:
                _native.change_source(step["source"])
            except ValueError as e:
                return False, str(e), text_from
            return True, "", text_from
        if do == "stop":
            env.request_stop("the scenario's stop step")
            return True, "", text_from
        if do == "expect_screen":
            ok, detail = _expect_screen(step)
            return ok, detail, text_from
        raise AssertionError(do)


def _expect_screen(step):
    """The screen now against the step: (ok, what differs)."""
    from .screen import display_snapshot

    screen = display_snapshot()
    if screen is None:
        return False, "the display is off"
    problems = []
    for key in ("width", "height"):
        if key in step and getattr(screen, key) != step[key]:
            problems.append(f"{key} {getattr(screen, key)}, not {step[key]}")
    if "pixel" in step:
        x, y = step["pixel"]
        if x >= screen.width or y >= screen.height:
            problems.append(f"pixel ({x}, {y}) is off the {screen.width}x{screen.height} screen")
        else:
            got = screen.pixel(x, y)
            worst = max(abs(a - b) for a, b in zip(got, step["color"]))
            if worst > step.get("tolerance", 8):
                problems.append(f"pixel ({x}, {y}) is {list(got)}, not {step['color']}")
    if "_picture" in step:
        try:
            picture = _native.Image._decode(step["_picture"])
        except OSError as e:
            return False, f"matches {step['matches']}: {e}"
        size = (picture.width(), picture.height())
        if size != (screen.width, screen.height):
            problems.append(f"matches {step['matches']}: the picture is {size[0]}x{size[1]}, "
                            f"the screen {screen.width}x{screen.height}")
        else:
            db = _psnr(picture.to_bytes(), screen.rgb)
            if db < step.get("psnr_min", 30):
                problems.append(f"matches {step['matches']}: PSNR {db:.1f} dB, below "
                                f"{step.get('psnr_min', 30)}")
    return not problems, "; ".join(problems) or "as expected"


def _psnr(a, b):
    """PSNR in dB of two equal-length byte strings (inf when equal)."""
    import math

    mse = sum((x - y) * (x - y) for x, y in zip(a, b)) / max(len(a), 1)
    return math.inf if mse == 0 else 10 * math.log10(255 * 255 / mse)


def _board_ms():
    return round(_native.board_now_ns() / 1e6, 3)


def resolve_source(text, folder):
    """A scenario's ``source`` path is relative to the scenario's folder."""
    if text == "pattern" or os.path.isabs(text):
        return text
    return os.fspath(Path(folder) / text)


def check_expectations(steps, card, prober, trace):
    """The ``expect_*`` steps, on what the ended script left: a list of results."""
    results = []
    records = None
    for step in steps:
        if step["do"] == "expect_file":
            ok, detail = _expect_file(step, card, prober)
        elif step["do"] == "expect_trace":
            if records is None:
                records = _read_trace(trace)
            ok, detail = _expect_trace(step, records)
        else:
            continue
        results.append({"step": describe(step), "ok": ok, "at_board_ms": None,
                        "detail": detail})
    return results


def _expect_file(step, card, prober):
    host = Path(card) / step["path"][len("/sdcard/"):]
    if not host.is_file():
        return False, f"{step['path']} was not written"
    size = host.stat().st_size
    problems = []
    if "size_min" in step and size < step["size_min"]:
        problems.append(f"{size} bytes, below size_min {step['size_min']}")
    if "size_max" in step and size > step["size_max"]:
        problems.append(f"{size} bytes, above size_max {step['size_max']}")
    wants_probe = any(k in step for k in ("codec", "frames_min", "frames_max", "width",
                                          "height", "decodes"))
    facts = {}
    if wants_probe:
        facts = prober.probe(host, decode=bool(step.get("decodes")))
        if "error" in facts:
            return False, f"ffprobe: {facts['error']}"
        if "codec" in step and facts.get("codec") != step["codec"]:
            problems.append(f"codec {facts.get('codec')}, not {step['codec']}")
        frames = facts.get("frames")
        if "frames_min" in step and (frames is None or frames < step["frames_min"]):
            problems.append(f"{frames} frames, below frames_min {step['frames_min']}")
        if "frames_max" in step and (frames is None or frames > step["frames_max"]):
            problems.append(f"{frames} frames, above frames_max {step['frames_max']}")
        for key in ("width", "height"):
            if key in step and facts.get(key) != step[key]:
                problems.append(f"{key} {facts.get(key)}, not {step[key]}")
        if step.get("decodes") is True and not facts.get("decodes"):
            problems.append("ffmpeg does not decode it cleanly: "
                            + (facts.get("decode_errors") or "").split("\n")[0])
        if step.get("decodes") is False and facts.get("decodes"):
            problems.append("ffmpeg decodes it cleanly")
    if problems:
        return False, "; ".join(problems)
    summary = f"{size} bytes"
    if facts:
        summary += f", {facts.get('codec')} {facts.get('width')}x{facts.get('height')}, " \
                   f"{facts.get('frames')} frames"
    return True, summary


def _read_trace(trace):
    """The trace's records from ``trace``, a file opened before the sandbox."""
    if trace is None:
        return []
    trace.seek(0)
    return [json.loads(line) for line in trace if line.strip()]


def _expect_trace(step, records):
    hits = [r for r in records if r.get("call") == step["call"]
            and ("chn" not in step or r.get("chn") == step["chn"])
            and ("result" not in step or r.get("result") == step["result"])]
    n = len(hits)
    lo, hi = step.get("count_min", 1), step.get("count_max")
    if n < lo or (hi is not None and n > hi):
        want = f"{lo}..{hi}" if hi is not None else f"at least {lo}"
        return False, f"{n} matching call(s) in the trace, expected {want}"
    return True, f"{n} matching call(s)"
