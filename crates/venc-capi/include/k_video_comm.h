/* venc-sim: the video frame a program hands to kd_mpi_venc_send_frame, as k_video_comm.h
 * lays it out (k_video_frame 216 bytes, k_video_frame_info 224; k230-mpp-c-api.md §3).
 * Every enumerator with the values of kendryte/k230_sdk v1.9 (66dd75f, NV12 = 31; docs/c-api.md).
 * Written for venc-sim; not the SDK's text. */
#ifndef VENC_SIM_K_VIDEO_COMM_H
#define VENC_SIM_K_VIDEO_COMM_H

#include "k_type.h"
#include "k_module.h"

typedef enum {
    PIXEL_FORMAT_RGB_444 = 0,
    PIXEL_FORMAT_RGB_555 = 1,
    PIXEL_FORMAT_RGB_565 = 2,
    PIXEL_FORMAT_RGB_888 = 3,
    PIXEL_FORMAT_BGR_444 = 4,
    PIXEL_FORMAT_BGR_555 = 5,
    PIXEL_FORMAT_BGR_565 = 6,
    PIXEL_FORMAT_BGR_888 = 7,
    PIXEL_FORMAT_ARGB_1555 = 8,
    PIXEL_FORMAT_ARGB_4444 = 9,
    PIXEL_FORMAT_ARGB_8565 = 10,
    PIXEL_FORMAT_ARGB_8888 = 11,
    PIXEL_FORMAT_ARGB_2BPP = 12,
    PIXEL_FORMAT_ABGR_1555 = 13,
    PIXEL_FORMAT_ABGR_4444 = 14,
    PIXEL_FORMAT_ABGR_8565 = 15,
    PIXEL_FORMAT_ABGR_8888 = 16,
    PIXEL_FORMAT_BGRA_8888 = 17,
    PIXEL_FORMAT_RGB_MONOCHROME_8BPP = 18,
    PIXEL_FORMAT_RGB_BAYER_8BPP = 19,
    PIXEL_FORMAT_RGB_BAYER_10BPP = 20,
    PIXEL_FORMAT_RGB_BAYER_12BPP = 21,
    PIXEL_FORMAT_RGB_BAYER_14BPP = 22,
    PIXEL_FORMAT_RGB_BAYER_16BPP = 23,
    PIXEL_FORMAT_YVU_PLANAR_422 = 24,
    PIXEL_FORMAT_YVU_PLANAR_420 = 25,
    PIXEL_FORMAT_YVU_PLANAR_444 = 26,
    PIXEL_FORMAT_YVU_SEMIPLANAR_422 = 27,
    PIXEL_FORMAT_YVU_SEMIPLANAR_420 = 28,
    PIXEL_FORMAT_YVU_SEMIPLANAR_444 = 29,
    PIXEL_FORMAT_YUV_SEMIPLANAR_422 = 30,
    PIXEL_FORMAT_YUV_SEMIPLANAR_420 = 31,
    PIXEL_FORMAT_YUV_SEMIPLANAR_444 = 32,
    PIXEL_FORMAT_YUYV_PACKAGE_422 = 33,
    PIXEL_FORMAT_YVYU_PACKAGE_422 = 34,
    PIXEL_FORMAT_UYVY_PACKAGE_422 = 35,
    PIXEL_FORMAT_VYUY_PACKAGE_422 = 36,
    PIXEL_FORMAT_YYUV_PACKAGE_422 = 37,
    PIXEL_FORMAT_YYVU_PACKAGE_422 = 38,
    PIXEL_FORMAT_UVYY_PACKAGE_422 = 39,
    PIXEL_FORMAT_VUYY_PACKAGE_422 = 40,
    PIXEL_FORMAT_VY1UY0_PACKAGE_422 = 41,
    PIXEL_FORMAT_YUV_PACKAGE_444 = 42,
    PIXEL_FORMAT_YUV_400 = 43,
    PIXEL_FORMAT_UV_420 = 44,
    PIXEL_FORMAT_BGR_888_PLANAR = 45,
    PIXEL_FORMAT_RGB_888_PLANAR = 46,
    PIXEL_FORMAT_HSV_888_PACKAGE = 47,
    PIXEL_FORMAT_HSV_888_PLANAR = 48,
    PIXEL_FORMAT_LAB_888_PACKAGE = 49,
    PIXEL_FORMAT_LAB_888_PLANAR = 50,
    PIXEL_FORMAT_S8C1 = 51,
    PIXEL_FORMAT_S8C2_PACKAGE = 52,
    PIXEL_FORMAT_S8C2_PLANAR = 53,
    PIXEL_FORMAT_S8C3_PLANAR = 54,
    PIXEL_FORMAT_S16C1 = 55,
    PIXEL_FORMAT_U8C1 = 56,
    PIXEL_FORMAT_U16C1 = 57,
    PIXEL_FORMAT_S32C1 = 58,
    PIXEL_FORMAT_U32C1 = 59,
    PIXEL_FORMAT_U64C1 = 60,
    PIXEL_FORMAT_S64C1 = 61,
    PIXEL_FORMAT_RGB_565_LE = 300,
    PIXEL_FORMAT_BGR_565_LE = 301,
    PIXEL_FORMAT_BUTT = 302,
} k_pixel_format;

typedef enum {
    VIDEO_FIELD_TOP = 1,
    VIDEO_FIELD_BOTTOM = 2,
    VIDEO_FIELD_INTERLACED = 3,
    VIDEO_FIELD_FRAME = 4,
    VIDEO_FIELD_BUTT = 5,
} k_video_field;

typedef enum {
    VIDEO_FORMAT_LINEAR = 0,
    VIDEO_FORMAT_TILE_64x16 = 1,
    VIDEO_FORMAT_TILE_16x8 = 2,
    VIDEO_FORMAT_LINEAR_DISCRETE = 3,
    VIDEO_FORMAT_BUTT = 4,
} k_video_format;

typedef enum {
    DYNAMIC_RANGE_SDR8 = 0,
    DYNAMIC_RANGE_SDR10 = 1,
    DYNAMIC_RANGE_HDR10 = 2,
    DYNAMIC_RANGE_HLG = 3,
    DYNAMIC_RANGE_SLF = 4,
    DYNAMIC_RANGE_XDR = 5,
    DYNAMIC_RANGE_BUTT = 6,
} k_dynamic_range;

typedef enum {
    COLOR_GAMUT_BT601 = 0,
    COLOR_GAMUT_BT709 = 1,
    COLOR_GAMUT_BT2020 = 2,
    COLOR_GAMUT_USER = 3,
    COLOR_GAMUT_BUTT = 4,
} k_color_gamut;

typedef enum {
    COMPRESS_MODE_NONE = 0,
    COMPRESS_MODE_SEG = 1,
    COMPRESS_MODE_TILE = 2,
    COMPRESS_MODE_LINE = 3,
    COMPRESS_MODE_FRAME = 4,
    COMPRESS_MODE_BUTT = 5,
} k_compress_mode;

/* Sizes of the JPEG DCF (EXIF) strings. */
#define DCF_DRSCRIPTION_LENGTH 32
#define DCF_CAPTURE_TIME_LENGTH 20

/* What the ISP records with a picture: its DCF (EXIF) fields and exposure state. The simulator
 * fills none of them; they are here so programs that name them build. */
typedef struct {
    k_u8 image_description[DCF_DRSCRIPTION_LENGTH];
    k_u8 make[DCF_DRSCRIPTION_LENGTH];
    k_u8 model[DCF_DRSCRIPTION_LENGTH];
    k_u8 software[DCF_DRSCRIPTION_LENGTH];
    k_u8 light_source;
    k_u32 focal_length;
    k_u8 scene_type;
    k_u8 custom_rendered;
    k_u8 focal_length_in35mm_film;
    k_u8 scene_capture_type;
    k_u8 gain_control;
    k_u8 contrast;
    k_u8 saturation;
    k_u8 sharpness;
    k_u8 metering_mode;
} k_isp_dcf_const_info;

typedef struct {
    k_u32 iso_speed_ratings;
    k_u32 exposure_time;
    k_u32 exposure_bias_value;
    k_u8 exposure_program;
    k_u32 f_number;
    k_u32 max_aperture_value;
    k_u8 exposure_mode;
    k_u8 white_balance;
} k_isp_dcf_update_info;

typedef struct {
    k_isp_dcf_const_info isp_dcf_const_info;
    k_isp_dcf_update_info isp_dcf_update_info;
} k_isp_dcf_info;

typedef struct {
    k_u8 capture_time[DCF_CAPTURE_TIME_LENGTH];
    k_u32 flash;
    k_u32 digital_zoom_ratio;
    k_isp_dcf_info isp_dcf_info;
} k_jpeg_dcf;

typedef struct {
    k_u32 iso;
    k_u32 exposure_time;
    k_u32 isp_dgain;
    k_u32 again;
    k_u32 dgain;
    k_u32 ratio[3];
    k_u32 isp_nr_strength;
    k_u32 f_number;
    k_u32 sensor_id;
    k_u32 sensor_mode;
    k_u32 hmax_times;
    k_u32 vmax;
    k_u32 vc_num;
} k_isp_frame_info;

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
