"""``_media`` on venc-sim: the built-in module of the 2026 firmware (``Display`` in C,
display facts §1.1). Older generations have no such module."""

from canmv_host import _native

if _native.board_info()["firmware"] not in ("canmv-2026-01", "canmv-2026-07"):
    raise ModuleNotFoundError("no module named '_media'", name="_media")

from media.display import Display  # noqa: E402, F401
from media.sensor import py_video_frame_info  # noqa: E402, F401
