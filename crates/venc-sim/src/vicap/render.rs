//! Rendering a frame time into an output channel's next buffer: the pattern, or the file
//! source's frame scaled to the channel's size.

use super::{Inner, SensorError, SensorImage, SensorSource, State};
use log::info;
use venc_core::consts;
use venc_core::layout::{uv_size, y_size};
use venc_harness::source::{TestPattern, scale_nv12};

impl Inner {
    /// Renders tick `tick` into channel `c`'s next buffer and returns it as an image.
    pub(super) fn fill(
        &self,
        st: &mut State,
        c: usize,
        tick: u64,
    ) -> Result<SensorImage, SensorError> {
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
}
