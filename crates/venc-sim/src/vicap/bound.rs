//! The simulator's sensor bound to a VENC channel as the manual's Example 1 sets it up (size,
//! NV12, `MediaManager.link`, `init`): a [`BoundCamera`] the harness's Example 1 drives.

use super::{CAM_CHN_ID_0, Sensor, SensorOptions, SensorSource, SensorStats, Timing, YUV420SP};
use crate::Simulator;
use crate::sys::{Link, MediaManager};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use venc_core::camera::{BoundCamera, CameraCounts};
use venc_core::{Firmware, consts};

/// What a bound run feeds: the picture, the rate and how many frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoundFeed {
    /// The VENC channel the sensor is linked to.
    pub chn: u32,
    /// Picture size.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// Sensor frame rate (the channel's `src_frame_rate`).
    pub fps: u32,
    /// Frames the sensor delivers, then stops.
    pub frames: u32,
    /// Pacing.
    pub timing: Timing,
}

/// Sensor 0's first channel linked to a VENC channel, with the media manager initialised.
#[derive(Debug)]
pub struct BoundSensor {
    sensor: Sensor,
    media: MediaManager,
    link: Mutex<Option<Link>>,
    sim: Arc<Simulator>,
}

impl BoundSensor {
    /// Sets sensor 0 up for `feed` (reset, size with VICAP's 4K alignment, NV12), links its
    /// first channel to `feed.chn` and initialises the media manager under `firmware`'s
    /// rules.
    pub fn link(
        sim: Arc<Simulator>,
        source: SensorSource,
        feed: BoundFeed,
        firmware: Firmware,
    ) -> Result<Arc<Self>, String> {
        let sensor = Sensor::new(
            Arc::clone(&sim),
            0,
            source,
            SensorOptions {
                fps: feed.fps,
                timing: feed.timing,
                frame_limit: Some(u64::from(feed.frames)),
                ..SensorOptions::default()
            },
        );
        let sensor_err = |e: super::SensorError| format!("Sensor: {e}");
        let media_err = |e: crate::sys::MediaError| format!("MediaManager: {e}");
        sensor.reset().map_err(sensor_err)?;
        sensor
            .set_framesize(
                feed.width,
                feed.height,
                CAM_CHN_ID_0,
                consts::VICAP_ALIGNMENT_4K,
            )
            .map_err(sensor_err)?;
        sensor
            .set_pixformat(YUV420SP, CAM_CHN_ID_0)
            .map_err(sensor_err)?;
        let media = MediaManager::new(Arc::clone(&sim), firmware);
        let link = media
            .link(
                sensor.bind_info(CAM_CHN_ID_0).src,
                (consts::VIDEO_ENCODE_MOD_ID, consts::VENC_DEV_ID, feed.chn),
            )
            .map_err(media_err)?;
        media.init().map_err(media_err)?;
        Ok(Arc::new(Self {
            sensor,
            media,
            link: Mutex::new(Some(link)),
            sim,
        }))
    }

    /// Everything the sensor counted (drops included).
    pub fn stats(&self) -> SensorStats {
        self.sensor.stats()
    }
}

impl BoundCamera for BoundSensor {
    fn run(&self) -> Result<(), String> {
        self.sensor.run().map_err(|e| format!("Sensor: {e}"))
    }

    fn counts(&self) -> CameraCounts {
        let s = self.sensor.stats();
        CameraCounts {
            frames_captured: s.frames_captured,
            frames_delivered: s.frames_delivered,
            last_pts_delivered: s.last_pts_delivered,
        }
    }

    fn stop(&self) {
        self.sensor.stop();
        drop(
            self.link
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .take(),
        );
    }

    fn deinit(&self) {
        self.media.deinit();
    }

    fn now(&self) -> Duration {
        self.sim.clock().now()
    }

    fn end_capture(&self) {
        self.sensor.end_capture();
    }

    fn frames_to_capture(&self, asked: u64) -> u64 {
        self.sensor.frame_limit().map_or(asked, |n| n.min(asked))
    }
}
