//! The MP4 writer's cost per frame (issue 18) against writing the same packs as a raw Annex-B
//! file, in one run: 300 frames of 720p H.264 (the simulator's packs, encoded once up front),
//! each written as a CanMV recording script writes them (header with the next IDR, one sample
//! per picture), the file finished (moov in front). Both to a temporary file on the same disk.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::io::Write;
use std::sync::Arc;
use venc_core::consts::{K_PT_H264, VENC_PROFILE_H264_MAIN};
use venc_core::{Mpi, PackType};
use venc_harness::source::TestPattern;
use venc_harness::{EncodeJob, run_example2};
use venc_mp4::{CODEC_ID_H264, Muxer, TrackKind};
use venc_sim::{SimOptions, Simulator};

const FRAMES: u32 = 300;

fn packs() -> Vec<(PackType, u64, Vec<u8>)> {
    let sim: Arc<dyn Mpi> = Simulator::shared(SimOptions::default());
    let job = EncodeJob::example2(K_PT_H264, VENC_PROFILE_H264_MAIN, 1280, 720, FRAMES);
    let mut out = Vec::new();
    run_example2(sim, &job, &mut TestPattern::new(1280, 720), |ev, bytes| {
        out.push((ev.pack_type, ev.pts, bytes.to_vec()));
    })
    .expect("the simulator encodes");
    out
}

fn bench(c: &mut Criterion) {
    let packs = packs();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("write 300 frames of 720p H.264");
    group.throughput(Throughput::Elements(u64::from(FRAMES)));
    group.sample_size(20);
    group.bench_function("raw Annex-B file", |b| {
        b.iter(|| {
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(dir.path().join("raw.264")).expect("create"),
            );
            for (_, _, bytes) in &packs {
                f.write_all(bytes).expect("write");
            }
            f.flush().expect("flush");
        });
    });
    group.bench_function("MP4 (venc-mp4)", |b| {
        b.iter(|| {
            let mut mp4 = Muxer::create(dir.path().join("rec.mp4"), false).expect("create");
            let track = mp4
                .create_track(TrackKind::Video {
                    width: 1280,
                    height: 720,
                })
                .expect("track");
            let mut header = Vec::new();
            for (kind, pts, bytes) in &packs {
                if *kind == PackType::Header {
                    header.extend_from_slice(bytes);
                    continue;
                }
                let sample = [std::mem::take(&mut header), bytes.clone()].concat();
                mp4.write_frame(track, CODEC_ID_H264, *pts, &sample)
                    .expect("sample");
            }
            mp4.finish().expect("finish");
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
