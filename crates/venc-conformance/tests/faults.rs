//! Every fault kind injected into the same program (the manual's Example 2, nine 320×240
//! frames) on the simulator and on the emulated board, through the one `Mpi::inject_fault`:
//! what the program sees must be what the fault promises, and the same on both.
//!
//! Needs the Python front for the emulated board (`cargo xtask python`); `cargo xtask test`
//! installs it first.

use std::sync::Arc;
use std::time::{Duration, Instant};
use venc_conformance::Backend;
use venc_conformance::backends::backend_by_name;
use venc_core::{FaultSpec, Mpi, VencError, consts};
use venc_harness::source::TestPattern;
use venc_harness::{EncodeJob, EncodeRunError, EncodeSummary, run_example2};
use venc_hw::EmulatedBoard;

const FRAMES: u32 = 9;

/// What the program saw, in words that do not depend on the backend's transport.
fn outcome(r: &Result<EncodeSummary, EncodeRunError>) -> String {
    match r {
        Ok(s) => format!(
            "ok: {} frames out, {} HEADER, {} I, {} P",
            s.frames_out, s.header_packs, s.i_packs, s.p_packs
        ),
        Err(e) => format!("error: {e}"),
    }
}

/// The manual's Example 2 on `mpi`: `FRAMES` 320×240 H.264 frames of the pattern.
fn example2_on(mpi: &Arc<dyn Mpi>) -> Result<EncodeSummary, EncodeRunError> {
    let job = EncodeJob::example2(
        consts::K_PT_H264,
        consts::VENC_PROFILE_H264_MAIN,
        320,
        240,
        FRAMES,
    );
    run_example2(
        Arc::clone(mpi),
        &job,
        &mut TestPattern::new(320, 240),
        |_, _| {},
    )
}

fn run(backend: &dyn Backend, spec: &str) -> (String, Duration, Arc<dyn Mpi>) {
    let mpi = backend.open().unwrap_or_else(|e| panic!("{e}"));
    let spec: FaultSpec = spec.parse().expect("spec");
    mpi.inject_fault(&spec)
        .unwrap_or_else(|e| panic!("{} refused {spec}: {e}", backend.name()));
    let started = Instant::now();
    let r = example2_on(&mpi);
    (outcome(&r), started.elapsed(), mpi)
}

/// Each fault and what the program must see; `…` ends a prefix match.
const EXPECTED: &[(&str, &str)] = &[
    // Example 2 polls GetStream again after NOTREADY: nothing is lost.
    (
        "get-stream-notready@every=2",
        "ok: 9 frames out, 1 HEADER, 1 I, 8 P",
    ),
    (
        "send-frame-busy@next",
        "error: SendFrame returned -1609990126 (K_ERR_VENC_BUSY (0xA0098012))",
    ),
    (
        "vpu-stall:300ms@next",
        "ok: 9 frames out, 1 HEADER, 1 I, 8 P",
    ),
    ("drop-frame@every=3", "ok: 6 frames out, 1 HEADER, 1 I, 5 P"),
    // The I pack, placed behind its HEADER, overwrites it: the stream starts without one.
    ("ring-overflow@next", "ok: 9 frames out, 0 HEADER, 1 I, 8 P"),
    // SetOutBufs cannot get its pool; Create then finds none attached.
    (
        "mem-exhausted@next",
        "error: Create: OSError: mpi venc create chn failed. [K_ERR_VENC_NOBUF (0xA009800D)]",
    ),
    // The twelfth MPI call is Example 2's first GetBlock (its input buffers): the board is gone.
    ("link-drop@every=12", "error: media memory: …"),
];

fn check(backend: &dyn Backend) -> Vec<String> {
    let mut seen = Vec::new();
    for (spec, want) in EXPECTED {
        let (got, took, mpi) = run(backend, spec);
        let name = backend.name();
        match want.strip_suffix('…') {
            Some(prefix) => assert!(got.starts_with(prefix), "{name} {spec}: {got}"),
            None => assert_eq!(&got, want, "{name} {spec}"),
        }
        if spec.starts_with("vpu-stall") {
            assert!(took >= Duration::from_millis(300), "{name}: took {took:?}");
        }
        if spec.starts_with("link-drop") {
            let fault = mpi
                .backend_fault()
                .expect("the backend knows its link is gone");
            assert!(fault.contains("injected fault"), "{name}: {fault}");
        }
        seen.push(got);
    }
    seen
}

#[test]
fn each_fault_kind_shows_the_same_to_the_program_on_sim_and_on_the_emulated_board() {
    let sim = backend_by_name("sim", None).expect("sim");
    let on_sim = check(sim.as_ref());
    // The simulator counts what struck (a board client counts only its own link drops).
    let mpi = sim.open().expect("sim");
    mpi.inject_fault(&"drop-frame@every=3".parse().expect("spec"))
        .expect("armed");
    example2_on(&mpi).expect("runs");
    assert_eq!(mpi.faults_injected()[3], ("drop-frame", 3));

    let board = EmulatedBoard::start(0).unwrap_or_else(|e| panic!("{e}"));
    let hw = backend_by_name("hw", Some(board.url())).expect("emulated board");
    let on_board = check(hw.as_ref());
    assert_eq!(on_sim[..6], on_board[..6]);
    // The link is lost at the same call; only the transport's words differ.
    let at = |s: &str| {
        s.split("during ")
            .nth(1)
            .map(|r| r.split([' ', ':']).next().unwrap_or("").to_owned())
    };
    assert_eq!(at(&on_sim[6]), Some("vb_get_block".into()), "{}", on_sim[6]);
    assert_eq!(at(&on_board[6]), at(&on_sim[6]), "{}", on_board[6]);
}

#[test]
fn no_fault_strikes_unless_armed_and_bad_specs_are_refused_before_anything_runs() {
    let sim = backend_by_name("sim", None).expect("sim");
    let mpi = sim.open().expect("sim");
    let r = example2_on(&mpi);
    assert_eq!(outcome(&r), "ok: 9 frames out, 1 HEADER, 1 I, 8 P");
    assert!(mpi.faults_injected().iter().all(|(_, n)| *n == 0));
    let e = "drop-frame@every=0".parse::<FaultSpec>().unwrap_err();
    assert!(e.to_string().contains("whole number ≥ 1"), "{e}");
}

#[test]
fn dropped_frames_are_accounted_for_on_a_board_without_a_count_of_released_frames() {
    // A K230's query_status leaves release_pic_pts 0 and it has no RELEASED_PTS (D-056):
    // the emulated board asked as a K230 is, so Example 2 learns of the last frame's drop
    // only from its ring standing still. Frames 3, 6 and 9 are dropped; 3 and 6 show by the
    // packs after them, 9 by the silence.
    let board = EmulatedBoard::start(0).unwrap_or_else(|e| panic!("{e}"));
    let mut seen = Vec::new();
    for ask_released in [true, false] {
        let opts = venc_hw::HwOptions {
            ask_released,
            ..venc_hw::HwOptions::default()
        };
        let client = venc_hw::HwClient::connect(board.url(), opts).expect("board");
        assert_eq!(
            client.released_pts(0).expect("released_pts"),
            ask_released.then_some(0),
            "nothing released on a fresh board; None when acting as a K230"
        );
        if ask_released {
            // The agent's answer for a channel the board does not have.
            assert_eq!(client.released_pts(7), Err(VencError::InvalidChnId));
        }
        let mpi: Arc<dyn Mpi> = Arc::new(client);
        mpi.inject_fault(&"drop-frame@every=3".parse().expect("spec"))
            .expect("armed");
        let started = Instant::now();
        let s = example2_on(&mpi).expect("runs");
        assert_eq!(
            (s.frames_sent, s.frames_out, s.frames_dropped),
            (FRAMES, 6, 3),
            "ask_released {ask_released}: {s:?}"
        );
        seen.push((s.frames_dropped_by_silence, started.elapsed()));
    }
    assert_eq!(
        seen[0].0, 0,
        "the emulated board's count told of every drop"
    );
    assert_eq!(seen[1].0, 1, "only the last drop had no pack after it");
    assert!(
        seen[1].1 >= venc_harness::release::BOARD_SETTLE,
        "the last drop was taken only after the ring stood still: {seen:?}"
    );
}
