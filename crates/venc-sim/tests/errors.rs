//! Every error path of the contract, each with the exact code or exception the board gives.
#![allow(clippy::unwrap_used)]

mod support;

use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;
use venc_core::consts::*;
use venc_core::encoder::{H264_PROFILE_MAIN, H265_PROFILE_MAIN};
use venc_core::{CanMvError, ChnAttrStr, Encoder, Firmware, Mpi, StreamData, VencError};
use venc_harness::source::TestPattern;
use venc_harness::{FrameBuffers, UvPlacement};
use venc_sim::timing::{BoardProfile, VpuTiming};
use venc_sim::{SimOptions, Simulator};

const W: u32 = 320;
const H: u32 = 240;

fn attr() -> ChnAttrStr {
    ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, W, H)
}

/// A simulator, an Encoder with `bufs` output blocks on channel `chn`, created (and started).
fn setup(chn: i64, bufs: u32, start: bool) -> (Arc<Simulator>, Encoder) {
    setup_on(Simulator::shared(SimOptions::default()), chn, bufs, start)
}

/// [`setup`] on a deterministic board: time moves only when every actor waits, so "nothing
/// happened for a while" is a fact of the model, not of how busy this host was.
fn setup_deterministic(chn: i64, bufs: u32, start: bool) -> (Arc<Simulator>, Encoder) {
    let timing = VpuTiming::Deterministic(BoardProfile::K230);
    let sim = Simulator::shared(SimOptions {
        timing,
        ..SimOptions::default()
    });
    setup_on(sim, chn, bufs, start)
}

fn setup_on(sim: Arc<Simulator>, chn: i64, bufs: u32, start: bool) -> (Arc<Simulator>, Encoder) {
    let mut enc = Encoder::new(sim.clone());
    enc.set_out_bufs(chn, bufs, W, H).unwrap();
    enc.create(chn, &attr()).unwrap();
    if start {
        enc.start(chn).unwrap();
    }
    (sim, enc)
}

/// Six pattern-filled NV12 buffers laid out as VICAP does.
fn buffers(sim: &Simulator) -> FrameBuffers {
    let bufs = FrameBuffers::new(sim, W, H, 6).unwrap();
    let n = (W * H) as usize;
    let (mut y, mut uv) = (vec![0; n], vec![0; n / 2]);
    for i in 0..6 {
        TestPattern::render(W, H, i as u32, &mut y, &mut uv);
        let (ya, uva) = bufs.planes(i);
        sim.write_mem(ya, &y).unwrap();
        sim.write_mem(uva, &uv).unwrap();
    }
    bufs
}

/// Polls until `done` holds; the worker is asynchronous. Fails after 20 s instead of hanging.
fn eventually(what: &str, done: impl FnMut() -> bool) {
    poll_until(what, done, std::thread::sleep);
}

/// [`eventually`] in `sim`'s board time (on a deterministic clock the poller must wait on the
/// board, or the other actors never get their turn).
fn eventually_on(sim: &Simulator, what: &str, done: impl FnMut() -> bool) {
    poll_until(what, done, |d| sim.clock().sleep(d));
}

fn poll_until(what: &str, mut done: impl FnMut() -> bool, wait: impl Fn(Duration)) {
    for _ in 0..2000 {
        if done() {
            return;
        }
        wait(Duration::from_millis(10));
    }
    panic!("timed out waiting for: {what}");
}

#[test]
fn channel_out_of_range_every_mpi_call() {
    let sim = Simulator::new(SimOptions::default());
    let a = attr().to_mpi();
    let f = venc_core::VideoFrameInfo::default();
    let mut packs = Vec::new();
    for chn in [4, 5, u32::MAX] {
        let e = VencError::InvalidChnId;
        assert_eq!(sim.create_chn(chn, &a), Err(e));
        assert_eq!(sim.start_chn(chn), Err(e));
        assert_eq!(sim.stop_chn(chn), Err(e));
        assert_eq!(sim.destroy_chn(chn), Err(e));
        assert_eq!(sim.enable_idr(chn, true), Err(e));
        assert_eq!(sim.request_idr(chn), Err(e));
        assert_eq!(sim.query_status(chn), Err(e));
        assert_eq!(sim.send_frame(chn, &f, 0), Err(e));
        assert_eq!(sim.get_stream(chn, 1, 0, &mut packs), Err(e));
        assert_eq!(sim.release_stream(chn, 1), Err(e));
        assert_eq!(sim.attach_vb_pool(chn, 0), Err(e));
        assert_eq!(sim.detach_vb_pool(chn), Err(e));
    }
}

#[test]
fn facade_raises_value_error_above_3_and_passes_negatives_to_the_mpi() {
    let sim = Simulator::shared(SimOptions::default());
    let mut enc = Encoder::new(sim);
    let mut sd = StreamData::new();
    let f = venc_core::VideoFrameInfo::default();
    let ve = |m: &'static str| CanMvError::ValueError { method: m, chn: 4 };
    assert_eq!(enc.set_out_bufs(4, 8, W, H).unwrap_err(), ve("create"));
    assert_eq!(enc.create(4, &attr()).unwrap_err(), ve("Create"));
    assert_eq!(enc.start(4).unwrap_err(), ve("Start"));
    assert_eq!(enc.send_frame(4, &f, 1000).unwrap_err(), ve("SendFrame"));
    assert_eq!(enc.get_stream(4, &mut sd, 0).unwrap_err(), ve("GetStream"));
    assert_eq!(enc.release_stream(4, &sd).unwrap_err(), ve("ReleaseStream"));
    assert_eq!(enc.stop(4).unwrap_err(), ve("Stop"));
    assert_eq!(enc.destroy(4).unwrap_err(), ve("Destroy"));
    assert_eq!(
        enc.create(4, &attr()).unwrap_err().to_string(),
        "ValueError: ('venc Create, chn id: ', 4, ' out of range 0 ~ 3')"
    );
    // No lower bound in the firmware: -1 becomes 0xFFFFFFFF in C and the MPI says INVALID_CHNID.
    let os = |m: &'static str| {
        Err(CanMvError::OsError {
            message: m,
            code: VencError::InvalidChnId,
        })
    };
    assert_eq!(enc.create(-1, &attr()), os("mpi venc create chn failed."));
    assert_eq!(enc.start(-1), os("mpi venc start failed."));
    assert_eq!(
        enc.get_stream(-1, &mut sd, 0),
        os("mpi venc query status failed.")
    );
    assert_eq!(
        enc.send_frame(-1, &f, 0),
        Ok(VencError::InvalidChnId.as_canmv_int())
    );
}

#[test]
fn wrong_call_order_is_not_perm() {
    let (sim, mut enc) = setup(0, 4, false);
    let np = |m: &'static str| {
        Err(CanMvError::OsError {
            message: m,
            code: VencError::NotPerm,
        })
    };
    assert_eq!(
        enc.stop(0),
        np("mpi venc stop failed."),
        "stop before start"
    );
    enc.start(0).unwrap();
    assert_eq!(enc.start(0), np("mpi venc start failed."), "start twice");
    assert_eq!(
        sim.detach_vb_pool(0),
        Err(VencError::NotPerm),
        "detach while started"
    );
    assert_eq!(
        sim.attach_vb_pool(0, 0),
        Err(VencError::NotPerm),
        "attach while started"
    );
    assert_eq!(
        enc.destroy(0),
        np("mpi venc destroy failed."),
        "destroy while started"
    );
    enc.stop(0).unwrap();
    assert_eq!(enc.stop(0), np("mpi venc stop failed."), "stop twice");
    assert_eq!(
        enc.start(0),
        np("mpi venc start failed."),
        "start after stop"
    );
    enc.destroy(0).unwrap();
    assert_eq!(
        enc.destroy(0),
        np("mpi venc destroy failed."),
        "destroy twice"
    );
    assert_eq!(
        sim.start_chn(0),
        Err(VencError::NotPerm),
        "start never-created"
    );
    assert_eq!(sim.stop_chn(1), Err(VencError::NotPerm));
    assert_eq!(sim.destroy_chn(2), Err(VencError::NotPerm));
    // Restart needs destroy + create.
    enc.set_out_bufs(0, 4, W, H).unwrap();
    enc.create(0, &attr()).unwrap();
    enc.start(0).unwrap();
}

#[test]
fn create_twice_is_exist_and_without_out_bufs_is_nobuf() {
    let (sim, mut enc) = setup(1, 4, false);
    assert_eq!(
        enc.create(1, &attr()),
        Err(CanMvError::OsError {
            message: "mpi venc create chn failed.",
            code: VencError::Exist
        })
    );
    let mut bare = Encoder::new(sim.clone());
    assert_eq!(
        bare.create(2, &attr()),
        Err(CanMvError::OsError {
            message: "mpi venc create chn failed.",
            code: VencError::NoBuf
        })
    );
    assert_eq!(sim.attach_vb_pool(2, 999), Err(VencError::NoBuf));
}

#[test]
fn bad_attributes_are_rejected_at_create() {
    let sim = Simulator::shared(SimOptions::default());
    let pool = sim.create_pool(65536, 4).unwrap();
    sim.attach_vb_pool(0, pool).unwrap();
    let base = attr();
    let cases: Vec<(&str, ChnAttrStr, VencError)> = vec![
        (
            "width 112",
            ChnAttrStr {
                pic_width: 112,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "width 4112",
            ChnAttrStr {
                pic_width: 4112,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "width not /16",
            ChnAttrStr {
                pic_width: 328,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "height 62",
            ChnAttrStr {
                pic_height: 62,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "height 4098",
            ChnAttrStr {
                pic_height: 4098,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "odd height",
            ChnAttrStr {
                pic_height: 241,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "payload 7",
            ChnAttrStr {
                payload_type: 7,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "h264 + h265 profile",
            ChnAttrStr {
                profile: H265_PROFILE_MAIN,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "h265 + h264 profile",
            ChnAttrStr {
                payload_type: K_PT_H265,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "h265 main 10 (10-bit input)",
            ChnAttrStr {
                payload_type: K_PT_H265,
                profile: VENC_PROFILE_H265_MAIN_10,
                ..base
            },
            VencError::NotSupport,
        ),
        (
            "h265 profile 0",
            ChnAttrStr {
                payload_type: K_PT_H265,
                profile: 0,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "h264 profile 0",
            ChnAttrStr { profile: 0, ..base },
            VencError::IllegalParam,
        ),
        (
            "bitrate 0",
            ChnAttrStr {
                bit_rate: 0,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "src fps 0",
            ChnAttrStr {
                src_frame_rate: 0,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "high 10",
            ChnAttrStr {
                profile: VENC_PROFILE_H264_HIGH_10,
                ..base
            },
            VencError::NotSupport,
        ),
        (
            "jpeg quality 0",
            ChnAttrStr {
                payload_type: K_PT_JPEG,
                mjpeg_quality_factor: 0,
                ..base
            },
            VencError::IllegalParam,
        ),
        (
            "4096x4096 beyond openh264",
            ChnAttrStr {
                pic_width: 4096,
                pic_height: 4096,
                ..base
            },
            VencError::NotSupport,
        ),
    ];
    for (what, a, code) in cases {
        assert_eq!(sim.create_chn(0, &a.to_mpi()), Err(code), "{what}");
        assert_eq!(
            sim.channel_phase(0).unwrap(),
            venc_sim::venc::Phase::Idle,
            "{what}"
        );
    }
    for (payload, profile) in [
        (K_PT_H264, H264_PROFILE_MAIN),
        (K_PT_H265, H265_PROFILE_MAIN),
    ] {
        for (w, h) in [(128, 64), (1920, 1080), (3840, 2160)] {
            let a = ChnAttrStr {
                payload_type: payload,
                profile,
                pic_width: w,
                pic_height: h,
                ..base
            };
            sim.create_chn(0, &a.to_mpi()).unwrap();
            sim.destroy_chn(0).unwrap();
        }
    }
}

#[test]
fn idr_controls() {
    let (sim, _enc) = setup(0, 4, false);
    // Create already enabled IDR; enabling again before start is fine.
    sim.enable_idr(0, true).unwrap();
    sim.request_idr(0).unwrap();
    sim.start_chn(0).unwrap();
    assert_eq!(sim.enable_idr(0, true), Err(VencError::Busy), "after start");
    assert_eq!(
        sim.request_idr(3),
        Err(VencError::IllegalParam),
        "never created"
    );
    // Without enable_idr (v1.0 firmware) request_idr is refused.
    let sim2 = Simulator::shared(SimOptions::default());
    let mut v1 = Encoder::with_firmware(sim2.clone(), Firmware::CanMv2024Aug);
    v1.set_out_bufs(0, 4, W, H).unwrap();
    v1.create(0, &attr()).unwrap();
    assert_eq!(sim2.request_idr(0), Err(VencError::IllegalParam));
}

#[test]
fn request_idr_makes_the_next_frame_an_idr() {
    let (sim, mut enc) = setup(0, 8, true);
    let bufs = buffers(&sim);
    let mut sd = StreamData::new();
    let mut types = Vec::new();
    for i in 0..6 {
        if i == 3 {
            sim.request_idr(0).unwrap();
        }
        assert_eq!(
            enc.send_frame(0, &bufs.frame_info(i, UvPlacement::Vicap, i as u64), 1000),
            Ok(0)
        );
        eventually("frame encoded", || {
            sim.channel_stats(0).unwrap().frames_encoded == i as u64 + 1
        });
        assert_eq!(enc.get_stream(0, &mut sd, 0), Ok(0));
        types.extend_from_slice(&sd.stream_type[..sd.pack_cnt as usize]);
        enc.release_stream(0, &sd).unwrap();
    }
    assert_eq!(types, [3, 2, 1, 1, 3, 2, 1, 1]);
}

#[test]
fn send_frame_before_start_and_after_stop_returns_0_and_drops() {
    let (sim, mut enc) = setup(0, 4, false);
    let bufs = buffers(&sim);
    let f = bufs.frame_info(0, UvPlacement::Vicap, 0);
    assert_eq!(enc.send_frame(0, &f, 1000), Ok(0));
    assert_eq!(sim.channel_stats(0).unwrap().dropped_not_started, 1);
    let mut sd = StreamData::new();
    assert_eq!(enc.get_stream(0, &mut sd, 0), Ok(-1));
    assert_eq!(enc.last_mpi_error(), Some(VencError::NotReady));
    enc.start(0).unwrap();
    enc.stop(0).unwrap();
    assert_eq!(enc.send_frame(0, &f, 1000), Ok(0));
    let st = sim.channel_stats(0).unwrap();
    assert_eq!(
        (st.dropped_not_started, st.frames_queued, st.frames_encoded),
        (2, 0, 0)
    );
    // Never created: same firmware path, frame dropped with 0.
    assert_eq!(enc.send_frame(2, &f, 1000), Ok(0));
}

#[test]
fn get_stream_timeouts() {
    let (sim, mut enc) = setup(0, 4, true);
    let mut sd = StreamData::new();
    // 0: fails at once; >0: fails after waiting. Both -1 with NOTREADY behind.
    assert_eq!(enc.get_stream(0, &mut sd, 0), Ok(-1));
    assert_eq!(enc.get_stream(0, &mut sd, 30), Ok(-1));
    assert_eq!(enc.last_mpi_error(), Some(VencError::NotReady));
    // -1 waits until a pack arrives: it must not return before a frame is sent.
    let bufs = buffers(&sim);
    let (tx, rx) = mpsc::channel();
    let waiter = {
        let sim = sim.clone();
        std::thread::spawn(move || {
            let mut packs = Vec::new();
            let r = sim.get_stream(0, 1, -1, &mut packs);
            tx.send(()).unwrap();
            (r, packs)
        })
    };
    assert!(
        rx.recv_timeout(Duration::from_millis(200)).is_err(),
        "GetStream(-1) returned with nothing to return"
    );
    assert_eq!(
        enc.send_frame(0, &bufs.frame_info(0, UvPlacement::Vicap, 7), 1000),
        Ok(0)
    );
    let (r, packs) = waiter.join().unwrap();
    assert_eq!(r, Ok(()));
    assert_eq!(packs.len(), 1);
    assert_eq!(packs[0].pack_type, venc_core::PackType::Header);
    // v1.0 raises instead of returning -1.
    let mut v1 = Encoder::with_firmware(sim.clone(), Firmware::CanMv2024Aug);
    assert_eq!(
        v1.get_stream(3, &mut sd, -1),
        Err(CanMvError::OsError {
            message: "mpi venc get stream failed.",
            code: VencError::NotReady
        })
    );
}

#[test]
fn blocked_get_stream_wakes_with_notready_when_the_channel_is_destroyed() {
    let (sim, _enc) = setup(0, 4, false);
    let waiter = {
        let sim = sim.clone();
        std::thread::spawn(move || sim.get_stream(0, 1, -1, &mut Vec::new()))
    };
    std::thread::sleep(Duration::from_millis(50));
    sim.destroy_chn(0).unwrap();
    assert_eq!(waiter.join().unwrap(), Err(VencError::NotReady));
}

#[test]
fn full_input_queue_is_busy_after_the_timeout_or_drops_with_timeout_0() {
    // One output block: HEADER takes it, the I frame waits for a release that never comes, so the
    // encoder stalls and the 30-deep input queue fills.
    let (sim, mut enc) = setup(0, 1, true);
    let bufs = buffers(&sim);
    let f = |i: usize| bufs.frame_info(i, UvPlacement::Vicap, i as u64);
    assert_eq!(enc.send_frame(0, &f(0), 1000), Ok(0));
    eventually("stall on the I frame", || {
        sim.query_status(0).unwrap().cur_packs == 1
    });
    for i in 1..=30 {
        assert_eq!(enc.send_frame(0, &f(i), 1000), Ok(0), "frame {i}");
    }
    assert_eq!(
        enc.send_frame(0, &f(31), 20),
        Ok(VencError::Busy.as_canmv_int())
    );
    assert_eq!(enc.last_mpi_error(), Some(VencError::Busy));
    assert_eq!(
        enc.send_frame(0, &f(32), 0),
        Ok(0),
        "timeout 0: no check, dropped"
    );
    let st = sim.channel_stats(0).unwrap();
    assert_eq!(st.dropped_input_overflow, 1);
    assert_eq!(st.frames_queued, 31);
    // Stop: the stalled frame and the 30 queued ones are reported dropped, none lost silently.
    enc.stop(0).unwrap();
    let st = sim.channel_stats(0).unwrap();
    assert_eq!(st.frames_encoded + st.dropped_at_stop, st.frames_queued);
    assert_eq!(st.dropped_at_stop, 31);
}

#[test]
fn ring_overflow_overwrites_and_is_counted() {
    // 40 output blocks but a 30-pack ring: a consumer that never reads loses the oldest packs.
    let (sim, _enc) = setup(0, 40, true);
    let bufs = buffers(&sim);
    for i in 0..35 {
        sim.send_frame(0, &bufs.frame_info(i, UvPlacement::Vicap, i as u64), 1000)
            .unwrap();
    }
    eventually("35 frames encoded", || {
        sim.channel_stats(0).unwrap().frames_encoded == 35
    });
    let st = sim.channel_stats(0).unwrap();
    assert_eq!(st.packs_produced, 37, "HEADER+I at frames 0 and 30, 33 P");
    assert_eq!(st.packs_overwritten, 7);
    assert_eq!(sim.query_status(0).unwrap().cur_packs, 30);
    let mut packs = Vec::new();
    sim.get_stream(0, 30, 0, &mut packs).unwrap();
    // H0 I0 P1..P29 H30 I30 P31..P34: the first 7 are gone, P6 is the oldest left.
    assert_eq!(packs.first().unwrap().pts, 6, "oldest surviving pack");
    assert_eq!(
        packs
            .iter()
            .filter(|p| p.pack_type == venc_core::PackType::Header)
            .count(),
        1
    );
}

#[test]
fn unreleased_packs_stall_the_encoder() {
    // On the deterministic board: after 100 ms of board time with packs held, the worker has
    // had every chance to run, on any host.
    let (sim, mut enc) = setup_deterministic(0, 3, true);
    let bufs = buffers(&sim);
    let mut sd = StreamData::new();
    for i in 0..6 {
        enc.send_frame(0, &bufs.frame_info(i, UvPlacement::Vicap, i as u64), 1000)
            .unwrap();
    }
    eventually_on(&sim, "3 packs out", || {
        sim.channel_stats(0).unwrap().packs_produced == 3
    });
    // GetStream twice without ReleaseStream: the blocks stay held.
    assert_eq!(enc.get_stream(0, &mut sd, 0), Ok(0));
    assert_eq!(sd.pack_cnt, 3);
    sim.clock().sleep(Duration::from_millis(100));
    assert_eq!(
        sim.channel_stats(0).unwrap().packs_produced,
        3,
        "stalled while packs are held"
    );
    assert_eq!(enc.get_stream(0, &mut sd, 0), Ok(-1));
    // Releasing more than was handed out releases what there is and is counted.
    sd.pack_cnt = 5;
    enc.release_stream(0, &sd).unwrap();
    assert_eq!(sim.channel_stats(0).unwrap().over_releases, 1);
    // Three blocks back: three more packs (P3..P5), then it stalls again on the last frame.
    eventually_on(&sim, "encoding resumes", || {
        sim.channel_stats(0).unwrap().packs_produced == 6
    });
    assert_eq!(sim.channel_stats(0).unwrap().frames_encoded, 5);
    assert_eq!(sim.clock().pass_overs(), 0, "the run stayed deterministic");
}

#[test]
fn more_than_12_packs_queued_raises_index_error() {
    let (sim, mut enc) = setup(0, 20, true);
    let bufs = buffers(&sim);
    for i in 0..15 {
        enc.send_frame(0, &bufs.frame_info(i, UvPlacement::Vicap, i as u64), 1000)
            .unwrap();
    }
    eventually("15 frames encoded", || {
        sim.channel_stats(0).unwrap().frames_encoded == 15
    });
    let mut sd = StreamData::new();
    assert_eq!(
        enc.get_stream(0, &mut sd, 0),
        Err(CanMvError::IndexError { delivered: 16 })
    );
    // The kernel handed all 16 out; the program's ReleaseStream of pack_cnt frees them (FIFO).
    assert_eq!(sd.pack_cnt, 16);
    assert_eq!(sim.query_status(0).unwrap().cur_packs, 0);
    enc.release_stream(0, &sd).unwrap();
    assert_eq!(sim.channel_stats(0).unwrap().over_releases, 0);
}

#[test]
fn frame_address_checks() {
    let (sim, mut enc) = setup(0, 8, true);
    let bufs = buffers(&sim);
    let good = bufs.frame_info(0, UvPlacement::Vicap, 0);
    let unmapped = venc_core::VideoFrameInfo {
        phys_addr: [0x100, good.phys_addr[1], 0],
        ..good
    };
    assert_eq!(
        enc.send_frame(0, &unmapped, 1000),
        Ok(VencError::BadAddr.as_canmv_int())
    );
    let spill = venc_core::VideoFrameInfo {
        phys_addr: [good.phys_addr[0], good.phys_addr[0] + 1_000_000, 0],
        ..good
    };
    assert_eq!(
        enc.send_frame(0, &spill, 1000),
        Ok(VencError::BadAddr.as_canmv_int())
    );
    let nv21 = venc_core::VideoFrameInfo {
        pixel_format: PIXEL_FORMAT_YVU_SEMIPLANAR_420,
        ..good
    };
    assert_eq!(
        enc.send_frame(0, &nv21, 1000),
        Ok(VencError::NotSupport.as_canmv_int())
    );
    // Misaligned UV (the manual's fallback offset at 320x240): accepted with a warning by default…
    let fallback = bufs.frame_info(0, UvPlacement::ManualFallback, 0);
    assert_eq!(enc.send_frame(0, &fallback, 1000), Ok(0));
    assert_eq!(sim.channel_stats(0).unwrap().misaligned_frames, 1);
    // …and an error in strict mode, as is a frame size that is not the channel's.
    let strict = Simulator::shared(SimOptions {
        strict: true,
        ..SimOptions::default()
    });
    let mut enc2 = Encoder::new(strict.clone());
    enc2.set_out_bufs(0, 8, W, H).unwrap();
    enc2.create(0, &attr()).unwrap();
    enc2.start(0).unwrap();
    let bufs2 = buffers(&strict);
    let fallback2 = bufs2.frame_info(0, UvPlacement::ManualFallback, 0);
    assert_eq!(
        enc2.send_frame(0, &fallback2, 1000),
        Ok(VencError::IllegalParam.as_canmv_int())
    );
    let wrong_size = venc_core::VideoFrameInfo {
        width: 160,
        ..bufs2.frame_info(0, UvPlacement::Vicap, 0)
    };
    assert_eq!(
        enc2.send_frame(0, &wrong_size, 1000),
        Ok(VencError::IllegalParam.as_canmv_int())
    );
    assert_eq!(
        enc.send_frame(0, &wrong_size_on(&bufs), 1000),
        Ok(0),
        "default: warning only"
    );
    assert_eq!(sim.channel_stats(0).unwrap().size_mismatch_frames, 1);
    // A stride other than 0 or the width is not read (the kernel's is the width): counted and
    // warned, an error in strict mode; 0 (what CanMV leaves) and the width are not counted.
    let with_stride = |bufs: &FrameBuffers, slot: usize, stride: u32| venc_core::VideoFrameInfo {
        stride: [stride, stride, 0],
        ..bufs.frame_info(slot, UvPlacement::Vicap, slot as u64)
    };
    for stride in [0, W] {
        assert_eq!(
            enc.send_frame(0, &with_stride(&bufs, 2, stride), 1000),
            Ok(0)
        );
    }
    assert_eq!(sim.channel_stats(0).unwrap().stride_ignored_frames, 0);
    for stride in [W + 64, u32::MAX] {
        assert_eq!(
            enc.send_frame(0, &with_stride(&bufs, 3, stride), 1000),
            Ok(0)
        );
    }
    assert_eq!(sim.channel_stats(0).unwrap().stride_ignored_frames, 2);
    assert_eq!(
        enc2.send_frame(0, &with_stride(&bufs2, 1, W * 2), 1000),
        Ok(VencError::IllegalParam.as_canmv_int())
    );
}

fn wrong_size_on(bufs: &FrameBuffers) -> venc_core::VideoFrameInfo {
    venc_core::VideoFrameInfo {
        height: 120,
        ..bufs.frame_info(1, UvPlacement::Vicap, 1)
    }
}

#[test]
fn pack_bytes_are_read_by_mapped_address_only_until_release() {
    let (sim, mut enc) = setup(0, 8, true);
    let bufs = buffers(&sim);
    enc.send_frame(0, &bufs.frame_info(0, UvPlacement::Vicap, 0), 1000)
        .unwrap();
    eventually("frame encoded", || {
        sim.channel_stats(0).unwrap().frames_encoded == 1
    });
    let mut sd = StreamData::new();
    assert_eq!(enc.get_stream(0, &mut sd, -1), Ok(0));
    assert_eq!(sd.pack_cnt, 2);
    let header = enc
        .bytearray_at(sd.data[0], u64::from(sd.data_size[0]))
        .unwrap();
    assert_eq!(
        &header[..5],
        &[0, 0, 0, 1, 0x67],
        "Annex-B, 4-byte start code, SPS first"
    );
    let mut direct = vec![0; sd.data_size[0] as usize];
    sim.read_mem(sd.phy_addr[0], &mut direct).unwrap();
    assert_eq!(direct, header, "data[i] maps phy_addr[i]");
    assert!(
        matches!(
            enc.bytearray_at(sd.phy_addr[0], 4),
            Err(CanMvError::BadAddress { .. })
        ),
        "physical address is not a user address"
    );
    assert!(
        enc.bytearray_at(sd.data[0], u64::from(sd.data_size[0]) + 1)
            .is_err(),
        "past the pack"
    );
    enc.release_stream(0, &sd).unwrap();
    assert!(
        enc.bytearray_at(sd.data[0], 4).is_err(),
        "unmapped after ReleaseStream"
    );
}

#[test]
fn multiple_channels_at_once() {
    let sim = Simulator::shared(SimOptions::default());
    let bufs = buffers(&sim);
    let mut encs: Vec<Encoder> = (0..4).map(|_| Encoder::new(sim.clone())).collect();
    for (c, enc) in encs.iter_mut().enumerate() {
        enc.set_out_bufs(c as i64, 16, W, H).unwrap();
        enc.create(c as i64, &attr()).unwrap();
        enc.start(c as i64).unwrap();
    }
    for i in 0..10 {
        for (c, enc) in encs.iter_mut().enumerate() {
            assert_eq!(
                enc.send_frame(
                    c as i64,
                    &bufs.frame_info(i, UvPlacement::Vicap, i as u64),
                    1000
                ),
                Ok(0)
            );
        }
    }
    for c in 0..4u32 {
        eventually("10 frames per channel", || {
            sim.channel_stats(c).unwrap().frames_encoded == 10
        });
        assert_eq!(sim.query_status(c).unwrap().cur_packs, 11);
    }
}

#[test]
fn frames_larger_than_the_output_block_are_dropped_and_counted() {
    // SetOutBufs sized for 16x16 gives 4 KiB blocks; a 320x240 noise IDR at 20 Mbps does not fit.
    let sim = Simulator::shared(SimOptions::default());
    let mut enc = Encoder::new(sim.clone());
    enc.set_out_bufs(0, 4, 16, 16).unwrap();
    enc.create(
        0,
        &ChnAttrStr {
            bit_rate: 20_000,
            ..attr()
        },
    )
    .unwrap();
    enc.start(0).unwrap();
    let bufs = buffers(&sim);
    // Deterministic noise: incompressible, so the encoded IDR is far beyond 4 KiB.
    let mut x = 0x2545_f491_u32;
    let noise: Vec<u8> = (0..W * H * 3 / 2)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect();
    let (y_noise, uv_noise) = noise.split_at((W * H) as usize);
    for i in 0..3 {
        let (ya, uva) = bufs.planes(i);
        sim.write_mem(ya, y_noise).unwrap();
        sim.write_mem(uva, uv_noise).unwrap();
        let info = bufs.frame_info(i, UvPlacement::Vicap, i as u64);
        assert_eq!(enc.send_frame(0, &info, 1000), Ok(0));
    }
    eventually("3 frames accounted for", || {
        let st = sim.channel_stats(0).unwrap();
        st.frames_encoded + st.dropped_oversize == 3
    });
    assert!(
        sim.channel_stats(0).unwrap().dropped_oversize >= 1,
        "the IDR cannot fit"
    );
    let mut packs = Vec::new();
    sim.get_stream(0, 30, 0, &mut packs).ok();
    assert!(
        packs.iter().all(|p| p.len <= 4096),
        "no pack overruns its block"
    );
}

#[test]
fn a_frame_whose_memory_is_freed_before_encoding_is_dropped_and_counted() {
    // One output block: frame 0's I pack waits behind its HEADER, so frame 1 sits in the queue
    // while its buffer pool is destroyed.
    let (sim, mut enc) = setup(0, 1, true);
    let bufs = buffers(&sim);
    assert_eq!(
        enc.send_frame(0, &bufs.frame_info(0, UvPlacement::Vicap, 0), 1000),
        Ok(0)
    );
    eventually("HEADER out, I waiting", || {
        sim.query_status(0).unwrap().cur_packs == 1
    });
    assert_eq!(
        enc.send_frame(0, &bufs.frame_info(1, UvPlacement::Vicap, 1), 1000),
        Ok(0)
    );
    sim.destroy_pool(bufs.pool).unwrap();
    let mut sd = StreamData::new();
    assert_eq!(enc.get_stream(0, &mut sd, 0), Ok(0));
    enc.release_stream(0, &sd).unwrap();
    eventually("frame 1 dropped", || {
        sim.channel_stats(0).unwrap().dropped_codec_error == 1
    });
    let st = sim.channel_stats(0).unwrap();
    assert_eq!((st.frames_queued, st.frames_encoded), (2, 1));
}
