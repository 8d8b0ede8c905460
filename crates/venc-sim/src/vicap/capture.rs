//! The capture thread and its pacing: one pass per frame time of the virtual clock, each
//! configured and bound channel's frame pushed into its encoders.

use super::{FAST_BUFFER_WAIT, Inner, SENSOR_CHANNELS, State, Timing};
use crate::sys::ModChn;
use log::warn;
use std::sync::MutexGuard;
use std::sync::atomic::Ordering;
use std::time::Duration;
use venc_core::consts;

impl Inner {
    pub(super) fn period(&self) -> Duration {
        Duration::from_secs_f64(1.0 / f64::from(self.opts.fps))
    }

    pub(super) fn pts(&self, tick: u64) -> u64 {
        venc_frames::frame_pts(tick, self.opts.fps)
    }

    /// Board time of tick `tick`.
    pub(super) fn due(&self, st: &State, tick: u64) -> Duration {
        st.started_at + self.period().mul_f64(tick as f64)
    }

    /// The capture thread: one pass per frame time while running.
    pub(super) fn capture(&self, generation: u64) {
        let live = |st: &State| st.running && st.generation == generation;
        loop {
            while self.callers.load(Ordering::Acquire) > 0 {
                std::thread::yield_now();
            }
            let mut st = self.lock();
            if !live(&st) {
                return;
            }
            if st.tick >= self.limit.load(Ordering::Acquire) {
                drop(
                    self.sim
                        .clock()
                        .wait_on(&self.wake, &self.state, st, None)
                        .0,
                );
                continue;
            }
            let tick = st.tick;
            if self.opts.timing == Timing::Realtime {
                let due = self.due(&st, tick);
                let clock = self.sim.clock();
                if clock.now() < due {
                    drop(clock.wait_on(&self.wake, &self.state, st, Some(due)).0);
                    continue;
                }
            }
            // A frame is whole at its frame time on the board: drawing it here costs no board
            // time (a dilated clock waits for it).
            let _capturing = self.sim.clock().book(|now| now);
            let bound: Vec<(usize, Vec<ModChn>)> = (0..SENSOR_CHANNELS as usize)
                .filter(|&c| st.chans[c].as_ref().is_some_and(|c| c.pixfmt.is_some()))
                .map(|c| {
                    let src = ModChn {
                        mod_id: consts::CAMERA_MOD_ID,
                        dev: self.dev,
                        chn: c as u32,
                    };
                    (c, self.sim.binds.destinations(src))
                })
                .filter(|(_, d)| !d.is_empty())
                .collect();
            if bound.is_empty() && self.opts.timing == Timing::Fast {
                // Nothing to feed: the virtual clock stands still until a link appears.
                let clock = self.sim.clock();
                let recheck = clock.now() + Duration::from_millis(5);
                drop(clock.wait_on(&self.wake, &self.state, st, Some(recheck)).0);
                continue;
            }
            for (c, dests) in bound {
                st = match self.deliver(st, generation, c, tick, &dests) {
                    Some(st) => st,
                    None => return,
                };
            }
            st.tick += 1;
            st.stats.frames_captured += 1;
        }
    }

    /// Delivers tick `tick` of channel `c` to its encoders. `None` when stopped meanwhile.
    fn deliver<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        generation: u64,
        c: usize,
        tick: u64,
        dests: &[ModChn],
    ) -> Option<MutexGuard<'a, State>> {
        let clock = self.sim.clock();
        let give_up = clock.now() + FAST_BUFFER_WAIT;
        loop {
            let chn = st.chans[c].as_ref()?;
            if self.slot_free(chn, chn.next_slot) {
                break;
            }
            if self.opts.timing == Timing::Realtime || clock.now() > give_up {
                let buffers = chn.blocks.len();
                st.stats.dropped_no_buffer += 1;
                warn!(
                    "vicap dev{} chn{c}: no free buffer (all {} held by the encoder): frame pts {} dropped",
                    self.dev,
                    buffers,
                    self.pts(tick)
                );
                return Some(st);
            }
            let recheck = clock.now() + Duration::from_millis(1);
            st = clock.wait_on(&self.wake, &self.state, st, Some(recheck)).0;
            if !(st.running && st.generation == generation) {
                return None;
            }
        }
        // Drawing the frame is host computation, not a stuck actor.
        let work = clock.work();
        let filled = self.fill(&mut st, c, tick);
        drop(work);
        let image = match filled {
            Ok(image) => image,
            Err(e) => {
                warn!("vicap dev{} chn{c}: {e}; capture stops", self.dev);
                st.running = false;
                return None;
            }
        };
        let chn = st.chans[c].as_ref()?;
        let count = chn.blocks.len().max(1);
        let slot = (chn.next_slot + count - 1) % count;
        let info = image.frame_info();
        // Paced, the frame is whole at its frame time; unpaced, when it is drawn.
        let captured = match self.opts.timing {
            Timing::Realtime => self.due(&st, tick),
            Timing::Fast => self.sim.clock().now(),
        };
        for d in dests {
            if d.mod_id == consts::DISPLAY_MOD_ID {
                // The VO copies the frame into its layer: the buffer is not held.
                if let Err(e) = self.sim.vo_push_video(d.chn, &info) {
                    st.stats.dropped_by_display += 1;
                    warn!(
                        "vicap dev{} chn{c} -> display layer {}: {e}",
                        self.dev, d.chn
                    );
                }
                continue;
            }
            match self.sim.push_bound(d.chn, &info, captured) {
                Ok(true) => {
                    st.stats.frames_delivered += 1;
                    st.stats.last_pts_delivered = info.pts;
                    if let Some(chn) = st.chans[c].as_mut() {
                        chn.hold(slot, d.chn, info.pts);
                    }
                }
                Ok(false) => st.stats.dropped_by_encoder += 1,
                Err(e) => {
                    st.stats.dropped_by_encoder += 1;
                    warn!("vicap dev{} chn{c} -> venc {}: {e}", self.dev, d.chn);
                }
            }
        }
        Some(st)
    }
}
