"""``media.media`` as the CanMV firmware exports it, on venc-sim."""

from canmv_host import _native
from mpp.vb import *  # noqa: F403


class MediaManager:
    """Media buffers and links. ``link`` returns a linker; ``del link`` unbinds.
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
        return _native.media_link(src, dst)
