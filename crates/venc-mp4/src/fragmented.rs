//! The fragmented MP4 file (`fmp4_flag != 0`). The firmware's `fmp4_writer` (libmov, the same
//! library its Annex-B conversion comes from) holds a fragment's samples in memory and writes
//! the fragment (`moof` + `mdat`) when the next video key frame arrives; the first fragment is
//! preceded by the initialisation segment (`ftyp` + `moov` with `mvex`), and destroy writes the
//! last fragment and the random-access index (`mfra`). So a recording cut short keeps every
//! fragment before the last key frame and loses only the one held in memory.

use crate::annexb::Frame;
use crate::{Mp4Error, SampleInfo, duration_of, timescale};
use shiguredo_mp4::TrackKind;
use shiguredo_mp4::mux::{Fmp4SegmentMuxer, MuxError, Sample};
use std::fs::File;
use std::io::{self, BufWriter, Write};

fn mux_err(e: MuxError) -> Mp4Error {
    Mp4Error::Mux(e.to_string())
}

#[derive(Debug)]
pub(crate) struct Fragmented {
    file: BufWriter<File>,
    muxer: Fmp4SegmentMuxer,
    /// The fragment being gathered: its samples and their bytes, in order.
    pending: Vec<SampleInfo>,
    data: Vec<u8>,
    init_written: bool,
    last_duration: u32,
}

impl Fragmented {
    pub(crate) fn start(file: File) -> Result<Self, Mp4Error> {
        Ok(Self {
            file: BufWriter::new(file),
            muxer: Fmp4SegmentMuxer::new().map_err(mux_err)?,
            pending: Vec::new(),
            data: Vec::new(),
            init_written: false,
            last_duration: 0,
        })
    }

    /// One sample; a key frame first writes the fragment gathered before it.
    pub(crate) fn append(
        &mut self,
        info: SampleInfo,
        frame: Option<&Frame<'_>>,
    ) -> Result<(), Mp4Error> {
        if info.keyframe && !self.pending.is_empty() {
            self.write_fragment(Some(info.time_ms))?;
        }
        if let Some(frame) = frame {
            frame.write_sample(&mut self.data)?;
        }
        self.pending.push(info);
        Ok(())
    }

    /// The gathered fragment; `next_ms` is when the sample after it starts (none at destroy).
    fn write_fragment(&mut self, next_ms: Option<u64>) -> Result<(), Mp4Error> {
        let mut samples = Vec::with_capacity(self.pending.len());
        let mut offset = 0u64;
        for (i, s) in self.pending.iter().enumerate() {
            let next = self.pending.get(i + 1).map(|n| n.time_ms).or(next_ms);
            let duration = duration_of(s.time_ms, next, self.last_duration);
            self.last_duration = duration;
            samples.push(Sample {
                track_kind: TrackKind::Video,
                sample_entry: s.entry.clone(),
                keyframe: s.keyframe,
                timescale: timescale(),
                duration,
                composition_time_offset: None,
                data_offset: offset,
                data_size: s.size,
            });
            offset += s.size as u64;
        }
        let segment = self
            .muxer
            .create_media_segment_metadata(&samples)
            .map_err(mux_err)?;
        if !self.init_written {
            let init = self.muxer.init_segment_bytes().map_err(mux_err)?;
            self.file.write_all(&init)?;
            self.init_written = true;
        }
        self.file.write_all(&segment)?;
        self.file.write_all(&self.data)?;
        // A fragment is on disk once written: a crash after it keeps it.
        self.file.flush()?;
        self.pending.clear();
        self.data.clear();
        Ok(())
    }

    /// The last fragment and the `mfra` index.
    pub(crate) fn finish(mut self) -> Result<(), Mp4Error> {
        if !self.pending.is_empty() {
            self.write_fragment(None)?;
        }
        if self.init_written {
            let mfra = self.muxer.mfra_bytes().map_err(mux_err)?;
            self.file.write_all(&mfra)?;
        }
        self.file.flush().map_err(io::Error::into)
    }
}
