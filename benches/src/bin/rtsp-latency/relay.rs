//! A loopback TCP relay between the RTSP client and the server that notes when each picture's
//! last RTP packet (the one with the marker bit, RFC 6184 §5.1) has been handed on to the
//! client, and whether the picture holds an IDR: the server's own share of the latency.
//! RTP arrives interleaved on the RTSP connection (RFC 2326 §10.12: `$`, channel, 16-bit
//! length); RTSP messages between the packets are passed on as they are.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One picture as it left the relay.
#[derive(Debug, Clone, Copy)]
pub struct Delivered {
    pub at: Instant,
    pub idr: bool,
}

/// The relay: its port, and what it saw.
pub struct Relay {
    pub port: u16,
    pub delivered: Arc<Mutex<Vec<Delivered>>>,
}

impl Relay {
    /// Listens on an ephemeral loopback port; relays the first connection to `server_port`.
    pub fn start(server_port: u16) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let delivered: Arc<Mutex<Vec<Delivered>>> = Arc::default();
        let seen = Arc::clone(&delivered);
        std::thread::spawn(move || {
            let Ok((client, _)) = listener.accept() else {
                return;
            };
            let Ok(server) = TcpStream::connect(("127.0.0.1", server_port)) else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = server.set_nodelay(true);
            let (Ok(mut c_in), Ok(mut s_out)) = (client.try_clone(), server.try_clone()) else {
                return;
            };
            // Requests go up untouched.
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut c_in, &mut s_out);
                let _ = s_out.shutdown(Shutdown::Write);
            });
            down(server, client, &seen);
        });
        Ok(Self { port, delivered })
    }
}

/// Server to client: passes everything on, noting each picture's end.
fn down(mut server: TcpStream, mut client: TcpStream, seen: &Mutex<Vec<Delivered>>) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    let mut idr = false;
    loop {
        let Ok(n) = server.read(&mut chunk) else {
            return;
        };
        if n == 0 {
            return;
        }
        buf.extend_from_slice(&chunk[..n]);
        // Whole units only: an interleaved packet, or an RTSP message with its body.
        let mut used = 0;
        let mut marks = Vec::new();
        while let Some(len) = unit_len(&buf[used..]) {
            let unit = &buf[used..used + len];
            if unit[0] == b'$' && unit[1] == 0 {
                let rtp = &unit[4..];
                idr |= holds_idr(rtp);
                if rtp.len() > 1 && rtp[1] & 0x80 != 0 {
                    marks.push(idr);
                    idr = false;
                }
            }
            used += len;
        }
        if client.write_all(&buf[..used]).is_err() {
            return;
        }
        let at = Instant::now();
        let mut seen = seen.lock().expect("delivered");
        seen.extend(marks.into_iter().map(|idr| Delivered { at, idr }));
        drop(seen);
        buf.drain(..used);
    }
}

/// The length of the unit at the start of `buf`, once it is all there.
fn unit_len(buf: &[u8]) -> Option<usize> {
    if buf.first() == Some(&b'$') {
        let len = 4 + usize::from(u16::from_be_bytes([*buf.get(2)?, *buf.get(3)?]));
        return (buf.len() >= len).then_some(len);
    }
    let head = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let text = String::from_utf8_lossy(&buf[..head]);
    let body = text
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    (buf.len() >= head + body).then_some(head + body)
}

/// Whether an H.264 RTP packet (RFC 6184) carries (part of) an IDR slice.
fn holds_idr(rtp: &[u8]) -> bool {
    if rtp.len() < 12 {
        return false;
    }
    let cc = usize::from(rtp[0] & 0x0f);
    let mut at = 12 + 4 * cc;
    if rtp[0] & 0x10 != 0 {
        let Some(ext) = rtp.get(at + 2..at + 4) else {
            return false;
        };
        at += 4 + 4 * usize::from(u16::from_be_bytes([ext[0], ext[1]]));
    }
    let Some(&first) = rtp.get(at) else {
        return false;
    };
    match first & 0x1f {
        5 => true,
        // FU-A: the type is in the FU header.
        28 => rtp.get(at + 1).is_some_and(|h| h & 0x1f == 5),
        // STAP-A: 16-bit sizes before each unit.
        24 => {
            let mut p = at + 1;
            while let Some(size) = rtp.get(p..p + 2) {
                let size = usize::from(u16::from_be_bytes([size[0], size[1]]));
                if rtp.get(p + 2).is_some_and(|h| h & 0x1f == 5) {
                    return true;
                }
                p += 2 + size;
            }
            false
        }
        _ => false,
    }
}
