"""``media.mp4format`` as the CanMV firmware exports it, on venc-sim (firmware facts §4.5).

``from media.mp4format import *`` brings the raw muxer (``kd_mp4_*``, its structs and
``K_MP4_*``), ``k_u64_ptr``, ``uctypes`` and the container classes. ``Mp4Container`` records the
camera and the microphone (G.711) as each generation's does (oldgen facts §2.4, firmware facts
§4.5): the first two GetStreams' packs as one sample, then the last pack of each; per
``Process()`` one microphone chunk, its time stamp 40 ms after the one before.
"""

import uctypes  # noqa: F401
from canmv_host import _native
from canmv_host.generation import since
from media.media import *  # noqa: F403
from media.pyaudio import *  # noqa: F403
from media.vencoder import *  # noqa: F403

from mpp.payload_struct import *  # noqa: F403

try:  # what this generation has (no g711 in v0.1, no media.sensor before v0.6)
    import media.g711 as g711
except ModuleNotFoundError:

    class _BoundAenc:
        """v0.1's container binds the microphone to AENC channel 0 itself (no g711 module):
        the same G.711 coding."""

        def __init__(self, law, chunk):
            self._law = law

        def create(self):
            return 0

        def encode(self, pcm):
            return _native.g711_encode(self._law, bytes(pcm))

        def destroy(self):
            return 0

    class g711:  # noqa: N801
        Encoder = _BoundAenc
try:
    from media.sensor import *  # noqa: F403
except ModuleNotFoundError:
    pass
if _native.board_info()["traits"]["camera_api"]:
    from media.camera import *  # noqa: F403
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




_TRAITS = _native.board_info()["traits"]
_CAMERA_API = _TRAITS["camera_api"]


def _audio_setup():
    """(rate, channels, chunk, blocking read, write samples, advance before writing), per
    generation (oldgen facts §2.4)."""
    if not since("canmv-2023-11"):
        return 8000, 2, 320, True, True, False  # v0.1: AI bound to AENC, 8 kHz stereo
    if not since("canmv-2023-12"):
        return 44100, 2, 1764, True, True, True  # v0.2: 44.1 kHz stereo, blocking
    if not since("canmv-2024-03"):
        return 44100, 2, 1764, True, False, False  # v0.3/v0.4: the write is commented out
    return 8000, 1, 320, False, True, False  # v0.5 on


class Mp4Container:
    """The firmware's camera + microphone recorder."""

    # The module's MP4_* names are class attributes too (set below the class).

    def _init(self, sensor_csi_id=-1):
        if _CAMERA_API:
            camera.sensor_init(CAM_DEV_ID_0, CAM_DEFAULT_SENSOR)  # noqa: F405
        else:
            csi = {"id": sensor_csi_id} if sensor_csi_id in (0, 1, 2) else {}
            self.sensor = Sensor(**csi)  # noqa: F405
            self.sensor.reset()
        self.venc = Encoder()  # noqa: F405
        self.stream_data = StreamData()  # noqa: F405
        self.mp4_handle = 0
        self.mp4_video_track_handle = 0
        self.mp4_audio_track_handle = 0
        self.video_payload_type = 0
        self.audio_payload_type = 0
        self.get_idr = 0
        self.save_idr = 0
        self.idr_size = 0
        self.idr_pts = 0
        self.count = 0
        self.audio_timestamp = 0

    if since("canmv-2025-04"):

        def __init__(self, sensor_csi_id=-1):
            self._init(sensor_csi_id)

    else:

        def __init__(self):
            self._init()

    def Create(self, mp4Cfg):
        if mp4Cfg.type != K_MP4_CONFIG_MUXER:  # noqa: F405
            return
        cfg = mp4Cfg.muxerCfg
        rate, channels, chunk, self._blocking, self._writes_audio, self._advance_first = (
            _audio_setup())
        if _CAMERA_API:
            camera.set_outbufs(CAM_DEV_ID_0, CAM_CHN_ID_0, 6)  # noqa: F405
            if since("canmv-2024-03"):
                camera.set_outsize(CAM_DEV_ID_0, CAM_CHN_ID_0, cfg.pic_width,  # noqa: F405
                                   cfg.pic_height, alignment=12)
            else:
                camera.set_outsize(CAM_DEV_ID_0, CAM_CHN_ID_0, cfg.pic_width,  # noqa: F405
                                   cfg.pic_height)
            camera.set_outfmt(CAM_DEV_ID_0, CAM_CHN_ID_0,  # noqa: F405
                              PIXEL_FORMAT_YUV_SEMIPLANAR_420)  # noqa: F405
        else:
            self.sensor.set_framesize(width=cfg.pic_width, height=cfg.pic_height, alignment=12)
            self.sensor.set_pixformat(Sensor.YUV420SP)  # noqa: F405
        self.venc.SetOutBufs(VENC_CHN_ID_0, 15, cfg.pic_width, cfg.pic_height)  # noqa: F405
        self.pyaudio = PyAudio()  # noqa: F405
        # 2026-01-29 took initialize() out of PyAudio but not this call (oldgen facts §2.4).
        self.pyaudio.initialize(chunk)
        law = K_PT_G711U if cfg.audio_payload_type == self.MP4_CODEC_ID_G711U else K_PT_G711A  # noqa: F405
        if not since("canmv-2023-12"):
            law = K_PT_G711A  # noqa: F405  (v0.1/v0.2: A-law whatever the config says)
        if cfg.audio_payload_type in (self.MP4_CODEC_ID_G711U, self.MP4_CODEC_ID_G711A):
            self.aenc = g711.Encoder(law, chunk)
        if _CAMERA_API:
            media.buffer_init()  # noqa: F405
        else:
            self.link = MediaManager.link(self.sensor.bind_info()["src"],  # noqa: F405
                                          (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, VENC_CHN_ID_0))  # noqa: F405
            MediaManager.init()  # noqa: F405
        self.video_payload_type = cfg.video_payload_type
        self.audio_payload_type = cfg.audio_payload_type
        h264 = cfg.video_payload_type == self.MP4_CODEC_ID_H264
        payload = self.venc.PAYLOAD_TYPE_H264 if h264 else self.venc.PAYLOAD_TYPE_H265
        profile = self.venc.H264_PROFILE_MAIN if h264 else self.venc.H265_PROFILE_MAIN
        width = ALIGN_UP(cfg.pic_width, 16)  # noqa: F405
        self.save_idr = bytearray(width * cfg.pic_height * 3 // 4)
        self.venc.Create(VENC_CHN_ID_0, ChnAttrStr(payload, profile, width, cfg.pic_height))  # noqa: F405
        self.aenc.create()
        self.audio_stream = self.pyaudio.open(format=paInt16, channels=channels, rate=rate,  # noqa: F405
                                              input=True, frames_per_buffer=chunk)
        mp4_cfg = k_mp4_config_s()  # noqa: F405
        mp4_cfg.config_type = mp4Cfg.type
        mp4_cfg.muxer_config.file_name[:] = bytes(cfg.file_name, "utf-8")
        mp4_cfg.muxer_config.fmp4_flag = cfg.fmp4_flag
        handle = k_u64_ptr()  # noqa: F405
        if kd_mp4_create(handle, mp4_cfg):  # noqa: F405
            raise OSError("Mp4Container, kd_mp4_create failed.")
        self.mp4_handle = handle.value
        video = k_mp4_track_info_s()  # noqa: F405
        video.track_type = K_MP4_STREAM_VIDEO  # noqa: F405
        video.time_scale = 1000
        video.video_info.width = cfg.pic_width
        video.video_info.height = cfg.pic_height
        video.video_info.codec_id = cfg.video_payload_type
        track = k_u64_ptr()  # noqa: F405
        if kd_mp4_create_track(self.mp4_handle, track, video):  # noqa: F405
            raise OSError("Mp4Container, kd_mp4_create_track failed.")
        self.mp4_video_track_handle = track.value
        audio = k_mp4_track_info_s()  # noqa: F405
        audio.track_type = K_MP4_STREAM_AUDIO  # noqa: F405
        audio.time_scale = 1000
        audio.audio_info.channels = channels
        audio.audio_info.codec_id = cfg.audio_payload_type
        audio.audio_info.sample_rate = rate
        audio.audio_info.bit_per_sample = 16
        track = k_u64_ptr()  # noqa: F405
        if kd_mp4_create_track(self.mp4_handle, track, audio):  # noqa: F405
            raise OSError("Mp4Container, kd_mp4_create_track failed.")
        self.mp4_audio_track_handle = track.value

    def Start(self):
        if _CAMERA_API:
            self._link = (media_device(CAMERA_MOD_ID, CAM_DEV_ID_0, CAM_CHN_ID_0),  # noqa: F405
                          media_device(VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, VENC_CHN_ID_0))  # noqa: F405
            media.create_link(*self._link)  # noqa: F405
            self.venc.Start(VENC_CHN_ID_0)  # noqa: F405
            camera.start_stream(CAM_DEV_ID_0)  # noqa: F405
        else:
            self.venc.Start(VENC_CHN_ID_0)  # noqa: F405
            self.sensor.run()

    def Process(self):
        frame = k_mp4_frame_data_s()  # noqa: F405
        self.venc.GetStream(VENC_CHN_ID_0, self.stream_data)  # noqa: F405
        sd = self.stream_data
        for i in range(sd.pack_cnt):
            if self.get_idr == 0:
                self.save_idr[self.idr_size:self.idr_size + sd.data_size[i]] = \
                    uctypes.bytearray_at(sd.data[i], sd.data_size[i])
                self.idr_size += sd.data_size[i]
                self.idr_pts = sd.pts[i]
            else:  # the loop overwrites: only the last pack is written
                frame.codec_id = self.video_payload_type
                frame.data = sd.data[i]
                frame.data_length = sd.data_size[i]
                frame.time_stamp = sd.pts[i]
        if self.get_idr == 0:
            self.count += 1
            if self.count != 2:
                self.venc.ReleaseStream(VENC_CHN_ID_0, sd)  # noqa: F405
                return
            frame.codec_id = self.video_payload_type
            frame.data = uctypes.addressof(self.save_idr)
            frame.data_length = self.idr_size
            frame.time_stamp = self.idr_pts
            self.get_idr = 1
            self.video_start_timestamp = frame.time_stamp
        frame.time_stamp = frame.time_stamp - self.video_start_timestamp
        if kd_mp4_write_frame(self.mp4_handle, self.mp4_video_track_handle, frame):  # noqa: F405
            raise OSError("Mp4Container, kd_mp4_write_frame failed.")
        self.venc.ReleaseStream(VENC_CHN_ID_0, sd)  # noqa: F405
        data = self.audio_stream.read() if self._blocking else self.audio_stream.read(block=False)
        if data and self._writes_audio:
            coded = self.aenc.encode(data)
            frame.codec_id = self.audio_payload_type
            frame.data = uctypes.addressof(coded)
            frame.data_length = len(coded)
            if self._advance_first:
                self.audio_timestamp += 40 * 1000
            frame.time_stamp = self.audio_timestamp
            if not self._advance_first:
                self.audio_timestamp += 40 * 1000
            if kd_mp4_write_frame(self.mp4_handle, self.mp4_audio_track_handle, frame):  # noqa: F405
                raise OSError("Mp4Container, write audio stream failed.")

    def Stop(self):
        if _CAMERA_API:
            camera.stop_stream(CAM_DEV_ID_0)  # noqa: F405
            media.destroy_link(*self._link)  # noqa: F405
        else:
            self.sensor.stop()
            del self.link
        self.venc.Stop(VENC_CHN_ID_0)  # noqa: F405
        self.audio_stream.stop_stream()
        self.audio_stream.close()
        self.pyaudio.terminate()
        self.aenc.destroy()

    def Destroy(self):
        if kd_mp4_destroy_tracks(self.mp4_handle):  # noqa: F405
            raise OSError("Mp4Container, kd_mp4_destroy_tracks failed.")
        if kd_mp4_destroy(self.mp4_handle):  # noqa: F405
            raise OSError("Mp4Container, kd_mp4_destroy failed.")
        self.venc.Destroy(VENC_CHN_ID_0)  # noqa: F405
        if _CAMERA_API:
            media.buffer_deinit()  # noqa: F405
        elif not since("canmv-2026-01"):
            MediaManager.deinit()  # noqa: F405


for _name in ("MP4_CONFIG_TYPE_MUXER", "MP4_CONFIG_TYPE_DEMUXER", "MP4_STREAM_TYPE_VIDEO",
              "MP4_STREAM_TYPE_AUDIO", "MP4_CODEC_ID_H264", "MP4_CODEC_ID_H265",
              "MP4_CODEC_ID_G711A", "MP4_CODEC_ID_G711U"):
    setattr(Mp4Container, _name, globals()[_name])
