//! JPEG channels: the MPI's rules (MJPEG_FIXQP only, `q_factor` 1..=99, sizes to 8192) and what
//! the Encoder gives a script: one pack typed I per picture, a whole JFIF image, never a HEADER.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use venc_core::consts::*;
use venc_core::{ChnAttr, ChnAttrStr, Mpi, RcAttr, VencError};
use venc_harness::oracle::{decode, pattern_planes, psnr_yuv};
use venc_harness::source::TestPattern;
use venc_harness::{EncodeJob, run_example2};
use venc_sim::Simulator;

fn jpeg(w: u32, h: u32, q: u32) -> ChnAttr {
    ChnAttrStr {
        mjpeg_quality_factor: q,
        ..ChnAttrStr::new(K_PT_JPEG, VENC_PROFILE_H264_MAIN, w, h)
    }
    .to_mpi()
}

/// `create_chn` on a fresh channel with an output pool: the code it returns.
fn create(attr: &ChnAttr) -> Result<(), VencError> {
    let sim = Simulator::null();
    let pool = sim.create_pool(64 * 1024, 2).unwrap();
    sim.attach_vb_pool(0, pool).unwrap();
    sim.create_chn(0, attr)
}

#[test]
fn create_takes_mjpeg_fixqp_with_a_quality_and_jpeg_sizes() {
    assert_eq!(create(&jpeg(320, 240, 45)), Ok(()));
    assert_eq!(create(&jpeg(8192, 8192, 1)), Ok(()), "JPEG goes to 8192");
    assert_eq!(create(&jpeg(128, 64, 99)), Ok(()));
    for (attr, code) in [
        (jpeg(8208, 64, 45), VencError::IllegalParam),
        (jpeg(320, 8194, 45), VencError::IllegalParam),
        (jpeg(112, 64, 45), VencError::IllegalParam),
        (jpeg(320, 240, 0), VencError::IllegalParam),
        (jpeg(320, 240, 100), VencError::IllegalParam),
    ] {
        assert_eq!(create(&attr), Err(code), "{attr:?}");
    }
    // JPEG with CBR, and MJPEG_FIXQP on H.264: each rate control belongs to its codec.
    let mut cbr_jpeg = ChnAttrStr::new(K_PT_H264, VENC_PROFILE_H264_MAIN, 320, 240).to_mpi();
    cbr_jpeg.payload = K_PT_JPEG;
    assert_eq!(create(&cbr_jpeg), Err(VencError::NotSupport));
    let mut mjpeg_h264 = jpeg(320, 240, 45);
    mjpeg_h264.payload = K_PT_H264;
    assert_eq!(create(&mjpeg_h264), Err(VencError::NotSupport));
    // H.264 stays below 4096.
    let big = ChnAttrStr::new(K_PT_H264, VENC_PROFILE_H264_MAIN, 8192, 64).to_mpi();
    assert_eq!(create(&big), Err(VencError::IllegalParam));
    assert!(matches!(
        jpeg(320, 240, 45).rc,
        RcAttr::MjpegFixQp { q_factor: 45, .. }
    ));
}

#[test]
fn example2_gets_one_whole_picture_typed_i_per_frame_and_ffmpeg_reads_them() {
    let sim = Simulator::null();
    let mpi: Arc<dyn Mpi> = sim.clone();
    let job = EncodeJob::example2(K_PT_JPEG, VENC_PROFILE_H264_MAIN, 320, 240, 12);
    let mut packs = Vec::new();
    let mut stream = Vec::new();
    let summary = run_example2(mpi, &job, &mut TestPattern::new(320, 240), |ev, bytes| {
        packs.push((ev.pack_type, bytes.len()));
        stream.extend_from_slice(bytes);
        assert!(bytes.starts_with(&[0xFF, 0xD8]) && bytes.ends_with(&[0xFF, 0xD9]));
    })
    .unwrap();
    assert_eq!(
        (summary.header_packs, summary.i_packs, summary.p_packs),
        (0, 12, 0)
    );
    assert!(packs.iter().all(|(t, _)| *t == venc_core::PackType::I));
    let decoded = decode(venc_core::bitstream::Codec::Jpeg, &stream, 320, 240).unwrap();
    assert_eq!(decoded.len(), 12);
    let (y, u, v) = psnr_yuv(&decoded, &pattern_planes(320, 240, 12));
    assert!(y > 30.0 && u > 30.0 && v > 30.0, "{y} {u} {v}");
    assert_eq!(sim.channel_stats(0).unwrap().frames_encoded, 12);
}
