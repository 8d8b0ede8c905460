//! The VO's mixer: layers drawn over a black screen, video layers (NV12) first, then the OSD
//! layers, a higher layer id on top (display facts §3.3 [INF]); an OSD pixel's own alpha times
//! the layer's global alpha blends it over what is below. The screen is RGB; write-back turns
//! it into NV12 (BT.601, limited range: what the encoder and the sensor's frames use).

/// How a layer's bytes are laid out in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LayerFormat {
    /// NV12: the Y plane, then interleaved U, V (`PIXEL_FORMAT_YUV_SEMIPLANAR_420`).
    Nv12,
    /// Bytes A, R, G, B (what `image.ARGB8888` holds).
    Argb8888,
    /// Bytes B, G, R, A (`image.BGRA8888`).
    Bgra8888,
    /// Bytes A, B, G, R.
    Abgr8888,
    /// Bytes R, G, B.
    Rgb888,
    /// Bytes B, G, R.
    Bgr888,
    /// 16-bit `RRRRRGGG GGGBBBBB` words, little-endian.
    Rgb565Le,
    /// 16-bit `BBBBBGGG GGGRRRRR` words, little-endian.
    Bgr565Le,
    /// One grey level per pixel.
    Mono8,
}

impl LayerFormat {
    /// Bytes of a `w`×`h` layer.
    pub const fn size(self, w: u32, h: u32) -> usize {
        let area = w as usize * h as usize;
        match self {
            Self::Nv12 => area * 3 / 2,
            Self::Mono8 => area,
            Self::Rgb565Le | Self::Bgr565Le => area * 2,
            Self::Rgb888 | Self::Bgr888 => area * 3,
            Self::Argb8888 | Self::Bgra8888 | Self::Abgr8888 => area * 4,
        }
    }

    /// Whether a video layer (not an OSD layer) takes it.
    pub const fn is_video(self) -> bool {
        matches!(self, Self::Nv12)
    }

    /// (A, R, G, B) of pixel `i` of an OSD layer.
    #[inline]
    fn argb(self, p: &[u8], i: usize) -> [u8; 4] {
        let word = |i: usize| u16::from_le_bytes([p[2 * i], p[2 * i + 1]]);
        let five = |v: u16| ((v << 3) | (v >> 2)) as u8;
        let six = |v: u16| ((v << 2) | (v >> 4)) as u8;
        match self {
            Self::Argb8888 => [p[4 * i], p[4 * i + 1], p[4 * i + 2], p[4 * i + 3]],
            Self::Bgra8888 => [p[4 * i + 3], p[4 * i + 2], p[4 * i + 1], p[4 * i]],
            Self::Abgr8888 => [p[4 * i], p[4 * i + 3], p[4 * i + 2], p[4 * i + 1]],
            Self::Rgb888 => [255, p[3 * i], p[3 * i + 1], p[3 * i + 2]],
            Self::Bgr888 => [255, p[3 * i + 2], p[3 * i + 1], p[3 * i]],
            Self::Rgb565Le => {
                let v = word(i);
                [255, five(v >> 11), six((v >> 5) & 0x3f), five(v & 0x1f)]
            }
            Self::Bgr565Le => {
                let v = word(i);
                [255, five(v & 0x1f), six((v >> 5) & 0x3f), five(v >> 11)]
            }
            Self::Mono8 => [255, p[i], p[i], p[i]],
            Self::Nv12 => [255, 0, 0, 0],
        }
    }
}

/// A `w`x`h` picture of `format` turned `turns` quarter turns clockwise (its size becomes
/// `h`x`w` for odd turns): the layer rotation of the 2024/2025 display (GDMA for OSD pictures,
/// the video layer's own for a bound camera).
pub fn turn(pixels: &[u8], (w, h): (u32, u32), format: LayerFormat, turns: u8) -> Vec<u8> {
    let turn = crate::venc::orient::Orientation {
        rotation: turns % 4,
        mirror: 0,
    };
    let (w, h) = (w as usize, h as usize);
    let mut out = vec![0u8; pixels.len()];
    if format == LayerFormat::Nv12 {
        let (y, uv) = pixels.split_at(w * h);
        let (oy, ouv) = out.split_at_mut(w * h);
        turn.apply_plane(y, (w, h), oy);
        // U and V apart, each turned as a plane, then interleaved again.
        let (cw, ch) = (w / 2, h / 2);
        let (u, v): (Vec<u8>, Vec<u8>) = uv[..cw * ch * 2]
            .chunks_exact(2)
            .map(|p| (p[0], p[1]))
            .unzip();
        let (mut tu, mut tv) = (vec![0u8; cw * ch], vec![0u8; cw * ch]);
        turn.apply_plane(&u, (cw, ch), &mut tu);
        turn.apply_plane(&v, (cw, ch), &mut tv);
        for (pair, (a, b)) in ouv.chunks_exact_mut(2).zip(tu.into_iter().zip(tv)) {
            pair.copy_from_slice(&[a, b]);
        }
        return out;
    }
    let bpp = format.size(1, 1);
    let (ow, oh) = turn.size(w as u32, h as u32);
    let (ow, oh) = (ow as usize, oh as usize);
    for y in 0..h {
        for x in 0..w {
            let (tx, ty) = match turns % 4 {
                0 => (x, y),
                1 => (h - 1 - y, x),
                2 => (w - 1 - x, h - 1 - y),
                _ => (y, w - 1 - x),
            };
            debug_assert!(tx < ow && ty < oh);
            let (s, d) = ((y * w + x) * bpp, (ty * ow + tx) * bpp);
            out[d..d + bpp].copy_from_slice(&pixels[s..s + bpp]);
        }
    }
    out
}

/// A layer's place and pixels, as the mixer reads them.
#[derive(Debug, Clone, Copy)]
pub struct LayerView<'a> {
    /// Position on the screen.
    pub x: u32,
    /// Position on the screen.
    pub y: u32,
    /// Size of the picture.
    pub w: u32,
    /// Size of the picture.
    pub h: u32,
    /// Its layout.
    pub format: LayerFormat,
    /// The layer's global alpha (255: as the pixels say).
    pub alpha: u8,
    /// `format.size(w, h)` bytes.
    pub pixels: &'a [u8],
}

// The one BT.601 conversion, re-exported where the display's callers look for it.
pub use venc_frames::color::{rgb_to_nv12, rgb_to_yuv, yuv_to_rgb};

/// The screen of `width`×`height` with `layers` drawn in order (the caller sorts them), as
/// packed RGB into `out`. Parts of a layer past the screen's edge are not drawn.
pub fn compose(width: u32, height: u32, layers: &[LayerView<'_>], out: &mut Vec<u8>) {
    let (sw, sh) = (width as usize, height as usize);
    out.clear();
    out.resize(sw * sh * 3, 0);
    for l in layers {
        let (lw, lh) = (l.w as usize, l.h as usize);
        if l.pixels.len() < l.format.size(l.w, l.h) {
            continue;
        }
        let cols = lw.min(sw.saturating_sub(l.x as usize));
        let rows = lh.min(sh.saturating_sub(l.y as usize));
        for row in 0..rows {
            let line = &mut out[((l.y as usize + row) * sw + l.x as usize) * 3..];
            let line = &mut line[..cols * 3];
            if l.format == LayerFormat::Nv12 {
                let (y, uv) = l.pixels.split_at(lw * lh);
                let y_row = &y[row * lw..row * lw + cols];
                let uv_row = &uv[(row / 2) * lw..];
                let a = u32::from(l.alpha) * 255;
                // Two pixels share a chroma sample: its terms are worked out once per pair
                // (`yuv_to_rgb`'s formula, unrolled).
                let pairs = line
                    .chunks_mut(6)
                    .zip(y_row.chunks(2))
                    .zip(uv_row.chunks_exact(2));
                for ((dst, lumas), c) in pairs {
                    let (u, v) = (i32::from(c[0]) - 128, i32::from(c[1]) - 128);
                    let (rv, guv, bu) = (409 * v + 128, -100 * u - 208 * v + 128, 516 * u + 128);
                    for (d, &luma) in dst.chunks_exact_mut(3).zip(lumas) {
                        let l = 298 * (i32::from(luma) - 16);
                        let rgb = [l + rv, l + guv, l + bu].map(|s| (s >> 8).clamp(0, 255) as u8);
                        if a == 255 * 255 {
                            d.copy_from_slice(&rgb);
                        } else {
                            blend(d, rgb, a);
                        }
                    }
                }
            } else {
                let global = u32::from(l.alpha);
                for (col, dst) in line.chunks_exact_mut(3).enumerate() {
                    let [a, r, g, b] = l.format.argb(l.pixels, row * lw + col);
                    blend(dst, [r, g, b], u32::from(a) * global);
                }
            }
        }
    }
}

/// `src` over `dst` at `a` in 0..=255·255.
#[inline]
fn blend(dst: &mut [u8], src: [u8; 3], a: u32) {
    const FULL: u32 = 255 * 255;
    if a >= FULL {
        dst.copy_from_slice(&src);
    } else if a > 0 {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = ((u32::from(s) * a + u32::from(*d) * (FULL - a) + FULL / 2) / FULL) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(
        format: LayerFormat,
        (x, y, w, h): (u32, u32, u32, u32),
        alpha: u8,
        pixels: &[u8],
    ) -> LayerView<'_> {
        LayerView {
            x,
            y,
            w,
            h,
            format,
            alpha,
            pixels,
        }
    }

    #[test]
    fn osd_over_video_with_pixel_and_global_alpha() {
        // Video: 4x2 mid grey. OSD: opaque red, transparent, half-opaque blue, and the layer
        // at global alpha 255 then 0.
        let mut nv12 = vec![126u8; 8];
        nv12.extend([128u8; 4]);
        let osd = [255, 255, 0, 0, 0, 0, 255, 0, 128, 0, 0, 255];
        let layers = [
            view(LayerFormat::Nv12, (0, 0, 4, 2), 255, &nv12),
            view(LayerFormat::Argb8888, (1, 1, 3, 1), 255, &osd),
        ];
        let mut out = Vec::new();
        compose(4, 2, &layers, &mut out);
        let px = |out: &[u8], x: usize, y: usize| {
            let at = (y * 4 + x) * 3;
            [out[at], out[at + 1], out[at + 2]]
        };
        assert_eq!(px(&out, 0, 0), [128, 128, 128]);
        assert_eq!(px(&out, 1, 1), [255, 0, 0], "opaque OSD pixel");
        assert_eq!(px(&out, 2, 1), [128, 128, 128], "alpha 0 shows the video");
        let [r, g, b] = px(&out, 3, 1);
        assert!(
            r.abs_diff(64) <= 1 && g.abs_diff(64) <= 1 && b.abs_diff(191) <= 1,
            "{r} {g} {b}"
        );
        let hidden = [
            layers[0],
            LayerView {
                alpha: 0,
                ..layers[1]
            },
        ];
        compose(4, 2, &hidden, &mut out);
        assert_eq!(
            px(&out, 1, 1),
            [128, 128, 128],
            "global alpha 0 hides the layer"
        );
    }

    #[test]
    fn a_layer_past_the_edge_is_clipped_and_formats_decode() {
        let layers = [
            view(
                LayerFormat::Rgb565Le,
                (1, 0, 2, 1),
                255,
                &[0x00, 0xf8, 0x1f, 0x00],
            ),
            view(
                LayerFormat::Bgr888,
                (0, 1, 2, 1),
                255,
                &[255, 0, 0, 0, 255, 0],
            ),
        ];
        let mut out = Vec::new();
        compose(2, 2, &layers, &mut out);
        assert_eq!(&out[..6], &[0, 0, 0, 255, 0, 0], "red at x=1, blue cut off");
        assert_eq!(&out[6..], &[0, 0, 255, 0, 255, 0], "BGR bytes");
    }

    #[test]
    fn a_quarter_turn_is_clockwise_in_every_layout() {
        // 2x1 ARGB: red then blue; turned once it is 1x2, red on top (clockwise).
        let argb = [255, 255, 0, 0, 255, 0, 0, 255];
        assert_eq!(turn(&argb, (2, 1), LayerFormat::Argb8888, 1), argb);
        let turned = turn(&[1, 2, 3, 4, 5, 6], (3, 2), LayerFormat::Mono8, 1);
        assert_eq!(turned, [4, 1, 5, 2, 6, 3], "1 2 3 / 4 5 6 turned clockwise");
        // NV12 4x2: Y turned as a plane, the two chroma pairs keep U before V.
        let nv12 = [1, 2, 3, 4, 5, 6, 7, 8, 10, 20, 30, 40];
        let t = turn(&nv12, (4, 2), LayerFormat::Nv12, 1);
        assert_eq!(&t[..8], &[5, 1, 6, 2, 7, 3, 8, 4]);
        assert_eq!(&t[8..], &[10, 20, 30, 40]);
        assert_eq!(
            turn(&t, (2, 4), LayerFormat::Nv12, 3),
            nv12,
            "three more turns undo it"
        );
    }

    #[test]
    fn nv12_round_trip_stays_close() {
        let rgb: Vec<u8> = (0..16 * 16)
            .flat_map(|i| [(i % 16 * 16) as u8, 100, (i / 16 * 16) as u8])
            .collect();
        let (mut y, mut uv) = (vec![0; 256], vec![0; 128]);
        rgb_to_nv12(&rgb, 16, 16, &mut y, &mut uv);
        let nv12: Vec<u8> = y.iter().chain(&uv).copied().collect();
        let mut back = Vec::new();
        compose(
            16,
            16,
            &[view(LayerFormat::Nv12, (0, 0, 16, 16), 255, &nv12)],
            &mut back,
        );
        let worst = rgb
            .iter()
            .zip(&back)
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap_or(0);
        assert!(worst <= 24, "worst {worst}");
    }
}
