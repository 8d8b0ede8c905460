"""``media.opus`` (2025 on): importable, as scripts import it beside ``media.g711``; the Opus
codec is not modeled, so making an ``Encoder`` or ``Decoder`` raises NotImplementedError
(D-075)."""

from canmv_host.generation import since

if not since("canmv-2025-04"):
    raise ModuleNotFoundError("No module named 'media.opus'", name="media.opus")


class _NotModeled:
    def __init__(self, *args, **kwargs):
        raise NotImplementedError(
            "venc-sim: media.opus.%s is not modeled (docs/divergences.md D-075): use media.g711"
            % type(self).__name__)


class Encoder(_NotModeled):
    pass


class Decoder(_NotModeled):
    pass
