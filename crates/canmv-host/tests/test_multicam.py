"""Several cameras and one camera to several sinks (issue 35): three sensors on CSI0–2, each
with its own source (``--csi``), started by one ``run()`` as the firmware's MCM mode does, each
encoded on its own channel; one sensor channel linked to two encoder channels at once."""

import subprocess
import unittest

from support import TempDir, probe, run_canmv, write_script

THREE = """
    import sys
    from media.vencoder import *
    from media.sensor import *
    from media.media import *

    W, H, FRAMES = 320, 240, int(sys.argv[1])
    sensors, encoders, links = [], [], []
    for bus in range(3):
        sensor = Sensor(id=bus, width=1280, height=720, fps=30)
        sensor.reset()
        sensor.set_framesize(width=W, height=H)
        sensor.set_pixformat(Sensor.YUV420SP)
        encoder = Encoder()
        encoder.SetOutBufs(bus, 8, W, H)
        encoder.Create(bus, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN, W, H))
        links.append(MediaManager.link(sensor.bind_info()["src"],
                                       (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, bus)))
        encoder.Start(bus)
        sensors.append(sensor)
        encoders.append(encoder)
    sensors[0].run()  # several sensors: one run() starts them all
    sd = StreamData()
    for bus, encoder in enumerate(encoders):
        with open("/sdcard/cam%d.264" % bus, "wb") as out:
            pictures = 0
            while pictures < FRAMES:
                encoder.GetStream(bus, sd, 2000)
                for i in range(sd.pack_cnt):
                    out.write(uctypes.bytearray_at(sd.data[i], sd.data_size[i]))
                    pictures += sd.stream_type[i] != Encoder.STREAM_TYPE_HEADER
                encoder.ReleaseStream(bus, sd)
    Sensor.deinit()
    for bus, encoder in enumerate(encoders):
        links[bus].destroy()
        encoder.Stop(bus)
        encoder.Destroy(bus)
    print("done")
"""


def solid(path, colour):
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"color={colour}:s=640x360",
                    "-frames:v", "1", "-y", str(path)], check=True, timeout=60)


def mean_yuv(path):
    """Mean Y, U, V of the first decoded picture."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"],
                         capture_output=True, check=True, timeout=60).stdout
    n = 320 * 240
    y, u, v = raw[:n], raw[n:n + n // 4], raw[n + n // 4:n + n // 2]
    return tuple(round(sum(p) / len(p)) for p in (y, u, v))


class ThreeCameras(unittest.TestCase):
    def test_one_run_starts_three_sensors_each_with_its_own_scene(self):
        with TempDir() as tmp:
            solid(tmp / "red.png", "red")
            solid(tmp / "blue.png", "blue")
            done = run_canmv(write_script(tmp, THREE), "10", sdcard=tmp,
                             firmware="canmv-2026-01",
                             extra=["--csi", f"1={tmp / 'red.png'}",
                                    "--csi", f"2={tmp / 'blue.png'}"])
            self.assertEqual(done.returncode, 0, done.stderr)
            for bus in range(3):
                self.assertIn(f"sensor({bus}), mode 0", done.stdout)
                self.assertEqual(probe(tmp / f"cam{bus}.264")["frames"] >= 10, True)
            pattern, red, blue = (mean_yuv(tmp / f"cam{bus}.264") for bus in range(3))
            # BT.601 limited range: red (81, 90, 240), blue (41, 240, 110).
            for got, want in ((red, (81, 90, 240)), (blue, (41, 240, 110))):
                self.assertTrue(all(abs(g - w) <= 4 for g, w in zip(got, want)), (got, want))
            self.assertNotEqual(pattern, red)

    def test_a_bad_csi_option_is_a_usage_error(self):
        with TempDir() as tmp:
            script = write_script(tmp, "print('ran')\n")
            for value, says in (("5=pattern", "CSI bus 5: the K230 has buses 0 ~ 2"),
                                ("one", "give BUS=SOURCE"),
                                ("1=/no/such.y4m", "/no/such.y4m")):
                with self.subTest(value=value):
                    done = run_canmv(script, sdcard=tmp, extra=["--csi", value])
                    self.assertEqual(done.returncode, 2, done.stderr)
                    self.assertIn(says, done.stderr)
                    self.assertNotIn("ran", done.stdout)


TWO_SINKS = """
    from media.vencoder import *
    from media.sensor import *
    from media.media import *

    W, H = 320, 240
    sensor = Sensor(width=1280, height=720, fps=30)
    sensor.reset()
    sensor.set_framesize(width=W, height=H)
    sensor.set_pixformat(Sensor.YUV420SP)
    encoders, links = [], []
    for chn, payload in ((0, Encoder.PAYLOAD_TYPE_H264), (1, Encoder.PAYLOAD_TYPE_H265)):
        encoder = Encoder()
        encoder.SetOutBufs(chn, 8, W, H)
        profile = Encoder.H264_PROFILE_MAIN if chn == 0 else Encoder.H265_PROFILE_MAIN
        encoder.Create(chn, ChnAttrStr(payload, profile, W, H))
        links.append(MediaManager.link(sensor.bind_info()["src"],
                                       (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, chn)))
        encoder.Start(chn)
        encoders.append(encoder)
    sensor.run()
    sd = StreamData()
    for chn, name in ((0, "one.264"), (1, "one.265")):
        with open("/sdcard/" + name, "wb") as out:
            pictures = 0
            while pictures < 10:
                encoders[chn].GetStream(chn, sd, 2000)
                for i in range(sd.pack_cnt):
                    out.write(uctypes.bytearray_at(sd.data[i], sd.data_size[i]))
                    pictures += sd.stream_type[i] != Encoder.STREAM_TYPE_HEADER
                encoders[chn].ReleaseStream(chn, sd)
    sensor.stop()
    for chn in (0, 1):
        links[chn].destroy()
        encoders[chn].Stop(chn)
        encoders[chn].Destroy(chn)
"""


class OneCameraTwoEncoders(unittest.TestCase):
    def test_one_sensor_channel_feeds_two_encoder_channels(self):
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, TWO_SINKS), sdcard=tmp, firmware="canmv-2026-01")
            self.assertEqual(done.returncode, 0, done.stderr)
            h264, h265 = probe(tmp / "one.264"), probe(tmp / "one.265")
            self.assertEqual((h264["codec"], h264["size"]), ("h264", (320, 240)))
            self.assertEqual((h265["codec"], h265["size"]), ("hevc", (320, 240)))
            self.assertGreaterEqual(min(h264["frames"], h265["frames"]), 10)
            # The same pictures: the first decoded frames of the two streams agree.
            a, b = mean_yuv(tmp / "one.264"), mean_yuv(tmp / "one.265")
            self.assertTrue(all(abs(x - y) <= 3 for x, y in zip(a, b)), (a, b))


if __name__ == "__main__":
    unittest.main()
