//! # venc-sim
//!
//! A simulator of the K230 VENC as CanMV programs see it: media memory addressed by physical
//! address ([`mmz`]), four channels with the firmware's state machine, 30-deep input queues, a
//! worker per started channel standing in for the VPU, 30-pack output rings ([`venc`]), and real
//! H.264 from openh264 and H.265 from libx265 ([`codec`]), the sensor ([`vicap`]) and its binding
//! ([`sys`]), and the manual's Example 1 ([`example1`]). [`Simulator`] implements
//! [`venc_core::Mpi`]. What drives and checks any backend (frame sources, Example 2, oracles,
//! the null engine) is in `venc-harness`.

pub mod clock;
pub mod codec;
pub mod example1;
pub mod mmz;
pub mod sys;
pub mod timing;
mod tools;
mod twod;
pub mod venc;
pub mod vicap;

use mmz::MediaMemory;
use std::sync::{Arc, OnceLock};
use venc::{Channel, ChannelStats, Phase};
use venc_core::fault::{FaultPoint, FaultSpec, Faults};
use venc_core::{
    Chn, ChnAttr, ChnStatus, K230, MemError, Mpi, Pack, PoolId, VencError, VideoFrameInfo,
};

/// Simulator settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimOptions {
    /// Reject what the simulator otherwise accepts with a warning (misaligned NV12 planes, frame
    /// size different from the channel's); the board's behaviour there is unverified.
    pub strict: bool,
    /// openh264 threads per channel. 1 is deterministic and the default; more threads split the
    /// picture into that many slices (still deterministic: load balancing is off).
    pub codec_threads: u16,
    /// The VPU's pace: `Fast` (default) or `Realtime` with a board profile ([`timing`]).
    pub timing: timing::VpuTiming,
    /// The codec engines: the real ones (default) or the null engine for fast contract tests.
    pub engines: codec::Engines,
    /// Seeds the generator of `P%` fault triggers ([`venc_core::fault`]), so a run repeats.
    pub fault_seed: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            strict: false,
            codec_threads: 1,
            timing: timing::VpuTiming::Fast,
            engines: codec::Engines::Real,
            fault_seed: 0,
        }
    }
}

/// The simulated board: media memory and the VENC device.
pub struct Simulator {
    mem: Arc<MediaMemory>,
    channels: Vec<Arc<Channel>>,
    pub(crate) binds: sys::BindTable,
    opts: SimOptions,
    /// The one encoder the channels share (booked when paced).
    vpu: timing::VpuClock,
    /// The board's time, which every timed part reads.
    clock: clock::BoardClock,
    /// Faults a user armed; none by default.
    faults: Arc<Faults>,
    /// Set when an injected `link-drop` strikes: the board is gone for the program.
    link_lost: OnceLock<String>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

impl Default for Simulator {
    fn default() -> Self {
        Self::new(SimOptions::default())
    }
}

impl Simulator {
    /// A fresh board.
    pub fn new(opts: SimOptions) -> Self {
        let faults = Arc::new(Faults::new(opts.fault_seed));
        let clock = clock::BoardClock::new(opts.timing.clock_kind());
        Self {
            mem: Arc::new(MediaMemory::with_faults(Arc::clone(&faults))),
            channels: (0..K230.channels)
                .map(|i| Arc::new(Channel::new(i, Arc::clone(&faults), clock.clone())))
                .collect(),
            clock,
            faults,
            link_lost: OnceLock::new(),
            binds: sys::BindTable::default(),
            opts,
            vpu: timing::VpuClock::default(),
        }
    }

    /// The null backend: a fresh board whose channels encode with the null engine
    /// ([`codec::Engines::Null`]). Every rule of the channel machine holds (states, queues,
    /// rings, blocks, pack grammar); the pictures are not coded, so contract tests run at the
    /// machine's speed, not the codec's.
    #[doc(alias = "NullMpi")]
    pub fn null() -> Arc<Self> {
        Self::shared(SimOptions {
            engines: codec::Engines::Null,
            ..SimOptions::default()
        })
    }

    /// A fresh board behind an `Arc<dyn Mpi>`, as the `Encoder` facade takes it.
    pub fn shared(opts: SimOptions) -> Arc<Self> {
        Arc::new(Self::new(opts))
    }

    /// The media memory (frame buffers are allocated here).
    pub fn memory(&self) -> &Arc<MediaMemory> {
        &self.mem
    }

    /// The options this board was built with.
    pub fn options(&self) -> SimOptions {
        self.opts
    }

    /// The board's clock ([`clock`]): what the sensor, the VPU model and the timeouts read.
    pub fn clock(&self) -> &clock::BoardClock {
        &self.clock
    }

    /// The faults armed on this board ([`venc_core::fault`]).
    pub fn faults(&self) -> &Arc<Faults> {
        &self.faults
    }

    /// Whether the program still reaches the board: an injected `link-drop` ends that, and
    /// every later call answers as a board client does after losing its board.
    fn reach(&self, call: &str) -> Result<(), String> {
        // A board call: on a deterministic clock it takes its turn and its time.
        drop(self.clock.call());
        if let Some(why) = self.link_lost.get() {
            return Err(why.clone());
        }
        if self
            .faults
            .strike(FaultPoint::Call, format_args!("{call}"))
            .is_some()
        {
            let why = format!("link to the simulated board dropped during {call} (injected fault)");
            return Err(self.link_lost.get_or_init(|| why).clone());
        }
        Ok(())
    }

    /// A VENC call's channel, once the board is known to be reachable.
    fn venc(&self, call: &str, chn: Chn) -> Result<&Arc<Channel>, VencError> {
        self.reach(call).map_err(|_| VencError::Unexist)?;
        self.chn(chn)
    }

    /// A memory call's check that the board is reachable.
    fn mem(&self, call: &str) -> Result<&MediaMemory, MemError> {
        self.reach(call).map_err(MemError::Invalid)?;
        Ok(&self.mem)
    }

    pub(crate) fn chn(&self, chn: Chn) -> Result<&Arc<Channel>, VencError> {
        self.channels
            .get(chn as usize)
            .ok_or(VencError::InvalidChnId)
    }

    /// The last picture a channel released, as the board's own parts see it (VICAP's buffer
    /// reuse): not a program's call (no board time on a deterministic clock).
    pub(crate) fn encoder_released_pts(&self, chn: Chn) -> Result<u64, VencError> {
        Ok(self.chn(chn)?.released_pts())
    }

    /// What a channel did with its frames (drops, overflows, …).
    pub fn channel_stats(&self, chn: Chn) -> Result<ChannelStats, VencError> {
        Ok(self.chn(chn)?.stats())
    }

    /// Pushes a frame from a bound source into channel `chn`'s input queue, never waiting: the
    /// frame is dropped (logged, counted) when the queue is full or the channel not started.
    /// `Ok(true)` if it was queued.
    /// A bound frame captured at board time `captured`.
    pub(crate) fn push_bound(
        &self,
        chn: Chn,
        frame: &VideoFrameInfo,
        captured: std::time::Duration,
    ) -> Result<bool, VencError> {
        self.chn(chn)?
            .push_bound(&self.mem, frame, self.opts.strict, captured)
    }

    /// A channel's state.
    pub fn channel_phase(&self, chn: Chn) -> Result<Phase, VencError> {
        Ok(self.chn(chn)?.phase())
    }

    /// `kd_mpi_venc_set_rotation`: every frame the VPU takes from now on is turned `rotation`
    /// quarter turns clockwise (0..=3, else ILLEGAL_PARAM); any state, any payload
    /// (k230-mpp-c-api.md §4). A quarter turn swaps the coded size (D-052).
    #[doc(alias = "kd_mpi_venc_set_rotation")]
    pub fn set_rotation(&self, chn: Chn, rotation: u32) -> Result<(), VencError> {
        let channel = self.chn(chn)?;
        let r = u8::try_from(rotation)
            .ok()
            .filter(|&r| r <= 3)
            .ok_or(VencError::IllegalParam)?;
        channel.set_orientation(|o| o.rotation = r);
        Ok(())
    }

    /// `kd_mpi_venc_get_rotation`: 0 until set (and after each create).
    #[doc(alias = "kd_mpi_venc_get_rotation")]
    pub fn rotation(&self, chn: Chn) -> Result<u32, VencError> {
        Ok(u32::from(self.chn(chn)?.orientation().rotation))
    }

    /// `kd_mpi_venc_set_mirror`: 1 horizontal or 2 vertical; 0 (none) and anything above 2 are
    /// ILLEGAL_PARAM, as the board's wrapper checks, so a mirror once set stays until the next
    /// create (§4). Any state.
    #[doc(alias = "kd_mpi_venc_set_mirror")]
    pub fn set_mirror(&self, chn: Chn, mirror: u32) -> Result<(), VencError> {
        let channel = self.chn(chn)?;
        let m = match mirror {
            1 => 1,
            2 => 2,
            _ => return Err(VencError::IllegalParam),
        };
        channel.set_orientation(|o| o.mirror = m);
        Ok(())
    }

    /// `kd_mpi_venc_get_mirror`: 0 until set.
    #[doc(alias = "kd_mpi_venc_get_mirror")]
    pub fn mirror(&self, chn: Chn) -> Result<u32, VencError> {
        Ok(u32::from(self.chn(chn)?.orientation().mirror))
    }

    /// `kd_mpi_venc_attach_vb_pool_ex` (CanMV MPP): the channel's packs go to at most
    /// `buff_num` of the pool's blocks ("venc hardware use only one buffer in pool", the
    /// firmware's comment on its `_ex(chn, pool, 1)`; D-055). `buff_num` below 1 is refused
    /// (ILLEGAL_PARAM, the safe side of an unknown).
    #[doc(alias = "kd_mpi_venc_attach_vb_pool_ex")]
    pub fn attach_vb_pool_blocks(
        &self,
        chn: Chn,
        pool: PoolId,
        buff_num: i32,
    ) -> Result<(), VencError> {
        let channel = self.venc("attach_vb_pool_ex", chn)?;
        let Ok(most) = usize::try_from(buff_num) else {
            log::warn!("venc ch{chn}: attach_vb_pool_ex: buff_num {buff_num} (D-055)");
            return Err(VencError::IllegalParam);
        };
        if most == 0 {
            log::warn!("venc ch{chn}: attach_vb_pool_ex: buff_num 0 gives no buffer (D-055)");
            return Err(VencError::IllegalParam);
        }
        channel.attach_pool_blocks(&self.mem, pool, most)
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        for ch in &self.channels {
            if ch.phase() == Phase::Started {
                let _ = ch.stop();
            }
        }
    }
}

impl Mpi for Simulator {
    fn backend_name(&self) -> &str {
        "sim"
    }

    fn media_inited(&self) -> bool {
        self.binds.media_inited()
    }

    fn backend_fault(&self) -> Option<String> {
        self.link_lost.get().cloned()
    }

    fn inject_fault(&self, spec: &FaultSpec) -> Result<(), VencError> {
        self.faults.arm(*spec);
        Ok(())
    }

    fn faults_injected(&self) -> [(&'static str, u64); 7] {
        self.faults.injected()
    }

    fn create_chn(&self, chn: Chn, attr: &ChnAttr) -> Result<(), VencError> {
        let channel = self.venc("create_chn", chn)?;
        // Two live channels on one output pool write their packs into the same blocks: what the
        // board does then is unknown (D-037), so say so loudly, count it, refuse when strict.
        let shared = channel.attached_pool().and_then(|pool| {
            self.channels
                .iter()
                .filter(|other| other.id() != chn)
                .find(|other| other.live_pool() == Some(pool))
                .map(|other| (pool, other.id()))
        });
        if let Some((pool, other)) = shared {
            log::warn!(
                "venc ch{chn}: create_chn on output pool {pool}, which channel {other} also writes \
                 its packs into: one Encoder object used for several channels shares its one \
                 private pool; the streams will overwrite each other (D-037)"
            );
            if self.opts.strict {
                return Err(VencError::IllegalParam);
            }
        }
        channel.create(attr, &self.opts)?;
        if shared.is_some() {
            channel.note_shared_pool();
        }
        Ok(())
    }

    fn destroy_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.venc("destroy_chn", chn)?.destroy()
    }

    fn start_chn(&self, chn: Chn) -> Result<(), VencError> {
        let pacing = self
            .opts
            .timing
            .profile()
            .map(|profile| (profile, self.vpu.clone()));
        self.venc("start_chn", chn)?.start(&self.mem, pacing)
    }

    fn stop_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.venc("stop_chn", chn)?.stop()
    }

    fn enable_idr(&self, chn: Chn, enable: bool) -> Result<(), VencError> {
        self.venc("enable_idr", chn)?.enable_idr(enable)
    }

    fn request_idr(&self, chn: Chn) -> Result<(), VencError> {
        self.venc("request_idr", chn)?.request_idr()
    }

    fn query_status(&self, chn: Chn) -> Result<ChnStatus, VencError> {
        Ok(self.venc("query_status", chn)?.query_status())
    }

    /// The channel's own count (a simulator addition: `query_status` leaves
    /// `release_pic_pts` 0 as the board does, D-056).
    fn released_pts(&self, chn: Chn) -> Result<Option<u64>, VencError> {
        self.encoder_released_pts(chn).map(Some)
    }

    fn send_frame(
        &self,
        chn: Chn,
        frame: &VideoFrameInfo,
        timeout_ms: i32,
    ) -> Result<(), VencError> {
        self.venc("send_frame", chn)?
            .send_frame(&self.mem, frame, timeout_ms, self.opts.strict)
    }

    fn get_stream(
        &self,
        chn: Chn,
        max_packs: u32,
        timeout_ms: i32,
        out: &mut Vec<Pack>,
    ) -> Result<(), VencError> {
        self.venc("get_stream", chn)?
            .get_stream(max_packs, timeout_ms, out)
    }

    fn release_stream(&self, chn: Chn, pack_cnt: u32) -> Result<(), VencError> {
        self.venc("release_stream", chn)?.release_stream(pack_cnt)
    }

    fn request_chn(&self) -> Result<Chn, VencError> {
        self.reach("request_chn").map_err(|_| VencError::Unexist)?;
        let free = self.channels.iter().find(|ch| ch.try_request());
        match free {
            Some(ch) => Ok(ch.id()),
            None => {
                log::warn!("venc: request_chn: every channel is requested or created (D-036)");
                Err(VencError::NoBuf)
            }
        }
    }

    fn release_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.venc("release_chn", chn)?.release()
    }

    fn attach_vb_pool(&self, chn: Chn, pool: PoolId) -> Result<(), VencError> {
        self.venc("attach_vb_pool", chn)?
            .attach_pool(&self.mem, pool)
    }

    fn detach_vb_pool(&self, chn: Chn) -> Result<(), VencError> {
        self.venc("detach_vb_pool", chn)?.detach_pool()
    }

    fn create_pool(&self, blk_size: u64, blk_cnt: u32) -> Result<PoolId, MemError> {
        self.mem("vb_create_pool")?.create_pool(blk_size, blk_cnt)
    }

    fn destroy_pool(&self, pool: PoolId) -> Result<(), MemError> {
        self.mem("vb_destroy_pool")?.destroy_pool(pool)
    }

    fn get_block(&self, pool: PoolId) -> Result<u64, MemError> {
        self.mem("vb_get_block")?.get_block(pool)
    }

    fn release_block(&self, phys_addr: u64) -> Result<(), MemError> {
        self.mem("vb_release_block")?.release_block(phys_addr)
    }

    fn read_mem(&self, phys_addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        self.mem("read_mem")?.read(phys_addr, buf)
    }

    fn write_mem(&self, phys_addr: u64, data: &[u8]) -> Result<(), MemError> {
        self.mem("write_mem")?.write(phys_addr, data)
    }
}
