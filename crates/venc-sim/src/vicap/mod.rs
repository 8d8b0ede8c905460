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
use log::warn;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use venc_core::layout::align_up;
use venc_core::{Mpi, consts};

mod buffers;
mod capture;
mod config;
mod image;
mod render;

use buffers::OutputChannel;
pub use config::{Fit, SensorError, SensorOptions, SensorSource, Timing};
pub use image::{BindInfo, SensorImage, SensorStats};

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

struct State {
    reset: bool,
    running: bool,
    generation: u64,
    chans: [Option<OutputChannel>; SENSOR_CHANNELS as usize],
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
        st.chans[chn as usize] = Some(OutputChannel {
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
            chn.allocate(&self.inner.sim)?;
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
}
