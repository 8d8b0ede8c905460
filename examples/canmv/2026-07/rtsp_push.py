# The newest CanMV firmware (from 2026-08): the camera encoded as H.264 and pushed to a remote
# RTSP server (mm.rtsp_pusher: the board is the client and sends ANNOUNCE/SETUP/RECORD), as
# the firmware's rtsp_pusher.py example does: the first HEADER pack inits the pusher, every I
# frame re-sends the header, the first one opens the connection (a blocking handshake), and
# every picture pack is pushed with its pts. The pusher sends H.264 only, without audio.
#
# Runs as-is on a board with that firmware and on the simulator; a server that takes RECORD
# must listen at URL (mediamtx, ZLMediaKit, or ffmpeg -rtsp_flags listen -i URL out.h264):
#   canmv-run --firmware canmv-2026-07 examples/canmv/2026-07/rtsp_push.py [-- URL FRAMES]
from media.vencoder import *
from media.sensor import *
from media.media import *
import multimedia as mm
import os, sys

URL = sys.argv[1] if len(sys.argv) > 1 else "rtsp://192.168.1.100:8554/live/test"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 300
WIDTH, HEIGHT, FPS = 1280, 720, 25


def main():
    sensor = Sensor(fps=30)
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)
    encoder = Encoder()
    encoder.SetOutBufs(8, WIDTH, HEIGHT)
    encoder.Create(ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_HIGH, WIDTH, HEIGHT,
                              bit_rate=1024, gopLen=30))
    link = MediaManager.link(sensor.bind_info()['src'],
                             (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, encoder.chn))
    encoder.Start()
    sensor.run()

    pusher = mm.rtsp_pusher()
    inited = opened = False
    header = None
    pushed = 0
    stream = StreamData()
    try:
        while pushed < FRAMES:
            os.exitpoint()
            if encoder.GetStream(stream, 2000) != 0:
                continue
            for i in range(stream.pack_cnt):
                kind = stream.stream_type[i]
                data = bytes(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
                if kind == Encoder.STREAM_TYPE_HEADER:
                    header = data
                    if not inited:
                        if pusher.rtsppusher_init(WIDTH, HEIGHT, URL, FPS, "tcp") != 0:
                            raise RuntimeError("RTSP pusher init failed")
                        inited = True
                    continue
                key = kind == Encoder.STREAM_TYPE_I
                if key and header is not None:
                    pusher.rtsppusher_pushvideoheader(header, len(header))
                    if not opened:
                        if pusher.rtsppusher_open() != 0:
                            raise RuntimeError("RTSP pusher open failed, check url: %s" % URL)
                        opened = True
                if opened:
                    pusher.rtsppusher_pushvideodata(data, len(data), 1 if key else 0,
                                                    stream.pts[i])
                    pushed += 1
            encoder.ReleaseStream(stream)
    except KeyboardInterrupt as e:
        print("user stop:", e)
    finally:
        sensor.stop()
        link.destroy()
        encoder.Stop()
        encoder.Destroy()
        if opened:
            pusher.rtsppusher_close()
        if inited:
            pusher.rtsppusher_deinit()
        pusher.rtsppusher_destroy()
    print("pushed", URL, "frames:", pushed)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
