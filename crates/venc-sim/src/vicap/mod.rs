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
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;
use venc_core::layout::align_up;
use venc_core::{PoolId, consts};

mod bound;
mod buffers;
mod capture;
mod config;
mod image;
mod pixels;
mod render;

pub use bound::{BoundFeed, BoundSensor};
use buffers::OutputChannel;
pub use config::{Fit, SensorError, SensorOptions, SensorSource, Timing};
pub use image::{BindInfo, SensorImage, SensorStats};
pub use pixels::{Bayer, Rect, RgbLayout, crop_nv12, demosaic, mirror_nv12, nv12_to_rgb};

/// `CAM_CHN_ID_0..2`.
pub const CAM_CHN_ID_0: u32 = 0;
/// `CAM_CHN_ID_1`.
pub const CAM_CHN_ID_1: u32 = 1;
/// `CAM_CHN_ID_2`.
pub const CAM_CHN_ID_2: u32 = 2;
/// `Sensor.YUV420SP` (NV12).
#[doc(alias = "Sensor.YUV420SP")]
pub const YUV420SP: u32 = consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420;
/// `Sensor.RGB888`.
pub const RGB888: u32 = consts::PIXEL_FORMAT_RGB_888;
/// `Sensor.RGBP888`.
pub const RGBP888: u32 = consts::PIXEL_FORMAT_RGB_888_PLANAR;
/// `Sensor.RGB565`: captured as RGB888; the image converts (firmware facts §2).
pub const RGB565: u32 = consts::PIXEL_FORMAT_RGB_565;
/// `Sensor.GRAYSCALE`: captured as YUV420SP; the image is the Y plane.
pub const GRAYSCALE: u32 = consts::SENSOR_GRAYSCALE;
/// The output formats a channel can have.
pub const PIXEL_FORMATS: [u32; 5] = [YUV420SP, RGB888, RGBP888, RGB565, GRAYSCALE];

/// `set_framesize(crop=...)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crop {
    /// `crop=True`: the largest centred window with the output's aspect ratio.
    Centred,
    /// `crop=(x, y, w, h)`.
    Window(Rect),
}
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
    /// Board time of `run()`.
    started_at: Duration,
    /// The file source's frame for `native_tick`, at its own size.
    native: (Vec<u8>, Vec<u8>),
    native_tick: Option<u64>,
    ended: bool,
    scratch: (Vec<u8>, Vec<u8>),
    /// A crop of the native picture, and the RGB conversion.
    scratch2: (Vec<u8>, Vec<u8>),
    rgb: Vec<u8>,
    /// `set_hmirror`/`set_vflip` as set, and as applied by the last `run()`.
    mirror: (bool, bool),
    mirror_active: (bool, bool),
    /// Paced: the frame each channel's last snapshot returned (a frame is returned once).
    last_snapshot: [Option<u64>; SENSOR_CHANNELS as usize],
    stats: SensorStats,
}

impl State {
    /// Channel `chn` once `set_framesize` configured it.
    fn configured(&mut self, chn: u32) -> Result<&mut OutputChannel, SensorError> {
        self.chans
            .get_mut(chn as usize)
            .ok_or(SensorError::BadChannel(chn))?
            .as_mut()
            .ok_or(SensorError::NotConfigured(chn))
    }
}

struct Inner {
    sim: Arc<Simulator>,
    dev: u32,
    opts: SensorOptions,
    state: Mutex<State>,
    wake: Condvar,
    /// Callers waiting for the state lock. The capture thread lets them in before it takes
    /// the lock for its next frame: it re-takes that lock frame after frame, and a mutex is
    /// not fair, so a waiting `stop()` or `stats()` could otherwise wait behind hundreds of
    /// frames.
    callers: AtomicUsize,
    /// Frame times to capture (`opts.frame_limit`, lowered by [`Sensor::end_capture`]);
    /// `u64::MAX`: no end.
    limit: AtomicU64,
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

impl Sensor {
    /// `Sensor(id=dev)` on `sim`, seeing `source`.
    pub fn new(sim: Arc<Simulator>, dev: u32, source: SensorSource, opts: SensorOptions) -> Self {
        let started_at = sim.clock().now();
        let state = State {
            reset: false,
            running: false,
            generation: 0,
            chans: [None, None, None],
            source,
            tick: 0,
            started_at,
            native: (Vec::new(), Vec::new()),
            native_tick: None,
            ended: false,
            scratch: (Vec::new(), Vec::new()),
            scratch2: (Vec::new(), Vec::new()),
            rgb: Vec::new(),
            mirror: (false, false),
            mirror_active: (false, false),
            last_snapshot: [None; SENSOR_CHANNELS as usize],
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
                callers: AtomicUsize::new(0),
                limit: AtomicU64::new(opts.frame_limit.unwrap_or(u64::MAX)),
            }),
            thread: Mutex::new(None),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.inner.callers.fetch_add(1, Ordering::AcqRel);
        let st = self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.inner.callers.fetch_sub(1, Ordering::AcqRel);
        st
    }

    /// `sensor.reset()`: stops capture and forgets every channel's configuration.
    pub fn reset(&self) -> Result<(), SensorError> {
        // One board call: the pools it frees cost nothing more.
        let _call = self.inner.sim.clock().call();
        self.stop();
        let mut st = self.lock();
        for chn in st.chans.iter_mut() {
            if let Some(mut c) = chn.take() {
                c.release(&self.inner.sim);
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
        let _call = self.inner.sim.clock().call();
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
            || !height.is_multiple_of(2)
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
        // The format stays as set (the firmware keeps it in the channel's attributes).
        let old = st.chans[chn as usize].take();
        let pixfmt = old.as_ref().and_then(|c| c.pixfmt);
        let program_pool = old.as_ref().and_then(|c| c.program_pool);
        if let Some(mut c) = old {
            c.release(&self.inner.sim);
        }
        st.chans[chn as usize] = Some(OutputChannel {
            width: aligned,
            height,
            alignment,
            pixfmt,
            crop: None,
            pool: None,
            program_pool,
            buffer_count: SENSOR_BUFFERS,
            buffer_size: None,
            blocks: Vec::new(),
            next_slot: 0,
            held: Vec::new(),
        });
        Ok((aligned, height))
    }

    /// The SDK's `k_vicap_chn_attr.buffer_num`/`buffer_size`: channel `chn` captures into
    /// `count` buffers of at least `size` bytes (each still holds a whole frame), not the six
    /// CanMV asks for. Before `run()`.
    #[doc(alias = "k_vicap_chn_attr")]
    pub fn set_buffers(&self, chn: u32, count: u32, size: u64) -> Result<(), SensorError> {
        let mut st = self.lock();
        if st.running {
            return Err(SensorError::AlreadyRunning);
        }
        let c = st.configured(chn)?;
        if count == 0 {
            return Err(SensorError::Source(format!("channel {chn}: 0 buffers")));
        }
        c.buffer_count = count;
        c.buffer_size = Some(size);
        Ok(())
    }

    /// Takes channel `chn`'s buffers from a program's pool (`Some`) or a pool of its own
    /// (`None`, the default), from the next `run()`: the CanMV MPP's
    /// `k_vicap_chn_attr.buffer_pool_id`. Before capture starts.
    pub fn set_buffer_pool(&self, chn: u32, pool: Option<PoolId>) -> Result<(), SensorError> {
        let mut st = self.lock();
        if st.running {
            return Err(SensorError::AlreadyRunning);
        }
        let c = st.configured(chn)?;
        if c.program_pool != pool {
            c.release(&self.inner.sim);
            c.program_pool = pool;
        }
        Ok(())
    }

    /// `sensor.set_pixformat(fmt, chn)`: one of [`PIXEL_FORMATS`].
    pub fn set_pixformat(&self, pixformat: u32, chn: u32) -> Result<(), SensorError> {
        let _call = self.inner.sim.clock().call();
        let mut st = self.lock();
        if !st.reset {
            return Err(SensorError::NotReset);
        }
        let c = st.configured(chn)?;
        if !PIXEL_FORMATS.contains(&pixformat) {
            return Err(SensorError::PixFormat(pixformat));
        }
        if !c.blocks.is_empty() && c.pixfmt != Some(pixformat) {
            // The buffers were sized for the old format; they are made again at run().
            c.release(&self.inner.sim);
        }
        c.pixfmt = Some(pixformat);
        Ok(())
    }

    /// `set_framesize(..., crop=)`: which part of the acquisition window channel `chn` shows.
    /// The window must lie inside the acquisition window and be at least the output's size.
    pub fn set_crop(&self, chn: u32, crop: Crop) -> Result<Rect, SensorError> {
        let mut st = self.lock();
        let window = self.window();
        let c = st.configured(chn)?;
        let rect = Self::crop_rect(chn, crop, (c.width, c.height), window)?;
        c.crop = Some(rect);
        Ok(rect)
    }

    /// The window `crop` stands for on channel `chn` of output size `out`, checked against the
    /// acquisition `window`: no call made, so a front can check before it changes anything.
    pub fn crop_rect(
        chn: u32,
        crop: Crop,
        out: (u32, u32),
        window: (u32, u32),
    ) -> Result<Rect, SensorError> {
        let ((cw, ch), (max_w, max_h)) = (out, window);
        let rect = match crop {
            Crop::Window(r) => r,
            Crop::Centred => {
                // Largest window of the output's aspect ratio: w/h = cw/ch.
                let (cw64, ch64) = (u64::from(cw.max(1)), u64::from(ch.max(1)));
                let (w, h) = if u64::from(max_w) * ch64 <= u64::from(max_h) * cw64 {
                    (u64::from(max_w), u64::from(max_w) * ch64 / cw64)
                } else {
                    (u64::from(max_h) * cw64 / ch64, u64::from(max_h))
                };
                let (w, h) = (w as u32 & !1, h as u32 & !1);
                Rect {
                    x: ((max_w - w) / 2) & !1,
                    y: ((max_h - h) / 2) & !1,
                    w,
                    h,
                }
            }
        };
        let inside = u64::from(rect.x) + u64::from(rect.w) <= u64::from(max_w)
            && u64::from(rect.y) + u64::from(rect.h) <= u64::from(max_h);
        if !inside || rect.w < cw || rect.h < ch {
            return Err(SensorError::BadCrop {
                chn,
                rect,
                out,
                window,
            });
        }
        Ok(rect)
    }

    /// `set_hmirror(bool)` / `set_vflip(bool)`: takes effect at the next `run()`, as the
    /// firmware applies `dev_attr.mirror` there.
    pub fn set_mirror(&self, hmirror: Option<bool>, vflip: Option<bool>) {
        let mut st = self.lock();
        if let Some(h) = hmirror {
            st.mirror.0 = h;
        }
        if let Some(v) = vflip {
            st.mirror.1 = v;
        }
    }

    /// Whether `reset()` was called.
    pub fn is_reset(&self) -> bool {
        self.lock().reset
    }

    /// Whether it streams (from `run()` to `stop()`).
    pub fn is_running(&self) -> bool {
        self.lock().running
    }

    /// `(get_hmirror(), get_vflip())`: as set.
    pub fn mirror(&self) -> (bool, bool) {
        self.lock().mirror
    }

    /// A channel's output size and format, if configured.
    pub fn channel(&self, chn: u32) -> Option<(u32, u32, Option<u32>)> {
        let st = self.lock();
        st.chans
            .get(chn as usize)?
            .as_ref()
            .map(|c| (c.width, c.height, c.pixfmt))
    }

    /// The acquisition window (the sensor's native output).
    pub fn window(&self) -> (u32, u32) {
        (self.inner.opts.max_width, self.inner.opts.max_height)
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
        let _call = self.inner.sim.clock().call();
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
        st.mirror_active = st.mirror;
        st.generation += 1;
        st.tick = 0;
        st.last_snapshot = [None; SENSOR_CHANNELS as usize];
        st.ended = false;
        st.native_tick = None;
        st.started_at = self.inner.sim.clock().now();
        let generation = st.generation;
        drop(st);
        let inner = Arc::clone(&self.inner);
        let capture = std::thread::Builder::new().name(format!("vicap{}", self.inner.dev));
        let handle = self
            .inner
            .sim
            .clock()
            .spawn(capture, move || inner.capture(generation))
            .map_err(|e| SensorError::Source(format!("capture thread: {e}")))?;
        *self.thread.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
        Ok(())
    }

    /// Ends the capture at the frame time it has reached (a run stopped early, as by Ctrl-C):
    /// no frame after it, and [`Sensor::frame_limit`] says how many there were.
    pub fn end_capture(&self) {
        let tick = self.lock().tick;
        self.inner.limit.fetch_min(tick, Ordering::AcqRel);
        self.inner.sim.clock().notify(&self.inner.wake);
    }

    /// What the sensor sees from its next frame on (a scenario changing the scene mid-run). A
    /// running sensor with [`Fit::Refuse`] keeps its source if the new one's size differs from
    /// a channel's.
    pub fn set_source(&self, source: SensorSource) -> Result<(), SensorError> {
        let mut st = self.lock();
        if let SensorSource::Frames {
            source: frames,
            fit: Fit::Refuse,
        } = &source
        {
            let native = (frames.width(), frames.height());
            if st.running
                && st
                    .chans
                    .iter()
                    .flatten()
                    .any(|c| (c.width, c.height) != native)
            {
                return Err(SensorError::Source(format!(
                    "the new source is {}x{}, not the size of every running channel",
                    native.0, native.1
                )));
            }
        }
        st.source = source;
        st.native_tick = None;
        st.ended = false;
        Ok(())
    }

    /// The frame times this sensor captures in all (None: no end).
    pub fn frame_limit(&self) -> Option<u64> {
        Some(self.inner.limit.load(Ordering::Acquire)).filter(|&n| n != u64::MAX)
    }

    /// `sensor.stop()`: no more frames; buffers stay until `reset()` or drop.
    pub fn stop(&self) {
        let _call = self.inner.sim.clock().call();
        {
            let mut st = self.lock();
            st.running = false;
            st.generation += 1;
        }
        let clock = self.inner.sim.clock();
        clock.notify(&self.inner.wake);
        if let Some(handle) = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            let _ = clock.away(|| handle.join());
        }
    }

    /// `sensor.snapshot(chn)`: the next frame of channel `chn`, in one of its buffers.
    pub fn snapshot(&self, chn: u32) -> Result<SensorImage, SensorError> {
        let _call = self.inner.sim.clock().call();
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
        let tick = if self.inner.opts.timing == Timing::Realtime {
            // The next frame on the sensor's own clock (board time), as a dump waits for the
            // next frame: the capture thread keeps the frame count, a snapshot only reads it.
            let clock = self.inner.sim.clock();
            let since = clock.now().saturating_sub(st.started_at);
            let period = self.inner.period().as_nanos().max(1);
            let next = u64::try_from(since.as_nanos().div_ceil(period)).unwrap_or(u64::MAX);
            let tick = st.last_snapshot[chn as usize].map_or(next, |last| next.max(last + 1));
            let due = self.inner.due(&st, tick);
            while clock.now() < due {
                st = clock
                    .wait_on(&self.inner.wake, &self.inner.state, st, Some(due))
                    .0;
                if !st.running {
                    return Err(SensorError::NotRunning);
                }
            }
            st.last_snapshot[chn as usize] = Some(tick);
            tick
        } else {
            let tick = st.tick;
            st.tick += 1;
            st.stats.frames_captured += 1;
            tick
        };
        // Drawing the frame costs no board time (see the capture thread).
        let _capturing = self.inner.sim.clock().book(|now| now);
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
        let _call = self.inner.sim.clock().call();
        self.stop();
        let mut st = self.lock();
        for chn in st.chans.iter_mut() {
            if let Some(mut c) = chn.take() {
                c.release(&self.inner.sim);
            }
        }
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
