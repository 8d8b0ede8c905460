"""``mpp.venc``: ``kd_mpi_venc_*`` with the firmware's arguments; statuses as the C binding
returns them (0, or the code as a negative int)."""

from canmv_host import _native
from mpp.venc_struct import k_venc_chn_attr, k_venc_chn_status, k_venc_pack, k_venc_stream

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


# Only the no-chn generation's bindings have these (firmware facts §1.4).
if _native.board_info()["firmware"] == "canmv-nochn":
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
