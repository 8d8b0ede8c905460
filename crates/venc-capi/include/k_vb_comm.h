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
#define MAX_VB_BLK_SIZE 0xFFFF0000UL
#define VB_MAX_MOD_COMM_POOLS 16
#define VB_MAX_BLKS (VB_MAX_POOLS * VB_SINGLE_MAX_BLKS)
#define POOL_OWNER_COMMON (-1)
#define POOL_OWNER_PRIVATE (-2)
#if defined(K230_MPP_CANMV) && !defined(VB_ALIGN_UP)
/* The CanMV MPP's rounding of a block size up to `align` (a power of two). */
#define VB_ALIGN_UP(x, align) (((x) + ((align) - 1)) & ~((align) - 1))
#endif

/* The modules that own common pools of their own (kd_mpi_vb_*_mod_*, not modelled). */
typedef enum {
    VB_UID_VI = 0,
    VB_UID_VENC = 1,
    VB_UID_VDEC = 2,
    VB_UID_VO = 3,
    VB_UID_USER = 4,
    VB_UID_AI = 5,
    VB_UID_AREC = 6,
    VB_UID_AENC = 7,
    VB_UID_ADEC = 8,
    VB_UID_AO = 9,
    VB_UID_V_VI = 10,
    VB_UID_V_VO = 11,
    VB_UID_DMA = 12,
    VB_UID_DPU = 13,
    VB_UID_NONAI_2D = 14,
    VB_UID_BUTT
} k_vb_uid;

#define VB_MAX_USER VB_UID_BUTT

typedef enum {
    VB_REMAP_MODE_NONE = 0,
    VB_REMAP_MODE_NOCACHE = 1,
    VB_REMAP_MODE_CACHED = 2,
    VB_REMAP_MODE_BUTT
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

typedef struct {
    k_vb_uid uid;
    k_vb_config mod_config;
} k_vb_mod_config;

typedef struct {
    k_u32 pool_id;
    k_u32 blk_cnt;
    k_u64 blk_size;
    k_u64 pool_size;
    k_u64 pool_phys_addr;
    k_vb_remap_mode remap_mode;
    void *pool_kvirt_addr;
    char mmz_name[MAX_MMZ_NAME_LEN];
} k_vb_pool_info;

/* What a frame's block carries beside the picture: JPEG DCF and ISP data (not modelled). */
#define VB_SUPPLEMENT_JPEG_MASK (1U << 0)
#define VB_SUPPLEMENT_ISP_INFO_MASK (1U << 1)
#define VB_SUPPLEMENT_UNSPPORT_MASK ~(VB_SUPPLEMENT_JPEG_MASK | VB_SUPPLEMENT_ISP_INFO_MASK)

typedef struct {
    k_u32 supplement_config;
} k_vb_supplement_config;

typedef struct {
    k_bool is_comm_pool;
    k_u32 blk_cnt;
    k_u32 free_blk_cnt;
} k_vb_pool_status;

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
