"""Strings at the C boundary, as the firmware's C modules read them (oldgen facts §5.1):
``mp_obj_str_get_data``/``get_str`` take str or bytes, expose a str's UTF-8 bytes (so a length
the C code checks is a byte count: ``"密码"`` is 6), and refuse anything else with MicroPython's
TypeError. Code that then uses ``strlen`` stops at an embedded NUL."""


def c_bytes(obj):
    """The bytes a C module sees for a str or bytes argument."""
    if isinstance(obj, str):
        return obj.encode("utf-8", "surrogateescape")
    if isinstance(obj, bytes):
        return obj
    raise TypeError("can't convert '%s' object to str implicitly" % type(obj).__name__)


def c_str(obj):
    """The argument as the str Python code here works with (bytes decoded as UTF-8)."""
    return c_bytes(obj).decode("utf-8", "surrogateescape")


def strlen(obj):
    """``strlen`` of the argument's bytes: the byte count up to the first NUL."""
    data = c_bytes(obj)
    end = data.find(b"\0")
    return len(data) if end < 0 else end
