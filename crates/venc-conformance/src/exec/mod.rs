//! Runs one case's steps against a backend, through [`Mpi`] and the CanMV [`Encoder`] only.
//!
//! The result is a trace (one line per step, with nothing backend-specific in it: no addresses,
//! sizes or timings), the first failed expectation if any, and each channel's collected stream
//! for the oracles in [`crate::check`].

mod actual;
mod feed;
mod two_d;

use feed::{Collected, Frames};

use crate::case::{
    Address, AttrOverride, Case, CodecName, Content, Expect, RcName, ReadFrom, Setup, Step, UvPlace,
};
use actual::Actual;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant};
use venc_core::{
    ChnAttr, ChnAttrStr, Encoder, FeatureCall, Firmware, Mpi, OsdRegion, Pack, PackType, RcAttr,
    StreamData, VencError, consts,
};
use venc_harness::Consumer;

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
    /// The rate control of the channel's last successful create.
    pub rc: RcAttr,
    /// The rotation and mirror set since the create (`kd_mpi_venc_set_rotation`,
    /// `set_mirror`): what the stream's pictures went through.
    pub turn: Turn,
    /// Every accepted `kd_mpi_venc_request_idr`, in order.
    pub idr_requests: Vec<IdrRequest>,
    /// CABAC (true) or CAVLC set by `kd_mpi_venc_set_h264_entropy` since the create; `None`:
    /// the profile's own (Baseline CAVLC, Main and High CABAC).
    pub h264_cabac: Option<bool>,
    /// The OSD regions set by `Osd` steps since the create, in order.
    pub osd: Vec<crate::picture::OsdPicture>,
}

/// Where a `request_idr` fell in the channel's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdrRequest {
    /// Frames (I/P packs) the program had taken: none of them can be the requested IDR.
    pub taken: u32,
    /// Frames sent before the request: frame `sent` is the first one sent after it.
    pub sent: u32,
}

/// A channel's frame flags: quarter turns clockwise (0..=3) and mirror (0 none, 1
/// horizontal, 2 vertical), the mirror applied first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Turn {
    /// Quarter turns clockwise.
    pub rotation: u32,
    /// 0 none, 1 horizontal, 2 vertical.
    pub mirror: u32,
}

impl ChannelStream {
    /// The stream of a channel just created with `attr`: empty, no turn (the kernel clears the
    /// channel's frame flags at create).
    pub fn new(attr: ChnAttrStr) -> Self {
        Self {
            attr,
            packs: Vec::new(),
            sent: BTreeMap::new(),
            rc: attr.to_mpi().rc,
            turn: Turn::default(),
            idr_requests: Vec::new(),
            h264_cabac: None,
            osd: Vec::new(),
        }
    }

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

    /// The size of the coded pictures: the channel's, swapped by a quarter turn.
    pub fn coded_size(&self) -> (u32, u32) {
        let (w, h) = (self.attr.pic_width, self.attr.pic_height);
        if self.turn.rotation % 2 == 1 {
            (h, w)
        } else {
            (w, h)
        }
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

/// Per-channel bookkeeping of the executor.
#[derive(Debug)]
struct Chan {
    attr: Option<ChnAttrStr>,
    started: bool,
    frames: Option<Frames>,
    /// What the case's own `GetStream` steps fill and `ReleaseStream`/`ReadPack` read.
    stream_data: StreamData,
    /// Example 2's consumer, for the loops (`Drain`, `Stream`).
    consumer: Consumer<Collected>,
    /// pts of the last frame sent while the channel was started (what `WaitReleased` awaits).
    last_pts: Option<u64>,
}

impl Chan {
    fn new(chn: u32) -> Self {
        Self {
            attr: None,
            started: false,
            frames: None,
            stream_data: StreamData::new(),
            consumer: Consumer::new(chn, Collected::default()),
            last_pts: None,
        }
    }
}

/// Runs a case's steps on a fresh backend.
pub struct Executor<'a> {
    mpi: Arc<dyn Mpi>,
    setup: &'a Setup,
    encoders: Vec<Encoder>,
    chans: BTreeMap<u32, Chan>,
    out: Execution,
    scratch: Vec<Pack>,
    /// The step being run, as the trace shows it.
    current: String,
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
        let firmware: Firmware = case.setup.firmware.0;
        Self {
            encoders: vec![Encoder::with_firmware(Arc::clone(&mpi), firmware)],
            mpi,
            setup: &case.setup,
            chans: BTreeMap::new(),
            out: Execution::default(),
            scratch: Vec::new(),
            current: String::new(),
        }
    }

    /// Runs every step, stopping at the first failed expectation.
    pub fn run(mut self, steps: &[Step]) -> Execution {
        for (i, step) in steps.iter().enumerate() {
            if let Err(why) = self.step(step) {
                self.out.failure = Some(format!("step {} ({}): {why}", i + 1, self.current));
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

    /// Names the step being run (the trace's left-hand side) and returns the name.
    fn at(&mut self, what: String) -> String {
        self.current.clone_from(&what);
        what
    }

    /// One step: its trace label and its run, side by side, so a new step is one arm here.
    fn step(&mut self, step: &Step) -> StepResult {
        match *step {
            Step::SetOutBufs {
                chn,
                bufs,
                size,
                expect,
            } => {
                let mut what = format!("SetOutBufs({chn}");
                if let Some(b) = bufs {
                    let _ = write!(what, ", {b}");
                }
                if let Some([w, h]) = size {
                    let _ = write!(what, ", {w}x{h}");
                }
                let what = self.at(what + ")");
                let [w, h] = size.unwrap_or([self.setup.width, self.setup.height]);
                let bufs = bufs.unwrap_or(self.setup.out_bufs);
                let r = self.encoder().set_out_bufs(chn, bufs, w, h);
                self.check(what, &Actual::from_facade(r), expect)
            }
            Step::Create { chn, attr, expect } => {
                let what = self.at(format!("Create({chn}{})", overrides(&attr)));
                let a = self.attr(&attr);
                let actual = Actual::from_facade(self.encoder().create(chn, &a));
                if actual == Actual::Ok {
                    self.created(chn as u32, a);
                }
                self.check(what, &actual, expect)
            }
            Step::Start { chn, expect } => {
                let what = self.at(format!("Start({chn})"));
                let r = self.encoder().start(chn);
                self.lifecycle(what, chn, r.map(drop), Some(true), expect)
            }
            Step::Stop { chn, expect } => {
                let what = self.at(format!("Stop({chn})"));
                let r = self.encoder().stop(chn);
                self.lifecycle(what, chn, r.map(drop), Some(false), expect)
            }
            Step::Destroy { chn, expect } => {
                let what = self.at(format!("Destroy({chn})"));
                let r = self.encoder().destroy(chn);
                self.lifecycle(what, chn, r.map(drop), Some(false), expect)
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
                let mut what = format!("SendFrame({chn}, timeout={timeout})");
                if count != 1 {
                    let _ = write!(what, " x{count}");
                }
                if uv != UvPlace::Vicap {
                    let _ = write!(what, " uv={uv:?}");
                }
                if content != Content::Pattern {
                    let _ = write!(what, " content={content:?}");
                }
                if address != Address::Buffer {
                    let _ = write!(what, " address={address:?}");
                }
                if let Some([w, h]) = frame_size {
                    let _ = write!(what, " frame={w}x{h}");
                }
                let what = self.at(what);
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
                let what = self.at(format!("GetStream({chn}, timeout={timeout})"));
                self.get_stream(what, chn, timeout, packs.as_deref(), expect)
            }
            Step::ReleaseStream {
                chn,
                pack_cnt,
                expect,
            } => {
                let what = self.at(match pack_cnt {
                    Some(n) => format!("ReleaseStream({chn}, pack_cnt={n})"),
                    None => format!("ReleaseStream({chn})"),
                });
                let mut sd = std::mem::take(&mut self.chan(chn as u32).stream_data);
                if let Some(n) = pack_cnt {
                    sd.pack_cnt = n;
                }
                let r = self.encoder().release_stream(chn, &sd);
                self.chan(chn as u32).stream_data = sd;
                self.check(what, &Actual::from_facade(r), expect)
            }
            Step::ReadPack {
                chn,
                slot,
                from,
                expect,
            } => {
                let what = self.at(format!("bytearray_at({chn}, {from:?}[{slot}])"));
                let sd = &self.chan(chn as u32).stream_data;
                let (addr, size) = match from {
                    ReadFrom::Data => (sd.data[slot], sd.data_size[slot]),
                    ReadFrom::PhyAddr => (sd.phy_addr[slot], sd.data_size[slot]),
                };
                let r = self.encoder().bytearray_at(addr, u64::from(size));
                self.check(what, &Actual::from_facade(r), expect)
            }
            Step::Drain { chn, frames } => {
                let what = self.at(format!("Drain({chn}, {frames} frames)"));
                self.drain(chn as u32, frames)?;
                self.ok(what)
            }
            Step::Stream {
                ref chns,
                frames,
                uv,
            } => {
                let mut what = format!("Stream({chns:?}, {frames} frames each");
                if uv != UvPlace::Vicap {
                    let _ = write!(what, ", uv={uv:?}");
                }
                let what = self.at(what + ")");
                self.stream_loop(chns, frames, uv)?;
                self.ok(what)
            }
            Step::WaitPacks { chn, packs } => {
                let what = self.at(format!("WaitPacks({chn}, {packs})"));
                self.wait_status(
                    chn,
                    |st| st.cur_packs >= packs,
                    |st, waited| {
                        let have = st.cur_packs;
                        format!("only {have} packs after {waited:?}, waited for {packs}")
                    },
                )?;
                self.ok(what)
            }
            Step::WaitReleased { chn } => {
                let what = self.at(format!("WaitReleased({chn})"));
                if let Some(pts) = self.chans.get(&chn).and_then(|c| c.last_pts) {
                    self.wait_released(chn, pts)?;
                }
                self.ok(what)
            }
            Step::NewEncoder => {
                let what = self.at("Encoder()".into());
                let p = self.encoder().firmware();
                self.encoders
                    .push(Encoder::with_firmware(Arc::clone(&self.mpi), p));
                self.out.trace.push(what);
                Ok(())
            }
            Step::MpiCreate { chn, attr, expect } => {
                let what = self.at(format!("kd_mpi_venc_create_chn({chn}{})", overrides(&attr)));
                let a = self.attr(&attr);
                let full = with_rc(&attr, &a.to_mpi());
                let r = self.mpi.create_chn(chn, &full);
                if r.is_ok() {
                    self.created(chn, a);
                    self.stream(chn).rc = full.rc;
                }
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiRequestChn { expect } => {
                let what = self.at("kd_mpi_venc_request_chn()".into());
                let got = match self.mpi.request_chn() {
                    Ok(chn) => Actual::Ret(i64::from(chn)),
                    Err(e) => Actual::Code(e, None),
                };
                self.check(what, &got, expect)
            }
            Step::MpiAttachPool { chn, expect } => {
                let what = self.at(format!("kd_mpi_venc_attach_vb_pool({chn})"));
                let pool = self.encoder().private_pool();
                let r = self.mpi.attach_vb_pool(chn, pool);
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiReleaseChn { chn, expect } => {
                let what = self.at(format!("kd_mpi_venc_release_chn({chn})"));
                let r = self.mpi.release_chn(chn);
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiStart { chn, expect } => {
                let what = self.at(format!("kd_mpi_venc_start_chn({chn})"));
                let r = self.mpi.start_chn(chn);
                self.lifecycle(what, chn.into(), r, Some(true), expect)
            }
            Step::MpiStop { chn, expect } => {
                let what = self.at(format!("kd_mpi_venc_stop_chn({chn})"));
                let r = self.mpi.stop_chn(chn);
                self.lifecycle(what, chn.into(), r, Some(false), expect)
            }
            Step::MpiDestroy { chn, expect } => {
                let what = self.at(format!("kd_mpi_venc_destroy_chn({chn})"));
                let r = self.mpi.destroy_chn(chn);
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiEnableIdr {
                chn,
                enable,
                expect,
            } => {
                let what = self.at(format!("kd_mpi_venc_enable_idr({chn}, {enable})"));
                let r = self.mpi.enable_idr(chn, enable);
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiRequestIdr { chn, expect } => {
                let what = self.at(format!("kd_mpi_venc_request_idr({chn})"));
                let r = self.mpi.request_idr(chn);
                if r.is_ok() {
                    let s = self.stream(chn);
                    let request = IdrRequest {
                        taken: s.frames().count() as u32,
                        sent: s.sent.len() as u32,
                    };
                    s.idr_requests.push(request);
                }
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiQueryStatus {
                chn,
                cur_packs,
                release_pic_pts,
                expect,
            } => {
                let what = self.at(format!("kd_mpi_venc_query_status({chn})"));
                self.query_status(what, chn, cur_packs, release_pic_pts, expect)
            }
            Step::MpiGetStream {
                chn,
                max_packs,
                timeout,
                got,
                took_ms,
                expect,
            } => {
                let what = self.at(format!(
                    "kd_mpi_venc_get_stream({chn}, {max_packs}, {timeout})"
                ));
                self.mpi_get_stream(what, chn, (max_packs, timeout), got, took_ms, expect)
            }
            Step::MpiReleaseStream { chn, count, expect } => {
                let what = self.at(format!("kd_mpi_venc_release_stream({chn}, {count})"));
                let r = self.mpi.release_stream(chn, count);
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::Osd {
                chn,
                index,
                x,
                y,
                width,
                height,
                alpha,
                expect,
            } => {
                let what = self.at(format!(
                    "kd_mpi_venc_set_2d_osd_param({chn}, {index}, {width}x{height} at {x},{y}, alpha {alpha})"
                ));
                let picture = crate::picture::OsdPicture {
                    x: x.into(),
                    y: y.into(),
                    width: width.into(),
                    height: height.into(),
                    alpha,
                };
                let region = self.osd_region(&picture)?;
                let r = self.mpi.set_2d_osd(chn, index, &region);
                if r.is_ok() {
                    self.stream(chn).osd.push(picture);
                }
                self.check(what, &Actual::from_mpi(r), expect)
            }
            Step::MpiFeature {
                chn,
                name,
                index,
                ref words,
                ref got,
                expect,
            } => {
                let call = name.0;
                let mut args = format!("{chn}");
                if index != 0 {
                    let _ = write!(args, ", {index}");
                }
                if !words.is_empty() {
                    let _ = write!(args, ", {words:?}");
                }
                let what = self.at(format!("{}({args})", call.name()));
                let r = call.run(self.mpi.as_ref(), chn, index, words);
                let read = r.as_ref().ok().filter(|w| !w.is_empty()).cloned();
                let actual = Actual::from_mpi(r.map(drop));
                let checked = self.check(what.clone(), &actual, expect);
                if let (Some(w), Some(line)) = (&read, self.out.trace.last_mut()) {
                    let _ = write!(line, " {w:?}");
                }
                checked?;
                if actual.matches(Expect::Ok) {
                    match (call, words.as_slice()) {
                        (FeatureCall::SetRotation, &[r]) => self.stream(chn).turn.rotation = r,
                        (FeatureCall::SetMirror, &[m]) => self.stream(chn).turn.mirror = m,
                        (FeatureCall::SetH264Entropy, &[mode, _]) => {
                            self.stream(chn).h264_cabac = Some(mode == 1);
                        }
                        _ => {}
                    }
                }
                match (got, read) {
                    (Some(want), Some(read)) if *want != read => {
                        Err(format!("{what} read {read:?} instead of {want:?}"))
                    }
                    _ => Ok(()),
                }
            }
            Step::MpiTwoDFrame {
                chn,
                width,
                height,
                format,
                send,
                psnr_min,
                expect,
            } => self.two_d_frame(chn, (width, height), format, send, psnr_min, expect),
            Step::MpiSendFrame {
                chn,
                timeout,
                expect,
            } => {
                let what = self.at(format!("kd_mpi_venc_send_frame({chn}, timeout={timeout})"));
                let frame =
                    self.next_frame(chn, UvPlace::Vicap, Content::Pattern, Address::Buffer, None)?;
                let r = self.mpi.send_frame(chn, &frame, timeout);
                self.check(what, &Actual::from_mpi(r), expect)
            }
        }
    }

    fn encoder(&mut self) -> &mut Encoder {
        let last = self.encoders.len() - 1;
        &mut self.encoders[last]
    }

    fn chan(&mut self, chn: u32) -> &mut Chan {
        self.chans.entry(chn).or_insert_with(|| Chan::new(chn))
    }

    fn stream(&mut self, chn: u32) -> &mut ChannelStream {
        let attr = self.chans.get(&chn).and_then(|c| c.attr);
        self.out.streams.entry(chn).or_insert_with(|| {
            ChannelStream::new(attr.unwrap_or_else(|| ChnAttrStr::new(0, 0, 0, 0)))
        })
    }

    /// `picture`'s pixels in a VB block of their own (kept for the case), as the region that
    /// shows them.
    fn osd_region(&self, picture: &crate::picture::OsdPicture) -> Result<OsdRegion, String> {
        let pixels = picture.argb8888();
        let block = (pixels.len() as u64).max(1).next_multiple_of(4096);
        let pool = self
            .mpi
            .create_pool(block, 1)
            .map_err(|e| format!("OSD pool: {e}"))?;
        let addr = self
            .mpi
            .get_block(pool)
            .map_err(|e| format!("OSD block: {e}"))?;
        self.mpi
            .write_mem(addr, &pixels)
            .map_err(|e| format!("OSD picture: {e}"))?;
        let phys =
            u32::try_from(addr).map_err(|_| format!("OSD block at {addr:#x}, above 4 GiB"))?;
        let side = |v: u32| v as u16;
        Ok(OsdRegion {
            width: side(picture.width),
            height: side(picture.height),
            startx: side(picture.x),
            starty: side(picture.y),
            phys_addr: [phys, 0, 0],
            bg_alpha: 0,
            osd_alpha: 255,
            video_alpha: 255,
            add_order: 0,
            bg_color: 0,
            fmt: 0,
        })
    }

    /// Records the call and compares it with the expectation.
    fn check(&mut self, what: String, actual: &Actual, expect: Expect) -> StepResult {
        self.out.trace.push(format!("{what} -> {actual}"));
        if actual.matches(expect) {
            return Ok(());
        }
        if let Actual::Code(VencError::NotSupport, _) = actual {
            // A call the backend cannot make where the case expects it to succeed.
            if matches!(expect, Expect::Ok) || matches!(expect, Expect::Ret(r) if r >= 0) {
                self.out.not_supported = Some(format!("{what}: the backend answered NOT_SUPPORT"));
                return Ok(());
            }
        }
        Err(format!("expected {expect}, got {actual}"))
    }

    /// A helper step that has no result of its own: it either did its job or failed.
    fn ok(&mut self, what: String) -> StepResult {
        self.out.trace.push(format!("{what} -> ok"));
        Ok(())
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

    /// Start/Stop/Destroy, through the facade or the MPI: on success the channel is (not)
    /// started. An MPI error comes as its code, a facade one as the facade's exception.
    fn lifecycle<E: Into<LifecycleError>>(
        &mut self,
        what: String,
        chn: i64,
        r: Result<(), E>,
        started: Option<bool>,
        expect: Expect,
    ) -> StepResult {
        let actual = match r.map_err(Into::into) {
            Ok(()) => Actual::Ok,
            Err(LifecycleError::Facade(e)) => Actual::from_canmv(e),
            Err(LifecycleError::Mpi(code)) => Actual::Code(code, None),
        };
        if actual == Actual::Ok
            && let Some(started) = started
        {
            self.chan(chn as u32).started = started;
        }
        self.check(what, &actual, expect)
    }

    fn created(&mut self, chn: u32, attr: ChnAttrStr) {
        let c = self.chan(chn);
        c.attr = Some(attr);
        c.started = false;
        // New buffers for the new attributes; the old pool stays allocated, as a program's would.
        c.frames = None;
        c.last_pts = None;
        // A re-created channel starts a new stream.
        self.out.streams.insert(chn, ChannelStream::new(attr));
    }

    /// The case's own `GetStream`: the packs are read through their mappings and kept in the
    /// channel's `StreamData` for `ReadPack` and `ReleaseStream`.
    fn get_stream(
        &mut self,
        what: String,
        chn: i64,
        timeout: i32,
        want: Option<&[String]>,
        expect: Expect,
    ) -> StepResult {
        let mut sd = std::mem::take(&mut self.chan(chn as u32).stream_data);
        let actual = match self.encoder().get_stream(chn, &mut sd, timeout) {
            Ok(0) => Actual::Ok,
            Ok(v) => Actual::Ret(i64::from(v)),
            Err(e) => Actual::from_canmv(e),
        };
        let got = if actual == Actual::Ok {
            self.take_stream_data(chn as u32, &sd)
        } else {
            Ok(Vec::new())
        };
        self.chan(chn as u32).stream_data = sd;
        let types = got?.iter().map(|t| t.name()).collect::<Vec<_>>();
        let shown = if actual == Actual::Ok {
            format!("{actual} [{}]", types.join(" "))
        } else {
            actual.to_string()
        };
        self.out.trace.push(format!("{what} -> {shown}"));
        if !actual.matches(expect) {
            return Err(format!("expected {expect}, got {actual}"));
        }
        match want {
            Some(want) if want != types => Err(format!("expected packs {want:?}, got {types:?}")),
            _ => Ok(()),
        }
    }

    /// Reads the packs a facade `GetStream` handed out through their mappings.
    fn take_stream_data(&mut self, chn: u32, sd: &StreamData) -> Result<Vec<PackType>, String> {
        let n = (sd.pack_cnt as usize).min(consts::VENC_PACK_CNT_MAX);
        let mut collected = Vec::with_capacity(n);
        for i in 0..n {
            let bytes = self
                .encoder()
                .bytearray_at(sd.data[i], u64::from(sd.data_size[i]))
                .map_err(|e| format!("pack {i}: {e}"))?;
            let pack_type =
                PackType::from_code(sd.stream_type[i]).map_err(|e| format!("pack {i}: {e}"))?;
            collected.push(CollectedPack {
                pack_type,
                bytes,
                pts: sd.pts[i],
            });
        }
        let types = collected.iter().map(|p| p.pack_type).collect();
        self.stream(chn).packs.extend(collected);
        Ok(types)
    }

    fn query_status(
        &mut self,
        what: String,
        chn: u32,
        cur_packs: Option<u32>,
        release_pic_pts: Option<u64>,
        expect: Expect,
    ) -> StepResult {
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

    fn mpi_get_stream(
        &mut self,
        what: String,
        chn: u32,
        (max_packs, timeout): (u32, i32),
        got: Option<u32>,
        took_ms: Option<[u64; 2]>,
        expect: Expect,
    ) -> StepResult {
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
}

/// What a lifecycle call raised: a facade exception or an MPI code.
#[derive(Debug)]
enum LifecycleError {
    Facade(venc_core::CanMvError),
    Mpi(VencError),
}

impl From<venc_core::CanMvError> for LifecycleError {
    fn from(e: venc_core::CanMvError) -> Self {
        Self::Facade(e)
    }
}

impl From<VencError> for LifecycleError {
    fn from(code: VencError) -> Self {
        Self::Mpi(code)
    }
}

/// The CBR attributes `attr` with the rate-control mode a case names (VBR at the same rate
/// unless `max_bitrate` is given, FIXQP at QP 30/32 unless `i_qp`/`p_qp` are), through the one
/// words conversion.
fn with_rc(o: &AttrOverride, attr: &ChnAttr) -> ChnAttr {
    let (mode, words) = attr.rc.to_words();
    let [gop, stats_time, src, dst, bit_rate, _] = words;
    let rc = match o.rc {
        None | Some(RcName::Cbr) => return *attr,
        Some(RcName::Vbr) => RcAttr::from_words(
            consts::K_VENC_RC_MODE_VBR,
            [
                gop,
                stats_time,
                src,
                dst,
                bit_rate,
                o.max_bitrate.unwrap_or(bit_rate),
            ],
        ),
        Some(RcName::Fixqp) => RcAttr::from_words(
            consts::K_VENC_RC_MODE_FIXQP,
            [gop, 0, src, dst, o.i_qp.unwrap_or(30), o.p_qp.unwrap_or(32)],
        ),
    };
    debug_assert_eq!(mode, consts::K_VENC_RC_MODE_CBR, "cases start from CBR");
    ChnAttr {
        rc: rc.unwrap_or(attr.rc),
        ..*attr
    }
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
    put("max_bitrate", a.max_bitrate.map(|v| v.to_string()));
    put("i_qp", a.i_qp.map(|v| v.to_string()));
    put("p_qp", a.p_qp.map(|v| v.to_string()));
    s
}
