"""``image`` on venc-sim: CanMV's ``image.Image`` with real pixels (display facts §5).

An image is made by ``image.Image(w, h, format, alloc=ALLOC_MMZ, ...)``, read from a JPEG, PNG
or BMP file (``image.Image(path)``), or returned by ``sensor.snapshot()``. Drawing
(``clear``, ``draw_line``/``rectangle``/``circle``/``cross``/``arrow``/``image``,
``draw_string_advanced``), conversion (``copy``, ``to_rgb565``, ``to_rgb888``,
``to_grayscale``), ``compress``/``to_jpeg``/``to_png`` and ``save`` work on the pixels.
Drawing writes the colour's raw value with no blending, as the firmware's pixel writers do;
YUV420 images get the firmware's signed chroma. Methods not listed here are not simulated
(AttributeError).
"""

from canmv_host import _native
from canmv_host import confine

globals().update(_native.IMAGE_CONSTANTS)

# The firmware's default font (S@9f9a812 ``freetype_wrap.c:19``).
DEFAULT_FONT = "/sdcard/res/font/SourceHanSansSC-Normal-Min.ttf"

_RAW_FORMATS = {GRAYSCALE, RGB565, RGB888, BGR888, RGBP888, ARGB8888, BGRA8888, YUV420}  # noqa: F821


def _color(color):
    """A colour as the native half takes it: an int, or (A, R, G, B)."""
    if color is None:
        return -1
    if isinstance(color, bool):
        raise TypeError("can't convert bool to color")
    if isinstance(color, int):
        return color
    c = tuple(int(v) & 0xFF for v in color)
    if len(c) == 3:
        return (0xFF,) + c
    if len(c) == 4:
        return c
    raise ValueError("color must be an int or a tuple of 3 or 4 ints")


def _coords(args, n, name):
    """Coordinates given one by one or as one tuple (``draw_line((x0, y0, x1, y1))``)."""
    if len(args) >= 1 and isinstance(args[0], (tuple, list)):
        coords, rest = tuple(args[0]), args[1:]
    else:
        coords, rest = args[:n], args[n:]
    if len(coords) != n:
        raise TypeError("%s() takes %d coordinates" % (name, n))
    return tuple(int(v) for v in coords), rest


def _font_path(font):
    """The host path of ``font`` (a board path), or None for the stand-in when the board has
    no copy of the firmware's default font."""
    path = font or DEFAULT_FONT
    try:
        host = confine.host_path(path)
    except OSError:
        host = None
    if host is not None and __import__("os").path.exists(host):
        return host
    if font:
        raise OSError("Open font %s failed." % font)
    return None


class Image:
    """``image.Image(w, h, format, alloc=ALLOC_MMZ, cache=True, phyaddr=None, virtaddr=None,
    poolid=None, data=None, cvt_565=False)`` or ``image.Image(path)``."""

    __slots__ = ("_img",)

    def __init__(self, *args, alloc=2, cache=True, phyaddr=None, virtaddr=None, poolid=None,
                 data=None, cvt_565=False, **kwargs):
        if len(args) == 1 and isinstance(args[0], str):
            with confine.open_board(args[0], "rb") as f:
                self._img = _native.Image._decode(f.read())
            return
        w = args[0] if len(args) > 0 else kwargs.get("w")
        h = args[1] if len(args) > 1 else kwargs.get("h")
        fmt = args[2] if len(args) > 2 else kwargs.get("format")
        if w is None or h is None or fmt is None:
            raise OSError("Expected width, height, and type")
        if w <= 0:
            raise OSError("Width must be > 0")
        if h <= 0:
            raise OSError("Height must be > 0")
        if fmt not in _RAW_FORMATS:
            raise OSError("Unsupported type")
        if alloc == ALLOC_VB and (not isinstance(phyaddr, int) or not isinstance(virtaddr, int)):  # noqa: F821
            raise ValueError("please set phyaddr and virtaddr")
        if alloc == ALLOC_REF and data is None:  # noqa: F821
            raise ValueError("please set reference object")
        if cvt_565 and fmt != RGB888:  # noqa: F821
            raise ValueError("cvt not support format %d" % fmt)
        raw = bytes(data) if data is not None else None
        self._img = _native.Image(int(w), int(h), fmt, alloc, phyaddr, poolid, raw)
        if cvt_565:
            self._img = self._img._convert(RGB565)  # noqa: F821

    @classmethod
    def _wrap(cls, native):
        img = cls.__new__(cls)
        img._img = native
        return img

    def width(self):
        return self._img.width()

    def height(self):
        return self._img.height()

    def format(self):
        return self._img.format()

    def size(self):
        return self._img.size()

    def phyaddr(self, *plane):
        return self._img.phyaddr(*plane)

    def virtaddr(self):
        return self._img.virtaddr()

    def poolid(self):
        return self._img.poolid()

    def to_bytes(self):
        return self._img.to_bytes()

    def bytearray(self):
        return self._img.bytearray()

    def __repr__(self):
        return repr(self._img)

    def __bytes__(self):
        return self._img.to_bytes()

    def to_numpy_ref(self):
        """The pixels as a uint8 array over the same memory (writes reach the image): RGB888
        and BGR888 (h, w, 3), RGBP888 (3, h, w), RGB565 (h, w, 2), ARGB8888 (h, w, 4),
        GRAYSCALE (h, w); numpy stands in for the board's ulab (display facts §5.5)."""
        w, h, fmt = self.width(), self.height(), self.format()
        shape = {RGB888: (h, w, 3), BGR888: (h, w, 3), RGBP888: (3, h, w),  # noqa: F821
                 RGB565: (h, w, 2), ARGB8888: (h, w, 4), GRAYSCALE: (h, w)}.get(fmt)  # noqa: F821
        if shape is None:
            raise ValueError("image format not support")
        try:
            import numpy
        except ImportError:
            raise ImportError("to_numpy_ref needs numpy on the PC (ulab on the board): "
                              "pip install numpy") from None
        return numpy.frombuffer(self._img._pixels_ref(), dtype=numpy.uint8).reshape(shape)


    # ---- drawing (each returns the image, as the firmware's do) --------------------------

    def clear(self, mask=None):
        self._img._clear()
        return self

    def draw_line(self, *args, color=None, thickness=1):
        (x0, y0, x1, y1), rest = _coords(args, 4, "draw_line")
        color, thickness = _rest(rest, color, thickness)
        self._img._line(x0, y0, x1, y1, _color(color), int(thickness))
        return self

    def draw_rectangle(self, *args, color=None, thickness=1, fill=False):
        (x, y, w, h), rest = _coords(args, 4, "draw_rectangle")
        color, thickness, fill = _rest(rest, color, thickness, fill)
        self._img._rectangle(x, y, w, h, _color(color), int(thickness), bool(fill))
        return self

    def draw_circle(self, *args, color=None, thickness=1, fill=False):
        (x, y, r), rest = _coords(args, 3, "draw_circle")
        color, thickness, fill = _rest(rest, color, thickness, fill)
        self._img._circle(x, y, r, _color(color), int(thickness), bool(fill))
        return self

    def draw_cross(self, *args, color=None, size=5, thickness=1):
        (x, y), rest = _coords(args, 2, "draw_cross")
        color, size, thickness = _rest(rest, color, size, thickness)
        self._img._cross(x, y, _color(color), int(size), int(thickness))
        return self

    def draw_arrow(self, *args, color=None, size=10, thickness=1):
        (x0, y0, x1, y1), rest = _coords(args, 4, "draw_arrow")
        color, size, thickness = _rest(rest, color, size, thickness)
        self._img._arrow(x0, y0, x1, y1, _color(color), int(size), int(thickness))
        return self

    def draw_string_advanced(self, x, y, char_size, str, color=None, font=None):  # noqa: A002
        """FreeType text, UTF-8, the baseline at ``y + char_size`` (facts §5.3)."""
        self._img._text(int(x), int(y), int(char_size), str, _color(color), _font_path(font))
        return self

    def draw_image(self, image, x=0, y=0, x_scale=1.0, y_scale=1.0, roi=None, rgb_channel=-1,
                   alpha=256, color_palette=None, alpha_palette=None, hint=0, x_size=None,
                   y_size=None):
        if not isinstance(image, Image):
            raise TypeError("Can't convert %s to Image" % type(image).__name__)
        if x_size is not None:
            x_scale = x_size / image.width()
        if y_size is not None:
            y_scale = y_size / image.height()
        if not 0 <= alpha <= 256:
            raise ValueError("Error: 0 <= alpha <= 256!")
        src = image.copy() if image is self else image  # drawn from a copy of itself
        self._img._blit(src._img, int(x), int(y), float(x_scale), float(y_scale), int(alpha))
        return self

    # ---- new images ----------------------------------------------------------------------

    def copy(self, *args, **kwargs):
        return Image._wrap(self._img._convert(self.format()))

    def to_rgb565(self, *args, **kwargs):
        return Image._wrap(self._img._convert(RGB565))  # noqa: F821

    def to_rgb888(self, *args, **kwargs):
        return Image._wrap(self._img._convert(RGB888))  # noqa: F821

    def to_grayscale(self, *args, **kwargs):
        return Image._wrap(self._img._convert(GRAYSCALE))  # noqa: F821

    def compress(self, quality=90):
        """A new JPEG image (the software encoder)."""
        _quality(quality)
        return Image._wrap(_native.Image._compressed(
            self.width(), self.height(), JPEG, self._img._encode("jpeg", int(quality))))  # noqa: F821

    to_jpeg = compress

    def to_png(self, *args, **kwargs):
        return Image._wrap(_native.Image._compressed(
            self.width(), self.height(), PNG, self._img._encode("png", 100)))  # noqa: F821

    def save(self, path, roi=None, quality=50):
        """Writes the image on the board as the firmware's ``imlib_save_image`` does (S HEAD
        ``port/omv/imlib/imlib.c:476-800``): ``.jpg``/``.jpeg``, ``.png``, ``.bmp``,
        ``.ppm`` (RGB565) and ``.pgm`` (GRAYSCALE) files are encoded, but RGB888, ARGB8888
        and YUV420 images refuse every one of them; any other name gets the raw pixel bytes
        (a JPEG or PNG image its file, with ``.jpg``/``.png`` added)."""
        _quality(quality)
        fmt = self.format()
        kind = _save_kind(path)
        families = (RGB888, BGR888, RGBP888, ARGB8888, BGRA8888, YUV420)  # noqa: F821
        if kind is not None and fmt in families:
            raise OSError("current format not support save function!")
        if kind == "bmp" and fmt in (JPEG, PNG):  # noqa: F821
            raise OSError("Image is not BMP!")
        if kind == "ppm" and fmt != RGB565:  # noqa: F821
            raise OSError("Image is not PPM!")
        if kind == "pgm" and fmt != GRAYSCALE:  # noqa: F821
            raise OSError("Image is not PGM!")
        if kind == "raw":
            raise OSError("Image is not BAYER!")  # only Bayer images, not simulated
        if kind is None:
            if fmt in (JPEG, PNG):  # noqa: F821
                path += ".jpg" if fmt == JPEG else ".png"  # noqa: F821
            data = self.to_bytes()
        elif fmt in (JPEG, PNG) and kind == ("jpeg" if fmt == JPEG else "png"):  # noqa: F821
            data = self.to_bytes()
        elif kind in ("ppm", "pgm"):
            data = _pnm(self)
        else:
            data = self._img._encode(kind, int(quality))
        with confine.open_board(path, "wb") as f:
            f.write(data)
        return self


def _save_kind(path):
    """The file kind a name's extension picks, None for any other (raw bytes)."""
    lower = path.lower()
    for ext, kind in ((".jpeg", "jpeg"), (".jpg", "jpeg"), (".png", "png"), (".bmp", "bmp"),
                      (".ppm", "ppm"), (".pgm", "pgm"), (".raw", "raw")):
        if lower.endswith(ext) and len(path) > len(ext):
            return kind
    return None


def _pnm(img):
    """A binary PPM of an RGB565 image (its colours widened) or PGM of a grey one."""
    w, h = img.width(), img.height()
    if img.format() == GRAYSCALE:  # noqa: F821
        return b"P5\n%d %d\n255\n" % (w, h) + img.to_bytes()
    return b"P6\n%d %d\n255\n" % (w, h) + img.to_rgb888().to_bytes()


def _quality(q):
    if not 1 <= q <= 100:
        raise ValueError("1 <= quality <= 100!")


def _rest(rest, *defaults):
    """Positional arguments after the coordinates, over the keyword defaults."""
    out = list(defaults)
    for i, v in enumerate(rest[: len(out)]):
        out[i] = v
    return out if len(out) > 1 else out[0]
