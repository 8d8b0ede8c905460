//! `dilated`: the K230 timing model on a board clock that waits for a slow host. Whatever this
//! machine's speed, a bound camera's pictures come out with the model's latency and none is
//! dropped for want of a buffer; a program's timeouts and sleeps run in board time.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;
use venc_core::consts::*;
use venc_core::encoder::{H264_PROFILE_MAIN, H265_PROFILE_MAIN, Personality};
use venc_core::{ChnAttrStr, Encoder, StreamData};
use venc_sim::clock::ClockKind;
use venc_sim::sys::MediaManager;
use venc_sim::timing::{BoardProfile, VpuTiming};
use venc_sim::vicap::*;
use venc_sim::{SimOptions, Simulator};

fn dilated() -> Arc<Simulator> {
    Simulator::shared(SimOptions {
        timing: VpuTiming::Dilated(BoardProfile::K230),
        ..SimOptions::default()
    })
}

/// One frame time at 30 fps, as `frame_pts` counts it.
const FRAME: Duration = Duration::from_micros(1_000_000 / 30);

/// One test at a time: on a dilated clock whatever else this host runs is the program's own
/// time (D-047), so a test encoding 1080p H.265 beside another measuring latency would show up
/// in the other's figures.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

#[test]
fn a_1080p30_h265_camera_keeps_up_with_the_models_latency() {
    let _alone = alone();
    const FRAMES: usize = 90;
    let (w, h) = (1920, 1080);
    let sim = dilated();
    assert_eq!(sim.clock().kind(), ClockKind::Dilated);
    let sensor = Sensor::new(
        Arc::clone(&sim),
        0,
        SensorSource::Pattern,
        SensorOptions {
            timing: Timing::Realtime,
            ..SensorOptions::default()
        },
    );
    sensor.reset().unwrap();
    sensor.set_framesize(w, h, CAM_CHN_ID_0, 12).unwrap();
    sensor.set_pixformat(YUV420SP, CAM_CHN_ID_0).unwrap();
    let mut enc = Encoder::new(sim.clone());
    enc.set_out_bufs(0, 8, w, h).unwrap();
    let media = MediaManager::new(sim.clone(), Personality::CanMvNew);
    let link = media
        .link(
            sensor.bind_info(0).src,
            (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, 0),
        )
        .unwrap();
    media.init().unwrap();
    enc.create(0, &ChnAttrStr::new(K_PT_H265, H265_PROFILE_MAIN, w, h))
        .unwrap();
    enc.start(0).unwrap();
    let t0 = sim.clock().now();
    sensor.run().unwrap();
    let mut data = StreamData::new();
    let mut latency = Vec::new();
    while latency.len() < FRAMES {
        // Two seconds of board time without a picture would be a stall.
        assert_eq!(enc.get_stream(0, &mut data, 2000), Ok(0), "stalled");
        let arrived = sim.clock().now();
        for i in 0..data.pack_cnt as usize {
            if data.stream_type[i] != K_VENC_HEADER {
                // Frame n is captured at n/30 s and stamped (n + 1)/30 s (`frame_pts`).
                let captured = t0 + Duration::from_micros(data.pts[i]) - FRAME;
                latency.push(arrived.saturating_sub(captured));
            }
        }
        enc.release_stream(0, &data).unwrap();
    }
    sensor.stop();
    drop(link);
    enc.stop(0).unwrap();
    enc.destroy(0).unwrap();
    media.deinit();
    let stats = sensor.stats();
    assert_eq!(stats.dropped_no_buffer, 0, "{stats:?}");
    assert_eq!(stats.dropped_by_encoder, 0, "{stats:?}");
    // p50 and p99 within 1 ms of the model's 12.5 ms (1080p at 8 MP x 20 fps). What is over
    // is this program's own time after GetStream (its thread's scheduling included), which a
    // dilated clock counts as board time: on a host loaded by other work it grows.
    let model = millis(BoardProfile::K230.service_time(w, h));
    assert!((model - 12.5).abs() < 1e-9);
    latency.sort();
    let max = millis(latency[FRAMES - 1]);
    for (q, at) in [("p50", FRAMES / 2), ("p99", FRAMES * 99 / 100)] {
        let got = millis(latency[at]);
        assert!(
            got >= model - 0.01 && got - model < 1.0,
            "{q} latency {got:.2} ms (max {max:.2}), the model's {model} ms"
        );
    }
}

#[test]
fn timeouts_run_in_board_time_while_the_host_is_behind() {
    let _alone = alone();
    let sim = dilated();
    let clock = sim.clock().clone();
    // A picture booked on the VPU that the host is slow to finish: board time stands still.
    let booking = clock.book(|now| now + Duration::from_millis(1));
    let mut enc = Encoder::new(sim.clone());
    enc.set_out_bufs(0, 4, 320, 240).unwrap();
    enc.create(0, &ChnAttrStr::new(K_PT_H265, H265_PROFILE_MAIN, 320, 240))
        .unwrap();
    enc.start(0).unwrap();
    let waiter = {
        let sim = Arc::clone(&sim);
        std::thread::spawn(move || {
            let mut enc = Encoder::new(sim.clone());
            let mut data = StreamData::new();
            // Nothing is sent: a 20 ms GetStream times out 20 ms of board time later.
            let before = sim.clock().now();
            let got = enc.get_stream(0, &mut data, 20);
            (got, sim.clock().now() - before)
        })
    };
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        !waiter.is_finished(),
        "timed out while board time stood still"
    );
    drop(booking);
    let (got, waited) = waiter.join().unwrap();
    assert_eq!(got, Ok(-1));
    assert!(waited >= Duration::from_millis(20), "{waited:?}");
    assert!(waited < Duration::from_millis(40), "{waited:?}");
    enc.stop(0).unwrap();
    enc.destroy(0).unwrap();
}

#[test]
fn three_720p30_channels_see_the_models_latency() {
    let _alone = alone();
    // Three 1280x720 H.264 channels, each sending one frame per 33 ms of board time with one in
    // flight: the measured latencies against the model replayed on the same send instants
    // (one K230 encoder, first come first served).
    const FRAMES: u32 = 30;
    let (w, h) = (1280, 720);
    let sim = dilated();
    let clock = sim.clock().clone();
    let period = Duration::from_secs(1) / 30;
    let t0 = clock.now() + Duration::from_millis(20);
    let mut sends: Vec<(Duration, Duration)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..3u32)
            .map(|chn| {
                let sim = Arc::clone(&sim);
                let clock = clock.clone();
                s.spawn(move || {
                    let mpi: Arc<dyn venc_core::Mpi> = sim.clone();
                    let bufs = venc_harness::FrameBuffers::new(mpi.as_ref(), w, h, 2).unwrap();
                    let mut enc = Encoder::new(mpi);
                    let c = i64::from(chn);
                    enc.set_out_bufs(c, 8, w, h).unwrap();
                    enc.create(c, &ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, w, h))
                        .unwrap();
                    enc.start(c).unwrap();
                    let mut data = StreamData::new();
                    let mut out = Vec::new();
                    for k in 0..FRAMES {
                        clock.sleep_until(t0 + period * k);
                        let info = bufs.frame_info(
                            k as usize % 2,
                            venc_harness::UvPlacement::Vicap,
                            u64::from(k) + 1,
                        );
                        let sent = clock.now();
                        assert_eq!(enc.send_frame(c, &info, 1000), Ok(0));
                        let mut picture = false;
                        while !picture {
                            assert_eq!(enc.get_stream(c, &mut data, 2000), Ok(0));
                            picture = (0..data.pack_cnt as usize)
                                .any(|i| data.stream_type[i] != K_VENC_HEADER);
                            enc.release_stream(c, &data).unwrap();
                        }
                        out.push((sent, clock.now() - sent));
                    }
                    enc.stop(c).unwrap();
                    enc.destroy(c).unwrap();
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect()
    });
    sends.sort();
    let service = BoardProfile::K230.service_time(w, h);
    let mut free = Duration::ZERO;
    let mut model: Vec<f64> = sends
        .iter()
        .map(|(sent, _)| {
            let done = free.max(*sent) + service;
            free = done;
            millis(done - *sent)
        })
        .collect();
    let mut measured: Vec<f64> = sends.iter().map(|(_, l)| millis(*l)).collect();
    model.sort_by(f64::total_cmp);
    measured.sort_by(f64::total_cmp);
    let n = measured.len();
    for (q, at) in [("p50", n / 2), ("p99", n * 99 / 100)] {
        assert!(
            (measured[at] - model[at]).abs() < 1.0,
            "{q}: {:.2} ms measured, {:.2} ms modeled",
            measured[at],
            model[at]
        );
    }
}
