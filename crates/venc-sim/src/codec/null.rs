//! The null codec engine: a [`CodecEngine`] that writes valid, tiny, deterministic Annex-B with
//! no coding, so contract tests exercise the channel machine (states, queues, rings, pack
//! grammar) at the cost of a few hundred bytes per picture instead of a real encode.
//!
//! What it writes, per picture: parameter sets before every IDR (H.264 SPS + PPS, H.265 VPS +
//! SPS + PPS) that match the channel (profile, size with cropping, 4:2:0 8-bit, the smallest
//! level the picture fits, CABAC flagged for H.264 Main/High as the VPU does), then one slice
//! NAL of the right type with a complete slice header. For H.264 Baseline (CAVLC) the slice data
//! is coded too — a flat grey IDR (DC-predicted 16x16 macroblocks, no residual) and all-skip P
//! pictures — so any decoder plays it. For CABAC streams and H.265 the slice data is left empty:
//! the stream is valid at the NAL, parameter-set and slice-header level, not decodable.

use venc_core::bitstream::Codec;
use venc_core::codec::{CodecEngine, CodecError, EncodedPicture, EngineConfig, Picture};
use venc_core::consts;

/// The null engine. See the [module docs](self).
#[derive(Debug, Clone)]
pub struct NullEngine {
    codec: Codec,
    cfg: EngineConfig,
    /// Pictures since the last IDR (`None` before the first).
    since_idr: Option<u32>,
    /// H.264 `frame_num` / H.265 POC of the next picture.
    frame_num: u32,
    idr_count: u32,
}

impl NullEngine {
    /// An engine for `codec` with the channel's settings (size, profile, GOP).
    pub fn new(codec: Codec, cfg: &EngineConfig) -> Self {
        Self {
            codec,
            cfg: *cfg,
            since_idr: None,
            frame_num: 0,
            idr_count: 0,
        }
    }
}

impl CodecEngine for NullEngine {
    fn codec(&self) -> Codec {
        self.codec
    }

    fn encode(
        &mut self,
        picture: &Picture<'_>,
        force_idr: bool,
        out: &mut EncodedPicture,
    ) -> Result<(), CodecError> {
        if (picture.width, picture.height) != (self.cfg.width, self.cfg.height) {
            return Err(CodecError {
                codec: self.codec,
                message: format!(
                    "picture {}x{} for a {}x{} engine",
                    picture.width, picture.height, self.cfg.width, self.cfg.height
                ),
            });
        }
        let idr = force_idr || self.since_idr.is_none_or(|n| n + 1 >= self.cfg.gop.max(1));
        out.data.clear();
        out.idr = idr;
        if idr {
            self.since_idr = Some(0);
            self.frame_num = 0;
            self.idr_count += 1;
        } else {
            self.since_idr = self.since_idr.map(|n| n + 1);
        }
        let cfg = &self.cfg;
        match self.codec {
            Codec::H264 => {
                let cabac = cfg.profile != consts::VENC_PROFILE_H264_BASELINE;
                if idr {
                    put_nal(&mut out.data, &[0x67], &h264_sps(cfg));
                    put_nal(&mut out.data, &[0x68], &h264_pps(cabac));
                }
                let header = if idr { [0x65] } else { [0x41] };
                let slice = h264_slice(cfg, idr, cabac, self.frame_num, self.idr_count);
                put_nal(&mut out.data, &header, &slice);
            }
            Codec::H265 => {
                if idr {
                    put_nal(&mut out.data, &[32 << 1, 1], &h265_vps(cfg));
                    put_nal(&mut out.data, &[33 << 1, 1], &h265_sps(cfg));
                    put_nal(&mut out.data, &[34 << 1, 1], &h265_pps());
                }
                let header = if idr { [19 << 1, 1] } else { [1 << 1, 1] };
                put_nal(&mut out.data, &header, &h265_slice(idr, self.frame_num));
            }
            Codec::Jpeg => {
                // A JPEG picture costs the real engine little; the simulator uses it even for
                // the null backend.
                return Err(CodecError {
                    codec: Codec::Jpeg,
                    message: "the null engine writes H.264 and H.265 only".into(),
                });
            }
        }
        self.frame_num += 1;
        Ok(())
    }
}

/// Appends a start code, the NAL header and the RBSP with emulation prevention.
fn put_nal(out: &mut Vec<u8>, header: &[u8], rbsp: &[u8]) {
    out.extend_from_slice(&[0, 0, 0, 1]);
    out.extend_from_slice(header);
    let mut zeros = 0;
    for &b in rbsp {
        if zeros >= 2 && b <= 3 {
            out.push(3);
            zeros = 0;
        }
        out.push(b);
        zeros = if b == 0 { zeros + 1 } else { 0 };
    }
}

/// An RBSP bit writer: fixed-width fields and Exp-Golomb codes.
#[derive(Debug, Default)]
struct Bits {
    bytes: Vec<u8>,
    used: u32,
}

impl Bits {
    fn bit(&mut self, b: bool) -> &mut Self {
        if self.used.is_multiple_of(8) {
            self.bytes.push(0);
        }
        if b {
            let last = self.bytes.len() - 1;
            self.bytes[last] |= 0x80 >> (self.used % 8);
        }
        self.used += 1;
        self
    }

    fn u(&mut self, n: u32, v: u64) -> &mut Self {
        for i in (0..n).rev() {
            self.bit(v >> i & 1 == 1);
        }
        self
    }

    fn ue(&mut self, v: u32) -> &mut Self {
        let x = u64::from(v) + 1;
        let len = 64 - x.leading_zeros();
        self.u(len - 1, 0).u(len, x)
    }

    fn se(&mut self, v: i32) -> &mut Self {
        let mapped = if v > 0 {
            2 * v.unsigned_abs() - 1
        } else {
            2 * v.unsigned_abs()
        };
        self.ue(mapped)
    }

    /// `rbsp_trailing_bits()`: a one, then zeros to the byte boundary.
    fn trailing(&mut self) -> Vec<u8> {
        self.bit(true);
        while !self.used.is_multiple_of(8) {
            self.bit(false);
        }
        std::mem::take(&mut self.bytes)
    }
}

/// The smallest H.264 level whose MaxFS (Table A-1) holds `mbs` macroblocks.
fn h264_level(mbs: u32) -> u64 {
    const LEVELS: [(u32, u64); 11] = [
        (99, 10),
        (396, 20),
        (792, 21),
        (1620, 22),
        (3600, 31),
        (5120, 32),
        (8192, 40),
        (8704, 42),
        (22080, 50),
        (36864, 51),
        (139_264, 60),
    ];
    smallest_level(&LEVELS, u64::from(mbs), 62)
}

/// The first `(limit, level_idc)` of a level table whose limit holds `size`, else `top`.
fn smallest_level<L: Into<u64> + Copy>(table: &[(L, u64)], size: u64, top: u64) -> u64 {
    table
        .iter()
        .find(|&&(limit, _)| size <= limit.into())
        .map_or(top, |&(_, level)| level)
}

fn h264_sps(cfg: &EngineConfig) -> Vec<u8> {
    let profile_idc = match cfg.profile {
        consts::VENC_PROFILE_H264_MAIN => 77,
        consts::VENC_PROFILE_H264_HIGH => 100,
        _ => 66,
    };
    let (mbw, mbh) = (cfg.width.div_ceil(16), cfg.height.div_ceil(16));
    let mut b = Bits::default();
    b.u(8, profile_idc).u(8, 0).u(8, h264_level(mbw * mbh));
    b.ue(0); // seq_parameter_set_id
    if profile_idc == 100 {
        b.ue(1).ue(0).ue(0).bit(false).bit(false); // 4:2:0, 8-bit, no bypass, no scaling matrix
    }
    b.ue(0); // log2_max_frame_num_minus4: frame_num is 4 bits
    b.ue(2); // pic_order_cnt_type 2: output order = decode order
    b.ue(1).bit(false); // one reference frame, no gaps
    b.ue(mbw - 1).ue(mbh - 1);
    b.bit(true).bit(true); // frame_mbs_only, direct_8x8_inference
    let (crop_r, crop_b) = ((mbw * 16 - cfg.width) / 2, (mbh * 16 - cfg.height) / 2);
    b.bit(crop_r + crop_b > 0);
    if crop_r + crop_b > 0 {
        b.ue(0).ue(crop_r).ue(0).ue(crop_b);
    }
    b.bit(false); // no VUI
    b.trailing()
}

fn h264_pps(cabac: bool) -> Vec<u8> {
    let mut b = Bits::default();
    b.ue(0).ue(0).bit(cabac).bit(false); // ids, entropy, field order
    b.ue(0).ue(0).ue(0); // one slice group, one reference each way
    b.bit(false).u(2, 0); // no weighted prediction
    b.se(0).se(0).se(0); // QP 26, QS 26, chroma offset 0
    b.bit(false).bit(false).bit(false); // deblocking control, constrained intra, redundant pic
    b.trailing()
}

fn h264_slice(cfg: &EngineConfig, idr: bool, cabac: bool, frame_num: u32, idr_id: u32) -> Vec<u8> {
    let mbs = cfg.width.div_ceil(16) * cfg.height.div_ceil(16);
    let mut b = Bits::default();
    b.ue(0).ue(if idr { 7 } else { 5 }).ue(0); // first_mb 0, I or P (all slices), PPS 0
    b.u(4, u64::from(frame_num % 16));
    if idr {
        b.ue(idr_id % 2); // consecutive IDRs differ in idr_pic_id
    } else {
        b.bit(false).bit(false); // no ref-count override, no list modification
    }
    // dec_ref_pic_marking: no_output_of_prior_pics + long_term_reference, or sliding window.
    if idr {
        b.bit(false).bit(false);
    } else {
        b.bit(false);
    }
    if cabac && !idr {
        b.ue(0); // cabac_init_idc
    }
    b.se(0); // slice_qp_delta
    if !cabac {
        if idr {
            for _ in 0..mbs {
                // I_16x16, DC prediction, no coded blocks; chroma DC; QP delta 0; empty DC.
                b.ue(3).ue(0).se(0).bit(true);
            }
        } else {
            b.ue(mbs); // mb_skip_run over the whole picture
        }
    }
    b.trailing()
}

fn h265_level(samples: u64) -> u64 {
    const LEVELS: [(u64, u64); 8] = [
        (36_864, 30),
        (122_880, 60),
        (245_760, 63),
        (552_960, 90),
        (983_040, 93),
        (2_228_224, 120),
        (8_912_896, 150),
        (35_651_584, 180),
    ];
    smallest_level(&LEVELS, samples, 186)
}

/// `profile_tier_level(1, 0)`: Main, Main tier, progressive frames.
fn h265_ptl(b: &mut Bits, cfg: &EngineConfig) {
    b.u(2, 0).bit(false).u(5, 1); // profile space, tier, Main
    b.u(32, 0x6000_0000); // compatible with Main and Main 10
    b.bit(true).bit(false).bit(false).bit(true); // progressive, frame only
    b.u(43, 0).u(1, 0);
    b.u(8, h265_level(u64::from(cfg.width) * u64::from(cfg.height)));
}

fn h265_vps(cfg: &EngineConfig) -> Vec<u8> {
    let mut b = Bits::default();
    b.u(4, 0)
        .bit(true)
        .bit(true)
        .u(6, 0)
        .u(3, 0)
        .bit(true)
        .u(16, 0xffff);
    h265_ptl(&mut b, cfg);
    b.bit(true).ue(1).ue(0).ue(0); // ordering info: 2 pictures buffered, no reorder
    b.u(6, 0).ue(0).bit(false).bit(false); // one layer set, no timing, no extension
    b.trailing()
}

fn h265_sps(cfg: &EngineConfig) -> Vec<u8> {
    let (w8, h8) = (cfg.width.div_ceil(8) * 8, cfg.height.div_ceil(8) * 8);
    let mut b = Bits::default();
    b.u(4, 0).u(3, 0).bit(true);
    h265_ptl(&mut b, cfg);
    b.ue(0).ue(1).ue(w8).ue(h8); // SPS 0, 4:2:0, size in 8x8 coding blocks
    let (crop_r, crop_b) = ((w8 - cfg.width) / 2, (h8 - cfg.height) / 2);
    b.bit(crop_r + crop_b > 0);
    if crop_r + crop_b > 0 {
        b.ue(0).ue(crop_r).ue(0).ue(crop_b);
    }
    b.ue(0).ue(0).ue(4); // 8-bit, 8-bit, POC lsb 8 bits
    b.bit(true).ue(1).ue(0).ue(0); // ordering info
    b.ue(0).ue(1).ue(0).ue(2).ue(0).ue(0); // CB 8..16, TB 4..16, depth 0
    b.bit(false).bit(false).bit(false).bit(false); // scaling lists, AMP, SAO, PCM
    b.ue(0).bit(false).bit(false).bit(false); // RPS in slices, no long-term, TMVP, smoothing
    b.bit(false).bit(false); // no VUI, no extension
    b.trailing()
}

fn h265_pps() -> Vec<u8> {
    let mut b = Bits::default();
    b.ue(0)
        .ue(0)
        .bit(false)
        .bit(false)
        .u(3, 0)
        .bit(false)
        .bit(false);
    b.ue(0).ue(0).se(0).bit(false).bit(false).bit(false); // refs, QP 26, no CU QP delta
    b.se(0).se(0).bit(false).bit(false).bit(false).bit(false); // chroma offsets, weights
    b.bit(false).bit(false).bit(false).bit(false); // tiles, WPP, filters across slices
    b.bit(false).bit(false).ue(0).bit(false).bit(false); // deblocking, lists, merge level
    b.trailing()
}

fn h265_slice(idr: bool, poc: u32) -> Vec<u8> {
    let mut b = Bits::default();
    b.bit(true); // first_slice_segment_in_pic_flag
    if idr {
        b.bit(false); // no_output_of_prior_pics_flag
    }
    b.ue(0).ue(if idr { 2 } else { 1 }); // PPS 0, I or P
    if !idr {
        b.u(8, u64::from(poc % 256)).bit(false); // POC lsb, RPS coded here:
        b.ue(1).ue(0).ue(0).bit(true); // the previous picture, used
        b.bit(false).ue(0); // no ref-count override, five merge candidates
    }
    b.se(0); // slice_qp_delta
    b.trailing()
}

#[cfg(test)]
mod tests {
    use super::*;
    use venc_core::bitstream::{NalKind, annexb_units, parse_h264_sps, parse_h265_sps};

    fn engine(codec: Codec, profile: u32, w: u32, h: u32, gop: u32) -> NullEngine {
        NullEngine::new(
            codec,
            &EngineConfig {
                width: w,
                height: h,
                profile,
                gop,
                rate: venc_core::codec::Rate::Constant { kbps: 1000 },
                frame_rate: 30.0,
                threads: 1,
                tools: Default::default(),
            },
        )
    }

    fn encode(e: &mut NullEngine, force: bool) -> EncodedPicture {
        let cfg = e.cfg;
        let n = (cfg.width * cfg.height) as usize;
        let (y, c) = (vec![0; n], vec![0; n / 4]);
        let mut out = EncodedPicture::default();
        e.encode(
            &Picture::packed(&y, &c, &c, cfg.width, cfg.height),
            force,
            &mut out,
        )
        .expect("encode");
        out
    }

    fn kinds(codec: Codec, data: &[u8]) -> Vec<NalKind> {
        annexb_units(data).map(|u| codec.classify(u.data)).collect()
    }

    #[test]
    fn idr_every_gop_with_parameter_sets_and_p_in_between() {
        for (codec, profile) in [
            (Codec::H264, consts::VENC_PROFILE_H264_BASELINE),
            (Codec::H265, consts::VENC_PROFILE_H265_MAIN),
        ] {
            let mut e = engine(codec, profile, 320, 240, 3);
            let idrs: Vec<bool> = (0..7).map(|_| encode(&mut e, false).idr).collect();
            assert_eq!(idrs, [true, false, false, true, false, false, true]);
            assert!(encode(&mut e, true).idr, "forced");
            let first = encode(&mut engine(codec, profile, 320, 240, 3), false);
            let k = kinds(codec, &first.data);
            assert_eq!(k.last(), Some(&NalKind::IdrSlice), "{codec:?}: {k:?}");
            assert!(k[..k.len() - 1].iter().all(|k| k.is_parameter_set()));
            let p = encode(&mut e, false);
            assert_eq!(kinds(codec, &p.data), [NalKind::NonIdrSlice]);
        }
    }

    #[test]
    fn parameter_sets_carry_the_channel_size_profile_and_level() {
        for (w, h) in [(128, 64), (1920, 1080), (800, 480), (4096, 2160), (130, 66)] {
            for (profile, idc) in [
                (consts::VENC_PROFILE_H264_BASELINE, 66),
                (consts::VENC_PROFILE_H264_MAIN, 77),
                (consts::VENC_PROFILE_H264_HIGH, 100),
            ] {
                let out = encode(&mut engine(Codec::H264, profile, w, h, 30), false);
                let sps = annexb_units(&out.data).next().expect("SPS").data;
                let (info, parsed) = parse_h264_sps(sps).expect("parses");
                assert_eq!((info.width, info.height, info.profile_idc), (w, h, idc));
                let pps = annexb_units(&out.data).nth(1).expect("PPS").data;
                let cabac = venc_core::bitstream::h264_pps_cabac(parsed, pps).expect("PPS");
                assert_eq!(cabac, idc != 66);
            }
            let out = encode(
                &mut engine(Codec::H265, consts::VENC_PROFILE_H265_MAIN, w, h, 30),
                false,
            );
            let sps = annexb_units(&out.data).nth(1).expect("SPS").data;
            let info = parse_h265_sps(sps).expect("parses");
            assert_eq!((info.width, info.height, info.profile_idc), (w, h, 1));
            assert_eq!((info.chroma_format_idc, info.bit_depth_luma), (1, 8));
            assert!(info.level_idc >= 30);
        }
        assert_eq!(h264_level(8160), 40);
        assert_eq!(h265_level(1920 * 1080), 120);
    }

    #[test]
    fn same_calls_same_bytes_and_no_start_code_inside_a_nal() {
        let run = || {
            let mut e = engine(Codec::H264, consts::VENC_PROFILE_H264_BASELINE, 256, 256, 5);
            (0..12)
                .flat_map(|i| encode(&mut e, i == 7).data)
                .collect::<Vec<u8>>()
        };
        let a = run();
        assert_eq!(a, run());
        // 256x256: 256 macroblocks, a skip run of 256 needs emulation prevention nowhere, but the
        // SPS's zero bytes do; every unit still splits where it should.
        let units: Vec<_> = annexb_units(&a).collect();
        assert_eq!(units.len(), 12 + 2 * 3, "three IDRs with SPS+PPS each");
    }

    #[test]
    fn a_picture_of_the_wrong_size_is_an_error() {
        let mut e = engine(Codec::H265, consts::VENC_PROFILE_H265_MAIN, 320, 240, 30);
        let (y, c) = (vec![0; 64 * 64], vec![0; 32 * 32]);
        let mut out = EncodedPicture::default();
        let err = e
            .encode(&Picture::packed(&y, &c, &c, 64, 64), false, &mut out)
            .expect_err("size");
        assert!(err.message.contains("64x64"), "{err}");
    }
}
