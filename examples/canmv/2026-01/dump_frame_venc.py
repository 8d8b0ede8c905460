# The manual's firmware (2026): a sensor frame handed to the encoder as is, with
# snapshot(dump_frame=True); SendFrame returns the driver's status (0 = queued).
#
# Runs as-is on a CanMV K230 board and on the simulator:
#   canmv-run examples/canmv/2026-01/dump_frame_venc.py [-- OUT FRAMES]
# OUT's extension picks the codec (.264 / .265 / .mjpeg).
from media.vencoder import *
from media.sensor import *
from media.media import *
import os, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/sdcard/examples/dump.264"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
WIDTH, HEIGHT = 800, 480
CHN = VENC_CHN_ID_2
CODECS = {
    "264": (Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN),
    "265": (Encoder.PAYLOAD_TYPE_H265, Encoder.H265_PROFILE_MAIN),
    "mjpeg": (Encoder.PAYLOAD_TYPE_JPEG, Encoder.H264_PROFILE_MAIN),
}


def drain(encoder, stream, out, timeout):
    """Writes what one GetStream brings; returns the pictures in it, or -1 if nothing came."""
    if encoder.GetStream(CHN, stream, timeout) != 0:
        return -1
    pictures = 0
    for i in range(stream.pack_cnt):
        out.write(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
        if stream.stream_type[i] != Encoder.STREAM_TYPE_HEADER:
            pictures += 1
    encoder.ReleaseStream(CHN, stream)
    return pictures


def main():
    payload, profile = CODECS[OUT.split('.')[-1]]
    sensor = Sensor(width=1280, height=720, fps=30)
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, chn=CAM_CHN_ID_2, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP, chn=CAM_CHN_ID_2)

    encoder = Encoder()
    encoder.SetOutBufs(CHN, 8, WIDTH, HEIGHT)
    encoder.Create(CHN, ChnAttrStr(payload, profile, WIDTH, HEIGHT, bit_rate=3000))
    encoder.Start(CHN)
    sensor.run()

    stream = StreamData()
    sent = received = 0
    try:
        with open(OUT, "wb") as out:
            while sent < FRAMES:
                os.exitpoint()
                frame = sensor.snapshot(chn=CAM_CHN_ID_2, dump_frame=True)
                ret = encoder.SendFrame(CHN, frame)
                if ret != 0:
                    print("SendFrame:", hex(ret & 0xFFFFFFFF))
                    break
                sent += 1
                received += max(0, drain(encoder, stream, out, 0))
            while received < sent:
                got = drain(encoder, stream, out, 1000)
                if got < 0:
                    print("encoder stalled with", sent - received, "frames inside")
                    break
                received += got
    except KeyboardInterrupt as e:
        print("user stop:", e)
    finally:
        sensor.stop()
        encoder.Stop(CHN)
        encoder.Destroy(CHN)
    print("wrote", OUT, "sent:", sent, "frames:", received)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
