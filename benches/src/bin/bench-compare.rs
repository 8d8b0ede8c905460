//! `bench-compare`: backend × codec × size in one run — fps, per-frame latency, bit rate, PSNR —
//! with the simulator's ratio to the raw codec and to the hardware figures at hand (a board when
//! `--board` is given, else the emulated board and the K230 datasheet model, each labeled).
//! Writes `target/bench-compare.json`, a section of `BENCHMARKS.md` and an SVG plot.
//!
//! Method (also written into BENCHMARKS.md): the same pre-rendered pattern frames (the tests'
//! built-in pattern) cycled; fps from a pipelined pass (up to 6 frames in flight, as a sensor's
//! buffers allow); latency from a second pass with one frame in flight (SendFrame → its pack out
//! of GetStream; raw: one encode call); kbps at the channel's 30 fps; PSNR of Y against the
//! source after an independent decode (openh264 / ffmpeg).

use clap::Parser;
use serde::Serialize;
use std::cell::RefCell;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use venc_benches::{Frames, RawRig, attr, percentile};
use venc_core::bitstream::Codec;
use venc_core::{Encoder, Mpi};
use venc_harness::oracle;
use venc_harness::{Consumer, FrameBuffers, PackEvent, UvPlacement};
use venc_hw::{EmulatedBoard, HwClient, HwOptions};
use venc_sim::timing::{BoardProfile, PictureKind, VpuTiming};
use venc_sim::{SimOptions, Simulator};

#[derive(Parser, Debug)]
#[command(about = "Simulator vs raw codec vs hardware: fps, latency, bit rate, PSNR")]
struct Args {
    /// A board's agent (`tcp://HOST:PORT`); without it the emulated board stands in.
    #[arg(long)]
    board: Option<String>,
    /// Frames per pass (300: a 720p H.264 pass of 90 frames lasts ~0.4 s, and its sim/raw
    /// medians moved from 0.90 to 1.08 over three runs; at 300 frames and 7 pairs, 0.93-1.01).
    #[arg(long, default_value_t = 300)]
    frames: u32,
    /// Codec threads (openh264 slices / libx265 WPP rows).
    #[arg(long, default_value_t = 2)]
    threads: u16,
    /// Sizes (WIDTHxHEIGHT within the K230's limits, even height).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "640x360,1280x720,1920x1080",
        value_parser = parse_size
    )]
    sizes: Vec<(u32, u32)>,
    /// Codecs.
    #[arg(long, value_delimiter = ',', default_value = "h264,h265", value_parser = parse_codec)]
    codecs: Vec<Codec>,
    /// Raw/sim pairs: the two passes alternate this many times (at least 5 for a ratio with a
    /// spread; the median-fps pass of each is reported).
    #[arg(long, default_value_t = 7)]
    reps: u32,
    /// Frames per channel in the three-channel realtime scenario.
    #[arg(long, default_value_t = 150)]
    scenario_frames: u32,
    /// Skip the emulated board (it needs the Python front).
    #[arg(long)]
    no_emulated: bool,
    /// Only the three-channel realtime scenario (no table rows).
    #[arg(long)]
    scenario_only: bool,
    /// JSON output.
    #[arg(long, default_value = "target/bench-compare.json")]
    json: PathBuf,
    /// Markdown file whose bench-compare section is replaced (created if missing).
    #[arg(long)]
    markdown: Option<PathBuf>,
    /// SVG plot of fps per size and backend.
    #[arg(long)]
    plot: Option<PathBuf>,
}

/// One row of the table (and one JSON record: exactly these fields).
#[derive(Debug, Clone, Serialize)]
struct Row {
    backend: String,
    codec: String,
    width: u32,
    height: u32,
    fps: f64,
    p50_ms: Option<f64>,
    p90_ms: Option<f64>,
    p99_ms: Option<f64>,
    kbps: Option<f64>,
    psnr_y: Option<f64>,
    ratio_to_raw: Option<f64>,
    /// The smallest and largest of the paired sim/raw ratios whose median is `ratio_to_raw`.
    ratio_spread: Option<[f64; 2]>,
}

/// The frames per second the stream is for (kbps are per second of video).
const STREAM_FPS: f64 = 30.0;
const IN_FLIGHT: u32 = 6;
/// Frames encoded before timing (first touch of buffers, codec start-up).
const WARM_UP: u32 = 5;

fn millis(mut lat: Vec<Duration>) -> Vec<f64> {
    lat.sort();
    lat.into_iter().map(|d| d.as_secs_f64() * 1e3).collect()
}

/// PSNR of Y over the decoded stream against the frames that went in (cycled).
fn psnr_y(codec: Codec, stream: &[u8], frames: &Frames) -> Option<f64> {
    let (w, h) = (frames.width as usize, frames.height as usize);
    let decoded = oracle::decode(codec, stream, w, h)
        .map_err(|e| eprintln!("  decode failed: {e}"))
        .ok()?;
    let a: Vec<&[u8]> = decoded.iter().map(|p| p.y.as_slice()).collect();
    let b: Vec<&[u8]> = (0..decoded.len())
        .map(|i| frames.nv12[i % frames.nv12.len()].0.as_slice())
        .collect();
    Some(oracle::psnr(&a, &b))
}

struct Measured {
    /// Frames in `stream`.
    frames: u32,
    fps: f64,
    latencies_ms: Vec<f64>,
    stream: Vec<u8>,
}

/// The codec alone on planar frames (de-interleaved up front).
fn raw(rig: &RawRig, count: u32) -> Measured {
    let mut stream = Vec::new();
    let mut lat = Vec::with_capacity(count as usize);
    rig.encode_each(count, |took, data| {
        lat.push(took);
        stream.extend_from_slice(data);
    });
    // The encode calls alone: opening the encoder (tens of ms for libx265) is not a frame's.
    let busy: Duration = lat.iter().sum();
    Measured {
        frames: count,
        fps: f64::from(count) / busy.as_secs_f64(),
        latencies_ms: millis(lat),
        stream,
    }
}

/// The CanMV Encoder flow on one backend, frames uploaded once into its media memory.
struct EncoderRig {
    mpi: Arc<dyn Mpi>,
    bufs: FrameBuffers,
    size: (u32, u32),
    codec: Codec,
    chn: u32,
}

impl EncoderRig {
    fn new(mpi: Arc<dyn Mpi>, frames: &Frames, codec: Codec) -> Self {
        Self::on_channel(mpi, frames, codec, 0)
    }

    fn on_channel(mpi: Arc<dyn Mpi>, frames: &Frames, codec: Codec, chn: u32) -> Self {
        let bufs = frames.upload(mpi.as_ref());
        Self {
            mpi,
            bufs,
            size: (frames.width, frames.height),
            codec,
            chn,
        }
    }

    /// fps from a pipelined pass, latencies from a pass with one frame in flight.
    fn measure(&self, count: u32) -> Measured {
        let (fps, stream, _) = self.pass(count, IN_FLIGHT);
        let (_, _, lat) = self.pass(count.min(60), 1);
        Measured {
            frames: count,
            fps,
            latencies_ms: millis(lat),
            stream,
        }
    }
}

impl EncoderRig {
    fn pass(&self, count: u32, in_flight: u32) -> (f64, Vec<u8>, Vec<Duration>) {
        encoder_pass(self, count, in_flight)
    }
}

/// The pass with the median fps (its latencies and stream go with it).
fn median(mut passes: Vec<Measured>) -> Measured {
    passes.sort_by(|a, b| a.fps.total_cmp(&b.fps));
    passes.swap_remove(passes.len() / 2)
}

/// One pass with at most `in_flight` frames sent and not yet out: (fps, stream, latencies from
/// SendFrame to the frame's pack out of GetStream).
fn encoder_pass(rig: &EncoderRig, count: u32, in_flight: u32) -> (f64, Vec<u8>, Vec<Duration>) {
    let ((w, h), chn, bufs) = (rig.size, rig.chn, &rig.bufs);
    let c = i64::from(chn);
    let mut enc = Encoder::new(Arc::clone(&rig.mpi));
    enc.set_out_bufs(c, 8, w, h).expect("SetOutBufs");
    enc.create(c, &attr(rig.codec, w, h)).expect("Create");
    enc.start(c).expect("Start");
    let stream = RefCell::new(Vec::new());
    let arrivals = RefCell::new(Vec::with_capacity(count as usize));
    let mut consumer = Consumer::new(chn, |ev: &PackEvent, bytes: &[u8]| {
        stream.borrow_mut().extend_from_slice(bytes);
        if ev.pack_type != venc_core::PackType::Header {
            arrivals.borrow_mut().push((ev.pts, Instant::now()));
        }
    });
    let mut sends = Vec::with_capacity(count as usize);
    let t0 = Instant::now();
    for i in 0..count {
        while i - consumer.summary().frames_received() >= in_flight {
            consumer.fetch(&mut enc, 0, -1).expect("GetStream");
        }
        let pts = u64::from(i) + 1;
        let info = bufs.frame_info(i as usize, UvPlacement::Vicap, pts);
        sends.push(Instant::now());
        assert_eq!(enc.send_frame(c, &info, 1000), Ok(0), "SendFrame");
        consumer.sent(pts);
        if in_flight > 1 {
            consumer.fetch(&mut enc, 0, -1).expect("GetStream");
        }
    }
    while consumer.summary().frames_received() < count {
        assert!(consumer.fetch(&mut enc, 0, 5000).expect("drain"), "stalled");
    }
    let fps = f64::from(count) / t0.elapsed().as_secs_f64();
    drop(consumer);
    enc.stop(c).expect("Stop");
    enc.destroy(c).expect("Destroy");
    let lat = arrivals
        .into_inner()
        .into_iter()
        .filter_map(|(pts, at)| {
            let sent = sends.get(usize::try_from(pts).ok()?.checked_sub(1)?)?;
            Some(at.saturating_duration_since(*sent))
        })
        .collect();
    (fps, stream.into_inner(), lat)
}

/// CPU time this process has used (user + system), from `/proc/self/stat` in USER_HZ ticks
/// (100 per second in the Linux ABI on x86-64 and AArch64).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the `(comm)`, which may hold spaces: utime and stime are the 12th and 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace().skip(11);
    let ticks = fields.next()?.parse::<u64>().ok()? + fields.next()?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Does the simulator keep every core busy? One 1280x720 H.264 channel alone, then three at
/// once, each pipelined in `fast` mode with one codec thread: (the three's row, one channel's
/// fps, CPU busy share during the three).
fn three_channels_fast(frames: &Frames, count: u32) -> (Row, f64, Option<f64>) {
    let sim: Arc<dyn Mpi> = Simulator::shared(SimOptions::default());
    let rigs: Vec<EncoderRig> = (0..3u32)
        .map(|chn| EncoderRig::on_channel(Arc::clone(&sim), frames, Codec::H264, chn))
        .collect();
    rigs[0].pass(WARM_UP, IN_FLIGHT);
    let (alone, _, _) = rigs[0].pass(count, IN_FLIGHT);
    let cpu0 = cpu_time();
    let t0 = Instant::now();
    std::thread::scope(|s| {
        for rig in &rigs {
            s.spawn(move || rig.pass(count, IN_FLIGHT));
        }
    });
    let wall = t0.elapsed();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let busy = cpu_time()
        .zip(cpu0)
        .map(|(b, a)| (b - a).as_secs_f64() / wall.as_secs_f64() / cpus);
    let row = Row {
        backend: "sim-3ch".into(),
        codec: "h264".into(),
        width: frames.width,
        height: frames.height,
        fps: f64::from(count * 3) / wall.as_secs_f64(),
        p50_ms: None,
        p90_ms: None,
        p99_ms: None,
        kbps: None,
        psnr_y: None,
        ratio_to_raw: None,
        ratio_spread: None,
    };
    (row, alone, busy)
}

/// Three 1280x720@30 H.264 channels on the paced simulator (`realtime` or `dilated`), each
/// sending on a 30 fps clock with one frame in flight, all times read on the board's clock.
/// Returns the measured row and the model's latencies for the same send instants (one K230
/// encoder, first come first served).
fn three_channels_paced(frames: &Frames, count: u32, timing: VpuTiming) -> Scenario {
    let (w, h) = (frames.width, frames.height);
    let profile = timing.profile().expect("a paced timing");
    let board = Simulator::shared(SimOptions {
        timing,
        ..SimOptions::default()
    });
    let clock = board.clock().clone();
    let sim: Arc<dyn Mpi> = board;
    let period = Duration::from_secs_f64(1.0 / STREAM_FPS);
    let t0 = clock.now() + Duration::from_millis(50);
    // Scoped: the channels borrow the frames (each uploads them into its own buffers).
    let mut all: Vec<(Duration, Duration, u32)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..3u32)
            .map(|chn| {
                let mpi = Arc::clone(&sim);
                let clock = clock.clone();
                // Taken in channel order: the same order on every deterministic run.
                let ticket = clock.ticket();
                s.spawn(move || {
                    ticket.board();
                    let bufs = frames.upload(mpi.as_ref());
                    let mut enc = Encoder::new(Arc::clone(&mpi));
                    enc.set_out_bufs(i64::from(chn), 8, w, h)
                        .expect("SetOutBufs");
                    enc.create(i64::from(chn), &attr(Codec::H264, w, h))
                        .expect("Create");
                    enc.start(i64::from(chn)).expect("Start");
                    let mut consumer = Consumer::new(chn, |_: &PackEvent, _: &[u8]| {});
                    let mut out = Vec::with_capacity(count as usize);
                    for k in 0..count {
                        clock.sleep_until(t0 + period * k);
                        let pts = u64::from(k) + 1;
                        let sent = clock.now();
                        let info = bufs.frame_info(k as usize, UvPlacement::Vicap, pts);
                        assert_eq!(enc.send_frame(i64::from(chn), &info, 1000), Ok(0));
                        consumer.sent(pts);
                        while consumer.summary().frames_received() <= k {
                            consumer.fetch(&mut enc, 0, -1).expect("GetStream");
                        }
                        out.push((sent, clock.now().saturating_sub(sent), k));
                    }
                    enc.stop(i64::from(chn)).expect("Stop");
                    enc.destroy(i64::from(chn)).expect("Destroy");
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|t| t.join().expect("channel thread"))
            .collect()
    });
    let elapsed = all
        .iter()
        .map(|(s, l, _)| (*s + *l).saturating_sub(t0))
        .max()
        .unwrap_or_default();
    all.sort_by_key(|(s, _, _)| *s);
    // The model on the same arrivals: one server, FIFO, service = w*h / rate.
    let service = profile.picture_time(Codec::H264, PictureKind::P, w, h);
    let mut free = t0;
    let model: Vec<Duration> = all
        .iter()
        .map(|(arrival, _, _)| {
            let done = free.max(*arrival) + service;
            free = done;
            done - *arrival
        })
        .collect();
    let held = all.iter().all(|(_, l, _)| *l < period);
    // P pictures alone: the model costs every picture the same, the host codec does not
    // (an IDR takes openh264 longer), so the split shows where the two part.
    let gop = attr(Codec::H264, w, h).gop_len;
    let p_only = |lat: &[Duration]| {
        millis(
            all.iter()
                .zip(lat)
                .filter(|((_, _, k), _)| k % gop != 0)
                .map(|(_, l)| *l)
                .collect(),
        )
    };
    let measured_lat: Vec<Duration> = all.iter().map(|(_, l, _)| *l).collect();
    let p_frames = (p_only(&measured_lat), p_only(&model));
    let measured = millis(measured_lat);
    let row = Row {
        backend: format!("sim-{}-3ch", timing.name()),
        codec: "h264".into(),
        width: w,
        height: h,
        fps: f64::from(count * 3) / elapsed.as_secs_f64(),
        p50_ms: percentile(&measured, 50.0),
        p90_ms: percentile(&measured, 90.0),
        p99_ms: percentile(&measured, 99.0),
        kbps: None,
        psnr_y: None,
        ratio_to_raw: None,
        ratio_spread: None,
    };
    let model = millis(model);
    let p99 = |v: &[f64]| percentile(v, 99.0).unwrap_or(0.0);
    Scenario {
        model_p50: percentile(&model, 50.0).unwrap_or(0.0),
        model_p99: p99(&model),
        p_frames_p99: p99(&p_frames.0),
        p_frames_model_p99: p99(&p_frames.1),
        frames: count,
        held,
        row,
        parallel: None,
        dilation: clock.dilation(),
    }
}

fn row(backend: &str, codec: Codec, frames: &Frames, m: &Measured, raw_fps: Option<f64>) -> Row {
    let frames_in_stream = m.frames.max(1) as f64;
    Row {
        backend: backend.into(),
        codec: Codec::name(codec).into(),
        width: frames.width,
        height: frames.height,
        fps: m.fps,
        p50_ms: percentile(&m.latencies_ms, 50.0),
        p90_ms: percentile(&m.latencies_ms, 90.0),
        p99_ms: percentile(&m.latencies_ms, 99.0),
        kbps: Some(m.stream.len() as f64 * 8.0 * STREAM_FPS / frames_in_stream / 1000.0),
        psnr_y: psnr_y(codec, &m.stream, frames),
        ratio_to_raw: raw_fps.map(|r| m.fps / r),
        ratio_spread: None,
    }
}

fn parse_size(s: &str) -> Result<(u32, u32), String> {
    let bad = || format!("size {s:?}: expected WIDTHxHEIGHT, e.g. 1280x720");
    let (w, h) = s.split_once('x').ok_or_else(bad)?;
    let (w, h) = (w.parse().map_err(|_| bad())?, h.parse().map_err(|_| bad())?);
    venc_core::K230.check_size(w, h)?;
    if h % 2 != 0 {
        return Err(format!("size {s:?}: NV12 needs an even height"));
    }
    Ok((w, h))
}

fn parse_codec(s: &str) -> Result<Codec, String> {
    match s {
        "h264" => Ok(Codec::H264),
        "h265" => Ok(Codec::H265),
        other => Err(format!("codec {other:?}: h264 or h265")),
    }
}

fn main() {
    let args = Args::parse();
    // Every codec x size must open before anything is measured: a refusal is an answer, not a
    // panic half-way through the run.
    for &codec in &args.codecs {
        for &(w, h) in &args.sizes {
            if let Err((code, why)) = venc_sim::codec::engine_for(
                &attr(codec, w, h).to_mpi(),
                1,
                venc_sim::codec::Engines::Real,
            ) {
                eprintln!(
                    "bench-compare: {} {w}x{h}: {code}: {why}",
                    Codec::name(codec)
                );
                std::process::exit(2);
            }
        }
    }
    let emulated = match (&args.board, args.no_emulated) {
        (None, false) => match EmulatedBoard::start(0) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("bench-compare: no emulated board: {e}");
                std::process::exit(2);
            }
        },
        _ => None,
    };
    let board_url = args
        .board
        .clone()
        .or_else(|| emulated.as_ref().map(|b| b.url().to_owned()));
    let mut rows = Vec::new();
    let mut board_desc = None;
    let codecs = if args.scenario_only {
        &[][..]
    } else {
        &args.codecs[..]
    };
    for &codec in codecs {
        for &(w, h) in &args.sizes {
            let frames = Frames::render(w, h);
            eprintln!("{} {w}x{h}", Codec::name(codec));
            // Raw and sim alternate after a warm-up each, so a slow spell hits both.
            let rig = RawRig::new(frames.clone(), codec, args.threads);
            let sim: Arc<dyn Mpi> = Simulator::shared(SimOptions {
                codec_threads: args.threads,
                ..SimOptions::default()
            });
            let sim = EncoderRig::new(sim, &frames, codec);
            raw(&rig, WARM_UP);
            sim.measure(WARM_UP);
            let (mut raws, mut sims) = (Vec::new(), Vec::new());
            for _ in 0..args.reps.max(1) {
                raws.push(raw(&rig, args.frames));
                sims.push(sim.measure(args.frames));
            }
            // The ratio is the median of each rep's sim/raw: neighbours in time, one noise.
            let mut ratios: Vec<f64> = raws.iter().zip(&sims).map(|(r, m)| m.fps / r.fps).collect();
            ratios.sort_by(f64::total_cmp);
            let (r, m) = (median(raws), median(sims));
            let raw_fps = r.fps;
            rows.push(row("raw", codec, &frames, &r, None));
            let mut sim_row = row("sim", codec, &frames, &m, Some(raw_fps));
            sim_row.ratio_to_raw = ratios.get(ratios.len() / 2).copied();
            sim_row.ratio_spread = ratios.first().zip(ratios.last()).map(|(a, b)| [*a, *b]);
            rows.push(sim_row);
            let paced: Arc<dyn Mpi> = Simulator::shared(SimOptions {
                codec_threads: args.threads,
                timing: VpuTiming::Realtime(BoardProfile::K230),
                ..SimOptions::default()
            });
            let m = EncoderRig::new(paced, &frames, codec).measure(args.frames);
            rows.push(row("sim-realtime", codec, &frames, &m, Some(raw_fps)));
            if let Some(url) = &board_url {
                let client = HwClient::connect(url, HwOptions::default()).expect("board");
                board_desc = Some(client.info().to_string());
                let name = client.info().backend_name();
                let m = EncoderRig::new(Arc::new(client), &frames, codec).measure(args.frames);
                rows.push(row(name, codec, &frames, &m, Some(raw_fps)));
            }
            let service = BoardProfile::K230
                .picture_time(codec, PictureKind::P, w, h)
                .as_secs_f64()
                * 1e3;
            rows.push(Row {
                backend: "k230-model".into(),
                codec: Codec::name(codec).into(),
                width: w,
                height: h,
                fps: BoardProfile::K230.max_fps(codec, w, h),
                p50_ms: Some(service),
                p90_ms: Some(service),
                p99_ms: Some(service),
                kbps: None,
                psnr_y: None,
                ratio_to_raw: None,
                ratio_spread: None,
            });
            for r in rows
                .iter()
                .rev()
                .take(5)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
            {
                eprintln!(
                    "  {:<13} {:>7.1} fps  p99 {:>6.1} ms",
                    r.backend,
                    r.fps,
                    r.p99_ms.unwrap_or(0.0)
                );
            }
        }
    }
    let hd = Frames::render(1280, 720);
    let (parallel, alone_fps, busy) = three_channels_fast(&hd, args.frames);
    eprintln!(
        "3 x 1280x720 fast: {:.1} fps in all vs {alone_fps:.1} for one channel alone ({:.2}x), \
         CPUs busy {}",
        parallel.fps,
        parallel.fps / alone_fps,
        busy.map_or_else(|| "?".into(), |b| format!("{:.0} %", b * 100.0))
    );
    rows.push(parallel.clone());
    let mut sc = three_channels_paced(
        &hd,
        args.scenario_frames,
        VpuTiming::Realtime(BoardProfile::K230),
    );
    sc.parallel = Some((parallel, alone_fps, busy));
    let dilated = three_channels_paced(
        &hd,
        args.scenario_frames,
        VpuTiming::Dilated(BoardProfile::K230),
    );
    let deterministic = three_channels_paced(
        &hd,
        args.scenario_frames,
        VpuTiming::Deterministic(BoardProfile::K230),
    );
    for s in [&sc, &dilated, &deterministic] {
        rows.push(s.row.clone());
        eprintln!(
            "3 x 1280x720@30 {}: {:.1} fps total, p50 {:.1} ms (model {:.1}), p99 {:.1} ms \
             (model {:.1}), P pictures p99 {:.1} ms (model {:.1}), real time {}, dilation {:.2}",
            s.row.backend,
            s.row.fps,
            s.row.p50_ms.unwrap_or(0.0),
            s.model_p50,
            s.row.p99_ms.unwrap_or(0.0),
            s.model_p99,
            s.p_frames_p99,
            s.p_frames_model_p99,
            if s.held { "held" } else { "NOT held" },
            s.dilation
        );
    }
    if let Some(dir) = args.json.parent() {
        std::fs::create_dir_all(dir).expect("json dir");
    }
    std::fs::write(
        &args.json,
        serde_json::to_string_pretty(&rows).expect("json"),
    )
    .expect("json");
    eprintln!("wrote {}", args.json.display());
    if let Some(path) = &args.plot {
        plot(&rows, path);
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = &args.markdown {
        let section = markdown(
            &rows,
            &[&sc, &dilated, &deterministic],
            &args,
            board_desc.as_deref(),
        );
        let old = std::fs::read_to_string(path).unwrap_or_default();
        std::fs::write(path, replace_section(&old, &section)).expect("markdown");
        eprintln!("wrote {}", path.display());
    }
}

/// The three-channel realtime run against the model on the same send instants.
struct Scenario {
    model_p50: f64,
    model_p99: f64,
    /// p99 over P pictures only (IDRs left out), measured and modeled.
    p_frames_p99: f64,
    p_frames_model_p99: f64,
    /// Frames per channel.
    frames: u32,
    held: bool,
    row: Row,
    /// The `fast` three-channel row, one channel's fps alone, and the CPU busy share.
    parallel: Option<(Row, f64, Option<f64>)>,
    /// Wall time over board time (1 on the wall clock).
    dilation: f64,
}

const BEGIN: &str = "<!-- bench-compare: begin (written by `cargo xtask bench-compare`) -->";
const END: &str = "<!-- bench-compare: end -->";

fn replace_section(old: &str, section: &str) -> String {
    match (old.find(BEGIN), old.find(END)) {
        (Some(a), Some(b)) if a < b => {
            format!(
                "{}{BEGIN}\n{section}{END}{}",
                &old[..a],
                &old[b + END.len()..]
            )
        }
        _ => format!("{old}\n{BEGIN}\n{section}{END}\n"),
    }
}

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "—".into(), |x| format!("{x:.digits$}"))
}

fn markdown(rows: &[Row], paced: &[&Scenario], args: &Args, board: Option<&str>) -> String {
    use std::fmt::Write as _;
    let sys = venc_conformance::report::System::current();
    let sys = format!("{} × {}", sys.cpus, sys.cpu_model);
    let mut md = String::new();
    let _ = writeln!(
        md,
        "## Simulator vs codec vs hardware (`cargo xtask bench-compare`)\n"
    );
    let _ = writeln!(
        md,
        "Run {} on {sys}, release build, {} frames per pass, {} codec threads.\n",
        date(),
        args.frames,
        args.threads
    );
    let _ = writeln!(
        md,
        "Backends: **raw** the codec engine alone on planar frames; **sim** the CanMV flow on the \
         simulator (`fast`); **sim-realtime** the same with the VPU paced as the K230's \
         (`venc_sim::timing`, 8 MP@20 fps = 165.9 Mpx/s shared by all channels); {}; \
         **k230-model** the datasheet figure (8MP@20fps, facts §4) as fps and per-picture time, \
         not a measurement.\n",
        match board {
            Some(b) if b.starts_with("EMULATED") => format!(
                "**hw-emulated** the CanMV flow through venc-hw's client over TCP to the board \
                 agent running on the simulator under `canmv-run` ({b}) — *not a K230*; **hw**: \
                 not run (no board here)"
            ),
            Some(b) => format!("**hw** a K230 board: {b}"),
            None => "no board column (`--no-emulated`)".into(),
        }
    );
    let _ = writeln!(
        md,
        "Method: the tests' built-in pattern, 6 distinct frames cycled; fps from a pipelined pass \
         (≤ 6 frames in flight); latency p50/p90/p99 from a second pass with one frame in flight \
         (SendFrame → the frame's pack out of GetStream; raw: one encode call); kbps per second of \
         30 fps video against the 4000 kbps CBR target; PSNR of Y after an independent decode \
         (ffmpeg, both codecs). raw and sim: {} warm-up frames each, then {} \
         alternating raw/sim pairs, the median-fps pass shown, sim's /raw the median of the \
         pairs' ratios with their range (min–max) beside it; sim-realtime and the board: one \
         pass. \
         Limits: one 2-vCPU VM, pattern content (easy to code), the emulated board shares the \
         CPU with the client.\n",
        WARM_UP,
        args.reps.max(1)
    );
    let _ = writeln!(
        md,
        "| codec | size | backend | fps | p50 ms | p90 ms | p99 ms | kbps | PSNR-Y dB | /raw | /hw |"
    );
    let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|---|---|");
    for r in rows.iter().filter(|r| !r.backend.ends_with("3ch")) {
        let hw = rows.iter().find(|o| {
            o.codec == r.codec
                && o.width == r.width
                && (o.backend == "hw" || o.backend == "hw-emulated")
        });
        let model = rows
            .iter()
            .find(|o| o.codec == r.codec && o.width == r.width && o.backend == "k230-model");
        let to_hw = match (r.backend.as_str(), hw, model) {
            ("sim", Some(hw), Some(m)) => format!(
                "{:.2} ({}), {:.2} (model)",
                r.fps / hw.fps,
                hw.backend,
                r.fps / m.fps
            ),
            ("sim", None, Some(m)) => format!("{:.2} (model)", r.fps / m.fps),
            _ => "—".into(),
        };
        let _ = writeln!(
            md,
            "| {} | {}x{} | {} | {:.1} | {} | {} | {} | {} | {} | {} | {} |",
            r.codec,
            r.width,
            r.height,
            r.backend,
            r.fps,
            opt(r.p50_ms, 1),
            opt(r.p90_ms, 1),
            opt(r.p99_ms, 1),
            opt(r.kbps, 0),
            opt(r.psnr_y, 1),
            match (r.ratio_to_raw, r.ratio_spread) {
                (Some(m), Some([lo, hi])) => format!("{m:.3} ({lo:.3}–{hi:.3})"),
                (m, _) => opt(m, 3),
            },
            to_hw
        );
    }
    let off = |measured: f64, model: f64| format!("{:+.0} %", (measured - model) / model * 100.0);
    for sc in paced {
        let r = &sc.row;
        let _ = writeln!(
            md,
            "\nThree 1280x720@30 H.264 channels at once on `{}` ({} frames each, all three \
             sent on the same 30 fps clock, one in flight per channel, 1 codec thread each, times \
             on the board's clock): {:.1} fps in all; latency p50 {} ms (model {:.1}); p99 {} ms \
             (model {:.1}, {}); P pictures only p99 {:.1} ms (model {:.1}, {}); real time {}; \
             dilation {:.2} (wall time over board time). The model's figures replay the same \
             send instants through one K230 encoder.\n",
            r.backend,
            sc.frames,
            r.fps,
            opt(r.p50_ms, 1),
            sc.model_p50,
            opt(r.p99_ms, 1),
            sc.model_p99,
            r.p99_ms
                .map_or_else(|| "—".into(), |p| off(p, sc.model_p99)),
            sc.p_frames_p99,
            sc.p_frames_model_p99,
            off(sc.p_frames_p99, sc.p_frames_model_p99),
            if sc.held {
                "held (every frame out within its 33 ms slot)"
            } else {
                "**not held**"
            },
            sc.dilation
        );
    }
    let sc = paced[0];
    if let Some((p, alone, busy)) = &sc.parallel {
        let _ = writeln!(
            md,
            "Both cores at work: three 1280x720 H.264 channels at once on `sim` (`fast`, 1 codec \
             thread each, {} frames each, pipelined): {:.1} fps in all against {alone:.1} for one \
             channel alone ({:.2}x on {}); CPUs busy {} of the run.\n",
            args.frames,
            p.fps,
            p.fps / alone,
            venc_conformance::report::System::current().cpus,
            busy.map_or_else(|| "?".into(), |b| format!("{:.0} %", b * 100.0))
        );
    }
    let _ = writeln!(
        md,
        "Plot: [bench-compare.svg](docs/bench-compare.svg). Raw records: `target/bench-compare.json`.\n"
    );
    md
}

fn date() -> String {
    std::process::Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "?".into())
}

fn plot(rows: &[Row], path: &std::path::Path) {
    use plotters::prelude::*;
    let root = SVGBackend::new(path, (960, 420)).into_drawing_area();
    root.fill(&WHITE).expect("plot");
    let panels = root.split_evenly((1, 2));
    let backends = [
        "raw",
        "sim",
        "sim-realtime",
        "hw-emulated",
        "hw",
        "k230-model",
    ];
    for (area, codec) in panels.iter().zip(["h264", "h265"]) {
        let of_codec: Vec<&Row> = rows
            .iter()
            .filter(|r| r.codec == codec && !r.backend.ends_with("3ch"))
            .collect();
        let top = of_codec.iter().map(|r| r.fps).fold(10.0, f64::max) * 1.1;
        let mut chart = ChartBuilder::on(area)
            .caption(format!("{codec}: fps by size"), ("sans-serif", 18))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(45)
            .build_cartesian_2d(0f64..2.2f64, 0f64..top)
            .expect("chart");
        chart
            .configure_mesh()
            .x_labels(3)
            .x_label_formatter(&|x| {
                ["640x360", "1280x720", "1920x1080"]
                    .get(x.round() as usize)
                    .map_or(String::new(), |s| (*s).to_owned())
            })
            .y_desc("fps")
            .draw()
            .expect("mesh");
        for (i, b) in backends.iter().enumerate() {
            let pts: Vec<(f64, f64)> = of_codec
                .iter()
                .filter(|r| r.backend == *b)
                .map(|r| {
                    let x = match r.width {
                        640 => 0.0,
                        1280 => 1.0,
                        _ => 2.0,
                    };
                    (x, r.fps)
                })
                .collect();
            if pts.is_empty() {
                continue;
            }
            let color = Palette99::pick(i).to_rgba();
            chart
                .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
                .expect("series")
                .label(*b)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], color));
            chart
                .draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))
                .expect("points");
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .expect("legend");
    }
    root.present().expect("plot");
}
