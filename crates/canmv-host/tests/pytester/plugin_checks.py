"""The pytest plugin (``canmv`` fixture), tested with pytest's own pytester: each check writes a
team's test file and script, runs pytest on them and reads the outcome.

Run by test_pytest_plugin.py: ``python -m pytest -p pytester plugin_checks.py``.
"""

import textwrap

pytest_plugins = ["pytester"]

HELLO = """
import time
print("booting")
time.sleep_ms(200)
print("ready")
"""

BOOM = """
print("about to fail")
for i in range(40):
    print("line", i)
raise ValueError("boom at the end")
"""

WHICH = """
import canmv_host
print("firmware is", canmv_host.board_info()["firmware"])
"""

FOREVER = """
import time
while True:
    time.sleep_ms(100)
"""

ENCODE = """
from media.vencoder import *
from media.sensor import *
from media.media import *
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
with open("/sdcard/clip.264", "wb") as out:
    while frames < 20:
        enc.GetStream(CHN, stream)
        for i in range(stream.pack_cnt):
            out.write(uctypes.bytearray_at(stream.data[i], stream.data_size[i]))
            if stream.stream_type[i] != enc.STREAM_TYPE_HEADER:
                frames += 1
        enc.ReleaseStream(CHN, stream)
sensor.stop()
del link
enc.Stop(CHN)
enc.Destroy(CHN)
MediaManager.deinit()
print("frames", frames)
"""


def _files(pytester, test, **scripts):
    for name, body in scripts.items():
        (pytester.path / f"{name}.py").write_text(textwrap.dedent(body))
    pytester.makepyfile(test_team=textwrap.dedent(test))


def test_a_passing_script_test_passes_with_console_and_board_time(pytester):
    _files(pytester, """
        def test_hello(canmv):
            run = canmv.run("hello.py", expect_text=["booting", "ready"])
            run.assert_passed()
            assert run.verdict == "pass"
            assert "ready" in run.console
            assert run.board_ms >= 200
            assert run.trace == []  # no MPI call made
    """, hello=HELLO)
    pytester.runpytest().assert_outcomes(passed=1)


def test_a_failing_script_is_reported_with_its_console_tail(pytester):
    _files(pytester, """
        def test_boom(canmv):
            canmv.run("boom.py").assert_passed()
    """, boom=BOOM)
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*boom.py on canmv-2026-01: error (status 1)*",
        "*canmv console: *boom.py (canmv-2026-01, run 1, error, status 1)*",
        "*ValueError: boom at the end*",
    ])
    # The tail, not the whole console: the first lines are cut.
    assert "about to fail" not in result.stdout.str()


def test_the_marker_runs_a_test_once_per_generation(pytester):
    _files(pytester, """
        import pytest

        @pytest.mark.canmv_firmware("canmv-2024-08", "canmv-2025-04", "canmv-2026-07")
        def test_generation(canmv, canmv_firmware):
            run = canmv.run("which.py").assert_passed()
            assert f"firmware is {canmv_firmware}" in run.console
    """, which=WHICH)
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*test_generation?canmv-2024-08?*PASSED*",
                                 "*test_generation?canmv-2026-07?*PASSED*"])


def test_the_default_firmware_comes_from_the_command_line(pytester):
    _files(pytester, """
        def test_generation(canmv):
            run = canmv.run("which.py").assert_passed()
            assert "firmware is canmv-2025-08" in run.console
    """, which=WHICH)
    pytester.runpytest("--canmv-firmware", "canmv-2025-08").assert_outcomes(passed=1)


def test_a_board_time_timeout_gives_status_42(pytester):
    _files(pytester, """
        def test_forever(canmv):
            run = canmv.run("forever.py", timeout_ms=700)
            assert run.status == 42 and run.verdict == "timeout"
            assert run.board_ms >= 700
    """, forever=FOREVER)
    pytester.runpytest().assert_outcomes(passed=1)


def test_files_come_with_ffprobe_facts_and_the_trace_with_the_calls(pytester):
    _files(pytester, """
        def test_encode(canmv):
            run = canmv.run("encode.py").assert_passed()
            clip = run.files["/sdcard/clip.264"]
            assert clip["codec"] == "h264" and clip["frames"] == 20
            assert (clip["width"], clip["height"]) == (320, 240)
            assert run.path("/sdcard/clip.264").stat().st_size == clip["size"]
            assert run.counters["0"]["frames_encoded"] >= 20
            calls = {r["call"] for r in run.trace}
            assert "kd_mpi_venc_get_stream" in calls
    """, encode=ENCODE)
    pytester.runpytest().assert_outcomes(passed=1)


def test_the_board_target_needs_mpremote_and_says_so(pytester, monkeypatch):
    monkeypatch.setenv("PATH", str(pytester.path))  # no mpremote on it
    _files(pytester, """
        def test_on_board(canmv):
            canmv.run("hello.py")
    """, hello=HELLO)
    result = pytester.runpytest("--canmv-target", "board:/dev/ttyACM0")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*needs mpremote*"])


def test_the_board_target_runs_mpremote_and_judges_its_output(pytester, monkeypatch):
    # A stand-in for mpremote (no board here): prints what a board's REPL would, so the
    # verdict rules run on the host as they would on a board's output.
    fake = pytester.path / "mpremote"
    fake.write_text("#!/bin/sh\necho \"$@\" > args.txt\necho booting\necho ready\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(pytester.path) + ":/usr/bin:/bin")
    _files(pytester, """
        def test_on_board(canmv):
            run = canmv.run("hello.py", expect_text=["ready"])
            run.assert_passed()
            missing = canmv.run("hello.py", expect_text=["never"])
            assert missing.status == 4
    """, hello=HELLO)
    result = pytester.runpytest("--canmv-target", "board:/dev/ttyACM0")
    result.assert_outcomes(passed=1)
    args = (pytester.path / "args.txt").read_text()
    assert args.startswith("connect /dev/ttyACM0 run ") and args.strip().endswith("hello.py")


def test_a_bad_target_is_a_usage_error(pytester):
    _files(pytester, """
        def test_x(canmv):
            pass
    """)
    result = pytester.runpytest("--canmv-target", "cloud")
    result.stdout.fnmatch_lines(["*--canmv-target cloud: sim or board:PORT*"])
