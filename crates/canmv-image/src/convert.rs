//! Between formats (`to_rgb565`, `to_rgb888`, `to_grayscale`, `copy`), and to and from files
//! (`compress`, `save`, `Image(path)`) through the `image` crate's JPEG, PNG and BMP codecs.

use crate::pixel::{Canvas, encode as encode_pixel};
use crate::{ImageError, PixFormat};
use image::{ExtendedColorType, ImageEncoder};

/// The bytes of `src` as a `to`-format image of the same size.
pub fn convert(src: &Canvas<'_>, to: PixFormat) -> Result<Vec<u8>, ImageError> {
    if !to.is_raw() {
        return Err(ImageError::Format(to.name()));
    }
    let (w, h) = (src.width(), src.height());
    if src.format() == to {
        return Ok(src.bytes()[..to.raw_size(w, h)].to_vec());
    }
    let mut out = vec![0u8; to.raw_size(w, h)];
    let mut dst = Canvas::new(w, h, to, &mut out).ok_or(ImageError::Format(to.name()))?;
    for y in 0..h {
        for x in 0..w {
            let v = encode_pixel(to, src.argb(x, y));
            dst.put(x as i32, y as i32, v);
        }
    }
    if to == PixFormat::Yuv420 {
        // Chroma as an encoder reads it (+128), not as the drawing writer stores it.
        let area = (w * h) as usize;
        for (i, c) in out[area..].iter_mut().enumerate() {
            let (row, col) = (2 * (i / w as usize), (i % w as usize) & !1);
            let argb = src.argb(col as u32, row as u32);
            let (_, u, v) = crate::pixel::rgb_to_yuv(argb[1], argb[2], argb[3]);
            *c = (i16::from(if i % 2 == 0 { u } else { v }) + 128) as u8;
        }
    }
    Ok(out)
}

/// A picture file kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// JPEG (`compress`, `save("x.jpg")`).
    Jpeg,
    /// PNG.
    Png,
    /// BMP.
    Bmp,
}

impl FileKind {
    /// The kind a file name's extension names.
    pub fn from_path(path: &str) -> Option<Self> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" => Some(Self::Jpeg),
            "png" => Some(Self::Png),
            "bmp" => Some(Self::Bmp),
            _ => None,
        }
    }
}

/// `src` as a `kind` file at JPEG `quality` (1..=100). PNG keeps an ARGB image's alpha.
pub fn encode(src: &Canvas<'_>, kind: FileKind, quality: u8) -> Result<Vec<u8>, ImageError> {
    let (w, h) = (src.width(), src.height());
    let alpha =
        matches!(src.format(), PixFormat::Argb8888 | PixFormat::Bgra8888) && kind == FileKind::Png;
    let gray = src.format() == PixFormat::Grayscale;
    let (pixels, color) = if gray {
        (
            src.bytes()[..(w * h) as usize].to_vec(),
            ExtendedColorType::L8,
        )
    } else if alpha {
        let argb = src.to_argb();
        let rgba = argb
            .chunks_exact(4)
            .flat_map(|p| [p[1], p[2], p[3], p[0]])
            .collect();
        (rgba, ExtendedColorType::Rgba8)
    } else {
        let argb = src.to_argb();
        (
            argb.chunks_exact(4)
                .flat_map(|p| [p[1], p[2], p[3]])
                .collect(),
            ExtendedColorType::Rgb8,
        )
    };
    let mut out = Vec::new();
    let done = match kind {
        FileKind::Jpeg => {
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality.clamp(1, 100))
                .write_image(&pixels, w, h, color)
        }
        FileKind::Png => {
            image::codecs::png::PngEncoder::new(&mut out).write_image(&pixels, w, h, color)
        }
        FileKind::Bmp => {
            image::codecs::bmp::BmpEncoder::new(&mut out).write_image(&pixels, w, h, color)
        }
    };
    done.map_err(|e| ImageError::Codec(e.to_string()))?;
    Ok(out)
}

/// A JPEG, PNG or BMP file's picture as RGB888 bytes, with its size.
pub fn decode(bytes: &[u8]) -> Result<(u32, u32, Vec<u8>), ImageError> {
    let img = image::load_from_memory(bytes).map_err(|e| ImageError::Codec(e.to_string()))?;
    let rgb = img.to_rgb8();
    Ok((rgb.width(), rgb.height(), rgb.into_raw()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Color;

    #[test]
    fn conversions_keep_colours_within_the_target_precision() {
        let mut data = vec![0u8; PixFormat::Rgb888.raw_size(4, 4)];
        let mut c = Canvas::new(4, 4, PixFormat::Rgb888, &mut data).expect("raw");
        c.fill_rect(
            0,
            0,
            4,
            4,
            Color::Argb([255, 200, 100, 50]).value(PixFormat::Rgb888),
        );
        let c = Canvas::new(4, 4, PixFormat::Rgb888, &mut data).expect("raw");
        let mut rgb565 = convert(&c, PixFormat::Rgb565).expect("565");
        let back = Canvas::new(4, 4, PixFormat::Rgb565, &mut rgb565).expect("raw");
        let [_, r, g, b] = back.argb(3, 3);
        assert!(r.abs_diff(200) <= 7 && g.abs_diff(100) <= 3 && b.abs_diff(50) <= 7);
        let mut nv12 = convert(&c, PixFormat::Yuv420).expect("nv12");
        let back = Canvas::new(4, 4, PixFormat::Yuv420, &mut nv12).expect("raw");
        let [_, r, g, b] = back.argb(0, 0);
        // Full-range Y through a limited-range reader: brighter, same hue order.
        assert!(r > g && g > b, "{r} {g} {b}");
    }

    #[test]
    fn files_round_trip_through_the_codecs() {
        let mut data = vec![0u8; PixFormat::Rgb888.raw_size(16, 8)];
        let mut c = Canvas::new(16, 8, PixFormat::Rgb888, &mut data).expect("raw");
        c.fill_rect(0, 0, 8, 8, 0xff0000);
        let c = Canvas::new(16, 8, PixFormat::Rgb888, &mut data).expect("raw");
        for kind in [FileKind::Png, FileKind::Bmp, FileKind::Jpeg] {
            let file = encode(&c, kind, 95).expect("encode");
            let (w, h, rgb) = decode(&file).expect("decode");
            assert_eq!((w, h), (16, 8));
            assert!(rgb[0] > 240 && rgb[1] < 16, "{kind:?} red {:?}", &rgb[..3]);
            assert!(rgb[15 * 3] < 16, "{kind:?} black on the right");
        }
        assert!(decode(b"not a picture").is_err());
        assert_eq!(FileKind::from_path("/sdcard/a.JPG"), Some(FileKind::Jpeg));
        assert_eq!(FileKind::from_path("/sdcard/a.gif"), None);
    }
}
