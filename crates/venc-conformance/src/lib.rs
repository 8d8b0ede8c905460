//! # venc-conformance
//!
//! One set of cases (`conformance/cases/*.toml`), any backend. A case drives a backend only
//! through [`venc_core::Mpi`] and the CanMV [`venc_core::Encoder`] facade over it, so the same
//! file runs on the simulator and on a board. Oracles come in layers: return codes and states
//! (L1, [`exec`]), pack structure and SPS (L2, [`check`]), an independent decoder with PSNR (L3,
//! [`check`]), same input same bytes (L4, [`run`]). [`report`] writes Markdown, JSON and JUnit.
//!
//! The rules the cases cover are in `docs/contract.md`.

pub mod backends;
pub mod case;
pub mod check;
pub mod exec;
pub mod picture;
pub mod report;
pub mod run;

pub use case::{Case, load_dir};
pub use report::{BackendInfo, Report};
pub use run::{Backend, CaseResult, Expectations, Outcome, Selection, run_case};

use std::sync::Arc;
use std::time::Instant;

/// Runs the selected cases on a backend, one after the other, calling `progress` after each.
pub fn run_suite(
    backend: &Arc<dyn Backend>,
    cases: &[Case],
    expectations: &Expectations,
    selection: &Selection,
    mut progress: impl FnMut(&CaseResult),
) -> Report {
    let t0 = Instant::now();
    let results: Vec<CaseResult> = selection
        .apply(cases)
        .into_iter()
        .map(|c| {
            let r = run_case(backend, c, expectations);
            progress(&r);
            r
        })
        .collect();
    let info = BackendInfo {
        name: backend.name().to_owned(),
        description: backend.describe(),
    };
    Report::new(
        vec![info],
        venc_core::Firmware::default().name(),
        selection.partition,
        t0.elapsed().as_secs_f64(),
        results,
    )
}

/// The trace a case's insta snapshot holds (`<dir>/<id>.snap`, the text after its header), or
/// `None` when the case has no snapshot yet.
pub fn snapshot_trace(dir: &std::path::Path, id: &str) -> Result<Option<String>, String> {
    let path = dir.join(format!("{id}.snap"));
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    // insta's format: a `---` line, a YAML header, a `---` line, then the snapshot.
    let body = text
        .strip_prefix("---\n")
        .and_then(|rest| rest.split_once("\n---\n"))
        .map(|(_, body)| body)
        .ok_or_else(|| format!("{}: not an insta snapshot", path.display()))?;
    Ok(Some(body.to_owned()))
}

/// Every rule ID (`VENC-XXX-NNN`) defined in a contract text, in order of appearance.
pub fn contract_rules(contract: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in contract.lines() {
        let Some(rest) = line.trim_start().strip_prefix("- **") else {
            continue;
        };
        let Some((id, _)) = rest.split_once("**") else {
            continue;
        };
        if is_rule_id(id) && !out.iter().any(|r| r == id) {
            out.push(id.to_owned());
        }
    }
    out
}

/// `VENC-<FAMILY>-<3 digits>`.
pub fn is_rule_id(s: &str) -> bool {
    let mut parts = s.split('-');
    matches!(
        (parts.next(), parts.next(), parts.next(), parts.next()),
        (Some("VENC"), Some(f), Some(n), None)
            if f.starts_with(|c: char| c.is_ascii_uppercase())
                && f.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && n.len() == 3 && n.chars().all(|c| c.is_ascii_digit())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_read_from_definition_lines_only() {
        let text = "- **VENC-LIFE-001** (MPI, MUST): x\n- see VENC-LIFE-002\n  - **VENC-X-1** bad\n- **VENC-RING-010** (MPI): y\n";
        assert_eq!(contract_rules(text), vec!["VENC-LIFE-001", "VENC-RING-010"]);
        assert!(is_rule_id("VENC-API-007"));
        assert!(!is_rule_id("VENC-api-007"));
        assert!(!is_rule_id("VENC-API-07"));
        assert!(is_rule_id("VENC-NV12-001"));
        assert!(!is_rule_id("VENC-12-001"));
    }
}
