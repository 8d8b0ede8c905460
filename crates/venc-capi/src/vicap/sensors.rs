//! The sensor types of the SDK's `k_vicap_sensor_type` (`k_sensor_comm.h` @ 8074e1e, 0..=40)
//! and what `kd_mpi_vicap_get_sensor_info` says of each: the chip, the mode's size and frame
//! rate and the MIPI settings, read from the type's name.

use std::ffi::CStr;

/// One `k_vicap_sensor_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SensorMode {
    pub(crate) chip: &'static CStr,
    pub(crate) width: u16,
    pub(crate) height: u16,
    pub(crate) fps: u32,
    /// `k_vicap_csi_num`: CSI0 = 1, CSI1 = 2, CSI2 = 3.
    pub(crate) csi: u32,
    /// `k_vicap_mipi_lanes`: 1 lane = 0, 2 lanes = 1, 4 lanes = 3.
    pub(crate) lanes: u32,
    /// `k_vicap_csi_data_type`.
    pub(crate) data_type: u32,
}

const RAW10: u32 = 0x2B;
const RAW12: u32 = 0x2C;
const YUV422_8: u32 = 0x1E;
const L1: u32 = 0;
const L2: u32 = 1;
const L4: u32 = 3;

const fn m(
    chip: &'static CStr,
    (width, height, fps): (u16, u16, u32),
    csi: u32,
    lanes: u32,
    data_type: u32,
) -> SensorMode {
    SensorMode {
        chip,
        width,
        height,
        fps,
        csi,
        lanes,
        data_type,
    }
}

const HD30: (u16, u16, u32) = (1280, 720, 30);
const HD60: (u16, u16, u32) = (1280, 720, 60);
const FHD30: (u16, u16, u32) = (1920, 1080, 30);
const QSXGA30: (u16, u16, u32) = (2592, 1944, 30);

/// Indexed by `k_vicap_sensor_type`; `SENSOR_TYPE_MAX` is the length.
pub(crate) const SENSOR_MODES: [SensorMode; 41] = [
    m(c"ov9732", HD30, 1, L1, RAW10),
    m(c"ov9286", HD30, 1, L2, RAW10),
    m(c"ov9286", HD30, 1, L2, RAW10),
    m(c"ov9286", HD60, 1, L2, RAW10),
    m(c"ov9286", HD60, 1, L2, RAW10),
    m(c"ov9286", HD30, 1, L2, RAW10),
    m(c"ov9286", HD60, 1, L2, RAW10),
    m(c"imx335", FHD30, 1, L2, RAW12),
    m(c"imx335", QSXGA30, 1, L2, RAW12),
    m(c"imx335", QSXGA30, 1, L4, RAW12),
    m(c"imx335", FHD30, 1, L2, RAW12),
    m(c"imx335", QSXGA30, 1, L2, RAW12),
    m(c"imx335", QSXGA30, 1, L4, RAW12),
    m(c"imx335", QSXGA30, 1, L4, RAW10),
    m(c"imx335", QSXGA30, 1, L4, RAW10),
    m(c"sc035hgs", (640, 480, 120), 1, L1, RAW10),
    m(c"sc035hgs", (640, 480, 60), 1, L1, RAW10),
    m(c"sc035hgs", (640, 480, 30), 1, L1, RAW10),
    m(c"ov9286", HD30, 1, L2, RAW10),
    m(c"ov9286", HD30, 1, L2, RAW10),
    m(c"ov9732", HD30, 1, L1, RAW10),
    m(c"ov5647", FHD30, 1, L2, RAW10),
    m(c"ov5647", (2592, 1944, 10), 1, L2, RAW10),
    m(c"ov5647", (640, 480, 60), 1, L2, RAW10),
    m(c"ov5647", FHD30, 1, L2, RAW10),
    m(c"sc201cs", (1600, 1200, 30), 1, L1, RAW10),
    m(c"sc201cs", (1600, 1200, 30), 1, L1, RAW10),
    m(c"ov5647", FHD30, 2, L2, RAW10),
    m(c"ov5647", FHD30, 3, L2, RAW10),
    m(c"xs9922b", HD30, 1, L4, YUV422_8),
    m(c"xs9950", HD30, 1, L4, YUV422_8),
    m(c"xs9950", HD30, 2, L4, YUV422_8),
    m(c"xs9950", HD30, 3, L4, YUV422_8),
    m(c"xs9950", FHD30, 1, L4, YUV422_8),
    m(c"ov9286", HD30, 1, L2, RAW10),
    m(c"ov9286", HD30, 1, L2, RAW10),
    m(c"ov9732", HD30, 1, L1, RAW10),
    m(c"ov5647", FHD30, 1, L2, RAW10),
    m(c"ov5647", FHD30, 2, L2, RAW10),
    m(c"ov5647", FHD30, 3, L2, RAW10),
    m(c"gc2053", FHD30, 1, L2, RAW10),
];

/// The mode of sensor type `t`, if there is one.
pub(crate) fn mode(t: u32) -> Option<&'static SensorMode> {
    SENSOR_MODES.get(t as usize)
}

/// Bits per sample of a raw CSI data type (`load_image`'s input); `None` for YUV.
pub(crate) fn raw_bits(data_type: u32) -> Option<u32> {
    match data_type {
        0x2A => Some(8),
        RAW10 => Some(10),
        RAW12 => Some(12),
        0x2E => Some(16),
        _ => None,
    }
}
