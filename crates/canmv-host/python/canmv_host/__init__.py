"""Run unmodified CanMV K230 scripts on a PC, against the venc-sim simulator.

``canmv-run SCRIPT.py`` is the usual way in. From Python::

    import canmv_host
    canmv_host.configure(firmware="canmv-2026-01", source="pattern")
    canmv_host.install()          # media.*, uctypes, os.exitpoint, sys.print_exception
    from media.vencoder import *  # now the firmware's modules import as on the board

A test can look at the board's display: ``canmv_host.display_snapshot()`` (None while it is
off) has ``width``, ``height``, ``refresh`` and ``pixel(x, y)``.

A script can read what a channel did with its frames, which the board only prints on its
console: ``canmv_host.channel_stats(0)["frames_dropped"]`` (the board has no such module).

A script (or ``canmv-run --fault``) can make the simulated board fail on purpose, to test its
error handling: ``canmv_host.inject_fault("get-stream-notready@every=5")``; see
``canmv-run --help`` for the kinds, ``canmv_host.faults_injected()`` for what struck.
"""

_FROM_NATIVE = frozenset((
    "MemoryFault", "board_info", "channel_stats", "configure", "disarm_faults",
    "faults_injected", "inject_fault", "query_status", "released_pts",
))
_FROM_ENV = frozenset(("FIRMWARE_DIR", "install"))
_FROM_SCREEN = frozenset(("display_snapshot", "Screen"))


def __getattr__(name):
    # The simulator loads on first use: the pytest plugin (an entry point every pytest in the
    # environment loads) imports this package without running a board.
    if name in _FROM_NATIVE:
        from . import _native

        return getattr(_native, name)
    if name in _FROM_ENV:
        from . import env

        return getattr(env, name)
    if name in _FROM_SCREEN:
        from . import screen

        return getattr(screen, name)
    raise AttributeError(f"module 'canmv_host' has no attribute {name!r}")

__all__ = [
    "FIRMWARE_DIR",
    "MemoryFault",
    "board_info",
    "channel_stats",
    "configure",
    "disarm_faults",
    "display_snapshot",
    "faults_injected",
    "inject_fault",
    "install",
    "query_status",
    "released_pts",
]
