"""``media.sensor`` of v0.6 (oldgen facts §1.3): the lower-case class ``sensor``, the camera
class under new method names, with every enabled device started and stopped together
(``start_stream()``/``stop_stream()``)."""

import os  # noqa: F401  (the firmware's module imports it; its star import brings it)

import image  # noqa: F401
from media._v0.camera import *  # noqa: F401, F403
from media._v0.camera import (
    PIXEL_FORMAT_RGB_888,
    PIXEL_FORMAT_RGB_888_PLANAR,
    PIXEL_FORMAT_YUV_SEMIPLANAR_420,
    camera,
)
from media._v0.failures import bad_param


class sensor(camera):  # noqa: N801 - the firmware's class name
    YUV420SP = PIXEL_FORMAT_YUV_SEMIPLANAR_420
    RGB888 = PIXEL_FORMAT_RGB_888
    RGB888P = PIXEL_FORMAT_RGB_888_PLANAR

    @classmethod
    def reset(cls, dev_num, type):
        return camera.sensor_init.__func__(cls, dev_num, type)

    @classmethod
    def set_framesize(cls, dev_num, chn_num, width, height, alignment=0):
        return cls._set_outsize(dev_num, chn_num, width, height, alignment)

    @classmethod
    def set_pixformat(cls, dev_num, chn_num, pix_format):
        return camera.set_outfmt.__func__(cls, dev_num, chn_num, pix_format)

    @classmethod
    def start_stream(cls):
        return camera.start_mcm_stream.__func__(cls)

    @classmethod
    def stop_stream(cls):
        return camera.stop_mcm_stream.__func__(cls)

    @classmethod
    def snapshot(cls, dev_num, chn_num):
        return camera.capture_image.__func__(cls, dev_num, chn_num)

    @classmethod
    def unsnapshot(cls, dev_num, chn_num, img):
        return camera.release_image.__func__(cls, dev_num, chn_num, img)


del bad_param
