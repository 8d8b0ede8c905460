//! Shared pieces of the benchmarks: pre-rendered frames and the two encode loops being compared.

use std::sync::Arc;
use std::time::Instant;
use venc_core::bitstream::Codec;
use venc_core::consts;
use venc_core::layout::{align_up, uv_offset, uv_size, y_size};
use venc_core::{ChnAttrStr, Encoder, Mpi};
use venc_harness::source::TestPattern;
use venc_harness::{Consumer, FrameBuffers, PackEvent, UvPlacement};
use venc_sim::codec::{EncodedPicture, Engines, Picture, engine_for};
use venc_sim::venc::deinterleave_uv;
use venc_sim::{SimOptions, Simulator};

/// Distinct pattern frames cycled through by every loop (the sensor's six buffers).
pub const DISTINCT_FRAMES: u32 = 6;

/// NV12 frames rendered once, outside any timed loop.
#[derive(Debug, Clone)]
pub struct Frames {
    pub width: u32,
    pub height: u32,
    pub nv12: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Frames {
    pub fn render(width: u32, height: u32) -> Self {
        let nv12 = (0..DISTINCT_FRAMES)
            .map(|t| {
                let mut y = vec![0; y_size(width, height) as usize];
                let mut uv = vec![0; uv_size(width, height) as usize];
                TestPattern::render(width, height, t, &mut y, &mut uv);
                (y, uv)
            })
            .collect();
        Self {
            width,
            height,
            nv12,
        }
    }

    /// Lays the frames out in a backend's media memory as VICAP would and writes them there
    /// once, as a sensor would have.
    pub fn upload(&self, mpi: &dyn Mpi) -> FrameBuffers {
        let (w, h) = (self.width, self.height);
        let bufs = FrameBuffers::new(mpi, w, h, self.nv12.len() as u32).expect("frame buffers");
        for (i, (y, uv)) in self.nv12.iter().enumerate() {
            let (ya, uva) = bufs.planes(i);
            mpi.write_mem(ya, y).expect("upload Y");
            mpi.write_mem(uva, uv).expect("upload UV");
        }
        bufs
    }
}

/// Result of one timed loop.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct Measured {
    pub frames: u32,
    pub seconds: f64,
    pub fps: f64,
    pub bytes: u64,
}

/// Example 2's attributes for a codec: H.264 Main, H.265 Main or JPEG (q 45).
pub fn attr(codec: Codec, w: u32, h: u32) -> ChnAttrStr {
    match codec {
        Codec::H264 => ChnAttrStr::new(consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN, w, h),
        Codec::H265 => ChnAttrStr::new(consts::K_PT_H265, consts::VENC_PROFILE_H265_MAIN, w, h),
        // As CanMV scripts pass it: the profile is copied, not read.
        Codec::Jpeg => ChnAttrStr::new(consts::K_PT_JPEG, consts::VENC_PROFILE_H264_MAIN, w, h),
    }
}

/// The codec alone (openh264 or libx265 with the settings the simulator uses), fed planar
/// frames directly (de-interleaved once, up front).
#[derive(Debug)]
pub struct RawRig {
    codec: Codec,
    width: u32,
    height: u32,
    threads: u16,
    planes: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)>,
}

impl RawRig {
    pub fn new(frames: Frames, codec: Codec, threads: u16) -> Self {
        let (w, h) = (frames.width, frames.height);
        let planes = frames
            .nv12
            .into_iter()
            .map(|(y, uv)| {
                let n = (w / 2 * h / 2) as usize;
                let (mut u, mut v) = (vec![0; n], vec![0; n]);
                deinterleave_uv(&uv, w as usize, (h / 2) as usize, &mut u, &mut v);
                (y, u, v)
            })
            .collect();
        Self {
            codec,
            width: w,
            height: h,
            threads,
            planes,
        }
    }

    /// Encodes `count` frames with a fresh encoder.
    pub fn run(&self, count: u32) -> Measured {
        let mut bytes = 0u64;
        let start = Instant::now();
        self.encode_each(count, |_, data| bytes += data.len() as u64);
        measured(count, start, bytes)
    }

    /// Encodes `count` frames with a fresh encoder, handing each call's duration and output
    /// to `each`.
    pub fn encode_each(&self, count: u32, mut each: impl FnMut(std::time::Duration, &[u8])) {
        let (w, h) = (self.width, self.height);
        let mut engine = engine_for(
            &attr(self.codec, w, h).to_mpi(),
            self.threads,
            Engines::Real,
        )
        .expect("engine");
        let mut out = EncodedPicture::default();
        for i in 0..count as usize {
            let (y, u, v) = &self.planes[i % self.planes.len()];
            let pic = Picture::packed(y, u, v, w, h);
            let t = Instant::now();
            engine.encode(&pic, false, &mut out).expect("encode");
            each(t.elapsed(), &out.data);
        }
    }
}

fn measured(frames: u32, start: Instant, bytes: u64) -> Measured {
    let seconds = start.elapsed().as_secs_f64();
    Measured {
        frames,
        seconds,
        fps: f64::from(frames) / seconds,
        bytes,
    }
}

/// The same frames through the CanMV `Encoder` on the simulator: NV12 in media memory (written
/// once, as the sensor would), SendFrame, GetStream, read every pack by address, ReleaseStream.
#[derive(Debug)]
pub struct SimRig {
    codec: Codec,
    sim: Arc<Simulator>,
    bufs: FrameBuffers,
    width: u32,
    height: u32,
}

impl SimRig {
    pub fn new(frames: Frames, codec: Codec, threads: u16) -> Self {
        let (w, h) = (frames.width, frames.height);
        let sim = Simulator::shared(SimOptions {
            codec_threads: threads,
            ..SimOptions::default()
        });
        let bufs = frames.upload(sim.as_ref());
        Self {
            codec,
            sim,
            bufs,
            width: w,
            height: h,
        }
    }

    /// Encodes `count` frames on a freshly created channel 0.
    pub fn run(&self, count: u32) -> Measured {
        let (w, h) = (self.width, self.height);
        let mpi: Arc<dyn Mpi> = self.sim.clone();
        let mut enc = Encoder::new(mpi);
        enc.set_out_bufs(0, 8, w, h).expect("SetOutBufs");
        enc.create(0, &attr(self.codec, w, h)).expect("Create");
        enc.start(0).expect("Start");
        let mut consumer = Consumer::new(0, |_: &PackEvent, _: &[u8]| {});
        let start = Instant::now();
        for i in 0..count as usize {
            // The frames are never rewritten here, but keep no more in flight than buffers, as a
            // real producer must (the VPU reads input asynchronously).
            while i as u32 - consumer.summary().frames_received() >= self.bufs.count() {
                assert!(consumer.fetch(&mut enc, 0, -1).expect("GetStream"));
            }
            let info = self.bufs.frame_info(i, UvPlacement::Vicap, i as u64);
            assert_eq!(enc.send_frame(0, &info, 1000), Ok(0));
            assert!(consumer.fetch(&mut enc, 0, -1).expect("GetStream"));
        }
        while consumer.summary().frames_received() < count {
            assert!(consumer.fetch(&mut enc, 0, 2000).expect("drain"));
        }
        let bytes = consumer.summary().bytes;
        let m = measured(count, start, bytes);
        enc.stop(0).expect("Stop");
        enc.destroy(0).expect("Destroy");
        m
    }
}

/// The `p`-th percentile (0..=100) of `sorted` by nearest rank: the smallest sample with at
/// least `p` % of the samples at or below it; `None` for no samples. Every bench's p50/p90/p99.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// Peak resident set size of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    status_mib("VmHWM:")
}

/// Resets this process's peak RSS to its current RSS (`5` into `/proc/self/clear_refs`, Linux
/// 4.0+) and returns that RSS in MiB, so a later [`peak_rss_mib`] measures only what came after.
pub fn reset_peak_rss() -> Option<f64> {
    std::fs::write("/proc/self/clear_refs", "5").ok()?;
    status_mib("VmRSS:")
}

fn status_mib(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// One timed loop of a side-by-side comparison (`python-vs-rust`, `capi-vs-rust`), as the
/// child process prints it: one JSON line.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
pub struct LoopRun {
    pub fps: f64,
    pub frames: u32,
    pub bytes: u64,
}

/// The value after `--name` in `args`.
pub fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// `--size WxH` (default 1280x720: as given, and parsed) and `--frames N` (default
/// `default_frames`) of a side-by-side bench.
pub fn size_and_frames(args: &[String], default_frames: u32) -> (String, (u32, u32), u32) {
    let size = arg(args, "--size").unwrap_or_else(|| "1280x720".into());
    let wh = size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
        .expect("--size WxH");
    let frames = arg(args, "--frames").map_or(default_frames, |f| f.parse().expect("--frames N"));
    (size, wh, frames)
}

/// The run with the median frame rate.
pub fn median_run(mut runs: Vec<LoopRun>) -> LoopRun {
    runs.sort_by(|a, b| a.fps.total_cmp(&b.fps));
    runs[runs.len() / 2]
}

/// Runs one side of a comparison in its own process and reads the run it prints last.
pub fn child_run(cmd: &mut std::process::Command) -> LoopRun {
    let out = cmd.output().expect("start child");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text.lines().last().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{cmd:?} printed {line:?}: {e}"))
}

/// Prints the side-by-side table: per loop, the median run and the fps range of all runs.
pub fn print_loop_table(size: (u32, u32), reps: usize, loops: &[(&str, &[LoopRun])]) {
    let (w, h) = size;
    println!("| loop | size | frames | fps (median of {reps}) | min | max | bytes |");
    println!("|---|---|---|---|---|---|---|");
    for &(name, runs) in loops {
        let lo = runs.iter().map(|r| r.fps).fold(f64::INFINITY, f64::min);
        let hi = runs.iter().map(|r| r.fps).fold(0.0, f64::max);
        let run = median_run(runs.to_vec());
        println!(
            "| {name} | {w}x{h} | {} | {:.1} | {lo:.1} | {hi:.1} | {} |",
            run.frames, run.fps, run.bytes
        );
    }
}

/// Warm-up frames before a side-by-side loop's timed ones.
pub const WARMUP: u32 = 5;
/// Stream blocks of a side-by-side loop's channel.
pub const STREAM_BLOCKS: u32 = 15;
/// Packs asked for per `get_stream`.
pub const MAX_PACKS: usize = 8;
const CHN: u32 = 0;
/// CBR 4000 kbit/s, GOP 30, 30 fps: `gop, stats_time, src, dst, bit_rate`.
pub const CBR: [u32; 5] = [30, 1, 30, 30, 4000];

/// A stream block of a `w`x`h` channel.
pub fn stream_block(w: u32, h: u32) -> u64 {
    align_up(u64::from(w) * u64::from(h) / 2, 4096)
}

/// The frames' blocks: Y at the base, UV at the VICAP offset (alignment 12).
pub fn frame_block(w: u32, h: u32) -> u64 {
    uv_offset(w, h, 12) + align_up(u64::from(w) * u64::from(h) / 2, 4096)
}

pub fn timed(frames: u32, mut one: impl FnMut(u32) -> u64) -> LoopRun {
    for n in 0..WARMUP {
        one(n);
    }
    let t0 = Instant::now();
    let bytes = (WARMUP..WARMUP + frames).map(&mut one).sum();
    LoopRun {
        fps: f64::from(frames) / t0.elapsed().as_secs_f64(),
        frames,
        bytes,
    }
}

/// The 720p-style loop on the Rust `Mpi` of a fresh `Simulator`: `configure` runs between
/// create and start (a rotation, the 2D engine, …). Six pattern frames laid out once in media
/// memory, then per frame `send_frame` → `get_stream(-1)` until the picture's pack, each pack's
/// bytes copied out with `read_mem` → `release_stream`; 5 warm-up frames, then `frames` timed.
pub fn mpi_loop(w: u32, h: u32, frames: u32, configure: impl FnOnce(&Simulator)) -> LoopRun {
    let sim = Simulator::shared(SimOptions::default());
    let src = Frames::render(w, h);
    let pool = sim.create_pool(frame_block(w, h), 6).expect("frame pool");
    let blocks: Vec<u64> = (0..6)
        .map(|_| sim.get_block(pool).expect("block"))
        .collect();
    let uv_off = uv_offset(w, h, 12);
    for (b, (y, uv)) in blocks.iter().zip(&src.nv12) {
        sim.write_mem(*b, y).expect("Y");
        sim.write_mem(b + uv_off, uv).expect("UV");
    }
    let out_pool = sim
        .create_pool(stream_block(w, h), STREAM_BLOCKS)
        .expect("stream pool");
    sim.attach_vb_pool(CHN, out_pool).expect("attach");
    let [gop, stats_time, src_frame_rate, dst_frame_rate, bit_rate] = CBR;
    let attr = venc_core::ChnAttr {
        payload: consts::K_PT_H264,
        width: w,
        height: h,
        profile: consts::VENC_PROFILE_H264_HIGH,
        rc: venc_core::RcAttr::Cbr {
            gop,
            stats_time,
            src_frame_rate,
            dst_frame_rate,
            bit_rate,
        },
    };
    sim.create_chn(CHN, &attr).expect("create");
    configure(&sim);
    sim.start_chn(CHN).expect("start");
    let (mut packs, mut buf) = (Vec::new(), Vec::new());
    let run = timed(frames, |n| {
        let block = blocks[n as usize % blocks.len()];
        let frame = venc_core::VideoFrameInfo {
            width: w,
            height: h,
            pixel_format: consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420,
            stride: [w, w, 0],
            phys_addr: [block, block + uv_off, 0],
            pts: u64::from(n) * 33_333,
            pool_id: pool,
            mod_id: consts::VIDEO_ENCODE_MOD_ID,
        };
        sim.send_frame(CHN, &frame, 1000).expect("send_frame");
        let (mut bytes, mut picture) = (0, false);
        while !picture {
            sim.get_stream(CHN, MAX_PACKS as u32, -1, &mut packs)
                .expect("get_stream");
            for p in &packs {
                buf.resize(p.len as usize, 0);
                sim.read_mem(p.phys_addr, &mut buf).expect("read");
                bytes += buf.len() as u64;
                picture |= p.pack_type != venc_core::PackType::Header;
            }
            sim.release_stream(CHN, packs.len() as u32)
                .expect("release");
        }
        bytes
    });
    sim.stop_chn(CHN).expect("stop");
    sim.destroy_chn(CHN).expect("destroy");
    run
}

#[cfg(test)]
mod percentile_tests {
    use super::percentile;

    #[test]
    fn nearest_rank_percentiles() {
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&ten, 50.0), Some(5.0));
        assert_eq!(percentile(&ten, 90.0), Some(9.0));
        assert_eq!(percentile(&ten, 99.0), Some(10.0));
        assert_eq!(percentile(&ten, 100.0), Some(10.0));
        assert_eq!(percentile(&ten, 0.0), Some(1.0));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
