# CanMV v0.5 (2024-03): three cameras (CSI0, CSI1, CSI2) each bound to its own encoder channel.
# With more than one sensor_init the devices run together ("MCM"): start_mcm_stream() starts
# them all. From v0.3 the calls return None and raise on failure; os.exitpoint exists.
#
# Runs as-is on a board with three cameras and that firmware, and on the simulator:
#   canmv-run --firmware canmv-2024-03 examples/canmv/2024-03/three_cameras_venc.py [-- DIR FRAMES]
from media.vencoder import *
from media.camera import *
from media.media import *
import os, sys

DIR = sys.argv[1] if len(sys.argv) > 1 else "/sdcard/app/tests"
FRAMES = int(sys.argv[2]) if len(sys.argv) > 2 else 60
WIDTH, HEIGHT = 640, 360
SENSORS = (CAM_OV5647_1920X1080_30FPS_10BIT_USEMCLK_LINEAR,
           CAM_OV5647_1920X1080_CSI1_30FPS_10BIT_USEMCLK_LINEAR,
           CAM_OV5647_1920X1080_CSI2_30FPS_10BIT_USEMCLK_LINEAR)


def main():
    encoders, links = [], []
    for dev, kind in enumerate(SENSORS):
        camera.sensor_init(dev, kind)
        camera.set_outbufs(dev, CAM_CHN_ID_0, 6)
        camera.set_outsize(dev, CAM_CHN_ID_0, WIDTH, HEIGHT, 12)
        camera.set_outfmt(dev, CAM_CHN_ID_0, PIXEL_FORMAT_YUV_SEMIPLANAR_420)
        encoder = Encoder()
        encoder.SetOutBufs(dev, 8, WIDTH, HEIGHT)
        encoders.append(encoder)
    media.buffer_init()
    for dev, encoder in enumerate(encoders):
        encoder.Create(dev, ChnAttrStr(encoder.PAYLOAD_TYPE_H264, encoder.H264_PROFILE_MAIN,
                                       WIDTH, HEIGHT))
        link = (media_device(CAMERA_MOD_ID, dev, CAM_CHN_ID_0),
                media_device(VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, dev))
        media.create_link(*link)
        links.append(link)
        encoder.Start(dev)
    camera.start_mcm_stream()

    outs = [open("%s/camera%d.264" % (DIR, dev), "wb") for dev in range(len(SENSORS))]
    pictures = [0] * len(SENSORS)
    stream = StreamData()
    try:
        while min(pictures) < FRAMES:
            os.exitpoint()
            for dev, encoder in enumerate(encoders):
                if pictures[dev] >= FRAMES:
                    continue
                encoder.GetStream(dev, stream)
                for i in range(stream.pack_cnt):
                    outs[dev].write(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
                    if stream.stream_type[i] != encoder.STREAM_TYPE_HEADER:
                        pictures[dev] += 1
                encoder.ReleaseStream(dev, stream)
    except KeyboardInterrupt as e:
        print("user stop: ", e)
    finally:
        for out in outs:
            out.close()
        camera.stop_mcm_stream()
        for dev, encoder in enumerate(encoders):
            media.destroy_link(*links[dev])
            encoder.Stop(dev)
            encoder.Destroy(dev)
        media.buffer_deinit()
    print("frames per camera:", pictures)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
