//! Micro-benchmarks of the simulator's hot path: NV12 de-interleave, pack splitting, and encode
//! throughput through the `Encoder` vs the raw codec.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use venc_benches::{Frames, RawRig, SimRig};
use venc_core::bitstream::{Codec, split_annexb};
use venc_sim::venc::deinterleave_uv;

fn nv12_deinterleave(c: &mut Criterion) {
    let f = Frames::render(1920, 1080);
    let n = 960 * 540;
    let (mut u, mut v) = (vec![0u8; n], vec![0u8; n]);
    let mut g = c.benchmark_group("nv12");
    g.throughput(Throughput::Bytes((1920 * 540) as u64));
    g.bench_function("deinterleave_uv_1080p", |b| {
        b.iter(|| deinterleave_uv(black_box(&f.nv12[0].1), 1920, 540, &mut u, &mut v))
    });
    g.finish();
}

fn pack_split(c: &mut Criterion) {
    let f = Frames::render(1280, 720);
    let mut stream = Vec::new();
    {
        // One real IDR access unit (SPS, PPS, slice) to split.
        use venc_sim::codec::openh264::OpenH264Engine;
        use venc_sim::codec::{CodecEngine, EncodedPicture, EngineConfig, Picture};
        let attr = venc_core::ChnAttrStr::new(96, 2, 1280, 720).to_mpi();
        let mut e =
            OpenH264Engine::new(&EngineConfig::from_attr(&attr, 1).expect("cfg")).expect("engine");
        let n = 640 * 360;
        let (mut u, mut v) = (vec![0u8; n], vec![0u8; n]);
        deinterleave_uv(&f.nv12[0].1, 1280, 360, &mut u, &mut v);
        let mut out = EncodedPicture::default();
        let pic = Picture::packed(&f.nv12[0].0, &u, &v, 1280, 720);
        e.encode(&pic, true, &mut out).expect("encode");
        stream.extend_from_slice(&out.data);
    }
    c.bench_function("split_annexb_720p_idr", |b| {
        b.iter(|| {
            split_annexb(black_box(&stream))
                .iter()
                .filter(|u| Codec::H264.classify(u.data).is_parameter_set())
                .count()
        })
    });
}

fn encode_720p(c: &mut Criterion) {
    let f = Frames::render(1280, 720);
    let raw = RawRig::new(f.clone(), Codec::H264, 1);
    let sim = SimRig::new(f, Codec::H264, 1);
    let mut g = c.benchmark_group("encode_720p_30_frames");
    g.sample_size(10);
    g.throughput(Throughput::Elements(30));
    g.bench_function("raw_openh264", |b| b.iter(|| raw.run(30)));
    g.bench_function("sim_encoder", |b| b.iter(|| sim.run(30)));
    g.finish();
}

criterion_group!(benches, nv12_deinterleave, pack_split, encode_720p);
criterion_main!(benches);
