"""``media.vencoder``'s ``Encoder`` of v0.1–v0.6 (firmware facts §1.1, oldgen facts §1.4): the
v0.7 signatures (the simulator's facade does the work), with v0.1–v0.2's return codes and the
pool order of ``media.buffer_init`` (§1.6): ``SetOutBufs`` after it registers a pool the board
never creates, so ``Create`` then fails (D-070)."""

import media.vencoder as _base
from canmv_host import _native, guesses
from media._v0.failures import firmware_call
from media._v0.media import VB_REMAP_MODE_NOCACHE, VENC_CHN_ID_MAX, k_vb_config, media


def _out_of_range(method, chn):
    if chn > VENC_CHN_ID_MAX - 1:
        raise ValueError(f"venc {method}, chn id: ", chn, " out of range 0 ~ 3")


class Encoder(_base.Encoder):
    def __init__(self):
        super().__init__()
        self._pool_lost = False

    @firmware_call
    def SetOutBufs(self, chn, buf_num, width, height):
        _out_of_range("create", chn)
        if not (buf_num and width and height):
            return None
        config = k_vb_config()
        config.max_pool_cnt = 64
        pool = config.comm_pool[0]
        pool.blk_cnt, pool.mode = buf_num, VB_REMAP_MODE_NOCACHE
        pool.blk_size = (width * height * 3 // 4 + 4095) & ~4095
        if media.buffer_config(config):
            raise OSError("venc buffer config failed")
        if media._pools_created():
            _native.Encoder.SetOutBufs(self, chn, buf_num, width, height)
        else:
            self._pool_lost = True
        return None

    @firmware_call
    def Create(self, chn, chnAttr):
        if self._pool_lost and chn <= VENC_CHN_ID_MAX - 1:
            guesses.note("D-070", f"Encoder.SetOutBufs({chn}, ...) came after "
                         "media.buffer_init(), so the board never made its pool; Create fails "
                         "here as it does without SetOutBufs")
        return _native.Encoder.Create(self, chn, chnAttr)

    @firmware_call
    def Start(self, chn):
        return _native.Encoder.Start(self, chn)

    @firmware_call
    def GetStream(self, chn, streamData):
        return _native.Encoder.GetStream(self, chn, streamData)

    @firmware_call
    def ReleaseStream(self, chn, streamData):
        return _native.Encoder.ReleaseStream(self, chn, streamData)

    @firmware_call
    def Stop(self, chn):
        return _native.Encoder.Stop(self, chn)

    @firmware_call
    def Destroy(self, chn):
        return _native.Encoder.Destroy(self, chn)
