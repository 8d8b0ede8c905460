//! The simulator's C library as a backend (feature `capi`): `libk230_mpp_sim` loaded at run
//! time and every MPI call made through its exported `kd_mpi_*` symbols, as a C program makes
//! it. The suite then checks the whole C path (struct layouts, code mapping, `sys_mmap`) on
//! top of the simulator, without linking it: the library is the only simulator in the process.
//!
//! The calls are the CanMV MPP's family (the one the suite's cases are written in): the pool
//! `SetOutBufs` makes is attached with `kd_mpi_venc_attach_vb_pool` and channels are created
//! with the 44-byte `k_venc_chn_attr` (`kd_mpi_venc_create_chn_canmv`).
//!
//! The library holds one board per process, so a case's board is reset by giving back what the
//! case left: every channel stopped, destroyed, detached and released, every block and pool
//! this backend handed out returned (as the board agent does when a session ends).

use crate::run::Backend;
use k230_mpp_abi::{CanmvChnAttr, CanmvVencAttr, ChnStatus, RcAttr, Stream, VbPoolConfig};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use venc_core::{Chn, ChnAttr, MemError, Mpi, Pack, PackType, PoolId, VencError, VideoFrameInfo};

type Code = i32;

/// The library's symbols, copied out once; valid while `_lib` lives.
struct Symbols {
    create_chn: unsafe extern "C" fn(u32, *mut CanmvChnAttr) -> Code,
    destroy_chn: unsafe extern "C" fn(u32) -> Code,
    start_chn: unsafe extern "C" fn(u32) -> Code,
    stop_chn: unsafe extern "C" fn(u32) -> Code,
    enable_idr: unsafe extern "C" fn(u32, u32) -> Code,
    request_idr: unsafe extern "C" fn(u32) -> Code,
    query_status: unsafe extern "C" fn(u32, *mut ChnStatus) -> Code,
    send_frame: unsafe extern "C" fn(u32, *mut k230_mpp_abi::VideoFrameInfo, i32) -> Code,
    get_stream: unsafe extern "C" fn(u32, *mut Stream, i32) -> Code,
    release_stream: unsafe extern "C" fn(u32, *mut Stream) -> Code,
    attach_vb_pool: unsafe extern "C" fn(u32, u32) -> Code,
    detach_vb_pool: unsafe extern "C" fn(u32) -> Code,
    request_chn: unsafe extern "C" fn(*mut u32) -> Code,
    release_chn: unsafe extern "C" fn(u32) -> Code,
    vb_create_pool: unsafe extern "C" fn(*mut VbPoolConfig) -> Code,
    vb_destroy_pool: unsafe extern "C" fn(u32) -> Code,
    vb_get_block: unsafe extern "C" fn(u32, u64, *const std::ffi::c_char) -> u32,
    vb_release_block: unsafe extern "C" fn(u32) -> Code,
    vb_handle_to_phyaddr: unsafe extern "C" fn(u32) -> u64,
    vb_phyaddr_to_handle: unsafe extern "C" fn(u64) -> u32,
    sys_mmap: unsafe extern "C" fn(u64, u32) -> *mut std::ffi::c_void,
    sys_munmap: unsafe extern "C" fn(*mut std::ffi::c_void, u32) -> Code,
    release_pic_pts: unsafe extern "C" fn(u32, *mut u64) -> Code,
    _lib: libloading::Library,
}

impl Symbols {
    fn load(path: &Path) -> Result<Self, String> {
        // SAFETY: loading the simulator's own C library, whose initialisers only set up Rust
        // statics; it stays loaded while the copied symbols are used (`_lib`).
        let lib = unsafe { libloading::Library::new(path) }
            .map_err(|e| format!("cannot load {}: {e}", path.display()))?;
        macro_rules! sym {
            ($name:literal) => {
                // SAFETY: each symbol is declared with the C signature of include/mpi_*_api.h.
                *unsafe { lib.get(concat!($name, "\0").as_bytes()) }
                    .map_err(|e| format!("{}: no symbol {}: {e}", path.display(), $name))?
            };
        }
        Ok(Self {
            create_chn: sym!("kd_mpi_venc_create_chn_canmv"),
            destroy_chn: sym!("kd_mpi_venc_destroy_chn"),
            start_chn: sym!("kd_mpi_venc_start_chn"),
            stop_chn: sym!("kd_mpi_venc_stop_chn"),
            enable_idr: sym!("kd_mpi_venc_enable_idr"),
            request_idr: sym!("kd_mpi_venc_request_idr"),
            query_status: sym!("kd_mpi_venc_query_status"),
            send_frame: sym!("kd_mpi_venc_send_frame"),
            get_stream: sym!("kd_mpi_venc_get_stream"),
            release_stream: sym!("kd_mpi_venc_release_stream"),
            attach_vb_pool: sym!("kd_mpi_venc_attach_vb_pool"),
            detach_vb_pool: sym!("kd_mpi_venc_detach_vb_pool"),
            request_chn: sym!("kd_mpi_venc_request_chn"),
            release_chn: sym!("kd_mpi_venc_release_chn"),
            vb_create_pool: sym!("kd_mpi_vb_create_pool"),
            vb_destroy_pool: sym!("kd_mpi_vb_destory_pool"),
            vb_get_block: sym!("kd_mpi_vb_get_block"),
            vb_release_block: sym!("kd_mpi_vb_release_block"),
            vb_handle_to_phyaddr: sym!("kd_mpi_vb_handle_to_phyaddr"),
            vb_phyaddr_to_handle: sym!("kd_mpi_vb_phyaddr_to_handle"),
            sys_mmap: sym!("kd_mpi_sys_mmap"),
            sys_munmap: sym!("kd_mpi_sys_munmap"),
            release_pic_pts: sym!("venc_sim_release_pic_pts"),
            _lib: lib,
        })
    }
}

/// `VB_INVALID_HANDLE` / `VB_INVALID_POOLID`.
const VB_INVALID: u32 = u32::MAX;

/// The library behind the `capi` backend.
#[derive(Clone)]
pub struct CapiBackend {
    path: PathBuf,
    symbols: Arc<Symbols>,
    /// One case at a time.
    turn: Arc<Turn>,
}

impl std::fmt::Debug for CapiBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CapiBackend")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl CapiBackend {
    /// Loads the library at `path` (`libk230_mpp_sim.so`), checking every symbol it needs.
    pub fn load(path: &Path) -> Result<Self, String> {
        Ok(Self {
            path: path.to_owned(),
            symbols: Arc::new(Symbols::load(path)?),
            turn: Arc::default(),
        })
    }
}

impl Backend for CapiBackend {
    fn name(&self) -> &str {
        "capi"
    }

    fn open(&self) -> Result<Arc<dyn Mpi>, String> {
        let turn = Arc::clone(&self.turn);
        Ok(Arc::new(CapiBoard {
            s: Arc::clone(&self.symbols),
            _turn: OwnedTurn::take(turn)?,
            pools: Mutex::default(),
            blocks: Mutex::default(),
            chans: Mutex::default(),
        }))
    }

    fn describe(&self) -> String {
        format!(
            "libk230_mpp_sim through its C symbols ({}), CanMV MPP family",
            self.path.display()
        )
    }
}

/// Whether a case's board is out: the library has one board per process.
#[derive(Default)]
struct Turn {
    busy: Mutex<bool>,
    freed: Condvar,
}

/// Holds the backend's turn for as long as a case's board lives.
struct OwnedTurn(Arc<Turn>);

impl OwnedTurn {
    /// How long a case waits for the previous one's board (a case the watchdog gave up on may
    /// still hold it): then the case errs rather than the run hanging.
    const PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

    fn take(turn: Arc<Turn>) -> Result<Self, String> {
        Self::take_within(turn, Self::PATIENCE)
    }

    fn take_within(turn: Arc<Turn>, patience: std::time::Duration) -> Result<Self, String> {
        let deadline = std::time::Instant::now() + patience;
        let mut busy = lock(&turn.busy);
        while *busy {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "the library's board is still held by an earlier case after {patience:?}"
                ));
            }
            busy = turn
                .freed
                .wait_timeout(busy, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        *busy = true;
        drop(busy);
        Ok(Self(turn))
    }
}

impl Drop for OwnedTurn {
    fn drop(&mut self) {
        *lock(&self.0.busy) = false;
        self.0.freed.notify_one();
    }
}

/// One case's view of the library's board.
struct CapiBoard {
    s: Arc<Symbols>,
    _turn: OwnedTurn,
    /// Pools this board made, with their block size (`kd_mpi_vb_get_block` asks for one).
    pools: Mutex<HashMap<PoolId, u64>>,
    /// Blocks handed out, by physical address.
    blocks: Mutex<HashMap<u64, u32>>,
    /// What the case did to each channel, to undo at the end.
    chans: Mutex<[Undo; CHANNELS]>,
}

const CHANNELS: usize = venc_core::consts::VENC_MAX_CHN_NUMS as usize;

/// What a case left on a channel: each flag set by a call that succeeded, cleared by the call
/// that undoes it.
#[derive(Debug, Clone, Copy, Default)]
struct Undo {
    requested: bool,
    attached: bool,
    created: bool,
    started: bool,
}

fn venc(code: Code) -> Result<(), VencError> {
    if code == 0 {
        return Ok(());
    }
    VencError::from_code(code as u32).map_or_else(
        || {
            // A code the VENC module does not have is the library's bug: said as such.
            log::warn!(
                "capi: the library answered 0x{:x}, not a VENC code",
                code as u32
            );
            Err(VencError::NotSupport)
        },
        Err,
    )
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Mpi for CapiBoard {
    fn backend_name(&self) -> &str {
        "capi"
    }

    fn create_chn(&self, chn: Chn, attr: &ChnAttr) -> Result<(), VencError> {
        let mut c = CanmvChnAttr {
            venc_attr: CanmvVencAttr {
                payload: attr.payload,
                pic_width: attr.width,
                pic_height: attr.height,
                profile: attr.profile,
            },
            rc_attr: RcAttr::from_core(&attr.rc),
        };
        // SAFETY: a pointer to a live local of the library's layout.
        let r = venc(unsafe { (self.s.create_chn)(chn, &mut c) });
        self.note(chn, &r, |u| u.created = true);
        r
    }

    fn destroy_chn(&self, chn: Chn) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.destroy_chn)(chn) });
        self.note(chn, &r, |u| u.created = false);
        r
    }

    fn start_chn(&self, chn: Chn) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.start_chn)(chn) });
        self.note(chn, &r, |u| u.started = true);
        r
    }

    fn stop_chn(&self, chn: Chn) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.stop_chn)(chn) });
        self.note(chn, &r, |u| u.started = false);
        r
    }

    fn enable_idr(&self, chn: Chn, enable: bool) -> Result<(), VencError> {
        // SAFETY: plain integers.
        venc(unsafe { (self.s.enable_idr)(chn, u32::from(enable)) })
    }

    fn request_idr(&self, chn: Chn) -> Result<(), VencError> {
        // SAFETY: plain integers.
        venc(unsafe { (self.s.request_idr)(chn) })
    }

    fn query_status(&self, chn: Chn) -> Result<venc_core::ChnStatus, VencError> {
        let mut st = ChnStatus::default();
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.query_status)(chn, &mut st) })?;
        Ok(venc_core::ChnStatus {
            cur_packs: st.cur_packs,
            release_pic_pts: st.release_pic_pts,
            end_of_stream: st.end_of_stream != 0,
        })
    }

    /// `query_status` answers `release_pic_pts` 0, as the board's kernel does: the harness's
    /// waits ask the library's `venc_sim_release_pic_pts` instead (D-056).
    fn released_pts(&self, chn: Chn) -> Result<Option<u64>, VencError> {
        let mut pts = 0;
        // SAFETY: a pointer to a live local.
        venc(unsafe { (self.s.release_pic_pts)(chn, &mut pts) })?;
        Ok(Some(pts))
    }

    fn send_frame(
        &self,
        chn: Chn,
        frame: &VideoFrameInfo,
        timeout_ms: i32,
    ) -> Result<(), VencError> {
        // SAFETY: an all-zero k_video_frame_info is a valid value (integers and null pointers).
        let mut c: k230_mpp_abi::VideoFrameInfo = unsafe { std::mem::zeroed() };
        c.v_frame.width = frame.width;
        c.v_frame.height = frame.height;
        c.v_frame.pixel_format = frame.pixel_format;
        c.v_frame.stride = frame.stride;
        c.v_frame.phys_addr = frame.phys_addr;
        c.v_frame.pts = frame.pts;
        c.pool_id = frame.pool_id;
        c.mod_id = frame.mod_id;
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.send_frame)(chn, &mut c, timeout_ms) })
    }

    fn get_stream(
        &self,
        chn: Chn,
        max_packs: u32,
        timeout_ms: i32,
        out: &mut Vec<Pack>,
    ) -> Result<(), VencError> {
        out.clear();
        let mut packs = vec![k230_mpp_abi::Pack::default(); max_packs as usize];
        let mut stream = Stream {
            pack: packs.as_mut_ptr(),
            pack_cnt: max_packs,
        };
        // SAFETY: `stream` points at `max_packs` live packs.
        venc(unsafe { (self.s.get_stream)(chn, &mut stream, timeout_ms) })?;
        for p in packs.iter().take(stream.pack_cnt as usize) {
            let pack_type = PackType::from_code(p.pack_type).map_err(|_| VencError::NotSupport)?;
            out.push(Pack {
                phys_addr: p.phys_addr,
                len: p.len,
                pts: p.pts,
                pack_type,
            });
        }
        Ok(())
    }

    fn release_stream(&self, chn: Chn, pack_cnt: u32) -> Result<(), VencError> {
        // The library releases `pack_cnt` packs, oldest first; the array is not read.
        let mut packs = vec![k230_mpp_abi::Pack::default(); pack_cnt.max(1) as usize];
        let mut stream = Stream {
            pack: packs.as_mut_ptr(),
            pack_cnt,
        };
        // SAFETY: `stream` points at live packs.
        venc(unsafe { (self.s.release_stream)(chn, &mut stream) })
    }

    fn attach_vb_pool(&self, chn: Chn, pool: PoolId) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.attach_vb_pool)(chn, pool) });
        self.note(chn, &r, |u| u.attached = true);
        r
    }

    fn detach_vb_pool(&self, chn: Chn) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.detach_vb_pool)(chn) });
        self.note(chn, &r, |u| u.attached = false);
        r
    }

    fn request_chn(&self) -> Result<Chn, VencError> {
        let mut chn = 0;
        // SAFETY: a pointer to a live local.
        venc(unsafe { (self.s.request_chn)(&mut chn) })?;
        self.note(chn, &Ok(()), |u| u.requested = true);
        Ok(chn)
    }

    fn release_chn(&self, chn: Chn) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.release_chn)(chn) });
        self.note(chn, &r, |u| u.requested = false);
        r
    }

    fn create_pool(&self, blk_size: u64, blk_cnt: u32) -> Result<PoolId, MemError> {
        let mut config = VbPoolConfig {
            blk_size,
            blk_cnt,
            ..VbPoolConfig::default()
        };
        // SAFETY: a pointer to a live local of the library's layout.
        let id = unsafe { (self.s.vb_create_pool)(&mut config) };
        if id < 0 {
            return Err(MemError::Invalid(format!(
                "kd_mpi_vb_create_pool({blk_cnt} x {blk_size} bytes) failed"
            )));
        }
        lock(&self.pools).insert(id as PoolId, blk_size);
        Ok(id as PoolId)
    }

    fn destroy_pool(&self, pool: PoolId) -> Result<(), MemError> {
        // SAFETY: plain integers.
        match unsafe { (self.s.vb_destroy_pool)(pool) } {
            0 => {
                lock(&self.pools).remove(&pool);
                Ok(())
            }
            code => Err(MemError::Invalid(format!(
                "kd_mpi_vb_destory_pool({pool}): 0x{:x}",
                code as u32
            ))),
        }
    }

    fn get_block(&self, pool: PoolId) -> Result<u64, MemError> {
        let size = *lock(&self.pools).get(&pool).ok_or(MemError::NoPool(pool))?;
        // SAFETY: a NULL MMZ name is allowed.
        let handle = unsafe { (self.s.vb_get_block)(pool, size, std::ptr::null()) };
        if handle == VB_INVALID {
            return Err(MemError::PoolExhausted(pool));
        }
        // SAFETY: plain integers.
        let phys = unsafe { (self.s.vb_handle_to_phyaddr)(handle) };
        lock(&self.blocks).insert(phys, handle);
        Ok(phys)
    }

    fn release_block(&self, phys_addr: u64) -> Result<(), MemError> {
        // SAFETY: plain integers.
        let handle = unsafe { (self.s.vb_phyaddr_to_handle)(phys_addr) };
        // SAFETY: plain integers.
        match unsafe { (self.s.vb_release_block)(handle) } {
            0 => {
                lock(&self.blocks).remove(&phys_addr);
                Ok(())
            }
            _ => Err(MemError::BadAddress {
                addr: phys_addr,
                len: 0,
            }),
        }
    }

    fn read_mem(&self, phys_addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        self.mapped(phys_addr, buf.len(), |p| {
            // SAFETY: the mapping holds `buf.len()` bytes.
            unsafe { std::ptr::copy_nonoverlapping(p, buf.as_mut_ptr(), buf.len()) }
        })
    }

    fn write_mem(&self, phys_addr: u64, data: &[u8]) -> Result<(), MemError> {
        self.mapped(phys_addr, data.len(), |p| {
            // SAFETY: the mapping holds `data.len()` bytes.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len()) }
        })
    }
}

impl CapiBoard {
    /// Records what a call that succeeded left on channel `chn`.
    fn note(&self, chn: Chn, r: &Result<(), VencError>, what: impl FnOnce(&mut Undo)) {
        if r.is_ok()
            && let Some(u) = lock(&self.chans).get_mut(chn as usize)
        {
            what(u);
        }
    }

    /// Runs `with` on a `kd_mpi_sys_mmap` of `len` bytes at `phys_addr`, unmapped after.
    fn mapped(
        &self,
        phys_addr: u64,
        len: usize,
        with: impl FnOnce(*mut u8),
    ) -> Result<(), MemError> {
        let bad = || MemError::BadAddress {
            addr: phys_addr,
            len: len as u64,
        };
        let size = u32::try_from(len).map_err(|_| bad())?;
        if size == 0 {
            return Ok(());
        }
        // SAFETY: plain integers; NULL is the library's refusal.
        let p = unsafe { (self.s.sys_mmap)(phys_addr, size) };
        if p.is_null() {
            return Err(bad());
        }
        with(p.cast());
        // SAFETY: the mapping just made, with its size.
        unsafe { (self.s.sys_munmap)(p, size) };
        Ok(())
    }
}

impl Drop for CapiBoard {
    /// Gives back what the case left, so the next case finds the board as new.
    fn drop(&mut self) {
        let s = &self.s;
        let chans = *lock(&self.chans);
        for (chn, undo) in (0u32..).zip(chans) {
            // SAFETY: plain integers, each call undoing one that succeeded.
            unsafe {
                if undo.started {
                    (s.stop_chn)(chn);
                }
                if undo.created {
                    (s.destroy_chn)(chn);
                }
                if undo.attached {
                    (s.detach_vb_pool)(chn);
                }
                if undo.requested {
                    (s.release_chn)(chn);
                }
            }
        }
        for (_, handle) in lock(&self.blocks).drain() {
            // SAFETY: a handle this board got.
            unsafe { (s.vb_release_block)(handle) };
        }
        for (pool, _) in lock(&self.pools).drain() {
            // SAFETY: a pool this board made.
            unsafe { (s.vb_destroy_pool)(pool) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_turn_is_given_back_on_drop_and_a_held_one_times_out() {
        let turn = Arc::new(Turn::default());
        let first = OwnedTurn::take_within(Arc::clone(&turn), Duration::from_millis(50)).unwrap();
        let e = OwnedTurn::take_within(Arc::clone(&turn), Duration::from_millis(50))
            .err()
            .expect("held");
        assert!(e.contains("still held by an earlier case"), "{e}");
        drop(first);
        assert!(OwnedTurn::take_within(turn, Duration::from_millis(50)).is_ok());
    }
}
