//! # venc-frames
//!
//! What a K230 encoder is fed, at the bottom of the house: frame sources ([`source`]: the
//! moving test pattern, Y4M files, still images, looping and scaling to NV12) and the one pts
//! formula ([`frame_pts`]), and the one RGB/YUV conversion ([`color`]). The simulator's sensor renders from them, the harness feeds
//! SendFrame from them; neither needs the other for it. Depends on no backend and no codec.

pub mod color;
pub mod source;

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
