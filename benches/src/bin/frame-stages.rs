//! What the per-frame stages in front of the codec cost: the same 720p H.264 loop on the Rust
//! `Mpi` (`mpi_loop`: send, get, copy, release) plain, with a quarter turn
//! (`set_rotation`), with a horizontal mirror (`set_mirror`), and with the 2D engine attached
//! (an OSD region of 256x64 ARGB8888 and a border, OSD_BORDER, drawn in place on every frame).
//! The four run alternating in one process, `BENCH_REPS` times (default 5), each on a fresh
//! simulator; the table gives the medians and each stage's median ratio to the plain loop.
//!
//! `frame-stages [--size WxH] [--frames N] [--json FILE]`

use venc_benches::{LoopRun, arg, median_run, mpi_loop, print_loop_table, size_and_frames};
use venc_core::{Border, Mpi, OsdRegion};
use venc_sim::Simulator;

const CHN: u32 = 0;

/// The 2D engine with one translucent ARGB8888 region and one border, its picture in a block
/// of the simulator's media memory.
fn with_osd(sim: &Simulator) {
    let (w, h) = (256u16, 64u16);
    let pool = sim
        .create_pool(u64::from(w) * u64::from(h) * 4, 1)
        .expect("OSD pool");
    let block = sim.get_block(pool).expect("OSD block");
    let picture: Vec<u8> = (0..u32::from(w) * u32::from(h))
        .flat_map(|i| (0xc000_0000u32 | (i % 256) << 8 | 0x40).to_le_bytes())
        .collect();
    sim.write_mem(block, &picture).expect("OSD picture");
    sim.attach_2d(CHN).expect("attach_2d");
    sim.set_2d_mode(CHN, 3).expect("OSD_BORDER");
    let region = OsdRegion {
        width: w,
        height: h,
        startx: 32,
        starty: 32,
        phys_addr: [u32::try_from(block).expect("32-bit address"), 0, 0],
        osd_alpha: 255,
        video_alpha: 255,
        ..OsdRegion::default()
    };
    sim.set_2d_osd(CHN, 0, &region).expect("OSD region");
    let border = Border {
        width: 400,
        height: 300,
        line_width: 4,
        color: 0x0080_80eb,
        startx: 400,
        starty: 200,
    };
    sim.set_2d_border(CHN, 0, &border).expect("border");
}

type Stage = (&'static str, fn(&Simulator));

const STAGES: [Stage; 4] = [
    ("plain", |_| {}),
    ("rotation 90°", |s| {
        s.set_rotation(CHN, 1).expect("rotation")
    }),
    ("mirror (horizontal)", |s| {
        s.set_mirror(CHN, 1).expect("mirror")
    }),
    ("2D: OSD 256x64 + border", with_osd),
];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (_, (w, h), frames) = size_and_frames(&args, 150);
    let reps: usize = std::env::var("BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let mut runs: Vec<Vec<LoopRun>> = vec![Vec::new(); STAGES.len()];
    let mut ratios: Vec<Vec<f64>> = vec![Vec::new(); STAGES.len()];
    for _ in 0..reps {
        let mut plain = 0.0;
        for (i, (_, configure)) in STAGES.iter().enumerate() {
            let run = mpi_loop(w, h, frames, configure);
            if i == 0 {
                plain = run.fps;
            }
            ratios[i].push(run.fps / plain);
            runs[i].push(run);
        }
    }
    let table: Vec<(&str, &[LoopRun])> = STAGES
        .iter()
        .zip(&runs)
        .map(|((name, _), r)| (*name, r.as_slice()))
        .collect();
    print_loop_table((w, h), reps, &table);
    println!();
    let mut doc = serde_json::Map::new();
    for ((name, _), (r, mut ratio)) in STAGES.iter().zip(runs.into_iter().zip(ratios)) {
        ratio.sort_by(f64::total_cmp);
        let median = ratio[ratio.len() / 2];
        println!("{name} / plain = {median:.3} (median of {reps} paired ratios)");
        doc.insert(
            (*name).to_owned(),
            serde_json::json!({ "median": median_run(r), "ratio": median }),
        );
    }
    if let Some(path) = arg(&args, "--json") {
        std::fs::write(&path, serde_json::to_string_pretty(&doc).expect("json"))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}
