"""The firmware modules in-process: what a script sees, call by call, on both firmwares."""

import contextlib
import io
import threading
import time
import unittest

import canmv_host

canmv_host.install()

import media.media as media_media  # noqa: E402
import media.sensor as media_sensor  # noqa: E402
import media.vencoder as vencoder  # noqa: E402
from media.media import MediaManager  # noqa: E402
from media.sensor import Sensor  # noqa: E402
from media.vencoder import (  # noqa: E402
    ChnAttrStr,
    Encoder,
    StreamData,
    k_video_frame_info,
)

W, H = 320, 240


def attr(payload=Encoder.PAYLOAD_TYPE_H264, profile=Encoder.H264_PROFILE_MAIN, w=W, h=H):
    return ChnAttrStr(payload, profile, w, h)


def started_sensor():
    sensor = Sensor()
    sensor.reset()
    sensor.set_framesize(width=W, height=H, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)
    sensor.run()
    return sensor


def frame_of(img):
    frame = k_video_frame_info()
    frame.v_frame.width = img.width()
    frame.v_frame.height = img.height()
    frame.v_frame.pixel_format = Sensor.YUV420SP
    frame.pool_id = img.poolid()
    frame.v_frame.phys_addr[0] = img.phyaddr()
    frame.v_frame.phys_addr[1] = img.phyaddr(1)
    return frame


class Board(unittest.TestCase):
    firmware = "canmv-2026-01"

    def setUp(self):
        canmv_host.configure(firmware=self.firmware)

    def created(self, chn=0, bufs=8):
        enc = Encoder()
        enc.SetOutBufs(chn, bufs, W, H)
        enc.Create(chn, attr())
        return enc

    def started(self, bufs=8):
        """Channel 0 created and started; stopped and destroyed when the test ends."""
        enc = self.created(bufs=bufs)
        enc.Start(0)
        self.addCleanup(enc.Destroy, 0)
        self.addCleanup(enc.Stop, 0)
        return enc

    def started_with_sensor(self, bufs=8):
        """A running sensor and a started channel 0, both torn down when the test ends."""
        sensor = started_sensor()
        self.addCleanup(sensor.stop)
        return sensor, self.started(bufs)


class StarImport(unittest.TestCase):
    """`from media.vencoder import *` brings what the firmware's brings (facts §1.3)."""

    def test_names_and_values(self):
        names = {}
        exec("from media.vencoder import *\nfrom media.sensor import *\n"
             "from media.media import *", names)
        expected = {
            "K_PT_H264": 96, "K_PT_H265": 265, "K_PT_JPEG": 26, "VENC_CHN_ID_0": 0,
            "VENC_CHN_ID_3": 3, "VENC_PACK_CNT_MAX": 12, "VIDEO_ENCODE_MOD_ID": 9,
            "VENC_DEV_ID": 0, "CAM_CHN_ID_0": 0, "CAM_CHN_ID_2": 2, "CAMERA_MOD_ID": 6,
            "K_VENC_HEADER": 3, "K_VENC_I_FRAME": 2, "K_VENC_P_FRAME": 1,
        }
        for name, value in expected.items():
            self.assertEqual(names[name], value, name)
        for name in ("uctypes", "ALIGN_UP", "k_video_frame_info", "Encoder", "ChnAttrStr",
                     "StreamData", "Sensor", "MediaManager"):
            self.assertIn(name, names)
        self.assertTrue(callable(names["uctypes"].bytearray_at))
        self.assertEqual(names["ALIGN_UP"](810, 16), 816)
        self.assertNotIn("_native", names)

    def test_encoder_class_constants(self):
        self.assertEqual((Encoder.PAYLOAD_TYPE_H264, Encoder.PAYLOAD_TYPE_H265), (96, 265))
        self.assertEqual((Encoder.H264_PROFILE_BASELINE, Encoder.H264_PROFILE_MAIN,
                          Encoder.H264_PROFILE_HIGH, Encoder.H265_PROFILE_MAIN), (1, 2, 3, 5))
        self.assertEqual((Encoder.STREAM_TYPE_P, Encoder.STREAM_TYPE_I,
                          Encoder.STREAM_TYPE_HEADER), (1, 2, 3))

    def test_chn_attr_defaults(self):
        a = ChnAttrStr(96, 2, 640, 480)
        self.assertEqual((a.gop_len, a.bit_rate, a.src_frame_rate, a.dst_frame_rate,
                          a.mjpeg_quality_factor), (30, 4000, 30, 30, 45))
        self.assertEqual(len(StreamData().data), 12)


class FrameInfoStruct(unittest.TestCase):
    def test_fields_sit_at_the_firmware_offsets(self):
        f = k_video_frame_info()
        f.v_frame.width = 800
        f.v_frame.phys_addr[1] = 0x1005_E000
        f.pool_id = 7
        raw = f._bytes()
        self.assertEqual(len(raw), 224)
        self.assertEqual(raw[0:4], (800).to_bytes(4, "little"))
        self.assertEqual(raw[112:120], (0x1005_E000).to_bytes(8, "little"))
        self.assertEqual(raw[216:220], (7).to_bytes(4, "little"))
        self.assertEqual(vencoder.uctypes.sizeof(f), 224)

    def test_stores_truncate_and_bad_fields_raise(self):
        f = k_video_frame_info()
        f.v_frame.width = 2**32 + 5
        self.assertEqual(f.v_frame.width, 5)
        with self.assertRaises(AttributeError):
            f.v_frame.colour = 1
        with self.assertRaises(IndexError):
            f.v_frame.phys_addr[3] = 0
        with self.assertRaises(TypeError):
            f.v_frame.phys_addr = [0, 0, 0]


class WrongChannel(Board):
    def test_out_of_range_is_the_firmware_value_error(self):
        enc = Encoder()
        with self.assertRaises(ValueError) as cm:
            enc.Start(4)
        self.assertEqual(cm.exception.args, ("venc Start, chn id: ", 4, " out of range 0 ~ 3"))
        with self.assertRaises(ValueError) as cm:
            enc.SetOutBufs(9, 8, W, H)
        # The firmware's SetOutBufs message says "create" (copy-pasted there).
        self.assertEqual(cm.exception.args[0], "venc create, chn id: ")
        for call in (lambda: enc.GetStream(4, StreamData()), lambda: enc.Destroy(5),
                     lambda: enc.SendFrame(4, k_video_frame_info())):
            with self.assertRaises(ValueError):
                call()

    def test_negative_channel_reaches_the_mpi(self):
        # No lower bound in the firmware: -1 becomes a huge k_u32, the MPI refuses it.
        with self.assertRaises(OSError) as cm:
            Encoder().Create(-1, attr())
        self.assertEqual(str(cm.exception), "mpi venc create chn failed.")
        self.assertIn("K_ERR_VENC_INVALID_CHNID", "".join(cm.exception.__notes__))


class WrongOrder(Board):
    def test_lifecycle_errors_are_oserrors_with_the_firmware_messages(self):
        enc = Encoder()
        with self.assertRaises(OSError) as cm:
            enc.Start(0)
        self.assertEqual(str(cm.exception), "mpi venc start failed.")
        enc = self.created()
        enc.Start(0)
        for call, message in ((lambda: enc.Start(0), "mpi venc start failed."),
                              (lambda: enc.Destroy(0), "mpi venc destroy failed."),
                              (lambda: enc.Create(0, attr()), "mpi venc create chn failed.")):
            with self.assertRaises(OSError) as cm:
                call()
            self.assertEqual(str(cm.exception), message)
        enc.Stop(0)
        with self.assertRaises(OSError) as cm:
            enc.Start(0)  # restart after stop needs destroy + create
        self.assertEqual(str(cm.exception), "mpi venc start failed.")
        enc.Destroy(0)

    def test_get_stream_with_nothing_sent_returns_minus_one(self):
        enc = self.started()
        sd = StreamData()
        t0 = time.monotonic()
        self.assertEqual(enc.GetStream(0, sd, 100), -1)
        self.assertGreaterEqual(time.monotonic() - t0, 0.09)
        self.assertEqual(sd.pack_cnt, 1)  # set before the get, as the firmware does

    def test_send_before_start_returns_zero_and_the_frame_is_dropped(self):
        sensor = started_sensor()
        self.addCleanup(sensor.stop)
        enc = self.created()
        self.assertEqual(enc.SendFrame(0, frame_of(sensor.snapshot())), 0)
        enc.Start(0)
        self.addCleanup(enc.Destroy, 0)
        self.addCleanup(enc.Stop, 0)
        self.assertEqual(enc.GetStream(0, StreamData(), 200), -1)

    def test_send_frame_failure_returns_the_status(self):
        # chn -1 passes the Python check and becomes a huge k_u32: INVALID_CHNID (0xA0098002),
        # returned through mp_obj_new_int as a negative int (facts §1.2, §2.4).
        ret = Encoder().SendFrame(-1, k_video_frame_info())
        self.assertEqual(ret, 0xA009_8002 - 2**32)
        # A never-created channel is "not started": 0, and the frame is dropped (facts §2.4).
        self.assertEqual(Encoder().SendFrame(2, k_video_frame_info()), 0)

    def test_wrong_frame_struct_is_a_type_error(self):
        enc = self.started()
        with self.assertRaises(TypeError) as cm:
            enc.SendFrame(0, bytes(200))
        self.assertEqual(str(cm.exception), "struct expect size: 224, actual size: 200")
        with self.assertRaises(TypeError):
            enc.SendFrame(0, "not a struct")


class Streams(Board):
    def encode(self, enc, sensor, n):
        for _ in range(n):
            self.assertEqual(enc.SendFrame(0, frame_of(sensor.snapshot())), 0)

    def test_header_then_idr_then_p_and_bytes_readable(self):
        sensor, enc = self.started_with_sensor()
        self.encode(enc, sensor, 3)
        types, sd = [], StreamData()
        while len([t for t in types if t != Encoder.STREAM_TYPE_HEADER]) < 3:
            self.assertEqual(enc.GetStream(0, sd, 2000), 0)
            for i in range(sd.pack_cnt):
                data = vencoder.uctypes.bytearray_at(sd.data[i], sd.data_size[i])
                self.assertEqual(bytes(data[:4]), b"\x00\x00\x00\x01")
                self.assertEqual(len(data), sd.data_size[i])
                types.append(sd.stream_type[i])
            enc.ReleaseStream(0, sd)
        self.assertEqual(types, [3, 2, 1, 1])

    def test_reads_after_release_and_of_physical_addresses_fault(self):
        sensor, enc = self.started_with_sensor()
        self.encode(enc, sensor, 1)
        sd = StreamData()
        self.assertEqual(enc.GetStream(0, sd, 2000), 0)
        with self.assertRaises(canmv_host.MemoryFault):
            vencoder.uctypes.bytearray_at(sd.phy_addr[0], sd.data_size[0])
        with self.assertRaises(canmv_host.MemoryFault):
            vencoder.uctypes.bytearray_at(sd.data[0], sd.data_size[0] + 4096)
        addr, size = sd.data[0], sd.data_size[0]
        enc.ReleaseStream(0, sd)
        with self.assertRaises(canmv_host.MemoryFault):
            vencoder.uctypes.bytearray_at(addr, size)
        # MemoryFault is not an Exception: `except Exception` does not swallow a crash.
        self.assertFalse(issubclass(canmv_host.MemoryFault, Exception))

    def test_more_than_twelve_packs_is_an_index_error(self):
        sensor, enc = self.started_with_sensor(bufs=30)
        self.encode(enc, sensor, 16)
        deadline = time.monotonic() + 30
        while canmv_host.query_status(0)["cur_packs"] < 17 and time.monotonic() < deadline:
            time.sleep(0.02)  # 16 pictures + 1 header queued
        sd = StreamData()
        with self.assertRaises(IndexError) as cm:
            enc.GetStream(0, sd)
        self.assertEqual(str(cm.exception), "list index out of range")
        self.assertGreater(sd.pack_cnt, 12)
        self.assertNotEqual(sd.data[11], 0)  # the first 12 were filled before the raise

    def test_unreleased_packs_stall_the_encoder(self):
        sensor, enc = self.started_with_sensor(bufs=3)
        got, sd = 0, StreamData()
        for _ in range(8):
            enc.SendFrame(0, frame_of(sensor.snapshot()), 100)
            if enc.GetStream(0, sd, 300) == 0:
                got += sd.pack_cnt  # never released
        # Three output blocks: after they are held, nothing more comes out.
        self.assertLessEqual(got, 4)
        self.assertEqual(enc.GetStream(0, sd, 200), -1)


def ticks_during(call):
    """How many 10 ms ticks another Python thread made while ``call()`` ran."""
    ticks, stop = [], threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.01)

    thread = threading.Thread(target=tick)
    thread.start()
    time.sleep(0.05)
    before = len(ticks)
    try:
        call()
    finally:
        during = len(ticks) - before
        stop.set()
        thread.join()
    return during


class BlockingReleasesTheGil(Board):
    def test_other_threads_run_while_get_stream_waits(self):
        enc = self.started()
        during = ticks_during(lambda: self.assertEqual(enc.GetStream(0, StreamData(), 500), -1))
        self.assertGreater(during, 20)


class FirmwareV1(Board):
    firmware = "canmv-2024-08"

    def test_send_frame_raises_where_the_newest_returns_the_code(self):
        with self.assertRaises(OSError) as cm:
            Encoder().SendFrame(-1, k_video_frame_info())  # a huge k_u32 channel in C
        self.assertEqual(str(cm.exception), "mpi venc send frame failed.")

    def test_get_stream_raises_after_one_second(self):
        enc = self.started()
        t0 = time.monotonic()
        with self.assertRaises(OSError) as cm:
            enc.GetStream(0, StreamData(), 10)  # v1.0 ignores the timeout: 1000 ms
        self.assertGreaterEqual(time.monotonic() - t0, 0.95)
        self.assertEqual(str(cm.exception), "mpi venc get stream failed.")

    def test_media_manager_order_is_asserted(self):
        with self.assertRaises(AssertionError):
            MediaManager.Buffer.get(4096)  # before init
        MediaManager.init()
        MediaManager.Buffer.get(4096)
        with self.assertRaises(AssertionError):
            MediaManager.init()
        with self.assertRaises(AssertionError):
            Encoder().SetOutBufs(0, 8, W, H)
        MediaManager.deinit()

    def test_blocking_holds_the_gil(self):
        enc = self.started()
        during = ticks_during(lambda: self.assertRaises(OSError, enc.GetStream, 0, StreamData()))
        # One second blocked with the GIL held: the other thread could not run meanwhile
        # (a tick or two slip through at the slice boundaries).
        self.assertLess(during, 30)


class MediaBuffers(Board):
    def test_a_frame_written_into_a_buffer_encodes(self):
        """The firmware's idiom: fill a Buffer through bytearray_at, SendFrame its phys_addr."""
        y, uv = W * H, W * H // 2
        uv_at = vencoder.ALIGN_UP(y, 4096)
        buf = MediaManager.Buffer.get(uv_at + uv)
        view = vencoder.uctypes.bytearray_at(buf.virt_addr, uv_at + uv)
        view[:y] = bytes(range(256)) * (y // 256)
        view[uv_at:] = bytes([128]) * uv
        self.assertEqual(bytes(vencoder.uctypes.bytearray_at(buf.virt_addr, 4))[:4],
                         bytes([0, 1, 2, 3]))
        frame = k_video_frame_info()
        frame.v_frame.width, frame.v_frame.height = W, H
        frame.v_frame.pixel_format = Sensor.YUV420SP
        frame.v_frame.phys_addr[0] = buf.phys_addr
        frame.v_frame.phys_addr[1] = buf.phys_addr + uv_at
        enc = self.started()
        self.assertEqual(enc.SendFrame(0, frame), 0)
        sd, kinds = StreamData(), []
        while Encoder.STREAM_TYPE_I not in kinds:
            self.assertEqual(enc.GetStream(0, sd, 2000), 0)
            kinds += sd.stream_type[:sd.pack_cnt]
            enc.ReleaseStream(0, sd)
        buf.__del__()
        with self.assertRaises(canmv_host.MemoryFault):
            vencoder.uctypes.bytearray_at(buf.virt_addr, 4)

    def test_buffer_limits(self):
        with self.assertRaises(ValueError):
            MediaManager.Buffer.get(0)
        bufs = [MediaManager.Buffer.get(4096) for _ in range(16)]
        with self.assertRaises(RuntimeError):
            MediaManager.Buffer.get(4096)
        view = vencoder.uctypes.bytearray_at(bufs[0].virt_addr, 16)
        with self.assertRaises(ValueError):
            view[0:4] = b"toolong!"  # a view cannot change size
        with self.assertRaises(canmv_host.MemoryFault):
            vencoder.uctypes.bytearray_at(bufs[0].virt_addr, 4097)
        del bufs
        MediaManager.Buffer.get(4096)  # freed when the objects went

    def test_freed_buffers_are_media_memory_again(self):
        """A long-lived script: 64 MiB got and freed 10,000 times (312 windows' worth), with
        the process's resident memory flat after the first hundred."""
        def rss_kib():
            with open("/proc/self/statm") as f:
                return int(f.read().split()[1]) * 4
        for i in range(10_000):
            buf = MediaManager.Buffer.get(64 << 20)
            vencoder.uctypes.bytearray_at(buf.virt_addr, 4)[:] = bytes([i % 256, 0, 0, 0])
            stale = buf.virt_addr
            buf.__del__()
            if i % 1000 == 0:
                with self.assertRaises(canmv_host.MemoryFault):
                    vencoder.uctypes.bytearray_at(stale, 4)  # freed just now: still a fault
            if i == 100:
                warm = rss_kib()
        self.assertLess(rss_kib() - warm, 4096, "grew by MiBs over 10,000 get/free")


class SensorAndLinks(Board):
    def test_sensor_errors(self):
        s = Sensor()
        with self.assertRaises(AssertionError):
            s.set_framesize(width=W, height=H)  # before reset
        s.reset()
        with self.assertRaises(AssertionError):
            s.set_framesize(width=32, height=32)
        with self.assertRaises(AssertionError):
            s.set_framesize(width=W, height=H, alignment=13)
        with self.assertRaisesRegex(RuntimeError, r"sensor\(2\) snapshot chn\(0\) failed"):
            s.snapshot()  # not running
        with self.assertRaisesRegex(AssertionError, "invaild sensor id 7"):
            Sensor(id=7)
        with self.assertRaisesRegex(OSError, r"sensor\(2\) is already inited\."):
            Sensor()  # the bus is taken until stop()
        with contextlib.redirect_stdout(io.StringIO()) as said:
            s.stop()
        self.assertIn("warning: sensor not call run()", said.getvalue())
        Sensor().stop()  # the bus is free again

    def test_host_argument_errors(self):
        s = Sensor()
        s.reset()
        with self.assertRaisesRegex(AssertionError, r"invaild width\(0\)"):
            s.set_framesize()  # FRAME_SIZE_INVAILD maps to 0x0
        with self.assertRaisesRegex(AssertionError, r"invaild width\(0\)"):
            s.set_framesize(999)
        with self.assertRaisesRegex(AssertionError, r"invaild width\(0\)"):
            s.set_framesize(width=W)  # a lone width falls back to the enum
        s.set_framesize(Sensor.VGA)
        s.set_pixformat(Sensor.YUV420SP)
        s.run()
        img = s.snapshot()
        self.assertEqual((img.width(), img.height()), (640, 480))
        with self.assertRaises(ValueError):
            img.phyaddr(2)  # NV12 has two planes
        s.stop()
        with self.assertRaisesRegex(RuntimeError, "Can not found sensor on 2"):
            Sensor(fps=0)
        for bad in ({"firmware": "canmv-0.1"}, {"timing": "slow"}, {"codec_threads": 0}):
            with self.assertRaises(ValueError):
                canmv_host.configure(**bad)
        with self.assertRaises(canmv_host.MemoryFault):
            canmv_host._native.write_at(0x3D_0000_0000, b"x")  # no buffer there

    def test_width_is_aligned_up_to_16(self):
        s = Sensor()
        s.reset()
        with contextlib.redirect_stdout(io.StringIO()) as said:
            s.set_framesize(width=810, height=H, alignment=12)
        self.assertIn("Warning: sensor(2) chn(0) set_framesize align up width to 816",
                      said.getvalue())
        s.set_pixformat(Sensor.YUV420SP)
        s.run()
        img = s.snapshot()
        self.assertEqual(img.width(), 816)
        self.assertEqual(img.phyaddr(1) - img.phyaddr(), vencoder.ALIGN_UP(816 * H, 4096))
        s.stop()

    def test_uv_plane_where_vicap_puts_it(self):
        s = Sensor()
        s.reset()
        s.set_framesize(width=800, height=480, alignment=12)
        s.set_pixformat(Sensor.YUV420SP)
        s.run()
        img = s.snapshot()
        self.assertEqual(img.phyaddr(1) - img.phyaddr(), 800 * 480 + 1024)
        self.assertEqual(img.phyaddr() % 4096, 0)
        s.stop()

    def test_link_errors(self):
        s = Sensor()
        s.reset()
        src = s.bind_info()["src"]
        self.assertEqual(src[0], media_sensor.CAMERA_MOD_ID)
        dst = (vencoder.VIDEO_ENCODE_MOD_ID, vencoder.VENC_DEV_ID, 0)
        with self.assertRaises(TypeError):
            MediaManager.link(src, (9, 0))
        with self.assertRaises(TypeError):
            MediaManager.link("camera", dst)
        with self.assertRaises(RuntimeError):
            MediaManager.link(src, (9, 0, 4))
        link = MediaManager.link(src, dst)
        with self.assertRaises(RuntimeError):
            MediaManager.link(src, dst)  # double bind
        del link  # drops the name only: the firmware keeps its linkers in a list
        with self.assertRaises(RuntimeError):
            MediaManager.link(src, dst)
        MediaManager.deinit()  # unbinds what is left
        again = MediaManager.link(src, dst)
        self.assertEqual((again.src, again.dst), (src, dst))
        self.assertTrue(again.destroy())
        self.assertFalse(again.destroy())  # repeatable; says "vb unbind failed"
        third = MediaManager.link(src, dst)
        self.assertTrue(third.destroy())
        self.assertIs(media_media.MediaManager, MediaManager)


if __name__ == "__main__":
    unittest.main()
