"""Where the board's behaviour is unknown (or a part is not modeled), the front takes the safe
side, says so and counts it (DEVELOPERS.md); ``canmv-run`` reports the counts at the end."""

import sys

_counts = {}


def note(entry, text):
    """Warns (stderr) that ``text`` is the simulator's choice, under divergence ``entry``
    (``"D-070"``), and counts it."""
    _counts[entry] = _counts.get(entry, 0) + 1
    print(f"venc-sim: {text} (a simulator's choice where the board's behaviour is unknown or "
          f"not modeled: docs/divergences.md {entry})", file=sys.stderr)


def counts():
    """``{entry: times}`` so far."""
    return dict(_counts)
