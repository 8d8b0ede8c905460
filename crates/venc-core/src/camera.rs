//! A camera bound to a VENC channel, as a program drives it once it is set up (the manual's
//! Example 1: a sensor linked to the encoder with `MediaManager.link`, no SendFrame). The
//! harness's Example 1 drives any backend's camera through this; the simulator's sensor is one.

use std::time::Duration;

/// What a bound camera counted: what a driver needs to know every frame is accounted for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CameraCounts {
    /// Frame times that passed while running.
    pub frames_captured: u64,
    /// Frames queued into the bound encoder.
    pub frames_delivered: u64,
    /// pts of the last frame queued into the encoder (0: none yet).
    pub last_pts_delivered: u64,
}

/// A camera whose output channel is linked to a VENC channel, its size and format set and
/// the media manager initialised.
///
/// # For implementations
/// - `run` starts delivering frames into the bound channel and returns; frames go on in the
///   background until `stop`.
/// - `stop` stops the sensor first, then removes the link (the manual's teardown order); it
///   is called once, before the encoder is stopped and destroyed.
/// - `deinit` is `MediaManager.deinit`, called after the encoder is destroyed.
/// - `now` is the board's time, so rates are the board's, not the host's.
/// - `end_capture` may be called from another thread while frames flow; after it no frame
///   time passes beyond the one reached, and `frames_to_capture` says how many there were.
pub trait BoundCamera: Send + Sync {
    /// `Sensor.run`.
    fn run(&self) -> Result<(), String>;
    /// What the camera counted so far.
    fn counts(&self) -> CameraCounts;
    /// Sensor stop, then the link removed.
    fn stop(&self);
    /// `MediaManager.deinit`.
    fn deinit(&self);
    /// The board's time.
    fn now(&self) -> Duration;
    /// Ends the capture early, at the frame time it has reached (a run stopped by Ctrl-C).
    /// A camera that cannot end early ignores it.
    fn end_capture(&self) {}
    /// The frame times this run captures when `asked` were asked for: fewer once
    /// [`BoundCamera::end_capture`] ended it.
    fn frames_to_capture(&self, asked: u64) -> u64 {
        asked
    }
}
