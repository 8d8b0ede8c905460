/* venc-sim: the camera (VICAP) types of the K230 MPP that the kd_mpi_vicap_* calls take, with
 * the layouts of the SDK's k_vicap_comm.h at kendryte/k230_sdk v1.9 (LP64; several are
 * passed by value, so every field is here). docs/c-api.md lists what the simulator does with
 * each. Written for venc-sim; not the SDK's text. */
#ifndef VENC_SIM_K_VICAP_COMM_H
#define VENC_SIM_K_VICAP_COMM_H

#include "k_type.h"
#include "k_errno.h"
#include "k_module.h"
#include "k_video_comm.h"
#include "k_sensor_comm.h"

#define VICAP_MAX_DEV_NUMS (3)
#define VICAP_MAX_CHN_NUMS (3)
#define VICAP_MIN_FRAME_COUNT (3)
#define VICAP_MAX_FRAME_COUNT (10)
#define VICAP_IMG_MIN_WIDTH 320
#define VICAP_IMG_MIN_HEIGH 240
#define VICAP_IMG_MAX_WIDTH 2960
#define VICAP_IMG_MAX_HEIGH 2160
#define VICAP_ALIGN_1K 0x400
#define VICAP_ALIGN_UP(addr, size) (((addr) + ((size) - 1U)) & (~((size) - 1U)))

typedef enum { VICAP_CSI0 = 1, VICAP_CSI1 = 2, VICAP_CSI2 = 3 } k_vicap_csi_num;
typedef enum { VICAP_MIPI_1LANE = 0, VICAP_MIPI_2LANE = 1, VICAP_MIPI_4LANE = 3 } k_vicap_mipi_lanes;
typedef enum {
    VICAP_MIPI_PHY_800M = 1,
    VICAP_MIPI_PHY_1200M = 2,
    VICAP_MIPI_PHY_1600M = 3,
} k_vicap_mipi_phy_freq;
typedef enum {
    VICAP_CSI_DATA_TYPE_RAW8 = 0x2A,
    VICAP_CSI_DATA_TYPE_RAW10 = 0x2B,
    VICAP_CSI_DATA_TYPE_RAW12 = 0x2C,
    VICAP_CSI_DATA_TYPE_RAW16 = 0x2E,
    VICAP_CSI_DATA_TYPE_YUV422_8 = 0x1E,
} k_vicap_csi_data_type;
typedef enum {
    VICAP_FLASH_FOLLOW_STROBE = 0,
    VICAP_FLASH_FOLLOW_STROBE_BASE_PWM = 1,
    VICAP_FLASH_NORMAL_PWM = 2,
    VICAP_FLASH_DISABLE = 3,
} k_vicap_vi_flash_mode;
typedef enum {
    VICAP_SOURCE_CSI0 = 0,
    VICAP_SOURCE_CSI1 = 1,
    VICAP_SOURCE_CSI1_FS_TR0 = 2,
    VICAP_SOURCE_CSI1_FS_TR1 = 3,
    VICAP_SOURCE_CSI2 = 4,
} k_vicap_data_source;
typedef enum {
    VICAP_VCID_HDR_2FRAME = 0,
    VICAP_VCID_HDR_3FRAME = 1,
    VICAP_SONY_HDR_3FRAME = 2,
    VICAP_SONY_HDR_2FRAME = 3,
    VICAP_LINERA_MODE = 4,
} k_vicap_hdr_mode;
typedef enum { VICAP_VI_FIRST_FRAME_FS_TR0 = 0, VICAP_VI_FIRST_FRAME_FS_TR1 = 1 } k_vicap_vi_first_frame_sel;

/* Online and offline capture, load-image mode (kd_mpi_vicap_load_image feeds the ISP); the
 * MCM-only and software-tile modes are refused (NOT_SUPPORT). */
typedef enum {
    VICAP_WORK_ONLINE_MODE,
    VICAP_WORK_OFFLINE_MODE,
    VICAP_WORK_LOAD_IMAGE_MODE,
    VICAP_WORK_ONLY_MCM_MODE,
    VICAP_WORK_SW_TILE_MODE,
} k_vicap_work_mode;
typedef enum { VICAP_IPI1 = 1, VICAP_IPI2 = 2, VICAP_IPI3 = 3 } k_vicap_vi_ipi;
typedef enum { VICAP_CSI_CAMERA_MODE = 0, VICAP_CSI_CONTROL_MODE = 1 } k_vicap_csi_work_mode;
typedef enum {
    VICAP_VI_DVP_PORT0 = 0,
    VICAP_VI_DVP_PORT1 = 1,
    VICAP_VI_DVP_PORT2 = 2,
    VICAP_VI_DVP_PORT_MAX,
} k_vicap_vi_dvp_port;
typedef enum {
    VICAP_FILL_LIGHT_CTRL_NORMAL = 0,
    VICAP_FILL_LIGHT_CTRL_IR = 100,
    VICAP_FILL_LIGHT_CTRL_SPECKLE,
    VICAP_FILL_LIGHT_CTRL_MAX = 255,
} k_vicap_fill_light_ctrl_state;
typedef enum { STC_27M_CLK = 0, STC_1M_CLK = 1, STC_90K_CLK = 2 } k_vicap_stcmode;
typedef enum {
    VICAP_MCM_RAW8 = 0,
    VICAP_MCM_RAW10 = 1,
    VICAP_MCM_RAW12 = 2,
    VICAP_MCM_RAW14 = 3,
    VICAP_MCM_RAW16 = 4,
    VICAP_MCM_RAW24 = 5,
} k_vicap_mcm_format;
typedef enum { VICAP_INPUT_TYPE_SENSOR, VICAP_INPUT_TYPE_IMAGE } k_vicap_input_type;
typedef k_sensor_bayer_pattern k_vicap_image_pattern;

typedef struct {
    k_u16 h_start;
    k_u16 v_start;
    k_u16 width;
    k_u16 height;
} k_vicap_window;

typedef enum { VICAP_DEV_ID_0 = 0, VICAP_DEV_ID_1 = 1, VICAP_DEV_ID_2 = 2, VICAP_DEV_ID_MAX } k_vicap_dev;
typedef enum { VICAP_CHN_ID_0 = 0, VICAP_CHN_ID_1 = 1, VICAP_CHN_ID_2 = 2, VICAP_CHN_ID_MAX } k_vicap_chn;
typedef enum { VICAP_DUMP_YUV = 0, VICAP_DUMP_RGB = 1, VICAP_DUMP_RAW = 2, VICAP_DUMP_YUV444 = 3 } k_vicap_dump_format;

/* ISP block enables, bit 0 ae … bit 27 roi; the simulated ISP has none to switch. */
typedef union {
    struct {
        k_u32 ae_enable : 1;
        k_u32 af_enable : 1;
        k_u32 ahdr_enable : 1;
        k_u32 awb_enable : 1;
        k_u32 ccm_enable : 1;
        k_u32 compress_enable : 1;
        k_u32 expand_enable : 1;
        k_u32 cnr_enable : 1;
        k_u32 ynr_enable : 1;
        k_u32 cproc_enable : 1;
        k_u32 dci_enable : 1;
        k_u32 demosaic_enable : 1;
        k_u32 dg_enable : 1;
        k_u32 dpcc_enable : 1;
        k_u32 dpf_enable : 1;
        k_u32 ee_enable : 1;
        k_u32 gc_enable : 1;
        k_u32 ge_enable : 1;
        k_u32 gtm_enable : 1;
        k_u32 lsc_enable : 1;
        k_u32 lut3d_enable : 1;
        k_u32 pdaf_enable : 1;
        k_u32 rgbir_enable : 1;
        k_u32 wb_enable : 1;
        k_u32 wdr_enable : 1;
        k_u32 dnr3_enable : 1;
        k_u32 dnr2_enable : 1;
        k_u32 roi_enable : 1;
        k_u32 reserved_enable : 4;
    } bits;
    k_u32 data;
} k_vicap_isp_pipe_ctrl;

/* What kd_mpi_vicap_get_sensor_info says of a sensor type: its chip, mode size and link. */
typedef struct {
    const char *sensor_name;
    const char *database_name;
    k_u16 width;
    k_u16 height;
    k_vicap_csi_num csi_num;
    k_vicap_mipi_lanes mipi_lanes;
    k_vicap_data_source source_id;
    k_bool is_3d_sensor;
    k_vicap_mipi_phy_freq phy_freq;
    k_vicap_csi_data_type data_type;
    k_vicap_hdr_mode hdr_mode;
    k_vicap_vi_flash_mode flash_mode;
    k_vicap_vi_first_frame_sel first_frame;
    k_u16 glitch_filter;
    k_u16 fps;
    k_vicap_sensor_type sensor_type;
} k_vicap_sensor_info;

/* A string kd_mpi_vicap_get_sensor_type translates ("cam-imx335-mode0", …). */
typedef struct {
    const char *sensor_string;
    k_vicap_sensor_type sensor_type;
} k_vicap_sensor_type_map;

/* One output channel: out_win is the picture's size (width a multiple of 16); crop_win cuts
 * the acquisition window first when crop_enable; buffer_num 3..10 buffers of buffer_size;
 * alignment n puts the UV plane at a 2^n-byte boundary. */
typedef struct {
    k_vicap_window out_win;
    k_vicap_window crop_win;
    k_vicap_window scale_win;
    k_bool crop_enable;
    k_bool scale_enable;
    k_bool chn_enable;
    k_pixel_format pix_format;
    k_u32 buffer_num;
    k_u32 buffer_size;
    k_u8 alignment;
    k_u8 fps;
#ifdef K230_MPP_CANMV
    /* The pool the channel's buffers come from; VB_INVALID_POOLID: the driver's own. */
    k_u32 buffer_pool_id;
#endif
} k_vicap_chn_attr;

typedef enum {
    VICAP_MIRROR_NONE = 0,
    VICAP_MIRROR_HOR = 1,
    VICAP_MIRROR_VER = 2,
    VICAP_MIRROR_BOTH = 3,
} k_vicap_mirror;

typedef struct {
    k_vicap_sensor_type sensor_type;
    k_vicap_mirror mirror;
} k_vicap_mirror_mode;

typedef enum { VICAP_MCLK0 = 1, VICAP_MCLK1 = 2, VICAP_MCLK2 = 3 } k_vicap_mclk_id;
typedef enum {
    VICAP_PLL0_CLK_DIV4 = 5,
    VICAP_PLL1_CLK_DIV3 = 8,
    VICAP_PLL1_CLK_DIV4 = 9,
} k_vicap_mclk_sel;
typedef enum {
    VICAP_DATABASE_PARSE_XML_JSON = 0,
    VICAP_DATABASE_PARSE_HEADER = 1,
} k_vicap_database_parse_mode;
typedef enum { VICAP_SLAVE_ID0 = 1, VICAP_SLAVE_ID1 = 2 } k_vicap_slave_id;

/* Drop m of every n frames of a CSI bus (kd_mpi_vicap_set_vi_drop_frame). */
typedef struct {
    k_u8 m;
    k_u8 n;
    k_vicap_hdr_mode mode;
} k_vicap_drop_frame;

/* The sync signals the K230 drives for a sensor in slave mode. */
typedef struct {
    k_u32 hs_delay;
    k_u32 vs_cycle;
    k_u32 hs_cycle;
    k_u32 vs_high;
    k_u32 hs_high;
} k_vicap_slave_info;

typedef struct {
    k_bool hs_enable;
    k_bool vs_enable;
} k_vicap_slave_enable;

typedef struct {
    k_vicap_dev dev_num;
    k_vicap_chn chn_num;
    k_s32 sensor_fd;
} k_vicap_sensor_attr;

/* Up to 16 sensor types that answered on one CSI bus (kd_mpi_adapt_sensor_get). */
typedef struct {
    k_u32 adapt_id[16];
    k_u32 adapt_len;
} k_vicap_adapt_id;

/* What kd_mpi_sensor_adapt_get looks for on a bus; it writes back the driver's name and the
 * board's default mirror for the sensor found. */
typedef struct {
    k_u32 csi_num;
    k_u32 width;
    k_u32 height;
    k_u32 fps;
    k_u32 mirror;
    k_u8 sensor_name[32];
} k_vicap_probe_config;

typedef struct {
    k_vicap_window acq_win;
    k_vicap_work_mode mode;
    k_vicap_input_type input_type;
    k_vicap_image_pattern image_pat;
    k_vicap_isp_pipe_ctrl pipe_ctrl;
    k_u32 cpature_frame;
    k_vicap_sensor_info sensor_info;
    k_bool dw_enable;
    k_bool dev_enable;
    k_u32 buffer_num;
    k_u32 buffer_size;
    k_vicap_mirror mirror;
#ifdef K230_MPP_CANMV
    k_u32 buffer_pool_id;
#endif
} k_vicap_dev_attr;

#define K_ERR_VICAP_INVALID_DEVID K_DEF_ERR(K_ID_VICAP, K_ERR_LEVEL_ERROR, K_ERR_INVALID_DEVID)
#define K_ERR_VICAP_INVALID_CHNID K_DEF_ERR(K_ID_VICAP, K_ERR_LEVEL_ERROR, K_ERR_INVALID_CHNID)
#define K_ERR_VICAP_ILLEGAL_PARAM K_DEF_ERR(K_ID_VICAP, K_ERR_LEVEL_ERROR, K_ERR_ILLEGAL_PARAM)
#define K_ERR_VICAP_EXIST K_DEF_ERR(K_ID_VICAP, K_ERR_LEVEL_ERROR, K_ERR_EXIST)
#define K_ERR_VICAP_UNEXIST K_DEF_ERR(K_ID_VICAP, K_ERR_LEVEL_ERROR, K_ERR_UNEXIST)
#define K_ERR_VICAP_NULL_PTR K_DEF_ERR(K_ID_VICAP, K_ERR_LEVEL_ERROR, K_ERR_NULL_PTR)
#define K_ERR_VICAP_NOT_CONFIG K_DEF_ERR(K_ID_VICAP, K_ERR_LEVEL_ERROR, K_ERR_NOT_CONFIG)
#define K_ERR_VICAP_NOT_SUPPORT K_DEF_ERR(K_ID_VICAP, K_ERR_LEVEL_ERROR, K_ERR_NOT_SUPPORT)
#define K_ERR_VICAP_NOT_PERM K_DEF_ERR(K_ID_VICAP, K_ERR_LEVEL_ERROR, K_ERR_NOT_PERM)
#define K_ERR_VICAP_NOMEM K_DEF_ERR(K_ID_VICAP, K_ERR_LEVEL_ERROR, K_ERR_NOMEM)
#define K_ERR_VICAP_NOTREADY K_DEF_ERR(K_ID_VICAP, K_ERR_LEVEL_ERROR, K_ERR_NOTREADY)

#endif
