//! # venc-harness
//!
//! What drives a K230 encoder and what checks it, written once for every backend: frame
//! sources ([`source`]), the manual's Example 2 loop over any [`venc_core::Mpi`]
//! ([`example2`]: [`FrameBuffers`], [`Consumer`], [`run_example2`]), the one pts formula
//! ([`frame_pts`]), the independent decode and PSNR oracles ([`oracle`]), call traces
//! ([`trace`]), soaks and fuzz mutation.
//!
//! It links no codec: its decoders are the `ffmpeg` program's, a board backend built on it
//! stays free of openh264 and libx265.

pub mod example1;
pub mod example2;
pub mod mutate;
pub mod oracle;
pub mod poll;
pub mod release;
pub mod soak;
pub mod trace;
pub mod trace_diff;

pub use example1::{Example1Error, run_example1};
pub use example2::{
    Consumer, EncodeJob, EncodeRunError, EncodeSummary, FrameBuffers, PackEvent, PackSink,
    UvPlacement, run_example2,
};

/// Frame sources and the pts formula live in `venc-frames`, below the backends; here under
/// the paths every driver has used.
pub use venc_frames::{MAX_FRAME_RATE, frame_pts, source};
