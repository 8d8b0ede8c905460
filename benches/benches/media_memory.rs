//! The media-memory policy's cost per allocation: 4 KiB blocks allocated and freed on a fresh
//! window (the case every policy can run: the old bump allocator ran out after 2 GiB), in the
//! reuse policy's steady state (quarantine full: each free releases the oldest range), and
//! first-fit's worst case (a 1 MiB block past a thousand 4 KiB holes). BENCHMARKS.md has the
//! figures against the policy before reuse.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use venc_sim::mmz::MediaMemory;

const PAIRS: u64 = 10_000;

fn fresh_window(c: &mut Criterion) {
    c.bench_function("mmz/alloc_free_4k_x10000_fresh", |b| {
        b.iter_batched(
            MediaMemory::new,
            |mem| {
                for _ in 0..PAIRS {
                    let a = mem.alloc(4096).expect("room");
                    mem.free(black_box(a)).expect("freed");
                }
                mem
            },
            BatchSize::PerIteration,
        );
    });
}

fn steady_state(c: &mut Criterion) {
    let mem = MediaMemory::new();
    // Past the 512 MiB quarantine: every free from now on releases the oldest range.
    for _ in 0..(600 << 20) / 4096 {
        let a = mem.alloc(4096).expect("room");
        mem.free(a).expect("freed");
    }
    c.bench_function("mmz/alloc_free_4k_steady_state", |b| {
        b.iter(|| {
            let a = mem.alloc(4096).expect("room");
            mem.free(black_box(a)).expect("freed");
        });
    });
}

fn past_holes(c: &mut Criterion) {
    let mem = MediaMemory::new();
    // A thousand live blocks with a released 4 KiB hole after each.
    let mut live = Vec::new();
    for _ in 0..1000 {
        live.push(mem.alloc(4096).expect("room"));
        let hole = mem.alloc(4096).expect("room");
        mem.free(hole).expect("freed");
    }
    for _ in 0..(600 << 20) / (1 << 20) {
        let a = mem.alloc(1 << 20).expect("room");
        mem.free(a).expect("freed");
    }
    c.bench_function("mmz/alloc_free_1m_past_1000_holes", |b| {
        b.iter(|| {
            let a = mem.alloc(1 << 20).expect("room");
            mem.free(black_box(a)).expect("freed");
        });
    });
    black_box(live);
}

criterion_group!(benches, fresh_window, steady_state, past_holes);
criterion_main!(benches);
