//! Raw protocol sessions with the emulated board, for the tests that speak bytes to it.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use venc_hw::EmulatedBoard;
use venc_hw::protocol::{self, Body, HEADER_SIZE, Kind, Reader, Status};

/// A TCP connection to the board, not yet greeted.
pub fn raw(board: &EmulatedBoard) -> TcpStream {
    let addr = board.url().trim_start_matches("tcp://");
    let s = TcpStream::connect(addr).expect("connect");
    // Header and body go out as two writes: without this, Nagle holds the body for the
    // agent's delayed ACK (40 ms a request).
    s.set_nodelay(true).expect("nodelay");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    s
}

pub fn send(s: &mut TcpStream, kind: u8, seq: u32, body: &[u8]) {
    let len = u32::try_from(body.len()).expect("small");
    s.write_all(&protocol::encode_header(kind, seq, len))
        .expect("header");
    s.write_all(body).expect("body");
}

/// Reads one reply: (type, status, body after the status).
pub fn recv(s: &mut TcpStream) -> (u8, u8, Vec<u8>) {
    let mut head = [0; HEADER_SIZE];
    s.read_exact(&mut head).expect("reply header");
    let h = protocol::decode_header(&head, protocol::MAX_PAYLOAD).expect("a valid header");
    let mut body = vec![0; h.len as usize];
    s.read_exact(&mut body).expect("reply body");
    (h.kind, body[0], body[1..].to_vec())
}

pub fn hello(s: &mut TcpStream) {
    send(
        s,
        Kind::Hello as u8,
        1,
        &Body::default()
            .u16(u16::from(protocol::PROTOCOL))
            .bytes(b"abuse")
            .0,
    );
    let (kind, status, _) = recv(s);
    assert_eq!((kind, status), (Kind::Hello.reply(), Status::Ok as u8));
}

/// The agent's message in a PROTOCOL error reply.
pub fn refusal(body: &[u8]) -> String {
    let mut r = Reader::new(body, Kind::Hello);
    let _closing = r.u8().expect("flag");
    r.string().expect("message")
}

pub fn closed(s: &mut TcpStream) -> bool {
    let mut b = [0; 1];
    matches!(s.read(&mut b), Ok(0) | Err(_))
}
