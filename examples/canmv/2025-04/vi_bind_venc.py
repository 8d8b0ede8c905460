# CanMV images of 2025-04 to 2025-07: the camera bound to the encoder. GetStream takes a
# timeout and returns 0, or -1 when nothing came; ChnAttrStr takes bit_rate and frame rates;
# a link has destroy(). Still one pack per GetStream in these images.
#
# Runs as-is on a board with that firmware and on the simulator:
#   canmv-run --firmware canmv-2025-04 examples/canmv/2025-04/vi_bind_venc.py [-- OUT FRAMES]
# OUT's extension picks the codec (.264 / .265).
from media.vencoder import *
from media.sensor import *
from media.media import *
import os, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/sdcard/examples/bind.265"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
WIDTH, HEIGHT = 1280, 720
CHN = VENC_CHN_ID_0


def main():
    h265 = OUT.endswith(".265")
    payload = Encoder.PAYLOAD_TYPE_H265 if h265 else Encoder.PAYLOAD_TYPE_H264
    profile = Encoder.H265_PROFILE_MAIN if h265 else Encoder.H264_PROFILE_MAIN
    sensor = Sensor(width=1920, height=1080, fps=30)
    sensor.reset()
    sensor.set_framesize(w=WIDTH, h=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)

    encoder = Encoder()
    encoder.SetOutBufs(CHN, 8, WIDTH, HEIGHT)
    link = MediaManager.link(sensor.bind_info()['src'], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CHN))
    MediaManager.init()
    attr = ChnAttrStr(payload, profile, WIDTH, HEIGHT, bit_rate=2000, gopLen=30,
                      src_frame_rate=30, dst_frame_rate=30)
    encoder.Create(CHN, attr)
    encoder.Start(CHN)
    sensor.run()

    stream = StreamData()
    pictures = misses = 0
    try:
        with open(OUT, "wb") as out:
            while pictures < FRAMES and misses < 3:
                os.exitpoint()
                if encoder.GetStream(CHN, stream, 1000) != 0:
                    misses += 1
                    continue
                for i in range(stream.pack_cnt):
                    out.write(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
                    if stream.stream_type[i] != Encoder.STREAM_TYPE_HEADER:
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
