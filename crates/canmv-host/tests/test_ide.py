"""canmv-run --ide: the IDE's preview holds a VENC channel (firmware facts §1.5), so a script
that works alone but needs the IDE's channel fails as it would with the IDE attached."""

import unittest

from support import TempDir, run_canmv, write_script

W, H = 320, 240
ATTR = f"ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN, {W}, {H})"

# Per generation: a script that takes the channel the IDE would hold.
CASES = {
    # Older firmware: the IDE's JPEG preview is channel 3.
    "canmv-2024-08": f"""
        from media.vencoder import *
        e = Encoder()
        e.SetOutBufs(3, 4, {W}, {H})
        e.Create(3, {ATTR})
        print("created 3")
    """,
    # 2026 firmware: the IDE requests a channel once video runs; the script then creates 1.
    "canmv-2026-01": f"""
        from media.vencoder import *
        a, b = Encoder(), Encoder()
        a.SetOutBufs(0, 4, {W}, {H})
        a.Create(0, {ATTR})
        a.Start(0)
        b.SetOutBufs(1, 4, {W}, {H})
        b.Create(1, {ATTR})
        print("created 1")
    """,
    # Newest: four requested channels, of which the IDE has one.
    "canmv-2026-07": f"""
        from media.vencoder import *
        encoders = [Encoder() for _ in range(4)]
        for i, e in enumerate(encoders):
            e.SetOutBufs(4, {W}, {H})
            e.Create({ATTR})
            if i == 0:
                e.Start()
        print("created", [e.chn for e in encoders])
    """,
}


class Ide(unittest.TestCase):
    def test_the_ides_channel_is_taken_only_with_ide(self):
        for firmware, body in CASES.items():
            with self.subTest(firmware=firmware), TempDir() as tmp:
                script = write_script(tmp, body)
                alone = run_canmv(script, sdcard=tmp, firmware=firmware)
                self.assertEqual(alone.returncode, 0, alone.stderr)
                self.assertIn("created", alone.stdout)
                with_ide = run_canmv(script, sdcard=tmp, firmware=firmware, extra=("--ide",))
                self.assertEqual(with_ide.returncode, 1, with_ide.stdout)
                self.assertIn("OSError: mpi venc", with_ide.stderr)
                self.assertIn("the IDE's preview", with_ide.stderr)
                self.assertIn("canmv-run: 1 Create(s) failed because the IDE's preview held",
                              with_ide.stderr)

    def test_the_manuals_single_channel_flow_runs_with_the_ide(self):
        with TempDir() as tmp:
            script = write_script(tmp, CASES["canmv-2026-01"].split("b.SetOutBufs")[0])
            done = run_canmv(script, sdcard=tmp, extra=("--ide",))
            self.assertEqual(done.returncode, 0, done.stderr)


if __name__ == "__main__":
    unittest.main()
