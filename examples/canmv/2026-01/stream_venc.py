# Frames sent by hand: sensor.snapshot() -> k_video_frame_info -> Encoder.SendFrame.
#
# Runs as-is on a CanMV K230 board and on the simulator:
#   canmv-run examples/canmv/2026-01/stream_venc.py --sdcard sdcard [-- OUT FRAMES]
# OUT's extension picks the codec (.264 / .265). On the board sys.argv is empty: defaults apply.
#
# Unlike hard-coded "+1024"/"+3072" UV offsets, the UV address comes from the image itself
# (phyaddr(1)): right for every size. The loop ends only when every frame sent has come back,
# so nothing stays in the encoder at Stop.
from media.vencoder import *
from media.sensor import *
from media.media import *
import os, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/sdcard/examples/stream.264"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
WIDTH, HEIGHT = 640, 360
CHN = VENC_CHN_ID_1


def codec_of(path):
    suffix = path.split('.')[-1]
    if suffix == '264':
        return Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_HIGH
    if suffix == '265':
        return Encoder.PAYLOAD_TYPE_H265, Encoder.H265_PROFILE_MAIN
    raise ValueError("output must end in .264 or .265: " + path)


def write_packs(encoder, stream, out):
    """Writes one GetStream's packs; returns how many were pictures (I or P)."""
    pictures = 0
    for i in range(stream.pack_cnt):
        out.write(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
        if stream.stream_type[i] != Encoder.STREAM_TYPE_HEADER:
            pictures += 1
    encoder.ReleaseStream(CHN, stream)
    return pictures


def main():
    payload, profile = codec_of(OUT)
    sensor = Sensor()
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)

    encoder = Encoder()
    encoder.SetOutBufs(CHN, 8, WIDTH, HEIGHT)
    MediaManager.init()
    encoder.Create(CHN, ChnAttrStr(payload, profile, WIDTH, HEIGHT, bit_rate=1500, gopLen=25))
    encoder.Start(CHN)
    sensor.run()

    frame = k_video_frame_info()
    stream = StreamData()
    sent = 0
    received = 0
    try:
        with open(OUT, "wb") as out:
            while sent < FRAMES:
                os.exitpoint()
                img = sensor.snapshot(chn=CAM_CHN_ID_0)
                frame.v_frame.width = img.width()
                frame.v_frame.height = img.height()
                frame.v_frame.pixel_format = Sensor.YUV420SP
                frame.pool_id = img.poolid()
                frame.v_frame.phys_addr[0] = img.phyaddr()
                frame.v_frame.phys_addr[1] = img.phyaddr(1)
                ret = encoder.SendFrame(CHN, frame)
                if ret != 0:
                    print("SendFrame failed:", hex(ret & 0xFFFFFFFF))
                    break
                sent += 1
                if encoder.GetStream(CHN, stream, 1000) == 0:
                    received += write_packs(encoder, stream, out)
            # Drain: every frame sent comes back as one I or P pack.
            while received < sent:
                if encoder.GetStream(CHN, stream, 1000) != 0:
                    print("encoder stalled with", sent - received, "frames inside")
                    break
                received += write_packs(encoder, stream, out)
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
