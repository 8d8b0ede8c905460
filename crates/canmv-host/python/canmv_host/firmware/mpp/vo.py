"""``mpp.vo``: the VO write-back calls scripts make through ``mpp`` (display facts §4.1, §4.2):
``kd_mpi_vo_set_wbc_attr``, ``kd_mpi_vo_enable_wbc``, ``kd_mpi_vo_disable_wbc``,
``kd_mpi_wbc_dump_frame``, ``kd_mpi_wbc_dump_release``, and the 2026 ``kd_mpi_vo_get_stats``,
over the simulated VO that ``media.display`` drives."""

import sys

from canmv_host import _native
from canmv_host._cstruct import new_struct as _new_struct

_NEW_MPP = _native.board_info()["firmware"] in ("canmv-2026-01", "canmv-2026-07")

__all__ = ["k_vo_wbc_attr", "kd_mpi_vo_set_wbc_attr", "kd_mpi_vo_enable_wbc",
           "kd_mpi_vo_disable_wbc", "kd_mpi_wbc_dump_frame", "kd_mpi_wbc_dump_release"]

# A failed call's return: the VO's error codes are not in the sources (D-069).
_FAILED = -1

if _NEW_MPP:
    # `{ u32 blk_cnt }`: the blocks the driver allocates (NM `k_vo_comm.h`).
    _WBC_ATTR = (4, [("blk_cnt", 0, "u32", 1)])
    __all__.append("kd_mpi_vo_get_stats")
else:
    # `target_size {width, height}, pixel_format, stride, y_phy_addr` (S@0a609a7 `vo_def.py`).
    _WBC_ATTR = (20, [("target_size.width", 0, "u32", 1), ("target_size.height", 4, "u32", 1),
                      ("pixel_format", 8, "u32", 1), ("stride", 12, "u32", 1),
                      ("y_phy_addr", 16, "u32", 1)])

_target = {}


def k_vo_wbc_attr():
    return _new_struct(*_WBC_ATTR)


def _warn(text):
    print("[venc-sim] " + text, file=sys.stderr)


def kd_mpi_vo_set_wbc_attr(attr):
    """The write-back's attributes. The frames have the display's size; a ``target_size``
    that differs is kept and warned about (the VO's scaling is not modelled, D-069)."""
    if not _NEW_MPP:
        size = (attr.target_size.width, attr.target_size.height)
        mode = _native.vo_mode()
        if mode and size != mode[:2]:
            _warn("kd_mpi_vo_set_wbc_attr: target size %dx%d, the display is %dx%d; the "
                  "write-back frames have the display's size" % (*size, *mode[:2]))
        _target["size"] = size
    return 0


def kd_mpi_vo_enable_wbc():
    if _native.vo_mode() is None:
        _warn("kd_mpi_vo_enable_wbc: the display is off")
        return _FAILED
    _native.vo_wbc(True)
    return 0


def kd_mpi_vo_disable_wbc():
    _native.vo_wbc(False)
    return 0


def kd_mpi_wbc_dump_frame(frame, timeout_ms):
    """Fills ``frame`` (a ``k_video_frame_info``) with the next write-back frame; 0, or
    non-zero when none came within ``timeout_ms`` (-1 as the C ``k_u32``: for ever)."""
    timeout = -1 if timeout_ms < 0 or timeout_ms >= 0xFFFFFFFF else timeout_ms
    raw = _native.vo_wbc_dump(timeout)
    if raw is None:
        return _FAILED
    frame._buf[:] = raw
    return 0


def kd_mpi_wbc_dump_release(frame):
    return 0 if _native.vo_wbc_release(frame._bytes()) else _FAILED


def kd_mpi_vo_get_stats():
    """2026: whether write-back runs."""
    return _native.vo_wbc_running()
