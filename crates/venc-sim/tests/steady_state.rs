//! The encode loop allocates nothing once warm: a counting global allocator watches every Rust
//! allocation in the process (the program's thread and the channel worker) while frames go
//! through SendFrame → encode → pack ring → GetStream → ReleaseStream. The codec libraries'
//! own C allocations are theirs and not counted.
#![allow(clippy::unwrap_used)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use venc_core::{ChnAttrStr, Encoder, Mpi, Pack, StreamData, VideoFrameInfo, align_up, consts};
use venc_sim::{SimOptions, Simulator};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const W: u32 = 640;
const H: u32 = 360;

fn started(sim: &Simulator, payload: u32, profile: u32) -> VideoFrameInfo {
    let pool = sim
        .create_pool(align_up(u64::from(W * H), 4096), 8)
        .unwrap();
    sim.attach_vb_pool(0, pool).unwrap();
    let attr = ChnAttrStr {
        gop_len: 10,
        bit_rate: 2000,
        ..ChnAttrStr::new(payload, profile, W, H)
    }
    .to_mpi();
    sim.create_chn(0, &attr).unwrap();
    sim.start_chn(0).unwrap();
    input_frame(sim)
}

/// One NV12 input frame in media memory: a gradient, so P frames carry data.
fn input_frame(mpi: &dyn Mpi) -> VideoFrameInfo {
    let frames = mpi
        .create_pool(align_up(u64::from(W * H * 3 / 2), 4096), 1)
        .unwrap();
    let y = mpi.get_block(frames).unwrap();
    let mut bytes = vec![0u8; (W * H * 3 / 2) as usize];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = (i % 251) as u8;
    }
    mpi.write_mem(y, &bytes).unwrap();
    VideoFrameInfo {
        width: W,
        height: H,
        pixel_format: consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420,
        phys_addr: [y, y + u64::from(W * H), 0],
        ..VideoFrameInfo::default()
    }
}

/// Sends `n` frames, each drained before the next; returns the packs seen.
fn encode(
    sim: &Simulator,
    frame: &mut VideoFrameInfo,
    first_pts: u64,
    n: u64,
    packs: &mut Vec<Pack>,
) -> u64 {
    let mut seen = 0;
    for pts in first_pts..first_pts + n {
        frame.pts = pts;
        sim.send_frame(0, frame, 1000).unwrap();
        let give_up = Instant::now() + Duration::from_secs(10);
        // Frames with a header pack take two packs; wait until the picture itself is out.
        loop {
            assert!(Instant::now() < give_up, "frame {pts} never came out");
            sim.get_stream(0, consts::VENC_PACK_CNT_MAX as u32, 1000, packs)
                .unwrap();
            let count = packs.len() as u32;
            seen += u64::from(count);
            let done = packs
                .iter()
                .any(|p| p.pack_type != venc_core::PackType::Header);
            sim.release_stream(0, count).unwrap();
            if done {
                break;
            }
        }
    }
    seen
}

fn allocations_per_frame(payload: u32, profile: u32) -> (u64, u64) {
    let sim = Simulator::new(SimOptions::default());
    let mut frame = started(&sim, payload, profile);
    let mut packs = Vec::with_capacity(consts::VENC_PACK_CNT_MAX);
    // Warm-up: two GOPs, so each kind of picture (IDR with header, P) has been through once.
    encode(&sim, &mut frame, 1, 20, &mut packs);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let packs_seen = encode(&sim, &mut frame, 21, 40, &mut packs);
    let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
    sim.stop_chn(0).unwrap();
    sim.destroy_chn(0).unwrap();
    (during, packs_seen)
}

/// The same loop through the CanMV `Encoder` (SetOutBufs … GetStream into `StreamData`,
/// ReleaseStream), which maps every pack as the firmware does.
fn encoder_allocations_per_frame(payload: u32, profile: u32) -> (u64, u64) {
    let sim: Arc<dyn Mpi> = Simulator::shared(SimOptions::default());
    let mut enc = Encoder::new(Arc::clone(&sim));
    enc.set_out_bufs(0, 8, W, H).unwrap();
    enc.create(0, &ChnAttrStr::new(payload, profile, W, H))
        .unwrap();
    enc.start(0).unwrap();
    let mut frame = input_frame(sim.as_ref());
    let mut stream = StreamData::new();
    let mut run = |first: u64, n: u64| {
        let mut seen = 0;
        for pts in first..first + n {
            frame.pts = pts;
            assert_eq!(enc.send_frame(0, &frame, 1000).unwrap(), 0);
            loop {
                let got = enc.get_stream(0, &mut stream, 1000).unwrap();
                assert_eq!(got, 0, "frame {pts}");
                seen += u64::from(stream.pack_cnt);
                let done = stream.stream_type[..stream.pack_cnt as usize]
                    .iter()
                    .any(|&t| t != consts::K_VENC_HEADER);
                enc.release_stream(0, &stream).unwrap();
                if done {
                    break;
                }
            }
        }
        seen
    };
    run(1, 20);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    let packs = run(21, 40);
    let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
    enc.stop(0).unwrap();
    enc.destroy(0).unwrap();
    (during, packs)
}

#[test]
fn steady_state_encoding_allocates_nothing() {
    // One test, so no other test's allocations run at the same time.
    let mut cases = vec![("h264", consts::K_PT_H264, consts::VENC_PROFILE_H264_MAIN)];
    if cfg!(feature = "x265") {
        cases.push(("h265", consts::K_PT_H265, consts::VENC_PROFILE_H265_MAIN));
    }
    for (name, payload, profile) in cases {
        let (allocations, packs) = allocations_per_frame(payload, profile);
        // One pack per picture: the header pack came with the first IDR only (the MPI repeats
        // it before every IDR only after EnableIDR).
        assert_eq!(packs, 40, "{name} MPI: packs seen");
        assert_eq!(
            allocations, 0,
            "{name} MPI: Rust allocations over 40 warm frames"
        );
        let (allocations, packs) = encoder_allocations_per_frame(payload, profile);
        // CanMV's Create enables IDR headers; its default GOP is 30, so frame 31 is the one
        // IDR in 21..=60 and brings the one header pack more.
        assert_eq!(packs, 41, "{name} Encoder: packs seen");
        assert_eq!(
            allocations, 0,
            "{name} Encoder: Rust allocations over 40 warm frames"
        );
    }
}
