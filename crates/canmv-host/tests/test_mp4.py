"""MP4 recording as CanMV scripts do it (firmware facts §4): the project's recording scripts (an
ordinary file until a stop; fragmented files in the newest generation's style), their files
checked by ffprobe and decoded by ffmpeg; every error path of the
raw muxer; the container with a config left at zero."""

import json
import subprocess
import unittest

from support import EXAMPLES, TempDir, run_canmv, write_script

FRAMES = 45


def ffprobe(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-show_entries",
         "stream=codec_name,width,height,nb_read_frames,duration", "-of", "json", str(path)],
        capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout)["streams"][0]


class Recording(unittest.TestCase):
    def test_a_recording_stopped_by_the_ide_is_a_whole_mp4(self):
        for codec, name in (("h264", "h264"), ("h265", "hevc")):
            with self.subTest(codec=codec), TempDir() as tmp:
                done = run_canmv(EXAMPLES / "2026-01" / "record_mp4.py", "/sdcard/r.mp4", codec,
                                 sdcard=tmp / "card", extra=("--max-frames", str(FRAMES)))
                self.assertEqual(done.returncode, 0, done.stderr)
                written = int(done.stdout.rsplit("frames:", 1)[1].split()[0])
                self.assertGreaterEqual(written, FRAMES)
                seen = ffprobe(tmp / "card" / "r.mp4")
                self.assertEqual((seen["codec_name"], seen["width"], seen["height"]),
                                 (name, 1280, 720))
                self.assertEqual(int(seen["nb_read_frames"]), written)
                # Timestamps are the packs' pts: 30 fps.
                self.assertAlmostEqual(float(seen["duration"]), written / 30, delta=0.05)
                decoded = subprocess.run(
                    ["ffmpeg", "-v", "error", "-i", str(tmp / "card" / "r.mp4"), "-f", "null",
                     "-"], capture_output=True, text=True, timeout=120)
                self.assertEqual((decoded.returncode, decoded.stderr), (0, ""))


def top_level_boxes(path):
    data = path.read_bytes()
    at, boxes = 0, []
    while at + 8 <= len(data):
        size = int.from_bytes(data[at:at + 4], "big")
        boxes.append(data[at + 4:at + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[at + 8:at + 16], "big")
        if size < 8:
            break
        at += size
    return boxes


class Fragmented(unittest.TestCase):
    def test_the_newest_generations_fragmented_recording_writes_whole_files(self):
        for codec, name in (("h265", "hevc"), ("h264", "h264")):
            with self.subTest(codec=codec), TempDir() as tmp:
                done = run_canmv(EXAMPLES / "2026-07" / "record_fmp4.py", "/data/rec", "2", "30",
                                 codec, sdcard=tmp / "card", firmware="canmv-2026-07")
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertNotIn("dropped", done.stderr)
                for n in range(2):
                    path = tmp / "card-data" / ("rec_%d.mp4" % n)
                    self.assertIn("wrote /data/rec_%d.mp4 frames: 30" % n, done.stdout)
                    boxes = top_level_boxes(path)
                    # GOP 15: two fragments, the init segment before, the index after.
                    self.assertEqual(boxes, ["ftyp", "moov", "moof", "mdat", "moof", "mdat",
                                             "mfra"])
                    seen = ffprobe(path)
                    self.assertEqual((seen["codec_name"], seen["width"], seen["height"],
                                      int(seen["nb_read_frames"])), (name, 640, 480, 30))
                    # The pictures' pts from the first, every frame time; key frames where GOPs
                    # start; 30 frames at 30 fps.
                    packets = subprocess.run(
                        ["ffprobe", "-v", "error", "-show_entries", "packet=pts,flags", "-of",
                         "csv=p=0", str(path)], capture_output=True, text=True, check=True,
                        timeout=120).stdout.split()
                    pts = [int(p.split(",")[0]) for p in packets]
                    keys = [i for i, p in enumerate(packets) if p.split(",")[1].startswith("K")]
                    self.assertEqual(pts[0], 0)
                    self.assertEqual(pts, sorted(set(pts)))
                    self.assertEqual(keys, [0, 15])
                    self.assertAlmostEqual(float(seen["duration"]), 1.0, delta=0.05)
                    decoded = subprocess.run(
                        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"],
                        capture_output=True, text=True, timeout=120)
                    self.assertEqual((decoded.returncode, decoded.stderr), (0, ""))


ERRORS = """
    from media.mp4format import *
    from umpp.mp4_format_api import kd_mp4_write_frame as also_there

    def cfg_for(path, fmp4=0):
        cfg = k_mp4_config_s()
        cfg.config_type = K_MP4_CONFIG_MUXER
        cfg.muxer_config.file_name[:] = bytes(path, 'utf-8')
        cfg.muxer_config.fmp4_flag = fmp4
        return cfg

    def video_info():
        info = k_mp4_track_info_s()
        info.track_type = K_MP4_STREAM_VIDEO
        info.video_info.width, info.video_info.height = 320, 240
        return info

    def see(what, call):
        try:
            print(what, "->", repr(call()))
        except Exception as e:
            print(what, "->", type(e).__name__, e)

    h = k_u64_ptr()
    see("bad path", lambda: kd_mp4_create(h, cfg_for("/nonexistent/x.mp4")))
    see("wrong struct", lambda: kd_mp4_create(h, k_mp4_track_info_s()))
    demux = cfg_for("/data/d.mp4")
    demux.config_type = K_MP4_CONFIG_DEMUXER
    see("demuxer config", lambda: kd_mp4_create(h, demux))
    demux.config_type = 9
    see("unknown config", lambda: kd_mp4_create(h, demux))
    see("create", lambda: kd_mp4_create(h, cfg_for("/data/e.mp4")))
    tracks = []
    for i in range(4):
        t = k_u64_ptr()
        see("track %d" % i, lambda: kd_mp4_create_track(h.value, t, video_info()))
        tracks.append(t.value)
    frame = k_mp4_frame_data_s()
    frame.codec_id = K_MP4_CODEC_ID_H264
    payload = bytearray(b"\\x00\\x00\\x00\\x01\\x41\\x9a\\x00\\x10")  # a P slice: no header, no IDR
    frame.data = uctypes.addressof(payload)
    frame.data_length = len(payload)
    see("P first", lambda: kd_mp4_write_frame(h.value, tracks[0], frame))
    see("empty config", lambda: Mp4Container().Create(Mp4CfgStr(MP4_CONFIG_TYPE_MUXER)))
    see("write to no muxer", lambda: kd_mp4_write_frame(0, 0, frame))
    see("destroy", lambda: kd_mp4_destroy(h.value))
    see("destroy twice", lambda: kd_mp4_destroy(h.value))
    see("demuxer", lambda: kd_mp4_get_file_info(h.value, k_mp4_file_info_s()))
    print("last: a bad address, which crashes the board (MemoryFault is no Exception)")
    h2 = k_u64_ptr()
    kd_mp4_create(h2, cfg_for("/data/g.mp4"))
    t2 = k_u64_ptr()
    kd_mp4_create_track(h2.value, t2, video_info())
    frame.data = 0x10
    kd_mp4_write_frame(h2.value, t2.value, frame)
"""


class Errors(unittest.TestCase):
    def test_every_error_path_answers_as_the_firmware(self):
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, ERRORS), sdcard=tmp / "card")
            self.assertEqual(done.returncode, 3, done.stderr)  # the bad address: a crash
            said = done.stdout
            expect = [
                "kd_mp4_create: output file /nonexistent/x.mp4 open failed.",
                "bad path -> -1",
                "wrong struct -> TypeError struct 1 expect size: 136, actual size: 28",
                "demuxer config -> NotImplementedError venc-sim: kd_mp4_create: the MP4 demuxer",
                "unknown config -> -1",
                "create -> 0",
                "track 2 -> 0",
                "kd_mp4_create_track: mp4 already cannot creat new track.",
                "track 3 -> -1",
                "kd_mp4_write_frame: mp4 muxer write should start with key frame (header + idr).",
                "P first -> -1",
                # A muxer config left at zero: the sensor refuses its 0x0 size (test_mp4_audio
                # records with the container).
                "empty config -> AssertionError sensor(2) chn(0) set_framesize invaild width(0)",
                "write to no muxer -> -1",
                "destroy -> 0",
                "destroy twice -> -1",
                "demuxer -> NotImplementedError",
                "last: a bad address",
            ]
            for line in expect:
                self.assertIn(line, said)
            self.assertIn("MemoryFault", done.stderr)
            # The muxer created and destroyed with no frame leaves its file, without moov.
            self.assertTrue((tmp / "card-data" / "e.mp4").is_file())


if __name__ == "__main__":
    unittest.main()
