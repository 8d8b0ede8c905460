//! The calls beyond the encode loop behave the same on the simulator and on the emulated board:
//! the `feat-*` cases run through a call tracer on both, and the two traces diff clean
//! (calls, channels, result codes, the values getters read, each channel's pack types), as
//! `venc trace diff` compares a simulator run with a board run.
//!
//! Needs the Python front for the emulated board (`cargo xtask python`); `cargo xtask test`
//! installs it first.

use std::path::Path;
use std::sync::Arc;
use venc_conformance::backends::backend_by_name;
use venc_conformance::exec::Executor;
use venc_conformance::{Backend, Case};
use venc_harness::trace::{SharedBytes, TracingMpi};
use venc_harness::trace_diff::{diff, parse};
use venc_hw::EmulatedBoard;

/// The case's MPI calls on `backend`, as a trace.
fn traced(backend: &dyn Backend, case: &Case) -> String {
    let mpi = backend.open().unwrap_or_else(|e| panic!("{e}"));
    let sink = SharedBytes::default();
    let tracer = Arc::new(TracingMpi::new(mpi, sink.clone()));
    let ex = Executor::new(tracer.clone(), case).run(&case.steps);
    assert!(
        ex.failure.is_none() && ex.not_supported.is_none(),
        "{} on {}: {:?} {:?}",
        case.id,
        backend.name(),
        ex.failure,
        ex.not_supported
    );
    tracer.finish().expect("trace written");
    sink.text()
}

#[test]
fn rotation_2d_and_tool_traces_diff_clean_between_sim_and_the_emulated_board() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/cases");
    let sim = backend_by_name("sim", None).expect("sim");
    let board = EmulatedBoard::start(0).unwrap_or_else(|e| panic!("{e}"));
    let hw = backend_by_name("hw", Some(board.url())).expect("emulated board");
    let mut compared = 0;
    for id in [
        "feat-001-rotation-and-mirror-codes",
        "feat-002-quarter-turn-h264",
        "feat-003-coding-tools-state-rules",
        "feat-004-2d-engine-codes",
        "feat-005-border-on-a-turned-stream",
    ] {
        let case = Case::load(&root.join(format!("{id}.toml"))).expect("case");
        let (a, b) = (traced(sim.as_ref(), &case), traced(hw.as_ref(), &case));
        let (a, b) = (parse(&a).expect("sim trace"), parse(&b).expect("hw trace"));
        let features = a
            .iter()
            .filter(|(_, e)| {
                e.call.contains("rotation") || e.call.contains("_2d") || e.call.contains("dblk")
            })
            .count();
        assert!(features > 0, "{id}: no feature call traced");
        let reads = |t: &[(usize, venc_harness::trace::Event)]| {
            t.iter().filter(|(_, e)| e.packs.is_some()).count()
        };
        eprintln!(
            "{id}: {} and {} calls, {} and {} stream reads",
            a.len(),
            b.len(),
            reads(&a),
            reads(&b)
        );
        assert_eq!(diff(&a, &b), None, "{id}: sim and hw-emulated differ");
        compared += 1;
    }
    assert_eq!(compared, 5);
}

#[test]
fn the_trace_diff_sees_a_getter_that_read_something_else() {
    // The check can fail: the same calls with another value read back differ.
    let line = |got: u32| {
        format!(
            "{{\"t_us\":0,\"dur_us\":0,\"call\":\"kd_mpi_venc_get_rotation\",\"chn\":0,\
             \"args\":{{\"got\":{got}}},\"result\":\"ok\"}}\n"
        )
    };
    let (a, b) = (parse(&line(1)).expect("a"), parse(&line(3)).expect("b"));
    assert!(diff(&a, &b).is_some());
    assert_eq!(diff(&a, &a), None);
}
