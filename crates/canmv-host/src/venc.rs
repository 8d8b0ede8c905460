//! `media.vencoder`: the `Encoder` class and `uctypes.bytearray_at` over pack mappings.

use crate::board::Phase;
use crate::board::{self, Board};
use crate::errors::{self, canmv};
use crate::wait;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict};
use std::sync::{Arc, Mutex, PoisonError};
use venc_core::consts::{self, VENC_PACK_CNT_MAX};
use venc_core::fault::FaultPoint;
use venc_core::{
    CanMvError, ChnAttrStr, Encoder, GetStreamStyle, Pack, SendFrameStyle, StreamData, Traits,
    VencError, VideoFrameInfo,
};

/// The method names the no-chn generation's `ValueError` can name.
const NOCHN_METHODS: [&str; 7] = [
    "Start",
    "GetStream",
    "ReleaseStream",
    "SendFrame",
    "Stop",
    "Destroy",
    "Create",
];

/// `media.vencoder.Encoder`: CanMV's class over the simulator (see `venc_core::Encoder` for the
/// firmware behaviour it mirrors).
#[derive(Debug)]
#[pyclass(name = "Encoder", module = "media.vencoder", subclass)]
#[doc(alias = "Encoder")]
pub struct PyEncoder {
    board: Arc<Board>,
    core: Arc<Mutex<Encoder>>,
    /// Reused by every `GetStream`, so the steady state allocates no pack list.
    packs: Mutex<Vec<Pack>>,
}

/// The attributes `Create` reads. Before 2025-02 the firmware's `Create` fixes the bit rate
/// (4000 kbit/s) and frame rates (30/30) whatever the object holds (K@v1.0 `vencoder.py`).
fn read_chn_attr(attr: &Bound<'_, PyAny>, traits: Traits) -> PyResult<ChnAttrStr> {
    let get = |name: &str| -> PyResult<u32> { attr.getattr(name)?.extract() };
    let mut out = ChnAttrStr::new(
        get("payload_type")?,
        get("profile")?,
        get("pic_width")?,
        get("pic_height")?,
    );
    out.gop_len = get("gop_len")?;
    if traits.rate_attrs {
        out.bit_rate = get("bit_rate")?;
        out.src_frame_rate = get("src_frame_rate")?;
        out.dst_frame_rate = get("dst_frame_rate")?;
    }
    if traits.jpeg {
        out.mjpeg_quality_factor = get("mjpeg_quality_factor")?;
    }
    Ok(out)
}

/// The bytes of a `k_video_frame_info`: the struct `k_video_frame_info()` makes, or any
/// bytes-like object, as the C binding takes any buffer of the right size.
fn frame_info(frame: &Bound<'_, PyAny>) -> PyResult<VideoFrameInfo> {
    let raw = if frame.hasattr("_bytes")? {
        frame.call_method0("_bytes")?
    } else {
        frame.clone()
    };
    let bytes: Vec<u8> = if let Ok(b) = raw.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else if let Ok(b) = raw.cast::<PyByteArray>() {
        b.to_vec()
    } else {
        return Err(PyTypeError::new_err(format!(
            "SendFrame: frame must be a k_video_frame_info struct, not {}",
            frame.get_type().name()?
        )));
    };
    VideoFrameInfo::from_c_bytes(&bytes).map_err(|e| PyTypeError::new_err(e.to_string()))
}

impl PyEncoder {
    /// Runs `f` on the encoder. Script threads share one `Encoder`: while another thread has
    /// it (perhaps waiting for a deterministic board inside a call), this one waits in short
    /// board sleeps without the GIL, so the holder can get both and time goes on.
    fn with<T>(&self, f: impl FnOnce(&mut Encoder) -> T) -> T {
        loop {
            match self.core.try_lock() {
                Ok(mut core) => return f(&mut core),
                Err(std::sync::TryLockError::Poisoned(p)) => return f(&mut p.into_inner()),
                Err(std::sync::TryLockError::WouldBlock) => {
                    let clock = self.board.sim.clock().clone();
                    Python::attach(|py| {
                        py.detach(|| {
                            clock.sleep(std::time::Duration::from_micros(100));
                        });
                    });
                }
            }
        }
    }

    /// A `Create` the IDE's preview channel made fail: said on stderr and counted. What the
    /// board does is not known (its kernel has no exists check, D-038); failing is the safe side.
    fn ide_collision(&self, py: Python<'_>, why: &str) -> PyResult<()> {
        self.board
            .ide_collisions
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let stderr = py.import("sys")?.getattr("stderr")?;
        stderr.call_method1(
            "write",
            (format!(
                "venc-sim: Create failed: {why} (--ide); without the IDE this script would get \
                 the channel (docs/divergences.md D-038)\n"
            ),),
        )?;
        Ok(())
    }
}

#[pymethods]
impl PyEncoder {
    #[classattr]
    const PAYLOAD_TYPE_H264: u32 = consts::K_PT_H264;
    #[classattr]
    const PAYLOAD_TYPE_H265: u32 = consts::K_PT_H265;
    #[classattr]
    const PAYLOAD_TYPE_JPEG: u32 = consts::K_PT_JPEG;
    #[classattr]
    const H264_PROFILE_BASELINE: u32 = consts::VENC_PROFILE_H264_BASELINE;
    #[classattr]
    const H264_PROFILE_MAIN: u32 = consts::VENC_PROFILE_H264_MAIN;
    #[classattr]
    const H264_PROFILE_HIGH: u32 = consts::VENC_PROFILE_H264_HIGH;
    #[classattr]
    const H265_PROFILE_MAIN: u32 = consts::VENC_PROFILE_H265_MAIN;
    #[classattr]
    const STREAM_TYPE_HEADER: u32 = consts::K_VENC_HEADER;
    #[classattr]
    const STREAM_TYPE_I: u32 = consts::K_VENC_I_FRAME;
    #[classattr]
    const STREAM_TYPE_P: u32 = consts::K_VENC_P_FRAME;

    /// `Encoder()` on the current board, behaving as its firmware does.
    #[new]
    fn new() -> Self {
        let board = board::current();
        let mpi = Arc::clone(&board.mpi);
        let core = Arc::new(Mutex::new(Encoder::with_firmware(mpi, board.firmware)));
        board.register(&core);
        Self {
            board,
            core,
            packs: Mutex::new(Vec::with_capacity(32)),
        }
    }

    /// `SetOutBufs(chn, buf_num, width, height)`.
    #[pyo3(name = "SetOutBufs")]
    fn set_out_bufs(
        &self,
        py: Python<'_>,
        chn: i64,
        buf_num: u32,
        width: u32,
        height: u32,
    ) -> PyResult<()> {
        self.with(|e| e.set_out_bufs(chn, buf_num, width, height))
            .map_err(|e| canmv(py, e))
    }

    /// `Create(chn, chnAttr)`. Like SetOutBufs, Start, ReleaseStream, Stop and Destroy it returns
    /// None, as every firmware from v0.3 on does (errors raise; firmware facts §1.1).
    #[pyo3(name = "Create")]
    fn create(&self, py: Python<'_>, chn: i64, chn_attr: &Bound<'_, PyAny>) -> PyResult<()> {
        let attr = read_chn_attr(chn_attr, self.board.firmware.traits())?;
        let created = self.with(|e| e.create(chn, &attr));
        if created.is_err()
            && self
                .board
                .ide_channel()
                .is_some_and(|c| i64::from(c) == chn)
        {
            self.ide_collision(
                py,
                &format!("channel {chn} is the one the IDE's preview holds"),
            )?;
        }
        created.map(drop).map_err(|e| canmv(py, e))
    }

    /// `Start(chn)`.
    #[pyo3(name = "Start")]
    fn start(&self, py: Python<'_>, chn: i64) -> PyResult<()> {
        self.with(|e| e.start(chn))
            .map(drop)
            .map_err(|e| canmv(py, e))?;
        // A 2026 IDE asks for its preview channel once the script's video runs (D-038).
        self.board.take_ide_channel();
        Ok(())
    }

    /// `SendFrame(chn, frame, timeout=1000)`: 0 or the raw status as a negative int (from
    /// 2025-07-24); None or `OSError` before; `AttributeError` before v1.0.
    #[pyo3(name = "SendFrame", signature = (chn, frame, timeout = consts::defaults::SEND_FRAME_TIMEOUT_MS))]
    fn send_frame(
        &self,
        py: Python<'_>,
        chn: i64,
        frame: &Bound<'_, PyAny>,
        timeout: i32,
    ) -> PyResult<Option<i64>> {
        let call = self
            .with(|e| e.begin_send_frame(chn, timeout))
            .map_err(|e| canmv(py, e))?;
        let info = frame_info(frame)?;
        let mpi = Arc::clone(&self.board.mpi);
        let sent = wait::program_call(
            py,
            &self.board,
            FaultPoint::SendFrame,
            call.timeout_ms,
            call.chn,
            |slice| venc_core::Mpi::send_frame(mpi.as_ref(), call.chn, &info, slice),
        )?;
        let code = self
            .with(|e| e.finish_send_frame(sent))
            .map_err(|e| canmv(py, e))?;
        let returns = self.board.firmware.traits().send_frame == SendFrameStyle::ReturnsStatus;
        Ok(returns.then_some(code))
    }

    /// `GetStream(chn, streamData, timeout=-1)`: 0, or -1 when no stream came in time.
    #[pyo3(name = "GetStream", signature = (chn, stream_data, timeout = consts::defaults::GET_STREAM_TIMEOUT_MS))]
    fn get_stream(
        &self,
        py: Python<'_>,
        chn: i64,
        stream_data: &Bound<'_, PyAny>,
        timeout: i32,
    ) -> PyResult<Option<i32>> {
        let call = self
            .with(|e| e.begin_get_stream(chn, timeout))
            .map_err(|e| canmv(py, e))?;
        stream_data.setattr("pack_cnt", call.count)?;
        if call.timeout_ms < 0 {
            warn_if_nothing_can_come(py, &self.board, call.chn)?;
        }
        let mpi = Arc::clone(&self.board.mpi);
        // Taken, not locked across the wait: another thread's GetStream gets a fresh list.
        let mut packs =
            std::mem::take(&mut *self.packs.lock().unwrap_or_else(PoisonError::into_inner));
        let since = wait::incarnation_of(mpi.as_ref(), call.chn);
        let got = wait::program_call(
            py,
            &self.board,
            FaultPoint::GetStream,
            call.timeout_ms,
            call.chn,
            |slice| {
                wait::get_stream_slice(mpi.as_ref(), call.chn, since, call.count, slice, &mut packs)
            },
        )?;
        let mut out = StreamData::new();
        let result = self.with(|e| e.finish_get_stream(got, &packs, &mut out));
        let traits = self.board.firmware.traits();
        if result != Ok(-1) {
            // The firmware fills the lists pack by pack, so an IndexError leaves 12 filled.
            let filled = packs.len().min(VENC_PACK_CNT_MAX);
            stream_data.setattr("pack_cnt", packs.len())?;
            let lists = ["data", "data_size", "stream_type", "pts"].map(|n| stream_data.getattr(n));
            let [data, size, kind, pts] = lists;
            let (data, size, kind, pts) = (data?, size?, kind?, pts?);
            // v0.7's StreamData has no phy_addr list, and its GetStream fills none.
            let phy = match traits.stream_phy_addr {
                true => Some(stream_data.getattr("phy_addr")?),
                false => None,
            };
            for i in 0..filled {
                data.set_item(i, out.data[i])?;
                size.set_item(i, out.data_size[i])?;
                kind.set_item(i, out.stream_type[i])?;
                pts.set_item(i, out.pts[i])?;
                if let Some(phy) = &phy {
                    phy.set_item(i, out.phy_addr[i])?;
                }
            }
        }
        *self.packs.lock().unwrap_or_else(PoisonError::into_inner) = packs;
        let code = result.map_err(|e| canmv(py, e))?;
        // Before 2025-04-08 GetStream returns None (and raises on failure).
        Ok((traits.get_stream == GetStreamStyle::TimeoutReturnsCode).then_some(code))
    }

    /// `ReleaseStream(chn, streamData)`: unmaps `pack_cnt` slots, releases `pack_cnt` packs.
    #[pyo3(name = "ReleaseStream")]
    fn release_stream(
        &self,
        py: Python<'_>,
        chn: i64,
        stream_data: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let mut sd = StreamData::new();
        sd.pack_cnt = stream_data.getattr("pack_cnt")?.extract()?;
        let data = stream_data.getattr("data")?;
        for i in 0..sd.pack_cnt as usize {
            // Indexing the script's list, as the firmware's loop does (IndexError past its end).
            let addr: u64 = data.get_item(i)?.extract()?;
            if let Some(slot) = sd.data.get_mut(i) {
                *slot = addr;
            }
        }
        self.with(|e| e.release_stream(chn, &sd))
            .map(drop)
            .map_err(|e| canmv(py, e))
    }

    /// `Stop(chn)`.
    #[pyo3(name = "Stop")]
    fn stop(&self, py: Python<'_>, chn: i64) -> PyResult<()> {
        self.with(|e| e.stop(chn))
            .map(drop)
            .map_err(|e| canmv(py, e))
    }

    /// `Destroy(chn)`.
    #[pyo3(name = "Destroy")]
    fn destroy(&self, py: Python<'_>, chn: i64) -> PyResult<()> {
        self.with(|e| e.destroy(chn))
            .map(drop)
            .map_err(|e| canmv(py, e))
    }

    /// `encoder.chn` of the no-chn generation's class: the requested channel, or -1.
    fn _requested_chn(&self) -> i64 {
        self.with(|e| e.requested_chn())
    }

    /// The requested channel for a no-chn method, or its `ValueError`.
    fn _chn_for(&self, py: Python<'_>, method: &str) -> PyResult<i64> {
        let method = NOCHN_METHODS
            .iter()
            .copied()
            .find(|m| *m == method)
            .ok_or_else(|| PyTypeError::new_err(format!("no Encoder method {method:?}")))?;
        self.with(|e| e.chn_for(method)).map_err(|e| canmv(py, e))
    }

    /// `SetOutBufs(buf_num, width, height)` of the no-chn generation.
    fn _set_out_bufs_unbound(
        &self,
        py: Python<'_>,
        buf_num: u32,
        width: u32,
        height: u32,
    ) -> PyResult<()> {
        self.with(|e| e.set_out_bufs_unbound(buf_num, width, height))
            .map_err(|e| canmv(py, e))
    }

    /// `Create(chnAttr)` of the no-chn generation: requests the channel.
    fn _create_requested(&self, py: Python<'_>, chn_attr: &Bound<'_, PyAny>) -> PyResult<()> {
        let attr = read_chn_attr(chn_attr, self.board.firmware.traits())?;
        let created = self.with(|e| e.create_requested(&attr));
        if let (
            Err(CanMvError::OsError {
                code: VencError::NoBuf,
                ..
            }),
            Some(c),
        ) = (&created, self.board.ide_channel())
        {
            self.ide_collision(
                py,
                &format!("no channel is free: the IDE's preview holds {c}"),
            )?;
        }
        created.map(drop).map_err(|e| canmv(py, e))
    }

    /// `Destroy()` of the no-chn generation: releases the channel.
    fn _destroy_requested(&self, py: Python<'_>) -> PyResult<()> {
        self.with(|e| e.destroy_requested())
            .map(drop)
            .map_err(|e| canmv(py, e))
    }

    fn __repr__(&self) -> String {
        format!(
            "<Encoder on venc-sim, firmware {}>",
            self.board.firmware.name()
        )
    }
}

/// `GetStream(-1)` on a channel that is not started, with nothing queued, blocks for good on the
/// board. Says so on stderr (once per call), so a script stuck there is not a mystery.
fn warn_if_nothing_can_come(py: Python<'_>, board: &Board, chn: u32) -> PyResult<()> {
    let phase = board.sim.channel_phase(chn).ok();
    let queued = venc_core::Mpi::query_status(board.sim.as_ref(), chn).map_or(0, |s| s.cur_packs);
    if queued == 0 && phase.is_some_and(|p| p != Phase::Started) {
        let message = format!(
            "venc-sim: GetStream(chn {chn}, timeout=-1) on a channel that is {:?}: no stream \
             can come; this blocks forever on the board (Ctrl-C stops it)",
            phase.expect("checked")
        );
        let stderr = py.import("sys")?.getattr("stderr")?;
        stderr.call_method1("write", (message + "\n",))?;
    }
    Ok(())
}

fn read(addr: u64, size: u64) -> PyResult<Vec<u8>> {
    let mut out = Vec::new();
    let board = board::current();
    if let Some(phys) = board.buffer_phys(addr, size) {
        out.resize(size as usize, 0);
        venc_core::Mpi::read_mem(board.sim.as_ref(), phys, &mut out)
            .map_err(|_| errors::memory_fault(addr, size))?;
        return Ok(out);
    }
    for encoder in board.encoders() {
        if board::lock(&encoder)
            .read_mapped(addr, size, &mut out)
            .is_ok()
        {
            return Ok(out);
        }
    }
    Err(errors::memory_fault(addr, size))
}

/// `uctypes.bytearray_at(addr, size)`: a copy of `size` bytes at a pack mapping (`data[i]`).
/// The board returns a view of the memory; writes to this copy do not reach it (D-022).
#[pyfunction]
pub fn bytearray_at(py: Python<'_>, addr: u64, size: u64) -> PyResult<Bound<'_, PyByteArray>> {
    Ok(PyByteArray::new(py, &read(addr, size)?))
}

/// Whether `[addr, addr + size)` lies in a `MediaManager.Buffer` (writable through
/// `uctypes.bytearray_at`).
#[pyfunction]
pub fn is_media_buffer(addr: u64, size: u64) -> bool {
    board::current().buffer_phys(addr, size).is_some()
}

/// Writes `data` at `addr` inside a `MediaManager.Buffer` (what a store into a
/// `uctypes.bytearray_at` view of it does on the board).
#[pyfunction]
pub fn write_at(addr: u64, data: &[u8]) -> PyResult<()> {
    let len = data.len() as u64;
    let board = board::current();
    let phys = board
        .buffer_phys(addr, len)
        .ok_or_else(|| errors::memory_fault(addr, len))?;
    venc_core::Mpi::write_mem(board.sim.as_ref(), phys, data)
        .map_err(|_| errors::memory_fault(addr, len))
}

/// `uctypes.bytes_at(addr, size)`.
#[pyfunction]
pub fn bytes_at(py: Python<'_>, addr: u64, size: u64) -> PyResult<Bound<'_, PyBytes>> {
    Ok(PyBytes::new(py, &read(addr, size)?))
}

/// `VENCODER_CONSTANTS`: the names `from media.vencoder import *` brings (facts §1.3).
pub fn add_constants(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let c = PyDict::new(m.py());
    let u32s: &[(&str, u32)] = &[
        ("K_PT_H264", consts::K_PT_H264),
        ("K_PT_H265", consts::K_PT_H265),
        ("K_PT_JPEG", consts::K_PT_JPEG),
        ("VENC_PROFILE_NONE", consts::VENC_PROFILE_NONE),
        (
            "VENC_PROFILE_H264_BASELINE",
            consts::VENC_PROFILE_H264_BASELINE,
        ),
        ("VENC_PROFILE_H264_MAIN", consts::VENC_PROFILE_H264_MAIN),
        ("VENC_PROFILE_H264_HIGH", consts::VENC_PROFILE_H264_HIGH),
        (
            "VENC_PROFILE_H264_HIGH_10",
            consts::VENC_PROFILE_H264_HIGH_10,
        ),
        ("VENC_PROFILE_H265_MAIN", consts::VENC_PROFILE_H265_MAIN),
        (
            "VENC_PROFILE_H265_MAIN_10",
            consts::VENC_PROFILE_H265_MAIN_10,
        ),
        ("K_VENC_RC_MODE_CBR", consts::K_VENC_RC_MODE_CBR),
        ("K_VENC_RC_MODE_VBR", consts::K_VENC_RC_MODE_VBR),
        ("K_VENC_RC_MODE_FIXQP", consts::K_VENC_RC_MODE_FIXQP),
        (
            "K_VENC_RC_MODE_MJPEG_FIXQP",
            consts::K_VENC_RC_MODE_MJPEG_FIXQP,
        ),
        ("K_VENC_P_FRAME", consts::K_VENC_P_FRAME),
        ("K_VENC_I_FRAME", consts::K_VENC_I_FRAME),
        ("K_VENC_HEADER", consts::K_VENC_HEADER),
        ("VENC_MAX_CHN_NUMS", consts::VENC_MAX_CHN_NUMS),
        ("VENC_CHN_ID_MAX", consts::VENC_MAX_CHN_NUMS),
        ("VENC_CHN_ID_0", consts::VENC_CHN_ID_0),
        ("VENC_CHN_ID_1", consts::VENC_CHN_ID_1),
        ("VENC_CHN_ID_2", consts::VENC_CHN_ID_2),
        ("VENC_CHN_ID_3", consts::VENC_CHN_ID_3),
        ("VENC_DEV_ID", consts::VENC_DEV_ID),
        ("VIDEO_ENCODE_MOD_ID", consts::VIDEO_ENCODE_MOD_ID),
        ("CAMERA_MOD_ID", consts::CAMERA_MOD_ID),
        ("VB_INVALID_POOLID", consts::VB_INVALID_POOLID),
        (
            "PIXEL_FORMAT_YUV_SEMIPLANAR_420",
            consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420,
        ),
        (
            "PIXEL_FORMAT_YVU_SEMIPLANAR_420",
            consts::PIXEL_FORMAT_YVU_SEMIPLANAR_420,
        ),
        ("PIXEL_FORMAT_RGB_888", consts::PIXEL_FORMAT_RGB_888),
        ("PIXEL_FORMAT_ARGB_8888", consts::PIXEL_FORMAT_ARGB_8888),
        ("PIXEL_FORMAT_BGRA_8888", consts::PIXEL_FORMAT_BGRA_8888),
    ];
    for &(name, value) in u32s {
        c.set_item(name, value)?;
    }
    c.set_item("VENC_PACK_CNT_MAX", VENC_PACK_CNT_MAX)?;
    c.set_item("VENC_ALIGN_4K", consts::VENC_ALIGN_4K)?;
    m.add("VENCODER_CONSTANTS", c)
}
