"""The media module ids and device/channel numbers every generation's ``media.media`` defines
(``K_ID_*`` of ``mpp/sys_struct.py``; oldgen facts §1.2, the same names in S HEAD
``port/builtin_py/media/media.py``)."""

MAX_MEDIA_BUFFER_POOLS = 16
AUDIO_IN_MOD_ID, AUDIO_OUT_MOD_ID, AUDIO_ENCODE_MOD_ID, AUDIO_DECODE_MOD_ID = 12, 16, 14, 15
CAMERA_MOD_ID, DISPLAY_MOD_ID, DMA_MOD_ID, DPU_MOD_ID = 6, 11, 20, 17
VIDEO_ENCODE_MOD_ID, VIDEO_DECODE_MOD_ID = 9, 10
CAM_DEV_ID_0, CAM_DEV_ID_1, CAM_DEV_ID_2, CAM_DEV_ID_MAX = 0, 1, 2, 3
CAM_CHN_ID_0, CAM_CHN_ID_1, CAM_CHN_ID_2, CAM_CHN_ID_MAX = 0, 1, 2, 3
DISPLAY_DEV_ID = 0
VENC_DEV_ID = 0
VENC_CHN_ID_0, VENC_CHN_ID_1, VENC_CHN_ID_2, VENC_CHN_ID_3, VENC_CHN_ID_MAX = 0, 1, 2, 3, 4
VENC_PACK_CNT_MAX = 12


def ALIGN_UP(x, a):  # noqa: N802 - the firmware's name (``VICAP_ALIGN_UP``)
    """``(x + a-1) & ~(a-1)``; ``a`` a power of two, as in the firmware."""
    return (x + a - 1) & ~(a - 1)
