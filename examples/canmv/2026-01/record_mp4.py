# Camera → encoder → MP4 file, until the IDE's stop button (a KeyboardInterrupt) ends the
# recording; the cleanup closes the file, which writes its moov. Header packs go into the same
# sample as the IDR after them (the muxer must start on header + IDR), every picture is one
# sample, time stamps are the packs' pts from the first I (µs).
#
# Runs as-is on a CanMV K230 board and on the simulator:
#   canmv-run --max-frames 90 examples/canmv/2026-01/record_mp4.py [-- OUT CODEC]
# OUT defaults to /sdcard/examples/record.mp4, CODEC to h264 (or h265).
from media.vencoder import *
from media.sensor import *
from media.media import *
from mpp.mp4_format import *
from mpp.mp4_format_struct import *
import os, sys

OUT = sys.argv[1] if len(sys.argv) > 1 else "/sdcard/examples/record.mp4"
CODEC = sys.argv[2] if len(sys.argv) > 2 else "h264"
WIDTH, HEIGHT = 1280, 720
CHN = VENC_CHN_ID_0


def open_mp4(path, codec_id):
    cfg = k_mp4_config_s()
    cfg.config_type = K_MP4_CONFIG_MUXER
    cfg.muxer_config.file_name[:] = bytes(path, 'utf-8')
    cfg.muxer_config.fmp4_flag = 0
    handle = k_u64_ptr()
    if kd_mp4_create(handle, cfg) != 0:
        raise OSError("kd_mp4_create failed")
    info = k_mp4_track_info_s()
    info.track_type = K_MP4_STREAM_VIDEO
    info.time_scale = 1000
    info.video_info.width = WIDTH
    info.video_info.height = HEIGHT
    info.video_info.codec_id = codec_id
    track = k_u64_ptr()
    if kd_mp4_create_track(handle.value, track, info) != 0:
        raise OSError("kd_mp4_create_track failed")
    return handle.value, track.value


def main():
    h265 = CODEC == "h265"
    payload = Encoder.PAYLOAD_TYPE_H265 if h265 else Encoder.PAYLOAD_TYPE_H264
    profile = Encoder.H265_PROFILE_MAIN if h265 else Encoder.H264_PROFILE_MAIN
    codec_id = K_MP4_CODEC_ID_H265 if h265 else K_MP4_CODEC_ID_H264

    sensor = Sensor(width=1920, height=1080, fps=30)
    sensor.reset()
    sensor.set_framesize(width=WIDTH, height=HEIGHT, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)
    encoder = Encoder()
    encoder.SetOutBufs(CHN, 8, WIDTH, HEIGHT)
    link = MediaManager.link(sensor.bind_info()['src'], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CHN))
    encoder.Create(CHN, ChnAttrStr(payload, profile, WIDTH, HEIGHT, bit_rate=3000))
    mp4, track = open_mp4(OUT, codec_id)
    encoder.Start(CHN)
    sensor.run()

    stream = StreamData()
    frame = k_mp4_frame_data_s()
    header = bytearray()
    start = None
    pictures = 0
    try:
        while True:
            os.exitpoint()
            if encoder.GetStream(CHN, stream, 1000) != 0:
                continue
            for i in range(stream.pack_cnt):
                data = uctypes.bytearray_at(stream.data[i], stream.data_size[i])
                kind = stream.stream_type[i]
                if kind == Encoder.STREAM_TYPE_HEADER:
                    header += data
                    continue
                if start is None:
                    if kind != Encoder.STREAM_TYPE_I:
                        continue  # a recording starts on an IDR
                    start = stream.pts[i]
                sample = header + data
                header = bytearray()
                frame.codec_id = codec_id
                frame.data = uctypes.addressof(sample)
                frame.data_length = len(sample)
                frame.time_stamp = stream.pts[i] - start
                if kd_mp4_write_frame(mp4, track, frame) != 0:
                    raise OSError("kd_mp4_write_frame failed")
                pictures += 1
            encoder.ReleaseStream(CHN, stream)
    except KeyboardInterrupt:
        print("stopped")
    finally:
        sensor.stop()
        link.destroy()
        encoder.Stop(CHN)
        encoder.Destroy(CHN)
        kd_mp4_destroy_tracks(mp4)
        kd_mp4_destroy(mp4)
    print("wrote", OUT, "frames:", pictures)


if __name__ == "__main__":
    os.exitpoint(os.EXITPOINT_ENABLE)
    main()
