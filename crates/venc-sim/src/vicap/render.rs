//! Rendering a frame time into an output channel's next buffer: the pattern, or the file
//! source's frame scaled to the channel's size.

use super::pixels::{Rect, RgbLayout, crop_nv12, mirror_nv12, nv12_to_rgb};
use super::{
    Inner, RGB565, RGB888, RGBP888, SensorError, SensorImage, SensorSource, State, YUV420SP,
};
use log::info;
use venc_core::consts;
use venc_core::layout::{uv_size, y_size};
use venc_frames::source::{TestPattern, scale_nv12};

impl Inner {
    /// Renders tick `tick` into channel `c`'s next buffer and returns it as an image: the
    /// picture (cropped and scaled to the channel), mirrored as the last `run()` set, in the
    /// channel's format.
    pub(super) fn fill(
        &self,
        st: &mut State,
        c: usize,
        tick: u64,
    ) -> Result<SensorImage, SensorError> {
        let window = (self.opts.max_width, self.opts.max_height);
        let State {
            chans,
            source,
            native,
            native_tick,
            ended,
            scratch,
            scratch2,
            rgb,
            mirror_active,
            ..
        } = st;
        let chn = chans[c]
            .as_mut()
            .ok_or(SensorError::NotConfigured(c as u32))?;
        let (w, h) = (chn.width, chn.height);
        let (ys, uvs) = (y_size(w, h) as usize, uv_size(w, h) as usize);
        scratch.0.resize(ys, 0);
        scratch.1.resize(uvs, 0);
        // The picture the channel sees before scaling: the pattern at its own size (or the whole
        // window when cropped), or the file source's frame.
        let (nw, nh) = match source {
            SensorSource::Pattern if chn.crop.is_none() => {
                TestPattern::render(w, h, tick as u32, &mut scratch.0, &mut scratch.1);
                (w, h)
            }
            SensorSource::Pattern => {
                if *native_tick != Some(tick) {
                    native.0.resize(y_size(window.0, window.1) as usize, 0);
                    native.1.resize(uv_size(window.0, window.1) as usize, 0);
                    TestPattern::render(
                        window.0,
                        window.1,
                        tick as u32,
                        &mut native.0,
                        &mut native.1,
                    );
                    *native_tick = Some(tick);
                }
                window
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
                (nw, nh)
            }
        };
        let rendered_in_place = matches!(source, SensorSource::Pattern) && chn.crop.is_none();
        if !rendered_in_place {
            let (src, size) = match chn.crop {
                Some(r) => {
                    // The window is in the acquisition window's pixels; a file source of
                    // another size is mapped proportionally.
                    let sx = |v: u32| (u64::from(v) * u64::from(nw) / u64::from(window.0)) as u32;
                    let sy = |v: u32| (u64::from(v) * u64::from(nh) / u64::from(window.1)) as u32;
                    let r = Rect {
                        x: sx(r.x),
                        y: sy(r.y),
                        w: sx(r.w),
                        h: sy(r.h),
                    };
                    crop_nv12(
                        (&native.0, &native.1),
                        nw,
                        r,
                        (&mut scratch2.0, &mut scratch2.1),
                    );
                    ((&scratch2.0, &scratch2.1), (r.w & !1, r.h & !1))
                }
                None => ((&native.0, &native.1), (nw, nh)),
            };
            if size == (w, h) {
                scratch.0.copy_from_slice(src.0);
                scratch.1.copy_from_slice(src.1);
            } else {
                scale_nv12(
                    (src.0, src.1),
                    size,
                    (&mut scratch.0, &mut scratch.1),
                    (w, h),
                );
            }
        }
        let (hmirror, vflip) = *mirror_active;
        mirror_nv12(&mut scratch.0, &mut scratch.1, w, h, hmirror, vflip);
        let slot = chn.next_slot;
        chn.next_slot = (slot + 1) % chn.blocks.len().max(1);
        chn.held[slot].clear();
        let base = chn.blocks[slot];
        let format = chn.pixfmt.unwrap_or(YUV420SP);
        let uv_addr = match format {
            RGB888 | RGB565 | RGBP888 => {
                let layout = match format {
                    RGBP888 => RgbLayout::Planar,
                    _ => RgbLayout::Packed,
                };
                nv12_to_rgb(&scratch.0, &scratch.1, w, h, layout, rgb);
                self.sim.memory().write(base, rgb)?;
                0
            }
            _ => {
                let uv_addr = base + chn.uv_offset();
                self.sim.memory().write(base, &scratch.0)?;
                self.sim.memory().write(uv_addr, &scratch.1)?;
                uv_addr
            }
        };
        Ok(SensorImage {
            width: w,
            height: h,
            format,
            y_addr: base,
            uv_addr,
            pool: chn.frame_pool().unwrap_or(consts::VB_INVALID_POOLID),
            pts: self.pts(tick),
        })
    }
}
