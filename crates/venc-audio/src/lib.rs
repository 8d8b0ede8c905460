//! # venc-audio
//!
//! The K230's audio devices as a CanMV script meets them (oldgen facts §2), for the Python
//! front: the microphone (AI) gives frames of `frames_per_buffer` samples at the stream's rate
//! from a [`MicSource`] (a WAV file, looped, or a tone), paced on the board clock and kept
//! [`AI_FRAMES`] deep as the driver keeps them; the speaker (AO) takes frames at the same pace,
//! [`AO_FRAMES`] queued, and records what it plays into a WAV file; [`g711`] is the AENC/ADEC
//! codec. Times are board nanoseconds; nothing here reads a clock, so every rule is a test.

mod codec;
pub mod g711;
mod input;
mod output;
mod source;

pub use codec::{Gain, LEFT, RIGHT};
pub use input::AudioIn;
pub use output::{AudioOut, SpeakerFile};
pub use source::MicSource;

/// Frames the AI device keeps (`DIV_NUM`, `frame_num`): older ones are overwritten.
pub const AI_FRAMES: u64 = 5;
/// Frames the AO device queues before `send_frame` waits.
pub const AO_FRAMES: u64 = 5;

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The microphone's file could not be read.
    #[error("microphone {path}: {why}")]
    Source {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
    /// The speaker's file could not be written.
    #[error("speaker {path}: {why}")]
    Speaker {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
    /// A stream setting the devices do not take.
    #[error("{0}")]
    Setting(String),
}

/// One stream's shape: sample rate, channels (1 or 2), samples per channel per frame; 16-bit
/// samples (`paInt16`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamShape {
    /// Samples per second.
    pub rate: u32,
    /// 1 (mono) or 2 (stereo, interleaved).
    pub channels: u16,
    /// Samples per channel in one frame.
    pub frames_per_buffer: u32,
}

impl StreamShape {
    /// A checked shape: rate 8 000 … 192 000, 1 or 2 channels, 1 … 65 536 samples per frame.
    pub fn new(rate: u32, channels: u16, frames_per_buffer: u32) -> Result<Self, AudioError> {
        if !(8_000..=192_000).contains(&rate) {
            return Err(AudioError::Setting(format!(
                "sample rate {rate} outside 8000 ~ 192000"
            )));
        }
        if !(1..=2).contains(&channels) {
            return Err(AudioError::Setting(format!(
                "{channels} channels: the I2S codec has 1 or 2"
            )));
        }
        if !(1..=65_536).contains(&frames_per_buffer) {
            return Err(AudioError::Setting(format!(
                "frames_per_buffer {frames_per_buffer} outside 1 ~ 65536"
            )));
        }
        Ok(Self {
            rate,
            channels,
            frames_per_buffer,
        })
    }

    /// Board time one frame lasts, in nanoseconds.
    pub fn frame_ns(&self) -> u64 {
        u64::from(self.frames_per_buffer) * 1_000_000_000 / u64::from(self.rate)
    }

    /// Bytes in one frame (16-bit samples).
    pub fn frame_bytes(&self) -> usize {
        self.frames_per_buffer as usize * usize::from(self.channels) * 2
    }
}
