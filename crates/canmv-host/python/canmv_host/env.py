"""The MicroPython and CanMV environment a script expects, installed into CPython.

- ``media.vencoder``, ``media.sensor``, ``media.media``, ``uctypes`` (from ``firmware/``);
- ``os.exitpoint`` and its flags, ``sys.print_exception``;
- MicroPython's ``time.ticks_ms/ticks_us/ticks_diff/ticks_add/sleep_ms/sleep_us`` and
  ``time.clock()``;
- paths under ``/sdcard`` mapped to a folder on the PC.
"""

import builtins
import os
import sys
import time
import traceback
from pathlib import Path

FIRMWARE_DIR = Path(__file__).parent / "firmware"

# Values are the simulator's: the facts do not give the firmware's, and scripts only pass
# them back to os.exitpoint.
EXITPOINT_DISABLE = 0
EXITPOINT_ENABLE = 1
EXITPOINT_ENABLE_SLEEP = 2

_state = {"installed": False, "sdcard": None, "exitpoint": EXITPOINT_DISABLE}


def _exitpoint(flag=None):
    """``os.exitpoint([flag])``: on the board, where the IDE's stop button is honoured. Ctrl-C
    raises KeyboardInterrupt on its own here; a flag is remembered, as the board does."""
    if flag is not None:
        _state["exitpoint"] = int(flag)
        return None
    return False


def _print_exception(exc, file=None):
    """``sys.print_exception(exc, file=sys.stdout)``."""
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=file or sys.stdout)


class _Clock:
    """``time.clock()``: frames per second between ``tick()`` calls."""

    def __init__(self):
        self._last = None
        self._fps = 0.0

    def tick(self):
        now = time.perf_counter()
        if self._last is not None and now > self._last:
            self._fps = 1.0 / (now - self._last)
        self._last = now

    def fps(self):
        return self._fps


def _ticks(scale):
    return lambda: int(time.monotonic_ns() // scale) & 0x3FFF_FFFF


def _patch_time():
    time.ticks_ms = _ticks(1_000_000)
    time.ticks_us = _ticks(1_000)
    time.ticks_cpu = _ticks(1)
    time.ticks_diff = lambda new, old: ((new - old + 0x2000_0000) & 0x3FFF_FFFF) - 0x2000_0000
    time.ticks_add = lambda t, delta: (t + delta) & 0x3FFF_FFFF
    time.sleep_ms = lambda ms: time.sleep(ms / 1000)
    time.sleep_us = lambda us: time.sleep(us / 1_000_000)
    time.clock = _Clock


def sdcard_path(path):
    """The PC path for a board path: ``/sdcard/x`` → ``SDCARD/x``; other paths unchanged."""
    root = _state["sdcard"]
    if root is None or not isinstance(path, str):
        return path
    if path == "/sdcard" or path.startswith("/sdcard/"):
        return os.fspath(Path(root) / path[len("/sdcard") :].lstrip("/"))
    return path


def _mapping(fn, nargs=1):
    def mapped(*args, **kwargs):
        args = tuple(sdcard_path(a) if i < nargs else a for i, a in enumerate(args))
        return fn(*args, **kwargs)

    mapped.__name__ = getattr(fn, "__name__", "mapped")
    mapped.__doc__ = getattr(fn, "__doc__", None)
    return mapped


def _patch_sdcard():
    builtins.open = _mapping(builtins.open)
    for name in ("listdir", "stat", "mkdir", "remove", "rmdir", "chdir"):
        setattr(os, name, _mapping(getattr(os, name)))
    os.rename = _mapping(os.rename, nargs=2)


def install(sdcard=None):
    """Makes the firmware's modules importable and patches ``os``, ``sys`` and ``time``.
    With ``sdcard``, paths under ``/sdcard`` go to that folder. Safe to call twice."""
    if sdcard is not None:
        _state["sdcard"] = os.fspath(sdcard)
    if _state["installed"]:
        return
    _state["installed"] = True
    sys.path.insert(0, os.fspath(FIRMWARE_DIR))
    os.exitpoint = _exitpoint
    os.EXITPOINT_DISABLE = EXITPOINT_DISABLE
    os.EXITPOINT_ENABLE = EXITPOINT_ENABLE
    os.EXITPOINT_ENABLE_SLEEP = EXITPOINT_ENABLE_SLEEP
    sys.print_exception = _print_exception
    _patch_time()
    _patch_sdcard()
