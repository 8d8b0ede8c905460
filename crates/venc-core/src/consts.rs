//! K230 constants with their real values.
//!
//! Sources: `reference/k230-venc-facts.md` §1.3 (CanMV `mpp/venc_struct.py`, `media/media.py`,
//! SDK `k_payload_comm.h`, `k_module.h`, `k_venc_comm.h`, `k_vicap_comm.h`).

/// `K_PT_H264`: H.264 payload type (`k_payload_comm.h`).
#[doc(alias = "PAYLOAD_TYPE_H264")]
pub const K_PT_H264: u32 = 96;
/// `K_PT_H265`: H.265 payload type.
#[doc(alias = "PAYLOAD_TYPE_H265")]
pub const K_PT_H265: u32 = 265;
/// `K_PT_JPEG`: JPEG payload type.
#[doc(alias = "PAYLOAD_TYPE_JPEG")]
pub const K_PT_JPEG: u32 = 26;

/// `VENC_PROFILE_NONE`.
pub const VENC_PROFILE_NONE: u32 = 0;
/// `H264_PROFILE_BASELINE` (`VENC_PROFILE_H264_BASELINE`).
#[doc(alias = "H264_PROFILE_BASELINE")]
pub const VENC_PROFILE_H264_BASELINE: u32 = 1;
/// `H264_PROFILE_MAIN` (`VENC_PROFILE_H264_MAIN`).
#[doc(alias = "H264_PROFILE_MAIN")]
pub const VENC_PROFILE_H264_MAIN: u32 = 2;
/// `H264_PROFILE_HIGH` (`VENC_PROFILE_H264_HIGH`).
#[doc(alias = "H264_PROFILE_HIGH")]
pub const VENC_PROFILE_H264_HIGH: u32 = 3;
/// `VENC_PROFILE_H264_HIGH_10`.
pub const VENC_PROFILE_H264_HIGH_10: u32 = 4;
/// `H265_PROFILE_MAIN` (`VENC_PROFILE_H265_MAIN`).
#[doc(alias = "H265_PROFILE_MAIN")]
pub const VENC_PROFILE_H265_MAIN: u32 = 5;
/// `VENC_PROFILE_H265_MAIN_10`.
pub const VENC_PROFILE_H265_MAIN_10: u32 = 6;

/// `K_VENC_RC_MODE_CBR`.
pub const K_VENC_RC_MODE_CBR: u32 = 1;
/// `K_VENC_RC_MODE_VBR`.
pub const K_VENC_RC_MODE_VBR: u32 = 2;
/// `K_VENC_RC_MODE_FIXQP`.
pub const K_VENC_RC_MODE_FIXQP: u32 = 3;
/// `K_VENC_RC_MODE_MJPEG_FIXQP`.
pub const K_VENC_RC_MODE_MJPEG_FIXQP: u32 = 4;

/// `K_VENC_P_FRAME` = `STREAM_TYPE_P`.
#[doc(alias = "STREAM_TYPE_P")]
pub const K_VENC_P_FRAME: u32 = 1;
/// `K_VENC_I_FRAME` = `STREAM_TYPE_I`.
#[doc(alias = "STREAM_TYPE_I")]
pub const K_VENC_I_FRAME: u32 = 2;
/// `K_VENC_HEADER` = `STREAM_TYPE_HEADER`.
#[doc(alias = "STREAM_TYPE_HEADER")]
pub const K_VENC_HEADER: u32 = 3;

/// `VENC_MAX_CHN_NUMS` (= `VENC_CHN_ID_MAX` in CanMV).
#[doc(alias = "VENC_CHN_ID_MAX")]
pub const VENC_MAX_CHN_NUMS: u32 = 4;
/// `VENC_MAX_DEV_NUMS`.
pub const VENC_MAX_DEV_NUMS: u32 = 1;
/// `VENC_CHN_ID_0`.
pub const VENC_CHN_ID_0: u32 = 0;
/// `VENC_CHN_ID_1`.
pub const VENC_CHN_ID_1: u32 = 1;
/// `VENC_CHN_ID_2`.
pub const VENC_CHN_ID_2: u32 = 2;
/// `VENC_CHN_ID_3`: used by the v1.x firmware's hardware JPEG path for the IDE (facts §5.1).
pub const VENC_CHN_ID_3: u32 = 3;
/// `VENC_DEV_ID`.
pub const VENC_DEV_ID: u32 = 0;
/// `VENC_PACK_CNT_MAX`: slots in a CanMV `StreamData` (Python side only).
pub const VENC_PACK_CNT_MAX: usize = 12;
/// `VENC_ALIGN_4K`.
pub const VENC_ALIGN_4K: u64 = 0x1000;

/// `VIDEO_ENCODE_MOD_ID` = `K_ID_VENC` (`k_module.h`).
#[doc(alias = "K_ID_VENC")]
pub const VIDEO_ENCODE_MOD_ID: u32 = 9;
/// `CAMERA_MOD_ID` = `K_ID_VI`.
#[doc(alias = "K_ID_VI")]
pub const CAMERA_MOD_ID: u32 = 6;
/// `DISPLAY_MOD_ID` = `K_ID_VO` (oldgen facts §1: `k_module.h`).
#[doc(alias = "K_ID_VO")]
pub const DISPLAY_MOD_ID: u32 = 11;

/// `PIXEL_FORMAT_YUV_SEMIPLANAR_420` (NV12, `Sensor.YUV420SP`).
#[doc(alias = "Sensor.YUV420SP")]
pub const PIXEL_FORMAT_YUV_SEMIPLANAR_420: u32 = 31;
/// `PIXEL_FORMAT_YVU_SEMIPLANAR_420` (NV21).
pub const PIXEL_FORMAT_YVU_SEMIPLANAR_420: u32 = 28;
/// `PIXEL_FORMAT_YVU_PLANAR_420`: three planes, which the standalone 2D engine reads as I420
/// (`phys_addr[1]` U, `[2]` V), as the SDK's `sample_nonai_2d` fills them.
pub const PIXEL_FORMAT_YVU_PLANAR_420: u32 = 25;
/// `PIXEL_FORMAT_RGB_888`.
pub const PIXEL_FORMAT_RGB_888: u32 = 3;
/// `PIXEL_FORMAT_RGB_888_PLANAR` (`Sensor.RGBP888`).
pub const PIXEL_FORMAT_RGB_888_PLANAR: u32 = 46;
/// `PIXEL_FORMAT_RGB_565` (`Sensor.RGB565`).
pub const PIXEL_FORMAT_RGB_565: u32 = 2;
/// `Sensor.GRAYSCALE`: a CanMV format, captured as YUV420SP (firmware facts §2).
pub const SENSOR_GRAYSCALE: u32 = 303;
/// `PIXEL_FORMAT_ARGB_8888`.
pub const PIXEL_FORMAT_ARGB_8888: u32 = 11;
/// `PIXEL_FORMAT_BGRA_8888`.
pub const PIXEL_FORMAT_BGRA_8888: u32 = 17;
/// `PIXEL_FORMAT_ABGR_8888` (`k_video_comm.h` of canmv-k230/mpp @ a94906c, as the next ones).
pub const PIXEL_FORMAT_ABGR_8888: u32 = 16;
/// `PIXEL_FORMAT_BGR_888`.
pub const PIXEL_FORMAT_BGR_888: u32 = 7;
/// `PIXEL_FORMAT_RGB_MONOCHROME_8BPP`: an OSD layer of grey levels.
pub const PIXEL_FORMAT_RGB_MONOCHROME_8BPP: u32 = 18;
/// `PIXEL_FORMAT_RGB_565_LE`: 16-bit RGB565 words, little-endian.
pub const PIXEL_FORMAT_RGB_565_LE: u32 = 300;
/// `PIXEL_FORMAT_BGR_565_LE`.
pub const PIXEL_FORMAT_BGR_565_LE: u32 = 301;

/// `VB_INVALID_POOLID` (`-1U`, `k_vb_comm.h`).
pub const VB_INVALID_POOLID: u32 = u32::MAX;

/// `k_vicap_chn_attr.alignment` used by every CanMV example: 2^12 = 4096 bytes.
pub const VICAP_ALIGNMENT_4K: u32 = 12;
/// NV12 buffers a sensor channel owns: CanMV's default (facts §3.3). Example 2's loop lays out
/// as many for SendFrame.
pub const SENSOR_BUFFERS: u32 = 6;

/// CanMV `ChnAttrStr` defaults (facts §1.1, CANMV-NEW).
pub mod defaults {
    /// `gopLen=30`.
    pub const GOP_LEN: u32 = 30;
    /// `bit_rate=4000` (kbps).
    pub const BIT_RATE_KBPS: u32 = 4000;
    /// `src_frame_rate=30`.
    pub const SRC_FRAME_RATE: u32 = 30;
    /// `dst_frame_rate=30`.
    pub const DST_FRAME_RATE: u32 = 30;
    /// `mjpeg_quality_factor=45`.
    pub const MJPEG_QUALITY_FACTOR: u32 = 45;
    /// `SendFrame(..., timeout=1000)`.
    pub const SEND_FRAME_TIMEOUT_MS: i32 = 1000;
    /// `GetStream(..., timeout=-1)`.
    pub const GET_STREAM_TIMEOUT_MS: i32 = -1;
}
