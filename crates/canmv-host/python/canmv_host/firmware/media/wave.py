"""``media.wave``: CanMV's WAV reader and writer (oldgen facts §2.2), CPython's ``wave`` under
the firmware's names (``get_channels``, ``read_frames``, ``set_framerate``, ``write_frames`` …)
on the board's files."""

import wave as _wave

from canmv_host.confine import board_module

__all__ = ["open", "openfp", "Error"]


class Error(Exception):
    pass


def _translated(call, *args):
    try:
        return call(*args)
    except _wave.Error as e:
        raise Error(*e.args) from None


class Wave_read:  # noqa: N801 - the firmware's name
    def __init__(self, f):
        self._file = board_module("io").open(f, "rb") if isinstance(f, str) else None
        self._w = _translated(_wave.open, self._file or f, "rb")

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()

    def close(self):
        self._w.close()
        if self._file is not None:
            self._file.close()
            self._file = None

    def get_channels(self):
        return self._w.getnchannels()

    def get_sampwidth(self):
        return self._w.getsampwidth()

    def get_framerate(self):
        return self._w.getframerate()

    def get_frames(self):
        return self._w.getnframes()

    def get_params(self):
        return self._w.getparams()

    def read_frames(self, nframes):
        return self._w.readframes(nframes)

    def rewind(self):
        self._w.rewind()

    def tell(self):
        return self._w.tell()

    def setpos(self, pos):
        _translated(self._w.setpos, pos)


class Wave_write:  # noqa: N801 - the firmware's name
    def __init__(self, f):
        self._file = board_module("io").open(f, "wb") if isinstance(f, str) else None
        self._w = _wave.open(self._file or f, "wb")

    def __enter__(self):
        return self

    def __exit__(self, *args):
        self.close()

    def close(self):
        _translated(self._w.close)
        if self._file is not None:
            self._file.close()
            self._file = None

    def set_channels(self, nchannels):
        _translated(self._w.setnchannels, nchannels)

    def get_channels(self):
        return _translated(self._w.getnchannels)

    def set_sampwidth(self, sampwidth):
        _translated(self._w.setsampwidth, sampwidth)

    def get_sampwidth(self):
        return _translated(self._w.getsampwidth)

    def set_framerate(self, framerate):
        _translated(self._w.setframerate, framerate)

    def get_framerate(self):
        return _translated(self._w.getframerate)

    def set_params(self, params):
        _translated(self._w.setparams, params)

    def write_frames(self, data):
        _translated(self._w.writeframes, data)

    def write_frames_raw(self, data):
        _translated(self._w.writeframesraw, data)

    def tell(self):
        return self._w.tell()


def open(f, mode=None):  # noqa: A001 - the firmware's name
    if mode is None:
        mode = getattr(f, "mode", "rb")
    if mode in ("r", "rb"):
        return Wave_read(f)
    if mode in ("w", "wb"):
        return Wave_write(f)
    raise Error("mode must be 'r', 'rb', 'w', or 'wb'")


openfp = open
