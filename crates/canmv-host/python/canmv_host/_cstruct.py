"""Structs over a bytearray, in the manner of MicroPython's ``uctypes.struct``.

The layout comes from the native module (``venc_core::cstruct``), the one description of the
C struct; ``SendFrame`` decodes the same bytes with it.
"""

import struct as _struct

_KINDS = {
    "u8": ("<B", 1, 0xFF),
    "u16": ("<H", 2, 0xFFFF),
    "u32": ("<I", 4, 0xFFFF_FFFF),
    "u64": ("<Q", 8, 0xFFFF_FFFF_FFFF_FFFF),
}


class _Array:
    """``phys_addr``-style fixed arrays; stores truncate to the element type, as uctypes does."""

    __slots__ = ("_buf", "_off", "_fmt", "_step", "_mask", "_count")

    def __init__(self, buf, off, kind, count):
        self._buf, self._off, self._count = buf, off, count
        self._fmt, self._step, self._mask = _KINDS[kind]

    def _at(self, i):
        if not isinstance(i, int):
            raise TypeError("array index must be an int")
        if i < 0:
            i += self._count
        if not 0 <= i < self._count:
            raise IndexError("array index out of range")
        return self._off + i * self._step

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._count))]
        return _struct.unpack_from(self._fmt, self._buf, self._at(i))[0]

    def __setitem__(self, i, value):
        if isinstance(i, slice):
            # uctypes takes a shorter bytes-like into the front of the array (the firmware's
            # `file_name[:] = bytes(name, 'utf-8')`); a longer one is an error.
            keys = range(*i.indices(self._count))
            values = list(value)
            if len(values) > len(keys):
                raise ValueError("array of %d elements cannot take %d" % (len(keys), len(values)))
            for k, v in zip(keys, values):
                self[k] = v
            return
        _struct.pack_into(self._fmt, self._buf, self._at(i), int(value) & self._mask)

    def __len__(self):
        return self._count

    def __iter__(self):
        return (self[i] for i in range(self._count))

    def __repr__(self):
        return repr(list(self))


class Struct:
    """A named view of a bytearray: scalar fields read and write, arrays and sub-structs are
    views of the same bytes."""

    __slots__ = ("_buf", "_fields", "_size")

    def __init__(self, buf, fields, size):
        object.__setattr__(self, "_buf", buf)
        object.__setattr__(self, "_fields", fields)
        object.__setattr__(self, "_size", size)

    def __getattr__(self, name):
        try:
            field = self._fields[name]
        except KeyError:
            raise AttributeError(f"struct has no field {name!r}") from None
        if isinstance(field, dict):
            return Struct(self._buf, field, self._size)
        off, kind, count = field
        if count > 1:
            return _Array(self._buf, off, kind, count)
        fmt, _, _ = _KINDS[kind]
        return _struct.unpack_from(fmt, self._buf, off)[0]

    def __setattr__(self, name, value):
        field = self._fields.get(name)
        if field is None:
            raise AttributeError(f"struct has no field {name!r}")
        if isinstance(field, dict) or field[2] > 1:
            raise TypeError(f"cannot assign to {name!r}: set its elements or fields")
        off, kind, _ = field
        fmt, _, mask = _KINDS[kind]
        _struct.pack_into(fmt, self._buf, off, int(value) & mask)

    def __dir__(self):
        return list(self._fields)

    def _bytes(self):
        """The whole struct's bytes, as the C binding receives them."""
        return bytes(self._buf)

    def __repr__(self):
        parts = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"<struct {parts}>"


def new_struct(size, fields):
    """A zeroed struct of ``size`` bytes with ``fields`` = [(dotted path, offset, kind, count)]."""
    tree = {}
    for path, off, kind, count in fields:
        node = tree
        *parents, leaf = path.split(".")
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = (off, kind, count)
    return Struct(bytearray(size), tree, size)


def sizeof(obj):
    """``uctypes.sizeof``: bytes of the whole struct."""
    if isinstance(obj, Struct):
        return obj._size
    raise TypeError("sizeof: not a struct")
