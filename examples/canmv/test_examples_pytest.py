"""The project's example scripts as a team would test its own: pytest with the ``canmv``
fixture of the Python front's plugin (docs/ci.md). Each runs under its generation on the
deterministic board clock; the files it writes are checked with ffprobe's facts from the
run's report.

    target/py/bin/pytest examples/canmv        # or any venv with canmv-host installed
"""

import socket
from pathlib import Path

import pytest

FRAMES = 30

# generation folder, script, arguments, the file it writes, codec ffprobe names, size.
WRITERS = [
    ("2023-10", "camera_venc.py", ["/sdcard/v.264", FRAMES], "/sdcard/v.264", "h264",
     (1280, 720)),
    ("2024-07", "vi_bind_venc.py", ["/sdcard/a.264", FRAMES], "/sdcard/a.264", "h264",
     (1280, 720)),
    ("2024-08", "stream_venc.py", ["/sdcard/b.265", FRAMES], "/sdcard/b.265", "hevc",
     (640, 480)),
    ("2025-04", "vi_bind_venc.py", ["/sdcard/c.265", FRAMES], "/sdcard/c.265", "hevc",
     (1280, 720)),
    ("2025-08", "jpeg_subchannel.py", ["/sdcard/d.mjpeg", FRAMES], "/sdcard/d.mjpeg", "mjpeg",
     (640, 360)),
    ("2026-01", "dump_frame_venc.py", ["/sdcard/e.264", FRAMES], "/sdcard/e.264", "h264",
     (800, 480)),
    ("2026-01", "stream_venc.py", ["/sdcard/f.264", FRAMES], "/sdcard/f.264", "h264",
     (640, 360)),
    ("2026-01", "vi_bind_venc.py", ["/sdcard/g.264", FRAMES], "/sdcard/g.264", "h264",
     (1280, 720)),
    ("2026-01", "screen_venc.py", ["/sdcard/s.264", FRAMES], "/sdcard/s.264", "h264",
     (320, 240)),
    ("2026-07", "bind_venc.py", ["/sdcard/h.265", FRAMES], "/sdcard/h.265", "hevc",
     (1280, 720)),
    ("2026-07", "stream_venc.py", ["/sdcard/i.264", FRAMES], "/sdcard/i.264", "h264",
     (640, 360)),
]


def firmware(folder):
    return "canmv-" + folder


@pytest.mark.parametrize("folder,script,args,out,codec,size", WRITERS,
                         ids=[f"{w[0]}/{w[1]}" for w in WRITERS])
def test_an_example_writes_a_stream_that_decodes(canmv, folder, script, args, out, codec, size):
    run = canmv.run(f"{folder}/{script}", *args, firmware=firmware(folder), timeout_ms=60000,
                    fail_text=["Traceback"]).assert_passed()
    facts = run.files[out]
    assert (facts["codec"], (facts["width"], facts["height"])) == (codec, size)
    assert facts["frames"] >= FRAMES
    assert sum(c["frames_encoded"] for c in run.counters.values()) >= FRAMES


def test_the_mp4_recorder_stops_cleanly_and_its_file_plays(canmv):
    run = canmv.run("2026-01/record_mp4.py", "/sdcard/r.mp4", "h264", extra=["--max-frames",
                    str(FRAMES)], timeout_ms=60000, fail_text=["Traceback"]).assert_passed()
    facts = run.files["/sdcard/r.mp4"]
    assert facts["format"].startswith("mov,mp4") and facts["codec"] == "h264"
    assert facts["frames"] >= FRAMES


def test_the_fragmented_recorder_writes_its_files(canmv):
    run = canmv.run("2026-07/record_fmp4.py", "/sdcard/rec", 2, 10, "h264",
                    firmware="canmv-2026-07", timeout_ms=60000).assert_passed()
    mp4s = [p for p in run.files if p.startswith("/sdcard/rec") and p.endswith(".mp4")]
    assert len(mp4s) == 2
    assert all(run.files[p]["codec"] == "h264" for p in mp4s)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("folder", ["2024-08", "2026-01", "2026-07"])
def test_an_rtsp_example_serves_until_the_ides_stop(canmv, folder):
    run = canmv.run(f"{folder}/rtsp_stream.py", _free_port(), firmware=firmware(folder),
                    extra=["--max-frames", str(FRAMES)], timeout_ms=60000,
                    fail_text=["Traceback"]).assert_passed()
    assert "rtsp://" in run.console
    assert sum(c["frames_encoded"] for c in run.counters.values()) >= FRAMES


# The manual's two examples are the vendor's code: run from where they live, never copied.
SEED = Path(__file__).resolve().parents[3] / "shared" / "reference" / "seed-examples"


@pytest.mark.skipif(not SEED.is_dir(), reason=f"the manual's examples are not at {SEED}")
@pytest.mark.parametrize("name", ["example1_vi_bind_venc.py", "example2_stream_venc.py"])
def test_the_manuals_examples_run_unmodified(canmv, name):
    run = canmv.run(SEED / name, timeout_ms=120000, fail_text=["Traceback"]).assert_passed()
    facts = run.files["/sdcard/examples/test.264"]
    assert (facts["codec"], facts["width"], facts["height"]) == ("h264", 800, 480)
    assert facts["frames"] > 0
