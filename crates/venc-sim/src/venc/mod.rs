//! VENC channels: the firmware's state machine, input queue, worker ("the VPU") and pack ring.

mod channel;
pub mod nv12;
pub mod orient;
pub mod overlay;
pub mod ring;

pub(crate) use channel::Channel;
pub use channel::{ChannelStats, Phase};
pub use nv12::deinterleave_uv;
pub use orient::Orientation;
