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


# Objects whose address a script took, newest last: a binding handed such an address (the
# MP4 muxer's `frame.data = uctypes.addressof(buf)`) reads the object's bytes. Bounded, as a
# script takes the address of a few buffers it reuses.
_ADDRESSED = {}
_ADDRESSED_MAX = 64


def addressof(obj):
    """``uctypes.addressof(obj)``: an address standing for ``obj`` (the host's object id), which
    the simulated C bindings resolve back to the object's bytes (:func:`read`)."""
    addr = id(obj)
    _ADDRESSED.pop(addr, None)
    _ADDRESSED[addr] = obj
    while len(_ADDRESSED) > _ADDRESSED_MAX:
        _ADDRESSED.pop(next(iter(_ADDRESSED)))
    return addr


def read(addr, size):
    """The ``size`` bytes a C binding reads at ``addr``: inside an object whose address the
    script took, or simulated memory (a pack mapping, a media buffer). Memory the script does
    not own raises ``canmv_host.MemoryFault``, as the board would crash."""
    # An object's address is its id, not where its bytes lie, so ranges of different objects
    # can overlap: the object whose address it is exactly wins, then the newest containing one.
    candidates = [(addr, _ADDRESSED[addr])] if addr in _ADDRESSED else []
    candidates += [(b, o) for b, o in reversed(_ADDRESSED.items()) if b < addr]
    for base, obj in candidates:
        try:
            view = memoryview(obj).cast("B")
        except TypeError:
            continue
        if addr + size <= base + len(view):
            return bytes(view[addr - base:addr - base + size])
    return bytes_at(addr, size)


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
