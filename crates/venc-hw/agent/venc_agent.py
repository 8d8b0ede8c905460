# venc_agent.py: serves the K230 VENC MPI over TCP, one client at a time (docs/hw-protocol.md).
#
# Runs on a CanMV K230 board (MicroPython; copy to /sdcard, run it, see docs/board.md) and,
# unchanged, on a PC under `canmv-run` against the simulator (the emulated board). It uses only
# what the firmware offers: the raw MPI calls that `media.vencoder` and `media.media` bring with
# them (the firmware's own vencoder.py is written over them), `uctypes`, `socket`, `struct`.
#
# Arguments (sys.argv, empty on the board): --host ADDR (0.0.0.0), --port N (5230; 0 = any free
# port, printed), --idle S (seconds a silent client keeps the board, 120).

import os
import socket
import struct
import sys
import time

import uctypes
from media.vencoder import *  # noqa: F403  (kd_mpi_venc_*, kd_mpi_sys_*, k_venc_* structs)
from media.media import *  # noqa: F403  (kd_mpi_vb_*, k_vb_pool_config)

try:
    from mpp.common_struct import k_u32_ptr  # the k_u32 holder the getters fill
except ImportError:
    k_u32_ptr = None

PROTOCOL = 4
# MicroPython's ticks wrap at 2**30; the client subtracts modulo that.
TICKS_MASK = 0x3FFFFFFF
AGENT_VERSION = "4.0.0"
MAGIC = b"KV"
HEADER = "<BBII"  # after the 2 magic bytes: version, type, sequence number, payload length
HEADER_SIZE = 12
MAX_PAYLOAD = (1 << 20) + 64  # the largest frame either side may send
STALL_S = 5  # a frame started must be finished within this
HELLO_S = 5  # a new connection must send its first frame's header within this
LOBBY = 8  # connections waiting for their first header at once; beyond, the oldest goes
POLL_S = 0.2  # how often a waiting agent looks for a second client
MAX_BLOCK_MS = 2000  # a blocking MPI call never holds the agent longer
MAX_PACKS = 64
PACK_DESC_SIZE = 32  # sizeof(k_venc_pack) (facts §1.3)
CHANNELS = 4

# Message types; a reply is the request's type | 0x80.
HELLO, BYE, STATS = 0x01, 0x02, 0x03
CREATE_CHN, DESTROY_CHN, START_CHN, STOP_CHN = 0x10, 0x11, 0x12, 0x13
ENABLE_IDR, REQUEST_IDR, QUERY_STATUS, SEND_FRAME = 0x14, 0x15, 0x16, 0x17
GET_STREAM, RELEASE_STREAM, ATTACH_VB_POOL, DETACH_VB_POOL = 0x18, 0x19, 0x1A, 0x1B
REQUEST_CHN, RELEASE_CHN = 0x1C, 0x1D
CREATE_POOL, DESTROY_POOL, GET_BLOCK, RELEASE_BLOCK = 0x20, 0x21, 0x22, 0x23
READ_MEM, WRITE_MEM = 0x24, 0x25
INJECT_FAULT, RELEASED_PTS = 0x30, 0x31
# Protocol 4: the VENC calls beyond the encode loop. One body each (u32 chn, u32 index, u16 n,
# n x u32 words), one reply (u16 n, n x u32 words); the table says which firmware binding
# runs and how its values travel ("int": one word in; "ptr": one word out through a k_u32
# holder; a struct name: its fields in order; "coef": 12 k_s16; "frame": k_video_frame_info;
# "": the channel alone).
FEATURES = {
    0x40: ("kd_mpi_venc_set_rotation", "int", False),
    0x41: ("kd_mpi_venc_get_rotation", "ptr", True),
    0x42: ("kd_mpi_venc_set_mirror", "int", False),
    0x43: ("kd_mpi_venc_get_mirror", "ptr", True),
    0x44: ("kd_mpi_venc_set_dblk", "int", False),
    0x45: ("kd_mpi_venc_get_dblk", "ptr", True),
    0x46: ("kd_mpi_venc_set_h265_sao", "k_venc_h265_sao", False),
    0x47: ("kd_mpi_venc_get_h265_sao", "k_venc_h265_sao", True),
    0x48: ("kd_mpi_venc_set_h264_entropy", "k_venc_h264_entropy", False),
    0x49: ("kd_mpi_venc_get_h264_entropy", "k_venc_h264_entropy", True),
    0x4A: ("kd_mpi_venc_set_h265_entropy", "k_venc_h265_entropy", False),
    0x4B: ("kd_mpi_venc_get_h265_entropy", "k_venc_h265_entropy", True),
    0x4C: ("kd_mpi_venc_set_intbuf_size", "int", False),
    0x4D: ("kd_mpi_venc_attach_vb_pool_ex", "pool_ex", False),
    0x50: ("kd_mpi_venc_attach_2d", "", False),
    0x51: ("kd_mpi_venc_detach_2d", "", False),
    0x52: ("kd_mpi_venc_set_2d_mode", "int", False),
    0x53: ("kd_mpi_venc_get_2d_mode", "ptr", True),
    0x54: ("kd_mpi_venc_set_2d_osd_param", "k_venc_2d_osd_attr", False),
    0x55: ("kd_mpi_venc_get_2d_osd_param", "k_venc_2d_osd_attr", True),
    0x56: ("kd_mpi_venc_set_2d_border_param", "k_venc_2d_border_attr", False),
    0x57: ("kd_mpi_venc_get_2d_border_param", "k_venc_2d_border_attr", True),
    0x58: ("kd_mpi_venc_set_2d_custom_coef", "coef", False),
    0x59: ("kd_mpi_venc_get_2d_custom_coef", "coef", True),
    0x5A: ("kd_mpi_venc_set_2d_color_gamut", "int", False),
    0x5B: ("kd_mpi_venc_get_2d_color_gamut", "ptr", True),
    0x5C: ("kd_mpi_venc_set_2d_csc_param", "k_venc_2d_csc_attr", False),
    0x5D: ("kd_mpi_venc_get_2d_csc_param", "k_venc_2d_csc_attr", True),
    0x5E: ("kd_mpi_venc_start_2d_chn", "", False),
    0x5F: ("kd_mpi_venc_stop_2d_chn", "", False),
    0x60: ("kd_mpi_venc_send_2d_frame", "frame", False),
    0x61: ("kd_mpi_venc_get_2d_frame", "frame", True),
}
# Each struct's fields in the order their words travel.
STRUCT_FIELDS = {
    "k_venc_h265_sao": ("slice_sao_luma_flag", "slice_sao_chroma_flag"),
    "k_venc_h264_entropy": ("entropy_coding_mode", "cabac_init_idc"),
    "k_venc_h265_entropy": ("cabac_init_flag",),
    "k_venc_2d_osd_attr": ("width", "height", "startx", "starty", "phys_addr.0", "phys_addr.1",
                           "phys_addr.2", "bg_alpha", "osd_alpha", "video_alpha", "add_order",
                           "bg_color", "fmt"),
    "k_venc_2d_border_attr": ("width", "height", "line_width", "color", "startx", "starty"),
    "k_venc_2d_csc_attr": ("dst_fmt",),
}
STRUCT_WORDS = {name: len(fields) for name, fields in STRUCT_FIELDS.items()}
K_ERR_VENC_NOT_SUPPORT = 0xA0098008
K_ERR_VENC_ILLEGAL_PARAM = 0xA0098003
K_ERR_VENC_INVALID_CHNID = 0xA0098002
CALL_LEVEL_FAULTS = ("get-stream-notready", "send-frame-busy", "link-drop")

# Reply statuses.
OK, VENC_ERR, MEM_ERR, PROTO_ERR, BUSY = 0, 1, 2, 3, 4
# MEM_ERR kinds.
MEM_BAD_ADDRESS, MEM_NO_POOL, MEM_POOL_EXHAUSTED, MEM_INVALID = 1, 2, 3, 4

# k_video_frame_info as the wire carries it: w, h, pixel_format, stride[3], phys_addr[3], pts,
# pool_id, mod_id.
FRAME_FMT = "<IIIIIIQQQQII"


class Closing(Exception):
    """The connection cannot go on (garbage, oversized or truncated frame, peer gone)."""


class Stalled(Closing):
    """A frame started and its sender went silent: the peer may still read a refusal."""


class ProtocolError(Exception):
    """A well-framed request the agent cannot serve; the connection goes on."""


def u32(ret):
    # The C binding hands back k_s32 codes as negative ints; the wire carries the raw k_u32.
    return ret & 0xFFFFFFFF


def is_timeout(e):
    if type(e).__name__ in ("timeout", "TimeoutError", "BlockingIOError"):
        return True
    code = e.args[0] if e.args else None
    return code in (11, 110, 116, "timed out")  # EAGAIN, ETIMEDOUT (lwIP 110/116)


def log(*parts):
    print("venc_agent:", *parts)
    flush = getattr(sys.stdout, "flush", None)
    if flush:
        flush()


def identity():
    impl = sys.implementation.name
    try:
        u = os.uname()
        machine, release = u.machine, u.release
    except (AttributeError, OSError):
        machine, release = "unknown", "unknown"
    emulated = impl != "micropython"
    firmware = release
    if emulated:
        try:
            import canmv_host  # only under canmv-run: the emulated board says what it emulates

            firmware = "emulated " + canmv_host.board_info()["firmware"]
            machine = "venc-sim (canmv-run, %s %s)" % (impl, machine)
        except ImportError:
            pass
    return firmware, machine, emulated


def pack_str(s):
    b = s.encode()
    return struct.pack("<H", len(b)) + b


def field_get(obj, name):
    if "." in name:
        base, i = name.split(".")
        return getattr(obj, base)[int(i)]
    return getattr(obj, name)


def field_set(obj, name, value):
    if "." in name:
        base, i = name.split(".")
        getattr(obj, base)[int(i)] = value
    else:
        setattr(obj, name, value)


def frame_from_words(w):
    frame = k_video_frame_info()  # noqa: F405
    v = frame.v_frame
    v.width, v.height, v.pixel_format = w[0], w[1], w[2]
    for i in range(3):
        v.stride[i] = w[3 + i]
        v.phys_addr[i] = w[6 + 2 * i] | w[7 + 2 * i] << 32
    v.pts = w[12] | w[13] << 32
    frame.pool_id, frame.mod_id = w[14], w[15]
    return frame


def frame_words(frame):
    v = frame.v_frame
    out = [v.width, v.height, v.pixel_format, v.stride[0], v.stride[1], v.stride[2]]
    for a in (v.phys_addr[0], v.phys_addr[1], v.phys_addr[2], v.pts):
        out += [a & 0xFFFFFFFF, (a >> 32) & 0xFFFFFFFF]
    return out + [frame.pool_id, frame.mod_id]


class Session:
    """One client: its requests, and everything it made on the board, undone when it goes."""

    def __init__(self, conn, peer, listener, agent, first=b""):
        self.conn, self.peer, self.listener, self.agent = conn, peer, listener, agent
        self.first = bytes(first)  # bytes the lobby read already (the first frame's header)
        self.channels = {}  # chn -> True once this client named it (created, attached, …)
        self.pools = {}  # pool id -> block size
        self.blocks = {}  # phys addr -> handle
        self.requested = set()  # channels this client requested and has not released
        self.two_d = set()  # channels whose 2D engine this client attached
        self.greeted = False
        self.faults = False  # whether this client armed a fault (emulated board only)
        self.last = time.time()

    # ---- framing ----

    def recv_exact(self, n, started):
        out = bytearray(self.first[:n])
        self.first = self.first[n:]
        deadline = time.time() + STALL_S
        while len(out) < n:
            try:
                chunk = self.conn.recv(n - len(out))
            except OSError as e:
                if not is_timeout(e):
                    raise Closing("connection error: %r" % (e,))
                if started or out:
                    if time.time() > deadline:
                        raise Stalled("truncated frame: %d of %d bytes, then silence" % (len(out), n))
                else:
                    self.agent.turn_away_others(self)
                    if time.time() - self.last > self.agent.idle_s:
                        raise Closing("idle for %d s" % self.agent.idle_s)
                continue
            if not chunk:
                if out or started:
                    raise Closing("peer closed mid-frame (%d of %d bytes)" % (len(out), n))
                raise Closing("peer closed")
            out.extend(chunk)
        return out

    def read_frame(self):
        try:
            head = self.recv_exact(HEADER_SIZE, False)
        except Stalled as e:
            self.fail_and_close(0, 0, str(e))
        if bytes(head[0:2]) != MAGIC:
            self.fail_and_close(0, 0, "garbage: bad magic %r" % (bytes(head[0:2]),))
        version, kind, seq, length = struct.unpack(HEADER, bytes(head[2:]))
        if version != PROTOCOL:
            self.fail_and_close(kind, seq, "protocol version %d, this agent speaks %d" % (version, PROTOCOL))
        if length > MAX_PAYLOAD:
            self.fail_and_close(kind, seq, "frame of %d bytes exceeds the limit of %d" % (length, MAX_PAYLOAD))
        try:
            payload = self.recv_exact(length, True) if length else bytearray()
        except Stalled as e:
            self.fail_and_close(kind, seq, str(e))
        self.last = time.time()
        return kind, seq, payload

    def send_frame(self, kind, seq, payload):
        data = MAGIC + struct.pack(HEADER, PROTOCOL, kind, seq, len(payload)) + payload
        view = memoryview(data)
        sent = 0
        deadline = time.time() + STALL_S
        while sent < len(data):
            try:
                n = self.conn.send(view[sent:])
            except OSError as e:
                if is_timeout(e) and time.time() < deadline:
                    continue
                raise Closing("send failed: %r" % (e,))
            sent += n

    def reply(self, kind, seq, status, body=b""):
        self.send_frame(kind | 0x80, seq, struct.pack("<B", status) + body)

    def fail_and_close(self, kind, seq, message):
        self.agent.protocol_errors += 1
        try:
            self.reply(kind, seq, PROTO_ERR, struct.pack("<B", 1) + pack_str(message))
        except Closing:
            pass
        raise Closing(message)

    # ---- the loop ----

    def run(self):
        self.conn.settimeout(POLL_S)
        reason = "?"
        try:
            while True:
                kind, seq, payload = self.read_frame()
                if not self.greeted and kind != HELLO:
                    self.fail_and_close(kind, seq, "the first request must be HELLO")
                if kind == HELLO and (len(payload) < 2 or struct.unpack("<H", bytes(payload[:2]))[0] != PROTOCOL):
                    self.fail_and_close(kind, seq, "HELLO must offer protocol %d" % PROTOCOL)
                if kind == BYE:
                    self.cleanup()
                    self.reply(kind, seq, OK)
                    reason = "bye"
                    break
                try:
                    body = self.dispatch(kind, payload)
                except Closing:
                    raise
                except ProtocolError as e:
                    self.agent.protocol_errors += 1
                    self.reply(kind, seq, PROTO_ERR, struct.pack("<B", 0) + pack_str(str(e)))
                    continue
                except Exception as e:  # a bug or a board-side failure: say it, keep serving
                    self.agent.protocol_errors += 1
                    msg = "agent error in request 0x%02x: %r" % (kind, e)
                    self.reply(kind, seq, PROTO_ERR, struct.pack("<B", 0) + pack_str(msg))
                    continue
                self.reply(kind, seq, body[0], body[1])
        except Closing as e:
            reason = str(e)
        finally:
            self.cleanup()
            try:
                self.conn.close()
            except OSError:
                pass
        log("client", self.peer, "gone:", reason)

    def cleanup(self):
        """Stops, detaches and destroys every channel this client touched (an attach alone
        outlives a session), releases its blocks and pools."""
        for chn in sorted(self.channels):
            kd_mpi_venc_stop_chn(chn)  # noqa: F405
            if chn in self.two_d:
                kd_mpi_venc_detach_2d(chn)  # noqa: F405 - an attached engine outlives a channel
            kd_mpi_venc_detach_vb_pool(chn)  # noqa: F405
            kd_mpi_venc_destroy_chn(chn)  # noqa: F405
        for handle in self.blocks.values():
            kd_mpi_vb_release_block(handle)  # noqa: F405
        for pool in sorted(self.pools):
            kd_mpi_vb_destory_pool(pool)  # noqa: F405
        for chn in sorted(self.requested):
            kd_mpi_venc_release_chn(chn)  # noqa: F405 - only firmware that has it fills the set
        self.channels, self.blocks, self.pools, self.requested = {}, {}, {}, set()
        self.two_d = set()
        if self.faults:
            # A session's faults end with it, as its channels do.
            import canmv_host

            canmv_host.disarm_faults()
            self.faults = False

    # ---- requests ----

    def args(self, payload, fmt):
        need = struct.calcsize(fmt)
        if len(payload) < need:
            raise ProtocolError("payload of %d bytes, this request needs %d" % (len(payload), need))
        return struct.unpack(fmt, bytes(payload[:need])), payload[need:]

    def exact(self, payload, fmt):
        if len(payload) != struct.calcsize(fmt):
            raise ProtocolError(
                "payload of %d bytes, this request takes %d" % (len(payload), struct.calcsize(fmt))
            )
        return struct.unpack(fmt, bytes(payload))

    @staticmethod
    def venc(ret, body=b""):
        ret = u32(ret)
        return (OK, body) if ret == 0 else (VENC_ERR, struct.pack("<I", ret))

    @staticmethod
    def mem(kind, a, b, message):
        return (MEM_ERR, struct.pack("<BQQ", kind, a, b) + pack_str(message))

    @staticmethod
    def bounded(timeout):
        if timeout < 0 or timeout > MAX_BLOCK_MS:
            raise ProtocolError(
                "timeout %d ms: the agent blocks 0..%d ms per request; the client loops for longer waits"
                % (timeout, MAX_BLOCK_MS)
            )
        return timeout

    def feature(self, kind, p):
        """A call beyond the encode loop (protocol 4): the firmware's binding where it has one,
        else VENC NOT_SUPPORT."""
        (chn, index, n), rest = self.args(p, "<IIH")
        if len(rest) != 4 * n:
            raise ProtocolError("%d words announced, %d bytes sent" % (n, len(rest)))
        words = struct.unpack("<%dI" % n, bytes(rest)) if n else ()
        name, shape, reads = FEATURES[kind]
        try:
            call = globals()[name]
        except KeyError:
            # Not among this firmware's bindings (intbuf_size and attach_vb_pool_ex never are).
            return VENC_ERR, struct.pack("<I", K_ERR_VENC_NOT_SUPPORT)
        if chn < CHANNELS:
            self.channels[chn] = True
        need = {"int": 1, "pool_ex": 2, "coef": 12, "frame": 16}.get(shape, STRUCT_WORDS.get(shape, 0))
        if not reads and len(words) != need:
            raise ProtocolError("%s takes %d words, got %d" % (name, need, len(words)))
        out = []
        if shape == "":
            ret = call(chn)
            if u32(ret) == 0 and name == "kd_mpi_venc_attach_2d":
                self.two_d.add(chn)
        elif shape == "int":
            ret = call(chn, words[0])
        elif shape == "pool_ex":
            ret = call(chn, words[0], words[1] - (1 << 32) if words[1] & 0x80000000 else words[1])
        elif shape == "ptr":
            if k_u32_ptr is None:
                return VENC_ERR, struct.pack("<I", K_ERR_VENC_NOT_SUPPORT)
            holder = k_u32_ptr()
            ret = call(chn, holder)
            out = [holder.value & 0xFFFFFFFF]
        elif shape == "coef":
            buf = bytearray(24)
            if not reads:
                signed = [w - 0x10000 if w & 0x8000 else w for w in [w & 0xFFFF for w in words]]
                buf[:] = struct.pack("<12h", *signed)
            ret = call(chn, buf)
            out = [v & 0xFFFF for v in struct.unpack("<12h", bytes(buf))]
        elif shape == "frame":
            frame = k_video_frame_info() if reads else frame_from_words(words)  # noqa: F405
            ret = call(chn, frame)
            out = frame_words(frame)
        else:
            try:
                obj = globals()[shape]()
            except KeyError:
                return VENC_ERR, struct.pack("<I", K_ERR_VENC_NOT_SUPPORT)
            fields = STRUCT_FIELDS[shape]
            if not reads:
                for f, w in zip(fields, words):
                    field_set(obj, f, w)
            args = (chn, index & 0xFF, obj) if "_2d_osd" in name or "_2d_border" in name else (chn, obj)
            ret = call(*args)
            out = [field_get(obj, f) & 0xFFFFFFFF for f in fields]
        if u32(ret) != 0:
            return self.venc(ret)
        if not reads:
            out = []
        return OK, struct.pack("<H%dI" % len(out), len(out), *out)

    def dispatch(self, kind, p):
        if CREATE_CHN <= kind <= DETACH_VB_POOL and len(p) >= 4:
            chn = struct.unpack("<I", bytes(p[:4]))[0]
            if chn < CHANNELS:
                self.channels[chn] = True
        if kind in FEATURES:
            return self.feature(kind, p)
        if kind == HELLO:
            _, name = self.args(p, "<H")  # the version was checked before dispatch
            self.greeted = True
            fw, machine, emulated = self.agent.identity
            log("client", self.peer, "is", bytes(name).decode())
            body = struct.pack("<HIB", PROTOCOL, MAX_PAYLOAD, 1 if emulated else 0)
            return OK, body + pack_str(fw) + pack_str(machine) + pack_str(AGENT_VERSION)
        if kind == STATS:
            self.exact(p, "")
            a = self.agent
            body = struct.pack("<IIII", a.sessions, a.turned_away, a.protocol_errors, len(self.channels))
            return OK, body
        if kind == CREATE_CHN:
            chn, pt, w, h, profile, mode, gop, stats, src, dst, x, y = self.exact(p, "<12I")
            attr = k_venc_chn_attr()  # noqa: F405
            attr.venc_attr.type = pt
            attr.venc_attr.pic_width = w
            attr.venc_attr.pic_height = h
            attr.venc_attr.profile = profile
            rc = attr.rc_attr
            rc.rc_mode = mode
            if mode == 1:
                rc.cbr.gop, rc.cbr.stats_time, rc.cbr.bit_rate = gop, stats, x
                rc.cbr.src_frame_rate, rc.cbr.dst_frame_rate = src, dst
            elif mode == 2:
                rc.vbr.gop, rc.vbr.stats_time, rc.vbr.bit_rate, rc.vbr.max_bit_rate = gop, stats, x, y
                rc.vbr.src_frame_rate, rc.vbr.dst_frame_rate = src, dst
            elif mode == 3:
                rc.fixqp.gop, rc.fixqp.i_qp, rc.fixqp.p_qp = gop, x, y
                rc.fixqp.src_frame_rate, rc.fixqp.dst_frame_rate = src, dst
            elif mode == 4:
                rc.mjpeg_fixqp.q_factor = x
                rc.mjpeg_fixqp.src_frame_rate, rc.mjpeg_fixqp.dst_frame_rate = src, dst
            return self.venc(kd_mpi_venc_create_chn(chn, attr))  # noqa: F405
        if kind == DESTROY_CHN:
            (chn,) = self.exact(p, "<I")
            return self.venc(kd_mpi_venc_destroy_chn(chn))  # noqa: F405
        if kind in (START_CHN, STOP_CHN, REQUEST_IDR, DETACH_VB_POOL):
            (chn,) = self.exact(p, "<I")
            call = {
                START_CHN: kd_mpi_venc_start_chn,  # noqa: F405
                STOP_CHN: kd_mpi_venc_stop_chn,  # noqa: F405
                REQUEST_IDR: kd_mpi_venc_request_idr,  # noqa: F405
                DETACH_VB_POOL: kd_mpi_venc_detach_vb_pool,  # noqa: F405
            }[kind]
            return self.venc(call(chn))
        if kind == ENABLE_IDR:
            chn, enable = self.exact(p, "<IB")
            return self.venc(kd_mpi_venc_enable_idr(chn, bool(enable)))  # noqa: F405
        if kind == ATTACH_VB_POOL:
            chn, pool = self.exact(p, "<II")
            pool_arg = -1 if pool == 0xFFFFFFFF else pool
            return self.venc(kd_mpi_venc_attach_vb_pool(chn, pool_arg))  # noqa: F405
        if kind == QUERY_STATUS:
            (chn,) = self.exact(p, "<I")
            st = k_venc_chn_status()  # noqa: F405
            ret = kd_mpi_venc_query_status(chn, st)  # noqa: F405
            body = struct.pack("<IQB", st.cur_packs, st.release_pic_pts, 1 if st.end_of_stream else 0)
            return self.venc(ret, body)
        if kind == SEND_FRAME:
            fields = self.exact(p, "<Ii" + FRAME_FMT[1:])
            chn, timeout = fields[0], self.bounded(fields[1])
            w, h, fmt, s0, s1, s2, a0, a1, a2, pts, pool_id, mod_id = fields[2:]
            frame = k_video_frame_info()  # noqa: F405
            v = frame.v_frame
            v.width, v.height, v.pixel_format = w, h, fmt
            v.stride[0], v.stride[1], v.stride[2] = s0, s1, s2
            v.phys_addr[0], v.phys_addr[1], v.phys_addr[2] = a0, a1, a2
            v.pts = pts
            frame.pool_id, frame.mod_id = pool_id, mod_id
            ret = kd_mpi_venc_send_frame(chn, frame, timeout)  # noqa: F405
            # The board's own time the call returned (protocol 2): latency measured on the board.
            return self.venc(ret, struct.pack("<I", time.ticks_us() & TICKS_MASK))
        if kind == GET_STREAM:
            chn, max_packs, timeout = self.exact(p, "<IIi")
            self.bounded(timeout)
            if max_packs > MAX_PACKS:
                raise ProtocolError("max_packs %d above %d" % (max_packs, MAX_PACKS))
            stream = k_venc_stream()  # noqa: F405
            descs = bytearray(PACK_DESC_SIZE * max_packs)
            stream.pack = uctypes.addressof(descs)
            stream.pack_cnt = max_packs
            ret = kd_mpi_venc_get_stream(chn, stream, timeout)  # noqa: F405
            returned = time.ticks_us() & TICKS_MASK
            if u32(ret) != 0:
                return self.venc(ret)
            body = struct.pack("<I", stream.pack_cnt)
            for i in range(stream.pack_cnt):
                d = stream._pack[i]
                body += struct.pack("<QIQI", d.phys_addr, d.len, d.pts, d.type)
            return OK, body + struct.pack("<I", returned)
        if kind == RELEASE_STREAM:
            chn, count = self.exact(p, "<II")
            stream = k_venc_stream()  # noqa: F405
            stream.pack_cnt = count
            return self.venc(kd_mpi_venc_release_stream(chn, stream))  # noqa: F405
        if kind == CREATE_POOL:
            blk_size, blk_cnt = self.exact(p, "<QI")
            config = k_vb_pool_config()  # noqa: F405
            config.blk_size, config.blk_cnt = blk_size, blk_cnt
            config.mode = VB_REMAP_MODE_NOCACHE  # noqa: F405
            pool = kd_mpi_vb_create_pool(config)  # noqa: F405
            if pool < 0 or pool == 0xFFFFFFFF:
                return self.mem(MEM_INVALID, blk_size, blk_cnt,
                                "kd_mpi_vb_create_pool(%d x %d bytes) failed" % (blk_cnt, blk_size))
            self.pools[pool] = blk_size
            return OK, struct.pack("<I", pool)
        if kind == DESTROY_POOL:
            (pool,) = self.exact(p, "<I")
            if pool not in self.pools:
                return self.mem(MEM_NO_POOL, pool, 0, "VB pool %d does not exist" % pool)
            if kd_mpi_vb_destory_pool(pool) != 0:  # noqa: F405
                return self.mem(MEM_INVALID, pool, 0, "kd_mpi_vb_destory_pool(%d) failed" % pool)
            del self.pools[pool]
            return OK, b""
        if kind == GET_BLOCK:
            (pool,) = self.exact(p, "<I")
            if pool not in self.pools:
                return self.mem(MEM_NO_POOL, pool, 0, "VB pool %d does not exist" % pool)
            handle = kd_mpi_vb_get_block(pool, self.pools[pool], "")  # noqa: F405
            if handle == -1 or handle == 0xFFFFFFFF:
                return self.mem(MEM_POOL_EXHAUSTED, pool, 0, "VB pool %d has no free block" % pool)
            phys = kd_mpi_vb_handle_to_phyaddr(handle)  # noqa: F405
            self.blocks[phys] = handle
            return OK, struct.pack("<Q", phys)
        if kind == RELEASE_BLOCK:
            (phys,) = self.exact(p, "<Q")
            handle = self.blocks.get(phys)
            if handle is None or kd_mpi_vb_release_block(handle) != 0:  # noqa: F405
                return self.mem(MEM_BAD_ADDRESS, phys, 0, "0x%x is not a block this client holds" % phys)
            del self.blocks[phys]
            return OK, b""
        if kind == READ_MEM:
            phys, n = self.exact(p, "<QI")
            if n == 0 or n > MAX_PAYLOAD - 1:
                raise ProtocolError("read of %d bytes: 1..%d per request" % (n, MAX_PAYLOAD - 1))
            virt = kd_mpi_sys_mmap(phys, n)  # noqa: F405
            if not virt:
                return self.mem(MEM_BAD_ADDRESS, phys, n, "0x%x+%d is not media memory" % (phys, n))
            data = bytes(uctypes.bytearray_at(virt, n))
            kd_mpi_sys_munmap(virt, n)  # noqa: F405
            return OK, data
        if kind == WRITE_MEM:
            (phys,), data = self.args(p, "<Q")
            n = len(data)
            if n == 0:
                raise ProtocolError("write of 0 bytes")
            virt = kd_mpi_sys_mmap(phys, n)  # noqa: F405
            if not virt:
                return self.mem(MEM_BAD_ADDRESS, phys, n, "0x%x+%d is not media memory" % (phys, n))
            uctypes.bytearray_at(virt, n)[:] = data
            kd_mpi_sys_munmap(virt, n)  # noqa: F405
            return OK, b""
        if kind == REQUEST_CHN:
            self.exact(p, "")
            try:
                request, u32_ptr = kd_mpi_venc_request_chn, k_u32_ptr  # noqa: F405
            except NameError:
                # Firmware before the no-chn generation has no such binding.
                return VENC_ERR, struct.pack("<I", K_ERR_VENC_NOT_SUPPORT)
            ptr = u32_ptr()
            ret = request(ptr)
            if u32(ret) != 0:
                return self.venc(ret)
            self.requested.add(ptr.value)
            return OK, struct.pack("<I", ptr.value)
        if kind == RELEASE_CHN:
            (chn,) = self.exact(p, "<I")
            try:
                release = kd_mpi_venc_release_chn  # noqa: F405
            except NameError:
                return VENC_ERR, struct.pack("<I", K_ERR_VENC_NOT_SUPPORT)
            ret = release(chn)
            if u32(ret) == 0:
                self.requested.discard(chn)
            return self.venc(ret)
        if kind == RELEASED_PTS:
            (chn,) = self.exact(p, "<I")
            try:
                import canmv_host  # the emulated board's simulator counts released frames
            except ImportError:
                # A K230's kernel keeps no such count: query_status fills cur_packs only.
                return VENC_ERR, struct.pack("<I", K_ERR_VENC_NOT_SUPPORT)
            try:
                pts = canmv_host.released_pts(chn)
            except ValueError:
                return VENC_ERR, struct.pack("<I", K_ERR_VENC_INVALID_CHNID)
            return OK, struct.pack("<Q", pts)
        if kind == INJECT_FAULT:
            (n,), rest = self.args(p, "<H")
            if len(rest) != n:
                raise ProtocolError("fault spec of %d bytes, %d announced" % (len(rest), n))
            try:
                spec = bytes(rest).decode()
            except UnicodeError:
                raise ProtocolError("fault spec is not UTF-8")
            kind_name = spec.split("@")[0].split(":")[0].strip()
            if kind_name in CALL_LEVEL_FAULTS:
                # The client acts these out at the program's call; armed here, a link-drop would
                # outlive the session and cut every later client off.
                log("fault", spec, "refused: a call-level fault is the client's to act out")
                return VENC_ERR, struct.pack("<I", K_ERR_VENC_ILLEGAL_PARAM)
            try:
                import canmv_host  # the emulated board's simulator; a K230 has no fault controls
            except ImportError:
                log("fault", spec, "refused: this board has no fault injection")
                return VENC_ERR, struct.pack("<I", K_ERR_VENC_NOT_SUPPORT)
            try:
                canmv_host.inject_fault(spec)
            except ValueError as e:
                log("fault", spec, "refused:", e)
                return VENC_ERR, struct.pack("<I", K_ERR_VENC_ILLEGAL_PARAM)
            self.faults = True
            log("fault", spec, "armed for client", self.peer)
            return OK, b""
        raise ProtocolError("unknown request type 0x%02x" % kind)


class Agent:
    def __init__(self, host, port, idle_s):
        self.sessions = 0
        self.turned_away = 0
        self.protocol_errors = 0
        self.idle_s = idle_s
        self.identity = identity()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(socket.getaddrinfo(host, port)[0][-1])
        self.listener.listen(4)
        if port == 0:
            port = self.listener.getsockname()[1]
        self.address = "%s:%d" % (host, port)

    def arrived(self):
        """The connections waiting to be accepted, taken without blocking."""
        self.listener.settimeout(0)
        out = []
        while True:
            try:
                out.append(self.listener.accept())
            except OSError:
                return out

    def turn_away_others(self, session):
        """Clients that arrive while one is served get a BUSY reply and are closed."""
        for conn, peer in self.arrived():
            self.busy(conn, peer, session)

    def serve(self):
        """Serves one client at a time. A connection waits in the lobby until it has sent a
        frame's header: a connect flood of silent connections cannot hold the agent, and the
        first client that speaks is served (the others waiting are turned away BUSY)."""
        fw, machine, emulated = self.identity
        log("listening on", self.address, "protocol", PROTOCOL, "firmware", fw, "on", machine)
        lobby = []  # [conn, peer, bytes read, since]
        while True:
            self.admit(lobby)
            ready = self.first_ready(lobby)
            if ready is None:
                time.sleep(0.01 if lobby else 0.05)
                continue
            conn, peer, got, since = ready
            lobby.remove(ready)
            self.sessions += 1
            log("client", peer, "connected")
            session = Session(conn, peer, self.listener, self, got)
            for waiting in lobby:
                self.busy(waiting[0], waiting[1], session)
            lobby[:] = []
            session.run()

    def admit(self, lobby):
        """New connections into the lobby; past its size the oldest waiting is closed."""
        for conn, peer in self.arrived():
            conn.settimeout(0)
            lobby.append([conn, peer, bytearray(), time.time()])
            if len(lobby) > LOBBY:
                old = lobby.pop(0)
                self.dropped(old, "the lobby is full")

    def first_ready(self, lobby):
        """The first waiting connection whose first header is in, after reading what came;
        one silent for HELLO_S, or closed, goes."""
        now = time.time()
        for entry in list(lobby):
            conn, peer, got, since = entry
            try:
                chunk = conn.recv(HEADER_SIZE - len(got))
            except OSError as e:
                if not is_timeout(e):
                    lobby.remove(entry)
                    self.dropped(entry, "connection error")
                    continue
                chunk = None
            if chunk == b"":
                lobby.remove(entry)
                self.dropped(entry, "closed before speaking")
                continue
            if chunk:
                got.extend(chunk)
            if len(got) >= HEADER_SIZE:
                return entry
            if now - since > HELLO_S:
                lobby.remove(entry)
                self.dropped(entry, "silent for %d s" % HELLO_S)
        return None

    def dropped(self, entry, why):
        self.turned_away += 1
        try:
            entry[0].close()
        except OSError:
            pass
        log("dropped", entry[1], "before its first frame:", why)

    def busy(self, conn, peer, session):
        """A client that cannot be served now: a BUSY reply naming the one being served."""
        self.turned_away += 1
        try:
            conn.settimeout(1)
            msg = "the agent is serving %s; one client at a time" % (session.peer,)
            head = MAGIC + struct.pack(HEADER, PROTOCOL, HELLO | 0x80, 0, 1 + 2 + len(msg))
            conn.send(head + struct.pack("<B", BUSY) + pack_str(msg))
        except OSError:
            pass
        try:
            conn.close()
        except OSError:
            pass
        log("turned away", peer, "while serving", session.peer)


def main(argv):
    host, port, idle_s = "0.0.0.0", 5230, 120
    i = 1
    while i < len(argv):
        flag = argv[i]
        value = argv[i + 1] if i + 1 < len(argv) else None
        if flag == "--host" and value is not None:
            host = value
        elif flag == "--port" and value is not None:
            port = int(value)
        elif flag == "--idle" and value is not None:
            idle_s = int(value)
        else:
            raise SystemExit("venc_agent: unknown argument %r (--host ADDR, --port N, --idle S)" % flag)
        i += 2
    agent = Agent(host, port, idle_s)
    try:
        agent.serve()
    finally:
        agent.listener.close()


main(sys.argv)
