/* venc-sim: the virtual video input's calls (kendryte/k230_sdk v1.9 mpi_vvi_api.h). Not
 * modelled: each answers K_ERR_VVI_NOT_SUPPORT and logs it (docs/c-api.md, export list).
 * Written for venc-sim; not the SDK's text. */
#ifndef VENC_SIM_MPI_VVI_API_H
#define VENC_SIM_MPI_VVI_API_H

#include "k_type.h"
#include "k_vvi_comm.h"

#ifdef __cplusplus
extern "C" {
#endif

k_s32 kd_mpi_vvi_set_chn_attr(k_u32 chn_num, k_vvi_chn_attr *attr);
k_s32 kd_mpi_vvi_set_dev_attr(k_u32 dev_num, k_vvi_dev_attr *attr);
k_s32 kd_mpi_vvi_start_pipe(k_u32 dev_num, k_u32 chn_num);
k_s32 kd_mpi_vvi_stop_pipe(k_u32 dev_num, k_u32 chn_num);
k_s32 kd_mpi_vvi_chn_insert_pic(k_u32 chn_num, k_video_frame_info *vf_info);
k_s32 kd_mpi_vvi_chn_remove_pic(k_u32 chn_num);
k_s32 kd_mpi_vvi_chn_dump_request(k_u32 chn_num);
k_s32 kd_mpi_vvi_chn_dump_frame(k_u32 chn_num, k_video_frame_info *vf_info, k_u32 milli_sec);
k_s32 kd_mpi_vvi_chn_dump_release(k_u32 chn_num, const k_video_frame_info *vf_info);

#ifdef __cplusplus
}
#endif

#endif
