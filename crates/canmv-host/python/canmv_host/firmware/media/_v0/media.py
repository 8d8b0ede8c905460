"""``media.media`` of v0.1–v0.6: the class ``media`` (``buffer_config``, ``buffer_init``,
``buffer_deinit``, ``create_link``/``destroy_link``, ``request_buffer``), ``media_device`` and
the module's constants (oldgen facts §1.2). ``from media.media import *`` binds the class
``media`` over the package name, so scripts call ``media.buffer_init()``.

Pools registered here stand for the ones the firmware creates at ``buffer_init``: a pool
registered after it is never created (§1.6 rule 2), so the object it was for fails when it
needs it (the encoder's ``Create``, the camera's ``start_stream``)."""

import _thread

from canmv_host import _native
from mpp import *  # noqa: F401, F403  (the firmware's module star-imports mpp)
from media._v0.failures import RETURN_CODES, firmware_call

_TRAITS = _native.board_info()["traits"]

from media._ids import *  # noqa: E402, F401, F403
from media._ids import MAX_MEDIA_BUFFER_POOLS

(DISPLAY_CHN_ID_0, DISPLAY_CHN_ID_1, DISPLAY_CHN_ID_2, DISPLAY_CHN_ID_3, DISPLAY_CHN_ID_4,
 DISPLAY_CHN_ID_5, DISPLAY_CHN_ID_6) = range(7)
if not RETURN_CODES or not _TRAITS["deinit_exits_vb"]:  # from v0.2
    VDEC_DEV_ID = 0
    VDEC_CHN_ID_0, VDEC_CHN_ID_1, VDEC_CHN_ID_2, VDEC_CHN_ID_3, VDEC_CHN_ID_MAX = 0, 1, 2, 3, 4
VB_INVALID_POOLID = 0xFFFFFFFF
VB_INVALID_HANDLE = 0xFFFFFFFF


class media_device:  # noqa: N801 - the firmware's class name
    """One end of a link: ``mod_id``, ``dev_id``, ``chn_id``."""

    def __init__(self, mod_id, dev_id, chn_id):
        self.mod_id = mod_id
        self.dev_id = dev_id
        self.chn_id = chn_id


class media_buffer:  # noqa: N801
    """``request_buffer``'s block: ``handle``, ``pool_id``, ``phys_addr``, ``virt_addr``,
    ``size``."""

    def __init__(self, handle, pool_id, phys_addr, virt_addr, size, native=None):
        self.handle = handle
        self.pool_id = pool_id
        self.phys_addr = phys_addr
        self.virt_addr = virt_addr
        self.size = size
        self._native = native


# kd_mpi_sys_bind / unbind statuses (K_ERR_SYS_EXIST, K_ERR_SYS_UNEXIST: k_errno.h layout).
_SYS_EXIST = 0xA0058004 - (1 << 32)
_SYS_UNEXIST = 0xA0058005 - (1 << 32)
_INITED_TWICE = ("The buffer has been initialized!!!",
                 "This method can only be called once, please check your code!!!")


class media:  # noqa: N801 - the firmware's class name
    """The v0.x media manager: class-level state, class methods."""

    buf_config = k_vb_config()  # noqa: F405
    buf_config.max_pool_cnt = MAX_MEDIA_BUFFER_POOLS
    config_index = 0
    _inited = False
    _links = {}
    lock = _thread.allocate_lock()

    @classmethod
    def _pools_created(cls):
        """Whether pools registered now are still created (before ``buffer_init``)."""
        return not cls._inited

    @classmethod
    @firmware_call
    def create_link(cls, souce, sink):
        ends = ((souce.mod_id, souce.dev_id, souce.chn_id),
                (sink.mod_id, sink.dev_id, sink.chn_id))
        try:
            cls._links[ends] = _native.media_link(*ends)
        except (RuntimeError, TypeError, OverflowError):
            raise OSError(f"create_link failed ret({_SYS_EXIST})") from None

    @classmethod
    @firmware_call
    def destroy_link(cls, souce, sink):
        ends = ((souce.mod_id, souce.dev_id, souce.chn_id),
                (sink.mod_id, sink.dev_id, sink.chn_id))
        link = cls._links.pop(ends, None)
        if link is None or not link.destroy():
            raise OSError(f"destroy_link failed ret({_SYS_UNEXIST})")

    @classmethod
    @firmware_call
    def buffer_config(cls, config):
        for pool in config.comm_pool[:MAX_MEDIA_BUFFER_POOLS]:
            if not (pool.blk_size and pool.blk_cnt):
                continue
            if cls.config_index > MAX_MEDIA_BUFFER_POOLS - 1:
                raise OSError("buffer_config failed, pool exceeds the max")
            mine = cls.buf_config.comm_pool[cls.config_index]
            mine.blk_size, mine.blk_cnt, mine.mode = pool.blk_size, pool.blk_cnt, pool.mode
            cls.config_index += 1

    @classmethod
    @firmware_call
    def buffer_init(cls):
        if cls._inited:
            if RETURN_CODES:
                print(_INITED_TWICE[0])
                print(_INITED_TWICE[1])
                return -1
            raise OSError(_INITED_TWICE[0] + "\n            " + _INITED_TWICE[1])
        try:
            _native.media_init()
        except RuntimeError:  # VB still up from the last buffer_init (oldgen facts §4.2)
            raise OSError(f"buffer_init, vb config failed({_native.VB_BUSY})") from None
        except AssertionError:
            raise OSError(f"buffer_init, vb config failed({_native.VB_BUSY})") from None
        cls._inited = True
        return None

    @classmethod
    def buffer_deinit(cls, force=False):
        """v0.1: resets and exits VB; v0.2: does nothing; v0.3–v0.6: resets the bookkeeping,
        and exits VB only with ``force=True`` (oldgen facts §1.2)."""
        if RETURN_CODES and not _TRAITS["deinit_exits_vb"]:
            return None  # v0.2: the first statement is ``return``
        cls.buf_config = k_vb_config()  # noqa: F405
        cls.buf_config.max_pool_cnt = 0 if not RETURN_CODES else MAX_MEDIA_BUFFER_POOLS
        cls.config_index = 0
        cls._inited = False
        _native.media_deinit(bool(force))
        return 0 if RETURN_CODES else None

    @classmethod
    @firmware_call
    def request_buffer(cls, size):
        try:
            native = _native.Buffer.get(size)
        except (RuntimeError, AssertionError, ValueError):
            raise OSError(f"request_buffer, get buf block failed, size {size}") from None
        return media_buffer(id(native) & 0x7FFFFFFF, 0, native.phys_addr, native.virt_addr,
                            size, native)

    @classmethod
    @firmware_call
    def release_buffer(cls, buffer):
        native = getattr(buffer, "_native", None)
        if native is None:
            raise OSError("release_buffer, release buf block failed")
        native.__del__()
        buffer._native = None
