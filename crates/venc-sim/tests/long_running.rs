//! A process that runs for a week: media memory freed is media memory available again.
#![allow(clippy::unwrap_used)]

use venc_core::encoder::H264_PROFILE_MAIN;
use venc_core::{ChnAttrStr, Encoder, Mpi, consts::K_PT_H264};
use venc_sim::Simulator;
use venc_sim::mmz::MMZ_SIZE;

#[test]
fn channel_lifecycles_at_1080p_never_run_out_of_media_memory() {
    // Each cycle maps SetOutBufs' 8 output blocks (~12 MiB at 1080p): 1,000 cycles map ~12 GiB,
    // six windows. Without reuse the 172nd cycle failed with NOBUF.
    let sim = Simulator::null();
    let mut enc = Encoder::new(sim.clone());
    let attr = ChnAttrStr::new(K_PT_H264, H264_PROFILE_MAIN, 1920, 1080);
    for cycle in 0..1000 {
        let step = |r: Result<i32, venc_core::CanMvError>, what: &str| {
            r.unwrap_or_else(|e| panic!("cycle {cycle}: {what}: {e}"))
        };
        enc.set_out_bufs(0, 8, 1920, 1080).unwrap();
        step(enc.create(0, &attr), "Create");
        step(enc.start(0), "Start");
        step(enc.stop(0), "Stop");
        step(enc.destroy(0), "Destroy");
    }
    assert_eq!(sim.memory().bytes_mapped(), 0, "nothing left mapped");
}

#[test]
fn a_pool_of_half_the_window_can_be_made_again_and_again() {
    let sim = Simulator::null();
    let blocks = 16;
    let blk = MMZ_SIZE / 2 / blocks;
    for round in 0..12 {
        let pool = sim
            .create_pool(blk, blocks as u32)
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let a = sim.get_block(pool).unwrap();
        sim.write_mem(a, &[round as u8]).unwrap();
        sim.destroy_pool(pool).unwrap();
        let mut b = [0u8; 1];
        assert!(
            sim.read_mem(a, &mut b).is_err(),
            "round {round}: stale after destroy"
        );
    }
}

#[test]
fn example2_refuses_a_frame_rate_whose_frames_would_share_a_pts() {
    use venc_harness::source::TestPattern;
    use venc_harness::{EncodeJob, EncodeRunError, run_example2};
    for fps in [0, 1_000_001, u32::MAX] {
        let mut job = EncodeJob::example2(K_PT_H264, H264_PROFILE_MAIN, 320, 240, 10);
        job.attr.src_frame_rate = fps;
        job.attr.dst_frame_rate = fps.max(1);
        let sim = Simulator::null();
        let e = run_example2(
            sim.clone(),
            &job,
            &mut TestPattern::new(320, 240),
            |_, _| {},
        )
        .expect_err("refused");
        assert!(
            matches!(&e, EncodeRunError::Job(m) if m.contains("distinct µs pts")),
            "{fps}: {e}"
        );
        // Refused before anything was set up: the channel is free.
        assert_eq!(sim.memory().pool_count(), 0);
    }
}
