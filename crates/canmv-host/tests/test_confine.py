"""What a script can reach (issue 33 item 1): the board's view, then the kernel's sandbox."""

import json
import os
import unittest

from support import TempDir, run_canmv, write_script

# Each escape a stranger's script might try, through the board's own calls.
ESCAPES = """
    import json, os
    seen = {}
    def attempt(name, fn):
        try:
            fn()
            seen[name] = "done"
        except OSError as e:
            seen[name] = str(e)
    attempt("absolute", lambda: open(OUTSIDE + "/secret.txt").read())
    attempt("dotdot", lambda: open("/sdcard/../../../../../../" + OUTSIDE + "/secret.txt"))
    attempt("data dotdot", lambda: open("/data/../" + "x.txt", "w"))
    attempt("link", lambda: open("/sdcard/out/secret.txt").read())
    attempt("write link", lambda: open("/sdcard/out/planted.txt", "w"))
    seen["root"] = os.listdir("/sdcard/..")
    attempt("remove", lambda: os.remove("/sdcard/../../victim.txt"))
    attempt("rename out", lambda: os.rename("/sdcard/mine.txt", "/mine.txt"))
    attempt("stat host", lambda: os.stat("/etc/passwd"))
    with open("/sdcard/mine.txt", "w") as f:
        f.write("on the card")
    os.chdir("/sdcard/examples")
    with open("rel.txt", "w") as f:
        f.write("relative")
    seen["cwd"] = os.getcwd()
    attempt("relative up", lambda: open("../../x.txt", "w"))
    seen["host names"] = sorted(n for n in ("system", "environ", "popen", "fork", "path",
                                            "execv", "kill") if hasattr(os, n))
    absent = []
    for name in ("subprocess", "ctypes", "shutil", "multiprocessing", "pathlib", "importlib"):
        try:
            __import__(name)
        except ImportError as e:
            absent.append(str(e))
    seen["absent"] = absent
    import helper
    seen["helper"] = helper.probe()
    print(json.dumps(seen))
"""

# A module in the script's folder: it sees the board too.
HELPER = """
import os
def probe():
    try:
        open("/etc/hostname")
        return "opened"
    except OSError as e:
        return [str(e), hasattr(os, "system")]
"""

# The ways around the board's view Python always leaves (the host's real modules): the
# kernel's sandbox is what stops them.
BYPASS = """
    import json, sys
    host_os = sys.modules["os"]
    seen = {}
    try:
        fd = host_os.open(OUTSIDE + "/secret.txt", host_os.O_RDONLY)
        seen["read"] = host_os.read(fd, 100).decode()
    except OSError as e:
        seen["read"] = e.errno
    try:
        fd = host_os.open(OUTSIDE + "/planted.txt", host_os.O_CREAT | host_os.O_WRONLY, 0o600)
        seen["write"] = "done"
    except OSError as e:
        seen["write"] = e.errno
    seen["exec"] = host_os.system("echo executed > /dev/null") >> 8
    fd = host_os.open(CARD + "/inside.txt", host_os.O_CREAT | host_os.O_WRONLY, 0o600)
    seen["card"] = host_os.write(fd, b"ok")
    print(json.dumps(seen))
"""


def last_json(done):
    return json.loads(done.stdout.strip().splitlines()[-1])


class BoardView(unittest.TestCase):
    def test_every_escape_through_the_boards_calls_is_refused(self):
        with TempDir() as tmp:
            outside = tmp / "outside"
            outside.mkdir()
            (outside / "secret.txt").write_text("host secret")
            (tmp / "victim.txt").write_text("keep me")
            card = tmp / "card"
            card.mkdir()
            (card / "out").symlink_to(outside)
            script = write_script(tmp / "card", f"OUTSIDE = {str(outside)!r}\n" + ESCAPES
                                  .replace("\n    ", "\n"))
            (tmp / "card" / "helper.py").write_text(HELPER)
            done = run_canmv(script, sdcard=card)
            self.assertEqual(done.returncode, 0, done.stderr)
            seen = last_json(done)
            enoent, eacces = "[Errno 2] ENOENT", "[Errno 13] EACCES"
            self.assertEqual(seen["root"], ["data", "sdcard"])
            for name in ("absolute", "dotdot", "data dotdot", "remove",
                         "rename out", "stat host", "relative up"):
                self.assertEqual(seen[name], enoent, name)
            self.assertEqual(seen["link"], eacces)
            self.assertEqual(seen["write link"], eacces)
            self.assertEqual(seen["cwd"], "/sdcard/examples")
            self.assertEqual(seen["host names"], [])
            self.assertEqual(seen["absent"], [
                f"no module named '{m}'" for m in ("subprocess", "ctypes", "shutil",
                                                   "multiprocessing", "pathlib", "importlib")])
            self.assertEqual(seen["helper"], [enoent, False])
            # Nothing outside was touched; what belongs on the card is there.
            self.assertEqual((tmp / "victim.txt").read_text(), "keep me")
            self.assertFalse((outside / "planted.txt").exists())
            self.assertFalse((tmp / "x.txt").exists())
            self.assertEqual((card / "mine.txt").read_text(), "on the card")
            self.assertEqual((card / "examples" / "rel.txt").read_text(), "relative")
            # Each refusal is said once, with the path, and counted at the end.
            self.assertIn("leads out of /sdcard through a link", done.stderr)
            self.assertIn("path(s) refused", done.stderr)

    def test_a_module_from_sdcard_libs_sees_the_board(self):
        with TempDir() as tmp:
            card = tmp / "card"
            (card / "libs").mkdir(parents=True)
            (card / "libs" / "board_lib.py").write_text(HELPER)
            script = write_script(tmp, """
                import sys
                sys.path.append("/sdcard/libs")
                import board_lib
                print(board_lib.probe())
            """)
            done = run_canmv(script, sdcard=card)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("['[Errno 2] ENOENT', False]", done.stdout)


    def test_the_os_a_star_import_brings_is_the_boards(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                from media.sensor import *
                print(hasattr(os, "system"), hasattr(os, "exitpoint"))
            """)
            done = run_canmv(script, sdcard=tmp / "card")
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("False True", done.stdout)


class KernelSandbox(unittest.TestCase):
    def bypass(self, *extra):
        with TempDir() as tmp:
            outside = tmp / "outside"
            outside.mkdir()
            (outside / "secret.txt").write_text("host secret")
            card = tmp / "card"
            # The script's own folder is readable: the secret is beside it, not in it.
            (tmp / "scripts").mkdir()
            script = write_script(tmp / "scripts", f"OUTSIDE = {str(outside)!r}\n"
                                  f"CARD = {os.fspath(card.resolve())!r}\n"
                                  + BYPASS.replace("\n    ", "\n"))
            done = run_canmv(script, sdcard=card, extra=extra)
            self.assertEqual(done.returncode, 0, done.stderr)
            return last_json(done), done.stderr, (outside / "planted.txt").exists()

    def test_the_kernel_stops_what_gets_past_the_boards_view(self):
        seen, stderr, planted = self.bypass()
        if "has no Landlock" in stderr:
            self.skipTest("this kernel has no Landlock (the board's view is all there is)")
        self.assertEqual(seen["read"], 13)  # EACCES
        self.assertEqual(seen["write"], 13)
        self.assertEqual(seen["exec"], 127)  # the shell could not be executed
        self.assertFalse(planted)
        self.assertEqual(seen["card"], 2)  # the board's folders stay writable

    def test_no_sandbox_leaves_only_the_boards_view(self):
        seen, stderr, planted = self.bypass("--no-sandbox")
        self.assertEqual(seen["read"], "host secret")
        self.assertEqual(seen["write"], "done")
        self.assertEqual(seen["exec"], 0)
        self.assertTrue(planted)
        self.assertNotIn("Landlock", stderr)


if __name__ == "__main__":
    unittest.main()
