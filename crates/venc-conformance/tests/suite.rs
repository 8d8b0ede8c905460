//! The conformance suite under `cargo test`: one named trial per case file (filter by name as
//! with any test: `cargo test -p venc-conformance --test suite -- ring_`), each checking the
//! case's outcome against `conformance/expectations/<backend>.toml` and its trace against the
//! insta snapshot in `conformance/snapshots/`; plus the suite's own consistency checks.
//!
//! The backend comes from `VENC_BACKEND`: `sim` (default), `hw-emulated` (the test starts the
//! emulated board, `venc_agent.py` under `canmv-run`, and talks to it over TCP), or `hw` (a
//! board at `VENC_BOARD=tcp://HOST:PORT`).

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::PathBuf;
use std::sync::Arc;
use venc_conformance::backends::backend_by_name;
use venc_conformance::case::conformance_dir;
use venc_conformance::{Backend, Expectations, Outcome, contract_rules, load_dir, run_case};

fn main() {
    let mut args = Arguments::from_args();
    let dir = conformance_dir();
    let backend_name = std::env::var("VENC_BACKEND").unwrap_or_else(|_| "sim".into());
    let (cases, bad) = load_dir(&dir.join("cases")).expect("conformance/cases");
    let mut trials = Vec::new();
    for e in bad {
        let name = e.path.display().to_string();
        trials.push(Trial::test(format!("malformed::{name}"), move || {
            Err(Failed::from(e.to_string()))
        }));
    }
    // Kept alive until the trials end; dropping it stops the agent.
    let mut emulated = None;
    let chosen = match backend_name.as_str() {
        "hw-emulated" => venc_hw::EmulatedBoard::start(0).and_then(|board| {
            let b = backend_by_name("hw", Some(board.url()));
            emulated = Some(board);
            b
        }),
        "hw" => match std::env::var("VENC_BOARD") {
            Ok(url) => backend_by_name("hw", Some(&url)),
            Err(_) => Err("VENC_BACKEND=hw needs VENC_BOARD=tcp://HOST:PORT".into()),
        },
        other => backend_by_name(other, None),
    };
    let backend: Arc<dyn Backend> = match chosen {
        Ok(b) => Arc::from(b),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    if backend.name() != backend_name {
        eprintln!(
            "VENC_BACKEND={backend_name} but the board is {}",
            backend.describe()
        );
        std::process::exit(2);
    }
    eprintln!("backend {}: {}", backend.name(), backend.describe());
    if backend_name != "sim" {
        // A board serves one client at a time.
        args.test_threads = Some(1);
    }
    let expectations = Arc::new(
        Expectations::load(&dir.join("expectations"), &backend_name).expect("expectations"),
    );
    let snapshots: PathBuf = dir.join("snapshots");
    let ids: Vec<String> = cases.iter().map(|c| c.id.clone()).collect();
    let covered: Vec<(String, Vec<String>)> = cases
        .iter()
        .map(|c| (c.id.clone(), c.rules.clone()))
        .collect();
    for case in cases {
        let (b, x, snaps) = (
            Arc::clone(&backend),
            Arc::clone(&expectations),
            snapshots.clone(),
        );
        trials.push(Trial::test(format!("case::{}", case.id), move || {
            let r = run_case(&b, &case, &x);
            if !r.as_expected() {
                return Err(Failed::from(format!(
                    "{} (expected {}): {}\ntrace:\n{}",
                    r.outcome,
                    r.expected,
                    r.detail.as_deref().unwrap_or_default(),
                    r.trace_text()
                )));
            }
            // A trace is only comparable when the steps ran to the end.
            if r.outcome == Outcome::Pass {
                insta::with_settings!({
                    snapshot_path => snaps,
                    prepend_module_to_snapshot => false,
                    omit_expression => true,
                    description => case.title.clone(),
                }, {
                    insta::assert_snapshot!(case.id.clone(), r.trace_text());
                });
            }
            Ok(())
        }));
    }
    let ids_for_expectations = ids.clone();
    let x = Arc::clone(&expectations);
    trials.push(Trial::test(
        "suite::expectations_name_existing_cases",
        move || {
            let stale: Vec<&str> = x
                .ids()
                .filter(|id| !ids_for_expectations.iter().any(|c| c == id))
                .collect();
            if stale.is_empty() {
                Ok(())
            } else {
                Err(format!("expectations for cases that do not exist: {stale:?}").into())
            }
        },
    ));
    let contract = dir.join("../docs/contract.md");
    trials.push(Trial::test("suite::rule_coverage", move || {
        let text = std::fs::read_to_string(&contract).map_err(|e| e.to_string())?;
        let rules = contract_rules(&text);
        if rules.len() < 40 {
            return Err(format!("only {} rules found in the contract", rules.len()).into());
        }
        let uncovered: Vec<&String> = rules
            .iter()
            .filter(|r| !covered.iter().any(|(_, rs)| rs.contains(r)))
            .collect();
        let unknown: Vec<String> = covered
            .iter()
            .flat_map(|(id, rs)| rs.iter().map(move |r| (id, r)))
            .filter(|(_, r)| !rules.contains(r))
            .map(|(id, r)| format!("{id}: {r}"))
            .collect();
        if !uncovered.is_empty() || !unknown.is_empty() {
            return Err(format!(
                "rules without a case: {uncovered:?}; cases naming unknown rules: {unknown:?}"
            )
            .into());
        }
        Ok(())
    }));
    trials.push(Trial::test("suite::at_least_sixty_cases", move || {
        if ids.len() >= 60 {
            Ok(())
        } else {
            Err(format!("{} cases", ids.len()).into())
        }
    }));
    let conclusion = libtest_mimic::run(&args, trials);
    drop(emulated); // stops the agent (exit() below skips destructors)
    conclusion.exit();
}
