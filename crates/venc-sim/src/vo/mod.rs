//! The video output (VO) and its write-back (WBC), as `media.display` drives them.
//!
//! A device is turned on at a size and refresh rate; layers are placed on it (video layers
//! 1–3 take NV12, fed by a bound sensor channel; OSD layers 0–3 take RGB formats, fed by
//! `show_image`); the mixer ([`compose`]) draws them. Write-back captures the composed screen
//! once per refresh into NV12 blocks of media memory, which `SendFrame` takes as it takes a
//! sensor frame (display facts §4).
//!
//! Layer ids are the new MPP's (`k_vo_layer_id`): 0–3 video, 4–7 OSD. The 2024/2025 firmware's
//! numbers (OSD 3–6) are the front's to map.
//!
//! *Invariant:* a write-back frame is composed when it is dumped, from the layers as they are
//! at that board time, and stays untouched until released: no later frame reuses its block.

pub mod compose;

use crate::Simulator;
use compose::{LayerFormat, LayerView};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;
use venc_core::consts;
use venc_core::{PoolId, VideoFrameInfo};

/// Layers of the VO (`K_VO_MAX_CHN_NUMS` of the new MPP).
pub const LAYERS: u32 = 8;
/// The first OSD layer's id (`K_VO_OSD0`).
pub const FIRST_OSD: u32 = 4;
/// Blocks the write-back owns (`kd_display_wbc_configure`: `blk_cnt = 3`, display facts §4.2).
pub const WBC_BLOCKS: u32 = 3;
/// The largest layer the VO takes (KD §1: 1920x1080 per layer; the screen may be larger only
/// for the virtual panel).
pub const MAX_SIDE: u32 = 4096;

/// Why a VO call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoError {
    /// The device is off.
    #[error("the display is not enabled")]
    NotEnabled,
    /// A size or rate the device does not take.
    #[error("display size {0}x{1}@{2} not supported")]
    BadSize(u32, u32, u32),
    /// No such layer.
    #[error("no layer {0}")]
    BadLayer(u32),
    /// A video layer given an RGB format or an OSD layer given NV12.
    #[error("layer {layer} does not take {format:?}")]
    BadFormat {
        /// The layer.
        layer: u32,
        /// What it was given.
        format: LayerFormat,
    },
    /// Pixels that do not fill the layer.
    #[error("layer {layer}: {got} bytes for a {w}x{h} {format:?} picture of {want}")]
    BadPixels {
        /// The layer.
        layer: u32,
        /// Its size.
        w: u32,
        /// Its size.
        h: u32,
        /// Its format.
        format: LayerFormat,
        /// Bytes given.
        got: usize,
        /// Bytes needed.
        want: usize,
    },
    /// The layer is not configured.
    #[error("layer {0} is not configured")]
    NotConfigured(u32),
    /// Write-back is off.
    #[error("write-back is not enabled")]
    WbcOff,
    /// No frame within the timeout (or every block still held).
    #[error("no write-back frame within {0:?}")]
    Timeout(Duration),
    /// A release of a frame that is not held.
    #[error("write-back frame at 0x{0:x} is not held")]
    NotHeld(u64),
    /// Media memory refused the write-back pool.
    #[error("write-back pool: {0}")]
    Memory(String),
}

/// A rectangle on the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LayerRect {
    /// Left.
    pub x: u32,
    /// Top.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

/// What the VO has done since it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct VoStats {
    /// Pictures given to OSD layers.
    pub osd_updates: u64,
    /// Frames from bound sensors taken by video layers.
    pub video_frames: u64,
    /// Write-back frames dumped.
    pub wbc_frames: u64,
    /// Dumps that timed out.
    pub wbc_timeouts: u64,
}

/// The composed screen at one board time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Screen {
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Refreshes a second.
    pub fps: u32,
    /// Refreshes since the device was turned on.
    pub refresh: u64,
    /// Packed RGB.
    pub rgb: Vec<u8>,
}

#[derive(Debug, Clone, Copy)]
struct Device {
    width: u32,
    height: u32,
    fps: u32,
    on_at: Duration,
}

impl Device {
    fn period(&self) -> Duration {
        Duration::from_secs(1) / self.fps.max(1)
    }
    /// Refreshes finished by board time `now`.
    fn refreshes(&self, now: Duration) -> u64 {
        (now.saturating_sub(self.on_at).as_nanos() / self.period().as_nanos().max(1)) as u64
    }
    fn refresh_at(&self, n: u64) -> Duration {
        self.on_at + self.period() * n as u32
    }
}

#[derive(Debug, Clone)]
struct Layer {
    rect: LayerRect,
    format: LayerFormat,
    alpha: u8,
    /// Quarter turns clockwise applied to each picture on its way in (the 2024/2025 GDMA and
    /// video-layer rotation): the picture given is `rect` turned back.
    turns: u8,
    pixels: Option<Vec<u8>>,
}

impl Layer {
    /// The size of the pictures the layer is given, before they are turned.
    fn source_size(&self) -> (u32, u32) {
        if self.turns % 2 == 1 {
            (self.rect.h, self.rect.w)
        } else {
            (self.rect.w, self.rect.h)
        }
    }
}

#[derive(Debug, Default)]
struct Wbc {
    pool: Option<PoolId>,
    held: Vec<u64>,
    last_refresh: Option<u64>,
}

/// Where recorded refreshes go: refresh number and the screen as it stood then.
pub type ScreenSink = Box<dyn FnMut(&Screen) + Send>;

/// Every `every`-th refresh, handed to a sink ([`Simulator::vo_record`]).
struct Recorder {
    every: u64,
    /// The next refresh to hand over.
    next: u64,
    sink: ScreenSink,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("every", &self.every)
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Default)]
struct VoState {
    device: Option<Device>,
    layers: [Option<Layer>; LAYERS as usize],
    wbc: Wbc,
    stats: VoStats,
    recorder: Option<Recorder>,
}

impl VoState {
    /// Hands the recorder every refresh due by board time `now` that it has not had, as the
    /// screen stands (it stood so since the last change: changes call this first).
    fn catch_up(&mut self, now: Duration) {
        let (Some(dev), Some(rec)) = (self.device, self.recorder.as_mut()) else {
            return;
        };
        let done = dev.refreshes(now);
        if rec.next > done {
            return;
        }
        let mut rgb = Vec::new();
        let views = layer_views(&self.layers);
        compose::compose(dev.width, dev.height, &views, &mut rgb);
        let mut screen = Screen {
            width: dev.width,
            height: dev.height,
            fps: dev.fps,
            refresh: 0,
            rgb,
        };
        while rec.next <= done {
            screen.refresh = rec.next;
            (rec.sink)(&screen);
            rec.next += rec.every;
        }
    }
}

/// The VO of one simulator.
#[derive(Debug, Default)]
pub(crate) struct Vo {
    state: Mutex<VoState>,
    wake: Condvar,
}

impl Vo {
    fn lock(&self) -> MutexGuard<'_, VoState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn check_layer(layer: u32) -> Result<(), VoError> {
    if layer >= LAYERS {
        return Err(VoError::BadLayer(layer));
    }
    Ok(())
}

impl Simulator {
    /// Turns the display on at `width`×`height` and `fps` refreshes a second (the connector's
    /// timing, or the virtual panel's). Turning it on again changes the mode; layers stay.
    #[doc(alias = "kd_mpi_vo_enable")]
    pub fn vo_enable(&self, width: u32, height: u32, fps: u32) -> Result<(), VoError> {
        if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE || fps == 0 {
            return Err(VoError::BadSize(width, height, fps));
        }
        let on_at = self.clock().now();
        let mut st = self.vo.lock();
        st.catch_up(on_at);
        if let Some(rec) = st.recorder.as_mut() {
            rec.next = 0; // a new mode counts its refreshes from 0
        }
        st.device = Some(Device {
            width,
            height,
            fps,
            on_at,
        });
        Ok(())
    }

    /// Turns the display off: every layer disabled, write-back off and its frames released,
    /// binds to its layers removed.
    #[doc(alias = "kd_mpi_vo_disable")]
    pub fn vo_disable(&self) {
        let pool = {
            let mut st = self.vo.lock();
            st.catch_up(self.clock().now());
            st.device = None;
            st.layers = Default::default();
            st.wbc.held.clear();
            st.wbc.last_refresh = None;
            st.wbc.pool.take()
        };
        if let Some(pool) = pool {
            let _ = self.memory().destroy_pool(pool);
        }
        self.binds.unbind_all_to(consts::DISPLAY_MOD_ID);
        self.clock().notify(&self.vo.wake);
    }

    /// The display's size and refresh rate, when on.
    pub fn vo_mode(&self) -> Option<(u32, u32, u32)> {
        self.vo.lock().device.map(|d| (d.width, d.height, d.fps))
    }

    /// Places layer `layer` at `rect` with pixels of `format` and global alpha `alpha`, and
    /// enables it. Its picture is kept if the size and format stay.
    #[doc(alias = "kd_mpi_vo_set_video_layer_attr")]
    #[doc(alias = "kd_mpi_vo_set_video_osd_attr")]
    pub fn vo_set_layer(
        &self,
        layer: u32,
        rect: LayerRect,
        format: LayerFormat,
        alpha: u8,
    ) -> Result<(), VoError> {
        check_layer(layer)?;
        if (layer < FIRST_OSD) != format.is_video() {
            return Err(VoError::BadFormat { layer, format });
        }
        if rect.w == 0 || rect.h == 0 || rect.w > MAX_SIDE || rect.h > MAX_SIDE {
            return Err(VoError::BadSize(rect.w, rect.h, 0));
        }
        let mut st = self.vo.lock();
        st.catch_up(self.clock().now());
        let slot = &mut st.layers[layer as usize];
        let keep = slot
            .as_ref()
            .filter(|l| l.format == format && (l.rect.w, l.rect.h) == (rect.w, rect.h))
            .and_then(|l| l.pixels.clone());
        *slot = Some(Layer {
            rect,
            format,
            alpha,
            turns: 0,
            pixels: keep,
        });
        Ok(())
    }

    /// Turns every picture layer `layer` is given by `turns` quarter turns clockwise (its
    /// `rect` is the turned size); the layer keeps this until it is placed again.
    pub fn vo_turn_layer(&self, layer: u32, turns: u8) -> Result<(), VoError> {
        check_layer(layer)?;
        let mut st = self.vo.lock();
        let l = st.layers[layer as usize]
            .as_mut()
            .ok_or(VoError::NotConfigured(layer))?;
        if l.turns != turns % 4 {
            l.turns = turns % 4;
            l.pixels = None;
        }
        Ok(())
    }

    /// Disables layer `layer` (its picture is gone).
    #[doc(alias = "kd_mpi_vo_disable_video_layer")]
    #[doc(alias = "kd_mpi_vo_osd_disable")]
    pub fn vo_disable_layer(&self, layer: u32) -> Result<(), VoError> {
        check_layer(layer)?;
        let mut st = self.vo.lock();
        st.catch_up(self.clock().now());
        st.layers[layer as usize] = None;
        Ok(())
    }

    /// Where layer `layer` is and how, if configured.
    pub fn vo_layer(&self, layer: u32) -> Option<(LayerRect, LayerFormat, u8)> {
        let st = self.vo.lock();
        let l = st.layers.get(layer as usize)?.as_ref()?;
        Some((l.rect, l.format, l.alpha))
    }

    /// Shows `pixels` (the layer's size and format) on layer `layer` from now on.
    #[doc(alias = "kd_mpi_vo_chn_insert_frame")]
    pub fn vo_show(&self, layer: u32, pixels: Vec<u8>) -> Result<(), VoError> {
        check_layer(layer)?;
        let mut st = self.vo.lock();
        st.catch_up(self.clock().now());
        let l = st.layers[layer as usize]
            .as_mut()
            .ok_or(VoError::NotConfigured(layer))?;
        let want = l.format.size(l.rect.w, l.rect.h);
        if pixels.len() != want {
            return Err(VoError::BadPixels {
                layer,
                w: l.rect.w,
                h: l.rect.h,
                format: l.format,
                got: pixels.len(),
                want,
            });
        }
        l.pixels = Some(if l.turns == 0 {
            pixels
        } else {
            compose::turn(&pixels, l.source_size(), l.format, l.turns)
        });
        if layer >= FIRST_OSD {
            st.stats.osd_updates += 1;
        } else {
            st.stats.video_frames += 1;
        }
        Ok(())
    }

    /// A bound sensor's frame reaching video layer `layer`: copied in now (the VO scans it
    /// out; the sensor's buffer is free again at once).
    pub(crate) fn vo_push_video(&self, layer: u32, frame: &VideoFrameInfo) -> Result<(), VoError> {
        let (format, (sw, sh)) = {
            let st = self.vo.lock();
            let l = st.layers[layer as usize]
                .as_ref()
                .ok_or(VoError::NotConfigured(layer))?;
            (l.format, l.source_size())
        };
        if format != LayerFormat::Nv12 {
            return Err(VoError::BadFormat { layer, format });
        }
        // The layer shows the frame's top-left picture of its size (no scaler on layers 1-3).
        let (w, h) = (sw.min(frame.width), sh.min(frame.height));
        let (fw, lw) = (frame.width as usize, sw as usize);
        let mut pixels = vec![0u8; format.size(sw, sh)];
        let (y, uv) = pixels.split_at_mut(lw * sh as usize);
        uv.fill(128);
        let mem = self.memory();
        let mut row_buf = vec![0u8; fw];
        for r in 0..h as usize {
            mem.read(frame.phys_addr[0] + (r * fw) as u64, &mut row_buf)
                .map_err(|e| VoError::Memory(e.to_string()))?;
            y[r * lw..r * lw + w as usize].copy_from_slice(&row_buf[..w as usize]);
            if r % 2 == 0 {
                mem.read(frame.phys_addr[1] + (r / 2 * fw) as u64, &mut row_buf)
                    .map_err(|e| VoError::Memory(e.to_string()))?;
                let at = r / 2 * lw;
                uv[at..at + (w as usize & !1)].copy_from_slice(&row_buf[..w as usize & !1]);
            }
        }
        self.vo_show(layer, pixels)
    }

    /// The screen as it is now: every enabled layer with a picture, composed.
    pub fn vo_screen(&self) -> Option<Screen> {
        let st = self.vo.lock();
        let dev = st.device?;
        let mut rgb = Vec::new();
        compose_state(&st, dev, &mut rgb);
        Some(Screen {
            width: dev.width,
            height: dev.height,
            fps: dev.fps,
            refresh: dev.refreshes(self.clock().now()),
            rgb,
        })
    }

    /// Turns write-back on (a pool of [`WBC_BLOCKS`] NV12 blocks of the screen's size) or off
    /// (frames still held are released).
    #[doc(alias = "kd_mpi_vo_enable_wbc")]
    #[doc(alias = "kd_mpi_vo_disable_wbc")]
    pub fn vo_wbc(&self, enable: bool) -> Result<(), VoError> {
        let mut st = self.vo.lock();
        let old = if enable {
            let dev = st.device.ok_or(VoError::NotEnabled)?;
            if st.wbc.pool.is_some() {
                return Ok(());
            }
            let size = wbc_layout(dev.width, dev.height).2;
            let pool = self
                .memory()
                .create_pool(size, WBC_BLOCKS)
                .map_err(|e| VoError::Memory(e.to_string()))?;
            st.wbc = Wbc {
                pool: Some(pool),
                ..Wbc::default()
            };
            None
        } else {
            st.wbc.held.clear();
            st.wbc.pool.take()
        };
        drop(st);
        if let Some(pool) = old {
            let _ = self.memory().destroy_pool(pool);
        }
        self.clock().notify(&self.vo.wake);
        Ok(())
    }

    /// Whether write-back runs (`kd_mpi_vo_get_stats`).
    #[doc(alias = "kd_mpi_vo_get_stats")]
    pub fn vo_wbc_running(&self) -> bool {
        let st = self.vo.lock();
        st.device.is_some() && st.wbc.pool.is_some()
    }

    /// The next write-back frame: the newest refresh not yet dumped, waiting for the next
    /// refresh (board time) if that one was; `None` waits for ever. The frame is NV12 in a
    /// block of the write-back pool, held until [`Simulator::vo_wbc_release`].
    #[doc(alias = "kd_mpi_wbc_dump_frame")]
    pub fn vo_wbc_dump(&self, timeout: Option<Duration>) -> Result<VideoFrameInfo, VoError> {
        let clock = self.clock();
        let deadline = timeout.map(|t| clock.now() + t);
        let mut st = self.vo.lock();
        let (dev, refresh, block) = loop {
            let dev = st.device.ok_or(VoError::NotEnabled)?;
            let pool = st.wbc.pool.ok_or(VoError::WbcOff)?;
            let now = clock.now();
            let done = dev.refreshes(now);
            let fresh = st.wbc.last_refresh.is_none_or(|last| done > last) && done > 0;
            let block = if fresh {
                self.memory().get_block(pool).ok()
            } else {
                None
            };
            if let Some(block) = block {
                break (dev, done, block);
            }
            // The next refresh, or a released block.
            let next = dev.refresh_at(st.wbc.last_refresh.map_or(done, |l| l.max(done)) + 1);
            let until = deadline.map_or(next, |d| d.min(next));
            if deadline.is_some_and(|d| now >= d) {
                st.stats.wbc_timeouts += 1;
                return Err(VoError::Timeout(timeout.unwrap_or_default()));
            }
            st = clock
                .wait_on(&self.vo.wake, &self.vo.state, st, Some(until))
                .0;
        };
        let mut rgb = Vec::new();
        compose_state(&st, dev, &mut rgb);
        st.wbc.last_refresh = Some(refresh);
        st.wbc.held.push(block);
        st.stats.wbc_frames += 1;
        drop(st);
        let (area, uv_at, _) = wbc_layout(dev.width, dev.height);
        let mut nv12 = vec![0u8; (uv_at + area / 2) as usize];
        let (y, uv) = nv12.split_at_mut(uv_at as usize);
        compose::rgb_to_nv12(&rgb, dev.width, dev.height, &mut y[..area as usize], uv);
        self.memory()
            .write(block, &nv12)
            .map_err(|e| VoError::Memory(e.to_string()))?;
        let pool_id = self
            .memory()
            .block_home(block)
            .and_then(|(_, p)| p)
            .unwrap_or(consts::VB_INVALID_POOLID);
        Ok(VideoFrameInfo {
            width: dev.width,
            height: dev.height,
            pixel_format: consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420,
            stride: [dev.width, dev.width, 0],
            phys_addr: [block, block + uv_at, 0],
            pts: dev.refresh_at(refresh).as_micros() as u64,
            pool_id,
            mod_id: consts::DISPLAY_MOD_ID,
        })
    }

    /// Gives a dumped frame's block back to the write-back.
    #[doc(alias = "kd_mpi_wbc_dump_release")]
    pub fn vo_wbc_release(&self, frame: &VideoFrameInfo) -> Result<(), VoError> {
        let block = frame.phys_addr[0];
        let mut st = self.vo.lock();
        let at = st
            .wbc
            .held
            .iter()
            .position(|&b| b == block)
            .ok_or(VoError::NotHeld(block))?;
        st.wbc.held.swap_remove(at);
        drop(st);
        let _ = self.memory().release_block(block);
        self.clock().notify(&self.vo.wake);
        Ok(())
    }

    /// Hands every `every`-th refresh (board time) to `sink`, as the screen stood at it, from
    /// the next one on; `None` stops. Refreshes are handed over when the screen next changes
    /// and at [`Simulator::vo_record_flush`], so recording adds no thread to the board.
    pub fn vo_record(&self, every: u64, sink: Option<ScreenSink>) {
        let mut st = self.vo.lock();
        let now = self.clock().now();
        st.catch_up(now);
        let next = st.device.map_or(0, |d| d.refreshes(now) + 1);
        st.recorder = sink.map(|sink| Recorder {
            every: every.max(1),
            next,
            sink,
        });
    }

    /// Hands the recorder the refreshes due by now.
    pub fn vo_record_flush(&self) {
        let now = self.clock().now();
        self.vo.lock().catch_up(now);
    }

    /// What the VO has done.
    pub fn vo_stats(&self) -> VoStats {
        self.vo.lock().stats
    }
}

/// A write-back frame's Y size, UV offset and block size: UV on the next 4 KiB boundary, as the
/// encoder takes NV12 (the sources do not give the VO's own layout: D-069).
fn wbc_layout(width: u32, height: u32) -> (u64, u64, u64) {
    let area = u64::from(width) * u64::from(height);
    let uv_at = venc_core::layout::align_up(area, consts::VENC_ALIGN_4K);
    (area, uv_at, uv_at + area.div_ceil(2))
}

fn compose_state(st: &VoState, dev: Device, rgb: &mut Vec<u8>) {
    compose::compose(dev.width, dev.height, &layer_views(&st.layers), rgb);
}

/// The layers with a picture, in drawing order: video layers first, then OSD, each in id
/// order (a higher id is drawn on top).
fn layer_views(layers: &[Option<Layer>]) -> Vec<LayerView<'_>> {
    layers
        .iter()
        .flatten()
        .filter_map(|l| {
            Some(LayerView {
                x: l.rect.x,
                y: l.rect.y,
                w: l.rect.w,
                h: l.rect.h,
                format: l.format,
                alpha: l.alpha,
                pixels: l.pixels.as_deref()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SimOptions;

    fn red_osd(sim: &Simulator, w: u32, h: u32) {
        let rect = LayerRect { x: 0, y: 0, w, h };
        sim.vo_set_layer(FIRST_OSD, rect, LayerFormat::Argb8888, 255)
            .expect("osd");
        let px = [255u8, 255, 0, 0].repeat((w * h) as usize);
        sim.vo_show(FIRST_OSD, px).expect("show");
    }

    #[test]
    fn write_back_dumps_the_composed_screen_once_per_refresh() {
        let sim = Simulator::new(SimOptions::default());
        assert_eq!(sim.vo_wbc(true), Err(VoError::NotEnabled));
        sim.vo_enable(64, 32, 50).expect("on");
        red_osd(&sim, 32, 32);
        sim.vo_wbc(true).expect("wbc");
        let first = sim.vo_wbc_dump(Some(Duration::from_secs(1))).expect("dump");
        let second = sim.vo_wbc_dump(Some(Duration::from_secs(1))).expect("dump");
        assert_eq!((first.width, first.height), (64, 32));
        assert!(second.pts > first.pts, "a later refresh");
        assert_eq!(
            (second.pts - first.pts) % 20_000,
            0,
            "refreshes 20 ms apart"
        );
        let mut y = vec![0u8; 64];
        sim.memory().read(first.phys_addr[0], &mut y).expect("read");
        assert_eq!(y[0], rgb_to_y(255, 0, 0), "red on the left");
        assert_eq!(y[63], 16, "black on the right");
        // Three blocks: the fourth dump waits for a release, and times out.
        let third = sim.vo_wbc_dump(Some(Duration::from_secs(1))).expect("dump");
        assert_eq!(
            sim.vo_wbc_dump(Some(Duration::from_millis(60))),
            Err(VoError::Timeout(Duration::from_millis(60)))
        );
        assert_eq!(sim.vo_stats().wbc_timeouts, 1);
        sim.vo_wbc_release(&first).expect("release");
        assert_eq!(
            sim.vo_wbc_release(&first),
            Err(VoError::NotHeld(first.phys_addr[0]))
        );
        let fourth = sim.vo_wbc_dump(Some(Duration::from_secs(1))).expect("dump");
        assert_eq!(
            fourth.phys_addr[0], first.phys_addr[0],
            "the released block"
        );
        for f in [second, third, fourth] {
            sim.vo_wbc_release(&f).expect("release");
        }
        sim.vo_disable();
        assert_eq!(
            sim.vo_wbc_dump(Some(Duration::ZERO)),
            Err(VoError::NotEnabled)
        );
    }

    #[test]
    fn the_recorder_gets_every_nth_refresh_as_the_screen_stood_then() {
        use std::sync::{Arc, Mutex};
        let sim = Simulator::new(SimOptions::default());
        sim.vo_enable(8, 8, 20).expect("on");
        type Seen = Vec<(u64, [u8; 3])>;
        let got: Arc<Mutex<Seen>> = Arc::default();
        let sink = Arc::clone(&got);
        sim.vo_record(
            2,
            Some(Box::new(move |s: &Screen| {
                let px = [s.rgb[0], s.rgb[1], s.rgb[2]];
                sink.lock().expect("sink").push((s.refresh, px));
            })),
        );
        let show = |argb: [u8; 4]| {
            let rect = LayerRect {
                x: 0,
                y: 0,
                w: 8,
                h: 8,
            };
            sim.vo_set_layer(FIRST_OSD, rect, LayerFormat::Argb8888, 255)
                .expect("osd");
            sim.vo_show(FIRST_OSD, argb.repeat(64)).expect("show");
        };
        show([255, 255, 0, 0]);
        sim.clock().sleep(Duration::from_millis(400));
        show([255, 0, 0, 255]);
        sim.clock().sleep(Duration::from_millis(400));
        sim.vo_record_flush();
        sim.vo_record(1, None);
        let got = got.lock().expect("got").clone();
        assert!(got.windows(2).all(|w| w[1].0 == w[0].0 + 2), "{got:?}");
        let first_blue = got
            .iter()
            .position(|g| g.1 == [0, 0, 255])
            .expect("blue seen");
        assert!(first_blue >= 2, "red before: {got:?}");
        assert!(
            got[..first_blue].iter().skip(1).all(|g| g.1 == [255, 0, 0]),
            "{got:?}"
        );
        assert!(
            got[first_blue..].iter().all(|g| g.1 == [0, 0, 255]),
            "{got:?}"
        );
    }

    fn rgb_to_y(r: u8, g: u8, b: u8) -> u8 {
        compose::rgb_to_yuv(r, g, b).0
    }

    #[test]
    fn layers_refuse_the_wrong_kind_of_picture() {
        let sim = Simulator::new(SimOptions::default());
        let rect = LayerRect {
            x: 0,
            y: 0,
            w: 8,
            h: 8,
        };
        assert!(matches!(
            sim.vo_set_layer(1, rect, LayerFormat::Argb8888, 255),
            Err(VoError::BadFormat { .. })
        ));
        assert!(matches!(
            sim.vo_set_layer(FIRST_OSD, rect, LayerFormat::Nv12, 255),
            Err(VoError::BadFormat { .. })
        ));
        assert_eq!(
            sim.vo_set_layer(LAYERS, rect, LayerFormat::Nv12, 255),
            Err(VoError::BadLayer(LAYERS))
        );
        assert_eq!(sim.vo_show(5, vec![0; 4]), Err(VoError::NotConfigured(5)));
        sim.vo_set_layer(5, rect, LayerFormat::Rgb888, 255)
            .expect("osd1");
        assert!(matches!(
            sim.vo_show(5, vec![0; 4]),
            Err(VoError::BadPixels { want: 192, .. })
        ));
        assert_eq!(sim.vo_enable(0, 10, 30), Err(VoError::BadSize(0, 10, 30)));
    }
}
