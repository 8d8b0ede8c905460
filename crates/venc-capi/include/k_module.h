/* venc-sim: the K230 MPP's module ids and the (module, device, channel) triple that
 * kd_mpi_sys_bind takes. Values and layout from k230-mpp-c-api.md §3 (k_module.h).
 * Written for venc-sim; not the SDK's text. */
#ifndef VENC_SIM_K_MODULE_H
#define VENC_SIM_K_MODULE_H

#include "k_type.h"

/* Every module of kendryte/k230_sdk v1.9; 7 and 8 are unused there (VPROC and VREC are
 * compiled out). */
typedef enum {
    K_ID_CMPI = 0,
    K_ID_LOG = 1,
    K_ID_MMZ = 2,
    K_ID_MMZ_USER_DEV = 3,
    K_ID_VB = 4,
    K_ID_SYS = 5,
    K_ID_VI = 6,
    K_ID_VENC = 9,
    K_ID_VDEC = 10,
    K_ID_VO = 11,
    K_ID_AI = 12,
    K_ID_AREC = 13,
    K_ID_AENC = 14,
    K_ID_ADEC = 15,
    K_ID_AO = 16,
    K_ID_DPU = 17,
    K_ID_V_VI = 18,
    K_ID_V_VO = 19,
    K_ID_DMA = 20,
    K_ID_VICAP = 21,
    K_ID_DW200 = 22,
    K_ID_PM = 23,
    K_ID_NONAI_2D = 24,
    K_ID_BUTT
} k_mod_id;

typedef struct {
    k_mod_id mod_id;
    k_s32 dev_id;
    k_s32 chn_id;
} k_mpp_chn;

#endif
