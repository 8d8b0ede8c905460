//! The SDK family's VENC structs (`k_venc_comm.h`), mirrored. Enums are 4-byte `u32`s here:
//! a C program may put any value in one, and the calls answer a bad one with the board's code.

use std::mem::{offset_of, size_of};

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

/// `k_venc_chn_attr` (52 bytes).
#[doc(alias = "k_venc_chn_attr")]
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChnAttr {
    pub venc_attr: VencAttr,
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
    ("k_venc_rc_attr", 28, &[("rc_mode", 0), ("cbr", 4)]),
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
];

// The Rust mirrors hold the same layouts.
const _: () = {
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
};
