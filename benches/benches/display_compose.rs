//! The display's cost per refresh at 1080p (issue 34), in one run: the VO mixer drawing a
//! camera picture (NV12 video layer) alone and under a full-screen ARGB8888 OSD, and the
//! write-back frame's RGB → NV12 conversion, against copying one NV12 frame (the floor any
//! composition pays). Single-threaded, as the simulator composes.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use venc_sim::vo::compose::{LayerFormat, LayerView, compose, rgb_to_nv12};

const W: u32 = 1920;
const H: u32 = 1080;

fn bench(c: &mut Criterion) {
    let area = (W * H) as usize;
    let nv12: Vec<u8> = (0..area * 3 / 2).map(|i| (i * 7 % 251) as u8).collect();
    // An OSD as scripts draw them: mostly transparent, a status bar and text opaque.
    let mut osd = vec![0u8; area * 4];
    for (i, px) in osd.chunks_exact_mut(4).enumerate() {
        let y = i / W as usize;
        if y < 120 || i % 97 == 0 {
            px.copy_from_slice(&[255, 20, 40, 90]);
        } else if i % 13 == 0 {
            px.copy_from_slice(&[128, 255, 255, 255]);
        }
    }
    let video = LayerView {
        x: 0,
        y: 0,
        w: W,
        h: H,
        format: LayerFormat::Nv12,
        alpha: 255,
        pixels: &nv12,
    };
    let overlay = LayerView {
        format: LayerFormat::Argb8888,
        pixels: &osd,
        ..video
    };
    let mut rgb = Vec::new();
    let mut group = c.benchmark_group("one 1080p refresh");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.bench_function("copy an NV12 frame (floor)", |b| {
        let mut out = vec![0u8; nv12.len()];
        b.iter(|| out.copy_from_slice(black_box(&nv12)));
    });
    group.bench_function("compose: camera layer", |b| {
        b.iter(|| compose(W, H, black_box(&[video]), &mut rgb));
    });
    group.bench_function("compose: camera + ARGB OSD", |b| {
        b.iter(|| compose(W, H, black_box(&[video, overlay]), &mut rgb));
    });
    compose(W, H, &[video, overlay], &mut rgb);
    group.bench_function("write-back: RGB to NV12", |b| {
        let (mut y, mut uv) = (vec![0u8; area], vec![0u8; area / 2]);
        b.iter(|| rgb_to_nv12(black_box(&rgb), W, H, &mut y, &mut uv));
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
