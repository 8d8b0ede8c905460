/* venc-sim: the K230 MPP's basic types (LP64), as k_type.h names them.
 * Written for venc-sim from the layouts in k230-mpp-c-api.md §3; not the SDK's text. */
#ifndef VENC_SIM_K_TYPE_H
#define VENC_SIM_K_TYPE_H

typedef unsigned char k_u8;
typedef unsigned short k_u16;
typedef unsigned int k_u32;
typedef unsigned long k_u64; /* LP64: 8 bytes on rv64 and x86-64 Linux/macOS, not on Windows */
typedef signed char k_s8;
typedef short k_s16;
typedef int k_s32;
typedef long k_s64;
typedef char k_char;
typedef void k_void;

typedef enum { K_FALSE = 0, K_TRUE = 1 } k_bool;

#define K_SUCCESS 0
#define K_FAILED (-1)

#endif
