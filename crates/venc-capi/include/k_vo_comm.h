/* venc-sim: the video output (VO) types of the K230 MPP that libk230_mpp_sim models: the
 * device's timing, video and OSD layers, write-back (layouts of kendryte/k230_sdk v1.9's
 * k_vo_comm.h, checked from C by tests/layout.rs; docs/c-api.md, docs/display.md).
 * The text is venc-sim's. */
#ifndef VENC_SIM_K_VO_COMM_H
#define VENC_SIM_K_VO_COMM_H

#include "k_type.h"
#include "k_errno.h"
#include "k_module.h"
#include "k_video_comm.h"

#ifdef __cplusplus
extern "C" {
#endif

#define K_VO_MAX_DEV_NUMS 1
/* chn_num of kd_mpi_vo_chn_insert_frame: video layers 0-2, then OSD 0-3. */
#define K_VO_MAX_CHN_NUMS 7
#define K_VO_DISPLAY_DEV_ID 0
#define K_VO_DISPLAY_CHN_ID0 0
#define K_VO_DISPLAY_CHN_ID1 1
#define K_VO_DISPLAY_CHN_ID2 2
#define K_VO_DISPLAY_CHN_ID3 3
#define K_VO_DISPLAY_CHN_ID4 4
#define K_VO_DISPLAY_CHN_ID5 5
#define K_VO_DISPLAY_CHN_ID6 6

#define K_ERR_VO_INVALID_CHNID K_DEF_ERR(K_ID_VO, K_ERR_LEVEL_ERROR, K_ERR_INVALID_CHNID)
#define K_ERR_VO_ILLEGAL_PARAM K_DEF_ERR(K_ID_VO, K_ERR_LEVEL_ERROR, K_ERR_ILLEGAL_PARAM)
#define K_ERR_VO_NULL_PTR K_DEF_ERR(K_ID_VO, K_ERR_LEVEL_ERROR, K_ERR_NULL_PTR)
#define K_ERR_VO_NOT_CONFIG K_DEF_ERR(K_ID_VO, K_ERR_LEVEL_ERROR, K_ERR_NOT_CONFIG)
#define K_ERR_VO_BUF_EMPTY K_DEF_ERR(K_ID_VO, K_ERR_LEVEL_ERROR, K_ERR_BUF_EMPTY)
#define K_ERR_VO_NOTREADY K_DEF_ERR(K_ID_VO, K_ERR_LEVEL_ERROR, K_ERR_NOTREADY)
#define K_ERR_VO_BADADDR K_DEF_ERR(K_ID_VO, K_ERR_LEVEL_ERROR, K_ERR_BADADDR)

typedef enum {
    K_VO_LAYER0 = 0,
    K_VO_LAYER1 = 1,
    K_VO_LAYER2 = 2,
    K_MAX_VO_LAYER_NUM,
} k_vo_layer;

typedef enum {
    K_VO_OSD0 = 0,
    K_VO_OSD1 = 1,
    K_VO_OSD2 = 2,
    K_VO_OSD3 = 3,
    K_MAX_VO_OSD_NUM,
} k_vo_osd;

typedef enum {
    K_VO_INTF_MIPI = 0,
} k_vo_intf_type;

typedef enum {
    K_VO_OUT_1080P30,
    K_VO_OUT_1080P60,
} k_vo_intf_sync;

/* k_vo_video_layer_attr.func: rotation and mirror flags. */
typedef enum {
    K_ROTATION_0 = (0x01L << 0),
    K_ROTATION_90 = (0x01L << 1),
    K_ROTATION_180 = (0x01L << 2),
    K_ROTATION_270 = (0x01L << 3),
} k_vo_rotation;

typedef enum {
    K_VO_MIRROR_NONE = (0x01L << 4),
    K_VO_MIRROR_HOR = (0x01L << 5),
    K_VO_MIRROR_VER = (0x01L << 6),
    K_VO_MIRROR_BOTH = (0x01L << 7),
} k_vo_mirror_mode;

typedef struct {
    k_u32 x;
    k_u32 y;
} k_vo_point;

typedef struct {
    k_u32 width;
    k_u32 height;
} k_vo_size;

typedef struct {
    k_vo_size out_size;
    k_u32 stride;
} k_vo_scaler_attr;

/* A panel's timing: the refresh rate is pclk (kHz) * 1000 / (htotal * vtotal). */
typedef struct {
    k_u32 pclk;
    k_u32 phyclk;
    k_u32 htotal;
    k_u32 hdisplay;
    k_u32 hsync_len;
    k_u32 hback_porch;
    k_u32 hfront_porch;
    k_u32 vtotal;
    k_u32 vdisplay;
    k_u32 vsync_len;
    k_u32 vback_porch;
    k_u32 vfront_porch;
} k_vo_display_resolution;

typedef struct {
    k_u32 bg_color;
    k_vo_intf_type intf_type;
    k_vo_intf_sync intf_sync;
    k_vo_display_resolution *sync_info;
} k_vo_pub_attr;

typedef struct {
    k_vo_size target_size;
    k_pixel_format pixel_format;
    k_u32 stride;
    k_u32 y_phy_addr;
} k_vo_wbc_attr;

typedef struct {
    k_vo_point display_rect;
    k_vo_size img_size;
    k_pixel_format pixel_format;
    k_u32 stride;
    k_u32 func;
    k_vo_scaler_attr scaler_attr;
} k_vo_video_layer_attr;

typedef struct {
    k_vo_point display_rect;
    k_vo_size img_size;
    k_pixel_format pixel_format;
    k_u32 stride;
    k_u8 global_alptha;
} k_vo_video_osd_attr;

#ifdef __cplusplus
}
#endif

#endif
