/* venc-sim: the K230 MPP's error-code scheme, as k_errno.h names it.
 * A code is 0xA0000000 | module << 16 | level << 13 | id (k230-venc-facts.md §2.3);
 * K_DEF_ERR casts to int, so every failure is a negative k_s32 (k230-mpp-c-api.md §3).
 * Written for venc-sim; not the SDK's text. */
#ifndef VENC_SIM_K_ERRNO_H
#define VENC_SIM_K_ERRNO_H

#include "k_type.h"

#define K_ERR_APPID 0xA0000000u

typedef enum {
    K_ERR_LEVEL_DEBUG = 0,
    K_ERR_LEVEL_INFO = 1,
    K_ERR_LEVEL_NOTICE = 2,
    K_ERR_LEVEL_WARNING = 3,
    K_ERR_LEVEL_ERROR = 4,
    K_ERR_LEVEL_CRIT = 5,
    K_ERR_LEVEL_ALERT = 6,
    K_ERR_LEVEL_FATAL = 7,
    K_ERR_LEVEL_BUTT
} K_ERR_LEVEL_E;

#define K_DEF_ERR(mod, level, id) \
    ((k_s32)(K_ERR_APPID | ((k_u32)(mod) << 16) | ((k_u32)(level) << 13) | (k_u32)(id)))

typedef enum {
    K_ERR_INVALID_DEVID = 1,
    K_ERR_INVALID_CHNID = 2,
    K_ERR_ILLEGAL_PARAM = 3,
    K_ERR_EXIST = 4,
    K_ERR_UNEXIST = 5,
    K_ERR_NULL_PTR = 6,
    K_ERR_NOT_CONFIG = 7,
    K_ERR_NOT_SUPPORT = 8,
    K_ERR_NOT_PERM = 9,
    K_ERR_NOMEM = 12,
    K_ERR_NOBUF = 13,
    K_ERR_BUF_EMPTY = 14,
    K_ERR_BUF_FULL = 15,
    K_ERR_NOTREADY = 16,
    K_ERR_BADADDR = 17,
    K_ERR_BUSY = 18,
    K_ERR_OPT_ALREADY_WRITE = 19,
    K_ERR_BUTT = 63
} K_ERR_CODE_E;

#define K_ERR_OK 0

#endif
