/* venc-sim: video-buffer (VB) pools, as k_vb_comm.h lays them out (k_vb_pool_config 32
 * bytes, k_vb_config 520; k230-mpp-c-api.md §3) and the VB error codes of the system-control
 * reference (docs/c-api.md). Written for venc-sim; not the SDK's text. */
#ifndef VENC_SIM_K_VB_COMM_H
#define VENC_SIM_K_VB_COMM_H

#include "k_type.h"
#include "k_errno.h"
#include "k_module.h"

#define VB_MAX_COMM_POOLS 16
#define VB_MAX_POOLS 256
#define VB_SINGLE_MAX_BLKS 256
#define VB_INVALID_POOLID (-1U)
#define VB_INVALID_HANDLE (-1U)
#define MAX_MMZ_NAME_LEN 16

typedef enum {
    VB_REMAP_MODE_NONE = 0,
    VB_REMAP_MODE_NOCACHE = 1,
    VB_REMAP_MODE_CACHED = 2,
} k_vb_remap_mode;

typedef struct {
    k_u64 blk_size;
    k_u32 blk_cnt;
    k_vb_remap_mode mode;
    char mmz_name[MAX_MMZ_NAME_LEN];
} k_vb_pool_config;

typedef struct {
    k_u32 max_pool_cnt;
    k_vb_pool_config comm_pool[VB_MAX_COMM_POOLS];
} k_vb_config;

/* High 16 bits: pool id; low 16 bits: block index in the pool. */
typedef k_u32 k_vb_blk_handle;

#define K_ERR_VB_NULL_PTR K_DEF_ERR(K_ID_VB, K_ERR_LEVEL_ERROR, K_ERR_NULL_PTR)
#define K_ERR_VB_NOMEM K_DEF_ERR(K_ID_VB, K_ERR_LEVEL_ERROR, K_ERR_NOMEM)
#define K_ERR_VB_NOBUF K_DEF_ERR(K_ID_VB, K_ERR_LEVEL_ERROR, K_ERR_NOBUF)
#define K_ERR_VB_UNEXIST K_DEF_ERR(K_ID_VB, K_ERR_LEVEL_ERROR, K_ERR_UNEXIST)
#define K_ERR_VB_ILLEGAL_PARAM K_DEF_ERR(K_ID_VB, K_ERR_LEVEL_ERROR, K_ERR_ILLEGAL_PARAM)
#define K_ERR_VB_NOTREADY K_DEF_ERR(K_ID_VB, K_ERR_LEVEL_ERROR, K_ERR_NOTREADY)
#define K_ERR_VB_BUSY K_DEF_ERR(K_ID_VB, K_ERR_LEVEL_ERROR, K_ERR_BUSY)
#define K_ERR_VB_NOT_PERM K_DEF_ERR(K_ID_VB, K_ERR_LEVEL_ERROR, K_ERR_NOT_PERM)
#define K_ERR_VB_2MPOOLS K_DEF_ERR(K_ID_VB, K_ERR_LEVEL_ERROR, 0x40)

#endif
