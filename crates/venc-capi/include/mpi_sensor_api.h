/* venc-sim: the sensor-driver calls of the K230 MPP (signatures of the SDK's mpi_sensor_api.h,
 * kendryte/k230_sdk v1.9). Modelled: open/close, connection_check, adapt_get (find the module
 * on a CSI bus) and kd_mpi_adapt_sensor_get; the simulated module on each bus is
 * VENC_SIM_SENSOR (unset: any driver answers). The others answer K_ERR_VICAP_NOT_SUPPORT.
 * docs/c-api.md. The text is venc-sim's. */
#ifndef VENC_SIM_MPI_SENSOR_API_H
#define VENC_SIM_MPI_SENSOR_API_H

#include "k_type.h"
#include "k_sensor_comm.h"
#include "k_vicap_comm.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef K230_MPP_CANMV
/* The CanMV MPP's probe takes the CSI bus index (0..2) in csi_num. */
#define kd_mpi_sensor_adapt_get kd_mpi_sensor_adapt_get_canmv
#endif

/* A descriptor on /dev/sensor_<sensor_name>; a failure is the negated (positive) code. */
k_s32 kd_mpi_sensor_open(const char *sensor_name);
k_s32 kd_mpi_sensor_close(k_s32 fd);
k_s32 kd_mpi_sensor_power_set(k_s32 fd, k_bool on);
k_s32 kd_mpi_sensor_id_get(k_s32 fd, k_u32 *sensor_id);
k_s32 kd_mpi_sensor_init(k_s32 fd, k_sensor_mode mode);
k_s32 kd_mpi_sensor_reg_read(k_s32 fd, k_u32 reg_addr, k_u32 *reg_val);
k_s32 kd_mpi_sensor_reg_write(k_s32 fd, k_u32 reg_addr, k_u32 reg_val);
k_s32 kd_mpi_sensor_mode_get(k_s32 fd, k_sensor_mode *mode);
k_s32 kd_mpi_sensor_mode_set(k_s32 fd, k_sensor_mode mode);
k_s32 kd_mpi_sensor_mode_enum(k_s32 fd, k_sensor_enum_mode *enum_mode);
k_s32 kd_mpi_sensor_caps_get(k_s32 fd, k_sensor_caps *caps);
/* *connection = 1 when the simulated module answers the descriptor's driver. */
k_s32 kd_mpi_sensor_connection_check(k_s32 fd, k_s32 *connection);
k_s32 kd_mpi_sensor_stream_enable(k_s32 fd, k_s32 enable);
k_s32 kd_mpi_sensor_again_set(k_s32 fd, k_sensor_gain gain);
k_s32 kd_mpi_sensor_again_get(k_s32 fd, k_sensor_gain *gain);
k_s32 kd_mpi_sensor_dgain_set(k_s32 fd, k_sensor_gain gain);
k_s32 kd_mpi_sensor_dgain_get(k_s32 fd, k_sensor_gain *gain);
k_s32 kd_mpi_sensor_intg_time_set(k_s32 fd, k_sensor_intg_time time);
k_s32 kd_mpi_sensor_intg_time_get(k_s32 fd, k_sensor_intg_time *time);
k_s32 kd_mpi_sensor_fps_get(k_s32 fd, k_u32 *fps);
k_s32 kd_mpi_sensor_fps_set(k_s32 fd, k_u32 fps);
k_s32 kd_mpi_sensor_isp_status_get(k_s32 fd, k_sensor_isp_status *isp_status);
k_s32 kd_mpi_sensor_blc_set(k_s32 fd, k_sensor_blc blc);
k_s32 kd_mpi_sensor_wb_set(k_s32 fd, k_sensor_white_balance wb);
k_s32 kd_mpi_sensor_tpg_get(k_s32 fd, k_sensor_test_pattern *tpg);
k_s32 kd_mpi_sensor_tpg_set(k_s32 fd, k_sensor_test_pattern tpg);
k_s32 kd_mpi_sensor_expand_curve_get(k_s32 fd, k_sensor_compand_curve *curve);
k_s32 kd_mpi_sensor_otpdata_get(k_s32 fd, void *ota_data);
k_s32 kd_mpi_sensor_otpdata_set(k_s32 fd, void *ota_data);
k_s32 kd_mpi_sensor_mirror_set(k_s32 fd, k_vicap_mirror_mode mirror);
/* The module on config->csi_num giving width x height @ fps (else the same size, else a
 * larger one): 0 found, 1 none, 2 NULL argument. Writes sensor_name and mirror back. */
k_s32 kd_mpi_sensor_adapt_get(k_vicap_probe_config *config, k_vicap_sensor_info *info);
/* Every answering sensor type, listed per CSI bus. */
k_s32 kd_mpi_adapt_sensor_get(k_vicap_adapt_id *csi0_adapt_id, k_vicap_adapt_id *csi1_adapt_id,
                              k_vicap_adapt_id *csi2_adapt_id);

#ifdef __cplusplus
}
#endif

#endif
