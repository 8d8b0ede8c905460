//! Bitstream inspection: Annex-B splitting, NAL classification and H.264 SPS/PPS fields.
//!
//! Used by the channel to split an encoded frame into HEADER and I/P packs, and by tests and the
//! conformance oracles to check what a pack holds. SPS/PPS parsing is `h264-reader`'s.

use h264_reader::Context;
use h264_reader::nal::pps::PicParameterSet;
use h264_reader::nal::sps::SeqParameterSet;
use h264_reader::rbsp::{BitReader, decode_nal};

/// Codec family of a bitstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum Codec {
    /// H.264 / AVC.
    H264,
    /// H.265 / HEVC.
    H265,
}

impl Codec {
    /// The codec of a payload type, if it is H.264 or H.265.
    pub fn from_payload(payload: u32) -> Option<Self> {
        match payload {
            crate::consts::K_PT_H264 => Some(Self::H264),
            crate::consts::K_PT_H265 => Some(Self::H265),
            _ => None,
        }
    }

    /// NAL unit type from the first header byte(s).
    pub fn nal_type(self, nal: &[u8]) -> Option<u8> {
        let first = *nal.first()?;
        Some(match self {
            Self::H264 => first & 0x1f,
            Self::H265 => (first >> 1) & 0x3f,
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

#[cfg(test)]
mod tests {
    use super::*;

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
