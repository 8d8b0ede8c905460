"""How v0.1–v0.6 report a failure (oldgen facts §1.7): v0.1–v0.2 print a message and return -1
(0 on success); from v0.3 the same checks raise ``ValueError`` / ``OSError`` and calls return
None. The modules here are written in the raising form; :func:`firmware_call` gives them the
return-code form on the generations that have it."""

import functools

from canmv_host import _native

_TRAITS = _native.board_info()["traits"]
RETURN_CODES = _TRAITS["return_codes"]
# v0.1's camera prints through ``printf``, a name that does not exist (oldgen facts §1.3).
PRINTF_BUG = RETURN_CODES and _TRAITS["deinit_exits_vb"]


def firmware_call(method):
    """On v0.1–v0.2: a raised ``ValueError``/``OSError`` becomes its message printed (as
    ``print(*args)`` prints) and -1; success 0 (or the call's own result)."""
    if not RETURN_CODES:
        return method

    @functools.wraps(method)
    def call(*args, **kwargs):
        try:
            result = method(*args, **kwargs)
        except (ValueError, OSError) as e:
            print(*e.args)
            return -1
        return 0 if result is None else result

    return call


def bad_param(*message):
    """A parameter check that fails: ValueError from v0.3, a printed -1 in v0.2, and in v0.1
    the NameError of its ``printf``."""
    if PRINTF_BUG:
        raise NameError("name 'printf' isn't defined")
    raise ValueError(*message)
