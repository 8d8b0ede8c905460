//! Media memory (MMZ): a physical address space of 4 KiB-aligned blocks, grouped in VB pools,
//! readable and writable by address as `uctypes.bytearray_at` does on the board.
//!
//! Invariant: a read or write must fall inside one block; blocks never overlap; a block's bytes
//! are behind its own lock, so the codec can read a plane in place while other blocks are written.
//!
//! Address ranges are reused, through a quarantine: a freed range stays unmapped (a stale
//! address fails) until [`QUARANTINE_BYTES`] of newer frees push it out, or until an allocation
//! finds no other room; only then does first-fit hand it out again. So a long-lived process never
//! runs out of its window by freeing and allocating, and a use-after-free of anything freed
//! recently is still an error, not a read of someone else's data.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, PoisonError, RwLock};
use venc_core::fault::{FaultPoint, Faults};
use venc_core::layout::align_up;
use venc_core::{K230, MemError, PoolId};

/// First physical address handed out (inside the K230's DDR window).
pub const MMZ_BASE: u64 = 0x1000_0000;
/// Size of the simulated media-memory window (the K230 boards carry 512 MiB to 2 GiB).
pub const MMZ_SIZE: u64 = 2 << 30;
/// Freed bytes held back from reuse, newest first out last (a quarter of the window).
pub const QUARANTINE_BYTES: u64 = MMZ_SIZE / 4;

#[derive(Debug)]
struct Block {
    addr: u64,
    /// Byte length; fixed, so lookups need not lock the bytes.
    size: u64,
    pool: Option<PoolId>,
    bytes: RwLock<PageBytes>,
}

/// A block's bytes at a page-aligned host address, as a board's mapping is: a host pointer
/// into them sits at its physical address's offset within the 4 KiB page, so a program that
/// aligns a mapped pointer and carries the distance over to the physical address
/// (`phys + (virt_u - virt_y)`, as the SDK's `sample_nonai_2d` does) lands on the same byte.
/// One page more is taken and the bytes start at its boundary: the allocation stays a zeroed
/// `calloc`, whose pages the host maps lazily (an aligned allocation would be written whole).
struct PageBytes {
    buf: Box<[u8]>,
    start: usize,
    len: usize,
}

impl PageBytes {
    const PAGE: usize = 4096;

    fn zeroed(len: usize) -> Self {
        let buf = vec![0u8; len + Self::PAGE - 1].into_boxed_slice();
        // A boxed slice never moves its bytes, so the boundary found now stays one.
        let start = (Self::PAGE - buf.as_ptr() as usize % Self::PAGE) % Self::PAGE;
        Self { buf, start, len }
    }
}

impl std::ops::Deref for PageBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[self.start..self.start + self.len]
    }
}

impl std::ops::DerefMut for PageBytes {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.buf[self.start..self.start + self.len]
    }
}

impl std::fmt::Debug for PageBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PageBytes({} bytes)", self.len)
    }
}

/// A host pointer into one block ([`MediaMemory::host_window`]).
///
/// *Invariant:* like a board's `mmap`, nothing orders a program's writes through the pointer
/// with the encoder's reads but the program's own calls: it fills a frame, then sends it.
#[derive(Debug)]
pub struct HostWindow {
    _block: Arc<Block>,
    ptr: *mut u8,
}

// SAFETY: the pointer is into heap bytes the window keeps alive; the window itself never
// dereferences it, it only hands it to the C program that asked for the mapping.
unsafe impl Send for HostWindow {}
// SAFETY: as above: shared references to the window only read the pointer's value.
unsafe impl Sync for HostWindow {}

impl HostWindow {
    /// The host address of the range's first byte.
    pub fn ptr(&self) -> *mut u8 {
        self.ptr
    }
}

#[derive(Debug)]
struct Pool {
    blk_size: u64,
    blocks: Vec<u64>,
    free: VecDeque<u64>,
}

/// The window's address ranges: free (reusable), quarantined (freed, not yet reusable), and
/// what is mapped in between.
#[derive(Debug)]
struct Ranges {
    /// Free ranges by start address, coalesced: `start -> len`.
    free: BTreeMap<u64, u64>,
    /// Freed ranges, oldest first.
    quarantine: VecDeque<(u64, u64)>,
    quarantined: u64,
}

impl Ranges {
    fn new() -> Self {
        Self {
            free: BTreeMap::from([(MMZ_BASE, MMZ_SIZE)]),
            quarantine: VecDeque::new(),
            quarantined: 0,
        }
    }

    /// The lowest free range that holds `span` bytes, taken out of the free list.
    fn first_fit(&mut self, span: u64) -> Option<u64> {
        let (&start, &len) = self.free.iter().find(|&(_, &len)| len >= span)?;
        self.free.remove(&start);
        if len > span {
            self.free.insert(start + span, len - span);
        }
        Some(start)
    }

    /// Takes `span` bytes: from the free list, else by releasing the quarantine oldest first.
    fn take(&mut self, span: u64) -> Option<u64> {
        loop {
            if let Some(addr) = self.first_fit(span) {
                return Some(addr);
            }
            let (addr, len) = self.quarantine.pop_front()?;
            self.quarantined -= len;
            self.release(addr, len);
        }
    }

    /// A range freed: quarantined, and the oldest ranges past the limit become free.
    fn retire(&mut self, addr: u64, len: u64) {
        self.quarantine.push_back((addr, len));
        self.quarantined += len;
        while self.quarantined > QUARANTINE_BYTES {
            let Some((a, l)) = self.quarantine.pop_front() else {
                break;
            };
            self.quarantined -= l;
            self.release(a, l);
        }
    }

    /// Puts a range back on the free list, merged with its neighbours.
    fn release(&mut self, mut addr: u64, mut len: u64) {
        if let Some((&prev, &prev_len)) = self.free.range(..addr).next_back()
            && prev + prev_len == addr
        {
            self.free.remove(&prev);
            addr = prev;
            len += prev_len;
        }
        if let Some(next_len) = self.free.remove(&(addr + len)) {
            len += next_len;
        }
        self.free.insert(addr, len);
    }
}

#[derive(Debug)]
struct Map {
    blocks: BTreeMap<u64, Arc<Block>>,
    pools: HashMap<PoolId, Pool>,
    ranges: Ranges,
    next_pool: PoolId,
    bytes_mapped: u64,
}

/// The simulated media memory of one board.
#[derive(Debug)]
pub struct MediaMemory {
    map: RwLock<Map>,
    /// Armed `mem-exhausted` faults strike allocations here.
    faults: Arc<Faults>,
}

impl Default for MediaMemory {
    fn default() -> Self {
        Self::new()
    }
}

fn lock_err<T>(e: PoisonError<T>) -> T {
    e.into_inner()
}

impl MediaMemory {
    /// An empty address space.
    pub fn new() -> Self {
        Self::with_faults(Arc::default())
    }

    /// An empty address space whose allocations answer the board's armed faults.
    pub fn with_faults(faults: Arc<Faults>) -> Self {
        Self {
            faults,
            map: RwLock::new(Map {
                blocks: BTreeMap::new(),
                pools: HashMap::new(),
                ranges: Ranges::new(),
                next_pool: 0,
                bytes_mapped: 0,
            }),
        }
    }

    /// The error an armed `mem-exhausted` fault gives an allocation of `size` bytes, if one strikes.
    fn injected_exhaustion(&self, size: u64, what: &str) -> Result<(), MemError> {
        match self
            .faults
            .strike(FaultPoint::Alloc, format_args!("{what} of {size} bytes"))
        {
            Some(_) => Err(MemError::Invalid(format!(
                "media memory exhausted (injected fault): {size} more bytes asked"
            ))),
            None => Ok(()),
        }
    }

    fn alloc_block(map: &mut Map, size: u64, pool: Option<PoolId>) -> Result<u64, MemError> {
        if size == 0 {
            return Err(MemError::Invalid("block size 0".into()));
        }
        let exhausted = || {
            MemError::Invalid(format!(
                "media memory exhausted: {} MiB of {} MiB mapped, {size} more bytes asked",
                map.bytes_mapped >> 20,
                MMZ_SIZE >> 20
            ))
        };
        let span = size
            .checked_next_multiple_of(K230.block_align)
            .filter(|&s| s <= MMZ_SIZE)
            .ok_or_else(exhausted)?;
        let addr = map.ranges.take(span).ok_or_else(exhausted)?;
        map.bytes_mapped += span;
        let bytes = PageBytes::zeroed(size as usize);
        map.blocks.insert(
            addr,
            Arc::new(Block {
                addr,
                size,
                pool,
                bytes: RwLock::new(bytes),
            }),
        );
        Ok(addr)
    }

    /// A block's range leaves the map: into the quarantine, reusable later.
    fn unmap(map: &mut Map, addr: u64, span: u64) {
        map.bytes_mapped -= span;
        map.ranges.retire(addr, span);
    }

    /// `kd_mpi_sys_mmz_alloc`: one standalone 4 KiB-aligned block.
    pub fn alloc(&self, size: u64) -> Result<u64, MemError> {
        self.injected_exhaustion(size, "mmz_alloc")?;
        let mut map = self.map.write().unwrap_or_else(lock_err);
        Self::alloc_block(&mut map, size, None)
    }

    /// `kd_mpi_sys_mmz_free`.
    pub fn free(&self, addr: u64) -> Result<(), MemError> {
        let mut map = self.map.write().unwrap_or_else(lock_err);
        match map.blocks.get(&addr) {
            Some(b) if b.pool.is_none() => {
                let span = align_up(b.size, K230.block_align);
                map.blocks.remove(&addr);
                Self::unmap(&mut map, addr, span);
                Ok(())
            }
            _ => Err(MemError::BadAddress { addr, len: 0 }),
        }
    }

    /// `kd_mpi_vb_create_pool`.
    pub fn create_pool(&self, blk_size: u64, blk_cnt: u32) -> Result<PoolId, MemError> {
        if blk_cnt == 0 || blk_cnt > K230.max_blocks_per_pool {
            return Err(MemError::Invalid(format!(
                "block count {blk_cnt} outside 1..={}",
                K230.max_blocks_per_pool
            )));
        }
        self.injected_exhaustion(
            blk_size.saturating_mul(u64::from(blk_cnt)),
            "vb_create_pool",
        )?;
        let mut map = self.map.write().unwrap_or_else(lock_err);
        let id = map.next_pool;
        let mut blocks = Vec::with_capacity(blk_cnt as usize);
        for _ in 0..blk_cnt {
            match Self::alloc_block(&mut map, blk_size, Some(id)) {
                Ok(a) => blocks.push(a),
                Err(e) => {
                    let span = align_up(blk_size, K230.block_align);
                    for a in blocks {
                        map.blocks.remove(&a);
                        Self::unmap(&mut map, a, span);
                    }
                    return Err(e);
                }
            }
        }
        map.next_pool += 1;
        map.pools.insert(
            id,
            Pool {
                blk_size,
                free: blocks.iter().copied().collect(),
                blocks,
            },
        );
        Ok(id)
    }

    /// `kd_mpi_vb_destory_pool`: its blocks become unmapped.
    pub fn destroy_pool(&self, pool: PoolId) -> Result<(), MemError> {
        let mut map = self.map.write().unwrap_or_else(lock_err);
        let p = map.pools.remove(&pool).ok_or(MemError::NoPool(pool))?;
        let span = align_up(p.blk_size, K230.block_align);
        for &a in &p.blocks {
            map.blocks.remove(&a);
            Self::unmap(&mut map, a, span);
        }
        Ok(())
    }

    /// VB pools that exist now.
    pub fn pool_count(&self) -> usize {
        self.map.read().unwrap_or_else(lock_err).pools.len()
    }

    /// Blocks of a pool and their size.
    pub fn pool_blocks(&self, pool: PoolId) -> Result<(u64, Vec<u64>), MemError> {
        let map = self.map.read().unwrap_or_else(lock_err);
        let p = map.pools.get(&pool).ok_or(MemError::NoPool(pool))?;
        Ok((p.blk_size, p.blocks.clone()))
    }

    /// The address of a pool's `index`-th block (no copy of the block list: programs turn
    /// handles into addresses once per frame).
    pub fn pool_block(&self, pool: PoolId, index: usize) -> Option<u64> {
        let map = self.map.read().unwrap_or_else(lock_err);
        map.pools.get(&pool)?.blocks.get(index).copied()
    }

    /// A pool's block size, free blocks and all blocks.
    pub fn pool_usage(&self, pool: PoolId) -> Result<(u64, usize, usize), MemError> {
        let map = self.map.read().unwrap_or_else(lock_err);
        let p = map.pools.get(&pool).ok_or(MemError::NoPool(pool))?;
        Ok((p.blk_size, p.free.len(), p.blocks.len()))
    }

    /// The block holding `addr`: its start and its pool (`None` for an `mmz_alloc` block).
    pub fn block_home(&self, addr: u64) -> Option<(u64, Option<PoolId>)> {
        let (block, _) = self.block_for(addr, 1).ok()?;
        Some((block.addr, block.pool))
    }

    /// A host pointer to `[addr, addr+len)`, as `kd_mpi_sys_mmap` gives a C program: the block
    /// stays alive while the window is held, even if its pool is destroyed (the board's
    /// mapping outlives the pool too; the program's later writes land in the old bytes only).
    pub fn host_window(&self, addr: u64, len: u64) -> Result<HostWindow, MemError> {
        let (block, off) = self.block_for(addr, len)?;
        let base = block.bytes.write().unwrap_or_else(lock_err).as_mut_ptr();
        // SAFETY: `off + len <= block.size` (block_for), so the pointer stays inside the
        // block's allocation, which the window's Arc keeps alive.
        let ptr = unsafe { base.add(off) };
        Ok(HostWindow { _block: block, ptr })
    }

    /// `kd_mpi_vb_get_block`.
    pub fn get_block(&self, pool: PoolId) -> Result<u64, MemError> {
        let mut map = self.map.write().unwrap_or_else(lock_err);
        let p = map.pools.get_mut(&pool).ok_or(MemError::NoPool(pool))?;
        p.free.pop_front().ok_or(MemError::PoolExhausted(pool))
    }

    /// `kd_mpi_vb_release_block`.
    pub fn release_block(&self, addr: u64) -> Result<(), MemError> {
        let mut map = self.map.write().unwrap_or_else(lock_err);
        let pool = map
            .blocks
            .get(&addr)
            .and_then(|b| b.pool)
            .ok_or(MemError::BadAddress { addr, len: 0 })?;
        let p = map.pools.get_mut(&pool).ok_or(MemError::NoPool(pool))?;
        if p.free.contains(&addr) {
            return Err(MemError::Invalid(format!(
                "block 0x{addr:x} released twice"
            )));
        }
        p.free.push_back(addr);
        Ok(())
    }

    fn block_for(&self, addr: u64, len: u64) -> Result<(Arc<Block>, usize), MemError> {
        let bad = MemError::BadAddress { addr, len };
        let map = self.map.read().unwrap_or_else(lock_err);
        let (_, block) = map.blocks.range(..=addr).next_back().ok_or(bad.clone())?;
        let off = addr - block.addr;
        if off.checked_add(len).is_none_or(|end| end > block.size) {
            return Err(bad);
        }
        Ok((Arc::clone(block), off as usize))
    }

    /// Whether `[addr, addr+len)` lies inside one mapped block.
    pub fn is_mapped(&self, addr: u64, len: u64) -> bool {
        self.block_for(addr, len).is_ok()
    }

    /// Reads `buf.len()` bytes at `addr`.
    pub fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        let (block, off) = self.block_for(addr, buf.len() as u64)?;
        let bytes = block.bytes.read().unwrap_or_else(lock_err);
        buf.copy_from_slice(&bytes[off..off + buf.len()]);
        Ok(())
    }

    /// Writes `data` at `addr`.
    pub fn write(&self, addr: u64, data: &[u8]) -> Result<(), MemError> {
        let (block, off) = self.block_for(addr, data.len() as u64)?;
        let mut bytes = block.bytes.write().unwrap_or_else(lock_err);
        bytes[off..off + data.len()].copy_from_slice(data);
        Ok(())
    }

    /// Runs `f` on `[addr, addr + len)` in place, writable (an image drawn where it lies).
    pub fn with_mut<R>(
        &self,
        addr: u64,
        len: u64,
        f: impl FnOnce(&mut [u8]) -> R,
    ) -> Result<R, MemError> {
        let (block, off) = self.block_for(addr, len)?;
        let mut bytes = block.bytes.write().unwrap_or_else(lock_err);
        Ok(f(&mut bytes[off..off + len as usize]))
    }

    /// Runs `f` on two ranges in place (no copy), e.g. the Y and UV planes of a frame. The ranges
    /// may share a block.
    pub fn with_two<R>(
        &self,
        (a, a_len): (u64, u64),
        (b, b_len): (u64, u64),
        f: impl FnOnce(&[u8], &[u8]) -> R,
    ) -> Result<R, MemError> {
        let (blk_a, off_a) = self.block_for(a, a_len)?;
        let (blk_b, off_b) = self.block_for(b, b_len)?;
        let (a_len, b_len) = (a_len as usize, b_len as usize);
        let guard_a = blk_a.bytes.read().unwrap_or_else(lock_err);
        if Arc::ptr_eq(&blk_a, &blk_b) {
            return Ok(f(
                &guard_a[off_a..off_a + a_len],
                &guard_a[off_b..off_b + b_len],
            ));
        }
        let guard_b = blk_b.bytes.read().unwrap_or_else(lock_err);
        Ok(f(
            &guard_a[off_a..off_a + a_len],
            &guard_b[off_b..off_b + b_len],
        ))
    }

    /// Bytes currently mapped (for RSS accounting in benchmarks).
    pub fn bytes_mapped(&self) -> u64 {
        self.map.read().unwrap_or_else(lock_err).bytes_mapped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_4k_aligned_and_bounded() {
        let m = MediaMemory::new();
        let a = m.alloc(100).unwrap();
        let b = m.alloc(5000).unwrap();
        assert_eq!(a % 4096, 0);
        assert_eq!(b % 4096, 0);
        assert_eq!(b - a, 4096);
        m.write(a + 10, &[1, 2, 3]).unwrap();
        let mut buf = [0u8; 3];
        m.read(a + 10, &mut buf).unwrap();
        assert_eq!(buf, [1, 2, 3]);
        assert!(matches!(
            m.read(a + 99, &mut buf),
            Err(MemError::BadAddress { .. })
        ));
        assert!(m.read(MMZ_BASE - 4096, &mut buf).is_err());
        m.free(a).unwrap();
        assert!(m.read(a, &mut buf).is_err(), "use after free is an error");
        assert!(m.free(a).is_err());
    }

    #[test]
    fn a_host_window_keeps_the_physical_addresss_offset_in_its_page() {
        let m = MediaMemory::new();
        let a = m.alloc(3 * 4096 + 100).unwrap();
        for off in [0u64, 16, 4095, 4096 + 8, 2 * 4096 + 77] {
            let w = m.host_window(a + off, 1).unwrap();
            assert_eq!(w.ptr() as u64 % 4096, (a + off) % 4096, "offset {off}");
        }
        // The bytes behind the window are the block's.
        m.write(a + 4096 + 8, &[42]).unwrap();
        let w = m.host_window(a + 4096 + 8, 1).unwrap();
        // SAFETY: the window holds the block alive and the byte is inside it.
        assert_eq!(unsafe { *w.ptr() }, 42);
    }

    #[test]
    fn pools_hand_out_and_take_back_blocks() {
        let m = MediaMemory::new();
        let p = m.create_pool(8192, 2).unwrap();
        let x = m.get_block(p).unwrap();
        let y = m.get_block(p).unwrap();
        assert_ne!(x, y);
        assert_eq!(m.get_block(p), Err(MemError::PoolExhausted(p)));
        m.release_block(x).unwrap();
        assert!(m.release_block(x).is_err(), "double release");
        assert_eq!(m.get_block(p).unwrap(), x);
        assert!(m.create_pool(4096, 0).is_err());
        assert!(m.create_pool(4096, 257).is_err());
        assert!(m.create_pool(0, 1).is_err());
        m.destroy_pool(p).unwrap();
        assert!(!m.is_mapped(x, 1));
        assert_eq!(m.destroy_pool(p), Err(MemError::NoPool(p)));
    }

    #[test]
    fn address_space_is_finite() {
        let m = MediaMemory::new();
        assert!(m.alloc(MMZ_SIZE + 1).is_err());
    }

    #[test]
    fn freed_ranges_come_back_after_the_quarantine_and_stale_addresses_still_fail() {
        let m = MediaMemory::new();
        // 64 MiB get/free, 100 times: far more than the window, as a long-lived script does.
        let mut seen = Vec::new();
        for _ in 0..100 {
            let a = m.alloc(64 << 20).expect("room after frees");
            seen.push(a);
            m.free(a).unwrap();
            let mut b = [0u8; 1];
            assert!(m.read(a, &mut b).is_err(), "freed just now: stale");
        }
        assert_eq!(m.bytes_mapped(), 0);
        // The first addresses are reused only once a quarter of the window was freed after them.
        let first_reuse = seen
            .iter()
            .skip(1)
            .position(|&a| a == seen[0])
            .expect("reused");
        assert!(
            (first_reuse as u64 + 1) * (64 << 20) > QUARANTINE_BYTES,
            "reused after {first_reuse} frees"
        );
        // Pools too: 40 × 128 MiB created and destroyed, two and a half windows' worth.
        for _ in 0..40 {
            let p = m.create_pool(8 << 20, 16).unwrap();
            m.destroy_pool(p).unwrap();
        }
        // A 1 GiB pool freed leaves room for another, even with the quarantine full.
        let big = m.create_pool(64 << 20, 16).unwrap();
        m.destroy_pool(big).unwrap();
        let again = m.create_pool(64 << 20, 30).unwrap();
        m.destroy_pool(again).unwrap();
    }

    #[test]
    fn the_window_is_the_limit_and_free_neighbours_merge() {
        let m = MediaMemory::new();
        let half = m.alloc(MMZ_SIZE / 2).unwrap();
        let quarter = m.alloc(MMZ_SIZE / 4).unwrap();
        let rest = m.alloc(MMZ_SIZE / 4).unwrap();
        let e = m.alloc(4096).expect_err("full");
        assert!(e.to_string().contains("exhausted"), "{e}");
        m.free(half).unwrap();
        m.free(quarter).unwrap();
        // Three quarters freed in two ranges that touch: one allocation of that size fits.
        let big = m.alloc(MMZ_SIZE / 4 * 3).expect("merged");
        assert_eq!(big, half);
        m.free(big).unwrap();
        m.free(rest).unwrap();
        assert!(m.alloc(u64::MAX).is_err(), "no overflow");
        assert_eq!(m.alloc(MMZ_SIZE).unwrap(), MMZ_BASE);
    }
}
