//! One VENC channel. Data flows one way: `send_frame` → input queue → worker (reads NV12 from
//! media memory, encodes) → output blocks + pack ring → `get_stream` / `release_stream`.
//!
//! Invariants:
//! - Lock order: channel state, then media memory. The worker never holds the state lock while
//!   encoding.
//! - Every frame accepted by `send_frame` is encoded or counted in one `dropped_*` counter.
//! - A frame's packs (HEADER + I, or P) enter the ring together when enough output blocks are
//!   free; otherwise one by one as the consumer releases blocks.
//! - Each pack occupies one output block of the attached pool until it is released.

use super::nv12::deinterleave_uv;
use super::orient::Orientation;
use super::overlay::{Nv12, TwoD};
use super::ring::PackRing;
use crate::SimOptions;
use crate::clock::{BoardClock, Booking};
use crate::codec::{self, CodecEngine, CodingTools, EncodedPicture, Picture};
use crate::mmz::MediaMemory;
use crate::timing::{BoardProfile, PictureKind, VpuClock};
use log::{debug, info, warn};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;
use venc_core::bitstream::{Codec, NalKind, annexb_units};
use venc_core::fault::{FaultKind, FaultPoint, Faults};
use venc_core::layout::{uv_size, y_size};
use venc_core::{
    ChnAttr, ChnStatus, K230, Pack, PackType, PoolId, VencError, VideoFrameInfo, consts,
};

/// Channel state, numbered as the kernel numbers it (facts §2.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Phase {
    /// Never created, or destroyed (state 0).
    Idle,
    /// `create_chn` done (state 1).
    Created,
    /// `start_chn` done (state 2).
    Started,
    /// `stop_chn` done (state 4).
    Stopped,
}

/// Counters of what a channel did with the frames it was given.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ChannelStats {
    /// Frames `send_frame` accepted into the input queue.
    pub frames_queued: u64,
    /// Frames encoded and placed in the ring.
    pub frames_encoded: u64,
    /// Frames sent while the channel was not started (returned 0, dropped; firmware behaviour).
    pub dropped_not_started: u64,
    /// Frames dropped on a full input queue with timeout 0 (`input overflow`).
    pub dropped_input_overflow: u64,
    /// Frames still queued or in flight when the channel stopped.
    pub dropped_at_stop: u64,
    /// Frames whose encoded size exceeded the output block size.
    pub dropped_oversize: u64,
    /// Frames the codec failed on, or whose planes were unmapped before the worker read them.
    pub dropped_codec_error: u64,
    /// Frames dropped by an injected `drop-frame` fault ([`venc_core::fault`]).
    pub dropped_injected: u64,
    /// Packs written into the ring.
    pub packs_produced: u64,
    /// Packs overwritten on a full ring (`stream queue overflow`).
    pub packs_overwritten: u64,
    /// Frames whose planes were not 4 KiB aligned (accepted with a warning).
    pub misaligned_frames: u64,
    /// Frames whose width/height differed from the channel's (encoded at the channel's size).
    pub size_mismatch_frames: u64,
    /// `release_stream` asked for more packs than were handed out.
    pub over_releases: u64,
    /// Created on an output pool another live channel writes its packs into (one `Encoder`
    /// object for several channels, D-037).
    pub shared_pool_creates: u64,
}

impl ChannelStats {
    /// Every counter by name, in declaration order: what scripts (`canmv_host.channel_stats`)
    /// and reports show.
    pub fn fields(&self) -> [(&'static str, u64); 14] {
        [
            ("frames_queued", self.frames_queued),
            ("frames_encoded", self.frames_encoded),
            ("dropped_not_started", self.dropped_not_started),
            ("dropped_input_overflow", self.dropped_input_overflow),
            ("dropped_at_stop", self.dropped_at_stop),
            ("dropped_oversize", self.dropped_oversize),
            ("dropped_codec_error", self.dropped_codec_error),
            ("dropped_injected", self.dropped_injected),
            ("packs_produced", self.packs_produced),
            ("packs_overwritten", self.packs_overwritten),
            ("misaligned_frames", self.misaligned_frames),
            ("size_mismatch_frames", self.size_mismatch_frames),
            ("over_releases", self.over_releases),
            ("shared_pool_creates", self.shared_pool_creates),
        ]
    }

    /// Frames let go of without a pack, whatever the reason.
    pub fn frames_dropped(&self) -> u64 {
        self.dropped_not_started
            + self.dropped_input_overflow
            + self.dropped_at_stop
            + self.dropped_oversize
            + self.dropped_codec_error
            + self.dropped_injected
    }
}

pub(crate) struct State {
    phase: Phase,
    attr: Option<ChnAttr>,
    codec: Codec,
    engine: Option<Box<dyn CodecEngine>>,
    idr_enabled: bool,
    idr_requested: bool,
    header_sent: bool,
    pool: Option<PoolId>,
    /// Handed out by `request_chn` and not yet released.
    requested: bool,
    block_size: u64,
    free_blocks: VecDeque<u64>,
    /// Queued frames, each with the board time it arrived (the VPU model may take it then).
    input: VecDeque<(VideoFrameInfo, Duration)>,
    ring: PackRing,
    /// Bumped by create/destroy so a worker or waiter of an old incarnation stops.
    generation: u64,
    last_release_pts: u64,
    stats: ChannelStats,
    /// Board time of the start.
    started_at: Option<Duration>,
    /// Consumers blocked in `get_stream` now.
    consumers_waiting: u32,
    /// Set when packs arrive for a blocked consumer: board time waits until it has them, so
    /// the host's thread wake-up is not board time (only on a dilated clock).
    wake_hold: Option<Booking>,
    /// `set_rotation` / `set_mirror`: put on every frame the VPU takes from now on.
    orientation: Orientation,
    /// The 2D engine in front of the VPU (`attach_2d`, `set_2d_*`): the 2D channel's own
    /// settings, kept across creates.
    two_d: TwoD,
    /// What the engine was built with, to build one for a turned size.
    engine_opts: (u16, codec::Engines),
    /// Deblocking, SAO, entropy coder: set between create and start (§4).
    tools: CodingTools,
    /// What `get_h264_entropy` / `get_h265_entropy` answer: the last values set.
    entropy_set: (Option<venc_core::H264Entropy>, u8),
}

/// One of the four channels.
pub(crate) struct Channel {
    id: u32,
    state: Mutex<State>,
    /// Worker waits here for input (or a state change).
    input_cv: Condvar,
    /// Senders wait here for queue space.
    space_cv: Condvar,
    /// Consumers wait here for packs.
    output_cv: Condvar,
    /// Worker waits here for a free output block.
    block_cv: Condvar,
    worker: Mutex<Option<JoinHandle<()>>>,
    /// The board's armed faults.
    faults: Arc<Faults>,
    /// The board's time: timeouts and the VPU model's due times.
    clock: BoardClock,
}

impl Channel {
    pub(crate) fn new(id: u32, faults: Arc<Faults>, clock: BoardClock) -> Self {
        Self {
            id,
            faults,
            clock,
            state: Mutex::new(State {
                phase: Phase::Idle,
                attr: None,
                codec: Codec::H264,
                engine: None,
                idr_enabled: false,
                idr_requested: false,
                header_sent: false,
                pool: None,
                requested: false,
                block_size: 0,
                free_blocks: VecDeque::new(),
                input: VecDeque::with_capacity(K230.input_queue_depth),
                ring: PackRing::new(K230.output_ring_depth),
                generation: 0,
                last_release_pts: 0,
                stats: ChannelStats::default(),
                started_at: None,
                consumers_waiting: 0,
                wake_hold: None,
                orientation: Orientation::default(),
                two_d: TwoD::default(),
                engine_opts: (1, codec::Engines::Real),
                tools: CodingTools::default(),
                entropy_set: (None, 0),
            }),
            input_cv: Condvar::new(),
            space_cv: Condvar::new(),
            output_cv: Condvar::new(),
            block_cv: Condvar::new(),
            worker: Mutex::new(None),
        }
    }

    /// The channel number.
    pub(crate) fn id(&self) -> u32 {
        self.id
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wake_all(&self) {
        for cv in [
            &self.input_cv,
            &self.space_cv,
            &self.output_cv,
            &self.block_cv,
        ] {
            self.clock.notify(cv);
        }
    }

    pub(crate) fn phase(&self) -> Phase {
        self.lock().phase
    }

    pub(crate) fn stats(&self) -> ChannelStats {
        self.lock().stats
    }

    /// The output pool of a channel that is created (or started, or stopped), if any.
    pub(crate) fn live_pool(&self) -> Option<PoolId> {
        let st = self.lock();
        if st.phase == Phase::Idle {
            None
        } else {
            st.pool
        }
    }

    /// The output pool attached now, created or not.
    pub(crate) fn attached_pool(&self) -> Option<PoolId> {
        self.lock().pool
    }

    /// Counts a create on a pool another live channel uses.
    pub(crate) fn note_shared_pool(&self) {
        self.lock().stats.shared_pool_creates += 1;
    }

    pub(crate) fn attach_pool(&self, mem: &MediaMemory, pool: PoolId) -> Result<(), VencError> {
        self.attach_pool_blocks(mem, pool, usize::MAX)
    }

    /// [`Self::attach_pool`], the channel writing packs into the pool's first `most` blocks only.
    pub(crate) fn attach_pool_blocks(
        &self,
        mem: &MediaMemory,
        pool: PoolId,
        most: usize,
    ) -> Result<(), VencError> {
        let (blk_size, mut blocks) = mem.pool_blocks(pool).map_err(|_| VencError::NoBuf)?;
        if most != usize::MAX && most > blocks.len() {
            warn!(
                "venc ch{}: attach_vb_pool_ex: buff_num {most} of a pool of {} blocks: all of \
                 them are used (D-055)",
                self.id,
                blocks.len()
            );
        }
        blocks.truncate(most);
        let mut st = self.lock();
        if st.phase == Phase::Started {
            return Err(VencError::NotPerm);
        }
        st.pool = Some(pool);
        st.block_size = blk_size;
        st.free_blocks = blocks.into();
        Ok(())
    }

    pub(crate) fn detach_pool(&self) -> Result<(), VencError> {
        let mut st = self.lock();
        if st.phase == Phase::Started {
            return Err(VencError::NotPerm);
        }
        st.pool = None;
        st.free_blocks.clear();
        Ok(())
    }

    pub(crate) fn create(&self, attr: &ChnAttr, opts: &SimOptions) -> Result<(), VencError> {
        let reject = |code: VencError, why: String| {
            warn!("venc ch{}: create_chn rejected: {why} -> {code}", self.id);
            code
        };
        if self.phase() != Phase::Idle {
            // The 2024-09 kernel memsets the channel with no exists check; refusing is the safe
            // side of an unknown (docs/divergences.md).
            return Err(reject(
                VencError::Exist,
                "channel already created (destroy it first)".into(),
            ));
        }
        let codec = Codec::from_payload(attr.payload);
        if let Some(codec) = codec {
            K230.check_size_for(codec, attr.width, attr.height)
                .map_err(|why| reject(VencError::IllegalParam, why))?;
            if !attr.height.is_multiple_of(2) {
                return Err(reject(
                    VencError::IllegalParam,
                    format!(
                        "height {} is odd; NV12 4:2:0 needs an even height",
                        attr.height
                    ),
                ));
            }
        }
        let engine = codec::engine_for(attr, opts.codec_threads, opts.engines)
            .map_err(|(code, why)| reject(code, why))?;
        let mut st = self.lock();
        if st.phase != Phase::Idle {
            // Lost a race with another create while the engine was being built.
            return Err(reject(VencError::Exist, "channel already created".into()));
        }
        if st.pool.is_none() {
            return Err(reject(
                VencError::NoBuf,
                "no output pool attached: call Encoder.SetOutBufs before Create".into(),
            ));
        }
        st.phase = Phase::Created;
        st.attr = Some(*attr);
        st.codec = engine.codec();
        st.engine = Some(engine);
        st.engine_opts = (opts.codec_threads, opts.engines);
        // The kernel clears the channel at create, its frame flags with it.
        st.orientation = Orientation::default();
        st.tools = CodingTools::default();
        st.entropy_set = (None, 0);
        st.idr_enabled = false;
        st.idr_requested = false;
        st.header_sent = false;
        // The kernel memsets the channel at create (facts §2.4): nothing released yet.
        st.last_release_pts = 0;
        st.input.clear();
        drop(st.wake_hold.take());
        let mut freed = Vec::new();
        st.ring.clear(&mut freed);
        st.free_blocks.extend(freed);
        st.generation += 1;
        st.stats = ChannelStats::default();
        info!(
            "venc ch{}: created {:?} {}x{} profile {}",
            self.id, st.codec, attr.width, attr.height, attr.profile
        );
        Ok(())
    }

    /// `request_chn`'s test and set: takes the channel if nobody requested or created it.
    pub(crate) fn try_request(&self) -> bool {
        let mut st = self.lock();
        if st.requested || st.phase != Phase::Idle {
            return false;
        }
        st.requested = true;
        true
    }

    /// `release_chn`: a requested channel, once destroyed, is free again.
    pub(crate) fn release(&self) -> Result<(), VencError> {
        let mut st = self.lock();
        if !st.requested {
            warn!(
                "venc ch{}: release_chn of a channel never requested",
                self.id
            );
            return Err(VencError::NotPerm);
        }
        if st.phase != Phase::Idle {
            warn!(
                "venc ch{}: release_chn while {:?}: destroy it first (D-036)",
                self.id, st.phase
            );
            return Err(VencError::NotPerm);
        }
        st.requested = false;
        Ok(())
    }

    pub(crate) fn destroy(&self) -> Result<(), VencError> {
        let mut st = self.lock();
        if !matches!(st.phase, Phase::Created | Phase::Stopped) {
            warn!("venc ch{} state {:?} error: destroy_chn", self.id, st.phase);
            return Err(VencError::NotPerm);
        }
        st.phase = Phase::Idle;
        st.engine = None;
        st.attr = None;
        st.input.clear();
        drop(st.wake_hold.take());
        let mut freed = Vec::new();
        st.ring.clear(&mut freed);
        st.free_blocks.extend(freed);
        st.generation += 1;
        drop(st);
        self.wake_all();
        Ok(())
    }

    /// Starts the worker; `pacing` (realtime) makes it take each picture's modeled VPU time.
    pub(crate) fn start(
        self: &Arc<Self>,
        mem: &Arc<MediaMemory>,
        pacing: Option<(BoardProfile, VpuClock)>,
    ) -> Result<(), VencError> {
        let mut st = self.lock();
        if st.phase != Phase::Created {
            warn!("venc ch{} state {:?} error: start_chn", self.id, st.phase);
            return Err(VencError::NotPerm);
        }
        let mut engine = st.engine.take().ok_or(VencError::NotPerm)?;
        let attr = st.attr.ok_or(VencError::NotPerm)?;
        let engine_opts = st.engine_opts;
        let tools = st.tools;
        if tools != CodingTools::default() {
            // The VPU's firmware takes the tools when it loads, at start.
            match codec::engine_with_tools(&attr, engine_opts.0, engine_opts.1, tools) {
                Ok(e) => engine = e,
                Err((code, why)) => {
                    st.engine = Some(engine);
                    warn!("venc ch{}: start_chn: {why}", self.id);
                    return Err(code);
                }
            }
        }
        st.phase = Phase::Started;
        st.started_at = Some(self.clock.now());
        let generation = st.generation;
        drop(st);
        let ch = Arc::clone(self);
        let mem = Arc::clone(mem);
        let worker = std::thread::Builder::new().name(format!("venc-ch{}", self.id));
        let handle = self
            .clock
            .spawn(worker, move || {
                ch.run_worker(&mem, (engine, engine_opts, tools), attr, generation, pacing);
            })
            .map_err(|_| VencError::NoMem)?;
        *self.worker.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
        Ok(())
    }

    pub(crate) fn stop(&self) -> Result<(), VencError> {
        let mut st = self.lock();
        if st.phase != Phase::Started {
            warn!("venc ch{} state {:?} error: stop_chn", self.id, st.phase);
            return Err(VencError::NotPerm);
        }
        st.phase = Phase::Stopped;
        let queued = st.input.len() as u64;
        if queued > 0 {
            warn!("venc ch{}: {queued} queued frames dropped at stop", self.id);
        }
        st.stats.dropped_at_stop += queued;
        st.input.clear();
        drop(st.wake_hold.take());
        drop(st);
        self.wake_all();
        if let Some(h) = self
            .worker
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            // The worker may need the board to see it is stopped.
            let _ = self.clock.away(|| h.join());
        }
        let st = self.lock();
        let secs = st
            .started_at
            .map_or(0.0, |t| (self.clock.now().saturating_sub(t)).as_secs_f64())
            .max(1e-9);
        info!(
            "ch {}: {} pictures encoded. Average FrameRate = {} Fps",
            self.id,
            st.stats.frames_encoded,
            (st.stats.frames_encoded as f64 / secs) as u64
        );
        Ok(())
    }

    pub(crate) fn enable_idr(&self, enable: bool) -> Result<(), VencError> {
        let mut st = self.lock();
        if st.phase != Phase::Created {
            return Err(VencError::Busy);
        }
        st.idr_enabled = enable;
        Ok(())
    }

    /// `kd_mpi_venc_set_rotation` / `set_mirror`: any state; frames the VPU takes from now on
    /// are turned.
    pub(crate) fn set_orientation(&self, f: impl FnOnce(&mut Orientation)) {
        f(&mut self.lock().orientation);
    }

    pub(crate) fn orientation(&self) -> Orientation {
        self.lock().orientation
    }

    /// The channel's 2D settings, with its phase, changed by `f` (any state: the kernel's 2D
    /// calls have no state check, §4).
    pub(crate) fn with_two_d<R>(&self, f: impl FnOnce(Phase, &mut TwoD) -> R) -> R {
        let mut st = self.lock();
        let phase = st.phase;
        f(phase, &mut st.two_d)
    }

    /// The attributes of the channel's last create.
    pub(crate) fn attr(&self) -> Option<ChnAttr> {
        self.lock().attr
    }

    /// The tools' setters and getters (k230-mpp-c-api.md §4); `set` gets the state, the codec
    /// and the tools, and says whether the call may go on.
    pub(crate) fn with_tools<T>(
        &self,
        f: impl FnOnce(Phase, Codec, &mut CodingTools, &mut (Option<venc_core::H264Entropy>, u8)) -> T,
    ) -> T {
        let mut st = self.lock();
        let st = &mut *st;
        f(st.phase, st.codec, &mut st.tools, &mut st.entropy_set)
    }

    pub(crate) fn request_idr(&self) -> Result<(), VencError> {
        let mut st = self.lock();
        if st.phase == Phase::Idle || !st.idr_enabled {
            warn!("venc ch{}: idr should be enabled", self.id);
            return Err(VencError::IllegalParam);
        }
        st.idr_requested = true;
        Ok(())
    }

    /// A call-level injected fault: its code, after the call's timeout in board time.
    fn struck_call(
        &self,
        point: FaultPoint,
        timeout_ms: i32,
        place: std::fmt::Arguments<'_>,
    ) -> Option<VencError> {
        self.faults
            .strike_call_waiting(point, timeout_ms, place, |d| self.clock.sleep(d))
    }

    /// Waits until board time `until` while `live` holds: a stop ends the wait (it does not
    /// wait for board time; a deterministic board's time stands while the stop joins this).
    fn wait_live_until<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        until: Duration,
        live: impl Fn(&State) -> bool,
    ) -> MutexGuard<'a, State> {
        while self.clock.now() < until && live(&st) {
            st = self
                .clock
                .wait_on(&self.input_cv, &self.state, st, Some(until))
                .0;
        }
        st
    }

    /// Waits on `cv` until `ready`, for `timeout_ms` of board time (-1 = forever). `Err` on
    /// timeout.
    fn wait_until<'a>(
        &'a self,
        cv: &Condvar,
        mut st: MutexGuard<'a, State>,
        timeout_ms: i32,
        ready: impl Fn(&State) -> bool,
    ) -> Result<MutexGuard<'a, State>, MutexGuard<'a, State>> {
        let deadline = u64::try_from(timeout_ms)
            .ok()
            .map(|ms| self.clock.now() + Duration::from_millis(ms));
        while !ready(&st) {
            let (back, passed) = self.clock.wait_on(cv, &self.state, st, deadline);
            st = back;
            if passed && !ready(&st) {
                return Err(st);
            }
        }
        Ok(st)
    }

    /// `k_venc_chn_status` as the board's kernel writes it: `cur_packs` only; user space
    /// zeroed the rest (k230-mpp-c-api.md §3, D-056).
    pub(crate) fn query_status(&self) -> ChnStatus {
        ChnStatus {
            cur_packs: self.lock().ring.queued(),
            ..ChnStatus::default()
        }
    }

    /// The pts of the last input picture the VPU released (encoded or dropped): the
    /// hardware's own knowledge, which no K230 call reports.
    pub(crate) fn released_pts(&self) -> u64 {
        self.lock().last_release_pts
    }

    pub(crate) fn send_frame(
        &self,
        mem: &MediaMemory,
        frame: &VideoFrameInfo,
        timeout_ms: i32,
        strict: bool,
    ) -> Result<(), VencError> {
        let place = format_args!("venc ch{} send_frame pts {}", self.id, frame.pts);
        if let Some(code) = self.struck_call(FaultPoint::SendFrame, timeout_ms, place) {
            // As a full queue answers: the frame is still the caller's.
            warn!("venc ch{}: VENC_BUSY (input queue full)", self.id);
            return Err(code);
        }
        self.enqueue(mem, frame, timeout_ms, strict, None).map(drop)
    }

    /// `send_frame`, reporting whether the frame was queued (`false`: dropped and counted).
    /// `captured`: a bound frame's frame time, when it reached the channel on the board (a
    /// sent frame arrives now).
    fn enqueue(
        &self,
        mem: &MediaMemory,
        frame: &VideoFrameInfo,
        timeout_ms: i32,
        strict: bool,
        captured: Option<Duration>,
    ) -> Result<bool, VencError> {
        let mut st = self.lock();
        let depth = K230.input_queue_depth;
        if timeout_ms != 0 && st.input.len() >= depth && st.phase == Phase::Started {
            st = self
                .wait_until(&self.space_cv, st, timeout_ms, |s| {
                    s.input.len() < depth || s.phase != Phase::Started
                })
                .map_err(|_| {
                    warn!("venc ch{}: VENC_BUSY (input queue full)", self.id);
                    VencError::Busy
                })?;
        }
        if st.phase != Phase::Started {
            // The kernel's venc_receive_input refuses, but send_frame ignores that and returns 0.
            st.stats.dropped_not_started += 1;
            info!(
                "venc ch{}: frame pts {} dropped: channel {:?}, not started",
                self.id, frame.pts, st.phase
            );
            return Ok(false);
        }
        if st.input.len() >= depth {
            st.stats.dropped_input_overflow += 1;
            warn!(
                "venc ch{}: input overflow, wp {} rp 0: frame pts {} dropped",
                self.id,
                st.input.len(),
                frame.pts
            );
            return Ok(false);
        }
        let attr = st.attr.ok_or(VencError::NotPerm)?;
        check_frame(self.id, mem, frame, &attr, strict, &mut st.stats)?;
        let now = self.clock.now();
        st.input
            .push_back((*frame, captured.map_or(now, |t| t.min(now))));
        st.stats.frames_queued += 1;
        drop(st);
        self.clock.notify(&self.input_cv);
        Ok(true)
    }

    /// A bound frame: `send_frame` with timeout 0, reporting whether it was queued.
    pub(crate) fn push_bound(
        &self,
        mem: &MediaMemory,
        frame: &VideoFrameInfo,
        strict: bool,
        captured: Duration,
    ) -> Result<bool, VencError> {
        self.enqueue(mem, frame, 0, strict, Some(captured))
    }

    pub(crate) fn get_stream(
        &self,
        max_packs: u32,
        timeout_ms: i32,
        out: &mut Vec<Pack>,
    ) -> Result<(), VencError> {
        out.clear();
        let place = format_args!("venc ch{} get_stream", self.id);
        if let Some(code) = self.struck_call(FaultPoint::GetStream, timeout_ms, place) {
            // The packs stay in the ring for the next call.
            return Err(code);
        }
        let mut st = self.lock();
        if st.ring.queued() == 0 {
            if timeout_ms == 0 {
                return Err(VencError::NotReady);
            }
            if timeout_ms < 0 && st.phase != Phase::Started && st.input.is_empty() {
                warn!(
                    "venc ch{}: GetStream(-1) on a channel that is {:?}: no pack can arrive; \
                     this blocks forever on the board",
                    self.id, st.phase
                );
            }
            let generation = st.generation;
            st.consumers_waiting += 1;
            let waited = self.wait_until(&self.output_cv, st, timeout_ms, |s| {
                s.ring.queued() > 0 || s.generation != generation
            });
            let timed_out = waited.is_err();
            st = waited.unwrap_or_else(|st| st);
            st.consumers_waiting -= 1;
            if timed_out {
                drop(st.wake_hold.take());
                debug!(
                    "kd_mpi_venc_get_stream>ret 0x{:x}",
                    VencError::BufEmpty.code()
                );
                return Err(VencError::NotReady);
            }
            if st.ring.queued() == 0 {
                return Err(VencError::NotReady);
            }
        }
        st.ring.take(max_packs, out);
        // The consumer has its packs: board time goes on.
        drop(st.wake_hold.take());
        Ok(())
    }

    pub(crate) fn release_stream(&self, pack_cnt: u32) -> Result<(), VencError> {
        let mut guard = self.lock();
        let st = &mut *guard;
        // Straight into the free list: no per-release allocation.
        let n = st.ring.release(pack_cnt, &mut st.free_blocks);
        if n < pack_cnt {
            st.stats.over_releases += 1;
            warn!(
                "venc ch{}: release_stream of {pack_cnt} packs, only {n} were handed out",
                self.id
            );
        }
        drop(guard);
        self.clock.notify(&self.block_cv);
        Ok(())
    }

    /// The 2D engine on a frame, in place in media memory as on the board (src == dst, §4):
    /// the planes read, drawn on, written back. What cannot be drawn is said once per start.
    fn draw_2d(
        &self,
        mem: &MediaMemory,
        two_d: &TwoD,
        frame: &VideoFrameInfo,
        (w, h): (u32, u32),
        (y, uv): &mut (Vec<u8>, Vec<u8>),
        warned: &mut bool,
    ) {
        // The worker's planes, sized once: every byte is read over before it is drawn on.
        y.resize(y_size(w, h) as usize, 0);
        uv.resize(uv_size(w, h) as usize, 0);
        let read = mem
            .read(frame.phys_addr[0], y)
            .and_then(|()| mem.read(frame.phys_addr[1], uv));
        if let Err(e) = read {
            warn!(
                "venc ch{}: 2D: frame pts {} unreadable: {e}",
                self.id, frame.pts
            );
            return;
        }
        let mut planes = Nv12 {
            y,
            uv,
            width: w as usize,
            height: h as usize,
        };
        let drawn = two_d.draw(&mut planes, |addr, out| {
            mem.read(addr, out).map_err(|e| e.to_string())
        });
        let clipped = match drawn {
            Ok(d) => d.clipped,
            Err(why) => {
                if !std::mem::replace(warned, true) {
                    warn!("venc ch{}: 2D: {why}; drawn without it (D-057)", self.id);
                }
                0
            }
        };
        if clipped > 0 && !std::mem::replace(warned, true) {
            warn!(
                "venc ch{}: 2D: {clipped} region(s) or border(s) reach past the {w}x{h} frame: \
                 cut at its edge (D-057)",
                self.id
            );
        }
        let written = mem
            .write(frame.phys_addr[0], y)
            .and_then(|()| mem.write(frame.phys_addr[1], uv));
        if let Err(e) = written {
            warn!(
                "venc ch{}: 2D: frame pts {} not written back: {e}",
                self.id, frame.pts
            );
        }
    }

    fn run_worker(
        &self,
        mem: &MediaMemory,
        (mut engine, engine_opts, tools): (
            Box<dyn CodecEngine>,
            (u16, codec::Engines),
            CodingTools,
        ),
        attr: ChnAttr,
        generation: u64,
        pacing: Option<(BoardProfile, VpuClock)>,
    ) {
        let (w, h) = (attr.width, attr.height);
        let (cw, ch) = (w / 2, h / 2);
        let mut u = vec![0u8; (cw * ch) as usize];
        let mut v = vec![0u8; (cw * ch) as usize];
        // The turned planes, and the coded size the engine was built for.
        let mut turned = (Vec::new(), Vec::new(), Vec::new());
        let mut coded = (w, h);
        // Room for the largest picture that can be placed (a header and a picture pack, each at
        // most one output block), reserved once so a big IDR does not reallocate mid-stream.
        // Only the pages written are resident.
        let most = self.lock().block_size.saturating_mul(2);
        let mut encoded = EncodedPicture {
            data: Vec::with_capacity(usize::try_from(most).unwrap_or(0)),
            idr: false,
        };
        let live = |s: &State| s.generation == generation && s.phase == Phase::Started;
        let codec = engine.codec();
        let gop = attr.rc.to_words().1[0].max(1);
        // The model costs a picture by its kind before the codec makes it (a dilated clock is
        // booked first): the kind the GOP gives, counted here.
        let mut since_idr: Option<u32> = None;
        let mut kind_warned = false;
        let mut two_d_warned = false;
        let mut two_d_planes = (Vec::new(), Vec::new());
        loop {
            let ((frame, arrived), force_idr, orientation, two_d) = {
                let mut st = self.lock();
                loop {
                    if !live(&st) {
                        // The engine, taken at start, is dropped with this worker: a restart
                        // needs a re-create, which builds a new one.
                        return;
                    }
                    // Every frame is encoded: the kernel never reads `dst_frame_rate` (D-009).
                    if let Some(f) = st.input.pop_front() {
                        let force = std::mem::take(&mut st.idr_requested);
                        break (f, force, st.orientation, st.two_d);
                    }
                    st = self.clock.wait_on(&self.input_cv, &self.state, st, None).0;
                }
            };
            self.clock.notify(&self.space_cv);
            let place = format_args!("venc ch{} VPU taking pts {}", self.id, frame.pts);
            match self.faults.strike(FaultPoint::Encode, place) {
                Some(FaultKind::VpuStall { ms }) => {
                    let until = self.clock.now() + Duration::from_millis(u64::from(ms));
                    drop(self.wait_live_until(self.lock(), until, live));
                }
                Some(_) => {
                    let mut st = self.lock();
                    st.stats.dropped_injected += 1;
                    st.last_release_pts = frame.pts;
                    warn!(
                        "venc ch{}: frame pts {} dropped (injected fault)",
                        self.id, frame.pts
                    );
                    continue;
                }
                None => {}
            }
            // Paced: the VPU takes the picture now, or when it finishes the one before. On a
            // dilated clock the booking holds board time at the due time until the packs are
            // placed.
            let kind =
                if codec == Codec::Jpeg || force_idr || since_idr.is_none_or(|n| n + 1 >= gop) {
                    PictureKind::I
                } else {
                    PictureKind::P
                };
            let mut booking = pacing
                .as_ref()
                .map(|(p, vpu)| vpu.book(&self.clock, p.picture_time(codec, kind, w, h), arrived));
            // Turning, drawing and encoding are host computation, not a stuck actor.
            let work = self.clock.work();
            let size = orientation.size(w, h);
            if size != coded {
                // A quarter turn changes the coded size: a new engine, whose first picture
                // is an IDR with its own headers (D-052).
                let turned_attr = ChnAttr {
                    width: size.0,
                    height: size.1,
                    ..attr
                };
                match codec::engine_with_tools(&turned_attr, engine_opts.0, engine_opts.1, tools) {
                    Ok(e) => {
                        engine = e;
                        coded = size;
                        since_idr = None;
                    }
                    Err((_, why)) => {
                        let mut st = self.lock();
                        st.last_release_pts = frame.pts;
                        st.stats.dropped_codec_error += 1;
                        warn!(
                            "venc ch{}: frame pts {} dropped: no engine for the turned {}x{}: \
                             {why}",
                            self.id, frame.pts, size.0, size.1
                        );
                        continue;
                    }
                }
            }
            let y_len = y_size(w, h);
            let uv_len = uv_size(w, h);
            if two_d.draws() {
                let planes = &mut two_d_planes;
                self.draw_2d(mem, &two_d, &frame, (w, h), planes, &mut two_d_warned);
            }
            let read = mem.with_two(
                (frame.phys_addr[0], y_len),
                (frame.phys_addr[1], uv_len),
                |y, uv| {
                    deinterleave_uv(uv, w as usize, ch as usize, &mut u, &mut v);
                    if orientation.is_identity() {
                        let pic = Picture::packed(y, &u, &v, w, h);
                        return engine.encode(&pic, force_idr, &mut encoded);
                    }
                    let (ty, tu, tv) = &mut turned;
                    ty.resize(y.len(), 0);
                    tu.resize(u.len(), 0);
                    tv.resize(v.len(), 0);
                    orientation.apply_plane(y, (w as usize, h as usize), ty);
                    orientation.apply_plane(&u, (cw as usize, ch as usize), tu);
                    orientation.apply_plane(&v, (cw as usize, ch as usize), tv);
                    let pic = Picture::packed(ty, tu, tv, size.0, size.1);
                    engine.encode(&pic, force_idr, &mut encoded)
                },
            );
            let mut st = self.lock();
            match read {
                Err(e) => {
                    // Memory was freed between send_frame and encoding: the board would read
                    // whatever is there now.
                    st.last_release_pts = frame.pts;
                    st.stats.dropped_codec_error += 1;
                    warn!("venc ch{}: input frame unreadable: {e}", self.id);
                    continue;
                }
                Ok(Err(e)) => {
                    st.last_release_pts = frame.pts;
                    st.stats.dropped_codec_error += 1;
                    warn!("venc ch{}: {e}", self.id);
                    continue;
                }
                Ok(Ok(())) => {}
            }
            let made = if encoded.idr || codec == Codec::Jpeg {
                PictureKind::I
            } else {
                PictureKind::P
            };
            if made != kind && pacing.is_some() && !kind_warned {
                kind_warned = true;
                warn!(
                    "venc ch{}: the timing model costed pts {} as an {kind:?} picture, the codec \
                     made an {made:?} picture (its GOP differs from {gop}); the model follows \
                     the codec's pictures from here",
                    self.id, frame.pts
                );
            }
            since_idr = Some(match made {
                PictureKind::I => 0,
                PictureKind::P => since_idr.map_or(0, |n| n.saturating_add(1)),
            });
            drop(work);
            if let Some(due) = booking.as_ref().map(Booking::due) {
                // Until the packs are due, or the channel stops.
                st = self.wait_live_until(st, due, live);
            }
            if st.generation != generation {
                return;
            }
            // The input is released only once its packs are in the ring (or it was dropped), so
            // `release_pic_pts` past a frame with no pack in the ring means it was dropped.
            let mut st = self.place_packs(mem, st, &encoded, frame.pts, &mut booking);
            st.last_release_pts = frame.pts;
            if st.consumers_waiting > 0 && st.wake_hold.is_none() && st.ring.queued() > 0 {
                st.wake_hold = Some(self.clock.book(|now| now));
            }
            drop(st);
            drop(booking);
            self.clock.notify(&self.output_cv);
        }
    }

    /// Splits an encoded picture into packs and writes them into output blocks and the ring.
    fn place_packs<'a>(
        &'a self,
        mem: &MediaMemory,
        mut st: MutexGuard<'a, State>,
        encoded: &EncodedPicture,
        pts: u64,
        booking: &mut Option<Booking>,
    ) -> MutexGuard<'a, State> {
        let codec = st.codec;
        // One pass: where the parameter sets end, and whether the picture is an IDR. A JPEG
        // picture is one pack typed I, whole (facts: `get_output`, mvx format 5).
        let (split, is_idr) = if codec == Codec::Jpeg {
            (0, true)
        } else {
            let mut split = encoded.data.len();
            let mut is_idr = false;
            for unit in annexb_units(&encoded.data) {
                let kind = codec.classify(unit.data);
                if !kind.is_parameter_set() && split == encoded.data.len() {
                    split = unit.offset;
                }
                is_idr |= kind == NalKind::IdrSlice;
            }
            (split, is_idr)
        };
        let (params, picture) = encoded.data.split_at(split);
        let with_header = encoded.idr && (st.idr_enabled || !st.header_sent) && !params.is_empty();
        let header = with_header.then_some((PackType::Header, params));
        let frame = (if is_idr { PackType::I } else { PackType::P }, picture);
        let packs = || header.into_iter().chain(std::iter::once(frame));
        if packs().any(|(_, b)| b.len() as u64 > st.block_size) {
            st.stats.dropped_oversize += 1;
            warn!(
                "venc ch{}: frame pts {pts} encoded to {} bytes, larger than the {}-byte output block: dropped",
                self.id,
                encoded.data.len(),
                st.block_size
            );
            return st;
        }
        // Each pack needs a free output block; the VPU stalls while the consumer holds them all.
        // When enough are free, a frame's packs enter the ring together.
        let generation = st.generation;
        for (pack_type, bytes) in packs() {
            while st.free_blocks.is_empty() {
                if st.phase != Phase::Started || st.generation != generation {
                    st.stats.dropped_at_stop += 1;
                    warn!(
                        "venc ch{}: frame pts {pts} dropped: stopped while waiting for a free output block",
                        self.id
                    );
                    return st;
                }
                self.clock.notify(&self.output_cv);
                // A stall for the consumer is board time passing: the clock is not held for it.
                drop(booking.take());
                st = self.clock.wait_on(&self.block_cv, &self.state, st, None).0;
            }
            let Some(block) = st.free_blocks.pop_front() else {
                return st;
            };
            if let Err(e) = mem.write(block, bytes) {
                st.stats.dropped_codec_error += 1;
                warn!("venc ch{}: output block unwritable: {e}", self.id);
                st.free_blocks.push_back(block);
                return st;
            }
            let place = format_args!("venc ch{} placing a {pack_type} pack", self.id);
            let forced =
                st.ring.held() > 0 && self.faults.strike(FaultPoint::PackPlaced, place).is_some();
            let forced_loss = if forced {
                st.ring.overwrite_oldest()
            } else {
                None
            };
            let full_loss = st
                .ring
                .push(pack_type, block, bytes.len() as u32, pts, block);
            for lost in forced_loss.into_iter().chain(full_loss) {
                let (rel, rp, wp) = lost.pointers;
                warn!(
                    "venc ch{}: stream queue overflow output_rrelease:{rel} output_rp:{rp} output_wp:{wp}",
                    self.id
                );
                st.stats.packs_overwritten += 1;
                st.free_blocks.push_back(lost.block);
            }
            st.stats.packs_produced += 1;
            if pack_type == PackType::Header {
                st.header_sent = true;
            }
        }
        st.stats.frames_encoded += 1;
        st
    }
}

/// Checks a frame before it is queued: what the simulator can tell the program early.
fn check_frame(
    chn: u32,
    mem: &MediaMemory,
    frame: &VideoFrameInfo,
    attr: &ChnAttr,
    strict: bool,
    stats: &mut ChannelStats,
) -> Result<(), VencError> {
    if frame.pixel_format != consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420 {
        warn!(
            "venc ch{chn}: pixel format {} not supported by the simulator (NV12 = 31 only)",
            frame.pixel_format
        );
        return Err(VencError::NotSupport);
    }
    if (frame.width, frame.height) != (attr.width, attr.height) {
        stats.size_mismatch_frames += 1;
        warn!(
            "venc ch{chn}: frame is {}x{}, channel is {}x{}: the VPU reads the channel size",
            frame.width, frame.height, attr.width, attr.height
        );
        if strict {
            return Err(VencError::IllegalParam);
        }
    }
    let (y, uv) = (frame.phys_addr[0], frame.phys_addr[1]);
    let planes = [
        ("Y", y, y_size(attr.width, attr.height)),
        ("UV", uv, uv_size(attr.width, attr.height)),
    ];
    for (name, addr, len) in planes {
        if !mem.is_mapped(addr, len) {
            warn!(
                "venc ch{chn}: {name} plane 0x{addr:x}+{len} is not inside one media-memory block"
            );
            return Err(VencError::BadAddr);
        }
    }
    if planes.iter().any(|(_, a, _)| a % K230.plane_align != 0) {
        stats.misaligned_frames += 1;
        warn!(
            "venc ch{chn}: NV12 planes must be 4 KiB aligned (Y 0x{y:x}, UV 0x{uv:x}); \
             what silicon does otherwise is unverified"
        );
        if strict {
            return Err(VencError::IllegalParam);
        }
    }
    Ok(())
}
