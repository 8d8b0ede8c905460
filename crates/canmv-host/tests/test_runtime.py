"""The MicroPython runtime under canmv-run (firmware facts §6): MicroPython's names, the board's
paths, and the run limit that stops scripts which loop until the IDE stops them, through their
own cleanup."""

import json
import signal
import subprocess
import unittest

from support import CANMV_RUN, TempDir, run_canmv, write_script

NAMES = """
    import json, gc, os, sys, time
    import urandom, utime, uos, ustruct, ujson
    import micropython
    from micropython import const
    N = const(12)
    K = const(3)  # the built-in const, as the firmware's own modules use it
    sys.path.append("/sdcard/libs")
    import board_helper
    with open("/data/note.txt", "w") as f:
        f.write("kept")
    try:
        raise ValueError("shown")
    except ValueError as e:
        sys.print_exception(e)
    t0 = time.ticks_ms()
    time.sleep_ms(20)
    print(json.dumps({
        "const": [N, K],
        "getrandbits": 0 <= urandom.getrandbits(8) < 256,
        "utime is time": utime is time,
        "time is int": isinstance(time.time(), int),
        "ticks_diff": time.ticks_diff(time.ticks_ms(), t0) >= 20,
        "mem": [isinstance(gc.mem_free(), int), gc.mem_alloc() > 0],
        "helper": board_helper.VALUE,
        "exitpoint": [os.EXITPOINT_DISABLE, os.EXITPOINT_ENABLE, os.EXITPOINT_ENABLE_SLEEP],
        "old flag": os.exitpoint(os.EXITPOINT_ENABLE),
        "ustruct": ustruct.pack("<H", 258).hex(),
        "listdir": sorted(uos.listdir("/data")),
    }))
"""

# Loops until stopped, as public scripts do; its cleanup must run.
LOOPS = """
    import os, time
    from media.vencoder import *
    from media.sensor import *
    from media.media import *
    W, H = 320, 240
    sensor = Sensor(width=W, height=H, fps=30)
    sensor.reset()
    sensor.set_framesize(width=W, height=H, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)
    encoder = Encoder()
    encoder.SetOutBufs(0, 8, W, H)
    link = MediaManager.link(sensor.bind_info()["src"], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, 0))
    MediaManager.init()
    encoder.Create(0, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN, W, H))
    encoder.Start(0)
    sensor.run()
    frames = 0
    {flag}
    try:
        while True:
            {exitpoint}
            sd = StreamData()
            if encoder.GetStream(0, sd) == 0:
                frames += sum(1 for i in range(sd.pack_cnt)
                              if sd.stream_type[i] != Encoder.STREAM_TYPE_HEADER)
                encoder.ReleaseStream(0, sd)
            {sleep}
    except KeyboardInterrupt:
        print("stopped after", frames >= 1)
    finally:
        sensor.stop()
        link.destroy()
        encoder.Stop(0)
        encoder.Destroy(0)
        MediaManager.deinit()
        print("cleanup ran, frames", frames)
"""


def loop_script(folder, flag="", exitpoint="", sleep=""):
    return write_script(folder, LOOPS.replace("{flag}", flag).replace("{exitpoint}", exitpoint)
                        .replace("{sleep}", sleep))


class Runtime(unittest.TestCase):
    def test_micropython_names_and_board_paths(self):
        with TempDir() as tmp:
            card = tmp / "card"
            (card / "libs").mkdir(parents=True)
            (card / "libs" / "board_helper.py").write_text("VALUE = 'from /sdcard/libs'\n")
            done = run_canmv(write_script(tmp, NAMES), sdcard=card)
            self.assertEqual(done.returncode, 0, done.stderr)
            seen = json.loads(done.stdout.strip().splitlines()[-1])
            self.assertEqual(seen, {
                "const": [12, 3], "getrandbits": True, "utime is time": True,
                "time is int": True, "ticks_diff": True, "mem": [True, True],
                "helper": "from /sdcard/libs", "exitpoint": [0, 1, 2], "old flag": 0,
                "ustruct": "0201", "listdir": ["lib", "note.txt"],
            })
            self.assertIn("ValueError: shown", done.stdout)  # print_exception writes stdout
            self.assertEqual((tmp / "card-data" / "note.txt").read_text(), "kept")


class Machine(unittest.TestCase):
    def test_machine_reset_ends_the_script_as_a_reboot(self):
        with TempDir() as tmp:
            script = write_script(tmp, "import machine\nmachine.reset()\nprint('not reached')\n")
            done = run_canmv(script, sdcard=tmp)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertNotIn("not reached", done.stdout)
            self.assertIn("machine.reset(): the board reboots", done.stderr)


class RunLimits(unittest.TestCase):
    def run_limited(self, script, *limit):
        with TempDir() as tmp:
            return run_canmv(loop_script(tmp, **script), sdcard=tmp, extra=limit, timeout=60)

    def test_max_frames_stops_an_endless_loop_through_its_cleanup(self):
        done = self.run_limited({}, "--max-frames", "30")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("stopped after True", done.stdout)
        frames = int(done.stdout.split("cleanup ran, frames")[1].split()[0])
        self.assertGreaterEqual(frames, 1)

    def test_run_for_with_exitpoints_stops_at_one(self):
        done = self.run_limited(
            {"flag": "os.exitpoint(os.EXITPOINT_ENABLE)", "exitpoint": "os.exitpoint()"},
            "--run-for", "0.5")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("stopped after True", done.stdout)
        self.assertIn("cleanup ran", done.stdout)

    def test_enable_is_held_until_a_sleep(self):
        done = self.run_limited(
            {"flag": "os.exitpoint(os.EXITPOINT_ENABLE)", "sleep": "time.sleep_ms(1)"},
            "--run-for", "0.5")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("cleanup ran", done.stdout)

    def test_an_uncaught_stop_ends_the_run_with_status_0(self):
        with TempDir() as tmp:
            script = write_script(tmp, "import time\nwhile True:\n    time.sleep_ms(5)\n")
            done = run_canmv(script, sdcard=tmp, extra=("--run-for", "0.3"), timeout=30)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("canmv-run: stopped by --run-for 0.3", done.stderr)

    def test_the_run_limit_works_when_started_with_sigint_ignored(self):
        # As a CI job's `canmv-run … &` starts it: SIGINT ignored from the start.
        with TempDir() as tmp:
            script = write_script(tmp, "import time\nwhile True:\n    time.sleep_ms(5)\n")
            done = subprocess.run(
                [str(CANMV_RUN), "-q", "--sdcard", str(tmp), "--data", str(tmp / "data"),
                 "--run-for", "0.3", str(script)],
                capture_output=True, text=True, timeout=30,
                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("canmv-run: stopped by --run-for 0.3", done.stderr)


if __name__ == "__main__":
    unittest.main()
