//! Media memory (MMZ): a physical address space of 4 KiB-aligned blocks, grouped in VB pools,
//! readable and writable by address as `uctypes.bytearray_at` does on the board.
//!
//! Invariant: a read or write must fall inside one block; blocks never overlap; a block's bytes
//! are behind its own lock, so the codec can read a plane in place while other blocks are written.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, PoisonError, RwLock};
use venc_core::layout::align_up;
use venc_core::{K230, MemError, PoolId};

/// First physical address handed out (inside the K230's DDR window).
pub const MMZ_BASE: u64 = 0x1000_0000;
/// Size of the simulated media-memory window (the K230 boards carry 512 MiB to 2 GiB).
pub const MMZ_SIZE: u64 = 2 << 30;

#[derive(Debug)]
struct Block {
    addr: u64,
    /// Byte length; fixed, so lookups need not lock the bytes.
    size: u64,
    pool: Option<PoolId>,
    bytes: RwLock<Box<[u8]>>,
}

#[derive(Debug)]
struct Pool {
    blk_size: u64,
    blocks: Vec<u64>,
    free: VecDeque<u64>,
}

#[derive(Debug, Default)]
struct Map {
    blocks: BTreeMap<u64, Arc<Block>>,
    pools: HashMap<PoolId, Pool>,
    next_addr: u64,
    next_pool: PoolId,
    /// Freed address ranges are not reused: a stale address stays invalid, which makes
    /// use-after-free show up as an error instead of silently reading new data.
    bytes_mapped: u64,
}

/// The simulated media memory of one board.
#[derive(Debug)]
pub struct MediaMemory {
    map: RwLock<Map>,
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
        Self {
            map: RwLock::new(Map {
                next_addr: MMZ_BASE,
                ..Map::default()
            }),
        }
    }

    fn alloc_block(map: &mut Map, size: u64, pool: Option<PoolId>) -> Result<u64, MemError> {
        if size == 0 {
            return Err(MemError::Invalid("block size 0".into()));
        }
        let span = align_up(size, K230.block_align);
        if map.next_addr + span > MMZ_BASE + MMZ_SIZE {
            return Err(MemError::Invalid(format!(
                "media memory exhausted: {} MiB mapped, {size} more bytes asked",
                map.bytes_mapped >> 20
            )));
        }
        let addr = map.next_addr;
        map.next_addr += span;
        map.bytes_mapped += span;
        let bytes = vec![0u8; size as usize].into_boxed_slice();
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

    /// `kd_mpi_sys_mmz_alloc`: one standalone 4 KiB-aligned block.
    pub fn alloc(&self, size: u64) -> Result<u64, MemError> {
        let mut map = self.map.write().unwrap_or_else(lock_err);
        Self::alloc_block(&mut map, size, None)
    }

    /// `kd_mpi_sys_mmz_free`.
    pub fn free(&self, addr: u64) -> Result<(), MemError> {
        let mut map = self.map.write().unwrap_or_else(lock_err);
        match map.blocks.get(&addr) {
            Some(b) if b.pool.is_none() => {
                map.bytes_mapped -= align_up(b.size, K230.block_align);
                map.blocks.remove(&addr);
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
        let mut map = self.map.write().unwrap_or_else(lock_err);
        let id = map.next_pool;
        let mut blocks = Vec::with_capacity(blk_cnt as usize);
        for _ in 0..blk_cnt {
            match Self::alloc_block(&mut map, blk_size, Some(id)) {
                Ok(a) => blocks.push(a),
                Err(e) => {
                    for a in blocks {
                        map.blocks.remove(&a);
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
        for a in &p.blocks {
            map.blocks.remove(a);
            map.bytes_mapped -= align_up(p.blk_size, K230.block_align);
        }
        Ok(())
    }

    /// Block size and every block address of a pool.
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
}
