//! What the RTSP tests share: the simulator's packs, as a script's GetStream hands them out.
#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;
use venc_core::Mpi;
use venc_core::consts::{K_PT_H265, VENC_PROFILE_H264_MAIN, VENC_PROFILE_H265_MAIN};
use venc_harness::source::TestPattern;
use venc_harness::{EncodeJob, run_example2};
use venc_sim::{SimOptions, Simulator};

/// A GOP of packs (header + I + P…), as GetStream hands them out.
pub fn packs(payload: u32, frames: u32) -> Vec<Vec<u8>> {
    let sim: Arc<dyn Mpi> = Simulator::shared(SimOptions::default());
    let profile = if payload == K_PT_H265 {
        VENC_PROFILE_H265_MAIN
    } else {
        VENC_PROFILE_H264_MAIN
    };
    let mut job = EncodeJob::example2(payload, profile, 320, 240, frames);
    job.attr.gop_len = 10;
    let mut out = Vec::new();
    run_example2(sim, &job, &mut TestPattern::new(320, 240), |_, b| {
        out.push(b.to_vec())
    })
    .unwrap();
    out
}
