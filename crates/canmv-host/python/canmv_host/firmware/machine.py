"""``machine`` on venc-sim: only what the simulated board can honour.

``reset()``/``soft_reset()`` end the script as a reboot would (``SystemExit``; the board's
console would then show the boot banner). Pins, I2C, UART and the rest are not simulated:
using them raises AttributeError, rather than pretending to work.
"""

import sys


def reset():
    """Reboots the board: the script ends here."""
    print("machine.reset(): the board reboots; the script ends", file=sys.stderr)
    raise SystemExit(0)


def soft_reset():
    """Restarts the interpreter: the script ends here."""
    print("machine.soft_reset(): the interpreter restarts; the script ends", file=sys.stderr)
    raise SystemExit(0)
