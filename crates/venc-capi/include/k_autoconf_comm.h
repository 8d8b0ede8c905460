/* venc-sim: the board configuration the SDK build generates (k_autoconf_comm.h, from
 * configs/<board>_defconfig), describing the simulated board: a CanMV-K230, with the values
 * of kendryte/k230_sdk v1.9 configs/k230_canmv_defconfig (that file sets CONFIG_BOARD_NAME
 * to "k230_evb"; it is kept). Programs that pick their sensor or pins by board macro take
 * the CanMV-K230 branch. docs/c-api.md. Written for venc-sim; not the SDK's text. */
#ifndef VENC_SIM_K_AUTOCONF_COMM_H
#define VENC_SIM_K_AUTOCONF_COMM_H

#define CONFIG_BOARD_K230_CANMV 1
#define CONFIG_BOARD_NAME "k230_evb"
#define CONFIG_UBOOT_DEFCONFIG "k230_canmv"
#define CONFIG_LINUX_DEFCONFIG "k230_canmv"
#define CONFIG_LINUX_DTB "k230_canmv"
#define CONFIG_GEN_IMG_SCRIPT "board/common/gen_image_script/gen_image.sh"
#define CONFIG_RTT_CONSOLE_ID 3
#define CONFIG_CANAAN_SITE_IMG_NAME_PREFIX "CanMV-K230"
#define CONFIG_TOOLCHAIN_PREFIX_RTT "riscv64-unknown-linux-musl-"
#define CONFIG_TOOLCHAIN_PREFIX_LINUX "riscv64-unknown-linux-gnu-"
#define CONFIG_MEM_TOTAL_SIZE 0x20000000
#define CONFIG_MEM_IPCM_BASE 0x00100000
#define CONFIG_MEM_IPCM_SIZE 0x00100000
#define CONFIG_MEM_RTT_SYS_BASE 0x00200000
#define CONFIG_MEM_RTT_SYS_SIZE 0x07E00000
#define CONFIG_MEM_MMZ_BASE 0x10000000
#define CONFIG_MEM_MMZ_SIZE 0x0FC00000
#define CONFIG_MEM_LINUX_SYS_BASE 0x08000000
#define CONFIG_MEM_LINUX_SYS_SIZE 0x08000000
#define CONFIG_MEM_BOUNDARY_RESERVED_SIZE 0x00001000
#define CONFIG_SDCAED 1
#define CONFIG_AP6212A 1
#define CONFIG_SUPPORT_RTSMART 1
#define CONFIG_SUPPORT_LINUX 1
#define CONFIG_LINUX_RUN_CORE_ID 0
#define CONFIG_BUILD_RELEASE_VER 1

#endif
