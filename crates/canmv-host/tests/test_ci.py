"""canmv-run as a CI test: --timeout (board time), --expect-text, --fail-text, --console-log,
--json, --junit and --scenario files, each with a script of this project's own."""

import json
import subprocess
import textwrap
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

from support import CANMV_RUN, TempDir, run_canmv, write_script

TICKS = """
import time
print("booting")
for i in range(5):
    time.sleep_ms(100)
    print("tick", i)
print("done")
"""

FOREVER = """
import time
n = 0
while True:
    time.sleep_ms(50)
    n += 1
    if n % 20 == 0:
        print("alive", n)
"""

# Connects, records the camera to OUT, reconnects when the Wi-Fi drops; skips the HEADER packs
# (a damaged stream) when asked.
RECORDER = """
import network, time, os, sys
from media.vencoder import *
from media.sensor import *
from media.media import *

OUT = "/sdcard/rec.264"
DAMAGED = len(sys.argv) > 1 and sys.argv[1] == "damaged"
sta = network.WLAN(network.STA_IF)

def connect():
    while not sta.connect("venc-sim", "password123"):
        time.sleep_ms(200)
    while not sta.isconnected():
        time.sleep_ms(20)
    print("wifi connected", sta.ifconfig()[0])

connect()
W, H, CHN = 320, 240, 0
sensor = Sensor()
sensor.reset()
sensor.set_framesize(width=W, height=H, alignment=12)
sensor.set_pixformat(Sensor.YUV420SP)
enc = Encoder()
enc.SetOutBufs(CHN, 8, W, H)
link = MediaManager.link(sensor.bind_info()['src'], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CHN))
MediaManager.init()
enc.Create(CHN, ChnAttrStr(enc.PAYLOAD_TYPE_H264, enc.H264_PROFILE_MAIN, W, H))
enc.Start(CHN)
sensor.run()
stream = StreamData()
frames = 0
try:
    with open(OUT, "wb") as out:
        while True:
            os.exitpoint()
            if not sta.isconnected():
                print("wifi lost")
                connect()
                print("reconnected")
            if enc.GetStream(CHN, stream, 1000) != 0:
                continue
            for i in range(stream.pack_cnt):
                header = stream.stream_type[i] == enc.STREAM_TYPE_HEADER
                if not (header and DAMAGED):
                    out.write(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
                if not header:
                    frames += 1
            enc.ReleaseStream(CHN, stream)
except KeyboardInterrupt:
    print("stopped")
finally:
    sensor.stop()
    del link
    enc.Stop(CHN)
    enc.Destroy(CHN)
    MediaManager.deinit()
print("frames", frames)
"""

WIFI_SCENARIO = """
id = "wifi-reconnect"
title = "The recorder reconnects after the Wi-Fi drops; frames dropped meanwhile are counted"
script = "recorder.py"
timing = "deterministic"
timeout_ms = 20000
fail_text = ["Traceback"]
steps = [
  { do = "wait_text", text = "wifi connected", within_ms = 1000 },
  { do = "wait", ms = 600 },
  { do = "wifi", state = "down" },
  { do = "wait_text", text = "wifi lost", within_ms = 2000 },
  { do = "wait", ms = 500 },
  { do = "wifi", state = "up" },
  { do = "wait_text", text = "reconnected", within_ms = 2000 },
  { do = "fault", spec = "drop-frame@every=2" },
  { do = "wait", ms = 300 },
  { do = "disarm" },
  { do = "wait", ms = 300 },
  { do = "stop" },
  { do = "expect_file", path = "/sdcard/rec.264", codec = "h264", frames_min = 50, width = 320, height = 240, decodes = true },
  { do = "expect_trace", call = "kd_mpi_venc_get_stream", result = "ok", count_min = 40 },
]
"""


def _report(path):
    return json.loads(Path(path).read_text())


class CiFlags(unittest.TestCase):
    def run_ci(self, tmp, body, *extra, timing="deterministic"):
        script = write_script(tmp, body)
        return run_canmv(script, sdcard=tmp / "sd", extra=["--timing", timing, *extra])

    def test_expected_texts_in_order_pass_and_the_reports_say_so(self):
        with TempDir() as tmp:
            done = self.run_ci(tmp, TICKS, "--expect-text", "booting", "--expect-text", "tick 4",
                               "--json", str(tmp / "r.json"), "--junit", str(tmp / "r.xml"),
                               "--console-log", str(tmp / "c.log"))
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("PASS", done.stderr)
            report = _report(tmp / "r.json")
            self.assertEqual((report["verdict"], report["exit_status"]), ("pass", 0))
            self.assertEqual([e["seen_at_board_ms"] for e in report["expect_text"]],
                             [0.0, 500.0])
            # Every text seen: the script is stopped there ("done" never printed).
            self.assertNotIn("done", (tmp / "c.log").read_text())
            self.assertEqual((tmp / "c.log").read_text().splitlines()[-1], "tick 4")
            suite = ET.parse(tmp / "r.xml").getroot()
            self.assertEqual((suite.tag, suite.get("tests"), suite.get("failures")),
                             ("testsuite", "1", "0"))
            self.assertIn("tick 4", suite.find("testcase/system-out").text)

    def test_an_expected_text_that_never_comes_in_order_fails_with_4(self):
        with TempDir() as tmp:
            done = self.run_ci(tmp, TICKS, "--expect-text", "tick 3", "--expect-text", "booting",
                               "--junit", str(tmp / "r.xml"))
            self.assertEqual(done.returncode, 4, done.stderr)
            self.assertIn("ended before the console showed 'booting'", done.stderr)
            failure = ET.parse(tmp / "r.xml").getroot().find("testcase/failure")
            self.assertEqual(failure.get("type"), "fail")
            self.assertIn("done", failure.text)  # the console's tail

    def test_a_forbidden_text_stops_the_run_at_once_with_5(self):
        with TempDir() as tmp:
            done = self.run_ci(tmp, FOREVER, "--fail-text", "alive 40", "--timeout", "60000",
                               "--json", str(tmp / "r.json"))
            self.assertEqual(done.returncode, 5, done.stderr)
            report = _report(tmp / "r.json")
            self.assertEqual(report["fail_text"]["text"], "alive 40")
            self.assertLess(report["board_ms"], 2100)  # stopped at 40 x 50 ms, not at 60 s

    def test_the_timeout_is_board_time_and_exits_42(self):
        with TempDir() as tmp:
            done = self.run_ci(tmp, FOREVER, "--timeout", "3000", "--json", str(tmp / "r.json"))
            self.assertEqual(done.returncode, 42, done.stderr)
            report = _report(tmp / "r.json")
            self.assertEqual(report["verdict"], "timeout")
            self.assertGreaterEqual(report["board_ms"], 3000)
            self.assertLess(report["board_ms"], 3100)
            # 3 s of board time on a deterministic board take far less of this machine's.
            self.assertLess(report["wall_s"], 3.0)

    def test_an_exception_is_on_the_console_log_and_exits_1(self):
        with TempDir() as tmp:
            done = self.run_ci(tmp, 'print("x")\nraise OSError("venc gone")\n',
                               "--console-log", str(tmp / "c.log"), "--json", str(tmp / "r.json"))
            self.assertEqual(done.returncode, 1, done.stderr)
            log = (tmp / "c.log").read_text()
            self.assertIn("Traceback (most recent call last)", log)
            self.assertIn("OSError: venc gone", log)
            self.assertEqual(_report(tmp / "r.json")["verdict"], "error")

    def test_a_traceback_as_forbidden_text_fails_with_5(self):
        with TempDir() as tmp:
            done = self.run_ci(tmp, 'raise OSError("venc gone")\n', "--fail-text", "Traceback")
            self.assertEqual(done.returncode, 5, done.stderr)

    def test_a_report_that_cannot_be_written_fails_the_run_naming_it(self):
        with TempDir() as tmp:
            # Opens for writing, fails on write (as a full disk does).
            for body in (TICKS, 'print("x" * 100000)\nprint("after")\n'):
                done = self.run_ci(tmp, body, "--console-log", "/dev/full")
                self.assertEqual(done.returncode, 1, done.stderr)
                self.assertIn("--console-log /dev/full: No space left on device", done.stderr)
                self.assertNotIn("Traceback", done.stderr)  # the script did not fail for it

    def test_bad_ci_arguments_exit_2(self):
        with TempDir() as tmp:
            for extra, message in (
                    (["--timeout", "0"], "--timeout 0"),
                    (["--expect-text", ""], "non-empty text"),
                    (["--json", str(tmp / "no" / "such" / "r.json")], "--json"),
                    (["--junit", str(tmp)], "--junit"),
                    (["--console-log", str(tmp)], "--console-log")):
                with self.subTest(extra=extra):
                    done = self.run_ci(tmp, TICKS, *extra)
                    self.assertEqual(done.returncode, 2, done.stderr)
                    self.assertIn(message, done.stderr)


class Scenarios(unittest.TestCase):
    def scenario(self, tmp, text, script=RECORDER, *extra, name="s.toml"):
        write_script(tmp, script, "recorder.py")
        path = tmp / name
        path.write_text(textwrap.dedent(text))
        cmd = [*extra, "--scenario", str(path), "--json", str(tmp / "r.json")]
        done = subprocess.run(
            [str(CANMV_RUN), "-q", "--sdcard",
             str(tmp / "sd"), "--data", str(tmp / "data"), *cmd],
            capture_output=True, text=True, timeout=300)
        report = _report(tmp / "r.json") if (tmp / "r.json").exists() else None
        return done, report

    def test_the_script_reconnects_after_the_wifi_drops_and_the_same_on_every_run(self):
        runs = []
        for _ in range(2):
            with TempDir() as tmp:
                done, report = self.scenario(tmp, WIFI_SCENARIO)
                self.assertEqual(done.returncode, 0, done.stderr[-3000:])
                runs.append(report)
        report = runs[0]
        self.assertEqual(report["verdict"], "pass")
        self.assertTrue(all(s["ok"] for s in report["steps"]), report["steps"])
        self.assertEqual(len(report["steps"]), 14)
        self.assertIn("wifi lost", report["console"])
        self.assertIn("run connect failed.", report["console"])  # while it was down
        # The fault armed mid-run struck, and only while armed.
        self.assertGreater(report["faults_injected"]["drop-frame"], 0)
        counters = report["counters"]["0"]
        self.assertEqual(counters["dropped_injected"], report["faults_injected"]["drop-frame"])
        rec = next(f for f in report["files"] if f["path"] == "/sdcard/rec.264")
        self.assertEqual(rec["probe"]["frames"], counters["frames_encoded"])
        # Deterministic: the same verdict, step times and board time on the second run.
        for key in ("verdict", "board_ms", "counters"):
            self.assertEqual(runs[0][key], runs[1][key], key)
        self.assertEqual([(s["step"], s["at_board_ms"]) for s in runs[0]["steps"]],
                         [(s["step"], s["at_board_ms"]) for s in runs[1]["steps"]])

    def test_a_station_with_auto_reconnect_is_back_by_itself(self):
        with TempDir() as tmp:
            write_script(tmp, """
                import network, time
                sta = network.WLAN(network.STA_IF)
                sta.config(auto_reconnect=True)
                sta.connect("venc-sim", "password123")
                print("up", sta.isconnected())
                while sta.isconnected():
                    time.sleep_ms(10)
                print("lost", sta.ifconfig()[0])
                while not sta.isconnected():
                    time.sleep_ms(10)
                print("back", sta.ifconfig()[0])
            """, "station.py")
            done, report = self.scenario(tmp, """
                script = "station.py"
                timing = "deterministic"
                steps = [
                  { do = "wait", ms = 100 },
                  { do = "wifi", state = "down" },
                  { do = "wait_text", text = "lost 0.0.0.0", within_ms = 50 },
                  { do = "wait", ms = 200 },
                  { do = "wifi", state = "up" },
                  { do = "wait_text", text = "back 127.0.0.1", within_ms = 50 },
                ]
            """)
            self.assertEqual(done.returncode, 0, done.stderr[-2000:])
            self.assertTrue(all(s["ok"] for s in report["steps"]), report["steps"])

    def test_a_damaged_stream_fails_the_file_expectation_with_6(self):
        with TempDir() as tmp:
            done, report = self.scenario(tmp, """
                script = "recorder.py"
                args = ["damaged"]
                timing = "deterministic"
                steps = [
                  { do = "wait_text", text = "wifi connected" },
                  { do = "wait", ms = 500 },
                  { do = "stop" },
                  { do = "expect_file", path = "/sdcard/rec.264", codec = "h264", decodes = true },
                ]
            """)
            self.assertEqual(done.returncode, 6, done.stderr[-2000:])
            failed = report["steps"][-1]
            self.assertFalse(failed["ok"])
            self.assertRegex(failed["detail"], "ffprobe|ffmpeg does not decode|codec")
            self.assertIn("expect_file", report["reason"])

    def test_a_text_that_does_not_come_in_time_fails_the_step(self):
        with TempDir() as tmp:
            done, report = self.scenario(tmp, """
                script = "recorder.py"
                timing = "deterministic"
                steps = [{ do = "wait_text", text = "never printed", within_ms = 400 }]
            """)
            self.assertEqual(done.returncode, 6, done.stderr[-2000:])
            self.assertEqual(report["steps"][0]["detail"], "not on the console within 400 ms")
            self.assertAlmostEqual(report["steps"][0]["done_at_board_ms"], 400, delta=1)

    def test_what_the_camera_sees_changes_mid_run(self):
        with TempDir() as tmp:
            grey = tmp / "grey.png"
            subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                            "color=c=0x808080:s=320x240", "-frames:v", "1", str(grey)],
                           check=True, timeout=60)
            done, report = self.scenario(tmp, """
                script = "recorder.py"
                timing = "deterministic"
                steps = [
                  { do = "wait", ms = 300 },
                  { do = "source", source = "grey.png" },
                  { do = "wait", ms = 300 },
                  { do = "stop" },
                  { do = "expect_file", path = "/sdcard/rec.264", decodes = true },
                ]
            """)
            self.assertEqual(done.returncode, 0, done.stderr[-2000:])
            frames = subprocess.run(
                ["ffmpeg", "-v", "error", "-i", str(tmp / "sd" / "rec.264"), "-f", "rawvideo",
                 "-pix_fmt", "gray", "-"], capture_output=True, check=True, timeout=60).stdout
            size = 320 * 240
            first, last = frames[:size], frames[-size:]
            spread = lambda f: max(f) - min(f)  # noqa: E731
            self.assertGreater(spread(first), 100)  # the moving pattern
            self.assertLess(spread(last), 12)  # the grey picture, through the codec
            self.assertAlmostEqual(sum(last) / size, 128, delta=6)

    def test_a_source_that_does_not_open_fails_its_step(self):
        with TempDir() as tmp:
            done, report = self.scenario(tmp, """
                script = "recorder.py"
                timing = "deterministic"
                steps = [{ do = "wait", ms = 100 }, { do = "source", source = "none.y4m" }]
            """)
            self.assertEqual(done.returncode, 6, done.stderr[-2000:])
            self.assertIn("none.y4m", report["steps"][1]["detail"])

    def test_the_screen_is_checked_while_the_script_shows_it(self):
        screen = """
            from media.display import *
            import image, time

            img = image.Image(320, 240, image.RGB888)
            img.draw_rectangle(0, 0, 320, 240, color=(200, 30, 30), fill=True)
            Display.init(Display.VIRT, 320, 240, fps=30)
            Display.show_image(img)
            print("shown")
            time.sleep(1)
            img.draw_rectangle(0, 0, 320, 240, color=(30, 30, 200), fill=True)
            Display.show_image(img)
            time.sleep(5)
            Display.deinit()
        """
        with TempDir() as tmp:
            subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                            "color=c=0xC81E1E:s=320x240", "-frames:v", "1", "-y",
                            str(tmp / "red.png")], check=True, timeout=60)
            done, report = self.scenario(tmp, """
                script = "recorder.py"
                timing = "deterministic"
                steps = [
                  { do = "wait_text", text = "shown" },
                  { do = "wait", ms = 100 },
                  { do = "expect_screen", width = 320, height = 240, pixel = [10, 10], color = [200, 30, 30], matches = "red.png", psnr_min = 40 },
                  { do = "wait", ms = 1000 },
                  { do = "expect_screen", pixel = [10, 10], color = [200, 30, 30] },
                ]
            """, screen)
            self.assertEqual(done.returncode, 6, done.stderr[-2000:])
            first, second = report["steps"][2], report["steps"][4]
            self.assertTrue(first["ok"], first)
            self.assertFalse(second["ok"])
            self.assertIn("pixel (10, 10) is [30, 30, 200], not [200, 30, 30]", second["detail"])
            self.assertGreaterEqual(second["at_board_ms"], 1000)

    def test_expect_screen_fails_while_the_display_is_off(self):
        with TempDir() as tmp:
            done, report = self.scenario(tmp, """
                script = "recorder.py"
                timing = "deterministic"
                steps = [{ do = "wait", ms = 50 }, { do = "expect_screen", width = 320 }]
            """, "import time\ntime.sleep(1)\n")
            self.assertEqual(done.returncode, 6, done.stderr[-2000:])
            self.assertEqual(report["steps"][1]["detail"], "the display is off")

    def test_a_scenario_that_does_not_parse_is_refused_naming_why(self):
        cases = (
            ('steps = [{ do = "jump" }]', "unknown step 'jump'"),
            ('steps = [{ do = "wait" }]', "ms is missing"),
            ('steps = [{ do = "wait", ms = 5, when = 1 }]', "unknown key 'when'"),
            ('steps = [{ do = "fault", spec = "melt" }]', "(fault)"),
            ('steps = [{ do = "wifi", state = "sideways" }]', "'up' or 'down'"),
            ('steps = [{ do = "expect_screen" }]', "give width/height"),
            ('steps = [{ do = "expect_screen", pixel = [1, 2] }]', "pixel and color go together"),
            ('steps = [{ do = "expect_screen", pixel = [1], color = [0, 0, 0] }]',
             "pixel must be 2 whole numbers"),
            ('steps = [{ do = "expect_screen", matches = "none.png" }]', "none.png"),
            ('steps = [{ do = "expect_file", path = "/etc/passwd" }]', "under /sdcard/"),
            ('steps = [{ do = "expect_trace", call = "x" }, { do = "stop" }]', "put it before"),
            ('timeout_ms = "soon"', "timeout_ms must be a number"),
            ('colour = 1', "unknown key(s) colour"),
            ('steps = [', "not TOML"),
        )
        with TempDir() as tmp:
            for text, message in cases:
                with self.subTest(text=text):
                    done, _ = self.scenario(tmp, 'script = "recorder.py"\n' + text)
                    self.assertEqual(done.returncode, 2, done.stderr)
                    self.assertIn(message, done.stderr)


class ProbeHelper(unittest.TestCase):
    def ask(self, roots, *requests):
        import io

        from canmv_host import probe

        answers = io.StringIO()
        probe.serve(roots, io.StringIO("".join(r + "\n" for r in requests)), answers)
        return [json.loads(line) for line in answers.getvalue().splitlines()]

    def test_it_answers_only_for_the_board_folders_and_bad_requests_get_an_error(self):
        with TempDir() as tmp:
            (tmp / "card").mkdir()
            (tmp / "card" / "x.txt").write_text("not a stream")
            outside, bad, inside = self.ask(
                [str(tmp / "card")], json.dumps({"path": str(tmp / "card" / ".." / "y")}),
                "{not json", json.dumps({"path": str(tmp / "card" / "x.txt")}))
            self.assertEqual(outside, {"error": "not in the board's folders"})
            self.assertIn("bad request", bad["error"])
            self.assertIn("error", inside)  # ffprobe's own words about a text file


if __name__ == "__main__":
    unittest.main()
