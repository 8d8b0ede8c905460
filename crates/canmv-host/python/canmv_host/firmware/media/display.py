"""``media.display`` on venc-sim: CanMV's ``Display`` of each firmware generation over the
simulated VO (display facts §2–§4).

- **2024** (``canmv-2024-07``, ``canmv-2024-08``; K@v1.0 ``display.py``): a Python class of
  classmethods; ``init(type, width, height, osd_num, to_ide, flag, fps, quality)``; panel types
  VIRT 303, LT9611 300, HX8377 301, ST7701 302; ``width()``/``height()`` the connector's (480x800
  for ST7701 800x480); ``init`` before ``MediaManager.init()``.
- **2025** (``canmv-2025-04``, ``canmv-2025-08``; S@0a609a7): the same class grown: the 2025
  panel numbers and sizes, ``fps()``, landscape ``width()``/``height()``; VIRT honours
  ``to_ide`` from 2025-08.
- **2026** (``canmv-2026-01`` on; ``_media.Display``, a C type): ``init(type, width, height,
  fps, flag, osd_num, to_ide, quality)``, ``inited``, ``config_layer``, keyword-only
  ``bind_layer``, ``writeback``/``writeback_dump``.

The screen is composed as the VO composes it (video layers, then OSD layers, a higher id on
top, per-pixel and global alpha) at the panel's refresh rate on the board clock; write-back
frames are NV12 that ``Encoder.SendFrame`` takes. See it with ``canmv-run --display``.
"""

import sys

import image
from canmv_host import _native

_FIRMWARE = _native.board_info()["firmware"]
if _native.board_info()["traits"]["camera_api"]:
    # v0.1–v0.6 have a different module (``display.init(type)``, ``set_plane``): D-072.
    raise NotImplementedError(
        "venc-sim: media.display of v0.1-v0.6 (display.init(type), set_plane) is not modeled; "
        "the display is modeled from v0.7 (--firmware canmv-2024-07 on)")
GENERATION = {"canmv-2024-07": 2024, "canmv-2024-08": 2024, "canmv-2025-04": 2025,
              "canmv-2025-08": 2025}.get(_FIRMWARE, 2026)

if GENERATION < 2026:
    # The 2024/2025 module's top-level imports, which its star import brings (facts §1.2).
    import machine  # noqa: F401
    from media.media import *  # noqa: F401, F403
    from mpp import *  # noqa: F401, F403

_YUV420SP = 31  # PIXEL_FORMAT_YUV_SEMIPLANAR_420
_LCD_FPS = 60  # An LCD panel's refresh is its timing's (pclk/htotal/vtotal): not in the facts (D-069).


def _print(text, end="\n"):
    sys.stdout.write(text + end)


def _panels_2026():
    """(type, name) -> [(w, h, fps, default)] of S HEAD's panel map (facts §2.5); fps 0: the
    panel's own."""
    lcd = lambda *sizes: [(w, h, 0, i == 0) for i, (w, h) in enumerate(sizes)]  # noqa: E731
    return {
        (302, "ST7701"): lcd((800, 480), (480, 800), (854, 480), (480, 854), (640, 480),
                             (480, 640), (368, 544), (544, 368)),
        (303, "HX8399"): lcd((1920, 1080), (1080, 1920)),
        (304, "ILI9806"): lcd((800, 480), (480, 800)),
        (305, "LT9611"): [(1920, 1080, 30, False), (1920, 1080, 60, True),
                          (1280, 720, 60, False), (1280, 720, 50, False), (1280, 720, 30, False),
                          (640, 480, 60, False), (1920, 1080, 29, False), (1920, 1080, 59, False),
                          (1280, 720, 59, False), (1280, 720, 49, False), (1280, 720, 29, False),
                          (640, 480, 59, False)],
        (306, "ILI9881"): lcd((1280, 800), (800, 1280)),
        (307, "NT35516"): lcd((960, 536), (536, 960)),
        (308, "NT35532"): lcd((1920, 1080), (1080, 1920)),
        (309, "GC9503"): lcd((800, 480), (480, 800)),
        (310, "ST7102"): lcd((640, 480), (480, 640)),
        (311, "AML020T"): lcd((480, 360), (360, 480)),
        (312, "JD9852"): lcd((320, 240), (240, 320)),
        (313, "ST7789"): lcd((320, 240), (240, 320)),
    }


def _panels_2025():
    """As 2026 up to AML020T; LT9611 1080p30 by default, 640x480 at any rate (facts §2.5)."""
    panels = {k: v for k, v in _panels_2026().items() if k[0] <= 311}
    panels[(305, "LT9611")] = [(1920, 1080, 30, True), (1920, 1080, 60, False),
                               (1280, 720, 60, False), (1280, 720, 50, False),
                               (1280, 720, 30, False), (640, 480, 0, False)]
    return panels


def _panels_2024():
    """K@v1.0 ``display.py:192-235``: LT9611 sizes at fixed rates, HX8377 fixed, ST7701 four
    sizes."""
    return {
        (300, "LT9611"): [(1920, 1080, 30, True), (1280, 720, 30, False), (640, 480, 60, False)],
        (301, "HX8377"): [(1080, 1920, 30, True)],
        (302, "ST7701"): [(800, 480, 0, True), (480, 800, 0, False), (854, 480, 0, False),
                          (480, 854, 0, False)],
    }


# Panels whose glass is portrait: a landscape size is shown rotated (facts §2.1, §2.3).
_PORTRAIT = {"ST7701": (480, 800)}


class _Screen:
    """What one display holds (one per process, as the firmware's class attributes)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.inited = False
        self.type = None
        self.name = None
        self.width = 0
        self.height = 0
        self.fps = 0
        self.osd_num = 1
        self.to_ide = False
        self.quality = 90
        self.flag = 0
        self.binds = {}  # video layer -> (src, rect, pix_format)
        self.osd_alpha = {}  # layer -> alpha
        self.shown = set()  # OSD layers holding a buffer
        self.frame = None  # the one write-back frame the 2026 module keeps
        self.sizes = {}  # OSD layer -> size of its last picture
        # 2024/2025: a landscape size on a portrait panel (ST7701 800x480) runs the VO at the
        # panel's own size and turns pictures into it (facts §2.1, §3.6).
        self.device = (0, 0)
        self.turned = False
        self.panel_flag = 0


_screen = _Screen()


def _vo_layer(layer):
    """The VO's layer id (new MPP numbering: OSD 4-7) of a generation's constant."""
    if GENERATION < 2026 and 3 <= layer <= 6:
        return layer + 1
    return layer


def _apply_binds():
    for layer, (src, rect, _fmt) in _screen.binds.items():
        _bind_now(layer, src, rect)


def _turns(flag):
    """Quarter turns clockwise of a ``FLAG_ROTATION_*`` (the 2024/2025 GDMA flags)."""
    return {2: 1, 4: 2, 8: 3}.get(flag & 0x0E, 0) if flag else 0


def _turned_rect(x, y, w, h, turns):
    """Where a ``w``x``h`` picture placed at (x, y) lands once turned (facts §3.6: for 90°
    and 270° x = W − h − y, y = x, w = h, h = w; 180° keeps it)."""
    if turns % 2 == 0:
        return x, y, w, h
    return max(_screen.device[0] - h - y, 0), x, h, w


def _bind_now(layer, src, rect):
    x, y, w, h = rect
    if w == 0 or h == 0:
        w, h = _screen.width, _screen.height
    # 2024/2025 force the panel's rotation onto the bound video layer (facts §3.7).
    turns = 1 if _screen.turned else 0
    _native.vo_video_layer(_vo_layer(layer), _turned_rect(x, y, w, h, turns), 255, turns)
    _native.vo_unbind(_vo_layer(layer))
    _native.vo_bind(tuple(src), _vo_layer(layer))


def _teardown():
    for layer in list(_screen.binds):
        _native.vo_unbind(_vo_layer(layer))
    _native.vo_disable()


def _pick(panels, type_, width, height, fps):
    """The panel row for a request, or (name, None) when the panel does not take it."""
    for (t, name), rows in panels.items():
        if t != type_:
            continue
        if not width and not height:
            for w, h, f, default in rows:
                if default and (not fps or not f or f == fps):
                    return name, (w, h, f)
            return name, None
        for w, h, f in ((r[0], r[1], r[2]) for r in rows):
            if (w, h) == (width, height) and (not fps or not f or f == fps):
                return name, (w, h, f)
        return name, None
    return None, None


if GENERATION == 2026:
    _display_doc = "``_media.Display`` of the 2026 firmware (S HEAD ``modmedia.display.c``)."
else:
    _display_doc = "``media.display.Display`` of the %d firmware (pure Python)." % GENERATION


class Display:
    __doc__ = _display_doc

    LAYER_VIDEO1 = 1
    LAYER_VIDEO2 = 2
    if GENERATION == 2026:
        LAYER_VIDEO3 = 3
        LAYER_OSD0, LAYER_OSD1, LAYER_OSD2, LAYER_OSD3 = 4, 5, 6, 7
        FLAG_ROTATION_NONE = 0
        FLAG_ROTATION_0, FLAG_ROTATION_90, FLAG_ROTATION_180, FLAG_ROTATION_270 = 1, 2, 4, 8
        FLAG_MIRROR_NONE, FLAG_MIRROR_HOR, FLAG_MIRROR_VER, FLAG_MIRROR_BOTH = 0, 16, 32, 48
        VIRT, DEBUGGER, ST7701, HX8399, ILI9806, LT9611 = 300, 301, 302, 303, 304, 305
        ILI9881, NT35516, NT35532, GC9503, ST7102, AML020T = 306, 307, 308, 309, 310, 311
        JD9852, ST7789 = 312, 313
    else:
        LAYER_OSD0, LAYER_OSD1, LAYER_OSD2, LAYER_OSD3 = 3, 4, 5, 6
        FLAG_ROTATION_0, FLAG_ROTATION_90, FLAG_ROTATION_180, FLAG_ROTATION_270 = 1, 2, 4, 8
        FLAG_MIRROR_NONE, FLAG_MIRROR_HOR, FLAG_MIRROR_VER, FLAG_MIRROR_BOTH = 16, 32, 64, 128
        FLAG_GRAY_ENABLE, FLAG_GRAY_DISABLE = 256, 512
        if GENERATION == 2024:
            VIRT, LT9611, HX8377, ST7701 = 303, 300, 301, 302
        else:
            VIRT, DEBUGGER, ST7701, HX8399, ILI9806, LT9611 = 300, 301, 302, 303, 304, 305
            ILI9881, NT35516, NT35532, GC9503, ST7102, AML020T = 306, 307, 308, 309, 310, 311

    _OSD = (LAYER_OSD0, LAYER_OSD1, LAYER_OSD2, LAYER_OSD3)

    # ---- 2026: static methods of the C type -----------------------------------------------

    if GENERATION == 2026:

        @staticmethod
        def init(type, width=0, height=0, fps=60, flag=0, osd_num=1, to_ide=False,  # noqa: A002
                 quality=90):
            if not isinstance(type, int) or type < 0:
                raise ValueError("invalid type\n")
            if _screen.inited:
                Display.deinit()
            if type == Display.VIRT:
                w, h = (width, height) if width and height else (640, 480)
                rate = fps or 60
                name = "VIRT"
            else:
                name, row = _pick(_panels_2026(), type, width, height, fps)
                if row is None:
                    raise RuntimeError("%s not support %dx%d@%d" % (name or "Unknown", width,
                                                                     height, fps))
                w, h, f = row
                rate = f or _LCD_FPS
                native = _PORTRAIT.get(name)
                if native and (h, w) == native and not flag:
                    _print("[fw_display]: Auto-rotating to 90 deg (Req: %dx%d, Phys: %dx%d)"
                           % (w, h, native[0], native[1]))
                    _print("panel is rotated, we only need one osd buffer")
                    osd_num = 1
            if (w, h) == (368, 544) or (w, h) == (544, 368):
                # The hardware mode is 368x552 (facts §2.5): the VO is that size.
                w, h = (368, 552) if w == 368 else (552, 368)
            _native.vo_enable(w, h, rate)
            _screen.inited, _screen.type, _screen.name = True, type, name
            _screen.width, _screen.height, _screen.fps = w, h, rate
            _screen.device = (w, h)
            _screen.osd_num, _screen.to_ide, _screen.flag = max(osd_num, 1), to_ide, flag
            _screen.quality = 50 if quality < 0 else 90 if quality > 100 else quality
            _apply_binds()
            if to_ide:
                _native.vo_wbc(True)

        @staticmethod
        def deinit():
            if not _screen.inited:
                return
            Display._release_frame()
            _teardown()
            _screen.reset()

        @staticmethod
        def inited():
            return _screen.inited

        @staticmethod
        def _check_layer(layer, video_ok=True):
            if layer == 0:
                raise ValueError("current can not use this layer")
            if not 1 <= layer <= 7 or (not video_ok and layer < 4):
                raise ValueError("invalid bind layer")

        @staticmethod
        def config_layer(*, rect=None, pix_format=-1, layer=-1, alpha=255, flag=0):
            if rect is None:
                raise TypeError("'rect' argument required")
            if layer == -1:
                free = [lyr for lyr in ((1, 2, 3) if pix_format == _YUV420SP else (4, 5, 6, 7))
                        if lyr not in _screen.binds and lyr not in _screen.osd_alpha]
                if not free:
                    raise RuntimeError("no free layer")
                layer = free[0]
            Display._check_layer(layer)
            if layer >= 4:
                _screen.osd_alpha[layer] = max(0, min(255, alpha))
            elif _screen.inited:
                x, y, w, h = rect
                _native.vo_video_layer(layer, (x, y, w, h), max(0, min(255, alpha)))
            return layer

        @staticmethod
        def bind_layer(src, *extra, rect=None, pix_format=-1, layer=-1, alpha=255, flag=0):
            # MicroPython's argument parser's words for these.
            if extra:
                raise TypeError("extra positional arguments given")
            if rect is None:
                raise TypeError("'rect' argument required")
            if layer == -1:
                layer = Display.LAYER_VIDEO1
            Display._check_layer(layer)
            if layer <= 3 and pix_format != _YUV420SP:
                _print("[py_display] ERROR: Video layer %d only supports YUV420SP" % layer)
                if _screen.inited:
                    raise RuntimeError("vo bind config layer failed.")
                return
            if layer in _screen.binds:
                raise RuntimeError("vo bind layer(%d) failed: already bound to %s"
                                   % (layer, _screen.binds[layer][0]))
            _screen.binds[layer] = (tuple(src), tuple(rect), pix_format)
            if _screen.inited:
                _bind_now(layer, src, rect)
            # Before init the firmware binds at once; frames reach a VO that is off and are
            # discarded, so binding at init shows the same.

        @staticmethod
        def unbind_layer(layer):
            if layer not in _screen.binds:
                return False
            del _screen.binds[layer]
            _native.vo_unbind(layer)
            _native.vo_disable_layer(layer)
            return True

        @staticmethod
        def disable_layer(layer):
            Display._check_layer(layer)
            _native.vo_disable_layer(layer)
            _screen.shown.discard(layer)
            _screen.osd_alpha.pop(layer, None)

        _disable_layer = disable_layer

        @staticmethod
        def width(layer=None):
            if layer is not None:
                return Display._layer_size(layer)[0]
            return _screen.width

        @staticmethod
        def height(layer=None):
            if layer is not None:
                return Display._layer_size(layer)[1]
            return 544 if (_screen.width, _screen.height) == (368, 552) else _screen.height

        @staticmethod
        def _layer_size(layer):
            if layer in _screen.binds:
                rect = _screen.binds[layer][1]
                return rect[2], rect[3]
            return _screen.sizes.get(layer, (0, 0))

        @staticmethod
        def fps():
            if not _screen.inited:
                raise RuntimeError("get fps but not init display")
            return _screen.fps if _screen.fps <= 200 else 0

        @staticmethod
        def show_image(img, x=0, y=0, layer=4, alpha=None, pixel_format=None, flag=0,
                       direct_show=False):
            if not isinstance(img, image.Image):
                raise TypeError("Can't convert %s to Image" % type(img).__name__)
            if not _screen.inited:
                raise RuntimeError("show image without init")
            if layer not in Display._OSD:
                raise ValueError("invalid layer")
            fmt = img.format() if pixel_format is None else pixel_format
            if fmt not in _SHOWABLE_2026:
                raise ValueError("unsupport image format %d" % fmt)
            if x + img.width() > _screen.width or y + img.height() > _screen.height:
                raise ValueError("image exceed the panel resolution")
            if direct_show and img.phyaddr() == 0:
                raise ValueError("direct show image require physical address")
            _take_osd_buffer(layer, "alloc layer buffer failed")
            if alpha is not None:
                _screen.osd_alpha[layer] = max(0, min(255, alpha))
            a = _screen.osd_alpha.setdefault(layer, 255)
            _native.vo_show_image(layer, img._img, x, y, a)
            _screen.sizes[layer] = (img.width(), img.height())

        @staticmethod
        def writeback(enable=None):
            if enable is None:
                return _native.vo_wbc_running()
            if not _screen.inited:
                raise RuntimeError("set wbc stats but not init display")
            if not enable:
                Display._release_frame()
            _native.vo_wbc(bool(enable))
            return True

        @staticmethod
        def writeback_dump(timeout=1000):
            """One write-back frame, kept until the next dump (facts §4.4); None (after
            ``wbc dump failed``) when write-back is off or no frame came in time."""
            Display._release_frame()
            raw = _native.vo_wbc_dump(int(timeout))
            if raw is None:
                _print("wbc dump failed", end="")
                return None
            from media.sensor import py_video_frame_info

            _screen.frame = py_video_frame_info(raw)
            return _screen.frame

        @staticmethod
        def _release_frame():
            if _screen.frame is not None:
                _native.vo_wbc_release(_screen.frame._bytes())
                _screen.frame = None

    # ---- 2024 / 2025: the Python class ----------------------------------------------------

    else:

        @classmethod
        def init(cls, type=None, width=None, height=None, osd_num=1, to_ide=False,  # noqa: A002
                 flag=None, fps=None, quality=90):
            if type is None:
                raise ValueError("please run Display.init(type=)")
            if _screen.inited:
                _print("Already run Display.init()")
                return
            if GENERATION == 2024 and _native.vo_media_inited():
                raise AssertionError("please run MediaManager._config() before "
                                     "MediaManager.init()")
            if GENERATION == 2025 and type < 0:
                raise RuntimeError("Get display device info failed.")
            if type == cls.VIRT:
                w = 640 if width is None else width
                h = 480 if height is None else height
                if GENERATION == 2025 and (not w or not h):
                    raise RuntimeError("Can't open display device or invalid configure for "
                                       "virt display")
                if w % 8:
                    raise ValueError("width must be an integral multiple of 8 pixels")
                rate, name = fps or 90, "VIRT"
                if GENERATION == 2024 or _FIRMWARE == "canmv-2025-04":
                    to_ide = True  # VIRT honours to_ide from 2025-08 (facts §2.6)
                size = (w, h)
            else:
                panels = _panels_2024() if GENERATION == 2024 else _panels_2025()
                if type < 300:
                    raise AssertionError("Unsupport display type %d" % type)
                name, row = _pick(panels, type, width or 0, height or 0,
                                  fps if GENERATION == 2025 else 0)
                if name is None:
                    raise AssertionError("Unsupport display type %d" % type)
                if row is None:
                    word = "unsupoort" if GENERATION == 2024 else "unsupport"
                    at = "@%d" % (fps or 0) if GENERATION == 2025 and name == "LT9611" else ""
                    raise ValueError("%s %s %dx%d%s" % (name, word, width or 0, height or 0, at))
                size, rate = row[:2], row[2] or _LCD_FPS
            native = _PORTRAIT.get(name)
            turned = native is not None and (size[1], size[0]) == native
            device = native if turned else size
            _native.vo_enable(device[0], device[1], rate)
            _screen.inited, _screen.type, _screen.name = True, type, name
            _screen.width, _screen.height, _screen.fps = size[0], size[1], rate
            _screen.device, _screen.turned = tuple(device), turned
            _screen.osd_num, _screen.to_ide = max(osd_num, 1), to_ide
            _screen.flag = flag if flag is not None else 0
            # Landscape sizes of a portrait panel record FLAG_ROTATION_90 unless given.
            _screen.panel_flag = (cls.FLAG_ROTATION_90 if flag is None else flag) if turned \
                else _screen.flag
            # ide_dbg_set_vo_wbc: a quality that is not an int or under 10 is 90 (facts §2.8).
            _screen.quality = quality if isinstance(quality, int) and quality >= 10 else 90
            _apply_binds()
            if to_ide:
                _native.vo_wbc(True)

        @classmethod
        def deinit(cls):
            if not _screen.inited:
                _print("did't call Display.init()")
                return
            _teardown()
            _screen.reset()

        @classmethod
        def bind_layer(cls, **kwargs):
            src = kwargs["src"]
            layer = kwargs.get("layer", cls.LAYER_VIDEO1)
            rect = tuple(kwargs.get("rect", (0, 0, 0, 0)))
            pix_format = kwargs.get("pix_format", 25)
            if not 1 <= layer <= 6:
                raise IndexError("layer(%d) out of range" % layer)
            if layer >= cls.LAYER_OSD0 and _screen.inited:
                raise NameError("name 'i' isn't defined")  # the firmware's bug (facts §2.1)
            if "alpha" in kwargs and layer < cls.LAYER_OSD0:
                _print("layer(%d) not support alpha, ignore it." % layer)
            if layer in _screen.binds:
                _print("bin_layer: layer(%d) haver been bind, auto unbind it." % layer)
                _native.vo_unbind(_vo_layer(layer))
            if pix_format != _YUV420SP:
                raise AssertionError("bind video layer only support format "
                                     "PIXEL_FORMAT_YUV_SEMIPLANAR_420")
            if layer == cls.LAYER_VIDEO2 and _screen.turned:
                raise ValueError("Bind to video layer enable rotation 90/180 only support "
                                 "Display.LAYER_VIDEO1")
            _screen.binds[layer] = (tuple(src), rect, pix_format)
            if _screen.inited and GENERATION == 2025:
                _bind_now(layer, src, rect)

        @classmethod
        def unbind_layer(cls, *args, **kwargs):
            raise NameError("name 'chn' isn't defined")  # the firmware's bug (facts §2.1)

        @classmethod
        def width(cls, layer=None):
            if layer is not None:
                if GENERATION == 2024:
                    raise NameError("name 'layer' isn't defined")
                return _layer_rect(layer)[1]  # the y offset: the firmware's bug (§2.2)
            return cls._size()[0]

        @classmethod
        def height(cls, layer=None):
            if layer is not None:
                if GENERATION == 2024:
                    raise NameError("name 'layer' isn't defined")
                return _layer_rect(layer)[3]
            return cls._size()[1]

        @classmethod
        def _size(cls):
            if GENERATION == 2024 and _screen.turned:
                return _screen.device  # the connector's hdisplay/vdisplay (facts §2.1)
            return _screen.width, _screen.height

        if GENERATION == 2025:

            @classmethod
            def fps(cls):
                if not _screen.inited:
                    raise AttributeError("'NoneType' object has no attribute 'pclk'")
                return _screen.fps if _screen.fps < 200 else 0

        @classmethod
        def show_image(cls, img, x=0, y=0, layer=None, alpha=255, flag=0 if GENERATION == 2024
                       else None):
            layer = cls.LAYER_OSD0 if layer is None else layer
            w, h = img.width(), img.height()  # not an Image: AttributeError, as on the board
            if not _screen.inited or w * h > _screen.width * _screen.height:
                raise ValueError("Image size is too large")
            if layer not in cls._OSD:
                raise AssertionError("layer(%d) is out of range." % layer)
            if w % 8:
                raise ValueError("Image width must be an integral multiple of 8 pixels")
            if img.format() not in _SHOWABLE_OLD:
                raise ValueError("Image format(%d) not support" % img.format())
            _take_osd_buffer(layer,
                             "please increase Display.config(osd_num=) or becareful the layer")
            # 2025: flag None is the panel's (FLAG_ROTATION_90 for a landscape ST7701); the
            # picture is turned by GDMA into the layer (facts §3.6).
            turns = _turns(_screen.panel_flag if flag is None else flag)
            x, y, _, _ = _turned_rect(x, y, w, h, turns)
            _native.vo_show_image(_vo_layer(layer), img._img, x, y, max(0, min(255, alpha)),
                                  turns)


_SHOWABLE_2026 = {image.ARGB8888, image.BGRA8888, image.RGB888, image.BGR888, image.RGB565,
                  image.GRAYSCALE}
_SHOWABLE_OLD = {image.ARGB8888, image.RGB888, image.RGB565, image.GRAYSCALE}
if GENERATION == 2025:
    _SHOWABLE_OLD.add(image.BGRA8888)


def _layer_rect(layer):
    if layer in _screen.binds:
        return _screen.binds[layer][1]
    return (0, 0, 0, 0)


def _take_osd_buffer(layer, message):
    """An OSD layer's picture takes a buffer of the display's pool (facts §3.5). 2024/2025:
    one persistent buffer per layer, ``osd_num + 1`` layers at most. 2026: each show takes a
    new block of ``osd_num + 2`` before it frees the layer's last one, so with ``osd_num=1``
    three layers show once and the next update fails."""
    shown = _screen.shown
    if GENERATION == 2026:
        refused = _screen.osd_num + 2 - len(shown) < 1
    else:
        refused = layer not in shown and len(shown) + 1 > _screen.osd_num + 1
    if refused:
        raise RuntimeError(message)
    shown.add(layer)


if GENERATION == 2026:
    __all__ = ["Display", "image"]
