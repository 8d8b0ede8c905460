//! VENC channels: the firmware's state machine, input queue, worker ("the VPU") and pack ring.

mod channel;
pub mod ring;

pub(crate) use channel::Channel;
pub use channel::{ChannelStats, Phase, deinterleave_uv};
