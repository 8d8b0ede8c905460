//! Fuzz target: case files (corpus: the suite's own `conformance/cases/*.toml`), mutated.
//! Whatever the text, the loader answers a case or an error naming what is wrong; never a panic.
//! `FUZZ_CASES` sets the count (`cargo xtask fuzz`: a million).

use proptest::prelude::*;
use proptest::test_runner::Config;
use venc_conformance::Case;
use venc_conformance::case::conformance_dir;
use venc_harness::mutate::{cases, corpus, edits, mutate};

/// Read once: a million inputs must not read 78 files each.
fn seeds() -> &'static [(String, Vec<u8>)] {
    static SEEDS: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| corpus(&conformance_dir().join("cases")))
}

fn parse(name: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let id = name.trim_end_matches(".toml");
    // Case files are UTF-8 text; other bytes stop at the reader (`read_to_string`).
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Ok(());
    };
    if let Err(e) = Case::parse(text, id) {
        prop_assert!(!e.is_empty());
    }
    Ok(())
}

#[test]
fn every_case_of_the_corpus_parses() {
    let seeds = seeds();
    assert!(seeds.len() >= 78, "{} cases", seeds.len());
    for (name, bytes) in seeds {
        let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        Case::parse(text, name.trim_end_matches(".toml")).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

proptest! {
    #![proptest_config(Config { cases: cases(2000), ..Config::default() })]

    #[test]
    fn mutated_cases_parse_or_fail_with_a_message(pick in any::<prop::sample::Index>(), e in edits()) {
        let seeds = seeds();
        let (name, seed) = &seeds[pick.index(seeds.len())];
        parse(name, &mutate(seed, &e))?;
    }
}
