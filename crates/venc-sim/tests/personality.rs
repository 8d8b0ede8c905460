//! Firmware personalities: the same program against CanMV v1.0 and the newest firmware.
#![allow(clippy::unwrap_used)]

use std::time::Duration;
use venc_core::consts::*;
use venc_core::encoder::H264_PROFILE_MAIN;
use venc_core::{ChnAttrStr, Encoder, Mpi, Personality, StreamData};
use venc_harness::{FrameBuffers, UvPlacement};
use venc_sim::{SimOptions, Simulator};

/// Sends `frames` frames with a GOP of 4, waits for them all, then collects what successive
/// GetStream calls return: (pack_cnt, stream types) per call.
fn collect(personality: Personality, frames: usize) -> Vec<(u32, Vec<u32>)> {
    let sim = Simulator::shared(SimOptions::default());
    let mut enc = Encoder::with_personality(sim.clone(), personality);
    let attr = ChnAttrStr {
        gop_len: 4,
        ..ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, 320, 240)
    };
    enc.set_out_bufs(0, 16, 320, 240).unwrap();
    enc.create(0, &attr).unwrap();
    enc.start(0).unwrap();
    let bufs = FrameBuffers::new(sim.as_ref(), 320, 240, 6).unwrap();
    for i in 0..frames {
        assert_eq!(
            enc.send_frame(0, &bufs.frame_info(i, UvPlacement::Vicap, i as u64), 1000),
            Ok(0)
        );
    }
    for _ in 0..2000 {
        if sim.channel_stats(0).unwrap().frames_encoded == frames as u64 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut calls = Vec::new();
    let mut sd = StreamData::new();
    while sim.query_status(0).unwrap().cur_packs > 0 {
        assert_eq!(enc.get_stream(0, &mut sd, 0), Ok(0));
        calls.push((sd.pack_cnt, sd.stream_type[..sd.pack_cnt as usize].to_vec()));
        enc.release_stream(0, &sd).unwrap();
    }
    calls
}

#[test]
fn canmv_new_takes_every_queued_pack_and_repeats_the_header_at_each_idr() {
    let calls = collect(Personality::CanMvNew, 6);
    assert_eq!(calls, vec![(8, vec![3, 2, 1, 1, 1, 3, 2, 1])]);
}

#[test]
fn canmv_v1_takes_one_pack_per_call_and_sends_the_header_once() {
    // v1.0 never calls enable_idr: the header comes once, before the first IDR.
    let calls = collect(Personality::CanMvV1, 6);
    let types: Vec<u32> = calls.iter().flat_map(|(_, t)| t.clone()).collect();
    assert!(calls.iter().all(|(n, _)| *n == 1));
    assert_eq!(types, vec![3, 2, 1, 1, 1, 2, 1]);
}

#[test]
fn personality_names_round_trip() {
    for p in [Personality::CanMvNew, Personality::CanMvV1] {
        assert_eq!(Personality::from_name(p.name()), Some(p));
    }
    assert_eq!(Personality::from_name("v9"), None);
    assert_eq!(Personality::default(), Personality::CanMvNew);
}
