"""The board's display on the PC (display facts): `media.display` of each generation, the
`image` module's pixels, write-back into the encoder, the screen dumped and served.

Pictures are checked against independent work: ffmpeg decodes the streams and the PNG files
(libavcodec, not this project's code), and the expected screen is composed here, in Python,
from the pictures the script saved: never from the simulator's own mixer."""

import math
import os
import socket
import subprocess
import time
import unittest

from support import (CANMV_RUN, EXAMPLES, TempDir, free_port, probe, run_canmv, serve,
                     write_script)


def ffmpeg_raw(path, pix_fmt, frame=None, size=None):
    """Bytes of one picture of a file as `pix_fmt` (rgb24, rgba, yuv420p), via ffmpeg."""
    filters = []
    if frame is not None:
        filters.append(r"select=eq(n\,%d)" % frame)
    if size is not None:
        filters.append("scale=%d:%d" % size)
    cmd = ["ffmpeg", "-v", "error", "-i", os.fspath(path)]
    if filters:
        cmd += ["-vf", ",".join(filters)]
    cmd += ["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"]
    return subprocess.run(cmd, capture_output=True, check=True, timeout=60).stdout


def luma(rgb_pixels):
    """BT.601 limited-range Y of packed RGB (as the write-back and the encoder take it)."""
    out = bytearray(len(rgb_pixels) // 3)
    for i in range(len(out)):
        r, g, b = rgb_pixels[3 * i], rgb_pixels[3 * i + 1], rgb_pixels[3 * i + 2]
        out[i] = (66 * r + 129 * g + 25 * b + 128 >> 8) + 16
    return bytes(out)


def compose(screen_w, screen_h, layers):
    """The expected screen: black, then each (rgba bytes, w, h, x, y) blended in order."""
    out = bytearray(screen_w * screen_h * 3)
    for rgba, w, h, x0, y0 in layers:
        for y in range(h):
            sy = y0 + y
            if not 0 <= sy < screen_h:
                continue
            for x in range(w):
                sx = x0 + x
                if not 0 <= sx < screen_w:
                    continue
                s = (y * w + x) * 4
                a = rgba[s + 3]
                if a == 0:
                    continue
                d = (sy * screen_w + sx) * 3
                for c in range(3):
                    out[d + c] = (rgba[s + c] * a + out[d + c] * (255 - a) + 127) // 255
    return bytes(out)


def argb_as_rgba(argb):
    """Raw ARGB8888 bytes (A, R, G, B: what `image.ARGB8888` holds) as R, G, B, A."""
    return bytes(b for i in range(0, len(argb), 4)
                 for b in (argb[i + 1], argb[i + 2], argb[i + 3], argb[i]))


def rgb_as_rgba(rgb):
    return bytes(b for i in range(0, len(rgb), 3) for b in (*rgb[i:i + 3], 255))


def psnr(a, b):
    assert len(a) == len(b), (len(a), len(b))
    mse = sum((x - y) ** 2 for x, y in zip(a, b)) / len(a)
    return math.inf if mse == 0 else 10 * math.log10(255 * 255 / mse)


class ScreenIntoTheEncoder(unittest.TestCase):
    """2026: a virtual display, drawn on, written back and encoded."""

    def test_the_encoded_screen_matches_an_independent_composition(self):
        with TempDir() as tmp:
            done = run_canmv(EXAMPLES / "2026-01" / "screen_venc.py", sdcard=tmp / "sd",
                             extra=["--timing", "deterministic"])
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("screen frames encoded: 30", done.stdout)
            stream = tmp / "sd" / "examples" / "screen.264"
            self.assertEqual(probe(stream), {"codec": "h264", "size": (320, 240), "frames": 30})
            osd = argb_as_rgba((tmp / "sd" / "examples" / "screen-last.argb").read_bytes())
            self.assertEqual(len(osd), 320 * 240 * 4)
            expected = luma(compose(320, 240, [(osd, 320, 240, 0, 0)]))
            got = ffmpeg_raw(stream, "yuv420p", frame=29)[:320 * 240]
            self.assertGreaterEqual(psnr(got, expected), 35.0)
            # The text was drawn, unblended: the title band has the bar and the glyphs only.
            band = [expected[y * 320 + x] for y in range(4, 30) for x in range(8, 200)]
            self.assertEqual(len(set(band)), 2)
            self.assertGreater(band.count(max(band)), 300)

    def test_the_screen_over_rtsp_plays_in_ffmpeg(self):
        port = free_port()
        with TempDir() as tmp:
            script = write_script(tmp, f"""
                from media.display import *
                from media.media import *
                from media.vencoder import *
                import multimedia as mm
                import os, time

                W, H = 320, 240
                img = image.Image(W, H, image.RGB888)
                img.draw_rectangle(0, 0, W, H, color=(30, 60, 200), fill=True)
                img.draw_rectangle(40, 40, 120, 80, color=(250, 250, 20), fill=True)
                img.draw_string_advanced(10, 180, 32, "RTSP 屏幕", color=(255, 255, 255))
                img.save("/sdcard/shown.rgb")  # raw bytes: RGB888 refuses .png on the board
                Display.init(Display.VIRT, W, H, fps=30)
                Display.show_image(img)
                Display.writeback(True)
                encoder = Encoder()
                encoder.SetOutBufs(VENC_CHN_ID_0, 8, W, H)
                encoder.Create(VENC_CHN_ID_0, ChnAttrStr(encoder.PAYLOAD_TYPE_H264,
                               encoder.H264_PROFILE_MAIN, W, H, bit_rate=1500))
                server = mm.rtsp_server()
                server.rtspserver_init({port})
                server.rtspserver_createsession("screen", mm.multi_media_type.media_h264, False)
                server.rtspserver_start()
                encoder.Start(VENC_CHN_ID_0)
                print("url:", server.rtspserver_getrtspurl("screen"), flush=True)
                stream = StreamData()
                try:
                    while True:
                        os.exitpoint()
                        frame = Display.writeback_dump(100)
                        if frame:
                            encoder.SendFrame(VENC_CHN_ID_0, frame, timeout=-1)
                            if encoder.GetStream(VENC_CHN_ID_0, stream, timeout=-1) == 0:
                                for i in range(stream.pack_cnt):
                                    server.rtspserver_sendvideodata_byphyaddr(
                                        "screen", stream.phy_addr[i], stream.data_size[i], 1000)
                                encoder.ReleaseStream(VENC_CHN_ID_0, stream)
                        time.sleep(0.01)
                except KeyboardInterrupt:
                    pass
                encoder.Stop(VENC_CHN_ID_0)
                encoder.Destroy(VENC_CHN_ID_0)
                server.rtspserver_stop()
                server.rtspserver_deinit()
                Display.deinit()
                """)
            child, url = serve(tmp, script, timing="realtime")
            try:
                self.assertEqual(url, "rtsp://127.0.0.1:%d/screen" % port)
                got = subprocess.run(
                    ["ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-timeout", "10000000",
                     "-i", url, "-frames:v", "10", "-y", str(tmp / "got.mp4")],
                    capture_output=True, text=True, timeout=60)
                self.assertEqual(got.returncode, 0, got.stderr)
            finally:
                child.terminate()
                child.communicate(timeout=30)
            shown = (tmp / "shown.rgb").read_bytes()
            self.assertEqual(len(shown), 320 * 240 * 3)
            expected = luma(shown)
            frame = ffmpeg_raw(tmp / "got.mp4", "yuv420p", frame=9)[:320 * 240]
            self.assertGreaterEqual(psnr(frame, expected), 35.0)


class CameraUnderAnOsd(unittest.TestCase):
    """2025: a sensor channel bound to a video layer, a status image on an OSD layer above,
    the screen dumped every 10 refreshes and checked against a composition made here."""

    def test_the_dumped_screen_is_the_camera_under_the_osd(self):
        with TempDir() as tmp:
            # What the camera sees: a smooth still picture (made by ffmpeg).
            source = tmp / "scene.png"
            subprocess.run(
                ["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                 "gradients=s=640x480:c0=0x2040c0:c1=0xe0c040:x0=0:y0=0:x1=640:y1=480:n=2",
                 "-frames:v", "1", "-y", str(source)], check=True, timeout=60)
            script = write_script(tmp, """
                from media.display import *
                from media.media import *
                from media.sensor import *
                import image, time

                W, H = 320, 240
                sensor = Sensor(width=640, height=480)
                sensor.reset()
                sensor.set_framesize(width=W, height=H)
                sensor.set_pixformat(Sensor.YUV420SP)
                Display.bind_layer(**sensor.bind_info(), layer=Display.LAYER_VIDEO1)
                Display.init(Display.VIRT, width=W, height=H, fps=30)
                MediaManager.init()
                status = image.Image(W, 48, image.ARGB8888)
                status.clear()
                status.draw_rectangle(0, 0, W, 48, color=(160, 0, 0, 0), fill=True)
                status.draw_string_advanced(6, 6, 28, "REC 录像 ●", color=(255, 255, 64, 64))
                status.save("/sdcard/status.argb")
                sensor.run()
                Display.show_image(status, 0, H - 48, Display.LAYER_OSD1)
                time.sleep(1)
                sensor.stop()
                Display.deinit()
                MediaManager.deinit()
                """)
            dump = tmp / "dump"
            done = run_canmv(script, sdcard=tmp / "sd", firmware="canmv-2025-08", source=source,
                             extra=["--timing", "deterministic", "--display-dump", str(dump),
                                    "--display-every", "10"])
            self.assertEqual(done.returncode, 0, done.stderr)
            dumped = sorted(dump.glob("screen-*.png"))
            self.assertGreaterEqual(len(dumped), 3, dumped)
            numbers = [int(p.stem.split("-")[1]) for p in dumped]
            self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 10 * len(numbers), 10)))
            last = ffmpeg_raw(dumped[-1], "rgb24")
            camera = ffmpeg_raw(source, "rgb24", size=(320, 240))
            status = argb_as_rgba((tmp / "sd" / "status.argb").read_bytes())
            expected = compose(320, 240, [(rgb_as_rgba(camera), 320, 240, 0, 0),
                                          (status, 320, 48, 0, 240 - 48)])
            self.assertGreaterEqual(psnr(last, expected), 30.0)
            # The OSD is on top: the status band is red where the camera is blue-ish.
            band = last[(240 - 40) * 320 * 3 + 300 * 3:(240 - 40) * 320 * 3 + 303 * 3]
            self.assertGreater(band[0], band[2])


class PortraitPanel(unittest.TestCase):
    """2024/2025: ST7701 800x480 is a 480x800 panel; the VO runs at that size and pictures are
    turned into it (facts §2.1, §3.6), as the write-back and the IDE see them."""

    def test_2025_turns_the_landscape_osd_clockwise_into_the_panel(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                from media.display import *
                import image, time

                print("size", Display.width(), Display.height())
                img = image.Image(800, 480, image.RGB888)
                img.draw_rectangle(0, 0, 80, 40, color=(255, 0, 0), fill=True)  # top left
                Display.init(Display.ST7701, width=800, height=480, to_ide=True)
                print("size", Display.width(), Display.height())
                Display.show_image(img)
                frame = k_video_frame_info()
                print("dump", kd_mpi_wbc_dump_frame(frame, 1000), frame.v_frame.width,
                      frame.v_frame.height, kd_mpi_wbc_dump_release(frame))
                time.sleep(0.2)
                Display.deinit()
                """)
            dump = tmp / "dump"
            done = run_canmv(script, sdcard=tmp / "sd", firmware="canmv-2025-08",
                             extra=["--timing", "deterministic", "--display-dump", str(dump),
                                    "--display-every", "3"])
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(done.stdout.splitlines()[:3],
                             ["size 0 0", "size 800 480", "dump 0 480 800 0"])
            last = ffmpeg_raw(sorted(dump.glob("*.png"))[-1], "rgb24")
            self.assertEqual(len(last), 480 * 800 * 3)
            at = lambda x, y: tuple(last[(y * 480 + x) * 3:(y * 480 + x) * 3 + 3])  # noqa: E731
            # Turned clockwise: the top-left 80x40 block is now the top-right 40x80.
            self.assertEqual(at(470, 10), (255, 0, 0))
            self.assertEqual(at(445, 70), (255, 0, 0))
            self.assertEqual(at(10, 10), (0, 0, 0))
            self.assertEqual(at(470, 100), (0, 0, 0))

    def test_2024_reports_the_panel_and_shows_pictures_as_they_are(self):
        with TempDir() as tmp:
            done, lines = run_lines(tmp, ATTEMPT + """
Display.init(Display.ST7701, to_ide=True)
attempt("size", lambda: (Display.width(), Display.height()))
tall = image.Image(Display.width(), Display.height(), image.RGB888)
tall.draw_rectangle(0, 0, 80, 40, color=(0, 255, 0), fill=True)
attempt("show", lambda: Display.show_image(tall))
import canmv_host
screen = canmv_host.display_snapshot()
attempt("screen", lambda: (screen.width, screen.height, screen.pixel(70, 30), screen.pixel(470, 10)))
""", "canmv-2024-08")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(lines, [
                "size -> (480, 800)",
                "show -> None",
                "screen -> (480, 800, (0, 255, 0), (0, 0, 0))",
            ])


def run_lines(tmp, body, firmware, *extra):
    script = write_script(tmp, body)
    done = run_canmv(script, sdcard=tmp / "sd", firmware=firmware, extra=extra)
    return done, [line for line in done.stdout.splitlines() if "->" in line]


ATTEMPT = """
from media.display import *
from media.media import *
import image

def attempt(label, fn):
    try:
        got = fn()
        print(label, "->", repr(got))
    except Exception as e:
        print(label, "->", type(e).__name__, repr(str(e)))

img = image.Image(64, 32, image.ARGB8888)
"""


class FirmwareErrors(unittest.TestCase):
    """Each generation's exceptions and messages for bad calls (facts §2.7)."""

    def test_2026(self):
        with TempDir() as tmp:
            done, lines = run_lines(tmp, ATTEMPT + """
attempt("show before init", lambda: Display.show_image(img))
attempt("unknown type", lambda: Display.init(999))
attempt("negative type", lambda: Display.init(-1))
attempt("bad size", lambda: Display.init(Display.ST7701, 999, 999))
attempt("hdmi 30 without size", lambda: Display.init(Display.LT9611, fps=30))
attempt("init", lambda: Display.init(Display.VIRT, 320, 240, fps=30))
attempt("dump without wbc", lambda: Display.writeback_dump(10))
attempt("wbc", lambda: Display.writeback(True))
attempt("dump", lambda: Display.writeback_dump(100) is not None)
attempt("dump timeout", lambda: Display.writeback_dump(0))
attempt("video layer", lambda: Display.show_image(img, layer=Display.LAYER_VIDEO1))
attempt("exceeding", lambda: Display.show_image(image.Image(400, 16, image.ARGB8888)))
attempt("osd0", lambda: Display.show_image(img, layer=Display.LAYER_OSD0))
attempt("osd1", lambda: Display.show_image(img, layer=Display.LAYER_OSD1))
attempt("osd2", lambda: Display.show_image(img, layer=Display.LAYER_OSD2))
attempt("osd0 again", lambda: Display.show_image(img, layer=Display.LAYER_OSD0))
src = (CAMERA_MOD_ID, 0, 0)
attempt("bind", lambda: Display.bind_layer(src, rect=(0, 0, 320, 240), pix_format=31, layer=1))
attempt("bind again", lambda: Display.bind_layer(src, rect=(0, 0, 320, 240), pix_format=31, layer=1))
attempt("bind positional", lambda: Display.bind_layer(src, (0, 0, 320, 240)))
""", "canmv-2026-01")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(lines, [
                "show before init -> RuntimeError 'show image without init'",
                "unknown type -> RuntimeError 'Unknown not support 0x0@60'",
                "negative type -> ValueError 'invalid type\\n'",
                "bad size -> RuntimeError 'ST7701 not support 999x999@60'",
                "hdmi 30 without size -> RuntimeError 'LT9611 not support 0x0@30'",
                "init -> None",
                "wbc dump faileddump without wbc -> None",
                "wbc -> True",
                "dump -> True",
                "wbc dump faileddump timeout -> None",
                "video layer -> ValueError 'invalid layer'",
                "exceeding -> ValueError 'image exceed the panel resolution'",
                "osd0 -> None",
                "osd1 -> None",
                "osd2 -> None",
                "osd0 again -> RuntimeError 'alloc layer buffer failed'",
                "bind -> None",
                "bind again -> RuntimeError 'vo bind layer(1) failed: already bound to (6, 0, 0)'",
                "bind positional -> TypeError 'extra positional arguments given'",
            ])

    def test_2024(self):
        with TempDir() as tmp:
            done, lines = run_lines(tmp, ATTEMPT + """
attempt("show before init", lambda: Display.show_image(img))
attempt("no type", lambda: Display.init())
attempt("unknown type", lambda: Display.init(999))
attempt("bad size", lambda: Display.init(Display.ST7701, 999, 999))
attempt("no writeback", lambda: hasattr(Display, "writeback"))
attempt("init", lambda: Display.init(Display.ST7701, to_ide=True))
attempt("connector size", lambda: (Display.width(), Display.height()))
attempt("width(layer)", lambda: Display.width(Display.LAYER_OSD0))
attempt("odd width", lambda: Display.show_image(image.Image(60, 32, image.ARGB8888)))
attempt("video layer", lambda: Display.show_image(img, layer=Display.LAYER_VIDEO1))
attempt("show", lambda: Display.show_image(img, 10, 10))
Display.deinit()
MediaManager.init()
attempt("init after MediaManager.init", lambda: Display.init(Display.VIRT))
""", "canmv-2024-08")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(lines, [
                "show before init -> ValueError 'Image size is too large'",
                "no type -> ValueError 'please run Display.init(type=)'",
                "unknown type -> AssertionError 'Unsupport display type 999'",
                "bad size -> ValueError 'ST7701 unsupoort 999x999'",
                "no writeback -> False",
                "init -> None",
                "connector size -> (480, 800)",
                "width(layer) -> NameError \"name 'layer' isn't defined\"",
                "odd width -> ValueError 'Image width must be an integral multiple of 8 pixels'",
                "video layer -> AssertionError 'layer(1) is out of range.'",
                "show -> None",
                "init after MediaManager.init -> AssertionError 'please run "
                "MediaManager._config() before MediaManager.init()'",
            ])

    def test_2025_sizes_and_messages(self):
        with TempDir() as tmp:
            done, lines = run_lines(tmp, ATTEMPT + """
attempt("bad size", lambda: Display.init(Display.ST7701, 999, 999))
attempt("hdmi bad rate", lambda: Display.init(Display.LT9611, 1280, 720, fps=25))
attempt("virt width", lambda: Display.init(Display.VIRT, 324, 240))
attempt("init", lambda: Display.init(Display.ST7701, 800, 480))
attempt("landscape size", lambda: (Display.width(), Display.height(), Display.fps()))
""", "canmv-2025-04")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(lines, [
                "bad size -> ValueError 'ST7701 unsupport 999x999'",
                "hdmi bad rate -> ValueError 'LT9611 unsupport 1280x720@25'",
                "virt width -> ValueError 'width must be an integral multiple of 8 pixels'",
                "init -> None",
                "landscape size -> (800, 480, 60)",
            ])

    def test_media_is_only_in_2026(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                from _media import Display
                print("type", Display.VIRT)
                """)
            new = run_canmv(script, sdcard=tmp / "sd", firmware="canmv-2026-01")
            self.assertIn("type 300", new.stdout, new.stderr)
            old = run_canmv(script, sdcard=tmp / "sd", firmware="canmv-2025-08")
            self.assertEqual(old.returncode, 1)
            self.assertIn("no module named '_media'", old.stderr)


class BadUse(unittest.TestCase):
    """The display's flags, `mpp` calls and hints, used wrongly."""

    def test_bad_display_flags_exit_2(self):
        with TempDir() as tmp:
            script = write_script(tmp, "print('never')\n")
            (tmp / "a-file").write_text("x")
            with socket.socket() as taken:
                taken.bind(("127.0.0.1", 0))
                taken.listen()
                busy = taken.getsockname()[1]
                for extra, message in (
                        (["--display", "vnc"], "give web or web:PORT"),
                        (["--display", "web:99999"], "give web or web:PORT"),
                        (["--display", "web:%d" % busy], "--display web:%d" % busy),
                        (["--display-every", "0"], "--display-every 0"),
                        (["--display-dump", str(tmp / "a-file")], "--display-dump"),
                        (["--display-dump", str(tmp), "--display-format", "gif"],
                         "invalid choice")):
                    with self.subTest(extra=extra):
                        done = run_canmv(script, sdcard=tmp / "sd", extra=extra)
                        self.assertEqual(done.returncode, 2, done.stderr)
                        self.assertIn(message, done.stderr)
                        self.assertNotIn("never", done.stdout)

    def test_a_dump_that_cannot_be_written_fails_the_run_not_the_script(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                from media.display import *
                import time
                Display.init(Display.VIRT, 64, 64, fps=30)
                time.sleep(0.2)
                print("script done")
                """)
            dump = tmp / "dump"
            # A folder where the first screen's file goes: that write fails.
            (dump / "screen-000000.png").mkdir(parents=True)
            done = run_canmv(script, sdcard=tmp / "sd",
                             extra=["--timing", "deterministic", "--display-dump", str(dump)])
            self.assertEqual(done.returncode, 1, done.stderr)
            self.assertIn("script done", done.stdout)
            self.assertIn("--display-dump", done.stderr)
            self.assertIn("screen-000000.png", done.stderr)
            self.assertNotIn("Traceback", done.stderr)

    def test_mpp_write_back_calls_answer_failures(self):
        with TempDir() as tmp:
            done, lines = run_lines(tmp, ATTEMPT + """
frame = k_video_frame_info()
attempt("enable, display off", lambda: kd_mpi_vo_enable_wbc())
attempt("dump, display off", lambda: kd_mpi_wbc_dump_frame(frame, 10))
Display.init(Display.VIRT, 320, 240)
attr = k_vo_wbc_attr()
attr.target_size.width, attr.target_size.height = 640, 480
attempt("attr of another size", lambda: kd_mpi_vo_set_wbc_attr(attr))
attempt("dump, wbc off", lambda: kd_mpi_wbc_dump_frame(frame, 10))
attempt("enable", lambda: kd_mpi_vo_enable_wbc())
attempt("dump", lambda: (kd_mpi_wbc_dump_frame(frame, 1000), frame.v_frame.width))
attempt("release", lambda: kd_mpi_wbc_dump_release(frame))
attempt("release again", lambda: kd_mpi_wbc_dump_release(frame))
attempt("disable", lambda: kd_mpi_vo_disable_wbc())
""", "canmv-2025-08")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(lines, [
                "enable, display off -> -1",
                "dump, display off -> -1",
                "attr of another size -> 0",
                "dump, wbc off -> -1",
                "enable -> 0",
                "dump -> (0, 320)",
                "release -> 0",
                "release again -> -1",
                "disable -> 0",
            ])
            self.assertIn("kd_mpi_vo_enable_wbc: the display is off", done.stderr)
            self.assertIn("target size 640x480, the display is 320x240", done.stderr)

    def test_a_2026_script_on_older_firmware_gets_the_hint(self):
        with TempDir() as tmp:
            for body, name in (("from _media import Display\n", "_media"),
                               ("from media.display import *\nDisplay.writeback(True)\n",
                                "writeback")):
                with self.subTest(name=name):
                    script = write_script(tmp, body)
                    done = run_canmv(script, sdcard=tmp / "sd", firmware="canmv-2025-08")
                    self.assertEqual(done.returncode, 1)
                    self.assertIn("arrived with --firmware canmv-2026-01", done.stderr)

    def test_a_picture_file_that_does_not_decode_is_an_oserror(self):
        with TempDir() as tmp:
            (tmp / "sd").mkdir()
            (tmp / "sd" / "bad.png").write_bytes(b"not a png")
            done, lines = run_lines(tmp, ATTEMPT + """
for name in ("bad.png", "none.png"):
    try:
        image.Image("/sdcard/" + name)
    except OSError as e:  # MicroPython's OSError (ENOENT for a missing file)
        print(name, "-> OSError", e.errno if e.errno else "")
""", "canmv-2026-01")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(lines, ["bad.png -> OSError ", "none.png -> OSError 2"])


class ImagePixels(unittest.TestCase):
    """`image.Image` with real pixels: formats, drawing, files."""

    def test_drawing_and_files_read_back_by_ffmpeg(self):
        with TempDir() as tmp:
            done, lines = run_lines(tmp, ATTEMPT + """
rgb = image.Image(64, 48, image.RGB888)
rgb.draw_rectangle(0, 0, 32, 48, color=(255, 0, 0), fill=True)
rgb.draw_line(32, 0, 32, 47, color=(0, 255, 0), thickness=3)
attempt("rgb888 to png", lambda: rgb.save("/sdcard/no.png"))
attempt("rgb888 raw", lambda: rgb.save("/sdcard/a.rgb888") is rgb)
small = rgb.to_rgb565()
for name in ("a.png", "a.bmp", "a.jpg", "a.ppm"):
    small.save("/sdcard/" + name, quality=95)
attempt("565 as pgm", lambda: small.save("/sdcard/no.pgm"))
attempt("jpeg keeps its name", lambda: rgb.compress(90).save("/sdcard/c") and None)
attempt("formats", lambda: (image.GRAYSCALE, image.RGB565, image.RGB888, image.ARGB8888, image.YUV420))
attempt("sizes", lambda: [image.Image(8, 4, f).size() for f in (image.GRAYSCALE, image.RGB565, image.RGB888, image.ARGB8888, image.YUV420)])
attempt("mmz", lambda: rgb.phyaddr() > 0 and rgb.virtaddr() > 0 and rgb.poolid() == 0xFFFFFFFF)
attempt("heap", lambda: image.Image(8, 8, image.GRAYSCALE, alloc=image.ALLOC_HEAP).phyaddr())
attempt("565", lambda: rgb.to_rgb565().format() == image.RGB565)
attempt("jpeg", lambda: rgb.compress(80).format() == image.JPEG)
attempt("bad width", lambda: image.Image(0, 8, image.RGB888))
attempt("bad type", lambda: image.Image(8, 8, 12345))
attempt("no size", lambda: image.Image())
attempt("vb without address", lambda: image.Image(8, 8, image.RGB888, alloc=image.ALLOC_VB))
attempt("short data", lambda: image.Image(8, 8, image.RGB888, alloc=image.ALLOC_HEAP, data=b"x"))
attempt("quality", lambda: rgb.compress(0))
attempt("missing font", lambda: rgb.draw_string_advanced(0, 0, 16, "x", font="/sdcard/none.ttf"))
""", "canmv-2026-01")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(lines, [
                "rgb888 to png -> OSError 'current format not support save function!'",
                "rgb888 raw -> True",
                "565 as pgm -> OSError 'Image is not PGM!'",
                "jpeg keeps its name -> None",
                "formats -> (134348801, 201523202, 201916419, 201850884, 470417443)",
                "sizes -> [32, 64, 96, 128, 48]",
                "mmz -> True",
                "heap -> 0",
                "565 -> True",
                "jpeg -> True",
                "bad width -> OSError 'Width must be > 0'",
                "bad type -> OSError 'Unsupported type'",
                "no size -> OSError 'Expected width, height, and type'",
                "vb without address -> ValueError 'please set phyaddr and virtaddr'",
                "short data -> ValueError 'Not enough data'",
                "quality -> ValueError '1 <= quality <= 100!'",
                "missing font -> OSError 'Open font /sdcard/none.ttf failed.'",
            ])
            self.assertEqual((tmp / "sd" / "a.rgb888").stat().st_size, 64 * 48 * 3)
            self.assertEqual((tmp / "sd" / "c.jpg").read_bytes()[:2], b"\xff\xd8")
            for name, worst in (("a.png", 0), ("a.bmp", 0), ("a.ppm", 0), ("a.jpg", 24)):
                px = ffmpeg_raw(tmp / "sd" / name, "rgb24")
                self.assertEqual(len(px), 64 * 48 * 3, name)
                at = lambda x, y: px[(y * 64 + x) * 3:(y * 64 + x) * 3 + 3]  # noqa: E731
                for (x, y), want in (((5, 5), (255, 0, 0)), ((32, 20), (0, 255, 0)),
                                     ((50, 40), (0, 0, 0))):
                    self.assertLessEqual(max(abs(a - b) for a, b in zip(at(x, y), want)),
                                         worst, (name, x, y, at(x, y)))

    def test_to_numpy_ref_shares_the_pixels(self):
        with TempDir() as tmp:
            done, lines = run_lines(tmp, ATTEMPT + """
rgb = image.Image(8, 4, image.RGB888)
a = rgb.to_numpy_ref()
a[1, 2] = (10, 20, 30)
attempt("shape", lambda: a.shape)
attempt("written through", lambda: rgb.to_bytes()[(1 * 8 + 2) * 3:(1 * 8 + 2) * 3 + 3])
rgb.draw_rectangle(0, 0, 1, 1, color=(255, 0, 0), fill=True)
attempt("drawn seen", lambda: tuple(int(v) for v in a[0, 0]))
attempt("bytes", lambda: len(bytes(rgb)))
attempt("yuv", lambda: image.Image(8, 4, image.YUV420).to_numpy_ref())
attempt("heap 565", lambda: image.Image(8, 4, image.RGB565, alloc=image.ALLOC_HEAP).to_numpy_ref().shape)
""", "canmv-2026-01")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(lines, [
                "shape -> (4, 8, 3)",
                "written through -> b'\\n\\x14\\x1e'",
                "drawn seen -> (255, 0, 0)",
                "bytes -> 96",
                "yuv -> ValueError 'image format not support'",
                "heap 565 -> (4, 8, 2)",
            ])

    def test_snapshot_is_an_image_the_display_shows(self):
        with TempDir() as tmp:
            done, lines = run_lines(tmp, ATTEMPT + """
from media.sensor import *
s = Sensor()
s.reset()
s.set_framesize(width=320, height=240)
s.set_pixformat(Sensor.RGB888)
s.run()
snap = s.snapshot()
attempt("snapshot", lambda: (snap.width(), snap.height(), snap.format() == image.RGB888))
snap.draw_rectangle(0, 0, 16, 16, color=(255, 0, 255), fill=True)
Display.init(Display.VIRT, 320, 240)
attempt("show snapshot", lambda: Display.show_image(snap))
import canmv_host
screen = canmv_host.display_snapshot()
attempt("screen", lambda: (screen.width, screen.height, screen.pixel(4, 4)))
s.stop()
""", "canmv-2026-01")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(lines, [
                "snapshot -> (320, 240, True)",
                "show snapshot -> None",
                "screen -> (320, 240, (255, 0, 255))",
            ])


class LivePage(unittest.TestCase):
    """`canmv-run --display web:PORT`: the page, in headless Chromium (Selenium), shows the
    screen; its canvas is read back and compared with the screen's PNG."""

    def test_the_page_shows_the_screen_in_a_real_browser(self):
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service

        port = free_port()
        with TempDir() as tmp:
            script = write_script(tmp, """
                from media.display import *
                import image, os, sys, time

                W, H = 320, 240
                img = image.Image(W, H, image.ARGB8888)
                # (A, R, G, B): red at alpha 160, and a fully transparent hole.
                img.draw_rectangle(0, 0, W, H, color=(160, 255, 0, 0), fill=True)
                img.draw_rectangle(100, 60, 80, 40, color=(0, 255, 255, 255), fill=True)
                Display.init(Display.VIRT, W, H, fps=30)
                Display.show_image(img)
                print("red shown", flush=True)
                def asked():
                    try:
                        os.stat("/sdcard/go")  # MicroPython's os has no os.path
                        return True
                    except OSError:
                        return False

                while not asked():
                    time.sleep(0.02)
                img.draw_rectangle(0, 0, W, H, color=(255, 0, 200, 0), fill=True)
                Display.show_image(img)
                print("green shown", flush=True)
                while True:
                    time.sleep(0.05)
                """)
            child = subprocess.Popen(
                [str(CANMV_RUN), "-q", "--sdcard", str(tmp / "sd"), "--data",
                 str(tmp / "data"), "--timing", "realtime", "--run-for", "40",
                 "--display", "web:%d" % port, str(script)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            options = Options()
            options.binary_location = "/usr/bin/chromium"
            for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--user-data-dir=%s" % (tmp / "chrome")):
                options.add_argument(flag)
            driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
            try:
                self.assertEqual(child.stdout.readline().strip(), "red shown")
                driver.get("http://127.0.0.1:%d/" % port)
                read = ("const c = document.getElementById('screen');"
                        "const d = c.getContext('2d').getImageData(0, 0, c.width, c.height);"
                        "return [window.framesShown, c.width, c.height, Array.from(d.data)];")
                deadline = time.monotonic() + 20
                shown, w, h, data = driver.execute_script(read)
                while shown < 2 and time.monotonic() < deadline:
                    time.sleep(0.05)
                    shown, w, h, data = driver.execute_script(read)
                self.assertEqual((w, h), (320, 240))
                rgb = bytes(v for i, v in enumerate(data) if i % 4 != 3)
                import urllib.request

                png = urllib.request.urlopen("http://127.0.0.1:%d/screen.png" % port,
                                             timeout=10).read()
                (tmp / "screen.png").write_bytes(png)
                served = ffmpeg_raw(tmp / "screen.png", "rgb24")
                self.assertGreaterEqual(psnr(rgb, served), 40.0)
                at = lambda x, y: rgb[(y * 320 + x) * 3:(y * 320 + x) * 3 + 3]  # noqa: E731
                self.assertEqual(tuple(at(10, 10)), (160, 0, 0))  # red at alpha 160 over black
                self.assertEqual(tuple(at(140, 80)), (0, 0, 0))  # the transparent hole
                # From show_image to the page: the script shows green on our word.
                (tmp / "sd" / "go").write_text("go")
                self.assertEqual(child.stdout.readline().strip(), "green shown")
                started = time.monotonic()
                while time.monotonic() - started < 10:
                    pixel = driver.execute_script(
                        "return Array.from(document.getElementById('screen').getContext('2d')"
                        ".getImageData(10, 10, 1, 1).data);")
                    if pixel[:3] == [0, 200, 0]:
                        break
                    time.sleep(0.005)
                latency = time.monotonic() - started
                self.assertEqual(pixel[:3], [0, 200, 0])
                print("\nshow_image -> browser: %.0f ms" % (latency * 1000))
            finally:
                driver.quit()
                child.terminate()
                child.communicate(timeout=30)


if __name__ == "__main__":
    unittest.main()
