//! One VENC channel. Data flows one way: `send_frame` → input queue ([`input`]) → worker, the
//! VPU ([`worker`]: reads NV12 from media memory, turns and draws, encodes) → output blocks +
//! pack ring → `get_stream` / `release_stream`. This file holds the state machine (create,
//! start, stop, destroy, the settings) and the reading side.
//!
//! Invariants:
//! - Lock order: channel state, then media memory. The worker never holds the state lock while
//!   encoding.
//! - Every frame accepted by `send_frame` is encoded or counted in one `dropped_*` counter.
//! - A frame's packs (HEADER + I, or P) enter the ring together when enough output blocks are
//!   free; otherwise one by one as the consumer releases blocks.
//! - Each pack occupies one output block of the attached pool until it is released.

use super::orient::Orientation;
use super::overlay::TwoD;
use super::ring::PackRing;
use crate::SimOptions;
use crate::clock::{BoardClock, Booking};
use crate::codec::{self, CodecEngine, CodingTools};
use crate::mmz::MediaMemory;
use crate::timing::{BoardProfile, VpuClock};
use log::{debug, info, warn};
use serde::Serialize;
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;
use venc_core::bitstream::Codec;
use venc_core::fault::{FaultPoint, Faults};
use venc_core::{ChnAttr, ChnStatus, K230, Pack, PoolId, VencError, VideoFrameInfo};

mod input;
mod worker;

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
    /// Frames whose `stride[]` was neither 0 nor the width: the kernel derives the stride from
    /// the width and reads the rows packed (facts §2.5), so padded rows shear on the board.
    pub stride_ignored_frames: u64,
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

    /// The counters of two stretches of a channel's life added up.
    pub fn plus(self, o: Self) -> Self {
        Self {
            frames_queued: self.frames_queued + o.frames_queued,
            frames_encoded: self.frames_encoded + o.frames_encoded,
            dropped_not_started: self.dropped_not_started + o.dropped_not_started,
            dropped_input_overflow: self.dropped_input_overflow + o.dropped_input_overflow,
            dropped_at_stop: self.dropped_at_stop + o.dropped_at_stop,
            dropped_oversize: self.dropped_oversize + o.dropped_oversize,
            dropped_codec_error: self.dropped_codec_error + o.dropped_codec_error,
            dropped_injected: self.dropped_injected + o.dropped_injected,
            packs_produced: self.packs_produced + o.packs_produced,
            packs_overwritten: self.packs_overwritten + o.packs_overwritten,
            misaligned_frames: self.misaligned_frames + o.misaligned_frames,
            size_mismatch_frames: self.size_mismatch_frames + o.size_mismatch_frames,
            stride_ignored_frames: self.stride_ignored_frames + o.stride_ignored_frames,
            over_releases: self.over_releases + o.over_releases,
            shared_pool_creates: self.shared_pool_creates + o.shared_pool_creates,
        }
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
    /// The counters of this channel's earlier incarnations (a report's totals for the run).
    earlier_stats: ChannelStats,
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
    /// The standalone 2D channel (`start_2d_chn` … `stop_2d_chn`): the frames drawn and not
    /// yet taken by `get_2d_frame`; `None` while it is not started.
    two_d_frames: Option<VecDeque<VideoFrameInfo>>,
    /// What the engine was built with, to build one for a turned size.
    engine_opts: (u16, codec::Engines),
    /// Deblocking, SAO, entropy coder: set between create and start (§4).
    tools: CodingTools,
    /// What `get_h264_entropy` / `get_h265_entropy` answer: the last values set.
    entropy_set: (Option<venc_core::H264Entropy>, u8),
}

impl State {
    /// Drops the queued input and the packs in the ring (their blocks back to the free list)
    /// and starts a new generation, so a worker of the old one stops: a create or a destroy.
    fn drop_queued(&mut self) {
        self.input.clear();
        drop(self.wake_hold.take());
        let mut freed = Vec::new();
        self.ring.clear(&mut freed);
        self.free_blocks.extend(freed);
        self.generation += 1;
    }
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
                earlier_stats: ChannelStats::default(),
                started_at: None,
                consumers_waiting: 0,
                wake_hold: None,
                orientation: Orientation::default(),
                two_d: TwoD::default(),
                two_d_frames: None,
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

    /// The counters over every incarnation since the board started.
    pub(crate) fn run_stats(&self) -> ChannelStats {
        let st = self.lock();
        st.earlier_stats.plus(st.stats)
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
        st.drop_queued();
        st.earlier_stats = st.earlier_stats.plus(std::mem::take(&mut st.stats));
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
        st.drop_queued();
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

    /// The standalone 2D channel's frames (`None` while it is not started), changed by `f`.
    pub(crate) fn with_two_d_frames<R>(
        &self,
        f: impl FnOnce(&mut Option<VecDeque<VideoFrameInfo>>) -> R,
    ) -> R {
        f(&mut self.lock().two_d_frames)
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

    /// This channel's incarnation: a create or a destroy starts a new one.
    pub(crate) fn incarnation(&self) -> u64 {
        self.lock().generation
    }

    /// `get_stream`; with `incarnation`, only packs of that incarnation: once the channel is
    /// destroyed (and made again) such a call waits out its timeout and answers NOTREADY,
    /// taking none of the next channel's packs (a wait on a channel that is gone).
    pub(crate) fn get_stream(
        &self,
        max_packs: u32,
        timeout_ms: i32,
        out: &mut Vec<Pack>,
        incarnation: Option<u64>,
    ) -> Result<(), VencError> {
        out.clear();
        let place = format_args!("venc ch{} get_stream", self.id);
        if let Some(code) = self.struck_call(FaultPoint::GetStream, timeout_ms, place) {
            // The packs stay in the ring for the next call.
            return Err(code);
        }
        let mut st = self.lock();
        let gone = |st: &State| incarnation.is_some_and(|i| i != st.generation);
        if gone(&st) {
            if timeout_ms != 0 {
                // Nothing can satisfy this wait: it only ends at its timeout.
                st.consumers_waiting += 1;
                let mut st = self
                    .wait_until(&self.output_cv, st, timeout_ms, |_| false)
                    .unwrap_or_else(|st| st);
                st.consumers_waiting -= 1;
            }
            return Err(VencError::NotReady);
        }
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
            if gone(&st) || st.ring.queued() == 0 {
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
}
