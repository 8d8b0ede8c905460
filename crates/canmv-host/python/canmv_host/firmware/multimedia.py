"""``multimedia`` on venc-sim: CanMV's RTSP server (``mm.rtsp_server()``; firmware facts §3),
served by GStreamer's RTSP server on this PC at the address ``canmv-run --ip`` gives
(127.0.0.1 by default). Arguments, return values, console lines and the calls that crash the
board are the firmware binding's; a crash raises ``canmv_host.MemoryFault`` (canmv-run exits
3). Audio is not modeled: sending it, or a session with ``enable_audio``, raises
NotImplementedError."""

from canmv_host import _native, env
from canmv_host.mpstr import c_bytes, c_str
from mpp.sys import kd_mpi_sys_mmap, kd_mpi_sys_munmap
from uctypes import bytes_at


class multi_media_type:  # noqa: N801 - the firmware's name
    media_h264 = 0
    media_h265 = 1
    media_mjpeg = 2


def _str(obj):
    """``mp_obj_str_get_str``: str or bytes only."""
    return c_str(obj)


def _int(obj):
    """``mp_obj_get_int``: ints and bools."""
    if isinstance(obj, (bool, int)):
        return int(obj)
    raise TypeError("can't convert %s to int" % type(obj).__name__)


def _data(obj):
    """The bytes of ``sendvideodata``'s ``data``: str or bytes, never a bytearray."""
    return c_bytes(obj)


class rtsp_server:  # noqa: N801 - the firmware's name
    """``mm.rtsp_server()``: arguments are ignored; a new server object each time. Garbage
    collection never frees it: only ``rtspserver_deinit()`` closes its port."""

    def __init__(self, *args, **kwargs):
        self._server = _native._RtspServer()

    def rtspserver_create(self, *args):
        raise TypeError("rtspserver_create is the type's constructor: call mm.rtsp_server()")

    def rtspserver_init(self, port):
        return self._server.init(env.NETWORK["ip"], _int(port))

    def rtspserver_createsession(self, session_name, video_type, enable_audio):
        name = _str(session_name)
        made = self._server.create_session(name, _int(video_type), bool(_int(enable_audio)))
        if made is None:
            print("video type not supported yet")
            return -1
        if not made:
            print("stream session has already been created")
            return 0
        print('"%s" stream' % name)
        print('Play this stream using the URL "%s"' % _native.rtsp_url(name))
        return 0

    def rtspserver_start(self):
        self._server.start()

    def rtspserver_getrtspurl(self, session_name):
        return _native.rtsp_url(_str(session_name))

    def rtspserver_sendvideodata(self, session_name, data, size, timestamp):
        name, raw, size = _str(session_name), _data(data), _int(size)
        _int(timestamp)  # stored by the board, unused (facts §3.1)
        if size > len(raw):
            # The board reads past the object (an over-read); here only what is there goes.
            print("venc-sim: sendvideodata size %d > len(data) %d" % (size, len(raw)))
        return _native.rtsp_send(name, raw[:size])

    def rtspserver_sendvideodata_byphyaddr(self, session_name, phy_addr, size, timestamp):
        virt = kd_mpi_sys_mmap(_int(phy_addr), _int(size))
        data = bytes_at(virt, size)
        kd_mpi_sys_munmap(virt, size)
        _native.rtsp_send(_str(session_name), data)
        return 0

    def rtspserver_sendaudiodata(self, *args):
        raise NotImplementedError("venc-sim: RTSP audio (G.711) is not modeled: no microphone")

    rtspserver_sendaudiodata_byphyaddr = rtspserver_sendaudiodata

    def rtspserver_stop(self):
        self._server.stop()

    def rtspserver_destroysession(self, session_name):
        name = _str(session_name)
        print("RtspServer_DestroySession  before session_name:%s" % name)
        self._server.destroy_session(name)
        print("RtspServer_DestroySession  after session_name:%s" % name)
        return 0

    def rtspserver_deinit(self):
        self._server.deinit()

    def rtspserver_destroy(self):
        self._server.deinit()

    def rtspserver_test(self):
        return "hello world"
