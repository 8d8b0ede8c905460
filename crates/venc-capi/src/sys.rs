//! `kd_mpi_sys_mmap` and friends: host pointers into the simulator's media memory, so a C
//! program fills frames and reads packs in place, as through the board's `/dev/mem` mappings.

use crate::board::{Board, Mapping, board, guarded, lock};
use crate::codes;
use log::warn;
use std::ffi::{c_char, c_void};
use std::ptr::null_mut;

fn map(board: &Board, call: &str, phys: u64, size: u32) -> *mut c_void {
    let cached = call.ends_with("_cached");
    if size == 0 {
        warn!("{call}(0x{phys:x}, 0): nothing to map");
        return null_mut();
    }
    let window = match board.sim.memory().host_window(phys, u64::from(size)) {
        Ok(w) => w,
        Err(e) => {
            warn!("{call}(0x{phys:x}, {size}): {e}");
            return null_mut();
        }
    };
    let ptr = window.ptr();
    let mut maps = lock(&board.maps);
    let entry = maps.entry(ptr as usize).or_insert(Mapping {
        _window: window,
        phys,
        size,
        count: 0,
        cached,
    });
    entry.count += 1;
    entry.size = entry.size.max(size);
    ptr.cast()
}

static MUNMAP_SIZE_MISMATCHES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// `kd_mpi_sys_munmap` calls whose size was not the mapping's, since the process started.
pub fn munmap_size_mismatches() -> u64 {
    MUNMAP_SIZE_MISMATCHES.load(std::sync::atomic::Ordering::Relaxed)
}

fn unmap(board: &Board, call: &str, virt: *mut c_void, size: u32) -> i32 {
    let mut maps = lock(&board.maps);
    let Some(m) = maps.get_mut(&(virt as usize)) else {
        warn!("{call}({virt:p}, {size}): not an address kd_mpi_sys_mmap returned");
        return -1;
    };
    if size != m.size {
        MUNMAP_SIZE_MISMATCHES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if board.sim.options().strict {
            warn!(
                "{call}({virt:p}, {size}): mapped with {} bytes; refused (VENC_SIM_STRICT)",
                m.size
            );
            return -1;
        }
        warn!(
            "{call}({virt:p}, {size}): mapped with {} bytes; unmapped whole (on the board a \
             shorter size leaves the rest mapped, a longer one unmaps what follows)",
            m.size
        );
    }
    m.count -= 1;
    if m.count == 0 {
        maps.remove(&(virt as usize));
    }
    0
}

/// `kd_mpi_sys_mmap`: NULL when `[phy_addr, phy_addr+size)` is not inside one block.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_sys_mmap(phy_addr: u64, size: u32) -> *mut c_void {
    guarded("kd_mpi_sys_mmap", null_mut(), || match board() {
        Some(b) => map(b, "kd_mpi_sys_mmap", phy_addr, size),
        None => null_mut(),
    })
}

/// `kd_mpi_sys_mmap_cached`: the same window (media memory has no cache here).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_sys_mmap_cached(phy_addr: u64, size: u32) -> *mut c_void {
    guarded("kd_mpi_sys_mmap_cached", null_mut(), || match board() {
        Some(b) => map(b, "kd_mpi_sys_mmap_cached", phy_addr, size),
        None => null_mut(),
    })
}

/// `kd_mpi_sys_munmap`: 0, or -1 for an address no `mmap` returned.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_sys_munmap(virt_addr: *mut c_void, size: u32) -> i32 {
    guarded("kd_mpi_sys_munmap", -1, || match board() {
        Some(b) => unmap(b, "kd_mpi_sys_munmap", virt_addr, size),
        None => -1,
    })
}

/// `kd_mpi_sys_mmz_flush_cache`: nothing to flush; the range must be media memory
/// (`phy_addr` 0: the whole cache).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_sys_mmz_flush_cache(
    phy_addr: u64,
    virt_addr: *mut c_void,
    size: u32,
) -> i32 {
    guarded("kd_mpi_sys_mmz_flush_cache", codes::sys::BADADDR, || {
        let Some(board) = board() else {
            return codes::sys::BADADDR;
        };
        if virt_addr.is_null() {
            return codes::sys::NULL_PTR;
        }
        if phy_addr != 0 && !board.sim.memory().is_mapped(phy_addr, u64::from(size)) {
            warn!("kd_mpi_sys_mmz_flush_cache(0x{phy_addr:x}, {size}): not media memory");
            return codes::sys::BADADDR;
        }
        0
    })
}

fn mmz_alloc(call: &str, phy_addr: *mut u64, virt_addr: *mut *mut c_void, len: u32) -> i32 {
    let Some(board) = board() else {
        return codes::mmz::NOMEM;
    };
    if phy_addr.is_null() || virt_addr.is_null() {
        return codes::mmz::NULL_PTR;
    }
    if len == 0 {
        warn!("{call}: length 0");
        return codes::mmz::ILLEGAL_PARAM;
    }
    let mem = board.sim.memory();
    let phys = match mem.alloc(u64::from(len)) {
        Ok(p) => p,
        Err(e) => {
            warn!("{call}({len}): {e}");
            return codes::mmz::NOMEM;
        }
    };
    let virt = map(board, call, phys, len);
    if virt.is_null() {
        let _ = mem.free(phys);
        return codes::mmz::NOMEM;
    }
    // SAFETY: both pointers were checked non-NULL; the caller passes writable ones.
    unsafe {
        phy_addr.write(phys);
        virt_addr.write(virt);
    }
    0
}

/// `kd_mpi_sys_mmz_alloc`: a standalone block of media memory, mapped.
///
/// # Safety
/// `phy_addr` and `virt_addr` are NULL or writable; `mmb` and `zone` are not read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_sys_mmz_alloc(
    phy_addr: *mut u64,
    virt_addr: *mut *mut c_void,
    mmb: *const c_char,
    zone: *const c_char,
    len: u32,
) -> i32 {
    let _ = (mmb, zone);
    guarded("kd_mpi_sys_mmz_alloc", codes::mmz::NOMEM, || {
        mmz_alloc("kd_mpi_sys_mmz_alloc", phy_addr, virt_addr, len)
    })
}

/// `kd_mpi_sys_mmz_alloc_cached`: as `kd_mpi_sys_mmz_alloc` (no cache here).
///
/// # Safety
/// As [`kd_mpi_sys_mmz_alloc`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_sys_mmz_alloc_cached(
    phy_addr: *mut u64,
    virt_addr: *mut *mut c_void,
    mmb: *const c_char,
    zone: *const c_char,
    len: u32,
) -> i32 {
    let _ = (mmb, zone);
    guarded("kd_mpi_sys_mmz_alloc_cached", codes::mmz::NOMEM, || {
        mmz_alloc("kd_mpi_sys_mmz_alloc_cached", phy_addr, virt_addr, len)
    })
}

/// `kd_mpi_sys_mmz_free`: frees an `mmz_alloc` block and drops its mapping (`virt_addr`).
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_sys_mmz_free(phy_addr: u64, virt_addr: *mut c_void) -> i32 {
    guarded("kd_mpi_sys_mmz_free", codes::mmz::BADADDR, || {
        let Some(board) = board() else {
            return codes::mmz::BADADDR;
        };
        if let Err(e) = board.sim.memory().free(phy_addr) {
            warn!("kd_mpi_sys_mmz_free(0x{phy_addr:x}): {e}");
            return codes::mmz::BADADDR;
        }
        if !virt_addr.is_null() {
            lock(&board.maps).remove(&(virt_addr as usize));
        }
        0
    })
}

/// `k_sys_virmem_info`: the media-memory address behind a mapped address, and whether the
/// mapping is cached.
#[doc(alias = "k_sys_virmem_info")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SysVirmemInfo {
    pub phy_addr: u64,
    pub cached: u32,
}

const _: () = assert!(size_of::<SysVirmemInfo>() == 16);

/// `kd_mpi_sys_get_virmem_info`: the physical address and cache mode of any address inside a
/// mapping `kd_mpi_sys_mmap[_cached]` or `kd_mpi_sys_mmz_alloc[_cached]` made; BADADDR for
/// another address.
///
/// # Safety
/// `mem_info` is NULL or points to a writable `k_sys_virmem_info`; `virt_addr` is not read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_sys_get_virmem_info(
    virt_addr: *const c_void,
    mem_info: *mut SysVirmemInfo,
) -> i32 {
    guarded("kd_mpi_sys_get_virmem_info", codes::sys::BADADDR, || {
        let Some(board) = board() else {
            return codes::sys::BADADDR;
        };
        // SAFETY: NULL or writable, by the caller's contract.
        let Some(out) = (unsafe { mem_info.as_mut() }) else {
            return codes::sys::NULL_PTR;
        };
        let addr = virt_addr as usize;
        let maps = lock(&board.maps);
        let hit = maps
            .iter()
            .find(|(base, m)| (**base..**base + m.size as usize).contains(&addr));
        match hit {
            Some((base, m)) => {
                *out = SysVirmemInfo {
                    phy_addr: m.phys + (addr - base) as u64,
                    cached: u32::from(m.cached),
                };
                0
            }
            None => {
                warn!("kd_mpi_sys_get_virmem_info({virt_addr:p}): not inside a mapping");
                codes::sys::BADADDR
            }
        }
    })
}
