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
from media.media import *  # noqa: F403

from canmv_host import _native
from canmv_host._cstruct import new_struct as _new_struct

globals().update(_native.VENCODER_CONSTANTS)

if _native.board_info()["firmware"] == "canmv-nochn":
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
    Encoder = _native.Encoder


def ALIGN_UP(x, a):
    """``(x + a-1) & ~(a-1)``; ``a`` a power of two, as in the firmware."""
    return (x + a - 1) & ~(a - 1)


class ChnAttrStr:
    """Channel attributes, with the newest firmware's defaults (facts §1.1)."""

    def __init__(
        self,
        payloadType,
        profile,
        picWidth,
        picHeight,
        gopLen=30,
        bitRate=4000,
        srcFrameRate=30,
        dstFrameRate=30,
        mjpegQualityFactor=45,
    ):
        self.payload_type = payloadType
        self.profile = profile
        self.pic_width = picWidth
        self.pic_height = picHeight
        self.gop_len = gopLen
        self.bit_rate = bitRate
        self.src_frame_rate = srcFrameRate
        self.dst_frame_rate = dstFrameRate
        self.mjpeg_quality_factor = mjpegQualityFactor


class StreamData:
    """Up to ``VENC_PACK_CNT_MAX`` packs of one ``GetStream``."""

    def __init__(self):
        self.data = [0 for _ in range(0, VENC_PACK_CNT_MAX)]  # noqa: F821 (from the constants)
        self.data_size = [0 for _ in range(0, VENC_PACK_CNT_MAX)]  # noqa: F821
        self.stream_type = [0 for _ in range(0, VENC_PACK_CNT_MAX)]  # noqa: F821
        self.pts = [0 for _ in range(0, VENC_PACK_CNT_MAX)]  # noqa: F821
        self.phy_addr = [0 for _ in range(0, VENC_PACK_CNT_MAX)]  # noqa: F821
        self.pack_cnt = 0


def k_video_frame_info():
    """A zeroed ``k_video_frame_info`` struct (``v_frame.width``, ``v_frame.phys_addr[0]``, …)."""
    return _new_struct(*_native.frame_info_layout())
