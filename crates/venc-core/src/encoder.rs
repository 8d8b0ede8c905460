//! The CanMV `media.vencoder` facade, written once over [`Mpi`].
//!
//! Mirrors `port/builtin_py/media/vencoder.py` of the firmware the manual describes (CANMV-NEW,
//! facts §1.2): same order of MPI calls, same checks, same messages, and the same faithful bugs
//! (no lower bound on `chn`, unchecked pool creation, one private pool per `Encoder` object,
//! IndexError past 12 packs). Where firmware generations differ, [`Firmware`]'s traits choose.

use crate::consts::{self, VENC_PACK_CNT_MAX};
use crate::error::VencError;
use crate::firmware::{Firmware, GetStreamStyle, OutBufPools, SendFrameStyle};
use crate::layout;
use crate::mpi::{ChnAttr, Mpi, Pack, PoolId, RcAttr, VideoFrameInfo};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// What a CanMV program sees go wrong: the Python exception type and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanMvError {
    /// `ValueError('venc <Name>, chn id: ', chn, ' out of range 0 ~ 3')`.
    ValueError {
        /// The name the firmware message uses (`create` for SetOutBufs, as copy-pasted there).
        method: &'static str,
        /// The channel passed.
        chn: i64,
    },
    /// `OSError("mpi venc … failed.")`, with the MPI code behind it.
    OsError {
        /// The firmware's message.
        message: &'static str,
        /// The MPI code that caused it.
        code: VencError,
    },
    /// `IndexError`: more packs were queued than `StreamData` has slots (facts §1.2).
    IndexError {
        /// Packs the kernel handed out (and that stay unreleased unless released by count).
        delivered: u32,
    },
    /// A read through `uctypes.bytearray_at` of memory that is not mapped (a crash on the board).
    BadAddress {
        /// The address read.
        addr: u64,
        /// Bytes asked for.
        len: u64,
    },
    /// `AssertionError`: a call-order rule the Python layer asserts (v0.7–v1.x firmware).
    AssertionError {
        /// What was asserted.
        message: &'static str,
    },
    /// `AttributeError`: the method does not exist in this generation (`SendFrame` before v1.0).
    NoSuchMethod {
        /// The method called.
        method: &'static str,
    },
    /// `ValueError("venc <Method>, chn not requested yet")`: the no-chn generation before
    /// `Create` or after `Destroy`.
    NotRequested {
        /// The method called.
        method: &'static str,
    },
}

impl fmt::Display for CanMvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ValueError { method, chn } => write!(
                f,
                "ValueError: ('venc {method}, chn id: ', {chn}, ' out of range 0 ~ 3')"
            ),
            Self::OsError { message, code } => write!(f, "OSError: {message} [{code}]"),
            Self::IndexError { delivered } => write!(
                f,
                "IndexError: list index out of range ({delivered} packs delivered, StreamData holds {VENC_PACK_CNT_MAX})"
            ),
            Self::BadAddress { addr, len } => write!(
                f,
                "bytearray_at(0x{addr:x}, {len}): address not mapped (a memory fault on the board)"
            ),
            Self::AssertionError { message } => write!(f, "AssertionError: {message}"),
            Self::NoSuchMethod { method } => {
                write!(
                    f,
                    "AttributeError: 'Encoder' object has no attribute '{method}'"
                )
            }
            Self::NotRequested { method } => {
                write!(f, "ValueError: venc {method}, chn not requested yet")
            }
        }
    }
}

impl std::error::Error for CanMvError {}

/// `ChnAttrStr`: channel attributes as CanMV programs build them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ChnAttrStr {
    /// `payload_type` (`PAYLOAD_TYPE_H264` = 96, `PAYLOAD_TYPE_H265` = 265).
    pub payload_type: u32,
    /// `profile` (`H264_PROFILE_*`, `H265_PROFILE_MAIN`).
    pub profile: u32,
    /// `pic_width`.
    pub pic_width: u32,
    /// `pic_height`.
    pub pic_height: u32,
    /// `gop_len`, default 30.
    pub gop_len: u32,
    /// `bit_rate` in kbps, default 4000.
    pub bit_rate: u32,
    /// `src_frame_rate`, default 30.
    pub src_frame_rate: u32,
    /// `dst_frame_rate`, default 30.
    pub dst_frame_rate: u32,
    /// `mjpeg_quality_factor`, default 45.
    pub mjpeg_quality_factor: u32,
}

impl ChnAttrStr {
    /// `ChnAttrStr(payloadType, profile, picWidth, picHeight)` with the CanMV defaults.
    pub const fn new(payload_type: u32, profile: u32, pic_width: u32, pic_height: u32) -> Self {
        use consts::defaults as d;
        Self {
            payload_type,
            profile,
            pic_width,
            pic_height,
            gop_len: d::GOP_LEN,
            bit_rate: d::BIT_RATE_KBPS,
            src_frame_rate: d::SRC_FRAME_RATE,
            dst_frame_rate: d::DST_FRAME_RATE,
            mjpeg_quality_factor: d::MJPEG_QUALITY_FACTOR,
        }
    }

    /// The MPI attributes `Create` builds from these (CBR; MJPEG fixed-QP at 30/30 for JPEG).
    pub fn to_mpi(&self) -> ChnAttr {
        let rc = if self.payload_type == consts::K_PT_JPEG {
            RcAttr::MjpegFixQp {
                src_frame_rate: 30,
                dst_frame_rate: 30,
                q_factor: self.mjpeg_quality_factor,
            }
        } else {
            RcAttr::Cbr {
                gop: self.gop_len,
                stats_time: 0,
                src_frame_rate: self.src_frame_rate,
                dst_frame_rate: self.dst_frame_rate,
                bit_rate: self.bit_rate,
            }
        };
        ChnAttr {
            payload: self.payload_type,
            width: self.pic_width,
            height: self.pic_height,
            profile: self.profile,
            rc,
        }
    }
}

/// `StreamData`: 12 pack slots filled by `GetStream`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StreamData {
    /// `data[i]`: the mapped (virtual) address of pack i, for `uctypes.bytearray_at`.
    pub data: [u64; VENC_PACK_CNT_MAX],
    /// `data_size[i]`.
    pub data_size: [u32; VENC_PACK_CNT_MAX],
    /// `stream_type[i]`: `STREAM_TYPE_P/I/HEADER` = 1/2/3.
    pub stream_type: [u32; VENC_PACK_CNT_MAX],
    /// `pts[i]`.
    pub pts: [u64; VENC_PACK_CNT_MAX],
    /// `phy_addr[i]`: the physical address (not readable with `bytearray_at`).
    pub phy_addr: [u64; VENC_PACK_CNT_MAX],
    /// `pack_cnt`: packs this `GetStream` asked for (and, on success, got).
    pub pack_cnt: u32,
}

impl StreamData {
    /// An empty `StreamData()`.
    pub fn new() -> Self {
        Self::default()
    }
}

/// A blocking MPI call `SendFrame` or `GetStream` is about to make: channel, count (packs asked
/// for; 1 for a frame) and the timeout the firmware passes down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockingCall {
    /// The channel, checked.
    pub chn: u32,
    /// Packs to ask for (`GetStream`), or 1.
    pub count: u32,
    /// Milliseconds; -1 waits for ever, 0 does not wait.
    pub timeout_ms: i32,
}

/// Where `kd_mpi_sys_mmap` places pack mappings in the simulated user address space. Virtual and
/// physical addresses differ on the board, so a program reading `phy_addr[i]` fails here as there.
pub const MMAP_BASE: u64 = 0x3f_0000_0000;

/// The CanMV `Encoder` class over any [`Mpi`] backend.
///
/// Methods return what the Python method returns (`Ok(0)`, the raw `SendFrame` status, `Ok(-1)`
/// from a failed `GetStream`) and `Err` where Python raises.
pub struct Encoder {
    mpi: Arc<dyn Mpi>,
    firmware: Firmware,
    /// One per `Encoder` object, as in the firmware: a second `SetOutBufs` on another channel
    /// overwrites it (faithful bug).
    private_poolid: PoolId,
    /// Live `kd_mpi_sys_mmap` mappings: virtual address → (physical address, length).
    mappings: BTreeMap<u64, (u64, u64)>,
    next_virt: u64,
    packs: Vec<Pack>,
    last_mpi_error: Option<VencError>,
    /// `encoder.chn` of the no-chn generation: the channel `Create` requested, -1 without one.
    requested: i64,
}

impl fmt::Debug for Encoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Encoder")
            .field("backend", &self.mpi.backend_name())
            .field("firmware", &self.firmware)
            .field("private_poolid", &self.private_poolid)
            .finish_non_exhaustive()
    }
}

/// `PAYLOAD_TYPE_H264`, as the `Encoder` class exports it.
pub const PAYLOAD_TYPE_H264: u32 = consts::K_PT_H264;
/// `PAYLOAD_TYPE_H265`.
pub const PAYLOAD_TYPE_H265: u32 = consts::K_PT_H265;
/// `PAYLOAD_TYPE_JPEG`.
pub const PAYLOAD_TYPE_JPEG: u32 = consts::K_PT_JPEG;
/// `H264_PROFILE_BASELINE`.
pub const H264_PROFILE_BASELINE: u32 = consts::VENC_PROFILE_H264_BASELINE;
/// `H264_PROFILE_MAIN`.
pub const H264_PROFILE_MAIN: u32 = consts::VENC_PROFILE_H264_MAIN;
/// `H264_PROFILE_HIGH`.
pub const H264_PROFILE_HIGH: u32 = consts::VENC_PROFILE_H264_HIGH;
/// `H265_PROFILE_MAIN`.
pub const H265_PROFILE_MAIN: u32 = consts::VENC_PROFILE_H265_MAIN;
/// `STREAM_TYPE_HEADER`.
pub const STREAM_TYPE_HEADER: u32 = consts::K_VENC_HEADER;
/// `STREAM_TYPE_I`.
pub const STREAM_TYPE_I: u32 = consts::K_VENC_I_FRAME;
/// `STREAM_TYPE_P`.
pub const STREAM_TYPE_P: u32 = consts::K_VENC_P_FRAME;

impl Encoder {
    /// `Encoder()` on a backend, with the default generation.
    pub fn new(mpi: Arc<dyn Mpi>) -> Self {
        Self::with_firmware(mpi, Firmware::default())
    }

    /// `Encoder()` behaving like a given firmware.
    pub fn with_firmware(mpi: Arc<dyn Mpi>, firmware: Firmware) -> Self {
        Self {
            mpi,
            firmware,
            private_poolid: consts::VB_INVALID_POOLID,
            mappings: BTreeMap::new(),
            next_virt: MMAP_BASE,
            packs: Vec::with_capacity(32),
            last_mpi_error: None,
            requested: -1,
        }
    }

    /// The backend under this facade.
    pub fn mpi(&self) -> &Arc<dyn Mpi> {
        &self.mpi
    }

    /// The firmware generation in use.
    pub fn firmware(&self) -> Firmware {
        self.firmware
    }

    /// The pool `SetOutBufs` made (`VB_INVALID_POOLID` before), which `Create` attaches.
    pub fn private_pool(&self) -> PoolId {
        self.private_poolid
    }

    /// The MPI code behind the last `-1` or non-zero status (Python only sees `-1`).
    pub fn last_mpi_error(&self) -> Option<VencError> {
        self.last_mpi_error
    }

    fn check_chn(method: &'static str, chn: i64) -> Result<u32, CanMvError> {
        // The firmware has no lower bound: a negative int reaches C as a huge k_u32.
        if chn > i64::from(consts::VENC_MAX_CHN_NUMS) - 1 {
            return Err(CanMvError::ValueError { method, chn });
        }
        Ok(crate::mpi::chn_from_int(chn))
    }

    fn os(message: &'static str) -> impl FnOnce(VencError) -> CanMvError {
        move |code| CanMvError::OsError { message, code }
    }

    /// `Encoder.SetOutBufs(chn, buf_num, width, height)`: a private pool of `buf_num` blocks of
    /// `ALIGN_UP(w*h*3/4, 4K)` bytes. Does nothing unless all three are non-zero; pool creation
    /// failure is not checked (firmware behaviour).
    #[doc(alias = "SetOutBufs")]
    pub fn set_out_bufs(
        &mut self,
        chn: i64,
        buf_num: u32,
        width: u32,
        height: u32,
    ) -> Result<(), CanMvError> {
        Self::check_chn("create", chn)?;
        // v0.7–v1.x add the pool to MediaManager's config, which asserts it is not inited yet;
        // the newest firmware's pools are private, so the order no longer matters (facts §3.2).
        self.make_private_pool(buf_num, width, height)
    }

    fn make_private_pool(
        &mut self,
        buf_num: u32,
        width: u32,
        height: u32,
    ) -> Result<(), CanMvError> {
        if self.firmware.traits().out_bufs == OutBufPools::MediaConfig && self.mpi.media_inited() {
            return Err(CanMvError::AssertionError {
                message: "SetOutBufs after MediaManager.init(): buffers must be configured first",
            });
        }
        if buf_num != 0 && width != 0 && height != 0 {
            let size = layout::stream_block_size(width, height);
            self.private_poolid = self
                .mpi
                .create_pool(size, buf_num)
                .unwrap_or(consts::VB_INVALID_POOLID);
        }
        Ok(())
    }

    /// `Encoder.Create(chn, chnAttr)`: attach the private pool (unchecked), create the channel,
    /// then `enable_idr` for H.264/H.265 (header before every IDR).
    #[doc(alias = "Create")]
    pub fn create(&mut self, chn: i64, attr: &ChnAttrStr) -> Result<i32, CanMvError> {
        let c = Self::check_chn(self.firmware.traits().create_name, chn)?;
        let _ = self.mpi.attach_vb_pool(c, self.private_poolid);
        self.mpi
            .create_chn(c, &attr.to_mpi())
            .map_err(Self::os("mpi venc create chn failed."))?;
        let is_video = matches!(attr.payload_type, consts::K_PT_H264 | consts::K_PT_H265);
        if is_video && self.firmware.traits().enable_idr {
            self.mpi
                .enable_idr(c, true)
                .map_err(Self::os("mpi venc enable idr failed."))?;
        }
        Ok(0)
    }

    /// `Encoder.Start(chn)`.
    #[doc(alias = "Start")]
    pub fn start(&mut self, chn: i64) -> Result<i32, CanMvError> {
        let c = Self::check_chn("Start", chn)?;
        self.mpi
            .start_chn(c)
            .map_err(Self::os("mpi venc start failed."))?;
        Ok(0)
    }

    /// `Encoder.SendFrame(chn, frame, timeout=1000)`: the raw MPI status as CanMV returns it
    /// (0, or a negative int such as -1609990126 for BUSY). v1.0 raises instead.
    #[doc(alias = "SendFrame")]
    pub fn send_frame(
        &mut self,
        chn: i64,
        frame: &VideoFrameInfo,
        timeout_ms: i32,
    ) -> Result<i64, CanMvError> {
        let call = self.begin_send_frame(chn, timeout_ms)?;
        let sent = self.mpi.send_frame(call.chn, frame, call.timeout_ms);
        self.finish_send_frame(sent)
    }

    /// The checks `SendFrame` makes before it blocks: the channel and the timeout the firmware
    /// passes down. A host that must stay interruptible while blocked (the Python front) calls
    /// the MPI itself between [`Encoder::begin_send_frame`] and [`Encoder::finish_send_frame`].
    pub fn begin_send_frame(&self, chn: i64, timeout_ms: i32) -> Result<BlockingCall, CanMvError> {
        let chn = Self::check_chn("SendFrame", chn)?;
        let traits = self.firmware.traits();
        if traits.send_frame == SendFrameStyle::Absent {
            return Err(CanMvError::NoSuchMethod {
                method: "SendFrame",
            });
        }
        let timeout_ms = if traits.send_frame_timeout {
            timeout_ms
        } else {
            consts::defaults::SEND_FRAME_TIMEOUT_MS
        };
        Ok(BlockingCall {
            chn,
            count: 1,
            timeout_ms,
        })
    }

    /// What `SendFrame` makes of the MPI's answer.
    pub fn finish_send_frame(&mut self, sent: Result<(), VencError>) -> Result<i64, CanMvError> {
        match sent {
            Ok(()) => Ok(0),
            Err(e) => {
                self.last_mpi_error = Some(e);
                match self.firmware.traits().send_frame {
                    SendFrameStyle::ReturnsStatus => Ok(e.as_canmv_int()),
                    _ => Err(Self::os("mpi venc send frame failed.")(e)),
                }
            }
        }
    }

    /// `Encoder.GetStream(chn, streamData, timeout=-1)`: 0 on success, -1 on failure (v1.0 raises).
    /// `pack_cnt` = packs queued (at least 1). With more than 12 queued, the firmware's loop
    /// raises IndexError after the packs were handed out; so does this.
    #[doc(alias = "GetStream")]
    pub fn get_stream(
        &mut self,
        chn: i64,
        stream: &mut StreamData,
        timeout_ms: i32,
    ) -> Result<i32, CanMvError> {
        let call = self.begin_get_stream(chn, timeout_ms)?;
        stream.pack_cnt = call.count;
        let mut packs = std::mem::take(&mut self.packs);
        let got = self
            .mpi
            .get_stream(call.chn, call.count, call.timeout_ms, &mut packs);
        let result = self.finish_get_stream(got, &packs, stream);
        self.packs = packs;
        result
    }

    /// The part of `GetStream` before it blocks: the channel check and `query_status`, which
    /// fix how many packs to ask for (`count`, which the firmware stores in `pack_cnt` at once)
    /// and the timeout. See [`Encoder::begin_send_frame`] for why it is split.
    pub fn begin_get_stream(&self, chn: i64, timeout_ms: i32) -> Result<BlockingCall, CanMvError> {
        let chn = Self::check_chn("GetStream", chn)?;
        let status = self
            .mpi
            .query_status(chn)
            .map_err(Self::os("mpi venc query status failed."))?;
        let traits = self.firmware.traits();
        let count = if traits.packs_per_get {
            status.cur_packs.max(1)
        } else {
            1
        };
        let timeout_ms = match traits.get_stream {
            GetStreamStyle::ForeverRaises => -1,
            GetStreamStyle::FixedSecondRaises => 1000,
            GetStreamStyle::TimeoutReturnsCode => timeout_ms,
        };
        Ok(BlockingCall {
            chn,
            count,
            timeout_ms,
        })
    }

    /// What `GetStream` makes of the MPI's answer: maps each pack and fills `stream`.
    pub fn finish_get_stream(
        &mut self,
        got: Result<(), VencError>,
        packs: &[Pack],
        stream: &mut StreamData,
    ) -> Result<i32, CanMvError> {
        if let Err(e) = got {
            self.last_mpi_error = Some(e);
            return match self.firmware.traits().get_stream {
                GetStreamStyle::TimeoutReturnsCode => Ok(-1),
                _ => Err(Self::os("mpi venc get stream failed.")(e)),
            };
        }
        stream.pack_cnt = packs.len() as u32;
        for (i, pack) in packs.iter().enumerate() {
            if i >= VENC_PACK_CNT_MAX {
                return Err(CanMvError::IndexError {
                    delivered: packs.len() as u32,
                });
            }
            stream.data[i] = self.mmap(pack.phys_addr, u64::from(pack.len));
            stream.data_size[i] = pack.len;
            stream.stream_type[i] = pack.pack_type.code();
            stream.pts[i] = pack.pts;
            if self.firmware.traits().stream_phy_addr {
                stream.phy_addr[i] = pack.phys_addr;
            }
        }
        Ok(0)
    }

    /// `Encoder.ReleaseStream(chn, streamData)`: unmaps `pack_cnt` slots, then releases
    /// `pack_cnt` packs in FIFO order (addresses are ignored, as by the kernel).
    #[doc(alias = "ReleaseStream")]
    pub fn release_stream(&mut self, chn: i64, stream: &StreamData) -> Result<i32, CanMvError> {
        let c = Self::check_chn("ReleaseStream", chn)?;
        for &virt in stream.data.iter().take(stream.pack_cnt as usize) {
            self.mappings.remove(&virt);
        }
        self.mpi
            .release_stream(c, stream.pack_cnt)
            .map_err(Self::os("mpi venc release stream failed."))?;
        Ok(0)
    }

    /// `Encoder.Stop(chn)`: stop, then detach the pool.
    #[doc(alias = "Stop")]
    pub fn stop(&mut self, chn: i64) -> Result<i32, CanMvError> {
        let c = Self::check_chn("Stop", chn)?;
        self.mpi
            .stop_chn(c)
            .map_err(Self::os("mpi venc stop failed."))?;
        self.mpi
            .detach_vb_pool(c)
            .map_err(Self::os("mpi venc detach vb pool failed."))?;
        Ok(0)
    }

    /// `Encoder.Destroy(chn)`: destroy, then free the private pool (unchecked).
    #[doc(alias = "Destroy")]
    pub fn destroy(&mut self, chn: i64) -> Result<i32, CanMvError> {
        let c = Self::check_chn("Destroy", chn)?;
        self.mpi
            .destroy_chn(c)
            .map_err(Self::os("mpi venc destroy failed."))?;
        self.free_private_pool();
        Ok(0)
    }

    /// Destroy's last step: the private pool goes, unchecked (firmware behaviour).
    fn free_private_pool(&mut self) {
        if self.private_poolid != consts::VB_INVALID_POOLID {
            let _ = self.mpi.destroy_pool(self.private_poolid);
            self.private_poolid = consts::VB_INVALID_POOLID;
        }
    }

    /// `encoder.chn` (the no-chn generation): the channel `Create` requested, or -1.
    #[doc(alias = "chn")]
    pub fn requested_chn(&self) -> i64 {
        self.requested
    }

    /// The requested channel for a no-chn method, or its `ValueError` before `Create` and after
    /// `Destroy`. The other methods then take it as their `chn`.
    pub fn chn_for(&self, method: &'static str) -> Result<i64, CanMvError> {
        if self.requested < 0 {
            return Err(CanMvError::NotRequested { method });
        }
        Ok(self.requested)
    }

    /// `Encoder.SetOutBufs(buf_num, width, height)` of the no-chn generation: the private pool,
    /// no channel.
    #[doc(alias = "SetOutBufs")]
    pub fn set_out_bufs_unbound(
        &mut self,
        buf_num: u32,
        width: u32,
        height: u32,
    ) -> Result<(), CanMvError> {
        self.make_private_pool(buf_num, width, height)
    }

    /// `Encoder.Create(chnAttr)` of the no-chn generation: request a channel, attach the private
    /// pool (unchecked), create; a failed create releases the channel again. No guard against a
    /// second Create: it requests another channel and forgets the first (firmware behaviour).
    #[doc(alias = "Create")]
    #[doc(alias = "kd_mpi_venc_request_chn")]
    pub fn create_requested(&mut self, attr: &ChnAttrStr) -> Result<i32, CanMvError> {
        let chn = self
            .mpi
            .request_chn()
            .map_err(Self::os("mpi venc request chn failed."))?;
        self.requested = i64::from(chn);
        let _ = self.mpi.attach_vb_pool(chn, self.private_poolid);
        if let Err(code) = self.mpi.create_chn(chn, &attr.to_mpi()) {
            let _ = self.mpi.release_chn(chn);
            self.requested = -1;
            return Err(Self::os("mpi venc create chn failed.")(code));
        }
        if matches!(attr.payload_type, consts::K_PT_H264 | consts::K_PT_H265) {
            self.mpi
                .enable_idr(chn, true)
                .map_err(Self::os("mpi venc enable idr failed."))?;
        }
        Ok(0)
    }

    /// `Encoder.Destroy()` of the no-chn generation: destroy, release the channel, free the
    /// private pool; `encoder.chn` is -1 again.
    #[doc(alias = "Destroy")]
    #[doc(alias = "kd_mpi_venc_release_chn")]
    pub fn destroy_requested(&mut self) -> Result<i32, CanMvError> {
        let chn = self.chn_for("Destroy")?;
        let c = crate::mpi::chn_from_int(chn);
        self.mpi
            .destroy_chn(c)
            .map_err(Self::os("mpi venc destroy failed."))?;
        self.mpi
            .release_chn(c)
            .map_err(Self::os("mpi venc release chn failed."))?;
        self.requested = -1;
        self.free_private_pool();
        Ok(0)
    }

    fn mmap(&mut self, phys: u64, len: u64) -> u64 {
        let virt = self.next_virt;
        // Page-granular, like the kernel's mappings; never reused while the Encoder lives.
        self.next_virt += layout::align_up(len.max(1), 4096) + 4096;
        self.mappings.insert(virt, (phys, len));
        virt
    }

    /// `uctypes.bytearray_at(addr, size)` on a pack mapping: the bytes, or an error where the
    /// board would fault (unmapped, released, or a physical address).
    pub fn bytearray_at(&self, addr: u64, size: u64) -> Result<Vec<u8>, CanMvError> {
        let mut out = Vec::new();
        self.read_mapped(addr, size, &mut out)?;
        Ok(out)
    }

    /// Like [`Encoder::bytearray_at`], into a reused buffer.
    pub fn read_mapped(&self, addr: u64, size: u64, out: &mut Vec<u8>) -> Result<(), CanMvError> {
        let bad = CanMvError::BadAddress { addr, len: size };
        let (&virt, &(phys, len)) = self
            .mappings
            .range(..=addr)
            .next_back()
            .ok_or(bad.clone())?;
        let off = addr - virt;
        if off.checked_add(size).is_none_or(|end| end > len) {
            return Err(bad);
        }
        out.resize(size as usize, 0);
        self.mpi.read_mem(phys + off, out).map_err(|_| bad)
    }
}
