# The newest CanMV firmware (after 2026-07): the camera bound to a requested channel. The
# destination (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, encoder.chn) exists only after Create, so the
# link comes after it; cleanup destroys the link, then stops and destroys the encoder.
#
# Runs as-is on a board with that firmware and on the simulator:
#   canmv-run --firmware canmv-2026-07 examples/canmv/2026-07/bind_venc.py [-- OUT FRAMES]
# OUT's extension picks the codec (.264 / .265 / .mjpeg).
from media.vencoder import *
from media.sensor import *
from media.media import *
import os, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/data/bind.265"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
WIDTH, HEIGHT = 1280, 720
CODECS = {
    "264": (Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_HIGH),
    "265": (Encoder.PAYLOAD_TYPE_H265, Encoder.H265_PROFILE_MAIN),
    "mjpeg": (Encoder.PAYLOAD_TYPE_JPEG, Encoder.H264_PROFILE_MAIN),
}


def main():
    payload, profile = CODECS[OUT.split('.')[-1]]
    sensor = Sensor(width=1920, height=1080, fps=30)
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)

    encoder = Encoder()
    encoder.SetOutBufs(8, WIDTH, HEIGHT)
    encoder.Create(ChnAttrStr(payload, profile, WIDTH, HEIGHT, bit_rate=2500))
    link = MediaManager.link(sensor.bind_info()['src'],
                             (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, encoder.chn))
    encoder.Start()
    sensor.run()

    stream = StreamData()
    pictures = 0
    try:
        with open(OUT, "wb") as out:
            while pictures < FRAMES:
                os.exitpoint()
                if encoder.GetStream(stream, 1000) != 0:
                    print("no stream within 1 s")
                    break
                for i in range(stream.pack_cnt):
                    out.write(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
                    if stream.stream_type[i] != Encoder.STREAM_TYPE_HEADER:
                        pictures += 1
                encoder.ReleaseStream(stream)
    except KeyboardInterrupt as e:
        print("user stop:", e)
    finally:
        sensor.stop()
        link.destroy()
        if encoder.chn >= 0:
            encoder.Stop()
            encoder.Destroy()
    print("wrote", OUT, "frames:", pictures)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
