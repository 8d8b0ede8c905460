//! The channel's input queue: `send_frame` and a bound sensor's frames, checked, then queued for
//! the worker (or dropped and counted, as the firmware does).

use super::{Channel, ChannelStats, Phase};
use crate::mmz::MediaMemory;
use log::{info, warn};
use std::time::Duration;
use venc_core::fault::FaultPoint;
use venc_core::layout::{uv_size, y_size};
use venc_core::{ChnAttr, K230, VencError, VideoFrameInfo, consts};

impl Channel {
    pub(crate) fn send_frame(
        &self,
        mem: &MediaMemory,
        frame: &VideoFrameInfo,
        timeout_ms: i32,
        strict: bool,
    ) -> Result<(), VencError> {
        let place = format_args!("venc ch{} send_frame pts {}", self.id, frame.pts);
        if let Some(code) = self.struck_call(FaultPoint::SendFrame, timeout_ms, place) {
            // As a full queue answers: the frame is still the caller's.
            warn!("venc ch{}: VENC_BUSY (input queue full)", self.id);
            return Err(code);
        }
        self.enqueue(mem, frame, timeout_ms, strict, None).map(drop)
    }

    /// `send_frame`, reporting whether the frame was queued (`false`: dropped and counted).
    /// `captured`: a bound frame's frame time, when it reached the channel on the board (a
    /// sent frame arrives now).
    fn enqueue(
        &self,
        mem: &MediaMemory,
        frame: &VideoFrameInfo,
        timeout_ms: i32,
        strict: bool,
        captured: Option<Duration>,
    ) -> Result<bool, VencError> {
        let mut st = self.lock();
        let depth = K230.input_queue_depth;
        if timeout_ms != 0 && st.input.len() >= depth && st.phase == Phase::Started {
            st = self
                .wait_until(&self.space_cv, st, timeout_ms, |s| {
                    s.input.len() < depth || s.phase != Phase::Started
                })
                .map_err(|_| {
                    warn!("venc ch{}: VENC_BUSY (input queue full)", self.id);
                    VencError::Busy
                })?;
        }
        if st.phase != Phase::Started {
            // The kernel's venc_receive_input refuses, but send_frame ignores that and returns 0.
            st.stats.dropped_not_started += 1;
            info!(
                "venc ch{}: frame pts {} dropped: channel {:?}, not started",
                self.id, frame.pts, st.phase
            );
            return Ok(false);
        }
        if st.input.len() >= depth {
            st.stats.dropped_input_overflow += 1;
            warn!(
                "venc ch{}: input overflow, wp {} rp 0: frame pts {} dropped",
                self.id,
                st.input.len(),
                frame.pts
            );
            return Ok(false);
        }
        let attr = st.attr.ok_or(VencError::NotPerm)?;
        check_frame(self.id, mem, frame, &attr, strict, &mut st.stats)?;
        let now = self.clock.now();
        st.input
            .push_back((*frame, captured.map_or(now, |t| t.min(now))));
        st.stats.frames_queued += 1;
        drop(st);
        self.clock.notify(&self.input_cv);
        Ok(true)
    }

    /// A bound frame: `send_frame` with timeout 0, reporting whether it was queued.
    pub(crate) fn push_bound(
        &self,
        mem: &MediaMemory,
        frame: &VideoFrameInfo,
        strict: bool,
        captured: Duration,
    ) -> Result<bool, VencError> {
        self.enqueue(mem, frame, 0, strict, Some(captured))
    }
}

/// Checks a frame before it is queued: what the simulator can tell the program early.
fn check_frame(
    chn: u32,
    mem: &MediaMemory,
    frame: &VideoFrameInfo,
    attr: &ChnAttr,
    strict: bool,
    stats: &mut ChannelStats,
) -> Result<(), VencError> {
    if frame.pixel_format != consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420 {
        warn!(
            "venc ch{chn}: pixel format {} not supported by the simulator (NV12 = 31 only)",
            frame.pixel_format
        );
        return Err(VencError::NotSupport);
    }
    if (frame.width, frame.height) != (attr.width, attr.height) {
        stats.size_mismatch_frames += 1;
        warn!(
            "venc ch{chn}: frame is {}x{}, channel is {}x{}: the VPU reads the channel size",
            frame.width, frame.height, attr.width, attr.height
        );
        if strict {
            return Err(VencError::IllegalParam);
        }
    }
    let odd_stride = frame.stride[..2].iter().any(|&s| s != 0 && s != attr.width);
    if odd_stride {
        if stats.stride_ignored_frames == 0 {
            warn!(
                "venc ch{chn}: stride {:?} is not read: the kernel derives the stride from the \
                 width ({}) and reads the rows packed, so rows padded to another stride come out \
                 sheared on the board (said once per channel; counted)",
                frame.stride, attr.width
            );
        }
        stats.stride_ignored_frames += 1;
        if strict {
            return Err(VencError::IllegalParam);
        }
    }
    let (y, uv) = (frame.phys_addr[0], frame.phys_addr[1]);
    let planes = [
        ("Y", y, y_size(attr.width, attr.height)),
        ("UV", uv, uv_size(attr.width, attr.height)),
    ];
    for (name, addr, len) in planes {
        if !mem.is_mapped(addr, len) {
            warn!(
                "venc ch{chn}: {name} plane 0x{addr:x}+{len} is not inside one media-memory block"
            );
            return Err(VencError::BadAddr);
        }
    }
    if planes.iter().any(|(_, a, _)| a % K230.plane_align != 0) {
        stats.misaligned_frames += 1;
        warn!(
            "venc ch{chn}: NV12 planes must be 4 KiB aligned (Y 0x{y:x}, UV 0x{uv:x}); \
             what silicon does otherwise is unverified"
        );
        if strict {
            return Err(VencError::IllegalParam);
        }
    }
    Ok(())
}
