"""MicroPython's semantics where CPython differs and a CanMV script can see it (issue 35,
D-076): single-precision floats as ``print`` shows them, built-in exceptions' messages, the
integer ``time.time()``, and MicroPython's compiler refusing what the board refuses."""

import unittest

from support import TempDir, run_canmv, write_script

SCRIPT = """
    import sys, time
    print(1/3, 0.1 + 0.2, 2.0, 100000000.0, 1e-5, -0.0, float("inf"))
    print([0.5, (1/3,)], {"k": 0.25}, "text", 7)
    try:
        missing_name
    except NameError as e:
        print(e)
    try:
        1 // 0
    except ZeroDivisionError as e:
        print("caught:", e)
    try:
        "a" + 1
    except TypeError as e:
        print(e)
    try:
        int("x1")
    except ValueError as e:
        sys.print_exception(e)
    print(type(time.time()).__name__)
    print(str(1/3))  # str() keeps CPython's digits (not modeled)
    [].pop()
"""


class Semantics(unittest.TestCase):
    def test_floats_and_messages_print_as_on_the_board(self):
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, SCRIPT), sdcard=tmp)
            self.assertEqual(done.returncode, 1, done.stderr)
            lines = done.stdout.splitlines()
            self.assertEqual(lines[0], "0.3333333 0.3 2.0 1e+08 1e-05 -0.0 inf")
            self.assertEqual(lines[1], "[0.5, (0.3333333,)] {'k': 0.25} text 7")
            self.assertEqual(lines[2], "name 'missing_name' isn't defined")
            self.assertEqual(lines[3], "caught: divide by zero")
            self.assertEqual(lines[4], "can't convert 'int' object to str implicitly")
            self.assertIn("ValueError: invalid syntax for integer with base 10", done.stdout)
            self.assertIn("int\n0.3333333333333333\n", done.stdout)
            # An uncaught error keeps CPython's text where MicroPython's is the same.
            self.assertIn("IndexError: pop from empty list", done.stderr)

    def test_an_uncaught_error_is_worded_as_the_board_words_it(self):
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, "x = 1 + undefined\n"), sdcard=tmp)
            self.assertEqual(done.returncode, 1)
            self.assertIn("NameError: name 'undefined' isn't defined", done.stderr)


class Compiler(unittest.TestCase):
    def test_what_micropython_refuses_is_refused_before_it_runs(self):
        refused = {
            "match": "match 1:\n    case 1:\n        print('ran')\n",
            "starred list": "print([*range(3)], 'ran')\n",
            "name escape": "print('\\N{BULLET}', 'ran')\n",
        }
        for what, body in refused.items():
            with self.subTest(what=what), TempDir() as tmp:
                script = write_script(tmp, body)
                done = run_canmv(script, sdcard=tmp)
                self.assertEqual(done.returncode, 1, done.stderr)
                self.assertNotIn("ran", done.stdout)
                self.assertIn("MicroPython's compiler (mpy-cross) refuses this script",
                              done.stderr)
                self.assertIn("Error", done.stderr)
                # --no-mpy-check runs it on CPython all the same.
                done = run_canmv(script, sdcard=tmp, extra=["--no-mpy-check"])
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn("ran", done.stdout)


if __name__ == "__main__":
    unittest.main()
