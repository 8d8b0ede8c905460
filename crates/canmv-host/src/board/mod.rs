//! The simulated board a script runs on: one per process, as a script has one K230.
//!
//! `configure()` (the runner calls it from `--firmware`, `--source`, `--timing`) replaces it;
//! objects made before keep the board they were made on. This module is the board and its
//! singleton; the Python functions about it are in [`py`] (configuration, facts, faults,
//! traces) and [`time`] (its clock), re-exported here.

use pyo3::prelude::*;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};
use venc_core::fault::Faults;
use venc_core::{ChnAttr, Encoder, Firmware, IdeChannel, Mpi, RcAttr, VencError};
use venc_harness::source::{FrameSource, Looping, open_file};
use venc_harness::trace::TracingMpi;
use venc_sim::SimOptions;
use venc_sim::timing::VpuTiming;
use venc_sim::vicap::{Fit, SensorSource, Timing};

mod py;
mod time;
pub use py::*;
pub use time::*;

// The simulator's parts the other modules wrap. This module is the one place the Python front
// meets `venc-sim` (a tidy test holds it to that), so a board of another kind changes here.
pub use venc_sim::Simulator;
pub use venc_sim::mmz::HostWindow;
pub use venc_sim::sys::{
    Link, MediaError, MediaManager, ModChn, SENSOR_CHANNELS, SENSOR_DEVICES, VB_BUSY,
};
pub use venc_sim::venc::Phase;
pub use venc_sim::vicap::{
    CAM_CHN_ID_0, CAM_CHN_ID_1, CAM_CHN_ID_2, Crop, GRAYSCALE, MIN_SIDE, RGB565, RGB888, RGBP888,
    Rect, Sensor, SensorError, SensorImage, SensorOptions, YUV420SP,
};
pub use venc_sim::vo::compose::{LayerFormat, rgb_to_nv12};
pub use venc_sim::vo::{LayerRect, Screen, ScreenSink, VoError};

/// What the sensors of this board see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// The built-in moving test pattern.
    Pattern,
    /// A Y4M file, an image file or a folder of images, looped and scaled to each channel.
    File(PathBuf),
}

impl SourceSpec {
    fn parse(text: &str) -> Result<Self, String> {
        if text == "pattern" {
            return Ok(Self::Pattern);
        }
        let spec = Self::File(PathBuf::from(text));
        spec.open()?;
        Ok(spec)
    }

    fn open(&self) -> Result<Box<dyn FrameSource + Send>, String> {
        let Self::File(path) = self else {
            return Err("the pattern is not a file".into());
        };
        let again = path.clone();
        let looping = Looping::new(move || open_file(&again))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Box::new(looping))
    }

    /// The source a new `Sensor` sees.
    pub fn sensor_source(&self) -> Result<SensorSource, String> {
        Ok(match self {
            Self::Pattern => SensorSource::Pattern,
            Self::File(_) => SensorSource::Frames {
                source: self.open()?,
                fit: Fit::Scale,
            },
        })
    }

    /// `pattern` or `file`, for the sensor's name.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Pattern => "pattern",
            Self::File(_) => "file",
        }
    }

    fn describe(&self) -> String {
        match self {
            Self::Pattern => "pattern".into(),
            Self::File(p) => p.display().to_string(),
        }
    }
}

/// One simulated board and what lives on it.
pub struct Board {
    /// The simulator.
    pub sim: Arc<Simulator>,
    /// The MPI as the script's calls reach it: the simulator, or a trace over it
    /// (`canmv-run --trace`). Calls the script does not make (status checks for warnings,
    /// memory the front reads for itself) go to `sim`.
    pub mpi: Arc<dyn Mpi>,
    tracer: Option<Tracer>,
    /// The call-level faults (`get-stream-notready`, `send-frame-busy`), acted out where the
    /// script's call is, not on each slice of its wait ([`crate::wait::program_call`]).
    pub call_faults: Faults,
    /// Which firmware's Python modules the scripts see.
    pub firmware: Firmware,
    /// What sensors see (a scenario may change it mid-run: [`Board::change_source`]).
    source: Mutex<SourceSpec>,
    /// Sources of their own for the sensors on some CSI buses.
    bus_sources: Mutex<BTreeMap<u32, SourceSpec>>,
    /// The sensors made on this board, to change what they see.
    sensors: Mutex<Vec<Weak<Sensor>>>,
    /// Sensor pacing.
    pub timing: Timing,
    /// The VPU's pace, and with it the board clock's kind.
    pub vpu_timing: VpuTiming,
    /// Every `Encoder` made on this board, for `uctypes.bytearray_at` (pack mappings are per
    /// `Encoder`, as `kd_mpi_sys_mmap` mappings are per process on the board).
    encoders: Mutex<Vec<Weak<Mutex<Encoder>>>>,
    /// Live mappings of media memory: `MediaManager.Buffer`s and `kd_mpi_sys_mmap` ranges.
    buffers: Mutex<BTreeMap<u64, Mapping>>,
    next_buffer_virt: AtomicU64,
    /// Every `MediaManager.link` made and not destroyed. The firmware keeps its linkers in a
    /// list, so `del link` only drops a name; `destroy()` or `MediaManager.deinit()` unbinds
    /// (firmware facts §2).
    links: Mutex<Vec<Link>>,
    /// CSI buses with a `Sensor` on them (until its `stop()`), and that sensor: the
    /// firmware's `Sensor._devs`, which one `run()` starts together when there are several.
    sensor_buses: Mutex<BTreeMap<u32, Weak<Sensor>>>,
    /// The IDE is attached (`canmv-run --ide`): the channel its preview holds, once taken.
    ide: Option<Mutex<Option<u32>>>,
    /// Script `Create`s refused because the IDE's preview held the channel.
    pub ide_collisions: AtomicU64,
    /// What the microphone hears and where the speaker records (`--mic`, `--speaker`).
    audio: Mutex<AudioSetup>,
}

/// The board's audio devices: the microphone's source, the speaker's file and how many
/// output streams have recorded into it (the second and later get `-2`, `-3` … names).
#[derive(Debug)]
struct AudioSetup {
    mic: venc_audio::MicSource,
    speaker: Option<String>,
    speakers: u32,
    /// The codec's microphone and headphone gains (`volume()`, `swap_left_right()`).
    mic_gain: venc_audio::Gain,
    hp_gain: venc_audio::Gain,
}

impl Default for AudioSetup {
    fn default() -> Self {
        Self {
            mic: venc_audio::MicSource::default(),
            speaker: None,
            speakers: 0,
            mic_gain: venc_audio::Gain::mic(),
            hp_gain: venc_audio::Gain::headphone(),
        }
    }
}

/// A virtual range over media memory.
#[derive(Debug, Clone, Copy)]
struct Mapping {
    phys: u64,
    size: u64,
    /// A `MediaManager.Buffer` owns its memory; a `kd_mpi_sys_mmap` range only maps it.
    owned: bool,
}

/// Where `MediaManager.Buffer` mappings start in the simulated user address space (below the
/// pack mappings of `venc_core::encoder::MMAP_BASE`).
const BUFFER_MMAP_BASE: u64 = 0x3e_0000_0000;

impl std::fmt::Debug for Board {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Board")
            .field("firmware", &self.firmware)
            .field("source", &*lock(&self.source))
            .field("timing", &self.timing)
            .field("traced", &self.tracer.is_some())
            .finish_non_exhaustive()
    }
}

/// The call trace of `canmv-run --trace`.
type Tracer = Arc<TracingMpi<BufWriter<File>>>;

/// Live `MediaManager.Buffer`s at most (`MAX_MEDIA_BUFFER_POOLS`, facts §3.2).
pub const MAX_MEDIA_BUFFERS: usize = 16;

/// The IDE preview's picture (the VO write-back frame it compresses) and JPEG quality; the
/// facts give neither, so a VGA frame at the firmware's default quality stands in.
const IDE_PREVIEW: (u32, u32) = (640, 480);
const IDE_PREVIEW_QUALITY: u32 = 50;

impl Board {
    fn new(
        firmware: Firmware,
        source: SourceSpec,
        vpu_timing: VpuTiming,
        threads: u16,
        fault_seed: u64,
        trace: Option<BufWriter<File>>,
        ide: bool,
    ) -> Self {
        let sim = Simulator::shared(SimOptions {
            codec_threads: threads,
            fault_seed,
            // `--timing realtime`/`dilated` paces the whole board: the sensor and the VPU.
            timing: vpu_timing,
            ..SimOptions::default()
        });
        // A script's thread waiting for a deterministic board lets go of the GIL: the actor
        // that has the board may be another script thread, which needs it.
        let _ = sim.clock().set_around_wait(Box::new(|wait| {
            // SAFETY: a read of this thread's interpreter state; the interpreter runs (this
            // module is loaded into it).
            if unsafe { pyo3::ffi::PyGILState_Check() } == 1 {
                Python::attach(|py| py.detach(wait));
            } else {
                wait();
            }
        }));
        // Timed by the board's clock: a deterministic run's trace is the same every time.
        let tracer = trace.map(|out| {
            let clock = sim.clock().clone();
            let now = Box::new(move || clock.now());
            Arc::new(TracingMpi::on_clock(sim.clone(), out, now))
        });
        let mpi: Arc<dyn Mpi> = match &tracer {
            Some(t) => t.clone(),
            None => sim.clone(),
        };
        let board = Self {
            sim,
            mpi,
            tracer,
            call_faults: Faults::new(fault_seed),
            firmware,
            source: Mutex::new(source),
            sensors: Mutex::new(Vec::new()),
            bus_sources: Mutex::new(BTreeMap::new()),
            // A paced VPU comes with a paced sensor, on the same board clock.
            timing: if vpu_timing.profile().is_some() {
                Timing::Realtime
            } else {
                Timing::Fast
            },
            vpu_timing,
            encoders: Mutex::new(Vec::new()),
            buffers: Mutex::new(BTreeMap::new()),
            next_buffer_virt: AtomicU64::new(BUFFER_MMAP_BASE),
            links: Mutex::new(Vec::new()),
            sensor_buses: Mutex::new(BTreeMap::new()),
            ide: ide.then(|| Mutex::new(None)),
            ide_collisions: AtomicU64::new(0),
            audio: Mutex::new(AudioSetup::default()),
        };
        if board.firmware.traits().ide_channel == IdeChannel::FixedLast {
            board.take_ide_channel();
        }
        board
    }

    /// The IDE's preview channel, where the IDE is attached and has taken one.
    pub fn ide_channel(&self) -> Option<u32> {
        self.ide.as_ref().and_then(|c| *lock(c))
    }

    /// Takes the IDE preview's channel if the IDE is attached and has none yet: channel 3 on
    /// older firmware (`hd_jpeg_encode`), a requested one on 2026 firmware; created as the
    /// JPEG channel the preview encodes on and started (firmware facts §1.5, D-038).
    pub fn take_ide_channel(&self) {
        let Some(slot) = &self.ide else { return };
        let mut held = lock(slot);
        if held.is_some() {
            return;
        }
        let chn = match self.firmware.traits().ide_channel {
            IdeChannel::FixedLast => Ok(venc_core::consts::VENC_MAX_CHN_NUMS - 1),
            IdeChannel::Requested => self.sim.request_chn(),
        };
        let attr = ChnAttr {
            payload: venc_core::consts::K_PT_JPEG,
            width: IDE_PREVIEW.0,
            height: IDE_PREVIEW.1,
            profile: 0,
            rc: RcAttr::MjpegFixQp {
                src_frame_rate: 30,
                dst_frame_rate: 30,
                q_factor: IDE_PREVIEW_QUALITY,
            },
        };
        // One output block, as the firmware's preview attaches ("venc hardware use only one
        // buffer in pool", facts §1.5).
        let size = venc_core::layout::stream_block_size(IDE_PREVIEW.0, IDE_PREVIEW.1);
        let taken = chn.and_then(|c| {
            let pool = self
                .sim
                .create_pool(size, 1)
                .map_err(|_| VencError::NoMem)?;
            let made = self
                .sim
                .attach_vb_pool(c, pool)
                .and_then(|()| self.sim.create_chn(c, &attr))
                .and_then(|()| self.sim.start_chn(c));
            if made.is_err() {
                let _ = self.sim.destroy_pool(pool);
                if self.firmware.traits().ide_channel == IdeChannel::Requested {
                    let _ = self.sim.release_chn(c);
                }
            }
            made.map(|()| c)
        });
        match taken {
            Ok(c) => {
                log::warn!("IDE attached (--ide): its preview holds VENC channel {c} (JPEG)");
                *held = Some(c);
            }
            Err(e) => log::warn!("IDE attached (--ide): no channel for its preview: {e}"),
        }
    }

    /// `--mic` and `--speaker`: the microphone's source and the speaker's WAV file.
    pub fn set_audio(&self, mic: &str, speaker: Option<String>) -> Result<(), String> {
        let mic = venc_audio::MicSource::parse(mic).map_err(|e| e.to_string())?;
        *lock(&self.audio) = AudioSetup {
            mic,
            speaker,
            ..AudioSetup::default()
        };
        Ok(())
    }

    /// The codec's gain on one side (`mic` true: the microphone; else the headphone), to read
    /// or change.
    pub fn with_gain<T>(&self, mic: bool, f: impl FnOnce(&mut venc_audio::Gain) -> T) -> T {
        let mut audio = lock(&self.audio);
        f(if mic {
            &mut audio.mic_gain
        } else {
            &mut audio.hp_gain
        })
    }

    /// What the microphone hears.
    pub fn mic(&self) -> venc_audio::MicSource {
        lock(&self.audio).mic.clone()
    }

    /// The file a new output stream records into: `--speaker`'s for the first, then
    /// `NAME-2.wav` …; None without `--speaker`.
    pub fn next_speaker_file(&self) -> Option<String> {
        let mut audio = lock(&self.audio);
        let path = audio.speaker.clone()?;
        audio.speakers += 1;
        if audio.speakers == 1 {
            return Some(path);
        }
        let (stem, ext) = path.rsplit_once('.').unwrap_or((path.as_str(), "wav"));
        Some(format!("{stem}-{}.{ext}", audio.speakers))
    }

    /// What sensors see now.
    pub fn source(&self) -> SourceSpec {
        lock(&self.source).clone()
    }

    /// What a new sensor on CSI bus `id` sees: its own source if one was given
    /// ([`Board::set_bus_source`]), else the board's.
    pub fn source_for(&self, id: u32) -> SourceSpec {
        lock(&self.bus_sources)
            .get(&id)
            .cloned()
            .unwrap_or_else(|| self.source())
    }

    /// Gives the sensor on CSI bus `id` a source of its own (`canmv-run --csi ID=SOURCE`).
    pub fn set_bus_source(&self, id: u32, text: &str) -> Result<(), String> {
        if id >= SENSOR_DEVICES {
            return Err(format!(
                "CSI bus {id}: the K230 has buses 0 ~ {}",
                SENSOR_DEVICES - 1
            ));
        }
        let spec = SourceSpec::parse(text)?;
        lock(&self.bus_sources).insert(id, spec);
        Ok(())
    }

    /// Keeps a new sensor in reach of [`Board::change_source`].
    pub fn register_sensor(&self, sensor: &Arc<Sensor>) {
        let mut sensors = lock(&self.sensors);
        sensors.retain(|s| s.strong_count() > 0);
        sensors.push(Arc::downgrade(sensor));
    }

    /// What the camera sees from now on (`pattern` or a file, as `--source`): every live
    /// sensor's next frame and every new sensor.
    pub fn change_source(&self, text: &str) -> Result<(), String> {
        let spec = SourceSpec::parse(text)?;
        let live: Vec<Arc<Sensor>> = lock(&self.sensors)
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for sensor in live {
            sensor
                .set_source(spec.sensor_source()?)
                .map_err(|e| e.to_string())?;
        }
        *lock(&self.source) = spec;
        lock(&self.bus_sources).clear();
        Ok(())
    }

    /// Takes CSI bus `id` for a new `Sensor`; false if one is there already.
    pub fn claim_sensor_bus(&self, id: u32) -> bool {
        let mut buses = lock(&self.sensor_buses);
        if buses.contains_key(&id) {
            return false;
        }
        buses.insert(id, Weak::new());
        true
    }

    /// The sensor made on bus `id` (after [`Board::claim_sensor_bus`]).
    pub fn enlist_sensor(&self, id: u32, sensor: &Arc<Sensor>) {
        lock(&self.sensor_buses).insert(id, Arc::downgrade(sensor));
    }

    /// The sensors on their buses now, by bus.
    pub fn sensors_on_buses(&self) -> Vec<(u32, Arc<Sensor>)> {
        lock(&self.sensor_buses)
            .iter()
            .filter_map(|(&id, s)| s.upgrade().map(|s| (id, s)))
            .collect()
    }

    /// Frees bus `id` (`sensor.stop()`).
    pub fn free_sensor_bus(&self, id: u32) {
        lock(&self.sensor_buses).remove(&id);
    }

    /// Keeps a new link for the board's lifetime, as the firmware's list does.
    pub fn keep_link(&self, link: Link) {
        lock(&self.links).push(link);
    }

    /// Unbinds the link `src` → `dst` (`link.destroy()`); false if it is no longer bound.
    pub fn destroy_link(&self, src: ModChn, dst: ModChn) -> bool {
        let mut links = lock(&self.links);
        let before = links.len();
        links.retain(|l| (l.src(), l.dst()) != (src, dst));
        links.len() != before
    }

    /// Unbinds every link (`MediaManager.deinit()`, and the firmware's teardown of a script).
    pub fn destroy_links(&self) {
        lock(&self.links).clear();
    }

    /// Flushes the call trace, if any; a trace that could not be written is an error naming why.
    pub fn finish_trace(&self) -> std::io::Result<()> {
        self.tracer.as_ref().map_or(Ok(()), |t| t.finish())
    }

    /// Allocates a media buffer of `size` bytes and maps it: (virtual, physical) addresses.
    pub fn map_buffer(&self, size: u64) -> Result<(u64, u64), String> {
        let mut buffers = self.buffers.lock().unwrap_or_else(PoisonError::into_inner);
        if buffers.values().filter(|m| m.owned).count() >= MAX_MEDIA_BUFFERS {
            return Err(format!(
                "{MAX_MEDIA_BUFFERS} media buffers already exist; release one first"
            ));
        }
        let phys = self.sim.memory().alloc(size).map_err(|e| e.to_string())?;
        let virt = self.next_virt(size);
        let mapping = Mapping {
            phys,
            size,
            owned: true,
        };
        buffers.insert(virt, mapping);
        Ok((virt, phys))
    }

    fn next_virt(&self, size: u64) -> u64 {
        let span = venc_core::align_up(size.max(1), 4096) + 4096;
        self.next_buffer_virt.fetch_add(span, Ordering::Relaxed)
    }

    /// Unmaps and frees a media buffer.
    pub fn unmap_buffer(&self, virt: u64) {
        let mut buffers = self.buffers.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(m) = buffers.remove(&virt)
            && m.owned
        {
            let _ = self.sim.memory().free(m.phys);
        }
    }

    /// `kd_mpi_sys_mmap(phys, len)`: a virtual address for `[phys, phys + len)`, or `None` when
    /// the range is not inside one allocated block of media memory.
    pub fn mmap(&self, phys: u64, len: u64) -> Option<u64> {
        if len == 0 || !self.sim.memory().is_mapped(phys, len) {
            return None;
        }
        let virt = self.next_virt(len);
        let mapping = Mapping {
            phys,
            size: len,
            owned: false,
        };
        let mut buffers = self.buffers.lock().unwrap_or_else(PoisonError::into_inner);
        buffers.insert(virt, mapping);
        Some(virt)
    }

    /// `kd_mpi_sys_munmap(virt, len)`: whether `virt` was a `kd_mpi_sys_mmap` mapping of `len`
    /// bytes (a `MediaManager.Buffer` is not unmapped this way).
    pub fn munmap(&self, virt: u64, len: u64) -> bool {
        let mut buffers = self.buffers.lock().unwrap_or_else(PoisonError::into_inner);
        match buffers.get(&virt) {
            Some(m) if !m.owned && m.size == len => buffers.remove(&virt).is_some(),
            _ => false,
        }
    }

    /// The physical address of `[virt, virt + len)` when it lies inside one media buffer.
    pub fn buffer_phys(&self, virt: u64, len: u64) -> Option<u64> {
        let buffers = self.buffers.lock().unwrap_or_else(PoisonError::into_inner);
        let (&base, m) = buffers.range(..=virt).next_back()?;
        let off = virt - base;
        (off.checked_add(len)? <= m.size).then_some(m.phys + off)
    }

    /// Registers a new `Encoder`'s state.
    pub fn register(&self, encoder: &Arc<Mutex<Encoder>>) {
        let mut all = self.encoders.lock().unwrap_or_else(PoisonError::into_inner);
        all.retain(|w| w.strong_count() > 0);
        all.push(Arc::downgrade(encoder));
    }

    /// The live encoders.
    pub fn encoders(&self) -> Vec<Arc<Mutex<Encoder>>> {
        let all = self.encoders.lock().unwrap_or_else(PoisonError::into_inner);
        all.iter().filter_map(Weak::upgrade).collect()
    }

    /// Whether blocking calls release the GIL (2026 firmware) or hold it (v1.0, 2025).
    pub fn releases_gil(&self) -> bool {
        self.firmware.traits().releases_gil
    }
}

static BOARD: Mutex<Option<Arc<Board>>> = Mutex::new(None);
static MEMORY_FAULTS: AtomicU64 = AtomicU64::new(0);

fn slot() -> MutexGuard<'static, Option<Arc<Board>>> {
    BOARD.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The current board, made with the defaults on first use.
pub fn current() -> Arc<Board> {
    Arc::clone(slot().get_or_insert_with(|| {
        Arc::new(Board::new(
            Firmware::default(),
            SourceSpec::Pattern,
            VpuTiming::Fast,
            1,
            0,
            None,
            false,
        ))
    }))
}

/// Locks an encoder's state (or any of the board's), surviving a panic in another thread.
pub fn lock<T>(state: &Mutex<T>) -> MutexGuard<'_, T> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Counts a read the board would have faulted on.
pub fn note_memory_fault() {
    MEMORY_FAULTS.fetch_add(1, Ordering::Relaxed);
}
