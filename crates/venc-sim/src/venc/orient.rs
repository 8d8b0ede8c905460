//! The input frame flags `kd_mpi_venc_set_rotation` / `set_mirror` put on every later frame
//! (k230-mpp-c-api.md §4: Arm's `MVX_BUFFER_FRAME_FLAG_ROTATION_*` and `MIRROR_*`), applied
//! to the planar picture before the codec sees it: the mirror in the frame's own orientation,
//! then the rotation clockwise (D-052).

/// `k_venc_rotation` (0: none, 1: 90°, 2: 180°, 3: 270°) and `k_venc_mirror` (0: none, 1:
/// horizontal, 2: vertical).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[doc(alias = "k_venc_rotation")]
#[doc(alias = "k_venc_mirror")]
pub struct Orientation {
    /// Quarter turns clockwise, 0..=3.
    pub rotation: u8,
    /// 0 none, 1 horizontal, 2 vertical.
    pub mirror: u8,
}

impl Orientation {
    /// Whether the picture keeps its size and pixels.
    pub fn is_identity(self) -> bool {
        self.rotation == 0 && self.mirror == 0
    }

    /// The coded size of a `w`x`h` frame.
    pub fn size(self, w: u32, h: u32) -> (u32, u32) {
        if self.rotation % 2 == 1 {
            (h, w)
        } else {
            (w, h)
        }
    }

    /// Where the output pixel `(x, y)` of a `w`x`h` output comes from in the source, whose
    /// size is `self.size(w, h)` turned back.
    fn source_of(self, x: usize, y: usize, (ow, oh): (usize, usize)) -> (usize, usize) {
        // Undo the clockwise rotation: output (x, y) of a picture turned k quarter turns.
        let (sw, sh) = if self.rotation % 2 == 1 {
            (oh, ow)
        } else {
            (ow, oh)
        };
        let (mut sx, mut sy) = match self.rotation & 3 {
            0 => (x, y),
            1 => (y, sh - 1 - x),
            2 => (sw - 1 - x, sh - 1 - y),
            _ => (sw - 1 - y, x),
        };
        match self.mirror {
            1 => sx = sw - 1 - sx,
            2 => sy = sh - 1 - sy,
            _ => {}
        }
        (sx, sy)
    }

    /// Writes plane `src` (`w`x`h`) turned into `dst` (the turned size).
    ///
    /// Along an output row the source moves by a constant step (±1 or ±`w`), so each row is a
    /// slice copy (forwards or reversed) or one strided walk, not a per-pixel mapping.
    pub fn apply_plane(self, src: &[u8], (w, h): (usize, usize), dst: &mut [u8]) {
        let (ow, oh) = if self.rotation % 2 == 1 {
            (h, w)
        } else {
            (w, h)
        };
        let index = |(sx, sy): (usize, usize)| (sy * w + sx) as isize;
        for (y, row) in dst.chunks_exact_mut(ow).take(oh).enumerate() {
            let start = index(self.source_of(0, y, (ow, oh)));
            let step = if ow > 1 {
                index(self.source_of(1, y, (ow, oh))) - start
            } else {
                1
            };
            let start = start as usize;
            match step {
                1 => row.copy_from_slice(&src[start..start + ow]),
                -1 => {
                    let from = &src[start + 1 - ow..=start];
                    for (d, s) in row.iter_mut().zip(from.iter().rev()) {
                        *d = *s;
                    }
                }
                _ => {
                    let mut i = start as isize;
                    for d in row.iter_mut() {
                        *d = src[i as usize];
                        i += step;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Orientation;

    /// A 3x2 plane: 1 2 3 / 4 5 6.
    const SRC: [u8; 6] = [1, 2, 3, 4, 5, 6];

    fn turned(rotation: u8, mirror: u8) -> Vec<u8> {
        let mut out = vec![0; 6];
        Orientation { rotation, mirror }.apply_plane(&SRC, (3, 2), &mut out);
        out
    }

    #[test]
    fn row_copies_give_what_the_per_pixel_mapping_gives() {
        let (w, h) = (7usize, 5usize);
        let src: Vec<u8> = (0..w * h).map(|i| i as u8).collect();
        for rotation in 0..4 {
            for mirror in 0..3 {
                let o = Orientation { rotation, mirror };
                let (ow, oh) = o.size(w as u32, h as u32);
                let mut fast = vec![0; w * h];
                o.apply_plane(&src, (w, h), &mut fast);
                let (ow, oh) = (ow as usize, oh as usize);
                let slow: Vec<u8> = (0..oh)
                    .flat_map(|y| (0..ow).map(move |x| (x, y)))
                    .map(|(x, y)| {
                        let (sx, sy) = o.source_of(x, y, (ow, oh));
                        src[sy * w + sx]
                    })
                    .collect();
                assert_eq!(fast, slow, "rotation {rotation} mirror {mirror}");
            }
        }
    }

    #[test]
    fn quarter_turns_are_clockwise_and_mirrors_come_first() {
        assert_eq!(turned(0, 0), SRC);
        // 90° clockwise: the left column, bottom up, becomes the top row.
        assert_eq!(turned(1, 0), [4, 1, 5, 2, 6, 3]);
        assert_eq!(turned(2, 0), [6, 5, 4, 3, 2, 1]);
        assert_eq!(turned(3, 0), [3, 6, 2, 5, 1, 4]);
        assert_eq!(turned(0, 1), [3, 2, 1, 6, 5, 4]);
        assert_eq!(turned(0, 2), [4, 5, 6, 1, 2, 3]);
        // Mirrored horizontally (3 2 1 / 6 5 4), then turned 90° clockwise.
        assert_eq!(turned(1, 1), [6, 3, 5, 2, 4, 1]);
        assert_eq!(
            Orientation {
                rotation: 1,
                mirror: 0
            }
            .size(3, 2),
            (2, 3)
        );
    }
}
