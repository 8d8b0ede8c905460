//! Byte-level mutation for the property-based fuzz tests of every parser that takes outside
//! bytes (Y4M, the board protocol, case files): a seed from a checked-in corpus, then a few
//! edits a strategy draws. No coverage guidance here (stable Rust has no libFuzzer): the seeds
//! start the inputs deep in each format, the edits break them in every place.

/// One edit: where (taken modulo the input's length), what, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edit {
    /// Position; any value, folded onto the input.
    pub at: usize,
    /// The byte written or inserted.
    pub byte: u8,
    /// 0 overwrite, 1 insert, 2 delete, 3 duplicate the next 8 bytes, anything else truncate.
    pub op: u8,
}

/// Up to five edits anywhere (feature `fuzz`): the strategy every fuzz target draws from.
#[cfg(feature = "fuzz")]
pub fn edits() -> impl proptest::strategy::Strategy<Value = Vec<Edit>> {
    use proptest::prelude::*;
    prop::collection::vec(
        (any::<usize>(), any::<u8>(), 0u8..5).prop_map(|(at, byte, op)| Edit { at, byte, op }),
        0..6,
    )
}

/// `seed` with `edits` applied in order.
pub fn mutate(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = seed.to_vec();
    for e in edits {
        if out.is_empty() {
            out.push(e.byte);
            continue;
        }
        let at = e.at % out.len();
        match e.op {
            0 => out[at] = e.byte,
            1 => out.insert(at, e.byte),
            2 => {
                out.remove(at);
            }
            3 => {
                let end = (at + 8).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
            _ => out.truncate(at),
        }
    }
    out
}

/// Every file of a corpus folder, sorted by name (empty if the folder is missing).
pub fn corpus(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_file())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            std::fs::read(e.path()).ok().map(|b| (name, b))
        })
        .collect();
    files.sort();
    files
}

/// Inputs per fuzz target: `FUZZ_CASES` from the environment, else `default` (CI's count;
/// `cargo xtask fuzz` asks for a million).
pub fn cases(default: u32) -> u32 {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_do_what_they_say() {
        let e = |at, byte, op| Edit { at, byte, op };
        assert_eq!(mutate(b"abcd", &[e(1, b'X', 0)]), b"aXcd");
        assert_eq!(
            mutate(b"abcd", &[e(5, b'X', 1)]),
            b"aXbcd",
            "folded onto the length"
        );
        assert_eq!(mutate(b"abcd", &[e(0, 0, 2)]), b"bcd");
        assert_eq!(mutate(b"abcd", &[e(2, 0, 3)]), b"abcdcd");
        assert_eq!(mutate(b"abcd", &[e(2, 0, 9)]), b"ab");
        assert_eq!(mutate(b"", &[e(7, b'Z', 2)]), b"Z");
    }
}
