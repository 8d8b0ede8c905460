/* venc-sim: the memory and binding calls of the K230 MPP's system control that libvenc_sim exports
 * (signatures of the SDK's mpi_sys_api.h, docs/c-api.md). The text is venc-sim's. */
#ifndef VENC_SIM_MPI_SYS_API_H
#define VENC_SIM_MPI_SYS_API_H

#include "k_type.h"
#include "k_sys_comm.h"
#include "k_module.h"
#include "k_mmz_comm.h"
#include "k_log_comm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A host pointer to media memory: the bytes the encoder reads and writes. NULL when the range
 * is not inside one block. Every mapping is undone with kd_mpi_sys_munmap. */
void *kd_mpi_sys_mmap(k_u64 phy_addr, k_u32 size);
void *kd_mpi_sys_mmap_cached(k_u64 phy_addr, k_u32 size);
k_s32 kd_mpi_sys_munmap(void *virt_addr, k_u32 size);
/* Media memory has no cache here: a no-op that checks its arguments. */
k_s32 kd_mpi_sys_mmz_flush_cache(k_u64 phy_addr, void *virt_addr, k_u32 size);

k_s32 kd_mpi_sys_mmz_alloc(k_u64 *phy_addr, void **virt_addr, const k_char *mmb, const k_char *zone, k_u32 len);
k_s32 kd_mpi_sys_mmz_alloc_cached(k_u64 *phy_addr, void **virt_addr, const k_char *mmb, const k_char *zone, k_u32 len);
k_s32 kd_mpi_sys_mmz_free(k_u64 phy_addr, void *virt_addr);

/* Frames of a camera channel {K_ID_VI, dev, chn} go to an encoder channel {K_ID_VENC, 0, chn}
 * (the only pair modeled; others are K_ERR_SYS_NOT_SUPPORT). */
k_s32 kd_mpi_sys_bind(k_mpp_chn *src_chn, k_mpp_chn *dest_chn);
k_s32 kd_mpi_sys_unbind(k_mpp_chn *src_chn, k_mpp_chn *dest_chn);
/* The source bound to dest_chn; K_ERR_SYS_UNEXIST when none is. */
k_s32 kd_mpi_sys_get_bind_by_dest(k_mpp_chn *dest_chn, k_mpp_chn *src_chn);

/* Declared by the SDK, not modelled: K_ERR_SYS_NOT_SUPPORT and K_ERR_LOG_NOT_SUPPORT
 * (docs/c-api.md, the export list). */
k_s32 kd_mpi_sys_get_virmem_info(const void *virt_addr, k_sys_virmem_info *mem_info);
k_s32 kd_mpi_log_set_level_conf(const k_log_level_conf *conf);
k_s32 kd_mpi_log_get_level_conf(k_log_level_conf *conf);
k_s32 kd_mpi_log_set_wait_flag(k_bool is_wait);
k_s32 kd_mpi_log_read(k_char *buf, k_u32 size);
void kd_mpi_log_close(void);
k_s32 kd_mpi_log_set_console(k_bool is_console);
k_s32 kd_mpi_log_get_console(k_bool *is_console);

#ifdef __cplusplus
}
#endif

#endif
