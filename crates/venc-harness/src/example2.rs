//! The manual's Example 2 loop as a library: frames from a [`FrameSource`] are written into
//! NV12 buffers in the backend's media memory (laid out as VICAP lays them out), sent with
//! `SendFrame`, and every pack is fetched with `GetStream`, read by address and released.
//!
//! It talks to the backend only through [`Mpi`] and the [`Encoder`] facade, so it runs on any
//! backend. The CLI, the tests and the benchmarks all drive encoding through here.

use crate::frame_pts;
use crate::poll::{Poll, poll_until};
use crate::release::ReleaseWatch;
use crate::source::{FrameSource, SourceError};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};
use venc_core::encoder::StreamData;
use venc_core::layout::{uv_offset, uv_size, vicap_block_size, y_size};
use venc_core::{CanMvError, ChnAttrStr, Encoder, Mpi, PackType, VideoFrameInfo, consts};

/// How long one GetStream waits before the consumer looks at the channel status.
pub const POLL_MS: i32 = 20;
/// How long the consumer waits without any progress before it calls the channel stalled.
pub const STALL_LIMIT: Duration = Duration::from_secs(10);

/// Where the UV plane is put relative to Y.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UvPlacement {
    /// `ALIGN_UP(w*h, 4096)`: where VICAP puts it with `alignment=12` (the right one).
    Vicap,
    /// `Y + w*h`: the manual example's `else` branch, wrong unless `w*h` is a multiple of 4096.
    ManualFallback,
}

/// What to encode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EncodeJob {
    /// VENC channel.
    pub chn: u32,
    /// Channel attributes (`ChnAttrStr`).
    pub attr: ChnAttrStr,
    /// Frames to send.
    pub frames: u32,
    /// `SetOutBufs` buffer count (8 in the manual's examples).
    pub out_bufs: u32,
    /// UV plane placement.
    pub uv: UvPlacement,
}

impl EncodeJob {
    /// The manual's Example 2 settings for a codec payload at a size.
    pub fn example2(payload: u32, profile: u32, width: u32, height: u32, frames: u32) -> Self {
        Self {
            chn: consts::VENC_CHN_ID_0,
            attr: ChnAttrStr::new(payload, profile, width, height),
            frames,
            out_bufs: 8,
            uv: UvPlacement::Vicap,
        }
    }
}

/// One pack as the consumer saw it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PackEvent {
    /// Index of the `GetStream` call that returned it.
    pub get_index: u32,
    /// HEADER, I or P (checked: a `stream_type` outside the three is an error before any
    /// event is made).
    pub pack_type: PackType,
    /// `data_size`.
    pub size: u32,
    /// `pts`.
    pub pts: u64,
}

impl PackEvent {
    /// `stream_type` as the firmware numbers it (1 P, 2 I, 3 HEADER).
    pub const fn stream_type(&self) -> u32 {
        self.pack_type.code()
    }
}

/// Totals of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct EncodeSummary {
    /// Frames sent with `SendFrame`.
    pub frames_sent: u32,
    /// Frames that came back (I + P packs).
    pub frames_out: u32,
    /// Frames the channel let go of without a pack (codec failure, an injected drop, …).
    pub frames_dropped: u32,
    /// Of `frames_dropped`, those a backend with no count of released frames (a board,
    /// D-056) let go of: taken as dropped once its ring stood still with nothing queued.
    pub frames_dropped_by_silence: u32,
    /// HEADER packs.
    pub header_packs: u32,
    /// I packs.
    pub i_packs: u32,
    /// P packs.
    pub p_packs: u32,
    /// Bytes of all packs.
    pub bytes: u64,
    /// Wall-clock seconds from the first SendFrame to the last ReleaseStream.
    pub seconds: f64,
    /// Frames out per second.
    pub fps: f64,
    /// Average bit rate in kbps over the stream's play time (frames out at the dst frame rate).
    pub kbps: f64,
}

impl EncodeSummary {
    /// Frames that came back so far (I + P packs).
    pub fn frames_received(&self) -> u32 {
        self.i_packs + self.p_packs
    }

    /// Fills the totals at the end of a run: `frames_out`, `seconds`, `fps`, and `kbps` over the
    /// output's play time, `frames_out / frame_rate` with the channel's `src_frame_rate`, the
    /// rate the encoder is given (what a player sees and what the CBR budget is spent over;
    /// `dst_frame_rate` is never read, D-009). The one rate formula for every loop.
    pub fn finish(&mut self, seconds: f64, frame_rate: u32) {
        self.frames_out = self.frames_received();
        self.seconds = seconds;
        self.fps = f64::from(self.frames_out) / seconds.max(1e-9);
        let play_secs = f64::from(self.frames_out) / f64::from(frame_rate.max(1));
        self.kbps = self.bytes as f64 * 8.0 / 1000.0 / play_secs.max(1e-9);
    }
}

/// Why an encode run (Example 1 or 2: a program feeding the encoder and reading it) stopped.
#[derive(Debug, thiserror::Error)]
pub enum EncodeRunError {
    /// The program would have seen this exception or status.
    #[error("{call}: {err}")]
    CanMv {
        /// The Encoder method.
        call: &'static str,
        /// What it raised.
        err: CanMvError,
    },
    /// A call returned a failure status (GetStream -1, SendFrame non-zero).
    #[error("{call} returned {status}{}", .code.map(|c| format!(" ({c})")).unwrap_or_default())]
    Status {
        /// The Encoder method.
        call: &'static str,
        /// What it returned.
        status: i64,
        /// The MPI code behind it.
        code: Option<venc_core::VencError>,
    },
    /// Frame buffers could not be set up in media memory.
    #[error("media memory: {0}")]
    Memory(#[from] venc_core::MemError),
    /// The frame source failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The job cannot run as asked.
    #[error("{0}")]
    Job(String),
    /// A pack of a type the MPI does not define.
    #[error("GetStream: {0}")]
    PackType(#[from] venc_core::mpi::UnknownPackType),
    /// Nothing came back for a long time while frames were outstanding (where the board's
    /// GetStream(-1) would block forever).
    #[error(
        "channel stalled: {pending} frame(s) outstanding, no pack and no input release for {}s",
        .waited.as_secs()
    )]
    Stalled {
        /// Frames sent and neither encoded nor released.
        pending: usize,
        /// How long nothing happened.
        waited: Duration,
    },
}

/// Wraps what an `Encoder` method raised, naming the method.
pub fn canmv(call: &'static str) -> impl FnOnce(CanMvError) -> EncodeRunError {
    move |err| EncodeRunError::CanMv { call, err }
}

/// NV12 frame buffers in the backend's media memory, laid out as VICAP lays them out.
#[derive(Debug)]
pub struct FrameBuffers {
    /// Y plane addresses (4 KiB aligned block bases).
    pub y_addrs: Vec<u64>,
    /// Bytes from a block's base to its UV plane.
    pub uv_offset: u64,
    /// The VB pool id they came from.
    pub pool: u32,
    width: u32,
    height: u32,
}

impl FrameBuffers {
    /// `count` buffers for `width`×`height`. A block spans `max(ALIGN_UP(w*h*3/2, 4K),
    /// ALIGN_UP(w*h, 4K) + w*h/2)`: CanMV's size is 512 bytes short at 1920x1080 and 640x360
    /// (facts §3.3), and the simulator sizes blocks so the UV plane fits.
    pub fn new(mpi: &dyn Mpi, width: u32, height: u32, count: u32) -> Result<Self, EncodeRunError> {
        let align = consts::VICAP_ALIGNMENT_4K;
        let blk = vicap_block_size(width, height, align);
        let pool = mpi.create_pool(blk, count)?;
        let y_addrs = (0..count)
            .map(|_| mpi.get_block(pool))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            y_addrs,
            uv_offset: uv_offset(width, height, align),
            pool,
            width,
            height,
        })
    }

    /// The picture size the buffers are laid out for.
    pub fn size(&self) -> (u32, u32) {
        (self.width, self.height)
    }

    /// Number of buffers.
    pub fn count(&self) -> u32 {
        self.y_addrs.len() as u32
    }

    /// Where the sensor writes buffer `index`'s planes: Y at the block base, UV at the VICAP
    /// offset, whatever the program later claims in `phys_addr[1]`.
    pub fn planes(&self, index: usize) -> (u64, u64) {
        let y = self.y_addrs[index % self.y_addrs.len()];
        (y, y + self.uv_offset)
    }

    /// The `k_video_frame_info` a program fills for buffer `index`.
    pub fn frame_info(&self, index: usize, uv: UvPlacement, pts: u64) -> VideoFrameInfo {
        let (y, vicap_uv) = self.planes(index);
        let uv_addr = match uv {
            UvPlacement::Vicap => vicap_uv,
            UvPlacement::ManualFallback => y + y_size(self.width, self.height),
        };
        VideoFrameInfo {
            width: self.width,
            height: self.height,
            pixel_format: consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420,
            phys_addr: [y, uv_addr, 0],
            pts,
            pool_id: self.pool,
            ..VideoFrameInfo::default()
        }
    }
}

/// Where a [`Consumer`] puts each pack it read: any `FnMut(&PackEvent, &[u8])`, or a type of
/// the caller's that keeps them.
pub trait PackSink {
    /// One pack, its bytes read by address before its release.
    fn pack(&mut self, event: &PackEvent, bytes: &[u8]);
}

impl<F: FnMut(&PackEvent, &[u8])> PackSink for F {
    fn pack(&mut self, event: &PackEvent, bytes: &[u8]) {
        self(event, bytes);
    }
}

/// The consumer side of the loop: GetStream, read every pack by address, ReleaseStream; keeps
/// the pack and byte counts in an [`EncodeSummary`].
#[derive(Debug)]
pub struct Consumer<F> {
    chn: i64,
    stream: StreamData,
    /// pts of frames sent and not yet accounted for, oldest first.
    pending: VecDeque<u64>,
    bytes: Vec<u8>,
    summary: EncodeSummary,
    on_pack: F,
}

impl<F: PackSink> Consumer<F> {
    /// A consumer of channel `chn`; `on_pack` gets each pack's bytes.
    #[doc(alias = "GetStream")]
    pub fn new(chn: u32, on_pack: F) -> Self {
        Self {
            chn: i64::from(chn),
            stream: StreamData::new(),
            pending: VecDeque::new(),
            bytes: Vec::new(),
            summary: EncodeSummary::default(),
            on_pack,
        }
    }

    /// Counts so far (`frames_sent`, timing and rates are the caller's to fill).
    pub fn summary(&self) -> &EncodeSummary {
        &self.summary
    }

    /// The counts, taken out at the end of a run.
    pub fn into_summary(self) -> EncodeSummary {
        self.summary
    }

    /// The sink the packs went to.
    pub fn sink_mut(&mut self) -> &mut F {
        &mut self.on_pack
    }

    /// Records a frame sent with `pts` (pts must increase from frame to frame).
    pub fn sent(&mut self, pts: u64) {
        self.summary.frames_sent += 1;
        self.pending.push_back(pts);
    }

    /// Frames sent and not yet encoded or known dropped.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// A frame pack with `pts` arrived: frames sent before it that never produced one were
    /// dropped (the channel works in order).
    fn account(&mut self, pts: u64) {
        while let Some(&front) = self.pending.front() {
            if front > pts {
                break;
            }
            self.pending.pop_front();
            if front < pts {
                self.summary.frames_dropped += 1;
            }
        }
    }

    /// Fetches until at least one outstanding frame is accounted for: its pack arrived, or the
    /// channel released it with an empty ring on two polls in a row, which means it was
    /// dropped (released by the backend's count, or on a board, which keeps none, by the ring
    /// standing still: [`ReleaseWatch`]). Never blocks for good: no progress for
    /// [`STALL_LIMIT`] is an error.
    pub fn wait_for_frame(
        &mut self,
        enc: &mut Encoder,
        mpi: &dyn Mpi,
        get_index: u32,
    ) -> Result<(), EncodeRunError> {
        let before = self.pending.len();
        if before == 0 {
            return Ok(());
        }
        let mut released_polls = 0;
        let mut watch = ReleaseWatch::new();
        poll_until(
            STALL_LIMIT,
            Duration::ZERO,
            || {
                if self.pending.len() < before {
                    return Ok(Poll::Done);
                }
                if self.fetch(enc, get_index, POLL_MS)? {
                    released_polls = 0;
                    watch.moved();
                    return Ok(Poll::Progress);
                }
                let front = self.pending.front().copied().unwrap_or(u64::MAX);
                // Released is asked before the ring is counted: a frame released by then has
                // its packs counted in `cur_packs`.
                let settled = watch.settled();
                let released = frame_released(&mut watch, mpi, self.chn as u32, front)?;
                let status = query_status(mpi, self.chn as u32)?;
                if status.cur_packs == 0 && released {
                    released_polls += 1;
                    if released_polls >= 2 {
                        self.pending.pop_front();
                        self.summary.frames_dropped += 1;
                        if watch.settled() > settled {
                            self.summary.frames_dropped_by_silence += 1;
                        }
                    }
                } else {
                    released_polls = 0;
                }
                Ok(Poll::Idle)
            },
            // Stalled means nothing was accounted for: exactly `before` frames are pending.
            |waited| EncodeRunError::Stalled {
                pending: before,
                waited,
            },
        )
    }

    /// One GetStream/ReleaseStream round. `Ok(false)` when GetStream timed out (NOTREADY);
    /// any other failure is an error.
    pub fn fetch(
        &mut self,
        enc: &mut Encoder,
        get_index: u32,
        timeout: i32,
    ) -> Result<bool, EncodeRunError> {
        let status = enc
            .get_stream(self.chn, &mut self.stream, timeout)
            .map_err(canmv("GetStream"))?;
        if status != 0 {
            return match enc.last_mpi_error() {
                Some(venc_core::VencError::NotReady | venc_core::VencError::BufEmpty) | None => {
                    Ok(false)
                }
                code => Err(EncodeRunError::Status {
                    call: "GetStream",
                    status: status.into(),
                    code,
                }),
            };
        }
        for k in 0..self.stream.pack_cnt as usize {
            let size = self.stream.data_size[k];
            enc.read_mapped(self.stream.data[k], u64::from(size), &mut self.bytes)
                .map_err(canmv("bytearray_at"))?;
            let ev = PackEvent {
                get_index,
                pack_type: PackType::from_code(self.stream.stream_type[k])?,
                size,
                pts: self.stream.pts[k],
            };
            match ev.pack_type {
                PackType::Header => self.summary.header_packs += 1,
                PackType::I => self.summary.i_packs += 1,
                PackType::P => self.summary.p_packs += 1,
            }
            if ev.pack_type != PackType::Header {
                self.account(ev.pts);
            }
            self.summary.bytes += u64::from(size);
            self.on_pack.pack(&ev, &self.bytes);
        }
        enc.release_stream(self.chn, &self.stream)
            .map_err(canmv("ReleaseStream"))?;
        Ok(true)
    }
}

/// Runs the Example 2 loop on `mpi`: SetOutBufs, Create, Start, then per frame fill a buffer,
/// SendFrame and take whatever packs are ready; then drain, Stop and Destroy. `on_pack` gets
/// each pack's bytes. A source that ends early ends the run.
///
/// Unlike the manual's loop (one GetStream(-1) per SendFrame, which trails the encoder by a
/// pack per IDR and blocks forever once a frame is dropped), this one keeps at most one frame
/// in flight per buffer, accounts for every frame sent as encoded or dropped (via pack pts and
/// the backend's count of released frames, [`ReleaseWatch`]), drains the ring at the end, and
/// fails instead of hanging.
pub fn run_example2(
    mpi: Arc<dyn Mpi>,
    job: &EncodeJob,
    source: &mut dyn FrameSource,
    on_pack: impl FnMut(&PackEvent, &[u8]),
) -> Result<EncodeSummary, EncodeRunError> {
    let chn = i64::from(job.chn);
    // Frames are told apart by pts; above this rate two would share one and the accounting
    // would take queued frames for done ones.
    if !(1..=crate::MAX_FRAME_RATE).contains(&job.attr.src_frame_rate) {
        return Err(EncodeRunError::Job(format!(
            "src_frame_rate {} outside 1..={}: frames need distinct µs pts",
            job.attr.src_frame_rate,
            crate::MAX_FRAME_RATE
        )));
    }
    let mut enc = Encoder::new(Arc::clone(&mpi));
    let mut consumer = Consumer::new(job.chn, on_pack);
    let started = Instant::now();
    let mut stage = Stage::Configured;
    let mut input_pool = None;
    let result = drive(
        &mpi,
        &mut enc,
        job,
        source,
        &mut consumer,
        (&mut stage, &mut input_pool),
    );
    let seconds = started.elapsed().as_secs_f64();
    // Tear down what was set up, even after an error: the next run must find the channel free.
    let stopped = match stage {
        Stage::Started => enc.stop(chn).map(drop).map_err(canmv("Stop")),
        _ => Ok(()),
    };
    let destroyed = match stage {
        Stage::Created | Stage::Started => enc.destroy(chn).map(drop).map_err(canmv("Destroy")),
        Stage::Configured => Ok(()),
    };
    if let Some(pool) = input_pool {
        let _ = mpi.destroy_pool(pool);
    }
    result?;
    stopped?;
    destroyed?;
    let mut summary = consumer.into_summary();
    summary.finish(seconds, job.attr.src_frame_rate);
    Ok(summary)
}

/// How far `drive` got, so teardown undoes exactly that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Configured,
    Created,
    Started,
}

/// SetOutBufs, Create, Start, then the input buffers and the loop. `stage` and `input_pool`
/// tell the caller what to tear down, whatever happened.
fn drive<F: PackSink>(
    mpi: &Arc<dyn Mpi>,
    enc: &mut Encoder,
    job: &EncodeJob,
    source: &mut dyn FrameSource,
    consumer: &mut Consumer<F>,
    (stage, input_pool): (&mut Stage, &mut Option<u32>),
) -> Result<(), EncodeRunError> {
    let (w, h) = (job.attr.pic_width, job.attr.pic_height);
    let chn = consumer.chn;
    enc.set_out_bufs(chn, job.out_bufs, w, h)
        .map_err(canmv("SetOutBufs"))?;
    enc.create(chn, &job.attr).map_err(canmv("Create"))?;
    *stage = Stage::Created;
    enc.start(chn).map_err(canmv("Start"))?;
    *stage = Stage::Started;
    // After Create, so a size the VPU refuses fails there, with the board's code.
    let buffers = FrameBuffers::new(mpi.as_ref(), w, h, consts::SENSOR_BUFFERS)?;
    *input_pool = Some(buffers.pool);
    let mut y = vec![0u8; y_size(w, h) as usize];
    let mut uv = vec![0u8; uv_size(w, h) as usize];
    for i in 0..job.frames {
        if !source.next_frame(&mut y, &mut uv)? {
            break;
        }
        // The VPU reads input asynchronously (facts §5.8): a buffer may be rewritten only after
        // the frame last sent from it is accounted for (encoded or dropped).
        while consumer.pending() >= buffers.count() as usize {
            consumer.wait_for_frame(enc, mpi.as_ref(), i)?;
        }
        let (y_addr, uv_addr) = buffers.planes(i as usize);
        mpi.write_mem(y_addr, &y)?;
        mpi.write_mem(uv_addr, &uv)?;
        let pts = frame_pts(u64::from(i), job.attr.src_frame_rate);
        let info = buffers.frame_info(i as usize, job.uv, pts);
        let status = enc
            .send_frame(chn, &info, consts::defaults::SEND_FRAME_TIMEOUT_MS)
            .map_err(canmv("SendFrame"))?;
        if status != 0 {
            return Err(EncodeRunError::Status {
                call: "SendFrame",
                status,
                code: enc.last_mpi_error(),
            });
        }
        consumer.sent(pts);
        // Take whatever is ready without waiting, as a program polling GetStream(0) would.
        while consumer.fetch(enc, i, 0)? {}
    }
    while consumer.pending() > 0 {
        consumer.wait_for_frame(enc, mpi.as_ref(), job.frames)?;
    }
    Ok(())
}

/// `kd_mpi_venc_query_status` as a pipeline step.
pub fn query_status(mpi: &dyn Mpi, chn: u32) -> Result<venc_core::ChnStatus, EncodeRunError> {
    mpi.query_status(chn).map_err(status_failed)
}

/// [`ReleaseWatch::released`] as a pipeline step (its failure is `query_status`'s).
pub fn frame_released(
    watch: &mut ReleaseWatch,
    mpi: &dyn Mpi,
    chn: u32,
    pts: u64,
) -> Result<bool, EncodeRunError> {
    watch.released(mpi, chn, pts).map_err(status_failed)
}

fn status_failed(code: venc_core::VencError) -> EncodeRunError {
    EncodeRunError::Status {
        call: "QueryStatus",
        status: -1,
        code: Some(code),
    }
}
