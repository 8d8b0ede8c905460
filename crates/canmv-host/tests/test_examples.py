"""The project's example scripts and the manual's, run through canmv-run; the outputs decode
with ffprobe (an independent decoder) to the right frame count, codec and size."""

import unittest

from support import EXAMPLES, SEED_EXAMPLES, TempDir, probe, run_canmv

FRAMES = 45

CASES = [
    # script, output, codec ffprobe names, size
    ("vi_bind_venc.py", "bind.264", "h264", (1280, 720)),
    ("vi_bind_venc.py", "bind.265", "hevc", (1280, 720)),
    ("stream_venc.py", "stream.264", "h264", (640, 360)),
    ("stream_venc.py", "stream.265", "hevc", (640, 360)),
]


class ProjectExamples(unittest.TestCase):
    def test_examples_decode_to_every_frame(self):
        for script, out, codec, size in CASES:
            with self.subTest(script=script, out=out), TempDir() as card:
                done = run_canmv(EXAMPLES / script, "/sdcard/" + out, str(FRAMES), sdcard=card)
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn(f"frames: {FRAMES}", done.stdout)
                seen = probe(card / out)
                self.assertEqual(seen, {"codec": codec, "size": size, "frames": FRAMES})

    def test_the_newest_firmware_s_example_decodes_for_every_codec(self):
        for out, codec in (("n.264", "h264"), ("n.265", "hevc"), ("n.mjpeg", "mjpeg")):
            with self.subTest(out=out), TempDir() as card:
                done = run_canmv(EXAMPLES / "nochn" / "stream_venc.py", "/sdcard/" + out,
                                 str(FRAMES), sdcard=card, firmware="canmv-nochn")
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
            done = run_canmv(EXAMPLES / "stream_venc.py", "/sdcard/f.264", "10", sdcard=tmp,
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
