//! # venc-sim
//!
//! A simulator of the K230 VENC as CanMV programs see it: media memory addressed by physical
//! address ([`mmz`]), four channels with the firmware's state machine, 30-deep input queues, a
//! worker per started channel standing in for the VPU, 30-pack output rings ([`venc`]), and real
//! H.264 from openh264 and H.265 from libx265 ([`codec`], with the null engine for fast
//! contract tests), the sensor ([`vicap`], [`vicap::BoundSensor`] as Example 1 binds it) and
//! its binding ([`sys`]). [`Simulator`] implements [`venc_core::Mpi`]. What drives and checks
//! any backend (Example 1 and 2, oracles, traces) is in `venc-harness`, above it; frame sources
//! in `venc-frames`, below it.

pub mod clock;
pub mod codec;
pub mod mmz;
pub mod sys;
pub mod timing;
mod tools;
mod twod;
pub mod venc;
pub mod vicap;
pub mod vo;

use mmz::MediaMemory;
use std::sync::{Arc, OnceLock};
use venc::{Channel, ChannelStats, Phase};
use venc_core::fault::{FaultPoint, FaultSpec, Faults};
use venc_core::features::COEF_NUM;
use venc_core::{
    Border, Chn, ChnAttr, ChnStatus, H264Entropy, H265Sao, K230, MemError, Mpi, OsdRegion, Pack,
    PoolId, VencError, VideoFrameInfo,
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
    /// The display and its write-back.
    pub(crate) vo: vo::Vo,
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
            vo: vo::Vo::default(),
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

    /// A 2D call's channel: reachable, in range, and one of the three with a 2D engine.
    fn two_d(&self, call: &str, chn: Chn) -> Result<&Arc<Channel>, VencError> {
        let channel = self.venc(call, chn)?;
        venc_core::features::check_2d_chn(chn)?;
        Ok(channel)
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

    /// A channel's counters added up over every Create since the board started (what a run's
    /// report shows; [`Simulator::channel_stats`] counts from the last Create).
    pub fn channel_run_stats(&self, chn: Chn) -> Result<ChannelStats, VencError> {
        Ok(self.chn(chn)?.run_stats())
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
            .get_stream(max_packs, timeout_ms, out, None)
    }

    fn channel_incarnation(&self, chn: Chn) -> Result<u64, VencError> {
        Ok(self.chn(chn)?.incarnation())
    }

    fn get_stream_since(
        &self,
        chn: Chn,
        since: u64,
        max_packs: u32,
        timeout_ms: i32,
        out: &mut Vec<Pack>,
    ) -> Result<(), VencError> {
        self.venc("get_stream", chn)?
            .get_stream(max_packs, timeout_ms, out, Some(since))
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

    fn attach_vb_pool_ex(&self, chn: Chn, pool: PoolId, buff_num: i32) -> Result<(), VencError> {
        let channel = self.venc("attach_vb_pool_ex", chn)?;
        // "venc hardware use only one buffer in pool" (the firmware's comment on its
        // `_ex(chn, pool, 1)`): the packs go to at most `buff_num` blocks (D-055); below 1 is
        // refused, the safe side of an unknown.
        let most = usize::try_from(buff_num).ok().filter(|&n| n > 0);
        let Some(most) = most else {
            log::warn!(
                "venc ch{chn}: attach_vb_pool_ex: buff_num {buff_num} gives no buffer (D-055)"
            );
            return Err(VencError::IllegalParam);
        };
        channel.attach_pool_blocks(&self.mem, pool, most)
    }

    fn set_intbuf_size(&self, chn: Chn, size: u32) -> Result<(), VencError> {
        self.venc("set_intbuf_size", chn)?;
        // No check, any state: it sizes memory inside the VPU's firmware, which the simulator
        // does not have; the stream is the same either way (k230-mpp-c-api.md §4).
        log::debug!("venc ch{chn}: intbuf size {size} (the VPU firmware's own memory)");
        Ok(())
    }

    fn set_rotation(&self, chn: Chn, rotation: u32) -> Result<(), VencError> {
        tools::set_rotation(self.venc("set_rotation", chn)?, rotation)
    }

    fn get_rotation(&self, chn: Chn) -> Result<u32, VencError> {
        Ok(tools::rotation(self.venc("get_rotation", chn)?))
    }

    fn set_mirror(&self, chn: Chn, mirror: u32) -> Result<(), VencError> {
        tools::set_mirror(self.venc("set_mirror", chn)?, mirror)
    }

    fn get_mirror(&self, chn: Chn) -> Result<u32, VencError> {
        Ok(tools::mirror(self.venc("get_mirror", chn)?))
    }

    fn set_dblk(&self, chn: Chn, enable: u32) -> Result<(), VencError> {
        tools::set_dblk(self.venc("set_dblk", chn)?, enable)
    }

    fn get_dblk(&self, chn: Chn) -> Result<u32, VencError> {
        tools::dblk(self.venc("get_dblk", chn)?)
    }

    fn set_h265_sao(&self, chn: Chn, sao: &H265Sao) -> Result<(), VencError> {
        tools::set_h265_sao(self.venc("set_h265_sao", chn)?, sao)
    }

    fn get_h265_sao(&self, chn: Chn) -> Result<H265Sao, VencError> {
        Ok(tools::h265_sao(self.venc("get_h265_sao", chn)?))
    }

    fn set_h264_entropy(&self, chn: Chn, entropy: &H264Entropy) -> Result<(), VencError> {
        tools::set_h264_entropy(self.venc("set_h264_entropy", chn)?, entropy)
    }

    fn get_h264_entropy(&self, chn: Chn) -> Result<H264Entropy, VencError> {
        Ok(tools::h264_entropy(self.venc("get_h264_entropy", chn)?))
    }

    fn set_h265_entropy(&self, chn: Chn, cabac_init_flag: u8) -> Result<(), VencError> {
        tools::set_h265_entropy(self.venc("set_h265_entropy", chn)?, cabac_init_flag)
    }

    fn get_h265_entropy(&self, chn: Chn) -> Result<u8, VencError> {
        Ok(tools::h265_entropy(self.venc("get_h265_entropy", chn)?))
    }

    fn attach_2d(&self, chn: Chn) -> Result<(), VencError> {
        twod::attach(self.two_d("attach_2d", chn)?);
        Ok(())
    }

    fn detach_2d(&self, chn: Chn) -> Result<(), VencError> {
        twod::detach(self.two_d("detach_2d", chn)?);
        Ok(())
    }

    fn set_2d_mode(&self, chn: Chn, mode: u32) -> Result<(), VencError> {
        twod::set_mode(self.two_d("set_2d_mode", chn)?, mode)
    }

    fn get_2d_mode(&self, chn: Chn) -> Result<u32, VencError> {
        Ok(twod::mode(self.two_d("get_2d_mode", chn)?))
    }

    fn set_2d_osd(&self, chn: Chn, index: u8, region: &OsdRegion) -> Result<(), VencError> {
        twod::set_osd(self.two_d("set_2d_osd_param", chn)?, index, region)
    }

    fn get_2d_osd(&self, chn: Chn, index: u8) -> Result<OsdRegion, VencError> {
        twod::osd(self.two_d("get_2d_osd_param", chn)?, index)
    }

    fn set_2d_border(&self, chn: Chn, index: u8, border: &Border) -> Result<(), VencError> {
        twod::set_border(self.two_d("set_2d_border_param", chn)?, index, border)
    }

    fn get_2d_border(&self, chn: Chn, index: u8) -> Result<Border, VencError> {
        twod::border(self.two_d("get_2d_border_param", chn)?, index)
    }

    fn set_2d_custom_coef(&self, chn: Chn, coef: &[i16; COEF_NUM]) -> Result<(), VencError> {
        twod::set_custom_coef(self.two_d("set_2d_custom_coef", chn)?, coef)
    }

    fn get_2d_custom_coef(&self, chn: Chn) -> Result<[i16; COEF_NUM], VencError> {
        twod::custom_coef(self.two_d("get_2d_custom_coef", chn)?)
    }

    fn set_2d_color_gamut(&self, chn: Chn, gamut: u32) -> Result<(), VencError> {
        twod::set_color_gamut(self.two_d("set_2d_color_gamut", chn)?, gamut)
    }

    fn get_2d_color_gamut(&self, chn: Chn) -> Result<u32, VencError> {
        Ok(twod::color_gamut(self.two_d("get_2d_color_gamut", chn)?))
    }

    fn set_2d_csc(&self, chn: Chn, _dst_fmt: u32) -> Result<(), VencError> {
        Err(twod::not_modeled(
            self.two_d("set_2d_csc_param", chn)?,
            "set_2d_csc_param",
        ))
    }

    fn get_2d_csc(&self, chn: Chn) -> Result<u32, VencError> {
        Err(twod::not_modeled(
            self.two_d("get_2d_csc_param", chn)?,
            "get_2d_csc_param",
        ))
    }

    fn start_2d_chn(&self, chn: Chn) -> Result<(), VencError> {
        twod::start(self.two_d("start_2d_chn", chn)?);
        Ok(())
    }

    fn stop_2d_chn(&self, chn: Chn) -> Result<(), VencError> {
        twod::stop(self.two_d("stop_2d_chn", chn)?);
        Ok(())
    }

    fn send_2d_frame(&self, chn: Chn, frame: &VideoFrameInfo) -> Result<(), VencError> {
        twod::send(self.two_d("send_2d_frame", chn)?, &self.mem, frame)
    }

    fn get_2d_frame(&self, chn: Chn) -> Result<VideoFrameInfo, VencError> {
        twod::get(self.two_d("get_2d_frame", chn)?)
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
