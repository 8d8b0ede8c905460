"""The newest firmware's RTSP pusher (``mm.rtsp_pusher()``, oldgen facts §3): the project's
example pushes the camera to a real RTSP server that takes RECORD (ffmpeg in listen mode, on
loopback), whose file ffprobe decodes; the binding's rules as a script sees them."""

import json
import subprocess
import unittest

from support import EXAMPLES, TempDir, free_port, probe, run_canmv, see_script, write_script


def receiver(url, out, transport="tcp"):
    """ffmpeg waiting for a RECORD on ``url``; it writes the H.264 it gets to ``out``."""
    return subprocess.Popen(
        ["ffmpeg", "-v", "error", "-rtsp_flags", "listen", "-rtsp_transport", transport,
         "-timeout", "30", "-i", url, "-c", "copy", "-f", "h264", "-y", str(out)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


class Pushes(unittest.TestCase):
    def test_the_example_pushes_every_frame_to_a_real_server(self):
        with TempDir() as tmp:
            url = f"rtsp://127.0.0.1:{free_port()}/live/test"
            server = receiver(url, tmp / "got.h264")
            try:
                done = None
                for _ in range(20):  # ffmpeg needs a moment before it listens
                    done = run_canmv(EXAMPLES / "2026-07" / "rtsp_push.py", url, "45",
                                     sdcard=tmp, firmware="canmv-2026-07")
                    if "open rtsp streams failed" not in done.stdout:
                        break
                self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
                self.assertIn("rtsp pusher init success, url: " + url, done.stdout)
                self.assertIn(f"zlmedia url: {url}, w: 1280, h: 720, fps: 25, transport: tcp",
                              done.stdout)
                pushed = int(done.stdout.rsplit("frames:", 1)[1].split()[0])
                self.assertEqual(pushed, 45)
                _, err = server.communicate(timeout=30)
                self.assertEqual(server.returncode, 0, err)
            finally:
                server.kill()
            got = probe(tmp / "got.h264")
            self.assertEqual(got, {"codec": "h264", "size": (1280, 720), "frames": 45})


RULES = """
    import json
    import multimedia as mm

    p = mm.rtsp_pusher()
    see("open before init", p.rtsppusher_open)
    see("init", lambda: p.rtsppusher_init(320, 240, URL, 0, "xyz"))
    see("header too big", lambda: p.rtsppusher_pushvideoheader(b"0" * 1025, 1025))
    see("header", lambda: p.rtsppusher_pushvideoheader(b"\\0\\0\\0\\1\\x67", 5))
    see("push before open", lambda: p.rtsppusher_pushvideodata(b"\\0\\0\\0\\1\\x65", 5, 1, 0))
    see("bytearray", lambda: p.rtsppusher_pushvideodata(bytearray(5), 5, 1, 0))
    see("keyword", lambda: p.rtsppusher_init(320, 240, url=URL))
    see("open unreachable", p.rtsppusher_open)
    see("close", p.rtsppusher_close)
    see("deinit", p.rtsppusher_deinit)
    see("destroy", p.rtsppusher_destroy)
    see("destroy again", p.rtsppusher_destroy)
    see("after destroy", p.rtsppusher_close)
    see("arguments", lambda: mm.rtsp_pusher(1))
    import rtsppusher
    seen["module"] = sorted(n for n in dir(rtsppusher) if n.startswith("rtsppusher_"))
    print(json.dumps(seen))
"""


class BindingRules(unittest.TestCase):
    def test_the_pushers_calls_answer_as_the_binding(self):
        with TempDir() as tmp:
            url = f"rtsp://127.0.0.1:{free_port()}/live/test"  # nothing listens there
            script = see_script(tmp, f"    URL = {url!r}\n" + RULES)
            done = run_canmv(script, sdcard=tmp, firmware="canmv-2026-07")
            self.assertEqual(done.returncode, 0, done.stderr)
            seen = json.loads(done.stdout.strip().splitlines()[-1])
            self.assertEqual(seen, {
                "open before init": "-1", "init": "0", "header too big": "-1", "header": "0",
                "push before open": "-1",
                "bytearray": "TypeError: can't convert 'bytearray' object to str implicitly",
                "keyword": "TypeError: _Pusher.rtsppusher_init() got some positional-only "
                           "arguments passed as keyword arguments: 'url'",
                "open unreachable": "-1", "close": "None", "deinit": "None", "destroy": "None",
                "destroy again": "None",
                "after destroy": "RuntimeError: RTSP pusher is deinitialized",
                "arguments": "TypeError: function takes 0 positional arguments but 1 were given",
                "module": ["rtsppusher_close", "rtsppusher_deinit", "rtsppusher_destroy",
                           "rtsppusher_init", "rtsppusher_open", "rtsppusher_pushvideodata",
                           "rtsppusher_pushvideoheader"],
            })
            # fps 0 is taken as 25, a transport other than "udp" as tcp; the lines are the board's.
            self.assertIn(f"zlmedia url: {url}, w: 320, h: 240, fps: 25, transport: tcp",
                          done.stdout)
            self.assertIn("push_venc_header size:1025(max size:1024)", done.stdout)
            self.assertEqual(done.stdout.count("open rtsp streams failed"), 2)

    def test_older_firmware_has_no_pusher_and_the_hint_names_the_newest(self):
        with TempDir() as tmp:
            script = write_script(tmp, "import multimedia as mm\nmm.rtsp_pusher()\n")
            done = run_canmv(script, sdcard=tmp, firmware="canmv-2026-01")
            self.assertEqual(done.returncode, 1, done.stderr)
            self.assertIn("has no attribute 'rtsp_pusher'", done.stderr)
            self.assertIn("--firmware canmv-2026-07", done.stderr.split("canmv-run:")[-1])


if __name__ == "__main__":
    unittest.main()
