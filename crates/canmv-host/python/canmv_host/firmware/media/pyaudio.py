"""``media.pyaudio`` on venc-sim: importable; opening audio raises NotImplementedError."""

from media._audio import not_modeled

paInt16 = 8
paInt24 = 4
paInt32 = 2
PyAudio = not_modeled("media.pyaudio.PyAudio")
