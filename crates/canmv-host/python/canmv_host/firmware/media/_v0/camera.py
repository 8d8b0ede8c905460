"""``media.camera`` of v0.1–v0.6 (oldgen facts §1.3): the class ``camera`` with class methods
over a table of three devices, each a simulated sensor (the same VICAP model as ``Sensor``).

Order (§1.6): ``sensor_init`` first (it sets the acquisition window), then the channel's
``set_outbufs``/``set_outsize``/``set_outfmt`` (whichever completes count and size registers
the channel's pool), ``media.buffer_init()``, and ``start_stream``. A channel whose pool was
registered after ``buffer_init`` has no buffers on the board; here ``start_stream`` then fails
(D-070)."""

import image
from canmv_host import _native, guesses
from mpp import *  # noqa: F401, F403
from media._v0.failures import bad_param, firmware_call
from canmv_host.generation import since
from media._v0.media import *  # noqa: F401, F403
from media._v0.media import media

# Pixel formats (v0.x ``mpp/video_struct.py``): planar RGB is 44, named BGR in v0.1.
PIXEL_FORMAT_RGB_888 = 3
PIXEL_FORMAT_BGR_888 = 7
PIXEL_FORMAT_RGB_BAYER_8BPP, PIXEL_FORMAT_RGB_BAYER_10BPP = 19, 20
PIXEL_FORMAT_RGB_BAYER_12BPP, PIXEL_FORMAT_RGB_BAYER_14BPP, PIXEL_FORMAT_RGB_BAYER_16BPP = 21, 22, 23
PIXEL_FORMAT_YUV_SEMIPLANAR_420 = 31
PIXEL_FORMAT_BGR_888_PLANAR = 44
if since("canmv-2023-11"):
    PIXEL_FORMAT_RGB_888_PLANAR = 44
_BAYER = (20, 21, 22, 23)
# The simulated sensor's numbers for the formats it produces (``Sensor.*``).
_SIM_FORMAT = {31: _native.Sensor.YUV420SP, 3: _native.Sensor.RGB888, 44: _native.Sensor.RGBP888}

CAM_CHN0_OUT_WIDTH_MAX, CAM_CHN0_OUT_HEIGHT_MAX = 3072, 2160
CAM_CHN1_OUT_WIDTH_MAX, CAM_CHN1_OUT_HEIGHT_MAX = 1920, 1080
CAM_CHN2_OUT_WIDTH_MAX, CAM_CHN2_OUT_HEIGHT_MAX = 1920, 1080
CAM_OUT_WIDTH_MIN = CAM_OUT_HEIGHT_MIN = 64
CAM_DEFAULT_OUTPUT_BUF_NUM = 6
CAM_DEFAULT_INPUT_BUF_NUM = 4

# Sensor types (``mpp/sensor_struct.py``): value -> native window and frame rate.
_SENSOR_MODES = {
    **{t: (1280, 720, 30) for t in (0, 1, 2, 5, 18, 19, 20)},
    **{t: (1280, 720, 60) for t in (3, 4, 6)},
    **{t: (1920, 1080, 30) for t in (7, 10, 21, 24, 27, 28, 39, 100, 101)},
    **{t: (2592, 1944, 30) for t in (8, 9, 11, 12, 13, 14)},
    15: (640, 480, 120), 16: (640, 480, 60), 17: (640, 480, 30),
    22: (2592, 1944, 10), 23: (640, 480, 60), 25: (1600, 1200, 30), 26: (1600, 1200, 30),
}
_NAMES_TO_V0_5 = {
    "CAM_OV9732_1280X720_30FPS_10BIT_LINEAR": 0,
    "CAM_OV9286_1280X720_30FPS_10BIT_LINEAR_IR": 1,
    "CAM_OV9286_1280X720_30FPS_10BIT_LINEAR_SPECKLE": 2,
    "CAM_OV9286_1280X720_60FPS_10BIT_LINEAR_IR": 3,
    "CAM_OV9286_1280X720_60FPS_10BIT_LINEAR_SPECKLE": 4,
    "CAM_OV9286_1280X720_30FPS_10BIT_LINEAR_IR_SPECKLE": 5,
    "CAM_OV9286_1280X720_60FPS_10BIT_LINEAR_IR_SPECKLE": 6,
    "CAM_IMX335_2LANE_1920X1080_30FPS_12BIT_LINEAR": 7,
    "CAM_IMX335_2LANE_2592X1944_30FPS_12BIT_LINEAR": 8,
    "CAM_IMX335_4LANE_2592X1944_30FPS_12BIT_LINEAR": 9,
    "CAM_IMX335_2LANE_1920X1080_30FPS_12BIT_USEMCLK_LINEAR": 10,
    "CAM_IMX335_2LANE_2592X1944_30FPS_12BIT_USEMCLK_LINEAR": 11,
    "CAM_IMX335_4LANE_2592X1944_30FPS_12BIT_USEMCLK_LINEAR": 12,
    "CAM_IMX335_2LANE_2592X1944_30FPS_10BIT_2HDR": 13,
    "CAM_IMX335_2LANE_2592X1944_30FPS_10BIT_3HDR": 14,
    "CAM_OV5647_1920X1080_30FPS_10BIT_LINEAR": 21,
    # Assigned twice in the firmware; the second (the 640x480 mode) wins.
    "CAM_OV5647_2592x1944_10FPS_10BIT_LINEAR": 23,
    "CAM_OV5647_1920X1080_30FPS_10BIT_USEMCLK_LINEAR": 24,
}
_CSI_NAMES = {
    "CAM_OV5647_1920X1080_CSI1_30FPS_10BIT_USEMCLK_LINEAR": 27,
    "CAM_OV5647_1920X1080_CSI2_30FPS_10BIT_USEMCLK_LINEAR": 28,
}
if not since("canmv-2024-04"):
    globals().update(_NAMES_TO_V0_5)
    CAM_SENSOR_TYPE_MAX = 255 if since("canmv-2024-03") else 29
if since("canmv-2024-03"):
    globals().update(_CSI_NAMES)
if since("canmv-2024-03") and not since("canmv-2024-04"):
    CAM_IMX335_2LANE_1920X1080_CSI1_30FPS_12BIT_USEMCLK_LINEAR = 100
    CAM_IMX335_2LANE_1920X1080_CSI2_30FPS_12BIT_USEMCLK_LINEAR = 101
_TYPE_MAX = 255 if since("canmv-2024-03") else 29
# The board default (v0.6 picks it by board from os.uname(); the CanMV board's is 24).
CAM_DEFAULT_SENSOR = 24

# VICAP statuses (K_DEF_ERR(K_ID_VICAP = 21, ERROR, id)).
_VICAP_NOT_PERM = 0xA0158009 - (1 << 32)
_VICAP_NOT_CONFIG = 0xA0158007 - (1 << 32)
_VICAP_NOMEM = 0xA015800C - (1 << 32)


_stopped = []


def _align_up(x, a):
    return (x + a - 1) & ~(a - 1)


class _Channel:
    def __init__(self):
        self.enabled = False
        self.buffer_num = CAM_DEFAULT_OUTPUT_BUF_NUM
        self.width = self.height = 0
        self.alignment = 0
        self.pix_format = 0
        self.buffer_size = 0
        self.registered = False  # the pool went to media.buffer_config
        self.pool_created = False  # … before buffer_init, so the board creates it


class _Device:
    def __init__(self):
        self.enabled = False
        self.window = (0, 0)
        self.fps = 30
        self.native = None
        self.started = False
        self.chns = [_Channel() for _ in range(CAM_CHN_ID_MAX)]  # noqa: F405


class camera:  # noqa: N801 - the firmware's class name
    cam_dev = [_Device() for _ in range(CAM_DEV_ID_MAX)]  # noqa: F405

    @classmethod
    def _check(cls, dev_num, chn_num=0, text="invalid param"):
        if dev_num > CAM_DEV_ID_MAX - 1 or chn_num > CAM_CHN_ID_MAX - 1:  # noqa: F405
            bad_param(f"{text}, dev_num({dev_num}, chn_num({chn_num}))")

    @classmethod
    @firmware_call
    def sensor_init(cls, dev_num, type):
        if dev_num > CAM_DEV_ID_MAX - 1 or type > _TYPE_MAX - 1:  # noqa: F405
            bad_param(f"sensor_init, invalid param, dev_num({dev_num}, sensor type({type}))")
        mode = _SENSOR_MODES.get(type)
        if mode is None:
            raise OSError("get sensor info err")
        dev = cls.cam_dev[dev_num]
        dev.window, dev.fps = mode[:2], mode[2]
        dev.enabled = True
        if since("canmv-2024-03") and sum(d.enabled for d in cls.cam_dev) > 1:
            for num, d in enumerate(cls.cam_dev):
                if d.enabled:
                    print("MCM Device: ", num)

    @classmethod
    @firmware_call
    def set_inbufs(cls, dev_num, num):
        if dev_num > CAM_DEV_ID_MAX - 1:  # noqa: F405
            bad_param(f"set_inbufs, invalid param, dev_num({dev_num}")
        w, h = cls.cam_dev[dev_num].window
        cls._register_pool(num, _align_up(w * h * 2, 4096), f"set_inbufs({dev_num})")

    @classmethod
    def _register_pool(cls, count, size, where):
        config = k_vb_config()  # noqa: F405
        config.max_pool_cnt = 64
        config.comm_pool[0].blk_cnt = count
        config.comm_pool[0].mode = VB_REMAP_MODE_NOCACHE  # noqa: F405
        config.comm_pool[0].blk_size = size
        ret = media.buffer_config(config)
        if ret:
            raise OSError(f"{where}, buffer_config failed({ret})")
        return media._pools_created()

    @classmethod
    def _complete(cls, dev_num, chn_num, where):
        chn = cls.cam_dev[dev_num].chns[chn_num]
        if not chn.registered and chn.buffer_num and chn.buffer_size:
            chn.registered = True
            chn.pool_created = cls._register_pool(chn.buffer_num, chn.buffer_size, where)

    @classmethod
    def _size_buffer(cls, dev_num, chn_num, where):
        dev = cls.cam_dev[dev_num]
        chn = dev.chns[chn_num]
        fmt = chn.pix_format
        if fmt == PIXEL_FORMAT_YUV_SEMIPLANAR_420:
            chn.buffer_size = _align_up(chn.width * chn.height * 3 // 2, 4096)
        elif fmt in (PIXEL_FORMAT_RGB_888, 44):
            chn.buffer_size = _align_up(chn.width * chn.height * 3, 4096)
        elif fmt in _BAYER:
            raise NotImplementedError(
                f"venc-sim: {where}: Bayer output (format {fmt}) is not modeled: the simulated "
                "sensor gives YUV420SP, RGB888 and planar RGB")
        else:
            raise ValueError(f"{where},unspported format!")

    @classmethod
    @firmware_call
    def set_outbufs(cls, dev_num, chn_num, num):
        cls._check(dev_num, chn_num, "set_outbufs, invalid param")
        chn = cls.cam_dev[dev_num].chns[chn_num]
        chn.enabled = True
        chn.buffer_num = num
        cls._complete(dev_num, chn_num, f"set_outbufs({dev_num})")

    if since("canmv-2024-03"):

        @classmethod
        @firmware_call
        def set_outsize(cls, dev_num, chn_num, width, height, alignment=0):
            cls._set_outsize(dev_num, chn_num, width, height, alignment)

    else:

        @classmethod
        @firmware_call
        def set_outsize(cls, dev_num, chn_num, width, height):
            cls._set_outsize(dev_num, chn_num, width, height, 0)

    @classmethod
    def _set_outsize(cls, dev_num, chn_num, width, height, alignment):
        cls._check(dev_num, chn_num)
        dev = cls.cam_dev[dev_num]
        win_w, win_h = dev.window
        if width > win_w or height > win_h or width < CAM_OUT_WIDTH_MIN or height < CAM_OUT_HEIGHT_MIN:
            bad_param(f"invalid out size, width({width}, height({height}))")
        chn = dev.chns[chn_num]
        chn.enabled = True
        chn.width, chn.height, chn.alignment = _align_up(width, 16), height, alignment
        if chn.pix_format:
            cls._size_buffer(dev_num, chn_num, f"set_outsize({dev_num},{chn_num})")
        cls._complete(dev_num, chn_num, f"set_outsize({dev_num})")

    @classmethod
    @firmware_call
    def set_outfmt(cls, dev_num, chn_num, pix_format):
        cls._check(dev_num, chn_num)
        chn = cls.cam_dev[dev_num].chns[chn_num]
        chn.pix_format = pix_format
        chn.enabled = True
        if chn.width and chn.height:
            cls._size_buffer(dev_num, chn_num, f"set_outfmt({dev_num},{chn_num})")
        cls._complete(dev_num, chn_num, f"set_outfmt({dev_num})")

    @classmethod
    def _configure(cls, dev_num):
        """The device's channels on the simulated sensor (``kd_mpi_vicap_set_chn_attr``)."""
        dev = cls.cam_dev[dev_num]
        if not dev.enabled:
            raise OSError(f"start_stream({dev_num}), set dev attr failed({_VICAP_NOT_CONFIG})")
        if dev.native is None:
            w, h = dev.window
            dev.native = _native.Sensor(id=dev_num, width=w, height=h, fps=dev.fps)
            dev.native.reset()
        for chn_num, chn in enumerate(dev.chns):
            if not chn.enabled:
                continue
            if not (chn.width and chn.height and chn.pix_format in _SIM_FORMAT):
                # The firmware's message is not an f-string: it shows the braces.
                raise OSError("start_stream({dev_num}), set chn attr failed({ret})")
            if not chn.pool_created:
                guesses.note("D-070", f"camera dev {dev_num} chn {chn_num}: its buffer pool was "
                             "registered after media.buffer_init(), so the board never made it; "
                             "start_stream fails here")
                raise OSError(f"start_stream({dev_num}), vicap init failed({_VICAP_NOMEM})")
            dev.native.set_framesize(chn=chn_num, width=chn.width, height=chn.height,
                                     alignment=chn.alignment)
            dev.native.set_pixformat(_SIM_FORMAT[chn.pix_format], chn_num)

    @classmethod
    def _start(cls, dev_num):
        dev = cls.cam_dev[dev_num]
        try:
            dev.native.run()
        except (RuntimeError, AssertionError, ValueError) as e:
            raise OSError(f"start_stream({dev_num}), start stream failed({_VICAP_NOT_PERM})") from e
        dev.started = True

    @classmethod
    @firmware_call
    def start_stream(cls, dev_num):
        if dev_num > CAM_DEV_ID_MAX - 1:  # noqa: F405
            bad_param(f"invalid param, dev_num({dev_num}")
        cls._configure(dev_num)
        cls._start(dev_num)

    @classmethod
    def _stop(cls, dev_num):
        dev = cls.cam_dev[dev_num]
        if not dev.started:
            raise OSError(f"stop_stream({dev_num}), stop stream failed({_VICAP_NOT_PERM})")
        dev.native.stop()
        # Frames already handed to a bound encoder keep their blocks (the VB reference count):
        # the sensor's buffers live on until the script ends.
        _stopped.append(dev.native)
        dev.native, dev.started = None, False

    @classmethod
    @firmware_call
    def stop_stream(cls, dev_num):
        if dev_num > CAM_DEV_ID_MAX - 1:  # noqa: F405
            bad_param(f"stop_stream, invalid param, dev_num({dev_num}")
        cls._stop(dev_num)

    if since("canmv-2024-03"):

        @classmethod
        @firmware_call
        def start_mcm_stream(cls):
            """Every enabled device: attributes first, then the streams (oldgen facts §1.3)."""
            live = [n for n, d in enumerate(cls.cam_dev) if d.enabled]
            for dev_num in live:
                cls._configure(dev_num)
            for dev_num in live:
                cls._start(dev_num)

        @classmethod
        @firmware_call
        def stop_mcm_stream(cls):
            for dev_num, dev in enumerate(cls.cam_dev):
                if dev.enabled:
                    cls._stop(dev_num)

    @classmethod
    def capture_image(cls, dev_num, chn_num):
        """The channel's next frame as an ``image.Image`` over its buffer."""
        cls._check(dev_num, chn_num, "capture_image, invalid param")
        dev = cls.cam_dev[dev_num]
        if not dev.started:
            raise OSError(f"capture_image, dev({dev_num}) chn({chn_num}) request frame failed.")
        try:
            return image.Image._wrap(dev.native._snapshot(chn_num))
        except (RuntimeError, AssertionError) as e:
            raise OSError(f"capture_image, dev({dev_num}) chn({chn_num}) request frame "
                          "failed.") from e

    @classmethod
    def release_image(cls, dev_num, chn_num, img):
        """Gives the frame back (the simulated channel also takes it back at the next
        capture)."""
        cls._check(dev_num, chn_num, "release_image, invalid param")
