//! What the microphone hears: a WAV file (looped) or a tone; `silence` is a tone of level 0.

use crate::{AudioError, StreamShape};

/// The tone's level: a quarter of full scale.
const TONE_LEVEL: f64 = 8192.0;

/// `canmv-run --mic`: `tone` (1 kHz), `tone:HZ`, `silence`, or a WAV file.
#[derive(Debug, Clone, PartialEq)]
pub enum MicSource {
    /// A sine at `hz`, `level` peak, on every channel.
    Tone {
        /// Frequency.
        hz: f64,
        /// Peak sample value.
        level: f64,
    },
    /// A recording: its samples (interleaved), rate and channels; played in a loop.
    Wav {
        /// The file, for messages.
        path: String,
        /// Interleaved 16-bit samples.
        samples: Vec<i16>,
        /// Its sample rate.
        rate: u32,
        /// Its channels.
        channels: u16,
    },
}

impl Default for MicSource {
    fn default() -> Self {
        Self::Tone {
            hz: 1000.0,
            level: TONE_LEVEL,
        }
    }
}

impl MicSource {
    /// Parses `--mic`; a file is read now, so a bad one fails before the script runs.
    pub fn parse(text: &str) -> Result<Self, AudioError> {
        if text == "silence" {
            return Ok(Self::Tone {
                hz: 1000.0,
                level: 0.0,
            });
        }
        if text == "tone" {
            return Ok(Self::default());
        }
        if let Some(hz) = text.strip_prefix("tone:") {
            return match hz.parse::<f64>() {
                Ok(hz) if hz > 0.0 && hz < 96_000.0 => Ok(Self::Tone {
                    hz,
                    level: TONE_LEVEL,
                }),
                _ => Err(AudioError::Setting(format!(
                    "--mic {text}: give tone:HZ with 0 < HZ < 96000"
                ))),
            };
        }
        Self::wav(text)
    }

    fn wav(path: &str) -> Result<Self, AudioError> {
        let fail = |why: String| AudioError::Source {
            path: path.to_string(),
            why,
        };
        let mut reader = hound::WavReader::open(path).map_err(|e| fail(e.to_string()))?;
        let spec = reader.spec();
        if !(1..=2).contains(&spec.channels) {
            return Err(fail(format!(
                "{} channels: give mono or stereo",
                spec.channels
            )));
        }
        let samples: Result<Vec<i16>, hound::Error> = match spec.sample_format {
            hound::SampleFormat::Int if spec.bits_per_sample <= 16 => {
                let shift = 16 - u32::from(spec.bits_per_sample);
                reader
                    .samples::<i16>()
                    .map(|s| s.map(|v| v << shift))
                    .collect()
            }
            hound::SampleFormat::Int => {
                let shift = u32::from(spec.bits_per_sample) - 16;
                reader
                    .samples::<i32>()
                    .map(|s| s.map(|v| (v >> shift) as i16))
                    .collect()
            }
            hound::SampleFormat::Float => reader
                .samples::<f32>()
                .map(|s| s.map(|v| (v.clamp(-1.0, 1.0) * 32767.0) as i16))
                .collect(),
        };
        let samples = samples.map_err(|e| fail(e.to_string()))?;
        if samples.is_empty() {
            return Err(fail("no samples".into()));
        }
        Ok(Self::Wav {
            path: path.to_string(),
            samples,
            rate: spec.sample_rate,
            channels: spec.channels,
        })
    }

    /// Frame `index` of a stream of `shape`: little-endian 16-bit samples, interleaved. A file
    /// of another rate is read at the stream's rate (nearest sample); mono is copied to both
    /// channels, stereo averaged for one.
    pub fn frame(&self, shape: StreamShape, index: u64) -> Vec<u8> {
        let n = u64::from(shape.frames_per_buffer);
        let mut out = Vec::with_capacity(shape.frame_bytes());
        for k in index * n..(index + 1) * n {
            for ch in 0..shape.channels {
                out.extend_from_slice(&self.sample(shape, k, ch).to_le_bytes());
            }
        }
        out
    }

    fn sample(&self, shape: StreamShape, k: u64, ch: u16) -> i16 {
        match self {
            Self::Tone { hz, level } => {
                let t = k as f64 / f64::from(shape.rate);
                (level * (std::f64::consts::TAU * hz * t).sin()).round() as i16
            }
            Self::Wav {
                samples,
                rate,
                channels,
                ..
            } => {
                let frames = samples.len() as u64 / u64::from(*channels);
                let at = (k * u64::from(*rate) / u64::from(shape.rate)) % frames.max(1);
                let base = (at * u64::from(*channels)) as usize;
                match (*channels, shape.channels) {
                    (2, 1) => {
                        let sum = i32::from(samples[base]) + i32::from(samples[base + 1]);
                        (sum / 2) as i16
                    }
                    (2, _) => samples[base + usize::from(ch.min(1))],
                    _ => samples[base],
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(rate: u32, channels: u16, fpb: u32) -> StreamShape {
        StreamShape::new(rate, channels, fpb).unwrap()
    }

    #[test]
    fn a_tone_continues_from_frame_to_frame() {
        let s = MicSource::parse("tone:1000").unwrap();
        let sh = shape(8000, 1, 320);
        let whole = [s.frame(sh, 0), s.frame(sh, 1)].concat();
        let samples: Vec<i16> = whole
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        // 8 samples per period at 1 kHz / 8 kHz: sample 2 is the peak, and it repeats.
        assert_eq!(samples[2], 8192);
        assert_eq!(
            samples[2 + 8 * 40],
            8192,
            "the second frame goes on in phase"
        );
        assert!(samples.iter().all(|&v| v.abs() <= 8192));
    }

    #[test]
    fn a_wav_file_loops_and_maps_channels() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.wav");
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: 16000,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for i in 0..4i16 {
            w.write_sample(i * 100).unwrap();
            w.write_sample(i * 100 + 10).unwrap();
        }
        w.finalize().unwrap();
        let s = MicSource::parse(path.to_str().unwrap()).unwrap();
        // Read at 8 kHz mono: every other frame of the file, the two channels averaged.
        let f = s.frame(shape(8000, 1, 3), 0);
        let v: Vec<i16> = f
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(v, [5, 205, 5]);
        // At 16 kHz stereo the file itself, looped.
        let f = s.frame(shape(16000, 2, 5), 0);
        let v: Vec<i16> = f
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        assert_eq!(v, [0, 10, 100, 110, 200, 210, 300, 310, 0, 10]);
    }

    #[test]
    fn bad_sources_are_refused_with_the_reason() {
        assert!(MicSource::parse("tone:0").is_err());
        assert!(MicSource::parse("tone:abc").is_err());
        let e = MicSource::parse("/no/such.wav").unwrap_err().to_string();
        assert!(e.starts_with("microphone /no/such.wav:"), "{e}");
        assert_eq!(
            MicSource::parse("silence")
                .unwrap()
                .frame(shape(8000, 2, 4), 3),
            vec![0; 16]
        );
    }
}
