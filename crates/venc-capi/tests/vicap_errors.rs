//! The camera calls' and the bind's error paths, called through the exported functions (one
//! process, one board: the checks run in order in one test).
#![allow(clippy::unwrap_used)]

mod common;

use common::{sys_err, vicap_err};
use k230_mpp_sim::abi::{MppChn, VideoFrameInfo};
use k230_mpp_sim::bind::{kd_mpi_sys_bind, kd_mpi_sys_get_bind_by_dest, kd_mpi_sys_unbind};
use k230_mpp_sim::vicap::types::{VicapChnAttr, VicapDevAttr, VicapSensorInfo, VicapWindow};
use k230_mpp_sim::vicap::*;
use std::ffi::CStr;
use std::ptr::{null, null_mut};

const INVALID_DEVID: i32 = vicap_err(1);
const INVALID_CHNID: i32 = vicap_err(2);
const ILLEGAL_PARAM: i32 = vicap_err(3);
const NULL_PTR: i32 = vicap_err(6);
const NOT_CONFIG: i32 = vicap_err(7);
const NOT_SUPPORT: i32 = vicap_err(8);
const NOT_PERM: i32 = vicap_err(9);

/// IMX335 at 1920x1080 (`IMX335_MIPI_2LANE_RAW12_1920X1080_30FPS_LINEAR`).
const IMX335: u32 = 7;

fn sensor_info(t: u32) -> VicapSensorInfo {
    let mut info = VicapSensorInfo::default();
    // SAFETY: `info` is writable.
    assert_eq!(unsafe { kd_mpi_vicap_get_sensor_info(t, &mut info) }, 0);
    info
}

fn dev_attr(mode: u32) -> VicapDevAttr {
    let sensor_info = sensor_info(IMX335);
    VicapDevAttr {
        acq_win: VicapWindow {
            h_start: 0,
            v_start: 0,
            width: sensor_info.width,
            height: sensor_info.height,
        },
        mode,
        input_type: 0,
        image_pat: 0,
        pipe_ctrl: 0,
        cpature_frame: 0,
        sensor_info,
        dw_enable: 0,
        dev_enable: 1,
        buffer_num: 0,
        buffer_size: 0,
        mirror: 0,
        ..VicapDevAttr::default()
    }
}

fn chn_attr(w: u16, h: u16) -> VicapChnAttr {
    let win = VicapWindow {
        h_start: 0,
        v_start: 0,
        width: w,
        height: h,
    };
    VicapChnAttr {
        out_win: win,
        crop_win: win,
        scale_win: win,
        chn_enable: 1,
        pix_format: 31,
        buffer_num: 4,
        buffer_size: u32::from(w) * u32::from(h) * 2,
        alignment: 12,
        ..VicapChnAttr::default()
    }
}

fn frame() -> VideoFrameInfo {
    // SAFETY: every field is an integer or a pointer: all-zero is valid.
    unsafe { std::mem::zeroed() }
}

#[test]
fn every_wrong_camera_and_bind_call_gets_its_code() {
    // SAFETY: every pointer passed (the whole test) is NULL on purpose or to a live local.
    unsafe {
        // Sensor info.
        assert_eq!(kd_mpi_vicap_get_sensor_info(IMX335, null_mut()), NULL_PTR);
        let mut info = sensor_info(0);
        assert_eq!(kd_mpi_vicap_get_sensor_info(72, &mut info), ILLEGAL_PARAM);
        // Below SENSOR_TYPE_MAX with no table entry: the bare K_ERR_UNEXIST, as the SDK.
        assert_eq!(kd_mpi_vicap_get_sensor_info(29, &mut info), 5);
        assert_eq!(kd_mpi_vicap_get_sensor_info(59, &mut info), 5);
        let info = sensor_info(IMX335);
        assert_eq!((info.width, info.height), (1920, 1080));
        assert_eq!(CStr::from_ptr(info.sensor_name).to_str().unwrap(), "imx335");
        assert_eq!(info.data_type, 0x2C, "RAW12");
        assert_eq!(
            CStr::from_ptr(info.database_name).to_str().unwrap(),
            "imx335-1920x1080"
        );
        assert_eq!((info.fps, info.csi_num, info.sensor_type), (30, 1, IMX335));
        // The SDK's table as it is: the OV5647 "10FPS" mode says 15 fps.
        let ov = sensor_info(22);
        assert_eq!((ov.width, ov.height, ov.fps), (2592, 1944, 15));
        assert_eq!(
            kd_mpi_vicap_set_dev_attr(0, dev_attr(4)),
            NOT_SUPPORT,
            "SW tile"
        );

        // Device attributes.
        assert_eq!(kd_mpi_vicap_set_dev_attr(3, dev_attr(0)), INVALID_DEVID);
        let mut small = dev_attr(0);
        small.acq_win.width = 100;
        assert_eq!(kd_mpi_vicap_set_dev_attr(0, small), ILLEGAL_PARAM);
        assert_eq!(kd_mpi_vicap_set_dev_attr(0, dev_attr(3)), NOT_SUPPORT);
        assert_eq!(kd_mpi_vicap_set_dev_attr(0, dev_attr(9)), ILLEGAL_PARAM);
        let mut unknown = dev_attr(0);
        unknown.sensor_info.sensor_type = 99;
        assert_eq!(kd_mpi_vicap_set_dev_attr(0, unknown), ILLEGAL_PARAM);
        let mut mirror = dev_attr(0);
        mirror.mirror = 4;
        assert_eq!(kd_mpi_vicap_set_dev_attr(0, mirror), ILLEGAL_PARAM);
        let mut got = dev_attr(0);
        assert_eq!(kd_mpi_vicap_get_dev_attr(1, &mut got), NOT_CONFIG);
        assert_eq!(kd_mpi_vicap_get_dev_attr(1, null_mut()), NULL_PTR);
        assert_eq!(kd_mpi_vicap_init(0), NOT_CONFIG, "no device attributes");

        // Channel attributes.
        assert_eq!(
            kd_mpi_vicap_set_chn_attr(0, 3, chn_attr(640, 480)),
            INVALID_CHNID
        );
        assert_eq!(
            kd_mpi_vicap_set_chn_attr(3, 0, chn_attr(640, 480)),
            INVALID_DEVID
        );
        for (why, attr) in [
            ("width not a multiple of 16", chn_attr(650, 480)),
            ("below 320x240", chn_attr(160, 120)),
            (
                "2 buffers",
                VicapChnAttr {
                    buffer_num: 2,
                    ..chn_attr(640, 480)
                },
            ),
            (
                "alignment 13",
                VicapChnAttr {
                    alignment: 13,
                    ..chn_attr(640, 480)
                },
            ),
            (
                "buffer_size too small",
                VicapChnAttr {
                    buffer_size: 1000,
                    ..chn_attr(640, 480)
                },
            ),
        ] {
            assert_eq!(
                kd_mpi_vicap_set_chn_attr(0, 0, attr),
                ILLEGAL_PARAM,
                "{why}"
            );
        }
        let nv21 = VicapChnAttr {
            pix_format: 28,
            ..chn_attr(640, 480)
        };
        assert_eq!(kd_mpi_vicap_set_chn_attr(0, 0, nv21), NOT_SUPPORT);
        let mut chn = chn_attr(0, 0);
        assert_eq!(kd_mpi_vicap_get_chn_attr(0, 0, &mut chn), NOT_CONFIG);
        assert_eq!(kd_mpi_vicap_get_chn_attr(0, 3, &mut chn), INVALID_CHNID);
        assert_eq!(kd_mpi_vicap_get_chn_attr(0, 0, null_mut()), NULL_PTR);

        // Order.
        assert_eq!(kd_mpi_vicap_set_dev_attr(0, dev_attr(0)), 0);
        assert_eq!(kd_mpi_vicap_init(0), NOT_CONFIG, "no enabled channel");
        assert_eq!(kd_mpi_vicap_start_stream(0), NOT_PERM);
        assert_eq!(kd_mpi_vicap_stop_stream(0), NOT_PERM);
        assert_eq!(kd_mpi_vicap_deinit(0), NOT_PERM);
        assert_eq!(kd_mpi_vicap_set_chn_attr(0, 0, chn_attr(640, 480)), 0);
        assert_eq!(kd_mpi_vicap_get_chn_attr(0, 0, &mut chn), 0);
        assert_eq!(chn, chn_attr(640, 480));
        assert_eq!(kd_mpi_vicap_init(0), 0);
        assert_eq!(kd_mpi_vicap_init(0), NOT_PERM);
        assert_eq!(kd_mpi_vicap_set_dev_attr(0, dev_attr(0)), NOT_PERM);
        assert_eq!(
            kd_mpi_vicap_set_chn_attr(0, 1, chn_attr(640, 480)),
            NOT_PERM
        );
        let mut f = frame();
        assert_eq!(
            kd_mpi_vicap_dump_frame(0, 0, 0, &mut f, 100),
            NOT_PERM,
            "not streaming"
        );
        assert_eq!(kd_mpi_vicap_start_stream(0), 0);
        assert_eq!(kd_mpi_vicap_start_stream(0), NOT_PERM);
        assert_eq!(kd_mpi_vicap_deinit(0), NOT_PERM, "streaming");

        // Dumps.
        assert_eq!(kd_mpi_vicap_dump_frame(0, 0, 0, null_mut(), 100), NULL_PTR);
        assert_eq!(kd_mpi_vicap_dump_frame(0, 3, 0, &mut f, 100), INVALID_CHNID);
        assert_eq!(kd_mpi_vicap_dump_frame(0, 1, 0, &mut f, 100), NOT_CONFIG);
        assert_eq!(
            kd_mpi_vicap_dump_frame(0, 0, 1, &mut f, 100),
            ILLEGAL_PARAM,
            "RGB of NV12"
        );
        assert_eq!(
            kd_mpi_vicap_dump_frame(0, 0, 2, &mut f, 100),
            NOT_SUPPORT,
            "raw"
        );
        assert_eq!(kd_mpi_vicap_dump_frame(0, 0, 0, &mut f, 100), 0);
        let v = f.v_frame;
        assert_eq!((v.width, v.height, v.pixel_format), (640, 480, 31));
        // UV at the next 4 KiB boundary after Y (alignment 12).
        assert_eq!(
            v.phys_addr[1] - v.phys_addr[0],
            (640 * 480u64).next_multiple_of(4096)
        );
        let mut other = f;
        other.v_frame.phys_addr[0] += 4096;
        assert_eq!(kd_mpi_vicap_dump_release(0, 0, &other), ILLEGAL_PARAM);
        assert_eq!(kd_mpi_vicap_dump_release(0, 0, null()), NULL_PTR);
        assert_eq!(kd_mpi_vicap_dump_release(0, 3, &f), INVALID_CHNID);
        assert_eq!(kd_mpi_vicap_dump_release(0, 0, &f), 0);
        assert_eq!(
            kd_mpi_vicap_dump_release(0, 0, &f),
            ILLEGAL_PARAM,
            "released twice"
        );

        // Bind.
        let vi = MppChn {
            mod_id: 6,
            dev_id: 0,
            chn_id: 0,
        };
        let venc = MppChn {
            mod_id: 9,
            dev_id: 0,
            chn_id: 0,
        };
        let vo = MppChn { mod_id: 11, ..venc };
        let far = MppChn { dev_id: 5, ..vi };
        let negative = MppChn { chn_id: -1, ..venc };
        assert_eq!(kd_mpi_sys_bind(null(), &venc), sys_err(6));
        assert_eq!(kd_mpi_sys_bind(&vi, &vo), sys_err(8), "VI -> VO");
        assert_eq!(kd_mpi_sys_bind(&far, &venc), sys_err(3));
        assert_eq!(kd_mpi_sys_bind(&vi, &negative), sys_err(3));
        assert_eq!(kd_mpi_sys_bind(&vi, &venc), 0);
        let mut source = MppChn::default();
        assert_eq!(kd_mpi_sys_get_bind_by_dest(&venc, &mut source), 0);
        assert_eq!(source, vi, "the source bound to the encoder");
        assert_eq!(kd_mpi_sys_get_bind_by_dest(&venc, null_mut()), sys_err(6));
        assert_eq!(kd_mpi_sys_get_bind_by_dest(null(), &mut source), sys_err(6));
        let second = MppChn { chn_id: 1, ..vi };
        assert_eq!(
            kd_mpi_sys_bind(&second, &venc),
            sys_err(4),
            "one source per encoder"
        );
        assert_eq!(kd_mpi_sys_unbind(&vi, &venc), 0);
        assert_eq!(kd_mpi_sys_unbind(&vi, &venc), sys_err(5));
        assert_eq!(
            kd_mpi_sys_get_bind_by_dest(&venc, &mut source),
            sys_err(5),
            "nothing bound any more"
        );
        assert_eq!(kd_mpi_sys_unbind(&vi, null()), sys_err(6));

        assert_eq!(kd_mpi_vicap_stop_stream(0), 0);
        assert_eq!(kd_mpi_vicap_stop_stream(0), NOT_PERM);
        assert_eq!(kd_mpi_vicap_deinit(0), 0);

        // The test-pattern switch and load-image mode.
        assert_eq!(kd_mpi_vicap_tpg_enable(2), ILLEGAL_PARAM);
        let raw = vec![0u8; 1920 * 1080 * 2];
        let data = raw.as_ptr().cast();
        assert_eq!(kd_mpi_vicap_load_image(3, data, 8), INVALID_DEVID);
        assert_eq!(kd_mpi_vicap_load_image(0, null(), 8), NULL_PTR);
        assert_eq!(kd_mpi_vicap_load_image(0, data, 8), NOT_PERM, "online mode");
        assert_eq!(kd_mpi_vicap_set_dev_attr(1, dev_attr(2)), 0);
        assert_eq!(kd_mpi_vicap_set_chn_attr(1, 0, chn_attr(640, 480)), 0);
        assert_eq!(kd_mpi_vicap_init(1), NOT_CONFIG, "no image loaded");
        assert_eq!(kd_mpi_vicap_load_image(1, data, 8), ILLEGAL_PARAM, "short");
        assert_eq!(kd_mpi_vicap_load_image(1, data, raw.len() as u32), 0);
        let mut ir = dev_attr(2);
        ir.image_pat = 0x10;
        assert_eq!(kd_mpi_vicap_set_dev_attr(2, ir), 0);
        assert_eq!(
            kd_mpi_vicap_load_image(2, data, raw.len() as u32),
            NOT_SUPPORT,
            "RGB-IR"
        );
        let mut yuv = dev_attr(2);
        yuv.sensor_info.data_type = 0x1E;
        assert_eq!(kd_mpi_vicap_set_dev_attr(2, yuv), 0);
        assert_eq!(
            kd_mpi_vicap_load_image(2, data, raw.len() as u32),
            NOT_SUPPORT,
            "YUV"
        );
        assert_eq!(kd_mpi_vicap_init(1), 0);
        assert_eq!(
            kd_mpi_vicap_load_image(1, data, raw.len() as u32),
            NOT_PERM,
            "after init"
        );
        assert_eq!(kd_mpi_vicap_deinit(1), 0);
    }
}
