//! Frame sources that fill NV12 buffers: a built-in moving test pattern, Y4M files, and folders
//! or lists of still images; plus the adapters a sensor needs (scaling to its frame size,
//! looping).

use std::io::Read;
#[cfg(feature = "images")]
use std::path::Path;
use std::path::PathBuf;
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
    /// An image file could not be read or decoded.
    #[error("image {path}: {message}")]
    Image {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A source with no pictures in it.
    #[error("{0}: no pictures")]
    Empty(String),
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
                if ((c + 3 * t) / 16 + (r + t) / 16).is_multiple_of(2) {
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

/// Still images (PNG, JPEG, BMP) shown one per frame, in order; converted to NV12 with the
/// BT.601 limited-range matrix, as a camera's YUV output is. All images must share one size.
/// (Feature `images`.)
#[cfg(feature = "images")]
#[derive(Debug, Clone)]
pub struct ImageSequence {
    paths: Vec<PathBuf>,
    next: usize,
    width: u32,
    height: u32,
}

/// Compared lower-cased.
#[cfg(feature = "images")]
const IMAGE_EXTENSIONS: [&str; 4] = ["png", "jpg", "jpeg", "bmp"];

#[cfg(feature = "images")]
impl ImageSequence {
    /// The images of a folder, sorted by file name (files with other extensions are skipped).
    pub fn from_dir(dir: &Path) -> Result<Self, SourceError> {
        let err = |message: String| SourceError::Image {
            path: dir.to_path_buf(),
            message,
        };
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| err(e.to_string()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
            })
            .collect();
        paths.sort();
        Self::from_paths(paths).map_err(|e| match e {
            SourceError::Empty(_) => SourceError::Empty(dir.display().to_string()),
            other => other,
        })
    }

    /// The given images, in the given order.
    pub fn from_paths(paths: Vec<PathBuf>) -> Result<Self, SourceError> {
        let first = paths
            .first()
            .ok_or_else(|| SourceError::Empty("image list".into()))?;
        let (width, height) = image::image_dimensions(first).map_err(|e| SourceError::Image {
            path: first.clone(),
            message: e.to_string(),
        })?;
        if width % 2 != 0 || height % 2 != 0 {
            return Err(SourceError::Image {
                path: first.clone(),
                message: format!("{width}x{height}: NV12 needs even sizes"),
            });
        }
        Ok(Self {
            paths,
            next: 0,
            width,
            height,
        })
    }
}

/// Packed RGB to NV12: [`crate::color::rgb_to_nv12`], under the path callers know.
pub use crate::color::rgb_to_nv12;

#[cfg(feature = "images")]
impl FrameSource for ImageSequence {
    fn width(&self) -> u32 {
        self.width
    }
    fn height(&self) -> u32 {
        self.height
    }
    fn next_frame(&mut self, y: &mut [u8], uv: &mut [u8]) -> Result<bool, SourceError> {
        let Some(path) = self.paths.get(self.next) else {
            return Ok(false);
        };
        let err = |message: String| SourceError::Image {
            path: path.clone(),
            message,
        };
        let img = image::open(path).map_err(|e| err(e.to_string()))?.to_rgb8();
        if img.dimensions() != (self.width, self.height) {
            return Err(err(format!(
                "{}x{}, but the sequence is {}x{} (every image must have the first one's size)",
                img.width(),
                img.height(),
                self.width,
                self.height
            )));
        }
        rgb_to_nv12(img.as_raw(), self.width, self.height, y, uv);
        self.next += 1;
        Ok(true)
    }
}

/// A Y4M file (`.y4m`), an image file or a folder of images, as what a camera sees.
#[cfg(feature = "images")]
pub fn open_file(path: &Path) -> Result<Box<dyn FrameSource + Send>, SourceError> {
    let is_y4m = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("y4m"));
    if is_y4m {
        let file = std::fs::File::open(path).map_err(|e| SourceError::Y4m(e.to_string()))?;
        return Ok(Box::new(Y4mSource::new(std::io::BufReader::new(file))?));
    }
    let seq = if path.is_dir() {
        ImageSequence::from_dir(path)?
    } else {
        ImageSequence::from_paths(vec![path.to_path_buf()])?
    };
    Ok(Box::new(seq))
}

/// The RGB of 75 % colour bars, left to right: white, yellow, cyan, green, magenta, red, blue,
/// black.
pub const COLOR_BARS: [[u8; 3]; 8] = [
    [191, 191, 191],
    [191, 191, 0],
    [0, 191, 191],
    [0, 191, 0],
    [191, 0, 191],
    [191, 0, 0],
    [0, 0, 191],
    [0, 0, 0],
];

/// One NV12 picture, delivered for ever: a loaded image, a test-pattern generator's bars.
#[derive(Debug, Clone)]
pub struct Still {
    width: u32,
    height: u32,
    y: Vec<u8>,
    uv: Vec<u8>,
}

impl Still {
    /// The picture `y` (`width`×`height`) and `uv` (interleaved, half height); `None` when the
    /// planes are not that size.
    pub fn new(width: u32, height: u32, y: Vec<u8>, uv: Vec<u8>) -> Option<Self> {
        let (w, h) = (width as usize, height as usize);
        (y.len() == w * h && uv.len() == w * (h / 2)).then_some(Self {
            width,
            height,
            y,
            uv,
        })
    }

    /// Eight vertical bars of [`COLOR_BARS`], the picture a sensor interface's test-pattern
    /// generator gives.
    pub fn color_bars(width: u32, height: u32) -> Self {
        let (w, h) = (width as usize, height as usize);
        let mut rgb = Vec::with_capacity(w * h * 3);
        for _ in 0..h {
            for x in 0..w {
                rgb.extend_from_slice(&COLOR_BARS[x * 8 / w.max(1)]);
            }
        }
        let (mut y, mut uv) = (vec![0; w * h], vec![0; w * (h / 2)]);
        rgb_to_nv12(&rgb, width, height, &mut y, &mut uv);
        Self {
            width,
            height,
            y,
            uv,
        }
    }
}

impl FrameSource for Still {
    fn width(&self) -> u32 {
        self.width
    }
    fn height(&self) -> u32 {
        self.height
    }
    fn next_frame(&mut self, y: &mut [u8], uv: &mut [u8]) -> Result<bool, SourceError> {
        y.copy_from_slice(&self.y);
        uv.copy_from_slice(&self.uv);
        Ok(true)
    }
}

/// Restarts a finite source from the beginning when it ends, by building it anew.
pub struct Looping {
    make: Box<dyn FnMut() -> Result<Box<dyn FrameSource + Send>, SourceError> + Send>,
    current: Box<dyn FrameSource + Send>,
}

impl std::fmt::Debug for Looping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Looping").finish_non_exhaustive()
    }
}

impl Looping {
    /// A source that calls `make` again each time the current one ends.
    pub fn new(
        mut make: impl FnMut() -> Result<Box<dyn FrameSource + Send>, SourceError> + Send + 'static,
    ) -> Result<Self, SourceError> {
        let current = make()?;
        Ok(Self {
            make: Box::new(make),
            current,
        })
    }
}

impl FrameSource for Looping {
    fn width(&self) -> u32 {
        self.current.width()
    }
    fn height(&self) -> u32 {
        self.current.height()
    }
    fn next_frame(&mut self, y: &mut [u8], uv: &mut [u8]) -> Result<bool, SourceError> {
        if self.current.next_frame(y, uv)? {
            return Ok(true);
        }
        self.current = (self.make)()?;
        // A source that is empty from the start would loop forever: end instead.
        self.current.next_frame(y, uv)
    }
}

/// Bilinear resize of one 8-bit plane (or, with `channels = 2`, of interleaved UV).
pub fn scale_plane(
    src: &[u8],
    (sw, sh): (usize, usize),
    dst: &mut [u8],
    (dw, dh): (usize, usize),
    channels: usize,
) {
    let fx = if dw > 1 {
        (sw - 1) as f32 / (dw - 1) as f32
    } else {
        0.0
    };
    let fy = if dh > 1 {
        (sh - 1) as f32 / (dh - 1) as f32
    } else {
        0.0
    };
    // The columns' sources and weights are the same on every row.
    let cols: Vec<(usize, usize, f32)> = (0..dw)
        .map(|x| {
            let sx = x as f32 * fx;
            let x0 = sx as usize;
            (x0, (x0 + 1).min(sw - 1), sx.fract())
        })
        .collect();
    for r in 0..dh {
        let sy = r as f32 * fy;
        let (y0, wy) = (sy as usize, sy.fract());
        let y1 = (y0 + 1).min(sh - 1);
        let (row0, row1) = (&src[y0 * sw * channels..], &src[y1 * sw * channels..]);
        for (x, &(x0, x1, wx)) in cols.iter().enumerate() {
            for c in 0..channels {
                let at = |row: &[u8], xx: usize| f32::from(row[xx * channels + c]);
                let top = at(row0, x0) * (1.0 - wx) + at(row0, x1) * wx;
                let bottom = at(row1, x0) * (1.0 - wx) + at(row1, x1) * wx;
                // `+ 0.5` and truncation round the non-negative value without a libm call
                // (`f32::round` is one on x86-64 without SSE4.1).
                dst[(r * dw + x) * channels + c] = (top * (1.0 - wy) + bottom * wy + 0.5) as u8;
            }
        }
    }
}

/// Resizes NV12 `src` (`sw`×`sh`) to `dw`×`dh`.
pub fn scale_nv12(
    (y, uv): (&[u8], &[u8]),
    (sw, sh): (u32, u32),
    (dy, duv): (&mut [u8], &mut [u8]),
    (dw, dh): (u32, u32),
) {
    let (sw, sh, dw, dh) = (sw as usize, sh as usize, dw as usize, dh as usize);
    scale_plane(y, (sw, sh), dy, (dw, dh), 1);
    scale_plane(uv, (sw / 2, sh / 2), duv, (dw / 2, dh / 2), 2);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_still_is_its_picture_for_ever_and_refuses_wrong_planes() {
        assert!(
            Still::new(4, 2, vec![0; 8], vec![0; 3]).is_none(),
            "UV short"
        );
        assert!(
            Still::new(4, 2, vec![0; 7], vec![0; 4]).is_none(),
            "Y short"
        );
        let mut s = Still::new(4, 2, (0..8).collect(), vec![9; 4]).unwrap();
        let (mut y, mut uv) = (vec![0; 8], vec![0; 4]);
        for _ in 0..3 {
            assert!(s.next_frame(&mut y, &mut uv).unwrap());
            assert_eq!(
                (y.as_slice(), uv.as_slice()),
                (&(0..8).collect::<Vec<u8>>()[..], &[9; 4][..])
            );
        }
        // Bars: white on the left, black on the right.
        let bars = Still::color_bars(16, 2);
        assert!(bars.y[0] > 150 && bars.y[15] < 20, "{:?}", bars.y);
    }

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

    #[test]
    fn rgb_conversion_uses_bt601_limited_range() {
        let (mut y, mut uv) = (vec![0; 4], vec![0; 2]);
        rgb_to_nv12(&[255; 12], 2, 2, &mut y, &mut uv);
        assert_eq!((y[0], uv[0], uv[1]), (235, 128, 128), "white");
        rgb_to_nv12(&[0; 12], 2, 2, &mut y, &mut uv);
        assert_eq!((y[0], uv[0], uv[1]), (16, 128, 128), "black");
        rgb_to_nv12(&[255, 0, 0].repeat(4), 2, 2, &mut y, &mut uv);
        assert_eq!((y[0], uv[0], uv[1]), (82, 90, 240), "red");
    }

    #[test]
    fn scaling_keeps_flat_areas_and_corners() {
        let src: Vec<u8> = (0..16).map(|v| v * 10).collect();
        let mut dst = vec![0; 64];
        scale_plane(&src, (4, 4), &mut dst, (8, 8), 1);
        assert_eq!((dst[0], dst[7], dst[56], dst[63]), (0, 30, 120, 150));
        let mut same = vec![0; 16];
        scale_plane(&src, (4, 4), &mut same, (4, 4), 1);
        assert_eq!(same, src);
    }

    #[cfg(feature = "images")]
    #[test]
    fn image_sequences_read_in_order_and_refuse_mixed_sizes() {
        let dir = std::env::temp_dir().join(format!("venc-img-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, shade, w) in [("b.png", 200u8, 4u32), ("a.png", 50, 4), ("c.png", 0, 6)] {
            image::RgbImage::from_pixel(w, 2, image::Rgb([shade; 3]))
                .save(dir.join(name))
                .unwrap();
        }
        std::fs::write(dir.join("notes.txt"), "skipped").unwrap();
        let mut seq = ImageSequence::from_dir(&dir).unwrap();
        assert_eq!((seq.width(), seq.height()), (4, 2));
        let (mut y, mut uv) = (vec![0; 8], vec![0; 4]);
        assert!(seq.next_frame(&mut y, &mut uv).unwrap());
        assert_eq!(y[0], 59, "a.png first");
        assert!(seq.next_frame(&mut y, &mut uv).unwrap());
        assert_eq!(y[0], 188, "then b.png");
        let err = seq.next_frame(&mut y, &mut uv).unwrap_err().to_string();
        assert!(err.contains("c.png") && err.contains("6x2"), "{err}");
        std::fs::write(dir.join("d.png"), b"not a png").unwrap();
        let bad = ImageSequence::from_paths(vec![dir.join("d.png")]).unwrap_err();
        assert!(bad.to_string().contains("d.png"), "{bad}");
        assert!(ImageSequence::from_paths(vec![]).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn looping_restarts_a_finite_source() {
        let make = || -> Result<Box<dyn FrameSource + Send>, SourceError> {
            let mut file = b"YUV4MPEG2 W2 H2 F30:1 C420jpeg\n".to_vec();
            for v in [1u8, 2] {
                file.extend_from_slice(b"FRAME\n");
                file.extend_from_slice(&[v; 6]);
            }
            Ok(Box::new(Y4mSource::new(std::io::Cursor::new(file))?))
        };
        let mut src = Looping::new(make).unwrap();
        let (mut y, mut uv) = (vec![0; 4], vec![0; 2]);
        let firsts: Vec<u8> = (0..5)
            .map(|_| {
                assert!(src.next_frame(&mut y, &mut uv).unwrap());
                y[0]
            })
            .collect();
        assert_eq!(firsts, [1, 2, 1, 2, 1]);
    }
}
