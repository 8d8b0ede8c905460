"""``rtsppusher``: the newest firmware registers the pusher type's methods as a module too
(oldgen facts §3.2); each takes the pusher as its first argument."""

from canmv_host import _native

if not _native.board_info()["traits"]["rtsp_pusher"]:
    raise ModuleNotFoundError("No module named 'rtsppusher'", name="rtsppusher")

import multimedia as _mm  # noqa: E402

for _name, _call in vars(_mm.rtsp_pusher).items():
    if _name.startswith("rtsppusher_"):
        globals()[_name] = _call
