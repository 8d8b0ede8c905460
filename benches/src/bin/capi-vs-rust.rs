//! The C ABI's cost per frame: a 720p H.264 loop through `libk230_mpp_sim`'s exported
//! `kd_mpi_*` functions (the calls a C program makes, with the SDK's structs) against the same
//! loop on the Rust `Mpi` of a `Simulator`, in one run.
//!
//! Both loops: six pattern frames laid out once in media memory (a VB pool's blocks, UV at the
//! next 4 KiB), then per frame `send_frame` → `get_stream(-1)` until the picture's pack, each
//! pack's bytes copied out (C: `kd_mpi_sys_mmap`/`munmap`; Rust: `read_mem`) →
//! `release_stream`. 5 warm-up frames, then `--frames` timed. Each side runs in its own process
//! (the C library has one board per process), alternating, `BENCH_REPS` times (default 5);
//! medians are reported, and the two must produce the same bytes.
//!
//! `capi-vs-rust [--size WxH] [--frames N] [--json FILE]`

use k230_mpp_sim::abi::{
    ChnAttr, Pack, RcAttr, Stream, VbConfig, VbPoolConfig, VencAttr, VideoFrameInfo,
};
use k230_mpp_sim::{sys, vb, venc};
use std::process::Command;
use venc_benches::{
    CBR, Frames, LoopRun, MAX_PACKS, STREAM_BLOCKS, arg, child_run, frame_block, median_run,
    mpi_loop, print_loop_table, size_and_frames, stream_block, timed,
};
use venc_core::consts;
use venc_core::layout::uv_offset;

const CHN: u32 = 0;

/// The loop on the Rust `Mpi`.
fn rust_loop(w: u32, h: u32, frames: u32) -> LoopRun {
    mpi_loop(w, h, frames, |_| {})
}

fn ok(what: &str, ret: i32) {
    assert_eq!(ret, 0, "{what}: 0x{:x}", ret as u32);
}

/// The loop through the exported C functions.
fn capi_loop(w: u32, h: u32, frames: u32) -> LoopRun {
    let src = Frames::render(w, h);
    let mut config = VbConfig {
        max_pool_cnt: 1,
        ..VbConfig::default()
    };
    config.comm_pool[0] = VbPoolConfig {
        blk_size: stream_block(w, h),
        blk_cnt: STREAM_BLOCKS,
        ..VbPoolConfig::default()
    };
    let size = frame_block(w, h);
    let mut frame_pool = VbPoolConfig {
        blk_size: size,
        blk_cnt: 6,
        ..VbPoolConfig::default()
    };
    let uv_off = uv_offset(w, h, 12);
    // SAFETY: every pointer passed is to a live local or one the library returned.
    unsafe {
        ok("vb_set_config", vb::kd_mpi_vb_set_config(&config));
        ok("vb_init", vb::kd_mpi_vb_init());
        let pool = vb::kd_mpi_vb_create_pool(&mut frame_pool);
        assert!(pool >= 0, "create_pool: {pool}");
        let mut blocks = Vec::new();
        for (y, uv) in &src.nv12 {
            let handle = vb::kd_mpi_vb_get_block(pool as u32, size, std::ptr::null());
            let phys = vb::kd_mpi_vb_handle_to_phyaddr(handle);
            let virt = sys::kd_mpi_sys_mmap(phys, size as u32).cast::<u8>();
            assert!(!virt.is_null(), "mmap");
            std::ptr::copy_nonoverlapping(y.as_ptr(), virt, y.len());
            std::ptr::copy_nonoverlapping(uv.as_ptr(), virt.add(uv_off as usize), uv.len());
            ok("munmap", sys::kd_mpi_sys_munmap(virt.cast(), size as u32));
            blocks.push((phys, pool as u32));
        }
        let mut rc = RcAttr {
            rc_mode: consts::K_VENC_RC_MODE_CBR,
            ..RcAttr::default()
        };
        rc.words[..5].copy_from_slice(&CBR);
        let mut attr = ChnAttr {
            venc_attr: VencAttr {
                payload: consts::K_PT_H264,
                stream_buf_size: stream_block(w, h) as u32,
                stream_buf_cnt: STREAM_BLOCKS,
                pic_width: w,
                pic_height: h,
                profile: consts::VENC_PROFILE_H264_HIGH,
            },
            rc_attr: rc,
        };
        ok("create_chn", venc::kd_mpi_venc_create_chn(CHN, &mut attr));
        ok("start_chn", venc::kd_mpi_venc_start_chn(CHN));
        let mut packs = [Pack::default(); MAX_PACKS];
        let mut buf = Vec::new();
        let run = timed(frames, |n| {
            let (phys, pool) = blocks[n as usize % blocks.len()];
            let mut frame: VideoFrameInfo = std::mem::zeroed();
            let v = &mut frame.v_frame;
            v.width = w;
            v.height = h;
            v.pixel_format = consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420;
            v.stride = [w, w, 0];
            v.phys_addr = [phys, phys + uv_off, 0];
            v.pts = u64::from(n) * 33_333;
            frame.pool_id = pool;
            frame.mod_id = consts::VIDEO_ENCODE_MOD_ID;
            ok(
                "send_frame",
                venc::kd_mpi_venc_send_frame(CHN, &mut frame, 1000),
            );
            let (mut bytes, mut picture) = (0, false);
            while !picture {
                let mut stream = Stream {
                    pack: packs.as_mut_ptr(),
                    pack_cnt: MAX_PACKS as u32,
                };
                ok(
                    "get_stream",
                    venc::kd_mpi_venc_get_stream(CHN, &mut stream, -1),
                );
                for p in &packs[..stream.pack_cnt as usize] {
                    let data = sys::kd_mpi_sys_mmap(p.phys_addr, p.len).cast::<u8>();
                    assert!(!data.is_null(), "mmap of a pack");
                    buf.clear();
                    buf.extend_from_slice(std::slice::from_raw_parts(data, p.len as usize));
                    ok("munmap", sys::kd_mpi_sys_munmap(data.cast(), p.len));
                    bytes += buf.len() as u64;
                    picture |= p.pack_type != consts::K_VENC_HEADER;
                }
                ok(
                    "release_stream",
                    venc::kd_mpi_venc_release_stream(CHN, &mut stream),
                );
            }
            bytes
        });
        ok("stop_chn", venc::kd_mpi_venc_stop_chn(CHN));
        ok("destroy_chn", venc::kd_mpi_venc_destroy_chn(CHN));
        run
    }
}

fn child(exe: &std::path::Path, side: &str, size: &str, frames: u32) -> LoopRun {
    child_run(
        Command::new(exe)
            .args([
                "--one",
                side,
                "--size",
                size,
                "--frames",
                &frames.to_string(),
            ])
            .env("VENC_SIM_LOG", "error"),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (size, (w, h), frames) = size_and_frames(&args, 300);
    if let Some(side) = arg(&args, "--one") {
        let run = match side.as_str() {
            "rust" => rust_loop(w, h, frames),
            "capi" => capi_loop(w, h, frames),
            other => panic!("--one rust|capi, not {other}"),
        };
        println!("{}", serde_json::to_string(&run).expect("json"));
        return;
    }
    let reps: usize = std::env::var("BENCH_REPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let exe = std::env::current_exe().expect("exe");
    let (mut rust, mut capi, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..reps {
        let r = child(&exe, "rust", &size, frames);
        let c = child(&exe, "capi", &size, frames);
        ratios.push(c.fps / r.fps);
        rust.push(r);
        capi.push(c);
    }
    let same = rust.iter().chain(&capi).all(|r| r.bytes == rust[0].bytes);
    print_loop_table(
        (w, h),
        reps,
        &[
            ("Rust (`Mpi` of a `Simulator`)", &rust),
            ("C ABI (`kd_mpi_*` of libk230_mpp_sim)", &capi),
        ],
    );
    let (rust, capi) = (median_run(rust), median_run(capi));
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    println!(
        "\nC ABI / Rust = {ratio:.3} (median of {reps} paired ratios: {}; target >= 0.97)",
        ratios
            .iter()
            .map(|r| format!("{r:.3}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!(
        "same stream bytes from every run: {}",
        if same { "yes" } else { "NO" }
    );
    if let Some(path) = arg(&args, "--json") {
        let doc = serde_json::json!({
            "size": size, "frames": frames, "reps": reps,
            "rust": rust, "capi": capi, "ratio": ratio, "ratios": ratios, "same_bytes": same,
        });
        std::fs::write(&path, serde_json::to_string_pretty(&doc).expect("json"))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    assert!(same, "the two loops encoded different streams");
}
