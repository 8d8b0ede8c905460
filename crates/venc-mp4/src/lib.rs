//! # venc-mp4
//!
//! MP4 recording as the K230's `mp4_format` muxer does it (`kd_mp4_create`, `create_track`,
//! `write_frame`, `destroy_tracks`, `destroy`; firmware facts §4.3), so that what a CanMV script
//! or `venc encode -o x.mp4` records is a file ffprobe and browsers open, made by the same rules
//! as on the board:
//!
//! - `create` opens the file at once; a muxer never finished leaves no `moov`;
//! - at most three tracks; a track enters the file at its first accepted frame;
//! - each `write_frame` is one sample of Annex-B bytes (NAL units get 4-byte lengths, parameter
//!   sets stay inside); the first one of a track must hold the parameter sets and an IDR;
//!   timestamps come in microseconds and are kept in milliseconds; a key frame is a sample
//!   holding an IDR;
//! - `finish` writes the `moov` in front of the media data (fast start), as the firmware's
//!   `MOV_FLAG_FASTSTART` does;
//! - with `fmp4_flag`, a fragmented file: a fragment per video key frame, written when the next
//!   one arrives, and the `mfra` index at destroy.
//!
//! The boxes are built by [`shiguredo_mp4`] (a maintained, dependency-free MP4 library): its
//! `Mp4FileMuxer` lays out the ordinary file, its `Fmp4SegmentMuxer` the fragments, and its
//! bitstream module reads the parameter sets into the `avc1`/`hev1` sample entries. This crate links no codec and knows no simulator.

mod annexb;
mod fragmented;
mod progressive;

use annexb::{Frame, VideoCodec};
use fragmented::Fragmented;
use progressive::Progressive;
use shiguredo_mp4::boxes::SampleEntry;
use std::fs::File;
use std::io;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};

/// `K_MP4_CODEC_ID_H264`.
#[doc(alias = "K_MP4_CODEC_ID_H264")]
pub const CODEC_ID_H264: u32 = 0;
/// `K_MP4_CODEC_ID_H265`.
#[doc(alias = "K_MP4_CODEC_ID_H265")]
pub const CODEC_ID_H265: u32 = 1;
/// `K_MP4_CODEC_ID_G711A`.
#[doc(alias = "K_MP4_CODEC_ID_G711A")]
pub const CODEC_ID_G711A: u32 = 2;
/// `K_MP4_CODEC_ID_G711U`.
#[doc(alias = "K_MP4_CODEC_ID_G711U")]
pub const CODEC_ID_G711U: u32 = 3;
/// Tracks one muxer takes (`kd_mp4_create_track` refuses a fourth).
pub const MAX_TRACKS: usize = 3;
/// The firmware's per-call conversion buffer: a frame that does not fit is written empty.
pub const CONVERSION_BUFFER: usize = 2 << 20;

/// What went wrong, each with the answer the firmware's C call gives.
#[derive(Debug, thiserror::Error)]
pub enum Mp4Error {
    /// `kd_mp4_create`: the file could not be opened (-1).
    #[error("kd_mp4_create: output file {path} open failed. ({source})")]
    Open {
        /// The path asked for.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A fourth track (-1).
    #[error("kd_mp4_create_track: mp4 already cannot creat new track.")]
    TooManyTracks,
    /// A track handle this muxer did not give out (-1; the firmware only checks for NULL).
    #[error("kd_mp4_write_frame: track handle {0} is not a track of this muxer")]
    NoSuchTrack(usize),
    /// The track's first frame lacks the parameter sets or the IDR (-1).
    #[error("kd_mp4_write_frame: mp4 muxer write should start with key frame (header + idr).")]
    NeedKeyFrame,
    /// The parameter sets could not be read into a sample entry (-2).
    #[error("kd_mp4_write_frame: no usable parameter sets in the first frame: {0}")]
    ParameterSets(String),
    /// Something the simulated muxer does not write (audio, a second video track).
    #[error("not modeled: {0}")]
    NotModeled(&'static str),
    /// Writing the file failed (-1).
    #[error("mp4 file: {0}")]
    Io(#[from] io::Error),
    /// The box writer refused (-1).
    #[error("mp4 muxer: {0}")]
    Mux(String),
}

impl Mp4Error {
    /// The `int` the firmware's C function returns for this error.
    pub fn code(&self) -> i32 {
        match self {
            Self::ParameterSets(_) => -2,
            _ => -1,
        }
    }
}

/// `k_mp4_track_type` with what `kd_mp4_create_track` reads of its info.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackKind {
    /// `K_MP4_STREAM_VIDEO` (1).
    Video {
        /// `video_info.width`.
        width: u32,
        /// `video_info.height`.
        height: u32,
    },
    /// `K_MP4_STREAM_AUDIO` (2).
    Audio {
        /// `audio_info.sample_rate`.
        sample_rate: u32,
        /// `audio_info.channels`.
        channels: u32,
    },
}

/// What one `write_frame` did (each returns 0 to the script).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// A sample of this many bytes.
    Sample(usize),
    /// A `codec_id` other than H.264/H.265 on a video track: nothing written (firmware).
    Ignored,
    /// Larger than the 2 MiB conversion buffer: written as an empty sample (firmware bug).
    Emptied,
}

/// What the box writers need of one accepted sample.
#[derive(Debug, Clone)]
pub(crate) struct SampleInfo {
    /// An audio sample (G.711 bytes) rather than a video one.
    audio: bool,
    /// The sample entry, on a track's first sample.
    entry: Option<SampleEntry>,
    keyframe: bool,
    time_ms: u64,
    size: usize,
}

/// A sample lasts until the next one; the last one (no `next_ms`) as long as the one before
/// it. A time stamp earlier than the previous one gives 0.
pub(crate) fn duration_of(time_ms: u64, next_ms: Option<u64>, last_duration: u32) -> u32 {
    match next_ms {
        Some(next) => u32::try_from(next.saturating_sub(time_ms)).unwrap_or(u32::MAX),
        None => last_duration,
    }
}

/// The file's timescale: the firmware's writer keeps milliseconds.
pub(crate) fn timescale() -> NonZeroU32 {
    NonZeroU32::new(1000).expect("non-zero")
}

#[derive(Debug)]
struct Track {
    kind: TrackKind,
    /// Set by the track's first accepted frame.
    entry: Option<SampleEntry>,
}

/// How the file is laid out: by `fmp4_flag`.
#[derive(Debug)]
enum Layout {
    Progressive(Progressive),
    Fragmented(Fragmented),
}

/// `kd_mp4_create(…, K_MP4_CONFIG_MUXER)`: one MP4 file being written.
#[doc(alias = "kd_mp4_create")]
#[derive(Debug)]
pub struct Muxer {
    layout: Layout,
    tracks: Vec<Track>,
    samples: usize,
    /// The one video track the box writers take (they key tracks by kind).
    video_track: Option<usize>,
}

impl Muxer {
    /// Opens (creates or truncates) `path`: an ordinary MP4, or a fragmented one when `fmp4`
    /// (the config's `fmp4_flag`) is set.
    pub fn create(path: impl AsRef<Path>, fmp4: bool) -> Result<Self, Mp4Error> {
        let path = path.as_ref().to_path_buf();
        let open_err = |source| Mp4Error::Open {
            path: path.clone(),
            source,
        };
        let file = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .map_err(open_err)?;
        let layout = if fmp4 {
            Layout::Fragmented(Fragmented::start(file)?)
        } else {
            Layout::Progressive(Progressive::start(path.clone(), file).map_err(open_err)?)
        };
        Ok(Self {
            layout,
            tracks: Vec::new(),
            samples: 0,
            video_track: None,
        })
    }

    /// `kd_mp4_create_track`: a track handle (its index), or `TooManyTracks` past three.
    #[doc(alias = "kd_mp4_create_track")]
    pub fn create_track(&mut self, kind: TrackKind) -> Result<usize, Mp4Error> {
        if self.tracks.len() >= MAX_TRACKS {
            return Err(Mp4Error::TooManyTracks);
        }
        self.tracks.push(Track { kind, entry: None });
        Ok(self.tracks.len() - 1)
    }

    /// `kd_mp4_write_frame`: one sample of Annex-B `data` at `time_stamp_us` on `track`,
    /// coded as `codec_id` says (the firmware reads the codec from the frame, not the track).
    #[doc(alias = "kd_mp4_write_frame")]
    pub fn write_frame(
        &mut self,
        track: usize,
        codec_id: u32,
        time_stamp_us: u64,
        data: &[u8],
    ) -> Result<Written, Mp4Error> {
        let t = self.tracks.get(track).ok_or(Mp4Error::NoSuchTrack(track))?;
        if let TrackKind::Audio {
            sample_rate,
            channels,
        } = t.kind
        {
            return self.write_audio(track, codec_id, sample_rate, channels, time_stamp_us, data);
        }
        let codec = match codec_id {
            CODEC_ID_H264 => VideoCodec::H264,
            CODEC_ID_H265 => VideoCodec::H265,
            _ => return Ok(Written::Ignored),
        };
        if self.video_track.is_some_and(|v| v != track) {
            return Err(Mp4Error::NotModeled(
                "a second video track: the box writer keeps one video track per file",
            ));
        }
        let frame = Frame::parse(codec, data)?;
        let first = t.entry.is_none();
        if first && !frame.starts_stream() {
            log::warn!("{}", Mp4Error::NeedKeyFrame);
            return Err(Mp4Error::NeedKeyFrame);
        }
        let entry = if first {
            Some(frame.sample_entry()?)
        } else {
            None
        };
        let size = frame.sample_len();
        let (written, kept) = if size > CONVERSION_BUFFER {
            log::warn!(
                "kd_mp4_write_frame: a {size}-byte frame overflows the {CONVERSION_BUFFER}-byte \
                 conversion buffer: written as an empty sample, as the firmware does"
            );
            (Written::Emptied, None)
        } else {
            (Written::Sample(size), Some(&frame))
        };
        let info = SampleInfo {
            audio: false,
            entry: entry.clone(),
            keyframe: frame.has_idr(),
            time_ms: time_stamp_us / 1000,
            size: kept.map_or(0, |_| size),
        };
        match &mut self.layout {
            Layout::Progressive(p) => p.append(info, kept)?,
            Layout::Fragmented(f) => f.append(info, kept)?,
        }
        if entry.is_some() {
            self.tracks[track].entry = entry;
            self.video_track = Some(track);
        }
        self.samples += 1;
        Ok(written)
    }

    /// An audio track's sample: the G.711 bytes unchanged, `pts = time_stamp / 1000` (firmware
    /// facts §4.3), in an `alaw`/`ulaw` sample entry with the track's rate and channels.
    fn write_audio(
        &mut self,
        track: usize,
        codec_id: u32,
        sample_rate: u32,
        channels: u32,
        time_stamp_us: u64,
        data: &[u8],
    ) -> Result<Written, Mp4Error> {
        let fourcc = match codec_id {
            CODEC_ID_G711A => *b"alaw",
            CODEC_ID_G711U => *b"ulaw",
            _ => return Ok(Written::Ignored),
        };
        let Layout::Progressive(p) = &mut self.layout else {
            return Err(Mp4Error::NotModeled(
                "audio in a fragmented file (fmp4_flag): the box writer keys fragments on video",
            ));
        };
        let entry = self.tracks[track]
            .entry
            .is_none()
            .then(|| g711_entry(fourcc, sample_rate, channels));
        let info = SampleInfo {
            audio: true,
            entry: entry.clone(),
            keyframe: true,
            time_ms: time_stamp_us / 1000,
            size: data.len(),
        };
        p.append_raw(info, data)?;
        if entry.is_some() {
            self.tracks[track].entry = entry;
        }
        self.samples += 1;
        Ok(Written::Sample(data.len()))
    }

    /// `kd_mp4_destroy_tracks`: the tracks' contexts go; what they wrote stays.
    #[doc(alias = "kd_mp4_destroy_tracks")]
    pub fn destroy_tracks(&mut self) {
        self.tracks.clear();
    }

    /// Samples written so far.
    pub fn sample_count(&self) -> usize {
        self.samples
    }

    /// Whole fragments on disk (a fragmented file; 0 for an ordinary one): what stays playable
    /// if the recording fails from here on, a full disk included.
    pub fn complete_fragments(&self) -> usize {
        match &self.layout {
            Layout::Progressive(_) => 0,
            Layout::Fragmented(f) => f.fragments(),
        }
    }

    /// `kd_mp4_destroy`: finishes the file: the `moov` in front of the media data (ordinary), or
    /// the last fragment and the `mfra` (fragmented).
    #[doc(alias = "kd_mp4_destroy")]
    pub fn finish(self) -> Result<(), Mp4Error> {
        match self.layout {
            Layout::Progressive(p) => p.finish(),
            Layout::Fragmented(f) => f.finish(),
        }
    }
}

/// The QuickTime-style sound sample entry libmov writes for G.711 (`alaw`/`ulaw`): version 0,
/// the channels, 16-bit sample size, the rate as 16.16.
fn g711_entry(fourcc: [u8; 4], sample_rate: u32, channels: u32) -> SampleEntry {
    use shiguredo_mp4::{BoxSize, BoxType, boxes::UnknownBox};
    let mut payload = Vec::with_capacity(28);
    payload.extend_from_slice(&[0; 6]); // reserved
    payload.extend_from_slice(&1u16.to_be_bytes()); // data_reference_index
    payload.extend_from_slice(&[0; 8]); // version, revision, vendor
    payload.extend_from_slice(&u16::try_from(channels).unwrap_or(1).to_be_bytes());
    payload.extend_from_slice(&16u16.to_be_bytes()); // sample size
    payload.extend_from_slice(&[0; 4]); // compression id, packet size
    payload.extend_from_slice(
        &(u32::from(u16::try_from(sample_rate).unwrap_or(8000)) << 16).to_be_bytes(),
    );
    SampleEntry::Unknown(UnknownBox {
        box_type: BoxType::Normal(fourcc),
        box_size: BoxSize::U32(8 + payload.len() as u32),
        payload,
    })
}
