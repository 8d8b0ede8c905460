/* venc-sim: the camera calls of the K230 MPP that libk230_mpp_sim exports (signatures of the
 * SDK's mpi_vicap_api.h). Order: get_sensor_info, set_dev_attr, set_chn_attr, init,
 * kd_mpi_sys_bind to an encoder channel, start_stream … stop_stream, deinit. The text is
 * venc-sim's; docs/c-api.md says what each call does here. */
#ifndef VENC_SIM_MPI_VICAP_API_H
#define VENC_SIM_MPI_VICAP_API_H

#include "k_type.h"
#include "k_vicap_comm.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef K230_MPP_CANMV
/* The CanMV MPP's attributes carry buffer_pool_id: calls of their own in the library. */
#define kd_mpi_vicap_set_dev_attr kd_mpi_vicap_set_dev_attr_canmv
#define kd_mpi_vicap_get_dev_attr kd_mpi_vicap_get_dev_attr_canmv
#define kd_mpi_vicap_set_chn_attr kd_mpi_vicap_set_chn_attr_canmv
#define kd_mpi_vicap_get_chn_attr kd_mpi_vicap_get_chn_attr_canmv
#endif

k_s32 kd_mpi_vicap_get_sensor_info(k_vicap_sensor_type sensor_type, k_vicap_sensor_info *sensor_info);
/* The type of "cam-<chip>-mode<n>" (13 strings); the bare K_ERR_UNEXIST (5) for another. */
k_s32 kd_mpi_vicap_get_sensor_type(k_vicap_sensor_type *sensor_type, const char *sensor_string);
/* The string of a type, or NULL (most types have none). */
const char *kd_mpi_vicap_get_sensor_string(k_vicap_sensor_type sensor_type);
k_s32 kd_mpi_vicap_set_dev_attr(k_vicap_dev dev_num, k_vicap_dev_attr dev_attr);
k_s32 kd_mpi_vicap_get_dev_attr(k_vicap_dev dev_num, k_vicap_dev_attr *dev_attr);
k_s32 kd_mpi_vicap_set_chn_attr(k_vicap_dev dev_num, k_vicap_chn chn_num, k_vicap_chn_attr chn_attr);
k_s32 kd_mpi_vicap_get_chn_attr(k_vicap_dev dev_num, k_vicap_chn chn_num, k_vicap_chn_attr *chn_attr);
k_s32 kd_mpi_vicap_init(k_vicap_dev dev_num);
k_s32 kd_mpi_vicap_deinit(k_vicap_dev dev_num);
k_s32 kd_mpi_vicap_start_stream(k_vicap_dev dev_num);
k_s32 kd_mpi_vicap_stop_stream(k_vicap_dev dev_num);
/* The channel's next frame, held until kd_mpi_vicap_dump_release; milli_sec is not used (a
 * frame is always due within one frame time). */
k_s32 kd_mpi_vicap_dump_frame(k_vicap_dev dev_num, k_vicap_chn chn_num, k_vicap_dump_format foramt,
                              k_video_frame_info *vf_info, k_u32 milli_sec);
k_s32 kd_mpi_vicap_dump_release(k_vicap_dev dev_num, k_vicap_chn chn_num, const k_video_frame_info *vf_info);
/* Colour bars instead of the scene, from the next kd_mpi_vicap_init. */
k_s32 kd_mpi_vicap_tpg_enable(k_bool enable);
/* Load-image mode: a raw Bayer picture of the acquisition window, before kd_mpi_vicap_init. */
k_s32 kd_mpi_vicap_load_image(k_vicap_dev dev_num, const void *image_data, k_u32 data_len);

/* Clocks, slave sync, frame dropping, register dump, ISP database, 3D mode: not modelled
 * (K_ERR_VICAP_NOT_SUPPORT; set_dump_reserved has no result). */
k_s32 kd_mpi_vicap_get_sensor_fd(k_vicap_sensor_attr *sensor_attr);
k_s32 kd_mpi_vicap_set_mclk(k_vicap_mclk_id id, k_vicap_mclk_sel sel, k_u8 mclk_div, k_u8 mclk_en);
k_s32 kd_mpi_vicap_set_vi_drop_frame(k_vicap_csi_num csi, k_vicap_drop_frame *frame, k_bool enable);
k_s32 kd_mpi_vicap_set_database_parse_mode(k_vicap_dev dev_num, k_vicap_database_parse_mode parse_mode);
k_s32 kd_mpi_vicap_dump_register(k_vicap_dev dev_num, const char *path);
void kd_mpi_vicap_set_dump_reserved(k_vicap_dev dev_num, k_vicap_chn chn_num, k_bool reserved);
k_s32 kd_mpi_vicap_set_slave_enable(k_vicap_slave_id id, k_vicap_slave_enable *enable);
k_s32 kd_mpi_vicap_set_slave_attr(k_vicap_slave_id id, k_vicap_slave_info *info);
k_s32 kd_mpi_vicap_3d_mode_crtl(k_bool enable);
k_s32 kd_mpi_vicap_sensor_set_mclk(k_sensor_mclk sensor_mclk);
k_s32 kd_mpi_vicap_sensor_disable_mclk(k_sensor_mclk sensor_mclk);

#ifdef __cplusplus
}
#endif

#endif
