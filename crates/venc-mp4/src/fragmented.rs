//! The fragmented MP4 file (`fmp4_flag != 0`). The firmware's `fmp4_writer` (libmov, the same
//! library its Annex-B conversion comes from) holds a fragment's samples in memory and writes
//! the fragment (`moof` + `mdat`) when the next video key frame arrives; the first fragment is
//! preceded by the initialisation segment (`ftyp` + `moov` with `mvex`), and destroy writes the
//! last fragment and the random-access index (`mfra`). So a recording cut short keeps every
//! fragment before the last key frame and loses only the one held in memory; a write that fails
//! (a full disk) cuts the file back to its last whole fragment, which stays playable.

use crate::annexb::Frame;
use crate::{Mp4Error, SampleInfo, duration_of, timescale};
use shiguredo_mp4::TrackKind;
use shiguredo_mp4::mux::{Fmp4SegmentMuxer, MuxError, Sample};
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};

fn mux_err(e: MuxError) -> Mp4Error {
    Mp4Error::Mux(e.to_string())
}

#[derive(Debug)]
pub(crate) struct Fragmented {
    /// Written a whole fragment at a time (one `write_all`), so a failure can be cut back.
    file: File,
    /// Bytes of the file that hold whole fragments (the initialisation segment included).
    committed: u64,
    /// Whole fragments on disk.
    fragments: usize,
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
            file,
            committed: 0,
            fragments: 0,
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
        let mut bytes = Vec::new();
        if !self.init_written {
            bytes = self.muxer.init_segment_bytes().map_err(mux_err)?.to_vec();
        }
        bytes.extend_from_slice(&segment);
        bytes.extend_from_slice(&self.data);
        // A fragment is on disk once written: a crash after it keeps it.
        self.write_whole(&bytes)?;
        self.init_written = true;
        self.fragments += 1;
        self.pending.clear();
        self.data.clear();
        Ok(())
    }

    /// Appends `bytes`, or on failure cuts the file back to what it held before.
    fn write_whole(&mut self, bytes: &[u8]) -> Result<(), Mp4Error> {
        match self.file.write_all(bytes) {
            Ok(()) => {
                self.committed += bytes.len() as u64;
                Ok(())
            }
            Err(e) => {
                let _ = self.file.set_len(self.committed);
                let _ = self.file.seek(SeekFrom::Start(self.committed));
                Err(e.into())
            }
        }
    }

    /// Whole fragments in the file.
    pub(crate) fn fragments(&self) -> usize {
        self.fragments
    }

    /// The last fragment and the `mfra` index.
    pub(crate) fn finish(mut self) -> Result<(), Mp4Error> {
        if !self.pending.is_empty() {
            self.write_fragment(None)?;
        }
        if self.init_written {
            let mfra = self.muxer.mfra_bytes().map_err(mux_err)?.to_vec();
            self.write_whole(&mfra)?;
        }
        self.file.flush().map_err(io::Error::into)
    }
}
