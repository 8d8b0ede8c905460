//! [`HwClient`]: the K230 VENC MPI ([`Mpi`]) over one TCP connection to `venc_agent.py`.
//!
//! Invariants:
//! - Every request has a bound: a reply must start within `reply_timeout` plus the wait the
//!   request itself asked the agent for. Blocking calls (`get_stream`, `send_frame`) are sent as
//!   slices of at most `slice_ms`, so a wait of any length never holds the connection long and
//!   a dead board is noticed within one bound.
//! - The first transport failure is sticky ([`Mpi::backend_fault`]): later calls fail at once.
//! - One request is in flight at a time (a mutex over the connection); threads interleave
//!   between requests, which is what lets a consumer wait while a producer sends.

use crate::protocol::{
    self, BoardInfo, Body, FrameError, HEADER_SIZE, Kind, MAX_PACKS, MAX_PAYLOAD, Reader, Status,
    mem_kind,
};
use std::collections::BTreeMap;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use venc_core::fault::{FaultPoint, FaultSpec, Faults};
use venc_core::features::COEF_NUM;
use venc_core::{
    Border, Chn, ChnAttr, ChnStatus, H264Entropy, H265Sao, MemError, Mpi, OsdRegion, Pack, PoolId,
    VencError, VideoFrameInfo, Words, in_slices,
};

/// Bounds and pacing of a client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HwOptions {
    /// How long a TCP connect may take.
    pub connect_timeout: Duration,
    /// How long a reply may take beyond the wait the request asked for.
    pub reply_timeout: Duration,
    /// Longest wait one `GET_STREAM`/`SEND_FRAME` asks the agent for.
    pub slice_ms: i32,
    /// How long to keep trying a board that is serving another client.
    pub busy_wait: Duration,
    /// Ask the board for its count of released frames (`RELEASED_PTS`: the emulated board has
    /// one, a K230 answers NOT_SUPPORT). Off, [`Mpi::released_pts`] answers `None` as on a
    /// K230 whatever the board, so a harness's board-side waits can be run on the emulated one.
    pub ask_released: bool,
}

impl Default for HwOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(3),
            reply_timeout: Duration::from_secs(5),
            slice_ms: 20,
            busy_wait: Duration::from_secs(3),
            ask_released: true,
        }
    }
}

/// What can go wrong between the client and a board.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum HwError {
    /// Not `tcp://HOST:PORT`.
    #[error("board address {url:?}: {why} (expected tcp://HOST:PORT)")]
    BadUrl {
        /// As given.
        url: String,
        /// What is wrong.
        why: String,
    },
    /// No connection.
    #[error("cannot reach the board at {url}: {why}")]
    Unreachable {
        /// Board.
        url: String,
        /// The OS's reason.
        why: String,
    },
    /// The agent serves another client.
    #[error("the board at {url} is busy: {message}")]
    Busy {
        /// Board.
        url: String,
        /// The agent's words.
        message: String,
    },
    /// No reply in time.
    #[error("the board at {url} did not answer {request} within {secs:.1} s")]
    Silent {
        /// Board.
        url: String,
        /// Request name.
        request: &'static str,
        /// The bound.
        secs: f64,
    },
    /// The connection broke.
    #[error("connection to the board at {url} lost during {request}: {why}")]
    Lost {
        /// Board.
        url: String,
        /// Request name.
        request: &'static str,
        /// The OS's reason.
        why: String,
    },
    /// Bytes that are not this protocol.
    #[error("the board at {url} broke the protocol during {request}: {why}")]
    Protocol {
        /// Board.
        url: String,
        /// Request name.
        request: &'static str,
        /// What was wrong.
        why: String,
    },
    /// The agent refused a request.
    #[error("the agent at {url} refused {request}: {message}")]
    Refused {
        /// Board.
        url: String,
        /// Request name.
        request: &'static str,
        /// The agent's words.
        message: String,
    },
}

/// A decoded reply.
#[derive(Debug)]
enum Reply {
    Ok(Vec<u8>),
    Venc(u32),
    Mem { kind: u8, a: u64, message: String },
}

/// Counters the agent keeps (`STATS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgentStats {
    /// Clients served since the agent started (this one included).
    pub sessions: u32,
    /// Clients turned away because another was being served.
    pub turned_away: u32,
    /// Requests or frames refused as malformed.
    pub protocol_errors: u32,
    /// Channels this session holds.
    pub channels: u32,
}

/// A session with a board's agent; implements [`Mpi`].
#[derive(Debug)]
pub struct HwClient {
    info: BoardInfo,
    opts: HwOptions,
    conn: Mutex<Conn>,
    fault: Mutex<Option<HwError>>,
    /// Per channel, the board's ticks when its last `SEND_FRAME` and `GET_STREAM` returned.
    board_times: Mutex<BTreeMap<Chn, BoardTimes>>,
    /// Call-level faults, acted out here (a `link-drop` really closes the connection).
    faults: Faults,
    /// The board answered `RELEASED_PTS` with NOT_SUPPORT (a K230): not asked again.
    no_released_count: AtomicBool,
}

#[derive(Debug)]
struct Conn {
    stream: TcpStream,
    seq: u32,
    /// The outgoing frame, reused: a 1 MiB WRITE_MEM per request would otherwise allocate.
    out: Vec<u8>,
}

/// The board's microsecond ticks (30 bits, MicroPython's `time.ticks_us`) when a channel's
/// last `send_frame` and `get_stream` returned on the board.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BoardTimes {
    /// After the last successful `send_frame`.
    pub sent_us: Option<u32>,
    /// After the last successful `get_stream`.
    pub got_us: Option<u32>,
}

impl BoardTimes {
    /// Board time from the last send to the last get, when both happened.
    pub fn latency(&self) -> Option<Duration> {
        Some(protocol::ticks_between(self.sent_us?, self.got_us?))
    }
}

/// Resolves `tcp://HOST:PORT`.
pub fn parse_board_url(text: &str) -> Result<Vec<SocketAddr>, HwError> {
    let bad = |why: &str| HwError::BadUrl {
        url: text.to_owned(),
        why: why.to_owned(),
    };
    let url = url::Url::parse(text).map_err(|e| bad(&e.to_string()))?;
    if url.scheme() != "tcp" {
        return Err(bad(&format!("scheme {:?} is not tcp", url.scheme())));
    }
    if url.path() != "" && url.path() != "/" {
        return Err(bad("a board address has no path"));
    }
    let port = url.port().ok_or_else(|| bad("no port"))?;
    let addrs: Vec<SocketAddr> = match url.host() {
        Some(url::Host::Ipv4(a)) => vec![SocketAddr::new(a.into(), port)],
        Some(url::Host::Ipv6(a)) => vec![SocketAddr::new(a.into(), port)],
        Some(url::Host::Domain(d)) => (d, port)
            .to_socket_addrs()
            .map_err(|e| bad(&format!("cannot resolve {d}: {e}")))?
            .collect(),
        None => return Err(bad("no host")),
    };
    if addrs.is_empty() {
        return Err(bad("the host resolves to no address"));
    }
    Ok(addrs)
}

fn io_error(url: &str, request: Kind, bound: Duration, e: &std::io::Error) -> HwError {
    match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => HwError::Silent {
            url: url.to_owned(),
            request: request.name(),
            secs: bound.as_secs_f64(),
        },
        ErrorKind::UnexpectedEof => HwError::Lost {
            url: url.to_owned(),
            request: request.name(),
            why: "the board closed the connection".into(),
        },
        _ => HwError::Lost {
            url: url.to_owned(),
            request: request.name(),
            why: e.to_string(),
        },
    }
}

/// Sends one request and reads its reply: (status, body after the status byte).
fn exchange(
    conn: &mut Conn,
    url: &str,
    kind: Kind,
    body: &[u8],
    bound: Duration,
) -> Result<(u8, Vec<u8>), HwError> {
    let io = |e: std::io::Error| io_error(url, kind, bound, &e);
    let protocol = |why: String| HwError::Protocol {
        url: url.to_owned(),
        request: kind.name(),
        why,
    };
    conn.seq = conn.seq.wrapping_add(1);
    let len = u32::try_from(body.len()).map_err(|_| protocol("request too large".into()))?;
    conn.out.clear();
    conn.out
        .extend_from_slice(&protocol::encode_header(kind as u8, conn.seq, len));
    conn.out.extend_from_slice(body);
    conn.stream.set_write_timeout(Some(bound)).map_err(io)?;
    conn.stream.write_all(&conn.out).map_err(io)?;
    conn.stream.set_read_timeout(Some(bound)).map_err(io)?;
    let mut head = [0; HEADER_SIZE];
    conn.stream.read_exact(&mut head).map_err(io)?;
    let header = protocol::decode_header(&head, MAX_PAYLOAD)
        .map_err(|e: FrameError| protocol(e.to_string()))?;
    let mut payload = vec![0; header.len as usize];
    conn.stream.read_exact(&mut payload).map_err(io)?;
    let status = *payload
        .first()
        .ok_or_else(|| protocol("empty reply".into()))?;
    if status == Status::Busy as u8 {
        let message = Reader::new(&payload[1..], kind)
            .string()
            .unwrap_or_default();
        return Err(HwError::Busy {
            url: url.to_owned(),
            message,
        });
    }
    if header.kind != kind.reply() || header.seq != conn.seq {
        return Err(protocol(format!(
            "reply type 0x{:02x} #{} to request #{}",
            header.kind, header.seq, conn.seq
        )));
    }
    if status == Status::Protocol as u8 {
        let mut r = Reader::new(&payload[1..], kind);
        let _closing = r.u8();
        return Err(HwError::Refused {
            url: url.to_owned(),
            request: kind.name(),
            message: r.string().unwrap_or_default(),
        });
    }
    payload.remove(0);
    Ok((status, payload))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl HwClient {
    /// Connects to the agent at `tcp://HOST:PORT` and says HELLO. A board serving another
    /// client is tried again for [`HwOptions::busy_wait`].
    pub fn connect(url: &str, opts: HwOptions) -> Result<Self, HwError> {
        let addrs = parse_board_url(url)?;
        let give_up = Instant::now() + opts.busy_wait;
        loop {
            match Self::try_connect(url, &addrs, opts) {
                Err(HwError::Busy { .. }) if Instant::now() < give_up => {
                    std::thread::sleep(Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }

    fn try_connect(url: &str, addrs: &[SocketAddr], opts: HwOptions) -> Result<Self, HwError> {
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(addr, opts.connect_timeout) {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    let mut conn = Conn {
                        stream,
                        seq: 0,
                        out: Vec::new(),
                    };
                    let hello = Body::default()
                        .u16(u16::from(protocol::PROTOCOL))
                        .bytes(concat!("venc-hw ", env!("CARGO_PKG_VERSION")).as_bytes())
                        .0;
                    let (status, body) =
                        exchange(&mut conn, url, Kind::Hello, &hello, opts.reply_timeout)?;
                    if status != Status::Ok as u8 {
                        return Err(HwError::Protocol {
                            url: url.to_owned(),
                            request: "HELLO",
                            why: format!("status {status}"),
                        });
                    }
                    let info = BoardInfo::read(url, &mut Reader::new(&body, Kind::Hello)).map_err(
                        |e| HwError::Protocol {
                            url: url.to_owned(),
                            request: "HELLO",
                            why: e.to_string(),
                        },
                    )?;
                    if info.protocol != u16::from(protocol::PROTOCOL) {
                        return Err(HwError::Protocol {
                            url: url.to_owned(),
                            request: "HELLO",
                            why: format!(
                                "the agent offers protocol {}, this client speaks {}",
                                info.protocol,
                                protocol::PROTOCOL
                            ),
                        });
                    }
                    return Ok(Self {
                        info,
                        opts,
                        conn: Mutex::new(conn),
                        fault: Mutex::new(None),
                        board_times: Mutex::new(BTreeMap::new()),
                        faults: Faults::default(),
                        no_released_count: AtomicBool::new(false),
                    });
                }
                Err(e) => last = Some(e),
            }
        }
        Err(HwError::Unreachable {
            url: url.to_owned(),
            why: last.map_or_else(|| "no address".into(), |e| e.to_string()),
        })
    }

    /// What the agent said about the board.
    pub fn info(&self) -> &BoardInfo {
        &self.info
    }

    /// The first transport failure, if any.
    pub fn fault(&self) -> Option<HwError> {
        lock(&self.fault).clone()
    }

    fn fail(&self, e: HwError) -> HwError {
        let mut fault = lock(&self.fault);
        if fault.is_none() {
            log::error!("{e}");
            *fault = Some(e.clone());
            // The agent sees the disconnect and cleans up this session's channels.
            let _ = lock(&self.conn).stream.shutdown(Shutdown::Both);
        }
        e
    }

    fn call(&self, kind: Kind, body: &[u8], wait_ms: i32) -> Result<Reply, HwError> {
        if let Some(f) = self.fault() {
            return Err(f);
        }
        let bound = self.opts.reply_timeout
            + Duration::from_millis(u64::from(wait_ms.max(0).unsigned_abs()));
        let url = self.info.url.clone();
        let answer = {
            let mut conn = lock(&self.conn);
            exchange(&mut conn, &url, kind, body, bound)
        };
        let (status, body) = answer.map_err(|e| self.fail(e))?;
        let malformed = |e: FrameError| HwError::Protocol {
            url: url.clone(),
            request: kind.name(),
            why: e.to_string(),
        };
        let mut r = Reader::new(&body, kind);
        match status {
            s if s == Status::Ok as u8 => Ok(Reply::Ok(body)),
            s if s == Status::Venc as u8 => Ok(Reply::Venc(r.u32().map_err(malformed)?)),
            s if s == Status::Mem as u8 => {
                let read = |r: &mut Reader<'_>| -> Result<Reply, FrameError> {
                    let kind = r.u8()?;
                    let a = r.u64()?;
                    let _b = r.u64()?;
                    Ok(Reply::Mem {
                        kind,
                        a,
                        message: r.string()?,
                    })
                };
                read(&mut r).map_err(|e| self.fail(malformed(e)))
            }
            other => Err(self.fail(HwError::Protocol {
                url,
                request: kind.name(),
                why: format!("unknown status {other}"),
            })),
        }
    }

    /// A VENC request: the body of an OK reply, or the board's code.
    fn venc(&self, kind: Kind, body: &[u8], wait_ms: i32) -> Result<Vec<u8>, VencError> {
        match self.call(kind, body, wait_ms) {
            Ok(Reply::Ok(b)) => Ok(b),
            Ok(Reply::Venc(code)) => Err(VencError::from_code(code).unwrap_or_else(|| {
                log::warn!(
                    "board returned 0x{code:08X} to {}: not a VENC code; reported as ILLEGAL_PARAM",
                    kind.name()
                );
                VencError::IllegalParam
            })),
            Ok(Reply::Mem { message, .. }) => {
                self.fail(HwError::Protocol {
                    url: self.info.url.clone(),
                    request: kind.name(),
                    why: format!("memory error to a VENC request: {message}"),
                });
                Err(VencError::Unexist)
            }
            Err(_) => Err(VencError::Unexist),
        }
    }

    /// Parses an OK body; a short one is a protocol fault.
    fn parse<T>(
        &self,
        kind: Kind,
        body: &[u8],
        f: impl FnOnce(&mut Reader<'_>) -> Result<T, FrameError>,
    ) -> Result<T, HwError> {
        f(&mut Reader::new(body, kind)).map_err(|e| {
            self.fail(HwError::Protocol {
                url: self.info.url.clone(),
                request: kind.name(),
                why: e.to_string(),
            })
        })
    }

    /// `send_frame` up to its reply's body.
    fn send_frame_reply(
        &self,
        chn: Chn,
        frame: &VideoFrameInfo,
        timeout_ms: i32,
    ) -> Result<Vec<u8>, VencError> {
        self.reach_venc("send_frame")?;
        let place = format_args!("send_frame ch{chn} pts {}", frame.pts);
        if let Some(code) = self
            .faults
            .strike_call(FaultPoint::SendFrame, timeout_ms, place)
        {
            return Err(code);
        }
        let sent: Result<_, ()> = in_slices(
            timeout_ms,
            self.opts.slice_ms,
            VencError::Busy,
            |slice| {
                let body = protocol::send_frame_body(chn, frame, slice);
                self.venc(Kind::SendFrame, &body, slice)
            },
            || Ok(()),
        );
        sent.unwrap_or(Err(VencError::Unexist))
    }

    /// Notes a channel's board ticks.
    fn note_times(&self, chn: Chn, f: impl FnOnce(&mut BoardTimes)) {
        let mut times = self
            .board_times
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(times.entry(chn).or_default());
    }

    /// The board's ticks when channel `chn`'s last `send_frame` and `get_stream` returned
    /// (protocol 2): a picture's latency as the board measured it, free of the network.
    pub fn board_times(&self, chn: Chn) -> BoardTimes {
        self.board_times
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&chn)
            .copied()
            .unwrap_or_default()
    }

    /// A memory request: the body of an OK reply, or the board's memory error.
    fn mem(&self, kind: Kind, body: &[u8], range: (u64, u64)) -> Result<Vec<u8>, MemError> {
        match self.call(kind, body, 0) {
            Ok(Reply::Ok(b)) => Ok(b),
            Ok(Reply::Mem {
                kind: k,
                a,
                message,
            }) => Err(match k {
                mem_kind::BAD_ADDRESS => MemError::BadAddress {
                    addr: range.0,
                    len: range.1,
                },
                mem_kind::NO_POOL => MemError::NoPool(a as u32),
                mem_kind::POOL_EXHAUSTED => MemError::PoolExhausted(a as u32),
                _ => MemError::Invalid(message),
            }),
            Ok(Reply::Venc(code)) => {
                let e = self.fail(HwError::Protocol {
                    url: self.info.url.clone(),
                    request: kind.name(),
                    why: format!("VENC code 0x{code:08X} to a memory request"),
                });
                Err(MemError::Invalid(e.to_string()))
            }
            Err(e) => Err(MemError::Invalid(e.to_string())),
        }
    }

    /// Where an armed `link-drop` strikes: once per MPI call of the program (not per request
    /// of a sliced wait or a chunked copy). A real loss: the socket closes and the agent cleans
    /// up the session.
    fn reach(&self, call: &'static str) -> Result<(), HwError> {
        if let Some(f) = self.fault() {
            return Err(f);
        }
        if self
            .faults
            .strike(FaultPoint::Call, format_args!("{call}"))
            .is_some()
        {
            return Err(self.fail(HwError::Lost {
                url: self.info.url.clone(),
                request: call,
                why: "link dropped by an injected fault".into(),
            }));
        }
        Ok(())
    }

    /// [`HwClient::reach`] for a VENC call.
    fn reach_venc(&self, call: &'static str) -> Result<(), VencError> {
        self.reach(call).map_err(|_| VencError::Unexist)
    }

    /// [`HwClient::reach`] for a memory call.
    fn reach_mem(&self, call: &'static str) -> Result<(), MemError> {
        self.reach(call)
            .map_err(|e| MemError::Invalid(e.to_string()))
    }

    /// A feature call (protocol 4): the program's call reaches the board (faults), the request
    /// carries `words`, the reply's words come back.
    fn feature(
        &self,
        call: &'static str,
        kind: Kind,
        (chn, index): (Chn, u32),
        words: &[u32],
    ) -> Result<Vec<u32>, VencError> {
        self.reach_venc(call)?;
        let body = protocol::feature_body(chn, index, words);
        let reply = self.venc(kind, &body, 0)?;
        self.parse(kind, &reply, protocol::read_words)
            .map_err(|_| VencError::Unexist)
    }

    /// A feature call that sets: no words back.
    fn set(
        &self,
        call: &'static str,
        kind: Kind,
        at: (Chn, u32),
        words: &[u32],
    ) -> Result<(), VencError> {
        self.feature(call, kind, at, words).map(drop)
    }

    /// A feature call that reads a value back; a reply of the wrong shape is a protocol fault.
    fn get<T>(
        &self,
        call: &'static str,
        kind: Kind,
        at: (Chn, u32),
        of: impl FnOnce(&[u32]) -> Option<T>,
    ) -> Result<T, VencError> {
        let words = self.feature(call, kind, at, &[])?;
        of(&words).ok_or_else(|| {
            self.fail(HwError::Protocol {
                url: self.info.url.clone(),
                request: kind.name(),
                why: format!("{} words do not make the call's value", words.len()),
            });
            VencError::Unexist
        })
    }

    fn chn_only(&self, kind: Kind, chn: Chn) -> Result<(), VencError> {
        self.venc(kind, &Body::default().u32(chn).0, 0).map(drop)
    }

    /// The agent's counters.
    pub fn stats(&self) -> Result<AgentStats, HwError> {
        match self.call(Kind::Stats, &[], 0)? {
            Reply::Ok(b) => self.parse(Kind::Stats, &b, |r| {
                Ok(AgentStats {
                    sessions: r.u32()?,
                    turned_away: r.u32()?,
                    protocol_errors: r.u32()?,
                    channels: r.u32()?,
                })
            }),
            _ => Err(self.fail(HwError::Protocol {
                url: self.info.url.clone(),
                request: "STATS",
                why: "not an OK reply".into(),
            })),
        }
    }

    fn chunk(&self) -> usize {
        protocol::mem_chunk(self.info.max_payload).max(1)
    }
}

impl Drop for HwClient {
    /// Says BYE, so the agent has cleaned up before the next client connects.
    fn drop(&mut self) {
        if self.fault().is_none() {
            let _ = self.call(Kind::Bye, &[], 0);
        }
        let _ = lock(&self.conn).stream.shutdown(Shutdown::Both);
    }
}

impl Mpi for HwClient {
    fn backend_name(&self) -> &str {
        self.info.backend_name()
    }

    fn backend_fault(&self) -> Option<String> {
        self.fault().map(|e| e.to_string())
    }

    /// The call-level kinds (`get-stream-notready`, `send-frame-busy`, `link-drop`) are acted
    /// out by this client, at the program's call; the device-side ones are the board's (the
    /// emulated board arms them in its simulator; a K230 answers NOT_SUPPORT).
    fn inject_fault(&self, spec: &FaultSpec) -> Result<(), VencError> {
        if !spec.kind.is_device_side() {
            self.faults.arm(*spec);
            return Ok(());
        }
        let text = spec.to_string();
        let body = Body::default()
            .u16(text.len() as u16)
            .bytes(text.as_bytes())
            .0;
        self.venc(Kind::InjectFault, &body, 0).map(drop)
    }

    /// The client's own strikes (the call-level kinds); the board's are in its log.
    fn faults_injected(&self) -> [(&'static str, u64); 7] {
        self.faults.injected()
    }

    fn create_chn(&self, chn: Chn, attr: &ChnAttr) -> Result<(), VencError> {
        self.reach_venc("create_chn")?;
        let body = protocol::create_chn_body(chn, attr);
        self.venc(Kind::CreateChn, &body, 0).map(drop)
    }

    fn destroy_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.reach_venc("destroy_chn")?;
        self.chn_only(Kind::DestroyChn, chn)
    }

    fn start_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.reach_venc("start_chn")?;
        self.chn_only(Kind::StartChn, chn)
    }

    fn stop_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.reach_venc("stop_chn")?;
        self.chn_only(Kind::StopChn, chn)
    }

    fn enable_idr(&self, chn: Chn, enable: bool) -> Result<(), VencError> {
        self.reach_venc("enable_idr")?;
        let body = Body::default().u32(chn).u8(u8::from(enable)).0;
        self.venc(Kind::EnableIdr, &body, 0).map(drop)
    }

    fn request_idr(&self, chn: Chn) -> Result<(), VencError> {
        self.reach_venc("request_idr")?;
        self.chn_only(Kind::RequestIdr, chn)
    }

    fn query_status(&self, chn: Chn) -> Result<ChnStatus, VencError> {
        self.reach_venc("query_status")?;
        let body = self.venc(Kind::QueryStatus, &Body::default().u32(chn).0, 0)?;
        self.parse(Kind::QueryStatus, &body, protocol::read_status)
            .map_err(|_| VencError::Unexist)
    }

    /// The emulated board's count (`RELEASED_PTS`); `None` from a K230, which keeps none
    /// (D-056), or when [`HwOptions::ask_released`] is off.
    fn released_pts(&self, chn: Chn) -> Result<Option<u64>, VencError> {
        if !self.opts.ask_released || self.no_released_count.load(Ordering::Relaxed) {
            return Ok(None);
        }
        match self.venc(Kind::ReleasedPts, &Body::default().u32(chn).0, 0) {
            Ok(body) => self
                .parse(Kind::ReleasedPts, &body, |r| r.u64())
                .map(Some)
                .map_err(|_| VencError::Unexist),
            Err(VencError::NotSupport) => {
                self.no_released_count.store(true, Ordering::Relaxed);
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn send_frame(
        &self,
        chn: Chn,
        frame: &VideoFrameInfo,
        timeout_ms: i32,
    ) -> Result<(), VencError> {
        let body = self.send_frame_reply(chn, frame, timeout_ms)?;
        let sent = self
            .parse(Kind::SendFrame, &body, protocol::read_sent)
            .map_err(|_| VencError::Unexist)?;
        self.note_times(chn, |t| t.sent_us = Some(sent));
        Ok(())
    }

    fn get_stream(
        &self,
        chn: Chn,
        max_packs: u32,
        timeout_ms: i32,
        out: &mut Vec<Pack>,
    ) -> Result<(), VencError> {
        self.reach_venc("get_stream")?;
        out.clear();
        let place = format_args!("get_stream ch{chn}");
        if let Some(code) = self
            .faults
            .strike_call(FaultPoint::GetStream, timeout_ms, place)
        {
            return Err(code);
        }
        // The ring holds 30 packs; asking for more than the agent's 64 changes nothing.
        let max_packs = max_packs.min(MAX_PACKS);
        let got: Result<_, ()> = in_slices(
            timeout_ms,
            self.opts.slice_ms,
            VencError::NotReady,
            |slice| {
                let body = Body::default().u32(chn).u32(max_packs).i32(slice).0;
                self.venc(Kind::GetStream, &body, slice)
            },
            || Ok(()),
        );
        let body = got.unwrap_or(Err(VencError::Unexist))?;
        let returned = self
            .parse(Kind::GetStream, &body, |r| protocol::read_stream(r, out))
            .map_err(|_| VencError::Unexist)?;
        self.note_times(chn, |t| t.got_us = Some(returned));
        Ok(())
    }

    fn release_stream(&self, chn: Chn, pack_cnt: u32) -> Result<(), VencError> {
        self.reach_venc("release_stream")?;
        let body = Body::default().u32(chn).u32(pack_cnt).0;
        self.venc(Kind::ReleaseStream, &body, 0).map(drop)
    }

    fn request_chn(&self) -> Result<Chn, VencError> {
        self.reach_venc("request_chn")?;
        let body = self.venc(Kind::RequestChn, &[], 0)?;
        self.parse(Kind::RequestChn, &body, |r| r.u32())
            .map_err(|_| VencError::Unexist)
    }

    fn release_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.reach_venc("release_chn")?;
        self.chn_only(Kind::ReleaseChn, chn)
    }

    fn attach_vb_pool(&self, chn: Chn, pool: PoolId) -> Result<(), VencError> {
        self.reach_venc("attach_vb_pool")?;
        let body = Body::default().u32(chn).u32(pool).0;
        self.venc(Kind::AttachVbPool, &body, 0).map(drop)
    }

    fn detach_vb_pool(&self, chn: Chn) -> Result<(), VencError> {
        self.reach_venc("detach_vb_pool")?;
        self.chn_only(Kind::DetachVbPool, chn)
    }

    fn attach_vb_pool_ex(&self, chn: Chn, pool: PoolId, buff_num: i32) -> Result<(), VencError> {
        let words = [pool, buff_num as u32];
        self.set("attach_vb_pool_ex", Kind::AttachVbPoolEx, (chn, 0), &words)
    }

    fn set_intbuf_size(&self, chn: Chn, size: u32) -> Result<(), VencError> {
        self.set("set_intbuf_size", Kind::SetIntbufSize, (chn, 0), &[size])
    }

    fn set_rotation(&self, chn: Chn, rotation: u32) -> Result<(), VencError> {
        self.set("set_rotation", Kind::SetRotation, (chn, 0), &[rotation])
    }

    fn get_rotation(&self, chn: Chn) -> Result<u32, VencError> {
        self.get("get_rotation", Kind::GetRotation, (chn, 0), one)
    }

    fn set_mirror(&self, chn: Chn, mirror: u32) -> Result<(), VencError> {
        self.set("set_mirror", Kind::SetMirror, (chn, 0), &[mirror])
    }

    fn get_mirror(&self, chn: Chn) -> Result<u32, VencError> {
        self.get("get_mirror", Kind::GetMirror, (chn, 0), one)
    }

    fn set_dblk(&self, chn: Chn, enable: u32) -> Result<(), VencError> {
        self.set("set_dblk", Kind::SetDblk, (chn, 0), &[enable])
    }

    fn get_dblk(&self, chn: Chn) -> Result<u32, VencError> {
        self.get("get_dblk", Kind::GetDblk, (chn, 0), one)
    }

    fn set_h265_sao(&self, chn: Chn, sao: &H265Sao) -> Result<(), VencError> {
        self.set("set_h265_sao", Kind::SetH265Sao, (chn, 0), &sao.to_words())
    }

    fn get_h265_sao(&self, chn: Chn) -> Result<H265Sao, VencError> {
        self.get(
            "get_h265_sao",
            Kind::GetH265Sao,
            (chn, 0),
            H265Sao::from_words,
        )
    }

    fn set_h264_entropy(&self, chn: Chn, entropy: &H264Entropy) -> Result<(), VencError> {
        let words = entropy.to_words();
        self.set("set_h264_entropy", Kind::SetH264Entropy, (chn, 0), &words)
    }

    fn get_h264_entropy(&self, chn: Chn) -> Result<H264Entropy, VencError> {
        let of = H264Entropy::from_words;
        self.get("get_h264_entropy", Kind::GetH264Entropy, (chn, 0), of)
    }

    fn set_h265_entropy(&self, chn: Chn, cabac_init_flag: u8) -> Result<(), VencError> {
        let words = [u32::from(cabac_init_flag)];
        self.set("set_h265_entropy", Kind::SetH265Entropy, (chn, 0), &words)
    }

    fn get_h265_entropy(&self, chn: Chn) -> Result<u8, VencError> {
        let of = |w: &[u32]| one(w).map(|v| v as u8);
        self.get("get_h265_entropy", Kind::GetH265Entropy, (chn, 0), of)
    }

    fn attach_2d(&self, chn: Chn) -> Result<(), VencError> {
        self.set("attach_2d", Kind::Attach2d, (chn, 0), &[])
    }

    fn detach_2d(&self, chn: Chn) -> Result<(), VencError> {
        self.set("detach_2d", Kind::Detach2d, (chn, 0), &[])
    }

    fn set_2d_mode(&self, chn: Chn, mode: u32) -> Result<(), VencError> {
        self.set("set_2d_mode", Kind::Set2dMode, (chn, 0), &[mode])
    }

    fn get_2d_mode(&self, chn: Chn) -> Result<u32, VencError> {
        self.get("get_2d_mode", Kind::Get2dMode, (chn, 0), one)
    }

    fn set_2d_osd(&self, chn: Chn, index: u8, region: &OsdRegion) -> Result<(), VencError> {
        let at = (chn, u32::from(index));
        self.set("set_2d_osd_param", Kind::Set2dOsd, at, &region.to_words())
    }

    fn get_2d_osd(&self, chn: Chn, index: u8) -> Result<OsdRegion, VencError> {
        let at = (chn, u32::from(index));
        self.get(
            "get_2d_osd_param",
            Kind::Get2dOsd,
            at,
            OsdRegion::from_words,
        )
    }

    fn set_2d_border(&self, chn: Chn, index: u8, border: &Border) -> Result<(), VencError> {
        let at = (chn, u32::from(index));
        self.set(
            "set_2d_border_param",
            Kind::Set2dBorder,
            at,
            &border.to_words(),
        )
    }

    fn get_2d_border(&self, chn: Chn, index: u8) -> Result<Border, VencError> {
        let at = (chn, u32::from(index));
        self.get(
            "get_2d_border_param",
            Kind::Get2dBorder,
            at,
            Border::from_words,
        )
    }

    fn set_2d_custom_coef(&self, chn: Chn, coef: &[i16; COEF_NUM]) -> Result<(), VencError> {
        let words: Vec<u32> = coef.iter().map(|&c| c as u16 as u32).collect();
        self.set("set_2d_custom_coef", Kind::Set2dCoef, (chn, 0), &words)
    }

    fn get_2d_custom_coef(&self, chn: Chn) -> Result<[i16; COEF_NUM], VencError> {
        let of = |w: &[u32]| {
            let c: Vec<i16> = w.iter().map(|&v| v as u16 as i16).collect();
            <[i16; COEF_NUM]>::try_from(c).ok()
        };
        self.get("get_2d_custom_coef", Kind::Get2dCoef, (chn, 0), of)
    }

    fn set_2d_color_gamut(&self, chn: Chn, gamut: u32) -> Result<(), VencError> {
        self.set("set_2d_color_gamut", Kind::Set2dGamut, (chn, 0), &[gamut])
    }

    fn get_2d_color_gamut(&self, chn: Chn) -> Result<u32, VencError> {
        self.get("get_2d_color_gamut", Kind::Get2dGamut, (chn, 0), one)
    }

    fn set_2d_csc(&self, chn: Chn, dst_fmt: u32) -> Result<(), VencError> {
        self.set("set_2d_csc_param", Kind::Set2dCsc, (chn, 0), &[dst_fmt])
    }

    fn get_2d_csc(&self, chn: Chn) -> Result<u32, VencError> {
        self.get("get_2d_csc_param", Kind::Get2dCsc, (chn, 0), one)
    }

    fn start_2d_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.set("start_2d_chn", Kind::Start2d, (chn, 0), &[])
    }

    fn stop_2d_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.set("stop_2d_chn", Kind::Stop2d, (chn, 0), &[])
    }

    fn send_2d_frame(&self, chn: Chn, frame: &VideoFrameInfo) -> Result<(), VencError> {
        let words = protocol::frame_words(frame);
        self.set("send_2d_frame", Kind::Send2dFrame, (chn, 0), &words)
    }

    fn get_2d_frame(&self, chn: Chn) -> Result<VideoFrameInfo, VencError> {
        let of = protocol::frame_of_words;
        self.get("get_2d_frame", Kind::Get2dFrame, (chn, 0), of)
    }

    fn create_pool(&self, blk_size: u64, blk_cnt: u32) -> Result<PoolId, MemError> {
        self.reach_mem("vb_create_pool")?;
        let body = Body::default().u64(blk_size).u32(blk_cnt).0;
        let reply = self.mem(Kind::CreatePool, &body, (0, 0))?;
        self.parse(Kind::CreatePool, &reply, |r| r.u32())
            .map_err(|e| MemError::Invalid(e.to_string()))
    }

    fn destroy_pool(&self, pool: PoolId) -> Result<(), MemError> {
        self.reach_mem("vb_destroy_pool")?;
        self.mem(Kind::DestroyPool, &Body::default().u32(pool).0, (0, 0))
            .map(drop)
    }

    fn get_block(&self, pool: PoolId) -> Result<u64, MemError> {
        self.reach_mem("vb_get_block")?;
        let reply = self.mem(Kind::GetBlock, &Body::default().u32(pool).0, (0, 0))?;
        self.parse(Kind::GetBlock, &reply, |r| r.u64())
            .map_err(|e| MemError::Invalid(e.to_string()))
    }

    fn release_block(&self, phys_addr: u64) -> Result<(), MemError> {
        self.reach_mem("vb_release_block")?;
        let body = Body::default().u64(phys_addr).0;
        self.mem(Kind::ReleaseBlock, &body, (phys_addr, 0))
            .map(drop)
    }

    fn read_mem(&self, phys_addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        self.reach_mem("read_mem")?;
        let range = (phys_addr, buf.len() as u64);
        let step = self.chunk();
        for (i, part) in buf.chunks_mut(step).enumerate() {
            let at = phys_addr + (i * step) as u64;
            let body = Body::default().u64(at).u32(part.len() as u32).0;
            let data = self.mem(Kind::ReadMem, &body, range)?;
            if data.len() != part.len() {
                let e = self.fail(HwError::Protocol {
                    url: self.info.url.clone(),
                    request: "READ_MEM",
                    why: format!("{} bytes for a read of {}", data.len(), part.len()),
                });
                return Err(MemError::Invalid(e.to_string()));
            }
            part.copy_from_slice(&data);
        }
        Ok(())
    }

    fn write_mem(&self, phys_addr: u64, data: &[u8]) -> Result<(), MemError> {
        self.reach_mem("write_mem")?;
        let range = (phys_addr, data.len() as u64);
        let step = self.chunk();
        let mut body = Vec::with_capacity(8 + step.min(data.len()));
        for (i, part) in data.chunks(step).enumerate() {
            body.clear();
            body.extend_from_slice(&(phys_addr + (i * step) as u64).to_le_bytes());
            body.extend_from_slice(part);
            self.mem(Kind::WriteMem, &body, range)?;
        }
        Ok(())
    }
}

/// The one word of a reply that carries a single value.
fn one(words: &[u32]) -> Option<u32> {
    match words {
        &[v] => Some(v),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn board_urls_are_tcp_host_port() {
        assert!(parse_board_url("tcp://127.0.0.1:5230").is_ok());
        assert!(parse_board_url("tcp://[::1]:5230").is_ok());
        for (bad, why) in [
            ("http://127.0.0.1:80", "scheme"),
            ("tcp://127.0.0.1", "no port"),
            ("127.0.0.1:5230", "relative URL"),
            ("tcp://127.0.0.1:5230/x", "path"),
            ("tcp://", "no port"),
            ("tcp://:5230", "empty host"),
        ] {
            let e = parse_board_url(bad).expect_err(bad).to_string();
            assert!(e.contains(why) || e.contains("empty host"), "{bad}: {e}");
            assert!(e.contains("expected tcp://HOST:PORT"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_closed_port_is_unreachable_at_once() {
        // Bind then drop: the port is free and nobody listens.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let t0 = Instant::now();
        let e = HwClient::connect(&format!("tcp://127.0.0.1:{port}"), HwOptions::default())
            .expect_err("nobody listens");
        assert!(matches!(e, HwError::Unreachable { .. }), "{e}");
        assert!(t0.elapsed() < Duration::from_secs(3));
    }
}
