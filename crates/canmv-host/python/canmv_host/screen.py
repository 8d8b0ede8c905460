"""The simulated board's screen on the PC: ``display_snapshot()`` for tests and the live view
``canmv-run --display web[:PORT]`` serves on 127.0.0.1 (docs/display.md)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import _native


class Screen:
    """The composed screen at one moment: ``width``, ``height``, ``refresh`` (refreshes since
    the display was turned on) and ``rgb`` (packed R, G, B bytes, row by row)."""

    __slots__ = ("width", "height", "refresh", "rgb")

    def __init__(self, width, height, refresh, rgb):
        self.width, self.height, self.refresh, self.rgb = width, height, refresh, rgb

    def pixel(self, x, y):
        """(R, G, B) at (x, y)."""
        i = (y * self.width + x) * 3
        return tuple(self.rgb[i:i + 3])

    def __repr__(self):
        return "<Screen %dx%d at refresh %d>" % (self.width, self.height, self.refresh)


def display_snapshot():
    """What the board's display shows now, or None while it is off."""
    got = _native.vo_screen()
    return None if got is None else Screen(*got)


_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>venc-sim: the board's screen</title>
<style>body{background:#222;color:#ddd;font:14px sans-serif;margin:1em}
canvas{background:#000;max-width:100%;image-rendering:pixelated;border:1px solid #555}
#ide{max-width:40%;display:none}</style></head>
<body><h1>The board's screen</h1><p id="state">waiting for the display</p>
<canvas id="screen" width="640" height="480"></canvas>
<h2 id="ide-title" style="display:none">IDE frame buffer (JPEG)</h2><img id="ide" alt="">
<script>
const canvas = document.getElementById("screen"), ctx = canvas.getContext("2d");
const state = document.getElementById("state");
window.framesShown = 0;
async function tick() {
  try {
    const info = await (await fetch("/state.json", {cache: "no-store"})).json();
    if (info.on) {
      const blob = await (await fetch("/screen.png", {cache: "no-store"})).blob();
      const bmp = await createImageBitmap(blob);
      if (canvas.width !== bmp.width || canvas.height !== bmp.height) {
        canvas.width = bmp.width; canvas.height = bmp.height;
      }
      ctx.drawImage(bmp, 0, 0);
      window.framesShown += 1;
      state.textContent = info.width + "x" + info.height + " @ " + info.fps +
        " Hz, refresh " + info.refresh + " (board time " + (info.board_ms / 1000).toFixed(2) + " s)";
      if (info.to_ide) {
        document.getElementById("ide-title").style.display = "block";
        const ide = document.getElementById("ide");
        ide.style.display = "block";
        ide.src = "/ide.jpg?" + window.framesShown;
      }
    } else {
      state.textContent = "the display is off";
    }
  } catch (e) {
    state.textContent = "the board is gone: " + e;
  }
  setTimeout(tick, 40);
}
tick();
</script></body></html>
"""


def _display_state():
    module = __import__("sys").modules.get("media.display")
    screen = getattr(module, "_screen", None)
    return screen


class _Handler(BaseHTTPRequestHandler):
    def _send(self, code, body, kind):
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - the http.server name
        path = self.path.split("?")[0]
        if path == "/":
            return self._send(200, _PAGE.encode(), "text/html; charset=utf-8")
        if path == "/state.json":
            mode = _native.vo_mode()
            shown = _display_state()
            info = {"on": mode is not None, "board_ms": _native.board_now_ns() / 1e6,
                    "to_ide": bool(shown and shown.to_ide)}
            if mode:
                got = _native.vo_screen()
                info.update(width=mode[0], height=mode[1], fps=mode[2],
                            refresh=got[2] if got else 0)
            return self._send(200, json.dumps(info).encode(), "application/json")
        if path in ("/screen.png", "/ide.jpg"):
            shown = _display_state()
            quality = getattr(shown, "quality", 90) if shown else 90
            body = (_native.vo_screen_file("png") if path == "/screen.png"
                    else _native.vo_screen_file("jpeg", quality))
            if body is None:
                return self._send(503, b"the display is off", "text/plain")
            return self._send(200, body, "image/png" if path == "/screen.png" else "image/jpeg")
        return self._send(404, b"not found", "text/plain")

    def log_message(self, *args):  # the script's console is not the place for access logs
        pass


class Viewer:
    """The live view: an HTTP server on 127.0.0.1 (``port`` 0: any free one)."""

    def __init__(self, port=0):
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._server.daemon_threads = True
        self.url = "http://127.0.0.1:%d/" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="canmv-display",
                                        daemon=True)
        self._thread.start()

    def close(self):
        self._server.shutdown()
        self._server.server_close()
