//! System binding (`kd_mpi_sys_bind`) and CanMV's `MediaManager` (`media.media`).
//!
//! A bind connects a sensor channel's output to a VENC channel's input: every frame the sensor
//! captures is pushed into the encoder's input queue without `SendFrame`, and dropped (logged and
//! counted) when that queue is full, as on the board. A sensor channel may also be bound to a
//! display video layer (`Display.bind_layer`), which shows each frame it gets.

use crate::Simulator;
use log::{info, warn};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use venc_core::{Firmware, OutBufPools, consts};

/// `MAX_MEDIA_LINK_COUNT` of CanMV's `media.py` (facts §3.2).
pub const MAX_MEDIA_LINK_COUNT: usize = 8;
/// VICAP output channels per sensor (`CAM_CHN_ID_0..2`).
pub const SENSOR_CHANNELS: u32 = 3;
/// VICAP devices (`CSI0..2`).
pub const SENSOR_DEVICES: u32 = 3;

/// A `(mod_id, dev, chn)` tuple, as `MediaManager.link` takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[doc(alias = "k_mpp_chn")]
pub struct ModChn {
    /// `K_ID_*` module id (`CAMERA_MOD_ID` 6, `VIDEO_ENCODE_MOD_ID` 9, …).
    pub mod_id: u32,
    /// Device.
    pub dev: u32,
    /// Channel.
    pub chn: u32,
}

impl From<(u32, u32, u32)> for ModChn {
    fn from((mod_id, dev, chn): (u32, u32, u32)) -> Self {
        Self { mod_id, dev, chn }
    }
}

impl std::fmt::Display for ModChn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({}, {}, {})", self.mod_id, self.dev, self.chn)
    }
}

/// Why a media-manager call failed, with the exception CanMV raises for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MediaError {
    /// `MediaManager.init()` twice (v1.x: `AssertionError`).
    #[error("AssertionError: MediaManager already inited")]
    AlreadyInited,
    /// `kd_mpi_sys_bind` refused the pair (`RuntimeError("MediaManager link … failed(ret)")`).
    #[error("RuntimeError: MediaManager link {src} -> {dst} failed: {why}")]
    LinkFailed {
        /// Source tuple.
        src: ModChn,
        /// Destination tuple.
        dst: ModChn,
        /// What was wrong with it.
        why: String,
    },
    /// `init()` again after a `deinit()` that left VB up (v0.3 … 2025-03-06, oldgen facts
    /// §4.1-4.2): `kd_mpi_vb_set_config` answers BUSY.
    #[error(
        "RuntimeError: MediaManager, vb config failed({VB_BUSY}), at now please reboot the board to fix it."
    )]
    VbBusy,
    /// A ninth link.
    #[error(
        "RuntimeError: MediaManager link {src} -> {dst} failed: {MAX_MEDIA_LINK_COUNT} links already exist"
    )]
    TooManyLinks {
        /// Source tuple.
        src: ModChn,
        /// Destination tuple.
        dst: ModChn,
    },
}

/// `K_ERR_VB_BUSY` (0xA0048012): VB configured while it is still initialised.
pub const VB_BUSY: i32 = 0xA004_8012_u32 as i32;

/// The binds of one simulator.
#[derive(Debug, Default)]
pub(crate) struct BindTable {
    binds: Mutex<Vec<(ModChn, ModChn)>>,
    media_inited: AtomicBool,
    /// VB is initialised (from the first `init()` until a `deinit()` that exits it).
    vb_up: AtomicBool,
}

impl BindTable {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(ModChn, ModChn)>> {
        self.binds.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn check(src: ModChn, dst: ModChn) -> Result<(), String> {
        if src.mod_id != consts::CAMERA_MOD_ID {
            return Err(format!(
                "source module {} is not modeled (only CAMERA_MOD_ID {} → VIDEO_ENCODE_MOD_ID {})",
                src.mod_id,
                consts::CAMERA_MOD_ID,
                consts::VIDEO_ENCODE_MOD_ID
            ));
        }
        if src.dev >= SENSOR_DEVICES || src.chn >= SENSOR_CHANNELS {
            return Err(format!("no camera device {} channel {}", src.dev, src.chn));
        }
        if dst.mod_id == consts::DISPLAY_MOD_ID {
            // The display's video layers 1-3 (layer 0 is not usable from CanMV).
            if dst.dev != 0 || !(1..crate::vo::FIRST_OSD).contains(&dst.chn) {
                return Err(format!(
                    "no display device {} video layer {}",
                    dst.dev, dst.chn
                ));
            }
            return Ok(());
        }
        if dst.mod_id != consts::VIDEO_ENCODE_MOD_ID {
            return Err(format!(
                "destination module {} is not modeled (only VIDEO_ENCODE_MOD_ID {} and DISPLAY_MOD_ID {})",
                dst.mod_id,
                consts::VIDEO_ENCODE_MOD_ID,
                consts::DISPLAY_MOD_ID
            ));
        }
        if dst.dev != consts::VENC_DEV_ID || dst.chn >= venc_core::K230.channels {
            return Err(format!("no encoder device {} channel {}", dst.dev, dst.chn));
        }
        Ok(())
    }

    /// `kd_mpi_sys_bind`: one source per destination.
    pub(crate) fn bind(&self, src: ModChn, dst: ModChn) -> Result<(), String> {
        Self::check(src, dst)?;
        let mut binds = self.lock();
        if let Some((other, _)) = binds.iter().find(|(_, d)| *d == dst) {
            return Err(format!("{dst} is already bound to {other}"));
        }
        binds.push((src, dst));
        Ok(())
    }

    /// Whether the pair was bound.
    pub(crate) fn unbind(&self, src: ModChn, dst: ModChn) -> bool {
        let mut binds = self.lock();
        let before = binds.len();
        binds.retain(|&b| b != (src, dst));
        binds.len() != before
    }

    /// Removes every bind into module `mod_id` (a device turned off).
    pub(crate) fn unbind_all_to(&self, mod_id: u32) {
        self.lock().retain(|(_, d)| d.mod_id != mod_id);
    }

    /// What feeds `dst`.
    pub(crate) fn source(&self, dst: ModChn) -> Option<ModChn> {
        self.lock().iter().find(|(_, d)| *d == dst).map(|&(s, _)| s)
    }

    /// Where frames from `src` go.
    pub(crate) fn destinations(&self, src: ModChn) -> Vec<ModChn> {
        self.lock()
            .iter()
            .filter(|(s, _)| *s == src)
            .map(|&(_, d)| d)
            .collect()
    }

    pub(crate) fn count(&self) -> usize {
        self.lock().len()
    }

    pub(crate) fn media_inited(&self) -> bool {
        self.media_inited.load(Ordering::Acquire)
    }
}

impl Simulator {
    /// `kd_mpi_sys_bind`: frames of camera channel `src` go to encoder channel `dst`. Only
    /// camera → encoder pairs are modeled; an encoder takes one source. The error says why a
    /// pair is refused.
    #[doc(alias = "kd_mpi_sys_bind")]
    pub fn bind(&self, src: ModChn, dst: ModChn) -> Result<(), String> {
        self.binds.bind(src, dst)
    }

    /// `kd_mpi_sys_unbind`: whether the pair was bound.
    #[doc(alias = "kd_mpi_sys_unbind")]
    pub fn unbind(&self, src: ModChn, dst: ModChn) -> bool {
        self.binds.unbind(src, dst)
    }

    /// `kd_mpi_sys_get_bind_by_dest`: the source bound to `dst`, if any.
    #[doc(alias = "kd_mpi_sys_get_bind_by_dest")]
    pub fn bound_source(&self, dst: ModChn) -> Option<ModChn> {
        self.binds.source(dst)
    }
}

/// CanMV's `MediaManager` over one simulator.
#[derive(Debug, Clone)]
#[doc(alias = "media.media.MediaManager")]
pub struct MediaManager {
    sim: Arc<Simulator>,
    firmware: Firmware,
}

impl MediaManager {
    /// The media manager of `sim`, behaving as firmware `firmware` does.
    pub fn new(sim: Arc<Simulator>, firmware: Firmware) -> Self {
        Self { sim, firmware }
    }

    /// `MediaManager.init()`. v0.7 … 2025 set up the buffer pools and refuses a second call; the
    /// newest firmware only prints "deprecated function" (pools are private since).
    pub fn init(&self) -> Result<(), MediaError> {
        let binds = &self.sim.binds;
        if self.firmware.traits().out_bufs == OutBufPools::MediaConfig
            && !binds.media_inited.load(Ordering::Acquire)
            && binds.vb_up.load(Ordering::Acquire)
        {
            return Err(MediaError::VbBusy);
        }
        let was = binds.media_inited.swap(true, Ordering::AcqRel);
        binds.vb_up.store(true, Ordering::Release);
        match self.firmware.traits().out_bufs {
            OutBufPools::MediaConfig if was => Err(MediaError::AlreadyInited),
            OutBufPools::MediaConfig => {
                info!("buffer pool : {}", self.sim.memory().pool_count());
                Ok(())
            }
            OutBufPools::Private => {
                info!("deprecated function");
                Ok(())
            }
        }
    }

    /// `MediaManager.deinit()`. Links stay until their [`Link`] is dropped, as the firmware's
    /// Python drops its bookkeeping without unbinding. VB is exited only where the
    /// generation's deinit does it (`Traits::deinit_exits_vb`); elsewhere the next `init()`
    /// fails with [`MediaError::VbBusy`].
    pub fn deinit(&self) {
        let binds = &self.sim.binds;
        binds.media_inited.store(false, Ordering::Release);
        if self.firmware.traits().deinit_exits_vb {
            binds.vb_up.store(false, Ordering::Release);
        }
    }

    /// VB exited whatever the generation's deinit does (`buffer_deinit(force=True)`).
    pub fn exit_vb(&self) {
        self.sim.binds.vb_up.store(false, Ordering::Release);
    }

    /// `MediaManager.link(src, dst)`: binds a camera channel to an encoder channel. Dropping the
    /// returned [`Link`] (`del link`) unbinds it.
    #[doc(alias = "kd_mpi_sys_bind")]
    pub fn link(&self, src: impl Into<ModChn>, dst: impl Into<ModChn>) -> Result<Link, MediaError> {
        let (src, dst) = (src.into(), dst.into());
        if self.sim.binds.count() >= MAX_MEDIA_LINK_COUNT {
            return Err(MediaError::TooManyLinks { src, dst });
        }
        self.sim
            .binds
            .bind(src, dst)
            .map_err(|why| MediaError::LinkFailed { src, dst, why })?;
        Ok(Link {
            sim: Arc::clone(&self.sim),
            src,
            dst,
        })
    }
}

/// A live bind; dropping it unbinds (`del link`).
#[derive(Debug)]
#[must_use = "dropping a Link unbinds it at once"]
pub struct Link {
    sim: Arc<Simulator>,
    src: ModChn,
    dst: ModChn,
}

impl Link {
    /// The camera side.
    pub fn src(&self) -> ModChn {
        self.src
    }
    /// The encoder side.
    pub fn dst(&self) -> ModChn {
        self.dst
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.sim.binds.unbind(self.src, self.dst);
        if self.sim.binds.destinations(self.src).is_empty() {
            info!("unbind {} -> {}", self.src, self.dst);
        } else {
            warn!(
                "unbind {} -> {}: source still bound elsewhere",
                self.src, self.dst
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ninth_link_is_refused_before_binding() {
        // Only four camera → encoder links can exist at once (one per VENC channel), so fill the
        // table with binds of the unmodeled kind the firmware also counts.
        let sim = Simulator::shared(crate::SimOptions::default());
        let other = |i: u32| ModChn {
            mod_id: 99,
            dev: 0,
            chn: i,
        };
        sim.binds
            .lock()
            .extend((0..MAX_MEDIA_LINK_COUNT as u32).map(|i| (other(i), other(100 + i))));
        let media = MediaManager::new(Arc::clone(&sim), Firmware::CanMv2026Jan);
        let e = media
            .link(
                (consts::CAMERA_MOD_ID, 0, 0),
                (consts::VIDEO_ENCODE_MOD_ID, consts::VENC_DEV_ID, 0),
            )
            .expect_err("ninth link");
        assert!(matches!(e, MediaError::TooManyLinks { .. }), "{e}");
        assert_eq!(sim.binds.count(), MAX_MEDIA_LINK_COUNT, "nothing bound");
        sim.binds.lock().clear();
        assert!(
            media
                .link(
                    (consts::CAMERA_MOD_ID, 0, 0),
                    (consts::VIDEO_ENCODE_MOD_ID, consts::VENC_DEV_ID, 0)
                )
                .is_ok()
        );
    }
}
