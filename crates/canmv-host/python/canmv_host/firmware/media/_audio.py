"""What the audio modules share: the simulated board has no microphone, speaker or G.711
codec, so their classes import (public scripts star-import them) and raise when used."""


def not_modeled(what):
    """A class whose construction raises NotImplementedError naming ``what``."""

    class _NotModeled:
        def __init__(self, *args, **kwargs):
            raise NotImplementedError(
                "venc-sim: %s is not modeled: the simulated board has no audio" % what)

    _NotModeled.__name__ = what.rsplit(".", 1)[-1]
    return _NotModeled
