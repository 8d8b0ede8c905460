"""The sensor's extras (firmware facts §2), checked on the pixels: mirror and flip, crop, the RGB
and grey channels, snapshot(dump_frame=True) into SendFrame, bind_info, sizes, frame-size names.
The camera sees a still Y4M picture, so every snapshot holds the same picture."""

import contextlib
import io
import tempfile
import unittest
from pathlib import Path

import canmv_host

canmv_host.install()

from media.media import MediaManager  # noqa: E402, F401
from media.sensor import Sensor  # noqa: E402
import image  # noqa: E402
from media.vencoder import ChnAttrStr, Encoder, StreamData  # noqa: E402

W, H = 64, 64  # the picture, and the smallest channel


def still_y4m(folder):
    """A 64x64 picture: Y = 4*column + row % 3 (so rows and columns differ), grey chroma."""
    y = bytes((4 * c + r % 3) & 0xFF for r in range(H) for c in range(W))
    u = v = bytes([128]) * (W * H // 4)
    path = Path(folder) / "still.y4m"
    path.write_bytes(b"YUV4MPEG2 W64 H64 F30:1 Ip A1:1 C420jpeg\nFRAME\n" + y + u + v)
    return path, y


def snap(sensor, chn=0):
    return sensor.snapshot(chn).to_bytes()


class SensorPixels(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path, cls.y = still_y4m(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        canmv_host.configure(firmware="canmv-2026-01", source=str(self.path))
        self.quiet = contextlib.redirect_stdout(io.StringIO())
        self.quiet.__enter__()
        self.addCleanup(self.quiet.__exit__, None, None, None)

    def sensor(self, mirror=False, flip=False, **size):
        s = Sensor(width=W, height=H, fps=30)
        self.addCleanup(s.stop)
        s.reset()
        s.set_framesize(**(size or {"width": W, "height": H}))
        s.set_pixformat(Sensor.YUV420SP)
        s.set_hmirror(mirror)
        s.set_vflip(flip)
        return s

    def test_mirror_and_flip_move_the_pixels_at_run(self):
        expected = {
            (False, False): self.y,
            (True, False): b"".join(self.y[r * W:(r + 1) * W][::-1] for r in range(H)),
            (False, True): b"".join(self.y[r * W:(r + 1) * W] for r in reversed(range(H))),
        }
        for (mirror, flip), want in expected.items():
            with self.subTest(mirror=mirror, flip=flip):
                s = self.sensor(mirror, flip)
                self.assertEqual((s.get_hmirror(), s.get_vflip()), (mirror, flip))
                s.run()
                self.assertEqual(snap(s)[: W * H], want)
                s.stop()

    def test_mirror_set_while_running_waits_for_the_next_run(self):
        s = self.sensor()
        s.run()
        s.set_hmirror(True)
        self.assertEqual(snap(s)[: W * H], self.y)
        s.stop()
        s.run()
        self.assertEqual(snap(s)[:W], self.y[:W][::-1])

    def test_crop_window_shows_that_part(self):
        canmv_host.configure(firmware="canmv-2026-01", source=str(self.path))
        s = Sensor(width=W, height=H, fps=30)
        self.addCleanup(s.stop)
        s.reset()
        s.set_framesize(width=64, height=64, crop=(0, 0, 64, 64))
        s.set_pixformat(Sensor.YUV420SP)
        with self.assertRaisesRegex(AssertionError, "crop"):
            s.set_framesize(width=64, height=64, crop=(32, 0, 64, 64))  # outside the window
        s.run()
        self.assertEqual(snap(s)[: W * H], self.y)

    def test_rgb_and_grey_channels(self):
        s = Sensor(width=W, height=H, fps=30)
        self.addCleanup(s.stop)
        s.reset()
        formats = (Sensor.RGB888, Sensor.RGBP888, Sensor.GRAYSCALE)
        for chn, fmt in enumerate(formats):
            s.set_framesize(width=W, height=H, chn=chn)
            s.set_pixformat(fmt, chn=chn)
        s.run()
        rgb, planar, grey = (s.snapshot(chn) for chn in range(3))
        # The images carry image.* formats (display facts §5.6).
        self.assertEqual([i.format() for i in (rgb, planar, grey)],
                         [image.RGB888, image.RGBP888, image.GRAYSCALE])
        self.assertEqual(grey.to_bytes(), self.y)
        packed = rgb.to_bytes()
        self.assertEqual(len(packed), W * H * 3)
        # Grey chroma: R = G = B, rising with Y (BT.601 video range).
        self.assertEqual(packed[0::3], packed[1::3])
        self.assertEqual(packed[0::3], packed[2::3])
        self.assertEqual(planar.to_bytes()[: W * H], packed[0::3])
        self.assertLess(packed[0], packed[3 * (W - 1)])
        self.assertEqual(planar.phyaddr(2) - planar.phyaddr(), 2 * W * H)

    def test_three_snapshot_failures_with_auto_reboot_reboot_the_board(self):
        s = self.sensor()  # not running: every snapshot fails
        for _ in range(2):
            with self.assertRaisesRegex(RuntimeError, r"sensor\(2\) snapshot chn\(0\) failed"):
                s.snapshot(auto_reboot=True)
        with self.assertRaisesRegex(SystemExit, "machine.reset"):
            s.snapshot(auto_reboot=True)

    def test_bind_info_sizes_and_names(self):
        s = self.sensor()
        info = s.bind_info(x=4, y=2)
        self.assertEqual(info["rect"], (4, 2, W, H))
        self.assertEqual(info["pix_format"], Sensor.YUV420SP)
        self.assertEqual((s.width(), s.height(), s.width(None)), (W, H, W))
        self.assertEqual((Sensor.QVGA, Sensor.FHD, Sensor.WQXGA2), (6, 26, 30))
        with self.assertRaisesRegex(AssertionError, "invaild chn id 3"):
            s.bind_info(chn=3)

    def test_dump_frame_goes_to_send_frame_as_is(self):
        s = Sensor(width=320, height=240, fps=30)
        self.addCleanup(s.stop)
        s.reset()
        s.set_framesize(w=320, h=240, alignment=12)
        s.set_pixformat(Sensor.YUV420SP)
        enc = Encoder()
        enc.SetOutBufs(0, 4, 320, 240)
        enc.Create(0, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN, 320, 240))
        enc.Start(0)
        s.run()
        frame = s.snapshot(dump_frame=True)
        self.assertEqual((frame.v_frame.width, frame.v_frame.height), (320, 240))
        self.assertEqual(frame.mod_id, 6)
        with self.assertRaises(AttributeError):
            frame.pool_id = 3  # read-only, as the firmware's type
        self.assertEqual(enc.SendFrame(0, frame), 0)
        sd = StreamData()
        self.assertEqual(enc.GetStream(0, sd, 1000), 0)
        self.assertEqual(sd.stream_type[0], Encoder.STREAM_TYPE_HEADER)
        enc.ReleaseStream(0, sd)
        enc.Stop(0)
        enc.Destroy(0)


if __name__ == "__main__":
    unittest.main()
