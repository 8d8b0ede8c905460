//! Which JPEG library stands in for the VPU's (issue 17): libjpeg-turbo 3 through `turbojpeg`
//! (the choice) against `jpeg-encoder` (pure Rust, AVX2), each fed one 1080p pattern picture
//! the way it takes one: libjpeg-turbo straight from the Y, U, V planes; jpeg-encoder row by row
//! through its `ImageBuffer` trait, chroma repeated to full width and subsampled 2x2 again by
//! the encoder. Quality 45 (CanMV's default `mjpeg_quality_factor`) on both.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use venc_harness::oracle::pattern_planes;

const W: usize = 1920;
const H: usize = 1080;

struct Planes<'a> {
    y: &'a [u8],
    u: &'a [u8],
    v: &'a [u8],
}

impl jpeg_encoder::ImageBuffer for Planes<'_> {
    fn get_jpeg_color_type(&self) -> jpeg_encoder::JpegColorType {
        jpeg_encoder::JpegColorType::Ycbcr
    }
    fn width(&self) -> u16 {
        W as u16
    }
    fn height(&self) -> u16 {
        H as u16
    }
    fn fill_buffers(&self, row: u16, buffers: &mut [Vec<u8>; 4]) {
        let row = usize::from(row);
        let c = (row / 2) * (W / 2);
        buffers[0].extend_from_slice(&self.y[row * W..(row + 1) * W]);
        for x in 0..W {
            buffers[1].push(self.u[c + x / 2]);
            buffers[2].push(self.v[c + x / 2]);
        }
    }
}

fn libraries(c: &mut Criterion) {
    let pic = &pattern_planes(W as u32, H as u32, 1)[0];
    let mut g = c.benchmark_group("jpeg_1080p_q45");
    g.throughput(Throughput::Elements(1));
    let mut tj = turbojpeg::Compressor::new().expect("turbojpeg");
    tj.set_quality(45).expect("quality");
    tj.set_subsamp(turbojpeg::Subsamp::Sub2x2).expect("subsamp");
    let mut out =
        vec![0; turbojpeg::compressed_buf_len(W, H, turbojpeg::Subsamp::Sub2x2).expect("len")];
    g.bench_function("libjpeg-turbo", |b| {
        b.iter(|| {
            let image = turbojpeg::YuvPlanesImage {
                y_plane: &pic.y[..],
                u_plane: &pic.u[..],
                v_plane: &pic.v[..],
                width: W,
                height: H,
                y_stride: W,
                u_stride: W / 2,
                v_stride: W / 2,
                subsamp: turbojpeg::Subsamp::Sub2x2,
            };
            black_box(
                tj.compress_yuv_planes_to_slice(&image, &mut out)
                    .expect("jpeg"),
            )
        });
    });
    let mut rust_out = Vec::with_capacity(out.len());
    g.bench_function("jpeg-encoder", |b| {
        b.iter(|| {
            rust_out.clear();
            let mut e = jpeg_encoder::Encoder::new(&mut rust_out, 45);
            e.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
            e.encode_image(Planes {
                y: &pic.y,
                u: &pic.u,
                v: &pic.v,
            })
            .expect("jpeg");
            black_box(rust_out.len())
        });
    });
    g.finish();
}

criterion_group!(benches, libraries);
criterion_main!(benches);
