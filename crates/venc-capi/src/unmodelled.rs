//! The calls the SDK's headers declare that the simulator does not model: exported with the
//! SDK's parameters so a program that names them links, each answering its module's
//! `NOT_SUPPORT`, warned once per call and counted ([`unmodelled_calls`]). The list of what is
//! modelled, what is here and what is not exported yet is `sdk-functions.toml`, checked by
//! `tests/exports.rs`.

use crate::codes::not_support;
use std::collections::BTreeSet;
use std::ffi::{c_char, c_void};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

static CALLS: AtomicU64 = AtomicU64::new(0);
static WARNED: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());

/// Calls to functions the simulator exports without modelling, since the process started.
pub fn unmodelled_calls() -> u64 {
    CALLS.load(Ordering::Relaxed)
}

fn refuse(name: &'static str, code: i32) -> i32 {
    let detail = format!("answers NOT_SUPPORT ({code:#x})");
    count_and_warn_once(name, &detail);
    code
}

/// A part of a modelled call the simulator does not model (a field it reads past): warned
/// once per part, counted with the unmodelled calls.
pub(crate) fn unmodelled_part(part: &'static str, detail: &str) {
    count_and_warn_once(part, detail);
}

/// Counts one unmodelled use of `what`; the first for each `what` is warned. Cancellation
/// stays off meanwhile (the warning is a `write`, `board::guarded`).
fn count_and_warn_once(what: &'static str, detail: &str) {
    crate::board::guarded(what, (), || {
        CALLS.fetch_add(1, Ordering::Relaxed);
        let first = WARNED
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(what);
        if first {
            log::warn!("{what}: not modelled by the simulator: {detail}; docs/c-api.md");
        }
    });
}

/// Exports each call as `NOT_SUPPORT` of its module; the parameters are the SDK's, unread.
macro_rules! not_modelled {
    ($code:expr => $( $name:ident($($arg:ident: $ty:ty),*); )*) => { $(
        #[doc = concat!("`", stringify!($name), "`: not modelled, `NOT_SUPPORT`.")]
        #[unsafe(no_mangle)]
        pub extern "C" fn $name($($arg: $ty),*) -> i32 {
            $( let _ = $arg; )*
            refuse(stringify!($name), $code)
        }
    )* };
}

// VB: how many modules hold a block (the simulator does not count a block's users).
not_modelled! { not_support::VB =>
    kd_mpi_vb_inquire_user_cnt(block: u32);
}

// The MPP's kernel log (the simulator logs through its own logger, VENC_SIM_LOG).
not_modelled! { not_support::LOG =>
    kd_mpi_log_set_level_conf(conf: *const c_void);
    kd_mpi_log_get_level_conf(conf: *mut c_void);
    kd_mpi_log_set_wait_flag(is_wait: u32);
    kd_mpi_log_read(buf: *mut c_char, size: u32);
    kd_mpi_log_set_console(is_console: u32);
    kd_mpi_log_get_console(is_console: *mut u32);
}

/// `kd_mpi_log_close`: nothing to close (the kernel log is not modelled).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_log_close() {
    refuse("kd_mpi_log_close", not_support::LOG);
}

// The virtual video input (a test-picture device).
not_modelled! { not_support::VVI =>
    kd_mpi_vvi_set_chn_attr(chn_num: u32, attr: *mut c_void);
    kd_mpi_vvi_set_dev_attr(dev_num: u32, attr: *mut c_void);
    kd_mpi_vvi_start_pipe(dev_num: u32, chn_num: u32);
    kd_mpi_vvi_stop_pipe(dev_num: u32, chn_num: u32);
    kd_mpi_vvi_chn_insert_pic(chn_num: u32, vf_info: *mut c_void);
    kd_mpi_vvi_chn_remove_pic(chn_num: u32);
    kd_mpi_vvi_chn_dump_request(chn_num: u32);
    kd_mpi_vvi_chn_dump_frame(chn_num: u32, vf_info: *mut c_void, milli_sec: u32);
    kd_mpi_vvi_chn_dump_release(chn_num: u32, vf_info: *const c_void);
}

/// Structs the sensor calls take by value, mirrored only for their size: the simulator reads
/// none of them (`k_sensor_comm.h`, `k_vicap_comm.h` of v1.9).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct ByValue<const WORDS: usize>([u32; WORDS]);

/// `k_sensor_mode` by value: 416 bytes, 8-byte aligned (it holds pointers).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct SensorModeByValue([u64; 52]);

// The sensor driver's registers, mode, exposure, gain, black level, white balance, test
// pattern and OTP: the simulated sensor has no registers and no ISP loop to steer.
not_modelled! { not_support::VICAP =>
    kd_mpi_sensor_power_set(fd: i32, on: u32);
    kd_mpi_sensor_id_get(fd: i32, sensor_id: *mut u32);
    kd_mpi_sensor_init(fd: i32, mode: SensorModeByValue);
    kd_mpi_sensor_reg_read(fd: i32, reg_addr: u32, reg_val: *mut u32);
    kd_mpi_sensor_reg_write(fd: i32, reg_addr: u32, reg_val: u32);
    kd_mpi_sensor_mode_get(fd: i32, mode: *mut c_void);
    kd_mpi_sensor_mode_set(fd: i32, mode: SensorModeByValue);
    kd_mpi_sensor_mode_enum(fd: i32, enum_mode: *mut c_void);
    kd_mpi_sensor_caps_get(fd: i32, caps: *mut c_void);
    kd_mpi_sensor_stream_enable(fd: i32, enable: i32);
    kd_mpi_sensor_again_set(fd: i32, gain: ByValue<4>);
    kd_mpi_sensor_again_get(fd: i32, gain: *mut c_void);
    kd_mpi_sensor_dgain_set(fd: i32, gain: ByValue<4>);
    kd_mpi_sensor_dgain_get(fd: i32, gain: *mut c_void);
    kd_mpi_sensor_intg_time_set(fd: i32, time: ByValue<4>);
    kd_mpi_sensor_intg_time_get(fd: i32, time: *mut c_void);
    kd_mpi_sensor_fps_get(fd: i32, fps: *mut u32);
    kd_mpi_sensor_fps_set(fd: i32, fps: u32);
    kd_mpi_sensor_isp_status_get(fd: i32, isp_status: *mut c_void);
    kd_mpi_sensor_blc_set(fd: i32, blc: ByValue<4>);
    kd_mpi_sensor_wb_set(fd: i32, wb: ByValue<4>);
    kd_mpi_sensor_tpg_get(fd: i32, tpg: *mut c_void);
    kd_mpi_sensor_tpg_set(fd: i32, tpg: ByValue<2>);
    kd_mpi_sensor_expand_curve_get(fd: i32, curve: *mut c_void);
    kd_mpi_sensor_otpdata_get(fd: i32, ota_data: *mut c_void);
    kd_mpi_sensor_otpdata_set(fd: i32, ota_data: *mut c_void);
    kd_mpi_sensor_mirror_set(fd: i32, mirror: ByValue<2>);
}

// The VICAP's clocks, sync-slave mode, frame dropping, register dump, ISP database and 3D
// (structured-light) mode: the simulated capture has no clock tree, registers or ISP database.
not_modelled! { not_support::VICAP =>
    kd_mpi_vicap_get_sensor_fd(sensor_attr: *mut c_void);
    kd_mpi_vicap_set_mclk(id: u32, sel: u32, mclk_div: u8, mclk_en: u8);
    kd_mpi_vicap_set_vi_drop_frame(csi: u32, frame: *mut c_void, enable: u32);
    kd_mpi_vicap_set_database_parse_mode(dev_num: u32, parse_mode: u32);
    kd_mpi_vicap_dump_register(dev_num: u32, path: *const c_char);
    kd_mpi_vicap_set_slave_enable(id: u32, enable: *mut c_void);
    kd_mpi_vicap_set_slave_attr(id: u32, info: *mut c_void);
    kd_mpi_vicap_3d_mode_crtl(enable: u32);
    kd_mpi_vicap_sensor_set_mclk(sensor_mclk: ByValue<3>);
    kd_mpi_vicap_sensor_disable_mclk(sensor_mclk: ByValue<3>);
}

/// `kd_mpi_vicap_set_dump_reserved` (no result): not modelled; warned once and counted.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vicap_set_dump_reserved(dev_num: u32, chn_num: u32, reserved: u32) {
    let _ = (dev_num, chn_num, reserved);
    refuse("kd_mpi_vicap_set_dump_reserved", not_support::VICAP);
}
