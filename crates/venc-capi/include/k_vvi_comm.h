/* venc-sim: the virtual video input (VVI: a device that makes test pictures and can be bound
 * like a camera), as the SDK's k_vvi_comm.h names it (kendryte/k230_sdk v1.9). The simulator
 * does not model it: every kd_mpi_vvi_* call answers K_ERR_VVI_NOT_SUPPORT (docs/c-api.md).
 * Written for venc-sim; not the SDK's text. */
#ifndef VENC_SIM_K_VVI_COMM_H
#define VENC_SIM_K_VVI_COMM_H

#include "k_errno.h"
#include "k_module.h"
#include "k_video_comm.h"

#define VVI_MAX_DEV_NUMS 2
#define VVI_MAX_CHN_NUMS 2
#define VVI_MAX_FRAME_COUNT 3

typedef struct {
    k_u32 height;
    k_u32 width;
    k_pixel_format format;
    k_u32 frame_rate;
    k_bool is_pre_fill_color;
} k_vvi_chn_attr;

typedef struct {
    k_u32 height;
    k_u32 width;
    k_pixel_format format;
} k_vvi_dev_attr;

#define K_ERR_VVI_INVALID_DEVID K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_INVALID_DEVID)
#define K_ERR_VVI_INVALID_CHNID K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_INVALID_CHNID)
#define K_ERR_VVI_ILLEGAL_PARAM K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_ILLEGAL_PARAM)
#define K_ERR_VVI_EXIST K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_EXIST)
#define K_ERR_VVI_UNEXIST K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_UNEXIST)
#define K_ERR_VVI_NULL_PTR K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_NULL_PTR)
#define K_ERR_VVI_NOT_CONFIG K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_NOT_CONFIG)
#define K_ERR_VVI_NOT_SUPPORT K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_NOT_SUPPORT)
#define K_ERR_VVI_NOT_PERM K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_NOT_PERM)
#define K_ERR_VVI_NOMEM K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_NOMEM)
#define K_ERR_VVI_NOBUF K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_NOBUF)
#define K_ERR_VVI_BUF_EMPTY K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_BUF_EMPTY)
#define K_ERR_VVI_BUF_FULL K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_BUF_FULL)
#define K_ERR_VVI_NOTREADY K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_NOTREADY)
#define K_ERR_VVI_BADADDR K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_BADADDR)
#define K_ERR_VVI_BUSY K_DEF_ERR(K_ID_V_VI, K_ERR_LEVEL_ERROR, K_ERR_BUSY)

#endif
