//! One `write_frame`'s Annex-B bytes: which NAL units it holds, the sample entry its parameter
//! sets make, and the same bytes with 4-byte lengths instead of start codes.

use crate::Mp4Error;
use shiguredo_mp4::bitstream::h264::LengthSize;
use shiguredo_mp4::bitstream::h264::{self, H264NalUnitType, H264SampleEntryConfig};
use shiguredo_mp4::bitstream::h265::{
    self, H265ConstantFrameRate, H265NalUnitType, H265SampleEntryConfig,
};
use shiguredo_mp4::boxes::SampleEntry;

/// The video codecs the firmware's muxer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VideoCodec {
    H264,
    H265,
}

/// H.265 `IDR_W_RADL`, the only IDR that opens a track (`IDR_N_LP`, 20, does not: facts §4.3).
const H265_IDR_W_RADL: u8 = 19;
const H265_IDR_N_LP: u8 = 20;

/// What a frame holds: its NAL units (parsed once) and what they are.
pub(crate) struct Frame<'a> {
    codec: VideoCodec,
    data: &'a [u8],
    /// Each NAL unit with its header, without start code.
    units: Vec<&'a [u8]>,
    parameter_sets: bool,
    opening_idr: bool,
    idr: bool,
}

impl<'a> Frame<'a> {
    /// Reads the NAL units of Annex-B `data` (3- or 4-byte start codes).
    pub(crate) fn parse(codec: VideoCodec, data: &'a [u8]) -> Result<Self, Mp4Error> {
        let bad = |e: shiguredo_mp4::Error| Mp4Error::ParameterSets(format!("not Annex-B: {e}"));
        let (units, parameter_sets, opening_idr, idr) = match codec {
            VideoCodec::H264 => {
                let nals = h264::parse_annexb_nal_units(data).map_err(bad)?;
                let has = |t| nals.iter().any(|n| n.nal_unit_type == t);
                let sets = has(H264NalUnitType::Sps) && has(H264NalUnitType::Pps);
                let idr = has(H264NalUnitType::IdrSlice);
                (nals.iter().map(|n| n.data).collect(), sets, idr, idr)
            }
            VideoCodec::H265 => {
                let nals = h265::parse_annexb_nal_units(data).map_err(bad)?;
                let has = |t| nals.iter().any(|n| n.nal_unit_type == t);
                let sets = has(H265NalUnitType::Vps)
                    && has(H265NalUnitType::Sps)
                    && has(H265NalUnitType::Pps);
                let opening = has(H265NalUnitType::Other(H265_IDR_W_RADL));
                let idr = opening || has(H265NalUnitType::Other(H265_IDR_N_LP));
                (nals.iter().map(|n| n.data).collect(), sets, opening, idr)
            }
        };
        Ok(Self {
            codec,
            data,
            units,
            parameter_sets,
            opening_idr,
            idr,
        })
    }

    /// Whether it may be a track's first sample: parameter sets and an IDR in one call.
    pub(crate) fn starts_stream(&self) -> bool {
        self.parameter_sets && self.opening_idr
    }

    /// Whether the sample is a key frame (holds an IDR).
    pub(crate) fn has_idr(&self) -> bool {
        self.idr
    }

    /// The `avc1` / `hev1` sample entry its parameter sets describe. `hev1`, not `hvc1`: the
    /// samples keep their parameter sets in-band, as the firmware's writer leaves them.
    pub(crate) fn sample_entry(&self) -> Result<SampleEntry, Mp4Error> {
        let refused = |e: shiguredo_mp4::Error| Mp4Error::ParameterSets(e.to_string());
        Ok(match self.codec {
            VideoCodec::H264 => {
                let config = H264SampleEntryConfig {
                    length_size: LengthSize::FourBytes,
                };
                SampleEntry::Avc1(
                    h264::build_avc1_box_from_annexb(self.data, &config).map_err(refused)?,
                )
            }
            VideoCodec::H265 => {
                let config = H265SampleEntryConfig {
                    length_size: LengthSize::FourBytes,
                    avg_frame_rate: H265SampleEntryConfig::AVG_FRAME_RATE_UNSPECIFIED,
                    constant_frame_rate: H265ConstantFrameRate::Unknown,
                };
                SampleEntry::Hev1(
                    h265::build_hev1_box_from_annexb(self.data, &config).map_err(refused)?,
                )
            }
        })
    }

    /// Bytes of the sample: every NAL unit behind its 4-byte length.
    pub(crate) fn sample_len(&self) -> usize {
        self.units.iter().map(|u| 4 + u.len()).sum()
    }

    /// Writes the sample (each NAL unit behind its 4-byte big-endian length) to `out`.
    pub(crate) fn write_sample(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        for unit in &self.units {
            let len = u32::try_from(unit.len())
                .map_err(|_| std::io::Error::other("a NAL unit over 4 GiB"))?;
            out.write_all(&len.to_be_bytes())?;
            out.write_all(unit)?;
        }
        Ok(())
    }
}
