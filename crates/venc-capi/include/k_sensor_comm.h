/* venc-sim: the sensors and sensor-driver types of the K230 MPP, with the values and layouts of
 * the SDK's k_sensor_comm.h at kendryte/k230_sdk v1.9 (66dd75f; docs/c-api.md): every sensor
 * type, the mode, gain, exposure, test-pattern and clock types the kd_mpi_sensor_* calls take.
 * Written for venc-sim; not the SDK's text. */
#ifndef VENC_SIM_K_SENSOR_COMM_H
#define VENC_SIM_K_SENSOR_COMM_H

#include "k_type.h"

/* One sensor driver in one mode (size, rate, lanes, CSI bus). 29 and 59 are unused. */
typedef enum {
    OV_OV9732_MIPI_1280X720_30FPS_10BIT_LINEAR = 0,
    OV_OV9286_MIPI_1280X720_30FPS_10BIT_LINEAR_IR = 1,
    OV_OV9286_MIPI_1280X720_30FPS_10BIT_LINEAR_SPECKLE = 2,
    OV_OV9286_MIPI_1280X720_60FPS_10BIT_LINEAR_IR = 3,
    OV_OV9286_MIPI_1280X720_60FPS_10BIT_LINEAR_SPECKLE = 4,
    OV_OV9286_MIPI_1280X720_30FPS_10BIT_LINEAR_IR_SPECKLE = 5,
    OV_OV9286_MIPI_1280X720_60FPS_10BIT_LINEAR_IR_SPECKLE = 6,
    IMX335_MIPI_2LANE_RAW12_1920X1080_30FPS_LINEAR = 7,
    IMX335_MIPI_2LANE_RAW12_2592X1944_30FPS_LINEAR = 8,
    IMX335_MIPI_4LANE_RAW12_2592X1944_30FPS_LINEAR = 9,
    IMX335_MIPI_2LANE_RAW12_1920X1080_30FPS_MCLK_7425_LINEAR = 10,
    IMX335_MIPI_2LANE_RAW12_2592X1944_30FPS_MCLK_7425_LINEAR = 11,
    IMX335_MIPI_4LANE_RAW12_2592X1944_30FPS_MCLK_7425_LINEAR = 12,
    IMX335_MIPI_4LANE_RAW10_2XDOL = 13,
    IMX335_MIPI_4LANE_RAW10_3XDOL = 14,
    SC_SC035HGS_MIPI_1LANE_RAW10_640X480_120FPS_LINEAR = 15,
    SC_SC035HGS_MIPI_1LANE_RAW10_640X480_60FPS_LINEAR = 16,
    SC_SC035HGS_MIPI_1LANE_RAW10_640X480_30FPS_LINEAR = 17,
    OV_OV9286_MIPI_1280X720_30FPS_10BIT_MCLK_25M_LINEAR_SPECKLE = 18,
    OV_OV9286_MIPI_1280X720_30FPS_10BIT_MCLK_25M_LINEAR_IR = 19,
    OV_OV9732_MIPI_1280X720_30FPS_10BIT_MCLK_16M_LINEAR = 20,
    OV_OV5647_MIPI_1920X1080_30FPS_10BIT_LINEAR = 21,
    OV_OV5647_MIPI_2592x1944_10FPS_10BIT_LINEAR = 22,
    OV_OV5647_MIPI_640x480_90FPS_10BIT_LINEAR = 23,
    OV_OV5647_MIPI_CSI0_1920X1080_30FPS_10BIT_LINEAR = 24,
    SC_SC201CS_MIPI_1LANE_RAW10_1600X1200_30FPS_LINEAR = 25,
    SC_SC201CS_SLAVE_MODE_MIPI_1LANE_RAW10_1600X1200_30FPS_LINEAR = 26,
    OV_OV5647_MIPI_CSI1_1920X1080_30FPS_10BIT_LINEAR = 27,
    OV_OV5647_MIPI_CSI2_1920X1080_30FPS_10BIT_LINEAR = 28,
    XS9950_MIPI_CSI0_1280X720_30FPS_YUV422 = 30,
    XS9950_MIPI_CSI1_1280X720_30FPS_YUV422 = 31,
    XS9950_MIPI_CSI2_1280X720_30FPS_YUV422 = 32,
    XS9950_MIPI_CSI0_1920X1080_30FPS_YUV422 = 33,
    OV_OV9286_MIPI_1280X720_30FPS_10BIT_MCLK_25M_LINEAR_SPECKLE_V2 = 34,
    OV_OV9286_MIPI_1280X720_30FPS_10BIT_MCLK_25M_LINEAR_IR_V2 = 35,
    OV_OV9732_MIPI_1280X720_30FPS_10BIT_MCLK_16M_LINEAR_V2 = 36,
    OV_OV5647_MIPI_CSI0_1920X1080_30FPS_10BIT_LINEAR_V2 = 37,
    OV_OV5647_MIPI_CSI1_1920X1080_30FPS_10BIT_LINEAR_V2 = 38,
    OV_OV5647_MIPI_CSI2_1920X1080_30FPS_10BIT_LINEAR_V2 = 39,
    GC2053_MIPI_CSI0_1920X1080_30FPS_10BIT_LINEAR = 40,
    OV_OV5647_MIPI_CSI1_640x480_90FPS_10BIT_LINEAR = 41,
    OV_OV5647_MIPI_CSI1_1280X720_60FPS_10BIT_LINEAR = 42,
    OV_OV5647_MIPI_CSI1_1280X960_45FPS_10BIT_LINEAR = 43,
    OV_OV5647_MIPI_CSI0_1280X720_60FPS_10BIT_LINEAR = 44,
    OV_OV5647_MIPI_CSI0_1280X960_45FPS_10BIT_LINEAR = 45,
    OV_OV5647_MIPI_CSI2_640x480_90FPS_10BIT_LINEAR = 46,
    OV_OV5647_MIPI_CSI2_1280X720_60FPS_10BIT_LINEAR = 47,
    OV_OV5647_MIPI_CSI2_1280X960_45FPS_10BIT_LINEAR = 48,
    GC2053_MIPI_CSI2_1920X1080_30FPS_10BIT_LINEAR = 49,
    GC2093_MIPI_CSI0_1920X1080_30FPS_10BIT_LINEAR = 50,
    GC2093_MIPI_CSI0_1920X1080_60FPS_10BIT_LINEAR = 51,
    GC2093_MIPI_CSI2_1920X1080_30FPS_10BIT_LINEAR = 52,
    GC2093_MIPI_CSI2_1920X1080_60FPS_10BIT_LINEAR = 53,
    GC2093_MIPI_CSI0_1280X960_90FPS_10BIT_LINEAR = 54,
    GC2093_MIPI_CSI2_1280X960_90FPS_10BIT_LINEAR = 55,
    GC2093_MIPI_CSI0_1280X720_90FPS_10BIT_LINEAR = 56,
    GC2093_MIPI_CSI2_1280X720_90FPS_10BIT_LINEAR = 57,
    GC2053_MIPI_CSI0_1280X960_50FPS_10BIT_LINEAR = 58,
    GC2053_MIPI_CSI0_1280X720_60FPS_10BIT_LINEAR = 60,
    GC2053_MIPI_CSI2_1280X960_50FPS_10BIT_LINEAR = 61,
    GC2053_MIPI_CSI2_1280X720_60FPS_10BIT_LINEAR = 62,
    GC2093_MIPI_CSI1_1920X1080_30FPS_10BIT_LINEAR = 63,
    GC2093_MIPI_CSI1_1920X1080_60FPS_10BIT_LINEAR = 64,
    GC2093_MIPI_CSI1_1280X960_90FPS_10BIT_LINEAR = 65,
    GC2093_MIPI_CSI1_1280X720_90FPS_10BIT_LINEAR = 66,
    OS08A20_MIPI_CSI0_3840X2160_30FPS_10BIT_LINEAR = 67,
    SC132GS_MIPI_CSI2_1080X1200_30FPS_10BIT_LINEAR = 68,
    SC132GS_MIPI_CSI2_640X480_30FPS_10BIT_LINEAR = 69,
    BY3238_MIPI_CSI2_1920X1080_30FPS_10BIT_LINEAR = 70,
    BY3238_MIPI_CSI2_1280X960_30FPS_10BIT_LINEAR = 71,
    SENSOR_TYPE_MAX,
} k_vicap_sensor_type;

/* Names older SDKs gave these types (v1.6): type 23 was "60FPS", type 29 the XS9922B. */
#define OV_OV5647_MIPI_640x480_60FPS_10BIT_LINEAR OV_OV5647_MIPI_640x480_90FPS_10BIT_LINEAR
#define XS9922B_MIPI_CSI0_1280X720_30FPS_YUV422_DOL3 ((k_vicap_sensor_type)29)

typedef enum {
    SENSOR_MODE_LINEAR,
    SENSOR_MODE_HDR_STITCH,
    SENSOR_MODE_HDR_NATIVE,
} k_sensor_hdr_mode;

typedef enum {
    SENSOR_AF_MODE_NOTSUPP,
    SENSOR_AF_MODE_CDAF,
    SENSOR_AF_MODE_PDAF,
} k_sensor_af_mode;

typedef enum {
    SENSOR_COLOR = 0,
    SENSOR_MONO = 1,
    SENSOR_COLOR_GRAY = 2,
    SENSOR_COLOR_IR = 3,
} k_sensor_color_type;

/* The 2x2 colour filter of a raw image; the simulator demosaics the four RGB ones. */
typedef enum {
    BAYER_PAT_RGGB = 0x00,
    BAYER_PAT_GRBG = 0x01,
    BAYER_PAT_GBRG = 0x02,
    BAYER_PAT_BGGR = 0x03,
    BAYER_PAT_BGGIR = 0x10,
    BAYER_PAT_GRIRG = 0x11,
    BAYER_PAT_RGGIR = 0x12,
    BAYER_PAT_GBIRG = 0x13,
    BAYER_PAT_GIRRG = 0x14,
    BAYER_PAT_IRGGB = 0x15,
    BAYER_PAT_GIRBG = 0x16,
    BAYER_PAT_IRGGR = 0x17,
    BAYER_PAT_RGIRB = 0x18,
    BAYER_PAT_GRBIR = 0x19,
    BAYER_PAT_IRBRG = 0x20,
    BAYER_PAT_BIRGR = 0x21,
    BAYER_PAT_BGIRR = 0x22,
    BAYER_PAT_GBRIR = 0x23,
    BAYER_PAT_IRRBG = 0x24,
    BAYER_PAT_RIRGB = 0x25,
    BAYER_PAT_RCCC = 0x30,
    BAYER_PAT_RCCB = 0x40,
    BAYER_PAT_RYYCY = 0x50,
} k_sensor_bayer_pattern;

typedef enum {
    SENSOR_STITCHING_DUAL_DCG = 0,
    SENSOR_STITCHING_3DOL = 1,
    SENSOR_STITCHING_LINEBYLINE = 2,
    SENSOR_STITCHING_16BIT_COMPRESS = 3,
    SENSOR_STITCHING_DUAL_DCG_NOWAIT = 4,
    SENSOR_STITCHING_2DOL = 5,
    SENSOR_STITCHING_L_AND_S = 6,
    SENSOR_STITCHING_4DOL = 7,
    SENSOR_STITCHING_MAX
} k_sensor_stitching_mode;

typedef enum {
    SENSOR_NATIVE_DCG = 0,
    SENSOR_NATIVE_L_AND_S = 1,
    SENSOR_NATIVE_3DOL = 2,
    SENSOR_NATIVE_4DOL = 3,
    SENSOR_NATIVE_DCG_SPD_VS = 4,
    SENSOR_NATIVE_MAX
} k_sensor_native_mode;

typedef enum {
    SENSOR_PLL0_CLK_DIV4 = 5,
    SENSOR_PLL1_CLK_DIV3 = 8,
    SENSOR_PLL1_CLK_DIV4 = 9,
} k_sensor_mclk_sel;

typedef enum {
    SENSOR_MCLK0 = 1,
    SENSOR_MCLK1 = 2,
    SENSOR_MCLK2 = 3,
    SENSOR_MCLK_MAX,
} k_sensor_mclk_id;

typedef struct {
    k_sensor_mclk_id id;
    k_sensor_mclk_sel mclk_sel;
    k_u8 mclk_div;
} k_sensor_mclk;

typedef struct {
    k_u32 id;
    k_u8 name[16];
} k_sensor_lens_info;

typedef struct {
    k_u32 min;
    k_u32 max;
} k_sensor_fps_range;

typedef struct {
    k_u8 csi_id;
    k_u8 mipi_lanes;
    k_u8 data_type;
} k_sensor_mipi_info;

typedef struct {
    k_sensor_fps_range afps_range;
    k_u32 max_gain;
} k_sensor_auto_fps;

typedef struct {
    float min;
    float max;
    float step;
} k_sensor_gain_info;

typedef struct {
    float min;
    float max;
} k_sensor_range;

#define SENSOR_LINEAR_PARAS 0
#define SENSOR_DUAL_EXP_L_PARAS 0
#define SENSOR_DUAL_EXP_S_PARAS 1
#define SENSOR_TRI_EXP_L_PARAS 0
#define SENSOR_TRI_EXP_S_PARAS 1
#define SENSOR_TRI_EXP_VS_PARAS 2
#define SENSOR_QUAD_EXP_L_PARAS 0
#define SENSOR_QUAD_EXP_S_PARAS 1
#define SENSOR_QUAD_EXP_VS_PARAS 2
#define SENSOR_QUAD_EXP_VVS_PARAS 3

typedef enum {
    SENSOR_EXPO_FRAME_TYPE_MAX = 4
} k_sensor_exp_frame_type;

/* The exposure and gain limits of a mode (what the ISP's auto-exposure works within). */
typedef struct {
    k_u16 frame_length;
    k_u16 cur_frame_length;
    float one_line_exp_time;
    k_u32 gain_accuracy;
    float min_gain;
    float max_gain;
    float integration_time_increment;
    float gain_increment;
    k_u16 max_long_integraion_line;
    k_u16 min_long_integraion_line;
    k_u16 max_integraion_line;
    k_u16 min_integraion_line;
    k_u16 max_vs_integraion_line;
    k_u16 min_vs_integraion_line;
    float max_long_integraion_time;
    float min_long_integraion_time;
    float max_integraion_time;
    float min_integraion_time;
    float max_vs_integraion_time;
    float min_vs_integraion_time;
    float cur_long_integration_time;
    float cur_integration_time;
    float cur_vs_integration_time;
    float cur_long_gain;
    float cur_long_again;
    float cur_long_dgain;
    float cur_gain;
    float cur_again;
    float cur_dgain;
    float cur_vs_gain;
    float cur_vs_again;
    float cur_vs_dgain;
    k_sensor_gain_info long_gain;
    k_sensor_gain_info gain;
    k_sensor_gain_info vs_gain;
    k_sensor_gain_info a_long_gain;
    k_sensor_gain_info a_gain;
    k_sensor_gain_info a_vs_gain;
    k_sensor_gain_info d_long_gain;
    k_sensor_gain_info d_gain;
    k_sensor_gain_info d_vs_gain;
    k_u32 max_fps;
    k_u32 min_fps;
    k_u32 cur_fps;
    k_sensor_auto_fps afps_info;
    k_u32 hdr_ratio;
    k_u32 int_time_delay_frame;
    k_u32 gain_delay_frame;
    k_u8 color_type;
} k_sensor_ae_info;

typedef struct {
    k_u32 enable;
    k_u32 x_bit;
    k_u32 y_bit;
} k_sensor_data_compress;

typedef struct {
    k_u32 bounds_width;
    k_u32 bounds_height;
    k_u32 top;
    k_u32 left;
    k_u32 width;
    k_u32 height;
} k_sensor_size;

typedef enum {
    SENSOR_REG_VALUE_8BIT = 1,
    SENSOR_REG_VALUE_16BIT = 2,
} k_sensor_reg_bits;

typedef struct {
    k_u16 reg_addr;
    k_u8 reg_val;
} k_sensor_reg_list;

typedef struct {
    k_u32 addr;
    k_u32 val;
} k_sensor_reg;

typedef struct {
    k_u32 mclk;
    k_u32 pclk;
} k_sensor_clk_info;

typedef struct {
    k_bool mclk_setting_en;
    k_sensor_mclk setting;
} k_sensor_mclk_setting;

/* One mode of a sensor driver (kd_mpi_sensor_mode_get/set/enum, kd_mpi_sensor_init). */
typedef struct {
    k_u32 index;
    k_vicap_sensor_type sensor_type;
    k_sensor_size size;
    k_sensor_hdr_mode hdr_mode;
    k_sensor_stitching_mode stitching_mode;
    k_sensor_native_mode native_mode;
    k_sensor_data_compress compress;
    k_sensor_bayer_pattern bayer_pattern;
    k_sensor_mipi_info mipi_info;
    k_sensor_ae_info ae_info;
    k_u32 bit_width;
    const k_sensor_reg *reg_list;
    k_sensor_clk_info *clk_info;
    k_sensor_af_mode af_mode;
    k_u32 sensor_again;
    k_u32 et_line;
    k_u32 fps;
    k_sensor_mclk_setting mclk_setting[SENSOR_MCLK_MAX - 1];
    k_sensor_ae_info *sensor_ae_info;
} k_sensor_mode;

typedef struct {
    k_u32 index;
    k_sensor_mode mode;
} k_sensor_enum_mode;

typedef struct {
    k_u16 width;
    k_u16 height;
} k_sensor_resolution;

typedef struct {
    k_u32 bit_width;
    k_u32 mode;
    k_u32 bayer_pattern;
    k_sensor_resolution resolution;
    k_u32 mipi_mode;
    k_u32 mipi_lanes;
    k_u32 vin_type;
} k_sensor_caps;

typedef struct {
    k_u32 x_bit;
    k_u32 y_bit;
    k_u8 compand_px[64];
    k_u32 compand_x_data[65];
    k_u32 compand_y_data[65];
} k_sensor_compand_curve;

typedef struct {
    k_u32 enable;
    k_u32 pattern;
} k_sensor_test_pattern;

typedef struct {
    k_u32 red;
    k_u32 gr;
    k_u32 gb;
    k_u32 blue;
} k_sensor_blc;

typedef struct {
    float r_gain;
    float gr_gain;
    float gb_gain;
    float b_gain;
} k_sensor_white_balance;

typedef struct {
    k_bool use_sensor_ae;
    k_bool use_sensor_blc;
    k_bool use_sensor_awb;
} k_sensor_isp_status;

typedef struct {
    float gain[4];
} k_sensor_gain;

typedef struct {
    float intg_time[4];
} k_sensor_intg_time;

typedef struct {
    float gain[4];
    float exp_time[4];
} k_sensor_exposure_param;

typedef struct {
    k_u8 otp_type;
    k_u8 otp_date[20];
} k_sensor_otp_date;

#endif
