//! Bitstream inspection: Annex-B splitting, NAL classification and H.264 SPS/PPS fields.
//!
//! Used by the channel to split an encoded frame into HEADER and I/P packs, and by tests and the
//! conformance oracles to check what a pack holds. SPS/PPS parsing is `h264-reader`'s.

use h264_reader::Context;
use h264_reader::nal::pps::PicParameterSet;
use h264_reader::nal::sps::SeqParameterSet;
use h264_reader::rbsp::{BitRead, BitReader, decode_nal};

/// Codec family of a bitstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Codec {
    /// H.264 / AVC.
    H264,
    /// H.265 / HEVC.
    H265,
    /// JPEG (baseline JFIF pictures, one per pack; not Annex-B).
    Jpeg,
}

impl Codec {
    /// The codec of a payload type, if it is H.264 or H.265.
    pub fn from_payload(payload: u32) -> Option<Self> {
        match payload {
            crate::consts::K_PT_H264 => Some(Self::H264),
            crate::consts::K_PT_H265 => Some(Self::H265),
            crate::consts::K_PT_JPEG => Some(Self::Jpeg),
            _ => None,
        }
    }

    /// Its short name in reports and on command lines: `h264`, `h265`, `jpeg`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::H264 => "h264",
            Self::H265 => "h265",
            Self::Jpeg => "jpeg",
        }
    }

    /// The codec of a short name ([`Codec::name`]).
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::H264, Self::H265, Self::Jpeg]
            .into_iter()
            .find(|c| c.name() == name)
    }

    /// NAL unit type from the first header byte(s).
    pub fn nal_type(self, nal: &[u8]) -> Option<u8> {
        let first = *nal.first()?;
        Some(match self {
            Self::H264 => first & 0x1f,
            Self::H265 => (first >> 1) & 0x3f,
            Self::Jpeg => return None,
        })
    }

    /// Classifies one NAL unit (without start code).
    pub fn classify(self, nal: &[u8]) -> NalKind {
        let Some(t) = self.nal_type(nal) else {
            return NalKind::Other(0);
        };
        match (self, t) {
            (Self::H264, 7) | (Self::H265, 33) => NalKind::Sps,
            (Self::H264, 8) | (Self::H265, 34) => NalKind::Pps,
            (Self::H265, 32) => NalKind::Vps,
            (Self::H264, 5) | (Self::H265, 19 | 20) => NalKind::IdrSlice,
            (Self::H264, 1) | (Self::H265, 0..=9 | 16..=18 | 21) => NalKind::NonIdrSlice,
            (Self::H264, 6) | (Self::H265, 39 | 40) => NalKind::Sei,
            (Self::H264, 9) | (Self::H265, 35) => NalKind::Aud,
            _ => NalKind::Other(t),
        }
    }
}

/// What a NAL unit is, across H.264 and H.265.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum NalKind {
    /// Video parameter set (H.265).
    Vps,
    /// Sequence parameter set.
    Sps,
    /// Picture parameter set.
    Pps,
    /// A slice of an IDR picture.
    IdrSlice,
    /// A slice of a non-IDR picture.
    NonIdrSlice,
    /// Supplemental enhancement information.
    Sei,
    /// Access unit delimiter.
    Aud,
    /// Anything else, with its type number.
    Other(u8),
}

impl NalKind {
    /// Whether this is a parameter set (VPS/SPS/PPS): what a HEADER pack may hold.
    pub const fn is_parameter_set(self) -> bool {
        matches!(self, Self::Vps | Self::Sps | Self::Pps)
    }
}

/// One NAL unit found in an Annex-B stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NalUnit<'a> {
    /// Offset of the start code in the input.
    pub offset: usize,
    /// Length of the start code (3 or 4).
    pub start_code_len: usize,
    /// The NAL unit bytes, header included, start code excluded.
    pub data: &'a [u8],
}

/// The next start code at or after `from`: (start of the start code, start of the NAL unit).
fn next_start_code(stream: &[u8], from: usize) -> Option<(usize, usize)> {
    let mut i = from;
    while i + 3 <= stream.len() {
        if stream[i] == 0 && stream[i + 1] == 0 && stream[i + 2] == 1 {
            let four = i > from && stream[i - 1] == 0;
            return Some((if four { i - 1 } else { i }, i + 3));
        }
        i += 1;
    }
    None
}

/// Iterates over the NAL units of an Annex-B byte stream without allocating. Bytes before the
/// first start code are ignored; trailing zero bytes between units belong to no unit.
pub fn annexb_units(stream: &[u8]) -> impl Iterator<Item = NalUnit<'_>> {
    let mut next = next_start_code(stream, 0);
    std::iter::from_fn(move || {
        let (sc_start, data_start) = next?;
        next = next_start_code(stream, data_start);
        let mut end = next.map_or(stream.len(), |(s, _)| s);
        if next.is_some() {
            while end > data_start && stream[end - 1] == 0 {
                end -= 1;
            }
        }
        Some(NalUnit {
            offset: sc_start,
            start_code_len: data_start - sc_start,
            data: &stream[data_start..end],
        })
    })
}

/// Splits an Annex-B byte stream into NAL units (see [`annexb_units`]).
pub fn split_annexb(stream: &[u8]) -> Vec<NalUnit<'_>> {
    annexb_units(stream).collect()
}

/// Fields of an H.264 SPS the contract checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct H264SpsInfo {
    /// `profile_idc` (66 Baseline, 77 Main, 100 High).
    pub profile_idc: u8,
    /// `level_idc`.
    pub level_idc: u8,
    /// Cropped picture width.
    pub width: u32,
    /// Cropped picture height.
    pub height: u32,
}

/// Parses an H.264 SPS NAL unit (header byte included).
pub fn parse_h264_sps(nal: &[u8]) -> Result<(H264SpsInfo, SeqParameterSet), String> {
    let rbsp = decode_nal(nal).map_err(|e| format!("SPS: {e}"))?;
    let sps =
        SeqParameterSet::from_bits(BitReader::new(&rbsp[..])).map_err(|e| format!("SPS: {e:?}"))?;
    let (width, height) = sps.pixel_dimensions().map_err(|e| format!("SPS: {e:?}"))?;
    Ok((
        H264SpsInfo {
            profile_idc: u8::from(sps.profile_idc),
            level_idc: sps.level_idc,
            width,
            height,
        },
        sps,
    ))
}

/// Reads `entropy_coding_mode_flag` (CABAC) from an H.264 PPS, given its SPS.
pub fn h264_pps_cabac(sps: SeqParameterSet, pps_nal: &[u8]) -> Result<bool, String> {
    let mut ctx = Context::default();
    ctx.put_seq_param_set(sps);
    let rbsp = decode_nal(pps_nal).map_err(|e| format!("PPS: {e}"))?;
    let pps = PicParameterSet::from_bits(&ctx, BitReader::new(&rbsp[..]))
        .map_err(|e| format!("PPS: {e:?}"))?;
    Ok(pps.entropy_coding_mode_flag)
}

/// Fields of an H.265 SPS the contract checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct H265SpsInfo {
    /// `general_profile_idc` (1 Main, 2 Main 10).
    pub profile_idc: u8,
    /// `general_tier_flag` (false = Main tier).
    pub high_tier: bool,
    /// `general_level_idc` (30 × level, e.g. 120 = level 4).
    pub level_idc: u8,
    /// `chroma_format_idc` (1 = 4:2:0).
    pub chroma_format_idc: u32,
    /// Picture width after the conformance window.
    pub width: u32,
    /// Picture height after the conformance window.
    pub height: u32,
    /// `bit_depth_luma_minus8 + 8`.
    pub bit_depth_luma: u32,
}

/// Parses an H.265 SPS NAL unit (2-byte header included) up to the bit depths
/// (ITU-T H.265 §7.3.2.2.1 and §7.3.3).
pub fn parse_h265_sps(nal: &[u8]) -> Result<H265SpsInfo, String> {
    if nal.len() < 3 || Codec::H265.nal_type(nal) != Some(33) {
        return Err("SPS: not an H.265 SPS NAL unit".into());
    }
    // `decode_nal` drops one header byte; start it one byte in to drop both.
    let rbsp = decode_nal(&nal[1..]).map_err(|e| format!("SPS: {e}"))?;
    let mut r = BitReader::new(&rbsp[..]);
    let e = |e| format!("SPS: {e:?}");
    let _vps_id: u8 = r.read::<4, u8>("sps_video_parameter_set_id").map_err(e)?;
    let max_sub_layers_minus1: u8 = r.read::<3, u8>("sps_max_sub_layers_minus1").map_err(e)?;
    r.read_bit("sps_temporal_id_nesting_flag").map_err(e)?;
    // profile_tier_level(1, max_sub_layers_minus1)
    let _space: u8 = r.read::<2, u8>("general_profile_space").map_err(e)?;
    let high_tier = r.read_bit("general_tier_flag").map_err(e)?;
    let profile_idc: u8 = r.read::<5, u8>("general_profile_idc").map_err(e)?;
    let _compat: u32 = r
        .read::<32, u32>("general_profile_compatibility_flags")
        .map_err(e)?;
    // progressive, interlaced, non-packed, frame-only flags, then 43 + 1 reserved/constraint bits.
    let _flags: u64 = r.read::<48, u64>("general_constraint_flags").map_err(e)?;
    let level_idc: u8 = r.read::<8, u8>("general_level_idc").map_err(e)?;
    let mut present = [(false, false); 8];
    for p in present.iter_mut().take(usize::from(max_sub_layers_minus1)) {
        *p = (
            r.read_bit("sub_layer_profile_present_flag").map_err(e)?,
            r.read_bit("sub_layer_level_present_flag").map_err(e)?,
        );
    }
    if max_sub_layers_minus1 > 0 {
        for _ in max_sub_layers_minus1..8 {
            let _: u8 = r.read::<2, u8>("reserved_zero_2bits").map_err(e)?;
        }
    }
    for &(profile, level) in present.iter().take(usize::from(max_sub_layers_minus1)) {
        if profile {
            let _: u64 = r.read::<64, u64>("sub_layer_profile").map_err(e)?;
            let _: u32 = r.read::<24, u32>("sub_layer_profile").map_err(e)?;
        }
        if level {
            let _: u8 = r.read::<8, u8>("sub_layer_level_idc").map_err(e)?;
        }
    }
    r.read_ue("sps_seq_parameter_set_id").map_err(e)?;
    let chroma_format_idc = r.read_ue("chroma_format_idc").map_err(e)?;
    if chroma_format_idc == 3 {
        r.read_bit("separate_colour_plane_flag").map_err(e)?;
    }
    let mut width = r.read_ue("pic_width_in_luma_samples").map_err(e)?;
    let mut height = r.read_ue("pic_height_in_luma_samples").map_err(e)?;
    if r.read_bit("conformance_window_flag").map_err(e)? {
        // Offsets count chroma samples: ×2 horizontally for 4:2:0/4:2:2, ×2 vertically for 4:2:0.
        let (sub_w, sub_h) = match chroma_format_idc {
            1 => (2, 2),
            2 => (2, 1),
            _ => (1, 1),
        };
        let mut offset = |name| r.read_ue(name).map_err(e);
        let (left, right) = (
            offset("conf_win_left_offset")?,
            offset("conf_win_right_offset")?,
        );
        let (top, bottom) = (
            offset("conf_win_top_offset")?,
            offset("conf_win_bottom_offset")?,
        );
        width = width.saturating_sub(sub_w * (left + right));
        height = height.saturating_sub(sub_h * (top + bottom));
    }
    let bit_depth_luma = r.read_ue("bit_depth_luma_minus8").map_err(e)? + 8;
    Ok(H265SpsInfo {
        profile_idc,
        high_tier,
        level_idc,
        chroma_format_idc,
        width,
        height,
        bit_depth_luma,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SPS units libx265 3.5 wrote for 800x480 and 1920x1080 (coded 1088, cropped by the
    /// conformance window) Main-profile streams.
    const SPS_800X480: &[u8] = &[
        0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00,
        0x03, 0x00, 0x5a, 0xa0, 0x06, 0x42, 0x01, 0xe1, 0x65, 0xba, 0x92, 0x4c, 0x2e, 0x01, 0x00,
        0x00, 0x03, 0x03, 0xe8, 0x00, 0x00, 0x75, 0x30, 0x08,
    ];
    const SPS_1920X1080: &[u8] = &[
        0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00,
        0x03, 0x00, 0x78, 0xa0, 0x03, 0xc0, 0x80, 0x10, 0xe5, 0x96, 0xea, 0x49, 0x30, 0xb8, 0x04,
        0x00, 0x00, 0x0f, 0xa0, 0x00, 0x01, 0xd4, 0xc0, 0x20,
    ];

    #[test]
    fn parses_h265_sps_profile_level_and_cropped_size() {
        let a = parse_h265_sps(SPS_800X480).unwrap();
        assert_eq!(
            (a.profile_idc, a.high_tier, a.level_idc, a.width, a.height),
            (1, false, 90, 800, 480)
        );
        assert_eq!((a.chroma_format_idc, a.bit_depth_luma), (1, 8));
        let b = parse_h265_sps(SPS_1920X1080).unwrap();
        assert_eq!((b.level_idc, b.width, b.height), (120, 1920, 1080));
        assert!(parse_h265_sps(&SPS_800X480[..12]).is_err(), "truncated");
        assert!(parse_h265_sps(&[0x44, 0x01, 0x00]).is_err(), "a PPS");
        assert!(parse_h265_sps(&[]).is_err());
    }

    #[test]
    fn splits_three_and_four_byte_start_codes() {
        let s = [
            0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 9, 9,
        ];
        let units = split_annexb(&s);
        assert_eq!(units.len(), 3);
        assert_eq!(units[0].data, &[0x67, 1, 2]);
        assert_eq!(units[0].start_code_len, 4);
        assert_eq!(units[1].data, &[0x68, 3]);
        assert_eq!(units[1].start_code_len, 3);
        assert_eq!(units[2].data, &[0x65, 9, 9]);
        assert_eq!(Codec::H264.classify(units[0].data), NalKind::Sps);
        assert_eq!(Codec::H264.classify(units[1].data), NalKind::Pps);
        assert_eq!(Codec::H264.classify(units[2].data), NalKind::IdrSlice);
        assert!(split_annexb(&[1, 2, 3]).is_empty());
    }

    #[test]
    fn classifies_hevc() {
        assert_eq!(Codec::H265.classify(&[0x40, 1]), NalKind::Vps);
        assert_eq!(Codec::H265.classify(&[0x42, 1]), NalKind::Sps);
        assert_eq!(Codec::H265.classify(&[0x44, 1]), NalKind::Pps);
        assert_eq!(Codec::H265.classify(&[0x26, 1]), NalKind::IdrSlice);
        assert_eq!(Codec::H265.classify(&[0x02, 1]), NalKind::NonIdrSlice);
    }

    #[test]
    fn rejects_garbage_sps() {
        assert!(parse_h264_sps(&[0x67]).is_err());
    }
}
