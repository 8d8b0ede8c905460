# The newest CanMV firmware (after 2026-07): sensor snapshots encoded with SendFrame and recorded
# as fragmented MP4 under /data, a new file (and a new encoder session, so every file starts
# on header + IDR) every FRAMES pictures. Time stamps are the pictures' pts (the sensor's frame
# times, µs) from the file's first picture; stamping with time.ticks_us() when a picture comes
# out, as some scripts do, times pictures by when GetStream returned them (this firmware hands
# out what is queued, so a picture can come a call late or two in one call). A fragmented file
# keeps every whole GOP written before a power cut; the last one is written by kd_mp4_destroy.
#
# Runs as-is on a board with that firmware and on the simulator:
#   canmv-run --firmware canmv-2026-07 examples/canmv/2026-07/record_fmp4.py [-- PREFIX FILES FRAMES CODEC]
# writes PREFIX_0.mp4 … (PREFIX defaults to /data/rec, FILES to 2, FRAMES to 45, CODEC to h265).
from media.vencoder import *
from media.sensor import *
from media.media import *
from mpp.mp4_format import *
from mpp.mp4_format_struct import *
import os, sys

PREFIX = sys.argv[1] if len(sys.argv) > 1 else "/data/rec"
FILES = int(sys.argv[2]) if len(sys.argv) > 2 else 2
FRAMES = int(sys.argv[3]) if len(sys.argv) > 3 else 45
CODEC = sys.argv[4] if len(sys.argv) > 4 else "h265"
WIDTH, HEIGHT = 640, 480
GOP = 15


def open_fmp4(path, codec_id):
    cfg = k_mp4_config_s()
    cfg.config_type = K_MP4_CONFIG_MUXER
    cfg.muxer_config.file_name[:] = bytes(path, 'utf-8')
    cfg.muxer_config.fmp4_flag = 1
    handle = k_u64_ptr()
    ret = kd_mp4_create(handle, cfg)
    if ret != 0:
        raise OSError("kd_mp4_create failed: %d" % ret)
    info = k_mp4_track_info_s()
    info.track_type = K_MP4_STREAM_VIDEO
    info.time_scale = 1000
    info.video_info.width = WIDTH
    info.video_info.height = HEIGHT
    info.video_info.codec_id = codec_id
    track = k_u64_ptr()
    ret = kd_mp4_create_track(handle.value, track, info)
    if ret != 0:
        raise OSError("kd_mp4_create_track failed: %d" % ret)
    return handle.value, track.value


def record(sensor, path, payload, profile, codec_id):
    """One file from one encoder session; returns the pictures written."""
    mp4, track = open_fmp4(path, codec_id)
    encoder = Encoder()
    encoder.SetOutBufs(8, WIDTH, HEIGHT)
    encoder.Create(ChnAttrStr(payload, profile, WIDTH, HEIGHT, bit_rate=2000, gopLen=GOP))
    encoder.Start()
    stream = StreamData()
    frame = k_mp4_frame_data_s()
    header = bytearray()
    start = None
    sent = written = 0
    try:
        while written < sent or sent < FRAMES:
            os.exitpoint()
            if sent < FRAMES:
                ret = encoder.SendFrame(sensor.snapshot(chn=CAM_CHN_ID_2, dump_frame=True))
                if ret != 0:
                    print("SendFrame:", hex(ret & 0xFFFFFFFF))
                    break
                sent += 1
            if encoder.GetStream(stream, 1000) != 0:
                print("GetStream timed out with", sent - written, "frames inside")
                break
            for i in range(stream.pack_cnt):
                data = uctypes.bytearray_at(stream.data[i], stream.data_size[i])
                if stream.stream_type[i] == Encoder.STREAM_TYPE_HEADER:
                    header += data
                    continue
                if start is None:
                    start = stream.pts[i]
                sample = header + data
                header = bytearray()
                frame.codec_id = codec_id
                frame.data = uctypes.addressof(sample)
                frame.data_length = len(sample)
                frame.time_stamp = stream.pts[i] - start
                ret = kd_mp4_write_frame(mp4, track, frame)
                if ret != 0:
                    raise OSError("kd_mp4_write_frame failed: %d" % ret)
                written += 1
            encoder.ReleaseStream(stream)
    finally:
        encoder.Stop()
        encoder.Destroy()
        kd_mp4_destroy_tracks(mp4)
        kd_mp4_destroy(mp4)
    return written


def main():
    h265 = CODEC == "h265"
    payload = Encoder.PAYLOAD_TYPE_H265 if h265 else Encoder.PAYLOAD_TYPE_H264
    profile = Encoder.H265_PROFILE_MAIN if h265 else Encoder.H264_PROFILE_MAIN
    codec_id = K_MP4_CODEC_ID_H265 if h265 else K_MP4_CODEC_ID_H264

    sensor = Sensor(width=1280, height=720, fps=30)
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, chn=CAM_CHN_ID_2, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP, chn=CAM_CHN_ID_2)
    sensor.run()
    try:
        for n in range(FILES):
            path = "%s_%d.mp4" % (PREFIX, n)
            print("wrote", path, "frames:", record(sensor, path, payload, profile, codec_id))
    except KeyboardInterrupt as e:
        print("user stop:", e)
    finally:
        sensor.stop()


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
