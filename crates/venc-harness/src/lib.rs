//! # venc-harness
//!
//! What drives a K230 encoder and what checks it, written once for every backend: frame
//! sources ([`source`]), the manual's Example 2 loop over any [`venc_core::Mpi`]
//! ([`example2`]: [`FrameBuffers`], [`Consumer`], [`run_example2`]), the one pts formula
//! ([`frame_pts`]), the independent decode and PSNR oracles ([`oracle`]), and [`null`]: a codec
//! engine that writes valid, tiny, deterministic Annex-B without coding, for fast contract tests.
//!
//! It links no codec: its decoders are the `ffmpeg` program's, a board backend built on it
//! stays free of openh264 and libx265.

pub mod example2;
pub mod mutate;
pub mod null;
pub mod oracle;
pub mod poll;
pub mod release;
pub mod soak;
pub mod source;
pub mod trace;

pub use example2::{
    Consumer, EncodeJob, EncodeSummary, FrameBuffers, PackEvent, PackSink, PipelineError,
    UvPlacement, run_example2,
};

/// The fastest frame rate whose frames get distinct µs timestamps from [`frame_pts`].
pub const MAX_FRAME_RATE: u32 = 1_000_000;

/// The pts of input frame `n` (0-based) at `fps`, in µs: `(n + 1) · 10⁶ / fps`.
///
/// Frames start one frame time in, so no frame carries the "nothing released yet" pts 0 of
/// `release_pic_pts`. The sensor's virtual clock, the Example 2 loop and the conformance
/// executor all use this, so bound and SendFrame runs of one pattern give the same bytes.
pub const fn frame_pts(n: u64, fps: u32) -> u64 {
    let fps = if fps == 0 { 1 } else { fps as u64 };
    (n + 1) * 1_000_000 / fps
}

#[cfg(test)]
mod tests {
    use super::frame_pts;

    #[test]
    fn pts_start_one_frame_in_and_never_divide_by_zero() {
        assert_eq!(frame_pts(0, 30), 33_333);
        assert_eq!(frame_pts(29, 30), 1_000_000);
        assert_eq!(frame_pts(0, 0), 1_000_000);
    }
}
