//! The newest firmware's RTSP pusher (`mm.rtsp_pusher()`, oldgen facts §3): the board is the
//! client and sends its H.264 stream to a remote RTSP server with ANNOUNCE / SETUP / RECORD,
//! as FFmpeg's RTSP muxer does on the board.
//!
//! Kept from the firmware (§3.2): `init` always succeeds and only stores the settings; the
//! header (SPS/PPS, at most 1024 bytes) is cached and prefixed to every frame pushed after it;
//! `open` blocks during the handshake (5 s at most) and is the one real failure point; a push
//! before `open` or of more than 2 MiB is refused; 32 frames queue, and a full queue drops its
//! oldest non-key frame (else its oldest); non-key frames before the first key frame are
//! discarded by the sender; the RTP clock runs from the first pushed timestamp (µs). H.264 only.
//!
//! The RTSP messages are read and written with `rtsp-types`; RTP packets come from GStreamer's
//! `rtph264pay` (RFC 6184); this module is the client's state machine between the two.

use crate::{RtspError, gst_init, lock};
use base64::Engine as _;
use gstreamer as gst;
use gstreamer::prelude::*;
use gstreamer_app::{AppSink, AppSrc};
use rtsp_types::{Message, Method, Request, Response, StatusCode, Version, headers};
use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The cached header's limit (`push_venc_header size:<n>(max size:1024)`).
pub const MAX_HEADER: usize = 1024;
/// A frame's limit, header included: one queue block.
pub const MAX_FRAME: usize = 2 << 20;
/// Queue blocks.
pub const QUEUE_FRAMES: usize = 32;
/// From this depth on, each push reports the queue (the firmware's console line).
pub const QUEUE_WARN_DEPTH: usize = 16;
/// The handshake's limit (FFmpeg's `stimeout` on the board).
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// Consecutive write failures before the sender reconnects.
const FAILURES_BEFORE_RECONNECT: u32 = 100;
/// How often a lost connection is tried again.
const RECONNECT_PERIOD: Duration = Duration::from_secs(5);
/// RTP packets stay under a typical Ethernet MTU.
const RTP_MTU: u32 = 1400;

/// `transport`: anything but `"udp"` is TCP, as on the board.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// RTP interleaved on the RTSP connection.
    Tcp,
    /// RTP to the server's UDP ports.
    Udp,
}

impl Transport {
    /// The firmware's reading of the `transport` string.
    pub fn from_name(name: &str) -> Self {
        if name == "udp" { Self::Udp } else { Self::Tcp }
    }

    /// The name the firmware prints.
    pub fn name(self) -> &'static str {
        match self {
            Self::Tcp => "tcp",
            Self::Udp => "udp",
        }
    }
}

/// What `rtsppusher_init` stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PusherConfig {
    /// Picture size (for the SDP when no header is cached).
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// The server's URL (the firmware keeps 255 bytes of it).
    pub url: String,
    /// Frames per second: 1 ~ 120, else 25.
    pub fps: u32,
    /// TCP or UDP.
    pub transport: Transport,
}

impl PusherConfig {
    /// The settings as the firmware stores them: the URL cut to 255 bytes, the transport to
    /// 7, an fps outside 1 ~ 120 taken as 25.
    pub fn new(width: u32, height: u32, url: &[u8], fps: i64, transport: &[u8]) -> Self {
        let cut = |b: &[u8], n: usize| {
            let end = b.iter().position(|&c| c == 0).unwrap_or(b.len()).min(n);
            String::from_utf8_lossy(&b[..end]).into_owned()
        };
        Self {
            width,
            height,
            url: cut(url, 255),
            fps: u32::try_from(fps)
                .ok()
                .filter(|f| (1..=120).contains(f))
                .unwrap_or(25),
            transport: Transport::from_name(&cut(transport, 7)),
        }
    }
}

/// Why a pusher call failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PushError {
    /// `pushvideoheader` of more than [`MAX_HEADER`] bytes.
    #[error("push_venc_header size:{0}(max size:1024)")]
    HeaderTooLarge(usize),
    /// A push before `open`, or after `close`.
    #[error("rtsp pusher not opened")]
    NotOpened,
    /// A frame larger than a queue block.
    #[error("push_venc_data size:{0} too large")]
    FrameTooLarge(usize),
    /// The server could not be reached or refused the stream.
    #[error("open rtsp streams failed: {0}")]
    Connect(String),
}

/// A pushed frame, header included.
#[derive(Debug)]
struct Frame {
    data: Vec<u8>,
    key: bool,
    timestamp_us: u64,
}

#[derive(Debug, Default)]
struct Queue {
    frames: VecDeque<Frame>,
    dropped: u64,
    max_depth: usize,
}

/// What a successful push reports: the queue's depth line once it is deep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// Frames waiting after this one was queued.
    pub depth: usize,
    /// Frames dropped so far because the queue was full.
    pub dropped: u64,
    /// The deepest the queue has been.
    pub max_depth: usize,
}

impl Pushed {
    /// The firmware's line, at [`QUEUE_WARN_DEPTH`] and deeper.
    pub fn console_line(&self, url: &str) -> Option<String> {
        (self.depth >= QUEUE_WARN_DEPTH).then(|| {
            format!(
                "{url} rtsp pusher queue depth:{}/{QUEUE_FRAMES}, dropped:{}, max_depth:{}",
                self.depth, self.dropped, self.max_depth
            )
        })
    }
}

/// What the sender reports, for tests and the closing line.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PusherStats {
    /// Frames sent to the server.
    pub frames_sent: u64,
    /// Non-key frames discarded before the first key frame.
    pub frames_before_key: u64,
    /// RTP packets written.
    pub packets_sent: u64,
    /// Times the connection was made again.
    pub reconnects: u64,
}

#[derive(Debug)]
struct Shared {
    config: PusherConfig,
    header: Mutex<Vec<u8>>,
    queue: Mutex<Queue>,
    wake: Condvar,
    stop: AtomicBool,
    stats: Mutex<PusherStats>,
}

/// `mm.rtsp_pusher()` after `rtsppusher_init`.
#[derive(Debug)]
pub struct RtspPusher {
    shared: Arc<Shared>,
    sender: Mutex<Option<JoinHandle<()>>>,
}

impl RtspPusher {
    /// `rtsppusher_init(w, h, url, fps, transport)`: stores the settings; nothing is sent yet.
    pub fn new(config: PusherConfig) -> Self {
        Self {
            shared: Arc::new(Shared {
                config,
                header: Mutex::new(Vec::new()),
                queue: Mutex::new(Queue::default()),
                wake: Condvar::new(),
                stop: AtomicBool::new(false),
                stats: Mutex::new(PusherStats::default()),
            }),
            sender: Mutex::new(None),
        }
    }

    /// The stored settings.
    pub fn config(&self) -> &PusherConfig {
        &self.shared.config
    }

    /// `rtsppusher_pushvideoheader(data, size)`: replaces the cached header (at any time).
    pub fn push_header(&self, header: &[u8]) -> Result<(), PushError> {
        if header.len() > MAX_HEADER {
            return Err(PushError::HeaderTooLarge(header.len()));
        }
        *lock(&self.shared.header) = header.to_vec();
        Ok(())
    }

    /// Whether `open` succeeded and `close` has not been called.
    pub fn is_open(&self) -> bool {
        lock(&self.sender).is_some()
    }

    /// `rtsppusher_open()`: the handshake (blocking, [`HANDSHAKE_TIMEOUT`] at most), then the
    /// sender thread. Opening an open pusher does nothing.
    pub fn open(&self) -> Result<(), PushError> {
        let mut sender = lock(&self.sender);
        if sender.is_some() {
            return Ok(());
        }
        gst_init().map_err(|e| PushError::Connect(e.to_string()))?;
        let header = lock(&self.shared.header).clone();
        let connection = Connection::open(&self.shared.config, &header)?;
        self.shared.stop.store(false, Ordering::Release);
        let shared = Arc::clone(&self.shared);
        let handle = std::thread::Builder::new()
            .name("rtsp-pusher".into())
            .spawn(move || send_loop(&shared, connection))
            .map_err(|e| PushError::Connect(format!("sender thread: {e}")))?;
        *sender = Some(handle);
        Ok(())
    }

    /// `rtsppusher_pushvideodata(data, size, key_frame, timestamp)`: queues the cached header
    /// and `data` as one frame.
    pub fn push_video(
        &self,
        data: &[u8],
        key: bool,
        timestamp_us: u64,
    ) -> Result<Pushed, PushError> {
        if !self.is_open() {
            return Err(PushError::NotOpened);
        }
        let header = lock(&self.shared.header).clone();
        if data.len() > MAX_FRAME || header.len() + data.len() > MAX_FRAME {
            return Err(PushError::FrameTooLarge(data.len()));
        }
        let mut frame = header;
        frame.extend_from_slice(data);
        let mut q = lock(&self.shared.queue);
        if q.frames.len() >= QUEUE_FRAMES {
            let victim = q.frames.iter().position(|f| !f.key).unwrap_or(0);
            q.frames.remove(victim);
            q.dropped += 1;
        }
        q.frames.push_back(Frame {
            data: frame,
            key,
            timestamp_us,
        });
        q.max_depth = q.max_depth.max(q.frames.len());
        let pushed = Pushed {
            depth: q.frames.len(),
            dropped: q.dropped,
            max_depth: q.max_depth,
        };
        drop(q);
        self.shared.wake.notify_all();
        Ok(pushed)
    }

    /// `rtsppusher_close()`: the sender sends what is queued, then TEARDOWN, and stops.
    pub fn close(&self) {
        let handle = lock(&self.sender).take();
        if let Some(handle) = handle {
            self.shared.stop.store(true, Ordering::Release);
            self.shared.wake.notify_all();
            let _ = handle.join();
        }
    }

    /// `rtsppusher_deinit()`: close, and the queue emptied.
    pub fn deinit(&self) {
        self.close();
        lock(&self.shared.queue).frames.clear();
    }

    /// What the sender did so far.
    pub fn stats(&self) -> PusherStats {
        *lock(&self.shared.stats)
    }
}

impl Drop for RtspPusher {
    fn drop(&mut self) {
        self.deinit();
    }
}

/// The sender: one frame at a time from the queue to the server; a connection that keeps
/// failing is made again every [`RECONNECT_PERIOD`] until the pusher closes.
fn send_loop(shared: &Shared, mut connection: Connection) {
    let url = shared.config.url.clone();
    let mut first_ts: Option<u64> = None;
    let mut seen_key = false;
    let mut failures = 0u32;
    loop {
        let frame = {
            let mut q = lock(&shared.queue);
            loop {
                if let Some(f) = q.frames.pop_front() {
                    break Some(f);
                }
                if shared.stop.load(Ordering::Acquire) {
                    break None;
                }
                q = shared
                    .wake
                    .wait_timeout(q, Duration::from_millis(100))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        };
        let Some(frame) = frame else { break };
        if !seen_key && !frame.key {
            lock(&shared.stats).frames_before_key += 1;
            continue;
        }
        seen_key = true;
        let first = *first_ts.get_or_insert(frame.timestamp_us);
        let pts = frame.timestamp_us.saturating_sub(first);
        let started = Instant::now();
        match connection.send_frame(&frame.data, pts) {
            Ok(packets) => {
                failures = 0;
                let mut st = lock(&shared.stats);
                st.frames_sent += 1;
                st.packets_sent += packets;
                let took = started.elapsed();
                if took > Duration::from_millis(20) {
                    log::warn!(
                        "rtsp pusher slow write: {} ms, url: {url}",
                        took.as_millis()
                    );
                }
            }
            Err(e) => {
                failures += 1;
                if failures >= FAILURES_BEFORE_RECONNECT || e.is_fatal() {
                    log::warn!("reconnet server:{url} ({e})");
                    match reconnect(shared, &url) {
                        Some(c) => {
                            connection = c;
                            failures = 0;
                            seen_key = false;
                            lock(&shared.stats).reconnects += 1;
                        }
                        None => return,
                    }
                }
            }
        }
    }
    connection.teardown();
}

/// Tries again every [`RECONNECT_PERIOD`] until it connects or the pusher stops.
fn reconnect(shared: &Shared, url: &str) -> Option<Connection> {
    loop {
        if shared.stop.load(Ordering::Acquire) {
            return None;
        }
        log::warn!("rtsp pusher reconnecting, url: {url}");
        let header = lock(&shared.header).clone();
        if let Ok(c) = Connection::open(&shared.config, &header) {
            return Some(c);
        }
        let deadline = Instant::now() + RECONNECT_PERIOD;
        while Instant::now() < deadline {
            if shared.stop.load(Ordering::Acquire) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

/// Why sending failed.
#[derive(Debug, thiserror::Error)]
enum SendError {
    /// The socket is gone: reconnect at once.
    #[error("connection lost: {0}")]
    Lost(std::io::Error),
    /// The packetizer failed.
    #[error("{0}")]
    Packetize(String),
}

impl SendError {
    fn is_fatal(&self) -> bool {
        matches!(self, Self::Lost(_))
    }
}

/// Where RTP goes.
enum Sink {
    Interleaved,
    Udp { socket: UdpSocket, to: SocketAddr },
}

/// One RTSP session in RECORD state, and the packetizer feeding it.
struct Connection {
    stream: TcpStream,
    url: String,
    session: Option<String>,
    cseq: u32,
    sink: Sink,
    packetizer: Packetizer,
}

impl Connection {
    /// OPTIONS, ANNOUNCE (the SDP), SETUP, RECORD.
    fn open(config: &PusherConfig, header: &[u8]) -> Result<Self, PushError> {
        let fail = |what: &str| PushError::Connect(format!("{}: {what}", config.url));
        let url = rtsp_types::Url::parse(&config.url).map_err(|e| fail(&e.to_string()))?;
        if url.scheme() != "rtsp" {
            return Err(fail("not an rtsp:// URL"));
        }
        let host = url.host_str().ok_or_else(|| fail("no host"))?.to_string();
        let port = url.port().unwrap_or(554);
        let addr = (host.as_str(), port)
            .to_socket_addrs()
            .map_err(|e| fail(&e.to_string()))?
            .next()
            .ok_or_else(|| fail("no address"))?;
        let stream = TcpStream::connect_timeout(&addr, HANDSHAKE_TIMEOUT)
            .map_err(|e| fail(&e.to_string()))?;
        stream
            .set_read_timeout(Some(HANDSHAKE_TIMEOUT))
            .and_then(|()| stream.set_write_timeout(Some(HANDSHAKE_TIMEOUT)))
            .and_then(|()| stream.set_nodelay(true))
            .map_err(|e| fail(&e.to_string()))?;
        let local_ip = stream
            .local_addr()
            .map_or_else(|_| "0.0.0.0".to_string(), |a| a.ip().to_string());
        let mut c = Self {
            stream,
            url: config.url.clone(),
            session: None,
            cseq: 0,
            sink: Sink::Interleaved,
            packetizer: Packetizer::new().map_err(|e| fail(&e))?,
        };
        c.request(Method::Options, &config.url, &[], None)
            .map_err(|e| fail(&e))?;
        let sdp = sdp(config, header, &local_ip, &host);
        c.request(
            Method::Announce,
            &config.url,
            &[(headers::CONTENT_TYPE, "application/sdp".into())],
            Some(sdp.into_bytes()),
        )
        .map_err(|e| fail(&e))?;
        let control = format!("{}/streamid=0", config.url.trim_end_matches('/'));
        let udp = match config.transport {
            Transport::Tcp => None,
            Transport::Udp => {
                let socket = UdpSocket::bind((addr.ip(), 0))
                    .or_else(|_| UdpSocket::bind(("0.0.0.0", 0)))
                    .map_err(|e| fail(&e.to_string()))?;
                Some(socket)
            }
        };
        let transport = match &udp {
            None => "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record".to_string(),
            Some(s) => {
                let p = s.local_addr().map_err(|e| fail(&e.to_string()))?.port();
                format!("RTP/AVP/UDP;unicast;client_port={p}-{};mode=record", p + 1)
            }
        };
        let reply = c
            .request(
                Method::Setup,
                &control,
                &[(headers::TRANSPORT, transport)],
                None,
            )
            .map_err(|e| fail(&e))?;
        c.session = reply.header(&headers::SESSION).map(|v| {
            v.as_str()
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_string()
        });
        if let Some(socket) = udp {
            let server_port = reply
                .header(&headers::TRANSPORT)
                .and_then(|t| server_port(t.as_str()))
                .ok_or_else(|| fail("SETUP reply names no server_port"))?;
            c.sink = Sink::Udp {
                socket,
                to: SocketAddr::new(addr.ip(), server_port),
            };
        }
        let range = [(headers::RANGE, "npt=0.000-".to_string())];
        c.request(Method::Record, &config.url, &range, None)
            .map_err(|e| fail(&e))?;
        Ok(c)
    }

    /// One request and its reply (interleaved data before the reply is skipped).
    fn request(
        &mut self,
        method: Method,
        uri: &str,
        extra: &[(rtsp_types::HeaderName, String)],
        body: Option<Vec<u8>>,
    ) -> Result<Response<Vec<u8>>, String> {
        self.cseq += 1;
        let uri = rtsp_types::Url::parse(uri).map_err(|e| e.to_string())?;
        let mut builder = Request::builder(method.clone(), Version::V1_0)
            .request_uri(uri)
            .header(headers::CSEQ, self.cseq.to_string())
            .header(headers::USER_AGENT, "venc-sim rtsp pusher");
        if let Some(s) = &self.session {
            builder = builder.header(headers::SESSION, s.clone());
        }
        for (name, value) in extra {
            builder = builder.header(name.clone(), value.clone());
        }
        let request = builder.build(body.unwrap_or_default());
        let mut out = Vec::new();
        request.write(&mut out).map_err(|e| e.to_string())?;
        self.stream.write_all(&out).map_err(|e| e.to_string())?;
        let reply = self.read_response()?;
        if reply.status() != StatusCode::Ok {
            return Err(format!(
                "{method:?} answered {} {}",
                u16::from(reply.status()),
                reply.reason_phrase()
            ));
        }
        Ok(reply)
    }

    fn read_response(&mut self) -> Result<Response<Vec<u8>>, String> {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match Message::<Vec<u8>>::parse(&buf) {
                Ok((Message::Response(r), used)) => {
                    buf.drain(..used);
                    return Ok(r);
                }
                Ok((_, used)) => {
                    buf.drain(..used);
                    continue;
                }
                Err(rtsp_types::ParseError::Incomplete(_)) => {}
                Err(e) => return Err(format!("bad reply: {e:?}")),
            }
            let n = self.stream.read(&mut chunk).map_err(|e| e.to_string())?;
            if n == 0 {
                return Err("the server closed the connection".into());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// Packetizes one frame and sends its RTP packets; the count sent.
    fn send_frame(&mut self, annexb: &[u8], pts_us: u64) -> Result<u64, SendError> {
        let packets = self.packetizer.packetize(annexb, pts_us)?;
        let n = packets.len() as u64;
        for packet in packets {
            match &self.sink {
                Sink::Interleaved => {
                    let len = u16::try_from(packet.len())
                        .map_err(|_| SendError::Packetize("RTP packet over 64 KiB".into()))?;
                    let mut framed = Vec::with_capacity(packet.len() + 4);
                    framed.extend_from_slice(&[b'$', 0]);
                    framed.extend_from_slice(&len.to_be_bytes());
                    framed.extend_from_slice(&packet);
                    self.stream.write_all(&framed).map_err(SendError::Lost)?;
                }
                Sink::Udp { socket, to } => {
                    socket.send_to(&packet, to).map_err(SendError::Lost)?;
                }
            }
        }
        Ok(n)
    }

    /// TEARDOWN (best effort: the server may be gone).
    fn teardown(mut self) {
        let url = self.url.clone();
        let _ = self.request(Method::Teardown, &url, &[], None);
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
    }
}

fn server_port(transport: &str) -> Option<u16> {
    transport.split(';').find_map(|part| {
        let ports = part.trim().strip_prefix("server_port=")?;
        ports.split('-').next()?.parse().ok()
    })
}

/// The session description: one H.264 stream, its parameter sets from the cached header
/// (the board's FFmpeg makes them from a local encoder context instead: D-074).
fn sdp(config: &PusherConfig, header: &[u8], local_ip: &str, host: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut sets = Vec::new();
    let mut profile = None;
    for nal in crate::nal_units(header) {
        let Some(&first) = nal.first() else {
            continue;
        };
        match first & 0x1f {
            7 => {
                if nal.len() >= 4 {
                    profile = Some(format!("{:02X}{:02X}{:02X}", nal[1], nal[2], nal[3]));
                }
                sets.push(b64.encode(nal));
            }
            8 => sets.push(b64.encode(nal)),
            _ => {}
        }
    }
    let mut fmtp = "packetization-mode=1".to_string();
    if let Some(p) = profile {
        fmtp.push_str(&format!("; profile-level-id={p}"));
    }
    if !sets.is_empty() {
        fmtp.push_str(&format!("; sprop-parameter-sets={}", sets.join(",")));
    }
    format!(
        "v=0\r\no=- 0 0 IN IP4 {local_ip}\r\ns=K230 rtsp pusher\r\nc=IN IP4 {host}\r\nt=0 0\r\n\
         a=tool:venc-sim\r\nm=video 0 RTP/AVP 96\r\nb=AS:{}\r\na=rtpmap:96 H264/90000\r\n\
         a=fmtp:96 {fmtp}\r\na=framerate:{}\r\na=x-dimensions:{},{}\r\na=control:streamid=0\r\n",
        4000, config.fps, config.width, config.height
    )
}

/// Annex-B frames in, RTP packets out: GStreamer's `h264parse ! rtph264pay`.
struct Packetizer {
    pipeline: gst::Pipeline,
    src: AppSrc,
    sink: AppSink,
}

impl Packetizer {
    fn new() -> Result<Self, String> {
        let launch = format!(
            "appsrc name=src is-live=false format=time \
             caps=video/x-h264,stream-format=byte-stream,alignment=au ! h264parse \
             ! rtph264pay pt=96 mtu={RTP_MTU} config-interval=0 aggregate-mode=none \
             ! appsink name=sink sync=false emit-signals=false"
        );
        let pipeline = gst::parse::launch(&launch)
            .map_err(|e| e.to_string())?
            .downcast::<gst::Pipeline>()
            .map_err(|_| "not a pipeline".to_string())?;
        let element = |name: &str| {
            pipeline
                .by_name(name)
                .ok_or_else(|| format!("packetizer: no {name}"))
        };
        let src = element("src")?
            .downcast::<AppSrc>()
            .map_err(|_| "appsrc".to_string())?;
        let sink = element("sink")?
            .downcast::<AppSink>()
            .map_err(|_| "appsink".to_string())?;
        pipeline
            .set_state(gst::State::Playing)
            .map_err(|e| format!("packetizer: {e}"))?;
        Ok(Self {
            pipeline,
            src,
            sink,
        })
    }

    fn packetize(&self, annexb: &[u8], pts_us: u64) -> Result<Vec<Vec<u8>>, SendError> {
        let mut buffer = gst::Buffer::from_slice(annexb.to_vec());
        if let Some(b) = buffer.get_mut() {
            b.set_pts(gst::ClockTime::from_useconds(pts_us));
        }
        self.src
            .push_buffer(buffer)
            .map_err(|e| SendError::Packetize(format!("packetizer: {e}")))?;
        let mut packets = Vec::new();
        let mut wait = gst::ClockTime::from_mseconds(200);
        while let Some(sample) = self.sink.try_pull_sample(wait) {
            if let Some(list) = sample.buffer_list() {
                for b in list.iter() {
                    packets.push(b.map_readable().map(|m| m.to_vec()).unwrap_or_default());
                }
            } else if let Some(b) = sample.buffer() {
                packets.push(b.map_readable().map(|m| m.to_vec()).unwrap_or_default());
            }
            // The frame's packets come together: once the first is out, the rest follow at once.
            wait = gst::ClockTime::from_mseconds(5);
        }
        Ok(packets)
    }
}

impl Drop for Packetizer {
    fn drop(&mut self) {
        let _ = self.pipeline.set_state(gst::State::Null);
    }
}

impl From<RtspError> for PushError {
    fn from(e: RtspError) -> Self {
        Self::Connect(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_stored_as_the_firmware_stores_them() {
        let long = vec![b'a'; 300];
        let c = PusherConfig::new(1280, 720, &long, 0, b"udpx");
        assert_eq!(c.url.len(), 255);
        assert_eq!(c.fps, 25);
        assert_eq!(c.transport, Transport::Tcp);
        let c = PusherConfig::new(640, 480, b"rtsp://h/live\0junk", 30, b"udp");
        assert_eq!(
            (c.url.as_str(), c.fps, c.transport),
            ("rtsp://h/live", 30, Transport::Udp)
        );
        assert_eq!(PusherConfig::new(1, 1, b"", 121, b"").fps, 25);
    }

    #[test]
    fn pushes_are_refused_before_open_and_headers_over_1024() {
        let p = RtspPusher::new(PusherConfig::new(
            64,
            64,
            b"rtsp://127.0.0.1:9/x",
            25,
            b"tcp",
        ));
        assert_eq!(
            p.push_header(&[0; 1025]),
            Err(PushError::HeaderTooLarge(1025))
        );
        assert_eq!(p.push_header(&[0; 1024]), Ok(()));
        assert_eq!(
            p.push_video(&[0, 0, 0, 1, 0x65], true, 0),
            Err(PushError::NotOpened)
        );
    }

    #[test]
    fn an_unreachable_server_fails_open() {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let url = format!("rtsp://127.0.0.1:{port}/live/test");
        let p = RtspPusher::new(PusherConfig::new(64, 64, url.as_bytes(), 25, b"tcp"));
        assert!(matches!(p.open(), Err(PushError::Connect(_))));
        assert!(!p.is_open());
    }

    #[test]
    fn the_sdp_carries_the_cached_parameter_sets() {
        let header = [
            0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1f, 0xac, 0, 0, 0, 1, 0x68, 0xee, 0x3c,
        ];
        let c = PusherConfig::new(1280, 720, b"rtsp://h/live", 25, b"tcp");
        let text = sdp(&c, &header, "127.0.0.1", "h");
        assert!(text.contains("profile-level-id=64001F"), "{text}");
        assert!(
            text.contains("sprop-parameter-sets=Z2QAH6w=,aO48"),
            "{text}"
        );
        assert!(text.contains("a=rtpmap:96 H264/90000"), "{text}");
    }

    #[test]
    fn a_frame_over_a_queue_block_is_refused() {
        let p = RtspPusher::new(PusherConfig::new(64, 64, b"rtsp://h/x", 25, b"tcp"));
        *lock(&p.sender) = Some(std::thread::spawn(|| {}));
        let big = vec![0u8; MAX_FRAME + 1];
        assert_eq!(
            p.push_video(&big, true, 0),
            Err(PushError::FrameTooLarge(MAX_FRAME + 1))
        );
        // The cached header counts: header + data past a block is refused too.
        p.push_header(&[0; 1000]).unwrap();
        let near = vec![0u8; MAX_FRAME - 10];
        assert_eq!(
            p.push_video(&near, true, 0),
            Err(PushError::FrameTooLarge(MAX_FRAME - 10))
        );
        assert!(p.push_video(&[0, 0, 0, 1, 0x65], true, 0).is_ok());
        let _ = lock(&p.sender).take().map(JoinHandle::join);
    }

    #[test]
    fn a_full_queue_drops_its_oldest_non_key_frame() {
        let p = RtspPusher::new(PusherConfig::new(64, 64, b"rtsp://h/x", 25, b"tcp"));
        // A sender that never runs: the queue is driven by hand.
        let mut q = lock(&p.shared.queue);
        for i in 0..QUEUE_FRAMES {
            q.frames.push_back(Frame {
                data: vec![],
                key: i == 0,
                timestamp_us: i as u64,
            });
        }
        drop(q);
        *lock(&p.sender) = Some(std::thread::spawn(|| {}));
        let pushed = p.push_video(&[1], false, 99).unwrap();
        assert_eq!((pushed.depth, pushed.dropped), (QUEUE_FRAMES, 1));
        let q = lock(&p.shared.queue);
        assert!(q.frames[0].key, "the key frame stays");
        assert_eq!(
            q.frames[1].timestamp_us, 2,
            "frame 1, the oldest non-key, went"
        );
        drop(q);
        let line = pushed.console_line("rtsp://h/x").unwrap();
        assert_eq!(
            line,
            "rtsp://h/x rtsp pusher queue depth:32/32, dropped:1, max_depth:32"
        );
        let _ = lock(&p.sender).take().map(JoinHandle::join);
    }
}
