//! The harness's decode oracle against the simulator's real engines: a good stream decodes to
//! the source, a damaged one fails (the oracle must be able to say no).
#![allow(clippy::unwrap_used)]

use venc_core::bitstream::{Codec, NalKind, annexb_units};
use venc_core::codec::{EncodedPicture, Picture};
use venc_core::{ChnAttrStr, consts};
use venc_harness::oracle::{decode, pattern_planes, psnr_yuv};
use venc_sim::codec::{Engines, engine_for};

/// Ten frames of the pattern at 320x240 through a real engine directly.
fn stream(codec: Codec) -> Vec<u8> {
    let (payload, profile) = match codec {
        Codec::H264 => (consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN),
        Codec::H265 => (consts::K_PT_H265, consts::VENC_PROFILE_H265_MAIN),
        Codec::Jpeg => (consts::K_PT_JPEG, consts::VENC_PROFILE_H264_MAIN),
    };
    let attr = ChnAttrStr::new(payload, profile, 320, 240);
    let mut engine = engine_for(&attr.to_mpi(), 1, Engines::Real).expect("engine");
    let mut stream = Vec::new();
    let mut out = EncodedPicture::default();
    for f in pattern_planes(320, 240, 10) {
        let pic = Picture::packed(&f.y, &f.u, &f.v, 320, 240);
        engine.encode(&pic, false, &mut out).expect("encode");
        stream.extend_from_slice(&out.data);
    }
    stream
}

#[test]
fn ffmpeg_decodes_a_good_stream_and_rejects_damage() {
    for codec in [Codec::H264, Codec::H265] {
        let stream = stream(codec);
        let decoded = decode(codec, &stream, 320, 240).expect("decodes");
        assert_eq!(decoded.len(), 10, "{codec:?}");
        assert!(psnr_yuv(&decoded, &pattern_planes(320, 240, 10)).0 > 35.0);
        // A lost HEADER: ffmpeg reports the missing parameter sets, so the oracle fails.
        let idr = annexb_units(&stream)
            .find(|u| codec.classify(u.data) == NalKind::IdrSlice)
            .map(|u| u.offset)
            .expect("an IDR slice");
        let e = decode(codec, &stream[idr..], 320, 240).expect_err("no parameter sets");
        assert!(e.contains("ffmpeg reported errors"), "{codec:?}: {e}");
        // A size the stream does not have cannot be a whole number of pictures.
        assert!(decode(codec, &stream, 336, 240).is_err(), "{codec:?}");
    }
}

#[test]
fn ffmpeg_decodes_jpeg_pictures_and_rejects_damage() {
    let stream = stream(Codec::Jpeg);
    let decoded = decode(Codec::Jpeg, &stream, 320, 240).expect("decodes");
    assert_eq!(decoded.len(), 10);
    let (y, u, v) = psnr_yuv(&decoded, &pattern_planes(320, 240, 10));
    eprintln!("JPEG q45 320x240: Y {y:.2} dB, U {u:.2} dB, V {v:.2} dB");
    assert!(y > 30.0 && u > 30.0 && v > 30.0, "{y} {u} {v}");
    // A picture cut short: the decoder reports it.
    let e = decode(Codec::Jpeg, &stream[..stream.len() / 20], 320, 240).expect_err("cut");
    assert!(!e.is_empty());
    assert!(
        decode(Codec::Jpeg, &stream, 336, 240).is_err(),
        "another size"
    );
}
