"""Every generation that takes a channel, as a script sees it (firmware facts §1.1): return
values, exceptions and their messages, which names exist, how many packs one GetStream takes.
One script, run under each --firmware; the expected answers are a table."""

import json
import unittest

from support import TempDir, run_canmv, see_script, write_script

SCRIPT = """
    import json
    from media.vencoder import *
    from media.sensor import *
    from media.media import *

    W, H, CHN = 320, 240, 0
    seen["SendFrame exists"] = hasattr(Encoder, "SendFrame")
    seen["JPEG exists"] = hasattr(Encoder, "PAYLOAD_TYPE_JPEG")
    seen["phy_addr exists"] = hasattr(StreamData(), "phy_addr")
    see("ChnAttrStr bit_rate", lambda: ChnAttrStr(Encoder.PAYLOAD_TYPE_H264,
        Encoder.H264_PROFILE_MAIN, W, H, bit_rate=1000).gop_len)
    see("Create(4)", lambda: Encoder().Create(4, ChnAttrStr(96, 1, W, H)))

    sensor = Sensor(width=W, height=H, fps=30)
    sensor.reset()
    sensor.set_framesize(width=W, height=H, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)
    encoder = Encoder()
    see("SetOutBufs", lambda: encoder.SetOutBufs(CHN, 8, W, H))
    link = MediaManager.link(sensor.bind_info()["src"], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, CHN))
    MediaManager.init()
    see("SetOutBufs after init", lambda: Encoder().SetOutBufs(1, 8, W, H))
    see("Create", lambda: encoder.Create(CHN, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264,
        Encoder.H264_PROFILE_MAIN, W, H)))
    see("Start", lambda: encoder.Start(CHN))
    sensor.run()
    import time
    status = k_venc_chn_status()
    while kd_mpi_venc_query_status(CHN, status) == 0 and status.cur_packs < 3:
        time.sleep(0.01)
    # The kernel fills cur_packs only (k230-mpp-c-api.md §3, D-056): 0 with pictures out.
    seen["release_pic_pts with pictures out"] = status.release_pic_pts
    sd = StreamData()
    see("GetStream", lambda: encoder.GetStream(CHN, sd))
    seen["several packs"] = sd.pack_cnt > 1
    see("ReleaseStream", lambda: encoder.ReleaseStream(CHN, sd))
    see("GetStream with timeout", lambda: encoder.GetStream(CHN, sd, 1000))
    see("link.destroy", lambda: link.destroy())
    sensor.stop()
    see("Stop", lambda: encoder.Stop(CHN))
    see("Destroy", lambda: encoder.Destroy(CHN))
    MediaManager.deinit()
    print(json.dumps(seen))
"""

# What the script must print per generation. Common answers first, then each one's own.
COMMON = {
    "phy_addr exists": True,
    "release_pic_pts with pictures out": 0,
    "SetOutBufs": "None",
    "Create": "None",
    "Start": "None",
    "ReleaseStream": "None",
    "Stop": "None",
    "Destroy": "None",
    "Create(4)": "ValueError: ('venc Create, chn id: ', 4, ' out of range 0 ~ 3')",
}
OLD_ATTRS = "TypeError: ChnAttrStr.__init__() got an unexpected keyword argument 'bit_rate'"
MEDIA_CONFIG = ("AssertionError: SetOutBufs after MediaManager.init(): buffers must be "
                "configured first")
NO_TIMEOUT = "TypeError: Encoder.GetStream() takes 3 positional arguments but 4 were given"
NO_DESTROY = "AttributeError: 'linker' object has no attribute 'destroy'"
EXPECTED = {
    "canmv-2024-07": {
        "SendFrame exists": False, "JPEG exists": False, "phy_addr exists": False,
        "ChnAttrStr bit_rate": OLD_ATTRS,
        "Create(4)": "ValueError: ('venc create, chn id: ', 4, ' out of range 0 ~ 3')",
        "SetOutBufs after init": MEDIA_CONFIG, "GetStream": "None", "several packs": False,
        "GetStream with timeout": NO_TIMEOUT, "link.destroy": NO_DESTROY,
    },
    "canmv-2024-08": {
        "SendFrame exists": True, "JPEG exists": False, "ChnAttrStr bit_rate": OLD_ATTRS,
        "Create(4)": "ValueError: ('venc create, chn id: ', 4, ' out of range 0 ~ 3')",
        "SetOutBufs after init": MEDIA_CONFIG, "GetStream": "None", "several packs": False,
        "GetStream with timeout": NO_TIMEOUT, "link.destroy": NO_DESTROY,
    },
    "canmv-2025-04": {
        "SendFrame exists": True, "JPEG exists": False, "ChnAttrStr bit_rate": "30",
        "SetOutBufs after init": MEDIA_CONFIG, "GetStream": "0", "several packs": False,
        "GetStream with timeout": "0", "link.destroy": "True",
    },
    "canmv-2025-08": {
        "SendFrame exists": True, "JPEG exists": True, "ChnAttrStr bit_rate": "30",
        "SetOutBufs after init": MEDIA_CONFIG, "GetStream": "0", "several packs": True,
        "GetStream with timeout": "0", "link.destroy": "True",
    },
    "canmv-2026-01": {
        "SendFrame exists": True, "JPEG exists": True, "ChnAttrStr bit_rate": "30",
        "SetOutBufs after init": "None", "GetStream": "0", "several packs": True,
        "GetStream with timeout": "0", "link.destroy": "True",
    },
}


class Generations(unittest.TestCase):
    def test_each_generation_answers_as_its_firmware(self):
        for firmware, own in EXPECTED.items():
            with self.subTest(firmware=firmware), TempDir() as tmp:
                done = run_canmv(see_script(tmp, SCRIPT), sdcard=tmp, firmware=firmware)
                self.assertEqual(done.returncode, 0, done.stderr)
                seen = json.loads(done.stdout.strip().splitlines()[-1])
                self.assertEqual(seen, {**COMMON, **own})


# A line written for a later generation, the firmware it runs on, the --firmware the hint names.
TOO_NEW = [
    ("ChnAttrStr(96, 1, 320, 240, bit_rate=1000)", "canmv-2024-08", "canmv-2025-04"),
    ("Encoder.PAYLOAD_TYPE_JPEG", "canmv-2025-04", "canmv-2025-08"),
    ("Encoder().SendFrame", "canmv-2024-07", "canmv-2024-08"),
    ("Encoder().GetStream(0, StreamData(), 100)", "canmv-2024-08", "canmv-2025-04"),
    ("Encoder().Create(ChnAttrStr(96, 1, 320, 240))", "canmv-2026-01", "canmv-2026-07"),
]


class Hints(unittest.TestCase):
    def test_a_script_for_a_later_generation_gets_the_firmware_to_try(self):
        for line, firmware, hint in TOO_NEW:
            with self.subTest(line=line, firmware=firmware), TempDir() as tmp:
                script = write_script(tmp, "from media.vencoder import *\n" + line + "\n")
                done = run_canmv(script, sdcard=tmp, firmware=firmware)
                self.assertEqual(done.returncode, 1, done.stderr)
                self.assertIn(hint, done.stderr.split("canmv-run:")[-1])


if __name__ == "__main__":
    unittest.main()
