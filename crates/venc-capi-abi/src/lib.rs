//! # k230_mpp_abi: the K230 MPP's C structs, mirrored
//!
//! The SDK family's VENC, VB and SYS structs (`k_venc_comm.h`, `k_video_comm.h`,
//! `k_vb_comm.h`, `k_module.h`) and the CanMV MPP's `k_venc_chn_attr`, with the layouts of
//! k230-mpp-c-api.md §3. Enums are 4-byte `u32`s here: a C program may put any value in one,
//! and the calls answer a bad one with the board's code.
//!
//! Its own crate so that what calls the C library through its symbols (the conformance
//! suite's `capi` backend) shares these types without linking the library, and the simulator's
//! 2D engine takes the OSD and border attributes as the C program wrote them.
//!
//! *Invariant:* every type has the size and field offsets of §3, checked at compile time
//! here and from C by `venc-capi/tests/layout.rs`.

use std::mem::{offset_of, size_of};
use venc_core::consts::{K_VENC_RC_MODE_FIXQP, K_VENC_RC_MODE_MJPEG_FIXQP, K_VENC_RC_MODE_VBR};

/// `k_venc_attr` (the SDK's, with the stream buffer fields; 24 bytes).
#[doc(alias = "k_venc_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VencAttr {
    /// `k_payload_type type`.
    pub payload: u32,
    pub stream_buf_size: u32,
    pub stream_buf_cnt: u32,
    pub pic_width: u32,
    pub pic_height: u32,
    /// `k_venc_profile`.
    pub profile: u32,
}

/// `k_venc_rc_attr`: the mode, then a 24-byte union of the four modes' words.
#[doc(alias = "k_venc_rc_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RcAttr {
    /// `k_venc_rc_mode rc_mode`.
    pub rc_mode: u32,
    /// The union, as words: CBR `gop, stats_time, src, dst, bit_rate`; VBR `gop, stats_time,
    /// src, dst, max_bit_rate, bit_rate`; FIXQP `gop, src, dst, i_qp, p_qp`; MJPEG_FIXQP `src,
    /// dst, q_factor`.
    pub words: [u32; 6],
}

impl RcAttr {
    /// The rate control this holds: the union read as its mode's struct (the C field order:
    /// VBR has `max_bit_rate` before `bit_rate`; FIXQP has no `stats_time`; MJPEG_FIXQP starts
    /// at the frame rates), through the core's words.
    pub fn to_core(&self) -> Result<venc_core::RcAttr, venc_core::UnknownRcMode> {
        let w = self.words;
        let core = match self.rc_mode {
            K_VENC_RC_MODE_VBR => [w[0], w[1], w[2], w[3], w[5], w[4]],
            K_VENC_RC_MODE_FIXQP => [w[0], 0, w[1], w[2], w[3], w[4]],
            K_VENC_RC_MODE_MJPEG_FIXQP => [0, 0, w[0], w[1], w[2], 0],
            _ => w,
        };
        venc_core::RcAttr::from_words(self.rc_mode, core)
    }

    /// The C union of a rate control ([`Self::to_core`] the other way); unused words 0.
    pub fn from_core(rc: &venc_core::RcAttr) -> Self {
        let (rc_mode, c) = rc.to_words();
        let words = match rc_mode {
            K_VENC_RC_MODE_VBR => [c[0], c[1], c[2], c[3], c[5], c[4]],
            K_VENC_RC_MODE_FIXQP => [c[0], c[2], c[3], c[4], c[5], 0],
            K_VENC_RC_MODE_MJPEG_FIXQP => [c[2], c[3], c[4], 0, 0, 0],
            _ => c,
        };
        Self { rc_mode, words }
    }
}

/// `k_venc_chn_attr` (52 bytes).
#[doc(alias = "k_venc_chn_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChnAttr {
    pub venc_attr: VencAttr,
    pub rc_attr: RcAttr,
}

/// `k_venc_attr` of the CanMV MPP (16 bytes): no stream buffer fields, the channel's packs go
/// to the VB pool a program attaches (k230-mpp-c-api.md §1.8). Headers: `K230_MPP_CANMV`.
#[doc(alias = "k_venc_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CanmvVencAttr {
    /// `k_payload_type type`.
    pub payload: u32,
    pub pic_width: u32,
    pub pic_height: u32,
    /// `k_venc_profile`.
    pub profile: u32,
}

/// `k_venc_chn_attr` of the CanMV MPP (44 bytes, `rc_attr` at 16).
#[doc(alias = "k_venc_chn_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CanmvChnAttr {
    pub venc_attr: CanmvVencAttr,
    pub rc_attr: RcAttr,
}

/// `k_venc_pack` (32 bytes).
#[doc(alias = "k_venc_pack")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pack {
    pub phys_addr: u64,
    pub len: u32,
    pub pts: u64,
    /// `k_venc_pack_type type`.
    pub pack_type: u32,
}

/// `k_venc_stream`: the caller's pack array and its length.
#[doc(alias = "k_venc_stream")]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stream {
    pub pack: *mut Pack,
    pub pack_cnt: u32,
}

/// `k_venc_stream_info`.
#[doc(alias = "k_venc_stream_info")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamInfo {
    pub pic_bytes_num: u32,
    pub pic_cnt: u32,
    pub start_qp: u32,
    pub mean_qp: u32,
}

/// `k_venc_chn_status` (40 bytes).
#[doc(alias = "k_venc_chn_status")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChnStatus {
    pub cur_packs: u32,
    pub release_pic_pts: u64,
    /// `k_bool`.
    pub end_of_stream: u32,
    pub stream_info: StreamInfo,
}

/// `k_video_supplement` (32 bytes).
#[doc(alias = "k_video_supplement")]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoSupplement {
    pub jpeg_dcf_phy_addr: u64,
    pub isp_info_phy_addr: u64,
    pub jpeg_dcf_kvirt_addr: *mut std::ffi::c_void,
    pub isp_info_kvirt_addr: *mut std::ffi::c_void,
}

/// `k_video_frame` (216 bytes).
#[doc(alias = "k_video_frame")]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoFrame {
    pub width: u32,
    pub height: u32,
    pub field: u32,
    pub pixel_format: u32,
    pub video_format: u32,
    pub dynamic_range: u32,
    pub compress_mode: u32,
    pub color_gamut: u32,
    pub header_stride: [u32; 3],
    pub stride: [u32; 3],
    pub header_phys_addr: [u64; 3],
    pub header_virt_addr: [u64; 3],
    pub phys_addr: [u64; 3],
    pub virt_addr: [u64; 3],
    pub offset_top: i16,
    pub offset_bottom: i16,
    pub offset_left: i16,
    pub offset_right: i16,
    pub time_ref: u32,
    pub pts: u64,
    pub priv_data: u64,
    pub supplement: VideoSupplement,
}

/// `k_video_frame_info` (224 bytes): what `kd_mpi_venc_send_frame` takes.
#[doc(alias = "k_video_frame_info")]
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VideoFrameInfo {
    pub v_frame: VideoFrame,
    pub pool_id: u32,
    /// `k_mod_id`.
    pub mod_id: u32,
}

impl VideoFrameInfo {
    /// The fields of the frame the contract carries.
    pub fn to_core(&self) -> venc_core::VideoFrameInfo {
        let v = &self.v_frame;
        venc_core::VideoFrameInfo {
            width: v.width,
            height: v.height,
            pixel_format: v.pixel_format,
            stride: v.stride,
            phys_addr: v.phys_addr,
            pts: v.pts,
            pool_id: self.pool_id,
            mod_id: self.mod_id,
        }
    }

    /// Writes the contract's fields of `f` into this frame; the others stay as they are.
    pub fn set_from_core(&mut self, f: &venc_core::VideoFrameInfo) {
        let v = &mut self.v_frame;
        v.width = f.width;
        v.height = f.height;
        v.pixel_format = f.pixel_format;
        v.stride = f.stride;
        v.phys_addr = f.phys_addr;
        v.pts = f.pts;
        self.pool_id = f.pool_id;
        self.mod_id = f.mod_id;
    }
}

/// `k_vb_pool_config` (32 bytes).
#[doc(alias = "k_vb_pool_config")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VbPoolConfig {
    pub blk_size: u64,
    pub blk_cnt: u32,
    /// `k_vb_remap_mode`.
    pub mode: u32,
    pub mmz_name: [u8; 16],
}

/// `k_vb_config` (520 bytes).
#[doc(alias = "k_vb_config")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VbConfig {
    pub max_pool_cnt: u32,
    pub comm_pool: [VbPoolConfig; 16],
}

/// `k_mpp_chn` (12 bytes): a (module, device, channel) end of a binding.
#[doc(alias = "k_mpp_chn")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MppChn {
    /// `k_mod_id`.
    pub mod_id: u32,
    pub dev_id: i32,
    pub chn_id: i32,
}

/// `k_venc_2d_osd_attr` (36 bytes).
#[doc(alias = "k_venc_2d_osd_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OsdAttr {
    pub width: u16,
    pub height: u16,
    pub startx: u16,
    pub starty: u16,
    pub phys_addr: [u32; 3],
    pub bg_alpha: u8,
    pub osd_alpha: u8,
    pub video_alpha: u8,
    /// `k_venc_2d_add_order`.
    pub add_order: u32,
    pub bg_color: u32,
    /// `k_venc_2d_osd_fmt`.
    pub fmt: u32,
}

/// `k_venc_2d_border_attr` (16 bytes).
#[doc(alias = "k_venc_2d_border_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BorderAttr {
    pub width: u16,
    pub height: u16,
    pub line_width: u16,
    pub color: u32,
    pub startx: u16,
    pub starty: u16,
}

/// `to_core` / `from_core` between a C struct and the contract's Rust type with the same
/// fields: every field named once, both ways destructured, so a field added on one side and
/// not the other stops the build.
macro_rules! same_fields {
    ($c:ident, $core:ident, $what:literal, [$($f:ident),* $(,)?]) => {
        impl $c {
            #[doc = concat!("The ", $what, " as the contract takes it.")]
            pub fn to_core(&self) -> venc_core::$core {
                let Self { $($f),* } = *self;
                venc_core::$core { $($f),* }
            }

            #[doc = concat!("The C struct of a ", $what, " ([`Self::to_core`] the other way).")]
            pub fn from_core(v: &venc_core::$core) -> Self {
                let venc_core::$core { $($f),* } = *v;
                Self { $($f),* }
            }
        }
    };
}

same_fields!(
    OsdAttr,
    OsdRegion,
    "region",
    [
        width,
        height,
        startx,
        starty,
        phys_addr,
        bg_alpha,
        osd_alpha,
        video_alpha,
        add_order,
        bg_color,
        fmt,
    ]
);
same_fields!(
    BorderAttr,
    Border,
    "border",
    [width, height, line_width, color, startx, starty]
);

/// `k_venc_h265_sao` (8 bytes).
#[doc(alias = "k_venc_h265_sao")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct H265Sao {
    pub slice_sao_luma_flag: u32,
    pub slice_sao_chroma_flag: u32,
}

/// `k_venc_h264_entropy` (8 bytes: a 4-byte mode, then a byte).
#[doc(alias = "k_venc_h264_entropy")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct H264Entropy {
    /// `k_venc_entropy_mode`: CAVLC 0, CABAC 1.
    pub entropy_coding_mode: u32,
    pub cabac_init_idc: u8,
}

/// `k_venc_h265_entropy` (1 byte).
#[doc(alias = "k_venc_h265_entropy")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct H265Entropy {
    pub cabac_init_flag: u8,
}

/// `k_venc_2d_csc_attr` (4 bytes).
#[doc(alias = "k_venc_2d_csc_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CscAttr {
    /// `k_venc_2d_src_dst_fmt`.
    pub dst_fmt: u32,
}

/// A struct's C name, size and fields' offsets.
pub type Layout = (&'static str, usize, &'static [(&'static str, usize)]);

/// Every struct's size and its fields' offsets, as k230-mpp-c-api.md §3 gives them: what
/// `tests/layout.rs` checks the C headers against.
pub const LAYOUTS: &[Layout] = &[
    (
        "k_venc_attr",
        24,
        &[
            ("type", 0),
            ("stream_buf_size", 4),
            ("stream_buf_cnt", 8),
            ("pic_width", 12),
            ("pic_height", 16),
            ("profile", 20),
        ],
    ),
    (
        "k_venc_cbr",
        20,
        &[
            ("gop", 0),
            ("stats_time", 4),
            ("src_frame_rate", 8),
            ("dst_frame_rate", 12),
            ("bit_rate", 16),
        ],
    ),
    (
        "k_venc_vbr",
        24,
        &[
            ("gop", 0),
            ("stats_time", 4),
            ("src_frame_rate", 8),
            ("dst_frame_rate", 12),
            ("max_bit_rate", 16),
            ("bit_rate", 20),
        ],
    ),
    (
        "k_venc_fixqp",
        20,
        &[
            ("gop", 0),
            ("src_frame_rate", 4),
            ("dst_frame_rate", 8),
            ("i_qp", 12),
            ("p_qp", 16),
        ],
    ),
    (
        "k_venc_mjpeg_fixqp",
        12,
        &[
            ("src_frame_rate", 0),
            ("dst_frame_rate", 4),
            ("q_factor", 8),
        ],
    ),
    (
        "k_venc_rc_attr",
        28,
        &[
            ("rc_mode", 0),
            ("cbr", 4),
            ("vbr", 4),
            ("fixqp", 4),
            ("mjpeg_fixqp", 4),
        ],
    ),
    (
        "k_venc_stream_info",
        16,
        &[
            ("u32PicBytesNum", 0),
            ("u32PicCnt", 4),
            ("u32StartQp", 8),
            ("u32MeanQp", 12),
        ],
    ),
    ("k_venc_chn_attr", 52, &[("venc_attr", 0), ("rc_attr", 24)]),
    (
        "k_venc_pack",
        32,
        &[("phys_addr", 0), ("len", 8), ("pts", 16), ("type", 24)],
    ),
    ("k_venc_stream", 16, &[("pack", 0), ("pack_cnt", 8)]),
    (
        "k_venc_chn_status",
        40,
        &[
            ("cur_packs", 0),
            ("release_pic_pts", 8),
            ("end_of_stream", 16),
            ("stream_info", 20),
        ],
    ),
    (
        "k_video_supplement",
        32,
        &[
            ("jpeg_dcf_phy_addr", 0),
            ("isp_info_phy_addr", 8),
            ("jpeg_dcf_kvirt_addr", 16),
            ("isp_info_kvirt_addr", 24),
        ],
    ),
    (
        "k_video_frame",
        216,
        &[
            ("width", 0),
            ("height", 4),
            ("field", 8),
            ("pixel_format", 12),
            ("video_format", 16),
            ("dynamic_range", 20),
            ("compress_mode", 24),
            ("color_gamut", 28),
            ("header_stride", 32),
            ("stride", 44),
            ("header_phys_addr", 56),
            ("header_virt_addr", 80),
            ("phys_addr", 104),
            ("virt_addr", 128),
            ("offset_top", 152),
            ("offset_bottom", 154),
            ("offset_left", 156),
            ("offset_right", 158),
            ("time_ref", 160),
            ("pts", 168),
            ("priv_data", 176),
            ("supplement", 184),
        ],
    ),
    (
        "k_video_frame_info",
        224,
        &[("v_frame", 0), ("pool_id", 216), ("mod_id", 220)],
    ),
    (
        "k_vb_pool_config",
        32,
        &[
            ("blk_size", 0),
            ("blk_cnt", 8),
            ("mode", 12),
            ("mmz_name", 16),
        ],
    ),
    ("k_vb_config", 520, &[("max_pool_cnt", 0), ("comm_pool", 8)]),
    (
        "k_venc_2d_osd_attr",
        36,
        &[
            ("width", 0),
            ("height", 2),
            ("startx", 4),
            ("starty", 6),
            ("phys_addr", 8),
            ("bg_alpha", 20),
            ("osd_alpha", 21),
            ("video_alpha", 22),
            ("add_order", 24),
            ("bg_color", 28),
            ("fmt", 32),
        ],
    ),
    (
        "k_venc_2d_border_attr",
        16,
        &[
            ("width", 0),
            ("height", 2),
            ("line_width", 4),
            ("color", 8),
            ("startx", 12),
            ("starty", 14),
        ],
    ),
    ("k_venc_2d_csc_attr", 4, &[("dst_fmt", 0)]),
    (
        "k_venc_h265_sao",
        8,
        &[("slice_sao_luma_flag", 0), ("slice_sao_chroma_flag", 4)],
    ),
    (
        "k_venc_h264_entropy",
        8,
        &[("entropy_coding_mode", 0), ("cabac_init_idc", 4)],
    ),
    ("k_venc_h265_entropy", 1, &[("cabac_init_flag", 0)]),
    (
        "k_mpp_chn",
        12,
        &[("mod_id", 0), ("dev_id", 4), ("chn_id", 8)],
    ),
];

/// The structs that differ with `K230_MPP_CANMV` defined (k230-mpp-c-api.md §1.8, CVDEF).
pub const CANMV_LAYOUTS: &[Layout] = &[
    (
        "k_venc_attr",
        16,
        &[
            ("type", 0),
            ("pic_width", 4),
            ("pic_height", 8),
            ("profile", 12),
        ],
    ),
    ("k_venc_chn_attr", 44, &[("venc_attr", 0), ("rc_attr", 16)]),
];

// The Rust mirrors hold the same layouts.
const _: () = {
    assert!(size_of::<CanmvVencAttr>() == 16);
    assert!(size_of::<CanmvChnAttr>() == 44);
    assert!(offset_of!(CanmvChnAttr, rc_attr) == 16);
    assert!(size_of::<VencAttr>() == 24);
    assert!(offset_of!(VencAttr, profile) == 20);
    assert!(size_of::<RcAttr>() == 28);
    assert!(size_of::<ChnAttr>() == 52);
    assert!(offset_of!(ChnAttr, rc_attr) == 24);
    assert!(size_of::<Pack>() == 32);
    assert!(offset_of!(Pack, pts) == 16);
    assert!(offset_of!(Pack, pack_type) == 24);
    assert!(size_of::<Stream>() == 16);
    assert!(offset_of!(Stream, pack_cnt) == 8);
    assert!(size_of::<ChnStatus>() == 40);
    assert!(offset_of!(ChnStatus, release_pic_pts) == 8);
    assert!(offset_of!(ChnStatus, end_of_stream) == 16);
    assert!(offset_of!(ChnStatus, stream_info) == 20);
    assert!(size_of::<VideoSupplement>() == 32);
    assert!(size_of::<VideoFrame>() == 216);
    assert!(offset_of!(VideoFrame, stride) == 44);
    assert!(offset_of!(VideoFrame, phys_addr) == 104);
    assert!(offset_of!(VideoFrame, virt_addr) == 128);
    assert!(offset_of!(VideoFrame, offset_top) == 152);
    assert!(offset_of!(VideoFrame, time_ref) == 160);
    assert!(offset_of!(VideoFrame, pts) == 168);
    assert!(offset_of!(VideoFrame, supplement) == 184);
    assert!(size_of::<VideoFrameInfo>() == 224);
    assert!(offset_of!(VideoFrameInfo, pool_id) == 216);
    assert!(offset_of!(VideoFrameInfo, mod_id) == 220);
    assert!(size_of::<VbPoolConfig>() == 32);
    assert!(offset_of!(VbPoolConfig, mmz_name) == 16);
    assert!(size_of::<VbConfig>() == 520);
    assert!(offset_of!(VbConfig, comm_pool) == 8);
    assert!(size_of::<MppChn>() == 12);
    assert!(size_of::<OsdAttr>() == 36);
    assert!(offset_of!(OsdAttr, add_order) == 24);
    assert!(offset_of!(OsdAttr, fmt) == 32);
    assert!(size_of::<BorderAttr>() == 16);
    assert!(offset_of!(BorderAttr, color) == 8);
    assert!(offset_of!(BorderAttr, starty) == 14);
    assert!(size_of::<CscAttr>() == 4);
    assert!(size_of::<H265Sao>() == 8);
    assert!(size_of::<H264Entropy>() == 8);
    assert!(offset_of!(H264Entropy, cabac_init_idc) == 4);
    assert!(size_of::<H265Entropy>() == 1);
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_d_attributes_round_trip_through_the_c_structs() {
        let region = venc_core::OsdRegion {
            width: 64,
            height: 32,
            startx: 2,
            starty: 4,
            phys_addr: [0x1000_0000, 1, 2],
            bg_alpha: 3,
            osd_alpha: 200,
            video_alpha: 255,
            add_order: 7,
            bg_color: 0x0080_80eb,
            fmt: 1,
        };
        assert_eq!(OsdAttr::from_core(&region).to_core(), region);
        assert_eq!(OsdAttr::from_core(&region).add_order, 7);
        let border = venc_core::Border {
            width: 8,
            height: 6,
            line_width: 2,
            color: 9,
            startx: 10,
            starty: 12,
        };
        assert_eq!(BorderAttr::from_core(&border).to_core(), border);
        assert_eq!(BorderAttr::from_core(&border).starty, 12);
    }

    #[test]
    fn rate_control_round_trips_through_the_c_union_and_unknown_modes_are_errors() {
        let all = [
            venc_core::RcAttr::Cbr {
                gop: 30,
                stats_time: 1,
                src_frame_rate: 30,
                dst_frame_rate: 25,
                bit_rate: 4000,
            },
            venc_core::RcAttr::Vbr {
                gop: 60,
                stats_time: 2,
                src_frame_rate: 30,
                dst_frame_rate: 30,
                max_bit_rate: 6000,
                bit_rate: 3000,
            },
            venc_core::RcAttr::FixQp {
                gop: 10,
                src_frame_rate: 30,
                dst_frame_rate: 15,
                i_qp: 28,
                p_qp: 31,
            },
            venc_core::RcAttr::MjpegFixQp {
                src_frame_rate: 30,
                dst_frame_rate: 30,
                q_factor: 75,
            },
        ];
        for rc in all {
            assert_eq!(RcAttr::from_core(&rc).to_core(), Ok(rc));
        }
        // The SDK's k_venc_vbr: max_bit_rate at offset 16, bit_rate at 20.
        assert_eq!(RcAttr::from_core(&all[1]).words[4..], [6000, 3000]);
        // k_venc_fixqp has no stats_time; k_venc_mjpeg_fixqp starts at the frame rates.
        assert_eq!(RcAttr::from_core(&all[2]).words, [10, 30, 15, 28, 31, 0]);
        assert_eq!(RcAttr::from_core(&all[3]).words, [30, 30, 75, 0, 0, 0]);
        assert_eq!(RcAttr::from_core(&all[0]).words, [30, 1, 30, 25, 4000, 0]);
        let bad = RcAttr {
            rc_mode: 9,
            words: [0; 6],
        };
        assert_eq!(bad.to_core(), Err(venc_core::UnknownRcMode(9)));
    }
}
