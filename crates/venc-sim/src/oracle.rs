//! Oracles: an independent decode of a stream (openh264's decoder, a separate code path from
//! its encoder, for H.264; the `ffmpeg` program's HEVC decoder for H.265) and PSNR against the
//! source. Used by tests, the CLI tests and benchmarks.

use crate::source::TestPattern;
use openh264::decoder::{DecodedYUV, Decoder};
use openh264::formats::YUVSource;
use venc_core::bitstream::{Codec, NalKind, split_annexb};

/// A decoded picture, planar 4:2:0, cropped to its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Yuv {
    /// Luma.
    pub y: Vec<u8>,
    /// Cb.
    pub u: Vec<u8>,
    /// Cr.
    pub v: Vec<u8>,
}

/// Decodes an Annex-B H.264 stream into pictures; any decoder error fails.
pub fn decode_h264(stream: &[u8], width: usize, height: usize) -> Result<Vec<Yuv>, String> {
    let mut dec = Decoder::new().map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let take = |p: &DecodedYUV<'_>| -> Result<Yuv, String> {
        let (w, h) = p.dimensions();
        if (w, h) != (width, height) {
            return Err(format!("decoded {w}x{h}, expected {width}x{height}"));
        }

        let (ys, us, vs) = p.strides();
        let crop = |plane: &[u8], stride: usize, cw: usize, ch: usize| {
            (0..ch)
                .flat_map(|r| plane[r * stride..r * stride + cw].iter().copied())
                .collect::<Vec<u8>>()
        };
        Ok(Yuv {
            y: crop(p.y(), ys, w, h),
            u: crop(p.u(), us, w / 2, h / 2),
            v: crop(p.v(), vs, w / 2, h / 2),
        })
    };
    for au in access_units(stream) {
        if let Some(pic) = dec.decode(&au).map_err(|e| format!("decode: {e}"))? {
            out.push(take(&pic)?);
        }
    }
    for pic in dec.flush_remaining().map_err(|e| format!("flush: {e}"))? {
        out.push(take(&pic)?);
    }
    Ok(out)
}

/// Decodes an Annex-B stream of either codec with its independent decoder.
pub fn decode(
    codec: Codec,
    stream: &[u8],
    width: usize,
    height: usize,
) -> Result<Vec<Yuv>, String> {
    match codec {
        Codec::H264 => decode_h264(stream, width, height),
        Codec::H265 => decode_h265_ffmpeg(stream, width, height),
    }
}

/// Decodes an Annex-B H.265 stream with the `ffmpeg` program (libavcodec's HEVC decoder, no
/// code shared with libx265). Anything ffmpeg reports at level `error`, a non-zero exit, or a
/// missing `ffmpeg` fails: a test that needs it never passes without it.
pub fn decode_h265_ffmpeg(stream: &[u8], width: usize, height: usize) -> Result<Vec<Yuv>, String> {
    decode_h265_with("ffmpeg", stream, width, height)
}

fn decode_h265_with(
    program: &str,
    stream: &[u8],
    width: usize,
    height: usize,
) -> Result<Vec<Yuv>, String> {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new(program)
        .args(["-hide_banner", "-v", "error", "-f", "hevc", "-i", "pipe:0"])
        .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!("cannot run {program} ({e}); install it: apt-get install -y ffmpeg")
        })?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err("ffmpeg pipes missing".into());
    };
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let raw = std::thread::scope(|scope| {
        // Feed stdin from another thread so a full stdout pipe cannot deadlock the two.
        let writer = scope.spawn(move || stdin.write_all(stream));
        let mut raw = Vec::new();
        let read = stdout.read_to_end(&mut raw);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("writer panicked")));
        read.and(written).map(|_| raw)
    });
    let status = child.wait().map_err(|e| format!("ffmpeg: {e}"))?;
    let errors = stderr_reader.join().unwrap_or_default();
    let raw = raw.map_err(|e| format!("ffmpeg pipe: {e}; {errors}"))?;
    if !status.success() || !errors.trim().is_empty() {
        return Err(format!(
            "ffmpeg reported errors ({status}): {}",
            errors.trim()
        ));
    }
    let (y_len, c_len) = (width * height, (width / 2) * (height / 2));
    let frame_len = y_len + 2 * c_len;
    if raw.len() % frame_len != 0 {
        return Err(format!(
            "ffmpeg wrote {} bytes, not a whole number of {width}x{height} pictures",
            raw.len()
        ));
    }
    Ok(raw
        .chunks_exact(frame_len)
        .map(|f| Yuv {
            y: f[..y_len].to_vec(),
            u: f[y_len..y_len + c_len].to_vec(),
            v: f[y_len + c_len..].to_vec(),
        })
        .collect())
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
        if let Some(au) = aus.last_mut() {
            au.extend_from_slice(&[0, 0, 0, 1]);
            au.extend_from_slice(nal.data);
        }
        prev_slice = is_slice;
    }
    aus
}

/// PSNR over whole sequences (one MSE over every sample).
pub fn psnr(a: &[&[u8]], b: &[&[u8]]) -> f64 {
    let (mut se, mut n) = (0f64, 0usize);
    for (x, y) in a.iter().zip(b) {
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

/// The built-in pattern's frames `0..frames` as planar pictures.
pub fn pattern_planes(w: u32, h: u32, frames: u32) -> Vec<Yuv> {
    (0..frames).map(|t| pattern_frame(w, h, t)).collect()
}

/// Frame `t` of the built-in pattern as a planar picture.
pub fn pattern_frame(w: u32, h: u32, t: u32) -> Yuv {
    let n = (w * h) as usize;
    let (mut y, mut uv) = (vec![0; n], vec![0; n / 2]);
    TestPattern::render(w, h, t, &mut y, &mut uv);
    let u = uv.iter().step_by(2).copied().collect();
    let v = uv.iter().skip(1).step_by(2).copied().collect();
    Yuv { y, u, v }
}

/// Y, U and V PSNR of decoded pictures against source pictures.
pub fn psnr_yuv(decoded: &[Yuv], source: &[Yuv]) -> (f64, f64, f64) {
    let plane = |f: fn(&Yuv) -> &[u8]| {
        psnr(
            &decoded.iter().map(f).collect::<Vec<_>>(),
            &source.iter().map(f).collect::<Vec<_>>(),
        )
    };
    (plane(|p| &p.y), plane(|p| &p.u), plane(|p| &p.v))
}

#[cfg(all(test, feature = "x265"))]
mod tests {
    use super::*;
    use crate::codec::{EncodedPicture, Picture, engine_for};
    use venc_core::{ChnAttrStr, consts};

    /// Ten frames of the pattern at 320x240 through the H.265 engine directly.
    fn h265_stream() -> Vec<u8> {
        let attr = ChnAttrStr::new(consts::K_PT_H265, consts::VENC_PROFILE_H265_MAIN, 320, 240);
        let mut engine = engine_for(&attr.to_mpi(), 1).expect("engine");
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
        let stream = h265_stream();
        let decoded = decode_h265_ffmpeg(&stream, 320, 240).expect("decodes");
        assert_eq!(decoded.len(), 10);
        assert!(psnr_yuv(&decoded, &pattern_planes(320, 240, 10)).0 > 35.0);
        // A lost HEADER (VPS+SPS+PPS): ffmpeg reports the missing PPS, so the oracle fails.
        let headless = &stream[annexb_slice_offset(&stream)..];
        let e = decode_h265_ffmpeg(headless, 320, 240).expect_err("no parameter sets");
        assert!(e.contains("ffmpeg reported errors"), "{e}");
        // A size the stream does not have cannot be a whole number of pictures.
        assert!(decode_h265_ffmpeg(&stream, 336, 240).is_err());
    }

    #[test]
    fn a_missing_decoder_fails_instead_of_skipping() {
        let e = decode_h265_with("ffmpeg-not-installed", &h265_stream(), 320, 240)
            .expect_err("no such program");
        assert!(e.contains("apt-get install -y ffmpeg"), "{e}");
    }

    fn annexb_slice_offset(stream: &[u8]) -> usize {
        venc_core::bitstream::annexb_units(stream)
            .find(|u| Codec::H265.classify(u.data) == NalKind::IdrSlice)
            .map(|u| u.offset)
            .expect("an IDR slice")
    }
}
