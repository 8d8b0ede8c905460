//! # canmv-image
//!
//! The pixels of CanMV's `image.Image`, for the Python front (`canmv-host`) and anything that
//! draws what a K230 script draws: the firmware's formats with their values and byte layouts
//! ([`PixFormat`], display facts §5.2), colours as scripts give them ([`Color`]), the `draw_*`
//! methods ([`Canvas`]), `draw_string_advanced` over an outline font ([`Font`]), conversion
//! between formats and JPEG/PNG/BMP files ([`convert`], [`encode`], [`decode`]).
//!
//! It holds no memory of its own: a [`Canvas`] works on bytes its caller owns (media memory
//! on the simulated board, or the heap), as the firmware's imlib works on an image's buffer.
//! It links no codec of the encoder's and knows no board.

mod convert;
mod draw;
mod format;
mod pixel;
mod text;

pub use convert::{FileKind, convert, decode, encode};
pub use format::PixFormat;
pub use pixel::{
    Canvas, Color, decode as decode_pixel, encode as encode_pixel, nv12_rgb, rgb_to_yuv,
};
pub use text::{Font, STAND_IN_FAMILY, system_font};

use std::path::PathBuf;

/// Why an image operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// A font file that cannot be read or parsed.
    #[error("font {path}: {why}")]
    Font {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        why: String,
    },
    /// A picture file that cannot be encoded or decoded.
    #[error("{0}")]
    Codec(String),
    /// A format this operation does not take.
    #[error("format {0} not supported here")]
    Format(&'static str),
}
