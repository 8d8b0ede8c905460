//! One emulated board serving many sessions in one process, as a board left running serves a
//! whole day of test runs: every session maps a quarter of the media-memory window and starts
//! channels; the agent frees them when the session ends, and the memory comes back.
//!
//! Needs the Python front (`cargo xtask python`); `cargo xtask test` installs it first.

use venc_core::{ChnAttrStr, Mpi, consts};
use venc_hw::{EmulatedBoard, HwClient, HwOptions};

#[test]
fn two_hundred_sessions_each_mapping_512_mib_never_run_the_board_out_of_memory() {
    let board = EmulatedBoard::start(0).unwrap_or_else(|e| panic!("{e}"));
    let attr = ChnAttrStr::new(consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN, 320, 240);
    for session in 0..200 {
        let c = HwClient::connect(board.url(), HwOptions::default())
            .unwrap_or_else(|e| panic!("session {session}: {e}"));
        // 8 × 64 MiB: 200 sessions map 100 GiB through a 2 GiB window.
        let big = c
            .create_pool(64 << 20, 8)
            .unwrap_or_else(|e| panic!("session {session}: {e}"));
        c.get_block(big)
            .unwrap_or_else(|e| panic!("session {session}: {e}"));
        for chn in 0..4 {
            let out = c.create_pool(64 * 1024, 2).expect("output pool");
            c.attach_vb_pool(chn, out).expect("attach");
            c.create_chn(chn, &attr.to_mpi())
                .unwrap_or_else(|e| panic!("session {session} ch{chn}: {e}"));
            c.start_chn(chn).expect("start");
        }
        // Dropped without any cleanup of its own: the agent's end-of-session cleanup is the
        // board reset, as for a program that crashed.
    }
}

#[test]
fn on_the_newest_firmware_channels_are_requested_and_a_session_gives_them_back() {
    let board = EmulatedBoard::start_with(0, &["--firmware", "canmv-2026-07"])
        .unwrap_or_else(|e| panic!("{e}"));
    let connect = || HwClient::connect(board.url(), HwOptions::default()).expect("connect");
    let c = connect();
    assert_eq!(c.request_chn(), Ok(0));
    assert_eq!(c.request_chn(), Ok(1));
    assert_eq!(c.release_chn(0), Ok(()));
    assert_eq!(
        c.release_chn(0),
        Err(venc_core::VencError::NotPerm),
        "not requested any more"
    );
    assert_eq!(c.request_chn(), Ok(0));
    // Ended without releasing: the agent gives both channels back.
    drop(c);
    let c = connect();
    assert_eq!(
        c.request_chn(),
        Ok(0),
        "the last session's channels came back"
    );
    for chn in 1..4 {
        assert_eq!(c.request_chn(), Ok(chn));
    }
    assert_eq!(c.request_chn(), Err(venc_core::VencError::NoBuf));
}
