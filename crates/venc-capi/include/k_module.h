/* venc-sim: the K230 MPP's module ids and the (module, device, channel) triple that
 * kd_mpi_sys_bind takes. Values and layout from k230-mpp-c-api.md §3 (k_module.h).
 * Written for venc-sim; not the SDK's text. */
#ifndef VENC_SIM_K_MODULE_H
#define VENC_SIM_K_MODULE_H

#include "k_type.h"

typedef enum {
    K_ID_VB = 4,
    K_ID_SYS = 5,
    K_ID_VI = 6,
    K_ID_VENC = 9,
    K_ID_VDEC = 10,
    K_ID_VO = 11,
    K_ID_VICAP = 21,
} k_mod_id;

typedef struct {
    k_mod_id mod_id;
    k_s32 dev_id;
    k_s32 chn_id;
} k_mpp_chn;

#endif
