"""``media.pyaudio`` on venc-sim (oldgen facts §2.1): the firmware's PyAudio over the simulated
microphone (``canmv-run --mic``: a WAV file or a tone) and speaker (``--speaker FILE.wav``
records what plays), both paced on the board clock.

Per generation: ``initialize(frames_per_buffer)`` registers the two pools (v0.x through
``media.buffer_config``, v0.7–2025 through ``MediaManager._config``) and is gone from
2026-01-29; an input stream's ``read()`` takes no argument before v0.5, ``read(block=True)``
from v0.5 and ``read(chn=0, block=True)`` from 2025-09, and waits 1000 ms, or 1 ms (10 ms from
2026-01-29) when not blocking; v0.1–v0.2 ``initialize`` returns 0. 16-bit samples only; the PDM
microphone (``input_device_index=1``) and the 2024-11 controls (``volume``, ``swap_left_right``,
``enable_audio3a``) are not modeled (D-075)."""

from canmv_host import _native, guesses
from canmv_host.generation import since

_TRAITS = _native.board_info()["traits"]

DIV_NUM = 5
paInt16 = 0
paInt24 = 1
paInt32 = 2

_NON_BLOCK_MS = 10 if since("canmv-2026-01") else 1
# The codec controls and 3A came in 2024-11 (S): taken as the 2025 generations' (D-075).
_CONTROLS = since("canmv-2025-04")
if _CONTROLS:
    LEFT, RIGHT, LEFT_RIGHT = 1, 2, 3
    AUDIO_3A_ENABLE_NONE, AUDIO_3A_ENABLE_ANS = 0, 1
    AUDIO_3A_ENABLE_AGC, AUDIO_3A_ENABLE_AEC = 2, 4


def _not_modeled(what):
    raise NotImplementedError("venc-sim: %s is not modeled (docs/divergences.md D-075)" % what)


class Stream:
    """What ``PyAudio.open`` returns: an input (microphone) or output (speaker) stream."""

    def __init__(self, PA_manager, rate, channels, format, input=False, output=False,
                 input_device_index=None, output_device_index=None, enable_codec=True,
                 frames_per_buffer=1024, start=True, stream_callback=None):
        if (input == False and output == False) or (input == True and output == True):  # noqa: E712
            raise ValueError("Must specify an input or output " + "stream.")
        self._parent = PA_manager
        self._is_input = input
        self._is_output = output
        self._rate = rate
        self._channels = channels
        self._format = format
        self._frames_per_buffer = frames_per_buffer
        self._device = None
        if format != paInt16:
            _not_modeled("a %d-bit stream" % {paInt24: 24, paInt32: 32}.get(format, 0))
        self._is_running = False
        if start:
            self.start_stream()

    def start_stream(self):
        if self._device is None:
            kind = _native._AudioIn if self._is_input else _native._AudioOut
            self._device = kind(int(self._rate), int(self._channels),
                                int(self._frames_per_buffer))
        self._is_running = True

    def stop_stream(self):
        self._is_running = False
        if self._device is not None and self._is_output:
            self._device.finish()
        self._device = None

    def close(self):
        self.stop_stream()
        self._parent._remove_stream(self)

    def is_active(self):
        return self._is_running

    if _CONTROLS:

        def volume(self, vol=None, channel=3):
            """The codec's microphone (input) or headphone (output) volume, 0 ~ 100 per side:
            ``(left, right)``, or True once set (S ``ai_api.c``/``ao_api.c``)."""
            device = "mic" if self._is_input else "hp"
            if vol is None:
                return _native.audio_volume(device)
            return _native.audio_volume(device, int(vol), int(channel))

        def swap_left_right(self, state=True):
            _native.audio_swap("mic" if self._is_input else "hp", bool(state))


class Read_stream(Stream):  # noqa: N801 - the firmware's name
    def __init__(self, PA_manager, rate, channels, format, input=False, output=False,
                 input_device_index=None, **kwargs):
        if input_device_index == 1 and since("canmv-2025-08"):
            _not_modeled("the PDM microphone (input_device_index=1)")
        super().__init__(PA_manager, rate, channels, format, input, output,
                         input_device_index, **kwargs)

    def _read(self, block):
        if not self._is_running:
            return None
        return self._device.read(1000 if block else _NON_BLOCK_MS)

    if since("canmv-2025-08"):

        def read(self, chn=0, block=True):
            return self._read(block)

    elif since("canmv-2024-03"):

        def read(self, block=True):
            return self._read(block)

    else:

        def read(self):
            return self._read(True)


    if _CONTROLS:

        def enable_audio3a(self, audio3a_value):
            """Noise suppression, gain control, echo cancellation (VQE): the simulator passes
            the samples through unprocessed, says so and counts it (D-075); returns 0 as the
            firmware's ``kd_mpi_ai_set_vqe_attr`` does."""
            if audio3a_value:
                guesses.note("D-075", "enable_audio3a(%d): the 3A processing (ANS/AGC/AEC) is "
                             "not applied to the microphone's samples" % audio3a_value)
            return 0


class Write_stream(Stream):  # noqa: N801 - the firmware's name
    def write(self, data):
        """Plays one frame (a VB block of ``frames_per_buffer * channels * 2`` bytes); the
        raw ``kd_mpi_ao_send_frame`` status (0), or None when the stream is stopped."""
        if not self._is_running:
            return None
        return self._device.write(bytes(data), 1000)


class PyAudio:
    _vb_init = False

    def __init__(self):
        self._streams = set()

    if not since("canmv-2026-01"):

        def initialize(self, frames_per_buffer=1024):
            """Registers the AI/AO pools once per class (oldgen facts §1.6)."""
            if PyAudio._vb_init:
                return 0 if _TRAITS["return_codes"] else None
            sizes = ((50, frames_per_buffer * 8), (2, frames_per_buffer * 16))
            if _TRAITS["camera_api"]:
                from media.media import k_vb_config, media
                config = k_vb_config()
                for i, (count, size) in enumerate(sizes):
                    config.comm_pool[i].blk_cnt, config.comm_pool[i].blk_size = count, size
                if media.buffer_config(config):
                    raise ValueError("PyAudio:media.buffer_config failed")
            else:
                from media.media import MediaManager
                from mpp.vb import k_vb_config
                MediaManager._config(k_vb_config())
            PyAudio._vb_init = True
            return 0 if _TRAITS["return_codes"] else None

    def terminate(self):
        for stream in self._streams.copy():
            stream.close()
        self._streams = set()
        PyAudio._vb_init = False

    def open(self, *args, **kwargs):
        if hasattr(self, "initialize"):
            self.initialize(kwargs.get("frames_per_buffer", 1024))
        if kwargs.get("output") == 1:
            stream = Write_stream(self, *args, **kwargs)
        else:
            stream = Read_stream(self, *args, **kwargs)
        self._streams.add(stream)
        return stream

    def close(self, stream):
        if stream not in self._streams:
            raise ValueError("Stream `%s' not found" % str(stream))
        stream.close()

    def _remove_stream(self, stream):
        self._streams.discard(stream)

    def get_sample_size(self, format):
        return {paInt16: 2, paInt24: 3, paInt32: 4}.get(format, -1)

    def get_format_from_width(self, width):
        return {2: paInt16, 3: paInt24, 4: paInt32}.get(width, -1)
