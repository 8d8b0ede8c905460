"""Which v0.x tag the board runs, for the few module details that changed between them
(oldgen facts §1.7); what the encoder and the runtime need is in the traits."""

from canmv_host import _native

_ORDER = ("canmv-2023-10", "canmv-2023-11", "canmv-2023-12", "canmv-2024-03", "canmv-2024-04")
FIRMWARE = _native.board_info()["firmware"]


def since(name):
    """Whether the board's generation is ``name`` or later (v0.1 = canmv-2023-10 …)."""
    return FIRMWARE not in _ORDER or _ORDER.index(FIRMWARE) >= _ORDER.index(name)
