# Camera bound to the encoder (MediaManager.link): no SendFrame, the sensor feeds channel 0.
#
# Runs as-is on a CanMV K230 board and on the simulator:
#   canmv-run examples/canmv/2026-01/vi_bind_venc.py --sdcard sdcard [-- OUT FRAMES]
# OUT's extension picks the codec (.264 / .265). On the board sys.argv is empty: defaults apply.
from media.vencoder import *
from media.sensor import *
from media.media import *
import os, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/sdcard/examples/bind.264"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
WIDTH, HEIGHT = 1280, 720
CHN = VENC_CHN_ID_0


def codec_of(path):
    suffix = path.split('.')[-1]
    if suffix == '264':
        return Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN
    if suffix == '265':
        return Encoder.PAYLOAD_TYPE_H265, Encoder.H265_PROFILE_MAIN
    raise ValueError("output must end in .264 or .265: " + path)


def main():
    payload, profile = codec_of(OUT)
    width = ALIGN_UP(WIDTH, 16)
    sensor = Sensor()
    sensor.reset()
    sensor.set_framesize(width=width, height=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)

    encoder = Encoder()
    encoder.SetOutBufs(CHN, 8, width, HEIGHT)
    link = MediaManager.link(sensor.bind_info()['src'], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CHN))
    MediaManager.init()
    encoder.Create(CHN, ChnAttrStr(payload, profile, width, HEIGHT))
    encoder.Start(CHN)
    sensor.run()

    stream = StreamData()
    pictures = 0  # I and P packs: one per encoded frame
    headers = 0
    try:
        with open(OUT, "wb") as out:
            while pictures < FRAMES:
                os.exitpoint()
                if encoder.GetStream(CHN, stream, 1000) != 0:
                    print("no stream within 1 s")
                    break
                for i in range(stream.pack_cnt):
                    out.write(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
                    if stream.stream_type[i] == Encoder.STREAM_TYPE_HEADER:
                        headers += 1
                    else:
                        pictures += 1
                encoder.ReleaseStream(CHN, stream)
    except KeyboardInterrupt as e:
        print("user stop:", e)
    finally:
        # The manual's teardown order: sensor, link, encoder, media.
        sensor.stop()
        del link
        encoder.Stop(CHN)
        encoder.Destroy(CHN)
        MediaManager.deinit()
    print("wrote", OUT, "frames:", pictures, "headers:", headers)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
