//! RGB and YUV: BT.601, limited range, the one conversion every picture here goes through (the
//! sensor's frames, still images, the display's screen and its write-back).

/// Y, U, V of an RGB pixel.
#[inline]
pub fn rgb_to_yuv(r: u8, g: u8, b: u8) -> (u8, u8, u8) {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    let y = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16;
    let u = ((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128;
    let v = ((112 * r - 94 * g - 18 * b + 128) >> 8) + 128;
    (
        y.clamp(0, 255) as u8,
        u.clamp(0, 255) as u8,
        v.clamp(0, 255) as u8,
    )
}

/// R, G, B of a YUV sample.
#[inline]
pub fn yuv_to_rgb(y: u8, u: u8, v: u8) -> [u8; 3] {
    let luma = 298 * (i32::from(y) - 16);
    let (u, v) = (i32::from(u) - 128, i32::from(v) - 128);
    [
        (luma + 409 * v + 128) >> 8,
        (luma - 100 * u - 208 * v + 128) >> 8,
        (luma + 516 * u + 128) >> 8,
    ]
    .map(|s| s.clamp(0, 255) as u8)
}

/// Packed RGB to NV12 (`y`, then `uv` interleaved), each 2x2 block's chroma from its mean
/// colour (the conversion is linear, so that is the mean of the four pixels' chroma up to
/// rounding); an odd last row or column makes its block of the pixels it has.
pub fn rgb_to_nv12(rgb: &[u8], width: u32, height: u32, y: &mut [u8], uv: &mut [u8]) {
    let (w, h) = (width as usize, height as usize);
    for (out, px) in y[..w * h].iter_mut().zip(rgb.chunks_exact(3)) {
        *out = rgb_to_yuv(px[0], px[1], px[2]).0;
    }
    for row in (0..h).step_by(2) {
        let rows = if row + 1 < h { 2 } else { 1 };
        for col in (0..w).step_by(2) {
            let cols = if col + 1 < w { 2 } else { 1 };
            let (mut sr, mut sg, mut sb) = (0u32, 0u32, 0u32);
            for dr in 0..rows {
                let at = ((row + dr) * w + col) * 3;
                for p in rgb[at..at + cols * 3].chunks_exact(3) {
                    sr += u32::from(p[0]);
                    sg += u32::from(p[1]);
                    sb += u32::from(p[2]);
                }
            }
            let n = (rows * cols) as u32;
            let (_, u, v) = rgb_to_yuv((sr / n) as u8, (sg / n) as u8, (sb / n) as u8);
            let at = (row / 2) * w + col;
            uv[at] = u;
            if at + 1 < uv.len() {
                uv[at + 1] = v;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_round_trip_within_the_limited_range_rounding() {
        for rgb in [
            [0u8, 0, 0],
            [255, 255, 255],
            [200, 30, 30],
            [20, 60, 220],
            [0, 200, 80],
        ] {
            let (y, u, v) = rgb_to_yuv(rgb[0], rgb[1], rgb[2]);
            let back = yuv_to_rgb(y, u, v);
            let worst = rgb
                .iter()
                .zip(back)
                .map(|(a, b)| a.abs_diff(b))
                .max()
                .unwrap_or(0);
            assert!(worst <= 3, "{rgb:?} -> {back:?}");
        }
        assert_eq!(rgb_to_yuv(0, 0, 0), (16, 128, 128));
        assert_eq!(rgb_to_yuv(255, 255, 255).0, 235);
    }

    #[test]
    fn odd_sizes_convert_without_reading_past_the_picture() {
        let rgb = [255u8, 0, 0].repeat(3 * 3);
        let (mut y, mut uv) = (vec![0u8; 9], vec![0u8; 2 * 2 * 2]);
        rgb_to_nv12(&rgb, 3, 3, &mut y, &mut uv);
        assert!(y.iter().all(|&v| v == y[0]));
        let (_, u, v) = rgb_to_yuv(255, 0, 0);
        assert_eq!((uv[0], uv[1]), (u, v));
        assert_eq!(uv[2], u, "the odd column's block is red too");
    }
}
