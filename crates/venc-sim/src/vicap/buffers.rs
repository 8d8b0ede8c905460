//! Buffer accounting of a sensor output channel: six NV12 buffers in media memory, and which
//! encoders still hold each one. A buffer is reused only when every encoder it went to has
//! released its frame (`release_pic_pts`), or is no longer started.

use super::{Inner, SensorError};
use crate::Simulator;
use venc_core::layout::{align_up, uv_offset, vicap_block_size};
use venc_core::{Mpi, PoolId};

/// One of the sensor's three output channels (`CAM_CHN_ID_n`): its format and its buffers.
pub(super) struct OutputChannel {
    pub(super) width: u32,
    pub(super) height: u32,
    pub(super) alignment: u32,
    pub(super) pixfmt: Option<u32>,
    pub(super) crop: Option<super::Rect>,
    pub(super) pool: Option<PoolId>,
    /// How many buffers, and their size when the program chose it (`k_vicap_chn_attr`).
    pub(super) buffer_count: u32,
    pub(super) buffer_size: Option<u64>,
    pub(super) blocks: Vec<u64>,
    pub(super) next_slot: usize,
    /// Per buffer: the encoders it was pushed to and the pts they must release.
    pub(super) held: Vec<Vec<(u32, u64)>>,
}

impl OutputChannel {
    pub(super) fn uv_offset(&self) -> u64 {
        uv_offset(self.width, self.height, self.alignment)
    }
}

impl OutputChannel {
    /// Makes the channel's buffers, once: a pool sized so the UV plane fits at its VICAP
    /// offset (D-013), and its blocks.
    pub(super) fn allocate(&mut self, sim: &Simulator) -> Result<(), SensorError> {
        if self.pool.is_some() {
            return Ok(());
        }
        let needed = match self.pixfmt {
            // RGB565 is captured as RGB888 and converted by the image (firmware facts §2).
            Some(super::RGB888 | super::RGBP888 | super::RGB565) => {
                align_up(u64::from(self.width) * u64::from(self.height) * 3, 4096)
            }
            _ => vicap_block_size(self.width, self.height, self.alignment),
        };
        let size = self.buffer_size.map_or(needed, |s| s.max(needed));
        let pool = sim.create_pool(size, self.buffer_count)?;
        self.blocks = (0..self.buffer_count)
            .map(|_| sim.get_block(pool))
            .collect::<Result<_, _>>()?;
        self.held = vec![Vec::new(); self.buffer_count as usize];
        self.pool = Some(pool);
        Ok(())
    }

    /// Records that encoder `venc` took the frame `pts` from buffer `slot`.
    pub(super) fn hold(&mut self, slot: usize, venc: u32, pts: u64) {
        self.held[slot].push((venc, pts));
    }
}

impl Inner {
    /// Whether buffer `slot` of a channel is free: every encoder it went to released it.
    pub(super) fn slot_free(&self, chn: &OutputChannel, slot: usize) -> bool {
        chn.held[slot].iter().all(|&(venc, pts)| {
            // The board's own look, not the program's query_status: no board call.
            self.sim
                .encoder_released_pts(venc)
                .is_ok_and(|released| released >= pts)
                || !matches!(
                    self.sim.channel_phase(venc),
                    Ok(crate::venc::Phase::Started)
                )
        })
    }
}
