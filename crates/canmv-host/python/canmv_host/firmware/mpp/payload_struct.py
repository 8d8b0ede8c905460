"""``mpp.payload_struct``: the SDK's payload types (``k_payload_type``, ``k_payload_comm.h``)
and VPU rotations, as the firmware's module lists them (S ``port/builtin_py/mpp/payload_struct.py``).
``media.g711`` takes ``K_PT_G711A``/``K_PT_G711U``."""

_TYPES = (
    (0, "PCMU"), (1, "1016"), (2, "G721"), (3, "GSM"), (4, "G723"), (5, "DVI4_8K"),
    (6, "DVI4_16K"), (7, "LPC"), (8, "PCMA"), (9, "G722"), (10, "S16BE_STEREO"),
    (11, "S16BE_MONO"), (12, "QCELP"), (13, "CN"), (14, "MPEGAUDIO"), (15, "G728"),
    (16, "DVI4_3"), (17, "DVI4_4"), (18, "G729"), (19, "G711A"), (20, "G711U"), (21, "G726"),
    (22, "G729A"), (23, "LPCM"), (25, "CelB"), (26, "JPEG"), (27, "CUSM"), (28, "NV"),
    (29, "PICW"), (30, "CPV"), (31, "H261"), (32, "MPEGVIDEO"), (33, "MPEG2TS"), (34, "H263"),
    (35, "SPEG"), (36, "MPEG2VIDEO"), (37, "AAC"), (38, "WMA9STD"), (39, "HEAAC"),
    (40, "PCM_VOICE"), (41, "PCM_AUDIO"), (43, "MP3"), (49, "ADPCMA"), (50, "AEC"),
    (95, "X_LD"), (96, "H264"), (200, "D_GSM_HR"), (201, "D_GSM_EFR"), (202, "D_L8"),
    (203, "D_RED"), (204, "D_VDVI"), (220, "D_BT656"), (221, "D_H263_1998"), (222, "D_MP1S"),
    (223, "D_MP2P"), (224, "D_BMPEG"), (230, "MP4VIDEO"), (237, "MP4AUDIO"), (238, "VC1"),
    (255, "JVC_ASF"), (256, "D_AVI"), (257, "DIVX3"), (258, "AVS"), (259, "REAL8"),
    (260, "REAL9"), (261, "VP6"), (262, "VP6F"), (263, "VP6A"), (264, "SORENSON"),
    (265, "H265"), (266, "VP8"), (267, "MVC"), (268, "PNG"), (1001, "AMR"), (1002, "MJPEG"),
    (1003, "AMRWB"), (1006, "PRORES"), (1007, "OPUS"), (1008, "BUTT"),
)
globals().update({"K_PT_" + name: value for value, name in _TYPES})

K_VPU_ROTATION_0, K_VPU_ROTATION_90, K_VPU_ROTATION_180, K_VPU_ROTATION_270 = 0, 1, 2, 3
K_VPU_ROTATION_BUTT = 4

del _TYPES
