"""``mpp.mp4_format_struct``: the MP4 muxer's constants and structs at the firmware's sizes
(firmware facts §4.2): ``k_mp4_config_s`` 136 bytes, ``k_mp4_track_info_s`` 28,
``k_mp4_frame_data_s`` 32, ``k_mp4_file_info_s`` 16."""

from canmv_host._cstruct import new_struct as _new_struct

K_MP4_CONFIG_MUXER = 1
K_MP4_CONFIG_DEMUXER = 2
K_MP4_STREAM_VIDEO = 1
K_MP4_STREAM_AUDIO = 2
K_MP4_CODEC_ID_H264 = 0
K_MP4_CODEC_ID_H265 = 1
K_MP4_CODEC_ID_G711A = 2
K_MP4_CODEC_ID_G711U = 3

_CONFIG = (136, [
    ("config_type", 0, "u32", 1),
    ("muxer_config.file_name", 4, "u8", 128),
    ("muxer_config.fmp4_flag", 132, "u32", 1),
    ("demuxer_config.file_name", 4, "u8", 128),
])
_TRACK_INFO = (28, [
    ("track_type", 0, "u32", 1),
    ("time_scale", 4, "u32", 1),
    ("video_info.width", 8, "u32", 1),
    ("video_info.height", 12, "u32", 1),
    ("video_info.track_id", 16, "u32", 1),
    ("video_info.codec_id", 20, "u32", 1),
    ("audio_info.channels", 8, "u32", 1),
    ("audio_info.sample_rate", 12, "u32", 1),
    ("audio_info.bit_per_sample", 16, "u32", 1),
    ("audio_info.track_id", 20, "u32", 1),
    ("audio_info.codec_id", 24, "u32", 1),
])
_FRAME_DATA = (32, [
    ("codec_id", 0, "u32", 1),
    ("time_stamp", 8, "u64", 1),
    ("data", 16, "u64", 1),
    ("data_length", 24, "u32", 1),
    ("eof", 28, "u32", 1),
])
_FILE_INFO = (16, [("duration", 0, "u64", 1), ("track_num", 8, "u32", 1)])


def k_mp4_config_s():
    return _new_struct(*_CONFIG)


def k_mp4_track_info_s():
    return _new_struct(*_TRACK_INFO)


def k_mp4_frame_data_s():
    return _new_struct(*_FRAME_DATA)


def k_mp4_file_info_s():
    return _new_struct(*_FILE_INFO)
