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
    /// The pool the channel made for its buffers.
    pub(super) pool: Option<PoolId>,
    /// A program's pool the buffers are taken from instead (the CanMV MPP's
    /// `k_vicap_chn_attr.buffer_pool_id`); its blocks go back to it, the pool stays.
    pub(super) program_pool: Option<PoolId>,
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
    /// offset (D-013), and its blocks; or, with a program's pool, blocks taken from it (each
    /// large enough, else an error and none kept).
    pub(super) fn allocate(&mut self, sim: &Simulator) -> Result<(), SensorError> {
        if !self.blocks.is_empty() {
            return Ok(());
        }
        let needed = match self.pixfmt {
            // RGB565 is captured as RGB888 and converted by the image (firmware facts §2).
            Some(super::RGB888 | super::RGBP888 | super::RGB565) => {
                align_up(u64::from(self.width) * u64::from(self.height) * 3, 4096)
            }
            _ => vicap_block_size(self.width, self.height, self.alignment),
        };
        if let Some(pool) = self.program_pool {
            let (block_size, _, _) = sim.memory().pool_usage(pool)?;
            if block_size < needed {
                return Err(SensorError::Source(format!(
                    "buffer pool {pool}: its {block_size}-byte blocks hold no {}x{} picture \
                     ({needed} bytes)",
                    self.width, self.height
                )));
            }
            let mut taken = Vec::new();
            for _ in 0..self.buffer_count {
                match sim.get_block(pool) {
                    Ok(b) => taken.push(b),
                    Err(e) => {
                        for b in taken {
                            let _ = sim.release_block(b);
                        }
                        return Err(e.into());
                    }
                }
            }
            self.blocks = taken;
        } else {
            let size = self.buffer_size.map_or(needed, |s| s.max(needed));
            let pool = sim.create_pool(size, self.buffer_count)?;
            self.blocks = (0..self.buffer_count)
                .map(|_| sim.get_block(pool))
                .collect::<Result<_, _>>()?;
            self.pool = Some(pool);
        }
        self.held = vec![Vec::new(); self.buffer_count as usize];
        self.next_slot = 0;
        Ok(())
    }

    /// Gives the buffers back: the channel's own pool destroyed, a program's pool's blocks
    /// released to it.
    pub(super) fn release(&mut self, sim: &Simulator) {
        if let Some(pool) = self.pool.take() {
            let _ = sim.destroy_pool(pool);
        } else if self.program_pool.is_some() {
            for b in self.blocks.drain(..) {
                let _ = sim.release_block(b);
            }
        }
        self.blocks.clear();
        self.held.clear();
    }

    /// The pool the channel's frames say they come from.
    pub(super) fn frame_pool(&self) -> Option<PoolId> {
        self.pool.or(self.program_pool)
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
