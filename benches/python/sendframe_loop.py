# The SendFrame loop of the Python-vs-Rust benchmark, as a CanMV script. Its Rust twin is
# benches/src/bin/python-vs-rust.rs (`rust_loop`): same steps, same order, same sizes.
#   canmv-run benches/python/sendframe_loop.py -- WIDTH HEIGHT FRAMES
# Prints one JSON line: {"fps": …, "frames": …, "bytes": …}.
from media.vencoder import *
from media.sensor import *
from media.media import *
import json, sys, time

WIDTH, HEIGHT, FRAMES = (int(a) for a in sys.argv[1:4])
WARMUP = 5
CHN = VENC_CHN_ID_0

sensor = Sensor()
sensor.reset()
sensor.set_framesize(width=WIDTH, height=HEIGHT, alignment=12)
sensor.set_pixformat(Sensor.YUV420SP)
encoder = Encoder()
encoder.SetOutBufs(CHN, 8, WIDTH, HEIGHT)
MediaManager.init()
encoder.Create(CHN, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN, WIDTH, HEIGHT))
encoder.Start(CHN)
sensor.run()
frame = k_video_frame_info()
stream = StreamData()


def one_frame():
    img = sensor.snapshot(chn=CAM_CHN_ID_0)
    frame.v_frame.width = img.width()
    frame.v_frame.height = img.height()
    frame.v_frame.pixel_format = Sensor.YUV420SP
    frame.pool_id = img.poolid()
    frame.v_frame.phys_addr[0] = img.phyaddr()
    frame.v_frame.phys_addr[1] = img.phyaddr(1)
    if encoder.SendFrame(CHN, frame) != 0:
        raise RuntimeError("SendFrame failed")
    size = 0
    picture = False
    while not picture:
        if encoder.GetStream(CHN, stream) != 0:
            raise RuntimeError("GetStream failed")
        for i in range(stream.pack_cnt):
            size += len(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
            picture = picture or stream.stream_type[i] != Encoder.STREAM_TYPE_HEADER
        encoder.ReleaseStream(CHN, stream)
    return size


for _ in range(WARMUP):
    one_frame()
total = 0
t0 = time.perf_counter()
for _ in range(FRAMES):
    total += one_frame()
elapsed = time.perf_counter() - t0

sensor.stop()
encoder.Stop(CHN)
encoder.Destroy(CHN)
MediaManager.deinit()
print(json.dumps({"fps": FRAMES / elapsed, "frames": FRAMES, "bytes": total}))
