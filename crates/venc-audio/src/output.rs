//! The speaker's channel (AO): written frames play one after another at the stream's pace,
//! at most [`AO_FRAMES`] queued (a writer ahead of that waits); what plays is recorded into a
//! WAV file, silence included where the writer fell behind.

use crate::{AO_FRAMES, AudioError, StreamShape};
use std::fs::File;
use std::io::BufWriter;

/// The speaker's recording.
pub struct SpeakerFile {
    path: String,
    writer: hound::WavWriter<BufWriter<File>>,
}

impl std::fmt::Debug for SpeakerFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpeakerFile")
            .field("path", &self.path)
            .finish()
    }
}

impl SpeakerFile {
    /// A new WAV file for a stream of `shape`.
    pub fn create(path: &str, shape: StreamShape) -> Result<Self, AudioError> {
        let spec = hound::WavSpec {
            channels: shape.channels,
            sample_rate: shape.rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer = hound::WavWriter::create(path, spec).map_err(|e| AudioError::Speaker {
            path: path.to_string(),
            why: e.to_string(),
        })?;
        Ok(Self {
            path: path.to_string(),
            writer,
        })
    }

    fn write(&mut self, pcm: &[u8]) -> Result<(), AudioError> {
        for s in pcm.chunks_exact(2) {
            self.writer
                .write_sample(i16::from_le_bytes([s[0], s[1]]))
                .map_err(|e| AudioError::Speaker {
                    path: self.path.clone(),
                    why: e.to_string(),
                })?;
        }
        Ok(())
    }

    /// Writes the header's sizes and closes the file.
    pub fn finish(self) -> Result<(), AudioError> {
        let path = self.path;
        self.writer.finalize().map_err(|e| AudioError::Speaker {
            path,
            why: e.to_string(),
        })
    }
}

/// One AO channel.
#[derive(Debug)]
pub struct AudioOut {
    shape: StreamShape,
    /// Board time the queued audio plays out (None before the first frame).
    plays_until_ns: Option<u64>,
    played_frames: u64,
    file: Option<SpeakerFile>,
}

impl AudioOut {
    /// A channel recording into `file`, if given.
    pub fn new(shape: StreamShape, file: Option<SpeakerFile>) -> Self {
        Self {
            shape,
            plays_until_ns: None,
            played_frames: 0,
            file,
        }
    }

    /// The stream's shape.
    pub fn shape(&self) -> StreamShape {
        self.shape
    }

    /// When a frame written at `now_ns` finds room in the queue (`now_ns` if there is room).
    pub fn room_at(&self, now_ns: u64) -> u64 {
        match self.plays_until_ns {
            Some(until) => until
                .saturating_sub(AO_FRAMES * self.shape.frame_ns())
                .max(now_ns),
            None => now_ns,
        }
    }

    /// Queues one frame at `now_ns` (the caller waited for [`AudioOut::room_at`]); a frame
    /// shorter than the stream's is padded with silence, a longer one cut, as the one VB block
    /// of `frame_bytes` takes it.
    pub fn play(&mut self, now_ns: u64, pcm: &[u8]) -> Result<(), AudioError> {
        let frame_ns = self.shape.frame_ns();
        let start = match self.plays_until_ns {
            Some(until) if until > now_ns => until,
            Some(until) => {
                // The queue ran dry: the speaker played silence meanwhile.
                let gap_frames = (now_ns - until) / frame_ns.max(1);
                if let Some(f) = &mut self.file {
                    f.write(&vec![0; gap_frames as usize * self.shape.frame_bytes()])?;
                }
                until + gap_frames * frame_ns
            }
            None => now_ns,
        };
        let mut frame = pcm[..pcm.len().min(self.shape.frame_bytes())].to_vec();
        frame.resize(self.shape.frame_bytes(), 0);
        if let Some(f) = &mut self.file {
            f.write(&frame)?;
        }
        self.plays_until_ns = Some(start + frame_ns);
        self.played_frames += 1;
        Ok(())
    }

    /// Frames played so far.
    pub fn played_frames(&self) -> u64 {
        self.played_frames
    }

    /// Closes the recording.
    pub fn finish(&mut self) -> Result<(), AudioError> {
        self.file.take().map_or(Ok(()), SpeakerFile::finish)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_writer_ahead_of_five_frames_waits_and_gaps_are_silence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.wav");
        let shape = StreamShape::new(8000, 1, 80).unwrap(); // 10 ms frames
        let file = SpeakerFile::create(path.to_str().unwrap(), shape).unwrap();
        let mut ao = AudioOut::new(shape, Some(file));
        let ms = 1_000_000;
        for _ in 0..6 {
            assert_eq!(ao.room_at(0), 0);
            ao.play(0, &[1, 0].repeat(80)).unwrap();
        }
        // Six frames queued at 0 play until 60 ms: the seventh has room at 10 ms.
        assert_eq!(ao.room_at(0), 10 * ms);
        // Written at 100 ms: 40 ms of silence first.
        ao.play(100 * ms, &[2, 0]).unwrap();
        ao.finish().unwrap();
        let samples: Vec<i16> = hound::WavReader::open(&path)
            .unwrap()
            .samples::<i16>()
            .map(Result::unwrap)
            .collect();
        assert_eq!(samples.len(), 6 * 80 + 4 * 80 + 80);
        assert!(samples[..480].iter().all(|&v| v == 1));
        assert!(samples[480..800].iter().all(|&v| v == 0));
        assert_eq!(samples[800], 2);
        assert!(
            samples[801..].iter().all(|&v| v == 0),
            "a short frame is padded"
        );
    }
}
