//! What the ISP does to a picture before it reaches a buffer: crop, mirror and flip, and the
//! conversion to an RGB output format. NV12 in (stride = width, U before V).

/// A crop window in the acquisition window's pixels (`set_framesize(crop=(x, y, w, h))`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Rect {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub w: u32,
    /// Height.
    pub h: u32,
}

/// Copies the window `r` of an NV12 picture of `sw` columns into `out` (Y then UV). `r`'s
/// origin and size are rounded down to even numbers, as the chroma grid needs.
pub fn crop_nv12((y, uv): (&[u8], &[u8]), sw: u32, r: Rect, out: (&mut Vec<u8>, &mut Vec<u8>)) {
    let (x0, y0) = ((r.x & !1) as usize, (r.y & !1) as usize);
    let (w, h) = ((r.w & !1) as usize, (r.h & !1) as usize);
    let sw = sw as usize;
    out.0.clear();
    out.1.clear();
    for row in y0..y0 + h {
        out.0
            .extend_from_slice(&y[row * sw + x0..row * sw + x0 + w]);
    }
    for row in y0 / 2..(y0 + h) / 2 {
        out.1
            .extend_from_slice(&uv[row * sw + x0..row * sw + x0 + w]);
    }
}

/// Mirrors (left-right) and/or flips (top-bottom) an NV12 picture in place.
pub fn mirror_nv12(y: &mut [u8], uv: &mut [u8], w: u32, h: u32, hmirror: bool, vflip: bool) {
    let w = w as usize;
    if hmirror {
        for row in y.chunks_exact_mut(w) {
            row.reverse();
        }
        for row in uv.chunks_exact_mut(w) {
            // Reversing bytes swaps U and V in each pair; reverse pairs instead.
            let pairs = row.len() / 2;
            for i in 0..pairs / 2 {
                let j = pairs - 1 - i;
                row.swap(2 * i, 2 * j);
                row.swap(2 * i + 1, 2 * j + 1);
            }
        }
    }
    if vflip {
        flip_rows(y, w, h as usize);
        flip_rows(uv, w, (h as usize).div_ceil(2));
    }
}

fn flip_rows(plane: &mut [u8], w: usize, rows: usize) {
    for i in 0..rows / 2 {
        let j = rows - 1 - i;
        let (top, bottom) = plane.split_at_mut(j * w);
        top[i * w..(i + 1) * w].swap_with_slice(&mut bottom[..w]);
    }
}

/// How RGB samples are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RgbLayout {
    /// `RGB888`: R, G, B per pixel.
    Packed,
    /// `RGBP888`: a whole R plane, then G, then B.
    Planar,
}

/// NV12 (BT.601, video range) to 8-bit RGB. The K230 ISP's matrix is not in the facts; BT.601
/// is the usual one for camera pipelines (docs/divergences.md D-039).
pub fn nv12_to_rgb(y: &[u8], uv: &[u8], w: u32, h: u32, layout: RgbLayout, out: &mut Vec<u8>) {
    let (w, h) = (w as usize, h as usize);
    out.resize(w * h * 3, 0);
    let plane = w * h;
    for row in 0..h {
        for col in 0..w {
            let c = (row / 2) * w + (col & !1);
            let px = venc_frames::color::yuv_to_rgb(y[row * w + col], uv[c], uv[c + 1]);
            match layout {
                RgbLayout::Packed => {
                    out[(row * w + col) * 3..(row * w + col) * 3 + 3].copy_from_slice(&px);
                }
                RgbLayout::Planar => {
                    for (k, s) in px.into_iter().enumerate() {
                        out[k * plane + row * w + col] = s;
                    }
                }
            }
        }
    }
}

/// The colour filter of a raw image's 2x2 cell (`k_sensor_bayer_pattern`'s four RGB ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(alias = "k_sensor_bayer_pattern")]
pub enum Bayer {
    /// `BAYER_PAT_RGGB` (0).
    Rggb,
    /// `BAYER_PAT_GRBG` (1).
    Grbg,
    /// `BAYER_PAT_GBRG` (2).
    Gbrg,
    /// `BAYER_PAT_BGGR` (3).
    Bggr,
}

impl Bayer {
    /// The pattern of a `k_sensor_bayer_pattern` value; the IR and RCCC families have none.
    pub fn from_code(code: u32) -> Option<Self> {
        Some(match code {
            0 => Self::Rggb,
            1 => Self::Grbg,
            2 => Self::Gbrg,
            3 => Self::Bggr,
            _ => return None,
        })
    }

    /// Where red and blue sit in the cell (index: top-left, top-right, bottom-left,
    /// bottom-right); the other two are green.
    fn red_blue(self) -> (usize, usize) {
        match self {
            Self::Rggb => (0, 3),
            Self::Grbg => (1, 2),
            Self::Gbrg => (2, 1),
            Self::Bggr => (3, 0),
        }
    }
}

/// Demosaics a raw image (`bits` per sample, 8 in one byte, more in little-endian 16-bit
/// words) to packed RGB888: each 2x2 cell's red, blue and mean green colour its four pixels,
/// the cell-level interpolation an ISP's simplest mode does. `None` when `raw` is not
/// `width`×`height` samples or a side is odd.
pub fn demosaic(raw: &[u8], width: u32, height: u32, bits: u32, bayer: Bayer) -> Option<Vec<u8>> {
    let (w, h) = (width as usize, height as usize);
    let wide = bits > 8;
    let bytes = if wide { 2 } else { 1 };
    if raw.len() != w * h * bytes || w % 2 != 0 || h % 2 != 0 || !(8..=16).contains(&bits) {
        return None;
    }
    let sample = |x: usize, y: usize| -> u32 {
        let i = (y * w + x) * bytes;
        let v = if wide {
            u32::from(u16::from_le_bytes([raw[i], raw[i + 1]]))
        } else {
            u32::from(raw[i])
        };
        (v >> (bits - 8)).min(255)
    };
    let (red_at, blue_at) = bayer.red_blue();
    let mut rgb = vec![0u8; w * h * 3];
    for cy in (0..h).step_by(2) {
        for cx in (0..w).step_by(2) {
            let cell = [
                sample(cx, cy),
                sample(cx + 1, cy),
                sample(cx, cy + 1),
                sample(cx + 1, cy + 1),
            ];
            let green: u32 = (0..4)
                .filter(|&i| i != red_at && i != blue_at)
                .map(|i| cell[i])
                .sum::<u32>()
                / 2;
            let px = [cell[red_at] as u8, green as u8, cell[blue_at] as u8];
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let o = ((cy + dy) * w + cx + dx) * 3;
                rgb[o..o + 3].copy_from_slice(&px);
            }
        }
    }
    Some(rgb)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 4x4 NV12 picture whose Y samples are their index and whose chroma pairs differ.
    fn picture() -> (Vec<u8>, Vec<u8>) {
        ((0..16).collect(), (100..108).collect())
    }

    #[test]
    fn mirror_reverses_rows_and_keeps_chroma_pairs() {
        let (mut y, mut uv) = picture();
        mirror_nv12(&mut y, &mut uv, 4, 4, true, false);
        assert_eq!(&y[..4], &[3, 2, 1, 0]);
        assert_eq!(&uv[..4], &[102, 103, 100, 101]);
    }

    #[test]
    fn flip_reverses_row_order() {
        let (mut y, mut uv) = picture();
        mirror_nv12(&mut y, &mut uv, 4, 4, false, true);
        assert_eq!(&y[..4], &[12, 13, 14, 15]);
        assert_eq!(&uv[..4], &[104, 105, 106, 107]);
        let (mut y2, mut uv2) = (y.clone(), uv.clone());
        mirror_nv12(&mut y2, &mut uv2, 4, 4, false, true);
        assert_eq!((y2, uv2), picture());
    }

    #[test]
    fn crop_takes_the_window() {
        let (y, uv) = picture();
        let (mut cy, mut cuv) = (Vec::new(), Vec::new());
        let r = Rect {
            x: 2,
            y: 2,
            w: 2,
            h: 2,
        };
        crop_nv12((&y, &uv), 4, r, (&mut cy, &mut cuv));
        assert_eq!(cy, [10, 11, 14, 15]);
        assert_eq!(cuv, [106, 107]);
    }

    #[test]
    fn grey_converts_to_equal_rgb_and_planes_split() {
        let (y, uv) = (vec![126u8; 4], vec![128u8; 2]);
        let mut packed = Vec::new();
        nv12_to_rgb(&y, &uv, 2, 2, RgbLayout::Packed, &mut packed);
        assert!(packed.iter().all(|&s| s == packed[0]));
        assert_eq!(packed[0], 128); // (126 - 16) * 298 / 256
        let (red_y, red_uv) = (vec![81u8; 4], vec![90u8, 240]);
        let mut planar = Vec::new();
        nv12_to_rgb(&red_y, &red_uv, 2, 2, RgbLayout::Planar, &mut planar);
        assert!(planar[..4].iter().all(|&r| r > 250), "{planar:?}");
        assert!(planar[4..].iter().all(|&s| s < 5), "{planar:?}");
    }

    #[test]
    fn demosaic_colours_each_cell_from_its_filter() {
        // One 2x2 RGGB cell, 10-bit: R 400, G 200 and 600, B 800 (>> 2: 100, 50/150, 200).
        let samples: [u16; 4] = [400, 200, 600, 800];
        let raw: Vec<u8> = samples.iter().flat_map(|v| v.to_le_bytes()).collect();
        let rgb = demosaic(&raw, 2, 2, 10, Bayer::Rggb).unwrap();
        assert_eq!(rgb, [100, 100, 200].repeat(4));
        // The same samples read as BGGR swap red and blue; 8-bit samples are taken as they are.
        let rgb = demosaic(&raw, 2, 2, 10, Bayer::Bggr).unwrap();
        assert_eq!(&rgb[..3], [200, 100, 100]);
        let rgb = demosaic(&[10, 20, 30, 40], 2, 2, 8, Bayer::Grbg).unwrap();
        assert_eq!(&rgb[..3], [20, 25, 30]);
    }

    #[test]
    fn demosaic_refuses_what_is_not_a_whole_raw_picture() {
        assert_eq!(
            demosaic(&[0; 8], 2, 2, 12, Bayer::Rggb).map(|v| v.len()),
            Some(12)
        );
        assert!(demosaic(&[0; 7], 2, 2, 12, Bayer::Rggb).is_none(), "short");
        assert!(
            demosaic(&[0; 6], 3, 2, 8, Bayer::Rggb).is_none(),
            "odd width"
        );
        assert!(demosaic(&[0; 4], 2, 2, 7, Bayer::Rggb).is_none(), "7 bits");
        assert_eq!(Bayer::from_code(0x10), None, "RGB-IR has no RGB cell");
        assert_eq!(Bayer::from_code(2), Some(Bayer::Gbrg));
    }
}
