//! `venc profile`: measures a board's timing model — per codec, how long an I and a P picture
//! take by size — from the board's own clock (the agent stamps each `SEND_FRAME` and
//! `GET_STREAM` reply with its `time.ticks_us`, protocol 2), and writes it as a board profile
//! that `--board-profile` loads (`venc_sim::timing::BoardProfile`).
//!
//! Method: one channel at a time, one picture in flight: a frame sent, the stream waited for in
//! one long `GetStream` (the agent is inside the call when the picture is done), the latency the
//! board's ticks between the two replies. Per codec, kind and size the median; per codec and
//! kind a least-squares line `latency = pixels / rate + fixed` over the sizes.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use venc_core::bitstream::Codec;
use venc_core::consts;
use venc_core::{ChnAttrStr, Encoder, Mpi, PackType};
use venc_harness::source::{FrameSource, TestPattern};
use venc_harness::{FrameBuffers, UvPlacement};
use venc_hw::{HwClient, HwOptions};
use venc_sim::timing::{BoardProfile, PictureCost, PictureKind};

/// The picture sizes measured: four, so the line over them has a check on its fit.
const SIZES: [(u32, u32); 4] = [(320, 240), (640, 480), (1280, 720), (1920, 1080)];

/// An I picture every this many pictures.
const GOP: u32 = 5;

#[derive(clap::Args, Debug)]
pub struct ProfileArgs {
    /// The board's agent, `tcp://HOST:PORT`.
    #[arg(long)]
    board: String,
    /// Where to write the profile (TOML).
    #[arg(short, long, default_value = "board-profile.toml")]
    output: PathBuf,
    /// The profile's name.
    #[arg(long, default_value = "measured")]
    name: String,
    /// Pictures per codec and size (an I picture every 5).
    #[arg(long, default_value_t = 10)]
    frames: u32,
}

/// One measured picture.
#[derive(Debug, Clone, Copy)]
struct Sample {
    kind: PictureKind,
    pixels: u64,
    latency: Duration,
}

pub fn run(args: &ProfileArgs) -> Result<(), String> {
    if args.frames < GOP {
        return Err(format!(
            "--frames {}: give at least {GOP} (an I and some P pictures per size)",
            args.frames
        ));
    }
    // One long wait per GetStream: the agent must be inside the call when the picture is done.
    let opts = HwOptions {
        slice_ms: 2000,
        ..HwOptions::default()
    };
    let client = Arc::new(HwClient::connect(&args.board, opts).map_err(|e| e.to_string())?);
    let board = client.info().to_string();
    eprintln!("{board}");
    let mut costs = Vec::new();
    for codec in [Codec::H264, Codec::H265, Codec::Jpeg] {
        let mut samples = Vec::new();
        for (w, h) in SIZES {
            samples.extend(measure(&client, codec, w, h, args.frames)?);
        }
        let cost = fit(codec, &samples)?;
        eprintln!(
            "{}: I {:.1} Mpx/s, P {:.1} Mpx/s, fixed {} us",
            codec.name(),
            cost.i_pixels_per_second as f64 / 1e6,
            cost.p_pixels_per_second as f64 / 1e6,
            cost.fixed_us
        );
        costs.push(cost);
    }
    let profile = BoardProfile {
        name: Box::leak(args.name.clone().into_boxed_str()),
        source: Box::leak(
            format!(
                "measured by `venc profile` on {board}: sizes {}, {} pictures each (an I every \
                 {GOP}), the board's ticks from SendFrame to GetStream, medians, least squares",
                SIZES.map(|(w, h)| format!("{w}x{h}")).join(", "),
                args.frames
            )
            .into_boxed_str(),
        ),
        h264: costs[0],
        h265: costs[1],
        jpeg: costs[2],
    };
    std::fs::write(&args.output, profile.to_toml())
        .map_err(|e| format!("{}: {e}", args.output.display()))?;
    eprintln!("wrote {}", args.output.display());
    Ok(())
}

/// `frames` pictures of `codec` at `w`x`h`, one in flight; their kinds and board latencies.
fn measure(
    client: &Arc<HwClient>,
    codec: Codec,
    w: u32,
    h: u32,
    frames: u32,
) -> Result<Vec<Sample>, String> {
    let chn = 0;
    let mpi: Arc<dyn Mpi> = client.clone();
    let bufs = FrameBuffers::new(mpi.as_ref(), w, h, 1).map_err(|e| e.to_string())?;
    let mut y = vec![0u8; (w * h) as usize];
    let mut uv = vec![0u8; (w * h / 2) as usize];
    TestPattern::new(w, h)
        .next_frame(&mut y, &mut uv)
        .map_err(|e| e.to_string())?;
    let (ya, uva) = bufs.planes(0);
    mpi.write_mem(ya, &y).map_err(|e| e.to_string())?;
    mpi.write_mem(uva, &uv).map_err(|e| e.to_string())?;
    let (payload, profile) = match codec {
        Codec::H264 => (consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN),
        Codec::H265 => (consts::K_PT_H265, consts::VENC_PROFILE_H265_MAIN),
        Codec::Jpeg => (consts::K_PT_JPEG, 0),
    };
    let mut enc = Encoder::new(Arc::clone(&mpi));
    let call =
        |what: &str, e: &dyn std::fmt::Display| format!("{} {w}x{h} {what}: {e}", codec.name());
    enc.set_out_bufs(i64::from(chn), 4, w, h)
        .map_err(|e| call("SetOutBufs", &e))?;
    let attr = ChnAttrStr {
        gop_len: GOP,
        ..ChnAttrStr::new(payload, profile, w, h)
    };
    enc.create(i64::from(chn), &attr)
        .map_err(|e| call("Create", &e))?;
    enc.start(i64::from(chn)).map_err(|e| call("Start", &e))?;
    let mut samples = Vec::new();
    let mut packs = Vec::new();
    let pixels = u64::from(w) * u64::from(h);
    for k in 0..frames {
        let info = bufs.frame_info(0, UvPlacement::Vicap, u64::from(k) + 1);
        mpi.send_frame(chn, &info, 1000)
            .map_err(|e| call("SendFrame", &e))?;
        let picture = loop {
            mpi.get_stream(chn, 8, 2000, &mut packs)
                .map_err(|e| call("GetStream", &e))?;
            mpi.release_stream(chn, packs.len() as u32)
                .map_err(|e| call("ReleaseStream", &e))?;
            if let Some(p) = packs.iter().find(|p| p.pack_type != PackType::Header) {
                break p.pack_type;
            }
        };
        let latency = client
            .board_times(chn)
            .latency()
            .ok_or_else(|| call("board time", &"the agent sent no ticks"))?;
        let kind = match picture {
            PackType::I => PictureKind::I,
            _ => PictureKind::P,
        };
        samples.push(Sample {
            kind,
            pixels,
            latency,
        });
    }
    enc.stop(i64::from(chn)).map_err(|e| call("Stop", &e))?;
    enc.destroy(i64::from(chn))
        .map_err(|e| call("Destroy", &e))?;
    mpi.release_block(ya).map_err(|e| e.to_string())?;
    mpi.destroy_pool(bufs.pool).map_err(|e| e.to_string())?;
    Ok(samples)
}

/// The median latency per size, in µs, of the samples of `kind`.
fn medians(samples: &[Sample], kind: PictureKind) -> Vec<(f64, f64)> {
    let mut points = Vec::new();
    for (w, h) in SIZES {
        let pixels = u64::from(w) * u64::from(h);
        let mut us: Vec<f64> = samples
            .iter()
            .filter(|s| s.kind == kind && s.pixels == pixels)
            .map(|s| s.latency.as_secs_f64() * 1e6)
            .collect();
        if us.is_empty() {
            continue;
        }
        us.sort_by(f64::total_cmp);
        points.push((pixels as f64, us[us.len() / 2]));
    }
    points
}

/// `latency = pixels / rate + fixed` by least squares over `points` (pixels, µs).
fn line(points: &[(f64, f64)]) -> Option<(u64, u64)> {
    let n = points.len() as f64;
    if points.len() < 2 {
        return None;
    }
    let (sx, sy) = points
        .iter()
        .fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    let (mx, my) = (sx / n, sy / n);
    let sxx: f64 = points.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let slope = sxy / sxx; // µs per pixel
    // NaN (no spread in the sizes) and a flat or falling line alike: no fit.
    if slope.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let fixed = (my - slope * mx).max(0.0);
    Some(((1e6 / slope).round() as u64, fixed.round() as u64))
}

/// A codec's costs from its samples; JPEG pictures are all I, and the P rate repeats it.
fn fit(codec: Codec, samples: &[Sample]) -> Result<PictureCost, String> {
    let unfit = |kind: &str| {
        format!(
            "{}: the {kind} latencies do not grow with the picture size; no line fits",
            codec.name()
        )
    };
    if codec == Codec::Jpeg {
        let (i_rate, i_fixed) =
            line(&medians(samples, PictureKind::I)).ok_or_else(|| unfit("I"))?;
        return Ok(PictureCost {
            i_pixels_per_second: i_rate,
            p_pixels_per_second: i_rate,
            fixed_us: i_fixed,
        });
    }
    let (p_rate, fixed) = line(&medians(samples, PictureKind::P)).ok_or_else(|| unfit("P"))?;
    // One fixed term per codec, the P pictures' (the many); the I rate is fitted with it.
    let i_rate = rate_with(&medians(samples, PictureKind::I), fixed).ok_or_else(|| unfit("I"))?;
    Ok(PictureCost {
        i_pixels_per_second: i_rate,
        p_pixels_per_second: p_rate,
        fixed_us: fixed,
    })
}

/// `latency = pixels / rate + fixed` with `fixed` given: the rate by least squares.
fn rate_with(points: &[(f64, f64)], fixed: u64) -> Option<u64> {
    let fixed = fixed as f64;
    let sxx: f64 = points.iter().map(|(x, _)| x * x).sum();
    let sxy: f64 = points.iter().map(|(x, y)| x * (y - fixed)).sum();
    let slope = sxy / sxx;
    (slope > 0.0).then(|| (1e6 / slope).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_recovers_a_rate_and_a_fixed_term() {
        let points: Vec<(f64, f64)> = SIZES
            .iter()
            .map(|&(w, h)| {
                let px = f64::from(w * h);
                (px, px / 100.0 + 250.0)
            })
            .collect();
        assert_eq!(line(&points), Some((100_000_000, 250)));
        // Latencies that do not grow: no line.
        assert_eq!(line(&[(1.0, 5.0), (2.0, 5.0)]), None);
        assert_eq!(line(&[(1.0, 5.0)]), None);
        // With the fixed term known, the rate alone.
        let i_points: Vec<(f64, f64)> =
            points.iter().map(|&(x, _)| (x, x / 50.0 + 250.0)).collect();
        assert_eq!(rate_with(&i_points, 250), Some(50_000_000));
    }

    #[test]
    fn latencies_that_do_not_grow_with_the_size_are_refused() {
        let flat: Vec<Sample> = SIZES
            .iter()
            .flat_map(|&(w, h)| {
                [PictureKind::I, PictureKind::P].map(|kind| Sample {
                    kind,
                    pixels: u64::from(w) * u64::from(h),
                    latency: Duration::from_millis(5),
                })
            })
            .collect();
        let err = fit(Codec::H264, &flat).unwrap_err();
        assert!(err.contains("h264: the P latencies do not grow"), "{err}");
        let err = fit(Codec::Jpeg, &flat).unwrap_err();
        assert!(err.contains("the I latencies do not grow"), "{err}");
        let growing: Vec<Sample> = flat
            .iter()
            .map(|s| Sample {
                latency: Duration::from_micros(s.pixels / 100),
                ..*s
            })
            .collect();
        let cost = fit(Codec::H264, &growing).unwrap();
        assert_eq!(cost.p_pixels_per_second, 100_000_000);
        assert_eq!(cost.i_pixels_per_second, 100_000_000);
    }
}
