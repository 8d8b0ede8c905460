//! Shared test helpers: the pattern as planes, one Example 2 run, pack inspection.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;
use venc_core::bitstream::{Codec, NalKind, parse_h264_sps, split_annexb};
use venc_sim::pipeline::{EncodeJob, EncodeSummary, PackEvent, run_example2};
use venc_sim::source::TestPattern;
use venc_sim::{SimOptions, Simulator};

/// One Example 2 run on a fresh simulator: the stream, every pack event, the summary.
pub struct Run {
    pub stream: Vec<u8>,
    pub packs: Vec<(PackEvent, Vec<u8>)>,
    pub summary: EncodeSummary,
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
