"""``uctypes`` on venc-sim: reads of simulated memory by address.

``bytearray_at`` returns a copy, where the board returns a view (see docs/divergences.md, D-022).
A read of memory the script does not own raises ``canmv_host.MemoryFault``: on the board it
crashes the script.
"""

from canmv_host._cstruct import sizeof
from canmv_host._native import bytearray_at, bytes_at

__all__ = ["bytearray_at", "bytes_at", "sizeof"]
