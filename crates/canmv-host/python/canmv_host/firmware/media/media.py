"""``media.media`` as the CanMV firmware exports it, on venc-sim: ``MediaManager`` from v0.7,
the class ``media`` of v0.1–v0.6 (``media._v0.media``) before."""

from canmv_host import _native

if _native.board_info()["traits"]["camera_api"]:
    from media._v0.media import *  # noqa: F401, F403
    from media._v0.media import media  # noqa: F401
from mpp.common_struct import k_u64_ptr  # noqa: F401  (the firmware's star imports bring it)
from mpp.vb import *  # noqa: F403

_LINK_DESTROY = _native.board_info()["traits"]["link_destroy"]

from media._ids import *  # noqa: E402, F401, F403

MAX_MEDIA_LINK_COUNT = 8
if not _native.board_info()["traits"]["camera_api"]:
    VDEC_DEV_ID = 0  # (v0.x: media._v0.media's, from v0.2)


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
        _native.media_deinit(force)

    @staticmethod
    def _config(config):
        """Registers VB pools for ``init`` (``Display``, write-back grabbers). 2024: refused
        once the manager is initialised; 2025: accepted (the C manager no longer checks);
        2026: pools are private (display facts §1.3)."""
        firmware = _native.board_info()["firmware"]
        if firmware in ("canmv-2026-01", "canmv-2026-07"):
            raise RuntimeError("deprecated function")
        if firmware in ("canmv-2024-07", "canmv-2024-08") and _native.vo_media_inited():
            raise AssertionError("please run MediaManager._config() before MediaManager.init()")
        return True

    @staticmethod
    def link(src, dst):
        native = _native.media_link(src, dst)
        return native if _LINK_DESTROY else linker(native)


if _native.board_info()["traits"]["camera_api"]:
    # Not in v0.1–v0.6: a script that uses them gets the NameError/ImportError it gets there.
    del MediaManager, linker
