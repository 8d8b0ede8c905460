# The newest CanMV firmware (after 2026-07): the camera bound to a requested channel and streamed
# over RTSP as H.265 (this firmware's default), the packs handed to the server by physical
# address (rtspserver_sendvideodata_byphyaddr, as WBC streaming scripts do), until the IDE's
# stop button. Play it with: ffplay rtsp://<ip>:8554/test
#
# Runs as-is on a board with that firmware and on the simulator:
#   canmv-run --firmware canmv-2026-07 --run-for 20 examples/canmv/2026-07/rtsp_stream.py [-- PORT CODEC]
# CODEC: h265 (default) or h264.
from media.vencoder import *
from media.sensor import *
from media.media import *
import multimedia as mm
import network
import os, sys, time

PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 8554
CODEC = sys.argv[2] if len(sys.argv) > 2 else "h265"
SESSION = "test"
WIDTH, HEIGHT = 1280, 720


def ip_address():
    lan = network.LAN()
    for _ in range(50):
        if lan.isconnected():
            return lan.ifconfig()[0]
        time.sleep_ms(100)
    raise OSError("no network")


def main():
    h265 = CODEC == "h265"
    payload = Encoder.PAYLOAD_TYPE_H265 if h265 else Encoder.PAYLOAD_TYPE_H264
    profile = Encoder.H265_PROFILE_MAIN if h265 else Encoder.H264_PROFILE_MAIN
    video_type = mm.multi_media_type.media_h265 if h265 else mm.multi_media_type.media_h264
    ip = ip_address()

    sensor = Sensor()
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)
    encoder = Encoder()
    encoder.SetOutBufs(15, WIDTH, HEIGHT)
    encoder.Create(ChnAttrStr(payload, profile, WIDTH, HEIGHT, bit_rate=512, gopLen=30))
    link = MediaManager.link(sensor.bind_info()['src'],
                             (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, encoder.chn))

    server = mm.rtsp_server()
    if server.rtspserver_init(PORT) != 0:
        raise OSError("rtsp server init failed")
    if server.rtspserver_createsession(SESSION, video_type, False) != 0:
        raise OSError("rtsp session failed")
    server.rtspserver_start()
    print("url: rtsp://%s:%d/%s" % (ip, PORT, SESSION))

    encoder.Start()
    sensor.run()
    stream = StreamData()
    sent = 0
    try:
        while True:
            os.exitpoint()
            if encoder.GetStream(stream, 1000) != 0:
                continue
            for i in range(stream.pack_cnt):
                server.rtspserver_sendvideodata_byphyaddr(SESSION, stream.phy_addr[i],
                                                          stream.data_size[i], 1000)
                sent += 1
            encoder.ReleaseStream(stream)
    except KeyboardInterrupt as e:
        print("user stop:", e)
    finally:
        sensor.stop()
        link.destroy()
        encoder.Stop()
        encoder.Destroy()
        server.rtspserver_stop()
        server.rtspserver_deinit()
    print("packs sent:", sent)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
