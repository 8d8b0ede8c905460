//! Shared test helpers: an independent decode (openh264's decoder) and PSNR.
#![allow(dead_code, clippy::unwrap_used)]

use openh264::decoder::Decoder;
use openh264::formats::YUVSource;
use std::sync::Arc;
use venc_core::bitstream::{Codec, NalKind, parse_h264_sps, split_annexb};
use venc_sim::pipeline::{EncodeJob, EncodeSummary, PackEvent, run_example2};
use venc_sim::source::TestPattern;
use venc_sim::{SimOptions, Simulator};

/// A decoded picture, planar 4:2:0, cropped to its size.
pub struct Yuv {
    pub y: Vec<u8>,
    pub u: Vec<u8>,
    pub v: Vec<u8>,
}

/// Decodes an Annex-B H.264 stream into pictures; any decoder error fails.
pub fn decode_h264(stream: &[u8], width: usize, height: usize) -> Result<Vec<Yuv>, String> {
    let mut dec = Decoder::new().map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let take = |p: &openh264::decoder::DecodedYUV<'_>| {
        let (w, h) = p.dimensions();
        assert_eq!((w, h), (width, height), "decoded size");
        let (ys, us, vs) = p.strides();
        let crop = |plane: &[u8], stride: usize, cw: usize, ch: usize| {
            (0..ch)
                .flat_map(|r| plane[r * stride..r * stride + cw].iter().copied())
                .collect::<Vec<u8>>()
        };
        Yuv {
            y: crop(p.y(), ys, w, h),
            u: crop(p.u(), us, w / 2, h / 2),
            v: crop(p.v(), vs, w / 2, h / 2),
        }
    };
    for au in access_units(stream) {
        if let Some(pic) = dec.decode(&au).map_err(|e| format!("decode: {e}"))? {
            out.push(take(&pic));
        }
    }
    for pic in dec.flush_remaining().map_err(|e| format!("flush: {e}"))? {
        out.push(take(&pic));
    }
    Ok(out)
}

/// Splits an H.264 Annex-B stream into access units: a new one starts at an SPS, or at a slice
/// with `first_mb_in_slice == 0` after a slice.
pub fn access_units(stream: &[u8]) -> Vec<Vec<u8>> {
    let mut aus: Vec<Vec<u8>> = Vec::new();
    let mut prev_slice = false;
    for nal in split_annexb(stream) {
        let kind = Codec::H264.classify(nal.data);
        let is_slice = matches!(kind, NalKind::IdrSlice | NalKind::NonIdrSlice);
        let first_mb_zero = nal.data.get(1).is_some_and(|b| b & 0x80 != 0);
        let new_au = aus.is_empty()
            || (kind == NalKind::Sps && prev_slice)
            || (is_slice && first_mb_zero && prev_slice);
        if new_au {
            aus.push(Vec::new());
        }
        let au = aus.last_mut().unwrap();
        au.extend_from_slice(&[0, 0, 0, 1]);
        au.extend_from_slice(nal.data);
        prev_slice = is_slice;
    }
    aus
}

/// PSNR over whole sequences (one MSE over every sample).
pub fn psnr(a: &[&[u8]], b: &[&[u8]]) -> f64 {
    let (mut se, mut n) = (0f64, 0usize);
    for (x, y) in a.iter().zip(b) {
        assert_eq!(x.len(), y.len());
        for (p, q) in x.iter().zip(y.iter()) {
            let d = f64::from(*p) - f64::from(*q);
            se += d * d;
        }
        n += x.len();
    }
    if se == 0.0 {
        return 99.0;
    }
    10.0 * (255.0f64 * 255.0 / (se / n as f64)).log10()
}

/// The source planes of the test pattern, split into Y, U, V.
pub fn pattern_planes(w: u32, h: u32, frames: u32) -> Vec<Yuv> {
    let n = (w * h) as usize;
    (0..frames)
        .map(|t| {
            let (mut y, mut uv) = (vec![0; n], vec![0; n / 2]);
            TestPattern::render(w, h, t, &mut y, &mut uv);
            let u = uv.iter().step_by(2).copied().collect();
            let v = uv.iter().skip(1).step_by(2).copied().collect();
            Yuv { y, u, v }
        })
        .collect()
}

/// Y, U and V PSNR of decoded pictures against the pattern.
pub fn psnr_yuv(decoded: &[Yuv], source: &[Yuv]) -> (f64, f64, f64) {
    let plane = |f: fn(&Yuv) -> &[u8]| {
        psnr(
            &decoded.iter().map(f).collect::<Vec<_>>(),
            &source.iter().map(f).collect::<Vec<_>>(),
        )
    };
    (plane(|p| &p.y), plane(|p| &p.u), plane(|p| &p.v))
}

/// One Example 2 run on a fresh simulator: the stream, every pack event, the summary.
pub struct Run {
    pub stream: Vec<u8>,
    pub packs: Vec<(PackEvent, Vec<u8>)>,
    pub summary: EncodeSummary,
}

pub fn run(job: &EncodeJob) -> Run {
    let sim = Simulator::shared(SimOptions::default());
    let mut src = TestPattern::new(job.attr.pic_width, job.attr.pic_height);
    let mut stream = Vec::new();
    let mut packs = Vec::new();
    let summary = run_example2(sim, job, &mut src, |ev, bytes| {
        stream.extend_from_slice(bytes);
        packs.push((*ev, bytes.to_vec()));
    })
    .unwrap();
    Run {
        stream,
        packs,
        summary,
    }
}

/// NAL kinds in one pack.
pub fn kinds(bytes: &[u8]) -> Vec<NalKind> {
    split_annexb(bytes)
        .iter()
        .map(|n| Codec::H264.classify(n.data))
        .collect()
}

/// `(profile_idc, level_idc, width, height, cabac)` from a HEADER pack.
pub fn header_info(bytes: &[u8]) -> (u8, u8, u32, u32, bool) {
    let units = split_annexb(bytes);
    let sps = units
        .iter()
        .find(|n| Codec::H264.classify(n.data) == NalKind::Sps)
        .unwrap();
    let pps = units
        .iter()
        .find(|n| Codec::H264.classify(n.data) == NalKind::Pps)
        .unwrap();
    let (info, parsed) = parse_h264_sps(sps.data).unwrap();
    let cabac = venc_core::bitstream::h264_pps_cabac(parsed, pps.data).unwrap();
    (
        info.profile_idc,
        info.level_idc,
        info.width,
        info.height,
        cabac,
    )
}

pub fn shared_sim() -> Arc<Simulator> {
    Simulator::shared(SimOptions::default())
}
