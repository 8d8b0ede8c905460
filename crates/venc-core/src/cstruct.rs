//! The C structs CanMV scripts fill through `uctypes`, byte for byte (facts §1.3, from the
//! firmware's `mpp/video_def.py`). Only the fields whose offsets the facts give are described;
//! the bytes between them are kept but have no name.
//!
//! Invariant: this table is the one description of `k_video_frame_info`. The Python front builds
//! its `uctypes`-style struct from it and its `SendFrame` decodes the bytes with it.

use crate::mpi::VideoFrameInfo;

/// A scalar type of a struct field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// `k_u32`, little-endian.
    U32,
    /// `k_u64`, little-endian.
    U64,
}

impl Scalar {
    /// Bytes per element.
    pub const fn size(self) -> usize {
        match self {
            Self::U32 => 4,
            Self::U64 => 8,
        }
    }
}

/// One named field: dotted path, byte offset, element type, element count (1 = scalar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// `v_frame.phys_addr`, `pool_id`, ….
    pub path: &'static str,
    /// Byte offset from the struct start.
    pub offset: usize,
    /// Element type.
    pub scalar: Scalar,
    /// Elements; above 1 the field is an array (`phys_addr[3]`).
    pub count: usize,
}

/// `sizeof(k_video_frame_info)`.
#[doc(alias = "k_video_frame_info")]
pub const VIDEO_FRAME_INFO_SIZE: usize = 224;

/// The named fields of `k_video_frame_info` (facts §1.3).
pub const VIDEO_FRAME_INFO_FIELDS: &[Field] = &[
    field("v_frame.width", 0, Scalar::U32, 1),
    field("v_frame.height", 4, Scalar::U32, 1),
    field("v_frame.pixel_format", 12, Scalar::U32, 1),
    field("v_frame.stride", 44, Scalar::U32, 3),
    field("v_frame.phys_addr", 104, Scalar::U64, 3),
    field("v_frame.virt_addr", 128, Scalar::U64, 3),
    field("v_frame.pts", 168, Scalar::U64, 1),
    field("pool_id", 216, Scalar::U32, 1),
    field("mod_id", 220, Scalar::U32, 1),
];

const fn field(path: &'static str, offset: usize, scalar: Scalar, count: usize) -> Field {
    Field {
        path,
        offset,
        scalar,
        count,
    }
}

/// The struct size a binding expected and the size it got (CanMV raises
/// `TypeError("struct expect size: %u, actual size: %u")`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeMismatch {
    /// Expected bytes.
    pub expected: usize,
    /// Bytes passed.
    pub actual: usize,
}

impl std::fmt::Display for SizeMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "struct expect size: {}, actual size: {}",
            self.expected, self.actual
        )
    }
}

impl std::error::Error for SizeMismatch {}

fn read(bytes: &[u8], f: &Field, index: usize) -> u64 {
    let at = f.offset + index * f.scalar.size();
    match f.scalar {
        Scalar::U32 => u64::from(u32::from_le_bytes(
            bytes[at..at + 4].try_into().expect("4 bytes"),
        )),
        Scalar::U64 => u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes")),
    }
}

fn write(bytes: &mut [u8], f: &Field, index: usize, value: u64) {
    let at = f.offset + index * f.scalar.size();
    match f.scalar {
        // The C struct truncates, as a uctypes store does.
        Scalar::U32 => bytes[at..at + 4].copy_from_slice(&(value as u32).to_le_bytes()),
        Scalar::U64 => bytes[at..at + 8].copy_from_slice(&value.to_le_bytes()),
    }
}

fn by_path(path: &str) -> &'static Field {
    VIDEO_FRAME_INFO_FIELDS
        .iter()
        .find(|f| f.path == path)
        .expect("a field of the table")
}

impl VideoFrameInfo {
    /// Decodes the bytes of a `k_video_frame_info` (what a binding receives).
    pub fn from_c_bytes(bytes: &[u8]) -> Result<Self, SizeMismatch> {
        if bytes.len() != VIDEO_FRAME_INFO_SIZE {
            return Err(SizeMismatch {
                expected: VIDEO_FRAME_INFO_SIZE,
                actual: bytes.len(),
            });
        }
        let get = |path, i| read(bytes, by_path(path), i);
        Ok(Self {
            width: get("v_frame.width", 0) as u32,
            height: get("v_frame.height", 0) as u32,
            pixel_format: get("v_frame.pixel_format", 0) as u32,
            stride: [0, 1, 2].map(|i| get("v_frame.stride", i) as u32),
            phys_addr: [0, 1, 2].map(|i| get("v_frame.phys_addr", i)),
            pts: get("v_frame.pts", 0),
            pool_id: get("pool_id", 0) as u32,
            mod_id: get("mod_id", 0) as u32,
        })
    }

    /// The bytes of a `k_video_frame_info` holding these fields (the rest zero).
    pub fn to_c_bytes(&self) -> [u8; VIDEO_FRAME_INFO_SIZE] {
        let mut out = [0u8; VIDEO_FRAME_INFO_SIZE];
        let mut put = |path, i, v| write(&mut out, by_path(path), i, v);
        put("v_frame.width", 0, u64::from(self.width));
        put("v_frame.height", 0, u64::from(self.height));
        put("v_frame.pixel_format", 0, u64::from(self.pixel_format));
        for i in 0..3 {
            put("v_frame.stride", i, u64::from(self.stride[i]));
            put("v_frame.phys_addr", i, self.phys_addr[i]);
        }
        put("v_frame.pts", 0, self.pts);
        put("pool_id", 0, u64::from(self.pool_id));
        put("mod_id", 0, u64::from(self.mod_id));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_fit_and_do_not_overlap() {
        let mut spans: Vec<(usize, usize)> = VIDEO_FRAME_INFO_FIELDS
            .iter()
            .map(|f| (f.offset, f.offset + f.scalar.size() * f.count))
            .collect();
        spans.sort_unstable();
        for pair in spans.windows(2) {
            assert!(pair[0].1 <= pair[1].0, "{pair:?} overlap");
        }
        assert!(spans.last().unwrap().1 <= VIDEO_FRAME_INFO_SIZE);
        for f in VIDEO_FRAME_INFO_FIELDS {
            assert_eq!(f.offset % f.scalar.size(), 0, "{} misaligned", f.path);
        }
    }

    #[test]
    fn frame_info_round_trips_at_the_documented_offsets() {
        let info = VideoFrameInfo {
            width: 800,
            height: 480,
            pixel_format: 31,
            stride: [800, 800, 0],
            phys_addr: [0x1000_0000, 0x1005_e000, 0],
            pts: 33_333,
            pool_id: 7,
            mod_id: 6,
        };
        let bytes = info.to_c_bytes();
        assert_eq!(&bytes[104..112], &0x1000_0000u64.to_le_bytes());
        assert_eq!(&bytes[216..220], &7u32.to_le_bytes());
        assert_eq!(VideoFrameInfo::from_c_bytes(&bytes), Ok(info));
    }

    #[test]
    fn wrong_size_is_the_bindings_type_error() {
        let err = VideoFrameInfo::from_c_bytes(&[0; 200]).unwrap_err();
        assert_eq!(err.to_string(), "struct expect size: 224, actual size: 200");
    }
}
