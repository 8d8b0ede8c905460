//! The manual's Example 1 over any backend: a camera bound to the encoder (`MediaManager.link`),
//! no SendFrame, read by the same [`Consumer`] Example 2 uses. The backend's camera comes in
//! through [`venc_core::camera::BoundCamera`]; the simulator's sensor is one.

use crate::example2::{POLL_MS, STALL_LIMIT, canmv, frame_released, query_status};
use crate::poll::{Poll, poll_until};
use crate::release::ReleaseWatch;
use crate::{Consumer, EncodeJob, EncodeRunError, EncodeSummary, PackEvent, PackSink};
use std::sync::Arc;
use std::time::Duration;
use venc_core::camera::{BoundCamera, CameraCounts};
use venc_core::{Encoder, Firmware, Mpi};

/// Why a bound run stopped.
#[derive(Debug, thiserror::Error)]
pub enum Example1Error {
    /// The encoder side failed, as in Example 2.
    #[error(transparent)]
    Pipeline(#[from] EncodeRunError),
    /// The camera (its setup, link or run) refused.
    #[error("{0}")]
    Camera(String),
}

/// Runs the manual's Example 1: `SetOutBufs`, then `bind` sets the camera up for `job` and
/// links it to the channel (it is given the facade's generation, which the media manager's
/// rules follow), then Create, Start, the camera's run, every frame's packs to `on_pack`, and
/// the teardown in the manual's order (camera, link, encoder, media manager). The program's
/// encoder calls go through `calls`. Ends when every frame the camera delivered is accounted
/// for (its pack arrived or the channel released it unencoded).
pub fn run_example1(
    calls: Arc<dyn Mpi>,
    job: &EncodeJob,
    bind: impl FnOnce(Firmware) -> Result<Arc<dyn BoundCamera>, String>,
    on_pack: impl FnMut(&PackEvent, &[u8]),
) -> Result<(EncodeSummary, CameraCounts), Example1Error> {
    let (w, h) = (job.attr.pic_width, job.attr.pic_height);
    let chn = i64::from(job.chn);
    let mpi = calls;
    let mut enc = Encoder::new(Arc::clone(&mpi));
    enc.set_out_bufs(chn, job.out_bufs, w, h)
        .map_err(canmv("SetOutBufs"))?;
    let camera = bind(enc.firmware()).map_err(Example1Error::Camera)?;
    let mut consumer = Consumer::new(job.chn, on_pack);
    // Board time: on a dilated clock the rate is the board's, not this machine's.
    let started = camera.now();
    let mut result: Result<(), Example1Error> = enc
        .create(chn, &job.attr)
        .map(drop)
        .map_err(|e| canmv("Create")(e).into());
    let created = result.is_ok();
    if created {
        result = enc
            .start(chn)
            .map(drop)
            .map_err(|e| canmv("Start")(e).into());
    }
    if result.is_ok() {
        result = match camera.run() {
            Ok(()) => drain_bound(camera.as_ref(), mpi.as_ref(), &mut enc, &mut consumer, job)
                .map_err(Example1Error::from),
            Err(e) => Err(Example1Error::Camera(e)),
        };
    }
    camera.stop();
    let stopped = if created {
        enc.stop(chn).map(drop)
    } else {
        Ok(())
    };
    let destroyed = if created {
        enc.destroy(chn).map(drop)
    } else {
        Ok(())
    };
    camera.deinit();
    let seconds = camera.now().saturating_sub(started).as_secs_f64();
    result?;
    stopped.map_err(canmv("Stop"))?;
    destroyed.map_err(canmv("Destroy"))?;
    let counts = camera.counts();
    let mut summary = consumer.into_summary();
    summary.finish(seconds, job.attr.src_frame_rate);
    summary.frames_sent = counts.frames_delivered as u32;
    summary.frames_dropped = (counts.frames_captured - u64::from(summary.frames_out)) as u32;
    Ok((summary, counts))
}

/// Fetches until the camera has passed `job.frames` frame times and the encoder has released
/// the last frame it was given with nothing left in the ring; fails after [`STALL_LIMIT`]
/// without progress.
fn drain_bound<F: PackSink>(
    camera: &dyn BoundCamera,
    mpi: &dyn Mpi,
    enc: &mut Encoder,
    consumer: &mut Consumer<F>,
    job: &EncodeJob,
) -> Result<(), EncodeRunError> {
    let mut get_index = 0;
    let mut watch = ReleaseWatch::new();
    let result = poll_until(
        STALL_LIMIT,
        Duration::ZERO,
        || {
            if consumer.fetch(enc, get_index, POLL_MS)? {
                get_index += 1;
                watch.moved();
                return Ok(Poll::Progress);
            }
            let counts = camera.counts();
            // Released is asked before the ring is counted: a frame released by then has its
            // packs counted in `cur_packs`.
            let released = frame_released(&mut watch, mpi, job.chn, counts.last_pts_delivered)?;
            let status = query_status(mpi, job.chn)?;
            let all_ticked =
                counts.frames_captured >= camera.frames_to_capture(u64::from(job.frames));
            Ok(if all_ticked && status.cur_packs == 0 && released {
                Poll::Done
            } else {
                Poll::Idle
            })
        },
        |waited| EncodeRunError::Stalled { pending: 0, waited },
    );
    // A stall names the frames delivered and not yet back.
    result.map_err(|e| match e {
        EncodeRunError::Stalled { waited, .. } => EncodeRunError::Stalled {
            pending: (camera.counts().frames_delivered
                - u64::from(consumer.summary().frames_received())) as usize,
            waited,
        },
        other => other,
    })
}
