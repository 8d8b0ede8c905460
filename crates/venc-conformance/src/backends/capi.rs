//! The simulator's C library as a backend (feature `capi`): `libk230_mpp_sim` loaded at run
//! time and every MPI call made through its exported `kd_mpi_*` symbols, as a C program makes
//! it. The suite then checks the whole C path (struct layouts, code mapping, `sys_mmap`) on
//! top of the simulator, without linking it: the library is the only simulator in the process.
//!
//! The calls are the CanMV MPP's family (the one the suite's cases are written in): the pool
//! `SetOutBufs` makes is attached with `kd_mpi_venc_attach_vb_pool` and channels are created
//! with the 44-byte `k_venc_chn_attr` (`kd_mpi_venc_create_chn_canmv`).
//!
//! The library holds one board per process, so a case's board is reset by giving back what the
//! case left: every channel stopped, destroyed, detached and released, every block and pool
//! this backend handed out returned (as the board agent does when a session ends).

use crate::run::Backend;
use k230_mpp_abi::{
    BorderAttr, CanmvChnAttr, CanmvVencAttr, ChnStatus, CscAttr, H264Entropy, H265Entropy, H265Sao,
    OsdAttr, RcAttr, Stream, VbPoolConfig,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use venc_core::features::COEF_NUM;
use venc_core::{
    Border, Chn, ChnAttr, FeatureCall, MemError, Mpi, OsdRegion, Pack, PackType, PoolId, VencError,
    VideoFrameInfo,
};

type Code = i32;

/// The library's symbols, copied out once; valid while `_lib` lives.
struct Symbols {
    create_chn: unsafe extern "C" fn(u32, *mut CanmvChnAttr) -> Code,
    destroy_chn: unsafe extern "C" fn(u32) -> Code,
    start_chn: unsafe extern "C" fn(u32) -> Code,
    stop_chn: unsafe extern "C" fn(u32) -> Code,
    enable_idr: unsafe extern "C" fn(u32, u32) -> Code,
    request_idr: unsafe extern "C" fn(u32) -> Code,
    query_status: unsafe extern "C" fn(u32, *mut ChnStatus) -> Code,
    send_frame: unsafe extern "C" fn(u32, *mut k230_mpp_abi::VideoFrameInfo, i32) -> Code,
    get_stream: unsafe extern "C" fn(u32, *mut Stream, i32) -> Code,
    release_stream: unsafe extern "C" fn(u32, *mut Stream) -> Code,
    attach_vb_pool: unsafe extern "C" fn(u32, u32) -> Code,
    detach_vb_pool: unsafe extern "C" fn(u32) -> Code,
    request_chn: unsafe extern "C" fn(*mut u32) -> Code,
    release_chn: unsafe extern "C" fn(u32) -> Code,
    vb_create_pool: unsafe extern "C" fn(*mut VbPoolConfig) -> Code,
    vb_destroy_pool: unsafe extern "C" fn(u32) -> Code,
    vb_get_block: unsafe extern "C" fn(u32, u64, *const std::ffi::c_char) -> u32,
    vb_release_block: unsafe extern "C" fn(u32) -> Code,
    vb_handle_to_phyaddr: unsafe extern "C" fn(u32) -> u64,
    vb_phyaddr_to_handle: unsafe extern "C" fn(u64) -> u32,
    sys_mmap: unsafe extern "C" fn(u64, u32) -> *mut std::ffi::c_void,
    sys_munmap: unsafe extern "C" fn(*mut std::ffi::c_void, u32) -> Code,
    release_pic_pts: unsafe extern "C" fn(u32, *mut u64) -> Code,
    /// The calls beyond the encode loop, each `(chn, value)` or `(chn, *out)`.
    set_u32: HashMap<FeatureCall, unsafe extern "C" fn(u32, u32) -> Code>,
    get_u32: HashMap<FeatureCall, unsafe extern "C" fn(u32, *mut u32) -> Code>,
    chn_only: HashMap<FeatureCall, unsafe extern "C" fn(u32) -> Code>,
    set_h265_sao: unsafe extern "C" fn(u32, *const H265Sao) -> Code,
    get_h265_sao: unsafe extern "C" fn(u32, *mut H265Sao) -> Code,
    set_h264_entropy: unsafe extern "C" fn(u32, *const H264Entropy) -> Code,
    get_h264_entropy: unsafe extern "C" fn(u32, *mut H264Entropy) -> Code,
    set_h265_entropy: unsafe extern "C" fn(u32, *const H265Entropy) -> Code,
    get_h265_entropy: unsafe extern "C" fn(u32, *mut H265Entropy) -> Code,
    attach_vb_pool_ex: unsafe extern "C" fn(u32, u32, i32) -> Code,
    set_2d_osd: unsafe extern "C" fn(u32, u8, *const OsdAttr) -> Code,
    get_2d_osd: unsafe extern "C" fn(u32, u8, *mut OsdAttr) -> Code,
    set_2d_border: unsafe extern "C" fn(u32, u8, *const BorderAttr) -> Code,
    get_2d_border: unsafe extern "C" fn(u32, u8, *mut BorderAttr) -> Code,
    set_2d_coef: unsafe extern "C" fn(u32, *const i16) -> Code,
    get_2d_coef: unsafe extern "C" fn(u32, *const i16) -> Code,
    set_2d_csc: unsafe extern "C" fn(u32, *const CscAttr) -> Code,
    get_2d_csc: unsafe extern "C" fn(u32, *mut CscAttr) -> Code,
    send_2d_frame: unsafe extern "C" fn(u32, *mut k230_mpp_abi::VideoFrameInfo) -> Code,
    get_2d_frame: unsafe extern "C" fn(u32, *mut k230_mpp_abi::VideoFrameInfo) -> Code,
    _lib: libloading::Library,
}

impl Symbols {
    fn load(path: &Path) -> Result<Self, String> {
        // SAFETY: loading the simulator's own C library, whose initialisers only set up Rust
        // statics; it stays loaded while the copied symbols are used (`_lib`).
        let lib = unsafe { libloading::Library::new(path) }
            .map_err(|e| format!("cannot load {}: {e}", path.display()))?;
        macro_rules! sym {
            ($name:literal) => {
                // SAFETY: each symbol is declared with the C signature of include/mpi_*_api.h.
                *unsafe { lib.get(concat!($name, "\0").as_bytes()) }
                    .map_err(|e| format!("{}: no symbol {}: {e}", path.display(), $name))?
            };
        }
        Ok(Self {
            create_chn: sym!("kd_mpi_venc_create_chn_canmv"),
            destroy_chn: sym!("kd_mpi_venc_destroy_chn"),
            start_chn: sym!("kd_mpi_venc_start_chn"),
            stop_chn: sym!("kd_mpi_venc_stop_chn"),
            enable_idr: sym!("kd_mpi_venc_enable_idr"),
            request_idr: sym!("kd_mpi_venc_request_idr"),
            query_status: sym!("kd_mpi_venc_query_status"),
            send_frame: sym!("kd_mpi_venc_send_frame"),
            get_stream: sym!("kd_mpi_venc_get_stream"),
            release_stream: sym!("kd_mpi_venc_release_stream"),
            attach_vb_pool: sym!("kd_mpi_venc_attach_vb_pool"),
            detach_vb_pool: sym!("kd_mpi_venc_detach_vb_pool"),
            request_chn: sym!("kd_mpi_venc_request_chn"),
            release_chn: sym!("kd_mpi_venc_release_chn"),
            vb_create_pool: sym!("kd_mpi_vb_create_pool"),
            vb_destroy_pool: sym!("kd_mpi_vb_destory_pool"),
            vb_get_block: sym!("kd_mpi_vb_get_block"),
            vb_release_block: sym!("kd_mpi_vb_release_block"),
            vb_handle_to_phyaddr: sym!("kd_mpi_vb_handle_to_phyaddr"),
            vb_phyaddr_to_handle: sym!("kd_mpi_vb_phyaddr_to_handle"),
            sys_mmap: sym!("kd_mpi_sys_mmap"),
            sys_munmap: sym!("kd_mpi_sys_munmap"),
            release_pic_pts: sym!("venc_sim_release_pic_pts"),
            set_u32: [
                (FeatureCall::SetRotation, sym!("kd_mpi_venc_set_rotation")),
                (FeatureCall::SetMirror, sym!("kd_mpi_venc_set_mirror")),
                (FeatureCall::SetDblk, sym!("kd_mpi_venc_set_dblk")),
                (
                    FeatureCall::SetIntbufSize,
                    sym!("kd_mpi_venc_set_intbuf_size"),
                ),
                (FeatureCall::Set2dMode, sym!("kd_mpi_venc_set_2d_mode")),
                (
                    FeatureCall::Set2dGamut,
                    sym!("kd_mpi_venc_set_2d_color_gamut"),
                ),
            ]
            .into(),
            get_u32: [
                (FeatureCall::GetRotation, sym!("kd_mpi_venc_get_rotation")),
                (FeatureCall::GetMirror, sym!("kd_mpi_venc_get_mirror")),
                (FeatureCall::GetDblk, sym!("kd_mpi_venc_get_dblk")),
                (FeatureCall::Get2dMode, sym!("kd_mpi_venc_get_2d_mode")),
                (
                    FeatureCall::Get2dGamut,
                    sym!("kd_mpi_venc_get_2d_color_gamut"),
                ),
            ]
            .into(),
            chn_only: [
                (FeatureCall::Attach2d, sym!("kd_mpi_venc_attach_2d")),
                (FeatureCall::Detach2d, sym!("kd_mpi_venc_detach_2d")),
                (FeatureCall::Start2d, sym!("kd_mpi_venc_start_2d_chn")),
                (FeatureCall::Stop2d, sym!("kd_mpi_venc_stop_2d_chn")),
            ]
            .into(),
            set_h265_sao: sym!("kd_mpi_venc_set_h265_sao"),
            get_h265_sao: sym!("kd_mpi_venc_get_h265_sao"),
            set_h264_entropy: sym!("kd_mpi_venc_set_h264_entropy"),
            get_h264_entropy: sym!("kd_mpi_venc_get_h264_entropy"),
            set_h265_entropy: sym!("kd_mpi_venc_set_h265_entropy"),
            get_h265_entropy: sym!("kd_mpi_venc_get_h265_entropy"),
            attach_vb_pool_ex: sym!("kd_mpi_venc_attach_vb_pool_ex"),
            set_2d_osd: sym!("kd_mpi_venc_set_2d_osd_param"),
            get_2d_osd: sym!("kd_mpi_venc_get_2d_osd_param"),
            set_2d_border: sym!("kd_mpi_venc_set_2d_border_param"),
            get_2d_border: sym!("kd_mpi_venc_get_2d_border_param"),
            set_2d_coef: sym!("kd_mpi_venc_set_2d_custom_coef"),
            get_2d_coef: sym!("kd_mpi_venc_get_2d_custom_coef"),
            set_2d_csc: sym!("kd_mpi_venc_set_2d_csc_param"),
            get_2d_csc: sym!("kd_mpi_venc_get_2d_csc_param"),
            send_2d_frame: sym!("kd_mpi_venc_send_2d_frame"),
            get_2d_frame: sym!("kd_mpi_venc_get_2d_frame"),
            _lib: lib,
        })
    }
}

/// `VB_INVALID_HANDLE` / `VB_INVALID_POOLID`.
const VB_INVALID: u32 = u32::MAX;

/// The library behind the `capi` backend.
#[derive(Clone)]
pub struct CapiBackend {
    path: PathBuf,
    symbols: Arc<Symbols>,
    /// One case at a time.
    turn: Arc<Turn>,
}

impl std::fmt::Debug for CapiBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CapiBackend")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl CapiBackend {
    /// Loads the library at `path` (`libk230_mpp_sim.so`), checking every symbol it needs.
    pub fn load(path: &Path) -> Result<Self, String> {
        Ok(Self {
            path: path.to_owned(),
            symbols: Arc::new(Symbols::load(path)?),
            turn: Arc::default(),
        })
    }
}

impl Backend for CapiBackend {
    fn name(&self) -> &str {
        "capi"
    }

    fn open(&self) -> Result<Arc<dyn Mpi>, String> {
        let turn = Arc::clone(&self.turn);
        Ok(Arc::new(CapiBoard {
            s: Arc::clone(&self.symbols),
            _turn: OwnedTurn::take(turn)?,
            pools: Mutex::default(),
            blocks: Mutex::default(),
            chans: Mutex::default(),
        }))
    }

    fn describe(&self) -> String {
        format!(
            "libk230_mpp_sim through its C symbols ({}), CanMV MPP family",
            self.path.display()
        )
    }
}

/// Whether a case's board is out: the library has one board per process.
#[derive(Default)]
struct Turn {
    busy: Mutex<bool>,
    freed: Condvar,
}

/// Holds the backend's turn for as long as a case's board lives.
struct OwnedTurn(Arc<Turn>);

impl OwnedTurn {
    /// How long a case waits for the previous one's board (a case the watchdog gave up on may
    /// still hold it): then the case errs rather than the run hanging.
    const PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

    fn take(turn: Arc<Turn>) -> Result<Self, String> {
        Self::take_within(turn, Self::PATIENCE)
    }

    fn take_within(turn: Arc<Turn>, patience: std::time::Duration) -> Result<Self, String> {
        let deadline = std::time::Instant::now() + patience;
        let mut busy = lock(&turn.busy);
        while *busy {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(format!(
                    "the library's board is still held by an earlier case after {patience:?}"
                ));
            }
            busy = turn
                .freed
                .wait_timeout(busy, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        *busy = true;
        drop(busy);
        Ok(Self(turn))
    }
}

impl Drop for OwnedTurn {
    fn drop(&mut self) {
        *lock(&self.0.busy) = false;
        self.0.freed.notify_one();
    }
}

/// One case's view of the library's board.
struct CapiBoard {
    s: Arc<Symbols>,
    _turn: OwnedTurn,
    /// Pools this board made, with their block size (`kd_mpi_vb_get_block` asks for one).
    pools: Mutex<HashMap<PoolId, u64>>,
    /// Blocks handed out, by physical address.
    blocks: Mutex<HashMap<u64, u32>>,
    /// What the case did to each channel, to undo at the end.
    chans: Mutex<[Undo; CHANNELS]>,
}

const CHANNELS: usize = venc_core::consts::VENC_MAX_CHN_NUMS as usize;

/// What a case left on a channel: each flag set by a call that succeeded, cleared by the call
/// that undoes it.
#[derive(Debug, Clone, Copy, Default)]
struct Undo {
    requested: bool,
    attached: bool,
    created: bool,
    started: bool,
}

fn venc(code: Code) -> Result<(), VencError> {
    if code == 0 {
        return Ok(());
    }
    VencError::from_code(code as u32).map_or_else(
        || {
            // A code the VENC module does not have is the library's bug: said as such.
            log::warn!(
                "capi: the library answered 0x{:x}, not a VENC code",
                code as u32
            );
            Err(VencError::NotSupport)
        },
        Err,
    )
}

/// A `k_video_frame_info` holding `frame`'s fields, the rest zero.
fn c_frame(frame: &VideoFrameInfo) -> k230_mpp_abi::VideoFrameInfo {
    // SAFETY: an all-zero k_video_frame_info is a valid value (integers and null pointers).
    let mut c: k230_mpp_abi::VideoFrameInfo = unsafe { std::mem::zeroed() };
    c.set_from_core(frame);
    c
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Mpi for CapiBoard {
    fn backend_name(&self) -> &str {
        "capi"
    }

    fn create_chn(&self, chn: Chn, attr: &ChnAttr) -> Result<(), VencError> {
        let mut c = CanmvChnAttr {
            venc_attr: CanmvVencAttr {
                payload: attr.payload,
                pic_width: attr.width,
                pic_height: attr.height,
                profile: attr.profile,
            },
            rc_attr: RcAttr::from_core(&attr.rc),
        };
        // SAFETY: a pointer to a live local of the library's layout.
        let r = venc(unsafe { (self.s.create_chn)(chn, &mut c) });
        self.note(chn, &r, |u| u.created = true);
        r
    }

    fn destroy_chn(&self, chn: Chn) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.destroy_chn)(chn) });
        self.note(chn, &r, |u| u.created = false);
        r
    }

    fn start_chn(&self, chn: Chn) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.start_chn)(chn) });
        self.note(chn, &r, |u| u.started = true);
        r
    }

    fn stop_chn(&self, chn: Chn) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.stop_chn)(chn) });
        self.note(chn, &r, |u| u.started = false);
        r
    }

    fn enable_idr(&self, chn: Chn, enable: bool) -> Result<(), VencError> {
        // SAFETY: plain integers.
        venc(unsafe { (self.s.enable_idr)(chn, u32::from(enable)) })
    }

    fn request_idr(&self, chn: Chn) -> Result<(), VencError> {
        // SAFETY: plain integers.
        venc(unsafe { (self.s.request_idr)(chn) })
    }

    fn query_status(&self, chn: Chn) -> Result<venc_core::ChnStatus, VencError> {
        let mut st = ChnStatus::default();
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.query_status)(chn, &mut st) })?;
        Ok(venc_core::ChnStatus {
            cur_packs: st.cur_packs,
            release_pic_pts: st.release_pic_pts,
            end_of_stream: st.end_of_stream != 0,
        })
    }

    /// `query_status` answers `release_pic_pts` 0, as the board's kernel does: the harness's
    /// waits ask the library's `venc_sim_release_pic_pts` instead (D-056).
    fn released_pts(&self, chn: Chn) -> Result<Option<u64>, VencError> {
        let mut pts = 0;
        // SAFETY: a pointer to a live local.
        venc(unsafe { (self.s.release_pic_pts)(chn, &mut pts) })?;
        Ok(Some(pts))
    }

    fn send_frame(
        &self,
        chn: Chn,
        frame: &VideoFrameInfo,
        timeout_ms: i32,
    ) -> Result<(), VencError> {
        let mut c = c_frame(frame);
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.send_frame)(chn, &mut c, timeout_ms) })
    }

    fn get_stream(
        &self,
        chn: Chn,
        max_packs: u32,
        timeout_ms: i32,
        out: &mut Vec<Pack>,
    ) -> Result<(), VencError> {
        out.clear();
        let mut packs = vec![k230_mpp_abi::Pack::default(); max_packs as usize];
        let mut stream = Stream {
            pack: packs.as_mut_ptr(),
            pack_cnt: max_packs,
        };
        // SAFETY: `stream` points at `max_packs` live packs.
        venc(unsafe { (self.s.get_stream)(chn, &mut stream, timeout_ms) })?;
        for p in packs.iter().take(stream.pack_cnt as usize) {
            let pack_type = PackType::from_code(p.pack_type).map_err(|_| VencError::NotSupport)?;
            out.push(Pack {
                phys_addr: p.phys_addr,
                len: p.len,
                pts: p.pts,
                pack_type,
            });
        }
        Ok(())
    }

    fn release_stream(&self, chn: Chn, pack_cnt: u32) -> Result<(), VencError> {
        // The library releases `pack_cnt` packs, oldest first; the array is not read.
        let mut packs = vec![k230_mpp_abi::Pack::default(); pack_cnt.max(1) as usize];
        let mut stream = Stream {
            pack: packs.as_mut_ptr(),
            pack_cnt,
        };
        // SAFETY: `stream` points at live packs.
        venc(unsafe { (self.s.release_stream)(chn, &mut stream) })
    }

    fn attach_vb_pool(&self, chn: Chn, pool: PoolId) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.attach_vb_pool)(chn, pool) });
        self.note(chn, &r, |u| u.attached = true);
        r
    }

    fn detach_vb_pool(&self, chn: Chn) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.detach_vb_pool)(chn) });
        self.note(chn, &r, |u| u.attached = false);
        r
    }

    fn request_chn(&self) -> Result<Chn, VencError> {
        let mut chn = 0;
        // SAFETY: a pointer to a live local.
        venc(unsafe { (self.s.request_chn)(&mut chn) })?;
        self.note(chn, &Ok(()), |u| u.requested = true);
        Ok(chn)
    }

    fn release_chn(&self, chn: Chn) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.release_chn)(chn) });
        self.note(chn, &r, |u| u.requested = false);
        r
    }

    fn attach_vb_pool_ex(&self, chn: Chn, pool: PoolId, buff_num: i32) -> Result<(), VencError> {
        // SAFETY: plain integers.
        let r = venc(unsafe { (self.s.attach_vb_pool_ex)(chn, pool, buff_num) });
        self.note(chn, &r, |u| u.attached = true);
        r
    }

    fn set_intbuf_size(&self, chn: Chn, size: u32) -> Result<(), VencError> {
        self.set_u32(FeatureCall::SetIntbufSize, chn, size)
    }

    fn set_rotation(&self, chn: Chn, rotation: u32) -> Result<(), VencError> {
        self.set_u32(FeatureCall::SetRotation, chn, rotation)
    }

    fn get_rotation(&self, chn: Chn) -> Result<u32, VencError> {
        self.get_u32(FeatureCall::GetRotation, chn)
    }

    fn set_mirror(&self, chn: Chn, mirror: u32) -> Result<(), VencError> {
        self.set_u32(FeatureCall::SetMirror, chn, mirror)
    }

    fn get_mirror(&self, chn: Chn) -> Result<u32, VencError> {
        self.get_u32(FeatureCall::GetMirror, chn)
    }

    fn set_dblk(&self, chn: Chn, enable: u32) -> Result<(), VencError> {
        self.set_u32(FeatureCall::SetDblk, chn, enable)
    }

    fn get_dblk(&self, chn: Chn) -> Result<u32, VencError> {
        self.get_u32(FeatureCall::GetDblk, chn)
    }

    fn set_h265_sao(&self, chn: Chn, sao: &venc_core::H265Sao) -> Result<(), VencError> {
        let c = H265Sao {
            slice_sao_luma_flag: sao.luma,
            slice_sao_chroma_flag: sao.chroma,
        };
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.set_h265_sao)(chn, &c) })
    }

    fn get_h265_sao(&self, chn: Chn) -> Result<venc_core::H265Sao, VencError> {
        let mut c = H265Sao::default();
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.get_h265_sao)(chn, &mut c) })?;
        Ok(venc_core::H265Sao {
            luma: c.slice_sao_luma_flag,
            chroma: c.slice_sao_chroma_flag,
        })
    }

    fn set_h264_entropy(&self, chn: Chn, e: &venc_core::H264Entropy) -> Result<(), VencError> {
        let c = H264Entropy {
            entropy_coding_mode: e.mode,
            cabac_init_idc: e.cabac_init_idc,
        };
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.set_h264_entropy)(chn, &c) })
    }

    fn get_h264_entropy(&self, chn: Chn) -> Result<venc_core::H264Entropy, VencError> {
        let mut c = H264Entropy::default();
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.get_h264_entropy)(chn, &mut c) })?;
        Ok(venc_core::H264Entropy {
            mode: c.entropy_coding_mode,
            cabac_init_idc: c.cabac_init_idc,
        })
    }

    fn set_h265_entropy(&self, chn: Chn, cabac_init_flag: u8) -> Result<(), VencError> {
        let c = H265Entropy { cabac_init_flag };
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.set_h265_entropy)(chn, &c) })
    }

    fn get_h265_entropy(&self, chn: Chn) -> Result<u8, VencError> {
        let mut c = H265Entropy::default();
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.get_h265_entropy)(chn, &mut c) })?;
        Ok(c.cabac_init_flag)
    }

    fn attach_2d(&self, chn: Chn) -> Result<(), VencError> {
        self.chn_only(FeatureCall::Attach2d, chn)
    }

    fn detach_2d(&self, chn: Chn) -> Result<(), VencError> {
        self.chn_only(FeatureCall::Detach2d, chn)
    }

    fn set_2d_mode(&self, chn: Chn, mode: u32) -> Result<(), VencError> {
        self.set_u32(FeatureCall::Set2dMode, chn, mode)
    }

    fn get_2d_mode(&self, chn: Chn) -> Result<u32, VencError> {
        self.get_u32(FeatureCall::Get2dMode, chn)
    }

    fn set_2d_osd(&self, chn: Chn, index: u8, region: &OsdRegion) -> Result<(), VencError> {
        let c = OsdAttr::from_core(region);
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.set_2d_osd)(chn, index, &c) })
    }

    fn get_2d_osd(&self, chn: Chn, index: u8) -> Result<OsdRegion, VencError> {
        let mut c = OsdAttr::default();
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.get_2d_osd)(chn, index, &mut c) })?;
        Ok(c.to_core())
    }

    fn set_2d_border(&self, chn: Chn, index: u8, border: &Border) -> Result<(), VencError> {
        let c = BorderAttr::from_core(border);
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.set_2d_border)(chn, index, &c) })
    }

    fn get_2d_border(&self, chn: Chn, index: u8) -> Result<Border, VencError> {
        let mut c = BorderAttr::default();
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.get_2d_border)(chn, index, &mut c) })?;
        Ok(c.to_core())
    }

    fn set_2d_custom_coef(&self, chn: Chn, coef: &[i16; COEF_NUM]) -> Result<(), VencError> {
        // SAFETY: 12 live k_s16.
        venc(unsafe { (self.s.set_2d_coef)(chn, coef.as_ptr()) })
    }

    fn get_2d_custom_coef(&self, chn: Chn) -> Result<[i16; COEF_NUM], VencError> {
        let mut coef = [0i16; COEF_NUM];
        // SAFETY: 12 writable k_s16 (const in the SDK's prototype).
        venc(unsafe { (self.s.get_2d_coef)(chn, coef.as_mut_ptr()) })?;
        Ok(coef)
    }

    fn set_2d_color_gamut(&self, chn: Chn, gamut: u32) -> Result<(), VencError> {
        self.set_u32(FeatureCall::Set2dGamut, chn, gamut)
    }

    fn get_2d_color_gamut(&self, chn: Chn) -> Result<u32, VencError> {
        self.get_u32(FeatureCall::Get2dGamut, chn)
    }

    fn set_2d_csc(&self, chn: Chn, dst_fmt: u32) -> Result<(), VencError> {
        let c = CscAttr { dst_fmt };
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.set_2d_csc)(chn, &c) })
    }

    fn get_2d_csc(&self, chn: Chn) -> Result<u32, VencError> {
        let mut c = CscAttr::default();
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.get_2d_csc)(chn, &mut c) })?;
        Ok(c.dst_fmt)
    }

    fn start_2d_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.chn_only(FeatureCall::Start2d, chn)
    }

    fn stop_2d_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.chn_only(FeatureCall::Stop2d, chn)
    }

    fn send_2d_frame(&self, chn: Chn, frame: &VideoFrameInfo) -> Result<(), VencError> {
        let mut c = c_frame(frame);
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.send_2d_frame)(chn, &mut c) })
    }

    fn get_2d_frame(&self, chn: Chn) -> Result<VideoFrameInfo, VencError> {
        let mut c = c_frame(&VideoFrameInfo::default());
        // SAFETY: a pointer to a live local of the library's layout.
        venc(unsafe { (self.s.get_2d_frame)(chn, &mut c) })?;
        Ok(c.to_core())
    }

    fn create_pool(&self, blk_size: u64, blk_cnt: u32) -> Result<PoolId, MemError> {
        let mut config = VbPoolConfig {
            blk_size,
            blk_cnt,
            ..VbPoolConfig::default()
        };
        // SAFETY: a pointer to a live local of the library's layout.
        let id = unsafe { (self.s.vb_create_pool)(&mut config) };
        if id < 0 {
            return Err(MemError::Invalid(format!(
                "kd_mpi_vb_create_pool({blk_cnt} x {blk_size} bytes) failed"
            )));
        }
        lock(&self.pools).insert(id as PoolId, blk_size);
        Ok(id as PoolId)
    }

    fn destroy_pool(&self, pool: PoolId) -> Result<(), MemError> {
        // SAFETY: plain integers.
        match unsafe { (self.s.vb_destroy_pool)(pool) } {
            0 => {
                lock(&self.pools).remove(&pool);
                Ok(())
            }
            code => Err(MemError::Invalid(format!(
                "kd_mpi_vb_destory_pool({pool}): 0x{:x}",
                code as u32
            ))),
        }
    }

    fn get_block(&self, pool: PoolId) -> Result<u64, MemError> {
        let size = *lock(&self.pools).get(&pool).ok_or(MemError::NoPool(pool))?;
        // SAFETY: a NULL MMZ name is allowed.
        let handle = unsafe { (self.s.vb_get_block)(pool, size, std::ptr::null()) };
        if handle == VB_INVALID {
            return Err(MemError::PoolExhausted(pool));
        }
        // SAFETY: plain integers.
        let phys = unsafe { (self.s.vb_handle_to_phyaddr)(handle) };
        lock(&self.blocks).insert(phys, handle);
        Ok(phys)
    }

    fn release_block(&self, phys_addr: u64) -> Result<(), MemError> {
        // SAFETY: plain integers.
        let handle = unsafe { (self.s.vb_phyaddr_to_handle)(phys_addr) };
        // SAFETY: plain integers.
        match unsafe { (self.s.vb_release_block)(handle) } {
            0 => {
                lock(&self.blocks).remove(&phys_addr);
                Ok(())
            }
            _ => Err(MemError::BadAddress {
                addr: phys_addr,
                len: 0,
            }),
        }
    }

    fn read_mem(&self, phys_addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        self.mapped(phys_addr, buf.len(), |p| {
            // SAFETY: the mapping holds `buf.len()` bytes.
            unsafe { std::ptr::copy_nonoverlapping(p, buf.as_mut_ptr(), buf.len()) }
        })
    }

    fn write_mem(&self, phys_addr: u64, data: &[u8]) -> Result<(), MemError> {
        self.mapped(phys_addr, data.len(), |p| {
            // SAFETY: the mapping holds `data.len()` bytes.
            unsafe { std::ptr::copy_nonoverlapping(data.as_ptr(), p, data.len()) }
        })
    }
}

impl CapiBoard {
    /// A `(chn, k_u32)` call.
    fn set_u32(&self, call: FeatureCall, chn: Chn, value: u32) -> Result<(), VencError> {
        let f = self.s.set_u32[&call];
        // SAFETY: plain integers.
        venc(unsafe { f(chn, value) })
    }

    /// A `(chn, k_u32 *)` call.
    fn get_u32(&self, call: FeatureCall, chn: Chn) -> Result<u32, VencError> {
        let f = self.s.get_u32[&call];
        let mut v = 0;
        // SAFETY: a pointer to a live local k_u32.
        venc(unsafe { f(chn, &mut v) })?;
        Ok(v)
    }

    /// A `(chn)` call.
    fn chn_only(&self, call: FeatureCall, chn: Chn) -> Result<(), VencError> {
        let f = self.s.chn_only[&call];
        // SAFETY: plain integers.
        venc(unsafe { f(chn) })
    }

    /// Records what a call that succeeded left on channel `chn`.
    fn note(&self, chn: Chn, r: &Result<(), VencError>, what: impl FnOnce(&mut Undo)) {
        if r.is_ok()
            && let Some(u) = lock(&self.chans).get_mut(chn as usize)
        {
            what(u);
        }
    }

    /// Runs `with` on a `kd_mpi_sys_mmap` of `len` bytes at `phys_addr`, unmapped after.
    fn mapped(
        &self,
        phys_addr: u64,
        len: usize,
        with: impl FnOnce(*mut u8),
    ) -> Result<(), MemError> {
        let bad = || MemError::BadAddress {
            addr: phys_addr,
            len: len as u64,
        };
        let size = u32::try_from(len).map_err(|_| bad())?;
        if size == 0 {
            return Ok(());
        }
        // SAFETY: plain integers; NULL is the library's refusal.
        let p = unsafe { (self.s.sys_mmap)(phys_addr, size) };
        if p.is_null() {
            return Err(bad());
        }
        with(p.cast());
        // SAFETY: the mapping just made, with its size.
        unsafe { (self.s.sys_munmap)(p, size) };
        Ok(())
    }
}

impl Drop for CapiBoard {
    /// Gives back what the case left, so the next case finds the board as new.
    fn drop(&mut self) {
        let s = &self.s;
        let chans = *lock(&self.chans);
        for (chn, undo) in (0u32..).zip(chans) {
            // SAFETY: plain integers, each call undoing one that succeeded.
            unsafe {
                if undo.started {
                    (s.stop_chn)(chn);
                }
                if undo.created {
                    (s.destroy_chn)(chn);
                }
                if undo.attached {
                    (s.detach_vb_pool)(chn);
                }
                if undo.requested {
                    (s.release_chn)(chn);
                }
            }
        }
        for (_, handle) in lock(&self.blocks).drain() {
            // SAFETY: a handle this board got.
            unsafe { (s.vb_release_block)(handle) };
        }
        for (pool, _) in lock(&self.pools).drain() {
            // SAFETY: a pool this board made.
            unsafe { (s.vb_destroy_pool)(pool) };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_turn_is_given_back_on_drop_and_a_held_one_times_out() {
        let turn = Arc::new(Turn::default());
        let first = OwnedTurn::take_within(Arc::clone(&turn), Duration::from_millis(50)).unwrap();
        let e = OwnedTurn::take_within(Arc::clone(&turn), Duration::from_millis(50))
            .err()
            .expect("held");
        assert!(e.contains("still held by an earlier case"), "{e}");
        drop(first);
        assert!(OwnedTurn::take_within(turn, Duration::from_millis(50)).is_ok());
    }
}
