# CanMV images of 2025-08 to 2026-01: JPEG from a sensor sub-channel. Channel 0 of the sensor
# runs at 1280x720 (for a display, say); channel 1 at 640x360 is bound to a JPEG encoder. Each
# GetStream hands out every pack queued (pack_cnt), each pack one whole JFIF picture.
#
# Runs as-is on a board with that firmware and on the simulator:
#   canmv-run --firmware canmv-2025-08 examples/canmv/2025-08/jpeg_subchannel.py [-- OUT FRAMES]
from media.vencoder import *
from media.sensor import *
from media.media import *
import os, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/sdcard/examples/sub.mjpeg"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
SUB_W, SUB_H = 640, 360
CHN = VENC_CHN_ID_0


def main():
    sensor = Sensor(width=1920, height=1080, fps=30)
    sensor.reset()
    sensor.set_framesize(width=1280, height=720, chn=CAM_CHN_ID_0)
    sensor.set_pixformat(Sensor.YUV420SP, chn=CAM_CHN_ID_0)
    sensor.set_framesize(width=SUB_W, height=SUB_H, chn=CAM_CHN_ID_1, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP, chn=CAM_CHN_ID_1)

    encoder = Encoder()
    encoder.SetOutBufs(CHN, 8, SUB_W, SUB_H)
    src = sensor.bind_info(chn=CAM_CHN_ID_1)['src']
    link = MediaManager.link(src, (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CHN))
    MediaManager.init()
    attr = ChnAttrStr(Encoder.PAYLOAD_TYPE_JPEG, Encoder.H264_PROFILE_MAIN, SUB_W, SUB_H,
                      mjpeg_quality_factor=90)
    encoder.Create(CHN, attr)
    encoder.Start(CHN)
    sensor.run()

    stream = StreamData()
    pictures = 0
    try:
        with open(OUT, "wb") as out:
            while pictures < FRAMES:
                os.exitpoint()
                if encoder.GetStream(CHN, stream, 1000) != 0:
                    print("no picture within 1 s")
                    break
                for i in range(stream.pack_cnt):
                    jpeg = uctypes.bytearray_at(stream.data[i], stream.data_size[i])
                    if pictures < FRAMES:
                        out.write(jpeg)
                        pictures += 1
                encoder.ReleaseStream(CHN, stream)
    except KeyboardInterrupt as e:
        print("user stop:", e)
    finally:
        sensor.stop()
        link.destroy()
        encoder.Stop(CHN)
        encoder.Destroy(CHN)
        MediaManager.deinit()
    print("wrote", OUT, "frames:", pictures)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
