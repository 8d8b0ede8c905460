//! One pixel in each format: colours as scripts give them, and the raw value the firmware's
//! pixel writers store (display facts §5.2, `py_helper.c:281-343`, `imlib.h:648-731`).

use crate::PixFormat;

/// A colour as a script passes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// A tuple `(R, G, B)` (alpha 0xFF: the default −1 fills it) or `(A, R, G, B)`.
    Argb([u8; 4]),
    /// An int: the format's raw pixel value (−1, the default, is white and opaque; an int such
    /// as `0xFF0000` on an ARGB8888 image has alpha 0).
    Raw(i64),
}

impl Color {
    /// White, opaque: the firmware's default colour (−1).
    pub const DEFAULT: Color = Color::Raw(-1);

    /// The raw pixel value this colour stores in `fmt`.
    pub fn value(self, fmt: PixFormat) -> u32 {
        match self {
            Color::Argb(argb) => encode(fmt, argb),
            Color::Raw(v) if fmt == PixFormat::Yuv420 => {
                // An int on a YUV image is taken as 0xRRGGBB (−1: white).
                let v = v as u32;
                encode(fmt, [0xff, (v >> 16) as u8, (v >> 8) as u8, v as u8])
            }
            Color::Raw(v) => {
                let bits = match fmt {
                    PixFormat::Grayscale => 0xff,
                    PixFormat::Rgb565 => 0xffff,
                    PixFormat::Rgb888 | PixFormat::Bgr888 | PixFormat::Rgbp888 => 0xff_ffff,
                    _ => 0xffff_ffff,
                };
                (v as u32) & bits
            }
        }
    }
}

/// OpenMV's `COLOR_RGB888_TO_Y` / `_U` / `_V` (full range; U and V signed).
pub fn rgb_to_yuv(r: u8, g: u8, b: u8) -> (u8, i8, i8) {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    let y = (r * 38 + g * 75 + b * 15) >> 7;
    let u = (-r * 21 - g * 43 + b * 64) >> 7;
    let v = (r * 64 - g * 54 - b * 10) >> 7;
    (
        y.clamp(0, 255) as u8,
        u.clamp(-128, 127) as i8,
        v.clamp(-128, 127) as i8,
    )
}

/// The raw value of an (A, R, G, B) colour in `fmt`.
pub fn encode(fmt: PixFormat, [a, r, g, b]: [u8; 4]) -> u32 {
    let rgb = u32::from(r) << 16 | u32::from(g) << 8 | u32::from(b);
    match fmt {
        PixFormat::Grayscale => rgb_to_yuv(r, g, b).0.into(),
        PixFormat::Rgb565 => u32::from(r >> 3) << 11 | u32::from(g >> 2) << 5 | u32::from(b >> 3),
        PixFormat::Rgb888 | PixFormat::Bgr888 | PixFormat::Rgbp888 => rgb,
        PixFormat::Argb8888 | PixFormat::Bgra8888 => u32::from(a) << 24 | rgb,
        PixFormat::Yuv420 => {
            // The writer stores U and V as the signed values, without +128 (§5.2, a
            // firmware bug modelled as it is).
            let (y, u, v) = rgb_to_yuv(r, g, b);
            u32::from(y) | u32::from(u as u8) << 8 | u32::from(v as u8) << 16
        }
        PixFormat::Jpeg | PixFormat::Png => 0,
    }
}

/// The (A, R, G, B) a raw value of `fmt` shows.
pub fn decode(fmt: PixFormat, v: u32) -> [u8; 4] {
    match fmt {
        PixFormat::Grayscale => [0xff, v as u8, v as u8, v as u8],
        PixFormat::Rgb565 => {
            let (r, g, b) = ((v >> 11) & 0x1f, (v >> 5) & 0x3f, v & 0x1f);
            [
                0xff,
                (r << 3 | r >> 2) as u8,
                (g << 2 | g >> 4) as u8,
                (b << 3 | b >> 2) as u8,
            ]
        }
        PixFormat::Rgb888 | PixFormat::Bgr888 | PixFormat::Rgbp888 => {
            [0xff, (v >> 16) as u8, (v >> 8) as u8, v as u8]
        }
        PixFormat::Argb8888 | PixFormat::Bgra8888 => {
            [(v >> 24) as u8, (v >> 16) as u8, (v >> 8) as u8, v as u8]
        }
        PixFormat::Yuv420 => {
            let [r, g, b] = nv12_rgb(v as u8, (v >> 8) as u8, (v >> 16) as u8);
            [0xff, r, g, b]
        }
        PixFormat::Jpeg | PixFormat::Png => [0; 4],
    }
}

/// BT.601 limited-range NV12 samples to RGB (what the sensor's frames are): the project's one
/// conversion (`venc-frames`).
pub fn nv12_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    venc_frames::color::yuv_to_rgb(y, u, v)
}

/// A raw image's pixels, read and written by coordinates.
#[derive(Debug)]
pub struct Canvas<'a> {
    w: u32,
    h: u32,
    fmt: PixFormat,
    data: &'a mut [u8],
}

impl<'a> Canvas<'a> {
    /// The pixels of a `w`×`h` image of `fmt` (`data` at least `fmt.raw_size(w, h)` bytes).
    /// `None` for compressed formats or short data.
    pub fn new(w: u32, h: u32, fmt: PixFormat, data: &'a mut [u8]) -> Option<Self> {
        (fmt.is_raw() && data.len() >= fmt.raw_size(w, h)).then_some(Self { w, h, fmt, data })
    }

    /// Width.
    pub fn width(&self) -> u32 {
        self.w
    }
    /// Height.
    pub fn height(&self) -> u32 {
        self.h
    }
    /// Format.
    pub fn format(&self) -> PixFormat {
        self.fmt
    }
    /// The bytes.
    pub fn bytes(&self) -> &[u8] {
        self.data
    }

    /// Stores raw `v` at (`x`, `y`); outside the image, nothing (the firmware clips).
    #[inline]
    pub fn put(&mut self, x: i32, y: i32, v: u32) {
        if x < 0 || y < 0 || x as u32 >= self.w || y as u32 >= self.h {
            return;
        }
        let (x, y, w) = (x as usize, y as usize, self.w as usize);
        let i = y * w + x;
        let d = &mut *self.data;
        match self.fmt {
            PixFormat::Grayscale => d[i] = v as u8,
            PixFormat::Rgb565 => d[i * 2..i * 2 + 2].copy_from_slice(&(v as u16).to_le_bytes()),
            PixFormat::Rgb888 => {
                d[i * 3..i * 3 + 3].copy_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8]);
            }
            PixFormat::Bgr888 => {
                d[i * 3..i * 3 + 3].copy_from_slice(&[v as u8, (v >> 8) as u8, (v >> 16) as u8]);
            }
            PixFormat::Argb8888 => d[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes()),
            PixFormat::Bgra8888 => d[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes()),
            PixFormat::Rgbp888 => {
                let plane = w * self.h as usize;
                d[i] = (v >> 16) as u8;
                d[plane + i] = (v >> 8) as u8;
                d[2 * plane + i] = v as u8;
            }
            PixFormat::Yuv420 => {
                d[i] = v as u8;
                let c = w * self.h as usize + (y / 2) * w + (x & !1);
                d[c] = (v >> 8) as u8;
                d[c + 1] = (v >> 16) as u8;
            }
            PixFormat::Jpeg | PixFormat::Png => {}
        }
    }

    /// The raw value at (`x`, `y`), which must be inside.
    #[inline]
    pub fn get(&self, x: u32, y: u32) -> u32 {
        let (x, y, w) = (x as usize, y as usize, self.w as usize);
        let i = y * w + x;
        let d = &*self.data;
        match self.fmt {
            PixFormat::Grayscale => d[i].into(),
            PixFormat::Rgb565 => u16::from_le_bytes([d[i * 2], d[i * 2 + 1]]).into(),
            PixFormat::Rgb888 => u32::from_be_bytes([0, d[i * 3], d[i * 3 + 1], d[i * 3 + 2]]),
            PixFormat::Bgr888 => u32::from_le_bytes([d[i * 3], d[i * 3 + 1], d[i * 3 + 2], 0]),
            PixFormat::Argb8888 => {
                u32::from_be_bytes([d[i * 4], d[i * 4 + 1], d[i * 4 + 2], d[i * 4 + 3]])
            }
            PixFormat::Bgra8888 => {
                u32::from_le_bytes([d[i * 4], d[i * 4 + 1], d[i * 4 + 2], d[i * 4 + 3]])
            }
            PixFormat::Rgbp888 => {
                let plane = w * self.h as usize;
                u32::from_be_bytes([0, d[i], d[plane + i], d[2 * plane + i]])
            }
            PixFormat::Yuv420 => {
                let c = w * self.h as usize + (y / 2) * w + (x & !1);
                u32::from(d[i]) | u32::from(d[c]) << 8 | u32::from(d[c + 1]) << 16
            }
            PixFormat::Jpeg | PixFormat::Png => 0,
        }
    }

    /// The (A, R, G, B) at (`x`, `y`), which must be inside.
    pub fn argb(&self, x: u32, y: u32) -> [u8; 4] {
        decode(self.fmt, self.get(x, y))
    }

    /// `clear()`: every byte zero (an ARGB8888 image becomes transparent).
    pub fn clear(&mut self) {
        let n = self.fmt.raw_size(self.w, self.h);
        self.data[..n].fill(0);
    }

    /// The whole image as packed (A, R, G, B) bytes, row by row.
    pub fn to_argb(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.w as usize * self.h as usize * 4);
        for y in 0..self.h {
            for x in 0..self.w {
                out.extend_from_slice(&self.argb(x, y));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_stores_its_documented_byte_order() {
        let red = Color::Argb([0x80, 0xff, 0x10, 0x00]);
        let cases: [(PixFormat, &[u8]); 6] = [
            (PixFormat::Rgb888, &[0xff, 0x10, 0x00]),
            (PixFormat::Bgr888, &[0x00, 0x10, 0xff]),
            (PixFormat::Argb8888, &[0x80, 0xff, 0x10, 0x00]),
            (PixFormat::Bgra8888, &[0x00, 0x10, 0xff, 0x80]),
            // 11111 000100 00000, little-endian.
            (PixFormat::Rgb565, &[0x80, 0xf8]),
            (PixFormat::Grayscale, &[((255 * 38 + 16 * 75) >> 7) as u8]),
        ];
        for (fmt, want) in cases {
            let mut data = vec![0u8; fmt.raw_size(2, 2)];
            let mut c = Canvas::new(2, 2, fmt, &mut data).expect("raw");
            c.put(1, 0, red.value(fmt));
            let bpp = fmt.bytes_per_pixel();
            assert_eq!(&data[bpp..2 * bpp], want, "{}", fmt.name());
        }
    }

    #[test]
    fn ints_are_raw_values_and_the_default_is_opaque_white() {
        assert_eq!(Color::Raw(0xff0000).value(PixFormat::Argb8888), 0x00ff_0000);
        assert_eq!(Color::DEFAULT.value(PixFormat::Argb8888), 0xffff_ffff);
        assert_eq!(Color::DEFAULT.value(PixFormat::Rgb565), 0xffff);
        assert_eq!(
            decode(PixFormat::Rgb565, Color::DEFAULT.value(PixFormat::Rgb565)),
            [255; 4]
        );
        // A tuple of three gets alpha 0xFF.
        assert_eq!(
            Color::Argb([0xff, 1, 2, 3]).value(PixFormat::Argb8888),
            0xff01_0203
        );
    }

    #[test]
    fn yuv420_chroma_is_stored_signed_as_the_firmware_writes_it() {
        let mut data = vec![0u8; PixFormat::Yuv420.raw_size(2, 2)];
        let mut c = Canvas::new(2, 2, PixFormat::Yuv420, &mut data).expect("raw");
        c.put(
            0,
            0,
            Color::Argb([0xff, 0, 0, 255]).value(PixFormat::Yuv420),
        );
        let (y, u, v) = rgb_to_yuv(0, 0, 255);
        assert_eq!(data[0], y);
        assert_eq!(data[4], u as u8, "U without +128");
        assert_eq!(data[5], v as u8);
        assert!(u > 0 && v < 0);
    }

    #[test]
    fn writes_outside_are_clipped() {
        let mut data = vec![0u8; 4];
        let mut c = Canvas::new(2, 2, PixFormat::Grayscale, &mut data).expect("raw");
        for (x, y) in [(-1, 0), (0, -1), (2, 0), (0, 2)] {
            c.put(x, y, 0xff);
        }
        assert_eq!(data, [0; 4]);
        assert!(Canvas::new(2, 2, PixFormat::Rgb888, &mut [0u8; 11]).is_none());
    }
}
