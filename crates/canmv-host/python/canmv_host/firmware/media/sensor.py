"""``media.sensor`` as the CanMV firmware exports it, on venc-sim.

The firmware module imports ``image``, ``machine``, ``os`` and ``time`` at top level, so
``from media.sensor import *`` brings them (firmware facts §6). ``snapshot`` has its
generation's signature: ``snapshot(chn)`` before 2025-04-18, then ``snapshot(chn=0,
timeout=1000, dump_frame=False, auto_reboot=False)`` (facts §2).
"""

from canmv_host import _native

if _native.board_info()["traits"]["camera_api"]:
    # v0.1–v0.5 have no media.sensor; v0.6 has the lower-case class ``sensor``.
    if _native.board_info()["firmware"] != "canmv-2024-04":
        raise ModuleNotFoundError("No module named 'media.sensor'", name="media.sensor")
    from media._v0.sensor import *  # noqa: F401, F403
    from media._v0.sensor import sensor  # noqa: F401

import time  # noqa: F401, E402

import image  # noqa: F401
import machine  # noqa: F401
from canmv_host import _native
from canmv_host._cstruct import new_struct as _new_struct
from canmv_host.confine import board_module

os = board_module("os")  # re-exported, as the firmware's star import does: the board's os

globals().update(_native.SENSOR_CONSTANTS)

_DUMP_FRAME = _native.board_info()["traits"]["snapshot_dump_frame"]


class py_video_frame_info:  # noqa: N801 - the firmware's type name (``_media``)
    """What ``snapshot(..., dump_frame=True)`` returns: a copy of the frame's
    ``k_video_frame_info`` with read-only ``mod_id``, ``pool_id`` and ``v_frame``;
    ``Encoder.SendFrame`` takes it as is."""

    __slots__ = ("_struct",)

    def __init__(self, raw):
        struct = _new_struct(*_native.frame_info_layout())
        struct._buf[:] = raw
        object.__setattr__(self, "_struct", struct)

    @property
    def mod_id(self):
        return self._struct.mod_id

    @property
    def pool_id(self):
        return self._struct.pool_id

    @property
    def v_frame(self):
        return self._struct.v_frame

    def __setattr__(self, name, value):
        raise AttributeError("'py_video_frame_info' object attribute '%s' is read-only" % name)

    def _bytes(self):
        return self._struct._bytes()

    def __bytes__(self):
        return self._struct._bytes()

    def __repr__(self):
        v = self.v_frame
        return "<py_video_frame_info %dx%d format %d at 0x%x>" % (
            v.width, v.height, v.pixel_format, v.phys_addr[0])


class Sensor(_native.Sensor):
    __doc__ = _native.Sensor.__doc__

    if _DUMP_FRAME:

        def snapshot(self, chn=CAM_CHN_ID_0, timeout=1000, dump_frame=False,  # noqa: F821
                     auto_reboot=False):
            if dump_frame:
                return py_video_frame_info(self._snapshot_frame(chn, timeout, auto_reboot))
            return image.Image._wrap(self._snapshot(chn, timeout, auto_reboot))

    else:

        def snapshot(self, chn=CAM_CHN_ID_0):  # noqa: F821
            return image.Image._wrap(self._snapshot(chn))


for _name, _code in _native.SENSOR_FRAME_SIZES.items():
    setattr(Sensor, _name, _code)


if _native.board_info()["traits"]["camera_api"]:
    del Sensor, py_video_frame_info  # the v0.7 class is not in v0.6
    from media._v0.sensor import CAM_DEFAULT_SENSOR  # noqa: F401, F811
