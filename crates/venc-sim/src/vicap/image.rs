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
    /// The channel's format (`Sensor.YUV420SP`, `RGB888`, …).
    pub(super) format: u32,
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
    /// The channel's format: `Sensor.YUV420SP`, `RGB888`, `RGBP888`, `RGB565`, `GRAYSCALE`.
    pub fn format(&self) -> u32 {
        self.format
    }
    /// `img.phyaddr()` / `img.phyaddr(n)`: plane `n` (Y and UV; R, G and B for RGBP888; one
    /// plane for packed RGB).
    pub fn phyaddr(&self, plane: u32) -> Option<u64> {
        let area = u64::from(self.width) * u64::from(self.height);
        match (self.format, plane) {
            (_, 0) => Some(self.y_addr),
            (super::RGBP888, 1 | 2) => Some(self.y_addr + area * u64::from(plane)),
            (super::YUV420SP | super::GRAYSCALE, 1) => Some(self.uv_addr),
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
    /// The `k_video_frame_info` of the buffer (UV where VICAP put it), as `snapshot(...,
    /// dump_frame=True)` and a bound channel hand it on.
    pub fn frame_info(&self) -> VideoFrameInfo {
        let pixel_format = match self.format {
            super::GRAYSCALE => YUV420SP,
            // RGB565 is captured as RGB888 (firmware facts §2).
            super::RGB565 => super::RGB888,
            f => f,
        };
        VideoFrameInfo {
            width: self.width,
            height: self.height,
            pixel_format,
            phys_addr: [
                self.y_addr,
                self.phyaddr(1).unwrap_or(0),
                self.phyaddr(2).unwrap_or(0),
            ],
            pts: self.pts,
            pool_id: self.pool,
            ..VideoFrameInfo::default()
        }
    }
    /// The image's bytes in its format: Y then interleaved UV (YUV420SP), the Y plane
    /// (GRAYSCALE), packed or planar RGB, or RGB565 (little-endian 16-bit words) converted
    /// from the RGB888 buffer.
    pub fn to_bytes(&self, sim: &Simulator) -> Result<Vec<u8>, MemError> {
        let (w, h) = (self.width, self.height);
        let read = |addr: u64, len: u64| -> Result<Vec<u8>, MemError> {
            let mut out = vec![0u8; len as usize];
            sim.read_mem(addr, &mut out)?;
            Ok(out)
        };
        let rgb_len = y_size(w, h) * 3;
        Ok(match self.format {
            super::GRAYSCALE => read(self.y_addr, y_size(w, h))?,
            super::RGB888 | super::RGBP888 => read(self.y_addr, rgb_len)?,
            super::RGB565 => read(self.y_addr, rgb_len)?
                .chunks_exact(3)
                .flat_map(|p| {
                    let v = (u16::from(p[0] >> 3) << 11)
                        | (u16::from(p[1] >> 2) << 5)
                        | u16::from(p[2] >> 3);
                    v.to_le_bytes()
                })
                .collect(),
            _ => {
                let mut out = read(self.y_addr, y_size(w, h))?;
                out.extend(read(self.uv_addr, uv_size(w, h))?);
                out
            }
        })
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
    /// Frames a bound display layer could not take (not configured, or another format).
    pub dropped_by_display: u64,
    /// Frames returned by `snapshot`.
    pub snapshots: u64,
    /// pts of the last frame queued into an encoder (0: none yet).
    pub last_pts_delivered: u64,
}
