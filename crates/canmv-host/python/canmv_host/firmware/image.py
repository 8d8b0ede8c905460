"""``image`` on venc-sim: the ``Image`` that ``sensor.snapshot()`` returns and the format names.

The simulated board has no OpenMV image library: an ``Image`` comes only from a snapshot
(``width()``, ``height()``, ``format()``, ``size()``, ``phyaddr()``, ``poolid()``,
``to_bytes()``); ``image.Image(w, h, fmt)`` and drawing are not simulated and raise TypeError.
"""

from canmv_host import _native

Image = _native.Image

# The names scripts compare image.format() with; values as Sensor's (facts §2).
GRAYSCALE = 303
RGB565 = 2
RGB888 = 3
RGBP888 = 46
YUV420 = 31
