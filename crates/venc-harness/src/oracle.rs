//! Oracles: an independent decode of a stream and PSNR against the source. Used by the
//! conformance suite, the tests, the CLI tests and the benchmarks.
//!
//! Both codecs decode with the `ffmpeg` program (libavcodec's H.264 and HEVC decoders). They
//! share no code with the engines under test: openh264's own decoder would share its `common/`
//! code with the encoder, and libx265 has no decoder. Running it as a program keeps every crate
//! that checks a stream free of a linked codec.

use crate::source::TestPattern;
use venc_core::bitstream::Codec;

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

/// Decodes an Annex-B stream (H.264, H.265) or concatenated JPEG pictures (MJPEG) with an
/// independent decoder.
pub fn decode(
    codec: Codec,
    stream: &[u8],
    width: usize,
    height: usize,
) -> Result<Vec<Yuv>, String> {
    decode_with("ffmpeg", codec, stream, width, height)
}

/// Decodes with `program` (an ffmpeg). Anything it reports at level `error`, a non-zero exit, a
/// size that is not a whole number of pictures, or a missing program fails: a test that needs
/// the decoder never passes without it.
pub fn decode_with(
    program: &str,
    codec: Codec,
    stream: &[u8],
    width: usize,
    height: usize,
) -> Result<Vec<Yuv>, String> {
    // JPEG's samples are full range (JFIF): read back as `yuvj420p`, the same planes with no
    // range conversion, so they compare with the NV12 bytes that went in.
    let (format, pix_fmt) = match codec {
        Codec::H264 => ("h264", "yuv420p"),
        Codec::H265 => ("hevc", "yuv420p"),
        Codec::Jpeg => ("mjpeg", "yuvj420p"),
    };
    let args = ["-hide_banner", "-v", "error", "-f", format, "-i", "pipe:0"]
        .into_iter()
        .chain(["-f", "rawvideo", "-pix_fmt", pix_fmt, "pipe:1"]);
    let (raw, errors) = pipe_through(program, args, stream)?;
    if !errors.trim().is_empty() {
        return Err(format!("ffmpeg reported errors: {}", errors.trim()));
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

/// Runs `program` with `args`, `stream` on its stdin: its stdout and stderr, or why it failed
/// (not found, a pipe error, a non-zero exit).
fn pipe_through<'a>(
    program: &str,
    args: impl IntoIterator<Item = &'a str>,
    stream: &[u8],
) -> Result<(Vec<u8>, String), String> {
    use std::io::{Read, Write};
    use std::process::{Command, Stdio};
    let mut child = Command::new(program)
        .args(args)
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
    let out = std::thread::scope(|scope| {
        // Feed stdin from another thread so a full stdout pipe cannot deadlock the two.
        let writer = scope.spawn(move || stdin.write_all(stream));
        let mut out = Vec::new();
        let read = stdout.read_to_end(&mut out);
        let written = writer
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("writer panicked")));
        read.and(written).map(|_| out)
    });
    let status = child.wait().map_err(|e| format!("{program}: {e}"))?;
    let errors = stderr_reader.join().unwrap_or_default();
    let out = out.map_err(|e| format!("{program} pipe: {e}; {errors}"))?;
    if !status.success() {
        return Err(format!(
            "{program} reported errors ({status}): {}",
            errors.trim()
        ));
    }
    Ok((out, errors))
}

/// One coded slice as an independent parser read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SliceQp {
    /// `nal_unit_type` of the slice (H.264: 5 IDR, 1 non-IDR; H.265: 19/20 IDR, 1 trail).
    pub nal_type: u8,
    /// `26 + init_qp_minus26 + slice_qp_delta`: the slice's starting QP.
    pub qp: i32,
}

/// Every syntax element of an H.264 or H.265 stream's headers (parameter sets and slice
/// headers), in stream order, as libavcodec's `trace_headers` bitstream filter reads them: a
/// parser that shares no code with the engines.
pub fn syntax_elements(codec: Codec, stream: &[u8]) -> Result<Vec<(String, i64)>, String> {
    let format = match codec {
        Codec::H264 => "h264",
        Codec::H265 => "hevc",
        Codec::Jpeg => return Err("JPEG has no H.264/H.265 syntax elements".into()),
    };
    let args = [
        "-hide_banner",
        "-nostats",
        "-loglevel",
        "info",
        "-f",
        format,
        "-i",
        "pipe:0",
    ]
    .into_iter()
    .chain(["-c", "copy", "-bsf:v", "trace_headers", "-f", "null", "-"]);
    let (_, trace) = pipe_through("ffmpeg", args, stream)?;
    // Lines end `<name>  <bits> = <value>`; array elements are named `name[i]`.
    let element = |line: &str| -> Option<(String, i64)> {
        let (left, value) = line.rsplit_once(" = ")?;
        let mut words = left.split_whitespace().rev();
        let bits = words.next()?;
        if !bits.bytes().all(|b| b == b'0' || b == b'1') {
            return None;
        }
        Some((words.next()?.to_owned(), value.trim().parse().ok()?))
    };
    let elements: Vec<_> = trace.lines().filter_map(element).collect();
    if elements.is_empty() {
        return Err(format!(
            "trace_headers read no syntax element: {}",
            trace.trim()
        ));
    }
    Ok(elements)
}

/// The slices' QPs of an H.264 or H.265 stream and whether its PPS lets blocks move off them
/// (H.265 `cu_qp_delta_enabled_flag`; H.264 has no such flag: `None`), from
/// [`syntax_elements`]. One PPS is assumed: the engines write one, with id 0.
pub fn slice_qps(codec: Codec, stream: &[u8]) -> Result<(Vec<SliceQp>, Option<bool>), String> {
    let (mut init, mut nal_type, mut cu_qp_delta) = (None, 0u8, None);
    let mut slices = Vec::new();
    for (name, v) in syntax_elements(codec, stream)? {
        match name.as_str() {
            "nal_unit_type" => {
                nal_type = u8::try_from(v).map_err(|_| format!("nal_unit_type {v}"))?;
            }
            "pic_init_qp_minus26" | "init_qp_minus26" => init = Some(v),
            "cu_qp_delta_enabled_flag" => cu_qp_delta = Some(v != 0),
            "slice_qp_delta" => {
                let init = init.ok_or("a slice before any PPS")?;
                let qp = i32::try_from(26 + init + v).map_err(|_| format!("slice QP {v}"))?;
                slices.push(SliceQp { nal_type, qp });
            }
            _ => {}
        }
    }
    if slices.is_empty() {
        return Err("trace_headers found no slice".into());
    }
    Ok((slices, cu_qp_delta))
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
    Yuv::from_nv12(y, &uv)
}

impl Yuv {
    /// A planar picture from an NV12 one (interleaved U, V).
    pub fn from_nv12(y: Vec<u8>, uv: &[u8]) -> Self {
        let u = uv.iter().step_by(2).copied().collect();
        let v = uv.iter().skip(1).step_by(2).copied().collect();
        Self { y, u, v }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psnr_of_equal_planes_is_capped_and_of_different_ones_finite() {
        let a = pattern_frame(64, 32, 0);
        let b = pattern_frame(64, 32, 3);
        assert_eq!(psnr(&[&a.y], &[&a.y]), 99.0);
        let p = psnr(&[&a.y], &[&b.y]);
        assert!(p > 5.0 && p < 40.0, "{p}");
    }

    #[test]
    fn a_missing_decoder_fails_instead_of_skipping() {
        let e = decode_with(
            "ffmpeg-not-installed",
            Codec::H264,
            &[0, 0, 0, 1, 0x67],
            64,
            64,
        )
        .expect_err("no such program");
        assert!(e.contains("apt-get install -y ffmpeg"), "{e}");
    }
}
