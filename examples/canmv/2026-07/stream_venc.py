# The newest CanMV firmware's encoder (after 2026-07): no channel arguments. Create() requests
# a free channel and keeps it in encoder.chn; Destroy() gives it back.
#
# Runs as-is on a board with that firmware and on the simulator:
#   canmv-run --firmware canmv-2026-07 examples/canmv/2026-07/stream_venc.py [-- OUT FRAMES]
# OUT's extension picks the codec (.264 / .265 / .mjpeg).
from media.vencoder import *
from media.sensor import *
from media.media import *
import os, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/sdcard/examples/nochn.264"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
WIDTH, HEIGHT = 640, 360


def codec_of(path):
    suffix = path.split('.')[-1]
    if suffix == '264':
        return Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_HIGH
    if suffix == '265':
        return Encoder.PAYLOAD_TYPE_H265, Encoder.H265_PROFILE_MAIN
    if suffix == 'mjpeg':
        return Encoder.PAYLOAD_TYPE_JPEG, Encoder.H264_PROFILE_MAIN
    raise ValueError("output must end in .264, .265 or .mjpeg: " + path)


def main():
    payload, profile = codec_of(OUT)
    sensor = Sensor()
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)

    encoder = Encoder()
    encoder.SetOutBufs(8, WIDTH, HEIGHT)
    encoder.Create(ChnAttrStr(payload, profile, WIDTH, HEIGHT, bit_rate=1500, gopLen=25))
    print("requested channel", encoder.chn)
    encoder.Start()
    sensor.run()

    frame = k_video_frame_info()
    stream = StreamData()
    sent = received = 0
    try:
        with open(OUT, "wb") as out:
            while sent < FRAMES or received < sent:
                os.exitpoint()
                if sent < FRAMES:
                    img = sensor.snapshot(chn=CAM_CHN_ID_0)
                    frame.v_frame.width = img.width()
                    frame.v_frame.height = img.height()
                    frame.v_frame.pixel_format = Sensor.YUV420SP
                    frame.pool_id = img.poolid()
                    frame.v_frame.phys_addr[0] = img.phyaddr()
                    frame.v_frame.phys_addr[1] = img.phyaddr(1)
                    if encoder.SendFrame(frame) != 0:
                        print("SendFrame failed")
                        break
                    sent += 1
                if encoder.GetStream(stream, 1000) != 0:
                    if sent == FRAMES:
                        print("encoder stalled with", sent - received, "frames inside")
                        break
                    continue
                for i in range(stream.pack_cnt):
                    out.write(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
                    if stream.stream_type[i] != Encoder.STREAM_TYPE_HEADER:
                        received += 1
                encoder.ReleaseStream(stream)
    finally:
        sensor.stop()
        if encoder.chn >= 0:
            encoder.Stop()
            encoder.Destroy()
    print("wrote", OUT, "sent:", sent, "frames:", received, "chn after Destroy:", encoder.chn)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
