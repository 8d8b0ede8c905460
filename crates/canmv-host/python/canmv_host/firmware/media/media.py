"""``media.media`` as the CanMV firmware exports it, on venc-sim."""

from canmv_host import _native
from mpp.common_struct import k_u64_ptr  # noqa: F401  (the firmware's star imports bring it)
from mpp.vb import *  # noqa: F403

_LINK_DESTROY = _native.board_info()["traits"]["link_destroy"]


class linker:  # noqa: N801 - the firmware's class name, shown in its AttributeError
    """v0.7/v1.0's ``MediaManager.linker``: no ``destroy()``; the link lasts until
    ``MediaManager.deinit()`` (firmware facts §2)."""

    def __init__(self, native):
        self._native = native

    @property
    def src(self):
        return self._native.src

    @property
    def dst(self):
        return self._native.dst

    def __repr__(self):
        return repr(self._native)


class MediaManager:
    """Media buffers and links. ``link`` binds and keeps the link: ``del link`` drops only the
    name; ``link.destroy()`` (from 2025-04-18) or ``MediaManager.deinit()`` unbinds.
    ``MediaManager.Buffer.get(size)`` gives a media buffer (``phys_addr``, ``virt_addr``)."""

    Buffer = _native.Buffer

    @staticmethod
    def init():
        _native.media_init()

    @staticmethod
    def deinit(force=False):
        _native.media_deinit()

    @staticmethod
    def link(src, dst):
        native = _native.media_link(src, dst)
        return native if _LINK_DESTROY else linker(native)
