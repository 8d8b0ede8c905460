"""``media.camera``: the camera API of v0.1–v0.6 (``media._v0.camera``); removed in v0.7, so
importing it on a later generation fails as it does there."""

from canmv_host import _native

if not _native.board_info()["traits"]["camera_api"]:
    raise ModuleNotFoundError("No module named 'media.camera'", name="media.camera")

from media._v0.camera import *  # noqa: E402, F401, F403
from media._v0.camera import camera  # noqa: E402, F401
