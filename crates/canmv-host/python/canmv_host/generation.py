"""Which firmware generation the board runs, for the firmware modules' few details that are
not in the traits (``board_info()["traits"]``, from ``Firmware::traits()``): a name and its
place among the generations, oldest first (``canmv-2023-10`` … ``canmv-2026-07``)."""

from . import _native

ORDER = tuple(name for name, _ in _native.FIRMWARES)


def firmware():
    """The configured generation's name."""
    return _native.board_info()["firmware"]


def since(name):
    """Whether the board's generation is ``name`` or a later one."""
    return ORDER.index(firmware()) >= ORDER.index(name)
