"""What ffprobe and ffmpeg say about the files a run wrote, for reports and scenario checks.

The sandboxed runner may not execute programs, so it starts this helper before the sandbox
(:class:`Prober`) and asks it over a pipe. The helper answers only for files inside the
board's folders: the script cannot use it to read anything else.

Run as ``python -m canmv_host.probe ROOT...``: one JSON request per line on stdin
(``{"path": P, "decode": bool}``), one JSON answer per line on stdout.
"""

import json
import os
import shutil
import subprocess
import sys

_PROBE_TIMEOUT_S = 120


def probe(path, decode=False):
    """ffprobe's facts for a file: codec, size, frames, duration; with ``decode``, whether
    ffmpeg decodes every picture without an error (and the first errors if not)."""
    ffprobe = shutil.which("ffprobe")
    if ffprobe is None:
        return {"error": "ffprobe not found on PATH (install FFmpeg)"}
    cmd = [ffprobe, "-v", "error", "-count_frames", "-show_entries",
           "stream=codec_type,codec_name,width,height,nb_read_frames,sample_rate,channels:"
           "format=format_name,duration", "-of", "json", path]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=_PROBE_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"ffprobe took over {_PROBE_TIMEOUT_S} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip() or f"ffprobe status {done.returncode}")[:500]}
    facts = json.loads(done.stdout or "{}")
    fmt = facts.get("format", {})
    out = {"format": fmt.get("format_name"), "streams": []}
    if fmt.get("duration") not in (None, "N/A"):
        out["duration_s"] = round(float(fmt["duration"]), 3)
    for s in facts.get("streams", []):
        stream = {"type": s.get("codec_type"), "codec": s.get("codec_name")}
        for key in ("width", "height", "sample_rate", "channels"):
            if s.get(key) is not None:
                stream[key] = int(s[key])
        if s.get("nb_read_frames") not in (None, "N/A"):
            stream["frames"] = int(s["nb_read_frames"])
        out["streams"].append(stream)
    video = [s for s in out["streams"] if s["type"] == "video"]
    if video:
        out.update({k: video[0][k] for k in ("codec", "width", "height", "frames")
                    if k in video[0]})
    if decode:
        out.update(_decodes(path))
    return out


def _decodes(path):
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return {"decodes": None, "decode_errors": "ffmpeg not found on PATH"}
    cmd = [ffmpeg, "-nostdin", "-v", "error", "-i", path, "-f", "null", "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=_PROBE_TIMEOUT_S,
                              check=False)
    except subprocess.TimeoutExpired:
        return {"decodes": False, "decode_errors": f"ffmpeg took over {_PROBE_TIMEOUT_S} s"}
    errors = done.stderr.strip()
    return {"decodes": done.returncode == 0 and not errors, "decode_errors": errors[:500]}


def _inside(path, roots):
    real = os.path.realpath(path)
    return any(real == r or real.startswith(r + os.sep) for r in roots)


def serve(roots, requests=sys.stdin, answers=sys.stdout):
    roots = [os.path.realpath(r) for r in roots]
    for line in requests:
        try:
            ask = json.loads(line)
            path = str(ask["path"])
            if not _inside(path, roots):
                answer = {"error": "not in the board's folders"}
            else:
                answer = probe(path, bool(ask.get("decode")))
        except (ValueError, KeyError, TypeError) as e:
            answer = {"error": f"bad request: {e}"}
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


class Prober:
    """The helper process, started before the sandbox; :meth:`probe` asks it."""

    def __init__(self, roots):
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "canmv_host.probe", *map(os.fspath, roots)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, close_fds=True)

    def probe(self, host_path, decode=False):
        try:
            self._proc.stdin.write(json.dumps({"path": os.fspath(host_path),
                                               "decode": decode}) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        except (OSError, ValueError) as e:
            return {"error": f"the probe helper is gone: {e}"}
        if not line:
            return {"error": "the probe helper is gone"}
        return json.loads(line)

    def close(self):
        try:
            self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()


if __name__ == "__main__":
    serve(sys.argv[1:])
