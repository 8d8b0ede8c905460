//! Frames in, packs out: the executor's input buffers (the harness's `FrameBuffers`, VICAP's
//! layout) and its consumer loops (the harness's `Consumer`), with the waits they need.

use super::{Chan, CollectedPack, Executor, PATIENCE, POLL, StepResult};
use crate::case::{Address, AttrOverride, Content, UvPlace};
use std::sync::Arc;
use std::time::Duration;
use venc_core::PackType;
use venc_core::layout::{uv_size, y_size};
use venc_core::{ChnStatus, VideoFrameInfo};
use venc_harness::poll::{Poll, poll_until};
use venc_harness::release::ReleaseWatch;
use venc_harness::source::TestPattern;
use venc_harness::{FrameBuffers, PackEvent, PackSink, UvPlacement, frame_pts};

/// Input frame buffers of one channel: the harness's VICAP layout, and the frame each holds.
#[derive(Debug)]
pub(super) struct Frames {
    pub(super) buffers: FrameBuffers,
    /// pts of the frame each buffer holds until the encoder releases it.
    pub(super) held: Vec<Option<u64>>,
    pub(super) sent: u32,
}

/// Packs a channel's [`Consumer`] read, until the executor files them into the stream.
#[derive(Debug, Default)]
pub(super) struct Collected(pub(super) Vec<CollectedPack>);

impl PackSink for Collected {
    fn pack(&mut self, event: &PackEvent, bytes: &[u8]) {
        self.0.push(CollectedPack {
            pack_type: event.pack_type,
            bytes: bytes.to_vec(),
            pts: event.pts,
        });
    }
}

impl Executor<'_> {
    /// One round of Example 2's consumer on a channel (GetStream with `timeout`, read every
    /// pack by address, ReleaseStream); the packs go to the channel's stream. `Ok(false)` when
    /// nothing was ready.
    fn fetch(&mut self, chn: u32, timeout: i32) -> Result<bool, String> {
        let last = self.encoders.len() - 1;
        let enc = &mut self.encoders[last];
        let chan = self.chans.entry(chn).or_insert_with(|| Chan::new(chn));
        let got = chan
            .consumer
            .fetch(enc, 0, timeout)
            .map_err(|e| e.to_string())?;
        let packs = std::mem::take(&mut chan.consumer.sink_mut().0);
        self.stream(chn).packs.extend(packs);
        Ok(got)
    }

    fn frames_received(&self, chn: u32) -> u32 {
        self.out
            .streams
            .get(&chn)
            .map_or(0, |st| st.frames().count() as u32)
    }

    /// Example 2's consumer loop until `frames` more I/P packs arrived.
    pub(super) fn drain(&mut self, chn: u32, frames: u32) -> StepResult {
        let target = self.frames_received(chn) + frames;
        poll_until(
            PATIENCE,
            Duration::ZERO,
            || {
                let got = self.fetch(chn, 1000)?;
                Ok(if self.frames_received(chn) >= target {
                    Poll::Done
                } else if got {
                    Poll::Progress
                } else {
                    Poll::Idle
                })
            },
            |waited| format!("fewer than {frames} frames, then nothing for {waited:?}"),
        )
    }

    /// Takes and releases whatever is queued on a channel right now (GetStream with timeout 0).
    fn consume(&mut self, chn: u32) -> Result<u32, String> {
        let mut taken = 0;
        while self
            .mpi
            .query_status(chn)
            .map_err(|e| e.to_string())?
            .cur_packs
            > 0
        {
            let before = self.out.streams.get(&chn).map_or(0, |s| s.packs.len());
            if !self.fetch(chn, 0)? {
                break;
            }
            taken += (self.out.streams.get(&chn).map_or(0, |s| s.packs.len()) - before) as u32;
        }
        Ok(taken)
    }

    /// Waits until the encoder released the frame `pts` of a channel, consuming its packs
    /// meanwhile (the encoder needs its output blocks back to go on). Released means its
    /// picture came out (an I or P pack with that pts or a later one), or the backend's
    /// count reached it, or on a board (no count, D-056) the ring stood still with nothing
    /// left to take ([`ReleaseWatch`]).
    fn consume_until_released(&mut self, chn: u32, pts: u64) -> StepResult {
        let mpi = Arc::clone(&self.mpi);
        let mut watch = ReleaseWatch::new();
        poll_until(
            PATIENCE,
            POLL,
            || {
                let pictured = self.pictured(chn, pts);
                // Asked before the ring is read: a frame released by then has its packs in
                // the ring, which this round takes.
                let released = pictured
                    || watch
                        .released(mpi.as_ref(), chn, pts)
                        .map_err(|e| e.to_string())?;
                if self.consume(chn)? > 0 {
                    watch.moved();
                    return Ok(Poll::Progress);
                }
                Ok(if released { Poll::Done } else { Poll::Idle })
            },
            |_| format!("ch{chn}: frame pts {pts} never released"),
        )
    }

    /// Example 2's loop over several channels; see [`Step::Stream`].
    pub(super) fn stream_loop(&mut self, chns: &[i64], frames: u32, uv: UvPlace) -> StepResult {
        let count = self.setup.frame_bufs.max(1);
        for _ in 0..frames {
            for &chn in chns {
                let c = chn as u32;
                // The buffer about to be reused must have been released by the encoder.
                let held = self
                    .chans
                    .get(&c)
                    .and_then(|ch| ch.frames.as_ref())
                    .and_then(|f| f.held[(f.sent % count) as usize]);
                if let Some(pts) = held {
                    self.consume_until_released(c, pts)?;
                }
                let frame = self.next_frame(c, uv, Content::Pattern, Address::Buffer, None)?;
                match self.encoder().send_frame(chn, &frame, 1000) {
                    Ok(0) => {}
                    other => return Err(format!("ch{c}: SendFrame -> {other:?}")),
                }
                self.consume(c)?;
            }
        }
        for &chn in chns {
            let c = chn as u32;
            if let Some(pts) = self.chans.get(&c).and_then(|ch| ch.last_pts) {
                self.consume_until_released(c, pts)?;
            }
        }
        Ok(())
    }

    /// Polls a channel's status until `done` holds; after [`PATIENCE`] the error is `stalled`
    /// of the last status seen and the time waited.
    pub(super) fn wait_status(
        &self,
        chn: u32,
        done: impl Fn(&ChnStatus) -> bool,
        stalled: impl FnOnce(ChnStatus, Duration) -> String,
    ) -> StepResult {
        let last = std::cell::Cell::new(ChnStatus::default());
        poll_until(
            PATIENCE,
            POLL,
            || {
                let st = self.mpi.query_status(chn).map_err(|e| e.to_string())?;
                last.set(st);
                Ok(if done(&st) { Poll::Done } else { Poll::Idle })
            },
            |waited| stalled(last.get(), waited),
        )
    }

    /// Whether the frame `pts`'s picture, or a later one, came out of a channel (an I or P
    /// pack the executor collected): then the encoder is done with it, on any backend.
    fn pictured(&self, chn: u32, pts: u64) -> bool {
        self.out.streams.get(&chn).is_some_and(|s| {
            s.packs
                .iter()
                .any(|p| p.pack_type != PackType::Header && p.pts >= pts)
        })
    }

    /// Waits until the encoder released the frame `pts`, leaving its packs queued: its picture
    /// came out already, or the backend's count says so ([`venc_core::Mpi::released_pts`]),
    /// or on a board the ring stood still ([`ReleaseWatch`], D-056).
    pub(super) fn wait_released(&self, chn: u32, pts: u64) -> StepResult {
        if self.pictured(chn, pts) {
            return Ok(());
        }
        let mut watch = ReleaseWatch::new();
        poll_until(
            PATIENCE,
            POLL,
            || {
                let released = watch
                    .released(self.mpi.as_ref(), chn, pts)
                    .map_err(|e| e.to_string())?;
                Ok(if released { Poll::Done } else { Poll::Idle })
            },
            |waited| match self.mpi.released_pts(chn).ok().flatten() {
                Some(last) => {
                    format!("frame pts {pts} not released after {waited:?} (last released {last})")
                }
                None => format!("frame pts {pts}: the ring never stood still in {waited:?}"),
            },
        )
    }

    /// Fills the next input buffer of a channel and describes it as a program would.
    pub(super) fn next_frame(
        &mut self,
        chn: u32,
        uv: UvPlace,
        content: Content,
        address: Address,
        frame_size: Option<[u32; 2]>,
    ) -> Result<VideoFrameInfo, String> {
        let attr = self.chans.get(&chn).and_then(|c| c.attr);
        let attr = attr.unwrap_or_else(|| self.attr(&AttrOverride::default()));
        let count = self.setup.frame_bufs.max(1);
        if self.chan(chn).frames.is_none() {
            let (w, h) = (attr.pic_width, attr.pic_height);
            let buffers = FrameBuffers::new(self.mpi.as_ref(), w, h, count)
                .map_err(|e| format!("input buffers: {e}"))?;
            self.chan(chn).frames = Some(Frames {
                buffers,
                held: vec![None; count as usize],
                sent: 0,
            });
        }
        let started = self.chan(chn).started;
        let (index, t, buf_pts) = {
            let f = self.chan(chn).frames.as_ref().ok_or("no frame buffers")?;
            let index = match content {
                Content::Pattern => (f.sent % count) as usize,
                Content::Static => 0,
            };
            (index, f.sent, f.held[index])
        };
        let pts = frame_pts(u64::from(t), attr.src_frame_rate);
        let pattern_frame = match content {
            Content::Pattern => t,
            Content::Static => 0,
        };
        if content == Content::Pattern
            && let Some(p) = buf_pts
        {
            self.wait_released(chn, p)?;
        }
        let mpi = Arc::clone(&self.mpi);
        let f = self.chan(chn).frames.as_mut().ok_or("no frame buffers")?;
        let (fw, fh) = f.buffers.size();
        let (y_addr, uv_addr) = f.buffers.planes(index);
        if content == Content::Pattern || t == 0 {
            let (mut y, mut uvp) = (
                vec![0u8; y_size(fw, fh) as usize],
                vec![0u8; uv_size(fw, fh) as usize],
            );
            TestPattern::render(fw, fh, pattern_frame, &mut y, &mut uvp);
            mpi.write_mem(y_addr, &y)
                .and_then(|()| mpi.write_mem(uv_addr, &uvp))
                .map_err(|e| format!("frame buffer: {e}"))?;
        }
        f.sent += 1;
        // Only frames a started channel queues are ever released; others are dropped at once.
        f.held[index] = (content == Content::Pattern && started).then_some(pts);
        let placement = match uv {
            UvPlace::Vicap => UvPlacement::Vicap,
            UvPlace::Packed => UvPlacement::ManualFallback,
        };
        let mut info = f.buffers.frame_info(index, placement, pts);
        match address {
            Address::Buffer => {}
            Address::Misaligned => {
                info.phys_addr[0] += 64;
                info.phys_addr[1] += 64;
            }
            Address::Unmapped => {
                let far = f.buffers.y_addrs.iter().max().copied().unwrap_or(0) + (1 << 30);
                info.phys_addr = [far, far + y_size(fw, fh), 0];
            }
        }
        [info.width, info.height] = frame_size.unwrap_or([fw, fh]);
        // The case's frames carry no pool id, as a program filling the struct by hand.
        info.pool_id = 0;
        if started {
            self.stream(chn).sent.insert(pts, pattern_frame);
            self.chan(chn).last_pts = Some(pts);
        }
        Ok(info)
    }
}
