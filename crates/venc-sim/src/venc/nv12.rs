//! NV12 → planar 4:2:0: the one pixel conversion on the encode path. Y goes to the codec in
//! place; the interleaved UV plane is split into U and V here, 16 pairs per step with SSE2
//! (baseline on x86-64) or NEON (baseline on AArch64), pair by pair elsewhere and at row ends.

/// Splits interleaved UV rows (stride `width`) into U and V planes of `width / 2` per row.
///
/// # Panics
/// If `uv` holds fewer than `rows * width` bytes or `u`/`v` fewer than `rows * (width / 2)`.
pub fn deinterleave_uv(uv: &[u8], width: usize, rows: usize, u: &mut [u8], v: &mut [u8]) {
    let cw = width / 2;
    for r in 0..rows {
        let src = &uv[r * width..r * width + 2 * cw];
        let du = &mut u[r * cw..(r + 1) * cw];
        let dv = &mut v[r * cw..(r + 1) * cw];
        let done = split_row_simd(src, du, dv);
        split_row_scalar(&src[2 * done..], &mut du[done..], &mut dv[done..]);
    }
}

/// One row pair by pair: the reference the vector paths are tested against.
fn split_row_scalar(src: &[u8], u: &mut [u8], v: &mut [u8]) {
    for ((pair, a), b) in src.chunks_exact(2).zip(u.iter_mut()).zip(v.iter_mut()) {
        *a = pair[0];
        *b = pair[1];
    }
}

/// Splits as many whole 16-pair blocks of a row as fit; returns the pairs done.
#[cfg(target_arch = "x86_64")]
fn split_row_simd(src: &[u8], u: &mut [u8], v: &mut [u8]) -> usize {
    use std::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_loadu_si128, _mm_packus_epi16, _mm_set1_epi16, _mm_srli_epi16,
        _mm_storeu_si128,
    };
    let blocks = u.len().min(v.len()).min(src.len() / 2) / 16;
    // SAFETY: SSE2 is part of the x86-64 baseline. Block `i` reads src[32i..32i+32] and writes
    // u/v[16i..16i+16], all in bounds because i < blocks; unaligned loads and stores.
    unsafe {
        let low = _mm_set1_epi16(0x00ff);
        for i in 0..blocks {
            let s = src.as_ptr().add(32 * i).cast::<__m128i>();
            let (a, b) = (_mm_loadu_si128(s), _mm_loadu_si128(s.add(1)));
            // Each 16-bit lane is (V << 8) | U: the low bytes are U, the high bytes V.
            let us = _mm_packus_epi16(_mm_and_si128(a, low), _mm_and_si128(b, low));
            let vs = _mm_packus_epi16(_mm_srli_epi16(a, 8), _mm_srli_epi16(b, 8));
            _mm_storeu_si128(u.as_mut_ptr().add(16 * i).cast(), us);
            _mm_storeu_si128(v.as_mut_ptr().add(16 * i).cast(), vs);
        }
    }
    blocks * 16
}

#[cfg(target_arch = "aarch64")]
fn split_row_simd(src: &[u8], u: &mut [u8], v: &mut [u8]) -> usize {
    use std::arch::aarch64::{vld2q_u8, vst1q_u8};
    let blocks = u.len().min(v.len()).min(src.len() / 2) / 16;
    // SAFETY: NEON is part of the AArch64 baseline. Block `i` reads src[32i..32i+32] and writes
    // u/v[16i..16i+16], in bounds because i < blocks.
    unsafe {
        for i in 0..blocks {
            let pairs = vld2q_u8(src.as_ptr().add(32 * i));
            vst1q_u8(u.as_mut_ptr().add(16 * i), pairs.0);
            vst1q_u8(v.as_mut_ptr().add(16 * i), pairs.1);
        }
    }
    blocks * 16
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn split_row_simd(_: &[u8], _: &mut [u8], _: &mut [u8]) -> usize {
    0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(uv: &[u8], width: usize, rows: usize) -> (Vec<u8>, Vec<u8>) {
        let cw = width / 2;
        let (mut u, mut v) = (vec![0; cw * rows], vec![0; cw * rows]);
        for r in 0..rows {
            let row = &uv[r * width..r * width + 2 * cw];
            split_row_scalar(row, &mut u[r * cw..][..cw], &mut v[r * cw..][..cw]);
        }
        (u, v)
    }

    #[test]
    fn splits_even_and_odd_bytes() {
        // 40 pairs: two vector blocks and an 8-pair tail.
        let uv: Vec<u8> = (0..80u8).collect();
        let (mut u, mut v) = (vec![0; 40], vec![0; 40]);
        deinterleave_uv(&uv, 80, 1, &mut u, &mut v);
        assert_eq!(u, (0..80u8).step_by(2).collect::<Vec<_>>());
        assert_eq!(v, (1..80u8).step_by(2).collect::<Vec<_>>());
    }

    /// A width (odd ones too: a row's last byte then belongs to no pair and is skipped), a row
    /// count, and that many rows of bytes.
    fn planes() -> impl Strategy<Value = (usize, usize, Vec<u8>)> {
        (2usize..200, 1usize..6).prop_flat_map(|(width, rows)| {
            (
                Just(width),
                Just(rows),
                prop::collection::vec(any::<u8>(), width * rows),
            )
        })
    }

    proptest! {
        #[test]
        fn vector_path_matches_the_reference((width, rows, uv) in planes()) {
            let cw = width / 2;
            let (mut u, mut v) = (vec![0; cw * rows], vec![0; cw * rows]);
            deinterleave_uv(&uv, width, rows, &mut u, &mut v);
            prop_assert_eq!((u, v), reference(&uv, width, rows));
        }
    }
}
