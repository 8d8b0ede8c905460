/* venc-sim: the VENC calls of the K230 MPP (SDK family) that libvenc_sim exports.
 * Signatures from k230-mpp-c-api.md §1; the text is venc-sim's. A call the SDK has and this
 * library does not yet export is not declared here, so a program using it fails to build
 * rather than run wrong (docs/c-api.md lists what is in). */
#ifndef VENC_SIM_MPI_VENC_API_H
#define VENC_SIM_MPI_VENC_API_H

#include "k_type.h"
#include "k_video_comm.h"
#include "k_venc_comm.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef K230_MPP_CANMV
/* The CanMV MPP: the same name, the 44-byte k_venc_chn_attr; a library call of its own. */
#define kd_mpi_venc_create_chn kd_mpi_venc_create_chn_canmv
k_s32 kd_mpi_venc_create_chn_canmv(k_u32 chn_num, k_venc_chn_attr *attr);
#else
k_s32 kd_mpi_venc_create_chn(k_u32 chn_num, k_venc_chn_attr *attr);
#endif
k_s32 kd_mpi_venc_start_chn(k_u32 chn_num);
k_s32 kd_mpi_venc_stop_chn(k_u32 chn_num);
k_s32 kd_mpi_venc_destroy_chn(k_u32 chn_num);
/* Blocks while the channel's 30-deep input queue is full: -1 forever, 0 not at all. */
k_s32 kd_mpi_venc_send_frame(k_u32 chn_num, k_video_frame_info *frame, k_s32 milli_sec);
/* Only cur_packs is filled in; the rest comes back 0, as from the board's kernel. */
k_s32 kd_mpi_venc_query_status(k_u32 chn_num, k_venc_chn_status *status);
k_s32 kd_mpi_venc_close_fd(void);

/* stream->pack is the caller's array of stream->pack_cnt packs; on return pack_cnt is the
 * number filled. Any failure is K_ERR_VENC_NOTREADY. */
k_s32 kd_mpi_venc_get_stream(k_u32 chn_num, k_venc_stream *stream, k_s32 milli_sec);
k_s32 kd_mpi_venc_release_stream(k_u32 chn_num, k_venc_stream *stream);

k_s32 kd_mpi_venc_enable_idr(k_u32 chn_num, k_bool idr_enable);
k_s32 kd_mpi_venc_request_idr(k_u32 chn_num);

/* Input frame flags: every frame the encoder takes from the call on is turned (any state).
 * A 90/270 turn swaps the coded size. A mirror is 1 or 2: once set it cannot be cleared
 * (0 is refused, as on the board) until the channel is created again. */
k_s32 kd_mpi_venc_set_rotation(k_u32 chn_num, const k_rotation rotation);
k_s32 kd_mpi_venc_get_rotation(k_u32 chn_num, k_rotation *rotation);
k_s32 kd_mpi_venc_set_mirror(k_u32 chn_num, const k_venc_mirror mirror);
k_s32 kd_mpi_venc_get_mirror(k_u32 chn_num, k_venc_mirror *mirror);

/* Coding tools: SAO and deblocking between create and start only (else K_ERR_VENC_BUSY); the
 * entropy settings have no state check but no effect after start, as on the board. */
k_s32 kd_mpi_venc_set_h265_sao(k_u32 chn_num, const k_venc_h265_sao *h265_sao);
k_s32 kd_mpi_venc_get_h265_sao(k_u32 chn_num, k_venc_h265_sao *h265_sao);
k_s32 kd_mpi_venc_set_dblk(k_u32 chn_num, const k_bool dblk_en);
k_s32 kd_mpi_venc_get_dblk(k_u32 chn_num, k_bool *dblk_en);
k_s32 kd_mpi_venc_set_h264_entropy(k_u32 chn_num, const k_venc_h264_entropy *h264_entropy);
k_s32 kd_mpi_venc_get_h264_entropy(k_u32 chn_num, k_venc_h264_entropy *h264_entropy);
k_s32 kd_mpi_venc_set_h265_entropy(k_u32 chn_num, const k_venc_h265_entropy *h265_entropy);
k_s32 kd_mpi_venc_get_h265_entropy(k_u32 chn_num, k_venc_h265_entropy *h265_entropy);

/* The VPU firmware's internal memory: accepted in any state, as on the board. */
k_s32 kd_mpi_venc_set_intbuf_size(k_u32 chn_num, k_u32 size);

/* The 2D engine in front of the encoder, channels 0..2: OSD regions (index 0..7) and borders
 * (0..31) drawn onto every frame the encoder takes once attached and in an OSD/BORDER mode.
 * attach_2d and detach_2d answer 0 even when they fail, as on the board. CSC and the
 * standalone 2D calls (start/stop/send/get_2d) answer K_ERR_VENC_NOT_SUPPORT. */
k_s32 kd_mpi_venc_attach_2d(k_u32 chn_num);
k_s32 kd_mpi_venc_detach_2d(k_u32 chn_num);
k_s32 kd_mpi_venc_set_2d_mode(k_u32 chn_num, k_venc_2d_calc_mode mode);
k_s32 kd_mpi_venc_get_2d_mode(k_u32 chn_num, k_venc_2d_calc_mode *mode);
k_s32 kd_mpi_venc_set_2d_osd_param(k_u32 chn_num, k_u8 index, const k_venc_2d_osd_attr *attr);
k_s32 kd_mpi_venc_get_2d_osd_param(k_u32 chn_num, k_u8 index, k_venc_2d_osd_attr *attr);
k_s32 kd_mpi_venc_set_2d_border_param(k_u32 chn_num, k_u8 index, const k_venc_2d_border_attr *attr);
k_s32 kd_mpi_venc_get_2d_border_param(k_u32 chn_num, k_u8 index, k_venc_2d_border_attr *attr);
k_s32 kd_mpi_venc_set_2d_custom_coef(k_u32 chn_num, const k_s16 *coef);
k_s32 kd_mpi_venc_get_2d_custom_coef(k_u32 chn_num, const k_s16 *coef);
k_s32 kd_mpi_venc_set_2d_color_gamut(k_u32 chn_num, const k_venc_2d_color_gamut color_gamut);
k_s32 kd_mpi_venc_get_2d_color_gamut(k_u32 chn_num, k_venc_2d_color_gamut *color_gamut);
k_s32 kd_mpi_venc_set_2d_csc_param(k_u32 chn_num, const k_venc_2d_csc_attr *attr);
k_s32 kd_mpi_venc_get_2d_csc_param(k_u32 chn_num, k_venc_2d_csc_attr *attr);
k_s32 kd_mpi_venc_start_2d_chn(k_u32 chn_num);
k_s32 kd_mpi_venc_stop_2d_chn(k_u32 chn_num);
k_s32 kd_mpi_venc_send_2d_frame(k_u32 chn_num, k_video_frame_info *frame);
k_s32 kd_mpi_venc_get_2d_frame(k_u32 chn_num, k_video_frame_info *frame);

/* The CanMV MPP's additions, declared for every program (a CanMV program defines
 * K230_MPP_CANMV for its k_venc_chn_attr). The channel's packs go to an attached pool: every
 * block, or at most buff_num of them (_ex). */
k_s32 kd_mpi_venc_request_chn(k_u32 *chn_num);
k_s32 kd_mpi_venc_release_chn(k_u32 chn_num);
k_s32 kd_mpi_venc_attach_vb_pool(k_u32 chn_num, k_u32 pool_id);
k_s32 kd_mpi_venc_attach_vb_pool_ex(k_u32 chn_num, k_u32 pool_id, k_s32 buff_num);
k_s32 kd_mpi_venc_detach_vb_pool(k_u32 chn_num);

#ifdef __cplusplus
}
#endif

#endif
