//! CanMV's `image.Image` with real pixels (display facts §5), over `canmv-image`.
//!
//! An image's bytes live in media memory (`ALLOC_MMZ`, the default, and `ALLOC_VB` images over
//! a block the script names; a sensor's snapshot is one of those) or on the heap
//! (`ALLOC_HEAP`, `ALLOC_MPGC`, `ALLOC_REF` copies). Either way drawing happens in place, so an
//! image shown on the display or sent to the encoder by address has what was drawn.
//! The Python half (`firmware/image.py`) parses the firmware's argument forms and raises its
//! exceptions; this half holds the bytes and does the pixel work.

use crate::board::{self, Board, HostWindow, SensorImage};
use crate::errors::value_error;
use canmv_image::{Canvas, Color, FileKind, Font, PixFormat};
use pyo3::exceptions::{PyMemoryError, PyOSError, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::os::raw::c_int;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// `image.ALLOC_*` (facts §5.1).
const ALLOC_MPGC: u32 = 0;
const ALLOC_HEAP: u32 = 1;
const ALLOC_MMZ: u32 = 2;
const ALLOC_VB: u32 = 3;
const ALLOC_REF: u32 = 4;

enum Store {
    Heap(Vec<u8>),
    /// `[phys, phys + len)` of media memory; `owned` frees it with the image.
    Media {
        board: Arc<Board>,
        phys: u64,
        virt: u64,
        len: usize,
        owned: bool,
        /// A host pointer to the bytes, for `to_numpy_ref` and the buffer protocol (the
        /// block stays alive while it is held, as a board's mapping does).
        window: HostWindow,
    },
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Store::Media {
            board,
            phys,
            virt,
            len,
            owned,
            ..
        } = self
        {
            // The mapping goes with the image; the memory only if the image allocated it.
            board.munmap(*virt, *len as u64);
            if *owned {
                let _ = board.sim.memory().free(*phys);
            }
        }
    }
}

/// `image.Image`.
#[pyclass(name = "Image", module = "image", subclass)]
#[doc(alias = "image.Image")]
pub struct PyImage {
    w: u32,
    h: u32,
    fmt: PixFormat,
    store: Store,
    /// Plane addresses beyond the first (a snapshot's UV where VICAP put it, RGBP888's G, B).
    planes: Vec<u64>,
    pool: u32,
    /// The capture time of a snapshot.
    pts: Option<u64>,
}

impl std::fmt::Debug for PyImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Image")
            .field("w", &self.w)
            .field("h", &self.h)
            .field("format", &self.fmt)
            .field("heap", &self.heap())
            .finish_non_exhaustive()
    }
}

fn memory_error(e: impl std::fmt::Display) -> PyErr {
    PyRuntimeError::new_err(format!("image memory: {e}"))
}

impl PyImage {
    fn len(&self) -> usize {
        if self.fmt.is_raw() {
            self.fmt.raw_size(self.w, self.h)
        } else {
            match &self.store {
                Store::Heap(v) => v.len(),
                Store::Media { len, .. } => *len,
            }
        }
    }

    /// Runs `f` on the image's bytes, writable, in place.
    fn with_bytes<R>(&mut self, f: impl FnOnce(&mut [u8]) -> R) -> PyResult<R> {
        let len = self.len();
        match &mut self.store {
            Store::Heap(v) => Ok(f(&mut v[..len])),
            Store::Media { board, phys, .. } => board
                .sim
                .memory()
                .with_mut(*phys, len as u64, f)
                .map_err(memory_error),
        }
    }

    fn with_canvas<R>(&mut self, f: impl FnOnce(&mut Canvas<'_>) -> R) -> PyResult<R> {
        let (w, h, fmt) = (self.w, self.h, self.fmt);
        self.with_bytes(|b| Canvas::new(w, h, fmt, b).map(|mut c| f(&mut c)))?
            .ok_or_else(|| {
                value_error(format!("image format {} has no pixels to draw", fmt.name()))
            })
    }

    /// Draws with `color` in this image's format.
    fn paint(
        &mut self,
        color: &Bound<'_, PyAny>,
        draw: impl FnOnce(&mut Canvas<'_>, u32),
    ) -> PyResult<()> {
        let v = color_of(color)?.value(self.fmt);
        self.with_canvas(|c| draw(c, v))
    }

    fn bytes(&self) -> PyResult<Vec<u8>> {
        let len = self.len();
        match &self.store {
            Store::Heap(v) => Ok(v[..len].to_vec()),
            Store::Media { board, phys, .. } => {
                let mut out = vec![0u8; len];
                board
                    .sim
                    .memory()
                    .read(*phys, &mut out)
                    .map_err(memory_error)?;
                Ok(out)
            }
        }
    }

    /// A new image of `fmt` holding `bytes`, in media memory unless `heap`.
    fn holding(
        board: &Arc<Board>,
        w: u32,
        h: u32,
        fmt: PixFormat,
        bytes: &[u8],
        heap: bool,
    ) -> PyResult<Self> {
        let store = if heap {
            Store::Heap(bytes.to_vec())
        } else {
            media_store(board, bytes.len())?
        };
        let mut img = Self {
            w,
            h,
            fmt,
            store,
            planes: Vec::new(),
            pool: venc_core::consts::VB_INVALID_POOLID,
            pts: None,
        };
        img.with_bytes(|b| b.copy_from_slice(bytes))?;
        Ok(img)
    }

    fn heap(&self) -> bool {
        matches!(self.store, Store::Heap(_))
    }

    /// A sensor frame as the image `snapshot()` returns (facts §5.6).
    pub fn from_snapshot(board: &Arc<Board>, snap: &SensorImage) -> PyResult<Self> {
        let (w, h) = (snap.width(), snap.height());
        let y = snap.phyaddr(0).unwrap_or(0);
        let fmt = match snap.format() {
            board::RGB888 => PixFormat::Rgb888,
            board::RGBP888 => PixFormat::Rgbp888,
            board::GRAYSCALE => PixFormat::Grayscale,
            board::RGB565 => PixFormat::Rgb565,
            _ => PixFormat::Yuv420,
        };
        // Every plane VICAP filled, where it put it.
        let planes: Vec<u64> = (0..3).map_while(|n| snap.phyaddr(n)).collect();
        let contiguous =
            fmt != PixFormat::Yuv420 || planes.get(1) == Some(&(y + u64::from(w) * u64::from(h)));
        let store = if fmt == PixFormat::Rgb565 || !contiguous {
            // RGB565 is converted from the RGB888 buffer (the firmware converts in place);
            // NV12 with UV past padding is gathered into one buffer.
            Store::Heap(snap.to_bytes(&board.sim).map_err(memory_error)?)
        } else {
            let len = fmt.raw_size(w, h);
            Store::Media {
                board: Arc::clone(board),
                phys: y,
                virt: board.mmap(y, len as u64).unwrap_or(0),
                len,
                owned: false,
                window: window(board, y, len)?,
            }
        };
        Ok(Self {
            w,
            h,
            fmt,
            store,
            planes,
            pool: snap.poolid(),
            pts: Some(snap.pts()),
        })
    }

    /// The bytes where they lie, for a Python buffer over them.
    fn host_bytes(&mut self) -> (*mut u8, usize) {
        let len = self.len();
        match &mut self.store {
            Store::Heap(v) => (v.as_mut_ptr(), len),
            Store::Media { window, .. } => (window.ptr(), len),
        }
    }

    /// The bytes and layout for the display: (w, h, format, pixels).
    pub fn pixels(&self) -> PyResult<(u32, u32, PixFormat, Vec<u8>)> {
        Ok((self.w, self.h, self.fmt, self.bytes()?))
    }
}

fn media_store(board: &Arc<Board>, len: usize) -> PyResult<Store> {
    let phys = board
        .sim
        .memory()
        .alloc(len as u64)
        .map_err(|_| PyMemoryError::new_err(format!("image mmz alloc failed: {len}")))?;
    let virt = board.mmap(phys, len as u64).unwrap_or(0);
    Ok(Store::Media {
        board: Arc::clone(board),
        phys,
        virt,
        len,
        owned: true,
        window: window(board, phys, len)?,
    })
}

fn window(board: &Board, phys: u64, len: usize) -> PyResult<HostWindow> {
    board
        .sim
        .memory()
        .host_window(phys, len as u64)
        .map_err(memory_error)
}

fn color_of(color: &Bound<'_, PyAny>) -> PyResult<Color> {
    if let Ok(v) = color.extract::<i64>() {
        return Ok(Color::Raw(v));
    }
    let (a, r, g, b): (u8, u8, u8, u8) = color.extract()?;
    Ok(Color::Argb([a, r, g, b]))
}

/// The stand-in for the firmware's font: found once (fontconfig runs a program, which the
/// script's sandbox does not allow; `canmv-run` looks it up before).
fn stand_in_font() -> Option<&'static (PathBuf, u32)> {
    static FOUND: OnceLock<Option<(PathBuf, u32)>> = OnceLock::new();
    FOUND
        .get_or_init(|| canmv_image::system_font(canmv_image::STAND_IN_FAMILY))
        .as_ref()
}

/// The stand-in font's file, looked up now (before the sandbox).
#[pyfunction]
pub fn stand_in_font_path() -> Option<PathBuf> {
    stand_in_font().map(|(p, _)| p.clone())
}

#[pymethods]
impl PyImage {
    /// `image.Image(w, h, format, ...)`, after the Python half's checks: `alloc` as
    /// `image.ALLOC_*`, `phyaddr`/`poolid` for `ALLOC_VB`, `data` copied in (or referenced).
    #[new]
    #[pyo3(signature = (w, h, format, alloc = ALLOC_MMZ, phyaddr = None, poolid = None, data = None))]
    fn new(
        w: u32,
        h: u32,
        format: u32,
        alloc: u32,
        phyaddr: Option<u64>,
        poolid: Option<u32>,
        data: Option<Vec<u8>>,
    ) -> PyResult<Self> {
        let fmt = PixFormat::from_code(format)
            .filter(|f| f.is_raw())
            .ok_or_else(|| PyOSError::new_err("Unsupported type"))?;
        let board = board::current();
        let len = fmt.raw_size(w, h);
        let store = match alloc {
            ALLOC_VB => {
                let phys = phyaddr.ok_or_else(|| value_error("please set phyaddr and virtaddr"))?;
                if !board.sim.memory().is_mapped(phys, len as u64) {
                    return Err(value_error(format!(
                        "phyaddr 0x{phys:x}: {len} bytes are not one block of media memory"
                    )));
                }
                Store::Media {
                    virt: board.mmap(phys, len as u64).unwrap_or(0),
                    window: window(&board, phys, len)?,
                    board: Arc::clone(&board),
                    phys,
                    len,
                    owned: false,
                }
            }
            ALLOC_MMZ => media_store(&board, len)?,
            ALLOC_MPGC | ALLOC_HEAP | ALLOC_REF => Store::Heap(vec![0; len]),
            other => return Err(value_error(format!("invalid alloc {other}"))),
        };
        let mut img = Self {
            w,
            h,
            fmt,
            store,
            planes: Vec::new(),
            pool: if alloc == ALLOC_VB {
                poolid.unwrap_or(venc_core::consts::VB_INVALID_POOLID)
            } else {
                venc_core::consts::VB_INVALID_POOLID
            },
            pts: None,
        };
        if let Some(data) = data {
            if data.len() < len {
                return Err(value_error("Not enough data"));
            }
            img.with_bytes(|b| b.copy_from_slice(&data[..len]))?;
        }
        Ok(img)
    }

    /// An image read from a JPEG, PNG or BMP file's bytes, as RGB888 (D-068).
    #[staticmethod]
    fn _decode(bytes: &[u8]) -> PyResult<Self> {
        let (w, h, rgb) =
            canmv_image::decode(bytes).map_err(|e| PyOSError::new_err(e.to_string()))?;
        Self::holding(&board::current(), w, h, PixFormat::Rgb888, &rgb, false)
    }

    /// `width()`.
    fn width(&self) -> u32 {
        self.w
    }
    /// `height()`.
    fn height(&self) -> u32 {
        self.h
    }
    /// `format()`: the `image.*` value.
    fn format(&self) -> u32 {
        self.fmt.code()
    }
    /// `size()`: bytes of the picture.
    fn size(&self) -> usize {
        self.len()
    }
    /// `phyaddr()`: the physical address (0 for a heap image); a snapshot also answers for its
    /// other planes (`phyaddr(1)`: UV where VICAP put it).
    #[pyo3(signature = (plane = 0))]
    fn phyaddr(&self, plane: usize) -> PyResult<u64> {
        if !self.planes.is_empty() {
            return self
                .planes
                .get(plane)
                .copied()
                .ok_or_else(|| value_error(format!("phyaddr: this image has no plane {plane}")));
        }
        match (&self.store, plane) {
            (Store::Media { phys, .. }, 0) => Ok(*phys),
            (Store::Heap(_), 0) => Ok(0),
            _ => Err(value_error(format!(
                "phyaddr: this image has no plane {plane}"
            ))),
        }
    }
    /// `virtaddr()`: where `uctypes.bytearray_at` reads it (0 for a heap image).
    fn virtaddr(&self) -> u64 {
        match &self.store {
            Store::Media { virt, .. } => *virt,
            Store::Heap(_) => 0,
        }
    }
    /// `poolid()`: the VB pool (`VB_INVALID_POOLID` unless over a pool block).
    fn poolid(&self) -> u32 {
        self.pool
    }
    /// The capture time of a snapshot, microseconds.
    fn pts(&self) -> Option<u64> {
        self.pts
    }
    /// The picture's bytes.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.bytes()?))
    }
    /// `bytearray()`: a copy of the bytes.
    fn bytearray<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyByteArray>> {
        Ok(pyo3::types::PyByteArray::new(py, &self.bytes()?))
    }
    /// `clear()`.
    fn _clear(&mut self) -> PyResult<()> {
        self.with_canvas(|c| c.clear())
    }
    fn _line(
        &mut self,
        x0: i32,
        y0: i32,
        x1: i32,
        y1: i32,
        color: &Bound<'_, PyAny>,
        thickness: u32,
    ) -> PyResult<()> {
        self.paint(color, |c, v| c.line((x0, y0), (x1, y1), v, thickness))
    }
    #[allow(clippy::too_many_arguments)]
    fn _rectangle(
        &mut self,
        x: i32,
        y: i32,
        w: i32,
        h: i32,
        color: &Bound<'_, PyAny>,
        thickness: u32,
        fill: bool,
    ) -> PyResult<()> {
        self.paint(color, |c, v| c.rectangle(x, y, w, h, v, thickness, fill))
    }
    fn _circle(
        &mut self,
        x: i32,
        y: i32,
        r: i32,
        color: &Bound<'_, PyAny>,
        thickness: u32,
        fill: bool,
    ) -> PyResult<()> {
        self.paint(color, |c, v| c.circle(x, y, r, v, thickness, fill))
    }
    fn _cross(
        &mut self,
        x: i32,
        y: i32,
        color: &Bound<'_, PyAny>,
        size: i32,
        thickness: u32,
    ) -> PyResult<()> {
        self.paint(color, |c, v| c.cross(x, y, v, size, thickness))
    }
    #[allow(clippy::too_many_arguments)]
    fn _arrow(
        &mut self,
        x0: i32,
        y0: i32,
        x1: i32,
        y1: i32,
        color: &Bound<'_, PyAny>,
        size: i32,
        thickness: u32,
    ) -> PyResult<()> {
        self.paint(color, |c, v| {
            c.arrow((x0, y0), (x1, y1), v, size, thickness)
        })
    }
    /// `draw_string_advanced`: `font` a host path, or the default font (the board's own copy
    /// at `default`, else the stand-in).
    #[allow(clippy::too_many_arguments)]
    fn _text(
        &mut self,
        x: i32,
        y: i32,
        size: u32,
        text: &str,
        color: &Bound<'_, PyAny>,
        font: Option<PathBuf>,
    ) -> PyResult<()> {
        let (path, index) = match font {
            Some(p) => (p, 0),
            None => stand_in_font().cloned().ok_or_else(|| {
                PyOSError::new_err(format!(
                    "no font for draw_string_advanced: put SourceHanSansSC-Normal-Min.ttf in the board's /sdcard/res/font, or install {} (Debian fonts-noto-cjk)",
                    canmv_image::STAND_IN_FAMILY
                ))
            })?,
        };
        let font = Font::open(&path, index).map_err(|e| PyOSError::new_err(e.to_string()))?;
        self.paint(color, |c, v| c.text(&font, x, y, size, text, v))
    }
    /// `draw_image(src, x, y, x_scale, y_scale, alpha)`.
    #[allow(clippy::too_many_arguments)]
    fn _blit(
        &mut self,
        src: PyRef<'_, PyImage>,
        x: i32,
        y: i32,
        x_scale: f64,
        y_scale: f64,
        alpha: u32,
    ) -> PyResult<()> {
        let (sw, sh, sf) = (src.w, src.h, src.fmt);
        let mut pixels = src.bytes()?;
        drop(src);
        let source = Canvas::new(sw, sh, sf, &mut pixels)
            .ok_or_else(|| value_error("draw_image: the source has no pixels"))?;
        self.with_canvas(|c| c.blit(&source, x, y, (x_scale, y_scale), alpha))
    }
    /// A new image of format `format` (`to_rgb565`, `copy`, …), where this one is (media memory
    /// or heap) unless `heap`.
    #[pyo3(signature = (format, heap = None))]
    fn _convert(&mut self, format: u32, heap: Option<bool>) -> PyResult<Self> {
        let to = PixFormat::from_code(format)
            .filter(|f| f.is_raw())
            .ok_or_else(|| value_error("unsupported format"))?;
        let (w, h, fmt) = (self.w, self.h, self.fmt);
        let heap = heap.unwrap_or(self.heap());
        let out = self
            .with_bytes(|b| Canvas::new(w, h, fmt, b).map(|c| canmv_image::convert(&c, to)))?
            .ok_or_else(|| value_error(format!("image format {} cannot be converted", fmt.name())))?
            .map_err(|e| value_error(e.to_string()))?;
        Self::holding(&board::current(), w, h, to, &out, heap)
    }
    /// The picture as a `kind` file ("jpeg", "png", "bmp") at `quality`.
    fn _encode<'py>(
        &mut self,
        py: Python<'py>,
        kind: &str,
        quality: u8,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let kind = FileKind::from_path(&format!(".{kind}"))
            .ok_or_else(|| value_error(format!("unknown file type {kind}")))?;
        let (w, h, fmt) = (self.w, self.h, self.fmt);
        let file = self
            .with_bytes(|b| {
                Canvas::new(w, h, fmt, b).map(|c| canmv_image::encode(&c, kind, quality))
            })?
            .ok_or_else(|| value_error(format!("image format {} has no pixels", fmt.name())))?
            .map_err(|e| PyOSError::new_err(e.to_string()))?;
        Ok(PyBytes::new(py, &file))
    }
    /// A compressed image (`image.JPEG`/`image.PNG`) holding `file`.
    #[staticmethod]
    fn _compressed(w: u32, h: u32, format: u32, file: Vec<u8>) -> PyResult<Self> {
        let fmt = PixFormat::from_code(format)
            .filter(|f| !f.is_raw())
            .ok_or_else(|| value_error("not a compressed format"))?;
        Self::holding(&board::current(), w, h, fmt, &file, true)
    }
    /// The buffer protocol: the pixel bytes, read-only (display facts §5.5).
    unsafe fn __getbuffer__(
        slf: Bound<'_, Self>,
        view: *mut pyo3::ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        let (ptr, len) = slf.borrow_mut().host_bytes();
        fill_view(view, slf.as_any(), ptr, len, true, flags)
    }

    /// A writable view of the same bytes, for `to_numpy_ref`.
    fn _pixels_ref(slf: Bound<'_, Self>) -> PixelsRef {
        PixelsRef {
            image: slf.unbind(),
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "{{\"w\":{}, \"h\":{}, \"type\":\"{}\", \"size\":{}}}",
            self.w,
            self.h,
            self.fmt.name().to_lowercase(),
            self.len()
        )
    }
}

/// The image's bytes, writable, as `to_numpy_ref` shares them (the firmware wraps the same
/// memory in a ulab array).
#[pyclass(name = "PixelsRef", module = "image")]
#[derive(Debug)]
pub struct PixelsRef {
    image: Py<PyImage>,
}

#[pymethods]
impl PixelsRef {
    unsafe fn __getbuffer__(
        slf: Bound<'_, Self>,
        view: *mut pyo3::ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        let image = slf.borrow().image.clone_ref(slf.py());
        let (ptr, len) = image.bind(slf.py()).borrow_mut().host_bytes();
        fill_view(view, slf.as_any(), ptr, len, false, flags)
    }
}

/// Fills a buffer view over `len` bytes at `ptr` that `owner` keeps alive.
fn fill_view(
    view: *mut pyo3::ffi::Py_buffer,
    owner: &Bound<'_, PyAny>,
    ptr: *mut u8,
    len: usize,
    readonly: bool,
    flags: c_int,
) -> PyResult<()> {
    // SAFETY: `view` is the view CPython passed in; `ptr` points to `len` bytes that `owner`
    // (an image, or the reference that holds one) keeps alive, and the view holds `owner`.
    let done = unsafe {
        pyo3::ffi::PyBuffer_FillInfo(
            view,
            owner.as_ptr(),
            ptr.cast(),
            len as pyo3::ffi::Py_ssize_t,
            c_int::from(readonly),
            flags,
        )
    };
    if done == 0 {
        Ok(())
    } else {
        Err(PyErr::fetch(owner.py()))
    }
}

/// `IMAGE_CONSTANTS`: the `image.*` format values and `ALLOC_*`.
pub fn add_constants(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let c = PyDict::new(m.py());
    for f in PixFormat::ALL {
        c.set_item(f.name(), f.code())?;
    }
    for (name, v) in [
        ("ALLOC_MPGC", ALLOC_MPGC),
        ("ALLOC_HEAP", ALLOC_HEAP),
        ("ALLOC_MMZ", ALLOC_MMZ),
        ("ALLOC_VB", ALLOC_VB),
        ("ALLOC_REF", ALLOC_REF),
    ] {
        c.set_item(name, v)?;
    }
    m.add("IMAGE_CONSTANTS", c)
}
