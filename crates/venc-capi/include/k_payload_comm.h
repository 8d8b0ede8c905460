/* venc-sim: payload types and rotation, as k_payload_comm.h names them
 * (k230-mpp-c-api.md §3). Written for venc-sim; not the SDK's text. */
#ifndef VENC_SIM_K_PAYLOAD_COMM_H
#define VENC_SIM_K_PAYLOAD_COMM_H

typedef enum { K_PT_JPEG = 26, K_PT_H264 = 96, K_PT_H265 = 265 } k_payload_type;

/* Quarter turns clockwise (D-052). */
typedef enum {
    K_VPU_ROTATION_0 = 0,
    K_VPU_ROTATION_90 = 1,
    K_VPU_ROTATION_180 = 2,
    K_VPU_ROTATION_270 = 3,
    K_VPU_ROTATION_BUTT
} k_rotation;

#endif
