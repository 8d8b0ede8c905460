//! The SDK's `k_vicap_*` structs a program passes to the exported calls, mirrored (several by
//! value, so their whole layout matters). Layouts: the SDK's `k_vicap_comm.h` at v1.9
//! (kendryte/k230_sdk @ 66dd75f: `k_vicap_sensor_info` with `database_name` and `fps`, the
//! channel with `alignment`/`fps`, the device with `input_type` and `mirror`), LP64;
//! docs/c-api.md. Enums are `u32`s: a program may put any value in one.

use std::ffi::c_char;
use std::mem::{offset_of, size_of};

/// `k_vicap_window` (8 bytes).
#[doc(alias = "k_vicap_window")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VicapWindow {
    pub h_start: u16,
    pub v_start: u16,
    pub width: u16,
    pub height: u16,
}

/// `k_vicap_sensor_info` (64 bytes): what `kd_mpi_vicap_get_sensor_info` fills.
#[doc(alias = "k_vicap_sensor_info")]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VicapSensorInfo {
    pub sensor_name: *const c_char,
    /// The ISP tuning database of the mode (`"gc2093-1920x1080"`, …).
    pub database_name: *const c_char,
    pub width: u16,
    pub height: u16,
    /// `k_vicap_csi_num` (CSI0 = 1).
    pub csi_num: u32,
    /// `k_vicap_mipi_lanes` (1 lane = 0, 2 = 1, 4 = 3).
    pub mipi_lanes: u32,
    /// `k_vicap_data_source`.
    pub source_id: u32,
    pub is_3d_sensor: u32,
    pub phy_freq: u32,
    /// `k_vicap_csi_data_type` (RAW10 = 0x2B, …).
    pub data_type: u32,
    pub hdr_mode: u32,
    pub flash_mode: u32,
    pub first_frame: u32,
    pub glitch_filter: u16,
    pub fps: u16,
    /// `k_vicap_sensor_type`.
    pub sensor_type: u32,
}

impl Default for VicapSensorInfo {
    /// All zero, no names: what a program's `memset` leaves.
    fn default() -> Self {
        Self {
            sensor_name: std::ptr::null(),
            database_name: std::ptr::null(),
            width: 0,
            height: 0,
            csi_num: 0,
            mipi_lanes: 0,
            source_id: 0,
            is_3d_sensor: 0,
            phy_freq: 0,
            data_type: 0,
            hdr_mode: 0,
            flash_mode: 0,
            first_frame: 0,
            glitch_filter: 0,
            fps: 0,
            sensor_type: 0,
        }
    }
}

/// `k_vicap_chn_attr` (52 bytes).
#[doc(alias = "k_vicap_chn_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VicapChnAttr {
    pub out_win: VicapWindow,
    pub crop_win: VicapWindow,
    pub scale_win: VicapWindow,
    pub crop_enable: u32,
    pub scale_enable: u32,
    pub chn_enable: u32,
    /// `k_pixel_format`.
    pub pix_format: u32,
    pub buffer_num: u32,
    pub buffer_size: u32,
    /// Line alignment: 0 = 1 byte … 12 = 4096 bytes (where the UV plane starts).
    pub alignment: u8,
    /// 0: the sensor's rate.
    pub fps: u8,
}

/// `k_vicap_dev_attr` (120 bytes).
#[doc(alias = "k_vicap_dev_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VicapDevAttr {
    pub acq_win: VicapWindow,
    /// `k_vicap_work_mode` (online 0, offline 1, load image 2, only MCM 3).
    pub mode: u32,
    /// `k_vicap_input_type` (sensor 0, image 1).
    pub input_type: u32,
    /// `k_vicap_image_pattern` (a `k_sensor_bayer_pattern`).
    pub image_pat: u32,
    /// `k_vicap_isp_pipe_ctrl` (ISP block enables, as a word).
    pub pipe_ctrl: u32,
    pub cpature_frame: u32,
    pub sensor_info: VicapSensorInfo,
    pub dw_enable: u32,
    pub dev_enable: u32,
    pub buffer_num: u32,
    pub buffer_size: u32,
    /// `k_vicap_mirror` (none 0, horizontal 1, vertical 2, both 3).
    pub mirror: u32,
    /// The CanMV MPP's `buffer_pool_id`; tail padding in the SDK's layout, read only by the
    /// `_canmv` calls.
    pub buffer_pool_id_canmv: u32,
}

/// The CanMV MPP's `k_vicap_chn_attr` (56 bytes): the SDK's, then `buffer_pool_id`, the pool
/// the channel's buffers come from (`VB_INVALID_POOLID`: the driver's own). Where CanMV puts
/// the field is not in the facts; its headers here put it last (D-061).
#[doc(alias = "k_vicap_chn_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VicapChnAttrCanmv {
    pub attr: VicapChnAttr,
    pub buffer_pool_id: u32,
}

/// The VICAP structs' sizes and offsets, checked from C by `tests/layout.rs`.
pub const LAYOUTS: &[crate::abi::Layout] = &[
    (
        "k_vicap_window",
        8,
        &[("h_start", 0), ("v_start", 2), ("width", 4), ("height", 6)],
    ),
    (
        "k_vicap_sensor_info",
        64,
        &[
            ("sensor_name", 0),
            ("database_name", 8),
            ("width", 16),
            ("height", 18),
            ("csi_num", 20),
            ("mipi_lanes", 24),
            ("source_id", 28),
            ("is_3d_sensor", 32),
            ("phy_freq", 36),
            ("data_type", 40),
            ("hdr_mode", 44),
            ("flash_mode", 48),
            ("first_frame", 52),
            ("glitch_filter", 56),
            ("fps", 58),
            ("sensor_type", 60),
        ],
    ),
    (
        "k_vicap_chn_attr",
        52,
        &[
            ("out_win", 0),
            ("crop_win", 8),
            ("scale_win", 16),
            ("crop_enable", 24),
            ("scale_enable", 28),
            ("chn_enable", 32),
            ("pix_format", 36),
            ("buffer_num", 40),
            ("buffer_size", 44),
            ("alignment", 48),
            ("fps", 49),
        ],
    ),
    (
        "k_vicap_dev_attr",
        120,
        &[
            ("acq_win", 0),
            ("mode", 8),
            ("input_type", 12),
            ("image_pat", 16),
            ("pipe_ctrl", 20),
            ("cpature_frame", 24),
            ("sensor_info", 32),
            ("dw_enable", 96),
            ("dev_enable", 100),
            ("buffer_num", 104),
            ("buffer_size", 108),
            ("mirror", 112),
        ],
    ),
];

/// The CanMV MPP's VICAP attributes (`-DK230_MPP_CANMV`), checked from C by `tests/layout.rs`.
pub const CANMV_LAYOUTS: &[crate::abi::Layout] = &[
    (
        "k_vicap_chn_attr",
        56,
        &[("alignment", 48), ("fps", 49), ("buffer_pool_id", 52)],
    ),
    (
        "k_vicap_dev_attr",
        120,
        &[("mirror", 112), ("buffer_pool_id", 116)],
    ),
];

// The Rust mirrors hold the same layouts.
const _: () = {
    assert!(size_of::<VicapWindow>() == 8);
    assert!(size_of::<VicapSensorInfo>() == 64);
    assert!(offset_of!(VicapSensorInfo, glitch_filter) == 56);
    assert!(offset_of!(VicapSensorInfo, sensor_type) == 60);
    assert!(size_of::<VicapChnAttr>() == 52);
    assert!(offset_of!(VicapChnAttr, alignment) == 48);
    assert!(offset_of!(VicapChnAttr, fps) == 49);
    assert!(size_of::<VicapDevAttr>() == 120);
    assert!(offset_of!(VicapDevAttr, sensor_info) == 32);
    assert!(offset_of!(VicapDevAttr, mirror) == 112);
    assert!(size_of::<VicapChnAttrCanmv>() == 56);
    assert!(offset_of!(VicapChnAttrCanmv, buffer_pool_id) == 52);
};
