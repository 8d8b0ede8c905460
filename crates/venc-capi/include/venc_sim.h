/* venc-sim: what the simulator's C library offers beyond the K230 MPP, for test harnesses.
 * No K230 program calls these and a board has none of them: a program that uses one does not
 * build against the SDK. */
#ifndef VENC_SIM_VENC_SIM_H
#define VENC_SIM_VENC_SIM_H

#include "k_type.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The pts of the last input picture channel chn_num's encoder released. The board's
 * kd_mpi_venc_query_status leaves release_pic_pts 0 (its kernel fills only cur_packs), and so
 * does this library's; a harness that must know when a frame buffer is free asks here.
 * K_ERR_VENC_INVALID_CHNID for chn_num > 3, K_ERR_VENC_NULL_PTR for a NULL pts. */
k_s32 venc_sim_release_pic_pts(k_u32 chn_num, k_u64 *pts);

/* Arms a fault, to see a program's error handling run: KIND[:ARG][@next|@every=N|@P%] with
 * KIND one of get-stream-notready, send-frame-busy, vpu-stall:MS, drop-frame, ring-overflow,
 * mem-exhausted (e.g. "send-frame-busy@next", "drop-frame@every=5"). Each fault that strikes
 * is logged. K_ERR_VENC_ILLEGAL_PARAM for a spec that does not parse (the reason printed),
 * K_ERR_VENC_NULL_PTR for NULL. The environment variable VENC_SIM_FAULT arms faults from the
 * start (";"-separated specs). */
k_s32 venc_sim_inject_fault(const char *spec);

#ifdef __cplusplus
}
#endif

#endif
