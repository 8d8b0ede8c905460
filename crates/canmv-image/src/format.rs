//! `image.*` pixel formats: the firmware's bit-packed values and the bytes each takes
//! (display facts §5.2: `imlib.h:356-451`, identical from v0.7 to 2026).

/// A pixel format of `image.Image`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PixFormat {
    /// `image.GRAYSCALE`: one byte per pixel.
    #[doc(alias = "image.GRAYSCALE")]
    Grayscale,
    /// `image.RGB565`: native 16-bit words `RRRRRGGG GGGBBBBB`, little-endian in memory.
    #[doc(alias = "image.RGB565")]
    Rgb565,
    /// `image.RGB888`: bytes R, G, B.
    #[doc(alias = "image.RGB888")]
    Rgb888,
    /// `image.BGR888` (2026): bytes B, G, R.
    #[doc(alias = "image.BGR888")]
    Bgr888,
    /// `image.RGBP888`: three planes R, G, B.
    #[doc(alias = "image.RGBP888")]
    Rgbp888,
    /// `image.ARGB8888`: bytes A, R, G, B.
    #[doc(alias = "image.ARGB8888")]
    Argb8888,
    /// `image.BGRA8888` (2025 on): bytes B, G, R, A.
    #[doc(alias = "image.BGRA8888")]
    Bgra8888,
    /// `image.YUV420`: NV12 (Y plane, then interleaved U, V at `w·h`).
    #[doc(alias = "image.YUV420")]
    Yuv420,
    /// `image.JPEG`: a compressed picture (`compress`, `to_jpeg`).
    #[doc(alias = "image.JPEG")]
    Jpeg,
    /// `image.PNG`: a compressed picture (`to_png`).
    #[doc(alias = "image.PNG")]
    Png,
}

impl PixFormat {
    /// Every format this crate holds pixels or files of.
    pub const ALL: [PixFormat; 10] = [
        Self::Grayscale,
        Self::Rgb565,
        Self::Rgb888,
        Self::Bgr888,
        Self::Rgbp888,
        Self::Argb8888,
        Self::Bgra8888,
        Self::Yuv420,
        Self::Jpeg,
        Self::Png,
    ];

    /// The value `img.format()` returns and `image.<NAME>` holds.
    pub const fn code(self) -> u32 {
        match self {
            Self::Grayscale => 0x0802_0001,
            Self::Rgb565 => 0x0C03_0002,
            Self::Jpeg => 0x0606_0000,
            Self::Png => 0x0607_0000,
            Self::Argb8888 => 0x0C08_0004,
            Self::Bgra8888 => 0x0C08_0304,
            Self::Rgb888 => 0x0C09_0003,
            Self::Bgr888 => 0x0C09_0103,
            Self::Rgbp888 => 0x0C09_0203,
            Self::Yuv420 => 0x1C0A_0023,
        }
    }

    /// The format of a code, if this crate holds it.
    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The `image.*` name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Grayscale => "GRAYSCALE",
            Self::Rgb565 => "RGB565",
            Self::Rgb888 => "RGB888",
            Self::Bgr888 => "BGR888",
            Self::Rgbp888 => "RGBP888",
            Self::Argb8888 => "ARGB8888",
            Self::Bgra8888 => "BGRA8888",
            Self::Yuv420 => "YUV420",
            Self::Jpeg => "JPEG",
            Self::Png => "PNG",
        }
    }

    /// Whether pixels are stored raw (not a compressed file).
    pub const fn is_raw(self) -> bool {
        !matches!(self, Self::Jpeg | Self::Png)
    }

    /// Bytes of one pixel in the first plane (1 for the Y plane of YUV420, 1 per plane of
    /// RGBP888).
    pub const fn bytes_per_pixel(self) -> usize {
        match self {
            Self::Grayscale | Self::Yuv420 | Self::Rgbp888 => 1,
            Self::Rgb565 => 2,
            Self::Rgb888 | Self::Bgr888 => 3,
            Self::Argb8888 | Self::Bgra8888 => 4,
            Self::Jpeg | Self::Png => 0,
        }
    }

    /// `img.size()` of a raw `w`×`h` image: w·h·bpp, w·h·3/2 for YUV420, w·h·3 for RGBP888
    /// (`imlib.c:254-273`).
    pub const fn raw_size(self, w: u32, h: u32) -> usize {
        let area = w as usize * h as usize;
        match self {
            Self::Yuv420 => area * 3 / 2,
            Self::Rgbp888 => area * 3,
            _ => area * self.bytes_per_pixel(),
        }
    }

    /// Whether drawing writes pixels of this format: the firmware has pixel writers for
    /// GRAYSCALE, RGB565, RGB888, ARGB8888 and YUV420 only; drawing on the others does
    /// nothing (`draw.c:57-95`).
    pub const fn drawable(self) -> bool {
        matches!(
            self,
            Self::Grayscale | Self::Rgb565 | Self::Rgb888 | Self::Argb8888 | Self::Yuv420
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_carry_their_bytes_per_pixel() {
        for f in PixFormat::ALL {
            assert_eq!(PixFormat::from_code(f.code()), Some(f), "{}", f.name());
            if f.is_raw() && f != PixFormat::Yuv420 {
                // The low byte of the packed value is the bytes per pixel (RGBP888: 3 planes).
                let packed = (f.code() & 0xff) as usize;
                assert_eq!(packed, f.raw_size(1, 1), "{}", f.name());
            }
        }
        assert_eq!(
            PixFormat::from_code(0x0801_0000),
            None,
            "BINARY is not held"
        );
        assert_eq!(PixFormat::Yuv420.raw_size(640, 480), 640 * 480 * 3 / 2);
    }
}
