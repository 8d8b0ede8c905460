# CanMV v1.0 (2024-08, and images up to 2025-02): the camera bound to channel 0 and streamed over
# RTSP, until the IDE's stop button. In this firmware the output pool is configured before
# MediaManager.init(), links are made before it too, and GetStream waits at most a second,
# hands out one pack per call and raises OSError when nothing came.
# Play it with: ffplay rtsp://<ip>:8554/test
#
# Runs as-is on a board with that firmware and on the simulator:
#   canmv-run --firmware canmv-2024-08 --run-for 20 examples/canmv/2024-08/rtsp_stream.py [-- PORT]
from media.vencoder import *
from media.sensor import *
from media.media import *
import multimedia as mm
import os, sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8554
SESSION = "test"
WIDTH, HEIGHT = 1280, 720
CHN = VENC_CHN_ID_0


def main():
    sensor = Sensor()
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)
    encoder = Encoder()
    encoder.SetOutBufs(CHN, 15, WIDTH, HEIGHT)
    link = MediaManager.link(sensor.bind_info()['src'], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CHN))
    MediaManager.init()
    encoder.Create(CHN, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN,
                                   WIDTH, HEIGHT, gopLen=30))

    server = mm.rtsp_server()
    server.rtspserver_init(PORT)
    server.rtspserver_createsession(SESSION, mm.multi_media_type.media_h264, False)
    server.rtspserver_start()
    print("url:", server.rtspserver_getrtspurl(SESSION))

    encoder.Start(CHN)
    sensor.run()
    stream = StreamData()
    sent = 0
    try:
        while True:
            os.exitpoint()
            try:
                encoder.GetStream(CHN, stream)
            except OSError:
                continue  # nothing within the second
            data = bytes(uctypes.bytearray_at(stream.data[0], stream.data_size[0]))
            server.rtspserver_sendvideodata(SESSION, data, stream.data_size[0], 1000)
            sent += 1
            encoder.ReleaseStream(CHN, stream)
    except KeyboardInterrupt as e:
        print("user stop:", e)
    finally:
        sensor.stop()
        del link
        encoder.Stop(CHN)
        encoder.Destroy(CHN)
        MediaManager.deinit()
        server.rtspserver_stop()
        server.rtspserver_deinit()
    print("packs sent:", sent)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
