//! Shared test helpers: the pattern as planes, one Example 2 run, pack inspection.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;
use venc_core::bitstream::{Codec, NalKind, parse_h264_sps, split_annexb};
use venc_core::consts::*;
use venc_harness::oracle::{decode, pattern_planes, psnr_yuv};
use venc_harness::source::TestPattern;
use venc_harness::{EncodeJob, EncodeSummary, PackEvent, run_example2};
use venc_sim::{SimOptions, Simulator};

/// One Example 2 run on a fresh simulator: the stream, every pack event, the summary.
pub struct Run {
    pub stream: Vec<u8>,
    pub packs: Vec<(PackEvent, Vec<u8>)>,
    pub summary: EncodeSummary,
    /// What the sensor did, for a bound (Example 1) run.
    pub sensor: Option<venc_sim::vicap::SensorStats>,
}

pub fn run(job: &EncodeJob) -> Run {
    run_with(job, SimOptions::default())
}

pub fn run_with(job: &EncodeJob, opts: SimOptions) -> Run {
    let sim = Simulator::shared(opts);
    let mut src = TestPattern::new(job.attr.pic_width, job.attr.pic_height);
    let mut stream = Vec::new();
    let mut packs = Vec::new();
    let summary = run_example2(sim, job, &mut src, |ev, bytes| {
        stream.extend_from_slice(bytes);
        packs.push((*ev, bytes.to_vec()));
    })
    .unwrap();
    Run {
        stream,
        packs,
        summary,
        sensor: None,
    }
}

/// NAL kinds in one pack.
pub fn kinds(codec: Codec, bytes: &[u8]) -> Vec<NalKind> {
    split_annexb(bytes)
        .iter()
        .map(|n| codec.classify(n.data))
        .collect()
}

/// `(profile_idc, level_idc, width, height, cabac)` from a HEADER pack.
pub fn header_info(bytes: &[u8]) -> (u8, u8, u32, u32, bool) {
    let units = split_annexb(bytes);
    let sps = units
        .iter()
        .find(|n| Codec::H264.classify(n.data) == NalKind::Sps)
        .unwrap();
    let pps = units
        .iter()
        .find(|n| Codec::H264.classify(n.data) == NalKind::Pps)
        .unwrap();
    let (info, parsed) = parse_h264_sps(sps.data).unwrap();
    let cabac = venc_core::bitstream::h264_pps_cabac(parsed, pps.data).unwrap();
    (
        info.profile_idc,
        info.level_idc,
        info.width,
        info.height,
        cabac,
    )
}

/// The SPS of an H.265 HEADER pack.
pub fn h265_sps(bytes: &[u8]) -> venc_core::bitstream::H265SpsInfo {
    let units = split_annexb(bytes);
    let sps = units
        .iter()
        .find(|n| Codec::H265.classify(n.data) == NalKind::Sps)
        .unwrap();
    venc_core::bitstream::parse_h265_sps(sps.data).unwrap()
}

pub fn shared_sim() -> Arc<Simulator> {
    Simulator::shared(SimOptions::default())
}

/// The board's pack grammar over a run at GOP 30: counts, a HEADER before each IDR, pts, the
/// SPS's size; no decoding.
pub fn check_grammar(codec: Codec, run: &Run, w: u32, h: u32, frames: u32) {
    assert_eq!(run.summary.frames_sent, frames);
    assert_eq!(run.summary.frames_out, frames);
    assert_eq!(run.summary.frames_dropped, 0);
    let header_kinds: &[NalKind] = match codec {
        Codec::H264 => &[NalKind::Sps, NalKind::Pps],
        Codec::H265 => &[NalKind::Vps, NalKind::Sps, NalKind::Pps],
        Codec::Jpeg => panic!("check_grammar is for Annex-B streams"),
    };

    let mut frame = 0u64;
    let mut expect_header = true;
    for (ev, bytes) in &run.packs {
        let kinds = kinds(codec, bytes);
        match ev.stream_type() {
            K_VENC_HEADER => {
                assert!(expect_header, "HEADER before frame {frame} out of place");
                assert_eq!(kinds, header_kinds, "HEADER holds the parameter sets only");
                expect_header = false;
            }
            K_VENC_I_FRAME => {
                assert_eq!(frame % 30, 0, "I pack at frame {frame}");
                assert!(
                    !expect_header,
                    "I pack at frame {frame} without a HEADER before it"
                );
                assert!(kinds.iter().all(|k| *k == NalKind::IdrSlice), "{kinds:?}");
                assert_eq!(
                    ev.pts,
                    (frame + 1) * 1_000_000 / 30,
                    "pts copied from the input frame"
                );
                frame += 1;
                expect_header = frame.is_multiple_of(30);
            }
            K_VENC_P_FRAME => {
                assert_ne!(frame % 30, 0, "P pack where an IDR belongs (frame {frame})");
                assert!(
                    kinds.iter().all(|k| *k == NalKind::NonIdrSlice),
                    "{kinds:?}"
                );
                assert_eq!(ev.pts, (frame + 1) * 1_000_000 / 30);
                frame += 1;
                expect_header = frame.is_multiple_of(30);
            }
            t => panic!("stream type {t}"),
        }
    }
    assert_eq!(frame, u64::from(frames));
    let gops = frames.div_ceil(30);
    assert_eq!(run.summary.header_packs, gops);
    assert_eq!(run.summary.i_packs, gops);
    assert_eq!(run.summary.p_packs, frames - gops);

    let header = &run.packs[0].1;
    match codec {
        Codec::H264 => {
            let (_idc, _level, sw, sh, _cabac) = header_info(header);
            assert_eq!((sw, sh), (w, h));
        }
        Codec::H265 => {
            let sps = h265_sps(header);
            assert_eq!(
                (
                    sps.profile_idc,
                    sps.width,
                    sps.height,
                    sps.chroma_format_idc,
                    sps.bit_depth_luma
                ),
                (1, w, h, 1, 8),
                "Main, 4:2:0, 8-bit, the channel's size"
            );
        }
        Codec::Jpeg => unreachable!("rejected above"),
    }
}

/// Checks a run as the board guarantees it: pack grammar (HEADER + I every 30 frames, P between,
/// pts = input pts), the HEADER's parameter sets, the SPS size (and H.265 profile), an
/// independent decode of every frame, and PSNR against the pattern.
pub fn check_run(codec: Codec, run: &Run, w: u32, h: u32, frames: u32, min_psnr_y: f64) {
    check_grammar(codec, run, w, h, frames);
    let decoded = decode(codec, &run.stream, w as usize, h as usize).unwrap();
    assert_eq!(
        decoded.len(),
        frames as usize,
        "independent decoder frame count"
    );
    let (py, pu, pv) = psnr_yuv(&decoded, &pattern_planes(w, h, frames));
    eprintln!(
        "{codec:?} {w}x{h} (UV +{}): Y {py:.2} dB, U {pu:.2} dB, V {pv:.2} dB, {:.0} kbps",
        venc_core::layout::uv_offset(w, h, VICAP_ALIGNMENT_4K) - u64::from(w * h),
        run.summary.kbps
    );
    assert!(py >= min_psnr_y, "Y PSNR {py:.2} dB");
    assert!(pu >= 35.0 && pv >= 35.0, "chroma PSNR U {pu:.2} V {pv:.2}");
}
