//! The wire format of `docs/hw-protocol.md`, version [`PROTOCOL`]: framing, request bodies and
//! reply bodies. Pure data in and out; sockets live in [`crate::client`].
//!
//! Invariant: this file and `agent/venc_agent.py` describe the same bytes. The message type
//! numbers, statuses and body layouts below are the document's tables.

use std::fmt;
use venc_core::{ChnAttr, ChnStatus, Pack, PackType, VideoFrameInfo};

/// Protocol version both sides must speak.
pub const PROTOCOL: u8 = 4;
/// The board's microsecond ticks wrap at 2^30 (MicroPython's `time.ticks_us`).
pub const TICKS_MASK: u32 = 0x3FFF_FFFF;
/// The two bytes every frame starts with.
pub const MAGIC: [u8; 2] = *b"KV";
/// Header: magic, version, type, sequence number (u32), payload length (u32); little-endian.
pub const HEADER_SIZE: usize = 12;
/// The largest payload this client sends or accepts (the agent says its own in HELLO).
pub const MAX_PAYLOAD: u32 = (1 << 20) + 64;
/// Room for the fixed fields in front of memory bytes in a frame.
const MEM_OVERHEAD: u32 = 64;
/// The most packs one GET_STREAM asks for (the agent's limit).
pub const MAX_PACKS: u32 = 64;
/// Bytes per pack descriptor in a GET_STREAM reply.
pub const PACK_WIRE_SIZE: usize = 24;

/// Message types. A reply carries its request's type with bit 7 set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Kind {
    /// Opens a session: protocol version, client name.
    Hello = 0x01,
    /// Ends a session; the agent cleans up, then replies.
    Bye = 0x02,
    /// Agent counters (sessions, clients turned away, protocol errors, channels held).
    Stats = 0x03,
    /// `kd_mpi_venc_create_chn`.
    CreateChn = 0x10,
    /// `kd_mpi_venc_destroy_chn`.
    DestroyChn = 0x11,
    /// `kd_mpi_venc_start_chn`.
    StartChn = 0x12,
    /// `kd_mpi_venc_stop_chn`.
    StopChn = 0x13,
    /// `kd_mpi_venc_enable_idr`.
    EnableIdr = 0x14,
    /// `kd_mpi_venc_request_idr`.
    RequestIdr = 0x15,
    /// `kd_mpi_venc_query_status`.
    QueryStatus = 0x16,
    /// `kd_mpi_venc_send_frame`.
    SendFrame = 0x17,
    /// `kd_mpi_venc_get_stream`.
    GetStream = 0x18,
    /// `kd_mpi_venc_release_stream`.
    ReleaseStream = 0x19,
    /// `kd_mpi_venc_attach_vb_pool`.
    AttachVbPool = 0x1A,
    /// `kd_mpi_venc_detach_vb_pool`.
    DetachVbPool = 0x1B,
    /// `kd_mpi_venc_request_chn` (CanMV MPP; firmware without the binding answers NOT_SUPPORT).
    RequestChn = 0x1C,
    /// `kd_mpi_venc_release_chn`.
    ReleaseChn = 0x1D,
    /// `kd_mpi_vb_create_pool`.
    CreatePool = 0x20,
    /// `kd_mpi_vb_destory_pool`.
    DestroyPool = 0x21,
    /// `kd_mpi_vb_get_block`.
    GetBlock = 0x22,
    /// `kd_mpi_vb_release_block`.
    ReleaseBlock = 0x23,
    /// Reads media memory (`kd_mpi_sys_mmap` + `uctypes.bytearray_at`).
    ReadMem = 0x24,
    /// Writes media memory: frame upload.
    WriteMem = 0x25,
    /// Arms a device-side fault ([`venc_core::fault`]) on an emulated board; a K230 answers
    /// NOT_SUPPORT.
    InjectFault = 0x30,
    /// The pts of the last input picture a channel released, from an emulated board's
    /// simulator; a K230 answers NOT_SUPPORT (its kernel keeps no such count, D-056).
    ReleasedPts = 0x31,
    // Protocol 4: the VENC calls beyond the encode loop, every one with the feature body
    // ([`feature_body`]: chn, index, words) and a words reply ([`read_words`]).
    /// `kd_mpi_venc_set_rotation`: [rotation].
    SetRotation = 0x40,
    /// `kd_mpi_venc_get_rotation` → [rotation].
    GetRotation = 0x41,
    /// `kd_mpi_venc_set_mirror`: [mirror].
    SetMirror = 0x42,
    /// `kd_mpi_venc_get_mirror` → [mirror].
    GetMirror = 0x43,
    /// `kd_mpi_venc_set_dblk`: [dblk_en].
    SetDblk = 0x44,
    /// `kd_mpi_venc_get_dblk` → [dblk_en].
    GetDblk = 0x45,
    /// `kd_mpi_venc_set_h265_sao`: [luma, chroma].
    SetH265Sao = 0x46,
    /// `kd_mpi_venc_get_h265_sao` → [luma, chroma].
    GetH265Sao = 0x47,
    /// `kd_mpi_venc_set_h264_entropy`: [mode, cabac_init_idc].
    SetH264Entropy = 0x48,
    /// `kd_mpi_venc_get_h264_entropy` → [mode, cabac_init_idc].
    GetH264Entropy = 0x49,
    /// `kd_mpi_venc_set_h265_entropy`: [cabac_init_flag].
    SetH265Entropy = 0x4A,
    /// `kd_mpi_venc_get_h265_entropy` → [cabac_init_flag].
    GetH265Entropy = 0x4B,
    /// `kd_mpi_venc_set_intbuf_size`: [size].
    SetIntbufSize = 0x4C,
    /// `kd_mpi_venc_attach_vb_pool_ex` (CanMV MPP): [pool, buff_num].
    AttachVbPoolEx = 0x4D,
    /// `kd_mpi_venc_attach_2d`: [].
    Attach2d = 0x50,
    /// `kd_mpi_venc_detach_2d`: [].
    Detach2d = 0x51,
    /// `kd_mpi_venc_set_2d_mode`: [mode].
    Set2dMode = 0x52,
    /// `kd_mpi_venc_get_2d_mode` → [mode].
    Get2dMode = 0x53,
    /// `kd_mpi_venc_set_2d_osd_param`: index, the region's 13 words.
    Set2dOsd = 0x54,
    /// `kd_mpi_venc_get_2d_osd_param`: index → the region's 13 words.
    Get2dOsd = 0x55,
    /// `kd_mpi_venc_set_2d_border_param`: index, the border's 6 words.
    Set2dBorder = 0x56,
    /// `kd_mpi_venc_get_2d_border_param`: index → 6 words.
    Get2dBorder = 0x57,
    /// `kd_mpi_venc_set_2d_custom_coef`: 12 coefficients (i16 as u32).
    Set2dCoef = 0x58,
    /// `kd_mpi_venc_get_2d_custom_coef` → 12 coefficients.
    Get2dCoef = 0x59,
    /// `kd_mpi_venc_set_2d_color_gamut`: [gamut].
    Set2dGamut = 0x5A,
    /// `kd_mpi_venc_get_2d_color_gamut` → [gamut].
    Get2dGamut = 0x5B,
    /// `kd_mpi_venc_set_2d_csc_param`: [dst_fmt].
    Set2dCsc = 0x5C,
    /// `kd_mpi_venc_get_2d_csc_param` → [dst_fmt].
    Get2dCsc = 0x5D,
    /// `kd_mpi_venc_start_2d_chn`: [].
    Start2d = 0x5E,
    /// `kd_mpi_venc_stop_2d_chn`: [].
    Stop2d = 0x5F,
    /// `kd_mpi_venc_send_2d_frame`: the frame's 16 words.
    Send2dFrame = 0x60,
    /// `kd_mpi_venc_get_2d_frame` → the frame's 16 words.
    Get2dFrame = 0x61,
}

impl Kind {
    /// The reply's type byte.
    pub const fn reply(self) -> u8 {
        self as u8 | 0x80
    }

    /// Name for error messages.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Hello => "HELLO",
            Self::Bye => "BYE",
            Self::Stats => "STATS",
            Self::CreateChn => "CREATE_CHN",
            Self::DestroyChn => "DESTROY_CHN",
            Self::StartChn => "START_CHN",
            Self::StopChn => "STOP_CHN",
            Self::EnableIdr => "ENABLE_IDR",
            Self::RequestIdr => "REQUEST_IDR",
            Self::QueryStatus => "QUERY_STATUS",
            Self::SendFrame => "SEND_FRAME",
            Self::GetStream => "GET_STREAM",
            Self::ReleaseStream => "RELEASE_STREAM",
            Self::AttachVbPool => "ATTACH_VB_POOL",
            Self::DetachVbPool => "DETACH_VB_POOL",
            Self::RequestChn => "REQUEST_CHN",
            Self::ReleaseChn => "RELEASE_CHN",
            Self::CreatePool => "CREATE_POOL",
            Self::DestroyPool => "DESTROY_POOL",
            Self::GetBlock => "GET_BLOCK",
            Self::ReleaseBlock => "RELEASE_BLOCK",
            Self::ReadMem => "READ_MEM",
            Self::WriteMem => "WRITE_MEM",
            Self::InjectFault => "INJECT_FAULT",
            Self::ReleasedPts => "RELEASED_PTS",
            Self::SetRotation => "SET_ROTATION",
            Self::GetRotation => "GET_ROTATION",
            Self::SetMirror => "SET_MIRROR",
            Self::GetMirror => "GET_MIRROR",
            Self::SetDblk => "SET_DBLK",
            Self::GetDblk => "GET_DBLK",
            Self::SetH265Sao => "SET_H265_SAO",
            Self::GetH265Sao => "GET_H265_SAO",
            Self::SetH264Entropy => "SET_H264_ENTROPY",
            Self::GetH264Entropy => "GET_H264_ENTROPY",
            Self::SetH265Entropy => "SET_H265_ENTROPY",
            Self::GetH265Entropy => "GET_H265_ENTROPY",
            Self::SetIntbufSize => "SET_INTBUF_SIZE",
            Self::AttachVbPoolEx => "ATTACH_VB_POOL_EX",
            Self::Attach2d => "ATTACH_2D",
            Self::Detach2d => "DETACH_2D",
            Self::Set2dMode => "SET_2D_MODE",
            Self::Get2dMode => "GET_2D_MODE",
            Self::Set2dOsd => "SET_2D_OSD",
            Self::Get2dOsd => "GET_2D_OSD",
            Self::Set2dBorder => "SET_2D_BORDER",
            Self::Get2dBorder => "GET_2D_BORDER",
            Self::Set2dCoef => "SET_2D_COEF",
            Self::Get2dCoef => "GET_2D_COEF",
            Self::Set2dGamut => "SET_2D_GAMUT",
            Self::Get2dGamut => "GET_2D_GAMUT",
            Self::Set2dCsc => "SET_2D_CSC",
            Self::Get2dCsc => "GET_2D_CSC",
            Self::Start2d => "START_2D",
            Self::Stop2d => "STOP_2D",
            Self::Send2dFrame => "SEND_2D_FRAME",
            Self::Get2dFrame => "GET_2D_FRAME",
        }
    }
}

/// A frame header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Message type byte.
    pub kind: u8,
    /// Sequence number; a reply repeats its request's.
    pub seq: u32,
    /// Payload bytes that follow.
    pub len: u32,
}

/// Why a header cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// Not this protocol at all.
    #[error("not a venc-hw frame (bad magic {0:02x?})")]
    BadMagic([u8; 2]),
    /// Another version.
    #[error("protocol version {0}, this client speaks {PROTOCOL}")]
    Version(u8),
    /// More than the limit.
    #[error("frame of {len} bytes exceeds the limit of {max}")]
    TooLarge {
        /// Announced length.
        len: u32,
        /// The limit.
        max: u32,
    },
    /// A body shorter than its fields (`len`: the whole body's length).
    #[error("{kind} reply of {len} bytes is too short")]
    Short {
        /// The request.
        kind: &'static str,
        /// Bytes received.
        len: usize,
    },
    /// A field holds a value the protocol does not define.
    #[error("malformed reply: {0}")]
    Malformed(String),
}

/// Encodes a header.
pub fn encode_header(kind: u8, seq: u32, len: u32) -> [u8; HEADER_SIZE] {
    let mut h = [0; HEADER_SIZE];
    h[..2].copy_from_slice(&MAGIC);
    h[2] = PROTOCOL;
    h[3] = kind;
    h[4..8].copy_from_slice(&seq.to_le_bytes());
    h[8..12].copy_from_slice(&len.to_le_bytes());
    h
}

/// Decodes a header, refusing other protocols and frames over `max` bytes.
pub fn decode_header(h: &[u8; HEADER_SIZE], max: u32) -> Result<Header, FrameError> {
    if h[..2] != MAGIC {
        return Err(FrameError::BadMagic([h[0], h[1]]));
    }
    if h[2] != PROTOCOL {
        return Err(FrameError::Version(h[2]));
    }
    let word = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
    let len = word(8);
    if len > max {
        return Err(FrameError::TooLarge { len, max });
    }
    Ok(Header {
        kind: h[3],
        seq: word(4),
        len,
    })
}

/// Memory bytes one READ_MEM / WRITE_MEM moves at most, given the agent's frame limit.
pub fn mem_chunk(agent_max_payload: u32) -> usize {
    agent_max_payload
        .min(MAX_PAYLOAD)
        .saturating_sub(MEM_OVERHEAD) as usize
}

/// A little-endian body writer.
#[derive(Debug, Default)]
pub struct Body(pub Vec<u8>);

impl Body {
    /// `u8`.
    pub fn u8(mut self, v: u8) -> Self {
        self.0.push(v);
        self
    }
    /// `u16`.
    pub fn u16(mut self, v: u16) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// `u32`.
    pub fn u32(mut self, v: u32) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// `i32`.
    pub fn i32(mut self, v: i32) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// `u64`.
    pub fn u64(mut self, v: u64) -> Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    /// Raw bytes.
    pub fn bytes(mut self, v: &[u8]) -> Self {
        self.0.extend_from_slice(v);
        self
    }
}

/// A little-endian body reader that names the request when the body is short.
#[derive(Debug)]
pub struct Reader<'a> {
    data: &'a [u8],
    total: usize,
    kind: &'static str,
}

impl<'a> Reader<'a> {
    /// Reads `data`, a reply to `kind`.
    pub fn new(data: &'a [u8], kind: Kind) -> Self {
        Self {
            data,
            total: data.len(),
            kind: kind.name(),
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], FrameError> {
        if self.data.len() < n {
            return Err(FrameError::Short {
                kind: self.kind,
                len: self.total,
            });
        }
        let (head, rest) = self.data.split_at(n);
        self.data = rest;
        Ok(head)
    }

    /// `u8`.
    pub fn u8(&mut self) -> Result<u8, FrameError> {
        Ok(self.take(1)?[0])
    }
    /// `u16`.
    pub fn u16(&mut self) -> Result<u16, FrameError> {
        let b = self.take(2)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    /// `u32`.
    pub fn u32(&mut self) -> Result<u32, FrameError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    /// `u64`.
    pub fn u64(&mut self) -> Result<u64, FrameError> {
        let b = self.take(8)?;
        let mut a = [0; 8];
        a.copy_from_slice(b);
        Ok(u64::from_le_bytes(a))
    }
    /// A `u16`-length-prefixed UTF-8 string (lossy).
    pub fn string(&mut self) -> Result<String, FrameError> {
        let n = usize::from(self.u16()?);
        Ok(String::from_utf8_lossy(self.take(n)?).into_owned())
    }
    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.data)
    }
}

/// Reply statuses (the first byte of every reply body).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    /// Done; the request's result follows.
    Ok = 0,
    /// The MPI call returned this K230 code (`u32`), unchanged.
    Venc = 1,
    /// A media-memory call failed: kind `u8`, two `u64` arguments, message.
    Mem = 2,
    /// The agent refused the request: `u8` closing flag, message.
    Protocol = 3,
    /// The agent serves another client: message. Sent in place of a HELLO reply.
    Busy = 4,
}

/// `MEM_ERR` kinds.
pub mod mem_kind {
    /// The range is not media memory (or not a block this client holds).
    pub const BAD_ADDRESS: u8 = 1;
    /// The pool does not exist.
    pub const NO_POOL: u8 = 2;
    /// The pool has no free block.
    pub const POOL_EXHAUSTED: u8 = 3;
    /// Anything else.
    pub const INVALID: u8 = 4;
}

/// `CREATE_CHN` body: chn, payload, width, height, profile, rc_mode, then six rate-control
/// words (gop, stats_time, src fps, dst fps, a, b; a/b = bit_rate/max_bit_rate for VBR,
/// bit_rate/0 for CBR, i_qp/p_qp for FIXQP, q_factor/0 for MJPEG).
pub fn create_chn_body(chn: u32, attr: &ChnAttr) -> Vec<u8> {
    let (mode, words) = attr.rc.to_words();
    let mut b = Body::default()
        .u32(chn)
        .u32(attr.payload)
        .u32(attr.width)
        .u32(attr.height)
        .u32(attr.profile)
        .u32(mode);
    for w in words {
        b = b.u32(w);
    }
    b.0
}

/// `SEND_FRAME` body: chn, timeout (i32), then the frame (w, h, pixel_format, stride[3],
/// phys_addr[3], pts, pool_id, mod_id).
pub fn send_frame_body(chn: u32, frame: &VideoFrameInfo, timeout_ms: i32) -> Vec<u8> {
    let mut b = Body::default()
        .u32(chn)
        .i32(timeout_ms)
        .u32(frame.width)
        .u32(frame.height)
        .u32(frame.pixel_format);
    for s in frame.stride {
        b = b.u32(s);
    }
    for a in frame.phys_addr {
        b = b.u64(a);
    }
    b.u64(frame.pts).u32(frame.pool_id).u32(frame.mod_id).0
}

/// The body of every feature request (protocol 4): u32 chn, u32 index (the OSD region or
/// border; 0 elsewhere), u16 n, n × u32 words (the call's values, [`venc_core::Words`]).
pub fn feature_body(chn: u32, index: u32, words: &[u32]) -> Vec<u8> {
    let mut b = Body::default().u32(chn).u32(index).u16(words.len() as u16);
    for &w in words {
        b = b.u32(w);
    }
    b.0
}

/// Parses a feature reply: u16 n, n × u32 words; the whole body, nothing after.
pub fn read_words(r: &mut Reader<'_>) -> Result<Vec<u32>, FrameError> {
    let n = r.u16()?;
    let words = (0..n).map(|_| r.u32()).collect::<Result<Vec<_>, _>>()?;
    if !r.rest().is_empty() {
        return Err(FrameError::Malformed(format!(
            "{n} words announced, more bytes sent"
        )));
    }
    Ok(words)
}

/// A frame as 16 words (`SEND_2D_FRAME`, `GET_2D_FRAME`): width, height, pixel_format,
/// stride[3], phys_addr[3] and pts as (low, high) pairs, pool_id, mod_id.
pub fn frame_words(f: &VideoFrameInfo) -> Vec<u32> {
    let mut w = vec![f.width, f.height, f.pixel_format];
    w.extend(f.stride);
    for v in f.phys_addr.into_iter().chain([f.pts]) {
        w.extend([v as u32, (v >> 32) as u32]);
    }
    w.extend([f.pool_id, f.mod_id]);
    w
}

/// The frame of [`frame_words`]; `None` for another count.
pub fn frame_of_words(w: &[u32]) -> Option<VideoFrameInfo> {
    let &[
        width,
        height,
        pixel_format,
        s0,
        s1,
        s2,
        a0,
        a0h,
        a1,
        a1h,
        a2,
        a2h,
        p,
        ph,
        pool,
        m,
    ] = w
    else {
        return None;
    };
    let wide = |lo: u32, hi: u32| u64::from(lo) | u64::from(hi) << 32;
    Some(VideoFrameInfo {
        width,
        height,
        pixel_format,
        stride: [s0, s1, s2],
        phys_addr: [wide(a0, a0h), wide(a1, a1h), wide(a2, a2h)],
        pts: wide(p, ph),
        pool_id: pool,
        mod_id: m,
    })
}

/// Parses a `QUERY_STATUS` result.
pub fn read_status(r: &mut Reader<'_>) -> Result<ChnStatus, FrameError> {
    Ok(ChnStatus {
        cur_packs: r.u32()?,
        release_pic_pts: r.u64()?,
        end_of_stream: r.u8()? != 0,
    })
}

/// Parses a `SEND_FRAME` result: the board's microsecond ticks when the call returned.
pub fn read_sent(r: &mut Reader<'_>) -> Result<u32, FrameError> {
    r.u32()
}

/// Parses a whole `GET_STREAM` result: the packs ([`read_packs`]), then the board's
/// microsecond ticks when the call returned.
pub fn read_stream(r: &mut Reader<'_>, out: &mut Vec<Pack>) -> Result<u32, FrameError> {
    read_packs(r, out)?;
    r.u32()
}

/// Board time from ticks `earlier` to ticks `later`, across a wrap of the 30-bit counter.
pub fn ticks_between(earlier: u32, later: u32) -> std::time::Duration {
    std::time::Duration::from_micros(u64::from(later.wrapping_sub(earlier) & TICKS_MASK))
}

/// Parses a `GET_STREAM` result's packs: count, then (phys_addr u64, len u32, pts u64, type
/// u32) each.
pub fn read_packs(r: &mut Reader<'_>, out: &mut Vec<Pack>) -> Result<(), FrameError> {
    let n = r.u32()?;
    for _ in 0..n {
        let phys_addr = r.u64()?;
        let len = r.u32()?;
        let pts = r.u64()?;
        let pack_type =
            PackType::from_code(r.u32()?).map_err(|e| FrameError::Malformed(e.to_string()))?;
        out.push(Pack {
            phys_addr,
            len,
            pts,
            pack_type,
        });
    }
    Ok(())
}

/// What the agent said about itself in its HELLO reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardInfo {
    /// `tcp://HOST:PORT` as given.
    pub url: String,
    /// Protocol version the agent speaks.
    pub protocol: u16,
    /// The agent's frame limit.
    pub max_payload: u32,
    /// Whether the agent runs on the emulated board (`canmv-run` on venc-sim), not a K230.
    pub emulated: bool,
    /// Firmware version (`os.uname().release` on a board; `emulated <firmware>` otherwise).
    pub firmware: String,
    /// Machine (`os.uname().machine` on a board).
    pub machine: String,
    /// `venc_agent.py`'s version.
    pub agent_version: String,
}

impl BoardInfo {
    /// Parses a HELLO result.
    pub fn read(url: &str, r: &mut Reader<'_>) -> Result<Self, FrameError> {
        Ok(Self {
            url: url.to_owned(),
            protocol: r.u16()?,
            max_payload: r.u32()?,
            emulated: r.u8()? != 0,
            firmware: r.string()?,
            machine: r.string()?,
            agent_version: r.string()?,
        })
    }

    /// The backend name in reports: `hw` for a board, `hw-emulated` for the emulated board.
    pub fn backend_name(&self) -> &'static str {
        if self.emulated { "hw-emulated" } else { "hw" }
    }
}

impl fmt::Display for BoardInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.emulated {
            write!(
                f,
                "EMULATED board (not a K230): venc_agent.py {} under canmv-run at {}, {}, {}",
                self.agent_version, self.url, self.firmware, self.machine
            )
        } else {
            write!(
                f,
                "K230 board at {}: firmware {}, {}, venc_agent.py {}",
                self.url, self.firmware, self.machine, self.agent_version
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_and_refuse_garbage() {
        let h = encode_header(Kind::GetStream as u8, 7, 12);
        assert_eq!(
            decode_header(&h, MAX_PAYLOAD),
            Ok(Header {
                kind: 0x18,
                seq: 7,
                len: 12
            })
        );
        let mut bad = h;
        bad[0] = b'G';
        assert_eq!(
            decode_header(&bad, MAX_PAYLOAD),
            Err(FrameError::BadMagic([b'G', b'V']))
        );
        let mut other = h;
        other[2] = PROTOCOL + 1;
        assert_eq!(
            decode_header(&other, MAX_PAYLOAD),
            Err(FrameError::Version(PROTOCOL + 1))
        );
        let big = encode_header(0x98, 1, MAX_PAYLOAD + 1);
        assert!(matches!(
            decode_header(&big, MAX_PAYLOAD),
            Err(FrameError::TooLarge { .. })
        ));
    }

    #[test]
    fn bodies_have_the_documented_sizes() {
        let attr = ChnAttr {
            payload: 96,
            width: 640,
            height: 360,
            profile: 1,
            rc: venc_core::RcAttr::Vbr {
                gop: 30,
                stats_time: 1,
                src_frame_rate: 30,
                dst_frame_rate: 30,
                max_bit_rate: 3000,
                bit_rate: 2000,
            },
        };
        let b = create_chn_body(2, &attr);
        assert_eq!(b.len(), 48);
        // bit_rate then max_bit_rate in the last two words.
        assert_eq!(&b[40..44], &2000u32.to_le_bytes());
        assert_eq!(&b[44..48], &3000u32.to_le_bytes());
        let f = VideoFrameInfo::default();
        assert_eq!(send_frame_body(0, &f, -1).len(), 8 + 24 + 24 + 8 + 8);
        let b = feature_body(1, 7, &[3, 4]);
        assert_eq!(b.len(), 4 + 4 + 2 + 8);
        assert_eq!(&b[4..10], &[7, 0, 0, 0, 2, 0]);
    }

    #[test]
    fn feature_replies_are_exactly_their_words_and_frames_round_trip() {
        let body = Body::default().u16(2).u32(9).u32(u32::MAX).0;
        let mut r = Reader::new(&body, Kind::GetH265Sao);
        assert_eq!(read_words(&mut r), Ok(vec![9, u32::MAX]));
        let short = Body::default().u16(3).u32(1).0;
        let mut r = Reader::new(&short, Kind::Get2dOsd);
        assert!(matches!(read_words(&mut r), Err(FrameError::Short { .. })));
        let long = Body::default().u16(1).u32(1).u8(0).0;
        let mut r = Reader::new(&long, Kind::GetMirror);
        assert!(matches!(read_words(&mut r), Err(FrameError::Malformed(_))));
        let f = VideoFrameInfo {
            width: 640,
            height: 480,
            pixel_format: 31,
            stride: [640, 640, 0],
            phys_addr: [0x1_2345_6000, 0x1_2349_b000, 0],
            pts: 1 << 40 | 33,
            pool_id: 3,
            mod_id: 9,
        };
        let w = frame_words(&f);
        assert_eq!(w.len(), 16);
        assert_eq!(frame_of_words(&w), Some(f));
        assert_eq!(frame_of_words(&w[1..]), None);
    }

    #[test]
    fn short_replies_name_the_request() {
        let mut r = Reader::new(&[1, 0], Kind::QueryStatus);
        assert_eq!(
            read_status(&mut r),
            Err(FrameError::Short {
                kind: "QUERY_STATUS",
                len: 2
            })
        );
        let body = Body::default().u32(1).u64(0x1000).u32(9).u64(5).u32(2).0;
        let mut packs = Vec::new();
        read_packs(&mut Reader::new(&body, Kind::GetStream), &mut packs).expect("one pack");
        assert_eq!(packs.len(), 1);
        assert_eq!(packs[0].pack_type, PackType::I);
        assert_eq!(packs[0].len, 9);
    }

    #[test]
    fn replies_carry_the_boards_ticks_and_differences_cross_the_wrap() {
        let body = Body::default()
            .u32(1)
            .u64(0x1000)
            .u32(9)
            .u64(5)
            .u32(2)
            .u32(777)
            .0;
        let mut packs = Vec::new();
        assert_eq!(
            read_stream(&mut Reader::new(&body, Kind::GetStream), &mut packs),
            Ok(777)
        );
        assert_eq!(packs.len(), 1);
        let short = Body::default().u32(0).0;
        assert!(read_stream(&mut Reader::new(&short, Kind::GetStream), &mut packs).is_err());
        assert_eq!(
            read_sent(&mut Reader::new(&5u32.to_le_bytes(), Kind::SendFrame)),
            Ok(5)
        );
        let us = std::time::Duration::from_micros;
        assert_eq!(ticks_between(100, 12_600), us(12_500));
        // 30-bit ticks: 0x3FFF_FFF0 then 0x10 is 32 µs later.
        assert_eq!(ticks_between(0x3FFF_FFF0, 0x10), us(32));
    }

    #[test]
    fn a_pack_type_the_mpi_does_not_define_is_malformed_never_p() {
        let body = Body::default().u32(1).u64(0x1000).u32(9).u64(5).u32(7).0;
        let mut packs = Vec::new();
        let e =
            read_packs(&mut Reader::new(&body, Kind::GetStream), &mut packs).expect_err("type 7");
        assert!(
            matches!(&e, FrameError::Malformed(m) if m.contains("pack type 7")),
            "{e}"
        );
        assert!(packs.is_empty());
    }
}
