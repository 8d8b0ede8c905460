//! Fuzz target: the Y4M reader on mutated files (corpus `fixtures/fuzz/y4m/`). Whatever the
//! bytes, it answers a frame or a clear error: never a panic, never a hang, never a frame of
//! the wrong size. `FUZZ_CASES` sets the count (`cargo xtask fuzz`: a million).

use proptest::prelude::*;
use proptest::test_runner::Config;
use std::path::Path;
use venc_harness::mutate::{cases, corpus, edits, mutate};
use venc_harness::source::{FrameSource, Y4mSource};

/// Read once: a million inputs must not read the corpus each.
fn seeds() -> &'static [(String, Vec<u8>)] {
    static SEEDS: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        corpus(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fuzz/y4m"))
    })
}

/// Reads up to four frames; every outcome is fine but a panic or a short frame.
fn read(bytes: &[u8]) -> Result<(), TestCaseError> {
    let Ok(mut src) = Y4mSource::new(bytes) else {
        return Ok(());
    };
    let (w, h) = (src.width() as usize, src.height() as usize);
    // A header may promise a huge picture: the reader must refuse it as truncated, not
    // allocate it, so only read frames of a size a small input can hold.
    prop_assume!(w * h <= 4096 * 4096);
    let (mut y, mut uv) = (vec![0; w * h], vec![0; w * h / 2]);
    for _ in 0..4 {
        match src.next_frame(&mut y, &mut uv) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                prop_assert!(!e.to_string().is_empty());
                break;
            }
        }
    }
    Ok(())
}

#[test]
fn the_corpus_reads_as_its_names_say() {
    let seeds = seeds();
    assert!(seeds.len() >= 6, "corpus missing: {seeds:?}");
    for (name, bytes) in seeds {
        read(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

proptest! {
    #![proptest_config(Config { cases: cases(3000), ..Config::default() })]

    #[test]
    fn mutated_y4m_files_get_a_frame_or_an_error(pick in any::<prop::sample::Index>(), e in edits()) {
        let seeds = seeds();
        let (_, seed) = &seeds[pick.index(seeds.len())];
        read(&mutate(seed, &e))?;
    }

    #[test]
    fn arbitrary_bytes_get_a_frame_or_an_error(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        read(&bytes)?;
    }
}
