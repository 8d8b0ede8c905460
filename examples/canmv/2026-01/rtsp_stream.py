# The camera, encoded, streamed over RTSP with CanMV's multimedia server, until the IDE's stop
# button (KeyboardInterrupt). Play it with: ffplay rtsp://<ip>:8554/test
#
# Runs as-is on a CanMV K230 board and on the simulator:
#   canmv-run --run-for 20 examples/canmv/2026-01/rtsp_stream.py [-- PORT CODEC]
# CODEC: h264 (default) or h265.
from media.vencoder import *
from media.sensor import *
from media.media import *
import multimedia as mm
import os, sys

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8554
CODEC = sys.argv[2] if len(sys.argv) > 2 else "h264"
SESSION = "test"
WIDTH, HEIGHT = 1280, 720
CHN = VENC_CHN_ID_0


def main():
    h265 = CODEC == "h265"
    payload = Encoder.PAYLOAD_TYPE_H265 if h265 else Encoder.PAYLOAD_TYPE_H264
    profile = Encoder.H265_PROFILE_MAIN if h265 else Encoder.H264_PROFILE_MAIN
    video_type = mm.multi_media_type.media_h265 if h265 else mm.multi_media_type.media_h264

    server = mm.rtsp_server()
    if server.rtspserver_init(PORT) != 0:
        raise OSError("rtsp server init failed")
    if server.rtspserver_createsession(SESSION, video_type, False) != 0:
        raise OSError("rtsp session failed")
    server.rtspserver_start()
    print("url:", server.rtspserver_getrtspurl(SESSION))

    sensor = Sensor(width=1920, height=1080, fps=30)
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)
    encoder = Encoder()
    encoder.SetOutBufs(CHN, 15, WIDTH, HEIGHT)
    link = MediaManager.link(sensor.bind_info()['src'], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CHN))
    encoder.Create(CHN, ChnAttrStr(payload, profile, WIDTH, HEIGHT, bit_rate=1024))
    encoder.Start(CHN)
    sensor.run()

    stream = StreamData()
    sent = 0
    try:
        while True:
            os.exitpoint()
            if encoder.GetStream(CHN, stream, 1000) != 0:
                continue
            for i in range(stream.pack_cnt):
                data = bytes(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
                server.rtspserver_sendvideodata(SESSION, data, stream.data_size[i], 1000)
                sent += 1
            encoder.ReleaseStream(CHN, stream)
    except KeyboardInterrupt:
        print("user stop")
    finally:
        sensor.stop()
        link.destroy()
        encoder.Stop(CHN)
        encoder.Destroy(CHN)
        server.rtspserver_stop()
        server.rtspserver_deinit()
    print("packs sent:", sent)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
