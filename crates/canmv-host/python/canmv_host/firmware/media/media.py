"""``media.media`` as the CanMV firmware exports it, on venc-sim."""

from canmv_host import _native


class MediaManager:
    """Media buffers and links. ``link`` returns a linker; ``del link`` unbinds."""

    @staticmethod
    def init():
        _native.media_init()

    @staticmethod
    def deinit(force=False):
        _native.media_deinit()

    @staticmethod
    def link(src, dst):
        return _native.media_link(src, dst)
