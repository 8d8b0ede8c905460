//! The oracles over a channel's collected stream.
//!
//! - L2, pack structure: a HEADER pack holds only parameter sets, an I pack only IDR slices and
//!   follows a HEADER, a P pack never an IDR; Annex-B with 4-byte start codes; the SPS matches
//!   the channel (profile, size, 4:2:0 8-bit, a level big enough for the picture); frame count,
//!   IDR positions and header policy as the case expects.
//! - L3, an independent decoder (ffmpeg's, for both codecs: see `venc_harness::oracle`): one
//!   picture per encoded frame, PSNR against the source frames the packs' pts name.
//! - Rate: the average bit rate over the frames, against the channel's `bit_rate`.
//!
//! L1 (return codes) is the executor's; L4 (determinism) is the runner's.

use crate::case::StreamExpect;
use crate::exec::ChannelStream;
use crate::picture::{turned, with_osd};
use venc_core::bitstream::{
    Codec, NalKind, annexb_units, h264_pps_cabac, parse_h264_sps, parse_h265_sps,
};
use venc_core::{PackType, consts};
use venc_harness::oracle::{self, Yuv};

/// Checks that always hold for any pack a channel produced (L2 grammar and SPS).
pub fn grammar(s: &ChannelStream) -> Result<(), String> {
    let codec = s.codec().ok_or("the channel has no video codec")?;
    if codec == Codec::Jpeg {
        return jpeg_grammar(s);
    }
    // Whether an I pack follows a HEADER depends on enable_idr: checked per case.
    for (i, p) in s.packs.iter().enumerate() {
        let at = |m: String| format!("pack {i} ({}): {m}", p.pack_type);
        if !p.bytes.starts_with(&[0, 0, 0, 1]) {
            return Err(at("does not start with a 4-byte start code".into()));
        }
        let kinds: Vec<NalKind> = annexb_units(&p.bytes)
            .map(|u| codec.classify(u.data))
            .collect();
        let slices = kinds
            .iter()
            .filter(|k| matches!(k, NalKind::IdrSlice | NalKind::NonIdrSlice))
            .count();
        match p.pack_type {
            PackType::Header => {
                if let Some(k) = kinds.iter().find(|k| !k.is_parameter_set()) {
                    return Err(at(format!("holds {k:?}, not only parameter sets")));
                }
                let need: &[NalKind] = match codec {
                    Codec::H264 => &[NalKind::Sps, NalKind::Pps],
                    Codec::H265 => &[NalKind::Vps, NalKind::Sps, NalKind::Pps],
                    Codec::Jpeg => &[],
                };
                if let Some(k) = need.iter().find(|k| !kinds.contains(k)) {
                    return Err(at(format!("has no {k:?}")));
                }
                check_sps(codec, s, &p.bytes).map_err(at)?;
            }
            PackType::I => {
                if slices == 0 || kinds.contains(&NalKind::NonIdrSlice) {
                    return Err(at(format!("is not all IDR slices: {kinds:?}")));
                }
                if kinds.iter().any(|k| k.is_parameter_set()) {
                    return Err(at("carries parameter sets (they belong in HEADER)".into()));
                }
            }
            PackType::P => {
                if slices == 0 || kinds.contains(&NalKind::IdrSlice) {
                    return Err(at(format!("is not all non-IDR slices: {kinds:?}")));
                }
            }
        }
    }
    Ok(())
}

/// A JPEG channel's packs: each one whole picture typed I, `SOI` … `EOI` (facts: one pack per
/// picture). Its size and content are the decoder's to check (L3).
fn jpeg_grammar(s: &ChannelStream) -> Result<(), String> {
    for (i, p) in s.packs.iter().enumerate() {
        if p.pack_type != PackType::I {
            return Err(format!("pack {i} is {}, a JPEG pack is I", p.pack_type));
        }
        if !p.bytes.starts_with(&[0xFF, 0xD8]) || !p.bytes.ends_with(&[0xFF, 0xD9]) {
            return Err(format!(
                "pack {i} is not one whole JPEG picture (SOI … EOI)"
            ));
        }
    }
    Ok(())
}

/// SPS fields against the channel attributes (VENC-PACK-005).
fn check_sps(codec: Codec, s: &ChannelStream, header: &[u8]) -> Result<(), String> {
    let a = &s.attr;
    let units: Vec<&[u8]> = annexb_units(header).map(|u| u.data).collect();
    let find = |k: NalKind| units.iter().copied().find(|u| codec.classify(u) == k);
    let sps = find(NalKind::Sps).ok_or("no SPS")?;
    let (w, h) = s.coded_size();
    match codec {
        Codec::H264 => {
            let (info, parsed) = parse_h264_sps(sps)?;
            let (want, cabac) = match a.profile {
                consts::VENC_PROFILE_H264_BASELINE => (66, false),
                consts::VENC_PROFILE_H264_MAIN => (77, true),
                consts::VENC_PROFILE_H264_HIGH => (100, true),
                p => return Err(format!("channel profile {p} is not an H.264 one")),
            };
            if info.profile_idc != want {
                return Err(format!("SPS profile_idc {} for {want}", info.profile_idc));
            }
            if (info.width, info.height) != (w, h) {
                return Err(format!(
                    "SPS size {}x{} for {w}x{h}",
                    info.width, info.height
                ));
            }
            let max_fs = h264_max_frame_mbs(info.level_idc)
                .ok_or(format!("SPS level_idc {} unknown", info.level_idc))?;
            let mbs = w.div_ceil(16) * h.div_ceil(16);
            if mbs > max_fs {
                return Err(format!(
                    "level_idc {} allows {max_fs} macroblocks, the picture has {mbs}",
                    info.level_idc
                ));
            }
            let pps = find(NalKind::Pps).ok_or("no PPS")?;
            let cabac = s.h264_cabac.unwrap_or(cabac);
            if h264_pps_cabac(parsed, pps)? != cabac {
                return Err(format!("PPS entropy coding is not {}", cabac_name(cabac)));
            }
        }
        Codec::H265 => {
            let info = parse_h265_sps(sps)?;
            if info.profile_idc != 1 {
                return Err(format!("general_profile_idc {} for Main", info.profile_idc));
            }
            if (info.width, info.height) != (w, h) {
                return Err(format!(
                    "SPS size {}x{} for {w}x{h}",
                    info.width, info.height
                ));
            }
            if info.chroma_format_idc != 1 || info.bit_depth_luma != 8 {
                return Err(format!(
                    "chroma_format_idc {} / {} bits, not 4:2:0 8-bit",
                    info.chroma_format_idc, info.bit_depth_luma
                ));
            }
            let max_ps = h265_max_luma_ps(info.level_idc)
                .ok_or(format!("general_level_idc {} unknown", info.level_idc))?;
            if u64::from(w * h) > max_ps {
                return Err(format!(
                    "level_idc {} allows {max_ps} luma samples, the picture has {}",
                    info.level_idc,
                    w * h
                ));
            }
        }
        Codec::Jpeg => return Err("a JPEG channel has no SPS".into()),
    }
    Ok(())
}

const fn cabac_name(cabac: bool) -> &'static str {
    if cabac { "CABAC" } else { "CAVLC" }
}

/// MaxFS (macroblocks per frame) by `level_idc`: ITU-T H.264 Table A-1.
fn h264_max_frame_mbs(level_idc: u8) -> Option<u32> {
    Some(match level_idc {
        9 | 10 => 99,
        11..=20 => 396,
        21 => 792,
        22 | 30 => 1620,
        31 => 3600,
        32 => 5120,
        40 | 41 => 8192,
        42 => 8704,
        50 => 22080,
        51 | 52 => 36864,
        60..=62 => 139_264,
        _ => return None,
    })
}

/// MaxLumaPs (samples per picture) by `general_level_idc`: ITU-T H.265 Table A.8.
fn h265_max_luma_ps(level_idc: u8) -> Option<u64> {
    Some(match level_idc {
        30 => 36_864,
        60 => 122_880,
        63 => 245_760,
        90 => 552_960,
        93 => 983_040,
        120 | 123 => 2_228_224,
        150 | 153 | 156 => 8_912_896,
        180 | 183 | 186 => 35_651_584,
        _ => return None,
    })
}

/// The case's expectations on a stream: frame count, IDR positions, header policy (L2), and
/// decode, PSNR and bit rate (L3). Returns the trace lines to record.
pub fn expectations(
    s: &ChannelStream,
    e: &StreamExpect,
    rates: &mut Vec<RateSeries>,
) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    let frames: Vec<_> = s.frames().collect();
    if frames.len() as u32 != e.frames {
        return Err(format!("{} frames, expected {}", frames.len(), e.frames));
    }
    let idrs: Vec<u32> = frames
        .iter()
        .enumerate()
        .filter(|(_, p)| p.pack_type == PackType::I)
        .map(|(i, _)| i as u32)
        .collect();
    // Every JPEG picture stands alone; video has an IDR every `gop`.
    let jpeg = s.codec() == Some(Codec::Jpeg);
    // Where requested IDRs land depends on timing, so the trace line names the rule only.
    let idr_line = if let Some(delay) = e.idr_request_delay_max {
        requested_idrs(s, &idrs, e.frames, delay)?
    } else {
        let want_idr = e.idr_at.clone().unwrap_or_else(|| {
            let gop = if jpeg { 1 } else { s.attr.gop_len.max(1) };
            (0..e.frames).step_by(gop as usize).collect()
        });
        if idrs != want_idr {
            return Err(format!("IDR at frames {idrs:?}, expected {want_idr:?}"));
        }
        format!("IDR at {idrs:?}")
    };
    // Header policy: before every I pack, or only before the first.
    let mut headers_before_i = Vec::new();
    for (i, p) in s.packs.iter().enumerate() {
        if p.pack_type == PackType::I {
            headers_before_i.push(i > 0 && s.packs[i - 1].pack_type == PackType::Header);
        }
    }
    let headers = s
        .packs
        .iter()
        .filter(|p| p.pack_type == PackType::Header)
        .count();
    if jpeg {
        // No parameter sets to send: `jpeg_grammar` refused any pack but I.
    } else if e.header_every_idr {
        if let Some(k) = headers_before_i.iter().position(|&h| !h) {
            return Err(format!("IDR #{k} has no HEADER pack right before it"));
        }
        if headers != idrs.len() {
            return Err(format!("{headers} HEADER packs for {} IDRs", idrs.len()));
        }
    } else if headers != 1 || headers_before_i.first() != Some(&true) {
        return Err(format!(
            "{headers} HEADER packs; expected exactly one, before the first IDR"
        ));
    }
    // pts: in send order, each one a frame that was sent.
    let pts: Vec<u64> = frames.iter().map(|p| p.pts).collect();
    if pts.windows(2).any(|w| w[0] >= w[1]) {
        return Err("frame pts are not increasing: frames out of order".into());
    }
    if let Some(p) = pts.iter().find(|p| !s.sent.contains_key(p)) {
        return Err(format!("a pack carries pts {p}, which no sent frame had"));
    }
    lines.push(format!(
        "L2 ch: {} frames, {idr_line}, {headers} HEADER",
        frames.len()
    ));
    if let Some(tol) = e.bitrate_tolerance {
        let bytes: usize = s.packs.iter().map(|p| p.bytes.len()).sum();
        let fps = f64::from(s.attr.src_frame_rate.max(1));
        let kbps = bytes as f64 * 8.0 / 1000.0 / (frames.len() as f64 / fps);
        let target = f64::from(s.attr.bit_rate);
        let dev = (kbps - target) / target;
        if dev.abs() > tol {
            return Err(format!(
                "{kbps:.0} kbps for a {target} kbps target ({:+.1} %, allowed ±{:.0} %)",
                dev * 100.0,
                tol * 100.0
            ));
        }
        lines.push(format!("RC: within ±{:.0} % of the target", tol * 100.0));
    }
    if e.mean_within.is_some() || e.window_max.is_some() {
        let series = RateSeries {
            chn: e.chn,
            ..RateSeries::of(s)?
        };
        let checked = series.check(e.mean_within, e.window_max);
        rates.push(series);
        lines.extend(checked?);
    }
    if let Some(gop) = e.longest_key_distance {
        let longest = idrs.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        let tail = e.frames - idrs.last().copied().unwrap_or(0);
        if longest != gop || tail > gop {
            return Err(format!(
                "longest key-frame distance {longest} (and {tail} frames after the last), GOP {gop}"
            ));
        }
        lines.push(format!("GOP: the longest key-frame distance is {gop}"));
    }
    if !e.syntax.is_empty() || e.slice_qp.is_some() {
        lines.extend(syntax(s, e)?);
    }
    if e.decode {
        let codec = s.codec().ok_or("no codec")?;
        let (w, h) = (s.attr.pic_width, s.attr.pic_height);
        let (cw, ch) = s.coded_size();
        let decoded = oracle::decode(codec, &s.bytes(), cw as usize, ch as usize)?;
        if decoded.len() != frames.len() {
            return Err(format!(
                "the decoder gave {} pictures for {} frames",
                decoded.len(),
                frames.len()
            ));
        }
        let source: Vec<Yuv> = pts
            .iter()
            .map(|p| {
                let regions = if e.osd { &s.osd[..] } else { &[] };
                let sent = with_osd(oracle::pattern_frame(w, h, s.sent[p]), w, regions);
                turned(&sent, (w, h), s.turn)
            })
            .collect();
        let (y, u, v) = oracle::psnr_yuv(&decoded, &source);
        let uv = u.min(v);
        log::info!("PSNR Y {y:.2} U {u:.2} V {v:.2} dB");
        if let Some(min) = e.psnr_y_min.filter(|&m| y < m) {
            return Err(format!("luma PSNR {y:.2} dB below {min} dB"));
        }
        if let Some(min) = e.psnr_uv_min.filter(|&m| uv < m) {
            return Err(format!("chroma PSNR {uv:.2} dB below {min} dB"));
        }
        if let Some(max) = e.psnr_uv_max.filter(|&m| uv > m) {
            return Err(format!(
                "chroma PSNR {uv:.2} dB above {max} dB: the wrong chroma did not show"
            ));
        }
        lines.push(format!("L3 ch: decoded {} pictures", decoded.len()));
    }
    Ok(lines)
}

/// A stream's bit rate, second by second: what Android's CTS checks of a CBR or VBR stream.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RateSeries {
    /// The channel.
    pub chn: u32,
    /// `CBR` or `VBR`.
    pub mode: String,
    /// The channel's `bit_rate`, kbps.
    pub target_kbps: u32,
    /// What a window is held to: `bit_rate` (CBR) or `max_bit_rate` (VBR), kbps.
    pub reference_kbps: u32,
    /// Frames per window (`src_frame_rate`).
    pub fps: u32,
    /// The mean over the whole stream, kbps.
    pub mean_kbps: f64,
    /// Every 1-second window's rate, kbps: window `i` holds frames `i .. i + fps` (a HEADER
    /// pack counts with the picture after it).
    pub window_kbps: Vec<f64>,
}

impl RateSeries {
    /// The series of a CBR or VBR stream.
    fn of(s: &ChannelStream) -> Result<Self, String> {
        let (mode, target, reference, fps) = match s.rc {
            venc_core::RcAttr::Cbr {
                bit_rate,
                src_frame_rate,
                ..
            } => ("CBR", bit_rate, bit_rate, src_frame_rate),
            venc_core::RcAttr::Vbr {
                bit_rate,
                max_bit_rate,
                src_frame_rate,
                ..
            } => ("VBR", bit_rate, max_bit_rate, src_frame_rate),
            other => {
                return Err(format!(
                    "a rate check on a channel without a bit rate: {other:?}"
                ));
            }
        };
        let mut frame_bytes = Vec::new();
        let mut pending = 0;
        for p in &s.packs {
            pending += p.bytes.len();
            if p.pack_type != PackType::Header {
                frame_bytes.push(pending);
                pending = 0;
            }
        }
        let fps = fps.max(1);
        let n = fps as usize;
        if frame_bytes.len() < n {
            return Err(format!(
                "{} frames: a 1-second window needs {n}",
                frame_bytes.len()
            ));
        }
        let kbps = |bytes: usize, frames: usize| {
            bytes as f64 * 8.0 / 1000.0 / (frames as f64 / f64::from(fps))
        };
        let mut sum: usize = frame_bytes[..n].iter().sum();
        let mut window_kbps = vec![kbps(sum, n)];
        for i in n..frame_bytes.len() {
            sum = sum + frame_bytes[i] - frame_bytes[i - n];
            window_kbps.push(kbps(sum, n));
        }
        let total: usize = frame_bytes.iter().sum();
        Ok(Self {
            chn: 0,
            mode: mode.into(),
            target_kbps: target,
            reference_kbps: reference,
            fps,
            mean_kbps: kbps(total, frame_bytes.len()),
            window_kbps,
        })
    }

    /// The largest window over the reference.
    pub fn peak_ratio(&self) -> f64 {
        let peak = self.window_kbps.iter().copied().fold(0.0, f64::max);
        peak / f64::from(self.reference_kbps.max(1))
    }

    /// The mean over the target.
    pub fn mean_ratio(&self) -> f64 {
        self.mean_kbps / f64::from(self.target_kbps.max(1))
    }

    /// The trace lines of the checks that hold (no figures: a trace is the same on every
    /// backend), or what failed, with the figures.
    fn check(
        &self,
        mean_within: Option<[f64; 2]>,
        window_max: Option<f64>,
    ) -> Result<Vec<String>, String> {
        let mut lines = Vec::new();
        if let Some([low, high]) = mean_within {
            let r = self.mean_ratio();
            if !(low..=high).contains(&r) {
                return Err(format!(
                    "mean {:.0} kbps is {r:.3} × the {} kbps target, outside [{low}, {high}]",
                    self.mean_kbps, self.target_kbps
                ));
            }
            lines.push(format!("RC: mean within [{low}, {high}] × bit_rate"));
        }
        if let Some(max) = window_max {
            let r = self.peak_ratio();
            let which = if self.mode == "VBR" {
                "max_bit_rate"
            } else {
                "bit_rate"
            };
            if r > max {
                let at = self
                    .window_kbps
                    .iter()
                    .position(|&k| k / f64::from(self.reference_kbps.max(1)) > max)
                    .unwrap_or(0);
                return Err(format!(
                    "the 1-s window from frame {at} carries {r:.3} × {which} ({} kbps), above {max}",
                    self.reference_kbps
                ));
            }
            lines.push(format!("RC: every 1-s window at most {max} × {which}"));
        }
        Ok(lines)
    }
}

/// The stream's header syntax as an independent parser reads it: each named element has its
/// value wherever it occurs, and the slices start at the QPs expected.
fn syntax(s: &ChannelStream, e: &StreamExpect) -> Result<Vec<String>, String> {
    let codec = s.codec().ok_or("no codec")?;
    let mut lines = Vec::new();
    if !e.syntax.is_empty() {
        let elements = oracle::syntax_elements(codec, &s.bytes())?;
        for (name, want) in &e.syntax {
            let values: Vec<i64> = elements
                .iter()
                .filter(|(n, _)| n == name)
                .map(|&(_, v)| v)
                .collect();
            if values.is_empty() {
                return Err(format!("no {name} in the stream's headers"));
            }
            if let Some(v) = values.iter().find(|&v| v != want) {
                return Err(format!("{name} = {v} in the stream, expected {want}"));
            }
            lines.push(format!("syntax: {name} = {want} ({} times)", values.len()));
        }
    }
    if let Some([i_qp, p_qp]) = e.slice_qp {
        let (slices, _) = oracle::slice_qps(codec, &s.bytes())?;
        let idr = |nal: u8| match codec {
            Codec::H264 => nal == 5,
            _ => (16..=21).contains(&nal),
        };
        for (k, slice) in slices.iter().enumerate() {
            let want = if idr(slice.nal_type) { i_qp } else { p_qp };
            if slice.qp != want {
                return Err(format!(
                    "slice {k} (NAL type {}) starts at QP {}, expected {want}",
                    slice.nal_type, slice.qp
                ));
            }
        }
        lines.push(format!(
            "syntax: {} slices at QP {i_qp} (IDR) and {p_qp} (others)",
            slices.len()
        ));
    }
    Ok(lines)
}

/// Key frames where `request_idr`s put them, when frames were in flight: each request's IDR
/// lands on a frame the program had not taken yet and no later than `delay` frames after the
/// first frame sent after the request; every IDR but frame 0 answers a request (the GOP must be
/// longer than the stream, so the schedule adds none).
fn requested_idrs(
    s: &ChannelStream,
    idrs: &[u32],
    frames: u32,
    delay: u32,
) -> Result<String, String> {
    if s.attr.gop_len <= frames {
        return Err(format!(
            "GOP {} within {frames} frames: the case cannot tell a requested IDR from a scheduled one",
            s.attr.gop_len
        ));
    }
    if s.idr_requests.is_empty() {
        return Err("no request_idr was accepted on the channel".into());
    }
    let windows: Vec<(u32, u32)> = s
        .idr_requests
        .iter()
        .map(|r| (r.taken, r.sent + delay))
        .collect();
    if let Some((from, to)) = windows
        .iter()
        .find(|(from, to)| !idrs.iter().any(|i| (from..=to).contains(&i)))
    {
        return Err(format!(
            "IDR at frames {idrs:?}: none in frames {from}..={to}, where a request_idr must put one"
        ));
    }
    if let Some(stray) = idrs
        .iter()
        .find(|&&i| i != 0 && !windows.iter().any(|(from, to)| (from..=to).contains(&&i)))
    {
        return Err(format!(
            "IDR at frame {stray} answers no request_idr (IDR at {idrs:?})"
        ));
    }
    let late: Vec<i64> = s
        .idr_requests
        .iter()
        .map(|r| {
            let answer = idrs
                .iter()
                .rev()
                .find(|&&i| (r.taken..=r.sent + delay).contains(&i));
            i64::from(answer.copied().unwrap_or(0)) - i64::from(r.sent)
        })
        .collect();
    log::info!("IDR at {idrs:?}; delays after each request_idr: {late:?} frames");
    Ok(format!(
        "IDR at 0 and within {delay} frames of each of {} request_idr",
        s.idr_requests.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::CollectedPack;
    use std::collections::BTreeMap;
    use venc_core::ChnAttrStr;

    fn stream(packs: Vec<(PackType, Vec<u8>)>) -> ChannelStream {
        ChannelStream {
            attr: ChnAttrStr::new(
                consts::K_PT_H264,
                consts::VENC_PROFILE_H264_BASELINE,
                64,
                64,
            ),
            packs: packs
                .into_iter()
                .enumerate()
                .map(|(i, (pack_type, bytes))| CollectedPack {
                    pack_type,
                    bytes,
                    pts: i as u64,
                })
                .collect(),
            sent: BTreeMap::new(),
            rc: venc_core::RcAttr::Cbr {
                gop: 30,
                stats_time: 0,
                src_frame_rate: 30,
                dst_frame_rate: 30,
                bit_rate: 1000,
            },
            turn: Default::default(),
            idr_requests: Vec::new(),
            h264_cabac: None,
            osd: Vec::new(),
        }
    }

    #[test]
    fn a_requested_idr_must_land_in_its_window_and_no_idr_may_stray() {
        use crate::exec::IdrRequest;
        let mut s = stream(Vec::new());
        s.attr.gop_len = 100;
        let run = |s: &ChannelStream, idrs: &[u32]| requested_idrs(s, idrs, 12, 0);
        assert_eq!(
            run(&s, &[0, 4]).unwrap_err(),
            "no request_idr was accepted on the channel"
        );
        s.idr_requests.push(IdrRequest { taken: 2, sent: 6 });
        assert!(run(&s, &[0, 4]).is_ok());
        assert!(
            run(&s, &[0, 6]).is_ok(),
            "the first frame sent after the request"
        );
        let late = run(&s, &[0, 7]).unwrap_err();
        assert!(late.contains("none in frames 2..=6"), "{late}");
        let taken = run(&s, &[0, 1]).unwrap_err();
        assert!(taken.contains("none in frames 2..=6"), "{taken}");
        let stray = run(&s, &[0, 4, 9]).unwrap_err();
        assert!(
            stray.starts_with("IDR at frame 9 answers no request_idr"),
            "{stray}"
        );
        s.attr.gop_len = 12;
        let short = run(&s, &[0, 4]).unwrap_err();
        assert!(short.starts_with("GOP 12 within 12 frames"), "{short}");
    }

    #[test]
    fn rate_windows_slide_one_frame_and_hold_the_cts_bounds() {
        // 30 fps, 1000 kbps: 4166 bytes a frame is exactly the target; one frame of seven
        // times that (an IDR) with its 1000-byte HEADER makes the windows holding it heavier.
        let mut packs = vec![
            (PackType::Header, vec![0; 1000]),
            (PackType::I, vec![0; 30_000]),
        ];
        packs.extend((1..60).map(|_| (PackType::P, vec![0; 4166])));
        let s = stream(packs);
        let r = RateSeries::of(&s).expect("a CBR stream");
        assert_eq!(r.window_kbps.len(), 60 - 30 + 1);
        let first = (31_000 + 29 * 4166) as f64 * 8.0 / 1000.0;
        assert!(
            (r.window_kbps[0] - first).abs() < 1e-6,
            "{}",
            r.window_kbps[0]
        );
        assert!((r.window_kbps[1] - 30.0 * 4166.0 * 8.0 / 1000.0).abs() < 1e-6);
        assert!((r.peak_ratio() - first / 1000.0).abs() < 1e-9);
        assert!(r.check(Some([0.85, 1.15]), Some(1.35)).is_ok());
        let burst = r
            .check(None, Some(1.15))
            .expect_err("the IDR's window is above 1.15");
        assert!(burst.contains("from frame 0"), "{burst}");
        assert!(
            r.check(Some([0.5, 0.9]), None).is_err(),
            "the mean is above 0.9"
        );
        // Fewer frames than a window is an error, not an empty pass; so is a channel without a
        // bit rate.
        let short = stream(vec![(PackType::I, vec![0; 10])]);
        assert!(RateSeries::of(&short).is_err());
        let mut fixqp = stream(vec![(PackType::I, vec![0; 10]); 40]);
        fixqp.rc = venc_core::RcAttr::FixQp {
            gop: 30,
            src_frame_rate: 30,
            dst_frame_rate: 30,
            i_qp: 30,
            p_qp: 32,
        };
        let why = RateSeries::of(&fixqp).expect_err("FIXQP has no bit rate");
        assert!(why.contains("without a bit rate"), "{why}");
    }

    #[test]
    fn grammar_rejects_mistyped_packs() {
        let idr = vec![0, 0, 0, 1, 0x65, 0x88];
        let p = vec![0, 0, 0, 1, 0x41, 0x9a];
        // A P pack holding an IDR slice, an I pack holding a P slice, a 3-byte start code.
        assert!(grammar(&stream(vec![(PackType::P, idr.clone())])).is_err());
        assert!(grammar(&stream(vec![(PackType::I, p.clone())])).is_err());
        assert!(grammar(&stream(vec![(PackType::P, vec![0, 0, 1, 0x41, 0x9a])])).is_err());
        // A HEADER pack with a slice in it.
        assert!(grammar(&stream(vec![(PackType::Header, idr.clone())])).is_err());
        assert!(grammar(&stream(vec![(PackType::I, idr), (PackType::P, p)])).is_ok());
    }

    #[test]
    fn level_tables() {
        assert_eq!(h264_max_frame_mbs(40), Some(8192));
        assert_eq!(h264_max_frame_mbs(99), None);
        assert_eq!(h265_max_luma_ps(120), Some(2_228_224));
        assert_eq!(h265_max_luma_ps(1), None);
    }
}
