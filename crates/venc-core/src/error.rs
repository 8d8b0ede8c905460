//! VENC error codes: `K_DEF_ERR(K_ID_VENC, K_ERR_LEVEL_ERROR, id)` = `0xA0098000 | id`.
//!
//! Source: SDK `k_errno.h`, `k_venc_comm.h`; DOC table 41 (facts §2.3). Which call returns which
//! code is what the 2024-09 MPP binaries do (facts §2.4).

use std::fmt;

/// Base of every VENC error: `0xA0000000 | mod 9 << 16 | level 4 << 13`.
pub const VENC_ERR_BASE: u32 = 0xA009_8000;

/// A VENC MPI error code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u32)]
#[non_exhaustive]
pub enum VencError {
    /// Device id out of range.
    #[doc(alias = "K_ERR_VENC_INVALID_DEVID")]
    InvalidDevId = 0x01,
    /// Channel id out of range: every call with `chn > 3` (user-space wrapper check).
    #[doc(alias = "K_ERR_VENC_INVALID_CHNID")]
    InvalidChnId = 0x02,
    /// Bad attribute: `create_chn` (size, payload, profile, rate control), `enable_idr` (bad bool,
    /// non-H.264/H.265), `request_idr` (IDR not enabled).
    #[doc(alias = "K_ERR_VENC_ILLEGAL_PARAM")]
    IllegalParam = 0x03,
    /// Resource exists: `create_chn` on a channel that already exists (simulator, D-003).
    #[doc(alias = "K_ERR_VENC_EXIST")]
    Exist = 0x04,
    /// Channel does not exist. The firmware answers calls on a never-created channel with
    /// NOT_PERM instead, and so does the simulator.
    #[doc(alias = "K_ERR_VENC_UNEXIST")]
    Unexist = 0x05,
    /// Null pointer: `create_chn(attr == NULL)`.
    #[doc(alias = "K_ERR_VENC_NULL_PTR")]
    NullPtr = 0x06,
    /// Not configured.
    #[doc(alias = "K_ERR_VENC_NOT_CONFIG")]
    NotConfig = 0x07,
    /// Not supported by this backend (for example a size the software codec cannot encode).
    #[doc(alias = "K_ERR_VENC_NOT_SUPPORT")]
    NotSupport = 0x08,
    /// Wrong call order: start twice, stop when not started, destroy while started, start after stop.
    #[doc(alias = "K_ERR_VENC_NOT_PERM")]
    NotPerm = 0x09,
    /// Out of memory.
    #[doc(alias = "K_ERR_VENC_NOMEM")]
    NoMem = 0x0c,
    /// No buffer: `create_chn` with no output pool attached (simulator decision).
    #[doc(alias = "K_ERR_VENC_NOBUF")]
    NoBuf = 0x0d,
    /// Buffer empty: the kernel's `get_stream` timeout (the user wrapper turns it into NOTREADY).
    #[doc(alias = "K_ERR_VENC_BUF_EMPTY")]
    BufEmpty = 0x0e,
    /// Buffer full.
    #[doc(alias = "K_ERR_VENC_BUF_FULL")]
    BufFull = 0x0f,
    /// Not ready: `get_stream` / `query_status` failure of any kind, as the user wrapper reports it.
    #[doc(alias = "K_ERR_VENC_NOTREADY")]
    NotReady = 0x10,
    /// Bad address: a frame plane outside mapped media memory (simulator check).
    #[doc(alias = "K_ERR_VENC_BADADDR")]
    BadAddr = 0x11,
    /// Busy: `send_frame` timed out on a full input queue; `enable_idr` after start.
    #[doc(alias = "K_ERR_VENC_BUSY")]
    Busy = 0x12,
}

impl VencError {
    /// Every code, in id order.
    pub const ALL: [VencError; 16] = [
        Self::InvalidDevId,
        Self::InvalidChnId,
        Self::IllegalParam,
        Self::Exist,
        Self::Unexist,
        Self::NullPtr,
        Self::NotConfig,
        Self::NotSupport,
        Self::NotPerm,
        Self::NoMem,
        Self::NoBuf,
        Self::BufEmpty,
        Self::BufFull,
        Self::NotReady,
        Self::BadAddr,
        Self::Busy,
    ];

    /// The 32-bit code the MPI returns (`0xA0098000 | id`).
    pub const fn code(self) -> u32 {
        VENC_ERR_BASE | self as u32
    }

    /// The code as CanMV's `SendFrame` hands it to Python: a `size_t` through `mp_obj_new_int`,
    /// which shows as a negative int (`0xA0098012` → `-1609990126`) (facts §1.2).
    pub const fn as_canmv_int(self) -> i64 {
        self.code() as i32 as i64
    }

    /// The error for a raw code, if it is one of ours.
    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }

    /// The SDK name (`K_ERR_VENC_…`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::InvalidDevId => "K_ERR_VENC_INVALID_DEVID",
            Self::InvalidChnId => "K_ERR_VENC_INVALID_CHNID",
            Self::IllegalParam => "K_ERR_VENC_ILLEGAL_PARAM",
            Self::Exist => "K_ERR_VENC_EXIST",
            Self::Unexist => "K_ERR_VENC_UNEXIST",
            Self::NullPtr => "K_ERR_VENC_NULL_PTR",
            Self::NotConfig => "K_ERR_VENC_NOT_CONFIG",
            Self::NotSupport => "K_ERR_VENC_NOT_SUPPORT",
            Self::NotPerm => "K_ERR_VENC_NOT_PERM",
            Self::NoMem => "K_ERR_VENC_NOMEM",
            Self::NoBuf => "K_ERR_VENC_NOBUF",
            Self::BufEmpty => "K_ERR_VENC_BUF_EMPTY",
            Self::BufFull => "K_ERR_VENC_BUF_FULL",
            Self::NotReady => "K_ERR_VENC_NOTREADY",
            Self::BadAddr => "K_ERR_VENC_BADADDR",
            Self::Busy => "K_ERR_VENC_BUSY",
        }
    }

    /// The MPI calls that can return this code, in the firmware (facts §2.4) and in the simulator.
    pub const fn returned_by(self) -> &'static [&'static str] {
        match self {
            Self::InvalidChnId => &["every kd_mpi_venc_* call with chn > 3"],
            Self::IllegalParam => &[
                "kd_mpi_venc_create_chn",
                "kd_mpi_venc_enable_idr",
                "kd_mpi_venc_request_idr",
                "kd_mpi_venc_send_frame (simulator strict mode)",
            ],
            Self::Exist => &["kd_mpi_venc_create_chn (simulator; the firmware does not check)"],
            Self::NullPtr => &["kd_mpi_venc_create_chn (attr == NULL; impossible through Rust)"],
            Self::NotSupport => &[
                "kd_mpi_venc_create_chn",
                "kd_mpi_venc_send_frame",
                "kd_mpi_venc_request_chn / release_chn (firmware without the binding)",
            ],
            Self::NotPerm => &[
                "kd_mpi_venc_release_chn (simulator: never requested, or still created)",
                "kd_mpi_venc_start_chn",
                "kd_mpi_venc_stop_chn",
                "kd_mpi_venc_destroy_chn",
                "kd_mpi_venc_attach_vb_pool",
                "kd_mpi_venc_detach_vb_pool",
            ],
            Self::NoMem => &["kd_mpi_venc_start_chn (simulator: worker thread not spawned)"],
            Self::NoBuf => &[
                "kd_mpi_venc_create_chn",
                "kd_mpi_venc_attach_vb_pool",
                "kd_mpi_venc_request_chn (simulator: no free channel)",
            ],
            Self::BufEmpty => {
                &["the kernel's get_stream timeout (the user wrapper turns it into NOTREADY)"]
            }
            Self::NotReady => &["kd_mpi_venc_get_stream", "kd_mpi_venc_query_status"],
            Self::BadAddr => &["kd_mpi_venc_send_frame (simulator)"],
            Self::Busy => &["kd_mpi_venc_send_frame", "kd_mpi_venc_enable_idr"],
            Self::InvalidDevId | Self::Unexist | Self::NotConfig | Self::BufFull => &[],
        }
    }
}

impl fmt::Display for VencError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (0x{:08X})", self.name(), self.code())
    }
}

impl std::error::Error for VencError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_the_sdk() {
        assert_eq!(VencError::InvalidChnId.code(), 0xA009_8002);
        assert_eq!(VencError::NotPerm.code(), 0xA009_8009);
        assert_eq!(VencError::NotReady.code(), 0xA009_8010);
        assert_eq!(VencError::BufEmpty.code(), 0xA009_800E);
        assert_eq!(VencError::Busy.code(), 0xA009_8012);
        assert_eq!(VencError::Busy.as_canmv_int(), -1_609_990_126);
        for e in VencError::ALL {
            assert_eq!(VencError::from_code(e.code()), Some(e));
            assert!(e.to_string().contains(&format!("{:08X}", e.code())));
        }
        assert_eq!(VencError::from_code(0xA009_8000), None);
    }
}
