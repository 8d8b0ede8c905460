//! Where `venc encode` writes its packs: an Annex-B (or MJPEG) file as the packs come, or an
//! MP4 file recorded as CanMV scripts record one (`venc_mp4`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use venc_core::PackType;
use venc_harness::PackEvent;
use venc_mp4::{CODEC_ID_H264, CODEC_ID_H265, Muxer, TrackKind};
use venc_rtsp::{RtspServer, VideoType};

/// The output of one run.
pub enum Output {
    /// The packs' bytes one after the other (`.264`, `.265`, `.mjpeg`).
    Elementary(BufWriter<File>),
    /// An MP4 file: a HEADER pack goes into one sample with the IDR after it, every picture is
    /// one sample, time stamps from the packs' pts (firmware facts §4.4).
    Mp4(Box<Recording>),
}

/// An MP4 being recorded.
pub struct Recording {
    muxer: Muxer,
    track: usize,
    codec_id: u32,
    header: Vec<u8>,
    start_pts: Option<u64>,
}

impl Output {
    /// An MP4 recording (fragmented or not) of `width`×`height` H.264 (`h265` false) or H.265
    /// at `path`.
    pub fn mp4(
        path: &Path,
        fragmented: bool,
        h265: bool,
        width: u32,
        height: u32,
    ) -> Result<Self, String> {
        let mut muxer = Muxer::create(path, fragmented).map_err(|e| e.to_string())?;
        let track = muxer
            .create_track(TrackKind::Video { width, height })
            .map_err(|e| e.to_string())?;
        Ok(Self::Mp4(Box::new(Recording {
            muxer,
            track,
            codec_id: if h265 { CODEC_ID_H265 } else { CODEC_ID_H264 },
            header: Vec::new(),
            start_pts: None,
        })))
    }

    /// Writes one pack.
    pub fn pack(&mut self, ev: &PackEvent, bytes: &[u8]) -> Result<(), String> {
        match self {
            Self::Elementary(out) => out.write_all(bytes).map_err(|e| e.to_string()),
            Self::Mp4(rec) => rec.pack(ev, bytes),
        }
    }

    /// Whole fragments on disk (a fragmented MP4; else 0).
    pub fn complete_fragments(&self) -> usize {
        match self {
            Self::Elementary(_) => 0,
            Self::Mp4(rec) => rec.muxer.complete_fragments(),
        }
    }

    /// Finishes the file (the MP4's moov goes in front of the media data; a fragmented MP4
    /// gets its last fragment and index).
    pub fn finish(self) -> Result<(), String> {
        match self {
            Self::Elementary(mut out) => out.flush().map_err(|e| e.to_string()),
            Self::Mp4(rec) => rec.muxer.finish().map_err(|e| e.to_string()),
        }
    }
}

impl Recording {
    fn pack(&mut self, ev: &PackEvent, bytes: &[u8]) -> Result<(), String> {
        if ev.pack_type == PackType::Header {
            self.header.extend_from_slice(bytes);
            return Ok(());
        }
        // A recording starts at the first I, as the firmware's muxer requires.
        let start = match (self.start_pts, ev.pack_type) {
            (Some(start), _) => start,
            (None, PackType::I) => *self.start_pts.insert(ev.pts),
            (None, _) => return Ok(()),
        };
        let mut sample = std::mem::take(&mut self.header);
        sample.extend_from_slice(bytes);
        self.muxer
            .write_frame(
                self.track,
                self.codec_id,
                ev.pts.saturating_sub(start),
                &sample,
            )
            .map(drop)
            .map_err(|e| e.to_string())
    }
}

/// `venc encode --rtsp`: the packs served live, paced by their pts.
pub struct Live {
    server: RtspServer,
    started: Option<(std::time::Instant, u64)>,
}

/// The session name: CanMV's multimedia server's default.
const SESSION: &str = "test";

impl Live {
    /// Serves `codec` at `rtsp://address:port/test` and says so on stderr.
    pub fn serve(
        address: &str,
        port: u16,
        codec: crate::CodecArg,
        fps: u32,
    ) -> Result<Self, String> {
        let video = match codec {
            crate::CodecArg::H264 => VideoType::H264,
            crate::CodecArg::H265 => VideoType::H265,
            crate::CodecArg::Jpeg => VideoType::Mjpeg,
        };
        let server = RtspServer::new();
        server
            .init(address, port)
            .map_err(|e| format!("--rtsp {port}: {e}"))?;
        server
            .create_session(SESSION, video, false)
            .map_err(|e| format!("--rtsp: {e}"))?;
        server.start().map_err(|e| format!("--rtsp: {e}"))?;
        let url = venc_rtsp::session_url(SESSION).map_err(|e| e.to_string())?;
        eprintln!("serving {url} at {fps} fps");
        Ok(Self {
            server,
            started: None,
        })
    }

    /// Sends a pack when its pts is due.
    pub fn pack(&mut self, ev: &PackEvent, bytes: &[u8]) {
        let (t0, pts0) = *self
            .started
            .get_or_insert_with(|| (std::time::Instant::now(), ev.pts));
        let due = t0 + std::time::Duration::from_micros(ev.pts.saturating_sub(pts0));
        if let Some(wait) = due.checked_duration_since(std::time::Instant::now()) {
            std::thread::sleep(wait);
        }
        let at = std::time::Duration::from_micros(ev.pts.saturating_sub(pts0));
        let _ = venc_rtsp::send_video_at(SESSION, bytes, at);
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.server.stop();
        self.server.deinit();
    }
}
