"""What a CanMV script sees of MicroPython where CPython, which runs it here, differs
(docs/divergences.md D-076):

- ``print`` of a float: the port's floats are single precision (``MICROPY_FLOAT_IMPL_FLOAT``,
  S ``port/mpconfigport.h``), printed with 7 significant digits (``%.7g``) and a ``.0`` when
  neither point nor exponent shows: ``print(1/3)`` → ``0.3333333``, ``print(0.1 + 0.2)`` →
  ``0.3``; inside lists, tuples, dicts and sets too. (``str()``, ``%`` and f-strings keep
  CPython's digits: not modeled.)
- the messages of a few built-in exceptions, as ``print(e)``, ``sys.print_exception`` and an
  uncaught traceback show them: ``name 'x' isn't defined``, ``divide by zero``,
  ``unsupported types for __add__: 'int', 'str'``, ``can't convert 'int' object to str
  implicitly``, ``invalid syntax for integer with base 10``.
"""

import builtins
import math
import re
import struct

_host_print = builtins.print

_OPERATORS = {"+": "__add__", "-": "__sub__", "*": "__mul__", "/": "__truediv__",
              "//": "__floordiv__", "%": "__mod__", "**": "__pow__", "<<": "__lshift__",
              ">>": "__rshift__", "&": "__and__", "|": "__or__", "^": "__xor__", "@": "__matmul__",
              "+=": "__iadd__", "-=": "__isub__", "*=": "__imul__", "/=": "__itruediv__"}
_RULES = (
    (NameError, re.compile(r"^name '(.*)' is not defined$"), lambda m: "name '%s' isn't defined"
     % m.group(1)),
    (ZeroDivisionError, re.compile(r"division by zero|modulo by zero"), lambda m: "divide by zero"),
    (TypeError, re.compile(r"^unsupported operand type\(s\) for (\S+): '(\w+)' and '(\w+)'$"),
     lambda m: "unsupported types for %s: '%s', '%s'" % (
         _OPERATORS.get(m.group(1), m.group(1)), m.group(2), m.group(3))),
    (TypeError, re.compile(r'^can only concatenate str \(not "(\w+)"\) to str$'),
     lambda m: "can't convert '%s' object to str implicitly" % m.group(1)),
    (ValueError, re.compile(r"^invalid literal for int\(\) with base (\d+): .*$"),
     lambda m: "invalid syntax for integer with base %s" % m.group(1)),
)


def exception_message(exc):
    """The message MicroPython gives ``exc`` (its CPython message where none differs)."""
    text = str(exc)
    for kind, pattern, make in _RULES:
        if isinstance(exc, kind):
            m = pattern.search(text)
            if m:
                return make(m)
    return text


def float_text(x):
    """``print(x)`` of a float on the board: single precision, 7 significant digits."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    try:
        single = struct.unpack("f", struct.pack("f", x))[0]
    except OverflowError:
        return "inf" if x > 0 else "-inf"
    text = "%.7g" % single
    if "." not in text and "e" not in text and "n" not in text:
        text += ".0"
    return text


def _has_float(obj, depth=0):
    if isinstance(obj, float):
        return True
    if depth > 8:
        return False
    if isinstance(obj, (list, tuple, set, frozenset)):
        return any(_has_float(o, depth + 1) for o in obj)
    if isinstance(obj, dict):
        return any(_has_float(k, depth + 1) or _has_float(v, depth + 1)
                   for k, v in obj.items())
    return False


def board_repr(obj):
    """``repr`` as the board prints it: floats (also inside containers) as :func:`float_text`."""
    if isinstance(obj, float):
        return float_text(obj)
    if not _has_float(obj):
        return repr(obj)
    if isinstance(obj, list):
        return "[" + ", ".join(board_repr(o) for o in obj) + "]"
    if isinstance(obj, tuple):
        inner = ", ".join(board_repr(o) for o in obj)
        return "(" + inner + ("," if len(obj) == 1 else "") + ")"
    if isinstance(obj, dict):
        return "{" + ", ".join("%s: %s" % (board_repr(k), board_repr(v))
                               for k, v in obj.items()) + "}"
    if isinstance(obj, (set, frozenset)):
        return "{" + ", ".join(board_repr(o) for o in obj) + "}"
    return repr(obj)


def _board_str(obj):
    if isinstance(obj, BaseException):
        return exception_message(obj)
    if isinstance(obj, str):
        return obj
    if isinstance(obj, float) or _has_float(obj):
        return board_repr(obj)
    return None


def board_print(*args, sep=" ", end="\n", file=None, flush=False):
    """The script's ``print``: CPython's, with floats and exception messages as the board
    prints them."""
    shown = []
    changed = False
    for a in args:
        text = _board_str(a) if not isinstance(a, (int, str, bytes)) else None
        if text is None:
            shown.append(a)
        else:
            shown.append(text)
            changed = True
    _host_print(*(shown if changed else args), sep=sep, end=end, file=file, flush=flush)


def format_exception(exc, tb):
    """A traceback's text with the last line's message as the board words it."""
    import traceback

    lines = traceback.format_exception(type(exc), exc, tb)
    board, host = exception_message(exc), str(exc)
    if board != host and lines and lines[-1].rstrip("\n").endswith(host):
        lines[-1] = lines[-1].rstrip("\n")[: -len(host)] + board + "\n"
    return "".join(lines)
