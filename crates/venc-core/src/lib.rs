//! # venc-core
//!
//! The K230 VENC contract shared by every backend and by the conformance suite: constants with
//! their real values, error codes, hardware limits, NV12 layout math, bitstream inspection, the
//! MPI-level backend trait [`Mpi`] and the CanMV [`Encoder`] facade written once over it.
//!
//! This crate depends on no codec and no backend.

pub mod bitstream;
pub mod camera;
pub mod codec;
pub mod consts;
pub mod cstruct;
pub mod encoder;
pub mod error;
pub mod fault;
pub mod features;
pub mod firmware;
pub mod layout;
pub mod limits;
pub mod mpi;

pub use encoder::{BlockingCall, CanMvError, ChnAttrStr, Encoder, StreamData};
pub use error::VencError;
pub use fault::{FaultKind, FaultSpec, Faults};
pub use features::{Border, FeatureCall, H264Entropy, H265Sao, OsdRegion, Words};
pub use firmware::{
    Failures, Firmware, GetStreamStyle, IdeChannel, MediaApi, OutBufPools, SendFrameStyle, Traits,
};
pub use layout::{align_up, uv_offset};
pub use limits::{K230, Limits};
pub use mpi::{
    Chn, ChnAttr, ChnStatus, MemError, Mpi, Pack, PackType, PoolId, RcAttr, RcWords,
    UnknownPackType, UnknownRcMode, VideoFrameInfo, chn_from_int, in_slices, in_slices_on,
    wrapping_channel_count,
};
