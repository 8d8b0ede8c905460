//! `kd_mpi_vb_*`: the SDK's common pools (configured, then made by `vb_init`) and private
//! pools, over the simulator's media memory. A block handle is the pool id in the high 16 bits
//! and the block's index in its pool in the low 16 (`k_vb_comm.h`). The frames' supplement
//! areas are in [`supplement`], the modules' common pools in [`module_pools`].

use crate::abi::{VbConfig, VbPoolConfig};
use crate::board::{Board, board, guarded, lock};
use crate::codes;
use log::warn;
use venc_core::{MemError, Mpi, PoolId};

pub mod module_pools;
pub mod supplement;

/// `VB_INVALID_POOLID` / `VB_INVALID_HANDLE`.
pub const VB_INVALID: u32 = u32::MAX;
/// `VB_MAX_POOLS`.
const VB_MAX_POOLS: u32 = 256;

/// What `kd_mpi_vb_set_config` and `kd_mpi_vb_init` left.
#[derive(Debug, Default)]
pub(crate) struct Vb {
    config: Option<VbConfig>,
    /// The common pools `vb_init` made, in configuration order.
    common: Vec<PoolId>,
    inited: bool,
    /// `VB_SUPPLEMENT_*` bits: what each block carries beside its picture.
    supplement_mask: u32,
    /// Per block (by address), its supplement area, made when first asked for.
    supplements: std::collections::HashMap<u64, u64>,
    /// Per module (`k_vb_uid`), its common-pool configuration and the pools made from it.
    module_configs: std::collections::BTreeMap<u32, VbConfig>,
    module_pools: std::collections::BTreeMap<u32, Vec<PoolId>>,
}

impl Vb {
    /// A pool `vb_init` or `init_mod_common_pool` made (no program destroys those).
    pub(crate) fn is_common(&self, pool: PoolId) -> bool {
        self.common.contains(&pool) || self.module_pools.values().flatten().any(|&p| p == pool)
    }
}

/// Destroys `pools`, after freeing the supplement areas of their blocks.
fn destroy_pools(board: &Board, vb: &mut Vb, pools: &[PoolId]) {
    let mem = board.sim.memory();
    for &pool in pools {
        if let Ok((_, blocks)) = mem.pool_blocks(pool) {
            for block in blocks {
                if let Some(area) = vb.supplements.remove(&block) {
                    let _ = mem.free(area);
                }
            }
        }
        let _ = board.sim.destroy_pool(pool);
    }
}

/// Which of `pools` still has blocks taken: its block size, taken and total counts.
fn busy_pool(board: &Board, pools: &[PoolId]) -> Option<(PoolId, u64, usize, usize)> {
    let mem = board.sim.memory();
    pools.iter().find_map(|&pool| match mem.pool_usage(pool) {
        Ok((blk, free, total)) if free < total => Some((pool, blk, total - free, total)),
        _ => None,
    })
}

/// Makes one pool per configured entry of `config`; none if one fails.
fn make_pools(board: &Board, call: &str, config: &VbConfig) -> Result<Vec<PoolId>, i32> {
    let mut made = Vec::new();
    for p in configured_pools(config) {
        match board.sim.create_pool(p.blk_size, p.blk_cnt) {
            Ok(id) => made.push(id),
            Err(e) => {
                warn!(
                    "{call}: common pool of {} x {} bytes: {e}",
                    p.blk_cnt, p.blk_size
                );
                for id in made {
                    let _ = board.sim.destroy_pool(id);
                }
                return Err(codes::vb::NOMEM);
            }
        }
    }
    Ok(made)
}

/// A `k_vb_config` a program may set: 1..=256 pools, no block of 0 bytes.
fn check_config(call: &str, config: &VbConfig) -> Result<(), i32> {
    if config.max_pool_cnt == 0 || config.max_pool_cnt > VB_MAX_POOLS {
        warn!(
            "{call}: max_pool_cnt {} outside 1..={VB_MAX_POOLS}",
            config.max_pool_cnt
        );
        return Err(codes::vb::ILLEGAL_PARAM);
    }
    if let Some((i, p)) = config
        .comm_pool
        .iter()
        .enumerate()
        .find(|(_, p)| p.blk_cnt > 0 && p.blk_size == 0)
    {
        warn!("{call}: comm_pool[{i}] has {} blocks of 0 bytes", p.blk_cnt);
        return Err(codes::vb::ILLEGAL_PARAM);
    }
    Ok(())
}

fn configured_pools(config: &VbConfig) -> impl Iterator<Item = &VbPoolConfig> {
    config.comm_pool.iter().filter(|p| p.blk_cnt > 0)
}

/// Whether `pool` holds a VENC channel's stream buffers: on the board those are common-pool
/// blocks and no pool of their own, so to a program such a pool does not exist.
fn is_stream_pool(board: &Board, pool: PoolId) -> bool {
    lock(&board.stream_bufs)
        .iter()
        .flatten()
        .any(|b| b.pool() == pool)
}

/// The handle of the block at `phys` (anywhere inside it).
pub(crate) fn handle_of(board: &Board, phys: u64) -> Option<u32> {
    let mem = board.sim.memory();
    let (start, pool) = mem.block_home(phys)?;
    let pool = pool?;
    let (_, blocks) = mem.pool_blocks(pool).ok()?;
    let index = blocks.iter().position(|&b| b == start)?;
    (pool <= 0xffff && index <= 0xffff).then_some((pool << 16) | index as u32)
}

/// The address of the block a handle names.
pub(crate) fn phys_of(board: &Board, handle: u32) -> Option<u64> {
    board
        .sim
        .memory()
        .pool_block(handle >> 16, (handle & 0xffff) as usize)
}

/// A free block of at least `size` bytes from the common pools, smallest blocks first.
pub(crate) fn take_common(board: &Board, vb: &Vb, size: u64) -> Result<u64, MemError> {
    let mem = board.sim.memory();
    let mut fitting: Vec<(u64, PoolId)> = vb
        .common
        .iter()
        .filter_map(|&p| mem.pool_usage(p).ok().map(|(blk, ..)| (blk, p)))
        .filter(|&(blk, _)| blk >= size)
        .collect();
    fitting.sort_unstable();
    for (_, pool) in &fitting {
        if let Ok(addr) = board.sim.get_block(*pool) {
            return Ok(addr);
        }
    }
    Err(MemError::Invalid(format!(
        "no common pool has a free block of {size} bytes ({} pools hold blocks that large)",
        fitting.len()
    )))
}

/// `kd_mpi_vb_set_config`: only before `kd_mpi_vb_init`.
///
/// # Safety
/// `config` is NULL or points to a `k_vb_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vb_set_config(config: *const VbConfig) -> i32 {
    guarded("kd_mpi_vb_set_config", codes::vb::NOTREADY, || {
        let Some(board) = board() else {
            return codes::vb::NOTREADY;
        };
        // SAFETY: the caller passes NULL or a valid k_vb_config.
        let Some(config) = (unsafe { config.as_ref() }) else {
            return codes::vb::NULL_PTR;
        };
        let mut vb = lock(&board.vb);
        if vb.inited {
            warn!("kd_mpi_vb_set_config: the VB is initialised; configure before kd_mpi_vb_init");
            return codes::vb::BUSY;
        }
        if let Err(code) = check_config("kd_mpi_vb_set_config", config) {
            return code;
        }
        vb.config = Some(*config);
        0
    })
}

/// `kd_mpi_vb_get_config`.
///
/// # Safety
/// `config` is NULL or points to writable `k_vb_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vb_get_config(config: *mut VbConfig) -> i32 {
    guarded("kd_mpi_vb_get_config", codes::vb::NOTREADY, || {
        let Some(board) = board() else {
            return codes::vb::NOTREADY;
        };
        // SAFETY: the caller passes NULL or a writable k_vb_config.
        let Some(out) = (unsafe { config.as_mut() }) else {
            return codes::vb::NULL_PTR;
        };
        match lock(&board.vb).config {
            Some(c) => {
                *out = c;
                0
            }
            None => codes::vb::NOTREADY,
        }
    })
}

/// `kd_mpi_vb_init`: makes the configured common pools. Again while initialised: 0.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vb_init() -> i32 {
    guarded("kd_mpi_vb_init", codes::vb::NOTREADY, || {
        let Some(board) = board() else {
            return codes::vb::NOTREADY;
        };
        let mut vb = lock(&board.vb);
        if vb.inited {
            return 0;
        }
        let Some(config) = vb.config else {
            warn!("kd_mpi_vb_init: no configuration: call kd_mpi_vb_set_config first");
            return codes::vb::NOTREADY;
        };
        let made = match make_pools(board, "kd_mpi_vb_init", &config) {
            Ok(made) => made,
            Err(code) => return code,
        };
        vb.common = made;
        vb.inited = true;
        0
    })
}

/// `kd_mpi_vb_exit`: fails while a common block is taken; the configuration stays.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vb_exit() -> i32 {
    guarded("kd_mpi_vb_exit", codes::vb::NOTREADY, || {
        let Some(board) = board() else {
            return codes::vb::NOTREADY;
        };
        let mut vb = lock(&board.vb);
        if !vb.inited {
            return 0;
        }
        if let Some((&uid, _)) = vb.module_pools.iter().next() {
            warn!(
                "kd_mpi_vb_exit: module {uid}'s common pools are still made: \
                 kd_mpi_vb_exit_mod_common_pool first"
            );
            return codes::vb::BUSY;
        }
        if let Some((pool, blk, taken, total)) = busy_pool(board, &vb.common) {
            warn!(
                "kd_mpi_vb_exit: common pool {pool} ({blk}-byte blocks) still has {taken} of \
                 {total} blocks taken: release them (and destroy the VENC channels) first"
            );
            return codes::vb::BUSY;
        }
        let common = std::mem::take(&mut vb.common);
        destroy_pools(board, &mut vb, &common);
        vb.inited = false;
        0
    })
}

/// `kd_mpi_vb_create_pool`: a private pool's id, or `VB_INVALID_POOLID`.
///
/// # Safety
/// `config` is NULL or points to a `k_vb_pool_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vb_create_pool(config: *mut VbPoolConfig) -> i32 {
    guarded("kd_mpi_vb_create_pool", VB_INVALID as i32, || {
        let Some(board) = board() else {
            return VB_INVALID as i32;
        };
        // SAFETY: the caller passes NULL or a valid k_vb_pool_config.
        let Some(config) = (unsafe { config.as_ref() }) else {
            warn!("kd_mpi_vb_create_pool: config is NULL");
            return VB_INVALID as i32;
        };
        match board.sim.create_pool(config.blk_size, config.blk_cnt) {
            Ok(id) => id as i32,
            Err(e) => {
                warn!(
                    "kd_mpi_vb_create_pool: {} blocks of {} bytes: {e}",
                    config.blk_cnt, config.blk_size
                );
                VB_INVALID as i32
            }
        }
    })
}

/// `kd_mpi_vb_destory_pool` (sic): private pools only, and only with every block back.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vb_destory_pool(pool_id: u32) -> i32 {
    guarded("kd_mpi_vb_destory_pool", codes::vb::NOTREADY, || {
        let Some(board) = board() else {
            return codes::vb::NOTREADY;
        };
        if lock(&board.vb).is_common(pool_id) {
            warn!(
                "kd_mpi_vb_destory_pool: pool {pool_id} is a common pool (kd_mpi_vb_exit ends those)"
            );
            return codes::vb::NOT_PERM;
        }
        if is_stream_pool(board, pool_id) {
            return codes::vb::UNEXIST;
        }
        let Ok((blk, free, total)) = board.sim.memory().pool_usage(pool_id) else {
            return codes::vb::UNEXIST;
        };
        if free < total {
            // What the board does here is not known (D-050): refusing keeps the blocks valid.
            warn!(
                "kd_mpi_vb_destory_pool: pool {pool_id} ({blk}-byte blocks) still has {} of \
                 {total} blocks taken; refused (D-050)",
                total - free
            );
            return codes::vb::BUSY;
        }
        destroy_pools(board, &mut lock(&board.vb), &[pool_id]);
        0
    })
}

/// `kd_mpi_vb_get_block`: a block handle, or `VB_INVALID_HANDLE`.
///
/// # Safety
/// `mmz_name` is NULL or a NUL-terminated string (it is not read: one anonymous zone).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vb_get_block(
    pool_id: u32,
    blk_size: u64,
    mmz_name: *const std::ffi::c_char,
) -> u32 {
    let _ = mmz_name;
    guarded("kd_mpi_vb_get_block", VB_INVALID, || {
        let Some(board) = board() else {
            return VB_INVALID;
        };
        let taken = if pool_id == VB_INVALID {
            let vb = lock(&board.vb);
            if !vb.inited {
                warn!("kd_mpi_vb_get_block: from the common pools before kd_mpi_vb_init");
                return VB_INVALID;
            }
            take_common(board, &vb, blk_size)
        } else if is_stream_pool(board, pool_id) {
            Err(MemError::NoPool(pool_id))
        } else {
            match board.sim.memory().pool_usage(pool_id) {
                Ok((blk, ..)) if blk_size > blk => Err(MemError::Invalid(format!(
                    "{blk_size} bytes asked of pool {pool_id}, whose blocks hold {blk}"
                ))),
                _ => board.sim.get_block(pool_id),
            }
        };
        match taken.map(|addr| (addr, handle_of(board, addr))) {
            Ok((_, Some(handle))) => handle,
            Ok((addr, None)) => {
                let _ = board.sim.release_block(addr);
                warn!("kd_mpi_vb_get_block: block 0x{addr:x} has no 16-bit pool/index handle");
                VB_INVALID
            }
            Err(e) => {
                warn!("kd_mpi_vb_get_block: {e}");
                VB_INVALID
            }
        }
    })
}

/// `kd_mpi_vb_release_block`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vb_release_block(block: u32) -> i32 {
    guarded("kd_mpi_vb_release_block", codes::vb::NOTREADY, || {
        let Some(board) = board() else {
            return codes::vb::NOTREADY;
        };
        let Some(addr) = phys_of(board, block) else {
            warn!("kd_mpi_vb_release_block: 0x{block:x} is not a block handle");
            return codes::vb::ILLEGAL_PARAM;
        };
        match board.sim.release_block(addr) {
            Ok(()) => 0,
            Err(e) => {
                warn!("kd_mpi_vb_release_block: 0x{block:x}: {e}");
                codes::vb::ILLEGAL_PARAM
            }
        }
    })
}

/// `kd_mpi_vb_phyaddr_to_handle`: the handle of the block holding `phys_addr`.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vb_phyaddr_to_handle(phys_addr: u64) -> u32 {
    guarded("kd_mpi_vb_phyaddr_to_handle", VB_INVALID, || {
        board()
            .and_then(|b| handle_of(b, phys_addr))
            .unwrap_or(VB_INVALID)
    })
}

/// `kd_mpi_vb_handle_to_phyaddr`: 0 for a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vb_handle_to_phyaddr(block: u32) -> u64 {
    guarded("kd_mpi_vb_handle_to_phyaddr", 0, || {
        board().and_then(|b| phys_of(b, block)).unwrap_or(0)
    })
}

/// `kd_mpi_vb_handle_to_pool_id`: `VB_INVALID_POOLID` for a bad handle.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vb_handle_to_pool_id(block: u32) -> i32 {
    guarded(
        "kd_mpi_vb_handle_to_pool_id",
        VB_INVALID as i32,
        || match board().and_then(|b| phys_of(b, block)) {
            Some(_) => (block >> 16) as i32,
            None => VB_INVALID as i32,
        },
    )
}
