"""The pytest plugin's checks (pytester/plugin_checks.py) run under pytest, as pytester needs,
from this suite."""

import os
import subprocess
import sys
import unittest
from pathlib import Path

CHECKS = Path(__file__).parent / "pytester" / "plugin_checks.py"


class PytestPlugin(unittest.TestCase):
    def test_the_plugins_pytester_checks_pass(self):
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "-p", "pytester", "-q", "-p", "no:cacheprovider",
             os.fspath(CHECKS)],
            capture_output=True, text=True, timeout=600, cwd=CHECKS.parent)
        self.assertEqual(done.returncode, 0, done.stdout[-4000:] + done.stderr[-2000:])
        self.assertRegex(done.stdout, r"\b9 passed\b")

    def test_the_plugin_is_registered_through_its_entry_point(self):
        done = subprocess.run([sys.executable, "-m", "pytest", "--help"], capture_output=True,
                              text=True, timeout=120)
        self.assertIn("--canmv-target", done.stdout)
        self.assertIn("--canmv-firmware", done.stdout)


if __name__ == "__main__":
    unittest.main()
