//! The camera (VICAP) as CanMV's `media.sensor.Sensor` shows it.
//!
//! Each of the three output channels owns six NV12 buffers in media memory (facts §3.3): Y at a
//! 4 KiB-aligned block base, UV at `ALIGN_UP(w*h, 1 << alignment)`. Frames come from a
//! [`SensorSource`] on a virtual clock (`pts = (n + 1) / fps` seconds): in [`Timing::Realtime`] a
//! capture thread delivers them at the frame rate, dropping a frame when its channel has no free
//! buffer, as VICAP does; in [`Timing::Fast`] it delivers them as fast as the encoder frees
//! buffers, never dropping, so runs are deterministic.
//!
//! A channel bound to an encoder (see [`crate::sys`]) has each frame pushed into that encoder's
//! input queue. A buffer is reused only once every encoder it went to has released the frame
//! (`release_pic_pts`), or dropped it.

use crate::Simulator;
use crate::sys::{ModChn, SENSOR_CHANNELS};
use log::{info, warn};
use serde::Serialize;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use venc_core::layout::{align_up, uv_offset, uv_size, vicap_block_size, y_size};
use venc_core::{MemError, Mpi, PoolId, VideoFrameInfo, consts};
use venc_harness::source::{FrameSource, SourceError, TestPattern, scale_nv12};

/// `CAM_CHN_ID_0..2`.
pub const CAM_CHN_ID_0: u32 = 0;
/// `CAM_CHN_ID_1`.
pub const CAM_CHN_ID_1: u32 = 1;
/// `CAM_CHN_ID_2`.
pub const CAM_CHN_ID_2: u32 = 2;
/// `Sensor.YUV420SP` (NV12).
#[doc(alias = "Sensor.YUV420SP")]
pub const YUV420SP: u32 = consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420;
pub use venc_core::consts::SENSOR_BUFFERS;
/// Smallest frame side `set_framesize` accepts.
pub const MIN_SIDE: u32 = 64;
/// How long fast mode waits for a buffer before it gives the frame up (and logs it).
const FAST_BUFFER_WAIT: Duration = Duration::from_secs(5);

/// How frames are paced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Timing {
    /// At the sensor's frame rate in wall-clock time; late buffers mean dropped frames.
    Realtime,
    /// As fast as the consumer frees buffers; nothing dropped, timestamps still at the frame rate.
    Fast,
}

/// What a file source does when its size is not the channel's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Fit {
    /// Refuse at `run()` with a clear error.
    Refuse,
    /// Scale (bilinear) to the channel's size.
    Scale,
}

/// What the sensor sees.
pub enum SensorSource {
    /// The built-in moving pattern, rendered at each channel's size.
    Pattern,
    /// A file source (Y4M, images, looped or not) of a fixed size.
    Frames {
        /// The frames.
        source: Box<dyn FrameSource + Send>,
        /// What to do when a channel's size differs.
        fit: Fit,
    },
}

impl std::fmt::Debug for SensorSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Pattern => f.write_str("Pattern"),
            Self::Frames { source, fit } => {
                write!(f, "Frames({}x{}, {fit:?})", source.width(), source.height())
            }
        }
    }
}

/// Sensor settings that CanMV takes from the sensor driver.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SensorOptions {
    /// Frame rate.
    pub fps: u32,
    /// Pacing.
    pub timing: Timing,
    /// Acquisition window: the largest frame a channel can have.
    pub max_width: u32,
    /// Acquisition window height.
    pub max_height: u32,
    /// Stop delivering after this many frames (for reproducible runs).
    pub frame_limit: Option<u64>,
}

impl Default for SensorOptions {
    fn default() -> Self {
        Self {
            fps: 30,
            timing: Timing::Fast,
            max_width: 1920,
            max_height: 1080,
            frame_limit: None,
        }
    }
}

/// A sensor call that failed, with the exception CanMV raises for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SensorError {
    /// A call before `reset()`.
    #[error("AssertionError: sensor is not reset; call reset() first")]
    NotReset,
    /// Channel outside `CAM_CHN_ID_0..2`.
    #[error("AssertionError: invalid sensor channel {0} (0 ~ 2)")]
    BadChannel(u32),
    /// A frame size outside `[64, acquisition window]`.
    #[error("AssertionError: frame size {width}x{height} outside 64x64 ~ {max_w}x{max_h}")]
    SizeOutOfRange {
        /// Width asked for (after alignment to 16).
        width: u32,
        /// Height asked for.
        height: u32,
        /// Window width.
        max_w: u32,
        /// Window height.
        max_h: u32,
    },
    /// `alignment` above 12 (4096 bytes).
    #[error("AssertionError: alignment {0} outside 0 ~ 12")]
    BadAlignment(u32),
    /// A pixel format the simulator does not produce.
    #[error(
        "pixel format {0} is not modeled: the simulated sensor outputs YUV420SP (NV12, {YUV420SP}) only"
    )]
    PixFormat(u32),
    /// A channel used before `set_framesize` / `set_pixformat`.
    #[error(
        "AssertionError: sensor channel {0} is not configured (set_framesize and set_pixformat)"
    )]
    NotConfigured(u32),
    /// `snapshot` while not running.
    #[error("RuntimeError: sensor is not running; call run() first")]
    NotRunning,
    /// `run()` twice.
    #[error("RuntimeError: sensor is already running")]
    AlreadyRunning,
    /// The frame source failed or does not fit.
    #[error("sensor source: {0}")]
    Source(String),
    /// Media memory failed.
    #[error("sensor buffers: {0}")]
    Memory(#[from] MemError),
}

impl From<SourceError> for SensorError {
    fn from(e: SourceError) -> Self {
        Self::Source(e.to_string())
    }
}

/// `sensor.bind_info()`: `{'src': (CAMERA_MOD_ID, dev, chn)}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BindInfo {
    /// The camera side of a link.
    pub src: ModChn,
}

/// A frame returned by `snapshot`: an NV12 buffer in media memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SensorImage {
    width: u32,
    height: u32,
    y_addr: u64,
    uv_addr: u64,
    pool: PoolId,
    pts: u64,
}

impl SensorImage {
    /// `img.width()`.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// `img.height()`.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// `img.phyaddr()` / `img.phyaddr(1)`: the Y plane (0) or the UV plane (1).
    pub fn phyaddr(&self, plane: u32) -> Option<u64> {
        match plane {
            0 => Some(self.y_addr),
            1 => Some(self.uv_addr),
            _ => None,
        }
    }
    /// `img.poolid()`.
    pub fn poolid(&self) -> PoolId {
        self.pool
    }
    /// Capture timestamp, microseconds.
    pub fn pts(&self) -> u64 {
        self.pts
    }
    /// The `k_video_frame_info` a program builds from the image (UV where VICAP put it).
    pub fn frame_info(&self) -> VideoFrameInfo {
        VideoFrameInfo {
            width: self.width,
            height: self.height,
            pixel_format: YUV420SP,
            phys_addr: [self.y_addr, self.uv_addr, 0],
            pts: self.pts,
            pool_id: self.pool,
            ..VideoFrameInfo::default()
        }
    }
    /// The image's bytes: Y then interleaved UV.
    pub fn to_bytes(&self, sim: &Simulator) -> Result<Vec<u8>, MemError> {
        let (y, uv) = (
            y_size(self.width, self.height),
            uv_size(self.width, self.height),
        );
        let mut out = vec![0u8; (y + uv) as usize];
        let (yb, uvb) = out.split_at_mut(y as usize);
        sim.read_mem(self.y_addr, yb)?;
        sim.read_mem(self.uv_addr, uvb)?;
        Ok(out)
    }
}

/// What the sensor did with its frames.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SensorStats {
    /// Frame times that passed while running (virtual clock ticks).
    pub frames_captured: u64,
    /// Frames queued into a bound encoder.
    pub frames_delivered: u64,
    /// Frames a bound channel had no free buffer for (realtime only).
    pub dropped_no_buffer: u64,
    /// Frames a bound encoder's queue refused (full, or not started).
    pub dropped_by_encoder: u64,
    /// Frames returned by `snapshot`.
    pub snapshots: u64,
    /// pts of the last frame queued into an encoder (0: none yet).
    pub last_pts_delivered: u64,
}

struct Chn {
    width: u32,
    height: u32,
    alignment: u32,
    pixfmt: Option<u32>,
    pool: Option<PoolId>,
    blocks: Vec<u64>,
    next_slot: usize,
    /// Per buffer: the encoders it was pushed to and the pts they must release.
    held: Vec<Vec<(u32, u64)>>,
}

impl Chn {
    fn uv_offset(&self) -> u64 {
        uv_offset(self.width, self.height, self.alignment)
    }
}

struct State {
    reset: bool,
    running: bool,
    generation: u64,
    chans: [Option<Chn>; SENSOR_CHANNELS as usize],
    source: SensorSource,
    /// Next virtual-clock tick.
    tick: u64,
    started_at: Instant,
    /// The file source's frame for `native_tick`, at its own size.
    native: (Vec<u8>, Vec<u8>),
    native_tick: Option<u64>,
    ended: bool,
    scratch: (Vec<u8>, Vec<u8>),
    stats: SensorStats,
}

struct Inner {
    sim: Arc<Simulator>,
    dev: u32,
    opts: SensorOptions,
    state: Mutex<State>,
    wake: Condvar,
}

/// `media.sensor.Sensor` on the simulator.
#[doc(alias = "media.sensor.Sensor")]
pub struct Sensor {
    inner: Arc<Inner>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Sensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sensor")
            .field("dev", &self.inner.dev)
            .field("opts", &self.inner.opts)
            .finish_non_exhaustive()
    }
}

fn relock<T>(e: PoisonError<T>) -> T {
    e.into_inner()
}

impl Sensor {
    /// `Sensor(id=dev)` on `sim`, seeing `source`.
    pub fn new(sim: Arc<Simulator>, dev: u32, source: SensorSource, opts: SensorOptions) -> Self {
        let state = State {
            reset: false,
            running: false,
            generation: 0,
            chans: [None, None, None],
            source,
            tick: 0,
            started_at: Instant::now(),
            native: (Vec::new(), Vec::new()),
            native_tick: None,
            ended: false,
            scratch: (Vec::new(), Vec::new()),
            stats: SensorStats::default(),
        };
        Self {
            inner: Arc::new(Inner {
                sim,
                dev,
                opts: SensorOptions {
                    fps: opts.fps.max(1),
                    ..opts
                },
                state: Mutex::new(state),
                wake: Condvar::new(),
            }),
            thread: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.state.lock().unwrap_or_else(relock)
    }

    /// `sensor.reset()`: stops capture and forgets every channel's configuration.
    pub fn reset(&self) -> Result<(), SensorError> {
        self.stop();
        let mut st = self.lock();
        for chn in st.chans.iter_mut() {
            if let Some(pool) = chn.take().and_then(|c| c.pool) {
                let _ = self.inner.sim.destroy_pool(pool);
            }
        }
        st.reset = true;
        Ok(())
    }

    /// `sensor.set_framesize(width, height, chn, alignment)`. A width that is not a multiple of
    /// 16 is aligned up with a warning, as CanMV does; returns the size used.
    pub fn set_framesize(
        &self,
        width: u32,
        height: u32,
        chn: u32,
        alignment: u32,
    ) -> Result<(u32, u32), SensorError> {
        let mut st = self.lock();
        if !st.reset {
            return Err(SensorError::NotReset);
        }
        if chn >= SENSOR_CHANNELS {
            return Err(SensorError::BadChannel(chn));
        }
        if alignment > 12 {
            return Err(SensorError::BadAlignment(alignment));
        }
        let aligned = align_up(u64::from(width), 16) as u32;
        if aligned != width {
            warn!("set_framesize: width {width} is not a multiple of 16, aligned up to {aligned}");
        }
        let (max_w, max_h) = (self.inner.opts.max_width, self.inner.opts.max_height);
        if !(MIN_SIDE..=max_w).contains(&aligned)
            || !(MIN_SIDE..=max_h).contains(&height)
            || height % 2 != 0
        {
            return Err(SensorError::SizeOutOfRange {
                width: aligned,
                height,
                max_w,
                max_h,
            });
        }
        if st.running {
            return Err(SensorError::AlreadyRunning);
        }
        if let Some(pool) = st.chans[chn as usize].take().and_then(|c| c.pool) {
            let _ = self.inner.sim.destroy_pool(pool);
        }
        st.chans[chn as usize] = Some(Chn {
            width: aligned,
            height,
            alignment,
            pixfmt: None,
            pool: None,
            blocks: Vec::new(),
            next_slot: 0,
            held: Vec::new(),
        });
        Ok((aligned, height))
    }

    /// `sensor.set_pixformat(fmt, chn)`: YUV420SP only.
    pub fn set_pixformat(&self, pixformat: u32, chn: u32) -> Result<(), SensorError> {
        let mut st = self.lock();
        if !st.reset {
            return Err(SensorError::NotReset);
        }
        let c = st
            .chans
            .get_mut(chn as usize)
            .ok_or(SensorError::BadChannel(chn))?
            .as_mut()
            .ok_or(SensorError::NotConfigured(chn))?;
        if pixformat != YUV420SP {
            return Err(SensorError::PixFormat(pixformat));
        }
        c.pixfmt = Some(pixformat);
        Ok(())
    }

    /// `sensor.bind_info(chn)`.
    pub fn bind_info(&self, chn: u32) -> BindInfo {
        BindInfo {
            src: ModChn {
                mod_id: consts::CAMERA_MOD_ID,
                dev: self.inner.dev,
                chn,
            },
        }
    }

    /// `sensor.run()`: allocates each configured channel's six buffers and starts the clock.
    pub fn run(&self) -> Result<(), SensorError> {
        let mut st = self.lock();
        if !st.reset {
            return Err(SensorError::NotReset);
        }
        if st.running {
            return Err(SensorError::AlreadyRunning);
        }
        let configured: Vec<u32> = (0..SENSOR_CHANNELS)
            .filter(|&c| {
                st.chans[c as usize]
                    .as_ref()
                    .is_some_and(|c| c.pixfmt.is_some())
            })
            .collect();
        if configured.is_empty() {
            return Err(SensorError::NotConfigured(CAM_CHN_ID_0));
        }
        if let SensorSource::Frames {
            source,
            fit: Fit::Refuse,
        } = &st.source
        {
            let native = (source.width(), source.height());
            if let Some(c) = st
                .chans
                .iter()
                .flatten()
                .find(|c| (c.width, c.height) != native)
            {
                return Err(SensorError::Source(format!(
                    "the source is {}x{} but a channel is {}x{}; scale it (Fit::Scale) or configure \
                     that size (no silent cropping)",
                    native.0, native.1, c.width, c.height
                )));
            }
        }
        for chn in st.chans.iter_mut().flatten() {
            if chn.pool.is_none() {
                // Sized so the UV plane fits at its VICAP offset (D-013).
                let size = vicap_block_size(chn.width, chn.height, chn.alignment);
                let pool = self.inner.sim.create_pool(size, SENSOR_BUFFERS)?;
                chn.blocks = (0..SENSOR_BUFFERS)
                    .map(|_| self.inner.sim.get_block(pool))
                    .collect::<Result<_, _>>()?;
                chn.held = vec![Vec::new(); SENSOR_BUFFERS as usize];
                chn.pool = Some(pool);
            }
        }
        st.running = true;
        st.generation += 1;
        st.tick = 0;
        st.ended = false;
        st.native_tick = None;
        st.started_at = Instant::now();
        let generation = st.generation;
        drop(st);
        let inner = Arc::clone(&self.inner);
        let handle = std::thread::Builder::new()
            .name(format!("vicap{}", self.inner.dev))
            .spawn(move || inner.capture(generation))
            .map_err(|e| SensorError::Source(format!("capture thread: {e}")))?;
        *self.thread.lock().unwrap_or_else(relock) = Some(handle);
        Ok(())
    }

    /// `sensor.stop()`: no more frames; buffers stay until `reset()` or drop.
    pub fn stop(&self) {
        {
            let mut st = self.lock();
            st.running = false;
            st.generation += 1;
        }
        self.inner.wake.notify_all();
        if let Some(handle) = self.thread.lock().unwrap_or_else(relock).take() {
            let _ = handle.join();
        }
    }

    /// `sensor.snapshot(chn)`: the next frame of channel `chn`, in one of its buffers.
    pub fn snapshot(&self, chn: u32) -> Result<SensorImage, SensorError> {
        let mut st = self.lock();
        if !st.running {
            return Err(SensorError::NotRunning);
        }
        if chn >= SENSOR_CHANNELS {
            return Err(SensorError::BadChannel(chn));
        }
        if st.chans[chn as usize]
            .as_ref()
            .is_none_or(|c| c.pixfmt.is_none())
        {
            return Err(SensorError::NotConfigured(chn));
        }
        if self.inner.opts.timing == Timing::Realtime {
            // Wait for the next frame time, as a dump waits for the next frame.
            let due = self.inner.due(&st, st.tick);
            let wait = due.saturating_duration_since(Instant::now());
            if !wait.is_zero() {
                st = self
                    .inner
                    .wake
                    .wait_timeout(st, wait)
                    .unwrap_or_else(relock)
                    .0;
            }
        }
        let tick = st.tick;
        st.tick += 1;
        st.stats.frames_captured += 1;
        let image = self.inner.fill(&mut st, chn as usize, tick)?;
        st.stats.snapshots += 1;
        Ok(image)
    }

    /// Counters so far.
    pub fn stats(&self) -> SensorStats {
        self.lock().stats
    }
}

impl Drop for Sensor {
    fn drop(&mut self) {
        self.stop();
        let mut st = self.lock();
        for chn in st.chans.iter_mut() {
            if let Some(pool) = chn.take().and_then(|c| c.pool) {
                let _ = self.inner.sim.destroy_pool(pool);
            }
        }
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(relock)
    }

    fn period(&self) -> Duration {
        Duration::from_secs_f64(1.0 / f64::from(self.opts.fps))
    }

    fn pts(&self, tick: u64) -> u64 {
        venc_harness::frame_pts(tick, self.opts.fps)
    }

    fn due(&self, st: &State, tick: u64) -> Instant {
        st.started_at + self.period().mul_f64(tick as f64)
    }

    /// Whether buffer `slot` of a channel is free: every encoder it went to released it.
    fn slot_free(&self, chn: &Chn, slot: usize) -> bool {
        chn.held[slot].iter().all(|&(venc, pts)| {
            self.sim
                .query_status(venc)
                .is_ok_and(|s| s.release_pic_pts >= pts)
                || !matches!(
                    self.sim.channel_phase(venc),
                    Ok(crate::venc::Phase::Started)
                )
        })
    }

    /// Renders tick `tick` into channel `c`'s next buffer and returns it as an image.
    fn fill(&self, st: &mut State, c: usize, tick: u64) -> Result<SensorImage, SensorError> {
        let State {
            chans,
            source,
            native,
            native_tick,
            ended,
            scratch,
            ..
        } = st;
        let chn = chans[c]
            .as_mut()
            .ok_or(SensorError::NotConfigured(c as u32))?;
        let (w, h) = (chn.width, chn.height);
        let (ys, uvs) = (y_size(w, h) as usize, uv_size(w, h) as usize);
        scratch.0.resize(ys, 0);
        scratch.1.resize(uvs, 0);
        match source {
            SensorSource::Pattern => {
                TestPattern::render(w, h, tick as u32, &mut scratch.0, &mut scratch.1);
            }
            SensorSource::Frames { source, .. } => {
                let (nw, nh) = (source.width(), source.height());
                if *native_tick != Some(tick) {
                    native.0.resize(y_size(nw, nh) as usize, 0);
                    native.1.resize(uv_size(nw, nh) as usize, 0);
                    if !*ended && !source.next_frame(&mut native.0, &mut native.1)? {
                        *ended = true;
                        info!("sensor: source ended after {tick} frames; repeating the last one");
                    }
                    *native_tick = Some(tick);
                }
                if (nw, nh) == (w, h) {
                    scratch.0.copy_from_slice(&native.0);
                    scratch.1.copy_from_slice(&native.1);
                } else {
                    scale_nv12(
                        (&native.0, &native.1),
                        (nw, nh),
                        (&mut scratch.0, &mut scratch.1),
                        (w, h),
                    );
                }
            }
        }
        let slot = chn.next_slot;
        chn.next_slot = (slot + 1) % chn.blocks.len().max(1);
        chn.held[slot].clear();
        let y_addr = chn.blocks[slot];
        let uv_addr = y_addr + chn.uv_offset();
        self.sim.memory().write(y_addr, &scratch.0)?;
        self.sim.memory().write(uv_addr, &scratch.1)?;
        Ok(SensorImage {
            width: w,
            height: h,
            y_addr,
            uv_addr,
            pool: chn.pool.unwrap_or(consts::VB_INVALID_POOLID),
            pts: self.pts(tick),
        })
    }

    /// The capture thread: one pass per frame time while running.
    fn capture(&self, generation: u64) {
        let live = |st: &State| st.running && st.generation == generation;
        loop {
            let mut st = self.lock();
            if !live(&st) {
                return;
            }
            if self.opts.frame_limit.is_some_and(|n| st.tick >= n) {
                drop(self.wake.wait(st).unwrap_or_else(relock));
                continue;
            }
            let tick = st.tick;
            if self.opts.timing == Timing::Realtime {
                let wait = self
                    .due(&st, tick)
                    .saturating_duration_since(Instant::now());
                if !wait.is_zero() {
                    drop(self.wake.wait_timeout(st, wait).unwrap_or_else(relock));
                    continue;
                }
            }
            let bound: Vec<(usize, Vec<ModChn>)> = (0..SENSOR_CHANNELS as usize)
                .filter(|&c| st.chans[c].as_ref().is_some_and(|c| c.pixfmt.is_some()))
                .map(|c| {
                    let src = ModChn {
                        mod_id: consts::CAMERA_MOD_ID,
                        dev: self.dev,
                        chn: c as u32,
                    };
                    (c, self.sim.binds.destinations(src))
                })
                .filter(|(_, d)| !d.is_empty())
                .collect();
            if bound.is_empty() && self.opts.timing == Timing::Fast {
                // Nothing to feed: the virtual clock stands still until a link appears.
                drop(
                    self.wake
                        .wait_timeout(st, Duration::from_millis(5))
                        .unwrap_or_else(relock),
                );
                continue;
            }
            for (c, dests) in bound {
                st = match self.deliver(st, generation, c, tick, &dests) {
                    Some(st) => st,
                    None => return,
                };
            }
            st.tick += 1;
            st.stats.frames_captured += 1;
        }
    }

    /// Delivers tick `tick` of channel `c` to its encoders. `None` when stopped meanwhile.
    fn deliver<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        generation: u64,
        c: usize,
        tick: u64,
        dests: &[ModChn],
    ) -> Option<MutexGuard<'a, State>> {
        let waited = Instant::now();
        loop {
            let chn = st.chans[c].as_ref()?;
            if self.slot_free(chn, chn.next_slot) {
                break;
            }
            if self.opts.timing == Timing::Realtime || waited.elapsed() > FAST_BUFFER_WAIT {
                st.stats.dropped_no_buffer += 1;
                warn!(
                    "vicap dev{} chn{c}: no free buffer (all {SENSOR_BUFFERS} held by the encoder): frame pts {} dropped",
                    self.dev,
                    self.pts(tick)
                );
                return Some(st);
            }
            st = self
                .wake
                .wait_timeout(st, Duration::from_millis(1))
                .unwrap_or_else(relock)
                .0;
            if !(st.running && st.generation == generation) {
                return None;
            }
        }
        let image = match self.fill(&mut st, c, tick) {
            Ok(image) => image,
            Err(e) => {
                warn!("vicap dev{} chn{c}: {e}; capture stops", self.dev);
                st.running = false;
                return None;
            }
        };
        let slot = (st.chans[c].as_ref()?.next_slot + SENSOR_BUFFERS as usize - 1)
            % SENSOR_BUFFERS as usize;
        let info = image.frame_info();
        for d in dests {
            match self.sim.push_bound(d.chn, &info) {
                Ok(true) => {
                    st.stats.frames_delivered += 1;
                    st.stats.last_pts_delivered = info.pts;
                    if let Some(chn) = st.chans[c].as_mut() {
                        chn.held[slot].push((d.chn, info.pts));
                    }
                }
                Ok(false) => st.stats.dropped_by_encoder += 1,
                Err(e) => {
                    st.stats.dropped_by_encoder += 1;
                    warn!("vicap dev{} chn{c} -> venc {}: {e}", self.dev, d.chn);
                }
            }
        }
        Some(st)
    }
}
