//! The sensor, MediaManager and binding: the manual's Example 1, Example 2 on snapshot() frames,
//! and what goes wrong when they are misused.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::time::Duration;
use support::*;
use venc_core::Firmware;
use venc_core::bitstream::{Codec, NalKind};
use venc_core::consts::*;
use venc_core::encoder::{H264_PROFILE_MAIN, H265_PROFILE_MAIN};
use venc_core::{CanMvError, ChnAttrStr, Encoder, Mpi, StreamData, VencError};
use venc_harness::oracle::{decode, pattern_planes, psnr, psnr_yuv};
use venc_harness::source::ImageSequence;
use venc_harness::{EncodeJob, PackEvent, run_example1};
use venc_sim::sys::{MediaError, MediaManager};
use venc_sim::timing::{BoardProfile, VpuTiming};
use venc_sim::vicap::*;
use venc_sim::{SimOptions, Simulator};

fn sensor(sim: &Arc<Simulator>, timing: Timing) -> Sensor {
    Sensor::new(
        Arc::clone(sim),
        0,
        SensorSource::Pattern,
        SensorOptions {
            timing,
            ..SensorOptions::default()
        },
    )
}

fn configured(sim: &Arc<Simulator>, w: u32, h: u32, timing: Timing) -> Sensor {
    let s = sensor(sim, timing);
    s.reset().unwrap();
    s.set_framesize(w, h, CAM_CHN_ID_0, 12).unwrap();
    s.set_pixformat(YUV420SP, CAM_CHN_ID_0).unwrap();
    s
}

/// SetOutBufs, link camera channel 0 to encoder `chn`, MediaManager.init, Create (H.264 Main)
/// and Start: Example 1's setup.
fn bound_h264(
    sim: &Arc<Simulator>,
    s: &Sensor,
    chn: u32,
    (w, h): (u32, u32),
) -> (Encoder, MediaManager, venc_sim::sys::Link) {
    let c = i64::from(chn);
    let mut enc = Encoder::new(sim.clone());
    enc.set_out_bufs(c, 8, w, h).unwrap();
    let media = MediaManager::new(sim.clone(), Firmware::CanMv2026Jan);
    let link = media
        .link(s.bind_info(0).src, (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, chn))
        .unwrap();
    media.init().unwrap();
    enc.create(c, &ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, w, h))
        .unwrap();
    enc.start(c).unwrap();
    (enc, media, link)
}

fn bound_run(payload: u32, profile: u32, frames: u32) -> Run {
    let job = EncodeJob::example2(payload, profile, 800, 480, frames);
    let sim = Simulator::shared(SimOptions::default());
    let (mut stream, mut packs) = (Vec::new(), Vec::new());
    let feed = BoundFeed {
        chn: job.chn,
        width: 800,
        height: 480,
        fps: job.attr.src_frame_rate,
        frames,
        timing: Timing::Fast,
    };
    let mut bound = None;
    let (summary, counts) = run_example1(
        sim.clone(),
        &job,
        |firmware| {
            let s = BoundSensor::link(sim, SensorSource::Pattern, feed, firmware)?;
            bound = Some(Arc::clone(&s));
            Ok(s as Arc<dyn venc_core::camera::BoundCamera>)
        },
        |ev, b| {
            stream.extend_from_slice(b);
            packs.push((*ev, b.to_vec()));
        },
    )
    .unwrap();
    let sensor = bound.expect("bound").stats();
    assert_eq!(counts.frames_delivered, sensor.frames_delivered);
    Run {
        stream,
        packs,
        summary,
        sensor: Some(sensor),
    }
}

#[test]
fn example1_bound_800x480_200_frames_decode_with_board_pack_grammar() {
    let run = bound_run(K_PT_H264, H264_PROFILE_MAIN, 200);
    check_run(Codec::H264, &run, 800, 480, 200, 35.0);
    let stats = run.sensor.expect("a bound run has sensor stats");
    assert_eq!((stats.frames_delivered, stats.dropped_no_buffer), (200, 0));
}

#[test]
fn example1_bound_h265() {
    let run = bound_run(K_PT_H265, H265_PROFILE_MAIN, 40);
    check_run(Codec::H265, &run, 800, 480, 40, 35.0);
}

#[test]
fn example2_on_snapshot_frames_at_the_five_sizes_with_vicap_offsets() {
    for (w, h, pad) in [
        (800, 480, 1024u64),
        (1920, 1080, 3072),
        (640, 360, 3072),
        (1280, 720, 0),
        (320, 240, 1024),
    ] {
        let sim = Simulator::shared(SimOptions::default());
        let s = configured(&sim, w, h, Timing::Fast);
        s.run().unwrap();
        let mut enc = Encoder::new(sim.clone());
        enc.set_out_bufs(0, 8, w, h).unwrap();
        enc.create(0, &ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, w, h))
            .unwrap();
        enc.start(0).unwrap();
        let mut stream = Vec::new();
        let mut data = StreamData::new();
        let frames = 8;
        for _ in 0..frames {
            let img = s.snapshot(CAM_CHN_ID_0).unwrap();
            assert_eq!((img.width(), img.height()), (w, h));
            let y = img.phyaddr(0).unwrap();
            assert_eq!(y % 4096, 0, "Y at a 4 KiB block base");
            assert_eq!(
                img.phyaddr(1).unwrap() - y,
                u64::from(w * h) + pad,
                "{w}x{h}"
            );
            // What the manual's program builds by hand, with the right offset.
            let mut info = img.frame_info();
            info.phys_addr[1] = y + u64::from(w * h) + pad;
            assert_eq!(enc.send_frame(0, &info, 1000), Ok(0));
            while enc.get_stream(0, &mut data, 1000).unwrap() == 0 {
                for k in 0..data.pack_cnt as usize {
                    let mut bytes = Vec::new();
                    enc.read_mapped(data.data[k], u64::from(data.data_size[k]), &mut bytes)
                        .unwrap();
                    stream.extend_from_slice(&bytes);
                }
                enc.release_stream(0, &data).unwrap();
                if enc.mpi().query_status(0).unwrap().cur_packs == 0 {
                    break;
                }
            }
        }
        enc.stop(0).unwrap();
        enc.destroy(0).unwrap();
        let decoded = decode(Codec::H264, &stream, w as usize, h as usize).unwrap();
        assert_eq!(decoded.len(), frames as usize, "{w}x{h}");
        let (py, pu, pv) = psnr_yuv(&decoded, &pattern_planes(w, h, frames));
        assert!(
            py >= 35.0 && pu >= 35.0 && pv >= 35.0,
            "{w}x{h}: {py} {pu} {pv}"
        );
    }
}

#[test]
fn sensor_stopped_means_get_stream_100ms_is_notready() {
    let sim = Simulator::shared(SimOptions::default());
    let s = configured(&sim, 800, 480, Timing::Fast);
    let (mut enc, _media, _link) = bound_h264(&sim, &s, 0, (800, 480));
    let mut data = StreamData::new();
    assert_eq!(enc.get_stream(0, &mut data, 100), Ok(-1), "never run");
    assert_eq!(enc.last_mpi_error(), Some(VencError::NotReady));
    s.run().unwrap();
    assert_eq!(
        enc.get_stream(0, &mut data, 2000),
        Ok(0),
        "running: packs come"
    );
    enc.release_stream(0, &data).unwrap();
    s.stop();
    // Drain what was captured before the stop, then nothing more arrives.
    while enc.get_stream(0, &mut data, 300) == Ok(0) {
        enc.release_stream(0, &data).unwrap();
    }
    assert_eq!(enc.get_stream(0, &mut data, 100), Ok(-1), "stopped");
    assert_eq!(enc.last_mpi_error(), Some(VencError::NotReady));
}

#[test]
fn dropping_the_link_stops_frames_arriving() {
    // On the deterministic board: 200 ms of board time with nothing delivered is the model's
    // answer, whatever else this host was doing.
    let sim = Simulator::shared(SimOptions {
        timing: VpuTiming::Deterministic(BoardProfile::K230),
        ..SimOptions::default()
    });
    let s = configured(&sim, 320, 240, Timing::Realtime);
    let (mut enc, _media, link) = bound_h264(&sim, &s, 1, (320, 240));
    s.run().unwrap();
    let mut data = StreamData::new();
    assert_eq!(enc.get_stream(1, &mut data, 2000), Ok(0));
    enc.release_stream(1, &data).unwrap();
    drop(link);
    // A delivery already under way when the link went may still land: drain, then count.
    while enc.get_stream(1, &mut data, 300) == Ok(0) {
        enc.release_stream(1, &data).unwrap();
    }
    let delivered = s.stats().frames_delivered;
    sim.clock().sleep(Duration::from_millis(200));
    assert_eq!(
        s.stats().frames_delivered,
        delivered,
        "no frame after the unlink"
    );
    assert!(
        s.stats().frames_captured > delivered,
        "the sensor kept running"
    );
    assert_eq!(enc.get_stream(1, &mut data, 100), Ok(-1));
    assert_eq!(sim.clock().pass_overs(), 0, "the run stayed deterministic");
}

#[test]
fn bad_links_and_the_link_rules() {
    let sim = Simulator::shared(SimOptions::default());
    let media = MediaManager::new(sim.clone(), Firmware::CanMv2026Jan);
    let cam = (CAMERA_MOD_ID, 0, 0);
    let venc = (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, 0);
    for (src, dst, needle) in [
        ((CAMERA_MOD_ID, 0, 3), venc, "no camera device 0 channel 3"),
        ((CAMERA_MOD_ID, 3, 0), venc, "no camera device 3"),
        (
            (VIDEO_ENCODE_MOD_ID, 0, 0),
            venc,
            "source module 9 is not modeled",
        ),
        (
            cam,
            (CAMERA_MOD_ID, 0, 1),
            "destination module 6 is not modeled",
        ),
        (
            cam,
            (VIDEO_ENCODE_MOD_ID, 0, 4),
            "no encoder device 0 channel 4",
        ),
        (cam, (VIDEO_ENCODE_MOD_ID, 1, 0), "no encoder device 1"),
    ] {
        let e = media.link(src, dst).unwrap_err();
        assert!(matches!(e, MediaError::LinkFailed { .. }), "{e}");
        assert!(e.to_string().contains(needle), "{e}");
    }
    let first = media.link(cam, venc).unwrap();
    let again = media.link((CAMERA_MOD_ID, 0, 1), venc).unwrap_err();
    assert!(again.to_string().contains("already bound"), "{again}");
    drop(first);
    let _relinked = media.link((CAMERA_MOD_ID, 0, 1), venc).unwrap();
}

#[test]
fn sizes_formats_and_order_errors() {
    let sim = Simulator::shared(SimOptions::default());
    let s = sensor(&sim, Timing::Fast);
    assert_eq!(s.set_framesize(800, 480, 0, 12), Err(SensorError::NotReset));
    assert_eq!(s.run(), Err(SensorError::NotReset));
    s.reset().unwrap();
    assert_eq!(
        s.snapshot(0).unwrap_err(),
        SensorError::NotRunning,
        "before run"
    );
    assert_eq!(
        s.run(),
        Err(SensorError::NotConfigured(0)),
        "nothing configured"
    );
    for (w, h) in [(32, 240), (800, 32), (1936, 1080), (1920, 1088), (800, 481)] {
        assert!(
            matches!(
                s.set_framesize(w, h, 0, 12),
                Err(SensorError::SizeOutOfRange { .. })
            ),
            "{w}x{h}"
        );
    }
    assert_eq!(
        s.set_framesize(800, 480, 3, 12),
        Err(SensorError::BadChannel(3))
    );
    assert_eq!(
        s.set_framesize(800, 480, 0, 13),
        Err(SensorError::BadAlignment(13))
    );
    assert_eq!(
        s.set_framesize(810, 480, 0, 12),
        Ok((816, 480)),
        "aligned up to 16"
    );
    assert_eq!(
        s.set_pixformat(YUV420SP, 1),
        Err(SensorError::NotConfigured(1))
    );
    assert_eq!(s.set_pixformat(0, 0), Err(SensorError::PixFormat(0)));
    s.set_pixformat(YUV420SP, 0).unwrap();
    assert_eq!(s.snapshot(0).unwrap_err(), SensorError::NotRunning);
    s.run().unwrap();
    assert_eq!(s.run(), Err(SensorError::AlreadyRunning));
    assert_eq!(s.snapshot(1).unwrap_err(), SensorError::NotConfigured(1));
    let img = s.snapshot(0).unwrap();
    assert_eq!((img.width(), img.height()), (816, 480));
    assert_eq!(img.phyaddr(2), None);
    assert_eq!(s.bind_info(0).src, (CAMERA_MOD_ID, 0, 0).into());
}

#[test]
fn set_out_bufs_after_media_init_follows_the_firmware() {
    for (firmware, refused) in [
        (Firmware::CanMv2024Aug, true),
        (Firmware::CanMv2026Jan, false),
    ] {
        let sim = Simulator::shared(SimOptions::default());
        let media = MediaManager::new(sim.clone(), firmware);
        media.init().unwrap();
        let mut enc = Encoder::with_firmware(sim.clone(), firmware);
        let r = enc.set_out_bufs(0, 8, 800, 480);
        assert_eq!(
            matches!(r, Err(CanMvError::AssertionError { .. })),
            refused,
            "{firmware:?}"
        );
        let twice = media.init();
        assert_eq!(twice.is_err(), refused, "init twice, {firmware:?}");
        media.deinit();
        assert!(enc.set_out_bufs(0, 8, 800, 480).is_ok(), "after deinit");
    }
}

#[test]
fn image_sources_are_refused_or_scaled_never_cropped() {
    let dir = std::env::temp_dir().join(format!("venc-sensor-img-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..3u8 {
        image::RgbImage::from_fn(640, 360, |x, y| {
            image::Rgb([(x / 3) as u8, (y / 2) as u8, i * 80])
        })
        .save(dir.join(format!("{i}.png")))
        .unwrap();
    }
    let sim = Simulator::shared(SimOptions::default());
    let make = |fit| {
        let s = Sensor::new(
            sim.clone(),
            0,
            SensorSource::Frames {
                source: Box::new(ImageSequence::from_dir(&dir).unwrap()),
                fit,
            },
            SensorOptions::default(),
        );
        s.reset().unwrap();
        s.set_framesize(320, 180, 0, 12).unwrap();
        s.set_pixformat(YUV420SP, 0).unwrap();
        s
    };
    let refused = make(Fit::Refuse).run().unwrap_err().to_string();
    assert!(
        refused.contains("640x360") && refused.contains("320x180"),
        "{refused}"
    );
    let scaled = make(Fit::Scale);
    scaled.run().unwrap();
    let img = scaled.snapshot(0).unwrap();
    let bytes = img.to_bytes(&sim).unwrap();
    // Luma of the first image's top row, scaled by two: red ramps as x*2/3, green and blue are 0.
    let expect: Vec<u8> = (0..320u32)
        .map(|x| {
            let red = (x * 2 / 3) as i32;
            (((66 * red + 128) >> 8) + 16) as u8
        })
        .collect();
    let row = &bytes[..320];
    assert!(psnr(&[row], &[&expect]) > 25.0, "scaled, not cropped");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bound_input_faster_than_a_slow_consumer_drops_and_counts_never_corrupts() {
    let sim = Simulator::shared(SimOptions::default());
    let s = Sensor::new(
        sim.clone(),
        0,
        SensorSource::Pattern,
        SensorOptions {
            fps: 240,
            timing: Timing::Realtime,
            frame_limit: Some(120),
            ..SensorOptions::default()
        },
    );
    s.reset().unwrap();
    s.set_framesize(320, 240, 0, 12).unwrap();
    s.set_pixformat(YUV420SP, 0).unwrap();
    let (mut enc, _media, link) = bound_h264(&sim, &s, 0, (320, 240));
    s.run().unwrap();
    let mut data = StreamData::new();
    let mut packs: Vec<(PackEvent, Vec<u8>)> = Vec::new();
    // A consumer that takes 100 ms per GetStream round: at most 8 packs (the output blocks) per
    // round, 80 frames/s, against a sensor at 240 fps.
    while enc.get_stream(0, &mut data, 1000) == Ok(0) {
        for k in 0..data.pack_cnt as usize {
            let mut bytes = Vec::new();
            enc.read_mapped(data.data[k], u64::from(data.data_size[k]), &mut bytes)
                .unwrap();
            let ev = PackEvent {
                get_index: 0,
                pack_type: venc_core::PackType::from_code(data.stream_type[k]).unwrap(),
                size: data.data_size[k],
                pts: data.pts[k],
            };
            packs.push((ev, bytes));
        }
        enc.release_stream(0, &data).unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    s.stop();
    drop(link);
    enc.stop(0).unwrap();
    let sensor = s.stats();
    let venc = sim.channel_stats(0).unwrap();
    let frames: Vec<&(PackEvent, Vec<u8>)> = packs
        .iter()
        .filter(|(e, _)| e.stream_type() != K_VENC_HEADER)
        .collect();
    eprintln!(
        "sensor {sensor:?}\nvenc {venc:?}\n{} frames out",
        frames.len()
    );
    assert_eq!(sensor.frames_captured, 120);
    assert!(
        sensor.dropped_no_buffer + sensor.dropped_by_encoder > 0,
        "frames were dropped"
    );
    assert_eq!(
        sensor.frames_delivered + sensor.dropped_no_buffer + sensor.dropped_by_encoder,
        120,
        "every frame is delivered or counted as dropped"
    );
    // Every delivered frame is encoded or counted by the channel.
    assert_eq!(
        venc.frames_queued,
        venc.frames_encoded + venc.dropped_at_stop + venc.dropped_codec_error
    );
    // No pack left the ring without being counted: what came out is what was produced.
    assert_eq!(venc.packs_overwritten, 0);
    // Nothing corrupted: each frame pack's pts names the pattern frame it shows. The stream has
    // gaps, so decode it and compare each picture with the frame its pts names.
    let stream: Vec<u8> = packs.iter().flat_map(|(_, b)| b.iter().copied()).collect();
    let decoded = decode(Codec::H264, &stream, 320, 240).unwrap();
    assert_eq!(decoded.len(), frames.len());
    let all = pattern_planes(320, 240, 120);
    for (pic, (ev, bytes)) in decoded.iter().zip(&frames) {
        let tick = ((ev.pts * 240 + 500_000) / 1_000_000 - 1) as usize;
        let want = &all[tick];
        let p = psnr(&[&pic.y], &[&want.y]);
        assert!(
            p > 30.0,
            "frame pts {} shows frame {tick}? {p:.1} dB",
            ev.pts
        );
        let kinds = kinds(Codec::H264, bytes);
        assert!(
            kinds
                .iter()
                .all(|k| matches!(k, NalKind::IdrSlice | NalKind::NonIdrSlice))
        );
    }
}

#[test]
fn a_centred_crop_is_the_largest_window_of_the_output_s_aspect() {
    // 16:9 out of a 16:9 window: all of it; 4:3 out of 16:9: the middle 1440 columns.
    let full = Sensor::crop_rect(0, Crop::Centred, (640, 360), (1920, 1080)).unwrap();
    assert_eq!(
        full,
        Rect {
            x: 0,
            y: 0,
            w: 1920,
            h: 1080
        }
    );
    let middle = Sensor::crop_rect(0, Crop::Centred, (640, 480), (1920, 1080)).unwrap();
    assert_eq!(
        middle,
        Rect {
            x: 240,
            y: 0,
            w: 1440,
            h: 1080
        }
    );
    // A window smaller than the output, or outside the acquisition window, is refused.
    let small = Rect {
        x: 0,
        y: 0,
        w: 320,
        h: 240,
    };
    assert!(Sensor::crop_rect(1, Crop::Window(small), (640, 480), (1920, 1080)).is_err());
    let outside = Rect {
        x: 1600,
        y: 0,
        w: 640,
        h: 480,
    };
    let e = Sensor::crop_rect(1, Crop::Window(outside), (640, 480), (1920, 1080)).unwrap_err();
    assert!(e.to_string().contains("crop"), "{e}");
}

#[test]
fn a_paced_snapshot_is_the_next_frame_by_the_sensors_clock() {
    // 30 fps: frame n is stamped (n + 1) / 30 s. Back-to-back snapshots get consecutive
    // frames, each no earlier than its frame time; after a pause the next one is the frame
    // of that moment, not the one after the last snapshot; a frame is never returned twice.
    let sim = Simulator::shared(SimOptions::default());
    let s = configured(&sim, 320, 240, Timing::Realtime);
    // Read before run(): the sensor's clock starts in it, no earlier.
    let t0 = sim.clock().now();
    s.run().unwrap();
    let frame = Duration::from_micros(1_000_000 / 30);
    let mut pts = Vec::new();
    for _ in 0..4 {
        let img = s.snapshot(CAM_CHN_ID_0).unwrap();
        // Frame n is whole at n frame times after run().
        let n = img.pts() / 33_333 - 1;
        assert!(sim.clock().now() >= t0 + frame * n as u32 - Duration::from_millis(1));
        pts.push(img.pts());
    }
    for pair in pts.windows(2) {
        assert!((33_333..=33_334).contains(&(pair[1] - pair[0])), "{pts:?}");
    }
    sim.clock().sleep(Duration::from_millis(200));
    let later = s.snapshot(CAM_CHN_ID_0).unwrap().pts();
    let skipped = (later - pts[3]) / 33_333;
    assert!(skipped >= 6, "{pts:?} then {later}: six frame times passed");
    s.stop();
}

/// The capture thread re-takes the sensor's lock frame after frame when buffers come back at
/// once (unpaced, a null encoder drained at once, a picture that takes a while to draw): a
/// caller's `stats()` and `stop()` must still get through. Before the capture thread let
/// waiting callers in first, they waited behind hundreds of frames (minutes).
#[test]
fn stop_gets_through_a_capture_thread_that_never_waits() {
    let sim = Simulator::null();
    let s = Sensor::new(
        Arc::clone(&sim),
        0,
        SensorSource::Frames {
            source: Box::new(venc_harness::source::Still::color_bars(1920, 1080)),
            fit: Fit::Scale,
        },
        SensorOptions::default(),
    );
    s.reset().unwrap();
    s.set_framesize(1280, 720, CAM_CHN_ID_0, 12).unwrap();
    s.set_pixformat(YUV420SP, CAM_CHN_ID_0).unwrap();
    let (_enc, _media, _link) = bound_h264(&sim, &s, 0, (1280, 720));
    s.run().unwrap();
    let draining = std::sync::atomic::AtomicBool::new(true);
    let (done, stopped) = std::sync::mpsc::channel();
    std::thread::scope(|scope| {
        // A consumer that releases every pack at once, so buffers always come back.
        scope.spawn(|| {
            let mut packs = Vec::new();
            while draining.load(std::sync::atomic::Ordering::Relaxed) {
                if sim.get_stream(0, 8, 20, &mut packs).is_ok() {
                    sim.release_stream(0, packs.len() as u32).unwrap();
                }
            }
        });
        // The caller's side, each call taking the sensor's lock: counters, then stop.
        scope.spawn(|| {
            while s.stats().frames_delivered < 20 {
                std::thread::sleep(Duration::from_millis(5));
            }
            s.stop();
            done.send(()).unwrap();
        });
        // A hang bound, not a speed figure: one frame is milliseconds.
        let got_through = stopped.recv_timeout(Duration::from_secs(20)).is_ok();
        draining.store(false, std::sync::atomic::Ordering::Relaxed);
        assert!(got_through, "stats()/stop() did not get the sensor's lock");
    });
}

/// The SDK's per-channel buffer count and size (`k_vicap_chn_attr`): refused on a channel not
/// configured, with no buffer, or while running; taken by `run()` otherwise.
#[test]
fn a_channels_buffers_follow_set_buffers() {
    let sim = Simulator::null();
    let s = configured(&sim, 320, 240, Timing::Fast);
    assert!(matches!(
        s.set_buffers(CAM_CHN_ID_1, 3, 1 << 20),
        Err(SensorError::NotConfigured(1))
    ));
    assert!(matches!(
        s.set_buffers(CAM_CHN_ID_0, 0, 1 << 20),
        Err(SensorError::Source(_))
    ));
    s.set_buffers(CAM_CHN_ID_0, 3, 1 << 20).unwrap();
    s.run().unwrap();
    let image = s.snapshot(CAM_CHN_ID_0).unwrap();
    let (block_size, _, blocks) = sim.memory().pool_usage(image.poolid()).unwrap();
    assert_eq!((block_size, blocks), (1 << 20, 3));
    assert!(matches!(
        s.set_buffers(CAM_CHN_ID_0, 4, 1 << 20),
        Err(SensorError::AlreadyRunning)
    ));
    assert!(matches!(
        s.set_buffer_pool(CAM_CHN_ID_0, Some(image.poolid())),
        Err(SensorError::AlreadyRunning)
    ));
    s.stop();
    assert!(matches!(
        s.set_buffer_pool(1, None),
        Err(SensorError::NotConfigured(1))
    ));
}
