"""``media.sensor`` as the CanMV firmware exports it, on venc-sim."""

from canmv_host import _native

globals().update(_native.SENSOR_CONSTANTS)

Sensor = _native.Sensor
