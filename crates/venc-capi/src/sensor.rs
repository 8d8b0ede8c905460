//! The sensor-driver side of the camera (`kd_mpi_sensor_*`, `mpi_sensor_api.h`) and the
//! sensor-type tables of `kd_mpi_vicap_get_sensor_type`/`_string`: what a program uses to find
//! which camera module sits on a CSI bus before it configures the VICAP.
//!
//! The simulated board carries one camera module on each CSI bus; which drivers it answers is
//! `VENC_SIM_SENSOR` (read at each probe): unset or `any`, every driver of the SDK's table
//! (so a probe for any of the table's modes succeeds); a chip name (`gc2093`, `ov5647`,
//! `imx335`, …), only that chip's drivers (`gc2093`, `gc2093_csi1`, …), as a board with that
//! module; `none`, no module (every probe fails). Probing follows the SDK's
//! `kd_mpi_sensor_adapt_get` (v1.9 `mpi_sensor.c`): the table in order, at most 16 candidates,
//! sorted by rate, width and height (descending; ties keep the table's order), then the wanted
//! mode, the same size, a larger size. docs/c-api.md; D-060.
//!
//! Modelled: `open`/`close` (a real descriptor per driver node), `connection_check`,
//! `adapt_get`, `kd_mpi_adapt_sensor_get`, `kd_mpi_vicap_get_sensor_type`/`_string`. The
//! register, gain, exposure, mode and test-pattern calls answer NOT_SUPPORT
//! ([`crate::unmodelled`]).

use crate::board::guarded;
use crate::codes::vicap as code;
use crate::vicap::sensors::{self, SENSOR_MODES, SensorMode, TYPE_STRINGS};
use log::warn;
use std::collections::BTreeMap;
use std::ffi::{CStr, c_char};
use std::fs::File;
use std::os::fd::{FromRawFd, IntoRawFd};
use std::sync::Mutex;

/// `k_vicap_adapt_id`: the sensor types that answered on one bus.
#[doc(alias = "k_vicap_adapt_id")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VicapAdaptId {
    pub adapt_id: [u32; 16],
    pub adapt_len: u32,
}

/// `k_vicap_probe_config`: what `kd_mpi_sensor_adapt_get` looks for; it writes back the
/// driver's name and the board's default mirror.
#[doc(alias = "k_vicap_probe_config")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VicapProbeConfig {
    pub csi_num: u32,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub mirror: u32,
    pub sensor_name: [u8; 32],
}

/// Sizes and offsets, checked from C by `tests/layout.rs`.
pub const LAYOUTS: &[crate::abi::Layout] = &[
    (
        "k_vicap_adapt_id",
        68,
        &[("adapt_id", 0), ("adapt_len", 64)],
    ),
    (
        "k_vicap_probe_config",
        52,
        &[
            ("csi_num", 0),
            ("width", 4),
            ("height", 8),
            ("fps", 12),
            ("mirror", 16),
            ("sensor_name", 20),
        ],
    ),
];

const _: () = {
    assert!(size_of::<VicapAdaptId>() == 68);
    assert!(size_of::<VicapProbeConfig>() == 52);
};

/// The probe's candidate limit (`MAX_SENSOR_COUNT`) and the length of a bus's list.
const MAX_CANDIDATES: usize = 16;

/// Which drivers the simulated camera modules answer (`VENC_SIM_SENSOR`).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Modules {
    Any,
    Chip(String),
    None,
}

fn modules() -> Modules {
    match std::env::var("VENC_SIM_SENSOR") {
        Err(_) => Modules::Any,
        Ok(v) if v.is_empty() || v == "any" => Modules::Any,
        Ok(v) if v == "none" => Modules::None,
        Ok(v) => Modules::Chip(v),
    }
}

/// Whether the module on a bus answers `driver` (`gc2093_csi2` is the `gc2093` chip).
fn answers(modules: &Modules, driver: &CStr) -> bool {
    let driver = driver.to_string_lossy();
    match modules {
        Modules::Any => true,
        Modules::None => false,
        Modules::Chip(chip) => driver
            .strip_prefix(chip.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('_')),
    }
}

/// The drivers' device nodes a program holds open: descriptor → driver.
static OPEN: Mutex<BTreeMap<i32, &'static CStr>> = Mutex::new(BTreeMap::new());

fn open_nodes() -> std::sync::MutexGuard<'static, BTreeMap<i32, &'static CStr>> {
    OPEN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `kd_mpi_sensor_open`: a descriptor on the driver's node `/dev/sensor_<name>`, which exists
/// for every driver of the table whether or not its chip is fitted. Failures return the
/// *negated* code, as the SDK does (so a positive number: a program that tests `fd < 0` takes
/// it for a descriptor, on the board too).
///
/// # Safety
/// `sensor_name` is NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_sensor_open(sensor_name: *const c_char) -> i32 {
    guarded("kd_mpi_sensor_open", code::NOTREADY.wrapping_neg(), || {
        if sensor_name.is_null() {
            warn!("kd_mpi_sensor_open: sensor_name is NULL");
            return code::NULL_PTR.wrapping_neg();
        }
        // SAFETY: non-NULL, NUL-terminated by the caller's contract.
        let name = unsafe { CStr::from_ptr(sensor_name) };
        let Some(m) = SENSOR_MODES.iter().find(|m| m.driver == name) else {
            warn!(
                "kd_mpi_sensor_open: no driver node /dev/sensor_{}",
                name.to_string_lossy()
            );
            return code::NOTREADY.wrapping_neg();
        };
        match File::open("/dev/null") {
            Ok(node) => {
                let fd = node.into_raw_fd();
                open_nodes().insert(fd, m.driver);
                fd
            }
            Err(e) => {
                warn!("kd_mpi_sensor_open: no descriptor left: {e}");
                code::NOTREADY.wrapping_neg()
            }
        }
    })
}

/// `kd_mpi_sensor_close`: closes a descriptor `kd_mpi_sensor_open` gave; any other is left
/// alone (the SDK's `close(fd)` would close whatever the program has under that number).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_sensor_close(fd: i32) -> i32 {
    guarded("kd_mpi_sensor_close", 0, || {
        if open_nodes().remove(&fd).is_some() {
            // SAFETY: the descriptor came from `into_raw_fd` in kd_mpi_sensor_open and is
            // closed once: it has just left the table.
            drop(unsafe { File::from_raw_fd(fd) });
        } else {
            warn!("kd_mpi_sensor_close: {fd} is not a sensor descriptor");
        }
        0
    })
}

/// `kd_mpi_sensor_connection_check`: 1 in `*connection` when the module answers the driver;
/// NOT_SUPPORT when it does not (the driver's ioctl fails, as `id_get`'s does) or `fd` is no
/// sensor descriptor.
///
/// # Safety
/// `connection` is NULL or points to a writable `k_s32`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_sensor_connection_check(fd: i32, connection: *mut i32) -> i32 {
    guarded("kd_mpi_sensor_connection_check", code::NOT_SUPPORT, || {
        // SAFETY: NULL or writable, by the caller's contract.
        let Some(out) = (unsafe { connection.as_mut() }) else {
            return code::NULL_PTR;
        };
        let driver = open_nodes().get(&fd).copied();
        match driver {
            Some(d) if answers(&modules(), d) => {
                *out = 1;
                0
            }
            Some(d) => {
                warn!(
                    "kd_mpi_sensor_connection_check: no {} module on the simulated board \
                     (VENC_SIM_SENSOR)",
                    d.to_string_lossy()
                );
                code::NOT_SUPPORT
            }
            None => {
                warn!("kd_mpi_sensor_connection_check: {fd} is not a sensor descriptor");
                code::NOT_SUPPORT
            }
        }
    })
}

/// The modes whose drivers answer, in the table's order, on `csi` (every bus if `None`).
fn answering(csi: Option<u32>) -> impl Iterator<Item = &'static SensorMode> {
    let modules = modules();
    SENSOR_MODES
        .iter()
        .filter(move |m| csi.is_none_or(|c| m.csi == c) && answers(&modules, m.driver))
}

/// The probe of `kd_mpi_sensor_adapt_get`: the mode a program asking for `want` gets on
/// `csi`, if any.
fn probe(csi: u32, (width, height, fps): (u32, u32, u32)) -> Option<&'static SensorMode> {
    let mut found: Vec<&SensorMode> = Vec::new();
    // The SDK walks the types in order, one table entry each.
    for t in 0..sensors::SENSOR_TYPE_MAX {
        if found.len() >= MAX_CANDIDATES {
            println!("kd_mpi_sensor_adapt_get, too may ids");
            break;
        }
        if let Some(m) = sensors::mode(t).filter(|m| answering(Some(csi)).any(|a| a == *m)) {
            found.push(m);
        }
    }
    // Stable: equal modes keep the table's order.
    found.sort_by_key(|m| std::cmp::Reverse((m.fps, m.width, m.height)));
    let size = |m: &&SensorMode| u32::from(m.width) == width && u32::from(m.height) == height;
    (fps != 0)
        .then(|| found.iter().find(|m| size(m) && u32::from(m.fps) == fps))
        .flatten()
        .or_else(|| found.iter().find(|m| size(m)))
        .or_else(|| {
            found
                .iter()
                .find(|m| width <= u32::from(m.width) && height <= u32::from(m.height))
        })
        .copied()
}

/// The probe of both families: `csi` is a `k_vicap_csi_num` (CSI0 = 1).
///
/// # Safety
/// As [`kd_mpi_sensor_adapt_get`].
unsafe fn adapt(
    call: &str,
    config: *mut VicapProbeConfig,
    info: *mut crate::vicap::types::VicapSensorInfo,
    csi_of: fn(u32) -> u32,
) -> i32 {
    guarded(call, 1, || {
        // SAFETY: NULL or writable, by the caller's contract.
        let (Some(config), Some(info)) = (unsafe { config.as_mut() }, unsafe { info.as_mut() })
        else {
            return 2;
        };
        let want = (config.width, config.height, config.fps);
        let Some(m) = probe(csi_of(config.csi_num), want) else {
            warn!(
                "{call}: no module on csi_num {} gives {}x{}@{} (VENC_SIM_SENSOR)",
                config.csi_num, want.0, want.1, want.2
            );
            return 1;
        };
        *info = crate::vicap::sensor_info_of(m);
        // strncpy into 32 bytes: the name, then NULs up to the end.
        let name = m.driver.to_bytes();
        config.sensor_name = [0; 32];
        let n = name.len().min(32);
        config.sensor_name[..n].copy_from_slice(&name[..n]);
        // The CanMV-K230's mirror table holds only 0 (mpi_sensor_type_to_mirror.c).
        config.mirror = 0;
        println!(
            "probe sensor type {}, mirror {}",
            m.sensor_type, config.mirror
        );
        0
    })
}

/// `kd_mpi_sensor_adapt_get`: finds the camera module on `config->csi_num` (a
/// `k_vicap_csi_num`: CSI0 = 1, as the SDK compares it) that gives `width`x`height`@`fps` (or
/// the same size at another rate, or a larger size), fills `info` with its mode and writes the
/// driver's name and the board's mirror (0 on the CanMV-K230) into `config`. Returns 0, 1 when
/// nothing fits, 2 for a NULL argument (the SDK's values).
///
/// # Safety
/// `config` and `info` are NULL or point to a writable `k_vicap_probe_config` and
/// `k_vicap_sensor_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_sensor_adapt_get(
    config: *mut VicapProbeConfig,
    info: *mut crate::vicap::types::VicapSensorInfo,
) -> i32 {
    // SAFETY: the caller's contract, passed on.
    unsafe { adapt("kd_mpi_sensor_adapt_get", config, info, |csi| csi) }
}

/// `kd_mpi_sensor_adapt_get` of the CanMV MPP, whose `csi_num` is the bus index (0..=2:
/// `CONFIG_MPP_SENSOR_DEFAULT_CSI` 2 is the CanMV-K230's CSI2 camera, D-062).
///
/// # Safety
/// As [`kd_mpi_sensor_adapt_get`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_sensor_adapt_get_canmv(
    config: *mut VicapProbeConfig,
    info: *mut crate::vicap::types::VicapSensorInfo,
) -> i32 {
    // SAFETY: the caller's contract, passed on.
    unsafe {
        adapt("kd_mpi_sensor_adapt_get", config, info, |bus| {
            bus.saturating_add(1)
        })
    }
}

/// `kd_mpi_adapt_sensor_get`: every sensor type whose module answers, listed per CSI bus (at
/// most 16 each: the SDK writes past the end of a full list, the simulator stops and warns).
///
/// # Safety
/// Each pointer is NULL or points to a writable `k_vicap_adapt_id`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_adapt_sensor_get(
    csi0: *mut VicapAdaptId,
    csi1: *mut VicapAdaptId,
    csi2: *mut VicapAdaptId,
) -> i32 {
    guarded("kd_mpi_adapt_sensor_get", code::NOT_SUPPORT, || {
        // SAFETY: NULL or writable, by the caller's contract.
        let lists = unsafe { [csi0.as_mut(), csi1.as_mut(), csi2.as_mut()] };
        let [Some(a), Some(b), Some(c)] = lists else {
            // The SDK dereferences them; the simulator refuses instead of crashing.
            warn!("kd_mpi_adapt_sensor_get: a NULL list");
            return code::NULL_PTR;
        };
        let mut buses = [a, b, c];
        for bus in buses.iter_mut() {
            bus.adapt_len = 0;
        }
        let modules = modules();
        for t in 0..sensors::SENSOR_TYPE_MAX {
            let Some(m) = sensors::mode(t) else {
                println!("kd_mpi_vicap_adapt_config, the sensor type not supported! i is {t} ");
                continue;
            };
            if !answers(&modules, m.driver) {
                continue;
            }
            let Some(bus) = (m.csi as usize)
                .checked_sub(1)
                .and_then(|i| buses.get_mut(i))
            else {
                println!("csi num err ");
                continue;
            };
            let len = bus.adapt_len as usize;
            if len >= bus.adapt_id.len() {
                warn!(
                    "kd_mpi_adapt_sensor_get: CSI{} list full at 16; type {t} left out (the \
                     SDK would write past the list)",
                    m.csi - 1
                );
                continue;
            }
            bus.adapt_id[len] = t;
            bus.adapt_len += 1;
        }
        0
    })
}

/// `kd_mpi_vicap_get_sensor_type`: the type the SDK's string table gives `sensor_string`;
/// the bare `K_ERR_UNEXIST` (5) for another string.
///
/// # Safety
/// `sensor_type` is NULL or writable; `sensor_string` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vicap_get_sensor_type(
    sensor_type: *mut u32,
    sensor_string: *const c_char,
) -> i32 {
    guarded("kd_mpi_vicap_get_sensor_type", code::NOT_SUPPORT, || {
        if sensor_string.is_null() {
            return code::NULL_PTR;
        }
        // SAFETY: non-NULL and NUL-terminated by the caller's contract.
        let s = unsafe { CStr::from_ptr(sensor_string) };
        let Some(&(_, t)) = TYPE_STRINGS.iter().find(|(name, _)| *name == s) else {
            return code::BARE_UNEXIST;
        };
        // SAFETY: NULL or writable, by the caller's contract (the SDK writes unchecked).
        match unsafe { sensor_type.as_mut() } {
            Some(out) => {
                *out = t;
                0
            }
            None => code::NULL_PTR,
        }
    })
}

/// `kd_mpi_vicap_get_sensor_string`: the string of `sensor_type` in the SDK's table, or NULL
/// (most types have none). Prints what the SDK prints.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vicap_get_sensor_string(sensor_type: u32) -> *const c_char {
    guarded("kd_mpi_vicap_get_sensor_string", std::ptr::null(), || {
        println!("kd_mpi_vicap_get_sensor_string, sensor_type({sensor_type})");
        if sensor_type >= sensors::SENSOR_TYPE_MAX {
            warn!("kd_mpi_vicap_get_sensor_string: invalid sensor type {sensor_type}");
            return std::ptr::null();
        }
        match TYPE_STRINGS.iter().find(|(_, t)| *t == sensor_type) {
            Some((s, _)) => {
                println!(
                    "kd_mpi_vicap_get_sensor_string, sensor_string({})",
                    s.to_string_lossy()
                );
                s.as_ptr()
            }
            None => std::ptr::null(),
        }
    })
}

/// The raw descriptor numbers held open (for tests of `close`).
pub fn open_sensor_descriptors() -> usize {
    open_nodes().len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chip_answers_its_bus_variants_only() {
        let gc = Modules::Chip("gc2093".into());
        assert!(answers(&gc, c"gc2093"));
        assert!(answers(&gc, c"gc2093_csi2"));
        assert!(!answers(&gc, c"gc2053"));
        assert!(!answers(&gc, c"gc20"));
        assert!(answers(&Modules::Any, c"imx335"));
        assert!(!answers(&Modules::None, c"imx335"));
    }
}
