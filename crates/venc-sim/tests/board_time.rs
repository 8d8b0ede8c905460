//! Board time on any host: the K230 timing model on a `dilated` clock (the wall clock, waiting
//! for a slow host) and on a `deterministic` one (discrete events). Whatever this machine's
//! speed, a bound camera's pictures come out with the model's latency and none is dropped for
//! want of a buffer; a program's timeouts and sleeps run in board time; on the deterministic
//! clock a run's times and traces are the same every time, and backpressure drops exactly the
//! frames the model predicts.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;
use venc_core::Firmware;
use venc_core::bitstream::Codec;
use venc_core::consts::*;
use venc_core::encoder::{H264_PROFILE_MAIN, H265_PROFILE_MAIN};
use venc_core::{ChnAttrStr, Encoder, StreamData};
use venc_sim::clock::ClockKind;
use venc_sim::sys::{Link, MediaManager};
use venc_sim::timing::{BoardProfile, PictureCost, PictureKind, VpuTiming};
use venc_sim::vicap::*;
use venc_sim::{SimOptions, Simulator};

fn board(timing: VpuTiming) -> Arc<Simulator> {
    Simulator::shared(SimOptions {
        timing,
        ..SimOptions::default()
    })
}

fn dilated() -> Arc<Simulator> {
    board(VpuTiming::Dilated(BoardProfile::K230))
}

/// Both clocks that keep the board's time whatever the host's speed.
const BOARD_TIMES: [VpuTiming; 2] = [
    VpuTiming::Dilated(BoardProfile::K230),
    VpuTiming::Deterministic(BoardProfile::K230),
];

/// One frame time at 30 fps, as `frame_pts` counts it.
const FRAME: Duration = Duration::from_micros(1_000_000 / 30);

/// One test at a time: on a dilated clock whatever else this host runs is the program's own
/// time (D-047), so a test encoding 1080p H.265 beside another measuring latency would show up
/// in the other's figures. (A deterministic clock needs no such care; its tests take it to
/// leave the dilated ones the machine.)
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// What a program saw of a bound camera's stream: per GetStream, the board time it returned
/// and its packs (type, size, pts).
type Trace = Vec<(Duration, Vec<(u32, u32, u64)>)>;

/// The pictures of a trace: (board time GetStream returned it, pts).
fn pictures(trace: &Trace) -> Vec<(Duration, u64)> {
    trace
        .iter()
        .flat_map(|(at, packs)| {
            packs
                .iter()
                .filter(|p| p.0 != K_VENC_HEADER)
                .map(move |p| (*at, p.2))
        })
        .collect()
}

/// A bound camera (`w`x`h` at 30 fps, `codec`) streamed for `frames` pictures; the trace and
/// the sensor's drops.
/// A paced camera (`frame_limit` frames at most) bound to channel 0, created and started:
/// the sensor, the encoder, the media manager and the link, for the caller to run and end.
fn camera_on_channel_0(
    sim: &Arc<Simulator>,
    codec: u32,
    w: u32,
    h: u32,
    frame_limit: Option<u64>,
) -> (Sensor, Encoder, MediaManager, Link) {
    let sensor = Sensor::new(
        Arc::clone(sim),
        0,
        SensorSource::Pattern,
        SensorOptions {
            timing: Timing::Realtime,
            frame_limit,
            ..SensorOptions::default()
        },
    );
    sensor.reset().unwrap();
    sensor.set_framesize(w, h, CAM_CHN_ID_0, 12).unwrap();
    sensor.set_pixformat(YUV420SP, CAM_CHN_ID_0).unwrap();
    let mut enc = Encoder::new(sim.clone());
    enc.set_out_bufs(0, 8, w, h).unwrap();
    let media = MediaManager::new(sim.clone(), Firmware::CanMv2026Jan);
    let link = media
        .link(
            sensor.bind_info(0).src,
            (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, 0),
        )
        .unwrap();
    media.init().unwrap();
    let profile = if codec == K_PT_H265 {
        H265_PROFILE_MAIN
    } else {
        H264_PROFILE_MAIN
    };
    enc.create(0, &ChnAttrStr::new(codec, profile, w, h))
        .unwrap();
    enc.start(0).unwrap();
    (sensor, enc, media, link)
}

fn bound_camera(
    timing: VpuTiming,
    codec: u32,
    w: u32,
    h: u32,
    frames: usize,
) -> (Trace, SensorStats, Duration) {
    let sim = board(timing);
    assert_eq!(sim.clock().kind(), timing.clock_kind());
    let (sensor, mut enc, media, link) = camera_on_channel_0(&sim, codec, w, h, None);
    let before = sim.clock().now();
    sensor.run().unwrap();
    // The sensor's clock starts in `run`, after the call's own cost on a deterministic board.
    let t0 = before
        + match timing.clock_kind() {
            ClockKind::Deterministic => venc_sim::clock::CALL_COST,
            _ => Duration::ZERO,
        };
    let mut data = StreamData::new();
    let mut trace = Trace::new();
    while pictures(&trace).len() < frames {
        // Two seconds of board time without a picture would be a stall.
        assert_eq!(
            enc.get_stream(0, &mut data, 2000),
            Ok(0),
            "stalled; pass-overs {}",
            sim.clock().pass_overs()
        );
        let arrived = sim.clock().now() - t0;
        let packs = (0..data.pack_cnt as usize)
            .map(|i| (data.stream_type[i], data.data_size[i], data.pts[i]))
            .collect();
        trace.push((arrived, packs));
        enc.release_stream(0, &data).unwrap();
    }
    sensor.stop();
    drop(link);
    enc.stop(0).unwrap();
    enc.destroy(0).unwrap();
    media.deinit();
    if timing.clock_kind() == ClockKind::Deterministic {
        // Nothing was passed over, however long the host took for a picture.
        assert_eq!(sim.clock().pass_overs(), 0);
    }
    (trace, sensor.stats(), sim.clock().now())
}

#[test]
fn a_1080p30_h265_camera_keeps_up_with_the_models_latency() {
    let _alone = alone();
    const FRAMES: usize = 90;
    let (w, h) = (1920, 1080);
    for timing in BOARD_TIMES {
        let (trace, stats, _) = bound_camera(timing, K_PT_H265, w, h, FRAMES);
        assert_eq!(stats.dropped_no_buffer, 0, "{timing:?} {stats:?}");
        assert_eq!(stats.dropped_by_encoder, 0, "{timing:?} {stats:?}");
        // Frame n is captured at n/30 s and stamped (n + 1)/30 s (`frame_pts`).
        let mut latency: Vec<Duration> = pictures(&trace)
            .iter()
            .map(|(arrived, pts)| arrived.saturating_sub(Duration::from_micros(*pts) - FRAME))
            .collect();
        // Never earlier than the model's 12.5 ms (1080p at 8 MP x 20 fps), on either clock.
        let model = millis(BoardProfile::K230.picture_time(Codec::H265, PictureKind::P, w, h));
        assert!((model - 12.5).abs() < 1e-9);
        latency.sort();
        let (min, max) = (millis(latency[0]), millis(latency[FRAMES - 1]));
        assert!(
            min >= model - 0.002,
            "{timing:?} a picture {min:.3} ms after capture, the model's {model} ms"
        );
        // On the deterministic clock p50 and p99 within the program's own board calls' costs
        // (an IDR's picture pack comes a GetStream after its header) and the microsecond
        // `frame_pts` rounds off. On the dilated clock the program's thread's own scheduling
        // is board time (D-047), and on this host it shares the cores with the codec's
        // threads: a slice of preemption lands in the tail, so only the median is held to
        // 1 ms (a host encode leaking into board time would move every picture).
        let checked: &[(&str, usize, f64)] = match timing {
            VpuTiming::Deterministic(_) => &[
                ("p50", FRAMES / 2, millis(venc_sim::clock::CALL_COST * 4)),
                (
                    "p99",
                    FRAMES * 99 / 100,
                    millis(venc_sim::clock::CALL_COST * 4),
                ),
            ],
            _ => &[("p50", FRAMES / 2, 1.0)],
        };
        for &(q, at, within) in checked {
            let got = millis(latency[at]);
            assert!(
                got - model < within,
                "{timing:?} {q} latency {got:.3} ms (max {max:.3}), the model's {model} ms"
            );
        }
    }
}

#[test]
fn a_deterministic_run_is_the_same_every_time() {
    let _alone = alone();
    let timing = VpuTiming::Deterministic(BoardProfile::K230);
    // 720p H.264 and H.265 at 30 fps: the same packs at the same board times, twice.
    for codec in [K_PT_H264, K_PT_H265] {
        let first = bound_camera(timing, codec, 1280, 720, 45);
        let second = bound_camera(timing, codec, 1280, 720, 45);
        assert_eq!(first.0, second.0, "codec {codec}: traces differ");
        assert_eq!(format!("{:?}", first.1), format!("{:?}", second.1));
        assert_eq!(first.2, second.2, "the runs ended at different board times");
        // 45 pictures at 30 fps: the last is captured at 44/30 s and placed 5.56 ms later.
        let last = pictures(&first.0).last().unwrap().0;
        let want = Duration::from_secs(44) / 30
            + BoardProfile::K230.picture_time(Codec::H264, PictureKind::P, 1280, 720);
        assert!(
            last.abs_diff(want) < Duration::from_micros(2),
            "last picture at {last:?}, the model's {want:?}"
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
    for timing in BOARD_TIMES {
        three_720p30_channels(timing);
    }
}

fn three_720p30_channels(timing: VpuTiming) {
    // Three 1280x720 H.264 channels, each sending one frame per 33 ms of board time with one in
    // flight: the measured latencies against the model replayed on the same send instants
    // (one K230 encoder, first come first served).
    const FRAMES: u32 = 30;
    let (w, h) = (1280, 720);
    let sim = board(timing);
    let clock = sim.clock().clone();
    let period = Duration::from_secs(1) / 30;
    let t0 = clock.now() + Duration::from_millis(20);
    let mut sends: Vec<(Duration, Duration)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..3u32)
            .map(|chn| {
                let sim = Arc::clone(&sim);
                let clock = clock.clone();
                // Taken here, in channel order: the same order on every deterministic run.
                let ticket = clock.ticket();
                s.spawn(move || {
                    ticket.board();
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
    let service = BoardProfile::K230.picture_time(Codec::H264, PictureKind::P, w, h);
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
    // No picture faster than the VPU makes one, on either clock.
    assert!(
        measured[0] >= millis(service) - 0.002,
        "{timing:?}: a picture in {:.3} ms, the VPU's {:.3} ms",
        measured[0],
        millis(service)
    );
    // On the dilated clock three program threads share two host cores with the codec's:
    // when one is preempted between reading its send time and sending, or after its
    // GetStream, that is board time (D-047) and reorders the queue against the model's
    // replay, so only the median is held there; the deterministic clock holds the tail.
    let n = measured.len();
    let quantiles: &[(&str, usize)] = match timing {
        VpuTiming::Deterministic(_) => &[("p50", n / 2), ("p99", n * 99 / 100)],
        _ => &[("p50", n / 2)],
    };
    for &(q, at) in quantiles {
        assert!(
            (measured[at] - model[at]).abs() < 1.0,
            "{timing:?} {q}: {:.2} ms measured, {:.2} ms modeled",
            measured[at],
            model[at]
        );
    }
}

#[test]
fn deterministic_timeouts_fire_at_their_board_deadline() {
    let _alone = alone();
    let sim = board(VpuTiming::Deterministic(BoardProfile::K230));
    let clock = sim.clock().clone();
    let mut enc = Encoder::new(sim.clone());
    enc.set_out_bufs(0, 4, 320, 240).unwrap();
    enc.create(0, &ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, 320, 240))
        .unwrap();
    enc.start(0).unwrap();
    let mut data = StreamData::new();
    for timeout in [1, 20, 300, 5000] {
        let before = clock.now();
        // Nothing is sent: the call times out `timeout` ms of board time later (after its
        // own cost), never early, and takes no host time to do so.
        let host = std::time::Instant::now();
        assert_eq!(enc.get_stream(0, &mut data, timeout), Ok(-1));
        let waited = clock.now() - before;
        // Past the deadline by the calls' own costs only (the facade makes two).
        let over = waited.checked_sub(Duration::from_millis(timeout as u64));
        assert!(
            over.is_some_and(|o| o <= venc_sim::clock::CALL_COST * 4),
            "{timeout} ms timed out after {waited:?}"
        );
        assert!(
            host.elapsed() < Duration::from_secs(1),
            "{:?}",
            host.elapsed()
        );
    }
    enc.stop(0).unwrap();
    enc.destroy(0).unwrap();
    assert_eq!(clock.pass_overs(), 0);
}

#[test]
fn backpressure_drops_exactly_the_frames_the_model_predicts() {
    let _alone = alone();
    // 640x480 H.264 sent every 1 ms with timeout 0: the VPU takes 1.85 ms a picture, the
    // 30-deep input queue fills, and then a frame is dropped whenever it is full (`input
    // overflow`). The model replayed on the same send times says which.
    const FRAMES: u64 = 200;
    let (w, h) = (640, 480);
    let sim = board(VpuTiming::Deterministic(BoardProfile::K230));
    let clock = sim.clock().clone();
    let mpi: Arc<dyn venc_core::Mpi> = sim.clone();
    let bufs = venc_harness::FrameBuffers::new(mpi.as_ref(), w, h, 1).unwrap();
    let mut enc = Encoder::new(mpi);
    enc.set_out_bufs(0, 16, w, h).unwrap();
    enc.create(0, &ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, w, h))
        .unwrap();
    enc.start(0).unwrap();
    let t0 = clock.now() + Duration::from_millis(1);
    let period = Duration::from_millis(1);
    let mut data = StreamData::new();
    let mut sent = Vec::new();
    let mut received = Vec::new();
    let mut drain = |enc: &mut Encoder, received: &mut Vec<u64>, timeout| {
        while enc.get_stream(0, &mut data, timeout) == Ok(0) {
            for i in 0..data.pack_cnt as usize {
                if data.stream_type[i] != K_VENC_HEADER {
                    received.push(data.pts[i]);
                }
            }
            enc.release_stream(0, &data).unwrap();
        }
    };
    for k in 0..FRAMES {
        clock.sleep_until(t0 + period * k as u32);
        let info = bufs.frame_info(0, venc_harness::UvPlacement::Vicap, k + 1);
        // The frame reaches the channel when the call is done with its cost.
        sent.push((k + 1, clock.now() + venc_sim::clock::CALL_COST));
        assert_eq!(enc.send_frame(0, &info, 0), Ok(0));
        drain(&mut enc, &mut received, 0);
    }
    // The queue drains at the VPU's pace: wait until every accepted picture is out.
    drain(&mut enc, &mut received, 200);
    let stats = sim.channel_stats(0).unwrap();
    enc.stop(0).unwrap();
    enc.destroy(0).unwrap();
    // The model: one server, first come first served, service w*h / rate; a frame that
    // finds 30 frames waiting (not yet taken by the VPU) is dropped.
    let service = BoardProfile::K230.picture_time(Codec::H264, PictureKind::P, w, h);
    let depth = venc_core::limits::K230.input_queue_depth;
    let mut starts: Vec<Duration> = Vec::new();
    let mut free = Duration::ZERO;
    let mut accepted = Vec::new();
    for &(pts, at) in &sent {
        let waiting = starts.iter().filter(|&&s| s > at).count();
        if waiting >= depth {
            continue;
        }
        let start = free.max(at);
        free = start + service;
        starts.push(start);
        accepted.push(pts);
    }
    let dropped = FRAMES - accepted.len() as u64;
    assert!(
        dropped > 40,
        "the scenario must overflow: {dropped} dropped"
    );
    assert_eq!(stats.dropped_input_overflow, dropped, "{stats:?}");
    assert_eq!(received, accepted);
    assert_eq!(clock.pass_overs(), 0);
}

#[test]
fn a_loaded_profile_costs_each_picture_by_its_codec_and_kind() {
    let _alone = alone();
    // A board whose H.264 I pictures take twice a P picture's pixel time, plus 1 ms each: on
    // the deterministic clock every picture comes out exactly that late.
    let profile = BoardProfile::parse(
        r#"
        name = "two-speed"
        source = "a test"
        [h264]
        i_pixels_per_second = 50_000_000
        p_pixels_per_second = 100_000_000
        fixed_us = 1000
        [h265]
        i_pixels_per_second = 165_888_000
        p_pixels_per_second = 165_888_000
        [jpeg]
        i_pixels_per_second = 165_888_000
        p_pixels_per_second = 165_888_000
        "#,
    )
    .unwrap();
    let (w, h) = (1280, 720);
    let (trace, stats, _) = bound_camera(VpuTiming::Deterministic(profile), K_PT_H264, w, h, 65);
    assert_eq!(stats.dropped_no_buffer, 0, "{stats:?}");
    let mut seen = [0, 0];
    for (arrived, packs) in &trace {
        for &(kind, _, pts) in packs.iter().filter(|p| p.0 != K_VENC_HEADER) {
            let (cost, slot) = match kind {
                K_VENC_I_FRAME => (PictureKind::I, 0),
                _ => (PictureKind::P, 1),
            };
            seen[slot] += 1;
            let latency = arrived.saturating_sub(Duration::from_micros(pts) - FRAME);
            let want = profile.picture_time(Codec::H264, cost, w, h);
            // 18.4 ms for an I picture, 9.2 ms for a P one; over by the program's own calls
            // at most.
            assert!(
                latency >= want - Duration::from_micros(2)
                    && latency <= want + venc_sim::clock::CALL_COST * 4,
                "pts {pts} ({cost:?}): {latency:?}, the profile's {want:?}"
            );
        }
    }
    assert!(seen[0] >= 2 && seen[1] > 50, "I and P pictures: {seen:?}");
}

#[test]
fn a_camera_faster_than_the_vpu_drops_exactly_the_frames_the_model_predicts() {
    let _alone = alone();
    // 640x480 at 30 fps into a board whose VPU takes 47 ms a picture: the sensor's six
    // buffers fill (each held from capture until its picture is placed) and a frame whose
    // buffer is still held is dropped. The model replayed on the frame times says which.
    const FRAMES: u64 = 60;
    let (w, h) = (640, 480);
    let rate = 6_536_170; // 307 200 px / 47 ms
    let profile = BoardProfile {
        name: "slow",
        source: "a test",
        h264: PictureCost::flat(rate),
        h265: PictureCost::flat(rate),
        jpeg: PictureCost::flat(rate),
    };
    let sim = board(VpuTiming::Deterministic(profile));
    let (sensor, mut enc, media, link) = camera_on_channel_0(&sim, K_PT_H264, w, h, Some(FRAMES));
    sensor.run().unwrap();
    let mut data = StreamData::new();
    let mut received = Vec::new();
    // Until a second of board time passes with nothing: every frame captured and placed.
    while enc.get_stream(0, &mut data, 1000) == Ok(0) {
        for i in 0..data.pack_cnt as usize {
            if data.stream_type[i] != K_VENC_HEADER {
                received.push(data.pts[i]);
            }
        }
        enc.release_stream(0, &data).unwrap();
    }
    let stats = sensor.stats();
    sensor.stop();
    drop(link);
    enc.stop(0).unwrap();
    enc.destroy(0).unwrap();
    media.deinit();
    // The model: frame n whole at n/30 s; one encoder, first come first served, 47 ms a
    // picture; a frame is dropped when its channel's six buffers all hold pictures not yet
    // placed.
    let service = profile.picture_time(Codec::H264, PictureKind::P, w, h);
    let period = Duration::from_secs_f64(1.0 / 30.0);
    let mut done: Vec<Duration> = Vec::new();
    let mut accepted = Vec::new();
    for n in 0..FRAMES {
        let at = period.mul_f64(n as f64);
        if done.iter().filter(|&&d| d > at).count() >= 6 {
            continue;
        }
        let start = done.last().map_or(at, |&d| d.max(at));
        done.push(start + service);
        accepted.push(venc_harness::frame_pts(n, 30));
    }
    let dropped = FRAMES - accepted.len() as u64;
    assert!(
        dropped > 10,
        "the scenario must overflow: {dropped} dropped"
    );
    assert_eq!(stats.frames_captured, FRAMES, "{stats:?}");
    assert_eq!(stats.dropped_no_buffer, dropped, "{stats:?}");
    assert_eq!(received, accepted);
    assert_eq!(sim.clock().pass_overs(), 0);
}
