//! Runs one case's steps against a backend, through [`Mpi`] and the CanMV [`Encoder`] only.
//!
//! The result is a trace (one line per step, with nothing backend-specific in it: no addresses,
//! sizes or timings), the first failed expectation if any, and each channel's collected stream
//! for the oracles in [`crate::check`].

use crate::case::{
    Address, AttrOverride, Case, CodecName, Content, Expect, RcName, ReadFrom, Setup, Step,
    UvPlace, short_code,
};
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant};
use venc_core::layout::{uv_offset, uv_size, vicap_block_size, y_size};
use venc_core::{
    CanMvError, ChnAttr, ChnAttrStr, Encoder, Mpi, Pack, PackType, Personality, RcAttr, StreamData,
    VencError, VideoFrameInfo, consts,
};
use venc_sim::source::TestPattern;

/// How long helpers wait for a backend before giving up.
const PATIENCE: Duration = Duration::from_secs(20);
/// Poll period of the waiting helpers.
const POLL: Duration = Duration::from_millis(2);

/// A pack collected from a channel.
#[derive(Debug, Clone)]
pub struct CollectedPack {
    /// HEADER, I or P.
    pub pack_type: PackType,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Its pts.
    pub pts: u64,
}

/// What one channel produced and was fed.
#[derive(Debug, Clone)]
pub struct ChannelStream {
    /// The attributes of the channel's last successful create.
    pub attr: ChnAttrStr,
    /// Packs in the order they were taken.
    pub packs: Vec<CollectedPack>,
    /// pts → pattern frame index of every frame sent.
    pub sent: BTreeMap<u64, u32>,
}

impl ChannelStream {
    /// The codec of the channel.
    pub fn codec(&self) -> Option<venc_core::bitstream::Codec> {
        venc_core::bitstream::Codec::from_payload(self.attr.payload_type)
    }

    /// The I and P packs (one per encoded frame).
    pub fn frames(&self) -> impl Iterator<Item = &CollectedPack> {
        self.packs
            .iter()
            .filter(|p| p.pack_type != PackType::Header)
    }

    /// The stream as one Annex-B byte string.
    pub fn bytes(&self) -> Vec<u8> {
        self.packs.iter().flat_map(|p| p.bytes.clone()).collect()
    }
}

/// How the steps went.
#[derive(Debug, Default)]
pub struct Execution {
    /// One line per step and per checked stream.
    pub trace: Vec<String>,
    /// The first expectation that did not hold.
    pub failure: Option<String>,
    /// Set when the backend answered NOT_SUPPORT where the case needed the feature.
    pub not_supported: Option<String>,
    /// Streams by channel.
    pub streams: BTreeMap<u32, ChannelStream>,
}

/// What a call did, in the terms a case expects.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Actual {
    Ok,
    Ret(i64),
    Code(VencError, Option<&'static str>),
    /// A raw non-zero `SendFrame` status.
    Status(i64, VencError),
    ValueError(String),
    IndexError,
    BadAddress,
    Other(String),
}

impl Actual {
    fn matches(&self, e: Expect) -> bool {
        match (self, e) {
            (Self::Ok, Expect::Ok) => true,
            (Self::Ret(a), Expect::Ret(b)) => *a == b,
            (Self::Code(a, _) | Self::Status(_, a), Expect::Code(b)) => *a == b,
            (Self::ValueError(_), Expect::ValueError)
            | (Self::IndexError, Expect::IndexError)
            | (Self::BadAddress, Expect::BadAddress) => true,
            _ => false,
        }
    }

    fn from_canmv(e: CanMvError) -> Self {
        match e {
            e @ CanMvError::ValueError { .. } => Self::ValueError(e.to_string()),
            CanMvError::OsError { message, code } => Self::Code(code, Some(message)),
            CanMvError::IndexError { .. } => Self::IndexError,
            CanMvError::BadAddress { .. } => Self::BadAddress,
            other => Self::Other(other.to_string()),
        }
    }

    /// A facade call that returns 0 (or nothing) on success.
    fn from_facade<T>(r: Result<T, CanMvError>) -> Self {
        r.map_or_else(Self::from_canmv, |_| Self::Ok)
    }

    fn from_mpi(r: Result<(), VencError>) -> Self {
        match r {
            Ok(()) => Self::Ok,
            Err(e) => Self::Code(e, None),
        }
    }

    fn from_status(ret: i64) -> Self {
        match ret {
            0 => Self::Ok,
            r => VencError::from_code(r as i32 as u32).map_or(Self::Ret(r), |e| Self::Status(r, e)),
        }
    }
}

impl fmt::Display for Actual {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ok => f.write_str("ok"),
            Self::Ret(v) => write!(f, "ret={v}"),
            Self::Code(e, Some(msg)) => write!(f, "OSError({msg:?}, {})", short_code(*e)),
            Self::Code(e, None) => f.write_str(short_code(*e)),
            Self::Status(r, e) => write!(f, "{r} ({})", short_code(*e)),
            Self::ValueError(m) => f.write_str(m),
            Self::IndexError => f.write_str("IndexError"),
            Self::BadAddress => f.write_str("BadAddress"),
            Self::Other(s) => f.write_str(s),
        }
    }
}

/// Input frame buffers of one channel, laid out as VICAP lays them out.
#[derive(Debug)]
struct Frames {
    y_addrs: Vec<u64>,
    uv_offset: u64,
    width: u32,
    height: u32,
    /// pts of the frame each buffer holds until the encoder releases it.
    held: Vec<Option<u64>>,
    sent: u32,
}

/// Per-channel bookkeeping of the executor.
#[derive(Debug, Default)]
struct Chan {
    attr: Option<ChnAttrStr>,
    started: bool,
    frames: Option<Frames>,
    stream_data: StreamData,
    /// pts of the last frame sent while the channel was started (what `WaitReleased` awaits).
    last_pts: Option<u64>,
}

/// Runs a case's steps on a fresh backend.
pub struct Executor<'a> {
    mpi: Arc<dyn Mpi>,
    setup: &'a Setup,
    encoders: Vec<Encoder>,
    chans: BTreeMap<u32, Chan>,
    out: Execution,
    scratch: Vec<Pack>,
}

impl fmt::Debug for Executor<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Executor")
            .field("backend", &self.mpi.backend_name())
            .finish_non_exhaustive()
    }
}

type StepResult = Result<(), String>;

impl<'a> Executor<'a> {
    /// An executor for `case` over `mpi` (which must be fresh: no channel, no pool).
    pub fn new(mpi: Arc<dyn Mpi>, case: &'a Case) -> Self {
        let personality: Personality = case.setup.personality.0;
        Self {
            encoders: vec![Encoder::with_personality(Arc::clone(&mpi), personality)],
            mpi,
            setup: &case.setup,
            chans: BTreeMap::new(),
            out: Execution::default(),
            scratch: Vec::new(),
        }
    }

    /// Runs every step, stopping at the first failed expectation.
    pub fn run(mut self, steps: &[Step]) -> Execution {
        for (i, step) in steps.iter().enumerate() {
            if let Err(why) = self.step(step) {
                self.out.failure = Some(format!("step {} ({}): {why}", i + 1, label(step)));
                break;
            }
            if self.out.not_supported.is_some() {
                break;
            }
        }
        // Packs taken from channels that were never created belong to no stream.
        self.out.streams.retain(|_, s| s.attr.payload_type != 0);
        self.out
    }

    fn encoder(&mut self) -> &mut Encoder {
        let last = self.encoders.len() - 1;
        &mut self.encoders[last]
    }

    fn chan(&mut self, chn: i64) -> &mut Chan {
        self.chans.entry(chn as u32).or_default()
    }

    fn stream(&mut self, chn: u32) -> &mut ChannelStream {
        let attr = self.chans.get(&chn).and_then(|c| c.attr);
        self.out
            .streams
            .entry(chn)
            .or_insert_with(|| ChannelStream {
                attr: attr.unwrap_or_else(|| ChnAttrStr::new(0, 0, 0, 0)),
                packs: Vec::new(),
                sent: BTreeMap::new(),
            })
    }

    /// Records the call and compares it with the expectation.
    fn check(&mut self, what: String, actual: &Actual, expect: Expect) -> StepResult {
        self.out.trace.push(format!("{what} -> {actual}"));
        if actual.matches(expect) {
            return Ok(());
        }
        if let Actual::Code(VencError::NotSupport, _) = actual {
            if expect == Expect::Ok {
                self.out.not_supported = Some(format!("{what}: the backend answered NOT_SUPPORT"));
                return Ok(());
            }
        }
        Err(format!("expected {expect}, got {actual}"))
    }

    fn attr(&self, o: &AttrOverride) -> ChnAttrStr {
        let s = self.setup;
        let codec = o.codec.unwrap_or(s.codec);
        let profile = o.profile_value.unwrap_or_else(|| {
            o.profile
                .or(s
                    .profile
                    .filter(|_| o.codec.is_none() || o.codec == Some(s.codec)))
                .map_or(
                    match codec {
                        CodecName::H264 => consts::VENC_PROFILE_H264_BASELINE,
                        CodecName::H265 => consts::VENC_PROFILE_H265_MAIN,
                    },
                    |p| p.value(codec),
                )
        });
        let mut a = ChnAttrStr::new(
            o.payload.unwrap_or(codec.payload()),
            profile,
            o.width.unwrap_or(s.width),
            o.height.unwrap_or(s.height),
        );
        a.gop_len = o.gop.unwrap_or(s.gop);
        a.bit_rate = o.bitrate.unwrap_or(s.bitrate);
        a.src_frame_rate = o.src_fps.unwrap_or(s.src_fps);
        a.dst_frame_rate = o.dst_fps.unwrap_or(s.dst_fps);
        a
    }

    fn step(&mut self, step: &Step) -> StepResult {
        let what = label(step);
        match *step {
            Step::SetOutBufs {
                chn,
                bufs,
                size,
                expect,
            } => {
                let [w, h] = size.unwrap_or([self.setup.width, self.setup.height]);
                let bufs = bufs.unwrap_or(self.setup.out_bufs);
                let r = self.encoder().set_out_bufs(chn, bufs, w, h);
                let actual = Actual::from_facade(r);
                self.check(what, &actual, expect)
            }
            Step::Create { chn, attr, expect } => {
                let a = self.attr(&attr);
                let r = self.encoder().create(chn, &a);
                let actual = Actual::from_facade(r);
                if actual == Actual::Ok {
                    self.created(chn as u32, a);
                }
                self.check(what, &actual, expect)
            }
            Step::Start { chn, expect } => {
                let r = self.encoder().start(chn);
                self.lifecycle(what, chn, r, true, expect)
            }
            Step::Stop { chn, expect } => {
                let r = self.encoder().stop(chn);
                self.lifecycle(what, chn, r, false, expect)
            }
            Step::Destroy { chn, expect } => {
                let r = self.encoder().destroy(chn);
                self.lifecycle(what, chn, r, false, expect)
            }
            Step::SendFrame {
                chn,
                count,
                timeout,
                uv,
                content,
                address,
                frame_size,
                expect,
            } => {
                let mut actual = Actual::Ok;
                for i in 0..count {
                    let frame = self.next_frame(chn as u32, uv, content, address, frame_size)?;
                    let r = self.encoder().send_frame(chn, &frame, timeout);
                    actual = r.map_or_else(Actual::from_canmv, Actual::from_status);
                    if actual != Actual::Ok && i + 1 < count {
                        return Err(format!("frame {} of {count} -> {actual}", i + 1));
                    }
                }
                self.check(what, &actual, expect)
            }
            Step::GetStream {
                chn,
                timeout,
                ref packs,
                expect,
            } => {
                let mut sd = std::mem::take(&mut self.chan(chn).stream_data);
                let r = self.encoder().get_stream(chn, &mut sd, timeout);
                let actual = match r {
                    Ok(0) => Actual::Ok,
                    Ok(v) => Actual::Ret(i64::from(v)),
                    Err(e) => Actual::from_canmv(e),
                };
                let got = if actual == Actual::Ok {
                    self.take_stream_data(chn as u32, &sd)?
                } else {
                    Vec::new()
                };
                self.chan(chn).stream_data = sd;
                let types = got.iter().map(|t| t.name()).collect::<Vec<_>>();
                let shown = if actual == Actual::Ok {
                    format!("{actual} [{}]", types.join(" "))
                } else {
                    actual.to_string()
                };
                self.out.trace.push(format!("{what} -> {shown}"));
                if !actual.matches(expect) {
                    return Err(format!("expected {expect}, got {actual}"));
                }
                match packs {
                    Some(want) if *want != types => {
                        Err(format!("expected packs {want:?}, got {types:?}"))
                    }
                    _ => Ok(()),
                }
            }
            Step::ReleaseStream {
                chn,
                pack_cnt,
                expect,
            } => {
                let mut sd = std::mem::take(&mut self.chan(chn).stream_data);
                if let Some(n) = pack_cnt {
                    sd.pack_cnt = n;
                }
                let r = self.encoder().release_stream(chn, &sd);
                self.chan(chn).stream_data = sd;
                let actual = Actual::from_facade(r);
                self.check(what, &actual, expect)
            }
            Step::ReadPack {
                chn,
                slot,
                from,
                expect,
            } => {
                let sd = &self.chan(chn).stream_data;
                let (addr, size) = match from {
                    ReadFrom::Data => (sd.data[slot], sd.data_size[slot]),
                    ReadFrom::PhyAddr => (sd.phy_addr[slot], sd.data_size[slot]),
                };
                let r = self.encoder().bytearray_at(addr, u64::from(size));
                let actual = Actual::from_facade(r);
                self.check(what, &actual, expect)
            }
            Step::Drain { chn, frames } => self.drain(chn, frames, &what),
            Step::Stream {
                ref chns,
                frames,
                uv,
            } => self.stream_loop(chns, frames, uv, &what),
            Step::WaitPacks { chn, packs } => {
                let deadline = Instant::now() + PATIENCE;
                loop {
                    let st = self.mpi.query_status(chn).map_err(|e| e.to_string())?;
                    if st.cur_packs >= packs {
                        self.out.trace.push(format!("{what} -> ok"));
                        return Ok(());
                    }
                    if Instant::now() > deadline {
                        return Err(format!(
                            "only {} packs after {PATIENCE:?}, waited for {packs}",
                            st.cur_packs
                        ));
                    }
                    std::thread::sleep(POLL);
                }
            }
            Step::WaitReleased { chn } => {
                let last = self.chans.get(&chn).and_then(|c| c.last_pts);
                if let Some(pts) = last {
                    self.wait_released(chn, pts)?;
                }
                self.out.trace.push(format!("{what} -> ok"));
                Ok(())
            }
            Step::NewEncoder => {
                let p = self.encoder().personality();
                self.encoders
                    .push(Encoder::with_personality(Arc::clone(&self.mpi), p));
                self.out.trace.push(what);
                Ok(())
            }
            Step::MpiCreate { chn, attr, expect } => {
                let a = self.attr(&attr);
                let mut mpi_attr = a.to_mpi();
                mpi_attr.rc = rc_mode(attr.rc, &mpi_attr);
                let r = self.mpi.create_chn(chn, &mpi_attr);
                if r.is_ok() {
                    self.created(chn, a);
                }
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiStart { chn, expect } => {
                let r = self.mpi.start_chn(chn);
                if r.is_ok() {
                    self.chan(i64::from(chn)).started = true;
                }
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiStop { chn, expect } => {
                let r = self.mpi.stop_chn(chn);
                if r.is_ok() {
                    self.chan(i64::from(chn)).started = false;
                }
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiDestroy { chn, expect } => {
                let r = self.mpi.destroy_chn(chn);
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiEnableIdr {
                chn,
                enable,
                expect,
            } => {
                let r = self.mpi.enable_idr(chn, enable);
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiRequestIdr { chn, expect } => {
                let r = self.mpi.request_idr(chn);
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiQueryStatus {
                chn,
                cur_packs,
                release_pic_pts,
                expect,
            } => {
                let r = self.mpi.query_status(chn);
                let mut shown = String::new();
                if let Ok(st) = &r {
                    if cur_packs.is_some() {
                        let _ = write!(shown, " cur_packs={}", st.cur_packs);
                    }
                    if release_pic_pts.is_some() {
                        let _ = write!(shown, " release_pic_pts={}", st.release_pic_pts);
                    }
                }
                let actual = Actual::from_mpi(r.map(drop));
                self.out.trace.push(format!("{what} -> {actual}{shown}"));
                if !actual.matches(expect) {
                    return Err(format!("expected {expect}, got {actual}"));
                }
                let Ok(st) = r else { return Ok(()) };
                if let Some(want) = cur_packs.filter(|&w| w != st.cur_packs) {
                    return Err(format!("cur_packs {} instead of {want}", st.cur_packs));
                }
                if let Some(want) = release_pic_pts.filter(|&w| w != st.release_pic_pts) {
                    return Err(format!(
                        "release_pic_pts {} instead of {want}",
                        st.release_pic_pts
                    ));
                }
                Ok(())
            }
            Step::MpiGetStream {
                chn,
                max_packs,
                timeout,
                got,
                took_ms,
                expect,
            } => {
                let mut packs = std::mem::take(&mut self.scratch);
                let t0 = Instant::now();
                let r = self.mpi.get_stream(chn, max_packs, timeout, &mut packs);
                let took = t0.elapsed().as_millis() as u64;
                let actual = Actual::from_mpi(r);
                let mut collected = Vec::new();
                if actual == Actual::Ok {
                    for p in &packs {
                        let mut bytes = vec![0; p.len as usize];
                        self.mpi
                            .read_mem(p.phys_addr, &mut bytes)
                            .map_err(|e| format!("pack unreadable: {e}"))?;
                        collected.push(CollectedPack {
                            pack_type: p.pack_type,
                            bytes,
                            pts: p.pts,
                        });
                    }
                }
                self.scratch = packs;
                let types: Vec<_> = collected.iter().map(|p| p.pack_type.name()).collect();
                let shown = if actual == Actual::Ok {
                    format!("{actual} [{}]", types.join(" "))
                } else {
                    actual.to_string()
                };
                self.out.trace.push(format!("{what} -> {shown}"));
                let n = collected.len() as u32;
                self.stream(chn).packs.extend(collected);
                if !actual.matches(expect) {
                    return Err(format!("expected {expect}, got {actual}"));
                }
                if let Some(want) = got.filter(|&w| w != n) {
                    return Err(format!("{n} packs delivered instead of {want}"));
                }
                if let Some([lo, hi]) = took_ms.filter(|&[lo, hi]| took < lo || took > hi) {
                    return Err(format!("the call took {took} ms, outside {lo}..={hi} ms"));
                }
                Ok(())
            }
            Step::MpiReleaseStream { chn, count, expect } => {
                let r = self.mpi.release_stream(chn, count);
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiSendFrame {
                chn,
                timeout,
                expect,
            } => {
                let frame =
                    self.next_frame(chn, UvPlace::Vicap, Content::Pattern, Address::Buffer, None)?;
                let r = self.mpi.send_frame(chn, &frame, timeout);
                self.check(what, &Actual::from_mpi(r), expect)
            }
        }
    }

    /// Start/Stop/Destroy through the facade: on success the channel is (not) started.
    fn lifecycle(
        &mut self,
        what: String,
        chn: i64,
        r: Result<i32, CanMvError>,
        started: bool,
        expect: Expect,
    ) -> StepResult {
        let actual = Actual::from_facade(r);
        if actual == Actual::Ok {
            self.chan(chn).started = started;
        }
        self.check(what, &actual, expect)
    }

    fn created(&mut self, chn: u32, attr: ChnAttrStr) {
        let c = self.chans.entry(chn).or_default();
        c.attr = Some(attr);
        c.started = false;
        // New buffers for the new attributes; the old pool stays allocated, as a program's would.
        c.frames = None;
        c.last_pts = None;
        // A re-created channel starts a new stream.
        self.out.streams.insert(
            chn,
            ChannelStream {
                attr,
                packs: Vec::new(),
                sent: BTreeMap::new(),
            },
        );
    }

    /// Reads the packs a facade `GetStream` handed out through their mappings.
    fn take_stream_data(&mut self, chn: u32, sd: &StreamData) -> Result<Vec<PackType>, String> {
        let mut types = Vec::new();
        let n = (sd.pack_cnt as usize).min(consts::VENC_PACK_CNT_MAX);
        let mut collected = Vec::with_capacity(n);
        for i in 0..n {
            let bytes = self
                .encoder()
                .bytearray_at(sd.data[i], u64::from(sd.data_size[i]))
                .map_err(|e| format!("pack {i}: {e}"))?;
            let pack_type = match sd.stream_type[i] {
                consts::K_VENC_HEADER => PackType::Header,
                consts::K_VENC_I_FRAME => PackType::I,
                consts::K_VENC_P_FRAME => PackType::P,
                t => return Err(format!("pack {i}: stream_type {t}")),
            };
            types.push(pack_type);
            collected.push(CollectedPack {
                pack_type,
                bytes,
                pts: sd.pts[i],
            });
        }
        self.stream(chn).packs.extend(collected);
        Ok(types)
    }

    /// Example 2's consumer loop until `frames` more I/P packs arrived.
    fn drain(&mut self, chn: i64, frames: u32, what: &str) -> StepResult {
        let c = chn as u32;
        let count = |s: &Self| {
            s.out
                .streams
                .get(&c)
                .map_or(0, |st| st.frames().count() as u32)
        };
        let target = count(self) + frames;
        let mut last_progress = Instant::now();
        while count(self) < target {
            let mut sd = std::mem::take(&mut self.chan(chn).stream_data);
            let r = self.encoder().get_stream(chn, &mut sd, 1000);
            match r {
                Ok(0) => {
                    self.take_stream_data(c, &sd)?;
                    self.encoder()
                        .release_stream(chn, &sd)
                        .map_err(|e| format!("ReleaseStream: {e}"))?;
                    last_progress = Instant::now();
                }
                Ok(_)
                | Err(CanMvError::OsError {
                    code: VencError::NotReady,
                    ..
                }) if last_progress.elapsed() < PATIENCE => {}
                Ok(_)
                | Err(CanMvError::OsError {
                    code: VencError::NotReady,
                    ..
                }) => {
                    self.chan(chn).stream_data = sd;
                    return Err(format!(
                        "{} of {frames} frames, then nothing for {PATIENCE:?}",
                        frames - (target - count(self))
                    ));
                }
                Err(e) => return Err(format!("GetStream: {e}")),
            }
            self.chan(chn).stream_data = sd;
        }
        self.out.trace.push(format!("{what} -> ok"));
        Ok(())
    }

    /// Takes and releases whatever is queued on a channel right now (GetStream with timeout 0).
    fn consume(&mut self, chn: i64) -> Result<u32, String> {
        let c = chn as u32;
        let mut taken = 0;
        while self
            .mpi
            .query_status(c)
            .map_err(|e| e.to_string())?
            .cur_packs
            > 0
        {
            let mut sd = std::mem::take(&mut self.chan(chn).stream_data);
            let r = self.encoder().get_stream(chn, &mut sd, 0);
            let got = matches!(r, Ok(0));
            if got {
                self.take_stream_data(c, &sd)?;
                self.encoder()
                    .release_stream(chn, &sd)
                    .map_err(|e| format!("ReleaseStream: {e}"))?;
                taken += sd.pack_cnt;
            }
            self.chan(chn).stream_data = sd;
            if !got {
                break;
            }
        }
        Ok(taken)
    }

    fn released(&self, chn: u32, pts: u64) -> Result<bool, String> {
        let st = self.mpi.query_status(chn).map_err(|e| e.to_string())?;
        Ok(st.release_pic_pts >= pts)
    }

    /// Example 2's loop over several channels; see [`Step::Stream`].
    fn stream_loop(&mut self, chns: &[i64], frames: u32, uv: UvPlace, what: &str) -> StepResult {
        for _ in 0..frames {
            for &chn in chns {
                let c = chn as u32;
                // The buffer about to be reused must have been released by the encoder, which
                // needs its output blocks back: consume while waiting.
                let count = self.setup.frame_bufs.max(1);
                let held = self
                    .chans
                    .get(&c)
                    .and_then(|ch| ch.frames.as_ref())
                    .and_then(|f| f.held[(f.sent % count) as usize]);
                if let Some(pts) = held {
                    let mut last = Instant::now();
                    while !self.released(c, pts)? {
                        if self.consume(chn)? > 0 {
                            last = Instant::now();
                        } else if last.elapsed() > PATIENCE {
                            return Err(format!("ch{c}: frame pts {pts} never released"));
                        } else {
                            std::thread::sleep(POLL);
                        }
                    }
                }
                let frame = self.next_frame(c, uv, Content::Pattern, Address::Buffer, None)?;
                let r = self.encoder().send_frame(chn, &frame, 1000);
                match r {
                    Ok(0) => {}
                    other => return Err(format!("ch{c}: SendFrame -> {other:?}")),
                }
                self.consume(chn)?;
            }
        }
        for &chn in chns {
            let c = chn as u32;
            let Some(pts) = self.chans.get(&c).and_then(|ch| ch.last_pts) else {
                continue;
            };
            let mut last = Instant::now();
            loop {
                let done = self.released(c, pts)?;
                if self.consume(chn)? > 0 {
                    last = Instant::now();
                } else if done {
                    break;
                } else if last.elapsed() > PATIENCE {
                    return Err(format!("ch{c}: frame pts {pts} never released"));
                } else {
                    std::thread::sleep(POLL);
                }
            }
        }
        self.out.trace.push(format!("{what} -> ok"));
        Ok(())
    }

    fn wait_released(&self, chn: u32, pts: u64) -> StepResult {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let st = self.mpi.query_status(chn).map_err(|e| e.to_string())?;
            if st.release_pic_pts >= pts {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "frame pts {pts} not released after {PATIENCE:?} (last released {})",
                    st.release_pic_pts
                ));
            }
            std::thread::sleep(POLL);
        }
    }

    /// Fills the next input buffer of a channel and describes it as a program would.
    fn next_frame(
        &mut self,
        chn: u32,
        uv: UvPlace,
        content: Content,
        address: Address,
        frame_size: Option<[u32; 2]>,
    ) -> Result<VideoFrameInfo, String> {
        let attr = self.chans.get(&chn).and_then(|c| c.attr);
        let attr = attr.unwrap_or_else(|| self.attr(&AttrOverride::default()));
        let (w, h) = (attr.pic_width, attr.pic_height);
        let count = self.setup.frame_bufs.max(1);
        if self
            .chans
            .get(&chn)
            .and_then(|c| c.frames.as_ref())
            .is_none()
        {
            let frames = alloc_frames(self.mpi.as_ref(), w, h, count)?;
            self.chans.entry(chn).or_default().frames = Some(frames);
        }
        let started = self.chans.get(&chn).is_some_and(|c| c.started);
        let (index, t, buf_pts) = {
            let f = self.chans.get(&chn).and_then(|c| c.frames.as_ref());
            let f = f.ok_or("no frame buffers")?;
            let index = match content {
                Content::Pattern => (f.sent % count) as usize,
                Content::Static => 0,
            };
            (index, f.sent, f.held[index])
        };
        let fps = u64::from(attr.src_frame_rate.max(1));
        let pts = (u64::from(t) + 1) * 1_000_000 / fps;
        let pattern_frame = match content {
            Content::Pattern => t,
            Content::Static => 0,
        };
        if content == Content::Pattern {
            if let Some(p) = buf_pts {
                self.wait_released(chn, p)?;
            }
        }
        let f = self
            .chans
            .get_mut(&chn)
            .and_then(|c| c.frames.as_mut())
            .ok_or("no frame buffers")?;
        let y_addr = f.y_addrs[index];
        let (fw, fh) = (f.width, f.height);
        let uv_addr = y_addr + f.uv_offset;
        if content == Content::Pattern || t == 0 {
            let (mut y, mut uvp) = (
                vec![0u8; y_size(fw, fh) as usize],
                vec![0u8; uv_size(fw, fh) as usize],
            );
            TestPattern::render(fw, fh, pattern_frame, &mut y, &mut uvp);
            self.mpi
                .write_mem(y_addr, &y)
                .and_then(|()| self.mpi.write_mem(uv_addr, &uvp))
                .map_err(|e| format!("frame buffer: {e}"))?;
        }
        f.sent += 1;
        // Only frames a started channel queues are ever released; others are dropped at once.
        f.held[index] = (content == Content::Pattern && started).then_some(pts);
        let said_uv = match uv {
            UvPlace::Vicap => uv_addr,
            UvPlace::Packed => y_addr + y_size(fw, fh),
        };
        let planes = match address {
            Address::Buffer => [y_addr, said_uv, 0],
            Address::Misaligned => [y_addr + 64, said_uv + 64, 0],
            Address::Unmapped => {
                let far = f.y_addrs.iter().max().copied().unwrap_or(0) + (1 << 30);
                [far, far + y_size(fw, fh), 0]
            }
        };
        let [width, height] = frame_size.unwrap_or([fw, fh]);
        if started {
            self.stream(chn).sent.insert(pts, pattern_frame);
            self.chan(i64::from(chn)).last_pts = Some(pts);
        }
        Ok(VideoFrameInfo {
            width,
            height,
            pixel_format: consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420,
            phys_addr: planes,
            pts,
            ..VideoFrameInfo::default()
        })
    }
}

fn alloc_frames(mpi: &dyn Mpi, w: u32, h: u32, count: u32) -> Result<Frames, String> {
    let align = consts::VICAP_ALIGNMENT_4K;
    let pool = mpi
        .create_pool(vicap_block_size(w, h, align), count)
        .map_err(|e| format!("input pool: {e}"))?;
    let y_addrs = (0..count)
        .map(|_| mpi.get_block(pool))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("input block: {e}"))?;
    Ok(Frames {
        y_addrs,
        uv_offset: uv_offset(w, h, align),
        width: w,
        height: h,
        held: vec![None; count as usize],
        sent: 0,
    })
}

fn rc_mode(rc: Option<RcName>, attr: &ChnAttr) -> RcAttr {
    let RcAttr::Cbr {
        gop,
        stats_time,
        src_frame_rate,
        dst_frame_rate,
        bit_rate,
    } = attr.rc
    else {
        return attr.rc;
    };
    match rc {
        None | Some(RcName::Cbr) => attr.rc,
        Some(RcName::Vbr) => RcAttr::Vbr {
            gop,
            stats_time,
            src_frame_rate,
            dst_frame_rate,
            max_bit_rate: bit_rate,
            bit_rate,
        },
        Some(RcName::Fixqp) => RcAttr::FixQp {
            gop,
            src_frame_rate,
            dst_frame_rate,
            i_qp: 30,
            p_qp: 32,
        },
    }
}

/// A step as the trace shows it.
pub fn label(step: &Step) -> String {
    let mut s = String::new();
    let _ = match step {
        Step::SetOutBufs {
            chn, bufs, size, ..
        } => {
            let _ = write!(s, "SetOutBufs({chn}");
            if let Some(b) = bufs {
                let _ = write!(s, ", {b}");
            }
            if let Some([w, h]) = size {
                let _ = write!(s, ", {w}x{h}");
            }
            write!(s, ")")
        }
        Step::Create { chn, attr, .. } => write!(s, "Create({chn}{})", overrides(attr)),
        Step::Start { chn, .. } => write!(s, "Start({chn})"),
        Step::Stop { chn, .. } => write!(s, "Stop({chn})"),
        Step::Destroy { chn, .. } => write!(s, "Destroy({chn})"),
        Step::SendFrame {
            chn,
            count,
            timeout,
            uv,
            content,
            address,
            frame_size,
            ..
        } => {
            let _ = write!(s, "SendFrame({chn}, timeout={timeout})");
            if *count != 1 {
                let _ = write!(s, " x{count}");
            }
            if *uv != UvPlace::Vicap {
                let _ = write!(s, " uv={uv:?}");
            }
            if *content != Content::Pattern {
                let _ = write!(s, " content={content:?}");
            }
            if *address != Address::Buffer {
                let _ = write!(s, " address={address:?}");
            }
            if let Some([w, h]) = frame_size {
                let _ = write!(s, " frame={w}x{h}");
            }
            Ok(())
        }
        Step::GetStream { chn, timeout, .. } => write!(s, "GetStream({chn}, timeout={timeout})"),
        Step::ReleaseStream { chn, pack_cnt, .. } => match pack_cnt {
            Some(n) => write!(s, "ReleaseStream({chn}, pack_cnt={n})"),
            None => write!(s, "ReleaseStream({chn})"),
        },
        Step::ReadPack {
            chn, slot, from, ..
        } => write!(s, "bytearray_at({chn}, {from:?}[{slot}])"),
        Step::Drain { chn, frames } => write!(s, "Drain({chn}, {frames} frames)"),
        Step::Stream { chns, frames, uv } => {
            let _ = write!(s, "Stream({chns:?}, {frames} frames each");
            if *uv != UvPlace::Vicap {
                let _ = write!(s, ", uv={uv:?}");
            }
            write!(s, ")")
        }
        Step::WaitPacks { chn, packs } => write!(s, "WaitPacks({chn}, {packs})"),
        Step::WaitReleased { chn } => write!(s, "WaitReleased({chn})"),
        Step::NewEncoder => write!(s, "Encoder()"),
        Step::MpiCreate { chn, attr, .. } => {
            write!(s, "kd_mpi_venc_create_chn({chn}{})", overrides(attr))
        }
        Step::MpiStart { chn, .. } => write!(s, "kd_mpi_venc_start_chn({chn})"),
        Step::MpiStop { chn, .. } => write!(s, "kd_mpi_venc_stop_chn({chn})"),
        Step::MpiDestroy { chn, .. } => write!(s, "kd_mpi_venc_destroy_chn({chn})"),
        Step::MpiEnableIdr { chn, enable, .. } => {
            write!(s, "kd_mpi_venc_enable_idr({chn}, {enable})")
        }
        Step::MpiRequestIdr { chn, .. } => write!(s, "kd_mpi_venc_request_idr({chn})"),
        Step::MpiQueryStatus { chn, .. } => write!(s, "kd_mpi_venc_query_status({chn})"),
        Step::MpiGetStream {
            chn,
            max_packs,
            timeout,
            ..
        } => write!(s, "kd_mpi_venc_get_stream({chn}, {max_packs}, {timeout})"),
        Step::MpiReleaseStream { chn, count, .. } => {
            write!(s, "kd_mpi_venc_release_stream({chn}, {count})")
        }
        Step::MpiSendFrame { chn, timeout, .. } => {
            write!(s, "kd_mpi_venc_send_frame({chn}, timeout={timeout})")
        }
    };
    s
}

fn overrides(a: &AttrOverride) -> String {
    let mut s = String::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v {
            let _ = write!(s, ", {k}={v}");
        }
    };
    put("codec", a.codec.map(|c| format!("{c:?}")));
    put("payload", a.payload.map(|v| v.to_string()));
    put("profile", a.profile.map(|v| format!("{v:?}")));
    put("profile_value", a.profile_value.map(|v| v.to_string()));
    put("width", a.width.map(|v| v.to_string()));
    put("height", a.height.map(|v| v.to_string()));
    put("gop", a.gop.map(|v| v.to_string()));
    put("bitrate", a.bitrate.map(|v| v.to_string()));
    put("src_fps", a.src_fps.map(|v| v.to_string()));
    put("dst_fps", a.dst_fps.map(|v| v.to_string()));
    put("rc", a.rc.map(|v| format!("{v:?}")));
    s
}
