//! The ordinary MP4 file (`fmp4_flag == 0`): samples go to the file as they come, after the box
//! writer's provisional head; `finish` writes the file again with the `moov` in front, as the
//! firmware's `MOV_FLAG_FASTSTART` does. A recording never finished has no `moov`.

use crate::annexb::Frame;
use crate::{Mp4Error, SampleInfo, duration_of, timescale};
use shiguredo_mp4::TrackKind;
use shiguredo_mp4::mux::{Mp4FileMuxer, Mp4FileMuxerOptions, Sample};
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;

#[derive(Debug)]
struct Placed {
    info: SampleInfo,
    /// From the start of the media data.
    offset: u64,
}

#[derive(Debug)]
pub(crate) struct Progressive {
    path: PathBuf,
    /// Buffered: a sample is written NAL unit by NAL unit.
    file: BufWriter<File>,
    /// Where the media data starts in the file being written.
    data_start: u64,
    data_len: u64,
    samples: Vec<Placed>,
}

impl Progressive {
    /// Writes the box writer's provisional head (ftyp, mdat header) into `file`.
    pub(crate) fn start(path: PathBuf, mut file: File) -> io::Result<Self> {
        let head = Mp4FileMuxer::new()
            .map_err(|e| io::Error::other(e.to_string()))?
            .initial_boxes_bytes()
            .to_vec();
        file.write_all(&head)?;
        Ok(Self {
            path,
            file: BufWriter::new(file),
            data_start: head.len() as u64,
            data_len: 0,
            samples: Vec::new(),
        })
    }

    /// One sample; `frame` is `None` for a sample written empty.
    pub(crate) fn append(&mut self, info: SampleInfo, frame: Option<&Frame<'_>>) -> io::Result<()> {
        if let Some(frame) = frame {
            frame.write_sample(&mut self.file)?;
        }
        let offset = self.data_len;
        self.data_len += info.size as u64;
        self.samples.push(Placed { info, offset });
        Ok(())
    }

    /// One sample of bytes written as they are (audio).
    pub(crate) fn append_raw(&mut self, info: SampleInfo, data: &[u8]) -> io::Result<()> {
        self.file.write_all(data)?;
        let offset = self.data_len;
        self.data_len += info.size as u64;
        self.samples.push(Placed { info, offset });
        Ok(())
    }

    /// The file with its `moov` in front of the media data. A file with no sample stays as it
    /// is, without `moov` (nothing to describe).
    pub(crate) fn finish(mut self) -> Result<(), Mp4Error> {
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
        let head = Self::mux_head(moov)?;
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

    fn mux_head(reserved: usize) -> Result<Vec<u8>, Mp4Error> {
        Ok(Mp4FileMuxer::with_options(Self::options(reserved))
            .map_err(|e| Mp4Error::Mux(e.to_string()))?
            .initial_boxes_bytes()
            .to_vec())
    }

    /// Every sample given to a box writer whose head reserves `reserved` bytes for the moov.
    fn mux(&self, reserved: usize) -> Result<Mp4FileMuxer, Mp4Error> {
        let mux_err = |e: shiguredo_mp4::mux::MuxError| Mp4Error::Mux(e.to_string());
        let mut muxer = Mp4FileMuxer::with_options(Self::options(reserved)).map_err(mux_err)?;
        let base = muxer.initial_boxes_bytes().len() as u64;
        // Each track's samples last until that track's next one.
        let mut next_of = vec![None; self.samples.len()];
        let mut later: [Option<u64>; 2] = [None, None];
        for (i, s) in self.samples.iter().enumerate().rev() {
            let kind = usize::from(s.info.audio);
            next_of[i] = later[kind];
            later[kind] = Some(s.info.time_ms);
        }
        let mut last_duration = [0u32; 2];
        for (i, s) in self.samples.iter().enumerate() {
            let kind = usize::from(s.info.audio);
            let duration = duration_of(s.info.time_ms, next_of[i], last_duration[kind]);
            last_duration[kind] = duration;
            muxer
                .append_sample(&Sample {
                    track_kind: if s.info.audio {
                        TrackKind::Audio
                    } else {
                        TrackKind::Video
                    },
                    sample_entry: s.info.entry.clone(),
                    keyframe: s.info.keyframe,
                    timescale: timescale(),
                    duration,
                    composition_time_offset: None,
                    data_offset: base + s.offset,
                    data_size: s.info.size,
                })
                .map_err(mux_err)?;
        }
        Ok(muxer)
    }
}
