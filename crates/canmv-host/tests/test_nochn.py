"""The newest ("no-chn") firmware generation as a script sees it (firmware facts §1.3): every
return value, exception type and message, and what the raw bindings offer."""

import unittest

from support import TempDir, run_canmv, write_script

SCRIPT = """
    from media.vencoder import *
    W, H = 320, 240

    def attr():
        return ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN, W, H)

    def show(what, call):
        try:
            print(what, "->", repr(call()))
        except Exception as e:
            print(what, "->", type(e).__name__, e.args)

    enc = Encoder()
    print("chn", enc.chn)
    for name in ("Start", "Stop", "Destroy"):
        show(name + "()", getattr(enc, name))
    show("GetStream", lambda: enc.GetStream(StreamData(), 0))
    show("SendFrame", lambda: enc.SendFrame(k_video_frame_info()))
    show("SetOutBufs", lambda: enc.SetOutBufs(8, W, H))
    show("Create", lambda: enc.Create(attr()))
    print("chn", enc.chn)
    show("Start()", enc.Start)
    show("GetStream", lambda: enc.GetStream(StreamData(), 0))
    others = []
    for _ in range(3):
        e = Encoder()
        e.SetOutBufs(8, W, H)
        e.Create(attr())
        others.append(e)
    print("others", [e.chn for e in others])
    show("fifth Create", lambda: Encoder().Create(attr()))
    show("old signature", lambda: Encoder().Create(0, attr()))
    show("Stop()", enc.Stop)
    show("Destroy()", enc.Destroy)
    print("chn", enc.chn)
    show("Destroy() again", enc.Destroy)
    show("Stop() after Destroy", enc.Stop)
    again = Encoder()
    again.SetOutBufs(8, W, H)
    again.Create(attr())
    print("reused", again.chn)
    print("binding", "kd_mpi_venc_request_chn" in globals(), "k_u32_ptr" in globals())
"""


class NoChnGeneration(unittest.TestCase):
    def run_script(self, firmware):
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, SCRIPT), sdcard=tmp, firmware=firmware)
            return done

    def test_what_a_script_sees_on_the_newest_firmware(self):
        done = self.run_script("canmv-2026-07")
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.splitlines()
        want = [
            "chn -1",
            "Start() -> ValueError ('venc Start, chn not requested yet',)",
            "Stop() -> ValueError ('venc Stop, chn not requested yet',)",
            "Destroy() -> ValueError ('venc Destroy, chn not requested yet',)",
            "GetStream -> ValueError ('venc GetStream, chn not requested yet',)",
            "SendFrame -> ValueError ('venc SendFrame, chn not requested yet',)",
            "SetOutBufs -> None",
            "Create -> None",
            "chn 0",
            "Start() -> None",
            "GetStream -> -1",
            "others [1, 2, 3]",
            "fifth Create -> OSError ('mpi venc request chn failed.',)",
            "old signature -> TypeError",
            "Stop() -> None",
            "Destroy() -> None",
            "chn -1",
            "Destroy() again -> ValueError ('venc Destroy, chn not requested yet',)",
            "Stop() after Destroy -> ValueError ('venc Stop, chn not requested yet',)",
            "reused 0",
            "binding True True",
        ]
        self.assertEqual(len(lines), len(want), done.stdout)
        for got, expected in zip(lines, want):
            self.assertTrue(got.startswith(expected), f"{got!r} is not {expected!r}")

    def test_older_firmware_has_no_request_binding(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                from media.vencoder import *
                print("binding", "kd_mpi_venc_request_chn" in globals(), "k_u32_ptr" in globals())
                enc = Encoder()
                try:
                    enc.Create(ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN,
                                          320, 240))
                except TypeError as e:
                    print("TypeError")
                attr = ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN, 320, 240)
                # From v0.3 on these return None; errors raise (firmware facts §1.1).
                print(enc.SetOutBufs(0, 8, 320, 240), enc.Create(0, attr), enc.Start(0),
                      enc.Stop(0), enc.Destroy(0))
            """)
            for firmware in ("canmv-2026-01", "canmv-2024-08"):
                with self.subTest(firmware=firmware):
                    done = run_canmv(script, sdcard=tmp, firmware=firmware)
                    self.assertEqual(done.returncode, 0, done.stderr)
                    self.assertEqual(done.stdout.split(), ["binding", "False", "False",
                                                          "TypeError"] + ["None"] * 5)

    def test_a_script_for_the_other_generation_gets_a_hint_naming_the_firmware(self):
        with TempDir() as tmp:
            nochn_style = write_script(tmp, """
                from media.vencoder import *
                Encoder().SetOutBufs(8, 320, 240)
            """, name="nochn_style.py")
            chn_style = write_script(tmp, """
                from media.vencoder import *
                Encoder().Start(0)
            """, name="chn_style.py")
            for script, firmware, hint in (
                (nochn_style, "canmv-2026-01", "try --firmware canmv-2026-07"),
                (chn_style, "canmv-2026-07", "try --firmware canmv-2026-01"),
            ):
                with self.subTest(firmware=firmware):
                    done = run_canmv(script, sdcard=tmp, firmware=firmware)
                    self.assertEqual(done.returncode, 1)
                    self.assertIn("TypeError: Encoder.", done.stderr)
                    self.assertIn(hint, done.stderr)
            # Other errors get no hint.
            other = write_script(tmp, "raise TypeError('not an Encoder call')\n", name="o.py")
            done = run_canmv(other, sdcard=tmp)
            self.assertNotIn("try --firmware", done.stderr)


if __name__ == "__main__":
    unittest.main()
