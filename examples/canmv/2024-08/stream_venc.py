# CanMV v1.0 (2024-08, and images up to 2025-02): frames sent by hand. In this firmware
# SendFrame and GetStream return None and raise OSError on failure; GetStream waits at most
# one second and hands out one pack per call; ChnAttrStr takes only the GOP (4000 kbit/s, 30 fps).
#
# Runs as-is on a board with that firmware and on the simulator:
#   canmv-run --firmware canmv-2024-08 examples/canmv/2024-08/stream_venc.py [-- OUT FRAMES]
# OUT's extension picks the codec (.264 / .265).
from media.vencoder import *
from media.sensor import *
from media.media import *
import os, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/sdcard/app/tests/stream.264"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
WIDTH, HEIGHT = 640, 480
CHN = VENC_CHN_ID_0


def codec_of(path):
    suffix = path.split('.')[-1]
    if suffix == '264':
        return Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN
    if suffix == '265':
        return Encoder.PAYLOAD_TYPE_H265, Encoder.H265_PROFILE_MAIN
    raise ValueError("output must end in .264 or .265: " + path)


def take_one(encoder, stream, out):
    """One GetStream (one pack): 1 if it was a picture, 0 for a header. OSError if none came."""
    encoder.GetStream(CHN, stream)
    out.write(uctypes.bytearray_at(stream.data[0], stream.data_size[0]))
    picture = 0 if stream.stream_type[0] == Encoder.STREAM_TYPE_HEADER else 1
    encoder.ReleaseStream(CHN, stream)
    return picture


def main():
    payload, profile = codec_of(OUT)
    sensor = Sensor(width=1280, height=720, fps=30)
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)

    encoder = Encoder()
    encoder.SetOutBufs(CHN, 8, WIDTH, HEIGHT)  # before MediaManager.init() in this firmware
    MediaManager.init()
    encoder.Create(CHN, ChnAttrStr(payload, profile, WIDTH, HEIGHT, gopLen=30))
    encoder.Start(CHN)
    sensor.run()

    frame = k_video_frame_info()
    stream = StreamData()
    sent = received = 0
    try:
        with open(OUT, "wb") as out:
            while sent < FRAMES:
                os.exitpoint()
                img = sensor.snapshot(CAM_CHN_ID_0)
                frame.v_frame.width = img.width()
                frame.v_frame.height = img.height()
                frame.v_frame.pixel_format = Sensor.YUV420SP
                frame.pool_id = img.poolid()
                frame.v_frame.phys_addr[0] = img.phyaddr()
                frame.v_frame.phys_addr[1] = img.phyaddr(1)
                encoder.SendFrame(CHN, frame)  # raises on failure
                sent += 1
                received += take_one(encoder, stream, out)
            while received < sent:  # the header of the first IDR took a call of its own
                received += take_one(encoder, stream, out)
    except OSError as e:
        print("encoder error:", e)
    except KeyboardInterrupt as e:
        print("user stop:", e)
    finally:
        sensor.stop()
        encoder.Stop(CHN)
        encoder.Destroy(CHN)
        MediaManager.deinit()
    print("wrote", OUT, "sent:", sent, "frames:", received)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
