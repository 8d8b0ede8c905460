# CanMV v0.7 (2024-07): the camera bound to the encoder. This firmware has no SendFrame, and
# GetStream(chn, streamData) waits for ever for the next pack (one per call), raising OSError
# only when the driver fails: so the camera must be running and linked before the loop.
#
# Runs as-is on a board with that firmware and on the simulator:
#   canmv-run --firmware canmv-2024-07 examples/canmv/2024-07/vi_bind_venc.py [-- OUT FRAMES]
from media.vencoder import *
from media.sensor import *
from media.media import *
import os, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/sdcard/app/tests/bind.264"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
WIDTH, HEIGHT = 1280, 720
CHN = VENC_CHN_ID_0


def main():
    sensor = Sensor()
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)

    encoder = Encoder()
    encoder.SetOutBufs(CHN, 8, WIDTH, HEIGHT)
    link = MediaManager.link(sensor.bind_info()['src'], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CHN))
    MediaManager.init()
    encoder.Create(CHN, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN,
                                   WIDTH, HEIGHT))
    encoder.Start(CHN)
    sensor.run()

    stream = StreamData()
    pictures = 0
    try:
        with open(OUT, "wb") as out:
            while pictures < FRAMES:
                os.exitpoint()
                encoder.GetStream(CHN, stream)  # returns None; blocks until a pack comes
                out.write(uctypes.bytearray_at(stream.data[0], stream.data_size[0]))
                if stream.stream_type[0] != Encoder.STREAM_TYPE_HEADER:
                    pictures += 1
                encoder.ReleaseStream(CHN, stream)
    except KeyboardInterrupt as e:
        print("user stop:", e)
    finally:
        sensor.stop()
        del link  # no link.destroy() in this firmware: MediaManager.deinit() unbinds
        encoder.Stop(CHN)
        encoder.Destroy(CHN)
        MediaManager.deinit()
    print("wrote", OUT, "frames:", pictures)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
