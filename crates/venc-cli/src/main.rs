//! `venc`: encode on the simulated K230 VENC through the CanMV `Encoder` API.

mod conformance;
mod out;
mod profile;
mod record;
mod stop;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use out::{CreatedFile, Failure, say};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use venc_core::{FaultSpec, consts};
use venc_harness::source::{FrameSource, TestPattern, Y4mSource};
use venc_harness::trace::TracingMpi;
use venc_harness::trace_diff;
use venc_harness::{EncodeJob, EncodeSummary, UvPlacement, run_example1, run_example2};
use venc_sim::timing::{BoardProfile, VpuTiming};
use venc_sim::vicap::{BoundFeed, BoundSensor, Fit, SensorSource, Timing};
use venc_sim::{SimOptions, Simulator};

#[derive(Parser, Debug)]
#[command(
    name = "venc",
    version,
    about = "K230 VENC simulator (CanMV media.vencoder on a PC)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Encode frames through Encoder.SetOutBufs/Create/Start/SendFrame/GetStream/ReleaseStream,
    /// as the manual's Example 2 does, and write the stream to a file.
    Encode(EncodeArgs),
    /// Run the conformance suite (conformance/cases) on a backend and write reports.
    Conformance(conformance::ConformanceArgs),
    /// Call traces (`venc encode --trace FILE`).
    #[command(subcommand)]
    Trace(TraceCommand),
    /// Measure a board's timing model (per codec, I and P picture time by size) from the
    /// board's own clock, into a profile `--board-profile` loads.
    Profile(profile::ProfileArgs),
}

#[derive(Subcommand, Debug)]
enum TraceCommand {
    /// Where two traces first differ in behaviour (calls, channels, result codes, pack types;
    /// not addresses, sizes, times or polls). Exit 0 when they agree, 1 when they differ.
    Diff {
        /// The first trace (JSON lines).
        first: PathBuf,
        /// The second trace.
        second: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
enum CodecArg {
    H264,
    H265,
    /// Motion JPEG: one JFIF picture per frame, concatenated.
    Jpeg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
enum ProfileArg {
    Baseline,
    Main,
    High,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
enum BackendArg {
    /// The simulator in this process.
    Sim,
    /// A board (or the emulated board) through venc_agent.py: needs --board.
    Hw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Serialize)]
enum VpuTimingArg {
    /// Encode as fast as this machine can.
    Fast,
    /// Pace the simulated VPU as the K230's (8 MP@20 fps shared by all channels): the board's
    /// latency and backpressure, on the wall clock (a slow host places pictures late).
    Realtime,
    /// The same model on a board clock that waits while this machine's codec is behind it:
    /// the board's timing on any host, in more wall time on a slow one (the dilation factor is
    /// reported). With --bind the sensor is paced on that clock too.
    Dilated,
    /// The same model on a discrete-event board clock: the same times, drops and traces on
    /// every run and every machine (this program's own work between calls takes no board
    /// time, each call 10 us). With --bind the sensor is paced on that clock too.
    Deterministic,
}

#[derive(clap::Args, Debug)]
struct EncodeArgs {
    /// The simulated VPU's pace (the timing model: venc_sim::timing).
    #[arg(long, value_enum, default_value = "fast")]
    vpu_timing: VpuTimingArg,
    /// The timing model's figures from a board profile (TOML: per codec, the I and P pixel
    /// rates and a fixed time per picture) in place of the K230 datasheet's; for a paced
    /// --vpu-timing.
    #[arg(long, value_name = "FILE")]
    board_profile: Option<PathBuf>,
    /// Where to encode: the simulator, or a board through its agent (`--board`).
    #[arg(long, value_enum, default_value = "sim")]
    backend: BackendArg,
    /// With `--backend hw`: `tcp://HOST:PORT` of venc_agent.py, or `emulated` to start the
    /// emulated board for this run.
    #[arg(long, value_name = "URL")]
    board: Option<String>,
    /// Codec; by default taken from the output suffix (.264 / .265 as the manual's examples do;
    /// .mjpeg, .mjpg or .jpg for JPEG, written as concatenated pictures: MJPEG). A .mp4 file
    /// holds H.264 (the default) or H.265.
    #[arg(long, value_enum)]
    codec: Option<CodecArg>,
    /// H.264 profile (H.265 is always Main).
    #[arg(long, value_enum, default_value = "main")]
    profile: ProfileArg,
    /// Picture size WIDTHxHEIGHT (width a multiple of 16). Default 800x480, or the Y4M's size.
    #[arg(long, value_parser = parse_size)]
    size: Option<(u32, u32)>,
    /// Frames to encode (at least 1).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..))]
    frames: u32,
    /// GOP length (an IDR, with its HEADER pack, every N frames; at least 1: the K230 kernel
    /// would make 0 into 30, D-059).
    #[arg(long, default_value_t = consts::defaults::GOP_LEN,
          value_parser = clap::value_parser!(u32).range(1..))]
    gop: u32,
    /// CBR target in kbps (H.264, H.265).
    #[arg(long, default_value_t = consts::defaults::BIT_RATE_KBPS)]
    bitrate: u32,
    /// JPEG quality (`mjpeg_quality_factor`, the channel's `q_factor`), 1..=99.
    #[arg(long, default_value_t = consts::defaults::MJPEG_QUALITY_FACTOR,
          value_parser = clap::value_parser!(u32).range(1..=99))]
    quality: u32,
    /// Input frame rate (`src_frame_rate`), 1..=1000000: pts are in µs, so above a million
    /// frames per second two frames would share a timestamp.
    #[arg(long, default_value_t = consts::defaults::SRC_FRAME_RATE, value_parser = frame_rate)]
    fps: u32,
    /// The channel's `dst_frame_rate` (default = --fps). The K230 kernel never reads it (D-009):
    /// every frame is encoded at --fps whatever this says, here as on the board.
    #[arg(long, value_parser = frame_rate)]
    dst_fps: Option<u32>,
    /// VENC channel (0..3).
    #[arg(long, default_value_t = 0)]
    chn: u32,
    /// Input Y4M file (8-bit 4:2:0); without it, the built-in moving test pattern.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Output file (.264, .265, .mjpeg / .mjpg / .jpg, or .mp4: recorded as CanMV scripts
    /// record with the firmware's MP4 muxer, moov in front).
    #[arg(short, long, default_value = "out.264")]
    output: PathBuf,
    /// With an .mp4 output: fragmented MP4 (the firmware's `fmp4_flag`), a fragment per GOP.
    #[arg(long)]
    fragmented: bool,
    /// Put UV at Y + w*h as the manual's fallback branch does (wrong chroma unless w*h % 4096 == 0).
    #[arg(long)]
    manual_uv_offset: bool,
    /// Encoder threads per channel: openh264 slices, or libx265 WPP rows (same bytes at any count).
    #[arg(long, default_value_t = 1)]
    threads: u16,
    /// Reject misaligned planes and size mismatches instead of warning.
    #[arg(long)]
    strict: bool,
    /// Example 1 instead of Example 2: a simulated sensor bound to the encoder with
    /// MediaManager.link delivers the frames (no SendFrame).
    #[arg(long)]
    bind: bool,
    /// With --bind: pace the sensor at --fps in real time (dropping frames the encoder has no
    /// buffer for) instead of as fast as the encoder takes them.
    #[arg(long, requires = "bind")]
    realtime: bool,
    /// Also serve the stream live over RTSP on this port (`rtsp://ADDRESS:PORT/test`, as CanMV's
    /// multimedia server with its default session name; 8554, the firmware wrapper's port, when
    /// PORT is left out), paced at --fps, until the run ends (--frames) or Ctrl-C. H.264, H.265
    /// or MJPEG; ffplay, VLC and GStreamer play it.
    #[arg(long, value_name = "PORT", num_args = 0..=1, default_missing_value = "8554")]
    rtsp: Option<u16>,
    /// The address the RTSP server listens on (default loopback; 0.0.0.0 for the network).
    #[arg(long, default_value = "127.0.0.1", requires = "rtsp")]
    rtsp_address: String,
    /// Print one line per pack, as the manual's examples do.
    #[arg(short, long)]
    verbose: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
    /// Write every MPI call (JSON lines: time, channel, call, arguments, result, duration) to
    /// FILE, for the simulator and a board alike; compare two with `venc trace diff`.
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    /// Inject a fault to see how the run copes (repeatable): get-stream-notready,
    /// send-frame-busy, vpu-stall:MS, drop-frame, ring-overflow, mem-exhausted or link-drop,
    /// then @next (default), @every=N or @P%. Each one that strikes is logged and counted.
    #[arg(long, value_name = "KIND[:ARG][@WHEN]")]
    fault: Vec<FaultSpec>,
    /// Seed of the @P% fault triggers, so a run repeats.
    #[arg(long, default_value_t = 0)]
    fault_seed: u64,
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("size '{s}' is not WIDTHxHEIGHT"))?;
    let num = |v: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| format!("size '{s}': '{v}' is not a number"))
    };
    Ok((num(w)?, num(h)?))
}

/// A frame rate whose frames get distinct µs timestamps.
fn frame_rate(s: &str) -> Result<u32, String> {
    let fps: u32 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a whole number"))?;
    if !(1..=venc_harness::MAX_FRAME_RATE).contains(&fps) {
        return Err(format!(
            "{fps} fps is outside 1..={} (pts are in µs: faster frames would share one)",
            venc_harness::MAX_FRAME_RATE
        ));
    }
    Ok(fps)
}

#[derive(Serialize)]
struct Report<'a> {
    output: &'a Path,
    codec: CodecArg,
    profile: ProfileArg,
    width: u32,
    height: u32,
    gop: u32,
    bitrate_kbps: u32,
    frame_rate: u32,
    dst_frame_rate: u32,
    codec_library: String,
    source: String,
    #[serde(flatten)]
    summary: EncodeSummary,
    /// What the sensor did, for a bound run (`null` for SendFrame).
    sensor: Option<venc_sim::vicap::SensorStats>,
    /// What the channel did with every frame (the simulator's counters; `null` on a board).
    channel_stats: Option<venc_sim::venc::ChannelStats>,
    /// How many times each injected fault kind struck (on a board: the client's own only).
    faults_injected: BTreeMap<&'static str, u64>,
    /// The simulated board's clock at the end (`null` on a board).
    board_clock: Option<BoardTime>,
}

/// The board's time against this machine's, for a simulator run.
#[derive(Serialize)]
struct BoardTime {
    /// `wall`, `dilated` or `deterministic`.
    kind: &'static str,
    /// Board time since the simulator started, in seconds.
    board_seconds: f64,
    /// Wall time over board time (1 unless a dilated clock waited for this machine).
    dilation: f64,
    /// Times a deterministic clock went on beside a thread stuck outside the board (0: the
    /// run is the same on every machine).
    pass_overs: u64,
}

fn is_mp4(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("mp4"))
}

fn codec_for(args: &EncodeArgs) -> Result<CodecArg, String> {
    let suffix = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    let from_suffix = match suffix {
        "264" => Some(CodecArg::H264),
        "265" => Some(CodecArg::H265),
        "mjpeg" | "mjpg" | "jpg" | "jpeg" => Some(CodecArg::Jpeg),
        _ => None,
    };
    if is_mp4(&args.output) {
        return match args.codec.unwrap_or(CodecArg::H264) {
            CodecArg::Jpeg => Err(
                "an MP4 holds H.264 or H.265 (the firmware's muxer takes no JPEG): use .mjpeg"
                    .into(),
            ),
            c => Ok(c),
        };
    }
    match (args.codec, from_suffix) {
        (Some(c), Some(s)) if c != s => Err(format!(
            "--codec {c:?} does not match the output suffix .{suffix}"
        )),
        (Some(c), _) => Ok(c),
        (None, Some(s)) => Ok(s),
        (None, None) => Err(format!(
            "cannot tell the codec from '{}': use a .264 or .265 suffix, as the manual's examples do, .mjpeg for JPEG, .mp4, or --codec",
            args.output.display()
        )),
    }
}

fn encode(args: &EncodeArgs) -> Result<(), Failure> {
    let codec = codec_for(args)?;
    let mut source: Box<dyn FrameSource + Send> = match &args.input {
        Some(path) => {
            let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let y4m = Y4mSource::new(BufReader::new(file))
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if let Some((w, h)) = args.size {
                y4m.expect_size(w, h)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
            }
            Box::new(y4m)
        }
        None => {
            let (w, h) = args.size.unwrap_or((800, 480));
            Box::new(TestPattern::new(w, h))
        }
    };
    let (w, h) = (source.width(), source.height());
    let (payload, profile) = match (codec, args.profile) {
        (CodecArg::H265, _) => (consts::K_PT_H265, consts::VENC_PROFILE_H265_MAIN),
        // CanMV scripts pass H264_PROFILE_MAIN for JPEG; the firmware copies it unread.
        (CodecArg::Jpeg, _) => (consts::K_PT_JPEG, consts::VENC_PROFILE_H264_MAIN),
        (CodecArg::H264, ProfileArg::Baseline) => {
            (consts::K_PT_H264, consts::VENC_PROFILE_H264_BASELINE)
        }
        (CodecArg::H264, ProfileArg::Main) => (consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN),
        (CodecArg::H264, ProfileArg::High) => (consts::K_PT_H264, consts::VENC_PROFILE_H264_HIGH),
    };
    let mut job = EncodeJob::example2(payload, profile, w, h, args.frames);
    job.chn = args.chn;
    job.attr.gop_len = args.gop;
    job.attr.bit_rate = args.bitrate;
    job.attr.mjpeg_quality_factor = args.quality;
    job.attr.src_frame_rate = args.fps;
    job.attr.dst_frame_rate = args.dst_fps.unwrap_or(args.fps);
    if args.manual_uv_offset {
        job.uv = UvPlacement::ManualFallback;
    }
    // The client (declared last) is dropped first and says BYE while the emulator still runs.
    let (_emulator, mpi) = open_backend(args)?;
    let tracer = match &args.trace {
        Some(path) => {
            let file = File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let out = BufWriter::new(file);
            Some(Arc::new(match &mpi.simulator {
                // Timed by the board's clock: a deterministic run's trace is the same every time.
                Some(sim) => {
                    let clock = sim.clock().clone();
                    TracingMpi::on_clock(Arc::clone(&mpi.mpi), out, Box::new(move || clock.now()))
                }
                None => TracingMpi::new(Arc::clone(&mpi.mpi), out),
            }))
        }
        None => None,
    };
    let calls: Arc<dyn venc_core::Mpi> = match &tracer {
        Some(t) => t.clone(),
        None => Arc::clone(&mpi.mpi),
    };
    for spec in &args.fault {
        calls
            .inject_fault(spec)
            .map_err(|e| format!("--fault {spec}: the backend refused it: {e}"))?;
    }

    if args.fragmented && !is_mp4(&args.output) {
        return Err(format!(
            "--fragmented writes MP4: {} does not end in .mp4",
            args.output.display()
        )
        .into());
    }
    let target = out::resolve_output(&args.output, is_mp4(&args.output), args.input.as_deref())?;
    let (created, file) = CreatedFile::create(&target)?;
    let mut out = if is_mp4(&args.output) {
        drop(file);
        let h265 = codec == CodecArg::H265;
        record::Output::mp4(&target, args.fragmented, h265, w, h)?
    } else {
        record::Output::Elementary(BufWriter::new(file))
    };
    let bar = if std::io::stderr().is_terminal() && !args.verbose && !args.json {
        ProgressBar::with_draw_target(Some(u64::from(args.frames)), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} frames {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut live = match args.rtsp {
        Some(port) => Some(record::Live::serve(
            &args.rtsp_address,
            port,
            codec,
            args.fps,
        )?),
        None => None,
    };
    let mut write_err = None;
    let mut say_err = None;
    let on_pack = |ev: &venc_harness::PackEvent, bytes: &[u8]| {
        if let Some(live) = live.as_mut() {
            live.pack(ev, bytes);
        }
        if write_err.is_none() {
            write_err = out.pack(ev, bytes).err();
        }
        if args.verbose && say_err.is_none() {
            say_err = say!(
                "stream size:  {} stream type:  {}",
                ev.size,
                ev.stream_type()
            )
            .err();
        }
        if ev.pack_type != venc_core::PackType::Header {
            bar.inc(1);
        }
    };
    let summary = if args.bind {
        if args.manual_uv_offset {
            return Err(
                "--manual-uv-offset applies to SendFrame (Example 2), not to --bind".into(),
            );
        }
        let timing = if args.realtime
            || matches!(
                args.vpu_timing,
                VpuTimingArg::Dilated | VpuTimingArg::Deterministic
            ) {
            Timing::Realtime
        } else {
            Timing::Fast
        };
        let sensor_source = match &args.input {
            None => SensorSource::Pattern,
            Some(_) => SensorSource::Frames {
                source,
                fit: Fit::Refuse,
            },
        };
        let sim = mpi
            .simulator
            .clone()
            .ok_or("--bind needs the simulator's sensor: --backend sim")?;
        let feed = BoundFeed {
            chn: job.chn,
            width: job.attr.pic_width,
            height: job.attr.pic_height,
            fps: job.attr.src_frame_rate,
            frames: job.frames,
            timing,
        };
        let bound: Arc<std::sync::Mutex<Option<Arc<BoundSensor>>>> = Arc::default();
        let bind = |firmware| {
            let s = BoundSensor::link(sim, sensor_source, feed, firmware)?;
            *bound
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(Arc::clone(&s));
            Ok(s as Arc<dyn venc_core::camera::BoundCamera>)
        };
        // Ctrl-C ends the capture where it is: the run drains and finishes as above.
        stop::install()?;
        let watch = stop::end_capture_on_stop(Arc::clone(&bound));
        let ran = run_example1(Arc::clone(&calls), &job, bind, on_pack);
        watch.finish();
        let stats = bound
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .map(|s| s.stats());
        ran.map(|(summary, _)| (summary, stats))
            .map_err(|e| e.to_string())
    } else {
        // Ctrl-C ends the input: the run drains, stops and finishes its output (see `stop`).
        stop::install()?;
        let mut until_stopped = stop::UntilStopped(source.as_mut());
        run_example2(Arc::clone(&calls), &job, &mut until_stopped, on_pack)
            .map(|summary| (summary, None))
            .map_err(|e| e.to_string())
    };
    bar.finish_and_clear();
    // A board that vanished answers every call with an error: say what happened to it.
    if let Some(fault) = mpi.mpi.backend_fault() {
        return Err(fault.into());
    }
    if let (Some(t), Some(path)) = (&tracer, &args.trace) {
        t.finish()
            .map_err(|e| format!("trace {}: {e}", path.display()))?;
    }
    let (summary, sensor) = summary?;
    if let Some(failure) = say_err {
        return Err(failure);
    }
    // A failed write (a full disk) keeps a fragmented recording's whole fragments.
    let whole = out.complete_fragments();
    let failed = |e: String, created: CreatedFile| -> Failure {
        if whole == 0 {
            return format!("{}: {e}", args.output.display()).into();
        }
        created.keep();
        format!(
            "{}: {e}; kept its {whole} complete fragment(s), which play",
            args.output.display()
        )
        .into()
    };
    if let Some(e) = write_err {
        return Err(failed(e, created));
    }
    if let Err(e) = out.finish() {
        return Err(failed(e, created));
    }
    created.keep();

    let report = Report {
        output: &args.output,
        codec,
        profile: args.profile,
        width: w,
        height: h,
        gop: args.gop,
        bitrate_kbps: args.bitrate,
        frame_rate: args.fps,
        dst_frame_rate: job.attr.dst_frame_rate,
        codec_library: match (&mpi.board, codec) {
            (Some(board), _) => board.clone(),
            (None, CodecArg::H264) => "openh264 (built from source by openh264-sys2)".into(),
            (None, CodecArg::H265) => venc_sim::codec::h265_library().unwrap_or_else(|e| e),
            (None, CodecArg::Jpeg) => venc_sim::codec::jpeg::LIBRARY.into(),
        },
        source: args
            .input
            .as_ref()
            .map_or_else(|| "test pattern".to_string(), |p| p.display().to_string()),
        summary,
        sensor,
        channel_stats: mpi
            .simulator
            .as_ref()
            .and_then(|sim| sim.channel_stats(args.chn).ok()),
        faults_injected: calls.faults_injected().into_iter().collect(),
        board_clock: mpi.simulator.as_ref().map(|sim| {
            let clock = sim.clock();
            BoardTime {
                kind: clock.kind().name(),
                board_seconds: clock.now().as_secs_f64(),
                dilation: clock.dilation(),
                pass_overs: clock.pass_overs(),
            }
        }),
    };
    if args.json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        say!("{text}")?;
    } else {
        let profile = match codec {
            CodecArg::H264 => format!("{:?}", args.profile),
            CodecArg::H265 => "Main".into(),
            CodecArg::Jpeg => format!("q {}", args.quality),
        };
        let dropped = match summary.frames_dropped {
            0 => String::new(),
            // Every frame offered (sent, or captured for a bound run) was encoded or dropped.
            n => format!(" ({n} of {} dropped)", summary.frames_out + n),
        };
        say!(
            "{}: {} frames{dropped} ({}x{}, {:?} {profile}) -> {} packs: {} HEADER, {} I, {} P; {} bytes, {:.0} kbps; {:.1} fps",
            args.output.display(),
            summary.frames_out,
            w,
            h,
            codec,
            summary.header_packs + summary.i_packs + summary.p_packs,
            summary.header_packs,
            summary.i_packs,
            summary.p_packs,
            summary.bytes,
            summary.kbps,
            summary.fps
        )?;
        match report.board_clock.as_ref() {
            Some(t) if t.kind == "dilated" => say!(
                "board time {:.2} s on a dilated clock: {:.2}x the board's time on this machine",
                t.board_seconds,
                t.dilation
            )?,
            Some(t) if t.kind == "deterministic" => say!(
                "board time {:.2} s on a deterministic clock ({:.2}x in this machine's time){}",
                t.board_seconds,
                t.dilation,
                match t.pass_overs {
                    0 => String::new(),
                    n => format!("; {n} pass-overs: NOT the same on every run"),
                }
            )?,
            _ => {}
        }
    }
    if stop::requested() {
        return Err(Failure::Interrupted);
    }
    Ok(())
}

/// The backend an encode runs on.
struct Opened {
    mpi: Arc<dyn venc_core::Mpi>,
    /// Set for the simulator (the sensor of `--bind` lives there).
    simulator: Option<Arc<Simulator>>,
    /// What the board said it is, for the summary.
    board: Option<String>,
}

fn open_backend(args: &EncodeArgs) -> Result<(Option<venc_hw::EmulatedBoard>, Opened), String> {
    match args.backend {
        BackendArg::Sim => {
            if args.board.is_some() {
                return Err("--board applies to --backend hw".into());
            }
            let timing = match args.vpu_timing {
                VpuTimingArg::Fast => VpuTiming::Fast,
                VpuTimingArg::Realtime => VpuTiming::Realtime(BoardProfile::K230),
                VpuTimingArg::Dilated => VpuTiming::Dilated(BoardProfile::K230),
                VpuTimingArg::Deterministic => VpuTiming::Deterministic(BoardProfile::K230),
            };
            let timing = match &args.board_profile {
                Some(path) => timing.with_profile(BoardProfile::load(path)?)?,
                None => timing,
            };
            let sim = Simulator::shared(SimOptions {
                strict: args.strict,
                codec_threads: args.threads,
                timing,
                fault_seed: args.fault_seed,
                ..SimOptions::default()
            });
            let mpi: Arc<dyn venc_core::Mpi> = sim.clone();
            let opened = Opened {
                mpi,
                simulator: Some(sim),
                board: None,
            };
            Ok((None, opened))
        }
        BackendArg::Hw => {
            if args.strict
                || args.threads != 1
                || args.vpu_timing != VpuTimingArg::Fast
                || args.board_profile.is_some()
                || args.fault_seed != 0
            {
                return Err(
                    "--strict, --threads, --vpu-timing, --board-profile and --fault-seed \
                     configure the simulator, not a board"
                        .into(),
                );
            }
            if args.bind {
                return Err("--bind needs the simulator's sensor: --backend sim".into());
            }
            let mut emulator = None;
            let url = match args.board.as_deref() {
                None => {
                    return Err(
                        "--backend hw needs --board tcp://HOST:PORT (or --board emulated)".into(),
                    );
                }
                Some("emulated") => {
                    let started = venc_hw::EmulatedBoard::start(0)?;
                    emulator.insert(started).url().to_owned()
                }
                Some(url) => url.to_owned(),
            };
            let client = venc_hw::HwClient::connect(&url, venc_hw::HwOptions::default())
                .map_err(|e| e.to_string())?;
            let board = client.info().to_string();
            eprintln!("{board}");
            let opened = Opened {
                mpi: Arc::new(client),
                simulator: None,
                board: Some(board),
            };
            Ok((emulator, opened))
        }
    }
}

/// `venc trace diff`: says where two traces first differ, or that they agree (exit 0 same, 1
/// differ, 2 unreadable); the traces are read line by line, in bounded memory.
fn trace_diff(first: &Path, second: &Path) -> Result<(), Failure> {
    let c = trace_diff::compare_files(first, second).map_err(Failure::Unreadable)?;
    for (path, cut) in [(first, c.truncated.0), (second, c.truncated.1)] {
        if let Some(line) = cut {
            log::warn!(
                "{}: line {line} was cut off (a run that ended mid-write): left out",
                path.display()
            );
        }
    }
    match c.difference {
        None => say!(
            "the traces agree in behaviour ({} and {} calls)",
            c.events.0,
            c.events.1
        ),
        Some(d) => Err(Failure::Error(format!(
            "the traces differ: {d} ({} / {})",
            first.display(),
            second.display()
        ))),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Conformance cases provoke the simulator's warnings on purpose; show errors only.
    let default_level = match cli.command {
        Command::Encode(_) | Command::Trace(_) | Command::Profile(_) => "warn",
        Command::Conformance(_) => "error",
    };
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or(default_level))
        .format_timestamp(None)
        .init();
    let result = match &cli.command {
        Command::Encode(args) => encode(args),
        Command::Trace(TraceCommand::Diff { first, second }) => trace_diff(first, second),
        Command::Profile(args) => profile::run(args).map_err(Failure::Error),
        Command::Conformance(args) => match conformance::run(args) {
            Ok(true) => Ok(()),
            Ok(false) => Err("conformance: some outcomes were not the expected ones".into()),
            Err(e) => Err(e),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::ReaderGone) => ExitCode::from(141),
        Err(Failure::Interrupted) => {
            eprintln!("venc: interrupted: the output holds every frame encoded before the stop");
            ExitCode::from(130)
        }
        Err(Failure::Error(e)) => {
            eprintln!("venc: error: {e}");
            ExitCode::FAILURE
        }
        Err(Failure::Unreadable(e)) => {
            eprintln!("venc: error: {e}");
            ExitCode::from(2)
        }
    }
}
