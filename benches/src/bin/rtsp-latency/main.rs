//! End-to-end latency of the RTSP path on loopback: from `SendFrame` to ffmpeg holding the
//! decoded picture, against the encoder alone (`SendFrame` to the picture's pack out of
//! `GetStream`), at 720p30 H.264, in one run; between the two, the server's share: `SendFrame`
//! to the picture's last RTP packet handed to the client's socket (a relay in between notes
//! it, [`relay`]).
//!
//! Each sent picture carries its index in a 4×4 grid of black or white 160×90 blocks in its
//! top-left corner. The stream goes as CanMV's RTSP wrapper sends it (every pack through
//! `sendvideodata`, real-time pacing at 30 fps) to a real ffmpeg client over RTP/TCP, with the
//! low-delay flags a viewer uses (`-fflags nobuffer -flags low_delay`); ffmpeg scales each
//! decoded picture to 160×90 grey and writes it to a pipe, where the index is read back and
//! the arrival time taken. The first GOP after the client's first picture is left out as
//! warm-up, and sending goes on for a second after the last measured picture so that none is
//! left inside the client. Pictures on the relay are matched to indices by order from the
//! first IDR it passed (the GOP start sent last before it; TCP loses nothing), checked by
//! every later IDR falling on a GOP start.
//!
//! `rtsp-latency [--frames N] [--json FILE]`

mod relay;

use clap::Parser;
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use venc_benches::{Frames, attr};
use venc_core::bitstream::Codec;
use venc_core::{Encoder, Mpi, StreamData, consts};
use venc_harness::UvPlacement;
use venc_rtsp::{RtspServer, Sent, VideoType};
use venc_sim::{SimOptions, Simulator};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
const FPS: u32 = 30;
const GOP: u32 = 30;
/// The index grid: 4×4 blocks of 160×90 luma, one bit each.
const GRID: u32 = 4;
const BLOCK_W: u32 = 160;
const BLOCK_H: u32 = 90;
/// ffmpeg's output: the picture scaled by 1/8, grey.
const OUT_W: usize = (WIDTH / 8) as usize;
const OUT_H: usize = (HEIGHT / 8) as usize;
const SESSION: &str = "latency";

#[derive(Parser)]
struct Args {
    /// Pictures measured after the warm-up GOP.
    #[arg(long, default_value_t = 300)]
    frames: u32,
    /// Write the figures as JSON too.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
}

#[derive(serde::Serialize)]
struct Percentiles {
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    samples: usize,
}

#[derive(serde::Serialize)]
struct Report {
    width: u32,
    height: u32,
    fps: u32,
    encoder_alone: Percentiles,
    rtsp_server_delivered: Percentiles,
    rtsp_to_ffmpeg: Percentiles,
    /// Pictures sent after the client's first one that it never showed.
    lost: usize,
}

fn percentiles(mut ms: Vec<f64>) -> Percentiles {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| venc_benches::percentile(&ms, p).unwrap_or(f64::NAN);
    Percentiles {
        p50_ms: at(50.0),
        p99_ms: at(99.0),
        max_ms: at(100.0),
        samples: ms.len(),
    }
}

/// Writes `index` into the Y plane at `y_addr` as the grid of black (0) and white (1) blocks.
fn stamp(mpi: &dyn Mpi, y_addr: u64, index: u32) {
    let mut row = vec![0u8; (GRID * BLOCK_W) as usize];
    for by in 0..GRID {
        for bx in 0..GRID {
            let bit = (index >> (by * GRID + bx)) & 1;
            let luma = if bit == 1 { 235 } else { 16 };
            let at = (bx * BLOCK_W) as usize;
            row[at..at + BLOCK_W as usize].fill(luma);
        }
        for line in 0..BLOCK_H {
            let y = by * BLOCK_H + line;
            mpi.write_mem(y_addr + u64::from(y * WIDTH), &row)
                .expect("stamp");
        }
    }
}

/// Reads the index back from a 1/8-scaled grey picture.
fn read_index(grey: &[u8]) -> u32 {
    let mut index = 0;
    for by in 0..GRID {
        for bx in 0..GRID {
            let x = ((bx * BLOCK_W + BLOCK_W / 2) / 8) as usize;
            let y = ((by * BLOCK_H + BLOCK_H / 2) / 8) as usize;
            if grey[y * OUT_W + x] >= 128 {
                index |= 1 << (by * GRID + bx);
            }
        }
    }
    index
}

fn main() {
    let args = Args::parse();
    let server = RtspServer::new();
    server.init("127.0.0.1", 0).expect("rtsp init");
    let port = server.bound_port().expect("a port");
    server
        .create_session(SESSION, VideoType::H264, false)
        .expect("session");
    server.start().expect("rtsp start");
    let relay = relay::Relay::start(port).expect("relay");
    let url = format!("rtsp://127.0.0.1:{}/{SESSION}", relay.port);

    let sim = Simulator::shared(SimOptions::default());
    let mpi: Arc<dyn Mpi> = sim.clone();
    let bufs = Frames::render(WIDTH, HEIGHT).upload(sim.as_ref());
    let mut enc = Encoder::new(Arc::clone(&mpi));
    let mut chn_attr = attr(Codec::H264, WIDTH, HEIGHT);
    chn_attr.gop_len = GOP;
    chn_attr.src_frame_rate = FPS;
    chn_attr.dst_frame_rate = FPS;
    enc.set_out_bufs(0, 8, WIDTH, HEIGHT).expect("SetOutBufs");
    enc.create(0, &chn_attr).expect("Create");
    enc.start(0).expect("Start");

    // The client, and the arrival time of each index it shows.
    let mut client = Command::new("ffmpeg")
        .args([
            "-v",
            "error",
            "-fflags",
            "nobuffer",
            "-flags",
            "low_delay",
            "-threads",
            "1",
        ])
        .args([
            "-max_delay",
            "0",
            "-reorder_queue_size",
            "0",
            "-analyzeduration",
            "0",
        ])
        .args(["-rtsp_transport", "tcp", "-i", &url])
        .args(["-vf", &format!("scale={OUT_W}:{OUT_H}")])
        .args([
            "-fps_mode",
            "passthrough",
            "-pix_fmt",
            "gray",
            "-flush_packets",
            "1",
        ])
        .args(["-f", "rawvideo", "-"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("ffmpeg");
    let arrivals: Arc<Mutex<Vec<(u32, Instant)>>> = Arc::default();
    let mut out = client.stdout.take().expect("stdout");
    let seen = Arc::clone(&arrivals);
    let reader = std::thread::spawn(move || {
        let mut grey = vec![0u8; OUT_W * OUT_H];
        while out.read_exact(&mut grey).is_ok() {
            let at = Instant::now();
            seen.lock().expect("arrivals").push((read_index(&grey), at));
        }
    });

    let period = Duration::from_secs(1) / FPS;
    let mut sent_at: Vec<Instant> = Vec::new();
    let mut encoded: Vec<Duration> = Vec::new();
    let mut stream = StreamData::new();
    let mut pack = Vec::new();
    let start = Instant::now();
    let mut first_shown: Option<u32> = None;
    let deadline = start + Duration::from_secs(60);
    let mut i = 0u32;
    loop {
        // Real-time pacing, as a sensor gives pictures.
        let due = start + period * i;
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let slot = (i % bufs.count()) as usize;
        stamp(mpi.as_ref(), bufs.planes(slot).0, i);
        let info = bufs.frame_info(slot, UvPlacement::Vicap, u64::from(i) * 33_333);
        let t = Instant::now();
        assert_eq!(enc.send_frame(0, &info, 1000), Ok(0), "SendFrame");
        let mut picture = false;
        while !picture {
            assert_eq!(enc.get_stream(0, &mut stream, -1), Ok(0), "GetStream");
            for p in 0..stream.pack_cnt as usize {
                enc.read_mapped(stream.data[p], u64::from(stream.data_size[p]), &mut pack)
                    .expect("pack");
                if stream.stream_type[p] != consts::K_VENC_HEADER {
                    encoded.push(t.elapsed());
                    picture = true;
                }
                let _: Option<Sent> = venc_rtsp::send_video(SESSION, &pack);
            }
            enc.release_stream(0, &stream).expect("ReleaseStream");
        }
        sent_at.push(t);
        i += 1;
        if first_shown.is_none() {
            first_shown = arrivals.lock().expect("arrivals").first().map(|a| a.0);
        }
        let enough = first_shown.is_some_and(|f| i >= f + GOP + args.frames + FPS);
        assert!(
            Instant::now() < deadline,
            "the client showed nothing in 60 s"
        );
        if enough {
            break;
        }
    }
    let _ = client.kill();
    let _ = client.wait();
    let _ = reader.join();
    enc.stop(0).expect("Stop");
    enc.destroy(0).expect("Destroy");
    server.stop();
    server.deinit();

    let first = first_shown.expect("a picture shown") + GOP;
    let measured = first..first + args.frames;
    let arrivals = arrivals.lock().expect("arrivals");
    let mut rtsp = Vec::new();
    for &(index, at) in arrivals.iter() {
        if measured.contains(&index) {
            rtsp.push(at.duration_since(sent_at[index as usize]).as_secs_f64() * 1e3);
        }
    }
    let lost = (args.frames as usize).saturating_sub(rtsp.len());
    let delivered = relay.delivered.lock().expect("delivered");
    let first_idr = delivered
        .iter()
        .position(|d| d.idr)
        .expect("an IDR relayed");
    // The first IDR the relay passed is the last GOP start sent before it (a server holding a
    // picture for a whole GOP would break the check below).
    let idr_at = delivered[first_idr].at;
    let index0 = (0..sent_at.len() as u32)
        .filter(|&i| i.is_multiple_of(GOP) && sent_at[i as usize] <= idr_at)
        .max()
        .expect("a GOP start sent before the relay's first IDR");
    let mut server_ms = Vec::new();
    for (k, d) in delivered[first_idr..].iter().enumerate() {
        let index = index0 + k as u32;
        // The mapping holds if every relayed IDR falls on a GOP start.
        assert_eq!(
            d.idr,
            index.is_multiple_of(GOP),
            "picture {index} on the relay"
        );
        if measured.contains(&index) {
            server_ms.push(d.at.duration_since(sent_at[index as usize]).as_secs_f64() * 1e3);
        }
    }
    let alone: Vec<f64> = measured
        .map(|i| encoded[i as usize].as_secs_f64() * 1e3)
        .collect();
    let report = Report {
        width: WIDTH,
        height: HEIGHT,
        fps: FPS,
        encoder_alone: percentiles(alone),
        rtsp_server_delivered: percentiles(server_ms),
        rtsp_to_ffmpeg: percentiles(rtsp),
        lost,
    };
    println!(
        "| path ({WIDTH}x{HEIGHT} H.264 at {FPS} fps) | p50 ms | p99 ms | max ms | pictures |"
    );
    println!("|---|---|---|---|---|");
    for (name, p) in [
        (
            "encoder alone: SendFrame → GetStream",
            &report.encoder_alone,
        ),
        (
            "RTSP server: SendFrame → last RTP packet to the client",
            &report.rtsp_server_delivered,
        ),
        (
            "RTSP: SendFrame → ffmpeg's decoded picture",
            &report.rtsp_to_ffmpeg,
        ),
    ] {
        println!(
            "| {name} | {:.1} | {:.1} | {:.1} | {} |",
            p.p50_ms, p.p99_ms, p.max_ms, p.samples
        );
    }
    println!(
        "\nratio p50 {:.1}x, added p50 {:.1} ms; pictures lost: {}",
        report.rtsp_to_ffmpeg.p50_ms / report.encoder_alone.p50_ms,
        report.rtsp_to_ffmpeg.p50_ms - report.encoder_alone.p50_ms,
        report.lost
    );
    if let Some(path) = args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report).expect("json")).expect("write");
    }
}
