/* venc-sim: the video frame a program hands to kd_mpi_venc_send_frame, as k_video_comm.h
 * lays it out (k_video_frame 216 bytes, k_video_frame_info 224; k230-mpp-c-api.md §3).
 * Pixel formats carry the newest SDK's values (NV12 = 31, docs/c-api.md); only the ones
 * a VENC program meets are named. Written for venc-sim; not the SDK's text. */
#ifndef VENC_SIM_K_VIDEO_COMM_H
#define VENC_SIM_K_VIDEO_COMM_H

#include "k_type.h"
#include "k_module.h"

typedef enum {
    PIXEL_FORMAT_RGB_565 = 2,
    PIXEL_FORMAT_RGB_888 = 3,
    PIXEL_FORMAT_ARGB_1555 = 8,
    PIXEL_FORMAT_ARGB_4444 = 9,
    PIXEL_FORMAT_ARGB_8888 = 11,
    PIXEL_FORMAT_ABGR_8888 = 16,
    PIXEL_FORMAT_BGRA_8888 = 17,
    PIXEL_FORMAT_YVU_SEMIPLANAR_420 = 28, /* NV21 */
    PIXEL_FORMAT_YUV_SEMIPLANAR_420 = 31, /* NV12: what the VENC encodes */
    PIXEL_FORMAT_YUV_400 = 43,
    PIXEL_FORMAT_BGR_888_PLANAR = 45,
    PIXEL_FORMAT_RGB_888_PLANAR = 46,
} k_pixel_format;

typedef enum {
    VIDEO_FIELD_TOP = 1,
    VIDEO_FIELD_BOTTOM = 2,
    VIDEO_FIELD_INTERLACED = 3,
    VIDEO_FIELD_FRAME = 4,
} k_video_field;

typedef enum { VIDEO_FORMAT_LINEAR = 0 } k_video_format;
typedef enum { DYNAMIC_RANGE_SDR8 = 0 } k_dynamic_range;
typedef enum { COMPRESS_MODE_NONE = 0 } k_compress_mode;
typedef enum { COLOR_GAMUT_BT601 = 0, COLOR_GAMUT_BT709 = 1, COLOR_GAMUT_BT2020 = 2 } k_color_gamut;

typedef struct {
    k_u64 jpeg_dcf_phy_addr;
    k_u64 isp_info_phy_addr;
    void *jpeg_dcf_kvirt_addr;
    void *isp_info_kvirt_addr;
} k_video_supplement;

typedef struct {
    k_u32 width;
    k_u32 height;
    k_video_field field;
    k_pixel_format pixel_format;
    k_video_format video_format;
    k_dynamic_range dynamic_range;
    k_compress_mode compress_mode;
    k_color_gamut color_gamut;
    k_u32 header_stride[3];
    k_u32 stride[3];
    k_u64 header_phys_addr[3];
    k_u64 header_virt_addr[3];
    k_u64 phys_addr[3]; /* NV12: Y plane, then the interleaved UV plane */
    k_u64 virt_addr[3];
    k_s16 offset_top;
    k_s16 offset_bottom;
    k_s16 offset_left;
    k_s16 offset_right;
    k_u32 time_ref;
    k_u64 pts; /* copied into the picture's I/P pack */
    k_u64 priv_data;
    k_video_supplement supplement;
} k_video_frame;

typedef struct {
    k_video_frame v_frame;
    k_u32 pool_id;
    k_mod_id mod_id;
} k_video_frame_info;

#endif
