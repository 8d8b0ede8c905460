/* venc-sim: the VB pool calls of the K230 MPP that libvenc_sim exports (signatures of the
 * SDK's mpi_vb_api.h, docs/c-api.md). The text is venc-sim's. */
#ifndef VENC_SIM_MPI_VB_API_H
#define VENC_SIM_MPI_VB_API_H

#include "k_type.h"
#include "k_vb_comm.h"
#include "k_video_comm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Only before kd_mpi_vb_init; the common pools are made by kd_mpi_vb_init. */
k_s32 kd_mpi_vb_set_config(const k_vb_config *config);
k_s32 kd_mpi_vb_get_config(k_vb_config *config);
k_s32 kd_mpi_vb_init(void);
/* Fails while a common-pool block is still taken; keeps the configuration. */
k_s32 kd_mpi_vb_exit(void);

/* The new pool's id, or VB_INVALID_POOLID. */
k_s32 kd_mpi_vb_create_pool(k_vb_pool_config *config);
#ifdef K230_MPP_CANMV
/* The CanMV MPP: a private pool of blk_cnt blocks of blk_size bytes, its id or
 * VB_INVALID_POOLID. */
k_s32 kd_mpi_vb_create_pool_ex(k_u64 blk_size, k_u32 blk_cnt, k_vb_remap_mode mode);
#endif
k_s32 kd_mpi_vb_destory_pool(k_u32 pool_id);

/* pool_id VB_INVALID_POOLID: the smallest common pool whose blocks hold blk_size. */
k_vb_blk_handle kd_mpi_vb_get_block(k_u32 pool_id, k_u64 blk_size, const k_char *mmz_name);
k_s32 kd_mpi_vb_release_block(k_vb_blk_handle block);
k_vb_blk_handle kd_mpi_vb_phyaddr_to_handle(k_u64 phys_addr);
k_u64 kd_mpi_vb_handle_to_phyaddr(k_vb_blk_handle block);
k_s32 kd_mpi_vb_handle_to_pool_id(k_vb_blk_handle block);

/* Declared by the SDK, not modelled: each answers K_DEF_ERR(K_ID_VB, ERROR, NOT_SUPPORT)
 * (docs/c-api.md, the export list). */
k_s32 kd_mpi_vb_inquire_user_cnt(k_vb_blk_handle block);
k_s32 kd_mpi_vb_get_supplement_attr(k_vb_blk_handle block, k_video_supplement *supplement);
k_s32 kd_mpi_vb_set_supplement_config(const k_vb_supplement_config *supplement_config);
k_s32 kd_mpi_vb_get_supplement_config(k_vb_supplement_config *supplement_config);
k_s32 kd_mpi_vb_init_mod_common_pool(k_vb_uid vb_uid);
k_s32 kd_mpi_vb_exit_mod_common_pool(k_vb_uid vb_uid);
k_s32 kd_mpi_vb_set_mod_pool_config(k_vb_uid vb_uid, const k_vb_config *config);
k_s32 kd_mpi_vb_get_mod_pool_config(k_vb_uid vb_uid, k_vb_config *config);

#ifdef __cplusplus
}
#endif

#endif
