"""The `multimedia` RTSP server from a script (firmware facts §3): the project's streaming
script, run until a stop, is played by ffmpeg from this PC (H.264 and H.265, TCP and UDP);
the binding's argument rules, return values and console lines; the calls that crash the board.
Loopback only, every wait bounded."""

import socket
import struct
import subprocess
import time
import unittest

from support import EXAMPLES, TempDir, free_port, run_canmv, serve, write_script


def play(url, transport, frames=15):
    """ffmpeg decodes `frames` pictures from the URL: (exit status, its error lines). The null
    muxer's notes on two pictures closer than one frame time (the server spaces sends 10 ms
    apart, as the board's session thread does, and a GetStream can bring several) are about
    the output's time base, not decoding: they are left out, with ffmpeg's count of their
    repeats."""
    done = subprocess.run(
        ["ffmpeg", "-v", "error", "-rtsp_transport", transport, "-timeout", "10000000", "-i",
         url, "-frames:v", str(frames), "-f", "null", "-"],
        capture_output=True, text=True, timeout=60)
    errors, dropped = [], False
    for line in done.stderr.splitlines():
        # ffmpeg folds a repeated note into "Last message repeated N times": it goes with it.
        repeat = "Last message repeated" in line
        if "non monotonically increasing dts to muxer" in line or (repeat and dropped):
            dropped = True
            continue
        dropped = False
        errors.append(line)
    return done.returncode, "\n".join(errors)


def probe(url):
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_entries",
         "stream=codec_name,width,height", "-of", "csv=p=0", url],
        capture_output=True, text=True, timeout=60)
    return done.stdout.strip()


# The project's streaming scripts: (generation folder, --firmware, arguments after the port,
# the codec ffprobe names).
STREAMING_SCRIPTS = [
    ("2026-01", "canmv-2026-01", ("h264",), "h264"),
    ("2026-01", "canmv-2026-01", ("h265",), "hevc"),
    ("2024-08", "canmv-2024-08", (), "h264"),
    ("2026-07", "canmv-2026-07", (), "hevc"),  # by physical address, H.265 by default
]


class Streaming(unittest.TestCase):
    def test_each_generations_streaming_script_plays_in_ffmpeg(self):
        for folder, firmware, args, name in STREAMING_SCRIPTS:
            with self.subTest(script=folder, args=args), TempDir() as tmp:
                port = free_port()
                child, url = serve(tmp, EXAMPLES / folder / "rtsp_stream.py", str(port), *args,
                                   firmware=firmware, timing="realtime")
                try:
                    self.assertEqual(url, "rtsp://127.0.0.1:%d/test" % port)
                    self.assertEqual(probe(url), "%s,1280,720" % name)
                    for transport in ("tcp", "udp"):
                        status, err = play(url, transport)
                        self.assertEqual((status, err), (0, ""), transport)
                finally:
                    child.terminate()  # SIGTERM: the script's run ends; the port is freed
                    child.communicate(timeout=30)
                # The port is free again once the script is gone.
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))


    def test_a_script_that_dies_with_its_server_running_frees_the_port(self):
        with TempDir() as tmp:
            port = free_port()
            script = write_script(tmp, """
                import multimedia as mm
                import sys
                s = mm.rtsp_server()
                print("init", s.rtspserver_init(int(sys.argv[1])))
                s.rtspserver_createsession("test", mm.multi_media_type.media_h264, False)
                s.rtspserver_start()
                raise ValueError("the script fails with its server running")
            """)
            done = run_canmv(script, str(port), sdcard=tmp)
            self.assertEqual(done.returncode, 1, done.stderr)
            self.assertIn("init 0", done.stdout)
            self.assertIn("ValueError: the script fails with its server running", done.stderr)
            with socket.socket() as s:
                s.bind(("127.0.0.1", port))


WRAPPER = """
    from media.rtspserver import *
    import multimedia as mm
    import sys, time
    server = RtspServer(port=int(sys.argv[1]))
    server.start()
    print("url:", server.get_rtsp_url(), flush=True)
    try:
        while True:
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    server.stop()
    print("stopped")
"""

# Per generation: what `RtspServer()` streams by default (facts §3.3).
WRAPPER_STREAMS = {"canmv-2024-08": "h264", "canmv-2026-01": "h264", "canmv-2026-07": "hevc"}


class Wrapper(unittest.TestCase):
    def test_each_generations_rtspserver_streams_its_default_codec(self):
        for firmware, codec in WRAPPER_STREAMS.items():
            with self.subTest(firmware=firmware), TempDir() as tmp:
                child, url = serve(tmp, write_script(tmp, WRAPPER), str(free_port()),
                                   firmware=firmware)
                try:
                    self.assertEqual(probe(url), "%s,1280,720" % codec)
                finally:
                    child.terminate()
                    child.communicate(timeout=30)

    def test_the_newest_wrapper_checks_its_arguments(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                from media.rtspserver import *
                import multimedia as mm
                for kwargs in ({"bit_rate": 50}, {"video_type": mm.multi_media_type.media_mjpeg}):
                    try:
                        RtspServer(**kwargs)
                    except ValueError as e:
                        print("ValueError", e)
            """)
            done = run_canmv(script, sdcard=tmp, firmware="canmv-2026-07")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("ValueError bit_rate must be between 100 and 20000 Kbit/s", done.stdout)
            self.assertIn("ValueError video_type must be media_h265 or media_h264", done.stdout)


RULES = """
    import multimedia as mm
    import canmv_host

    def see(what, call):
        try:
            print(what, "->", repr(call()))
        except Exception as e:
            print(what, "->", type(e).__name__, e)

    s = mm.rtsp_server()
    see("test", s.rtspserver_test)
    see("init", lambda: s.rtspserver_init(PORT))
    see("init taken", lambda: mm.rtsp_server().rtspserver_init(PORT))
    see("int name", lambda: s.rtspserver_createsession(5, mm.multi_media_type.media_h264, False))
    see("str type", lambda: s.rtspserver_createsession("a", "h264", True))
    see("bad type", lambda: s.rtspserver_createsession("a", 7, False))
    see("audio", lambda: s.rtspserver_createsession("a", 0, True))
    see("create", lambda: s.rtspserver_createsession("cam", mm.multi_media_type.media_h265, 0))
    see("again", lambda: s.rtspserver_createsession("cam", 0, False))
    see("url", lambda: s.rtspserver_getrtspurl("cam"))
    see("bytearray", lambda: s.rtspserver_sendvideodata("cam", bytearray(b"x"), 1, 1000))
    see("no client", lambda: s.rtspserver_sendvideodata("cam", b"\\0\\0\\0\\1\\x40", 5, 1000))
    see("no start code", lambda: s.rtspserver_sendvideodata("cam", b"\\0\\0\\1\\x40", 4, 1000))
    see("send audio", lambda: s.rtspserver_sendaudiodata("cam", b"x", 1, 0))
    see("audio to a", lambda: s.rtspserver_sendaudiodata("a", b"\\xff" * 320, 320, 0))
    see("audio nowhere", lambda: s.rtspserver_sendaudiodata("none", b"x", 1, 0))
    see("audio bytearray", lambda: s.rtspserver_sendaudiodata("a", bytearray(1), 1, 0))
    see("create on an instance", lambda: s.rtspserver_create())
    from media.media import MediaManager
    buf = MediaManager.Buffer.get(4096)
    see("by phyaddr", lambda: s.rtspserver_sendvideodata_byphyaddr("cam", buf.phys_addr, 64, 0))
    see("by phyaddr, no session", lambda: s.rtspserver_sendvideodata_byphyaddr("x", buf.phys_addr,
                                                                               64, 0))
    see("short-lived", lambda: s.rtspserver_createsession("gone", 0, False))
    see("destroy", lambda: s.rtspserver_destroysession("gone"))
    see("gone url", lambda: s.rtspserver_sendvideodata("gone", b"\\0\\0\\0\\1\\x40", 5, 1))
    see("start", s.rtspserver_start)
    see("stop", s.rtspserver_stop)
    see("after stop", lambda: s.rtspserver_sendvideodata("cam", b"\\0\\0\\0\\1\\x40", 5, 1000))
    see("deinit", s.rtspserver_deinit)
    print("crash next", flush=True)
    s.rtspserver_getrtspurl("never-made")
    print("not reached")
"""


class Audio(unittest.TestCase):
    def test_a_session_with_audio_plays_the_microphone_in_ffmpeg(self):
        with TempDir() as tmp:
            port = free_port()
            child, url = serve(tmp, EXAMPLES / "2026-01" / "rtsp_av.py", str(port),
                               timing="realtime", extra=["--mic", "tone:440"])
            try:
                self.assertEqual(url, "rtsp://127.0.0.1:%d/test" % port)
                streams = subprocess.run(
                    ["ffprobe", "-v", "error", "-rtsp_transport", "tcp", "-show_entries",
                     "stream=codec_name,sample_rate,channels", "-of", "csv=p=0", url],
                    capture_output=True, text=True, timeout=60).stdout.split()
                self.assertIn("pcm_mulaw,8000,1", streams)
                self.assertIn("h264", streams)
                raw = subprocess.run(
                    ["ffmpeg", "-v", "error", "-rtsp_transport", "tcp", "-i", url, "-map", "0:a",
                     "-t", "2", "-f", "s16le", "-"], capture_output=True, timeout=60).stdout
                pcm = struct.unpack("<%dh" % (len(raw) // 2), raw)
                self.assertGreaterEqual(len(pcm), 15000)
                crossings = sum(1 for a, b in zip(pcm, pcm[1:]) if (a < 0) != (b < 0))
                self.assertAlmostEqual(crossings / 2 / (len(pcm) / 8000), 440, delta=5)
            finally:
                child.terminate()
                child.communicate(timeout=30)


class Rules(unittest.TestCase):
    def test_the_bindings_rules_and_the_crashes(self):
        with TempDir() as tmp:
            port = free_port()
            script = write_script(tmp, "PORT = %d\n" % port + RULES.replace("\n    ", "\n"))
            done = run_canmv(script, sdcard=tmp)
            self.assertEqual(done.returncode, 3, done.stderr)  # the crash
            for line in [
                "test -> 'hello world'",
                "init -> 0",
                "create rtsp server failed.",
                "init taken -> -1",
                "int name -> TypeError can't convert 'int' object to str implicitly",
                "str type -> TypeError can't convert str to int",
                "video type not supported yet",
                "bad type -> -1",
                "with_audio",
                "audio -> 0",
                '"cam" stream',
                'Play this stream using the URL "rtsp://127.0.0.1:%d/cam"' % port,
                "create -> 0",
                "stream session has already been created",
                "again -> 0",
                "url -> 'rtsp://127.0.0.1:%d/cam'" % port,
                "bytearray -> TypeError can't convert 'bytearray' object to str implicitly",
                "no client -> 0",
                "no start code -> 0",
                # A session without audio takes the call and sends nothing (facts §2.5).
                "send audio -> 0",
                "audio to a -> 0",
                "audio nowhere -> -1",
                "audio bytearray -> TypeError can't convert 'bytearray' object to str implicitly",
                "create on an instance -> TypeError",
                "by phyaddr -> 0",
                "by phyaddr, no session -> 0",
                "RtspServer_DestroySession  before session_name:gone",
                "RtspServer_DestroySession  after session_name:gone",
                "destroy -> 0",
                "gone url -> -1",
                "start -> None",
                "stop -> None",
                "after stop -> -1",
                "deinit -> None",
                "crash next",
            ]:
                self.assertIn(line, done.stdout)
            self.assertNotIn("not reached", done.stdout)
            self.assertIn("strlen(NULL)", done.stderr)


if __name__ == "__main__":
    unittest.main()
