"""Run unmodified CanMV K230 scripts on a PC, against the venc-sim simulator.

``canmv-run SCRIPT.py`` is the usual way in. From Python::

    import canmv_host
    canmv_host.configure(firmware="canmv-new", source="pattern")
    canmv_host.install()          # media.*, uctypes, os.exitpoint, sys.print_exception
    from media.vencoder import *  # now the firmware's modules import as on the board
"""

from ._native import MemoryFault, board_info, configure, query_status
from .env import FIRMWARE_DIR, install

__all__ = [
    "FIRMWARE_DIR",
    "MemoryFault",
    "board_info",
    "configure",
    "install",
    "query_status",
]
