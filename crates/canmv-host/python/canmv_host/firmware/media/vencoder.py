"""``media.vencoder`` as the CanMV firmware exports it, on venc-sim.

The firmware module imports ``uctypes`` at top level, so ``from media.vencoder import *`` brings
it: the manual's examples call ``uctypes.bytearray_at`` after only that import. It also
star-imports ``mpp.venc``, ``mpp.sys``, the struct modules and ``media.media``, so the raw
``kd_mpi_*`` calls come along, as on the board.
"""

import uctypes
from mpp.venc import *  # noqa: F403
from mpp.sys import *  # noqa: F403
from mpp.venc_struct import *  # noqa: F403
from mpp.video_def import k_video_frame_info  # noqa: F401
from media.media import *  # noqa: F403

from canmv_host import _native

globals().update(_native.VENCODER_CONSTANTS)

_TRAITS = _native.board_info()["traits"]


class _Absent:
    """A name this generation's firmware does not have: reading it raises AttributeError, so
    ``hasattr`` is False and a script probing for it takes its fallback, as on the board."""

    def __set_name__(self, owner, name):
        self._name = name

    def __get__(self, obj, owner=None):
        raise AttributeError("type object 'Encoder' has no attribute '%s'" % self._name)


if not _TRAITS["takes_chn"]:
    from mpp.common_struct import *  # noqa: F403  (only the newest vencoder imports it)

    class Encoder(_native.Encoder):
        """The newest firmware's ``Encoder`` (firmware facts §1.3): no channel argument; ``Create``
        requests one and keeps it in ``encoder.chn``, ``Destroy`` releases it. Only the signatures
        live here; what each call does is the simulator's facade (``venc_core::Encoder``)."""

        @property
        def chn(self):
            return self._requested_chn()

        def SetOutBufs(self, buf_num, width, height):
            self._set_out_bufs_unbound(buf_num, width, height)

        def Create(self, chnAttr):
            self._create_requested(chnAttr)

        def Start(self):
            _native.Encoder.Start(self, self._chn_for("Start"))

        def GetStream(self, streamData, timeout=-1):
            chn = self._chn_for("GetStream")
            return _native.Encoder.GetStream(self, chn, streamData, timeout)

        def ReleaseStream(self, streamData):
            _native.Encoder.ReleaseStream(self, self._chn_for("ReleaseStream"), streamData)

        def SendFrame(self, frame, timeout=1000):
            return _native.Encoder.SendFrame(self, self._chn_for("SendFrame"), frame, timeout)

        def Stop(self):
            _native.Encoder.Stop(self, self._chn_for("Stop"))

        def Destroy(self):
            self._destroy_requested()

else:

    class Encoder(_native.Encoder):
        """``Encoder`` of the generations that take a channel (firmware facts §1.1): v0.7 to
        mid-2026. The signatures are this image's; the behaviour is the facade's."""

        if not _TRAITS["get_stream_timeout"]:

            def GetStream(self, chn, streamData):
                return _native.Encoder.GetStream(self, chn, streamData)

        if _TRAITS["send_frame"] == "absent":
            SendFrame = _Absent()
        elif not _TRAITS["send_frame_timeout"]:

            def SendFrame(self, chn, frame):
                return _native.Encoder.SendFrame(self, chn, frame)

        if not _TRAITS["jpeg"]:
            PAYLOAD_TYPE_JPEG = _Absent()


class _GopAttrs:
    """Channel attributes of v0.7 and v1.0: the GOP is the only choice; Create uses the
    firmware's fixed bit rate and frame rates."""

    def __init__(self, payloadType, profile, picWidth, picHeight, gopLen=30):
        self.payload_type = payloadType
        self.profile = profile
        self.pic_width = picWidth
        self.pic_height = picHeight
        self.gop_len = gopLen


class _RateAttrs(_GopAttrs):
    """Channel attributes of 2025-02 to 2025-07-27: bit rate (kbit/s) and frame rates, no JPEG.
    No validation; scripts may change the attributes after construction."""

    def __init__(self, payloadType, profile, picWidth, picHeight, bit_rate=4000, gopLen=30,
                 src_frame_rate=30, dst_frame_rate=30):
        super().__init__(payloadType, profile, picWidth, picHeight, gopLen)
        self.bit_rate = bit_rate
        self.src_frame_rate = src_frame_rate
        self.dst_frame_rate = dst_frame_rate


class _JpegAttrs(_RateAttrs):
    """Channel attributes from 2025-07-28 (facts §1.1)."""

    def __init__(self, payloadType, profile, picWidth, picHeight, bit_rate=4000, gopLen=30,
                 src_frame_rate=30, dst_frame_rate=30, mjpeg_quality_factor=45):
        super().__init__(payloadType, profile, picWidth, picHeight, bit_rate, gopLen,
                         src_frame_rate, dst_frame_rate)
        self.mjpeg_quality_factor = mjpeg_quality_factor


if _TRAITS["jpeg"]:
    ChnAttrStr = _JpegAttrs
elif _TRAITS["rate_attrs"]:
    ChnAttrStr = _RateAttrs
else:
    ChnAttrStr = _GopAttrs
# Named as the firmware's class, in repr and in TypeError messages.
for _cls in (_GopAttrs, _RateAttrs, _JpegAttrs):
    _cls.__init__.__qualname__ = "ChnAttrStr.__init__"
ChnAttrStr.__name__ = ChnAttrStr.__qualname__ = "ChnAttrStr"


class StreamData:
    """Up to ``VENC_PACK_CNT_MAX`` packs of one ``GetStream``."""

    def __init__(self):
        self.data = [0 for _ in range(0, VENC_PACK_CNT_MAX)]  # noqa: F821 (from the constants)
        self.data_size = [0 for _ in range(0, VENC_PACK_CNT_MAX)]  # noqa: F821
        self.stream_type = [0 for _ in range(0, VENC_PACK_CNT_MAX)]  # noqa: F821
        self.pts = [0 for _ in range(0, VENC_PACK_CNT_MAX)]  # noqa: F821
        if _TRAITS["stream_phy_addr"]:  # from v1.0
            self.phy_addr = [0 for _ in range(0, VENC_PACK_CNT_MAX)]  # noqa: F821
        self.pack_cnt = 0



if _TRAITS["camera_api"]:
    # v0.1–v0.6: the same class with those generations' failures and pool order.
    from media._v0.vencoder import Encoder  # noqa: E402, F811
