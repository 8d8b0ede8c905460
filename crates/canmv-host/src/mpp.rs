//! The firmware's `mpp` bindings (`kd_mpi_venc_*`, `kd_mpi_vb_*`, `kd_mpi_sys_mmap`): the raw
//! MPI calls the firmware's own `media/vencoder.py` is written over, and which its star imports
//! pass on to every script (`from media.vencoder import *` brings them on the board too).
//!
//! Each call goes straight to the simulator's [`venc_core::Mpi`], nothing added: the board agent
//! (`crates/venc-hw/agent`) runs on them. Statuses come back as the C binding returns them, 0 or
//! the `k_s32` code as a negative int (facts §1.2, `SendFrame`). The Python halves with the
//! struct arguments are in `python/canmv_host/firmware/mpp/`.

use crate::board;
use crate::wait;
use pyo3::prelude::*;
use std::sync::Arc;
use venc_core::consts::VB_INVALID_POOLID;
use venc_core::fault::FaultPoint;
use venc_core::{ChnAttr, Mpi, Pack, RcAttr, VencError};

/// `mp_obj_get_int` into a `k_u32`: a negative channel arrives huge, as on the board.
fn chn_of(chn: i64) -> u32 {
    venc_core::mpi::chn_from_int(chn)
}

fn status(r: Result<(), VencError>) -> i64 {
    r.map_or_else(|e| e.as_canmv_int(), |()| 0)
}

/// The MPI as the script's calls reach it (traced under `canmv-run --trace`).
fn mpi() -> Arc<dyn Mpi> {
    Arc::clone(&board::current().mpi)
}

/// `kd_mpi_venc_create_chn` with the fields of `k_venc_chn_attr` (`rc` = gop, stats_time,
/// src_frame_rate, dst_frame_rate, then bit_rate/max_bit_rate, i_qp/p_qp or q_factor).
#[pyfunction]
#[doc(alias = "kd_mpi_venc_create_chn")]
#[allow(clippy::too_many_arguments)]
pub fn venc_create_chn(
    chn: i64,
    payload: u32,
    width: u32,
    height: u32,
    profile: u32,
    rc_mode: u32,
    rc: [u32; 6],
) -> i64 {
    // Not a `k_venc_rc_mode`: the simulator's answer (D-027).
    let Ok(rc) = RcAttr::from_words(rc_mode, rc) else {
        return VencError::IllegalParam.as_canmv_int();
    };
    let attr = ChnAttr {
        payload,
        width,
        height,
        profile,
        rc,
    };
    status(mpi().create_chn(chn_of(chn), &attr))
}

/// `kd_mpi_venc_destroy_chn`.
#[pyfunction]
#[doc(alias = "kd_mpi_venc_destroy_chn")]
pub fn venc_destroy_chn(chn: i64) -> i64 {
    status(mpi().destroy_chn(chn_of(chn)))
}

/// `kd_mpi_venc_start_chn`.
#[pyfunction]
#[doc(alias = "kd_mpi_venc_start_chn")]
pub fn venc_start_chn(chn: i64) -> i64 {
    status(mpi().start_chn(chn_of(chn)))
}

/// `kd_mpi_venc_stop_chn`.
#[pyfunction]
#[doc(alias = "kd_mpi_venc_stop_chn")]
pub fn venc_stop_chn(chn: i64) -> i64 {
    status(mpi().stop_chn(chn_of(chn)))
}

/// `kd_mpi_venc_enable_idr`.
#[pyfunction]
#[doc(alias = "kd_mpi_venc_enable_idr")]
pub fn venc_enable_idr(chn: i64, enable: bool) -> i64 {
    status(mpi().enable_idr(chn_of(chn), enable))
}

/// `kd_mpi_venc_request_idr`.
#[pyfunction]
#[doc(alias = "kd_mpi_venc_request_idr")]
pub fn venc_request_idr(chn: i64) -> i64 {
    status(mpi().request_idr(chn_of(chn)))
}

/// `kd_mpi_venc_query_status`: (status, cur_packs, release_pic_pts, end_of_stream).
#[pyfunction]
#[doc(alias = "kd_mpi_venc_query_status")]
pub fn venc_query_status(chn: i64) -> (i64, u32, u64, bool) {
    match mpi().query_status(chn_of(chn)) {
        Ok(s) => (0, s.cur_packs, s.release_pic_pts, s.end_of_stream),
        Err(e) => (e.as_canmv_int(), 0, 0, false),
    }
}

/// `kd_mpi_venc_send_frame(chn, frame, timeout)`: `frame` is the 224 bytes of a
/// `k_video_frame_info`.
#[pyfunction]
#[doc(alias = "kd_mpi_venc_send_frame")]
pub fn venc_send_frame(py: Python<'_>, chn: i64, frame: &[u8], timeout: i32) -> PyResult<i64> {
    let info = venc_core::VideoFrameInfo::from_c_bytes(frame)
        .map_err(|e| pyo3::exceptions::PyTypeError::new_err(e.to_string()))?;
    let board = board::current();
    let sim = Arc::clone(&board.mpi);
    let chn = chn_of(chn);
    let sent = wait::program_call(py, &board, FaultPoint::SendFrame, timeout, chn, |slice| {
        sim.send_frame(chn, &info, slice)
    })?;
    Ok(status(sent))
}

/// A pack descriptor as Python sees it: (phys_addr, len, pts, type).
type PackDesc = (u64, u32, u64, u32);

/// `kd_mpi_venc_get_stream(chn, stream, timeout)` for `max_packs` packs: (status, packs as
/// (phys_addr, len, pts, type)).
#[pyfunction]
#[doc(alias = "kd_mpi_venc_get_stream")]
pub fn venc_get_stream(
    py: Python<'_>,
    chn: i64,
    max_packs: u32,
    timeout: i32,
) -> PyResult<(i64, Vec<PackDesc>)> {
    let board = board::current();
    let sim = Arc::clone(&board.mpi);
    let mut packs: Vec<Pack> = Vec::new();
    let chn = chn_of(chn);
    let since = wait::incarnation_of(sim.as_ref(), chn);
    let got = wait::program_call(py, &board, FaultPoint::GetStream, timeout, chn, |slice| {
        wait::get_stream_slice(sim.as_ref(), chn, since, max_packs, slice, &mut packs)
    })?;
    let list = packs
        .iter()
        .map(|p| (p.phys_addr, p.len, p.pts, p.pack_type.code()))
        .collect();
    Ok((status(got), list))
}

/// `kd_mpi_venc_release_stream(chn, stream)`: releases `pack_cnt` packs, oldest first.
#[pyfunction]
#[doc(alias = "kd_mpi_venc_release_stream")]
pub fn venc_release_stream(chn: i64, pack_cnt: u32) -> i64 {
    status(mpi().release_stream(chn_of(chn), pack_cnt))
}

/// `kd_mpi_venc_request_chn`: (status, channel).
#[pyfunction]
#[doc(alias = "kd_mpi_venc_request_chn")]
pub fn venc_request_chn() -> (i64, u32) {
    match mpi().request_chn() {
        Ok(chn) => (0, chn),
        Err(e) => (e.as_canmv_int(), 0),
    }
}

/// `kd_mpi_venc_release_chn`.
#[pyfunction]
#[doc(alias = "kd_mpi_venc_release_chn")]
pub fn venc_release_chn(chn: i64) -> i64 {
    status(mpi().release_chn(chn_of(chn)))
}

/// `kd_mpi_venc_attach_vb_pool`.
#[pyfunction]
#[doc(alias = "kd_mpi_venc_attach_vb_pool")]
pub fn venc_attach_vb_pool(chn: i64, pool: i64) -> i64 {
    status(mpi().attach_vb_pool(chn_of(chn), pool as u32))
}

/// `kd_mpi_venc_detach_vb_pool`.
#[pyfunction]
#[doc(alias = "kd_mpi_venc_detach_vb_pool")]
pub fn venc_detach_vb_pool(chn: i64) -> i64 {
    status(mpi().detach_vb_pool(chn_of(chn)))
}

/// A VENC call beyond the encode loop (`kd_mpi_venc_set_rotation`, `…_get_2d_osd_param`, …,
/// [`venc_core::FeatureCall`]) by its MPI name: `index` the OSD region or border (a `k_u8`,
/// truncated as C does), `words` the struct's fields in order, each stored as its C field
/// keeps it. (status, the words a getter read).
#[pyfunction]
pub fn venc_feature(
    call: &str,
    chn: i64,
    index: i64,
    words: Vec<i64>,
) -> PyResult<(i64, Vec<u32>)> {
    let Some(call) = venc_core::FeatureCall::from_name(call) else {
        return Err(pyo3::exceptions::PyValueError::new_err(format!(
            "{call} is not a VENC feature call"
        )));
    };
    let words: Vec<u32> = words.iter().map(|&w| w as u32).collect();
    Ok(
        match call.run(mpi().as_ref(), chn_of(chn), index as u8, &words) {
            Ok(out) => (0, out),
            Err(e) => (e.as_canmv_int(), Vec::new()),
        },
    )
}

/// `kd_mpi_venc_send_2d_frame(chn, frame)`: `frame` is the 224 bytes of a
/// `k_video_frame_info`.
#[pyfunction]
#[doc(alias = "kd_mpi_venc_send_2d_frame")]
pub fn venc_send_2d_frame(chn: i64, frame: &[u8]) -> PyResult<i64> {
    let info = venc_core::VideoFrameInfo::from_c_bytes(frame)
        .map_err(|e| pyo3::exceptions::PyTypeError::new_err(e.to_string()))?;
    Ok(status(mpi().send_2d_frame(chn_of(chn), &info)))
}

/// `kd_mpi_venc_get_2d_frame(chn, frame)`: (status, the 224 bytes of the frame).
#[pyfunction]
#[doc(alias = "kd_mpi_venc_get_2d_frame")]
pub fn venc_get_2d_frame(chn: i64) -> (i64, Vec<u8>) {
    match mpi().get_2d_frame(chn_of(chn)) {
        Ok(f) => (0, f.to_c_bytes().to_vec()),
        Err(e) => (e.as_canmv_int(), Vec::new()),
    }
}

/// `kd_mpi_vb_create_pool`: the pool id, or `VB_INVALID_POOLID` as -1.
#[pyfunction]
#[doc(alias = "kd_mpi_vb_create_pool")]
pub fn vb_create_pool(blk_size: u64, blk_cnt: u32) -> i64 {
    mpi()
        .create_pool(blk_size, blk_cnt)
        .map_or(i64::from(VB_INVALID_POOLID as i32), i64::from)
}

/// `kd_mpi_vb_destory_pool` (sic): 0 or -1.
#[pyfunction]
#[doc(alias = "kd_mpi_vb_destory_pool")]
pub fn vb_destroy_pool(pool: i64) -> i64 {
    mpi().destroy_pool(pool as u32).map_or(-1, |()| 0)
}

/// `kd_mpi_vb_get_block` then `kd_mpi_vb_handle_to_phyaddr`: a block's physical address, which
/// serves as its handle here; -1 (`VB_INVALID_HANDLE`) when the pool has none.
#[pyfunction]
#[doc(alias = "kd_mpi_vb_get_block")]
pub fn vb_get_block(pool: i64) -> i64 {
    mpi()
        .get_block(pool as u32)
        .ok()
        .and_then(|a| i64::try_from(a).ok())
        .unwrap_or(-1)
}

/// `kd_mpi_vb_release_block`: 0 or -1.
#[pyfunction]
#[doc(alias = "kd_mpi_vb_release_block")]
pub fn vb_release_block(handle: i64) -> i64 {
    mpi().release_block(handle as u64).map_or(-1, |()| 0)
}

/// `kd_mpi_sys_mmap(phys, len)`: a virtual address `uctypes.bytearray_at` reads and writes
/// through, or 0 when the range is not allocated media memory.
#[pyfunction]
#[doc(alias = "kd_mpi_sys_mmap")]
pub fn sys_mmap(phys: u64, len: u64) -> u64 {
    board::current().mmap(phys, len).unwrap_or(0)
}

/// `kd_mpi_sys_munmap(virt, len)`: 0 or -1.
#[pyfunction]
#[doc(alias = "kd_mpi_sys_munmap")]
pub fn sys_munmap(virt: u64, len: u64) -> i64 {
    if board::current().munmap(virt, len) {
        0
    } else {
        -1
    }
}

/// Registers the functions on the native module.
pub fn add_functions(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(venc_create_chn, m)?)?;
    m.add_function(wrap_pyfunction!(venc_destroy_chn, m)?)?;
    m.add_function(wrap_pyfunction!(venc_start_chn, m)?)?;
    m.add_function(wrap_pyfunction!(venc_stop_chn, m)?)?;
    m.add_function(wrap_pyfunction!(venc_enable_idr, m)?)?;
    m.add_function(wrap_pyfunction!(venc_request_idr, m)?)?;
    m.add_function(wrap_pyfunction!(venc_query_status, m)?)?;
    m.add_function(wrap_pyfunction!(venc_send_frame, m)?)?;
    m.add_function(wrap_pyfunction!(venc_get_stream, m)?)?;
    m.add_function(wrap_pyfunction!(venc_release_stream, m)?)?;
    m.add_function(wrap_pyfunction!(venc_attach_vb_pool, m)?)?;
    m.add_function(wrap_pyfunction!(venc_request_chn, m)?)?;
    m.add_function(wrap_pyfunction!(venc_release_chn, m)?)?;
    m.add_function(wrap_pyfunction!(venc_detach_vb_pool, m)?)?;
    m.add_function(wrap_pyfunction!(venc_feature, m)?)?;
    m.add_function(wrap_pyfunction!(venc_send_2d_frame, m)?)?;
    m.add_function(wrap_pyfunction!(venc_get_2d_frame, m)?)?;
    m.add_function(wrap_pyfunction!(vb_create_pool, m)?)?;
    m.add_function(wrap_pyfunction!(vb_destroy_pool, m)?)?;
    m.add_function(wrap_pyfunction!(vb_get_block, m)?)?;
    m.add_function(wrap_pyfunction!(vb_release_block, m)?)?;
    m.add_function(wrap_pyfunction!(sys_mmap, m)?)?;
    m.add_function(wrap_pyfunction!(sys_munmap, m)?)?;
    Ok(())
}
