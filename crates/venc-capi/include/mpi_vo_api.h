/* venc-sim: the video output calls of the K230 MPP that libk230_mpp_sim exports (signatures
 * of kendryte/k230_sdk v1.9's mpi_vo_api.h; what each does here: docs/c-api.md). The panel
 * behind the VO is the simulator's screen; its DSI and MIPI calls are not exported.
 * The text is venc-sim's. */
#ifndef VENC_SIM_MPI_VO_API_H
#define VENC_SIM_MPI_VO_API_H

#include "k_type.h"
#include "k_vo_comm.h"
#include "k_video_comm.h"

#ifdef __cplusplus
extern "C" {
#endif

k_s32 kd_mpi_vo_init(void);
/* The panel's size and timing (sync_info); the VO starts at kd_mpi_vo_enable. */
k_s32 kd_mpi_vo_set_dev_param(k_vo_pub_attr *attr);
/* 0 when the device runs, 1 when it cannot (no device parameters). */
k_u8 kd_mpi_vo_enable(void);
k_u8 kd_mpi_vo_disable(void);

/* Video layers 0-2 take NV12 (PIXEL_FORMAT_YUV_SEMIPLANAR_420, or YVU_PLANAR_420 as the VO
 * reference names NV12); func's K_ROTATION_* turns each frame. */
k_s32 kd_mpi_vo_set_video_layer_attr(k_vo_layer layer, k_vo_video_layer_attr *attr);
k_s32 kd_mpi_vo_enable_video_layer(k_vo_layer layer);
k_s32 kd_mpi_vo_disable_video_layer(k_vo_layer layer);

/* OSD layers 0-3 take ARGB_8888, ABGR_8888, BGRA_8888, RGB_888, BGR_888, RGB_565(_LE),
 * BGR_565_LE and RGB_MONOCHROME_8BPP pictures, global_alptha over their own alpha. */
k_s32 kd_mpi_vo_set_video_osd_attr(k_vo_osd layer, k_vo_video_osd_attr *attr);
k_s32 kd_mpi_vo_osd_enable(k_vo_osd layer);
k_s32 kd_mpi_vo_osd_disable(k_vo_osd layer);

/* Shows a picture on channel chn_num (0-2 video layers, 3-6 OSD 0-3): read from
 * vf_info->v_frame.phys_addr at the layer's size, shown from the next refresh. */
k_s32 kd_mpi_vo_chn_insert_frame(k_u32 chn_num, k_video_frame_info *vf_info);

/* Write-back: the composed screen, once per refresh, as NV12 frames kd_mpi_venc_send_frame
 * takes; a dumped frame is held until kd_mpi_wbc_dump_release. timeout_ms (-1 for ever) is
 * board time; none in time is K_ERR_VO_BUF_EMPTY. */
k_s32 kd_mpi_vo_set_wbc_attr(k_vo_wbc_attr *attr);
k_s32 kd_mpi_vo_enable_wbc(void);
k_s32 kd_mpi_vo_disable_wbc(void);
k_s32 kd_mpi_wbc_dump_frame(k_video_frame_info *vf_info, k_u32 timeout_ms);
k_s32 kd_mpi_wbc_dump_release(const k_video_frame_info *vf_info);

#ifdef __cplusplus
}
#endif

#endif
