//! The return codes of the VB, system-control and MMZ calls: `K_DEF_ERR(module, ERROR, id)`
//! with the modules and ids of the system-control reference's error tables (docs/c-api.md).

use venc_core::VencError;

const fn def_err(module: u32, id: u32) -> i32 {
    (0xA000_0000u32 | (module << 16) | (4 << 13) | id) as i32
}

const K_ID_LOG: u32 = 1;
const K_ID_MMZ: u32 = 3;
const K_ID_VB: u32 = 4;
const K_ID_SYS: u32 = 5;
const K_ID_VO: u32 = 11;
const K_ID_V_VI: u32 = 18;
const K_ID_VICAP: u32 = 21;

/// `NOT_SUPPORT` of the modules whose calls the library exports without modelling
/// (`crate::unmodelled`).
pub mod not_support {
    use super::{K_ID_LOG, K_ID_V_VI, K_ID_VB, K_ID_VICAP, def_err};
    pub const VB: i32 = def_err(K_ID_VB, 0x08);
    pub const LOG: i32 = def_err(K_ID_LOG, 0x08);
    pub const VVI: i32 = def_err(K_ID_V_VI, 0x08);
    /// The sensor calls answer the VICAP's (`mpi_sensor.c` returns K_ERR_VICAP_NOT_SUPPORT).
    pub const VICAP: i32 = def_err(K_ID_VICAP, 0x08);
}

/// `K_ERR_VB_*` (table 41).
pub mod vb {
    use super::{K_ID_VB, def_err};
    pub const ILLEGAL_PARAM: i32 = def_err(K_ID_VB, 0x03);
    pub const UNEXIST: i32 = def_err(K_ID_VB, 0x05);
    pub const NULL_PTR: i32 = def_err(K_ID_VB, 0x06);
    pub const NOT_PERM: i32 = def_err(K_ID_VB, 0x09);
    pub const NOMEM: i32 = def_err(K_ID_VB, 0x0c);
    pub const NOTREADY: i32 = def_err(K_ID_VB, 0x10);
    pub const BUSY: i32 = def_err(K_ID_VB, 0x12);
}

/// `K_ERR_SYS_*` (table 43).
pub mod sys {
    use super::{K_ID_SYS, def_err};
    pub const ILLEGAL_PARAM: i32 = def_err(K_ID_SYS, 0x03);
    pub const EXIST: i32 = def_err(K_ID_SYS, 0x04);
    pub const UNEXIST: i32 = def_err(K_ID_SYS, 0x05);
    pub const NULL_PTR: i32 = def_err(K_ID_SYS, 0x06);
    pub const NOT_SUPPORT: i32 = def_err(K_ID_SYS, 0x08);
    pub const NOTREADY: i32 = def_err(K_ID_SYS, 0x10);
    pub const BADADDR: i32 = def_err(K_ID_SYS, 0x11);
}

/// `K_ERR_VO_*` (the SDK's `k_vo_comm.h`, common ids of `k_errno.h`).
pub mod vo {
    use super::{K_ID_VO, def_err};
    pub const INVALID_CHNID: i32 = def_err(K_ID_VO, 0x02);
    pub const ILLEGAL_PARAM: i32 = def_err(K_ID_VO, 0x03);
    pub const NULL_PTR: i32 = def_err(K_ID_VO, 0x06);
    pub const NOT_CONFIG: i32 = def_err(K_ID_VO, 0x07);
    pub const BUF_EMPTY: i32 = def_err(K_ID_VO, 0x0e);
    pub const NOTREADY: i32 = def_err(K_ID_VO, 0x10);
    pub const BADADDR: i32 = def_err(K_ID_VO, 0x11);
}

/// `K_ERR_VICAP_*` (the SDK's `k_vicap_comm.h`, common ids of `k_errno.h`).
pub mod vicap {
    use super::{K_ID_VICAP, def_err};
    pub const INVALID_DEVID: i32 = def_err(K_ID_VICAP, 0x01);
    pub const INVALID_CHNID: i32 = def_err(K_ID_VICAP, 0x02);
    pub const ILLEGAL_PARAM: i32 = def_err(K_ID_VICAP, 0x03);
    pub const NULL_PTR: i32 = def_err(K_ID_VICAP, 0x06);
    pub const NOT_CONFIG: i32 = def_err(K_ID_VICAP, 0x07);
    pub const NOT_SUPPORT: i32 = def_err(K_ID_VICAP, 0x08);
    pub const NOT_PERM: i32 = def_err(K_ID_VICAP, 0x09);
    pub const NOMEM: i32 = def_err(K_ID_VICAP, 0x0c);
    pub const NOTREADY: i32 = def_err(K_ID_VICAP, 0x10);
    /// `K_ERR_UNEXIST` of `k_errno.h` unencoded: what the SDK's sensor table lookups return
    /// for a type or string with no entry (a positive 5, not a module code).
    pub const BARE_UNEXIST: i32 = 5;
}

/// `K_ERR_MMZ_USERDEV_*` (table 42).
pub mod mmz {
    use super::{K_ID_MMZ, def_err};
    pub const ILLEGAL_PARAM: i32 = def_err(K_ID_MMZ, 0x03);
    pub const NULL_PTR: i32 = def_err(K_ID_MMZ, 0x06);
    pub const NOMEM: i32 = def_err(K_ID_MMZ, 0x0c);
    pub const BADADDR: i32 = def_err(K_ID_MMZ, 0x11);
}

/// A VENC call's answer as the C function returns it.
pub fn venc(result: Result<(), VencError>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => e.code() as i32,
    }
}

/// `K_ERR_VENC_NOTREADY`: what a board whose VENC device does not open answers.
pub const VENC_DOWN: i32 = VencError::NotReady.code() as i32;

#[cfg(test)]
mod tests {
    /// The values printed in the reference's tables 41-43.
    #[test]
    fn codes_are_the_tables_values() {
        assert_eq!(super::vb::NULL_PTR as u32, 0xa004_8006);
        assert_eq!(super::vb::BUSY as u32, 0xa004_8012);
        assert_eq!(super::sys::BADADDR as u32, 0xa005_8011);
        assert_eq!(super::mmz::NOMEM as u32, 0xa003_800c);
        assert_eq!(super::VENC_DOWN as u32, 0xa009_8010);
        assert_eq!(super::vicap::NOT_PERM as u32, 0xa015_8009);
    }
}
