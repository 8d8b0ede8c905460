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
    CALLS.fetch_add(1, Ordering::Relaxed);
    let first = WARNED
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(name);
    if first {
        log::warn!(
            "{name}: not modelled by the simulator: answers NOT_SUPPORT ({code:#x}); docs/c-api.md"
        );
    }
    code
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

// VB: module-owned common pools and the frames' supplement (ISP and JPEG DCF data).
not_modelled! { not_support::VB =>
    kd_mpi_vb_inquire_user_cnt(block: u32);
    kd_mpi_vb_get_supplement_attr(block: u32, supplement: *mut c_void);
    kd_mpi_vb_set_supplement_config(config: *const c_void);
    kd_mpi_vb_get_supplement_config(config: *mut c_void);
    kd_mpi_vb_init_mod_common_pool(uid: u32);
    kd_mpi_vb_exit_mod_common_pool(uid: u32);
    kd_mpi_vb_set_mod_pool_config(uid: u32, config: *const c_void);
    kd_mpi_vb_get_mod_pool_config(uid: u32, config: *mut c_void);
}

// System control: a mapping's description.
not_modelled! { not_support::SYS =>
    kd_mpi_sys_get_virmem_info(virt_addr: *const c_void, mem_info: *mut c_void);
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
