//! The kernel's sandbox for a script (`canmv-run`'s second layer): Landlock, which any
//! unprivileged process may apply to itself (Linux 5.13 and later).
//!
//! Invariants:
//! - Applied once, from the thread that runs the script, before the script's first line: the
//!   script and every thread it starts are inside; threads the simulator started before stay
//!   outside (they run only the simulator's code).
//! - Nothing may be executed; files are read only below `read` and written only below
//!   `write`; signals and abstract UNIX sockets reach no process outside (from ABI 6).
//! - The network is not confined: a script on the board has the network too.

use pyo3::exceptions::PyOSError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Applies the sandbox to the calling thread and the threads it starts later. Returns
/// `{"status": "full" | "partial" | "none", "abi": N, "all_threads": bool}`: `none` when
/// the kernel has no Landlock (nothing is confined beyond the board's view).
#[pyfunction]
pub fn sandbox<'py>(
    py: Python<'py>,
    read: Vec<std::path::PathBuf>,
    write: Vec<std::path::PathBuf>,
) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    let (status, abi, all_threads) = imp::apply(&read, &write)
        .map_err(|e| PyOSError::new_err(format!("the kernel sandbox: {e}")))?;
    out.set_item("status", status)?;
    out.set_item("abi", abi)?;
    out.set_item("all_threads", all_threads)?;
    Ok(out)
}

#[cfg(target_os = "linux")]
mod imp {
    use landlock::{
        ABI, Access, AccessFs, CompatLevel, Compatible, Ruleset, RulesetAttr, RulesetCreatedAttr,
        RulesetStatus, Scope, path_beneath_rules,
    };
    use std::path::PathBuf;

    /// The newest ABI this code was written and tested against.
    const TESTED: ABI = ABI::V7;

    pub(super) fn apply(
        read: &[PathBuf],
        write: &[PathBuf],
    ) -> Result<(&'static str, i32, bool), String> {
        let all = AccessFs::from_all(TESTED);
        let reading = AccessFs::ReadFile | AccessFs::ReadDir;
        let writing = all & !AccessFs::Execute;
        let status = Ruleset::default()
            .set_compatibility(CompatLevel::BestEffort)
            .handle_access(all)
            .and_then(|r| r.scope(Scope::from_all(TESTED)))
            .and_then(|r| r.create())
            .and_then(|r| r.add_rules(path_beneath_rules(read, reading)))
            .and_then(|r| r.add_rules(path_beneath_rules(write, writing)))
            .and_then(|r| r.restrict_self())
            .map_err(|e| e.to_string())?;
        let name = match status.ruleset {
            RulesetStatus::FullyEnforced => "full",
            RulesetStatus::PartiallyEnforced => "partial",
            RulesetStatus::NotEnforced => "none",
        };
        let abi = ABI::from(status.landlock) as i32;
        Ok((name, abi, status.all_threads))
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    pub(super) fn apply(
        _read: &[std::path::PathBuf],
        _write: &[std::path::PathBuf],
    ) -> Result<(&'static str, i32, bool), String> {
        Ok(("none", 0, false))
    }
}
