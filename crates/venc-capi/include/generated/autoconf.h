/* venc-sim: the configuration header the RT-Smart SDK build generates and force-includes into
 * every example (`-include "generated/autoconf.h"` in the examples' Makefiles), describing the
 * simulated board: a CanMV-K230 V3.0, as kendryte/canmv_k230 configs/k230_canmv_v3p0_defconfig
 * (f6b8ba1) sets it: default camera on CSI2, CSI buses 0-2, GC2093/OV5647/BF3238 drivers.
 * Only the MPP's board entries are here. docs/c-api.md. Written for venc-sim; not the SDK's
 * text. */
#ifndef VENC_SIM_GENERATED_AUTOCONF_H
#define VENC_SIM_GENERATED_AUTOCONF_H

/* A program built the RT-Smart SDK's way uses the CanMV MPP's headers. */
#ifndef K230_MPP_CANMV
#define K230_MPP_CANMV 1
#endif

#define CONFIG_BOARD_CONFIG_NAME "k230_canmv_v3p0_defconfig"
#define CONFIG_BOARD_K230_CANMV_V3P0 1
#define CONFIG_MPP_DEFAULT_SENSOR_CSI_2 1
#define CONFIG_MPP_SENSOR_DEFAULT_CSI 2
#define CONFIG_MPP_ENABLE_CSI_DEV_0 1
#define CONFIG_MPP_CSI_DEV0_RESET 10
#define CONFIG_MPP_ENABLE_CSI_DEV_1 1
#define CONFIG_MPP_CSI_DEV1_RESET 12
#define CONFIG_MPP_ENABLE_CSI_DEV_2 1
#define CONFIG_MPP_CSI_DEV2_RESET 21
#define CONFIG_MPP_CSI_DEV2_I2C_DEV "i2c4"
#define CONFIG_MPP_CSI_DEV2_MCLK_1 1
#define CONFIG_MPP_ENABLE_SENSOR_GC2093 1
#define CONFIG_MPP_SENSOR_GC2093_ON_CSI2_USE_CHIP_CLK 1
#define CONFIG_MPP_ENABLE_SENSOR_OV5647 1
#define CONFIG_MPP_SENSOR_OV5647_ON_CSI2_USE_CHIP_CLK 1
#define CONFIG_MPP_ENABLE_SENSOR_BF3238 1
#define CONFIG_MPP_ENABLE_SENSOR_BF3238_ON_CSI2_USE_CHIP_CLK 1
#define CONFIG_MPP_ENABLE_DSI_HDMI 1
#define CONFIG_MPP_DSI_HDMI_RESET_PIN 24
#define CONFIG_MPP_ENABLE_DSI_LCD 1
#define CONFIG_MPP_DSI_LCD_RESET_PIN 22
#define CONFIG_MPP_DSI_ENABLE_HDMI_LT9611 1
#define CONFIG_MPP_DSI_ENABLE_LCD_HX8399 1
#define CONFIG_MPP_DSI_ENABLE_LCD_ST7701 1

#endif
