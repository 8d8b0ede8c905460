"""The first firmware generations, v0.1–v0.6 (oldgen facts §1): scripts of this project in
each one's style (``media.camera``, the class ``media``, v0.1's return codes, v0.6's
``media.sensor.sensor``) encode the camera, decoded by ffprobe; each generation's answers to
bad calls; the hints that name the generation a script was written for; recording twice."""

import json
import unittest

from support import TempDir, probe, run_canmv, see_script, write_script

V0 = ("canmv-2023-10", "canmv-2023-11", "canmv-2023-12", "canmv-2024-03", "canmv-2024-04")

# v0.1's tests/media/venc.py order (oldgen facts §1.6), at 320x240, ten GetStreams; every
# result collected, as a v0.1 script checks them.
CAMERA_SCRIPT = """
    import json
    from media.vencoder import *
    from media.camera import *
    from media.media import *

    W, H, CHN = 320, 240, VENC_CHN_ID_0
    rets = []
    rets.append(camera.sensor_init(CAM_DEV_ID_0, CAM_DEFAULT_SENSOR))
    rets.append(camera.set_outbufs(CAM_DEV_ID_0, CAM_CHN_ID_0, 6))
    rets.append(camera.set_outsize(CAM_DEV_ID_0, CAM_CHN_ID_0, W, H))
    rets.append(camera.set_outfmt(CAM_DEV_ID_0, CAM_CHN_ID_0, PIXEL_FORMAT_YUV_SEMIPLANAR_420))
    encoder = Encoder()
    rets.append(encoder.SetOutBufs(CHN, 8, W, H))
    rets.append(media.buffer_init())
    attr = ChnAttrStr(encoder.PAYLOAD_TYPE_H264, encoder.H264_PROFILE_MAIN, W, H)
    rets.append(encoder.Create(CHN, attr))
    src = media_device(CAMERA_MOD_ID, CAM_DEV_ID_0, CAM_CHN_ID_0)
    dst = media_device(VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CHN)
    rets.append(media.create_link(src, dst))
    rets.append(encoder.Start(CHN))
    rets.append(camera.start_stream(CAM_DEV_ID_0))
    sd = StreamData()
    with open("/sdcard/app/tests/cam.264", "wb") as f:
        for _ in range(10):
            rets.append(encoder.GetStream(CHN, sd))
            for i in range(sd.pack_cnt):
                f.write(uctypes.bytearray_at(sd.data[i], sd.data_size[i]))
            rets.append(encoder.ReleaseStream(CHN, sd))
    rets.append(camera.stop_stream(CAM_DEV_ID_0))
    rets.append(media.destroy_link(src, dst))
    rets.append(encoder.Stop(CHN))
    rets.append(encoder.Destroy(CHN))
    rets.append(media.buffer_deinit())
    print(json.dumps(rets))
"""

# v0.6's tests/media/sensor_lcd.py style: the lower-case class ``sensor``.
SENSOR_SCRIPT = """
    from media.vencoder import *
    from media.sensor import *
    from media.media import *
    import os

    W, H = 320, 240
    sensor.reset(CAM_DEV_ID_0, CAM_DEFAULT_SENSOR)
    sensor.set_outbufs(CAM_DEV_ID_0, CAM_CHN_ID_0, 6)
    sensor.set_framesize(CAM_DEV_ID_0, CAM_CHN_ID_0, W, H)
    sensor.set_pixformat(CAM_DEV_ID_0, CAM_CHN_ID_0, sensor.YUV420SP)
    encoder = Encoder()
    encoder.SetOutBufs(1, 8, W, H)
    media.buffer_init()
    encoder.Create(1, ChnAttrStr(encoder.PAYLOAD_TYPE_H265, encoder.H265_PROFILE_MAIN, W, H))
    src = media_device(CAMERA_MOD_ID, CAM_DEV_ID_0, CAM_CHN_ID_0)
    dst = media_device(VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, 1)
    media.create_link(src, dst)
    encoder.Start(1)
    sensor.start_stream()
    img = sensor.snapshot(CAM_DEV_ID_0, CAM_CHN_ID_0)
    print("snapshot", img.width(), img.height())
    sd = StreamData()
    with open("/sdcard/app/tests/cam.265", "wb") as f:
        for _ in range(8):
            os.exitpoint()
            encoder.GetStream(1, sd)
            for i in range(sd.pack_cnt):
                f.write(uctypes.bytearray_at(sd.data[i], sd.data_size[i]))
            encoder.ReleaseStream(1, sd)
    sensor.stop_stream()
    media.destroy_link(src, dst)
    encoder.Stop(1)
    encoder.Destroy(1)
    media.buffer_deinit()
"""


class Encodes(unittest.TestCase):
    def test_the_camera_encodes_in_every_first_generation(self):
        for firmware in V0:
            with self.subTest(firmware=firmware), TempDir() as tmp:
                done = run_canmv(write_script(tmp, CAMERA_SCRIPT), sdcard=tmp,
                                 firmware=firmware)
                self.assertEqual(done.returncode, 0, done.stderr)
                rets = json.loads(done.stdout.strip().splitlines()[-1])
                ok = 0 if firmware in V0[:2] else None
                # v0.2's buffer_deinit returns at its first statement (None).
                last = None if firmware == "canmv-2023-11" else ok
                self.assertEqual(rets, [ok] * 34 + [last], done.stdout)
                got = probe(tmp / "app" / "tests" / "cam.264")
                self.assertEqual((got["codec"], got["size"]), ("h264", (320, 240)))
                # Ten GetStreams: the first may hand out the header alone (cur_packs is read
                # before the wait), later ones every queued pack.
                self.assertGreaterEqual(got["frames"], 9)

    def test_v0_6_sensor_class_encodes_and_snapshots(self):
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, SENSOR_SCRIPT), sdcard=tmp,
                             firmware="canmv-2024-04")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("snapshot 320 240", done.stdout)
            got = probe(tmp / "app" / "tests" / "cam.265")
            self.assertEqual(got["codec"], "hevc")
            self.assertEqual(got["size"], (320, 240))
            self.assertGreaterEqual(got["frames"], 6)


# Each line's result (repr or "Type: message"), and what the generations print for it.
ANSWERS_SCRIPT = """
    import json, os
    from media.vencoder import *
    from media.camera import *
    from media.media import *

    attr = ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN, 320, 240)
    see("Create(5)", lambda: Encoder().Create(5, attr))
    see("set_outbufs(5)", lambda: camera.set_outbufs(5, 0, 6))
    see("set_outsize too big", lambda: (camera.sensor_init(0, CAM_DEFAULT_SENSOR),
                                        camera.set_outsize(0, 0, 4000, 240)))
    seen["exitpoint"] = hasattr(os, "exitpoint")
    if seen["exitpoint"]:
        see("exitpoint(1)", lambda: os.exitpoint(os.EXITPOINT_ENABLE))
    seen["start_mcm_stream"] = hasattr(camera, "start_mcm_stream")
    seen["IMX335 name"] = "CAM_IMX335_2LANE_1920X1080_30FPS_12BIT_LINEAR" in globals()
    see("buffer_init", media.buffer_init)
    see("buffer_init again", media.buffer_init)
    see("buffer_deinit", media.buffer_deinit)
    see("buffer_init after deinit", media.buffer_init)
    see("destroy_link unbound", lambda: media.destroy_link(
        media_device(CAMERA_MOD_ID, 0, 0), media_device(VIDEO_ENCODE_MOD_ID, 0, 0)))
    see("MediaManager", lambda: MediaManager)
    print(json.dumps(seen))
"""
INITED = ("The buffer has been initialized!!!\n            This method can only be called once, "
          "please check your code!!!")
V0_3 = {
    "Create(5)": "ValueError: ('venc create, chn id: ', 5, ' out of range 0 ~ 3')",
    "set_outbufs(5)": "ValueError: set_outbufs, invalid param, dev_num(5, chn_num(0))",
    "set_outsize too big": "ValueError: invalid out size, width(4000, height(240))",
    "exitpoint": True, "exitpoint(1)": "None", "start_mcm_stream": False, "IMX335 name": True,
    "buffer_init": "None", "buffer_init again": "OSError: " + INITED, "buffer_deinit": "None",
    "buffer_init after deinit": "OSError: buffer_init, vb config failed(-1610317806)",
    "destroy_link unbound": "OSError: destroy_link failed ret(-1610252283)",
    "MediaManager": "NameError: name 'MediaManager' is not defined",
}
V0_1 = {
    "Create(5)": "-1", "set_outbufs(5)": "NameError: name 'printf' isn't defined",
    "set_outsize too big": "NameError: name 'printf' isn't defined",
    "exitpoint": False, "start_mcm_stream": False, "IMX335 name": True,
    "buffer_init": "0", "buffer_init again": "-1", "buffer_deinit": "0",
    "buffer_init after deinit": "0", "destroy_link unbound": "-1",
    "MediaManager": "NameError: name 'MediaManager' is not defined",
}
ANSWERS = {
    "canmv-2023-10": V0_1,
    "canmv-2023-11": {**V0_1, "set_outbufs(5)": "-1", "set_outsize too big": "(0, -1)",
                      "buffer_deinit": "None", "buffer_init after deinit": "-1"},
    "canmv-2023-12": V0_3,
    "canmv-2024-03": {**V0_3, "start_mcm_stream": True},
    "canmv-2024-04": {**V0_3, "start_mcm_stream": True, "IMX335 name": False},
}


class Answers(unittest.TestCase):
    def test_each_first_generation_answers_as_its_firmware(self):
        for firmware, want in ANSWERS.items():
            with self.subTest(firmware=firmware), TempDir() as tmp:
                done = run_canmv(see_script(tmp, ANSWERS_SCRIPT), sdcard=tmp,
                                 firmware=firmware)
                self.assertEqual(done.returncode, 0, done.stderr)
                seen = json.loads(done.stdout.strip().splitlines()[-1])
                self.assertEqual(seen, want)
                if firmware in V0[:2]:
                    # The return-code generations print what later ones raise.
                    self.assertIn("venc create, chn id:  5  out of range 0 ~ 3", done.stdout)
                    self.assertIn("The buffer has been initialized!!!\nThis method can only",
                                  done.stdout)

    def test_the_cameras_and_buffers_failures(self):
        script = """
            from media.camera import *
            from media.media import *
            camera.sensor_init(CAM_DEV_ID_0, CAM_DEFAULT_SENSOR)
            camera.set_outsize(CAM_DEV_ID_0, CAM_CHN_ID_0, 320, 240)
            see("odd format", lambda: camera.set_outfmt(CAM_DEV_ID_0, CAM_CHN_ID_0, 99))
            camera.set_outsize(CAM_DEV_ID_0, CAM_CHN_ID_1, 320, 240)
            see("bayer", lambda: camera.set_outfmt(CAM_DEV_ID_0, CAM_CHN_ID_1, 21))
            see("no sensor_init", lambda: camera.start_stream(CAM_DEV_ID_1))
            camera.sensor_init(CAM_DEV_ID_2, CAM_DEFAULT_SENSOR)
            camera.set_outsize(CAM_DEV_ID_2, CAM_CHN_ID_0, 320, 240)
            see("size only", lambda: camera.start_stream(CAM_DEV_ID_2))
            see("stop unstarted", lambda: camera.stop_stream(CAM_DEV_ID_0))
            see("capture unstarted", lambda: camera.capture_image(CAM_DEV_ID_0, CAM_CHN_ID_0))
            see("buffer before init", lambda: media.request_buffer(4096))
            media.buffer_init()
            buf = media.request_buffer(4096)
            seen["buffer"] = (buf.size, buf.phys_addr > 0, buf.virt_addr > 0)
            see("release", lambda: media.release_buffer(buf))
            see("release again", lambda: media.release_buffer(buf))
            print(json.dumps(seen))
        """
        with TempDir() as tmp:
            done = run_canmv(see_script(tmp, script), sdcard=tmp, firmware="canmv-2023-12")
            self.assertEqual(done.returncode, 0, done.stderr)
            seen = json.loads(done.stdout.strip().splitlines()[-1])
            self.assertEqual(seen, {
                "odd format": "ValueError: set_outfmt(0,0),unspported format!",
                "bayer": "NotImplementedError: venc-sim: set_outfmt(0,1): Bayer output (format "
                         "21) is not modeled: the simulated sensor gives YUV420SP, RGB888 and "
                         "planar RGB",
                "no sensor_init": "OSError: start_stream(1), set dev attr failed(-1609203705)",
                # The firmware's message is not an f-string: its braces show.
                "size only": "OSError: start_stream({dev_num}), set chn attr failed({ret})",
                "stop unstarted": "OSError: stop_stream(0), stop stream failed(-1609203703)",
                "capture unstarted": "OSError: capture_image, dev(0) chn(0) request frame "
                                     "failed.",
                "buffer before init": "OSError: request_buffer, get buf block failed, size 4096",
                "buffer": [4096, True, True],
                "release": "None",
                "release again": "OSError: release_buffer, release buf block failed",
            })

    def test_media_camera_and_sensor_exist_where_the_firmware_has_them(self):
        for firmware, module, fails in [
            ("canmv-2024-07", "media.camera", True), ("canmv-2026-01", "media.camera", True),
            ("canmv-2024-03", "media.sensor", True), ("canmv-2024-04", "media.sensor", False),
            ("canmv-2023-10", "media.camera", False),
        ]:
            with self.subTest(firmware=firmware, module=module), TempDir() as tmp:
                script = write_script(tmp, f"import {module}\nprint('imported')\n")
                done = run_canmv(script, sdcard=tmp, firmware=firmware)
                if fails:
                    self.assertEqual(done.returncode, 1, done.stderr)
                    self.assertIn(f"No module named '{module}'", done.stderr)
                else:
                    self.assertEqual(done.returncode, 0, done.stderr)

    def test_a_pool_registered_after_buffer_init_fails_create_and_is_counted(self):
        script = """
            from media.vencoder import *
            from media.media import *
            media.buffer_init()
            encoder = Encoder()
            encoder.SetOutBufs(0, 8, 320, 240)
            encoder.Create(0, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264,
                                         Encoder.H264_PROFILE_MAIN, 320, 240))
        """
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, script), sdcard=tmp, firmware="canmv-2023-12")
            self.assertEqual(done.returncode, 1, done.stderr)
            self.assertIn("OSError: mpi venc create chn failed.", done.stderr)
            self.assertIn("came after media.buffer_init()", done.stderr)
            self.assertIn("1 call(s) took the simulator's choice", done.stderr)
            self.assertIn("D-070", done.stderr)

    def test_a_channel_configured_after_buffer_init_does_not_start(self):
        script = """
            from media.camera import *
            from media.media import *
            camera.sensor_init(CAM_DEV_ID_0, CAM_DEFAULT_SENSOR)
            media.buffer_init()
            camera.set_outsize(CAM_DEV_ID_0, CAM_CHN_ID_0, 320, 240)
            camera.set_outfmt(CAM_DEV_ID_0, CAM_CHN_ID_0, PIXEL_FORMAT_YUV_SEMIPLANAR_420)
            camera.start_stream(CAM_DEV_ID_0)
        """
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, script), sdcard=tmp, firmware="canmv-2024-03")
            self.assertEqual(done.returncode, 1, done.stderr)
            self.assertIn("OSError: start_stream(0), vicap init failed(", done.stderr)
            self.assertIn("D-070", done.stderr)


# A script line, the firmware it runs on, and what the hint must name.
HINTS = [
    ("from media.camera import *", "canmv-2026-01", "canmv-2024-04 (v0.6)"),
    ("from media.sensor import *\nSensor()", "canmv-2023-12", "canmv-2024-07"),
    ("from media.media import *\nMediaManager.init()", "canmv-2024-04", "canmv-2024-07"),
    ("from media.media import *\nif media.buffer_init() < 0: pass", "canmv-2023-12",
     "canmv-2023-11 or canmv-2023-10"),
]


class Hints(unittest.TestCase):
    def test_a_script_of_another_generation_gets_the_firmware_to_try(self):
        for line, firmware, hint in HINTS:
            with self.subTest(line=line, firmware=firmware), TempDir() as tmp:
                done = run_canmv(write_script(tmp, line + "\n"), sdcard=tmp, firmware=firmware)
                self.assertEqual(done.returncode, 1, done.stderr)
                self.assertIn(hint, done.stderr.split("canmv-run:")[-1])


class RecordingTwice(unittest.TestCase):
    """``MediaManager.init()`` after ``deinit()`` in one script: refused while the
    generation's deinit leaves VB up (v1.0 to 2025-03-06, kendryte/canmv_k230#10)."""

    SCRIPT = """
        from media.media import *
        for take in (1, 2):
            MediaManager.init()
            MediaManager.deinit()
            print("take", take, "done")
    """

    def test_the_second_init_fails_where_the_board_fails(self):
        for firmware, fails in [("canmv-2024-07", True), ("canmv-2024-08", True),
                                ("canmv-2025-04", False), ("canmv-2026-01", False)]:
            with self.subTest(firmware=firmware), TempDir() as tmp:
                done = run_canmv(write_script(tmp, self.SCRIPT), sdcard=tmp, firmware=firmware)
                self.assertIn("take 1 done", done.stdout)
                if fails:
                    self.assertEqual(done.returncode, 1, done.stderr)
                    self.assertIn("RuntimeError: MediaManager, vb config failed(-1610317806), "
                                  "at now please reboot the board to fix it.", done.stderr)
                else:
                    self.assertEqual(done.returncode, 0, done.stderr)
                    self.assertIn("take 2 done", done.stdout)

    def test_deinit_with_force_lets_the_second_init_work(self):
        script = self.SCRIPT.replace("MediaManager.deinit()", "MediaManager.deinit(True)")
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, script), sdcard=tmp, firmware="canmv-2024-08")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("take 2 done", done.stdout)


if __name__ == "__main__":
    unittest.main()
