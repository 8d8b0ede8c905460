"""``media.rtspserver`` on venc-sim: the firmware's ``RtspServer`` class (firmware facts §3.3),
the camera encoded and streamed over ``multimedia``'s RTSP server, per generation:

- up to mid-2026 (channel API): ``RtspServer(session_name="test", port=8554,
  video_type=media_h264, enable_audio=False)``, always H.264 Main from VENC channel 0 whatever
  ``video_type`` says, 1280x720, ``bit_rate=1024`` from 2025-04 (the default 4000 before);
  ``MediaManager.init()/deinit()`` up to 2025;
- the newest: ``RtspServer(session_name="test", port=8554, video_type=media_h265,
  enable_audio=False, width=1280, height=720, bit_rate=512, gop_len=30)``, the codec following
  ``video_type``, the channel requested by ``Create`` and linked after it.
"""

import sys
import time

import _thread
import multimedia as mm
from canmv_host import _native
from media.media import *  # noqa: F403
from media.sensor import *  # noqa: F403
from media.vencoder import *  # noqa: F403

_TRAITS = _native.board_info()["traits"]
_NEWEST = not _TRAITS["takes_chn"]
_CHN = 0


class RtspServer:
    if _NEWEST:

        def __init__(self, session_name="test", port=8554,
                     video_type=mm.multi_media_type.media_h265, enable_audio=False,
                     width=1280, height=720, bit_rate=512, gop_len=30):
            if not 100 <= bit_rate <= 20000:
                raise ValueError("bit_rate must be between 100 and 20000 Kbit/s")
            if video_type not in (mm.multi_media_type.media_h265,
                                  mm.multi_media_type.media_h264):
                raise ValueError("video_type must be media_h265 or media_h264")
            self._setup(session_name, port, video_type, enable_audio, width, height, bit_rate,
                        gop_len)
    else:

        def __init__(self, session_name="test", port=8554,
                     video_type=mm.multi_media_type.media_h264, enable_audio=False):
            # The old wrapper streams H.264 whatever video_type says (facts §3.3).
            bit_rate = 1024 if _TRAITS["link_destroy"] else 4000
            self._setup(session_name, port, video_type, enable_audio, 1280, 720, bit_rate, 30)

    def _setup(self, session_name, port, video_type, enable_audio, width, height, bit_rate,
               gop_len):
        self.session_name = session_name
        self.port = port
        self.video_type = video_type
        self.enable_audio = enable_audio
        self.width = ALIGN_UP(width, 16)  # noqa: F405
        self.height = height
        self.bit_rate = bit_rate
        self.gop_len = gop_len
        self.rtspserver = mm.rtsp_server()
        self.encoder = None
        self.sensor = None
        self.link = None
        self.start_stream = False
        self.runthread_over = True

    def _payload(self):
        if _NEWEST and self.video_type == mm.multi_media_type.media_h265:
            return Encoder.PAYLOAD_TYPE_H265, Encoder.H265_PROFILE_MAIN  # noqa: F405
        return Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN  # noqa: F405

    def start(self):
        self._init_stream()
        self.rtspserver.rtspserver_init(self.port)
        video_type = self.video_type if _NEWEST else mm.multi_media_type.media_h264
        self.rtspserver.rtspserver_createsession(self.session_name, video_type,
                                                 self.enable_audio)
        self.rtspserver.rtspserver_start()
        self._start_stream()
        self.start_stream = True
        self.runthread_over = False
        _thread.start_new_thread(self._do_rtsp_stream, ())

    def stop(self):
        if not self.start_stream:
            return
        self.start_stream = False
        while not self.runthread_over:
            time.sleep(0.1)
        self._stop_stream()
        self.rtspserver.rtspserver_stop()
        self.rtspserver.rtspserver_deinit()

    def get_rtsp_url(self):
        return self.rtspserver.rtspserver_getrtspurl(self.session_name)

    def _init_stream(self):
        self.sensor = Sensor()  # noqa: F405
        self.sensor.reset()
        self.sensor.set_framesize(width=self.width, height=self.height, alignment=12)
        self.sensor.set_pixformat(Sensor.YUV420SP)  # noqa: F405
        self.encoder = Encoder()  # noqa: F405
        payload, profile = self._payload()
        if _NEWEST:
            self.encoder.SetOutBufs(15, self.width, self.height)
        else:
            self.encoder.SetOutBufs(_CHN, 15, self.width, self.height)
        attr = ChnAttrStr(payload, profile, self.width, self.height)  # noqa: F405
        if _TRAITS["rate_attrs"]:
            attr.bit_rate = self.bit_rate
        attr.gop_len = self.gop_len
        src = self.sensor.bind_info()["src"]
        if _NEWEST:
            self.encoder.Create(attr)
            chn = self.encoder.chn
        else:
            chn = _CHN
            self.link = MediaManager.link(src, (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, chn))  # noqa: F405
            if _TRAITS["media_config"]:
                MediaManager.init()  # noqa: F405
            self.encoder.Create(chn, attr)
        if _NEWEST:
            self.link = MediaManager.link(src, (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, chn))  # noqa: F405

    def _start_stream(self):
        if _NEWEST:
            self.encoder.Start()
        else:
            self.encoder.Start(_CHN)
        self.sensor.run()

    def _stop_stream(self):
        self.sensor.stop()
        if _TRAITS["link_destroy"]:
            self.link.destroy()
        del self.link
        if _NEWEST:
            self.encoder.Stop()
            self.encoder.Destroy()
        else:
            self.encoder.Stop(_CHN)
            self.encoder.Destroy(_CHN)
            if _TRAITS["media_config"]:
                MediaManager.deinit()  # noqa: F405

    def _do_rtsp_stream(self):
        try:
            stream = StreamData()  # noqa: F405
            while self.start_stream:
                if _NEWEST:
                    ret = self.encoder.GetStream(stream, 1000)
                else:
                    ret = self.encoder.GetStream(_CHN, stream)
                if ret not in (None, 0):
                    continue
                for i in range(stream.pack_cnt):
                    data = bytes(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))  # noqa: F405
                    self.rtspserver.rtspserver_sendvideodata(self.session_name, data,
                                                             stream.data_size[i], 1000)
                if _NEWEST:
                    self.encoder.ReleaseStream(stream)
                else:
                    self.encoder.ReleaseStream(_CHN, stream)
        except KeyboardInterrupt as e:
            print("user stop: ", e)
        except BaseException as e:
            sys.print_exception(e)
        finally:
            self.runthread_over = True
        print("_do_rtsp_stream over")
