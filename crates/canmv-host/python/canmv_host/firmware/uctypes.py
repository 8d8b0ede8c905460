"""``uctypes`` on venc-sim: reads of simulated memory by address.

``bytearray_at`` returns a copy where the board returns a view (docs/divergences.md, D-022):
over a pack, writes stay in the copy; over a ``MediaManager.Buffer``, item and slice stores
(``bytearray_at(buf.virt_addr, n)[:] = data``, the firmware's own idiom) also reach the
buffer. A read of memory the script does not own raises ``canmv_host.MemoryFault``: on the
board it crashes the script.
"""

from canmv_host import _native
from canmv_host._cstruct import sizeof
from canmv_host._native import bytes_at

__all__ = ["addressof", "bytearray_at", "bytes_at", "sizeof"]


def addressof(obj):
    """``uctypes.addressof(obj)``: an address standing for ``obj`` (the host's object id; no
    simulated call reads through it: ``kd_mpi_venc_get_stream`` fills ``_pack`` instead)."""
    return id(obj)


class _MediaBytes(bytearray):
    """A copy of media-buffer bytes whose stores are written through to the buffer."""

    def __init__(self, addr, data):
        super().__init__(data)
        self._addr = addr

    def __setitem__(self, key, value):
        size = len(self)
        if isinstance(key, slice):
            start, stop, step = key.indices(size)
            count = len(range(start, stop, step))
            value = bytes(value)
            if len(value) != count:
                raise ValueError("bytearray_at views have a fixed size")
        super().__setitem__(key, value)
        if len(self) != size:  # cannot happen after the check above; never resize memory
            raise ValueError("bytearray_at views have a fixed size")
        if isinstance(key, slice):
            if step == 1:
                _native.write_at(self._addr + start, bytes(self[start:stop]))
            else:
                _native.write_at(self._addr, bytes(self))
        else:
            index = key + size if key < 0 else key
            _native.write_at(self._addr + index, bytes(self[index : index + 1]))

    def __delitem__(self, key):
        raise ValueError("bytearray_at views have a fixed size")


def bytearray_at(addr, size):
    """``uctypes.bytearray_at(addr, size)``."""
    data = _native.bytearray_at(addr, size)
    if _native.is_media_buffer(addr, size):
        return _MediaBytes(addr, data)
    return data
