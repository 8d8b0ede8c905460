"""``media.g711`` on venc-sim (from v0.2; oldgen facts §2.3): ``Encoder(type, frames_per_buffer)``
and ``Decoder(…)`` over the simulated AENC/ADEC (G.711 by ``venc-audio``), with the firmware's
channel bug: every live encoder takes AENC channel 0, so a second one's ``create()`` fails
(likewise decoders). ``type`` is ``K_PT_G711A`` (19) or ``K_PT_G711U`` (20)."""

from canmv_host import _native
from canmv_host.generation import since

_TRAITS = _native.board_info()["traits"]
if not since("canmv-2023-11"):
    raise ModuleNotFoundError("No module named 'media.g711'", name="media.g711")

K_PT_G711A = 19
K_PT_G711U = 20
_busy = {"aenc": False, "adec": False}


def _register_pool(frames_per_buffer):
    """The codec's one pool (five blocks of ``fpb * 8``): through ``media.buffer_config``
    in v0.x, ``MediaManager._config`` v0.7–2025, a private pool from 2026."""
    if _TRAITS["camera_api"]:
        from media.media import k_vb_config, media
        config = k_vb_config()
        config.comm_pool[0].blk_cnt, config.comm_pool[0].blk_size = 5, frames_per_buffer * 8
        media.buffer_config(config)
    elif not since("canmv-2026-01"):
        from media.media import MediaManager
        from mpp.vb import k_vb_config
        MediaManager._config(k_vb_config())


class _Codec:
    _unit = ""
    _send = _get = ""

    def __init__(self, type, frames_per_buffer):
        if type not in (K_PT_G711A, K_PT_G711U):
            raise ValueError("g711 type must be K_PT_G711A or K_PT_G711U")
        self._type = type
        self._fpb = frames_per_buffer
        self._created = False
        _register_pool(frames_per_buffer)

    def create(self):
        if self._created:
            if _TRAITS["return_codes"]:
                return -1
            raise RuntimeError("The instance has been initialized")
        # get_free_chn_index returns the list's value (0), not its index: every instance asks
        # for channel 0, which a live one holds (oldgen facts §2.3).
        if _busy[self._unit]:
            raise ValueError("kd_mpi_%s_create_chn:0 faild" % self._unit)
        _busy[self._unit] = True
        self._created = True
        return 0 if _TRAITS["return_codes"] else None

    def destroy(self):
        if self._created:
            _busy[self._unit] = False
            self._created = False
        return 0 if _TRAITS["return_codes"] else None

    def _check(self):
        if not self._created:
            raise ValueError("kd_mpi_%s:0 faild" % self._send)

    def __del__(self):
        self.destroy()


class Encoder(_Codec):
    _unit, _send = "aenc", "aenc_send_frame"

    def encode(self, data):
        """16-bit PCM bytes to G.711 bytes (one per sample)."""
        self._check()
        return _native.g711_encode(self._type, bytes(data))


class Decoder(_Codec):
    _unit, _send = "adec", "adec_send_stream"

    def decode(self, data):
        """G.711 bytes to 16-bit PCM bytes."""
        self._check()
        return _native.g711_decode(self._type, bytes(data))
