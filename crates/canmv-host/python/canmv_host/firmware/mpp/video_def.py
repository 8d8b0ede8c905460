"""``mpp.video_def``: the video frame struct every module passes (S HEAD
``port/builtin_py/mpp/video_def.py``), at the firmware's byte offsets."""

from canmv_host import _native
from canmv_host._cstruct import new_struct as _new_struct

__all__ = ["k_video_frame_info"]


def k_video_frame_info():
    """A zeroed ``k_video_frame_info`` struct (``v_frame.width``, ``v_frame.phys_addr[0]``, …)."""
    return _new_struct(*_native.frame_info_layout())
