//! The sensor drivers of the SDK and what `kd_mpi_vicap_get_sensor_info` says of each mode:
//! the table `sensor_info_list` of kendryte/k230_sdk v1.9
//! (`src/big/mpp/userapps/src/sensor/mpi_sensor.c` @ 66dd75f), in its order (the probe of
//! `kd_mpi_sensor_adapt_get` walks it), values as the SDK has them, quirks included: the
//! 2592x1944 "10FPS" OV5647 mode says 15 fps, the GC2093 "90FPS" CSI0/CSI1 modes say 60, and
//! the type names its CSI differently from the table for a few OV5647 modes. Types 29 and 59
//! have no entry (UNEXIST).

use std::ffi::CStr;

/// One entry of the SDK's `sensor_info_list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SensorMode {
    /// The driver: `kd_mpi_sensor_open` opens `/dev/sensor_<driver>`.
    pub(crate) driver: &'static CStr,
    /// The ISP tuning database the mode uses.
    pub(crate) database: &'static CStr,
    pub(crate) width: u16,
    pub(crate) height: u16,
    pub(crate) fps: u16,
    /// `k_vicap_csi_num`: CSI0 = 1, CSI1 = 2, CSI2 = 3.
    pub(crate) csi: u32,
    /// `k_vicap_mipi_lanes`: 1 lane = 0, 2 lanes = 1, 4 lanes = 3.
    pub(crate) lanes: u32,
    /// `k_vicap_data_source`.
    pub(crate) source: u32,
    pub(crate) is_3d: bool,
    /// `k_vicap_mipi_phy_freq`.
    pub(crate) phy_freq: u32,
    /// `k_vicap_csi_data_type`.
    pub(crate) data_type: u32,
    /// `k_vicap_hdr_mode`.
    pub(crate) hdr_mode: u32,
    /// `k_vicap_vi_flash_mode`.
    pub(crate) flash_mode: u32,
    /// `k_vicap_sensor_type`.
    pub(crate) sensor_type: u32,
}

/// `SENSOR_TYPE_MAX` of v1.9's `k_vicap_sensor_type`: a type at or above it is ILLEGAL_PARAM.
pub(crate) const SENSOR_TYPE_MAX: u32 = 72;

const RAW10: u32 = 0x2B;
const RAW12: u32 = 0x2C;
const YUV422_8: u32 = 0x1E;
const L1: u32 = 0;
const L2: u32 = 1;
const L4: u32 = 3;
const PHY800: u32 = 1;
const PHY1200: u32 = 2;
const VCID2: u32 = 0;
const VCID3: u32 = 1;
const LINEAR: u32 = 4;
const STROBE: u32 = 0;
const FLASH_OFF: u32 = 3;

#[allow(clippy::too_many_arguments)] // one row of the SDK's table
const fn d(
    driver: &'static CStr,
    database: &'static CStr,
    (width, height, fps): (u16, u16, u16),
    csi: u32,
    lanes: u32,
    source: u32,
    is_3d: bool,
    phy_freq: u32,
    data_type: u32,
    hdr_mode: u32,
    flash_mode: u32,
    sensor_type: u32,
) -> SensorMode {
    SensorMode {
        driver,
        database,
        width,
        height,
        fps,
        csi,
        lanes,
        source,
        is_3d,
        phy_freq,
        data_type,
        hdr_mode,
        flash_mode,
        sensor_type,
    }
}

/// The SDK's `sensor_info_list`, in its order.
#[rustfmt::skip]
pub(crate) const SENSOR_MODES: [SensorMode; 70] = [
    d(c"ov9732", c"ov9732-1280x720", (1280, 720, 30), 1, L1, 0, false, PHY800, RAW10, LINEAR, FLASH_OFF, 20),
    d(c"ov9732", c"ov9732-1280x720", (1280, 720, 30), 3, L1, 4, false, PHY800, RAW10, LINEAR, FLASH_OFF, 36),
    d(c"ov9732", c"ov9732-1280x720", (1280, 720, 30), 1, L1, 0, false, PHY800, RAW10, LINEAR, FLASH_OFF, 0),
    d(c"ov9286", c"ov9286-1280x720", (1280, 720, 30), 2, L2, 3, true, PHY800, RAW10, LINEAR, STROBE, 18),
    d(c"ov9286", c"ov9286-1280x720", (1280, 720, 30), 2, L2, 2, true, PHY800, RAW10, LINEAR, STROBE, 19),
    d(c"ov9286", c"ov9286-1280x720", (1280, 720, 30), 2, L2, 3, true, PHY800, RAW10, LINEAR, STROBE, 34),
    d(c"ov9286", c"ov9286-1280x720", (1280, 720, 30), 2, L2, 2, true, PHY800, RAW10, LINEAR, STROBE, 35),
    d(c"ov9286", c"ov9286-1280x720", (1280, 720, 30), 2, L2, 2, true, PHY800, RAW10, LINEAR, STROBE, 1),
    d(c"ov9286", c"ov9286-1280x720", (1280, 720, 30), 2, L2, 3, true, PHY800, RAW10, LINEAR, STROBE, 2),
    d(c"ov9286", c"ov9286-1280x720", (1280, 720, 30), 2, L2, 1, false, PHY800, RAW10, LINEAR, FLASH_OFF, 5),
    d(c"ov9286", c"ov9286-1280x720", (1280, 720, 60), 2, L2, 1, false, PHY800, RAW10, LINEAR, FLASH_OFF, 6),
    d(c"imx335", c"imx335-1920x1080", (1920, 1080, 30), 1, L2, 0, false, PHY1200, RAW12, LINEAR, FLASH_OFF, 7),
    d(c"imx335", c"imx335-2592x1944", (2592, 1944, 30), 1, L2, 0, false, PHY1200, RAW12, LINEAR, FLASH_OFF, 8),
    d(c"imx335", c"imx335-2592x1944", (2592, 1944, 30), 1, L4, 0, false, PHY1200, RAW12, LINEAR, FLASH_OFF, 9),
    d(c"imx335", c"imx335-1920x1080", (1920, 1080, 30), 1, L2, 0, false, PHY1200, RAW12, LINEAR, FLASH_OFF, 10),
    d(c"imx335", c"imx335-2592x1944", (2592, 1944, 30), 1, L2, 0, false, PHY1200, RAW12, LINEAR, FLASH_OFF, 11),
    d(c"imx335", c"imx335-2592x1944", (2592, 1944, 30), 1, L4, 0, false, PHY1200, RAW12, LINEAR, FLASH_OFF, 12),
    d(c"imx335", c"imx335-2592x1944", (2592, 1944, 15), 1, L4, 0, false, PHY1200, RAW10, VCID2, FLASH_OFF, 13),
    d(c"imx335", c"imx335-2592x1944", (2592, 1944, 15), 1, L4, 0, false, PHY1200, RAW10, VCID3, FLASH_OFF, 14),
    d(c"sc035hgs", c"sc035hgs-640x480", (640, 480, 120), 3, L1, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 15),
    d(c"sc035hgs", c"sc035hgs-640x480", (640, 480, 60), 3, L1, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 16),
    d(c"sc035hgs", c"sc035hgs-640x480", (640, 480, 30), 3, L1, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 17),
    d(c"ov9286", c"ov9286-1280x720", (1280, 720, 60), 2, L2, 2, true, PHY800, RAW10, LINEAR, STROBE, 3),
    d(c"ov9286", c"ov9286-1280x720", (1280, 720, 60), 2, L2, 3, true, PHY800, RAW10, LINEAR, STROBE, 4),
    d(c"ov5647_csi2", c"ov5647-1920x1080", (1920, 1080, 30), 3, L2, 4, true, PHY800, RAW10, LINEAR, FLASH_OFF, 21),
    d(c"ov5647", c"ov5647-2592x1944", (2592, 1944, 15), 1, L2, 0, true, PHY800, RAW10, LINEAR, FLASH_OFF, 22),
    d(c"ov5647", c"ov5647-640x480", (640, 480, 90), 1, L2, 0, true, PHY800, RAW10, LINEAR, FLASH_OFF, 23),
    d(c"ov5647", c"ov5647-1920x1080", (1920, 1080, 30), 1, L2, 0, true, PHY800, RAW10, LINEAR, FLASH_OFF, 24),
    d(c"sc201cs", c"sc201cs-1600x1200", (1600, 1200, 30), 2, L1, 1, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 25),
    d(c"sc201cs", c"sc201cs-1600x1200", (1600, 1200, 30), 2, L1, 1, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 26),
    d(c"ov5647_csi2", c"ov5647-1920x1080", (1920, 1080, 30), 3, L2, 4, true, PHY800, RAW10, LINEAR, FLASH_OFF, 28),
    d(c"ov5647_csi1", c"ov5647-1920x1080", (1920, 1080, 30), 2, L2, 1, true, PHY800, RAW10, LINEAR, FLASH_OFF, 27),
    d(c"ov5647", c"ov5647-1920x1080", (1920, 1080, 30), 1, L2, 0, true, PHY800, RAW10, LINEAR, FLASH_OFF, 37),
    d(c"ov5647", c"ov5647-1280x720", (1280, 720, 60), 1, L2, 0, true, PHY800, RAW10, LINEAR, FLASH_OFF, 44),
    d(c"ov5647", c"ov5647-1280x960", (1280, 960, 45), 1, L2, 0, true, PHY800, RAW10, LINEAR, FLASH_OFF, 45),
    d(c"ov5647_csi1", c"ov5647-1920x1080", (1920, 1080, 30), 2, L2, 1, true, PHY800, RAW10, LINEAR, FLASH_OFF, 38),
    d(c"ov5647_csi1", c"ov5647-640x480", (640, 480, 90), 2, L2, 1, true, PHY800, RAW10, LINEAR, FLASH_OFF, 41),
    d(c"ov5647_csi1", c"ov5647-1280x720", (1280, 720, 60), 2, L2, 1, true, PHY800, RAW10, LINEAR, FLASH_OFF, 42),
    d(c"ov5647_csi1", c"ov5647-1280x960", (1280, 960, 45), 2, L2, 1, true, PHY800, RAW10, LINEAR, FLASH_OFF, 43),
    d(c"ov5647_csi2", c"ov5647-1920x1080", (1920, 1080, 30), 3, L2, 4, true, PHY800, RAW10, LINEAR, FLASH_OFF, 39),
    d(c"ov5647_csi2", c"ov5647-640x480", (640, 480, 90), 3, L2, 4, true, PHY800, RAW10, LINEAR, FLASH_OFF, 46),
    d(c"ov5647_csi2", c"ov5647-1280x720", (1280, 720, 60), 3, L2, 4, true, PHY800, RAW10, LINEAR, FLASH_OFF, 47),
    d(c"ov5647_csi2", c"ov5647-1280x960", (1280, 960, 45), 3, L2, 4, true, PHY800, RAW10, LINEAR, FLASH_OFF, 48),
    d(c"xs9950_csi1", c"xs9950-1280x720", (1280, 720, 30), 2, L2, 1, false, PHY1200, YUV422_8, LINEAR, FLASH_OFF, 31),
    d(c"xs9950_csi0", c"xs9950-1280x720", (1280, 720, 30), 1, L2, 0, false, PHY1200, YUV422_8, LINEAR, FLASH_OFF, 30),
    d(c"xs9950_csi2", c"xs9950-1280x720", (1280, 720, 30), 3, L2, 4, false, PHY1200, YUV422_8, LINEAR, FLASH_OFF, 32),
    d(c"xs9950_csi0", c"xs9950-1280x720", (1920, 1080, 30), 1, L2, 0, false, PHY1200, YUV422_8, LINEAR, FLASH_OFF, 33),
    d(c"gc2053", c"gc2053-1920x1080", (1920, 1080, 30), 1, L2, 0, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 40),
    d(c"gc2053", c"gc2053-1920x1080", (1920, 1080, 30), 3, L2, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 49),
    d(c"gc2053", c"gc2053-1280x960", (1280, 960, 50), 1, L2, 0, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 58),
    d(c"gc2053", c"gc2053-1280x960", (1280, 960, 50), 3, L2, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 61),
    d(c"gc2053", c"gc2053-1280x720", (1280, 720, 60), 1, L2, 0, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 60),
    d(c"gc2053", c"gc2053-1280x720", (1280, 720, 60), 3, L2, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 62),
    d(c"gc2093", c"gc2093-1920x1080", (1920, 1080, 30), 1, L2, 0, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 50),
    d(c"gc2093", c"gc2093-1920x1080", (1920, 1080, 60), 1, L2, 0, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 51),
    d(c"gc2093", c"gc2093-1280x720", (1280, 720, 60), 1, L2, 0, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 56),
    d(c"gc2093", c"gc2093-1280x960", (1280, 960, 60), 1, L2, 0, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 54),
    d(c"gc2093_csi1", c"gc2093-1920x1080", (1920, 1080, 30), 2, L2, 1, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 63),
    d(c"gc2093_csi1", c"gc2093-1920x1080", (1920, 1080, 60), 2, L2, 1, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 64),
    d(c"gc2093_csi1", c"gc2093-1280x720", (1280, 720, 60), 2, L2, 1, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 66),
    d(c"gc2093_csi1", c"gc2093-1280x960", (1280, 960, 60), 2, L2, 1, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 65),
    d(c"gc2093_csi2", c"gc2093-1920x1080", (1920, 1080, 60), 3, L2, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 53),
    d(c"gc2093_csi2", c"gc2093-1920x1080", (1920, 1080, 30), 3, L2, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 52),
    d(c"gc2093_csi2", c"gc2093-1280x960", (1280, 960, 90), 3, L2, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 55),
    d(c"gc2093_csi2", c"gc2093-1280x720", (1280, 720, 90), 3, L2, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 57),
    d(c"os08a20", c"os08a20-3840x2160", (3840, 2160, 30), 1, L4, 0, false, PHY1200, RAW12, LINEAR, FLASH_OFF, 67),
    d(c"sc132gs", c"sc132gs-1080x1280", (1080, 1280, 60), 3, L2, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 68),
    d(c"sc132gs", c"sc132gs-640x480", (640, 480, 60), 3, L2, 4, false, PHY800, RAW10, LINEAR, FLASH_OFF, 69),
    d(c"tys3238", c"bf3238-1920x1080", (1920, 1080, 30), 3, L1, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 70),
    d(c"tys3238", c"gc2093-1280x960", (1280, 960, 30), 3, L1, 4, false, PHY1200, RAW10, LINEAR, FLASH_OFF, 71),
];

/// The SDK's `sensor_type_map_list` (the same file): the strings
/// `kd_mpi_vicap_get_sensor_type` and `kd_mpi_vicap_get_sensor_string` translate.
pub(crate) const TYPE_STRINGS: [(&CStr, u32); 13] = [
    (c"cam-ov9732-mode0", 0),
    (c"cam-ov97286-mode0", 1),
    (c"cam-ov97286-mode1", 2),
    (c"cam-ov97286-mode2", 3),
    (c"cam-ov97286-mode3", 4),
    (c"cam-ov97286-mode4", 5),
    (c"cam-ov97286-mode5", 6),
    (c"cam-imx335-mode0", 7),
    (c"cam-imx335-mode1", 8),
    (c"cam-imx335-mode2", 9),
    (c"cam-ov5647-mode0", 24),
    (c"cam-ov5647-mode1", 27),
    (c"cam-ov5647-mode2", 28),
];

/// The mode of sensor type `t`, if the SDK's table has one.
pub(crate) fn mode(t: u32) -> Option<&'static SensorMode> {
    SENSOR_MODES.iter().find(|m| m.sensor_type == t)
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
