//! What the C library's tests share.

use std::path::PathBuf;

/// The shared library this test build made, next to the test (`target/<profile>` or its
/// `deps/`).
#[allow(dead_code)]
pub fn shared_library() -> PathBuf {
    let name = format!(
        "{}k230_mpp_sim{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    );
    let exe = std::env::current_exe().expect("the test's path");
    let deps = exe.parent().expect("deps/").to_owned();
    let profile = deps.parent().expect("target/<profile>").to_owned();
    // `cargo test` writes `deps/`; `cargo build` also copies it up, so the copy there may be
    // older than this build: take the newer.
    [profile.join(&name), deps.join(&name)]
        .into_iter()
        .filter_map(|p| Some((std::fs::metadata(&p).ok()?.modified().ok()?, p)))
        .max()
        .map(|(_, p)| p)
        .unwrap_or_else(|| panic!("{name} was not built next to the test"))
}

/// A call that must succeed.
#[allow(dead_code)]
pub fn ok(what: &str, ret: i32) {
    assert_eq!(ret, 0, "{what}: 0x{:x}", ret as u32);
}

/// The attributes of a CBR (2000 kbit/s, GOP 30) channel of `payload`/`profile` at `w`x`h`, with
/// 4 stream buffers of 64 KiB.
#[allow(dead_code)]
pub fn cbr_attr(payload: u32, profile: u32, w: u32, h: u32) -> k230_mpp_sim::abi::ChnAttr {
    use k230_mpp_sim::abi::{ChnAttr, RcAttr, VencAttr};
    let mut rc = RcAttr {
        rc_mode: venc_core::consts::K_VENC_RC_MODE_CBR,
        ..RcAttr::default()
    };
    rc.words[..5].copy_from_slice(&[30, 1, 30, 30, 2000]);
    ChnAttr {
        venc_attr: VencAttr {
            payload,
            stream_buf_size: 64 * 1024,
            stream_buf_cnt: 4,
            pic_width: w,
            pic_height: h,
            profile,
        },
        rc_attr: rc,
    }
}

/// The common VB pool the channels' stream buffers come from, set up once per process.
#[allow(dead_code)]
pub fn vb_once() {
    use k230_mpp_sim::abi::{VbConfig, VbPoolConfig};
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        let mut config = VbConfig {
            max_pool_cnt: 1,
            ..VbConfig::default()
        };
        config.comm_pool[0] = VbPoolConfig {
            blk_size: 64 * 1024,
            blk_cnt: 8,
            ..VbPoolConfig::default()
        };
        // SAFETY: a pointer to a live local.
        ok("vb_set_config", unsafe {
            k230_mpp_sim::vb::kd_mpi_vb_set_config(&config)
        });
        ok("vb_init", k230_mpp_sim::vb::kd_mpi_vb_init());
    });
}

/// Creates channel 0 with `attr`, runs `configure` (the calls between create and start),
/// starts it, sends the pattern's first `frames` frames through the exported calls, drains
/// the channel and destroys it: the stream's bytes.
#[allow(dead_code)]
pub fn encode_pattern(
    attr: k230_mpp_sim::abi::ChnAttr,
    frames: u32,
    configure: impl FnOnce(),
) -> Vec<u8> {
    encode_pattern_with(attr, frames, configure, || {})
}

/// [`encode_pattern`], with `started` run once the channel is started, before the frames.
#[allow(dead_code)]
pub fn encode_pattern_with(
    mut attr: k230_mpp_sim::abi::ChnAttr,
    frames: u32,
    configure: impl FnOnce(),
    started: impl FnOnce(),
) -> Vec<u8> {
    use k230_mpp_sim::abi::{Pack, Stream, VbPoolConfig, VideoFrameInfo};
    use k230_mpp_sim::{sys, vb, venc};
    use venc_core::consts;
    vb_once();
    let (w, h) = (attr.venc_attr.pic_width, attr.venc_attr.pic_height);
    let uv_off = u64::from(w * h).next_multiple_of(4096);
    let size = uv_off * 2;
    let mut pool = VbPoolConfig {
        blk_size: size,
        blk_cnt: frames,
        ..VbPoolConfig::default()
    };
    let mut out = Vec::new();
    // SAFETY: every pointer is to a live local or one the library returned.
    unsafe {
        let pool_id = vb::kd_mpi_vb_create_pool(&mut pool);
        assert!(pool_id >= 0);
        ok("create", venc::kd_mpi_venc_create_chn(0, &mut attr));
        configure();
        ok("start", venc::kd_mpi_venc_start_chn(0));
        started();
        let mut handles = Vec::new();
        for t in 0..frames {
            let f = venc_harness::oracle::pattern_frame(w, h, t);
            let handle = vb::kd_mpi_vb_get_block(pool_id as u32, size, std::ptr::null());
            let phys = vb::kd_mpi_vb_handle_to_phyaddr(handle);
            let p = sys::kd_mpi_sys_mmap(phys, size as u32).cast::<u8>();
            std::ptr::copy_nonoverlapping(f.y.as_ptr(), p, f.y.len());
            let uv: Vec<u8> = f.u.iter().zip(&f.v).flat_map(|(&u, &v)| [u, v]).collect();
            std::ptr::copy_nonoverlapping(uv.as_ptr(), p.add(uv_off as usize), uv.len());
            ok("munmap", sys::kd_mpi_sys_munmap(p.cast(), size as u32));
            let mut frame: VideoFrameInfo = std::mem::zeroed();
            frame.v_frame.width = w;
            frame.v_frame.height = h;
            frame.v_frame.pixel_format = consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420;
            frame.v_frame.stride = [w, w, 0];
            frame.v_frame.phys_addr = [phys, phys + uv_off, 0];
            frame.v_frame.pts = u64::from(t) * 33_333;
            frame.pool_id = pool_id as u32;
            ok(
                "send_frame",
                venc::kd_mpi_venc_send_frame(0, &mut frame, 1000),
            );
            handles.push(handle);
        }
        let mut packs = [Pack::default(); 4];
        let mut pictures = 0;
        while pictures < frames {
            let mut stream = Stream {
                pack: packs.as_mut_ptr(),
                pack_cnt: 4,
            };
            ok(
                "get_stream",
                venc::kd_mpi_venc_get_stream(0, &mut stream, 5000),
            );
            for p in &packs[..stream.pack_cnt as usize] {
                let data = sys::kd_mpi_sys_mmap(p.phys_addr, p.len).cast::<u8>();
                out.extend_from_slice(std::slice::from_raw_parts(data, p.len as usize));
                ok("munmap", sys::kd_mpi_sys_munmap(data.cast(), p.len));
                pictures += u32::from(p.pack_type != consts::K_VENC_HEADER);
            }
            ok("release", venc::kd_mpi_venc_release_stream(0, &mut stream));
        }
        ok("stop", venc::kd_mpi_venc_stop_chn(0));
        ok("destroy", venc::kd_mpi_venc_destroy_chn(0));
        for h in handles {
            ok("release_block", vb::kd_mpi_vb_release_block(h));
        }
        ok("destroy_pool", vb::kd_mpi_vb_destory_pool(pool_id as u32));
    }
    out
}

/// `K_DEF_ERR(module, K_ERR_LEVEL_ERROR, id)`, as the headers compute a code.
const fn k_err(module: u32, id: u32) -> i32 {
    (0xA000_8000 | (module << 16) | id) as i32
}
/// A `K_ERR_VENC_*` code.
#[allow(dead_code)]
pub const fn venc_err(id: u32) -> i32 {
    k_err(9, id)
}
/// A `K_ERR_VB_*` code.
#[allow(dead_code)]
pub const fn vb_err(id: u32) -> i32 {
    k_err(4, id)
}
/// A `K_ERR_SYS_*` code.
#[allow(dead_code)]
pub const fn sys_err(id: u32) -> i32 {
    k_err(5, id)
}
/// A `K_ERR_MMZ_USERDEV_*` code.
#[allow(dead_code)]
pub const fn mmz_err(id: u32) -> i32 {
    k_err(3, id)
}
/// A `K_ERR_VICAP_*` code.
#[allow(dead_code)]
pub const fn vicap_err(id: u32) -> i32 {
    k_err(21, id)
}
