//! Micro-benchmarks of the simulator's hot path: NV12 de-interleave, pack splitting, encode
//! throughput per codec × size through the `Encoder` vs the raw codec, three channels at
//! once, the null engine against openh264, and the board clock's own operations (what every
//! timed part pays since issue 21). Frames are the tests' built-in pattern.

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

/// Raw codec vs the Encoder API, per codec and size (10 frames per iteration, 2 threads).
fn encode_per_codec_and_size(c: &mut Criterion) {
    for codec in [Codec::H264, Codec::H265] {
        for (w, h) in [(640, 360), (1280, 720), (1920, 1080)] {
            let f = Frames::render(w, h);
            let raw = RawRig::new(f.clone(), codec, 2);
            let sim = SimRig::new(f, codec, 2);
            let name = format!("encode_{codec:?}_{w}x{h}_10_frames").to_lowercase();
            let mut g = c.benchmark_group(name);
            g.sample_size(10);
            g.throughput(Throughput::Elements(10));
            g.bench_function("raw", |b| b.iter(|| raw.run(10)));
            g.bench_function("encoder_api", |b| b.iter(|| sim.run(10)));
            g.finish();
        }
    }
}

/// Three 720p H.264 encodes at once (three simulators, one channel each: the same three worker
/// threads sharing the cores as three channels of one board).
fn three_channels(c: &mut Criterion) {
    let rigs: Vec<SimRig> = (0..3)
        .map(|_| SimRig::new(Frames::render(1280, 720), Codec::H264, 1))
        .collect();
    let mut g = c.benchmark_group("three_channels_720p_h264_10_frames_each");
    g.sample_size(10);
    g.throughput(Throughput::Elements(30));
    g.bench_function("encoder_api", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                for rig in &rigs {
                    s.spawn(|| rig.run(10));
                }
            })
        })
    });
    g.finish();
}

/// What a picture costs the null engine against openh264 (1080p, 10 pictures per iteration):
/// the speed-up the null backend's contract tests get.
fn null_engine(c: &mut Criterion) {
    use venc_sim::codec::{EncodedPicture, Engines, Picture, engine_for};
    let f = Frames::render(1920, 1080);
    let n = 960 * 540;
    let (mut u, mut v) = (vec![0u8; n], vec![0u8; n]);
    deinterleave_uv(&f.nv12[0].1, 1920, 540, &mut u, &mut v);
    let attr = venc_core::ChnAttrStr::new(96, 1, 1920, 1080).to_mpi();
    let mut g = c.benchmark_group("engine_1080p_h264_10_pictures");
    g.sample_size(10);
    g.throughput(Throughput::Elements(10));
    for (name, engines) in [("openh264", Engines::Real), ("null", Engines::Null)] {
        let mut e = engine_for(&attr, 1, engines).expect("engine");
        let mut out = EncodedPicture::default();
        let pic = Picture::packed(&f.nv12[0].0, &u, &v, 1920, 1080);
        g.bench_function(name, |b| {
            b.iter(|| {
                for _ in 0..10 {
                    e.encode(black_box(&pic), false, &mut out).expect("encode");
                }
            })
        });
    }
    g.finish();
}

/// The board clock's operations, on the wall clock (`fast`, `realtime`) and on a dilated one:
/// reading it, and a booking made and ended (a captured frame, a paced picture).
fn board_clock(c: &mut Criterion) {
    use venc_sim::clock::{BoardClock, ClockKind};
    let mut g = c.benchmark_group("board_clock");
    for (name, kind) in [
        ("wall", ClockKind::Wall),
        ("dilated", ClockKind::Dilated),
        ("deterministic", ClockKind::Deterministic),
    ] {
        let clock = BoardClock::new(kind);
        let cv = std::sync::Condvar::new();
        g.bench_function(format!("now/{name}"), |b| b.iter(|| black_box(clock.now())));
        g.bench_function(format!("book+end/{name}"), |b| {
            b.iter(|| drop(black_box(clock.book(|now| now))))
        });
        // What every MPI call pays: nothing off the deterministic clock; there, with this
        // thread the only actor, a turn and its 10 us of board time (no host wait).
        g.bench_function(format!("call/{name}"), |b| {
            b.iter(|| drop(black_box(clock.call())))
        });
        g.bench_function(format!("notify/{name}"), |b| b.iter(|| clock.notify(&cv)));
    }
    g.finish();
}

criterion_group!(
    benches,
    board_clock,
    nv12_deinterleave,
    pack_split,
    encode_per_codec_and_size,
    three_channels,
    null_engine
);
criterion_main!(benches);
