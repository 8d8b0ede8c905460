"""What a script under ``canmv-run`` can reach, as a board confines it.

Two layers (docs/canmv.md, "What a script can reach"):

1. **The board's view** (always): the script's ``open``, ``os``, ``io`` and ``builtins`` are
   the board's. ``/sdcard`` and ``/data`` map into their folders with no way out (``..`` is
   resolved as on the board, links are resolved and checked); every other path is not on the
   board (ENOENT). Modules the board's MicroPython does not have and that reach the host's
   processes, native code or files (``subprocess``, ``ctypes``, ``shutil``, …) are absent.
   Modules the script imports from its own folder, ``/sdcard`` or ``/data`` get the same view.
2. **The kernel's sandbox** (Landlock, where the kernel has it; ``--no-sandbox`` opts out):
   nothing may be executed, files are read only in Python's installation, the script's folder
   and the board's folders, and written only in the board's folders. A way around the first
   layer (Python can always find the host's modules through introspection) ends here.
"""

import builtins
import errno
import importlib.abc
import importlib.machinery
import io
import os
import posixpath
import sys
import threading
import types

from . import _native, mpsemantics

# Not on the board, and each reaches the host: its processes, native code, files or signals.
HOST_MODULES = frozenset((
    "subprocess", "_posixsubprocess", "ctypes", "_ctypes", "cffi", "multiprocessing",
    "_multiprocessing", "concurrent", "pty", "posix", "nt", "pwd", "grp", "shutil",
    "tempfile", "pathlib", "glob", "fcntl", "resource", "mmap", "importlib", "runpy",
    "signal", "_signal", "pdb", "code", "webbrowser", "platform", "sysconfig", "site",
))

# Where the board's working directory starts is not in the sources (D-064): /sdcard, where
# the IDE saves scripts.
START_CWD = "/sdcard"

_view = {"roots": {}, "cwd": START_CWD, "refused": 0, "warned": set(),
         "lock": threading.Lock(), "folders": ()}


def set_roots(roots):
    """The board's folders: ``{"/sdcard": host folder, "/data": host folder}``."""
    _view["roots"] = {root: os.path.realpath(folder) for root, folder in roots.items()}


def refused_paths():
    """How many times the script named a path that is not on the board (or leads out of it)."""
    return _view["refused"]


def _refuse(path, code, why):
    with _view["lock"]:
        _view["refused"] += 1
        first = path not in _view["warned"]
        _view["warned"].add(path)
    if first:
        print(f"canmv-run: the script's path {path!r} {why}: refused", file=sys.stderr)
    raise OSError(code, errno.errorcode[code])


def board_absolute(path):
    """A board path made absolute against the board's working directory and normalised as
    the board resolves it (``/sdcard/../etc`` is ``/etc``)."""
    joined = posixpath.join(_view["cwd"], path)
    return "/" + posixpath.normpath(joined).lstrip("/")


def host_path(path):
    """The host path for a path the script names; OSError if it is not on the board."""
    if isinstance(path, int):
        return path  # a descriptor the script already has
    raw = os.fspath(path)
    text = os.fsdecode(raw) if isinstance(raw, bytes) else raw
    if "\0" in text:
        raise ValueError("embedded null byte")
    board = board_absolute(text)
    for root, folder in _view["roots"].items():
        if board == root or board.startswith(root + "/"):
            host = os.path.join(folder, board[len(root):].lstrip("/"))
            real = os.path.realpath(host)
            if os.path.commonpath([real, folder]) != folder:
                _refuse(text, errno.EACCES, f"leads out of {root} through a link (to {real})")
            return os.fsencode(real) if isinstance(raw, bytes) else real
    _refuse(text, errno.ENOENT, "is not on the board (only /sdcard and /data are)")
    return None


# ---- the board's modules ----------------------------------------------------------------

def _as_board(fn):
    """A host OSError as MicroPython says it (``[Errno 2] ENOENT``): no host path in it."""

    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OSError as e:
            if e.errno is None:
                raise
            raise OSError(e.errno, errno.errorcode.get(e.errno, str(e.errno))) from None

    call.__name__ = fn.__name__
    call.__doc__ = fn.__doc__
    return call


@_as_board
def _board_open(file, mode="r", *args, **kwargs):
    return builtins.open(host_path(file), mode, *args, **kwargs)


# The board's ``open``, for modules that read and write the script's files (``image.save``).
open_board = _board_open


def _here(path):
    return host_path(_view["cwd"] if path is None else path)


def _mapped(fn, name):
    def call(path=None, *args):
        return fn(_here(path), *args)

    call.__name__ = name
    return _as_board(call)


def _root_names(path):
    """The board's root holds its mounted folders (what else it holds is not modelled)."""
    if path is not None and board_absolute(os.fsdecode(os.fspath(path))) == "/":
        return sorted(root.lstrip("/") for root in _view["roots"])
    if path is None and _view["cwd"] == "/":
        return sorted(root.lstrip("/") for root in _view["roots"])
    return None


@_as_board
def _listdir(path=None):
    names = _root_names(path)
    return names if names is not None else os.listdir(_here(path))


@_as_board
def _ilistdir(path=None):
    """``os.ilistdir``: (name, type, inode, size) as MicroPython's VFS gives them."""
    names = _root_names(path)
    if names is not None:
        return iter([(name, 0x4000, 0, 0) for name in names])
    entries = []
    with os.scandir(_here(path)) as found:
        for entry in found:
            is_dir = entry.is_dir()
            entries.append((entry.name, 0x4000 if is_dir else 0x8000, 0,
                            0 if is_dir else entry.stat().st_size))
    return iter(entries)


@_as_board
def _chdir(path):
    if not os.path.isdir(host_path(path)):
        raise OSError(errno.ENOENT, "ENOENT")
    _view["cwd"] = board_absolute(os.fsdecode(path))


@_as_board
def _rename(old, new):
    os.rename(host_path(old), host_path(new))


def board_os(exitpoint, flags):
    """MicroPython's ``os`` as the CanMV firmware has it: the VFS calls on board paths, plus
    ``exitpoint``; no ``system``, ``environ``, ``path`` or process calls."""
    m = types.ModuleType("os", "MicroPython's os on the board")
    m.listdir = _listdir
    m.ilistdir = _ilistdir
    for name in ("mkdir", "remove", "rmdir", "stat", "statvfs"):
        setattr(m, name, _mapped(getattr(os, name), name))
    m.rename = _rename
    m.chdir = _chdir
    m.getcwd = lambda: _view["cwd"]
    m.sync = lambda: None
    m.urandom = os.urandom
    m.uname = os.uname
    m.sep = "/"
    m.exitpoint = exitpoint
    for name, value in flags.items():
        setattr(m, name, value)
    return m


def _board_io():
    m = types.ModuleType("io", "MicroPython's io on the board")
    for name in ("BytesIO", "StringIO", "IOBase", "BufferedWriter", "TextIOWrapper"):
        setattr(m, name, getattr(io, name))
    m.open = _board_open
    m.FileIO = _as_board(lambda file, *a, **k: io.FileIO(host_path(file), *a, **k))
    return m


_host_import = builtins.__import__


def _board_import(name, globals=None, locals=None, fromlist=(), level=0):
    if level == 0:
        top = name.partition(".")[0]
        if top in HOST_MODULES:
            raise ModuleNotFoundError(f"no module named '{name}'", name=name)
        facade = _FACADES.get(name)
        if facade is not None:
            return facade
    return _host_import(name, globals, locals, fromlist, level)


_FACADES = {}
# The script's builtins; filled by install_facades (after the runtime added MicroPython's).
BOARD_BUILTINS = {}


def install_facades(exitpoint, flags):
    """Makes ``os``/``uos``, ``io``/``uio`` and ``builtins`` the board's for the script."""
    BOARD_BUILTINS.clear()
    BOARD_BUILTINS.update(builtins.__dict__)
    BOARD_BUILTINS["open"] = _board_open
    BOARD_BUILTINS["print"] = mpsemantics.board_print
    BOARD_BUILTINS["__import__"] = _board_import
    board = board_os(exitpoint, flags)
    board_io = _board_io()
    board_builtins = types.ModuleType("builtins", "the board's builtins")
    board_builtins.__dict__.update(BOARD_BUILTINS)
    _FACADES.update({"os": board, "uos": board, "io": board_io, "uio": board_io,
                     "builtins": board_builtins})


def board_module(name):
    """The board's module ``name`` (``os``, ``io``, ``builtins``) for the firmware's modules
    to re-export; the host's before :func:`install_facades`."""
    return _FACADES.get(name) or __import__(name)


def script_globals():
    """The globals a script starts with: the board's builtins."""
    return {"__builtins__": BOARD_BUILTINS}


class BoardLoader(importlib.machinery.SourceFileLoader):
    """A module from the script's folder or the board's folders: it sees the board too."""

    def exec_module(self, module):
        module.__dict__["__builtins__"] = BOARD_BUILTINS
        super().exec_module(module)


class BoardModules(importlib.abc.MetaPathFinder):
    """Put first in ``sys.meta_path``: a module found in one of ``folders`` (host paths: the
    script's folder, the board's folders) loads with the board's view."""

    def __init__(self, folders):
        self._folders = tuple(os.path.realpath(f) for f in folders)

    def find_spec(self, name, path=None, target=None):
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None or not isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            return None
        origin = os.path.realpath(spec.origin)
        if not any(os.path.commonpath([origin, f]) == f for f in self._folders):
            return None
        spec.loader = BoardLoader(spec.loader.name, spec.loader.path)
        return spec


# ---- the kernel's sandbox ---------------------------------------------------------------

# Host files a Python process reads while it runs (locale, time zone, name lookup, TLS roots).
_SYSTEM_READS = ("/usr", "/lib", "/lib64", "/etc/ld.so.cache", "/etc/localtime",
                 "/etc/hosts", "/etc/resolv.conf", "/etc/nsswitch.conf", "/etc/gai.conf",
                 "/etc/host.conf", "/etc/services", "/etc/protocols", "/etc/ssl",
                 "/dev/urandom", "/dev/random", "/dev/null")


def sandbox_paths(script_folder, board_folders, extra_reads=()):
    """What the sandbox lets the script read and write."""
    reads = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.abspath(__file__)), script_folder, *extra_reads}
    # Packages installed outside the prefixes (a user site).
    reads.update(p for p in sys.path if isinstance(p, str) and os.path.isabs(p)
                 and ("site-packages" in p or "dist-packages" in p))
    reads.update(_SYSTEM_READS)
    # GStreamer's plugin registry (the RTSP server): without it every run rescans the plugins.
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    reads.add(os.environ.get("GST_REGISTRY") or os.path.join(cache, "gstreamer-1.0"))
    writes = set(board_folders) | {"/dev/null"}
    exists = lambda p: os.path.exists(p)  # noqa: E731 - rules need the path to exist
    return sorted(filter(exists, reads)), sorted(filter(exists, writes))


def apply_sandbox(script_folder, board_folders, extra_reads=()):
    """Applies the kernel sandbox; returns its status dict (``status`` full/partial/none)."""
    reads, writes = sandbox_paths(script_folder, board_folders, extra_reads)
    return _native.sandbox(reads, writes)
