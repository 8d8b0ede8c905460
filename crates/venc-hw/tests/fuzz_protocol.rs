//! Fuzz target: what the board client reads from the network: frame headers and every reply
//! body it parses (HELLO, QUERY_STATUS, GET_STREAM). Mutated valid replies and arbitrary bytes:
//! an answer or a clear error, never a panic. (Board addresses go through the `url` crate and
//! name resolution: not fuzzed here, a lookup per input would leave the machine.)
//! `FUZZ_CASES` sets the count (`cargo xtask fuzz`: a million).

use proptest::prelude::*;
use proptest::test_runner::Config;
use venc_harness::mutate::{cases, edits, mutate};
use venc_hw::BoardInfo;
use venc_hw::protocol::{
    Body, HEADER_SIZE, Kind, MAX_PAYLOAD, Reader, decode_header, encode_header, read_packs,
    read_status,
};

/// Valid replies, one per parser: the corpus, built here from the protocol's own writer.
fn seeds() -> Vec<(Kind, Vec<u8>)> {
    let string = |b: Body, s: &str| {
        let b = b.u16(s.len() as u16);
        let mut v = b.0;
        v.extend_from_slice(s.as_bytes());
        Body(v)
    };
    let hello = Body::default()
        .u16(u16::from(venc_hw::protocol::PROTOCOL))
        .u32(MAX_PAYLOAD)
        .u8(1);
    let hello = string(
        string(string(hello, "emulated canmv-2026-01"), "x86_64"),
        "1.0",
    );
    let packs = Body::default()
        .u32(3)
        .u64(0x1000_0000)
        .u32(30)
        .u64(33_333)
        .u32(3)
        .u64(0x1000_1000)
        .u32(900)
        .u64(33_333)
        .u32(2)
        .u64(0x1000_2000)
        .u32(40)
        .u64(66_666)
        .u32(1);
    vec![
        (Kind::Hello, hello.0),
        (
            Kind::QueryStatus,
            Body::default().u32(2).u64(66_666).u8(0).0,
        ),
        (Kind::GetStream, packs.0),
    ]
}

/// Parses `body` as a reply to `kind`; only a panic can fail.
fn parse(kind: Kind, body: &[u8]) {
    let mut r = Reader::new(body, kind);
    let _ = match kind {
        Kind::Hello => BoardInfo::read("tcp://127.0.0.1:5230", &mut r).map(drop),
        Kind::QueryStatus => read_status(&mut r).map(drop),
        _ => {
            let mut packs = Vec::new();
            read_packs(&mut r, &mut packs).map(|()| assert!(packs.len() <= body.len() / 24))
        }
    };
}

#[test]
fn the_seeds_parse() {
    for (kind, body) in seeds() {
        let mut r = Reader::new(&body, kind);
        match kind {
            Kind::Hello => assert!(BoardInfo::read("tcp://h:1", &mut r).unwrap().emulated),
            Kind::QueryStatus => assert_eq!(read_status(&mut r).unwrap().cur_packs, 2),
            _ => {
                let mut packs = Vec::new();
                read_packs(&mut r, &mut packs).unwrap();
                assert_eq!(packs.len(), 3);
            }
        }
    }
}

proptest! {
    #![proptest_config(Config { cases: cases(5000), ..Config::default() })]

    #[test]
    fn mutated_replies_parse_or_fail_cleanly(pick in 0usize..3, e in edits()) {
        let (kind, seed) = &seeds()[pick];
        parse(*kind, &mutate(seed, &e));
    }

    #[test]
    fn arbitrary_reply_bodies_parse_or_fail_cleanly(
        pick in 0usize..3,
        body in prop::collection::vec(any::<u8>(), 0..128),
    ) {
        parse(seeds()[pick].0, &body);
    }

    #[test]
    fn headers_are_read_or_refused(h in any::<[u8; HEADER_SIZE]>(), max in any::<u32>()) {
        if let Ok(header) = decode_header(&h, max) {
            prop_assert!(header.len <= max);
            prop_assert_eq!(encode_header(header.kind, header.seq, header.len), h);
        }
    }
}
