//! The backend trait at MPI level (`kd_mpi_venc_*`, `kd_mpi_vb_*`) and its data types.
//!
//! The simulator and the board client implement [`Mpi`]; the CanMV [`crate::Encoder`] facade and
//! the conformance suite see a backend only through it.

use crate::error::VencError;
use crate::features::{Border, COEF_NUM, H264Entropy, H265Sao, OsdRegion};
use serde::Serialize;
use std::fmt;

/// A VENC channel number as the MPI takes it (`k_u32`: a negative Python int arrives huge).
pub type Chn = u32;

static WRAPPING_CHANNELS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many channel numbers [`chn_from_int`] took as INVALID_CHNID where a board keeping the
/// low 32 bits would have used a real channel (D-031), since the process started: the unknown
/// is counted, not only warned about.
pub fn wrapping_channel_count() -> u64 {
    WRAPPING_CHANNELS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The channel a program's integer becomes on its way to the MPI's `k_u32`.
///
/// A negative number reaches C as a huge `k_u32`, so the MPI answers INVALID_CHNID (the
/// firmware's facade has no lower bound, VENC-CHN-003). A plain cast would keep the low 32 bits
/// and turn −2³² + k into channel k; whether the board's int conversion does that is not known,
/// so every negative number is taken as `u32::MAX` (the safe side, D-031), with a warning where
/// the two readings differ.
pub fn chn_from_int(chn: i64) -> Chn {
    match u32::try_from(chn) {
        Ok(c) => c,
        Err(_) => {
            if chn < 0 && (chn as u32) < crate::consts::VENC_MAX_CHN_NUMS {
                WRAPPING_CHANNELS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                log::warn!(
                    "channel {chn} is negative: taken as 0x{:X} (INVALID_CHNID); a board whose \
                     int conversion keeps the low 32 bits would use channel {} (D-031)",
                    u32::MAX,
                    chn as u32
                );
            }
            u32::MAX
        }
    }
}

/// A VB pool id (`kd_mpi_vb_create_pool`); [`crate::consts::VB_INVALID_POOLID`] when none.
pub type PoolId = u32;

/// Rate-control attributes (`k_venc_rc_attr`). Bit rates in kbps, frame rates in fps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[doc(alias = "k_venc_rc_attr")]
pub enum RcAttr {
    /// `K_VENC_RC_MODE_CBR`: what CanMV's `Create` always sets for H.264/H.265.
    Cbr {
        /// GOP length in frames (an IDR every `gop` frames).
        gop: u32,
        /// Statistics window in seconds (CanMV passes 0, outside the documented 1..60).
        stats_time: u32,
        /// Input frame rate.
        src_frame_rate: u32,
        /// Output frame rate.
        dst_frame_rate: u32,
        /// Target bit rate in kbps.
        bit_rate: u32,
    },
    /// `K_VENC_RC_MODE_VBR`.
    Vbr {
        /// GOP length.
        gop: u32,
        /// Statistics window.
        stats_time: u32,
        /// Input frame rate.
        src_frame_rate: u32,
        /// Output frame rate.
        dst_frame_rate: u32,
        /// Maximum bit rate (kbps).
        max_bit_rate: u32,
        /// Target bit rate (kbps).
        bit_rate: u32,
    },
    /// `K_VENC_RC_MODE_FIXQP`.
    FixQp {
        /// GOP length.
        gop: u32,
        /// Input frame rate.
        src_frame_rate: u32,
        /// Output frame rate.
        dst_frame_rate: u32,
        /// I-frame QP (0..51).
        i_qp: u32,
        /// P-frame QP (0..51).
        p_qp: u32,
    },
    /// `K_VENC_RC_MODE_MJPEG_FIXQP`.
    MjpegFixQp {
        /// Input frame rate.
        src_frame_rate: u32,
        /// Output frame rate.
        dst_frame_rate: u32,
        /// Quality factor (1..99).
        q_factor: u32,
    },
}

/// The six rate-control words of [`RcAttr::to_words`]: gop, stats_time, src fps, dst fps, then
/// bit_rate/0 (CBR), bit_rate/max_bit_rate (VBR), i_qp/p_qp (FIXQP), q_factor/0 (MJPEG).
pub type RcWords = [u32; 6];

/// A `k_venc_rc_mode` value that is not CBR, VBR, FIXQP or MJPEG_FIXQP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("rate-control mode {0} is not CBR (1), VBR (2), FIXQP (3) or MJPEG_FIXQP (4)")]
pub struct UnknownRcMode(pub u32);

/// What a CBR or VBR `gop` of 0 becomes in the kernel (k230-mpp-c-api.md §5).
pub const ZERO_GOP_UNDER_RATE_CONTROL: u32 = 30;

impl RcAttr {
    /// The GOP the VPU codes. The kernel stores `gop − 1` P pictures and turns a `gop` of 0 into
    /// 29 under CBR and VBR (a GOP of 30) and leaves 0 under FIXQP (no P picture: every picture
    /// an I, inferred) (k230-mpp-c-api.md §5); the SDK's own `sample_venc` leaves `gop` 0. JPEG
    /// pictures all stand alone.
    pub const fn coded_gop(&self) -> u32 {
        match *self {
            Self::Cbr { gop: 0, .. } | Self::Vbr { gop: 0, .. } => ZERO_GOP_UNDER_RATE_CONTROL,
            Self::Cbr { gop, .. } | Self::Vbr { gop, .. } | Self::FixQp { gop, .. } => {
                if gop == 0 {
                    1
                } else {
                    gop
                }
            }
            Self::MjpegFixQp { .. } => 1,
        }
    }

    /// `rc_mode` and the six words, as the board protocol and the firmware's `mpp` bindings
    /// carry them (members a mode does not have are 0).
    pub const fn to_words(&self) -> (u32, RcWords) {
        use crate::consts::{
            K_VENC_RC_MODE_CBR, K_VENC_RC_MODE_FIXQP, K_VENC_RC_MODE_MJPEG_FIXQP,
            K_VENC_RC_MODE_VBR,
        };
        match *self {
            Self::Cbr {
                gop,
                stats_time,
                src_frame_rate,
                dst_frame_rate,
                bit_rate,
            } => (
                K_VENC_RC_MODE_CBR,
                [gop, stats_time, src_frame_rate, dst_frame_rate, bit_rate, 0],
            ),
            Self::Vbr {
                gop,
                stats_time,
                src_frame_rate,
                dst_frame_rate,
                max_bit_rate,
                bit_rate,
            } => (
                K_VENC_RC_MODE_VBR,
                [
                    gop,
                    stats_time,
                    src_frame_rate,
                    dst_frame_rate,
                    bit_rate,
                    max_bit_rate,
                ],
            ),
            Self::FixQp {
                gop,
                src_frame_rate,
                dst_frame_rate,
                i_qp,
                p_qp,
            } => (
                K_VENC_RC_MODE_FIXQP,
                [gop, 0, src_frame_rate, dst_frame_rate, i_qp, p_qp],
            ),
            Self::MjpegFixQp {
                src_frame_rate,
                dst_frame_rate,
                q_factor,
            } => (
                K_VENC_RC_MODE_MJPEG_FIXQP,
                [0, 0, src_frame_rate, dst_frame_rate, q_factor, 0],
            ),
        }
    }

    /// The attributes `mode` and `words` describe; an unknown mode is an error.
    pub const fn from_words(mode: u32, words: RcWords) -> Result<Self, UnknownRcMode> {
        use crate::consts::{
            K_VENC_RC_MODE_CBR, K_VENC_RC_MODE_FIXQP, K_VENC_RC_MODE_MJPEG_FIXQP,
            K_VENC_RC_MODE_VBR,
        };
        let [gop, stats_time, src_frame_rate, dst_frame_rate, a, b] = words;
        Ok(match mode {
            K_VENC_RC_MODE_CBR => Self::Cbr {
                gop,
                stats_time,
                src_frame_rate,
                dst_frame_rate,
                bit_rate: a,
            },
            K_VENC_RC_MODE_VBR => Self::Vbr {
                gop,
                stats_time,
                src_frame_rate,
                dst_frame_rate,
                bit_rate: a,
                max_bit_rate: b,
            },
            K_VENC_RC_MODE_FIXQP => Self::FixQp {
                gop,
                src_frame_rate,
                dst_frame_rate,
                i_qp: a,
                p_qp: b,
            },
            K_VENC_RC_MODE_MJPEG_FIXQP => Self::MjpegFixQp {
                src_frame_rate,
                dst_frame_rate,
                q_factor: a,
            },
            other => return Err(UnknownRcMode(other)),
        })
    }
}

/// Channel attributes (`k_venc_chn_attr`). Fields are raw `k_u32` values on purpose: a backend
/// must be able to receive (and reject) anything a program can pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[doc(alias = "k_venc_chn_attr")]
pub struct ChnAttr {
    /// `venc_attr.type`: [`crate::consts::K_PT_H264`], [`crate::consts::K_PT_H265`], …
    pub payload: u32,
    /// `venc_attr.pic_width`.
    pub width: u32,
    /// `venc_attr.pic_height`.
    pub height: u32,
    /// `venc_attr.profile`: `VENC_PROFILE_*`.
    pub profile: u32,
    /// `rc_attr`.
    pub rc: RcAttr,
}

/// An input picture (`k_video_frame_info`), as CanMV programs fill it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[doc(alias = "k_video_frame_info")]
pub struct VideoFrameInfo {
    /// `v_frame.width`.
    pub width: u32,
    /// `v_frame.height`.
    pub height: u32,
    /// `v_frame.pixel_format` (NV12 = 31).
    pub pixel_format: u32,
    /// `v_frame.stride[3]`; CanMV leaves it 0 and the VPU uses the width (facts §2.5).
    pub stride: [u32; 3],
    /// `v_frame.phys_addr[3]`: Y, UV, unused for NV12.
    pub phys_addr: [u64; 3],
    /// `v_frame.pts` in microseconds; copied into the frame's pack.
    pub pts: u64,
    /// `pool_id`.
    pub pool_id: u32,
    /// `mod_id`.
    pub mod_id: u32,
}

/// Pack type (`k_venc_pack_type`) = CanMV `STREAM_TYPE_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[doc(alias = "k_venc_pack_type")]
pub enum PackType {
    /// `K_VENC_P_FRAME` / `STREAM_TYPE_P` = 1.
    #[doc(alias = "STREAM_TYPE_P")]
    P,
    /// `K_VENC_I_FRAME` / `STREAM_TYPE_I` = 2.
    #[doc(alias = "STREAM_TYPE_I")]
    I,
    /// `K_VENC_HEADER` / `STREAM_TYPE_HEADER` = 3: parameter sets only.
    #[doc(alias = "STREAM_TYPE_HEADER")]
    Header,
}

impl PackType {
    /// The numeric value the MPI and CanMV use.
    pub const fn code(self) -> u32 {
        match self {
            Self::P => crate::consts::K_VENC_P_FRAME,
            Self::I => crate::consts::K_VENC_I_FRAME,
            Self::Header => crate::consts::K_VENC_HEADER,
        }
    }

    /// The pack type with MPI value `code`; any other value is an error, never P.
    pub const fn from_code(code: u32) -> Result<Self, UnknownPackType> {
        match code {
            crate::consts::K_VENC_P_FRAME => Ok(Self::P),
            crate::consts::K_VENC_I_FRAME => Ok(Self::I),
            crate::consts::K_VENC_HEADER => Ok(Self::Header),
            other => Err(UnknownPackType(other)),
        }
    }

    /// Short name for traces and reports.
    pub const fn name(self) -> &'static str {
        match self {
            Self::P => "P",
            Self::I => "I",
            Self::Header => "HEADER",
        }
    }
}

/// A `k_venc_pack_type` value outside P (1), I (2) and HEADER (3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("pack type {0} is not P (1), I (2) or HEADER (3)")]
pub struct UnknownPackType(pub u32);

impl fmt::Display for PackType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One output pack (`k_venc_pack`): its bytes stay in media memory at `phys_addr`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[doc(alias = "k_venc_pack")]
pub struct Pack {
    /// Physical address of the pack bytes.
    pub phys_addr: u64,
    /// Bytes in the pack.
    pub len: u32,
    /// Input-frame pts for I/P packs; stale for HEADER packs, as on the board.
    pub pts: u64,
    /// HEADER, I or P.
    pub pack_type: PackType,
}

/// Channel status (`k_venc_chn_status`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[doc(alias = "k_venc_chn_status")]
pub struct ChnStatus {
    /// Packs queued in the output ring and not yet taken by `get_stream`.
    pub cur_packs: u32,
    /// pts of the last input picture the VPU released: 0 from a board, whose kernel fills
    /// only `cur_packs` (k230-mpp-c-api.md §3, D-056); see [`Mpi::released_pts`].
    pub release_pic_pts: u64,
    /// Whether the stream has ended.
    pub end_of_stream: bool,
}

/// Errors of the media-memory calls (`kd_mpi_vb_*`, `kd_mpi_sys_mmap` and friends).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MemError {
    /// The address range is not inside one mapped block.
    #[error("address range 0x{addr:x}+{len} is not inside a mapped media-memory block")]
    BadAddress {
        /// Start of the range.
        addr: u64,
        /// Length of the range.
        len: u64,
    },
    /// The pool id is unknown.
    #[error("VB pool {0} does not exist")]
    NoPool(PoolId),
    /// Every block of the pool is in use.
    #[error("VB pool {0} has no free block")]
    PoolExhausted(PoolId),
    /// The request cannot be satisfied (bad size, too many blocks, address space full).
    #[error("{0}")]
    Invalid(String),
}

/// The K230 VENC MPI, as one backend provides it.
///
/// # For implementations
/// - Return the codes the 2024-09 firmware returns, in the same order of checks: the channel range
///   check (`chn > 3` → [`VencError::InvalidChnId`]) comes first on every call.
/// - `send_frame` on a channel that is not started returns `Ok(())` and drops the frame (firmware
///   behaviour), and reports the drop through its statistics or log.
/// - `get_stream` failure of any kind is [`VencError::NotReady`], as the user-space wrapper maps it.
///   `timeout_ms`: `-1` waits forever, `0` fails at once, `> 0` waits that many milliseconds.
/// - `release_stream` releases `pack_cnt` packs in FIFO order and ignores addresses.
/// - Pack bytes live in the backend's media memory; [`Mpi::read_mem`] reads them by address.
/// - All methods take `&self`: a consumer thread blocks in `get_stream` while a producer sends.
pub trait Mpi: Send + Sync {
    /// Short backend name for reports (`sim`, `hw`).
    fn backend_name(&self) -> &str;

    /// Whether `MediaManager.init()` has run (and `deinit()` not since). For implementations:
    /// report the board's media-buffer state; backends without a media manager keep `false`.
    fn media_inited(&self) -> bool {
        false
    }

    /// Why the backend can no longer be trusted (a board that vanished or broke the protocol),
    /// or `None`.
    ///
    /// # For implementations
    /// - A backend whose transport fails records the first failure here and from then on answers
    ///   every call at once: VENC calls with [`VencError::Unexist`] (no K230 call returns it:
    ///   the channel is gone with the board), memory calls with [`MemError::Invalid`] naming
    ///   the failure. Callers that see an error check this to tell a board's answer from a
    ///   dead link. Local backends keep the default.
    fn backend_fault(&self) -> Option<String> {
        None
    }

    /// Arms a fault ([`crate::fault`]): off unless a user asks for it.
    ///
    /// # For implementations
    /// Act the kind out at its [`crate::fault::FaultPoint`] through a [`crate::Faults`], or
    /// refuse with [`VencError::NotSupport`] (the default) when the backend cannot; never arm a
    /// fault that will not strike.
    fn inject_fault(&self, spec: &crate::FaultSpec) -> Result<(), VencError> {
        let _ = spec;
        Err(VencError::NotSupport)
    }

    /// How many times each fault kind struck, by name ([`crate::Faults::injected`]).
    fn faults_injected(&self) -> [(&'static str, u64); 7] {
        crate::FaultKind::ALL.map(|k| (k.name(), 0))
    }

    /// `kd_mpi_venc_create_chn`.
    #[doc(alias = "kd_mpi_venc_create_chn")]
    fn create_chn(&self, chn: Chn, attr: &ChnAttr) -> Result<(), VencError>;
    /// `kd_mpi_venc_destroy_chn`.
    #[doc(alias = "kd_mpi_venc_destroy_chn")]
    fn destroy_chn(&self, chn: Chn) -> Result<(), VencError>;
    /// `kd_mpi_venc_start_chn`.
    #[doc(alias = "kd_mpi_venc_start_chn")]
    fn start_chn(&self, chn: Chn) -> Result<(), VencError>;
    /// `kd_mpi_venc_stop_chn`.
    #[doc(alias = "kd_mpi_venc_stop_chn")]
    fn stop_chn(&self, chn: Chn) -> Result<(), VencError>;
    /// `kd_mpi_venc_enable_idr`: header before every IDR, IDR every GOP.
    #[doc(alias = "kd_mpi_venc_enable_idr")]
    fn enable_idr(&self, chn: Chn, enable: bool) -> Result<(), VencError>;
    /// `kd_mpi_venc_request_idr`: the next frame is an IDR.
    #[doc(alias = "kd_mpi_venc_request_idr")]
    fn request_idr(&self, chn: Chn) -> Result<(), VencError>;
    /// `kd_mpi_venc_query_status`.
    #[doc(alias = "kd_mpi_venc_query_status")]
    fn query_status(&self, chn: Chn) -> Result<ChnStatus, VencError>;
    /// The pts of the last input picture the encoder released (encoded or dropped), where the
    /// backend can see it: what a harness waits on before it reuses a frame buffer. Not a
    /// K230 call and not board time: the board's kernel fills only `cur_packs` of
    /// `k_venc_chn_status` (k230-mpp-c-api.md §3, D-056), so on a board `None`, and a
    /// harness knows a frame is free by what a program sees (its picture came out, the ring
    /// settled).
    ///
    /// # For implementations
    /// Answer `Some` only from what the encoder itself did (the simulator's channel, the C
    /// library's simulator-only `venc_sim_release_pic_pts`), never from `query_status`'s
    /// field, which a faithful backend leaves 0; a wrapper forwards it untraced.
    fn released_pts(&self, _chn: Chn) -> Result<Option<u64>, VencError> {
        Ok(None)
    }
    /// `kd_mpi_venc_send_frame`.
    #[doc(alias = "kd_mpi_venc_send_frame")]
    fn send_frame(
        &self,
        chn: Chn,
        frame: &VideoFrameInfo,
        timeout_ms: i32,
    ) -> Result<(), VencError>;
    /// `kd_mpi_venc_get_stream`: up to `max_packs` packs appended to `out` (cleared first).
    #[doc(alias = "kd_mpi_venc_get_stream")]
    fn get_stream(
        &self,
        chn: Chn,
        max_packs: u32,
        timeout_ms: i32,
        out: &mut Vec<Pack>,
    ) -> Result<(), VencError>;
    /// Which incarnation of channel `chn` exists now: a count every create and destroy moves
    /// on, so a caller can tell the channel it began waiting on from one made since.
    ///
    /// For implementations: a backend that cannot tell incarnations apart answers 0 (the
    /// default), and [`Mpi::get_stream_since`] is then its `get_stream`.
    fn channel_incarnation(&self, chn: Chn) -> Result<u64, VencError> {
        let _ = chn;
        Ok(0)
    }
    /// `kd_mpi_venc_get_stream` for a waiter that began on incarnation `since` of the channel
    /// (a C program's `get_stream(-1)`, waited in slices): up to `max_packs` packs of that
    /// incarnation only.
    ///
    /// For implementations: once the channel is destroyed (and made again) the call waits out
    /// its timeout and answers NOTREADY; it never hands over a later incarnation's packs (D-063).
    /// The default, for backends without incarnations, is `get_stream`.
    #[doc(alias = "kd_mpi_venc_get_stream")]
    fn get_stream_since(
        &self,
        chn: Chn,
        since: u64,
        max_packs: u32,
        timeout_ms: i32,
        out: &mut Vec<Pack>,
    ) -> Result<(), VencError> {
        let _ = since;
        self.get_stream(chn, max_packs, timeout_ms, out)
    }
    /// `kd_mpi_venc_release_stream`: releases `pack_cnt` packs, oldest first.
    #[doc(alias = "kd_mpi_venc_release_stream")]
    fn release_stream(&self, chn: Chn, pack_cnt: u32) -> Result<(), VencError>;
    /// `kd_mpi_venc_attach_vb_pool`: the pool the channel's output packs live in.
    #[doc(alias = "kd_mpi_venc_attach_vb_pool")]
    fn attach_vb_pool(&self, chn: Chn, pool: PoolId) -> Result<(), VencError>;
    /// `kd_mpi_venc_detach_vb_pool`.
    #[doc(alias = "kd_mpi_venc_detach_vb_pool")]
    fn detach_vb_pool(&self, chn: Chn) -> Result<(), VencError>;
    /// `kd_mpi_venc_request_chn` (CanMV MPP only, not the SDK): the driver hands out a free
    /// channel, which the caller then creates, and gives back with `release_chn`.
    ///
    /// # For implementations
    /// Hand out the lowest channel that is neither requested nor created, or fail when none is
    /// (the simulator: NOBUF, D-036); a backend whose firmware has no such call answers
    /// [`VencError::NotSupport`] (the default).
    #[doc(alias = "kd_mpi_venc_request_chn")]
    fn request_chn(&self) -> Result<Chn, VencError> {
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_release_chn`: gives a requested channel back, once it is destroyed.
    #[doc(alias = "kd_mpi_venc_release_chn")]
    fn release_chn(&self, chn: Chn) -> Result<(), VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }

    /// `kd_mpi_venc_attach_vb_pool_ex` (CanMV MPP): the channel's packs go to at most
    /// `buff_num` of the pool's blocks (D-055).
    #[doc(alias = "kd_mpi_venc_attach_vb_pool_ex")]
    fn attach_vb_pool_ex(&self, chn: Chn, pool: PoolId, buff_num: i32) -> Result<(), VencError> {
        let _ = (chn, pool, buff_num);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_set_intbuf_size` (SDK v1.8): sizes memory inside the VPU's firmware.
    #[doc(alias = "kd_mpi_venc_set_intbuf_size")]
    fn set_intbuf_size(&self, chn: Chn, size: u32) -> Result<(), VencError> {
        let _ = (chn, size);
        Err(VencError::NotSupport)
    }

    // The calls below change what the VPU does with every frame (rotation, mirror, the 2D
    // engine, the coding tools). For implementations: the same order of checks as the board's
    // wrapper and kernel (k230-mpp-c-api.md §4): the channel range first, then the wrapper's
    // value checks, then the kernel's state rules; a value a backend cannot act out is
    // NOT_SUPPORT, never accepted without its effect. Values are raw: a backend rejects what
    // the board rejects. The default is NOT_SUPPORT.

    /// `kd_mpi_venc_set_rotation`: `K_VPU_ROTATION_0..270` (0..=3).
    #[doc(alias = "kd_mpi_venc_set_rotation")]
    fn set_rotation(&self, chn: Chn, rotation: u32) -> Result<(), VencError> {
        let _ = (chn, rotation);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_rotation`.
    #[doc(alias = "kd_mpi_venc_get_rotation")]
    fn get_rotation(&self, chn: Chn) -> Result<u32, VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_set_mirror`: `K_VENC_MIRROR_HORI` (1) or `VERT` (2).
    #[doc(alias = "kd_mpi_venc_set_mirror")]
    fn set_mirror(&self, chn: Chn, mirror: u32) -> Result<(), VencError> {
        let _ = (chn, mirror);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_mirror`: 0 until set.
    #[doc(alias = "kd_mpi_venc_get_mirror")]
    fn get_mirror(&self, chn: Chn) -> Result<u32, VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_set_dblk`: `k_bool` (0 or 1), between create and start.
    #[doc(alias = "kd_mpi_venc_set_dblk")]
    fn set_dblk(&self, chn: Chn, enable: u32) -> Result<(), VencError> {
        let _ = (chn, enable);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_dblk`.
    #[doc(alias = "kd_mpi_venc_get_dblk")]
    fn get_dblk(&self, chn: Chn) -> Result<u32, VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_set_h265_sao`, between create and start.
    #[doc(alias = "kd_mpi_venc_set_h265_sao")]
    fn set_h265_sao(&self, chn: Chn, sao: &H265Sao) -> Result<(), VencError> {
        let _ = (chn, sao);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_h265_sao`: zeros for a channel that is not H.265.
    #[doc(alias = "kd_mpi_venc_get_h265_sao")]
    fn get_h265_sao(&self, chn: Chn) -> Result<H265Sao, VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_set_h264_entropy`.
    #[doc(alias = "kd_mpi_venc_set_h264_entropy")]
    fn set_h264_entropy(&self, chn: Chn, entropy: &H264Entropy) -> Result<(), VencError> {
        let _ = (chn, entropy);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_h264_entropy`: zeros until set.
    #[doc(alias = "kd_mpi_venc_get_h264_entropy")]
    fn get_h264_entropy(&self, chn: Chn) -> Result<H264Entropy, VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_set_h265_entropy`: `cabac_init_flag` (0 or 1).
    #[doc(alias = "kd_mpi_venc_set_h265_entropy")]
    fn set_h265_entropy(&self, chn: Chn, cabac_init_flag: u8) -> Result<(), VencError> {
        let _ = (chn, cabac_init_flag);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_h265_entropy`: 0 until set.
    #[doc(alias = "kd_mpi_venc_get_h265_entropy")]
    fn get_h265_entropy(&self, chn: Chn) -> Result<u8, VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }

    /// `kd_mpi_venc_attach_2d`: the channel's frames go through its 2D engine. The wrapper
    /// answers 0 and prints a kernel refusal, so `Ok` is what a program sees either way.
    #[doc(alias = "kd_mpi_venc_attach_2d")]
    fn attach_2d(&self, chn: Chn) -> Result<(), VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_detach_2d`: refused (printed, answered 0) while the encoder runs.
    #[doc(alias = "kd_mpi_venc_detach_2d")]
    fn detach_2d(&self, chn: Chn) -> Result<(), VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_set_2d_mode`: `k_venc_2d_calc_mode` (CSC 0, OSD 1, BORDER 2, OSD_BORDER 3).
    #[doc(alias = "kd_mpi_venc_set_2d_mode")]
    fn set_2d_mode(&self, chn: Chn, mode: u32) -> Result<(), VencError> {
        let _ = (chn, mode);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_2d_mode`.
    #[doc(alias = "kd_mpi_venc_get_2d_mode")]
    fn get_2d_mode(&self, chn: Chn) -> Result<u32, VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_set_2d_osd_param`: region `index` (0..=7).
    #[doc(alias = "kd_mpi_venc_set_2d_osd_param")]
    fn set_2d_osd(&self, chn: Chn, index: u8, region: &OsdRegion) -> Result<(), VencError> {
        let _ = (chn, index, region);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_2d_osd_param`: zeros until set.
    #[doc(alias = "kd_mpi_venc_get_2d_osd_param")]
    fn get_2d_osd(&self, chn: Chn, index: u8) -> Result<OsdRegion, VencError> {
        let _ = (chn, index);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_set_2d_border_param`: border `index` (0..=31).
    #[doc(alias = "kd_mpi_venc_set_2d_border_param")]
    fn set_2d_border(&self, chn: Chn, index: u8, border: &Border) -> Result<(), VencError> {
        let _ = (chn, index, border);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_2d_border_param`: zeros until set.
    #[doc(alias = "kd_mpi_venc_get_2d_border_param")]
    fn get_2d_border(&self, chn: Chn, index: u8) -> Result<Border, VencError> {
        let _ = (chn, index);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_set_2d_custom_coef`: the OSD's RGB→YUV matrix.
    #[doc(alias = "kd_mpi_venc_set_2d_custom_coef")]
    fn set_2d_custom_coef(&self, chn: Chn, coef: &[i16; COEF_NUM]) -> Result<(), VencError> {
        let _ = (chn, coef);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_2d_custom_coef`.
    #[doc(alias = "kd_mpi_venc_get_2d_custom_coef")]
    fn get_2d_custom_coef(&self, chn: Chn) -> Result<[i16; COEF_NUM], VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_set_2d_color_gamut`: BT.601 0, BT.709 1, BT.2020 2.
    #[doc(alias = "kd_mpi_venc_set_2d_color_gamut")]
    fn set_2d_color_gamut(&self, chn: Chn, gamut: u32) -> Result<(), VencError> {
        let _ = (chn, gamut);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_2d_color_gamut`.
    #[doc(alias = "kd_mpi_venc_get_2d_color_gamut")]
    fn get_2d_color_gamut(&self, chn: Chn) -> Result<u32, VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_set_2d_csc_param`: `k_venc_2d_src_dst_fmt` of the colour conversion.
    #[doc(alias = "kd_mpi_venc_set_2d_csc_param")]
    fn set_2d_csc(&self, chn: Chn, dst_fmt: u32) -> Result<(), VencError> {
        let _ = (chn, dst_fmt);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_2d_csc_param`.
    #[doc(alias = "kd_mpi_venc_get_2d_csc_param")]
    fn get_2d_csc(&self, chn: Chn) -> Result<u32, VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_start_2d_chn`: the standalone 2D path (2D without the encoder).
    #[doc(alias = "kd_mpi_venc_start_2d_chn")]
    fn start_2d_chn(&self, chn: Chn) -> Result<(), VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_stop_2d_chn`.
    #[doc(alias = "kd_mpi_venc_stop_2d_chn")]
    fn stop_2d_chn(&self, chn: Chn) -> Result<(), VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_send_2d_frame`.
    #[doc(alias = "kd_mpi_venc_send_2d_frame")]
    fn send_2d_frame(&self, chn: Chn, frame: &VideoFrameInfo) -> Result<(), VencError> {
        let _ = (chn, frame);
        Err(VencError::NotSupport)
    }
    /// `kd_mpi_venc_get_2d_frame`.
    #[doc(alias = "kd_mpi_venc_get_2d_frame")]
    fn get_2d_frame(&self, chn: Chn) -> Result<VideoFrameInfo, VencError> {
        let _ = chn;
        Err(VencError::NotSupport)
    }

    /// `kd_mpi_vb_create_pool`: `blk_cnt` blocks of `blk_size` bytes, 4 KiB aligned.
    #[doc(alias = "kd_mpi_vb_create_pool")]
    fn create_pool(&self, blk_size: u64, blk_cnt: u32) -> Result<PoolId, MemError>;
    /// `kd_mpi_vb_destory_pool` (sic).
    #[doc(alias = "kd_mpi_vb_destory_pool")]
    fn destroy_pool(&self, pool: PoolId) -> Result<(), MemError>;
    /// `kd_mpi_vb_get_block`: a free block's physical address.
    #[doc(alias = "kd_mpi_vb_get_block")]
    fn get_block(&self, pool: PoolId) -> Result<u64, MemError>;
    /// `kd_mpi_vb_release_block`.
    #[doc(alias = "kd_mpi_vb_release_block")]
    fn release_block(&self, phys_addr: u64) -> Result<(), MemError>;
    /// Reads bytes by physical address (`uctypes.bytearray_at` over `kd_mpi_sys_mmap`).
    #[doc(alias = "bytearray_at")]
    #[doc(alias = "kd_mpi_sys_mmap")]
    fn read_mem(&self, phys_addr: u64, buf: &mut [u8]) -> Result<(), MemError>;
    /// Writes bytes by physical address.
    fn write_mem(&self, phys_addr: u64, data: &[u8]) -> Result<(), MemError>;
}

/// Runs a blocking MPI call as a series of shorter ones: `attempt(slice_ms)` until it answers
/// something other than `retry_on`, the caller's `timeout_ms` runs out (`-1` = never, `0` = one
/// attempt with 0), or `between` (run after each retried slice) fails.
///
/// The Python front uses it to check for Ctrl-C; the board client to keep every request short
/// and its connection free for other threads. Waiting in slices of a queue wait is the same wait.
pub fn in_slices<T, E>(
    timeout_ms: i32,
    slice_ms: i32,
    retry_on: VencError,
    attempt: impl FnMut(i32) -> Result<T, VencError>,
    between: impl FnMut() -> Result<(), E>,
) -> Result<Result<T, VencError>, E> {
    let origin = std::time::Instant::now();
    in_slices_on(
        || origin.elapsed(),
        timeout_ms,
        slice_ms,
        retry_on,
        attempt,
        between,
    )
}

/// [`in_slices`] on another clock than the host's: `now` gives the time the timeout runs in
/// (a simulated board's clock, which may wait while the host is behind).
pub fn in_slices_on<T, E>(
    now: impl Fn() -> std::time::Duration,
    timeout_ms: i32,
    slice_ms: i32,
    retry_on: VencError,
    mut attempt: impl FnMut(i32) -> Result<T, VencError>,
    mut between: impl FnMut() -> Result<(), E>,
) -> Result<Result<T, VencError>, E> {
    use std::time::Duration;
    let deadline = (timeout_ms > 0)
        .then(|| now() + Duration::from_millis(u64::from(timeout_ms.unsigned_abs())));
    loop {
        let slice = match (timeout_ms, deadline) {
            (0, _) => 0,
            (_, None) => slice_ms,
            (_, Some(d)) => {
                let left = d.saturating_sub(now()).as_millis();
                i32::try_from(left)
                    .unwrap_or(i32::MAX)
                    .clamp(1, slice_ms.max(1))
            }
        };
        let answer = attempt(slice);
        let more_time = match deadline {
            None => timeout_ms < 0,
            Some(d) => now() < d,
        };
        match answer {
            Err(e) if e == retry_on && more_time => between()?,
            other => return Ok(other),
        }
    }
}

#[cfg(test)]
mod conversion_tests {
    use super::*;
    use crate::consts;

    #[test]
    fn negative_channels_never_wrap_onto_a_real_one() {
        assert_eq!(chn_from_int(3), 3);
        assert_eq!(chn_from_int(-1), u32::MAX);
        let before = wrapping_channel_count();
        assert_eq!(chn_from_int(-(1 << 32) + 2), u32::MAX, "not channel 2");
        assert!(wrapping_channel_count() > before, "the unknown is counted");
        assert_eq!(chn_from_int(i64::MIN), u32::MAX);
        assert_eq!(chn_from_int(1 << 32), u32::MAX);
    }

    #[test]
    fn pack_types_round_trip_and_unknown_values_are_errors() {
        for t in [PackType::P, PackType::I, PackType::Header] {
            assert_eq!(PackType::from_code(t.code()), Ok(t));
        }
        for bad in [0, 4, 7, u32::MAX] {
            assert_eq!(PackType::from_code(bad), Err(UnknownPackType(bad)));
        }
        assert!(UnknownPackType(4).to_string().contains("pack type 4"));
    }

    #[test]
    fn rate_control_round_trips_through_words_and_unknown_modes_are_errors() {
        let all = [
            RcAttr::Cbr {
                gop: 30,
                stats_time: 0,
                src_frame_rate: 30,
                dst_frame_rate: 25,
                bit_rate: 4000,
            },
            RcAttr::Vbr {
                gop: 60,
                stats_time: 2,
                src_frame_rate: 30,
                dst_frame_rate: 30,
                max_bit_rate: 6000,
                bit_rate: 3000,
            },
            RcAttr::FixQp {
                gop: 10,
                src_frame_rate: 30,
                dst_frame_rate: 15,
                i_qp: 28,
                p_qp: 31,
            },
            RcAttr::MjpegFixQp {
                src_frame_rate: 30,
                dst_frame_rate: 30,
                q_factor: 75,
            },
        ];
        for rc in all {
            let (mode, words) = rc.to_words();
            assert_eq!(RcAttr::from_words(mode, words), Ok(rc));
        }
        let (mode, words) = all[1].to_words();
        assert_eq!(mode, consts::K_VENC_RC_MODE_VBR);
        assert_eq!(words[4..], [3000, 6000], "bit_rate then max_bit_rate");
        assert_eq!(RcAttr::from_words(0, words), Err(UnknownRcMode(0)));
        assert_eq!(RcAttr::from_words(5, words), Err(UnknownRcMode(5)));
    }
}

#[cfg(test)]
mod slice_tests {
    use super::*;

    #[test]
    fn slices_retry_until_the_answer_changes_or_time_runs_out() {
        let mut calls = Vec::new();
        let r: Result<Result<u32, VencError>, ()> = in_slices(
            -1,
            20,
            VencError::NotReady,
            |s| {
                calls.push(s);
                if calls.len() < 3 {
                    Err(VencError::NotReady)
                } else {
                    Ok(7)
                }
            },
            || Ok(()),
        );
        assert_eq!(r, Ok(Ok(7)));
        assert_eq!(calls, vec![20, 20, 20]);
        let once: Result<Result<(), VencError>, ()> = in_slices(
            0,
            20,
            VencError::Busy,
            |s| {
                assert_eq!(s, 0);
                Err(VencError::Busy)
            },
            || Ok(()),
        );
        assert_eq!(once, Ok(Err(VencError::Busy)));
        let t0 = std::time::Instant::now();
        let timed: Result<Result<(), VencError>, ()> = in_slices(
            60,
            20,
            VencError::Busy,
            |s| {
                // A 0 slice would turn a wait into a drop (full queue, timeout 0).
                assert!(s > 0, "slice {s}");
                std::thread::sleep(std::time::Duration::from_millis(s.unsigned_abs().into()));
                Err(VencError::Busy)
            },
            || Ok(()),
        );
        assert_eq!(timed, Ok(Err(VencError::Busy)));
        assert!(t0.elapsed() >= std::time::Duration::from_millis(60));
        let stopped: Result<Result<(), VencError>, &str> = in_slices(
            -1,
            5,
            VencError::Busy,
            |_| Err(VencError::Busy),
            || Err("interrupted"),
        );
        assert_eq!(stopped, Err("interrupted"));
    }
}
