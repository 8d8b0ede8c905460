//! The manual's Example 1 on the simulator: a sensor bound to the encoder with
//! `MediaManager.link`, no SendFrame. The consumer side is the harness's [`Consumer`], the same
//! one Example 2 uses on any backend.

use crate::Simulator;
use crate::sys::{MediaError, MediaManager};
use crate::vicap::{
    CAM_CHN_ID_0, Sensor, SensorError, SensorOptions, SensorSource, SensorStats, Timing, YUV420SP,
};
use std::sync::Arc;
use std::time::Duration;
use venc_core::{Encoder, Mpi, consts};
use venc_harness::example2::{POLL_MS, STALL_LIMIT, canmv, frame_released, query_status};
use venc_harness::poll::{Poll, poll_until};
use venc_harness::release::ReleaseWatch;
use venc_harness::{Consumer, EncodeJob, EncodeSummary, PackEvent, PipelineError};

/// Why a bound run stopped.
#[derive(Debug, thiserror::Error)]
pub enum Example1Error {
    /// The encoder side failed, as in Example 2.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// The sensor refused a call.
    #[error("Sensor: {0}")]
    Sensor(#[from] SensorError),
    /// MediaManager refused a call.
    #[error("MediaManager: {0}")]
    Media(#[from] MediaError),
}

/// Runs the manual's Example 1 on `sim`: a sensor bound to the encoder with
/// `MediaManager.link`, no SendFrame. The program's encoder calls go through `calls`: `sim`
/// itself, or a wrapper over it (a call trace, `venc encode --bind --trace`). The sensor delivers `job.frames` frames from `source` at
/// `job.attr.src_frame_rate`, paced by `timing`; every pack goes to `on_pack`; the sensor's statistics come back beside the counts. Ends when every
/// delivered frame is accounted for (its pack arrived or the channel released it unencoded).
pub fn run_example1(
    sim: Arc<Simulator>,
    calls: Arc<dyn Mpi>,
    job: &EncodeJob,
    source: SensorSource,
    timing: Timing,
    on_pack: impl FnMut(&PackEvent, &[u8]),
) -> Result<(EncodeSummary, SensorStats), Example1Error> {
    let (w, h) = (job.attr.pic_width, job.attr.pic_height);
    let chn = i64::from(job.chn);
    let sensor = Sensor::new(
        Arc::clone(&sim),
        0,
        source,
        SensorOptions {
            fps: job.attr.src_frame_rate,
            timing,
            frame_limit: Some(u64::from(job.frames)),
            ..SensorOptions::default()
        },
    );
    sensor.reset()?;
    sensor.set_framesize(w, h, CAM_CHN_ID_0, consts::VICAP_ALIGNMENT_4K)?;
    sensor.set_pixformat(YUV420SP, CAM_CHN_ID_0)?;
    let mpi = calls;
    let mut enc = Encoder::new(Arc::clone(&mpi));
    enc.set_out_bufs(chn, job.out_bufs, w, h)
        .map_err(canmv("SetOutBufs"))?;
    let media = MediaManager::new(Arc::clone(&sim), enc.personality());
    let link = media.link(
        sensor.bind_info(CAM_CHN_ID_0).src,
        (consts::VIDEO_ENCODE_MOD_ID, consts::VENC_DEV_ID, job.chn),
    )?;
    media.init()?;
    let mut consumer = Consumer::new(job.chn, on_pack);
    // Board time: on a dilated clock the rate is the board's, not this machine's.
    let started = sim.clock().now();
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
        result = match sensor.run() {
            Ok(()) => drain_bound(&sensor, mpi.as_ref(), &mut enc, &mut consumer, job)
                .map_err(Example1Error::from),
            Err(e) => Err(e.into()),
        };
    }
    // Teardown in the manual's order: sensor, link, encoder, media manager.
    sensor.stop();
    drop(link);
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
    media.deinit();
    let seconds = sim.clock().now().saturating_sub(started).as_secs_f64();
    result?;
    stopped.map_err(canmv("Stop"))?;
    destroyed.map_err(canmv("Destroy"))?;
    let stats = sensor.stats();
    let mut summary = consumer.into_summary();
    summary.finish(seconds, job.attr.src_frame_rate);
    summary.frames_sent = stats.frames_delivered as u32;
    summary.frames_dropped = (stats.frames_captured - u64::from(summary.frames_out)) as u32;
    Ok((summary, stats))
}

/// Fetches until the sensor has passed `job.frames` frame times and the encoder has released
/// the last frame it was given with nothing left in the ring; fails after [`STALL_LIMIT`]
/// without progress.
fn drain_bound<F: venc_harness::PackSink>(
    sensor: &Sensor,
    mpi: &dyn Mpi,
    enc: &mut Encoder,
    consumer: &mut Consumer<F>,
    job: &EncodeJob,
) -> Result<(), PipelineError> {
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
            let stats = sensor.stats();
            // Released is asked before the ring is counted: a frame released by then has its
            // packs counted in `cur_packs`.
            let released = frame_released(&mut watch, mpi, job.chn, stats.last_pts_delivered)?;
            let status = query_status(mpi, job.chn)?;
            let all_ticked = stats.frames_captured >= u64::from(job.frames);
            Ok(if all_ticked && status.cur_packs == 0 && released {
                Poll::Done
            } else {
                Poll::Idle
            })
        },
        |waited| PipelineError::Stalled { pending: 0, waited },
    );
    // A stall names the frames delivered and not yet back.
    result.map_err(|e| match e {
        PipelineError::Stalled { waited, .. } => PipelineError::Stalled {
            pending: (sensor.stats().frames_delivered
                - u64::from(consumer.summary().frames_received())) as usize,
            waited,
        },
        other => other,
    })
}
