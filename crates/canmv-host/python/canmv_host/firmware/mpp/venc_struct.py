"""VENC structs (``k_venc_chn_attr``, ``k_venc_chn_status``, ``k_venc_stream``, ``k_venc_pack``).

On the board these are ``uctypes`` structs over C memory; here they are objects with the same
field names. Storing a field the struct does not have raises AttributeError, as uctypes does.
The ``rc_attr`` union members are separate objects here; the MPI call reads the one
``rc_mode`` selects, so a program sees no difference.
"""


class _Fields:
    """Named integer fields (and nested structs), nothing else."""

    _names = ()

    def __init__(self, **nested):
        for name in self._names:
            object.__setattr__(self, name, 0)
        for name, value in nested.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        if not hasattr(self, name) or isinstance(getattr(self, name), _Fields):
            raise AttributeError("struct has no scalar field %r" % name)
        object.__setattr__(self, name, int(value))

    def __repr__(self):
        inner = ", ".join("%s=%r" % (k, v) for k, v in vars(self).items())
        return "%s(%s)" % (type(self).__name__, inner)


class _VencAttr(_Fields):
    _names = ("type", "pic_width", "pic_height", "profile")


class _Cbr(_Fields):
    _names = ("gop", "stats_time", "src_frame_rate", "dst_frame_rate", "bit_rate")


class _Vbr(_Fields):
    _names = ("gop", "stats_time", "src_frame_rate", "dst_frame_rate", "max_bit_rate", "bit_rate")


class _FixQp(_Fields):
    _names = ("gop", "src_frame_rate", "dst_frame_rate", "i_qp", "p_qp")


class _MjpegFixQp(_Fields):
    _names = ("src_frame_rate", "dst_frame_rate", "q_factor")


class _RcAttr(_Fields):
    _names = ("rc_mode",)


class k_venc_chn_attr(_Fields):
    """``venc_attr.{type, pic_width, pic_height, profile}`` and ``rc_attr.{rc_mode, cbr, vbr,
    fixqp, mjpeg_fixqp}``."""

    def __init__(self):
        rc = _RcAttr(cbr=_Cbr(), vbr=_Vbr(), fixqp=_FixQp(), mjpeg_fixqp=_MjpegFixQp())
        super().__init__(venc_attr=_VencAttr(), rc_attr=rc)


class k_venc_chn_status(_Fields):
    """What ``kd_mpi_venc_query_status`` fills."""

    _names = ("cur_packs", "release_pic_pts", "end_of_stream")


class k_venc_pack(_Fields):
    """One pack descriptor: ``phys_addr``, ``len``, ``pts``, ``type`` (32 bytes on the board)."""

    _names = ("phys_addr", "len", "pts", "type")


class k_venc_stream(_Fields):
    """``pack`` (address of the caller's descriptor array), ``pack_cnt``; after
    ``kd_mpi_venc_get_stream``, ``_pack[i]`` are the delivered descriptors, as the firmware's
    own ``vencoder.py`` reads them."""

    _names = ("pack", "pack_cnt")

    def __init__(self):
        super().__init__(_pack=[])


# The structs of the calls beyond the encode loop, as uctypes structs with the C layouts
# (k230-mpp-c-api.md §3): stores truncate to the field, as on the board.
from canmv_host._cstruct import new_struct as _new_struct  # noqa: E402


def k_venc_h265_sao():
    """``slice_sao_luma_flag``, ``slice_sao_chroma_flag`` (8 bytes)."""
    return _new_struct(8, [("slice_sao_luma_flag", 0, "u32", 1), ("slice_sao_chroma_flag", 4, "u32", 1)])


def k_venc_h264_entropy():
    """``entropy_coding_mode`` (CAVLC 0, CABAC 1), ``cabac_init_idc`` (8 bytes)."""
    return _new_struct(8, [("entropy_coding_mode", 0, "u32", 1), ("cabac_init_idc", 4, "u8", 1)])


def k_venc_h265_entropy():
    """``cabac_init_flag`` (1 byte)."""
    return _new_struct(1, [("cabac_init_flag", 0, "u8", 1)])


def k_venc_2d_osd_attr():
    """An OSD region (36 bytes): size, place, picture address, alphas, add order, colour, format."""
    return _new_struct(36, [
        ("width", 0, "u16", 1), ("height", 2, "u16", 1), ("startx", 4, "u16", 1),
        ("starty", 6, "u16", 1), ("phys_addr", 8, "u32", 3), ("bg_alpha", 20, "u8", 1),
        ("osd_alpha", 21, "u8", 1), ("video_alpha", 22, "u8", 1), ("add_order", 24, "u32", 1),
        ("bg_color", 28, "u32", 1), ("fmt", 32, "u32", 1),
    ])


def k_venc_2d_border_attr():
    """A border (16 bytes): size, line width, colour, place."""
    return _new_struct(16, [
        ("width", 0, "u16", 1), ("height", 2, "u16", 1), ("line_width", 4, "u16", 1),
        ("color", 8, "u32", 1), ("startx", 12, "u16", 1), ("starty", 14, "u16", 1),
    ])


def k_venc_2d_csc_attr():
    """``dst_fmt`` (4 bytes)."""
    return _new_struct(4, [("dst_fmt", 0, "u32", 1)])
