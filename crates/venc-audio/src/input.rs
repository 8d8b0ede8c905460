//! The microphone's channel (AI): a frame completes every `frame_ns` of board time from the
//! stream's start; the device keeps the newest [`AI_FRAMES`], so a reader that falls behind
//! loses the oldest (counted).

use crate::{AI_FRAMES, MicSource, StreamShape};

/// One AI channel.
#[derive(Debug)]
pub struct AudioIn {
    source: MicSource,
    shape: StreamShape,
    started_ns: u64,
    next: u64,
    lost: u64,
}

impl AudioIn {
    /// A channel started at board time `now_ns`.
    pub fn new(source: MicSource, shape: StreamShape, now_ns: u64) -> Self {
        Self {
            source,
            shape,
            started_ns: now_ns,
            next: 0,
            lost: 0,
        }
    }

    /// The stream's shape.
    pub fn shape(&self) -> StreamShape {
        self.shape
    }

    fn completed(&self, now_ns: u64) -> u64 {
        now_ns.saturating_sub(self.started_ns) / self.shape.frame_ns().max(1)
    }

    /// The oldest frame still held at `now_ns`, if one has completed since the last taken.
    pub fn take(&mut self, now_ns: u64) -> Option<Vec<u8>> {
        let done = self.completed(now_ns);
        if done <= self.next {
            return None;
        }
        if done - self.next > AI_FRAMES {
            self.lost += done - self.next - AI_FRAMES;
            self.next = done - AI_FRAMES;
        }
        let frame = self.source.frame(self.shape, self.next);
        self.next += 1;
        Some(frame)
    }

    /// When the next frame completes (board ns).
    pub fn next_due_ns(&self) -> u64 {
        self.started_ns + (self.next + 1) * self.shape.frame_ns()
    }

    /// Frames taken so far.
    pub fn taken(&self) -> u64 {
        self.next - self.lost.min(self.next)
    }

    /// Frames overwritten before they were read.
    pub fn lost(&self) -> u64 {
        self.lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_come_at_the_streams_pace_and_a_late_reader_loses_the_oldest() {
        let shape = StreamShape::new(8000, 1, 320).unwrap(); // 40 ms frames
        let ms = 1_000_000;
        let mut ai = AudioIn::new(MicSource::default(), shape, 1000 * ms);
        assert_eq!(ai.take(1039 * ms), None);
        assert_eq!(ai.next_due_ns(), 1040 * ms);
        let first = ai.take(1040 * ms).unwrap();
        assert_eq!(first.len(), 640);
        assert_eq!(first, MicSource::default().frame(shape, 0));
        assert_eq!(ai.take(1040 * ms), None);
        // 400 ms later: 10 frames done, 9 unread, 5 kept.
        let f = ai.take(1400 * ms).unwrap();
        assert_eq!(ai.lost(), 4);
        assert_eq!(f, MicSource::default().frame(shape, 5));
        assert_eq!(ai.taken(), 2);
    }
}
