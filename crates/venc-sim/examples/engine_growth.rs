//! What one channel create/destroy costs the process in codec memory: opens, uses and closes N
//! engines (320x240, one picture each) and prints the resident-set growth per cycle after a
//! warm-up of 20. `cargo run --release -p venc-sim --features x265 --example engine_growth --
//! h265 1000` (see ARCHITECTURE.md, "libx265 keeps a little of every encoder").

use venc_core::{ChnAttrStr, consts};
use venc_sim::codec::{EncodedPicture, Engines, Picture, engine_for};

/// Resident set in KiB (the harness's one reader).
fn rss_kib() -> Option<u64> {
    venc_harness::soak::rss_bytes().map(|b| b / 1024)
}

fn main() -> Result<(), String> {
    const WARM_UP: usize = 20;
    let mut args = std::env::args().skip(1);
    let (payload, profile) = match args.next().as_deref() {
        Some("h264") => (consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN),
        Some("h265") => (consts::K_PT_H265, consts::VENC_PROFILE_H265_MAIN),
        other => return Err(format!("codec {other:?}: h264 or h265")),
    };
    let cycles: usize = match args.next() {
        Some(n) => n
            .parse()
            .map_err(|_| format!("cycles: '{n}' is not a number"))?,
        None => 300,
    };
    if cycles <= WARM_UP {
        return Err(format!("cycles: more than {WARM_UP} please"));
    }
    let attr = ChnAttrStr::new(payload, profile, 320, 240).to_mpi();
    let (y, c) = (vec![100u8; 320 * 240], vec![128u8; 160 * 120]);
    let mut out = EncodedPicture::default();
    let mut after_warm_up = 0;
    for i in 0..cycles {
        let mut engine = engine_for(&attr, 1, Engines::Real).map_err(|(_, why)| why)?;
        engine
            .encode(&Picture::packed(&y, &c, &c, 320, 240), false, &mut out)
            .map_err(|e| e.to_string())?;
        drop(engine);
        if i + 1 == WARM_UP {
            after_warm_up = rss_kib().ok_or("no /proc/self/statm")?;
        }
    }
    let end = rss_kib().ok_or("no /proc/self/statm")?;
    let per_cycle = end.saturating_sub(after_warm_up) as f64 / (cycles - WARM_UP) as f64;
    println!(
        "{cycles} engine cycles: RSS {after_warm_up} KiB after {WARM_UP}, {end} KiB at the \
         end: {per_cycle:.1} KiB per cycle"
    );
    Ok(())
}
