"""``media.mp4format`` as the CanMV firmware exports it, on venc-sim (firmware facts §4.5).

``from media.mp4format import *`` brings the raw muxer (``kd_mp4_*``, its structs and
``K_MP4_*``), ``k_u64_ptr``, ``uctypes`` and the container classes. Recording with the raw
muxer works (``mpp.mp4_format``). ``Mp4Container`` always records an audio track from the
microphone (PyAudio, G.711), which the simulated board does not have: its ``Create`` raises
NotImplementedError, naming that.
"""

import uctypes  # noqa: F401
from media.media import *  # noqa: F403
from media.pyaudio import *  # noqa: F403
from media.vencoder import *  # noqa: F403

try:  # what this generation has (no g711 in v0.1, no media.sensor before v0.6)
    from media.g711 import *  # noqa: F403
except ModuleNotFoundError:
    pass
try:
    from media.sensor import *  # noqa: F403
except ModuleNotFoundError:
    pass
from mpp.mp4_format import *  # noqa: F403
from mpp.mp4_format_struct import *  # noqa: F403

MP4_CONFIG_TYPE_MUXER = K_MP4_CONFIG_MUXER  # noqa: F405
MP4_CONFIG_TYPE_DEMUXER = K_MP4_CONFIG_DEMUXER  # noqa: F405
MP4_STREAM_TYPE_VIDEO = K_MP4_STREAM_VIDEO  # noqa: F405
MP4_STREAM_TYPE_AUDIO = K_MP4_STREAM_AUDIO  # noqa: F405
MP4_CODEC_ID_H264 = K_MP4_CODEC_ID_H264  # noqa: F405
MP4_CODEC_ID_H265 = K_MP4_CODEC_ID_H265  # noqa: F405
MP4_CODEC_ID_G711A = K_MP4_CODEC_ID_G711A  # noqa: F405
MP4_CODEC_ID_G711U = K_MP4_CODEC_ID_G711U  # noqa: F405


class MuxerCfgStr:
    def __init__(self):
        self.file_name = 0
        self.video_payload_type = 0
        self.pic_width = 0
        self.pic_height = 0
        self.audio_payload_type = 0
        self.video_start_timestamp = 0
        self.fmp4_flag = 0


class Mp4CfgStr:
    def __init__(self, type):
        self.type = type
        self.muxerCfg = MuxerCfgStr()

    def SetMuxerCfg(self, fileName, videoPayloadType, picWidth, picHeight, audioPayloadType,
                    fmp4Flag=0):
        self.muxerCfg.file_name = fileName
        self.muxerCfg.video_payload_type = videoPayloadType
        self.muxerCfg.pic_width = picWidth
        self.muxerCfg.pic_height = picHeight
        self.muxerCfg.audio_payload_type = audioPayloadType
        self.muxerCfg.fmp4_flag = fmp4Flag

    def SetDemuxerCfg(self):
        pass


class Mp4Container:
    """The firmware's camera + microphone recorder. Its ``Create`` opens the microphone, which
    the simulated board lacks: NotImplementedError. Record with the raw muxer instead
    (``kd_mp4_create`` …), as the project's examples do."""

    def __init__(self, sensor_csi_id=-1):
        self.sensor_csi_id = sensor_csi_id

    def Create(self, mp4Cfg):
        raise NotImplementedError(
            "venc-sim: Mp4Container records an audio track from the microphone (PyAudio, "
            "G.711), which is not modeled: record video with kd_mp4_create/create_track/"
            "write_frame (mpp.mp4_format) instead")
