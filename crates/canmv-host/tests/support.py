"""Helpers shared by the Python front's tests."""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples" / "canmv"
# The vendor's examples are read where they live, never copied into the project.
SEED_EXAMPLES = REPO.parent / "shared" / "reference" / "seed-examples"
CANMV_RUN = Path(sys.executable).parent / "canmv-run"


def run_canmv(script, *script_args, sdcard, firmware="canmv-2026-01", source="pattern",
              timeout=120, extra=()):
    """Runs ``canmv-run`` in a child process; returns the CompletedProcess."""
    sdcard = Path(sdcard)
    data = sdcard.parent / (sdcard.name + "-data")  # beside the card, never in the cwd
    cmd = [os.fspath(CANMV_RUN), "-q", "--sdcard", os.fspath(sdcard), "--data", os.fspath(data),
           "--firmware", firmware,
           "--source", os.fspath(source), *extra, os.fspath(script)]
    if script_args:
        cmd += ["--", *script_args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def write_script(folder, body, name="script.py"):
    """Writes a script (dedented) and returns its path."""
    path = Path(folder) / name
    path.write_text(textwrap.dedent(body))
    return path


# A script's `see(what, call)`: the call's repr, or "Type: message" if it raised, kept in the
# dict `seen` that the script prints as JSON at its end.
SEE = """
import json
seen = {}


def see(what, call):
    try:
        seen[what] = repr(call())
    except Exception as e:
        seen[what] = "%s: %s" % (type(e).__name__, e)
"""


def see_script(folder, body, name="script.py"):
    """Writes a script of `see(...)` lines (dedented) after the `see` helper."""
    path = Path(folder) / name
    path.write_text(SEE + textwrap.dedent(body))
    return path


def probe(path):
    """An independent decoder's view of a stream (ffprobe decodes every frame)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-show_entries",
         "stream=codec_name,width,height,nb_read_frames", "-of", "json", os.fspath(path)],
        capture_output=True, text=True, check=True, timeout=120,
    )
    stream = json.loads(out.stdout)["streams"][0]
    return {
        "codec": stream["codec_name"],
        "size": (stream["width"], stream["height"]),
        "frames": int(stream["nb_read_frames"]),
    }


class TempDir:
    """A temporary folder removed afterwards, for ``with``."""

    def __enter__(self):
        self.path = Path(tempfile.mkdtemp(prefix="canmv-test-"))
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(tmp, script, *args, firmware="canmv-2026-01", timing="fast", extra=()):
    """Starts canmv-run on a streaming script (stopped by --run-for 30 at the latest); returns
    the process and the URL the script printed (`url: …`)."""
    child = subprocess.Popen(
        [str(CANMV_RUN), "-q", "--sdcard", str(tmp), "--data", str(tmp / "data"),
         "--firmware", firmware, "--run-for", "30", "--timing", timing, *extra, str(script), "--",
         *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = None
    deadline = time.monotonic() + 20
    while url is None and time.monotonic() < deadline:
        line = child.stdout.readline()
        if line.startswith("url:"):
            url = line.split()[1]
    return child, url
