//! The one simulated board a C process talks to, made at its first MPI call.
//!
//! A C program has no constructor to pass options to, so the board reads them from the
//! environment: `VENC_SIM_TIMING` (`fast`, `realtime`, `dilated`, `deterministic`; default
//! `fast`), `VENC_SIM_STRICT=1` (refuse what is otherwise accepted with a warning) and
//! `VENC_SIM_LOG` (an `env_logger` filter; default `warn`), `VENC_SIM_FAULT` (faults armed from
//! the start, `;`-separated specs as `venc --fault` takes them, e.g.
//! `send-frame-busy@every=10;vpu-stall:200ms@next`). A bad value leaves the board down:
//! every call then fails as on a board whose `/dev/venc_device` does not open (NOTREADY), after
//! one message naming the variable.

use crate::vb::Vb;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use venc_sim::mmz::HostWindow;
use venc_sim::timing::VpuTiming;
use venc_sim::{SimOptions, Simulator};

/// A live `kd_mpi_sys_mmap` mapping: the window and how many times it was mapped.
#[derive(Debug)]
pub(crate) struct Mapping {
    /// Held, not read: it keeps the block alive while the program may use the pointer.
    pub(crate) _window: HostWindow,
    /// The media-memory address the window starts at.
    pub(crate) phys: u64,
    pub(crate) size: u32,
    pub(crate) count: u32,
    /// Mapped by a `_cached` call (what `kd_mpi_sys_get_virmem_info` reports).
    pub(crate) cached: bool,
}

/// The board and what the C library keeps beside it.
#[derive(Debug)]
pub(crate) struct Board {
    pub(crate) sim: Arc<Simulator>,
    pub(crate) vb: Mutex<Vb>,
    /// Live mappings by host address.
    pub(crate) maps: Mutex<HashMap<usize, Mapping>>,
    /// Per VENC channel, the common-pool blocks its stream buffers took at create.
    pub(crate) stream_bufs: Mutex<[Option<crate::venc::StreamBufs>; 4]>,
    /// The camera devices.
    pub(crate) vicap: Mutex<crate::vicap::Vicap>,
    /// Per standalone 2D channel, the frames sent and not yet taken, whole: `get_2d_frame`
    /// hands back the program's own struct (its `virt_addr` included), drawn on in place.
    pub(crate) two_d_sent: Mutex<[std::collections::VecDeque<SentFrame>; 3]>,
}

/// A program's `k_video_frame_info`, kept to be handed back by `get_2d_frame`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SentFrame(pub(crate) crate::abi::VideoFrameInfo);

// SAFETY: the struct's pointers (the supplement's kernel addresses) are the program's values,
// carried back to it unread; nothing here dereferences them.
unsafe impl Send for SentFrame {}

static BOARD: OnceLock<Result<Board, String>> = OnceLock::new();

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn options_from_env() -> Result<SimOptions, String> {
    let mut opts = SimOptions::default();
    if let Ok(timing) = std::env::var("VENC_SIM_TIMING") {
        opts.timing = VpuTiming::parse(&timing).map_err(|e| format!("VENC_SIM_TIMING: {e}"))?;
    }
    match std::env::var("VENC_SIM_STRICT").as_deref() {
        Err(_) | Ok("" | "0") => {}
        Ok("1") => opts.strict = true,
        Ok(other) => return Err(format!("VENC_SIM_STRICT={other:?}: use 0 or 1")),
    }
    Ok(opts)
}

/// The faults `VENC_SIM_FAULT` names (none when unset).
fn faults_from_env() -> Result<Vec<venc_core::FaultSpec>, String> {
    let Ok(specs) = std::env::var("VENC_SIM_FAULT") else {
        return Ok(Vec::new());
    };
    specs
        .split(';')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.parse().map_err(|e| format!("VENC_SIM_FAULT: {e}")))
        .collect()
}

fn bring_up() -> Result<Board, String> {
    let filter = std::env::var("VENC_SIM_LOG").unwrap_or_else(|_| "warn".into());
    // A host program may have its own logger: then ours is not needed.
    let _ = env_logger::Builder::new()
        .parse_filters(&filter)
        .format_timestamp(None)
        .try_init();
    let opts = options_from_env()?;
    let faults = faults_from_env()?;
    let sim = Simulator::shared(opts);
    for spec in &faults {
        venc_core::Mpi::inject_fault(sim.as_ref(), spec)
            .map_err(|e| format!("VENC_SIM_FAULT: {spec:?}: {e}"))?;
    }
    Ok(Board {
        sim,
        vb: Mutex::new(Vb::default()),
        maps: Mutex::new(HashMap::new()),
        two_d_sent: Mutex::new(Default::default()),
        stream_bufs: Mutex::new(Default::default()),
        vicap: Mutex::new(crate::vicap::Vicap::default()),
    })
}

/// The board, or why it is down (said once, on stderr).
pub(crate) fn board() -> Option<&'static Board> {
    let mut first = false;
    let up = BOARD.get_or_init(|| {
        first = true;
        bring_up()
    });
    match up {
        Ok(b) => Some(b),
        Err(why) => {
            if first {
                eprintln!("venc-sim: the simulated board is down: {why}");
            }
            None
        }
    }
}

static PANICS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many exported calls panicked (each a bug, answered with a code): what the fuzz target
/// checks stays 0.
pub fn panics_caught() -> u64 {
    PANICS.load(std::sync::atomic::Ordering::Relaxed)
}

unsafe extern "C" {
    fn pthread_setcancelstate(state: i32, oldstate: *mut i32) -> i32;
}

/// `PTHREAD_CANCEL_DISABLE` (glibc and musl 1; macOS 0).
#[cfg(not(target_os = "macos"))]
const CANCEL_DISABLE: i32 = 1;
#[cfg(target_os = "macos")]
const CANCEL_DISABLE: i32 = 0;

/// The calling thread's cancelability, off while the library runs and restored after. A
/// `pthread_cancel` unwinds from the next cancellation point, and the library's own code has
/// many (every log line is a `write`): one inside a `catch_unwind` aborts the process
/// ("exception not rethrown"), one under a lock guard is undefined. So a cancel takes effect
/// only where the library tests for it (`get_stream(-1)`'s `pthread_testcancel`), outside
/// any such frame, or back in the program's code.
struct NoCancel(i32);

impl NoCancel {
    fn new() -> Self {
        let mut old = 0;
        // SAFETY: a libc call on the calling thread; not a cancellation point.
        unsafe { pthread_setcancelstate(CANCEL_DISABLE, &mut old) };
        Self(old)
    }
}

impl Drop for NoCancel {
    fn drop(&mut self) {
        let mut ignored = 0;
        // SAFETY: as in `new`; a pending cancel is not acted on here.
        unsafe { pthread_setcancelstate(self.0, &mut ignored) };
    }
}

/// Runs an exported call's body with cancellation off: a panic is reported and answered with
/// `on_panic` rather than unwound into C.
pub(crate) fn guarded<T>(call: &str, on_panic: T, body: impl FnOnce() -> T) -> T {
    let _no_cancel = NoCancel::new();
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(v) => v,
        Err(_) => {
            PANICS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            eprintln!("venc-sim: internal error in {call} (a bug: please report it)");
            on_panic
        }
    }
}
