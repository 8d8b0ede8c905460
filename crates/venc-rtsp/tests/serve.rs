//! A real client plays what the server streams: ffmpeg (libavformat's RTSP client, no code in
//! common with GStreamer) reads `rtsp://127.0.0.1:PORT/NAME` over TCP and UDP, H.264, H.265 and
//! MJPEG, two at once; every loop is bounded and the server listens on loopback only.
#![allow(clippy::unwrap_used)]

mod common;

use common::packs;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use venc_core::consts::{K_PT_H264, K_PT_H265, K_PT_JPEG};
use venc_rtsp::{RtspServer, Sent, VideoType, send_video, session_url};

/// Sessions are process-wide and `stop` ends them all (as on the board): one test at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The one server a test may have (sessions are process-wide), on a free loopback port.
fn serial_server() -> (std::sync::MutexGuard<'static, ()>, RtspServer, u16) {
    let serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let server = RtspServer::new();
    server.init("127.0.0.1", 0).unwrap();
    let port = server.bound_port().unwrap();
    (serial, server, port)
}

/// Sends the packs round and round at ~30 fps until `stop`.
fn feed(
    name: &'static str,
    packs: Vec<Vec<u8>>,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let end = Instant::now() + Duration::from_secs(60);
        'outer: while Instant::now() < end {
            for p in &packs {
                if stop.load(Ordering::Relaxed) {
                    break 'outer;
                }
                assert!(send_video(name, p).is_some());
                std::thread::sleep(Duration::from_millis(33));
            }
        }
    })
}

/// ffmpeg reads `frames` pictures from the URL; its exit status and stderr.
fn play(url: &str, transport: &str, frames: u32) -> std::process::Child {
    Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-rtsp_transport",
            transport,
            "-timeout",
            "10000000",
            "-i",
            url,
        ])
        .args(["-frames:v", &frames.to_string(), "-f", "null", "-"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn finished(mut child: std::process::Child) -> (bool, String) {
    let end = Instant::now() + Duration::from_secs(40);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            return (
                status.success(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if Instant::now() > end {
            let _ = child.kill();
            return (false, "ffmpeg did not finish within 40 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn ffmpeg_plays_every_codec_over_tcp_and_udp_two_clients_at_once() {
    let (_serial, server, port) = serial_server();
    let cases: [(&'static str, VideoType, u32); 3] = [
        ("h264", VideoType::H264, K_PT_H264),
        ("h265", VideoType::H265, K_PT_H265),
        ("mjpeg", VideoType::Mjpeg, K_PT_JPEG),
    ];
    for (name, video, _) in cases {
        assert!(server.create_session(name, video, false).unwrap());
        assert!(
            !server.create_session(name, video, false).unwrap(),
            "a second create is a no-op"
        );
    }
    assert!(
        session_url("h264")
            .unwrap()
            .starts_with("rtsp://127.0.0.1:")
    );
    server.start().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let feeders: Vec<_> = cases
        .iter()
        .map(|&(name, _, payload)| feed(name, packs(payload, 30), Arc::clone(&stop)))
        .collect();
    for (name, _, _) in cases {
        let url = format!("rtsp://127.0.0.1:{port}/{name}");
        let (tcp, udp) = (play(&url, "tcp", 20), play(&url, "udp", 20));
        for (transport, child) in [("tcp", tcp), ("udp", udp)] {
            let (ok, err) = finished(child);
            assert!(ok, "{name} over {transport}: {err}");
        }
    }
    // A client that vanishes mid-stream: the server goes on serving the next one.
    let url = format!("rtsp://127.0.0.1:{port}/h264");
    let mut gone = play(&url, "tcp", 1000);
    std::thread::sleep(Duration::from_secs(2));
    gone.kill().unwrap();
    let _ = gone.wait();
    let (ok, err) = finished(play(&url, "udp", 10));
    assert!(ok, "after a vanished client: {err}");
    stop.store(true, Ordering::Relaxed);
    for f in feeders {
        f.join().unwrap();
    }
    server.stop();
    assert_eq!(
        send_video("h264", &[0, 0, 0, 1, 0x65]),
        None,
        "after stop: -1"
    );
    server.deinit();
    // The port is free again.
    std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
}

#[test]
fn the_firmwares_rules() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let server = RtspServer::new();
    let crash = server
        .create_session("early", VideoType::H264, false)
        .unwrap_err();
    assert!(matches!(crash, venc_rtsp::RtspError::Crash(_)), "{crash}");
    server.init("127.0.0.1", 0).unwrap();
    let port = server.bound_port().unwrap();
    // A second server on the same port fails as live555's createNew does.
    let other = RtspServer::new();
    let taken = other.init("127.0.0.1", port).unwrap_err();
    assert!(
        taken.to_string().starts_with("create rtsp server failed."),
        "{taken}"
    );
    // A session with audio (G.711 µ-law): audio is taken by it, and by a session without
    // audio too (and dropped there), as the board's binding returns 0 for both.
    assert!(
        server
            .create_session("audio", VideoType::H264, true)
            .unwrap()
    );
    assert_eq!(
        venc_rtsp::send_audio("audio", &[0xFF; 320]),
        Some(Sent::NoClient)
    );
    assert_eq!(venc_rtsp::send_audio("no such session", &[0xFF; 320]), None);
    server
        .create_session("rules", VideoType::H264, false)
        .unwrap();
    assert_eq!(
        venc_rtsp::send_audio("rules", &[0xFF; 320]),
        Some(Sent::Dropped)
    );
    // No client yet: taken and dropped; no 4-byte start code: dropped silently.
    assert_eq!(
        send_video("rules", &[0, 0, 0, 1, 0x67]),
        Some(Sent::NoClient)
    );
    assert_eq!(send_video("rules", &[0, 0, 1, 0x67]), Some(Sent::Dropped));
    assert_eq!(send_video("nobody", &[0, 0, 0, 1]), None);
    assert!(matches!(
        session_url("nobody"),
        Err(venc_rtsp::RtspError::Crash(_))
    ));
    assert!(matches!(
        server.destroy_session("nobody"),
        Err(venc_rtsp::RtspError::Crash(_))
    ));
    server.destroy_session("rules").unwrap();
    server.deinit();
}

/// An RTSP client that sets up RTP interleaved on its connection, plays, and never reads.
fn non_reading_client(port: u16, name: &str) -> std::net::TcpStream {
    use std::io::{BufRead, BufReader, Read, Write};
    let stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let url = format!("rtsp://127.0.0.1:{port}/{name}");
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream.try_clone().unwrap();
    let mut ask = |cseq: u32, line: String, extra: &str| -> String {
        write!(writer, "{line} RTSP/1.0\r\nCSeq: {cseq}\r\n{extra}\r\n").unwrap();
        let mut head = String::new();
        loop {
            let mut l = String::new();
            reader.read_line(&mut l).unwrap();
            if l == "\r\n" {
                break;
            }
            head.push_str(&l);
        }
        let length = head
            .lines()
            .find_map(|l| l.strip_prefix("Content-Length: "))
            .map_or(0, |n| n.trim().parse::<usize>().unwrap());
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        head + &String::from_utf8_lossy(&body)
    };
    let sdp = ask(1, format!("DESCRIBE {url}"), "Accept: application/sdp\r\n");
    let control = sdp
        .lines()
        .find_map(|l| {
            l.strip_prefix("a=control:")
                .filter(|c| c.contains("stream"))
        })
        .unwrap()
        .trim()
        .to_owned();
    let setup = ask(
        2,
        format!("SETUP {url}/{control}"),
        "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n",
    );
    let session = setup
        .lines()
        .find_map(|l| l.strip_prefix("Session: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim()
        .to_owned();
    ask(3, format!("PLAY {url}"), &format!("Session: {session}\r\n"));
    stream
}

#[test]
fn a_client_that_does_not_read_holds_a_bounded_queue() {
    let (_serial, server, port) = serial_server();
    assert!(
        server
            .create_session("slow", VideoType::H264, false)
            .unwrap()
    );
    server.start().unwrap();
    let gop = packs(K_PT_H264, 30);
    // The stream's description needs data flowing.
    let stop = Arc::new(AtomicBool::new(false));
    let feeder = feed("slow", gop.clone(), Arc::clone(&stop));
    let _clients: Vec<_> = (0..3).map(|_| non_reading_client(port, "slow")).collect();
    stop.store(true, Ordering::Relaxed);
    feeder.join().unwrap();
    // Far more than the sockets and the queue hold, as fast as it comes.
    let (mut sent, mut most) = (0usize, 0u64);
    let end = Instant::now() + Duration::from_secs(20);
    while sent < 64 << 20 && Instant::now() < end {
        for p in &gop {
            assert!(send_video("slow", p).is_some());
            sent += p.len();
        }
        most = most.max(venc_rtsp::queued_bytes("slow").unwrap_or(0));
    }
    assert!(sent >= 16 << 20, "sent only {sent} bytes in 20 s");
    assert!(
        most <= venc_rtsp::QUEUE_BYTES + (1 << 20),
        "the queue reached {most} bytes after {sent} sent"
    );
    server.stop();
    server.deinit();
}

#[test]
fn a_timed_sender_s_rtp_time_stamps_are_90_khz_times_its_pts_whatever_the_arrival() {
    let (_serial, server, port) = serial_server();
    assert!(
        server
            .create_session("timed", VideoType::H264, false)
            .unwrap()
    );
    server.start().unwrap();
    let gop = packs(K_PT_H264, 30);
    let stop = Arc::new(AtomicBool::new(false));
    let feeder = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            // 25 fps by pts (40 ms: 3600 ticks of 90 kHz), sent with a jittered gap of
            // 20-60 ms, as a loaded host would.
            let (mut picture, mut n) = (0u64, 0u64);
            let end = Instant::now() + Duration::from_secs(40);
            'outer: while Instant::now() < end {
                for p in &gop {
                    if stop.load(Ordering::Relaxed) {
                        break 'outer;
                    }
                    let header = p.len() > 4 && p[4] & 0x1f == 7;
                    let at = Duration::from_millis(40 * picture);
                    assert!(venc_rtsp::send_video_at("timed", p, at).is_some());
                    if !header {
                        picture += 1;
                        n += 1;
                        std::thread::sleep(Duration::from_millis(20 + (n * 37) % 41));
                    }
                }
            }
        })
    };
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-rtsp_transport",
            "tcp",
            "-timeout",
            "10000000",
        ])
        .args(["-read_intervals", "%+#40", "-select_streams", "v:0"])
        .args(["-show_entries", "packet=pts", "-of", "csv=p=0"])
        .arg(format!("rtsp://127.0.0.1:{port}/timed"))
        .output()
        .unwrap();
    stop.store(true, Ordering::Relaxed);
    feeder.join().unwrap();
    server.stop();
    server.deinit();
    let pts: Vec<i64> = String::from_utf8_lossy(&probe.stdout)
        .lines()
        // A packet with side data (new parameter sets) prints `pts,` and a line of its own.
        .filter_map(|l| l.split(',').next()?.trim().parse().ok())
        .collect();
    assert!(
        pts.len() >= 30,
        "ffprobe read {} packets: {}",
        pts.len(),
        String::from_utf8_lossy(&probe.stderr)
    );
    let steps: Vec<i64> = pts.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(steps.iter().all(|&d| d == 3600), "RTP steps: {steps:?}");
}
