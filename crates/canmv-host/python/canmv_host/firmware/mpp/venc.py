"""``mpp.venc``: ``kd_mpi_venc_*`` with the firmware's arguments; statuses as the C binding
returns them (0, or the code as a negative int)."""

from canmv_host import _native
import struct as _struct

from mpp.common_struct import k_u32_ptr
from mpp.venc_struct import (
    k_venc_chn_attr,
    k_venc_chn_status,
    k_venc_pack,
    k_venc_stream,
)

__all__ = [
    "kd_mpi_venc_create_chn",
    "kd_mpi_venc_destroy_chn",
    "kd_mpi_venc_start_chn",
    "kd_mpi_venc_stop_chn",
    "kd_mpi_venc_enable_idr",
    "kd_mpi_venc_request_idr",
    "kd_mpi_venc_query_status",
    "kd_mpi_venc_send_frame",
    "kd_mpi_venc_get_stream",
    "kd_mpi_venc_release_stream",
    "kd_mpi_venc_attach_vb_pool",
    "kd_mpi_venc_detach_vb_pool",
    # The rest of the firmware's VENC bindings (S `port/builtin_py/mpp_binding/venc_func_def.h`).
    "kd_mpi_venc_set_rotation",
    "kd_mpi_venc_get_rotation",
    "kd_mpi_venc_set_mirror",
    "kd_mpi_venc_get_mirror",
    "kd_mpi_venc_set_dblk",
    "kd_mpi_venc_get_dblk",
    "kd_mpi_venc_set_h265_sao",
    "kd_mpi_venc_get_h265_sao",
    "kd_mpi_venc_set_h264_entropy",
    "kd_mpi_venc_get_h264_entropy",
    "kd_mpi_venc_set_h265_entropy",
    "kd_mpi_venc_get_h265_entropy",
    "kd_mpi_venc_attach_2d",
    "kd_mpi_venc_detach_2d",
    "kd_mpi_venc_set_2d_mode",
    "kd_mpi_venc_get_2d_mode",
    "kd_mpi_venc_set_2d_osd_param",
    "kd_mpi_venc_get_2d_osd_param",
    "kd_mpi_venc_set_2d_border_param",
    "kd_mpi_venc_get_2d_border_param",
    "kd_mpi_venc_set_2d_custom_coef",
    "kd_mpi_venc_get_2d_custom_coef",
    "kd_mpi_venc_set_2d_color_gamut",
    "kd_mpi_venc_get_2d_color_gamut",
    "kd_mpi_venc_set_2d_csc_param",
    "kd_mpi_venc_get_2d_csc_param",
    "kd_mpi_venc_start_2d_chn",
    "kd_mpi_venc_stop_2d_chn",
    "kd_mpi_venc_send_2d_frame",
    "kd_mpi_venc_get_2d_frame",
]


def _expect(obj, cls, call):
    if not isinstance(obj, cls):
        raise TypeError("%s: expected %s, got %s" % (call, cls.__name__, type(obj).__name__))


def kd_mpi_venc_create_chn(chn, attr):
    _expect(attr, k_venc_chn_attr, "kd_mpi_venc_create_chn")
    va, rc = attr.venc_attr, attr.rc_attr
    member = {1: rc.cbr, 2: rc.vbr, 3: rc.fixqp, 4: rc.mjpeg_fixqp}.get(rc.rc_mode)
    fields = [0] * 6
    if member is rc.cbr:
        fields = [member.gop, member.stats_time, member.src_frame_rate, member.dst_frame_rate,
                  member.bit_rate, 0]
    elif member is rc.vbr:
        fields = [member.gop, member.stats_time, member.src_frame_rate, member.dst_frame_rate,
                  member.bit_rate, member.max_bit_rate]
    elif member is rc.fixqp:
        fields = [member.gop, 0, member.src_frame_rate, member.dst_frame_rate,
                  member.i_qp, member.p_qp]
    elif member is rc.mjpeg_fixqp:
        fields = [0, 0, member.src_frame_rate, member.dst_frame_rate, member.q_factor, 0]
    return _native.venc_create_chn(
        chn, va.type, va.pic_width, va.pic_height, va.profile, rc.rc_mode, fields
    )


def kd_mpi_venc_destroy_chn(chn):
    return _native.venc_destroy_chn(chn)


def kd_mpi_venc_start_chn(chn):
    return _native.venc_start_chn(chn)


def kd_mpi_venc_stop_chn(chn):
    return _native.venc_stop_chn(chn)


def kd_mpi_venc_enable_idr(chn, enable):
    return _native.venc_enable_idr(chn, bool(enable))


def kd_mpi_venc_request_idr(chn):
    return _native.venc_request_idr(chn)


def kd_mpi_venc_query_status(chn, status):
    _expect(status, k_venc_chn_status, "kd_mpi_venc_query_status")
    ret, cur_packs, release_pic_pts, end_of_stream = _native.venc_query_status(chn)
    if ret == 0:
        status.cur_packs = cur_packs
        status.release_pic_pts = release_pic_pts
        status.end_of_stream = end_of_stream
    return ret


def kd_mpi_venc_send_frame(chn, frame, timeout):
    raw = frame._bytes() if hasattr(frame, "_bytes") else bytes(frame)
    return _native.venc_send_frame(chn, raw, timeout)


def kd_mpi_venc_get_stream(chn, stream, timeout):
    """Up to ``stream.pack_cnt`` packs; ``stream.pack_cnt`` becomes the delivered count."""
    _expect(stream, k_venc_stream, "kd_mpi_venc_get_stream")
    ret, packs = _native.venc_get_stream(chn, stream.pack_cnt, timeout)
    if ret == 0:
        stream.pack_cnt = len(packs)
        stream._pack[:] = []
        for phys_addr, length, pts, kind in packs:
            desc = k_venc_pack()
            desc.phys_addr, desc.len, desc.pts, desc.type = phys_addr, length, pts, kind
            stream._pack.append(desc)
    return ret


def kd_mpi_venc_release_stream(chn, stream):
    """Releases ``stream.pack_cnt`` packs, oldest first; the addresses are not looked at."""
    _expect(stream, k_venc_stream, "kd_mpi_venc_release_stream")
    return _native.venc_release_stream(chn, stream.pack_cnt)


def kd_mpi_venc_attach_vb_pool(chn, pool):
    return _native.venc_attach_vb_pool(chn, pool)


def kd_mpi_venc_detach_vb_pool(chn):
    return _native.venc_detach_vb_pool(chn)


# ---- the calls beyond the encode loop: one native door (src/mpp.rs `venc_feature`) ----

# The fields of each struct in the order the native call takes them.
_FIELDS = {
    "sao": ("slice_sao_luma_flag", "slice_sao_chroma_flag"),
    "h264_entropy": ("entropy_coding_mode", "cabac_init_idc"),
    "h265_entropy": ("cabac_init_flag",),
    "osd": ("width", "height", "startx", "starty", "phys_addr[0]", "phys_addr[1]",
            "phys_addr[2]", "bg_alpha", "osd_alpha", "video_alpha", "add_order", "bg_color",
            "fmt"),
    "border": ("width", "height", "line_width", "color", "startx", "starty"),
    "csc": ("dst_fmt",),
}


def _get_field(obj, name):
    if name.endswith("]"):
        base, i = name[:-1].split("[")
        return getattr(obj, base)[int(i)]
    return getattr(obj, name)


def _set_field(obj, name, value):
    if name.endswith("]"):
        base, i = name[:-1].split("[")
        getattr(obj, base)[int(i)] = value
    else:
        setattr(obj, name, value)


def _call(name, chn, index=0, words=()):
    return _native.venc_feature(name, chn, index, list(words))


def _set(name, chn, value):
    return _call(name, chn, 0, [value])[0]


def _get(name, chn, ptr):
    _expect(ptr, k_u32_ptr, name)
    ret, words = _call(name, chn)
    if ret == 0:
        ptr.value = words[0]
    return ret


def _set_struct(name, chn, obj, fields, index=0):
    return _call(name, chn, index, [_get_field(obj, f) for f in _FIELDS[fields]])[0]


def _get_struct(name, chn, obj, fields, index=0):
    ret, words = _call(name, chn, index)
    if ret == 0:
        for f, w in zip(_FIELDS[fields], words):
            _set_field(obj, f, w)
    return ret


def kd_mpi_venc_set_rotation(chn, rotation):
    return _set("kd_mpi_venc_set_rotation", chn, rotation)


def kd_mpi_venc_get_rotation(chn, rotation):
    """``rotation`` is a ``k_u32_ptr``; the rotation goes into its ``value``."""
    return _get("kd_mpi_venc_get_rotation", chn, rotation)


def kd_mpi_venc_set_mirror(chn, mirror):
    return _set("kd_mpi_venc_set_mirror", chn, mirror)


def kd_mpi_venc_get_mirror(chn, mirror):
    return _get("kd_mpi_venc_get_mirror", chn, mirror)


def kd_mpi_venc_set_dblk(chn, dblk_en):
    return _set("kd_mpi_venc_set_dblk", chn, dblk_en)


def kd_mpi_venc_get_dblk(chn, dblk_en):
    return _get("kd_mpi_venc_get_dblk", chn, dblk_en)


def kd_mpi_venc_set_h265_sao(chn, sao):
    return _set_struct("kd_mpi_venc_set_h265_sao", chn, sao, "sao")


def kd_mpi_venc_get_h265_sao(chn, sao):
    return _get_struct("kd_mpi_venc_get_h265_sao", chn, sao, "sao")


def kd_mpi_venc_set_h264_entropy(chn, entropy):
    return _set_struct("kd_mpi_venc_set_h264_entropy", chn, entropy, "h264_entropy")


def kd_mpi_venc_get_h264_entropy(chn, entropy):
    return _get_struct("kd_mpi_venc_get_h264_entropy", chn, entropy, "h264_entropy")


def kd_mpi_venc_set_h265_entropy(chn, entropy):
    return _set_struct("kd_mpi_venc_set_h265_entropy", chn, entropy, "h265_entropy")


def kd_mpi_venc_get_h265_entropy(chn, entropy):
    return _get_struct("kd_mpi_venc_get_h265_entropy", chn, entropy, "h265_entropy")


def kd_mpi_venc_attach_2d(chn):
    return _call("kd_mpi_venc_attach_2d", chn)[0]


def kd_mpi_venc_detach_2d(chn):
    return _call("kd_mpi_venc_detach_2d", chn)[0]


def kd_mpi_venc_start_2d_chn(chn):
    return _call("kd_mpi_venc_start_2d_chn", chn)[0]


def kd_mpi_venc_stop_2d_chn(chn):
    return _call("kd_mpi_venc_stop_2d_chn", chn)[0]


def kd_mpi_venc_set_2d_mode(chn, mode):
    return _set("kd_mpi_venc_set_2d_mode", chn, mode)


def kd_mpi_venc_get_2d_mode(chn, mode):
    return _get("kd_mpi_venc_get_2d_mode", chn, mode)


def kd_mpi_venc_set_2d_osd_param(chn, index, attr):
    return _set_struct("kd_mpi_venc_set_2d_osd_param", chn, attr, "osd", index)


def kd_mpi_venc_get_2d_osd_param(chn, index, attr):
    return _get_struct("kd_mpi_venc_get_2d_osd_param", chn, attr, "osd", index)


def kd_mpi_venc_set_2d_border_param(chn, index, attr):
    return _set_struct("kd_mpi_venc_set_2d_border_param", chn, attr, "border", index)


def kd_mpi_venc_get_2d_border_param(chn, index, attr):
    return _get_struct("kd_mpi_venc_get_2d_border_param", chn, attr, "border", index)


def kd_mpi_venc_set_2d_csc_param(chn, attr):
    return _set_struct("kd_mpi_venc_set_2d_csc_param", chn, attr, "csc")


def kd_mpi_venc_get_2d_csc_param(chn, attr):
    return _get_struct("kd_mpi_venc_get_2d_csc_param", chn, attr, "csc")


def kd_mpi_venc_set_2d_custom_coef(chn, coef):
    """``coef``: 12 ``k_s16`` (a buffer of 24 bytes, or 12 ints)."""
    values = _struct.unpack("<12h", bytes(coef)) if isinstance(coef, (bytes, bytearray)) else coef
    values = list(values)
    if len(values) != 12:
        raise TypeError("kd_mpi_venc_set_2d_custom_coef: 12 coefficients, got %d" % len(values))
    return _call("kd_mpi_venc_set_2d_custom_coef", chn, 0, [v & 0xFFFF for v in values])[0]


def kd_mpi_venc_get_2d_custom_coef(chn, coef):
    """Fills ``coef`` (a 24-byte buffer or a list of 12) with the matrix in use."""
    ret, words = _call("kd_mpi_venc_get_2d_custom_coef", chn)
    if ret == 0:
        values = [w - 0x10000 if w & 0x8000 else w for w in words]
        if isinstance(coef, bytearray):
            coef[:24] = _struct.pack("<12h", *values)
        else:
            coef[:12] = values
    return ret


def kd_mpi_venc_set_2d_color_gamut(chn, gamut):
    return _set("kd_mpi_venc_set_2d_color_gamut", chn, gamut)


def kd_mpi_venc_get_2d_color_gamut(chn, gamut):
    return _get("kd_mpi_venc_get_2d_color_gamut", chn, gamut)


def kd_mpi_venc_send_2d_frame(chn, frame):
    raw = frame._bytes() if hasattr(frame, "_bytes") else bytes(frame)
    return _native.venc_send_2d_frame(chn, raw)


def kd_mpi_venc_get_2d_frame(chn, frame):
    """Fills ``frame`` (a ``k_video_frame_info``) with the 2D engine's output picture."""
    ret, raw = _native.venc_get_2d_frame(chn)
    if ret == 0:
        frame._buf[:] = raw
    return ret


# Only the no-chn generation's bindings have these (firmware facts §1.4).
if _native.board_info()["firmware"] == "canmv-2026-07":
    from mpp.common_struct import k_u32_ptr

    def kd_mpi_venc_request_chn(chn_ptr):
        """Requests a free channel; its number goes into ``chn_ptr.value``."""
        _expect(chn_ptr, k_u32_ptr, "kd_mpi_venc_request_chn")
        ret, chn = _native.venc_request_chn()
        if ret == 0:
            chn_ptr.value = chn
        return ret

    def kd_mpi_venc_release_chn(chn):
        return _native.venc_release_chn(chn)

    __all__ += ["kd_mpi_venc_request_chn", "kd_mpi_venc_release_chn"]
