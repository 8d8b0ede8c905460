# CanMV v0.1 (2023-10): the camera bound to the encoder with the first media API, media.camera
# and the class media. Every call returns 0, or prints why and returns -1, so each result is
# checked; there is no os.exitpoint yet. Pools are registered by set_outbufs/set_outsize/
# set_outfmt and SetOutBufs, and made by the single media.buffer_init().
#
# Runs as-is on a board with that firmware and on the simulator:
#   canmv-run --firmware canmv-2023-10 examples/canmv/2023-10/camera_venc.py [-- OUT FRAMES]
from media.vencoder import *
from media.camera import *
from media.media import *
import sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/sdcard/app/tests/camera.264"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
WIDTH, HEIGHT = ALIGN_UP(1280, 16), 720
CHN = VENC_CHN_ID_0


def check(what, ret):
    if ret != 0:
        raise SystemExit("%s failed: %d" % (what, ret))


def main():
    check("sensor_init", camera.sensor_init(CAM_DEV_ID_0, CAM_DEFAULT_SENSOR))
    check("set_outbufs", camera.set_outbufs(CAM_DEV_ID_0, CAM_CHN_ID_0, 6))
    check("set_outsize", camera.set_outsize(CAM_DEV_ID_0, CAM_CHN_ID_0, WIDTH, HEIGHT))
    check("set_outfmt", camera.set_outfmt(CAM_DEV_ID_0, CAM_CHN_ID_0,
                                          PIXEL_FORMAT_YUV_SEMIPLANAR_420))
    encoder = Encoder()
    check("SetOutBufs", encoder.SetOutBufs(CHN, 15, WIDTH, HEIGHT))
    check("buffer_init", media.buffer_init())
    check("Create", encoder.Create(CHN, ChnAttrStr(encoder.PAYLOAD_TYPE_H264,
                                                   encoder.H264_PROFILE_MAIN, WIDTH, HEIGHT)))
    source = media_device(CAMERA_MOD_ID, CAM_DEV_ID_0, CAM_CHN_ID_0)
    sink = media_device(VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CHN)
    check("create_link", media.create_link(source, sink))
    check("Start", encoder.Start(CHN))
    check("start_stream", camera.start_stream(CAM_DEV_ID_0))

    stream = StreamData()
    pictures = 0
    with open(OUT, "wb") as out:
        while pictures < FRAMES:
            if encoder.GetStream(CHN, stream) != 0:  # waits for ever for the next packs
                break
            for i in range(stream.pack_cnt):
                out.write(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
                if stream.stream_type[i] != encoder.STREAM_TYPE_HEADER:
                    pictures += 1
            encoder.ReleaseStream(CHN, stream)

    camera.stop_stream(CAM_DEV_ID_0)
    media.destroy_link(source, sink)
    encoder.Stop(CHN)
    encoder.Destroy(CHN)
    media.buffer_deinit()
    print("wrote", OUT, "frames:", pictures)


main()
