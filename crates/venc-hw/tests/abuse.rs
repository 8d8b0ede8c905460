//! Protocol abuse against the emulated board (the real `venc_agent.py` under `canmv-run`):
//! garbage, truncated and oversized frames, clients that vanish mid-frame or hold the board, a
//! board that dies or never answers. Each time: a clear error, the agent keeps serving, and no
//! channel leaks into the next session.
//!
//! Needs the Python front (`cargo xtask python`); `cargo xtask test` installs it first.

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};
use support::{closed, hello, raw, recv, refusal, send};
use venc_core::{ChnAttr, ChnAttrStr, Mpi, VencError, consts};
use venc_hw::protocol::{self, Body, HEADER_SIZE, Kind, Status};
use venc_hw::{EmulatedBoard, HwClient, HwError, HwOptions};

fn board() -> EmulatedBoard {
    EmulatedBoard::start(0).unwrap_or_else(|e| panic!("{e}"))
}

fn client(board: &EmulatedBoard) -> HwClient {
    HwClient::connect(board.url(), HwOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn attr() -> ChnAttr {
    ChnAttrStr {
        bit_rate: 1000,
        ..ChnAttrStr::new(consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN, 320, 240)
    }
    .to_mpi()
}

/// A session that holds channel `chn` started, with a pool attached.
fn hold_channel(c: &HwClient, chn: u32) {
    let pool = c.create_pool(64 * 1024, 2).expect("pool");
    c.attach_vb_pool(chn, pool).expect("attach");
    c.create_chn(chn, &attr()).expect("create");
    c.start_chn(chn).expect("start");
}

/// A fresh session can create and start all four channels: nothing leaked from before.
fn assert_no_leaks(board: &EmulatedBoard) {
    let c = client(board);
    for chn in 0..4 {
        hold_channel(&c, chn);
    }
    let stats = c.stats().expect("stats");
    assert_eq!(stats.channels, 4, "{stats:?}");
}

#[test]
fn garbage_bytes_get_an_error_and_the_agent_keeps_serving() {
    let board = board();
    let mut s = raw(&board);
    s.write_all(b"GET / HTTP/1.1\r\nHost: k230\r\n\r\n")
        .expect("garbage");
    let (_, status, body) = recv(&mut s);
    assert_eq!(status, Status::Protocol as u8);
    assert!(refusal(&body).contains("bad magic"), "{}", refusal(&body));
    assert!(closed(&mut s), "the agent hangs up on garbage");
    let c = client(&board);
    assert_eq!(c.stats().expect("stats").protocol_errors, 1);
    drop(c);
    assert_no_leaks(&board);
}

#[test]
fn oversized_and_unknown_frames_are_refused() {
    let board = board();
    let mut s = raw(&board);
    hello(&mut s);
    // An unknown type is refused, and the session goes on: the framing is intact.
    send(&mut s, 0x77, 2, b"??");
    let (kind, status, body) = recv(&mut s);
    assert_eq!((kind, status), (0xF7, Status::Protocol as u8));
    assert!(refusal(&body).contains("unknown request type 0x77"));
    send(&mut s, Kind::Stats as u8, 3, &[]);
    assert_eq!(recv(&mut s).1, Status::Ok as u8);
    // A wrong body size for a known request: refused, session goes on.
    send(&mut s, Kind::StartChn as u8, 4, &[0, 0]);
    let (_, status, body) = recv(&mut s);
    assert_eq!(status, Status::Protocol as u8);
    assert!(refusal(&body).contains("takes 4"), "{}", refusal(&body));
    // 64 MiB announced: refused before a byte of it is read, and the connection closes.
    s.write_all(&protocol::encode_header(Kind::WriteMem as u8, 5, 64 << 20))
        .expect("header");
    let (_, status, body) = recv(&mut s);
    assert_eq!(status, Status::Protocol as u8);
    assert!(
        refusal(&body).contains("exceeds the limit"),
        "{}",
        refusal(&body)
    );
    assert!(closed(&mut s));
    assert_no_leaks(&board);
}

#[test]
fn a_client_that_vanishes_mid_frame_leaves_no_channel_behind() {
    let board = board();
    let c = client(&board);
    hold_channel(&c, 0);
    hold_channel(&c, 3);
    // Half a WRITE_MEM frame on a session holding two started channels, then gone.
    let mut s = raw(&board);
    drop(c); // BYE: the agent cleans up and serves the next client
    hello(&mut s);
    let mut held = Body::default().u32(1).0;
    send(
        &mut s,
        Kind::CreatePool as u8,
        2,
        &Body::default().u64(4096).u32(1).0,
    );
    let (_, status, body) = recv(&mut s);
    assert_eq!(status, Status::Ok as u8);
    let pool = u32::from_le_bytes(body[..4].try_into().expect("pool id"));
    held.extend_from_slice(&pool.to_le_bytes());
    send(&mut s, Kind::AttachVbPool as u8, 3, &held);
    assert_eq!(recv(&mut s).1, Status::Ok as u8);
    s.write_all(&protocol::encode_header(Kind::WriteMem as u8, 4, 1000))
        .expect("header");
    s.write_all(&[0; 100]).expect("a tenth of the body");
    drop(s);
    assert_no_leaks(&board);
    assert!(board.log().contains("mid-frame"), "{}", board.log());
}

#[test]
fn a_truncated_frame_then_silence_is_cut_off() {
    let board = board();
    let mut s = raw(&board);
    hello(&mut s);
    s.write_all(&protocol::encode_header(Kind::StartChn as u8, 2, 4))
        .expect("header");
    s.write_all(&[0, 0]).expect("half the body");
    let t0 = Instant::now();
    let (_, status, body) = recv(&mut s);
    assert_eq!(status, Status::Protocol as u8);
    assert!(
        refusal(&body).contains("truncated frame"),
        "{}",
        refusal(&body)
    );
    assert!(t0.elapsed() < Duration::from_secs(8));
    assert!(closed(&mut s));
    assert_no_leaks(&board);
}

#[test]
fn a_connect_flood_of_silent_connections_does_not_keep_a_real_client_out() {
    let board = board();
    let addr = board.url().trim_start_matches("tcp://").to_owned();
    // Forty connections that never say a word, all kept open.
    let silent: Vec<_> = (0..40)
        .map(|_| std::net::TcpStream::connect(&addr).expect("connect"))
        .collect();
    // A client that speaks is served at once, not after the silent ones' idle time (120 s).
    let quick = HwOptions {
        busy_wait: Duration::from_millis(300),
        ..HwOptions::default()
    };
    let c = HwClient::connect(board.url(), quick).expect("served despite the flood");
    hold_channel(&c, 0);
    assert!(
        c.stats().expect("stats").turned_away >= 32,
        "the lobby dropped the oldest"
    );
    drop(silent);
}

#[test]
fn a_second_client_is_turned_away_while_one_is_served() {
    let board = board();
    let first = client(&board);
    hold_channel(&first, 1);
    let quick = HwOptions {
        busy_wait: Duration::from_millis(300),
        ..HwOptions::default()
    };
    let e = HwClient::connect(board.url(), quick).expect_err("the board is busy");
    assert!(matches!(e, HwError::Busy { .. }), "{e}");
    assert!(e.to_string().contains("one client at a time"), "{e}");
    // The first client did not notice.
    assert_eq!(first.query_status(1).map(|s| s.cur_packs), Ok(0));
    assert!(first.stats().expect("stats").turned_away >= 1);
    drop(first);
    // Once it is gone the second gets in, and channel 1 is free again.
    let second = HwClient::connect(board.url(), quick).expect("served now");
    hold_channel(&second, 1);
}

#[test]
fn a_board_that_dies_gives_a_clear_error_not_a_hang() {
    let mut board = board();
    let c = client(&board);
    hold_channel(&c, 0);
    drop(std::mem::replace(
        &mut board,
        EmulatedBoard::start(0).expect("another"),
    ));
    let t0 = Instant::now();
    let mut packs = Vec::new();
    // A wait for ever on a dead board ends at once, with the fault on record.
    assert_eq!(c.get_stream(0, 1, -1, &mut packs), Err(VencError::Unexist));
    let fault = c.backend_fault().expect("recorded");
    assert!(
        fault.contains("lost") || fault.contains("closed"),
        "{fault}"
    );
    // Later calls fail at once with the same fault.
    assert_eq!(c.start_chn(0), Err(VencError::Unexist));
    let mut buf = [0; 16];
    let e = c.read_mem(0x1000, &mut buf).expect_err("dead");
    assert!(
        e.to_string().contains("lost") || e.to_string().contains("closed"),
        "{e}"
    );
    assert!(t0.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_silent_board_times_out() {
    // Accepts connections and never says a word.
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("tcp://{}", listener.local_addr().expect("addr"));
    let keep = std::thread::spawn(move || listener.accept().map(|(s, _)| s));
    let opts = HwOptions {
        reply_timeout: Duration::from_millis(300),
        ..HwOptions::default()
    };
    let t0 = Instant::now();
    let e = HwClient::connect(&url, opts).expect_err("silent");
    assert!(
        matches!(
            e,
            HwError::Silent {
                request: "HELLO",
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string().contains("did not answer HELLO within 0.3 s"),
        "{e}"
    );
    assert!(t0.elapsed() < Duration::from_secs(2));
    drop(keep.join());
}

#[test]
fn frames_go_up_and_packs_come_down_unchanged() {
    // A frame bigger than one WRITE_MEM chunk crosses in pieces and reads back byte for byte.
    let board = board();
    let c = client(&board);
    let size = (1 << 20) * 3 + 12345;
    let pool = c.create_pool(size as u64, 1).expect("pool");
    let block = c.get_block(pool).expect("block");
    let data: Vec<u8> = (0..size).map(|i| (i * 7 % 251) as u8).collect();
    c.write_mem(block, &data).expect("upload");
    let mut back = vec![0; size];
    c.read_mem(block, &mut back).expect("download");
    assert!(back == data, "round trip changed bytes");
    // Outside any block: the board's BadAddress, over the whole range asked for.
    let e = c.read_mem(block + size as u64 + (1 << 24), &mut back[..64]);
    assert!(
        matches!(e, Err(venc_core::MemError::BadAddress { len: 64, .. })),
        "{e:?}"
    );
    assert!(
        c.backend_fault().is_none(),
        "a board's error is not a fault"
    );
}

/// A peer that says HELLO properly, then answers each request with the next scripted reply
/// (status byte + body, and whether to repeat the request's sequence number).
fn scripted_board(replies: Vec<(Vec<u8>, bool)>) -> String {
    scripted_board_speaking(u16::from(protocol::PROTOCOL), replies)
}

/// [`scripted_board`] whose HELLO offers protocol `version`.
fn scripted_board_speaking(version: u16, replies: Vec<(Vec<u8>, bool)>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("tcp://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let Ok((mut s, _)) = listener.accept() else {
            return;
        };
        let answer = |s: &mut TcpStream, body: &[u8], same_seq: bool| -> Option<()> {
            let mut head = [0; HEADER_SIZE];
            s.read_exact(&mut head).ok()?;
            let h = protocol::decode_header(&head, protocol::MAX_PAYLOAD).ok()?;
            let mut skip = vec![0; h.len as usize];
            s.read_exact(&mut skip).ok()?;
            let seq = if same_seq { h.seq } else { h.seq + 7 };
            let len = u32::try_from(body.len()).ok()?;
            s.write_all(&protocol::encode_header(h.kind | 0x80, seq, len))
                .ok()?;
            s.write_all(body).ok()
        };
        let hello = Body::default()
            .u8(0)
            .u16(version)
            .u32(protocol::MAX_PAYLOAD)
            .u8(0)
            .u16(4)
            .bytes(b"fake")
            .u16(4)
            .bytes(b"k230")
            .u16(1)
            .bytes(b"1")
            .0;
        if answer(&mut s, &hello, true).is_none() {
            return;
        }
        for (body, same_seq) in replies {
            if answer(&mut s, &body, same_seq).is_none() {
                return;
            }
        }
    });
    url
}

#[test]
fn an_agent_of_another_protocol_is_refused_at_hello() {
    // The version before this one (an agent not updated with the client).
    let old = u16::from(protocol::PROTOCOL) - 1;
    let e = HwClient::connect(&scripted_board_speaking(old, vec![]), HwOptions::default())
        .expect_err("an older protocol");
    let want = format!(
        "the agent offers protocol {old}, this client speaks {}",
        protocol::PROTOCOL
    );
    assert!(e.to_string().contains(&want), "{e}");
}

#[test]
fn replies_without_the_boards_ticks_are_a_fault() {
    // Protocol 2 ends SEND_FRAME and GET_STREAM replies with the board's ticks.
    let ok_empty = Body::default().u8(Status::Ok as u8).0;
    let c = HwClient::connect(
        &scripted_board(vec![(ok_empty, true)]),
        HwOptions::default(),
    )
    .expect("hello");
    let frame = venc_core::VideoFrameInfo::default();
    assert_eq!(c.send_frame(0, &frame, 0), Err(VencError::Unexist));
    let fault = c.backend_fault().expect("a fault");
    assert!(fault.contains("SEND_FRAME"), "{fault}");
    let no_ticks = Body::default().u8(Status::Ok as u8).u32(0).0;
    let c = HwClient::connect(
        &scripted_board(vec![(no_ticks, true)]),
        HwOptions::default(),
    )
    .expect("hello");
    let mut packs = Vec::new();
    assert_eq!(c.get_stream(0, 1, 0, &mut packs), Err(VencError::Unexist));
    assert!(c.backend_fault().expect("a fault").contains("GET_STREAM"));
    assert_eq!(c.board_times(0), venc_hw::BoardTimes::default());
}

#[test]
fn a_k230_that_keeps_no_count_of_released_frames_is_asked_once() {
    // A K230 answers RELEASED_PTS with NOT_SUPPORT (D-056); the client then answers None
    // without asking again, and the next request gets the board's next reply.
    let not_supported = Body::default()
        .u8(Status::Venc as u8)
        .u32(VencError::NotSupport.code())
        .0;
    let status = Body::default().u8(Status::Ok as u8).u32(3).u64(0).u8(0).0;
    let c = HwClient::connect(
        &scripted_board(vec![(not_supported, true), (status, true)]),
        HwOptions::default(),
    )
    .expect("hello");
    assert_eq!(c.released_pts(0), Ok(None));
    assert_eq!(c.released_pts(0), Ok(None));
    let st = c
        .query_status(0)
        .expect("the next reply answers query_status");
    assert_eq!((st.cur_packs, st.release_pic_pts), (3, 0));
    assert!(c.backend_fault().is_none());
    // A truncated count is a protocol fault, not a pts.
    let short = Body::default().u8(Status::Ok as u8).u32(7).0;
    let c = HwClient::connect(&scripted_board(vec![(short, true)]), HwOptions::default())
        .expect("hello");
    assert_eq!(c.released_pts(0), Err(VencError::Unexist));
    assert!(c.backend_fault().expect("a fault").contains("RELEASED_PTS"));
}

#[test]
fn a_feature_reply_of_the_wrong_shape_is_a_fault_not_a_value() {
    // GET_ROTATION answers one word; two, or bytes after the announced words, are a broken
    // board, never a rotation.
    let two_words = Body::default().u8(Status::Ok as u8).u16(2).u32(1).u32(2).0;
    let c = HwClient::connect(
        &scripted_board(vec![(two_words, true)]),
        HwOptions::default(),
    )
    .expect("hello");
    assert_eq!(c.get_rotation(0), Err(VencError::Unexist));
    let fault = c.backend_fault().expect("a fault");
    assert!(fault.contains("GET_ROTATION"), "{fault}");
    let trailing = Body::default().u8(Status::Ok as u8).u16(1).u32(1).u8(9).0;
    let c = HwClient::connect(
        &scripted_board(vec![(trailing, true)]),
        HwOptions::default(),
    )
    .expect("hello");
    assert_eq!(c.get_mirror(0), Err(VencError::Unexist));
    assert!(c.backend_fault().expect("a fault").contains("GET_MIRROR"));
    // A board's code is an answer, not a fault.
    let refused = Body::default()
        .u8(Status::Venc as u8)
        .u32(VencError::IllegalParam.code())
        .0;
    let c = HwClient::connect(&scripted_board(vec![(refused, true)]), HwOptions::default())
        .expect("hello");
    assert_eq!(c.set_rotation(0, 9), Err(VencError::IllegalParam));
    assert!(c.backend_fault().is_none());
}

#[test]
fn a_board_that_breaks_the_protocol_is_a_fault_not_an_answer() {
    // A code from another module is passed on as ILLEGAL_PARAM, and is not a fault.
    let vb_code = Body::default().u8(Status::Venc as u8).u32(0xA003_8001).0;
    let c = HwClient::connect(&scripted_board(vec![(vb_code, true)]), HwOptions::default())
        .expect("hello");
    assert_eq!(
        c.info().backend_name(),
        "hw",
        "a board that says it is not emulated"
    );
    assert_eq!(c.start_chn(0), Err(VencError::IllegalParam));
    assert!(c.backend_fault().is_none());

    let cases: Vec<(Vec<u8>, bool, &str)> = vec![
        (
            Body::default().u8(0).0,
            false,
            "reply type 0x92 #9 to request #2",
        ),
        (
            Body::default()
                .u8(Status::Mem as u8)
                .u8(1)
                .u64(0)
                .u64(0)
                .u16(0)
                .0,
            true,
            "memory error to a VENC request",
        ),
        (
            Body::default()
                .u8(Status::Protocol as u8)
                .u8(0)
                .u16(4)
                .bytes(b"nope")
                .0,
            true,
            "refused START_CHN: nope",
        ),
        (Body::default().u8(9).0, true, "unknown status 9"),
    ];
    for (body, same_seq, why) in cases {
        let c = HwClient::connect(
            &scripted_board(vec![(body, same_seq)]),
            HwOptions::default(),
        )
        .expect("hello");
        assert_eq!(c.start_chn(0), Err(VencError::Unexist), "{why}");
        let fault = c.backend_fault().expect("a fault");
        assert!(fault.contains(why), "{fault} lacks {why}");
        // Sticky: the next call fails at once without a round trip.
        assert_eq!(c.stop_chn(0), Err(VencError::Unexist));
    }
    // A QUERY_STATUS reply too short for its fields.
    let short = Body::default().u8(0).u32(1).0;
    let c = HwClient::connect(&scripted_board(vec![(short, true)]), HwOptions::default())
        .expect("hello");
    assert_eq!(c.query_status(0), Err(VencError::Unexist));
    let fault = c.backend_fault().expect("fault");
    assert!(
        fault.contains("QUERY_STATUS reply of 4 bytes is too short"),
        "{fault}"
    );
}

#[test]
fn fault_requests_the_board_cannot_take_are_refused_and_the_board_stays_whole() {
    let board = board();
    let mut s = raw(&board);
    hello(&mut s);
    let inject = |s: &mut TcpStream, seq, spec: &[u8]| {
        let n = u16::try_from(spec.len()).expect("short");
        send(
            s,
            Kind::InjectFault as u8,
            seq,
            &Body::default().u16(n).bytes(spec).0,
        );
        recv(s)
    };
    let illegal = VencError::IllegalParam.code().to_le_bytes().to_vec();
    // A spec the simulator refuses, and the call-level kinds (the client's to act out).
    for (seq, spec) in [
        (2, &b"gremlins"[..]),
        (3, b"link-drop@next"),
        (4, b"send-frame-busy"),
    ] {
        let (_, status, body) = inject(&mut s, seq, spec);
        assert_eq!(
            (status, body),
            (Status::Venc as u8, illegal.clone()),
            "{spec:?}"
        );
    }
    // A length that disagrees with the bytes, and bytes that are not text: protocol errors.
    send(
        &mut s,
        Kind::InjectFault as u8,
        5,
        &Body::default().u16(9).bytes(b"drop").0,
    );
    let (_, status, body) = recv(&mut s);
    assert_eq!(status, Status::Protocol as u8);
    assert!(refusal(&body).contains("9 announced"), "{}", refusal(&body));
    let (_, status, _) = inject(&mut s, 6, &[0xff, 0xfe]);
    assert_eq!(status, Status::Protocol as u8);
    drop(s);
    // The board is whole: a new session makes channels, and none of the above armed anything.
    assert_no_leaks(&board);
}
