//! The sensor-driver calls and the probe, through the exported functions: what a program that
//! finds its camera with `kd_mpi_sensor_adapt_get` sees, on each simulated module
//! (`VENC_SIM_SENSOR`), and every error path. One test: the module is process-wide.
#![allow(clippy::unwrap_used)]

mod common;

use common::vicap_err;
use k230_mpp_sim::sensor::*;
use k230_mpp_sim::vicap::types::VicapSensorInfo;
use std::ffi::CStr;
use std::ptr::{null, null_mut};

const NULL_PTR: i32 = vicap_err(6);
const NOT_SUPPORT: i32 = vicap_err(8);
const NOTREADY: i32 = vicap_err(0x10);

fn probe(
    csi: u32,
    (width, height, fps): (u32, u32, u32),
) -> (i32, VicapProbeConfig, VicapSensorInfo) {
    let mut config = VicapProbeConfig {
        csi_num: csi,
        width,
        height,
        fps,
        ..VicapProbeConfig::default()
    };
    let mut info = VicapSensorInfo::default();
    // SAFETY: both point to live locals.
    let ret = unsafe { kd_mpi_sensor_adapt_get(&mut config, &mut info) };
    (ret, config, info)
}

fn set_module(value: Option<&str>) {
    // SAFETY: this test binary has one test; no other thread reads the environment now.
    unsafe {
        match value {
            Some(v) => std::env::set_var("VENC_SIM_SENSOR", v),
            None => std::env::remove_var("VENC_SIM_SENSOR"),
        }
    }
}

fn name(config: &VicapProbeConfig) -> &str {
    CStr::from_bytes_until_nul(&config.sensor_name)
        .unwrap()
        .to_str()
        .unwrap()
}

#[test]
fn a_program_finds_the_module_on_its_bus_as_the_sdk_probes() {
    // SAFETY: every pointer (the whole test) is NULL on purpose or to a live local.
    unsafe {
        // The default module answers every driver: the SDK's order picks OV5647 type 21 for
        // 1080p30 on CSI2 (k_vicap_csi_num 3).
        set_module(None);
        let (ret, config, info) = probe(3, (1920, 1080, 30));
        assert_eq!(ret, 0);
        assert_eq!((info.sensor_type, info.width, info.fps), (21, 1920, 30));
        assert_eq!(name(&config), "ov5647_csi2");
        assert_eq!(config.mirror, 0);

        // A GC2093 board: the exact mode, then the same size at another rate, then larger.
        set_module(Some("gc2093"));
        let (ret, _, info) = probe(3, (1920, 1080, 30));
        assert_eq!(
            (ret, info.sensor_type),
            (0, 52),
            "GC2093_MIPI_CSI2_1920X1080_30FPS"
        );
        let (ret, _, info) = probe(3, (1920, 1080, 25));
        assert_eq!(
            (ret, info.fps),
            (0, 60),
            "the same size, highest rate first"
        );
        let (ret, _, info) = probe(3, (800, 480, 0));
        assert_eq!(
            (ret, info.width, info.height),
            (0, 1280, 960),
            "a larger size, fastest first"
        );
        let (ret, _, _) = probe(3, (2592, 1944, 30));
        assert_eq!(ret, 1, "nothing that large");
        // The CanMV MPP counts buses from 0.
        let mut config = VicapProbeConfig {
            csi_num: 2,
            width: 1920,
            height: 1080,
            fps: 30,
            ..VicapProbeConfig::default()
        };
        let mut info = VicapSensorInfo::default();
        assert_eq!(kd_mpi_sensor_adapt_get_canmv(&mut config, &mut info), 0);
        assert_eq!(info.sensor_type, 52);
        assert_eq!(name(&config), "gc2093_csi2");

        // Every answering type, per bus.
        let mut lists = [VicapAdaptId::default(); 3];
        let [a, b, c] = &mut lists;
        assert_eq!(kd_mpi_adapt_sensor_get(a, b, c), 0);
        assert_eq!(lists.map(|l| l.adapt_len), [4, 4, 4]);
        assert_eq!(&lists[2].adapt_id[..4], &[52, 53, 55, 57]);

        // No module: nothing found; every list empty.
        set_module(Some("none"));
        assert_eq!(probe(3, (1920, 1080, 30)).0, 1);
        let [a, b, c] = &mut lists;
        assert_eq!(kd_mpi_adapt_sensor_get(a, b, c), 0);
        assert_eq!(lists.map(|l| l.adapt_len), [0, 0, 0]);

        // NULL arguments: the SDK's 2 for the probe, NULL_PTR for the lists (the SDK would
        // crash).
        let mut info = VicapSensorInfo::default();
        assert_eq!(kd_mpi_sensor_adapt_get(null_mut(), &mut info), 2);
        let [_, b, c] = &mut lists;
        assert_eq!(kd_mpi_adapt_sensor_get(null_mut(), b, c), NULL_PTR);

        // Driver nodes: open answers for a driver whether or not its chip is fitted; a
        // failure is the negated code, as the SDK returns it.
        set_module(Some("gc2093"));
        let before = open_sensor_descriptors();
        let gc = kd_mpi_sensor_open(c"gc2093_csi2".as_ptr());
        let ov = kd_mpi_sensor_open(c"ov5647".as_ptr());
        assert!(gc >= 0 && ov >= 0 && gc != ov);
        assert_eq!(open_sensor_descriptors(), before + 2);
        assert_eq!(
            kd_mpi_sensor_open(c"no_such_chip".as_ptr()),
            NOTREADY.wrapping_neg()
        );
        assert_eq!(kd_mpi_sensor_open(null()), NULL_PTR.wrapping_neg());
        let mut connected = 0;
        assert_eq!(kd_mpi_sensor_connection_check(gc, &mut connected), 0);
        assert_eq!(connected, 1);
        assert_eq!(
            kd_mpi_sensor_connection_check(ov, &mut connected),
            NOT_SUPPORT
        );
        assert_eq!(kd_mpi_sensor_connection_check(gc, null_mut()), NULL_PTR);
        assert_eq!(
            kd_mpi_sensor_connection_check(-5, &mut connected),
            NOT_SUPPORT
        );
        assert_eq!(kd_mpi_sensor_close(gc), 0);
        assert_eq!(kd_mpi_sensor_close(ov), 0);
        assert_eq!(open_sensor_descriptors(), before);
        assert_eq!(
            kd_mpi_sensor_connection_check(gc, &mut connected),
            NOT_SUPPORT
        );

        // The string table: 13 strings; another string is the bare K_ERR_UNEXIST.
        let mut t = 0;
        assert_eq!(
            kd_mpi_vicap_get_sensor_type(&mut t, c"cam-imx335-mode0".as_ptr()),
            0
        );
        assert_eq!(t, 7);
        assert_eq!(
            kd_mpi_vicap_get_sensor_type(&mut t, c"cam-gc2093".as_ptr()),
            5
        );
        assert_eq!(kd_mpi_vicap_get_sensor_type(&mut t, null()), NULL_PTR);
        assert_eq!(
            kd_mpi_vicap_get_sensor_type(null_mut(), c"cam-imx335-mode0".as_ptr()),
            NULL_PTR
        );
        let s = kd_mpi_vicap_get_sensor_string(24);
        assert_eq!(CStr::from_ptr(s).to_str().unwrap(), "cam-ov5647-mode0");
        assert!(
            kd_mpi_vicap_get_sensor_string(52).is_null(),
            "no string for GC2093"
        );
        assert!(
            kd_mpi_vicap_get_sensor_string(72).is_null(),
            "past SENSOR_TYPE_MAX"
        );
        set_module(None);
    }
}
