"""``multimedia`` on venc-sim: CanMV's RTSP server (``mm.rtsp_server()``; firmware facts §3),
served by GStreamer's RTSP server on this PC at the address ``canmv-run --ip`` gives
(127.0.0.1 by default), and on the newest firmware the RTSP pusher (``mm.rtsp_pusher()``,
oldgen facts §3), which sends the stream to a remote RTSP server with RECORD. Arguments, return
values, console lines and the calls that crash the board are the firmware binding's; a crash
raises ``canmv_host.MemoryFault`` (canmv-run exits 3). A session made with ``enable_audio``
also serves G.711 µ-law (8 kHz mono) that ``rtspserver_sendaudiodata`` feeds."""

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
        if enable_audio:
            print("with_audio")
        print('"%s" stream' % name)
        print('Play this stream using the URL "%s"' % _native.rtsp_url(name))
        return 0

    def rtspserver_start(self):
        self._server.start()

    def rtspserver_getrtspurl(self, session_name):
        return _native.rtsp_url(_str(session_name))

    def rtspserver_sendvideodata(self, session_name, data, size, timestamp):
        _int(timestamp)  # stored by the board, unused (facts §3.1)
        return _native.rtsp_send(_str(session_name),
                                 _upto(_data(data), _int(size), "sendvideodata"))

    def rtspserver_sendvideodata_byphyaddr(self, session_name, phy_addr, size, timestamp):
        _native.rtsp_send(_str(session_name), _at_phys(phy_addr, size))
        return 0

    def rtspserver_sendaudiodata(self, session_name, data, size, timestamp):
        """One G.711 µ-law frame for the session's audio subsession (facts §2.5): 0 if the
        session exists (sent only if it has audio), -1 if not; ``timestamp`` unused."""
        _int(timestamp)
        return _native.rtsp_send_audio(_str(session_name),
                                       _upto(_data(data), _int(size), "sendaudiodata"))

    def rtspserver_sendaudiodata_byphyaddr(self, session_name, phy_addr, size, timestamp):
        return _native.rtsp_send_audio(_str(session_name), _at_phys(phy_addr, size))

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


class _Pusher:
    """``mm.rtsp_pusher()`` (the newest firmware; oldgen facts §3.2): the binding's methods,
    positional only; after ``rtsppusher_destroy()`` every method raises RuntimeError. The object
    has a finaliser: garbage collection destroys it."""

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError("function takes 0 positional arguments but %d were given"
                            % (len(args) + len(kwargs)))
        self._native = _native._RtspPusher()
        self._url = ""

    def _live(self):
        if self._native is None:
            raise RuntimeError("RTSP pusher is deinitialized")
        return self._native

    def rtsppusher_init(self, video_width, video_height, url, fps=25, transport="tcp", /):
        native = self._live()
        url_bytes, transport_bytes = c_bytes(url), c_bytes(transport)
        print("rtsp_pusher url:%s" % url_bytes.split(b"\0")[0].decode("utf-8", "replace"))
        self._url, fps_set, kind = native.init(_int(video_width), _int(video_height),
                                               url_bytes, _int(fps), transport_bytes)
        print("zlmedia url: %s, w: %d, h: %d, fps: %d, transport: %s"
              % (self._url, video_width, video_height, fps_set, kind))
        return 0

    def rtsppusher_pushvideoheader(self, data, size, /):
        native, raw, size = self._live(), _data(data), _int(size)
        if size > 1024:
            print("push_venc_header size:%d(max size:1024)" % size)
            return -1
        return native.push_header(_upto(raw, size, "pushvideoheader"))

    def rtsppusher_open(self):
        ret, why = self._live().open()
        if ret != 0:
            print("open rtsp streams failed")
            if why:
                print("venc-sim: the connection failed: %s"
                      % why.replace("open rtsp streams failed: ", ""))
            return -1
        print("rtsp pusher init success, url: %s" % self._url)
        return 0

    def rtsppusher_pushvideodata(self, data, size, key_frame, timestamp, /):
        native, raw, size = self._live(), _data(data), _int(size)
        ret, line = native.push_video(_upto(raw, size, "pushvideodata"), bool(_int(key_frame)),
                                      _int(timestamp) & 0xFFFF_FFFF_FFFF_FFFF)
        if line and (ret == 0 or "push_venc_data" in line):
            print(line)
        return ret

    def rtsppusher_close(self):
        self._live().close()

    def rtsppusher_deinit(self):
        self._live().deinit()

    def rtsppusher_destroy(self):
        if self._native is not None:
            self._native.deinit()
            self._native = None

    def __del__(self):
        self.rtsppusher_destroy()


def _at_phys(phy_addr, size):
    """The bytes at a physical address (through a mapping, as the binding reads them)."""
    virt = kd_mpi_sys_mmap(_int(phy_addr), _int(size))
    data = bytes_at(virt, size)
    kd_mpi_sys_munmap(virt, size)
    return data


def _upto(raw, size, call):
    """The binding reads ``size`` bytes from the object whatever its length (an over-read on
    the board); here what is there is taken, and a short object is said."""
    if size > len(raw):
        print("venc-sim: %s size %d > len(data) %d" % (call, size, len(raw)))
    return raw[:max(0, size)]


if _native.board_info()["traits"]["rtsp_pusher"]:
    rtsp_pusher = _Pusher
    rtsp_pusher.__name__ = rtsp_pusher.__qualname__ = "rtsp_pusher"
