"""``mpp.mp4_format``: ``kd_mp4_*`` as the firmware binds them (firmware facts §4.1, §4.3), on
the simulated board. Handles are ints; results are the C ints. The file name is a board path
(``/sdcard/…``, ``/data/…``); frame data is read where ``frame.data`` points: a pack mapping
(``streamData.data[i]``) or a buffer whose ``uctypes.addressof`` the script took. Audio and
the demuxer are not modeled: using them raises NotImplementedError. ``fmp4_flag`` writes a
fragmented file, a fragment per key frame, as the firmware's fmp4 writer does."""

import uctypes
from canmv_host import _native, env
from canmv_host._cstruct import sizeof
from mpp.common_struct import k_u64_ptr
from mpp.mp4_format_struct import *  # noqa: F403
from mpp.mp4_format_struct import (
    K_MP4_CONFIG_MUXER,
    K_MP4_STREAM_AUDIO,
    K_MP4_STREAM_VIDEO,
)

__all__ = [
    "kd_mp4_create", "kd_mp4_create_track", "kd_mp4_write_frame", "kd_mp4_destroy_tracks",
    "kd_mp4_destroy", "kd_mp4_get_file_info", "kd_mp4_get_track_by_index", "kd_mp4_get_frame",
]


def _check(obj, size, position):
    """The binding takes any buffer of the C struct's size (firmware facts §4.1)."""
    actual = sizeof(obj) if hasattr(obj, "_size") else len(bytes(obj))
    if actual != size:
        raise TypeError("struct %d expect size: %u, actual size: %u" % (position, size, actual))


def _name(cfg):
    raw = bytes(cfg.muxer_config.file_name[:])
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def kd_mp4_create(handle, cfg):
    """``handle`` (a ``k_u64_ptr``) gets the muxer; returns 0 or -1."""
    _check(cfg, 136, 1)
    if cfg.config_type != K_MP4_CONFIG_MUXER:
        if cfg.config_type == 2:
            raise NotImplementedError("venc-sim: kd_mp4_create: the MP4 demuxer is not modeled")
        return -1
    try:
        path = env.board_path(_name(cfg))
    except OSError:
        # Not on the board (or out of its folders): the firmware's fopen fails.
        print(f"kd_mp4_create: output file {_name(cfg)} open failed.")
        return -1
    ret = _native.mp4_create(path, bool(cfg.muxer_config.fmp4_flag))
    if ret < 0:
        return ret
    handle.value = ret
    return 0


def kd_mp4_create_track(mp4_handle, track_handle, info):
    """``track_handle`` (a ``k_u64_ptr``) gets the track; returns 0 or -1."""
    _check(info, 28, 2)
    if info.track_type == K_MP4_STREAM_VIDEO:
        v = info.video_info
        ret = _native.mp4_create_track(mp4_handle, True, v.width, v.height, 0, 0)
    elif info.track_type == K_MP4_STREAM_AUDIO:
        a = info.audio_info
        ret = _native.mp4_create_track(mp4_handle, False, 0, 0, a.sample_rate, a.channels)
    else:
        return -1
    if ret < 0:
        return ret
    track_handle.value = ret
    return 0


def kd_mp4_write_frame(mp4_handle, track_handle, frame):
    """One sample: ``frame.data_length`` bytes at ``frame.data``, ``frame.time_stamp`` µs."""
    _check(frame, 32, 2)
    data = uctypes.read(frame.data, frame.data_length)
    return _native.mp4_write_frame(mp4_handle, track_handle, frame.codec_id, frame.time_stamp,
                                   data)


def kd_mp4_destroy_tracks(mp4_handle):
    return _native.mp4_destroy_tracks(mp4_handle)


def kd_mp4_destroy(mp4_handle):
    """Finishes the file: the moov is written now, in front of the media data."""
    return _native.mp4_destroy(mp4_handle)


def _demuxer(*_args):
    raise NotImplementedError("venc-sim: the MP4 demuxer (kd_mp4_get_*) is not modeled")


kd_mp4_get_file_info = kd_mp4_get_track_by_index = kd_mp4_get_frame = _demuxer
