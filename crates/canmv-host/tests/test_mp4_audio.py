"""``Mp4Container`` records the camera and the microphone (oldgen facts §2.4, firmware facts
§4.5): per generation, checked by ffprobe and decoded by ffmpeg; the 2026 firmware's own bug
(``Create`` calls the ``PyAudio.initialize`` it removed); a second container in one script."""

import struct
import subprocess
import unittest

from support import TempDir, run_canmv, write_script

CONTAINER = """
    from media.mp4format import *
    import sys
    muxer = Mp4Container()
    cfg = Mp4CfgStr(muxer.MP4_CONFIG_TYPE_MUXER)
    cfg.SetMuxerCfg(sys.argv[1], muxer.MP4_CODEC_ID_H264, 320, 240, muxer.MP4_CODEC_ID_G711U)
    muxer.Create(cfg)
    muxer.Start()
    for _ in range(int(sys.argv[2])):
        muxer.Process()
    muxer.Stop()
    muxer.Destroy()
    print("recorded")
"""


def streams(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_entries",
                          "stream=codec_type,codec_name,sample_rate,channels,nb_read_frames",
                          "-of", "compact=p=0:nk=1", str(path)], capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    return sorted(tuple(line.split("|")) for line in out)


class Container(unittest.TestCase):
    def test_each_generation_records_video_and_the_microphone(self):
        # (firmware, card path, audio stream expected)
        for firmware, path, audio in (("canmv-2025-08", "/sdcard/a.mp4", True),
                                      ("canmv-2024-08", "/sdcard/a.mp4", True),
                                      ("canmv-2024-03", "/sdcard/app/a.mp4", True),
                                      ("canmv-2023-12", "/sdcard/app/a.mp4", False)):
            with self.subTest(firmware=firmware), TempDir() as tmp:
                # Paced as on the board: one Process per picture, a chunk every 40 ms.
                done = run_canmv(write_script(tmp, CONTAINER), path, "40", sdcard=tmp,
                                 firmware=firmware,
                                 extra=["--mic", "tone:500", "--timing", "realtime"])
                self.assertEqual(done.returncode, 0, done.stderr)
                got = streams(tmp / path.removeprefix("/sdcard/"))
                video = [s for s in got if s[0] == "h264"]
                self.assertEqual(len(video), 1, got)
                # v0.3's blocking 40 ms microphone read slows Process below the camera's 30 fps,
                # and only the last pack of each GetStream is written: pictures are lost there,
                # as on the board.
                self.assertGreaterEqual(int(video[0][-1]), 38 if audio else 20)
                sound = [s for s in got if s[0] == "pcm_mulaw"]
                if not audio:  # v0.3/v0.4: the track is made, its write commented out
                    self.assertEqual(sound, [], got)
                    continue
                self.assertEqual(sound[0][1:4], ("audio", "8000", "1"), got)
                raw = subprocess.run(["ffmpeg", "-v", "error", "-i",
                                      str(tmp / path.removeprefix("/sdcard/")), "-map", "0:a",
                                      "-f", "s16le", "-"], capture_output=True, check=True,
                                     timeout=60).stdout
                pcm = struct.unpack("<%dh" % (len(raw) // 2), raw)
                crossings = sum(1 for a, b in zip(pcm, pcm[1:]) if (a < 0) != (b < 0))
                self.assertGreaterEqual(len(pcm), 8000 // 2)  # half a second at least
                self.assertAlmostEqual(crossings / 2 / (len(pcm) / 8000), 500, delta=10)

    def test_the_2026_container_fails_on_the_initialize_it_removed(self):
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, CONTAINER), "/sdcard/a.mp4", "5", sdcard=tmp,
                             firmware="canmv-2026-01")
            self.assertEqual(done.returncode, 1)
            self.assertIn("AttributeError: 'PyAudio' object has no attribute 'initialize'",
                          done.stderr)
            self.assertIn("--firmware canmv-2025-08", done.stderr.split("canmv-run:")[-1])

    def test_a_second_container_fails_where_deinit_leaves_vb_up(self):
        twice = CONTAINER.replace('    print("recorded")', '    print("recorded")') + """
    second = Mp4Container()
    cfg.SetMuxerCfg(sys.argv[1] + "2", second.MP4_CODEC_ID_H264, 320, 240,
                    second.MP4_CODEC_ID_G711U)
    second.Create(cfg)
"""
        for firmware, fails in (("canmv-2024-08", True), ("canmv-2025-04", False)):
            with self.subTest(firmware=firmware), TempDir() as tmp:
                done = run_canmv(write_script(tmp, twice), "/sdcard/a.mp4", "5", sdcard=tmp,
                                 firmware=firmware)
                self.assertIn("recorded", done.stdout)
                if fails:
                    self.assertEqual(done.returncode, 1)
                    self.assertIn("MediaManager, vb config failed(-1610317806)", done.stderr)
                else:
                    self.assertEqual(done.returncode, 0, done.stderr)


if __name__ == "__main__":
    unittest.main()
