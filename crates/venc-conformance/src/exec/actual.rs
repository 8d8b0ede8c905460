//! What a call did, in the terms a case expects, and how the trace shows it.

use crate::case::{Expect, short_code};
use std::fmt;
use venc_core::{CanMvError, VencError};

/// What a call did, in the terms a case expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Actual {
    Ok,
    Ret(i64),
    Code(VencError, Option<&'static str>),
    /// A raw non-zero `SendFrame` status.
    Status(i64, VencError),
    ValueError(String),
    IndexError,
    BadAddress,
    Other(String),
}

impl Actual {
    pub(super) fn matches(&self, e: Expect) -> bool {
        match (self, e) {
            (Self::Ok, Expect::Ok) => true,
            (Self::Ret(a), Expect::Ret(b)) => *a == b,
            (Self::Code(a, _) | Self::Status(_, a), Expect::Code(b)) => *a == b,
            (Self::ValueError(_), Expect::ValueError)
            | (Self::IndexError, Expect::IndexError)
            | (Self::BadAddress, Expect::BadAddress) => true,
            _ => false,
        }
    }

    pub(super) fn from_canmv(e: CanMvError) -> Self {
        match e {
            e @ CanMvError::ValueError { .. } => Self::ValueError(e.to_string()),
            CanMvError::OsError { message, code } => Self::Code(code, Some(message)),
            CanMvError::IndexError { .. } => Self::IndexError,
            CanMvError::BadAddress { .. } => Self::BadAddress,
            other => Self::Other(other.to_string()),
        }
    }

    /// A facade call that returns 0 (or nothing) on success.
    pub(super) fn from_facade<T>(r: Result<T, CanMvError>) -> Self {
        r.map_or_else(Self::from_canmv, |_| Self::Ok)
    }

    pub(super) fn from_mpi(r: Result<(), VencError>) -> Self {
        match r {
            Ok(()) => Self::Ok,
            Err(e) => Self::Code(e, None),
        }
    }

    pub(super) fn from_status(ret: i64) -> Self {
        match ret {
            0 => Self::Ok,
            r => VencError::from_code(r as i32 as u32).map_or(Self::Ret(r), |e| Self::Status(r, e)),
        }
    }
}

impl fmt::Display for Actual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ok => f.write_str("ok"),
            Self::Ret(v) => write!(f, "ret={v}"),
            Self::Code(e, Some(msg)) => write!(f, "OSError({msg:?}, {})", short_code(*e)),
            Self::Code(e, None) => f.write_str(short_code(*e)),
            Self::Status(r, e) => write!(f, "{r} ({})", short_code(*e)),
            Self::ValueError(m) => f.write_str(m),
            Self::IndexError => f.write_str("IndexError"),
            Self::BadAddress => f.write_str("BadAddress"),
            Self::Other(s) => f.write_str(s),
        }
    }
}
