"""The MicroPython and CanMV runtime a script expects, installed into CPython (firmware facts §6).

- the firmware's modules (``media.*``, ``mpp.*``, ``uctypes``, ``image``, ``machine``) from
  ``firmware/``;
- MicroPython's names: ``u``-prefixed modules (``utime``, ``urandom``, ``uos``, …), the
  ``micropython`` module and a built-in ``const``, ``gc.mem_free``/``mem_alloc``,
  ``sys.print_exception``;
- ``time`` as scripts see it: ``ticks_*``, ``sleep_ms``/``sleep_us``, ``clock()``, and
  ``time.time()`` an int (the board's RTC seconds);
- ``os.exitpoint`` with the board's semantics, and the stop request behind it (the IDE's stop
  button here is ``canmv-run --run-for``/``--max-frames``, see :func:`request_stop`);
- the board's paths ``/sdcard`` and ``/data`` mapped to folders on the PC, for the script's
  ``open``, ``os.*`` and imports through ``sys.path`` (the board's view: :mod:`confine`).
"""

import _thread
import builtins
import gc
import importlib.abc
import importlib.machinery
import os
import sys
import threading
import time
import types
from pathlib import Path

from . import _native, confine, mpsemantics

FIRMWARE_DIR = Path(__file__).parent / "firmware"

# os.EXITPOINT_* (S `port/mp_modules/modos.c:110-125`).
EXITPOINT_DISABLE = 0
EXITPOINT_ENABLE = 1
EXITPOINT_ENABLE_SLEEP = 2

# The MicroPython heap gc.mem_free/mem_alloc report on: the simulator's figure, not a board's.
HEAP_BYTES = 16 << 20

# How long a stop waits for a script whose exitpoint flag holds it before interrupting anyway.
STOP_GRACE_S = 10.0

_ROOTS = ("/sdcard", "/data")

# The simulated network (`network` module): the address a connected interface reports, how
# long a station's connect takes, whether it fails, and the networks `scan()` finds.
# `link` False: the network is gone (a scenario's `wifi` step); `drops` counts its losses.
NETWORK = {"ip": "127.0.0.1", "delay": 0.0, "fail": False, "ssids": ["venc-sim"],
           "link": True, "drops": 0}
_state = {"installed": False, "roots": {}}


def set_wifi(up):
    """Takes the Wi-Fi network away (a connected station loses it) or brings it back."""
    if not up and NETWORK["link"]:
        NETWORK["drops"] += 1
    NETWORK["link"] = bool(up)
_flags = threading.local()
_stop = {"requested": False, "why": None, "delivered": False, "delivering": False,
         "lock": threading.Lock()}


def _flag():
    return getattr(_flags, "value", EXITPOINT_DISABLE)


# ---- the stop request (the IDE's stop button) and os.exitpoint -------------------------------

def request_stop(why):
    """Asks the script to stop, as the IDE's stop button does: a KeyboardInterrupt reaches the
    main thread at once if its exitpoint flag is DISABLE (0), at its next ``os.exitpoint()`` or
    sleep if ENABLE, at its next ``os.exitpoint()`` only if ENABLE_SLEEP (facts §6). A script
    that never gets there is interrupted after :data:`STOP_GRACE_S` seconds, with a note."""
    with _stop["lock"]:
        if _stop["requested"]:
            return
        _stop["requested"], _stop["why"] = True, why
    main_flag = _main_flag["value"]
    if main_flag == EXITPOINT_DISABLE:
        _deliver()
        return

    def grace():
        time.sleep(STOP_GRACE_S)
        with _stop["lock"]:
            late = not _stop["delivered"]
        if late:
            print(f"canmv-run: the script reached no os.exitpoint() within {STOP_GRACE_S:.0f} s "
                  f"of the stop ({why}); interrupting it", file=sys.stderr)
            _deliver()

    threading.Thread(target=grace, name="canmv-stop-grace", daemon=True).start()


# The main thread's flag, readable from the thread that requests the stop.
_main_flag = {"value": EXITPOINT_DISABLE}


def _deliver():
    with _stop["lock"]:
        if _stop["delivered"]:
            return
        _stop["delivered"] = True
        _stop["delivering"] = True
    _native.own_interrupt()
    _thread.interrupt_main()


def take_delivery():
    """True once for a stop :func:`_deliver` sent as a SIGINT (for a SIGINT handler of the
    runner's own, to tell it from the user's Ctrl-C)."""
    with _stop["lock"]:
        taken, _stop["delivering"] = _stop["delivering"], False
    return taken


def mark_delivered():
    """A stop raised directly (a second signal): none is delivered after it."""
    with _stop["lock"]:
        _stop["delivered"] = True


def close_stop():
    """After the script: no stop is delivered any more."""
    with _stop["lock"]:
        _stop["delivered"] = True


def stop_reason():
    """Why the script was asked to stop (``--run-for``, ``--max-frames``), or None."""
    return _stop["why"] if _stop["requested"] else None


def _take_pending(at_sleep):
    """Raises KeyboardInterrupt in the main thread if a held stop may be delivered here."""
    if threading.current_thread() is not threading.main_thread() or not _stop["requested"]:
        return
    flag = _flag()
    if flag == EXITPOINT_ENABLE_SLEEP and at_sleep:
        return
    with _stop["lock"]:
        if _stop["delivered"]:
            return
        _stop["delivered"] = True
    raise KeyboardInterrupt


def _exitpoint(flag=None):
    """``os.exitpoint([flag])``: with a flag, sets this thread's flag and returns the old one
    (flag 0 also delivers a pending stop); without, delivers a pending stop."""
    if flag is None:
        _take_pending(at_sleep=False)
        return None
    old = _flag()
    _flags.value = int(flag)
    if threading.current_thread() is threading.main_thread():
        _main_flag["value"] = int(flag)
    if int(flag) == EXITPOINT_DISABLE:
        _take_pending(at_sleep=False)
    return old


# ---- time --------------------------------------------------------------------------------

class _Clock:
    """``time.clock()``: frames per second between ``tick()`` calls."""

    def __init__(self):
        self._last = None
        self._fps = 0.0
        self._total = 0.0
        self._ticks = 0

    def tick(self):
        now = time.perf_counter()
        if self._last is not None and now > self._last:
            self._fps = 1.0 / (now - self._last)
            self._total += now - self._last
            self._ticks += 1
        self._last = now

    def fps(self):
        return self._fps

    def avg(self):
        """Mean milliseconds between ticks."""
        return 1000.0 * self._total / self._ticks if self._ticks else 0.0

    def reset(self):
        self.__init__()


def board_seconds():
    """Board time (the simulated board's clock: the host's, or dilated or deterministic by
    ``--timing``)."""
    return _native.board_now_ns() / 1e9


def _ticks(scale):
    # A script's read is a board call (on a deterministic board it costs time: a polling
    # loop moves on).
    return lambda: int(_native.board_ticks_ns() // scale) & 0x3FFF_FFFF


def _sleep(seconds):
    """A sleep in board time that the stop request can end (a sleep is an exit point under
    ENABLE): slices of at most 50 ms of board time, counted in whole nanoseconds."""
    deadline = _native.board_now_ns() + max(0, round(seconds * 1e9))
    while True:
        _take_pending(at_sleep=True)
        left = deadline - _native.board_now_ns()
        if left <= 0:
            return
        _native.board_sleep_ns(min(left, 50_000_000))


_host_start_new_thread = _thread.start_new_thread

# The script's own threads that are still running: ident -> name.
_script_threads = {}
_script_threads_lock = threading.Lock()


def _start_new_thread(function, args, kwargs=None):
    """``_thread.start_new_thread`` for scripts: the new thread takes its place among the
    board's actors here, in the starting thread, so a deterministic board runs script threads
    in the same order every time."""
    ticket = _native.board_ticket()

    def run():
        ident = _thread.get_ident()
        with _script_threads_lock:
            _script_threads[ident] = getattr(function, "__name__", "thread")
        try:
            ticket.board()
            function(*args, **(kwargs or {}))
        finally:
            with _script_threads_lock:
                _script_threads.pop(ident, None)

    return _host_start_new_thread(run, ())


def end_script_threads(grace_s=2.0):
    """The script's main thread has ended: its other threads get SystemExit, as on the board
    (facts §6): at their next line, or out of a board call that waits. Returns the names of
    those still running after ``grace_s`` seconds (blocked outside the board: a socket, say)."""
    _native.end_script()
    _native.board_leave()
    start = time.monotonic()
    asked = set()
    while True:
        with _script_threads_lock:
            running = dict(_script_threads)
        waited = time.monotonic() - start
        if not running or waited >= grace_s:
            return sorted(running.values())
        # A thread in a board wait ends from there within a slice (50 ms): the others get
        # their SystemExit after that, at their next line.
        if waited >= 0.2:
            for ident in running.keys() - asked:
                _native.exit_thread(ident)
                asked.add(ident)
        time.sleep(0.01)


def _board_time_module():
    """The ``time`` module scripts import: CPython's plus MicroPython's names, with ``time()``
    an int. The host's own modules keep CPython's ``time``."""
    board = types.ModuleType("time", "time as the CanMV firmware has it")
    for name in dir(time):
        if not name.startswith("__"):
            setattr(board, name, getattr(time, name))
    board.ticks_ms = _ticks(1_000_000)
    board.ticks_us = _ticks(1_000)
    board.ticks_cpu = _ticks(1)
    board.ticks_diff = lambda new, old: ((new - old + 0x2000_0000) & 0x3FFF_FFFF) - 0x2000_0000
    board.ticks_add = lambda t, delta: (t + delta) & 0x3FFF_FFFF
    board.sleep = _sleep
    board.sleep_ms = lambda ms: _sleep(ms / 1000)
    board.sleep_us = lambda us: _sleep(us / 1_000_000)
    # The epoch clock moves with board time: on a dilated board a script's time() agrees
    # with its ticks.
    epoch_origin = time.time() - board_seconds()
    board.time = lambda: int(epoch_origin + _native.board_ticks_ns() / 1e9)
    board.clock = _Clock
    return board


# ---- MicroPython modules -------------------------------------------------------------------

def _micropython_module():
    mp = types.ModuleType("micropython", "MicroPython's micropython module (the parts scripts use)")
    mp.const = lambda value: value
    mp.opt_level = lambda level=None: 0 if level is None else None
    mp.alloc_emergency_exception_buf = lambda size: None
    mp.heap_lock = lambda: 0
    mp.heap_unlock = lambda: 0
    mp.kbd_intr = lambda char: None
    mp.stack_use = lambda: 0

    def mem_info(verbose=None):
        print(f"stack: 0 out of 65536\nGC: total: {HEAP_BYTES}, used: {_mem_alloc()}, "
              f"free: {_mem_free()}")

    mp.mem_info = mem_info
    mp.qstr_info = lambda verbose=None: print("qstr pool: n_pool=0, n_qstr=0")
    return mp


def _mem_alloc():
    # CPython's live blocks stand for the script's heap use; capped at the modeled heap.
    return min(HEAP_BYTES, sys.getallocatedblocks() * 32)


def _mem_free():
    return HEAP_BYTES - _mem_alloc()


def _print_exception(exc, file=None):
    """``sys.print_exception(exc, file=sys.stdout)``, the message as the board words it."""
    (file or sys.stdout).write(mpsemantics.format_exception(exc, exc.__traceback__))


_U_MODULES = {
    "uos": "os", "urandom": "random", "ustruct": "struct", "ujson": "json", "ure": "re",
    "ubinascii": "binascii", "ucollections": "collections", "uio": "io", "uselect": "select",
    "usocket": "socket", "uhashlib": "hashlib", "uerrno": "errno", "uzlib": "zlib",
    "uheapq": "heapq", "uarray": "array", "uasyncio": "asyncio", "ussl": "ssl",
    "utime": "time",
    "umpp": "mpp",
}


class _UModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """``import urandom`` and friends: MicroPython's ``u``-names for the CPython modules."""

    def find_spec(self, name, path=None, target=None):
        if name in _U_MODULES:
            return importlib.machinery.ModuleSpec(name, self)
        return None

    def create_module(self, spec):
        target = _U_MODULES[spec.name]
        return sys.modules[target] if target == "time" else importlib.import_module(target)

    def exec_module(self, module):
        pass


# ---- the board's paths -------------------------------------------------------------------

def board_path(path):
    """The PC path for a board path: ``/sdcard/x`` → ``SDCARD/x``, ``/data/x`` → ``DATA/x``,
    checked (:func:`confine.host_path`) once ``canmv-run`` has mapped the board's folders;
    before that (the package used as a library), paths unchanged."""
    if not _state["roots"]:
        return path
    return confine.host_path(path)


sdcard_path = board_path  # the name the first versions exported


class _BoardPaths(importlib.abc.MetaPathFinder):
    """Imports through ``sys.path`` entries that are board paths (``/sdcard/libs``), looked up
    in the mapped folders; such a module sees the board as the script does."""

    def find_spec(self, name, path=None, target=None):
        if path is not None or not _state["roots"]:
            return None
        mapped = []
        for p in sys.path:
            if isinstance(p, str) and p.startswith("/") and any(
                    p == root or p.startswith(root + "/") for root in _ROOTS):
                try:
                    mapped.append(board_path(p))
                except OSError:
                    continue
        if not mapped:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, mapped, target)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = confine.BoardLoader(spec.loader.name, spec.loader.path)
        return spec


# Folders the firmware image has (facts §6): per generation, what a script may expect.
IMAGE_FOLDERS = {
    "old": ("/sdcard/app", "/sdcard/app/libs", "/sdcard/app/tests", "/sdcard/res/font"),
    "new": ("/sdcard/libs", "/sdcard/res/font", "/sdcard/examples", "/data", "/data/lib"),
}
SYS_PATH = {
    "old": ("/sdcard/app", "/sdcard"),
    "new": ("/sdcard", "/data", "/data/lib"),
}


def install(sdcard=None, data=None, layout="new"):
    """Makes the firmware's modules importable and installs the runtime. With ``sdcard`` /
    ``data``, those board paths go to the given folders, made with the image's folders of
    ``layout`` (``old``: v0.7/v1.0, ``new``: later). Safe to call twice."""
    roots = {}
    if sdcard is not None:
        roots["/sdcard"] = Path(sdcard)
    if data is not None:
        roots["/data"] = Path(data)
    for folder in IMAGE_FOLDERS[layout]:
        for root, host in roots.items():
            if folder == root or folder.startswith(root + "/"):
                (host / folder[len(root):].lstrip("/")).mkdir(parents=True, exist_ok=True)
    if roots:
        _state["roots"].update({root: os.fspath(host) for root, host in roots.items()})
        confine.set_roots(_state["roots"])
    if _state["installed"]:
        _apply_generation()
        return
    _state["installed"] = True
    sys.path.insert(0, os.fspath(FIRMWARE_DIR))
    sys.path.extend(p for p in SYS_PATH[layout] if p not in sys.path)
    sys.meta_path.append(_BoardPaths())
    sys.meta_path.append(_UModules())
    os.exitpoint = _exitpoint
    os.EXITPOINT_DISABLE = EXITPOINT_DISABLE
    os.EXITPOINT_ENABLE = EXITPOINT_ENABLE
    os.EXITPOINT_ENABLE_SLEEP = EXITPOINT_ENABLE_SLEEP
    sys.print_exception = _print_exception
    gc.mem_free = _mem_free
    gc.mem_alloc = _mem_alloc
    builtins.const = lambda value: value
    sys.modules["micropython"] = _micropython_module()
    sys.modules["time"] = _board_time_module()
    _thread.start_new_thread = _start_new_thread
    confine.install_facades(_exitpoint, {
        "EXITPOINT_DISABLE": EXITPOINT_DISABLE, "EXITPOINT_ENABLE": EXITPOINT_ENABLE,
        "EXITPOINT_ENABLE_SLEEP": EXITPOINT_ENABLE_SLEEP})
    _apply_generation()


def _exitpoint_v0(flag=None):
    """``os.exitpoint`` of v0.3–v0.6: as later, but returns None (oldgen facts §1.5)."""
    _exitpoint(flag)


_EXITPOINT_NAMES = ("exitpoint", "EXITPOINT_DISABLE", "EXITPOINT_ENABLE", "EXITPOINT_ENABLE_SLEEP")


def _apply_generation():
    """The board's ``os`` of the configured generation: no ``exitpoint`` before v0.3, one that
    returns None in v0.3–v0.6, the old flag from v0.7 (oldgen facts §1.5)."""
    traits = _native.board_info()["traits"]
    board_os = confine.board_module("os")
    if not traits["exitpoint"]:
        for name in _EXITPOINT_NAMES:
            board_os.__dict__.pop(name, None)
        return
    board_os.exitpoint = _exitpoint if traits["exitpoint_returns_flag"] else _exitpoint_v0
    board_os.EXITPOINT_DISABLE = EXITPOINT_DISABLE
    board_os.EXITPOINT_ENABLE = EXITPOINT_ENABLE
    board_os.EXITPOINT_ENABLE_SLEEP = EXITPOINT_ENABLE_SLEEP
