"""`canmv-run --timing dilated` and `--timing deterministic`: the script's clock (`ticks_ms`,
`sleep_ms`, `time()`) and its timeouts run in board time, which waits while this machine's
codec is behind the K230 model (dilated) or moves only by events (deterministic). A 1080p30
H.265 bound camera (far beyond this host's codec in real time) then delivers every frame at
the sensor's rate by the script's own clock, sleeps and GetStream timeouts last their board
time (never less, never for ever), and the run reports its dilation factor; on the
deterministic clock two runs of the script (two threads) print and trace the same."""

import re
import unittest
from pathlib import Path

from support import TempDir, run_canmv, write_script

SCRIPT = """
    from media.vencoder import *
    from media.sensor import *
    from media.media import *
    import _thread, time
    W, H = 1920, 1080
    sensor = Sensor(width=1920, height=1080, fps=30)
    sensor.reset()
    sensor.set_framesize(width=W, height=H, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)
    camera, idle = Encoder(), Encoder()
    camera.SetOutBufs(0, 8, W, H)
    idle.SetOutBufs(1, 4, 320, 240)
    link = MediaManager.link(sensor.bind_info()['src'], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, 0))
    camera.Create(0, ChnAttrStr(Encoder.PAYLOAD_TYPE_H265, Encoder.H265_PROFILE_MAIN, W, H))
    idle.Create(1, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN, 320, 240))
    camera.Start(0)
    idle.Start(1)
    state = {"pictures": 0, "run": True, "first": None, "last": None, "done": False}

    def drain():
        sd = StreamData()
        while state["run"]:
            if camera.GetStream(0, sd, 100) != 0:
                continue
            for i in range(sd.pack_cnt):
                if sd.stream_type[i] != Encoder.STREAM_TYPE_HEADER:
                    state["pictures"] += 1
                    now = time.ticks_ms()
                    if state["first"] is None:
                        state["first"] = now
                    if state["pictures"] == 60:
                        state["last"] = now
            camera.ReleaseStream(0, sd)
        state["done"] = True

    _thread.start_new_thread(drain, ())
    sensor.run()
    # Meanwhile the camera keeps the board clock waiting for this machine's H.265.
    sd = StreamData()
    t = time.ticks_ms()
    print("get_stream", idle.GetStream(1, sd, 300), "ms", time.ticks_diff(time.ticks_ms(), t))
    t = time.ticks_us()
    time.sleep_ms(250)
    print("slept us", time.ticks_diff(time.ticks_us(), t))
    e = time.time()
    time.sleep(1)
    print("epoch s", time.time() - e)
    while state["last"] is None:
        time.sleep_ms(10)
    print("pictures 60 ms", time.ticks_diff(state["last"], state["first"]))
    sensor.stop()
    state["run"] = False
    while not state["done"]:
        time.sleep_ms(10)
    link.destroy()
    camera.Stop(0)
    camera.Destroy(0)
    idle.Stop(1)
    idle.Destroy(1)
"""


def number(text, label):
    return float(re.search(label + r" (-?[\d.]+)", text).group(1))


def run_timed(tmp, timing, trace=None):
    extra = ("--timing", timing) + (("--trace", str(trace)) if trace else ())
    done = run_canmv(write_script(tmp, SCRIPT), sdcard=tmp, extra=extra, timeout=300)
    return done


class BoardTime(unittest.TestCase):
    def check_board_time(self, done):
        self.assertEqual(done.returncode, 0, done.stderr)
        out = done.stdout
        self.assertNotIn("no free buffer", done.stderr)
        # 59 frame times at 30 fps between the first and the 60th picture, by ticks_ms.
        self.assertAlmostEqual(number(out, "pictures 60 ms"), 59 * 1000 / 30, delta=10)
        self.assertEqual(number(out, "get_stream"), -1)
        waited = number(out, r"get_stream -1 ms")
        self.assertGreaterEqual(waited, 300)
        self.assertLess(waited, 360)
        slept = number(out, "slept us")
        self.assertGreaterEqual(slept, 250_000)
        self.assertLess(slept, 270_000)
        self.assertIn(number(out, "epoch s"), (1, 2))

    def test_dilated_the_scripts_clock_sleeps_and_timeouts_run_in_board_time(self):
        with TempDir() as tmp:
            done = run_timed(tmp, "dilated")
            self.check_board_time(done)
            dilation = number(done.stderr, r"on a dilated clock:")
            self.assertGreater(dilation, 1.0, "this host encodes 1080p H.265 below 30 fps")

    def test_deterministic_runs_print_and_trace_the_same(self):
        runs = []
        for _ in range(2):
            with TempDir() as tmp:
                trace = Path(tmp) / "calls.jsonl"
                done = run_timed(tmp, "deterministic", trace)
                self.check_board_time(done)
                self.assertNotIn("pass-over", done.stderr)
                self.assertIn("on a deterministic clock", done.stderr)
                runs.append((done.stdout, trace.read_text()))
        self.assertEqual(runs[0][0], runs[1][0])
        self.assertGreater(runs[0][1].count("kd_mpi_venc_get_stream"), 60)
        self.assertEqual(runs[0][1], runs[1][1], "the two runs' call traces differ")
        # On the deterministic clock only the reads' own cost is over: exact board times.
        out = runs[0][0]
        self.assertEqual(number(out, r"get_stream -1 ms"), 300)
        self.assertEqual(number(out, "slept us"), 250_010)


class BoardProfiles(unittest.TestCase):
    def test_a_profile_sets_the_scripts_board_time_and_bad_ones_are_refused(self):
        with TempDir() as tmp:
            rate = 320 * 240 * 25  # a 320x240 picture takes 40 ms
            costs = f"i_pixels_per_second = {rate}\np_pixels_per_second = {rate}\n"
            profile = Path(tmp) / "slow.toml"
            profile.write_text('name = "slow"\nsource = "a test"\n'
                               + "".join(f"[{c}]\n{costs}" for c in ("h264", "h265", "jpeg")))
            script = write_script(tmp, """
                from media.vencoder import *
                from media.media import *
                import time
                enc = Encoder()
                enc.SetOutBufs(0, 4, 320, 240)
                enc.Create(0, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN,
                                         320, 240))
                enc.Start(0)
                buf = MediaManager.Buffer.get(320 * 240 * 3 // 2)
                frame = k_video_frame_info()
                frame.v_frame.width, frame.v_frame.height = 320, 240
                frame.v_frame.pixel_format = PIXEL_FORMAT_YUV_SEMIPLANAR_420
                frame.v_frame.phys_addr[0] = buf.phys_addr
                frame.v_frame.phys_addr[1] = buf.phys_addr + 320 * 240
                sd = StreamData()
                t = time.ticks_us()
                enc.SendFrame(0, frame)
                while True:
                    enc.GetStream(0, sd)
                    picture = any(sd.stream_type[i] != Encoder.STREAM_TYPE_HEADER
                                  for i in range(sd.pack_cnt))
                    enc.ReleaseStream(0, sd)
                    if picture:
                        break
                print("picture us", time.ticks_diff(time.ticks_us(), t))
                enc.Stop(0)
                enc.Destroy(0)
                buf.__del__()
            """)
            done = run_canmv(script, sdcard=tmp, extra=(
                "--timing", "deterministic", "--board-profile", str(profile)))
            self.assertEqual(done.returncode, 0, done.stderr)
            took = number(done.stdout, "picture us")
            self.assertGreaterEqual(took, 40_000)
            self.assertLess(took, 40_200)
            bad = Path(tmp) / "bad.toml"
            bad.write_text(profile.read_text().replace(f"i_pixels_per_second = {rate}",
                                                       "i_pixels_per_second = 0", 1))
            for extra, says in (
                (("--timing", "deterministic", "--board-profile", str(bad)),
                 "h264.i_pixels_per_second must be above 0"),
                (("--board-profile", str(profile)), "give a paced timing"),
                (("--timing", "dilated", "--board-profile", str(Path(tmp) / "none.toml")),
                 "none.toml: "),
            ):
                done = run_canmv(script, sdcard=tmp, extra=extra)
                self.assertEqual(done.returncode, 2, done.stderr)
                self.assertIn(says, done.stderr)


if __name__ == "__main__":
    unittest.main()
