//! Call traces over the simulator: refused calls are recorded with the code or message the
//! program saw, and a trace that cannot be parsed is named.
#![allow(clippy::unwrap_used)]

use venc_core::{ChnAttrStr, MemError, Mpi, VencError, consts};
use venc_harness::trace::{SharedBytes, TracingMpi};
use venc_harness::trace_diff::parse;
use venc_sim::Simulator;

#[test]
fn refused_calls_are_traced_with_what_the_program_saw() {
    let sink = SharedBytes::default();
    let t = TracingMpi::new(Simulator::null(), sink.clone());
    assert_eq!(t.start_chn(0), Err(VencError::NotPerm));
    let pool = t.create_pool(4096, 1).unwrap();
    t.get_block(pool).unwrap();
    assert_eq!(t.get_block(pool), Err(MemError::PoolExhausted(pool)));
    let attr = ChnAttrStr::new(consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN, 320, 240);
    assert_eq!(
        t.create_chn(7, &attr.to_mpi()),
        Err(VencError::InvalidChnId)
    );
    t.finish().unwrap();
    let text = sink.text();
    let events = parse(&text).unwrap();
    let seen: Vec<(&str, Option<u32>, &str)> = events
        .iter()
        .map(|(_, e)| (e.call.as_str(), e.chn, e.result.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("kd_mpi_venc_start_chn", Some(0), "K_ERR_VENC_NOT_PERM"),
            ("kd_mpi_vb_create_pool", None, "ok"),
            ("kd_mpi_vb_get_block", None, "ok"),
            ("kd_mpi_vb_get_block", None, "VB pool 0 has no free block"),
            (
                "kd_mpi_venc_create_chn",
                Some(7),
                "K_ERR_VENC_INVALID_CHNID"
            ),
        ]
    );
}
