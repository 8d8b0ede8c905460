//! VENC channels: the firmware's state machine, input queue, worker ("the VPU") and pack ring.

mod channel;
pub mod ring;

pub use channel::{ChannelStats, Phase, deinterleave_uv};
pub(crate) use channel::Channel;
