//! `kd_mpi_venc_*` (the SDK family) over the simulator's [`Mpi`].
//!
//! The SDK's `create_chn` takes the channel's stream buffers, `stream_buf_cnt` blocks of
//! `stream_buf_size`, from the common VB pools, and fails with NOBUF when they are not there
//! (k230-mpp-c-api.md §2.2). Here those blocks are taken from the common pools (so the program
//! sees them gone), and the packs are written into a private pool of the same shape attached
//! to the channel; `destroy_chn` gives both back (D-050).

use crate::abi::{ChnAttr, ChnStatus, Pack, Stream, VideoFrameInfo};
use crate::board::{Board, board, guarded, lock};
use crate::codes::{self, VENC_DOWN};
use crate::vb::take_common;
use log::{debug, warn};
use venc_core::{Chn, Mpi, PoolId, VencError};

/// A channel's stream buffers: the common blocks it took and the pool its packs live in.
#[derive(Debug)]
pub(crate) struct StreamBufs {
    common_blocks: Vec<u64>,
    pool: PoolId,
}

impl StreamBufs {
    /// The pool the channel's packs live in.
    pub(crate) fn pool(&self) -> PoolId {
        self.pool
    }
}

const CHANNELS: u32 = venc_core::consts::VENC_MAX_CHN_NUMS;

/// The user-space wrapper's first check on every call.
pub(crate) fn check_chn(chn: Chn) -> Result<(), VencError> {
    if chn >= CHANNELS {
        return Err(VencError::InvalidChnId);
    }
    Ok(())
}

/// Runs a VENC call on the board, as its C function answers.
pub(crate) fn venc_call(
    call: &str,
    body: impl FnOnce(&'static Board) -> Result<(), VencError>,
) -> i32 {
    guarded(call, VENC_DOWN, || match board() {
        Some(b) => codes::venc(body(b)),
        None => VENC_DOWN,
    })
}

fn give_back(board: &Board, blocks: &[u64]) {
    for &b in blocks {
        let _ = board.sim.release_block(b);
    }
}

/// Takes `cnt` common blocks of `size` bytes, all or none.
fn take_stream_blocks(board: &Board, chn: Chn, size: u32, cnt: u32) -> Result<Vec<u64>, VencError> {
    if size == 0 || cnt == 0 {
        // The kernel would take no block and have nowhere to put a pack: what it does then is
        // not known (D-050); refusing is the safe side.
        warn!(
            "venc ch{chn}: create_chn with stream_buf_size {size} and stream_buf_cnt {cnt}: a \
             channel needs at least one stream buffer (D-050)"
        );
        return Err(VencError::NoBuf);
    }
    let vb = lock(&board.vb);
    // `cnt` is the program's: grown as blocks are found, never reserved up front (a count of
    // 2^32 - 1 once asked for 32 GiB and aborted the process; the fuzz target found it).
    let mut taken = Vec::new();
    for _ in 0..cnt {
        match take_common(board, &vb, u64::from(size)) {
            Ok(b) => taken.push(b),
            Err(e) => {
                give_back(board, &taken);
                warn!(
                    "venc ch{chn}: create_chn: no blk: {cnt} stream buffers of {size} bytes \
                     asked, {} found: {e}",
                    taken.len()
                );
                return Err(VencError::NoBuf);
            }
        }
    }
    Ok(taken)
}

/// The channel attributes a `k_venc_chn_attr` of either family holds; a `rc_mode` outside
/// 1..4 is the kernel's ILLEGAL_PARAM ("wrong rc mode").
pub(crate) fn core_attr(
    chn: Chn,
    (payload, width, height, profile): (u32, u32, u32, u32),
    rc: &crate::abi::RcAttr,
) -> Result<venc_core::ChnAttr, VencError> {
    let rc = rc.to_core().map_err(|e| {
        warn!("venc ch{chn}: create_chn: wrong rc mode: {e}");
        VencError::IllegalParam
    })?;
    Ok(venc_core::ChnAttr {
        payload,
        width,
        height,
        profile,
        rc,
    })
}

fn create(board: &Board, chn: Chn, attr: &ChnAttr) -> Result<(), VencError> {
    let a = &attr.venc_attr;
    let picture = (a.payload, a.pic_width, a.pic_height, a.profile);
    let core_attr = core_attr(chn, picture, &attr.rc_attr)?;
    let mut bufs = lock(&board.stream_bufs);
    if bufs[chn as usize].is_some() {
        // Already created: the channel gives its own answer, with nothing taken.
        return board.sim.create_chn(chn, &core_attr);
    }
    let blocks = take_stream_blocks(board, chn, a.stream_buf_size, a.stream_buf_cnt)?;
    let pool = match board
        .sim
        .create_pool(u64::from(a.stream_buf_size), a.stream_buf_cnt)
    {
        Ok(p) => p,
        Err(e) => {
            give_back(board, &blocks);
            warn!("venc ch{chn}: create_chn: stream buffers: {e}");
            return Err(VencError::NoMem);
        }
    };
    let made = board
        .sim
        .attach_vb_pool(chn, pool)
        .and_then(|()| board.sim.create_chn(chn, &core_attr));
    if let Err(e) = made {
        let _ = board.sim.detach_vb_pool(chn);
        let _ = board.sim.destroy_pool(pool);
        give_back(board, &blocks);
        return Err(e);
    }
    bufs[chn as usize] = Some(StreamBufs {
        common_blocks: blocks,
        pool,
    });
    Ok(())
}

fn destroy(board: &Board, chn: Chn) -> Result<(), VencError> {
    let mut bufs = lock(&board.stream_bufs);
    board.sim.destroy_chn(chn)?;
    if let Some(b) = bufs[chn as usize].take() {
        let _ = board.sim.detach_vb_pool(chn);
        let _ = board.sim.destroy_pool(b.pool);
        give_back(board, &b.common_blocks);
    }
    Ok(())
}

/// `kd_mpi_venc_create_chn`.
///
/// # Safety
/// `attr` is NULL or points to a `k_venc_chn_attr`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_create_chn(chn_num: u32, attr: *mut ChnAttr) -> i32 {
    venc_call("kd_mpi_venc_create_chn", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a valid k_venc_chn_attr.
        let attr = unsafe { attr.as_ref() }.ok_or(VencError::NullPtr)?;
        create(b, chn_num, attr)
    })
}

/// `kd_mpi_venc_destroy_chn`: also gives the stream buffers back to the common pools.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_destroy_chn(chn_num: u32) -> i32 {
    venc_call("kd_mpi_venc_destroy_chn", |b| {
        check_chn(chn_num)?;
        destroy(b, chn_num)
    })
}

/// `kd_mpi_venc_start_chn`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_start_chn(chn_num: u32) -> i32 {
    venc_call("kd_mpi_venc_start_chn", |b| b.sim.start_chn(chn_num))
}

/// `kd_mpi_venc_stop_chn`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_stop_chn(chn_num: u32) -> i32 {
    venc_call("kd_mpi_venc_stop_chn", |b| b.sim.stop_chn(chn_num))
}

/// `kd_mpi_venc_send_frame`.
///
/// # Safety
/// `frame` is NULL or points to a `k_video_frame_info`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_send_frame(
    chn_num: u32,
    frame: *mut VideoFrameInfo,
    milli_sec: i32,
) -> i32 {
    venc_call("kd_mpi_venc_send_frame", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a valid k_video_frame_info.
        let Some(f) = (unsafe { frame.as_ref() }) else {
            // The board's wrapper has no NULL check and crashes (k230-mpp-c-api.md §6); a
            // code is the safe side of that (D-050).
            warn!("venc ch{chn_num}: send_frame with a NULL frame (this crashes on the board)");
            return Err(VencError::NullPtr);
        };
        b.sim.send_frame(chn_num, &f.to_core(), milli_sec)
    })
}

/// `kd_mpi_venc_query_status`: `cur_packs` only; the kernel leaves the rest 0.
///
/// # Safety
/// `status` is NULL or points to a writable `k_venc_chn_status`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_query_status(chn_num: u32, status: *mut ChnStatus) -> i32 {
    venc_call("kd_mpi_venc_query_status", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a writable k_venc_chn_status.
        let Some(out) = (unsafe { status.as_mut() }) else {
            warn!("venc ch{chn_num}: query_status with a NULL status");
            return Err(VencError::NotReady);
        };
        let s = b.sim.query_status(chn_num).map_err(|e| {
            debug!("kd_mpi_venc_query_status>ret {}", e.code() as i32);
            VencError::NotReady
        })?;
        *out = ChnStatus {
            cur_packs: s.cur_packs,
            ..ChnStatus::default()
        };
        Ok(())
    })
}

thread_local! {
    static PACKS: std::cell::RefCell<Vec<venc_core::Pack>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// How long one wait of a `get_stream(-1)` lasts before the thread checks for a cancel.
pub const CANCEL_SLICE_MS: i32 = 50;

unsafe extern "C-unwind" {
    /// POSIX: a cancellation point; a pending cancel unwinds the thread from here.
    fn pthread_testcancel();
}

/// One `get_stream` of at most `milli_sec`: `None` when a wait that may be retried ended with
/// no pack (a slice of a longer wait).
///
/// # Safety
/// As [`kd_mpi_venc_get_stream`].
unsafe fn get_stream_once(
    chn_num: u32,
    stream: *mut Stream,
    milli_sec: i32,
    slice: Option<u64>,
) -> Option<i32> {
    let mut retry = false;
    let code = venc_call("kd_mpi_venc_get_stream", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a valid k_venc_stream.
        let Some(stream) = (unsafe { stream.as_mut() }) else {
            warn!("venc ch{chn_num}: get_stream with a NULL stream");
            return Err(VencError::NotReady);
        };
        if stream.pack.is_null() && stream.pack_cnt > 0 {
            warn!("venc ch{chn_num}: get_stream with a NULL pack array");
            return Err(VencError::NotReady);
        }
        // One pack list per thread, reused: a consumer calls this once per picture.
        PACKS.with_borrow_mut(|packs| {
            let got = match slice {
                Some(incarnation) => {
                    b.sim
                        .get_stream_since(chn_num, incarnation, stream.pack_cnt, milli_sec, packs)
                }
                None => b.sim.get_stream(chn_num, stream.pack_cnt, milli_sec, packs),
            };
            if let Err(e) = got {
                retry = slice.is_some() && e == VencError::NotReady;
                return Err(VencError::NotReady);
            }
            for (i, p) in packs.iter().enumerate() {
                // SAFETY: `packs.len() <= pack_cnt`, the length of the caller's array.
                unsafe {
                    stream.pack.add(i).write(Pack {
                        phys_addr: p.phys_addr,
                        len: p.len,
                        pts: p.pts,
                        pack_type: p.pack_type.code(),
                    });
                }
            }
            stream.pack_cnt = packs.len() as u32;
            Ok(())
        })
    });
    (!retry).then_some(code)
}

/// Whether the channel a `get_stream(-1)` began on is gone; says so once (the caller's flag).
fn tell_if_orphaned(chn: Chn, incarnation: u64) -> bool {
    let gone = board()
        .and_then(|b| b.sim.channel_incarnation(chn).ok())
        .is_some_and(|now| now != incarnation);
    if gone {
        warn!(
            "venc ch{chn}: destroyed while a thread waits in get_stream(-1): the wait goes on, \
             taking no pack of a channel made since, until the thread is cancelled (D-063)"
        );
    }
    gone
}

/// A wait for ever on a channel that is not started and holds no pack never ends on the board
/// either: say so once, as the simulator's own `get_stream(-1)` does.
fn warn_if_nothing_can_arrive(chn: Chn) {
    guarded("kd_mpi_venc_get_stream", (), || {
        warn_unless_something_can_arrive(chn)
    });
}

fn warn_unless_something_can_arrive(chn: Chn) {
    let Some(b) = board() else { return };
    let idle = b
        .sim
        .channel_phase(chn)
        .is_ok_and(|p| p != venc_sim::venc::Phase::Started);
    if idle && b.sim.query_status(chn).is_ok_and(|s| s.cur_packs == 0) {
        warn!(
            "venc ch{chn}: get_stream(-1) on a channel that is not started: no pack can \
             arrive; this blocks for ever on the board (pthread_cancel ends it)"
        );
    }
}

/// `kd_mpi_venc_get_stream`: fills the caller's `pack` array (`pack_cnt` long) and sets
/// `pack_cnt` to the packs given. Any failure is NOTREADY.
///
/// A thread waiting here with `milli_sec` -1 can be ended with `pthread_cancel`, as on the
/// board (`sample_venc` ends its output thread so): the wait is a series of
/// [`CANCEL_SLICE_MS`] waits with a cancellation point between them, reached from this frame,
/// which holds nothing to drop, so the cancel's unwinding passes no Rust destructor.
///
/// # Safety
/// `stream` is NULL or points to a `k_venc_stream` whose `pack` holds `pack_cnt` packs.
#[unsafe(no_mangle)]
pub unsafe extern "C-unwind" fn kd_mpi_venc_get_stream(
    chn_num: u32,
    stream: *mut Stream,
    milli_sec: i32,
) -> i32 {
    if milli_sec >= 0 {
        // SAFETY: forwarded from the caller.
        return unsafe { get_stream_once(chn_num, stream, milli_sec, None) }.unwrap_or(VENC_DOWN);
    }
    warn_if_nothing_can_arrive(chn_num);
    // The wait belongs to the channel as it is now: once that channel is destroyed the wait
    // goes on, unsatisfiable, until the program cancels the thread (D-063).
    let incarnation = guarded("kd_mpi_venc_get_stream", None, || {
        board().and_then(|b| b.sim.channel_incarnation(chn_num).ok())
    })
    .unwrap_or(u64::MAX);
    let mut orphan_told = false;
    loop {
        let slice = Some(incarnation);
        // SAFETY: forwarded from the caller.
        if let Some(code) = unsafe { get_stream_once(chn_num, stream, CANCEL_SLICE_MS, slice) } {
            return code;
        }
        if !orphan_told {
            orphan_told = guarded("kd_mpi_venc_get_stream", false, || {
                tell_if_orphaned(chn_num, incarnation)
            });
        }
        // SAFETY: a libc call with no arguments; if a cancel is pending it unwinds through
        // this frame, which has nothing to drop, into the C program's frames.
        unsafe { pthread_testcancel() };
    }
}

/// `kd_mpi_venc_release_stream`: releases `stream->pack_cnt` packs, oldest first.
///
/// # Safety
/// `stream` is NULL or points to a `k_venc_stream`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_venc_release_stream(chn_num: u32, stream: *mut Stream) -> i32 {
    venc_call("kd_mpi_venc_release_stream", |b| {
        check_chn(chn_num)?;
        // SAFETY: the caller passes NULL or a valid k_venc_stream.
        let stream = unsafe { stream.as_ref() }.ok_or(VencError::NullPtr)?;
        b.sim.release_stream(chn_num, stream.pack_cnt)
    })
}

/// `kd_mpi_venc_enable_idr`: `idr_enable` above 1 is ILLEGAL_PARAM (the wrapper's check).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_enable_idr(chn_num: u32, idr_enable: u32) -> i32 {
    venc_call("kd_mpi_venc_enable_idr", |b| {
        check_chn(chn_num)?;
        if idr_enable > 1 {
            return Err(VencError::IllegalParam);
        }
        b.sim.enable_idr(chn_num, idr_enable == 1)
    })
}

/// `kd_mpi_venc_request_idr`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_request_idr(chn_num: u32) -> i32 {
    venc_call("kd_mpi_venc_request_idr", |b| b.sim.request_idr(chn_num))
}

/// `kd_mpi_venc_close_fd`: always 0.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_close_fd() -> i32 {
    0
}

/// `kd_mpi_venc_set_intbuf_size`: sizes memory inside the VPU's firmware, which the simulator
/// does not have; no check, any state, 0, as on the board (k230-mpp-c-api.md §4).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_venc_set_intbuf_size(chn_num: u32, size: u32) -> i32 {
    venc_call("kd_mpi_venc_set_intbuf_size", |b| {
        b.sim.set_intbuf_size(chn_num, size)
    })
}
