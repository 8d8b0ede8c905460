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
//!   `MOV_FLAG_FASTSTART` does.
//!
//! The boxes are built by [`shiguredo_mp4`] (a maintained, dependency-free MP4 library): its
//! `Mp4FileMuxer` lays out the file and its bitstream module reads the parameter sets into the
//! `avc1`/`hev1` sample entries. This crate links no codec and knows no simulator.

mod annexb;

use annexb::{Frame, VideoCodec};
use shiguredo_mp4::TrackKind as MuxTrackKind;
use shiguredo_mp4::boxes::SampleEntry;
use shiguredo_mp4::mux::{Mp4FileMuxer, Mp4FileMuxerOptions, Sample};
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
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

/// The file's timescale: the firmware's writer keeps milliseconds.
const TIMESCALE_MS: u32 = 1000;

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
    /// Something the simulated muxer does not write (audio, a second video track, fMP4).
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

/// One sample: where its bytes are in the file, and what the `moov` says of it.
#[derive(Debug, Clone)]
struct SampleRecord {
    kind: MuxTrackKind,
    entry: Option<SampleEntry>,
    keyframe: bool,
    time_ms: u64,
    /// From the start of the media data.
    offset: u64,
    size: usize,
}

#[derive(Debug)]
struct Track {
    kind: TrackKind,
    /// Set by the track's first accepted frame.
    entry: Option<SampleEntry>,
    codec: Option<VideoCodec>,
}

/// `kd_mp4_create(…, K_MP4_CONFIG_MUXER)`: one MP4 file being written.
#[doc(alias = "kd_mp4_create")]
#[derive(Debug)]
pub struct Muxer {
    path: PathBuf,
    /// Buffered: a sample is written NAL unit by NAL unit.
    file: BufWriter<File>,
    /// Where the media data starts in the file being written.
    data_start: u64,
    data_len: u64,
    tracks: Vec<Track>,
    samples: Vec<SampleRecord>,
    /// The one video track the box writer takes (`Mp4FileMuxer` keys tracks by kind).
    video_track: Option<usize>,
}

impl Muxer {
    /// Opens (creates or truncates) `path` for a non-fragmented MP4. `fmp4` (the config's
    /// `fmp4_flag`) is not modeled.
    pub fn create(path: impl AsRef<Path>, fmp4: bool) -> Result<Self, Mp4Error> {
        let path = path.as_ref().to_path_buf();
        if fmp4 {
            return Err(Mp4Error::NotModeled(
                "fragmented MP4 (fmp4_flag): only ordinary MP4 files are written",
            ));
        }
        let open = || -> io::Result<(File, u64)> {
            let mut file = File::options()
                .read(true)
                .write(true)
                .create(true)
                .truncate(true)
                .open(&path)?;
            // The file starts as the box writer's provisional head (ftyp, mdat header): a
            // recording cut short is an MP4 without moov, as on the board.
            let head = Mp4FileMuxer::new()
                .map_err(|e| io::Error::other(e.to_string()))?
                .initial_boxes_bytes()
                .to_vec();
            file.write_all(&head)?;
            Ok((file, head.len() as u64))
        };
        let (file, data_start) = open().map_err(|source| Mp4Error::Open {
            path: path.clone(),
            source,
        })?;
        Ok(Self {
            path,
            file: BufWriter::new(file),
            data_start,
            data_len: 0,
            tracks: Vec::new(),
            samples: Vec::new(),
            video_track: None,
        })
    }

    /// `kd_mp4_create_track`: a track handle (its index), or `TooManyTracks` past three.
    #[doc(alias = "kd_mp4_create_track")]
    pub fn create_track(&mut self, kind: TrackKind) -> Result<usize, Mp4Error> {
        if self.tracks.len() >= MAX_TRACKS {
            return Err(Mp4Error::TooManyTracks);
        }
        self.tracks.push(Track {
            kind,
            entry: None,
            codec: None,
        });
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
        if let TrackKind::Audio { .. } = t.kind {
            return Err(Mp4Error::NotModeled(
                "audio tracks (G.711): the simulated board records video only",
            ));
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
        let (written, size) = if size > CONVERSION_BUFFER {
            log::warn!(
                "kd_mp4_write_frame: a {size}-byte frame overflows the {CONVERSION_BUFFER}-byte \
                 conversion buffer: written as an empty sample, as the firmware does"
            );
            (Written::Emptied, 0)
        } else {
            frame.write_sample(&mut self.file)?;
            (Written::Sample(size), size)
        };
        let t = &mut self.tracks[track];
        if let Some(entry) = &entry {
            t.entry = Some(entry.clone());
            t.codec = Some(codec);
            self.video_track = Some(track);
        }
        self.samples.push(SampleRecord {
            kind: MuxTrackKind::Video,
            entry,
            keyframe: frame.has_idr(),
            time_ms: time_stamp_us / 1000,
            offset: self.data_len,
            size,
        });
        self.data_len += size as u64;
        Ok(written)
    }

    /// `kd_mp4_destroy_tracks`: the tracks' contexts go; what they wrote stays.
    #[doc(alias = "kd_mp4_destroy_tracks")]
    pub fn destroy_tracks(&mut self) {
        self.tracks.clear();
    }

    /// Samples written so far.
    pub fn sample_count(&self) -> usize {
        self.samples.len()
    }

    /// `kd_mp4_destroy`: finishes the file with its `moov` in front of the media data. A file
    /// with no accepted frame stays as it is, without `moov` (nothing to describe).
    #[doc(alias = "kd_mp4_destroy")]
    pub fn finish(mut self) -> Result<(), Mp4Error> {
        if self.samples.is_empty() {
            self.file.flush()?;
            return Ok(());
        }
        // Pass 1 learns the moov's size; pass 2 reserves exactly that room in front.
        let moov = self
            .mux(0)?
            .finalize()
            .map_err(|e| Mp4Error::Mux(e.to_string()))?
            .moov_box_size();
        let mut muxer = self.mux(moov)?;
        let boxes = muxer.finalize().map_err(|e| Mp4Error::Mux(e.to_string()))?;
        if !boxes.is_faststart_enabled() {
            return Err(Mp4Error::Mux("the moov did not fit in front".into()));
        }
        let head = self.mux_head(moov)?;
        let tmp = self.path.with_extension("mp4.partial");
        let mut out = File::create(&tmp)?;
        out.write_all(&head)?;
        let mut file = self
            .file
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        file.seek(SeekFrom::Start(self.data_start))?;
        io::copy(&mut (&mut file).take(self.data_len), &mut out)?;
        for (offset, bytes) in boxes.offset_and_bytes_pairs() {
            out.seek(SeekFrom::Start(offset))?;
            out.write_all(bytes)?;
        }
        out.flush()?;
        drop(out);
        std::fs::rename(&tmp, &self.path)?;
        Ok(())
    }

    fn options(reserved: usize) -> Mp4FileMuxerOptions {
        Mp4FileMuxerOptions {
            reserved_moov_box_size: reserved,
            ..Mp4FileMuxerOptions::default()
        }
    }

    fn mux_head(&self, reserved: usize) -> Result<Vec<u8>, Mp4Error> {
        Ok(Mp4FileMuxer::with_options(Self::options(reserved))
            .map_err(|e| Mp4Error::Mux(e.to_string()))?
            .initial_boxes_bytes()
            .to_vec())
    }

    /// Every sample given to a box writer whose head reserves `reserved` bytes for the moov.
    /// A sample lasts until the next one; the last one as long as the one before it.
    fn mux(&self, reserved: usize) -> Result<Mp4FileMuxer, Mp4Error> {
        let mux_err = |e: shiguredo_mp4::mux::MuxError| Mp4Error::Mux(e.to_string());
        let mut muxer = Mp4FileMuxer::with_options(Self::options(reserved)).map_err(mux_err)?;
        let base = muxer.initial_boxes_bytes().len() as u64;
        let timescale = NonZeroU32::new(TIMESCALE_MS).expect("non-zero");
        let mut last_duration = 0u32;
        for (i, s) in self.samples.iter().enumerate() {
            let duration = match self.samples.get(i + 1) {
                Some(next) => {
                    u32::try_from(next.time_ms.saturating_sub(s.time_ms)).unwrap_or(u32::MAX)
                }
                None => last_duration,
            };
            last_duration = duration;
            muxer
                .append_sample(&Sample {
                    track_kind: s.kind,
                    sample_entry: s.entry.clone(),
                    keyframe: s.keyframe,
                    timescale,
                    duration,
                    composition_time_offset: None,
                    data_offset: base + s.offset,
                    data_size: s.size,
                })
                .map_err(mux_err)?;
        }
        Ok(muxer)
    }
}
