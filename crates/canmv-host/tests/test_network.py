"""``network`` as scripts use it (firmware facts §5): a station that connects (at once, late,
or never) and reports the address its servers are reachable on; the access point; the wired
interface; every error message of the facts; a TCP server a PC client reaches."""

import json
import socket
import subprocess
import time
import unittest

from support import CANMV_RUN, TempDir, run_canmv, write_script

# A public script's wait: connect, then poll isconnected() with a bound, then the address.
STATION = """
    import network, time, json
    sta = network.WLAN(network.STA_IF)
    seen = {"active": sta.active(), "before": sta.ifconfig()[0], "same": sta is network.WLAN(0)}
    ok = sta.connect("venc-sim", "12345678")
    seen["connect"] = ok
    t0 = time.ticks_ms()
    while ok and not sta.isconnected() and time.ticks_diff(time.ticks_ms(), t0) < 3000:
        seen["waited"] = True
        time.sleep_ms(50)
    seen["connected"] = sta.isconnected()
    seen["ip"] = sta.ifconfig()[0]
    seen["scan"] = [r.ssid for r in sta.scan()]
    print(json.dumps(seen, default=repr))
"""

ERRORS = """
    import network
    sta, ap = network.WLAN(network.STA_IF), network.WLAN(network.AP_IF)

    def see(what, call):
        try:
            print(what, "->", repr(call()))
        except Exception as e:
            print(what, "->", type(e).__name__, e)

    see("no ssid", lambda: sta.connect())
    see("empty ssid", lambda: sta.connect(""))
    see("short key", lambda: sta.connect("x", "1234"))
    see("active(False)", lambda: sta.active(False))
    see("ap connect", lambda: ap.isconnected())
    see("ap scan", lambda: ap.scan())
    see("ap without key", lambda: ap.config(ssid="k230"))
    see("ap start", lambda: ap.config(ssid="k230", key="12345678"))
    see("ap status", lambda: ap.status())
    see("ap ip", lambda: ap.ifconfig()[0])
    see("ap stop", lambda: ap.stop())
    see("lan 5", lambda: network.LAN(5))
    see("lan", lambda: network.LAN().isconnected())
    see("bad dev", lambda: network.set_default_dev(""))
    see("static", lambda: sta.ifconfig(("10.0.0.2", "255.0.0.0", "10.0.0.1", "10.0.0.1")))
    see("mac", lambda: len(sta.config("mac")))
"""

SERVER = """
    import network, socket
    sta = network.WLAN(network.STA_IF)
    sta.connect("venc-sim", "12345678")
    ip = sta.ifconfig()[0]
    s = socket.socket()
    s.bind(socket.getaddrinfo("0.0.0.0", 0)[0][-1])
    s.listen(1)
    print("listening", ip, s.getsockname()[1], flush=True)
    conn, _ = s.accept()
    conn.send(b"hello from the board")
    conn.close()
    s.close()
"""


class Network(unittest.TestCase):
    def station(self, *extra):
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, STATION), sdcard=tmp, extra=extra)
            self.assertEqual(done.returncode, 0, done.stderr)
            return json.loads(done.stdout.strip().splitlines()[-1]), done.stdout

    def test_a_station_connects_at_once_late_or_never(self):
        seen, _ = self.station()
        self.assertEqual(seen, {"active": True, "before": "0.0.0.0", "same": True,
                                "connect": True, "connected": True, "ip": "127.0.0.1",
                                "scan": ["b'venc-sim'"]})
        seen, _ = self.station("--wifi-delay", "0.3", "--ip", "192.168.4.20",
                               "--wifi-ssid", "lab", "--wifi-ssid", "home")
        self.assertTrue(seen["waited"])
        self.assertEqual((seen["connected"], seen["ip"], seen["scan"]),
                         (True, "192.168.4.20", ["b'lab'", "b'home'"]))
        seen, said = self.station("--wifi-fail")
        self.assertEqual((seen["connect"], seen["connected"], seen["ip"]),
                         (False, False, "0.0.0.0"))
        self.assertIn("run connect failed.", said)

    def test_every_error_answers_as_the_firmware(self):
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, ERRORS), sdcard=tmp)
            self.assertEqual(done.returncode, 0, done.stderr)
            for line in [
                "no ssid -> OSError should set ssid or ap",
                "empty ssid -> OSError SSID can't be empty, and can't longer than 32",
                "short key -> OSError Key length(4) should be 8 - 64",
                "Network (rt-smart) is always active and cannot be disabled.",
                "active(False) -> None",
                "ap connect -> OSError ap mode not support connect",
                "ap scan -> OSError ap mode not support scan",
                "ap start -> True",
                "ap status -> True",
                "ap ip -> '127.0.0.1'",
                "ap stop -> True",
                "lan 5 -> TypeError Unsupport type",
                "lan -> True",
                "bad dev -> ValueError invalid device name",
                "static -> True",
                "mac -> 6",
            ]:
                self.assertIn(line, done.stdout)

    def test_lengths_are_the_utf8_bytes_the_c_code_counts(self):
        # oldgen facts §5.1, §5.3: strlen of mp_obj_str_get_str's UTF-8 bytes.
        with TempDir() as tmp:
            script = write_script(tmp, """
                import network
                sta, ap = network.WLAN(network.STA_IF), network.WLAN(network.AP_IF)
                def see(what, call):
                    try:
                        print(what, "->", repr(call()))
                    except Exception as e:
                        print(what, "->", type(e).__name__, e)
                see("key of 6 chinese characters", lambda: sta.connect("venc-sim", "密码很安全的"))
                see("key of 2 chinese characters", lambda: sta.connect("venc-sim", "密码"))
                see("ssid of 11 chinese characters", lambda: sta.connect("网" * 11, "12345678"))
                see("ssid of 10", lambda: sta.connect("网" * 10, "12345678"))
                see("bytes key", lambda: sta.connect(b"venc-sim", b"12345678"))
                see("key cut at a NUL", lambda: sta.connect("venc-sim", "1234" + chr(0) + "5678"))
                see("int key", lambda: sta.connect("venc-sim", 12345678))
                see("ap chinese key", lambda: ap.config(ssid="k230", key="密码"))
                see("dev as bytes", lambda: network.set_default_dev(b"w0"))
                see("dev of 11 chinese", lambda: network.set_default_dev("网" * 11))
            """)
            done = run_canmv(script, sdcard=tmp)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual(done.stdout.strip().splitlines(), [
                "key of 6 chinese characters -> True",
                "key of 2 chinese characters -> OSError Key length(6) should be 8 - 64",
                "ssid of 11 chinese characters -> OSError SSID can't be empty, and can't longer "
                "than 32",
                "ssid of 10 -> True",
                "bytes key -> True",
                "key cut at a NUL -> OSError Key length(4) should be 8 - 64",
                "int key -> TypeError can't convert 'int' object to str implicitly",
                "ap chinese key -> OSError Key length(6) should be 8 - 64",
                "dev as bytes -> True",
                "dev of 11 chinese -> ValueError invalid device name",
            ])

    def test_a_server_in_the_script_is_reached_from_the_pc(self):
        with TempDir() as tmp:
            script = write_script(tmp, SERVER)
            child = subprocess.Popen(
                [str(CANMV_RUN), "-q", "--sdcard", str(tmp), "--data", str(tmp / "data"),
                 str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                words = child.stdout.readline().split()
                self.assertEqual(words[:2], ["listening", "127.0.0.1"], child.stderr)
                deadline = time.monotonic() + 10
                with socket.create_connection((words[1], int(words[2])), timeout=10) as c:
                    data = c.recv(64)
                self.assertLess(time.monotonic(), deadline)
                self.assertEqual(data, b"hello from the board")
                self.assertEqual(child.wait(timeout=10), 0)
            finally:
                child.kill()
                child.communicate()


if __name__ == "__main__":
    unittest.main()
