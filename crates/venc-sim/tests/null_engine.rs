//! The null engine against an independent decoder: its H.264 Baseline stream (CAVLC) is fully
//! coded — a flat grey IDR and skipped P pictures — so ffmpeg plays it at the channel's size.
#![allow(clippy::unwrap_used)]

use venc_core::bitstream::Codec;
use venc_core::codec::{CodecEngine, EncodedPicture, EngineConfig, Picture};
use venc_core::consts;
use venc_harness::oracle::decode;
use venc_sim::codec::null::NullEngine;

fn stream(width: u32, height: u32, frames: u32, gop: u32) -> Vec<u8> {
    let mut engine = NullEngine::new(
        Codec::H264,
        &EngineConfig {
            width,
            height,
            profile: consts::VENC_PROFILE_H264_BASELINE,
            gop,
            rate: venc_core::codec::Rate::Constant { kbps: 1000 },
            frame_rate: 30.0,
            threads: 1,
            tools: Default::default(),
        },
    );
    let n = (width * height) as usize;
    let (y, c) = (vec![200; n], vec![50; n / 4]);
    let pic = Picture::packed(&y, &c, &c, width, height);
    let mut out = EncodedPicture::default();
    let mut all = Vec::new();
    for _ in 0..frames {
        engine.encode(&pic, false, &mut out).unwrap();
        all.extend_from_slice(&out.data);
    }
    all
}

#[test]
fn ffmpeg_plays_the_baseline_stream_as_flat_grey_at_the_channel_size() {
    // 200x120 is not a whole number of macroblocks: the SPS crops 8 lines.
    for (w, h) in [(200, 120), (320, 240)] {
        let pictures = decode(Codec::H264, &stream(w, h, 12, 5), w as usize, h as usize).unwrap();
        assert_eq!(pictures.len(), 12, "{w}x{h}");
        for p in &pictures {
            assert!(
                p.y.iter().all(|&v| v == 128),
                "{w}x{h}: luma is not flat grey"
            );
            assert!(p.u.iter().chain(&p.v).all(|&v| v == 128), "{w}x{h}: chroma");
        }
    }
}

#[test]
fn a_cut_stream_fails_the_decoder_so_the_check_above_can_fail() {
    let s = stream(320, 240, 3, 30);
    // Drop the SPS+PPS: the decoder has nothing to start from.
    let idr = s.windows(5).position(|w| w == [0, 0, 0, 1, 0x65]).unwrap();
    assert!(decode(Codec::H264, &s[idr..], 320, 240).is_err());
}
