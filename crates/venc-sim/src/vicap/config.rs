//! What a sensor is set up with: pacing, what it sees, the driver's settings, and the
//! exceptions its calls raise.

use super::YUV420SP;
use serde::Serialize;
use venc_core::MemError;
use venc_frames::source::{FrameSource, SourceError};

/// How frames are paced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Timing {
    /// At the sensor's frame rate in wall-clock time; late buffers mean dropped frames.
    Realtime,
    /// As fast as the consumer frees buffers; nothing dropped, timestamps still at the frame rate.
    Fast,
}

/// What a file source does when its size is not the channel's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Fit {
    /// Refuse at `run()` with a clear error.
    Refuse,
    /// Scale (bilinear) to the channel's size.
    Scale,
}

/// What the sensor sees.
pub enum SensorSource {
    /// The built-in moving pattern, rendered at each channel's size.
    Pattern,
    /// A file source (Y4M, images, looped or not) of a fixed size.
    Frames {
        /// The frames.
        source: Box<dyn FrameSource + Send>,
        /// What to do when a channel's size differs.
        fit: Fit,
    },
}

impl std::fmt::Debug for SensorSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pattern => f.write_str("Pattern"),
            Self::Frames { source, fit } => {
                write!(f, "Frames({}x{}, {fit:?})", source.width(), source.height())
            }
        }
    }
}

/// Sensor settings that CanMV takes from the sensor driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SensorOptions {
    /// Frame rate.
    pub fps: u32,
    /// Pacing.
    pub timing: Timing,
    /// Acquisition window: the largest frame a channel can have.
    pub max_width: u32,
    /// Acquisition window height.
    pub max_height: u32,
    /// Stop delivering after this many frames (for reproducible runs).
    pub frame_limit: Option<u64>,
}

impl Default for SensorOptions {
    fn default() -> Self {
        Self {
            fps: 30,
            timing: Timing::Fast,
            max_width: 1920,
            max_height: 1080,
            frame_limit: None,
        }
    }
}

/// A sensor call that failed, with the exception CanMV raises for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SensorError {
    /// A call before `reset()`.
    #[error("AssertionError: should call reset() first")]
    NotReset,
    /// Channel outside `CAM_CHN_ID_0..2`.
    #[error("AssertionError: invaild chn id {0}")]
    BadChannel(u32),
    /// A frame size outside `[64, acquisition window]`.
    #[error("AssertionError: frame size {width}x{height} outside 64x64 ~ {max_w}x{max_h}")]
    SizeOutOfRange {
        /// Width asked for (after alignment to 16).
        width: u32,
        /// Height asked for.
        height: u32,
        /// Window width.
        max_w: u32,
        /// Window height.
        max_h: u32,
    },
    /// `alignment` above 12 (4096 bytes).
    #[error("AssertionError: alignment {0} outside 0 ~ 12")]
    BadAlignment(u32),
    /// A pixel format the simulator does not produce.
    #[error(
        "pixel format {0} is not modeled: the simulated sensor outputs YUV420SP ({YUV420SP}), RGB888 (3), RGBP888 (46), RGB565 (2) or GRAYSCALE (303)"
    )]
    PixFormat(u32),
    /// A crop window outside the acquisition window or smaller than the output.
    #[error(
        "AssertionError: sensor chn({chn}) crop {rect:?} must lie in the {window:?} window and be at least the output size {out:?}"
    )]
    BadCrop {
        /// Channel.
        chn: u32,
        /// The window asked for.
        rect: super::Rect,
        /// The channel's output size.
        out: (u32, u32),
        /// The acquisition window.
        window: (u32, u32),
    },
    /// A channel used before `set_framesize` / `set_pixformat`.
    #[error(
        "AssertionError: sensor channel {0} is not configured (set_framesize and set_pixformat)"
    )]
    NotConfigured(u32),
    /// `snapshot` while not running.
    #[error("RuntimeError: sensor is not running; call run() first")]
    NotRunning,
    /// `run()` twice.
    #[error("RuntimeError: sensor is already running")]
    AlreadyRunning,
    /// The frame source failed or does not fit.
    #[error("sensor source: {0}")]
    Source(String),
    /// Media memory failed.
    #[error("sensor buffers: {0}")]
    Memory(#[from] MemError),
}

impl From<SourceError> for SensorError {
    fn from(e: SourceError) -> Self {
        Self::Source(e.to_string())
    }
}
