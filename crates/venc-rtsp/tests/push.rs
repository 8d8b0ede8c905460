//! The pusher against a real RTSP server that accepts RECORD: ffmpeg in listen mode
//! (`-rtsp_flags listen`, libavformat's RTSP server, no code in common with ours) receives the
//! stream and writes it to a file, which ffprobe then decodes. Over TCP and UDP; the server
//! listens on loopback only and every wait is bounded.
#![allow(clippy::unwrap_used)]

mod common;

use common::packs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use venc_core::consts::K_PT_H264;
use venc_rtsp::pusher::{PushError, PusherConfig, RtspPusher};

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// ffmpeg waiting for a RECORD on `url`, writing what it receives to `out` (H.264 as is).
fn receiver(url: &str, transport: &str, out: &Path) -> Child {
    Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-rtsp_flags",
            "listen",
            "-rtsp_transport",
            transport,
        ])
        .args([
            "-timeout", "20", "-i", url, "-c", "copy", "-f", "h264", "-y",
        ])
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ffmpeg on PATH")
}

/// Retries `open` until the receiver listens (it needs a moment to start), 10 s at most.
fn open_when_listening(pusher: &RtspPusher) {
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        match pusher.open() {
            Ok(()) => return,
            Err(e) if Instant::now() < end => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => panic!("open: {e}"),
        }
    }
}

fn frames_in(path: &Path) -> u32 {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=codec_name,width,height,nb_read_frames",
        ])
        .args(["-of", "csv=p=0"])
        .arg(path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    let fields: Vec<&str> = text.split(',').collect();
    assert_eq!(&fields[..3], ["h264", "320", "240"], "{text}");
    fields[3].parse().unwrap()
}

/// The pusher's example flow: header cached, open, then every picture pack pushed with its
/// timestamp (40 ms apart); the server's file holds every picture.
fn push_and_receive(transport: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("received.h264");
    let url = format!("rtsp://127.0.0.1:{}/live/test", free_port());
    let mut server = receiver(&url, transport, &out);
    let pusher = RtspPusher::new(PusherConfig::new(
        320,
        240,
        url.as_bytes(),
        25,
        transport.as_bytes(),
    ));
    let packs = packs(K_PT_H264, 30);
    let header = packs[0].clone();
    pusher.push_header(&header).unwrap();
    open_when_listening(&pusher);
    let mut pictures = 0u32;
    for (i, pack) in packs.iter().enumerate().skip(1) {
        if pack.starts_with(&header[..5]) && pack.len() < 64 {
            continue; // a later HEADER pack: the cached one is already prefixed
        }
        let key = pack
            .windows(5)
            .any(|w| w[..4] == [0, 0, 0, 1] && w[4] & 0x1f == 5);
        pusher
            .push_video(pack, key, 1_000_000 + i as u64 * 40_000)
            .unwrap();
        pictures += 1;
        std::thread::sleep(Duration::from_millis(5));
    }
    // Wait for the queue to drain, then close (TEARDOWN ends the receiver).
    let end = Instant::now() + Duration::from_secs(10);
    while pusher.stats().frames_sent < u64::from(pictures) && Instant::now() < end {
        std::thread::sleep(Duration::from_millis(20));
    }
    let stats = pusher.stats();
    pusher.deinit();
    let end = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(s) = server.try_wait().unwrap() {
            break s;
        }
        assert!(
            Instant::now() < end,
            "the receiver did not end after TEARDOWN"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(server.stderr.as_mut().unwrap(), &mut err).unwrap();
    assert!(status.success(), "receiver: {status} {err}");
    assert_eq!(stats.frames_sent, u64::from(pictures), "{stats:?}");
    assert!(stats.packets_sent >= u64::from(pictures));
    assert_eq!(frames_in(&out), pictures);
}

#[test]
fn ffmpeg_receives_every_picture_over_tcp() {
    push_and_receive("tcp");
}

#[test]
fn ffmpeg_receives_every_picture_over_udp() {
    push_and_receive("udp");
}

#[test]
fn a_server_that_refuses_fails_open_and_pushes_stay_refused() {
    // A listener that answers every request with 404.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let refuser = std::thread::spawn(move || {
        use std::io::{BufRead, BufReader, Write};
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        let mut cseq = String::new();
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap_or(0) > 0 {
            if let Some(v) = line.strip_prefix("CSeq:") {
                cseq = v.trim().to_string();
            }
            if line == "\r\n" {
                let reply = format!("RTSP/1.0 404 Not Found\r\nCSeq: {cseq}\r\n\r\n");
                writer.write_all(reply.as_bytes()).unwrap();
                break;
            }
            line.clear();
        }
    });
    let url = format!("rtsp://127.0.0.1:{port}/live/test");
    let pusher = RtspPusher::new(PusherConfig::new(320, 240, url.as_bytes(), 25, b"tcp"));
    let err = pusher.open().unwrap_err();
    assert!(
        matches!(&err, PushError::Connect(why) if why.contains("404")),
        "{err}"
    );
    assert_eq!(
        pusher.push_video(&[0, 0, 0, 1, 0x65], true, 0),
        Err(PushError::NotOpened)
    );
    refuser.join().unwrap();
}
