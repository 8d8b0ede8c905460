"""The project's example scripts and the manual's, run through canmv-run; the outputs decode
with ffprobe (an independent decoder) to the right frame count, codec and size."""

import math
import os
import subprocess
import unittest

from support import EXAMPLES, SEED_EXAMPLES, TempDir, probe, run_canmv

FRAMES = 45

# firmware, script (under examples/canmv/), output, codec ffprobe names, size.
CASES = [
    ("canmv-2026-01", "2026-01/vi_bind_venc.py", "bind.264", "h264", (1280, 720)),
    ("canmv-2026-01", "2026-01/vi_bind_venc.py", "bind.265", "hevc", (1280, 720)),
    ("canmv-2026-01", "2026-01/stream_venc.py", "stream.264", "h264", (640, 360)),
    ("canmv-2026-01", "2026-01/stream_venc.py", "stream.265", "hevc", (640, 360)),
    ("canmv-2026-01", "2026-01/dump_frame_venc.py", "dump.265", "hevc", (800, 480)),
    ("canmv-2026-01", "2026-01/dump_frame_venc.py", "dump.mjpeg", "mjpeg", (800, 480)),
    ("canmv-2023-10", "2023-10/camera_venc.py", "v01.264", "h264", (1280, 720)),
    ("canmv-2024-07", "2024-07/vi_bind_venc.py", "v07.264", "h264", (1280, 720)),
    ("canmv-2024-08", "2024-08/stream_venc.py", "v1.264", "h264", (640, 480)),
    ("canmv-2024-08", "2024-08/stream_venc.py", "v1.265", "hevc", (640, 480)),
    ("canmv-2025-04", "2025-04/vi_bind_venc.py", "apr.265", "hevc", (1280, 720)),
    ("canmv-2025-08", "2025-08/jpeg_subchannel.py", "sub.mjpeg", "mjpeg", (640, 360)),
    ("canmv-2026-07", "2026-07/bind_venc.py", "nb.264", "h264", (1280, 720)),
    ("canmv-2026-07", "2026-07/bind_venc.py", "nb.mjpeg", "mjpeg", (1280, 720)),
]


def frames_written(stdout):
    """The picture count a script printed last (`... frames: N`)."""
    return int(stdout.rsplit("frames:", 1)[1].split()[0])


def y_planes(path, size):
    """The Y plane of every decoded picture, raw (ffmpeg's extractplanes: no range change)."""
    out = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", os.fspath(path), "-vf", "extractplanes=y",
         "-f", "rawvideo", "-"],
        capture_output=True, check=True, timeout=120,
    ).stdout
    n = size[0] * size[1]
    return [out[i:i + n] for i in range(0, len(out), n)]


def psnr(a, b):
    mse = sum((x - y) ** 2 for x, y in zip(a, b)) / len(a)
    return float("inf") if mse == 0 else 10 * math.log10(255 ** 2 / mse)


class ProjectExamples(unittest.TestCase):
    def test_each_generations_examples_decode_to_every_frame(self):
        for firmware, script, out, codec, size in CASES:
            with self.subTest(firmware=firmware, script=script, out=out), TempDir() as card:
                done = run_canmv(EXAMPLES / script, "/sdcard/" + out, str(FRAMES), sdcard=card,
                                 firmware=firmware)
                self.assertEqual(done.returncode, 0, done.stderr)
                written = frames_written(done.stdout)
                self.assertGreaterEqual(written, FRAMES, done.stdout)
                seen = probe(card / out)
                self.assertEqual(seen, {"codec": codec, "size": size, "frames": written})

    def test_three_cameras_encode_at_once(self):
        with TempDir() as card:
            done = run_canmv(EXAMPLES / "2024-03" / "three_cameras_venc.py", "/sdcard",
                             str(FRAMES), sdcard=card, firmware="canmv-2024-03")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("MCM Device:  2", done.stdout)
            for dev in range(3):
                seen = probe(card / f"camera{dev}.264")
                self.assertEqual(seen["codec"], "h264")
                self.assertEqual(seen["size"], (640, 360))
                self.assertGreaterEqual(seen["frames"], FRAMES)

    def test_jpeg_from_a_sub_channel_matches_the_camera(self):
        with TempDir() as tmp:
            w, h = 640, 360
            y = bytes((c // 3 + r // 2 + (c * r) % 7) & 0xFF for r in range(h) for c in range(w))
            y4m = tmp / "still.y4m"
            y4m.write_bytes(b"YUV4MPEG2 W640 H360 F30:1 C420jpeg\nFRAME\n" + y
                            + bytes([128]) * (w * h // 2))
            done = run_canmv(EXAMPLES / "2025-08" / "jpeg_subchannel.py", "/sdcard/s.mjpeg",
                             "5", sdcard=tmp / "card", firmware="canmv-2025-08", source=y4m)
            self.assertEqual(done.returncode, 0, done.stderr)
            pictures = y_planes(tmp / "card" / "s.mjpeg", (w, h))
            self.assertEqual(len(pictures), 5)
            for picture in pictures:
                self.assertGreater(psnr(picture, y), 35.0)

    def test_the_newest_firmware_s_example_decodes_for_every_codec(self):
        for out, codec in (("n.264", "h264"), ("n.265", "hevc"), ("n.mjpeg", "mjpeg")):
            with self.subTest(out=out), TempDir() as card:
                done = run_canmv(EXAMPLES / "2026-07" / "stream_venc.py", "/sdcard/" + out,
                                 str(FRAMES), sdcard=card, firmware="canmv-2026-07")
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn("requested channel 0", done.stdout)
                self.assertIn(f"frames: {FRAMES} chn after Destroy: -1", done.stdout)
                seen = probe(card / out)
                self.assertEqual(seen, {"codec": codec, "size": (640, 360), "frames": FRAMES})

    def test_file_source_feeds_the_sensor(self):
        with TempDir() as tmp:
            # A 2-frame Y4M at another size: looped and scaled to the channel.
            y4m = tmp / "in.y4m"
            frame = bytes([16] * (96 * 64)) + bytes([128] * (96 * 64 // 2))
            y4m.write_bytes(b"YUV4MPEG2 W96 H64 F30:1 C420jpeg\n" + 2 * (b"FRAME\n" + frame))
            done = run_canmv(EXAMPLES / "2026-01" / "stream_venc.py", "/sdcard/f.264", "10", sdcard=tmp,
                             source=y4m)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(probe(tmp / "f.264")["frames"], 10)


@unittest.skipUnless(SEED_EXAMPLES.is_dir(), f"the manual's examples are not at {SEED_EXAMPLES}")
class ManualExamples(unittest.TestCase):
    """The vendor's two programs, unmodified, from ../shared."""

    def test_manual_examples_run_unmodified(self):
        for name in ("example1_vi_bind_venc.py", "example2_stream_venc.py"):
            with self.subTest(name=name), TempDir() as card:
                done = run_canmv(SEED_EXAMPLES / name, sdcard=card)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn("venc_test stop", done.stdout)
                seen = probe(card / "examples" / "test.264")
                self.assertEqual((seen["codec"], seen["size"]), ("h264", (800, 480)))
                # 200 GetStream calls of one pack or more: the header packs of the 7 IDRs use
                # some of them and the last frames stay in the encoder at Stop (on the board too).
                self.assertGreaterEqual(seen["frames"], 190)
                self.assertLessEqual(seen["frames"], 200)


if __name__ == "__main__":
    unittest.main()
