"""``media.g711`` on venc-sim: importable; the G.711 codec raises NotImplementedError."""

from media._audio import not_modeled

Encoder = not_modeled("media.g711.Encoder")
Decoder = not_modeled("media.g711.Decoder")
