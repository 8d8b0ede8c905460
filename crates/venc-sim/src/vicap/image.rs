//! What a sensor hands out: the bind info a link takes, the frames `snapshot` returns, and its
//! counters.

use super::YUV420SP;
use crate::Simulator;
use crate::sys::ModChn;
use serde::Serialize;
use venc_core::layout::{uv_size, y_size};
use venc_core::{MemError, Mpi, PoolId, VideoFrameInfo};

/// `sensor.bind_info()`: `{'src': (CAMERA_MOD_ID, dev, chn)}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BindInfo {
    /// The camera side of a link.
    pub src: ModChn,
}

/// A frame returned by `snapshot`: an NV12 buffer in media memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SensorImage {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) y_addr: u64,
    pub(super) uv_addr: u64,
    pub(super) pool: PoolId,
    pub(super) pts: u64,
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
