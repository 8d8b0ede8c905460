"""Audio (issue 35; oldgen facts §2): the simulated microphone (``--mic``: a WAV file or a
tone) read through ``media.pyaudio`` at the stream's pace, the speaker recorded into a WAV
file (``--speaker``), ``media.wave``, and ``media.g711`` checked against ffmpeg's own G.711
decoders; each generation's API; bad options."""

import json
import math
import struct
import subprocess
import unittest

from support import TempDir, run_canmv, write_script


def pcm_of(path, fmt=None, rate=8000):
    """16-bit mono samples ffmpeg decodes from ``path`` (raw G.711 with ``fmt``)."""
    src = ["-f", fmt, "-ar", str(rate), "-ac", "1"] if fmt else []
    raw = subprocess.run(["ffmpeg", "-v", "error", *src, "-i", str(path), "-ac", "1",
                          "-f", "s16le", "-"], capture_output=True, check=True,
                         timeout=60).stdout
    return struct.unpack("<%dh" % (len(raw) // 2), raw)


def frequency(samples, rate):
    crossings = sum(1 for a, b in zip(samples, samples[1:]) if (a < 0) != (b < 0))
    return crossings / 2 / (len(samples) / rate)


def probe_audio(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries",
                          "stream=codec_name,sample_rate,channels:format=duration",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True)
    info = json.loads(out.stdout)
    s = info["streams"][0]
    return s["codec_name"], int(s["sample_rate"]), s["channels"], float(info["format"]["duration"])


# v0.3's tests/media/audio.py order: initialize, open, read CHUNK frames into a WAV file, then
# play the file back (project's own script in that style).
RECORD_AND_PLAY = """
    from media.pyaudio import *
    import media.wave as wave
    from media.media import *
    import time

    CHUNK = 44100 // 25
    RATE, CHANNELS = 44100, 2
    p = PyAudio()
    p.initialize(CHUNK)
    media.buffer_init()
    stream = p.open(format=paInt16, channels=CHANNELS, rate=RATE, input=True,
                    frames_per_buffer=CHUNK)
    t0 = time.ticks_ms()
    frames = [stream.read() for _ in range(50)]  # two seconds
    took = time.ticks_diff(time.ticks_ms(), t0)
    stream.stop_stream()
    stream.close()
    wf = wave.open("/sdcard/app/tests/rec.wav", "wb")
    wf.set_channels(CHANNELS)
    wf.set_sampwidth(p.get_sample_size(paInt16))
    wf.set_framerate(RATE)
    wf.write_frames(b"".join(frames))
    wf.close()
    wf = wave.open("/sdcard/app/tests/rec.wav", "rb")
    out = p.open(format=p.get_format_from_width(wf.get_sampwidth()),
                 channels=wf.get_channels(), rate=wf.get_framerate(), output=True,
                 frames_per_buffer=CHUNK)
    data = wf.read_frames(CHUNK)
    while data:
        out.write(data)
        data = wf.read_frames(CHUNK)
    out.stop_stream()
    out.close()
    p.terminate()
    media.buffer_deinit()
    print("took", took)
"""


class Microphone(unittest.TestCase):
    def test_a_wav_microphone_is_recorded_at_its_pace_and_played_to_the_speaker(self):
        with TempDir() as tmp:
            mic = tmp / "mic.wav"
            subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                            "sine=frequency=440:sample_rate=44100:duration=1", "-ac", "2",
                            "-y", str(mic)], check=True, timeout=60)
            done = run_canmv(write_script(tmp, RECORD_AND_PLAY), sdcard=tmp,
                             firmware="canmv-2023-12",
                             extra=["--mic", str(mic), "--speaker", str(tmp / "spk.wav")])
            self.assertEqual(done.returncode, 0, done.stderr)
            took = int(done.stdout.split("took")[1].split()[0])
            self.assertTrue(1990 <= took <= 2100, took)  # 50 frames of 40 ms of board time
            rec = tmp / "app" / "tests" / "rec.wav"
            codec, rate, channels, duration = probe_audio(rec)
            self.assertEqual((codec, rate, channels), ("pcm_s16le", 44100, 2))
            self.assertAlmostEqual(duration, 2.0, places=2)
            self.assertAlmostEqual(frequency(pcm_of(rec), 44100), 440, delta=3)
            # The speaker played the recording: the same samples.
            self.assertEqual(probe_audio(tmp / "spk.wav")[:3], ("pcm_s16le", 44100, 2))
            self.assertEqual((tmp / "spk.wav").read_bytes()[44:], rec.read_bytes()[44:])

    def test_a_tone_microphone_and_each_generations_read(self):
        script = """
            import json
            from media.pyaudio import *
            p = PyAudio()
            s = p.open(format=paInt16, channels=1, rate=8000, input=True, frames_per_buffer=160)
            seen = {"initialize": hasattr(p, "initialize")}
            for args in ((), (False,), (0, False)):
                try:
                    data = s.read(*args)
                    seen[repr(args)] = None if data is None else len(data)
                except TypeError as e:
                    seen[repr(args)] = "TypeError"
            print(json.dumps(seen))
        """
        want = {
            "canmv-2023-12": {"initialize": True, "()": 320, "(False,)": "TypeError",
                              "(0, False)": "TypeError"},
            "canmv-2024-03": {"initialize": True, "()": 320, "(False,)": None,
                              "(0, False)": "TypeError"},
            "canmv-2025-08": {"initialize": True, "()": 320, "(False,)": 320,
                              "(0, False)": None},
            "canmv-2026-01": {"initialize": False, "()": 320, "(False,)": 320,
                              "(0, False)": None},
        }
        for firmware, expected in want.items():
            with self.subTest(firmware=firmware), TempDir() as tmp:
                done = run_canmv(write_script(tmp, script), sdcard=tmp, firmware=firmware,
                                 extra=["--mic", "tone:500"])
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertEqual(json.loads(done.stdout.strip().splitlines()[-1]), expected)

    def test_bad_audio_options_and_streams(self):
        with TempDir() as tmp:
            script = write_script(tmp, "print('ran')\n")
            for extra, says in ((["--speaker", str(tmp / "no" / "s.wav")], "folder does not exist"),
                                (["--mic", "tone:0"], "tone:HZ"),
                                (["--mic", str(tmp / "none.wav")], "none.wav"),
                                (["--mic", str(script)], "microphone")):
                with self.subTest(extra=extra):
                    done = run_canmv(script, sdcard=tmp, extra=extra)
                    self.assertEqual(done.returncode, 2, done.stderr)
                    self.assertIn(says, done.stderr)
                    self.assertNotIn("ran", done.stdout)
            bad = write_script(tmp, """
                from media.pyaudio import *
                p = PyAudio()
                for kw in ({"format": paInt24}, {"rate": 1000}, {}):
                    args = {"format": paInt16, "channels": 1, "rate": 8000, "input": True}
                    args.update(kw)  # MicroPython has no ** in a dict display
                    try:
                        p.open(**args)
                        print("opened", kw)
                    except Exception as e:
                        print(type(e).__name__, e)
                try:
                    p.open(8000, 1, paInt16)
                except ValueError as e:
                    print("positional:", e)
            """, name="bad.py")
            done = run_canmv(bad, sdcard=tmp)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("NotImplementedError venc-sim: a 24-bit stream is not modeled",
                          done.stdout)
            self.assertIn("ValueError sample rate 1000 outside 8000 ~ 192000", done.stdout)
            self.assertIn("opened {}", done.stdout)
            self.assertIn("positional: Must specify an input or output stream.", done.stdout)


    def test_a_writer_with_no_room_within_the_timeout_gets_minus_one(self):
        # Frames of two seconds: five queued hold ten; the seventh finds room only two seconds
        # on, past send_frame's one-second timeout.
        script = """
            from media.pyaudio import *
            p = PyAudio()
            out = p.open(format=paInt16, channels=1, rate=8000, output=True,
                         frames_per_buffer=16000)
            print("writes", [out.write(b"\\0\\0" * 16000) for _ in range(7)])
        """
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, script), sdcard=tmp,
                             extra=["--speaker", str(tmp / "s.wav")])
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("writes [0, 0, 0, 0, 0, 0, -1]", done.stdout)
            self.assertAlmostEqual(probe_audio(tmp / "s.wav")[3], 12.0, places=2)


G711_SCRIPT = """
    from media import g711
    from media.pyaudio import *
    p = PyAudio()
    s = p.open(format=paInt16, channels=1, rate=8000, input=True, frames_per_buffer=320)
    pcm = b"".join(s.read() for _ in range(10))
    open("/sdcard/pcm.raw", "wb").write(pcm)
    for name, law in (("alaw", g711.K_PT_G711A), ("mulaw", g711.K_PT_G711U)):
        enc = g711.Encoder(law, 320)
        enc.create()
        coded = b"".join(enc.encode(pcm[i:i + 640]) for i in range(0, len(pcm), 640))
        open("/sdcard/%s.raw" % name, "wb").write(coded)
        dec = g711.Decoder(law, 320)
        dec.create()
        open("/sdcard/%s.back" % name, "wb").write(dec.decode(coded))
        for what, call in (("again", enc.create), ("second", g711.Encoder(law, 320).create),
                           ("not created", lambda: g711.Decoder(law, 320).decode(b"x"))):
            try:
                call()
            except Exception as e:
                print(what, type(e).__name__, e)
        enc.destroy()
        dec.destroy()
"""


class G711(unittest.TestCase):
    def test_g711_agrees_with_ffmpegs_decoders_and_keeps_the_channel_bug(self):
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, G711_SCRIPT), sdcard=tmp, firmware="canmv-2025-08")
            self.assertEqual(done.returncode, 0, done.stderr)
            pcm = struct.unpack("<3200h", (tmp / "pcm.raw").read_bytes())
            for law in ("alaw", "mulaw"):
                theirs = pcm_of(tmp / f"{law}.raw", fmt=law)
                ours = struct.unpack("<3200h", (tmp / f"{law}.back").read_bytes())
                self.assertEqual(len(theirs), 3200)
                self.assertEqual(ours, theirs, law)  # the same expansion table
                err = max(abs(a - b) for a, b in zip(pcm, ours))
                self.assertLessEqual(err, 256, law)  # half the step of 8192 ~ 16383
                snr = 10 * math.log10(sum(a * a for a in pcm) /
                                      max(1, sum((a - b) ** 2 for a, b in zip(pcm, ours))))
                self.assertGreater(snr, 30, law)
            self.assertIn("again RuntimeError The instance has been initialized", done.stdout)
            self.assertIn("second ValueError kd_mpi_aenc_create_chn:0 faild", done.stdout)
            self.assertIn("not created ValueError kd_mpi_adec_send_stream:0 faild", done.stdout)

    def test_g711_arrived_in_v0_2(self):
        with TempDir() as tmp:
            script = write_script(tmp, "from media import g711\n")
            done = run_canmv(script, sdcard=tmp, firmware="canmv-2023-10")
            self.assertEqual(done.returncode, 1)
            self.assertIn("ImportError", done.stderr)
            self.assertIn("g711", done.stderr.splitlines()[-1])


if __name__ == "__main__":
    unittest.main()
