//! The CanMV `Encoder` facade per firmware firmware, on the null backend: one table of
//! scenarios, each run under both generations, with what a script sees (a return value or
//! the exception) written down for each.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;
use venc_core::consts::*;
use venc_core::encoder::H264_PROFILE_MAIN;
use venc_core::{CanMvError, ChnAttrStr, Encoder, Firmware, Mpi, StreamData};
use venc_harness::{FrameBuffers, UvPlacement};
use venc_sim::Simulator;
use venc_sim::sys::MediaManager;

const W: u32 = 320;
const H: u32 = 240;

/// What a script sees of a call.
fn seen<T: std::fmt::Display>(r: Result<T, CanMvError>) -> String {
    match r {
        Ok(v) => v.to_string(),
        Err(e) => format!("raise {e}"),
    }
}

fn attr(gop: u32) -> ChnAttrStr {
    ChnAttrStr {
        gop_len: gop,
        ..ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, W, H)
    }
}

/// SetOutBufs(bufs), Create, Start on channel 0.
fn started(sim: &Arc<Simulator>, p: Firmware, bufs: u32, gop: u32) -> Encoder {
    let mut enc = Encoder::with_firmware(sim.clone(), p);
    enc.set_out_bufs(0, bufs, W, H).unwrap();
    enc.create(0, &attr(gop)).unwrap();
    enc.start(0).unwrap();
    enc
}

fn wait_encoded(sim: &Simulator, frames: u64) {
    for _ in 0..2000 {
        if sim.channel_stats(0).unwrap().frames_encoded >= frames {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("{frames} frames never encoded");
}

/// Three frames at GOP 2, then GetStream(timeout=0) until the ring is empty: `pack_cnt` and
/// the stream types of each call.
fn packs_per_call(sim: &Arc<Simulator>, p: Firmware) -> String {
    let mut enc = started(sim, p, 16, 2);
    let bufs = FrameBuffers::new(sim.as_ref(), W, H, 3).unwrap();
    for i in 0..3 {
        let f = bufs.frame_info(i, UvPlacement::Vicap, 1000 * (i as u64 + 1));
        assert_eq!(enc.send_frame(0, &f, 1000), Ok(0));
    }
    wait_encoded(sim, 3);
    let mut sd = StreamData::new();
    let mut calls = Vec::new();
    while sim.query_status(0).unwrap().cur_packs > 0 {
        assert_eq!(enc.get_stream(0, &mut sd, 0), Ok(0));
        let types = &sd.stream_type[..sd.pack_cnt as usize];
        calls.push(format!("{}:{types:?}", sd.pack_cnt));
        enc.release_stream(0, &sd).unwrap();
    }
    calls.join(" ")
}

/// GetStream(timeout=0) with nothing queued.
fn get_stream_empty(sim: &Arc<Simulator>, p: Firmware) -> String {
    let mut enc = started(sim, p, 8, 30);
    seen(enc.get_stream(0, &mut StreamData::new(), 0))
}

/// 64 × SendFrame(timeout=0) with one output block, which stalls the encoder and fills the
/// queue (30 deep).
fn send_frame_full_queue(sim: &Arc<Simulator>, p: Firmware) -> String {
    let mut enc = started(sim, p, 1, 30);
    let bufs = FrameBuffers::new(sim.as_ref(), W, H, 1).unwrap();
    for i in 0..64 {
        let f = bufs.frame_info(0, UvPlacement::Vicap, 1000 * (i + 1));
        match enc.send_frame(0, &f, 0) {
            Ok(0) => {}
            other => return format!("after {i} frames: {}", seen(other)),
        }
    }
    "all 64 returned 0".into()
}

/// SetOutBufs once MediaManager.init() has run.
fn set_out_bufs_after_init(sim: &Arc<Simulator>, p: Firmware) -> String {
    let media = MediaManager::new(sim.clone(), p);
    media.init().unwrap();
    let mut enc = Encoder::with_firmware(sim.clone(), p);
    let r = seen(enc.set_out_bufs(0, 8, W, H).map(|()| "ok"));
    media.deinit();
    r
}

/// Create on channel 4, then on channel -1 (a huge `k_u32` in C), then on -2³² (whose low 32
/// bits are channel 0: still INVALID_CHNID, D-031).
fn create_bad_channels(sim: &Arc<Simulator>, p: Firmware) -> String {
    let mut enc = Encoder::with_firmware(sim.clone(), p);
    enc.set_out_bufs(0, 8, W, H).unwrap();
    format!(
        "{} / {} / {}",
        seen(enc.create(4, &attr(30))),
        seen(enc.create(-1, &attr(30))),
        seen(enc.create(-(1 << 32), &attr(30)))
    )
}

/// Start before Create, then Create and Start twice.
fn start_out_of_order(sim: &Arc<Simulator>, p: Firmware) -> String {
    let mut enc = Encoder::with_firmware(sim.clone(), p);
    let first = seen(enc.start(1));
    enc.set_out_bufs(1, 8, W, H).unwrap();
    enc.create(1, &attr(30)).unwrap();
    enc.start(1).unwrap();
    format!("{first} / {}", seen(enc.start(1)))
}

type Scenario = fn(&Arc<Simulator>, Firmware) -> String;

const BAD_CHANNELS: &str = "raise ValueError: ('venc Create, chn id: ', 4, ' out of range 0 ~ 3') \
     / raise OSError: mpi venc create chn failed. [K_ERR_VENC_INVALID_CHNID (0xA0098002)] \
     / raise OSError: mpi venc create chn failed. [K_ERR_VENC_INVALID_CHNID (0xA0098002)]";
/// v1.0's Create says "venc create", lower case, as its SetOutBufs does (K@v1.0 `vencoder.py`).
const BAD_CHANNELS_V1: &str = "raise ValueError: ('venc create, chn id: ', 4, ' out of range 0 ~ 3') \
     / raise OSError: mpi venc create chn failed. [K_ERR_VENC_INVALID_CHNID (0xA0098002)] \
     / raise OSError: mpi venc create chn failed. [K_ERR_VENC_INVALID_CHNID (0xA0098002)]";
const START_TWICE: &str = "raise OSError: mpi venc start failed. [K_ERR_VENC_NOT_PERM (0xA0098009)] \
     / raise OSError: mpi venc start failed. [K_ERR_VENC_NOT_PERM (0xA0098009)]";

/// (scenario, what canmv-2026-01 shows, what canmv-2024-08 shows).
const TABLE: &[(&str, Scenario, &str, &str)] = &[
    (
        "GetStream takes every queued pack (new) or one (v1.0); the header repeats at each IDR \
         only where Create enabled it (new)",
        packs_per_call,
        "5:[3, 2, 1, 3, 2]",
        "1:[3] 1:[2] 1:[1] 1:[2]",
    ),
    (
        "GetStream with nothing queued returns -1 (new) or raises (v1.0, after its fixed 1 s)",
        get_stream_empty,
        "-1",
        "raise OSError: mpi venc get stream failed. [K_ERR_VENC_NOTREADY (0xA0098010)]",
    ),
    (
        "SendFrame(timeout=0) on a full queue drops the frame and returns 0 (new); v1.0 ignores \
         the timeout, waits its 1 s and raises BUSY",
        send_frame_full_queue,
        "all 64 returned 0",
        "after 31 frames: raise OSError: mpi venc send frame failed. [K_ERR_VENC_BUSY (0xA0098012)]",
    ),
    (
        "SetOutBufs after MediaManager.init() asserts in v1.0 only",
        set_out_bufs_after_init,
        "ok",
        "raise AssertionError: SetOutBufs after MediaManager.init(): buffers must be configured first",
    ),
    (
        "a channel past 3 is a ValueError, a negative one (even -2^32) reaches the MPI as INVALID_CHNID",
        create_bad_channels,
        BAD_CHANNELS,
        BAD_CHANNELS_V1,
    ),
    (
        "Start needs a created channel that is not started",
        start_out_of_order,
        START_TWICE,
        START_TWICE,
    ),
];

#[test]
fn the_facade_per_firmware_on_the_null_backend() {
    let mut wrong = Vec::new();
    for &(name, scenario, new, v1) in TABLE {
        for (p, want) in [(Firmware::CanMv2026Jan, new), (Firmware::CanMv2024Aug, v1)] {
            let got = scenario(&Simulator::null(), p);
            if got != want {
                wrong.push(format!(
                    "{name} [{}]:\n  want {want}\n  got  {got}",
                    p.name()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_no_chn_generation_requests_its_channel_and_gives_it_back() {
    let sim = Simulator::null();
    let mpi: Arc<dyn Mpi> = sim.clone();
    let mut enc = Encoder::with_firmware(Arc::clone(&mpi), Firmware::CanMv2026Jul);
    assert_eq!(enc.requested_chn(), -1);
    assert_eq!(
        seen(enc.chn_for("Start")),
        "raise ValueError: venc Start, chn not requested yet"
    );
    assert_eq!(
        seen(enc.destroy_requested()),
        "raise ValueError: venc Destroy, chn not requested yet"
    );
    // A program that took channel 0 by number: the request skips it.
    let mut by_number = Encoder::new(Arc::clone(&mpi));
    by_number.set_out_bufs(0, 8, W, H).unwrap();
    by_number.create(0, &attr(30)).unwrap();
    enc.set_out_bufs_unbound(8, W, H).unwrap();
    assert_eq!(seen(enc.create_requested(&attr(30))), "0");
    assert_eq!(enc.requested_chn(), 1);
    let chn = enc.chn_for("Start").unwrap();
    assert_eq!(seen(enc.start(chn)), "0");
    assert_eq!(seen(enc.stop(chn)), "0");
    assert_eq!(seen(enc.destroy_requested()), "0");
    assert_eq!(enc.requested_chn(), -1);
    assert_eq!(sim.channel_phase(1).unwrap(), venc_sim::venc::Phase::Idle);
    // A create that fails gives the channel back at once.
    let mut bad = Encoder::with_firmware(Arc::clone(&mpi), Firmware::CanMv2026Jul);
    bad.set_out_bufs_unbound(8, W, H).unwrap();
    let odd = ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, W, 241);
    assert_eq!(
        seen(bad.create_requested(&odd)),
        "raise OSError: mpi venc create chn failed. [K_ERR_VENC_ILLEGAL_PARAM (0xA0098003)]"
    );
    assert_eq!(bad.requested_chn(), -1);
    assert_eq!(mpi.request_chn(), Ok(1), "channel 1 is free again");
}

#[test]
fn one_encoder_for_two_channels_shares_its_pool_loudly_and_strict_mode_refuses() {
    for strict in [false, true] {
        let sim = Simulator::shared(venc_sim::SimOptions {
            strict,
            engines: venc_sim::codec::Engines::Null,
            ..venc_sim::SimOptions::default()
        });
        let mut enc = Encoder::new(sim.clone());
        enc.set_out_bufs(0, 8, W, H).unwrap();
        assert_eq!(seen(enc.create(0, &attr(30))), "0");
        // The same Encoder: its one private pool goes to channel 1 too (D-012, D-037).
        let second = seen(enc.create(1, &attr(30)));
        if strict {
            assert_eq!(
                second,
                "raise OSError: mpi venc create chn failed. [K_ERR_VENC_ILLEGAL_PARAM (0xA0098003)]"
            );
        } else {
            assert_eq!(second, "0");
            assert_eq!(sim.channel_stats(1).unwrap().shared_pool_creates, 1);
        }
        assert_eq!(sim.channel_stats(0).unwrap().shared_pool_creates, 0);
        // A second Encoder has its own pool: nothing shared.
        let mut other = Encoder::new(sim.clone());
        other.set_out_bufs(2, 8, W, H).unwrap();
        assert_eq!(seen(other.create(2, &attr(30))), "0");
        assert_eq!(sim.channel_stats(2).unwrap().shared_pool_creates, 0);
    }
}
