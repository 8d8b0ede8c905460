//! The `draw_*` methods: OpenMV imlib's geometry (a square brush of `thickness` centred on
//! the path, clipped to the image), storing the colour's raw value with no blending, as the
//! firmware's pixel writers do. Drawing on a format without a writer does nothing.

use crate::pixel::{Canvas, decode, encode};

impl Canvas<'_> {
    fn drawable(&self) -> bool {
        self.format().drawable()
    }

    /// A `thickness` square around (`x`, `y`): imlib's `point_fill(-(t/2), (t-1)/2)`.
    fn brush(&mut self, x: i32, y: i32, thickness: u32, v: u32) {
        let t = thickness.max(1) as i32;
        let (lo, hi) = (-(t / 2), (t - 1) / 2);
        for dy in lo..=hi {
            for dx in lo..=hi {
                self.put(x + dx, y + dy, v);
            }
        }
    }

    /// `fill_rect`: every pixel of the rectangle inside the image.
    pub fn fill_rect(&mut self, x: i32, y: i32, w: i32, h: i32, v: u32) {
        if !self.drawable() {
            return;
        }
        let (x0, y0) = (x.max(0), y.max(0));
        let x1 = x.saturating_add(w).min(self.width() as i32);
        let y1 = y.saturating_add(h).min(self.height() as i32);
        for yy in y0..y1 {
            for xx in x0..x1 {
                self.put(xx, yy, v);
            }
        }
    }

    /// `draw_line(x0, y0, x1, y1, color, thickness)` (Bresenham).
    pub fn line(&mut self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), v: u32, thickness: u32) {
        if !self.drawable() || thickness == 0 {
            return;
        }
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let (mut x, mut y, mut err) = (x0, y0, dx + dy);
        // Bounded: each step moves x or y towards its end.
        for _ in 0..=(dx - dy) {
            self.brush(x, y, thickness, v);
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    /// `draw_rectangle(x, y, w, h, color, thickness, fill)`.
    #[allow(clippy::too_many_arguments)]
    pub fn rectangle(
        &mut self,
        x: i32,
        y: i32,
        w: i32,
        h: i32,
        v: u32,
        thickness: u32,
        fill: bool,
    ) {
        if w <= 0 || h <= 0 {
            return;
        }
        if fill {
            return self.fill_rect(x, y, w, h, v);
        }
        let (r, b) = (x + w - 1, y + h - 1);
        self.line((x, y), (r, y), v, thickness);
        self.line((x, b), (r, b), v, thickness);
        self.line((x, y), (x, b), v, thickness);
        self.line((r, y), (r, b), v, thickness);
    }

    /// `draw_circle(cx, cy, r, color, thickness, fill)`: the ring `thickness` wide around
    /// radius `r`, or the disc.
    pub fn circle(&mut self, cx: i32, cy: i32, r: i32, v: u32, thickness: u32, fill: bool) {
        if !self.drawable() || r < 0 || (thickness == 0 && !fill) {
            return;
        }
        let t = thickness.max(1) as f64;
        let r = f64::from(r);
        let (inner, outer) = if fill {
            (-1.0, r + 0.5)
        } else {
            (
                r - (t / 2.0).floor() - 0.5,
                r + ((t - 1.0) / 2.0).floor() + 0.5,
            )
        };
        let reach = outer.ceil() as i32;
        for dy in -reach..=reach {
            for dx in -reach..=reach {
                let d = f64::from(dx * dx + dy * dy).sqrt();
                if d >= inner && d < outer {
                    self.put(cx + dx, cy + dy, v);
                }
            }
        }
    }

    /// `draw_cross(x, y, color, size, thickness)`.
    pub fn cross(&mut self, x: i32, y: i32, v: u32, size: i32, thickness: u32) {
        self.line((x - size, y), (x + size, y), v, thickness);
        self.line((x, y - size), (x, y + size), v, thickness);
    }

    /// `draw_arrow(x0, y0, x1, y1, color, size, thickness)`: the shaft and a head of two
    /// strokes `size` long at the end.
    pub fn arrow(&mut self, from: (i32, i32), to: (i32, i32), v: u32, size: i32, thickness: u32) {
        self.line(from, to, v, thickness);
        let (dx, dy) = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
        let len = (dx * dx + dy * dy).sqrt();
        if len == 0.0 {
            return;
        }
        let (ux, uy) = (dx / len, dy / len);
        let s = f64::from(size);
        for side in [0.5, -0.5] {
            let hx = f64::from(to.0) - s * ux - s * uy * side;
            let hy = f64::from(to.1) - s * uy + s * ux * side;
            self.line(to, (hx.round() as i32, hy.round() as i32), v, thickness);
        }
    }

    /// `draw_image(src, x, y, x_scale, y_scale, alpha)`: `src` scaled (nearest pixel) and
    /// blended over this image: `alpha` 0..=256 times the source's own alpha.
    pub fn blit(&mut self, src: &Canvas<'_>, x: i32, y: i32, scale: (f64, f64), alpha: u32) {
        if !self.drawable() || scale.0 <= 0.0 || scale.1 <= 0.0 {
            return;
        }
        let out_w = (f64::from(src.width()) * scale.0).round() as i32;
        let out_h = (f64::from(src.height()) * scale.1).round() as i32;
        let alpha = alpha.min(256);
        let fmt = self.format();
        for oy in 0..out_h {
            let ty = y + oy;
            if ty < 0 || ty >= self.height() as i32 {
                continue;
            }
            let sy = ((f64::from(oy) / scale.1) as u32).min(src.height() - 1);
            for ox in 0..out_w {
                let tx = x + ox;
                if tx < 0 || tx >= self.width() as i32 {
                    continue;
                }
                let sx = ((f64::from(ox) / scale.0) as u32).min(src.width() - 1);
                let s = src.argb(sx, sy);
                let a = u32::from(s[0]) * alpha; // 0..=255*256
                if a == 255 * 256 {
                    self.put(tx, ty, encode(fmt, s));
                    continue;
                }
                if a == 0 {
                    continue;
                }
                let d = decode(fmt, self.get(tx as u32, ty as u32));
                let mix = |s: u8, d: u8| {
                    ((u32::from(s) * a + u32::from(d) * (255 * 256 - a)) / (255 * 256)) as u8
                };
                let out_a = (a / 256 + u32::from(d[0]) * (255 * 256 - a) / (255 * 256)) as u8;
                let px = [out_a, mix(s[1], d[1]), mix(s[2], d[2]), mix(s[3], d[3])];
                self.put(tx, ty, encode(fmt, px));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Canvas, Color, PixFormat};

    fn gray(w: u32, h: u32) -> Vec<u8> {
        vec![0; (w * h) as usize]
    }

    fn lit(data: &[u8], w: usize) -> Vec<(usize, usize)> {
        let mut v: Vec<_> = (0..data.len())
            .filter(|&i| data[i] != 0)
            .map(|i| (i % w, i / w))
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_thin_line_visits_each_column_once_and_hits_both_ends() {
        let mut data = gray(10, 10);
        let mut c = Canvas::new(10, 10, PixFormat::Grayscale, &mut data).expect("raw");
        c.line((1, 2), (8, 5), 0xff, 1);
        let px = lit(&data, 10);
        assert_eq!(px.len(), 8);
        assert_eq!(px.first(), Some(&(1, 2)));
        assert_eq!(px.last(), Some(&(8, 5)));
    }

    #[test]
    fn rectangles_outline_or_fill_and_clip() {
        let mut data = gray(8, 8);
        let mut c = Canvas::new(8, 8, PixFormat::Grayscale, &mut data).expect("raw");
        c.rectangle(1, 1, 4, 3, 9, 1, false);
        assert_eq!(lit(&data, 8).len(), 2 * 4 + 2 * 3 - 4);
        let mut c = Canvas::new(8, 8, PixFormat::Grayscale, &mut data).expect("raw");
        c.rectangle(6, 6, 5, 5, 9, 1, true);
        assert_eq!(data.iter().filter(|&&b| b != 0).count(), 10 + 4);
    }

    #[test]
    fn a_filled_circle_has_about_pi_r_squared_pixels() {
        let mut data = gray(64, 64);
        let mut c = Canvas::new(64, 64, PixFormat::Grayscale, &mut data).expect("raw");
        c.circle(32, 32, 20, 1, 1, true);
        let n = data.iter().filter(|&&b| b != 0).count() as f64;
        let area = std::f64::consts::PI * 400.0;
        assert!((n - area).abs() / area < 0.05, "{n} vs {area}");
        let mut ring = gray(64, 64);
        let mut c = Canvas::new(64, 64, PixFormat::Grayscale, &mut ring).expect("raw");
        c.circle(32, 32, 20, 1, 1, false);
        assert_eq!(ring[32 * 64 + 32], 0, "the ring's centre is empty");
        assert_eq!(ring[32 * 64 + 52], 1, "(cx + r, cy) is on it");
    }

    #[test]
    fn drawing_on_a_format_without_a_writer_does_nothing() {
        let mut data = vec![0u8; PixFormat::Bgra8888.raw_size(4, 4)];
        let mut c = Canvas::new(4, 4, PixFormat::Bgra8888, &mut data).expect("raw");
        c.rectangle(0, 0, 4, 4, 0xffff_ffff, 1, true);
        assert!(data.iter().all(|&b| b == 0));
    }

    #[test]
    fn blit_blends_by_source_alpha_and_scales() {
        let mut src = vec![0u8; PixFormat::Argb8888.raw_size(2, 1)];
        let mut s = Canvas::new(2, 1, PixFormat::Argb8888, &mut src).expect("raw");
        s.put(
            0,
            0,
            Color::Argb([255, 255, 0, 0]).value(PixFormat::Argb8888),
        );
        s.put(1, 0, Color::Argb([0, 0, 255, 0]).value(PixFormat::Argb8888));
        let mut dst = vec![0u8; PixFormat::Rgb888.raw_size(4, 2)];
        let mut d = Canvas::new(4, 2, PixFormat::Rgb888, &mut dst).expect("raw");
        d.fill_rect(0, 0, 4, 2, 0x0000ff);
        d.blit(&s, 0, 0, (2.0, 2.0), 256);
        assert_eq!(d.argb(1, 1), [255, 255, 0, 0], "opaque red, scaled 2x");
        assert_eq!(
            d.argb(3, 1),
            [255, 0, 0, 255],
            "transparent: the blue stays"
        );
    }
}
