//! Firmware generations: the same program against every generation that takes a channel.
#![allow(clippy::unwrap_used)]

use std::time::Duration;
use venc_core::consts::*;
use venc_core::encoder::H264_PROFILE_MAIN;
use venc_core::{ChnAttrStr, Encoder, Firmware, Mpi, StreamData};
use venc_harness::{FrameBuffers, UvPlacement};
use venc_sim::{SimOptions, Simulator};

/// Sends `frames` frames with a GOP of 4, waits for them all, then collects what successive
/// GetStream calls return: (pack_cnt, stream types) per call.
fn collect(firmware: Firmware, frames: usize) -> Vec<(u32, Vec<u32>)> {
    let sim = Simulator::shared(SimOptions::default());
    let mut enc = Encoder::with_firmware(sim.clone(), firmware);
    let attr = ChnAttrStr {
        gop_len: 4,
        ..ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, 320, 240)
    };
    enc.set_out_bufs(0, 16, 320, 240).unwrap();
    enc.create(0, &attr).unwrap();
    enc.start(0).unwrap();
    let bufs = FrameBuffers::new(sim.as_ref(), 320, 240, 6).unwrap();
    for i in 0..frames {
        // Straight to the MPI: v0.7 has no SendFrame (the frames could come from a camera).
        let frame = bufs.frame_info(i, UvPlacement::Vicap, i as u64);
        assert_eq!(sim.send_frame(0, &frame, 1000), Ok(()));
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

/// Stream types per call, as each generation's GetStream hands them out (firmware facts §1.1):
/// every queued pack (from 2025-08) or one per call; the header before every IDR (enable_idr,
/// from 2025-03) or once.
const PACKS: &[(Firmware, &[&[u32]])] = &[
    // v0.1–v0.6: every queued pack, the header once (no enable_idr).
    (Firmware::CanMv2023Oct, &[&[3, 2, 1, 1, 1, 2, 1]]),
    (Firmware::CanMv2023Dec, &[&[3, 2, 1, 1, 1, 2, 1]]),
    (
        Firmware::CanMv2024Jul,
        &[&[3], &[2], &[1], &[1], &[1], &[2], &[1]],
    ),
    (
        Firmware::CanMv2024Aug,
        &[&[3], &[2], &[1], &[1], &[1], &[2], &[1]],
    ),
    (
        Firmware::CanMv2025Apr,
        &[&[3], &[2], &[1], &[1], &[1], &[3], &[2], &[1]],
    ),
    (Firmware::CanMv2025Aug, &[&[3, 2, 1, 1, 1, 3, 2, 1]]),
    (Firmware::CanMv2026Jan, &[&[3, 2, 1, 1, 1, 3, 2, 1]]),
];

#[test]
fn each_generation_hands_out_packs_as_its_firmware() {
    for &(firmware, want) in PACKS {
        let calls = collect(firmware, 6);
        let types: Vec<&[u32]> = calls.iter().map(|(_, t)| t.as_slice()).collect();
        assert_eq!(types, want, "{}", firmware.name());
        assert!(calls.iter().all(|(n, t)| *n as usize == t.len()));
    }
}

/// What a refused SendFrame (a pixel format the VPU does not take) gives, and what GetStream
/// with nothing queued gives, per generation.
#[test]
fn each_generation_answers_failures_as_its_firmware() {
    use venc_core::CanMvError;
    for firmware in Firmware::ALL {
        if !firmware.traits().takes_chn {
            continue;
        }
        let sim = Simulator::shared(SimOptions::default());
        let bufs = FrameBuffers::new(sim.as_ref(), 320, 240, 1).unwrap();
        let mut frame = bufs.frame_info(0, UvPlacement::Vicap, 0);
        frame.pixel_format = 3; // RGB888
        let mut enc = Encoder::with_firmware(sim.clone(), firmware);
        enc.set_out_bufs(0, 4, 320, 240).unwrap();
        enc.create(0, &ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, 320, 240))
            .unwrap();
        enc.start(0).unwrap();
        let sent = enc.send_frame(0, &frame, 10);
        let not_support = "K_ERR_VENC_NOT_SUPPORT (0xA0098008)";
        let want_send = match firmware {
            f if f.traits().send_frame == venc_core::SendFrameStyle::Absent => {
                Err("AttributeError: 'Encoder' object has no attribute 'SendFrame'".to_string())
            }
            Firmware::CanMv2024Aug | Firmware::CanMv2025Apr => Err(format!(
                "OSError: mpi venc send frame failed. [{not_support}]"
            )),
            _ => Ok(i64::from(0xA009_8008_u32 as i32)),
        };
        let got = sent.map_err(|e: CanMvError| e.to_string());
        assert_eq!(got, want_send, "{}", firmware.name());
    }
    // GetStream on an empty started channel: -1 at once with a timeout of 0 (from 2025-04),
    // OSError after the fixed second (v1.0).
    for (firmware, want) in [
        (Firmware::CanMv2025Apr, Ok(-1)),
        (Firmware::CanMv2026Jan, Ok(-1)),
        (
            Firmware::CanMv2024Aug,
            Err(
                "OSError: mpi venc get stream failed. [K_ERR_VENC_NOTREADY (0xA0098010)]"
                    .to_string(),
            ),
        ),
    ] {
        let sim = Simulator::shared(SimOptions::default());
        let mut enc = Encoder::with_firmware(sim.clone(), firmware);
        enc.set_out_bufs(0, 4, 320, 240).unwrap();
        enc.create(0, &ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, 320, 240))
            .unwrap();
        enc.start(0).unwrap();
        let got = enc.get_stream(0, &mut StreamData::new(), 0);
        assert_eq!(got.map_err(|e| e.to_string()), want, "{}", firmware.name());
    }
}

#[test]
fn firmware_names_round_trip() {
    for p in Firmware::ALL {
        assert_eq!(Firmware::from_name(p.name()), Some(p));
    }
    assert_eq!(Firmware::from_name("v9"), None);
    let unknown = Firmware::parse("v9").unwrap_err();
    assert!(
        unknown.starts_with("unknown firmware \"v9\": use one of canmv-2023-10 (v0.1"),
        "{unknown}"
    );
    for (tag, now) in [
        ("v1.0", "canmv-2024-08"),
        ("canmv-new", "canmv-2026-01"),
        ("canmv-nochn", "canmv-2026-07"),
    ] {
        let hint = Firmware::parse(tag).unwrap_err();
        assert!(hint.contains(&format!("is named {now} (")), "{hint}");
    }
    assert_eq!(Firmware::default(), Firmware::CanMv2026Jan);
}

/// Recording twice in one script (oldgen facts §4): `init`, `deinit`, `init`. Where the
/// generation's deinit leaves VB up, the second init is refused with VB BUSY; `force` exits it.
#[test]
fn a_second_media_init_works_where_deinit_exits_vb() {
    use venc_sim::sys::{MediaError, MediaManager, VB_BUSY};
    assert_eq!(VB_BUSY, -1_610_317_806);
    for firmware in Firmware::ALL {
        let sim = Simulator::shared(SimOptions::default());
        let media = MediaManager::new(sim.clone(), firmware);
        media.init().unwrap();
        media.deinit();
        let again = media.init();
        if firmware.traits().deinit_exits_vb {
            assert_eq!(again, Ok(()), "{}", firmware.name());
        } else {
            assert_eq!(again, Err(MediaError::VbBusy), "{}", firmware.name());
            let text = MediaError::VbBusy.to_string();
            assert!(text.contains("vb config failed(-1610317806)"), "{text}");
            media.exit_vb();
            assert_eq!(media.init(), Ok(()), "{}", firmware.name());
        }
    }
    let names: Vec<&str> = Firmware::ALL
        .into_iter()
        .filter(|f| !f.traits().deinit_exits_vb)
        .map(Firmware::name)
        .collect();
    assert_eq!(
        names,
        [
            "canmv-2023-11",
            "canmv-2023-12",
            "canmv-2024-03",
            "canmv-2024-04",
            "canmv-2024-07",
            "canmv-2024-08"
        ]
    );
}
