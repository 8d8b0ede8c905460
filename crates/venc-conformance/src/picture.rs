//! The pictures the encoder should have been given, made by the suite from the definitions and
//! apart from the simulator's code, so a check can catch it: a frame turned by the channel's
//! frame flags, and a frame under the 2D engine's OSD regions.

use venc_harness::oracle::Yuv;

/// `frame` (`w`x`h`) as the channel's frame flags turn it: mirrored in its own orientation,
/// then turned clockwise. Written from the definition, pixel by pixel, apart from the
/// simulator's row-copy implementation (`venc_sim::venc::orient`), so a check can catch it.
pub fn turned(frame: &Yuv, (w, h): (u32, u32), turn: crate::exec::Turn) -> Yuv {
    if turn == crate::exec::Turn::default() {
        return frame.clone();
    }
    let (w, h) = (w as usize, h as usize);
    let plane = |p: &[u8], w: usize, h: usize| {
        let mirrored: Vec<u8> = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .map(|(x, y)| match turn.mirror {
                1 => p[y * w + (w - 1 - x)],
                2 => p[(h - 1 - y) * w + x],
                _ => p[y * w + x],
            })
            .collect();
        let (mut cur, mut cw, mut ch) = (mirrored, w, h);
        for _ in 0..turn.rotation % 4 {
            // One clockwise quarter turn: output (x, y) of the (ch x cw) picture comes from
            // source column y, row ch - 1 - x.
            let mut out = vec![0; cw * ch];
            for y in 0..cw {
                for x in 0..ch {
                    out[y * ch + x] = cur[(ch - 1 - x) * cw + y];
                }
            }
            cur = out;
            std::mem::swap(&mut cw, &mut ch);
        }
        cur
    };
    Yuv {
        y: plane(&frame.y, w, h),
        u: plane(&frame.u, w / 2, h / 2),
        v: plane(&frame.v, w / 2, h / 2),
    }
}

/// An OSD region a case placed (`Osd` step): ARGB8888 in four vertical stripes, red, green,
/// blue and white from the left, every pixel with alpha `alpha`, drawn with `osd_alpha` 255
/// over the video (add order 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OsdPicture {
    /// Left edge (even).
    pub x: u32,
    /// Top edge (even).
    pub y: u32,
    /// Width (a multiple of 8: four stripes of even width).
    pub width: u32,
    /// Height (even).
    pub height: u32,
    /// Alpha of every pixel.
    pub alpha: u8,
}

/// The stripes' colours, left to right, as (R, G, B).
const STRIPES: [[u8; 3]; 4] = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];

impl OsdPicture {
    /// The stripe colour of column `x` of the region.
    fn rgb(&self, x: u32) -> [u8; 3] {
        STRIPES[(x * 4 / self.width) as usize]
    }

    /// The region's pixels as the 2D engine reads them: ARGB8888, `0xRRGGBBAA` little-endian
    /// words (A, B, G, R in memory, as the SDK's own OSD picture), row by row.
    pub fn argb8888(&self) -> Vec<u8> {
        (0..self.height)
            .flat_map(|_| 0..self.width)
            .flat_map(|x| {
                let [r, g, b] = self.rgb(x);
                [self.alpha, b, g, r]
            })
            .collect()
    }
}

/// Limited-range BT.709 Y, Cb, Cr of an RGB colour, from the standard's equations (ITU-R
/// BT.709-6 §3: Kr 0.2126, Kb 0.0722; 219 and 224 levels), in floating point.
fn bt709(rgb: [u8; 3]) -> [f64; 3] {
    let [r, g, b] = rgb.map(|c| f64::from(c) / 255.0);
    let luma = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    [
        16.0 + 219.0 * luma,
        128.0 + 224.0 * (b - luma) / 1.8556,
        128.0 + 224.0 * (r - luma) / 1.5748,
    ]
}

/// `frame` (`w` wide, planar 4:2:0) with `regions` drawn over it in order: each sample is the
/// OSD colour over the video at the pixel's alpha (`a·osd + (255 − a)·video) / 255`).
pub fn with_osd(mut frame: Yuv, w: u32, regions: &[OsdPicture]) -> Yuv {
    let h = frame.y.len() as u32 / w.max(1);
    for r in regions {
        let a = f64::from(r.alpha) / 255.0;
        let over = |video: u8, osd: f64| (a * osd + (1.0 - a) * f64::from(video)).round() as u8;
        for y in r.y..(r.y + r.height).min(h) {
            for x in r.x..(r.x + r.width).min(w) {
                let [yy, cb, cr] = bt709(r.rgb(x - r.x));
                let i = (y * w + x) as usize;
                frame.y[i] = over(frame.y[i], yy);
                if x % 2 == 0 && y % 2 == 0 {
                    let c = ((y / 2) * (w / 2) + x / 2) as usize;
                    frame.u[c] = over(frame.u[c], cb);
                    frame.v[c] = over(frame.v[c], cr);
                }
            }
        }
    }
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turned_pictures_follow_the_definition() {
        use crate::exec::Turn;
        // A 4x2 luma with 2x1 chroma: rows "a b c d" / "e f g h".
        let frame = Yuv {
            y: vec![1, 2, 3, 4, 5, 6, 7, 8],
            u: vec![10, 20],
            v: vec![30, 40],
        };
        let turn = |rotation, mirror| turned(&frame, (4, 2), Turn { rotation, mirror });
        let quarter = turn(1, 0);
        // Clockwise: the left column read bottom-up becomes the top row.
        assert_eq!(quarter.y, vec![5, 1, 6, 2, 7, 3, 8, 4]);
        assert_eq!(quarter.u, vec![10, 20]);
        let mirrored = turn(0, 1);
        assert_eq!(mirrored.y, vec![4, 3, 2, 1, 8, 7, 6, 5]);
        assert_eq!(mirrored.v, vec![40, 30]);
        // The mirror comes first: flipped vertically, then half a turn, is a horizontal flip.
        assert_eq!(turn(2, 2).y, mirrored.y);
        assert_eq!(turned(&frame, (4, 2), Turn::default()), frame);
    }

    #[test]
    fn osd_stripes_are_bt709_colours_over_the_video() {
        let grey = |n: usize| vec![128u8; n];
        let frame = Yuv {
            y: grey(16 * 4),
            u: grey(8 * 2),
            v: grey(8 * 2),
        };
        let region = OsdPicture {
            x: 8,
            y: 2,
            width: 8,
            height: 2,
            alpha: 255,
        };
        let out = with_osd(frame.clone(), 16, &[region]);
        // Red (BT.709 limited: Y 63, Cb 102, Cr 240) on row 2, columns 8-9; grey elsewhere.
        assert_eq!(&out.y[2 * 16 + 6..2 * 16 + 10], &[128, 128, 63, 63]);
        assert_eq!((out.u[8 + 4], out.v[8 + 4]), (102, 240));
        // White and half alpha.
        assert_eq!(out.y[2 * 16 + 15], 235);
        let half = with_osd(
            frame,
            16,
            &[OsdPicture {
                alpha: 128,
                ..region
            }],
        );
        assert_eq!(half.y[2 * 16 + 15], 182);
        // The words the engine reads: 0xRRGGBBAA, so A, B, G, R in memory.
        assert_eq!(&region.argb8888()[..4], &[255, 0, 0, 255]);
        assert_eq!(region.argb8888().len(), 8 * 2 * 4);
    }
}
