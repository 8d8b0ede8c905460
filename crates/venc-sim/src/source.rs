//! Frame sources that fill NV12 buffers: a built-in moving test pattern and Y4M files.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A source of NV12 pictures.
pub trait FrameSource {
    /// Picture width.
    fn width(&self) -> u32;
    /// Picture height.
    fn height(&self) -> u32;
    /// Writes the next picture: Y (`width*height`, stride `width`) and interleaved UV
    /// (`width*height/2`). `Ok(false)` at the end of the source.
    fn next_frame(&mut self, y: &mut [u8], uv: &mut [u8]) -> Result<bool, SourceError>;
}

/// A source that cannot deliver.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The file is not a usable Y4M stream.
    #[error("Y4M input: {0}")]
    Y4m(String),
    /// The source's size is not the one asked for.
    #[error(
        "input is {actual_w}x{actual_h} but {want_w}x{want_h} was asked for (no silent scaling or cropping)"
    )]
    SizeMismatch {
        /// Source width.
        actual_w: u32,
        /// Source height.
        actual_h: u32,
        /// Wanted width.
        want_w: u32,
        /// Wanted height.
        want_h: u32,
    },
}

/// Triangle wave with period 256 and range 0..=128.
fn tri(v: u32) -> u32 {
    let m = v & 255;
    if m < 128 { m } else { 256 - m }
}

/// The built-in pattern: a drifting luma gradient, a scrolling 16-pixel checkerboard, a
/// bouncing bright box, and chroma ramps with a period of 128 chroma pixels. It moves every frame
/// (so P frames carry work), and its chroma has enough structure that a wrong UV offset is
/// visible in chroma PSNR. Deterministic: frame `t` is a pure function of `(w, h, t)`.
#[derive(Debug, Clone)]
pub struct TestPattern {
    width: u32,
    height: u32,
    t: u32,
}

impl TestPattern {
    /// A pattern of `width`×`height` (both even) starting at frame 0.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            t: 0,
        }
    }

    /// Renders frame `t` into NV12 planes.
    pub fn render(width: u32, height: u32, t: u32, y: &mut [u8], uv: &mut [u8]) {
        let (w, h) = (width as usize, height as usize);
        let box_w = (width / 5).max(8);
        let box_h = (height / 5).max(8);
        let span_x = width.saturating_sub(box_w).max(1);
        let span_y = height.saturating_sub(box_h).max(1);
        let bounce = |p: u32, span: u32| {
            let m = p % (2 * span);
            if m < span { m } else { 2 * span - m }
        };
        let bx = bounce(t * 7, span_x);
        let by = bounce(t * 5, span_y);
        for (row, line) in y.chunks_exact_mut(w).take(h).enumerate() {
            let r = row as u32;
            let row_term = tri(r * 2 + t) / 2;
            let in_box_row = (by..by + box_h).contains(&r);
            for (col, px) in line.iter_mut().enumerate() {
                let c = col as u32;
                let mut v = 40 + tri(c + 2 * t) / 2 + row_term;
                if ((c + 3 * t) / 16 + (r + t) / 16) % 2 == 0 {
                    v += 24;
                }
                if in_box_row && (bx..bx + box_w).contains(&c) {
                    v = 235;
                }
                *px = v.min(255) as u8;
            }
        }
        for (crow, line) in uv.chunks_exact_mut(w).take(h / 2).enumerate() {
            let cr = crow as u32;
            for (cc, pair) in line.chunks_exact_mut(2).enumerate() {
                let cc = cc as u32;
                pair[0] = (64 + tri(cc * 2 + t * 2)) as u8;
                pair[1] = (64 + tri(cr * 4 + cc + t)) as u8;
            }
        }
    }
}

impl FrameSource for TestPattern {
    fn width(&self) -> u32 {
        self.width
    }
    fn height(&self) -> u32 {
        self.height
    }
    fn next_frame(&mut self, y: &mut [u8], uv: &mut [u8]) -> Result<bool, SourceError> {
        Self::render(self.width, self.height, self.t, y, uv);
        self.t += 1;
        Ok(true)
    }
}

/// Counts the bytes read through it, so a frame cut short can be told from a clean end.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// A Y4M file of 8-bit 4:2:0 pictures, converted to NV12.
pub struct Y4mSource<R: Read> {
    decoder: y4m::Decoder<Counting<R>>,
    width: u32,
    height: u32,
    bytes_read: Arc<AtomicU64>,
    /// Bytes read up to the end of the last complete frame.
    frame_boundary: u64,
    frames: u64,
}

impl<R: Read> std::fmt::Debug for Y4mSource<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Y4mSource")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

impl<R: Read> Y4mSource<R> {
    /// Opens a Y4M stream; only 8-bit 4:2:0 with even sizes is accepted.
    pub fn new(reader: R) -> Result<Self, SourceError> {
        let bytes_read = Arc::new(AtomicU64::new(0));
        let counting = Counting {
            inner: reader,
            read: Arc::clone(&bytes_read),
        };
        let decoder = y4m::decode(counting).map_err(|e| SourceError::Y4m(format!("{e:?}")))?;
        let cs = decoder.get_colorspace();
        use y4m::Colorspace as C;
        if !matches!(cs, C::C420 | C::C420jpeg | C::C420paldv | C::C420mpeg2) {
            return Err(SourceError::Y4m(format!(
                "colour space {cs:?} is not 8-bit 4:2:0"
            )));
        }
        let (width, height) = (decoder.get_width() as u32, decoder.get_height() as u32);
        if width % 2 != 0 || height % 2 != 0 || width == 0 || height == 0 {
            return Err(SourceError::Y4m(format!(
                "odd or empty size {width}x{height}"
            )));
        }
        let frame_boundary = bytes_read.load(Ordering::Relaxed);
        Ok(Self {
            decoder,
            width,
            height,
            bytes_read,
            frame_boundary,
            frames: 0,
        })
    }

    /// Fails unless the stream is `width`×`height`.
    pub fn expect_size(&self, width: u32, height: u32) -> Result<(), SourceError> {
        if (self.width, self.height) != (width, height) {
            return Err(SourceError::SizeMismatch {
                actual_w: self.width,
                actual_h: self.height,
                want_w: width,
                want_h: height,
            });
        }
        Ok(())
    }
}

impl<R: Read> FrameSource for Y4mSource<R> {
    fn width(&self) -> u32 {
        self.width
    }
    fn height(&self) -> u32 {
        self.height
    }
    fn next_frame(&mut self, y: &mut [u8], uv: &mut [u8]) -> Result<bool, SourceError> {
        let frame = match self.decoder.read_frame() {
            Ok(f) => f,
            Err(y4m::Error::EOF) => {
                let read = self.bytes_read.load(Ordering::Relaxed);
                if read > self.frame_boundary {
                    return Err(SourceError::Y4m(format!(
                        "frame {} is truncated ({} bytes of it present)",
                        self.frames,
                        read - self.frame_boundary
                    )));
                }
                return Ok(false);
            }
            Err(e) => return Err(SourceError::Y4m(format!("{e:?}"))),
        };
        // The decoder reads whole frames of the header's size, so the planes are complete.
        let n = (self.width * self.height) as usize;
        let (yp, up, vp) = (
            frame.get_y_plane(),
            frame.get_u_plane(),
            frame.get_v_plane(),
        );
        self.frame_boundary = self.bytes_read.load(Ordering::Relaxed);
        self.frames += 1;
        y[..n].copy_from_slice(&yp[..n]);
        for ((pair, &u), &v) in uv[..n / 2].chunks_exact_mut(2).zip(up).zip(vp) {
            pair[0] = u;
            pair[1] = v;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pattern_moves_and_is_deterministic() {
        let (w, h) = (128u32, 64u32);
        let n = (w * h) as usize;
        let (mut y0, mut uv0) = (vec![0; n], vec![0; n / 2]);
        let (mut y1, mut uv1) = (vec![0; n], vec![0; n / 2]);
        TestPattern::render(w, h, 0, &mut y0, &mut uv0);
        TestPattern::render(w, h, 1, &mut y1, &mut uv1);
        assert_ne!(y0, y1);
        assert_ne!(uv0, uv1);
        let (mut y2, mut uv2) = (vec![0; n], vec![0; n / 2]);
        TestPattern::render(w, h, 0, &mut y2, &mut uv2);
        assert_eq!((y0, uv0), (y2, uv2));
    }

    #[test]
    fn y4m_round_trip_and_errors() {
        let mut file = b"YUV4MPEG2 W4 H2 F30:1 C420jpeg\nFRAME\n".to_vec();
        file.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 20, 21]);
        let mut src = Y4mSource::new(&file[..]).unwrap();
        assert!(src.expect_size(4, 2).is_ok());
        assert!(matches!(
            src.expect_size(8, 2),
            Err(SourceError::SizeMismatch { .. })
        ));
        let (mut y, mut uv) = (vec![0; 8], vec![0; 4]);
        assert!(src.next_frame(&mut y, &mut uv).unwrap());
        assert_eq!(y, [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(uv, [10, 20, 11, 21]);
        assert!(!src.next_frame(&mut y, &mut uv).unwrap());
        assert!(Y4mSource::new(&b"not a y4m"[..]).is_err());
        let mut cut = b"YUV4MPEG2 W4 H2 F30:1 C420jpeg\nFRAME\n".to_vec();
        cut.extend_from_slice(&[1, 2, 3]);
        let mut src = Y4mSource::new(&cut[..]).unwrap();
        let err = src.next_frame(&mut y, &mut uv).unwrap_err().to_string();
        assert!(err.contains("frame 0 is truncated"), "{err}");
        assert!(Y4mSource::new(&b"YUV4MPEG2 W4 H2 F30:1 C444\n"[..]).is_err());
    }
}
