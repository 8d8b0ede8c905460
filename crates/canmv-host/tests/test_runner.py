"""canmv-run: exit statuses, Ctrl-C, /sdcard mapping, bad arguments, script exceptions."""

import signal
import subprocess
import time
import unittest

from support import CANMV_RUN, EXAMPLES, TempDir, probe, run_canmv, write_script

WAITS_FOR_EVER = """
    from media.vencoder import *
    import os
    enc = Encoder()
    enc.SetOutBufs(VENC_CHN_ID_0, 8, 320, 240)
    enc.Create(VENC_CHN_ID_0, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN,
                                         320, 240))
    enc.Start(VENC_CHN_ID_0)
    print("waiting", flush=True)
    {body}
    enc.Stop(VENC_CHN_ID_0)
    enc.Destroy(VENC_CHN_ID_0)
    print("cleaned up")
"""


class CtrlC(unittest.TestCase):
    def interrupt(self, body, firmware="canmv-2026-01"):
        with TempDir() as tmp:
            script = write_script(tmp, WAITS_FOR_EVER.format(body=body))
            child = subprocess.Popen(
                [str(CANMV_RUN), "-q", "--sdcard", str(tmp), "--data", str(tmp / "data"),
                 "--firmware", firmware, str(script)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertEqual(child.stdout.readline().strip(), "waiting")
            time.sleep(0.3)  # inside GetStream(-1) by now
            t0 = time.monotonic()
            child.send_signal(signal.SIGINT)
            out, err = child.communicate(timeout=10)
            return child.returncode, out, err, time.monotonic() - t0

    def test_blocked_get_stream_sees_keyboard_interrupt(self):
        body = """try:
        enc.GetStream(VENC_CHN_ID_0, StreamData())
    except KeyboardInterrupt as e:
        print("user stop")"""
        code, out, err, took = self.interrupt(body)
        self.assertEqual(code, 0, err)
        self.assertIn("user stop", out)
        self.assertIn("cleaned up", out)
        self.assertLess(took, 2.0)

    def test_uncaught_interrupt_exits_130(self):
        code, out, err, _ = self.interrupt("enc.GetStream(VENC_CHN_ID_0, StreamData())")
        self.assertEqual(code, 130)
        self.assertIn("KeyboardInterrupt", err)
        self.assertNotIn("cleaned up", out)
        self.assertNotIn("blocks forever", err)  # a started channel can still get frames


    def test_a_wait_that_cannot_end_is_named(self):
        body = """enc.Stop(VENC_CHN_ID_0)
    enc.GetStream(VENC_CHN_ID_0, StreamData())"""
        code, _, err, _ = self.interrupt(body)
        self.assertEqual(code, 130)
        self.assertIn("on a channel that is Stopped", err)
        self.assertIn("blocks forever on the board", err)


# Threads blocked in the board (GetStream(-1)) and one outside it (a socket), as the script
# ends with its own status.
BLOCKED_THREADS = """
    import _thread, socket, sys, time
    from media.vencoder import *
    from media.media import *
    enc = Encoder()
    enc.SetOutBufs(0, 8, 320, 240)
    MediaManager.init()
    enc.Create(0, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN, 320, 240))
    enc.Start(0)
    started = []
    def waiter(n):
        try:
            started.append(n)
            enc.GetStream(0, StreamData(), -1)
        finally:
            open("/sdcard/ended-%d" % n, "w").close()
    for n in range(THREADS):
        _thread.start_new_thread(waiter, (n,))
    while len(started) < THREADS:
        time.sleep(0.01)
    if SOCKET:
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        _thread.start_new_thread(s.accept, ())
    time.sleep(0.3)
    print("main ends", flush=True)
    sys.exit(7)
"""


class ScriptEnd(unittest.TestCase):
    def run_blocked(self, threads, socket, *extra):
        with TempDir() as tmp:
            card = tmp / "card"
            script = write_script(tmp, f"THREADS = {threads}\nSOCKET = {socket}\n"
                                  + BLOCKED_THREADS.replace("\n    ", "\n"))
            done = run_canmv(script, sdcard=card, timeout=60, extra=extra)
            return done, len(list(card.glob("ended-*")))

    def test_threads_blocked_in_get_stream_get_system_exit_and_the_status_is_the_scripts(self):
        done, ended = self.run_blocked(50, False)
        self.assertEqual(done.returncode, 7, done.stderr)
        self.assertEqual(ended, 50)  # each thread's finally ran
        self.assertNotIn("FATAL", done.stderr)
        self.assertNotIn("left behind", done.stderr)

    def test_on_a_deterministic_board_too_without_passing_the_board_over(self):
        # The threads share one Encoder: one waiting for it must not hold the GIL or stop
        # the board's time (each such wait used to cost a 2 s pass-over).
        done, ended = self.run_blocked(20, False, "--timing", "deterministic")
        self.assertEqual(done.returncode, 7, done.stderr)
        self.assertEqual(ended, 20)
        self.assertNotIn("pass-over", done.stderr)
        self.assertNotIn("held the board", done.stderr)

    def test_a_thread_blocked_outside_the_board_is_left_behind_with_a_note(self):
        done, ended = self.run_blocked(3, True)
        self.assertEqual(done.returncode, 7, done.stderr)
        self.assertEqual(ended, 3)
        self.assertIn("1 script thread(s) still running at the end (accept)", done.stderr)
        self.assertNotIn("FATAL", done.stderr)


# A thread waits in GetStream(-1) while the main thread destroys the channel, makes it again
# and streams into it (the C front's D-063 case, through the Python front).
REINCARNATED = """
    import _thread, time
    from media.vencoder import *
    from media.sensor import *
    from media.media import *
    W, H = 320, 240
    sensor = Sensor(width=W, height=H, fps=30)
    sensor.reset()
    sensor.set_framesize(width=W, height=H, alignment=12)
    sensor.set_pixformat(Sensor.YUV420SP)
    encoder = Encoder()
    link = MediaManager.link(sensor.bind_info()["src"], (VIDEO_ENCODE_MOD_ID, VENC_DEV_ID, 0))
    MediaManager.init()
    def make():
        encoder.SetOutBufs(0, 8, W, H)  # a Destroy gives the output pool back
        encoder.Create(0, ChnAttrStr(Encoder.PAYLOAD_TYPE_H264, Encoder.H264_PROFILE_MAIN, W, H))
        encoder.Start(0)
    make()
    stolen, waiting = [], []
    def waiter():
        sd = StreamData()
        waiting.append(True)
        if encoder.GetStream(0, sd) == 0:
            stolen.append(sd.pack_cnt)
            encoder.ReleaseStream(0, sd)
    _thread.start_new_thread(waiter, ())
    while not waiting:
        time.sleep(0.01)
    time.sleep(0.2)  # in its GetStream by now
    encoder.Stop(0)
    encoder.Destroy(0)
    make()
    sensor.run()
    mine = 0
    while mine < 10:
        sd = StreamData()
        if encoder.GetStream(0, sd) == 0:
            mine += sum(1 for i in range(sd.pack_cnt)
                        if sd.stream_type[i] != Encoder.STREAM_TYPE_HEADER)
            encoder.ReleaseStream(0, sd)
    sensor.stop()
    link.destroy()
    encoder.Stop(0)
    encoder.Destroy(0)
    MediaManager.deinit()
    print("stolen", stolen, "mine", mine)
"""


class Reincarnation(unittest.TestCase):
    def test_a_waiter_of_a_destroyed_channel_never_takes_the_next_ones_packs(self):
        with TempDir() as tmp:
            script = write_script(tmp, REINCARNATED)
            done = run_canmv(script, sdcard=tmp / "card", timeout=60)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("stolen [] mine 10", done.stdout)


class StopSignals(unittest.TestCase):
    def stop(self, script, *script_args, signals=(signal.SIGTERM,), wait_for="", tmp):
        child = subprocess.Popen(
            [str(CANMV_RUN), "-q", "--sdcard", str(tmp / "card"), "--data", str(tmp / "data"),
             str(script), "--", *script_args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if wait_for:
            while wait_for not in child.stdout.readline():
                pass
            time.sleep(0.3)  # past the line printed, into what follows it
        for signum in signals:
            child.send_signal(signum)
            time.sleep(0.2)
        out, err = child.communicate(timeout=30)
        return child.returncode, out, err

    def test_sigterm_is_the_ides_stop_cleanup_runs_and_the_status_says_sigterm(self):
        with TempDir() as tmp:
            script = write_script(tmp, WAITS_FOR_EVER.format(body="""try:
        enc.GetStream(VENC_CHN_ID_0, StreamData())
    finally:
        print("cleanup ran")"""))
            code, out, err = self.stop(script, wait_for="waiting", tmp=tmp)
            self.assertEqual(code, 143, err)
            self.assertIn("cleanup ran", out)
            self.assertIn("stopped by SIGTERM", err)

    def test_sighup_waits_for_an_exitpoint_and_a_second_signal_does_not(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                import os, time
                os.exitpoint(os.EXITPOINT_ENABLE_SLEEP)
                print("looping", flush=True)
                try:
                    while True:
                        time.sleep(0.01)  # not an exit point under ENABLE_SLEEP
                except KeyboardInterrupt:
                    print("interrupted")
            """)
            code, out, err = self.stop(script, signals=(signal.SIGHUP, signal.SIGHUP),
                                       wait_for="looping", tmp=tmp)
            self.assertEqual(code, 0, err)  # the script caught it and ended on its own
            self.assertIn("interrupted", out)

    def test_a_third_signal_ends_a_run_whose_interpreter_is_stuck(self):
        with TempDir() as tmp:
            # sum() over a range runs in C without looking at signals: Python's own handler
            # cannot run, so only the native watch can end it.
            script = write_script(tmp, """
                print("spinning", flush=True)
                sum(range(10 ** 14))
            """)
            t0 = time.monotonic()
            code, _, err = self.stop(script, signals=(signal.SIGTERM,) * 3,
                                     wait_for="spinning", tmp=tmp)
            self.assertEqual(code, 143, err)
            self.assertLess(time.monotonic() - t0, 20)

    def test_sigterm_during_a_recording_leaves_a_playable_mp4(self):
        with TempDir() as tmp:
            script = EXAMPLES / "2026-01" / "record_mp4.py"
            child = subprocess.Popen(
                [str(CANMV_RUN), "-q", "--sdcard", str(tmp / "card"), "--data",
                 str(tmp / "data"), str(script), "--", "/sdcard/rec.mp4"],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            mp4 = tmp / "card" / "rec.mp4"
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and (not mp4.exists()
                                                   or mp4.stat().st_size < 20000):
                time.sleep(0.05)
            child.send_signal(signal.SIGTERM)
            out, err = child.communicate(timeout=30)
            self.assertEqual(child.returncode, 0, err)  # the example catches the stop
            self.assertIn("stopped", out)
            facts = probe(mp4)
            self.assertEqual(facts["codec"], "h264")
            self.assertGreater(facts["frames"], 0)


class ExitStatus(unittest.TestCase):
    def test_script_exception_is_reported_and_exits_1(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                from media.vencoder import *
                Encoder().Start(VENC_CHN_ID_0)
            """)
            done = run_canmv(script, sdcard=tmp)
            self.assertEqual(done.returncode, 1)
            self.assertIn("OSError: mpi venc start failed.", done.stderr)
            self.assertIn("K_ERR_VENC_NOT_PERM", done.stderr)  # the note under the traceback
            self.assertNotIn("runpy", done.stderr)  # the script's frames only

    def test_print_exception_and_exitpoint_work(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                import os, sys, time
                os.exitpoint(os.EXITPOINT_ENABLE)
                os.exitpoint()
                t0 = time.ticks_ms()
                time.sleep_ms(5)
                assert time.ticks_diff(time.ticks_ms(), t0) >= 4
                try:
                    raise ValueError("shown")
                except BaseException as e:
                    sys.print_exception(e)
            """)
            done = run_canmv(script, sdcard=tmp)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("ValueError: shown", done.stdout)

    def test_drops_are_logged_and_counted_for_the_script(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                import canmv_host
                from media.vencoder import *
                enc = Encoder()
                enc.SetOutBufs(0, 8, 320, 240)
                enc.Create(0, ChnAttrStr(enc.PAYLOAD_TYPE_H264, enc.H264_PROFILE_MAIN, 320, 240))
                frame = k_video_frame_info()
                frame.v_frame.width, frame.v_frame.height = 320, 240
                for _ in range(3):
                    assert enc.SendFrame(0, frame) == 0   # not started: dropped, 0 returned
                stats = canmv_host.channel_stats(0)
                print("dropped", stats["dropped_not_started"], stats["frames_dropped"])
                try:
                    canmv_host.channel_stats(4)
                except ValueError as e:
                    print("refused:", e)
                enc.Destroy(0)
            """)
            told = run_canmv(script, sdcard=tmp, extra=["--log", "info"])
            self.assertEqual(told.returncode, 0, told.stderr)
            self.assertIn("dropped 3 3", told.stdout)
            self.assertIn("refused: channel_stats(4)", told.stdout)
            self.assertEqual(told.stderr.count("not started"), 3, told.stderr)
            quiet = run_canmv(script, sdcard=tmp)  # --log warn: these drops are info
            self.assertIn("dropped 3 3", quiet.stdout)
            self.assertNotIn("not started", quiet.stderr)
            bad = run_canmv(script, sdcard=tmp, extra=["--log", "loud"])
            self.assertEqual(bad.returncode, 2)
            self.assertIn("--log", bad.stderr)

    def test_injected_faults_reach_the_script_and_are_reported(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                import canmv_host
                from media.vencoder import *
                from media.media import *
                enc = Encoder()
                enc.SetOutBufs(0, 8, 320, 240)
                enc.Create(0, ChnAttrStr(enc.PAYLOAD_TYPE_H264, enc.H264_PROFILE_MAIN, 320, 240))
                enc.Start(0)
                sd = StreamData()
                # GetStream(-1) cannot time out on the board; an injected NOTREADY answers at once.
                print("get_stream", enc.GetStream(0, sd))
                try:
                    canmv_host.inject_fault("vpu-stall")
                except ValueError as e:
                    print("refused:", e)
                canmv_host.inject_fault("mem-exhausted")
                try:
                    MediaManager.Buffer.get(1 << 20)
                except RuntimeError as e:
                    print("buffer:", e)
                print("struck", canmv_host.faults_injected()["get-stream-notready"],
                      canmv_host.faults_injected()["mem-exhausted"])
                enc.Stop(0)
                enc.Destroy(0)
            """)
            done = run_canmv(script, sdcard=tmp, extra=["--fault", "get-stream-notready@next"])
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("get_stream -1", done.stdout)
            self.assertIn("refused: fault `vpu-stall`: vpu-stall needs a duration", done.stdout)
            self.assertIn("buffer: media memory exhausted (injected fault)", done.stdout)
            self.assertIn("struck 1 1", done.stdout)
            self.assertIn("fault injected: get-stream-notready@next", done.stderr)
            self.assertIn("canmv-run: faults injected: get-stream-notready 1, mem-exhausted 1",
                          done.stderr)
            bad = run_canmv(script, sdcard=tmp, extra=["--fault", "gremlins"])
            self.assertEqual(bad.returncode, 2)
            self.assertIn("unknown kind `gremlins`", bad.stderr)

    def test_a_channel_whose_board_reading_is_unknown_is_counted_at_the_end(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                from media.vencoder import *
                enc = Encoder()
                chn = -(1 << 32) + 2  # channel 2 if the board kept the low 32 bits
                enc.SetOutBufs(chn, 8, 320, 240)
                try:
                    enc.Create(chn, ChnAttrStr(enc.PAYLOAD_TYPE_H264, enc.H264_PROFILE_MAIN,
                                               320, 240))
                except OSError as e:
                    print("refused", e)
            """)
            done = run_canmv(script, sdcard=tmp)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("refused mpi venc create chn failed", done.stdout)
            self.assertIn("canmv-run: 2 negative channel number(s) taken as INVALID_CHNID",
                          done.stderr)
            self.assertIn("D-031", done.stderr)

    def test_a_trace_that_cannot_be_written_fails_the_run_naming_it(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                from media.vencoder import *
                enc = Encoder()
                enc.SetOutBufs(0, 8, 320, 240)
                print("ran")
            """)
            done = run_canmv(script, sdcard=tmp, extra=["--trace", "/dev/full"])
            self.assertIn("ran", done.stdout)
            self.assertEqual(done.returncode, 1, done.stderr)
            self.assertIn("canmv-run: --trace /dev/full:", done.stderr)
            self.assertIn("No space left on device", done.stderr)

    def test_caught_memory_fault_still_fails_the_run(self):
        with TempDir() as tmp:
            script = write_script(tmp, """
                from media.vencoder import *
                try:
                    uctypes.bytearray_at(0x10000000, 16)  # a physical address
                except BaseException as e:
                    print("caught", type(e).__name__)
            """)
            done = run_canmv(script, sdcard=tmp)
            self.assertEqual(done.returncode, 3)
            self.assertIn("caught MemoryFault", done.stdout)
            self.assertIn("what crashes the board", done.stderr)

    def test_sys_exit_code_passes_through(self):
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, "import sys\nsys.exit(7)\n"), sdcard=tmp)
            self.assertEqual(done.returncode, 7)

    def test_sys_exit_with_a_message_prints_it_and_fails(self):
        with TempDir() as tmp:
            done = run_canmv(write_script(tmp, "import sys\nsys.exit('camera not found')\n"),
                             sdcard=tmp)
            self.assertEqual(done.returncode, 1)
            self.assertIn("camera not found", done.stderr)


class Sdcard(unittest.TestCase):
    def test_sdcard_paths_land_in_the_folder(self):
        with TempDir() as tmp:
            card = tmp / "card"
            script = write_script(tmp, """
                import os
                with open("/sdcard/examples/x.txt", "w") as f:
                    f.write("on the card")
                os.mkdir("/sdcard/new")
                print(sorted(os.listdir("/sdcard")))
                print(os.stat("/sdcard/examples/x.txt")[6])
            """)
            done = run_canmv(script, sdcard=card)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertEqual((card / "examples" / "x.txt").read_text(), "on the card")
            # The image's folders (facts §6) and the script's own.
            self.assertIn("['examples', 'libs', 'new', 'res']", done.stdout)
            self.assertIn("11", done.stdout)


class BadArguments(unittest.TestCase):
    def test_bad_arguments_exit_2_with_a_message(self):
        with TempDir() as tmp:
            ok = write_script(tmp, "print('never')\n")
            bad_y4m = tmp / "bad.y4m"
            bad_y4m.write_bytes(b"not a y4m file")
            cases = [
                ([str(tmp / "missing.py")], "no such script"),
                (["--source", str(bad_y4m), str(ok)], "bad.y4m"),
                (["--source", str(tmp / "none.png"), str(ok)], "none.png"),
                (["--firmware", "canmv-9", str(ok)], "unknown firmware \"canmv-9\": use one of"),
                (["--firmware", "v1.0", str(ok)], "firmware \"v1.0\" is named canmv-2024-08"),
                (["--firmware", "canmv-new", str(ok)], "is named canmv-2026-01"),
                (["--codec-threads", "99", str(ok)], "codec_threads"),
                (["--run-for", "0", str(ok)], "--run-for 0"),
                (["--max-frames", "-3", str(ok)], "--max-frames -3"),
                (["--ip", "999.1.1.1", str(ok)], "--ip 999.1.1.1"),
                (["--wifi-delay", "-1", str(ok)], "--wifi-delay -1"),
            ]
            for args, message in cases:
                with self.subTest(args=args):
                    done = subprocess.run([str(CANMV_RUN), "-q", "--sdcard", str(tmp),
                                           "--data", str(tmp / "data"), *args],
                                          capture_output=True, text=True, timeout=60)
                    self.assertEqual(done.returncode, 2, done.stderr)
                    self.assertIn(message, done.stderr)
                    self.assertNotIn("never", done.stdout)
                    self.assertNotIn("Traceback", done.stderr)


if __name__ == "__main__":
    unittest.main()
