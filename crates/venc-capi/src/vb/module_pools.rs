//! The modules' common pools (`kd_mpi_vb_set_mod_pool_config` … `exit_mod_common_pool`): pools
//! a program reserves for one MPP module (`k_vb_uid`), made after `kd_mpi_vb_init` and ended
//! before `kd_mpi_vb_exit`. The memory is reserved for real (it counts against media memory);
//! no simulated module draws from them (the VENC's buffers come from the common pools and the
//! pools a program attaches), and `kd_mpi_vb_get_block(VB_INVALID_POOLID, …)` does not either.

use super::{busy_pool, check_config, destroy_pools, make_pools};
use crate::abi::VbConfig;
use crate::board::{board, guarded, lock};
use crate::codes;
use log::warn;

/// `VB_UID_BUTT`: the number of module ids.
const VB_UID_BUTT: u32 = 15;

fn check_uid(call: &str, uid: u32) -> Result<(), i32> {
    if uid >= VB_UID_BUTT {
        warn!("{call}: module id {uid} outside 0..{VB_UID_BUTT}");
        return Err(codes::vb::ILLEGAL_PARAM);
    }
    Ok(())
}

/// `kd_mpi_vb_set_mod_pool_config`: a module's pool configuration; not while its pools are
/// made (BUSY).
///
/// # Safety
/// `config` is NULL or points to a `k_vb_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vb_set_mod_pool_config(uid: u32, config: *const VbConfig) -> i32 {
    guarded("kd_mpi_vb_set_mod_pool_config", codes::vb::NOTREADY, || {
        let call = "kd_mpi_vb_set_mod_pool_config";
        let Some(board) = board() else {
            return codes::vb::NOTREADY;
        };
        // SAFETY: NULL or a valid struct, by the caller's contract.
        let Some(config) = (unsafe { config.as_ref() }) else {
            return codes::vb::NULL_PTR;
        };
        if let Err(code) = check_uid(call, uid).and_then(|()| check_config(call, config)) {
            return code;
        }
        let mut vb = lock(&board.vb);
        if vb.module_pools.contains_key(&uid) {
            warn!("{call}: module {uid}'s pools are made: kd_mpi_vb_exit_mod_common_pool first");
            return codes::vb::BUSY;
        }
        vb.module_configs.insert(uid, *config);
        0
    })
}

/// `kd_mpi_vb_get_mod_pool_config`: what `set_mod_pool_config` stored; NOTREADY before.
///
/// # Safety
/// `config` is NULL or points to a writable `k_vb_config`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kd_mpi_vb_get_mod_pool_config(uid: u32, config: *mut VbConfig) -> i32 {
    guarded("kd_mpi_vb_get_mod_pool_config", codes::vb::NOTREADY, || {
        let Some(board) = board() else {
            return codes::vb::NOTREADY;
        };
        // SAFETY: NULL or writable, by the caller's contract.
        let Some(out) = (unsafe { config.as_mut() }) else {
            return codes::vb::NULL_PTR;
        };
        if let Err(code) = check_uid("kd_mpi_vb_get_mod_pool_config", uid) {
            return code;
        }
        match lock(&board.vb).module_configs.get(&uid) {
            Some(c) => {
                *out = *c;
                0
            }
            None => codes::vb::NOTREADY,
        }
    })
}

/// `kd_mpi_vb_init_mod_common_pool`: makes the module's pools; after `kd_mpi_vb_init` and
/// `set_mod_pool_config` (else NOTREADY); again while made: 0.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vb_init_mod_common_pool(uid: u32) -> i32 {
    guarded(
        "kd_mpi_vb_init_mod_common_pool",
        codes::vb::NOTREADY,
        || {
            let call = "kd_mpi_vb_init_mod_common_pool";
            let Some(board) = board() else {
                return codes::vb::NOTREADY;
            };
            if let Err(code) = check_uid(call, uid) {
                return code;
            }
            let mut vb = lock(&board.vb);
            if vb.module_pools.contains_key(&uid) {
                return 0;
            }
            if !vb.inited {
                warn!("{call}: before kd_mpi_vb_init");
                return codes::vb::NOTREADY;
            }
            let Some(config) = vb.module_configs.get(&uid).copied() else {
                warn!("{call}: module {uid} has no configuration: kd_mpi_vb_set_mod_pool_config");
                return codes::vb::NOTREADY;
            };
            match make_pools(board, call, &config) {
                Ok(made) => {
                    vb.module_pools.insert(uid, made);
                    0
                }
                Err(code) => code,
            }
        },
    )
}

/// `kd_mpi_vb_exit_mod_common_pool`: ends the module's pools (BUSY while a block is taken);
/// when none are made: 0.
#[unsafe(no_mangle)]
pub extern "C" fn kd_mpi_vb_exit_mod_common_pool(uid: u32) -> i32 {
    guarded(
        "kd_mpi_vb_exit_mod_common_pool",
        codes::vb::NOTREADY,
        || {
            let call = "kd_mpi_vb_exit_mod_common_pool";
            let Some(board) = board() else {
                return codes::vb::NOTREADY;
            };
            if let Err(code) = check_uid(call, uid) {
                return code;
            }
            let mut vb = lock(&board.vb);
            let Some(pools) = vb.module_pools.get(&uid).cloned() else {
                return 0;
            };
            if let Some((pool, blk, taken, total)) = busy_pool(board, &pools) {
                warn!(
                    "{call}: module {uid}'s pool {pool} ({blk}-byte blocks) has {taken} of {total} \
                 blocks taken"
                );
                return codes::vb::BUSY;
            }
            vb.module_pools.remove(&uid);
            destroy_pools(board, &mut vb, &pools);
            0
        },
    )
}
