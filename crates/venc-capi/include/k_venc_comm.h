/* venc-sim: the VENC types of the K230 MPP (the SDK family: k_venc_attr with
 * stream_buf_size/stream_buf_cnt, 24 bytes; with K230_MPP_CANMV defined, the CanMV MPP's
 * 16-byte k_venc_attr). Names, values and layouts from
 * k230-mpp-c-api.md §3; the text is venc-sim's. */
#ifndef VENC_SIM_K_VENC_COMM_H
#define VENC_SIM_K_VENC_COMM_H

#include "k_type.h"
#include "k_errno.h"
#include "k_module.h"
#include "k_payload_comm.h"

#define VENC_MAX_DEV_NUMS 1
#define VENC_MAX_CHN_NUMS 4

#define K_ERR_VENC_INVALID_DEVID K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_INVALID_DEVID)
#define K_ERR_VENC_INVALID_CHNID K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_INVALID_CHNID)
#define K_ERR_VENC_ILLEGAL_PARAM K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_ILLEGAL_PARAM)
#define K_ERR_VENC_EXIST K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_EXIST)
#define K_ERR_VENC_UNEXIST K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_UNEXIST)
#define K_ERR_VENC_NULL_PTR K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_NULL_PTR)
#define K_ERR_VENC_NOT_CONFIG K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_NOT_CONFIG)
#define K_ERR_VENC_NOT_SUPPORT K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_NOT_SUPPORT)
#define K_ERR_VENC_NOT_PERM K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_NOT_PERM)
#define K_ERR_VENC_NOMEM K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_NOMEM)
#define K_ERR_VENC_NOBUF K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_NOBUF)
#define K_ERR_VENC_BUF_EMPTY K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_BUF_EMPTY)
#define K_ERR_VENC_BUF_FULL K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_BUF_FULL)
#define K_ERR_VENC_NOTREADY K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_NOTREADY)
#define K_ERR_VENC_BADADDR K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_BADADDR)
#define K_ERR_VENC_BUSY K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, K_ERR_BUSY)

typedef enum {
    VENC_PROFILE_NONE = 0,
    VENC_PROFILE_H264_BASELINE = 1,
    VENC_PROFILE_H264_MAIN = 2,
    VENC_PROFILE_H264_HIGH = 3,
    VENC_PROFILE_H264_HIGH_10 = 4,
    VENC_PROFILE_H265_MAIN = 5,
    VENC_PROFILE_H265_MAIN_10 = 6,
    VENC_PROFILE_BUTT
} k_venc_profile;

typedef enum {
    K_VENC_RC_MODE_CBR = 1,
    K_VENC_RC_MODE_VBR = 2,
    K_VENC_RC_MODE_FIXQP = 3,
    K_VENC_RC_MODE_MJPEG_FIXQP = 4,
    K_VENC_RC_MODE_BUTT
} k_venc_rc_mode;

typedef enum { ENTROPY_MODE_CAVLC = 0, ENTROPY_MODE_CABAC = 1, ENTROPY_MODE_BUTT } k_venc_entropy_mode;

/* Coding tools, set between create and start (docs/c-api.md). */
typedef struct {
    k_u32 slice_sao_luma_flag;
    k_u32 slice_sao_chroma_flag;
} k_venc_h265_sao;

typedef struct {
    k_venc_entropy_mode entropy_coding_mode;
    k_u8 cabac_init_idc;
} k_venc_h264_entropy;

typedef struct {
    k_u8 cabac_init_flag;
} k_venc_h265_entropy;

/* The header's values (the API reference's table says 0/1; the board's wrapper takes 1 and 2). */
typedef enum {
    K_VENC_MIRROR_HORI = 1,
    K_VENC_MIRROR_VERT = 2,
    K_VENC_MIRROR_BUTT
} k_venc_mirror;

typedef enum { K_VENC_P_FRAME = 1, K_VENC_I_FRAME = 2, K_VENC_HEADER = 3, K_VENC_BUTT } k_venc_pack_type;

/* A region of interest and its rectangle (declared by the SDK; no call of this library takes
 * them). */
typedef struct {
    k_s32 left;
    k_s32 right;
    k_u32 top;
    k_u32 bottom;
} k_venc_rect;

typedef struct {
    k_u32 idx;
    k_bool enable;
    k_bool is_abs_qp;
    k_s32 qp;
    k_venc_rect rect;
} k_venc_roi_attr;

#ifdef K230_MPP_CANMV
/* The CanMV MPP's layout (16 bytes): the channel's packs go to the VB pool the program
 * attaches with kd_mpi_venc_attach_vb_pool[_ex]. */
typedef struct {
    k_payload_type type;
    k_u32 pic_width;
    k_u32 pic_height;
    k_venc_profile profile;
} k_venc_attr;
#else
typedef struct {
    k_payload_type type;
    k_u32 stream_buf_size;
    k_u32 stream_buf_cnt;
    k_u32 pic_width;
    k_u32 pic_height;
    k_venc_profile profile;
} k_venc_attr;
#endif

typedef struct {
    k_u32 gop;
    k_u32 stats_time;
    k_u32 src_frame_rate;
    k_u32 dst_frame_rate;
    k_u32 bit_rate;
} k_venc_cbr;

typedef struct {
    k_u32 gop;
    k_u32 stats_time;
    k_u32 src_frame_rate;
    k_u32 dst_frame_rate;
    k_u32 max_bit_rate;
    k_u32 bit_rate;
} k_venc_vbr;

typedef struct {
    k_u32 gop;
    k_u32 src_frame_rate;
    k_u32 dst_frame_rate;
    k_u32 i_qp;
    k_u32 p_qp;
} k_venc_fixqp;

typedef struct {
    k_u32 src_frame_rate;
    k_u32 dst_frame_rate;
    k_u32 q_factor;
} k_venc_mjpeg_fixqp;

typedef struct {
    k_venc_rc_mode rc_mode;
    union {
        k_venc_cbr cbr;
        k_venc_vbr vbr;
        k_venc_fixqp fixqp;
        k_venc_mjpeg_fixqp mjpeg_fixqp;
    };
} k_venc_rc_attr;

typedef struct {
    k_venc_attr venc_attr;
    k_venc_rc_attr rc_attr;
} k_venc_chn_attr;

typedef struct {
    k_u64 phys_addr;
    k_u32 len;
    k_u64 pts;
    k_venc_pack_type type;
} k_venc_pack;

typedef struct {
    k_venc_pack *pack;
    k_u32 pack_cnt;
} k_venc_stream;

typedef struct {
    k_u32 u32PicBytesNum;
    k_u32 u32PicCnt;
    k_u32 u32StartQp;
    k_u32 u32MeanQp;
} k_venc_stream_info;

typedef struct {
    k_u32 cur_packs;
    k_u64 release_pic_pts;
    k_bool end_of_stream;
    k_venc_stream_info stream_info;
} k_venc_chn_status;


/* The 2D engine's counts: OSD regions and borders per channel, channels, RGB->YUV coefficients. */
#define K_VENC_MAX_2D_OSD_REGION_NUM 8
#define K_VENC_MAX_2D_BORDER_NUM 32
#define K_VENC_2D_MAX_CHN_NUM 3
#define K_VENC_2D_COEF_NUM 12

/* The 2D engine in front of the encoder (VENC+2D). The simulator draws OSD and BORDER; CSC
 * and the standalone 2D path answer K_ERR_VENC_NOT_SUPPORT (docs/c-api.md, D-057). */
typedef enum {
    K_VENC_2D_CALC_MODE_CSC = 0,
    K_VENC_2D_CALC_MODE_OSD,
    K_VENC_2D_CALC_MODE_BORDER,
    K_VENC_2D_CALC_MODE_OSD_BORDER,
    K_VENC_2D_CALC_MODE_BUTT
} k_venc_2d_calc_mode;

typedef enum {
    K_VENC_2D_SRC_DST_FMT_YUV420_NV12 = 0,
    K_VENC_2D_SRC_DST_FMT_YUV420_NV21,
    K_VENC_2D_SRC_DST_FMT_YUV420_I420,
    K_VENC_2D_SRC_DST_FMT_ARGB8888 = 4,
    K_VENC_2D_SRC_DST_FMT_ARGB4444,
    K_VENC_2D_SRC_DST_FMT_ARGB1555,
    K_VENC_2D_SRC_DST_FMT_XRGB8888,
    K_VENC_2D_SRC_DST_FMT_XRGB4444,
    K_VENC_2D_SRC_DST_FMT_XRGB1555,
    K_VENC_2D_SRC_DST_FMT_BGRA8888,
    K_VENC_2D_SRC_DST_FMT_BGRA4444,
    K_VENC_2D_SRC_DST_FMT_BGRA5551,
    K_VENC_2D_SRC_DST_FMT_BGRX8888,
    K_VENC_2D_SRC_DST_FMT_BGRX4444,
    K_VENC_2D_SRC_DST_FMT_BGRX5551,
    K_VENC_2D_SRC_DST_FMT_RGB888,
    K_VENC_2D_SRC_DST_FMT_BGR888,
    K_VENC_2D_SRC_DST_FMT_RGB565,
    K_VENC_2D_SRC_DST_FMT_BGR565,
    K_VENC_2D_SRC_DST_FMT_SEPERATE_RGB,
    K_VENC_2D_SRC_DST_FMT_BUTT
} k_venc_2d_src_dst_fmt;

/* Only the first three are drawn (as on the board); ARGB8888 is the little-endian word
 * 0xRRGGBBAA, alpha in the low byte, as the SDK's own OSD picture is laid out. */
typedef enum {
    K_VENC_2D_OSD_FMT_ARGB8888 = 0,
    K_VENC_2D_OSD_FMT_ARGB4444,
    K_VENC_2D_OSD_FMT_ARGB1555,
    K_VENC_2D_OSD_FMT_XRGB8888,
    K_VENC_2D_OSD_FMT_XRGB4444,
    K_VENC_2D_OSD_FMT_XRGB1555,
    K_VENC_2D_OSD_FMT_BGRA8888,
    K_VENC_2D_OSD_FMT_BGRA4444,
    K_VENC_2D_OSD_FMT_BGRA5551,
    K_VENC_2D_OSD_FMT_BGRX8888,
    K_VENC_2D_OSD_FMT_BGRX4444,
    K_VENC_2D_OSD_FMT_BGRX5551,
    K_VENC_2D_OSD_FMT_RGB888,
    K_VENC_2D_OSD_FMT_BGR888,
    K_VENC_2D_OSD_FMT_RGB565,
    K_VENC_2D_OSD_FMT_BGR565,
    K_VENC_2D_OSD_FMT_SEPERATE_RGB,
    K_VENC_2D_OSD_FMT_BUTT
} k_venc_2d_osd_fmt;

/* The layers of an OSD region, bottom to top. */
typedef enum {
    K_VENC_2D_ADD_ORDER_VIDEO_OSD = 0,
    K_VENC_2D_ADD_ORDER_OSD_VIDEO,
    K_VENC_2D_ADD_ORDER_VIDEO_BG,
    K_VENC_2D_ADD_ORDER_BG_VIDEO,
    K_VENC_2D_ADD_ORDER_VIDEO_BG_OSD,
    K_VENC_2D_ADD_ORDER_VIDEO_OSD_BG,
    K_VENC_2D_ADD_ORDER_BG_VIDEO_OSD,
    K_VENC_2D_ADD_ORDER_BG_OSD_VIDEO,
    K_VENC_2D_ADD_ORDER_OSD_VIDEO_BG,
    K_VENC_2D_ADD_ORDER_OSD_BG_VIDEO,
    K_VENC_2D_ADD_ORDER_BUTT
} k_venc_2d_add_order;

typedef enum {
    K_VENC_2D_ATTR_TYPE_BASE = 0,
    K_VENC_2D_ATTR_TYPE_OSD,
    K_VENC_2D_ATTR_TYPE_BORDER,
    K_VENC_2D_ATTR_TYPE_CSC_COEF,
    K_VENC_2D_ATTR_TYPE_OSD_COEF,
    K_VENC_2D_ATTR_TYPE_BUTT
} k_venc_2d_attr_type;

typedef enum {
    VENC_2D_COLOR_GAMUT_BT601 = 0,
    VENC_2D_COLOR_GAMUT_BT709,
    VENC_2D_COLOR_GAMUT_BT2020,
    VENC_2D_COLOR_GAMUT_BUTT
} k_venc_2d_color_gamut;

typedef struct {
    k_venc_2d_src_dst_fmt dst_fmt;
} k_venc_2d_csc_attr;

/* bg_color is YUV444: Y in bits 0-7, U in 8-15, V in 16-23. Sizes and positions even. */
typedef struct {
    k_u16 width;
    k_u16 height;
    k_u16 startx;
    k_u16 starty;
    k_u32 phys_addr[3];
    k_u8 bg_alpha;
    k_u8 osd_alpha;
    k_u8 video_alpha;
    k_venc_2d_add_order add_order;
    k_u32 bg_color;
    k_venc_2d_osd_fmt fmt;
} k_venc_2d_osd_attr;

/* color is YUV444 as bg_color above. */
typedef struct {
    k_u16 width;
    k_u16 height;
    k_u16 line_width;
    k_u32 color;
    k_u16 startx;
    k_u16 starty;
} k_venc_2d_border_attr;

/* Twelve RGB->YUV (OSD) or YUV->RGB (CSC) coefficients. */
typedef struct {
    k_s16 coef[K_VENC_2D_COEF_NUM];
} k_venc_2d_coef_attr;

#endif
