//! The channel contract as a reference model, driven against the simulator with random call
//! sequences, invalid calls included (`proptest-state-machine`).
//!
//! The model covers VENC-LIFE, VENC-CHN-001, VENC-HDR-002..005, VENC-QUEUE-001, VENC-RING-001..003
//! and VENC-TIME-001/004 at MPI level: return codes, `cur_packs`, and the type of every pack
//! handed out. Every frame sent to a started channel is awaited (its pts released) before the
//! next call, so the model is exact; rings never overflow (sequences are shorter than 30 frames
//! per channel) and output blocks never run out (64 per channel). 1,000 sequences on the real
//! engines (`PROPTEST_CASES` overrides) and 2 × 50,000 on the null engine
//! (`NULL_PROPTEST_CASES` overrides, per half), which runs the same channel machine without
//! coding; failures are kept in `proptest-regressions/` and a shrunk
//! counterexample becomes a case file under `conformance/cases/`.

use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};
use venc_core::layout::{stream_block_size, uv_offset, vicap_block_size};
use venc_core::{ChnAttrStr, Mpi, Pack, PackType, VencError, VideoFrameInfo, consts};
use venc_sim::codec::Engines;
use venc_sim::{SimOptions, Simulator};

const CHANNELS: u32 = 4;
const GOP: u32 = 4;
const W: u32 = 128;
const H: u32 = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Created,
    Started,
    Stopped,
}

#[derive(Debug, Clone)]
struct Chan {
    phase: Phase,
    idr_enabled: bool,
    idr_requested: bool,
    header_sent: bool,
    /// Frames encoded since the last IDR (None before the first frame).
    since_idr: Option<u32>,
    /// Packs in the ring, not handed out.
    queued: VecDeque<PackType>,
    /// Packs handed out and not released.
    handed: u32,
    /// pts of the last frame sent (every send counts, encoded or not).
    sent_pts: u64,
    /// What the encoder released (`Mpi::released_pts`): the last encoded frame's pts, 0
    /// after create.
    released_pts: u64,
}

impl Chan {
    fn new() -> Self {
        Self {
            phase: Phase::Idle,
            idr_enabled: false,
            idr_requested: false,
            header_sent: false,
            since_idr: None,
            queued: VecDeque::new(),
            handed: 0,
            sent_pts: 0,
            released_pts: 0,
        }
    }
}

/// What the model says a call returns.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    Code(Result<(), VencError>),
    Packs(Vec<PackType>),
    /// `cur_packs`, the encoder's released pts where the contract defines it (not on an idle
    /// channel), and `release_pic_pts` as `query_status` reads it (0 always, VENC-RING-006).
    Status(u32, Option<u64>, u64),
}

#[derive(Debug, Clone)]
struct Model {
    chans: Vec<Chan>,
    last: Expected,
}

#[derive(Debug, Clone)]
enum Call {
    Create(u32),
    Start(u32),
    Stop(u32),
    Destroy(u32),
    EnableIdr(u32, bool),
    RequestIdr(u32),
    SendFrame(u32),
    GetStream(u32, u32),
    Release(u32, u32),
    Query(u32),
}

impl Call {
    fn chn(&self) -> u32 {
        match *self {
            Self::Create(c)
            | Self::Start(c)
            | Self::Stop(c)
            | Self::Destroy(c)
            | Self::EnableIdr(c, _)
            | Self::RequestIdr(c)
            | Self::SendFrame(c)
            | Self::GetStream(c, _)
            | Self::Release(c, _)
            | Self::Query(c) => c,
        }
    }
}

struct ChannelModel;

impl ReferenceStateMachine for ChannelModel {
    type State = Model;
    type Transition = Call;

    fn init_state() -> BoxedStrategy<Model> {
        Just(Model {
            chans: (0..CHANNELS).map(|_| Chan::new()).collect(),
            last: Expected::Code(Ok(())),
        })
        .boxed()
    }

    fn transitions(_: &Model) -> BoxedStrategy<Call> {
        // Most calls go to channel 0 so that long lives (create … destroy, create again) happen;
        // channel 3 is H.265, channel 4 out of range.
        let chn = prop_oneof![6 => Just(0u32), 3 => 1u32..CHANNELS, 1 => Just(CHANNELS)];
        prop_oneof![
            2 => chn.clone().prop_map(Call::Create),
            2 => chn.clone().prop_map(Call::Start),
            1 => chn.clone().prop_map(Call::Stop),
            1 => chn.clone().prop_map(Call::Destroy),
            1 => (chn.clone(), any::<bool>()).prop_map(|(c, e)| Call::EnableIdr(c, e)),
            1 => chn.clone().prop_map(Call::RequestIdr),
            4 => chn.clone().prop_map(Call::SendFrame),
            3 => (chn.clone(), 1u32..4).prop_map(|(c, n)| Call::GetStream(c, n)),
            2 => (chn.clone(), 1u32..4).prop_map(|(c, n)| Call::Release(c, n)),
            1 => chn.prop_map(Call::Query),
        ]
        .boxed()
    }

    fn preconditions(m: &Model, call: &Call) -> bool {
        // Keep every ring below its 30 packs: overflow has its own case (ring-005).
        match *call {
            Call::SendFrame(c) => m
                .chans
                .get(c as usize)
                .is_none_or(|s| s.queued.len() as u32 + s.handed < 26),
            _ => true,
        }
    }

    fn apply(mut m: Model, call: &Call) -> Model {
        let chn = call.chn();
        if chn >= CHANNELS {
            m.last = Expected::Code(Err(VencError::InvalidChnId));
            return m;
        }
        let c = &mut m.chans[chn as usize];
        let code = |ok: bool, e: VencError| Expected::Code(if ok { Ok(()) } else { Err(e) });
        m.last = match *call {
            Call::Create(_) => {
                let ok = c.phase == Phase::Idle;
                if ok {
                    // pts keep counting across channel lives, as a program's clock does.
                    let sent_pts = c.sent_pts;
                    *c = Chan::new();
                    c.phase = Phase::Created;
                    c.sent_pts = sent_pts;
                }
                code(ok, VencError::Exist)
            }
            Call::Start(_) => {
                let ok = c.phase == Phase::Created;
                if ok {
                    c.phase = Phase::Started;
                }
                code(ok, VencError::NotPerm)
            }
            Call::Stop(_) => {
                let ok = c.phase == Phase::Started;
                if ok {
                    c.phase = Phase::Stopped;
                }
                code(ok, VencError::NotPerm)
            }
            Call::Destroy(_) => {
                let ok = matches!(c.phase, Phase::Created | Phase::Stopped);
                if ok {
                    let (sent_pts, released_pts) = (c.sent_pts, c.released_pts);
                    *c = Chan::new();
                    (c.sent_pts, c.released_pts) = (sent_pts, released_pts);
                }
                code(ok, VencError::NotPerm)
            }
            Call::EnableIdr(_, enable) => {
                let ok = c.phase == Phase::Created;
                if ok {
                    c.idr_enabled = enable;
                }
                code(ok, VencError::Busy)
            }
            Call::RequestIdr(_) => {
                let ok = c.phase != Phase::Idle && c.idr_enabled;
                if ok {
                    c.idr_requested = true;
                }
                code(ok, VencError::IllegalParam)
            }
            Call::SendFrame(_) => {
                c.sent_pts += 33_333;
                if c.phase == Phase::Started {
                    c.released_pts = c.sent_pts;
                    let idr = c.idr_requested || c.since_idr.is_none_or(|n| n + 1 >= GOP);
                    c.idr_requested = false;
                    if idr {
                        if c.idr_enabled || !c.header_sent {
                            c.queued.push_back(PackType::Header);
                            c.header_sent = true;
                        }
                        c.queued.push_back(PackType::I);
                        c.since_idr = Some(0);
                    } else {
                        c.queued.push_back(PackType::P);
                        c.since_idr = c.since_idr.map(|n| n + 1);
                    }
                }
                Expected::Code(Ok(()))
            }
            Call::GetStream(_, max) => {
                if c.queued.is_empty() {
                    Expected::Code(Err(VencError::NotReady))
                } else {
                    let n = (max as usize).min(c.queued.len());
                    let got: Vec<PackType> = c.queued.drain(..n).collect();
                    c.handed += n as u32;
                    Expected::Packs(got)
                }
            }
            Call::Release(_, n) => {
                c.handed -= n.min(c.handed);
                Expected::Code(Ok(()))
            }
            Call::Query(_) => Expected::Status(
                c.queued.len() as u32,
                (c.phase != Phase::Idle).then_some(c.released_pts),
                0,
            ),
        };
        m
    }
}

struct Board {
    sim: Arc<Simulator>,
    frames: Vec<(u64, u64)>,
    next_pts: Vec<u64>,
    packs: Vec<Pack>,
}

/// The simulator under test, with the engines `E` names.
struct SimUnderTest<E>(std::marker::PhantomData<E>);

/// Which codec engines the simulator under test runs.
trait EngineChoice {
    const ENGINES: Engines;
}

/// openh264 and libx265: the contract with real pictures.
struct RealEngines;
impl EngineChoice for RealEngines {
    const ENGINES: Engines = Engines::Real;
}

/// The null engine: the same channel machine, no coding, so many more sequences fit.
struct NullEngines;
impl EngineChoice for NullEngines {
    const ENGINES: Engines = Engines::Null;
}

fn attr(chn: u32) -> ChnAttrStr {
    // Channel 3 carries H.265, the others H.264.
    let (payload, profile) = if chn == 3 {
        (consts::K_PT_H265, consts::VENC_PROFILE_H265_MAIN)
    } else {
        (consts::K_PT_H264, consts::VENC_PROFILE_H264_BASELINE)
    };
    let mut a = ChnAttrStr::new(payload, profile, W, H);
    a.gop_len = GOP;
    a.bit_rate = 300;
    a
}

/// The encoder's own count of released frames (the simulator has one; a board does not).
fn released(sim: &Simulator, chn: u32) -> u64 {
    venc_core::Mpi::released_pts(sim, chn)
        .expect("released_pts")
        .expect("the simulator counts released frames")
}

fn wait_released(sim: &Simulator, chn: u32, pts: u64) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut polls = 0u32;
    while released(sim, chn) < pts {
        assert!(
            Instant::now() < deadline,
            "ch{chn}: frame {pts} never encoded"
        );
        // The null engine answers in microseconds: yield first, sleep only when it takes long.
        polls += 1;
        if polls < 200 {
            std::thread::yield_now();
        } else {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

impl<E: EngineChoice> StateMachineTest for SimUnderTest<E> {
    type SystemUnderTest = Board;
    type Reference = ChannelModel;

    fn init_test(_: &Model) -> Board {
        let sim = Simulator::shared(SimOptions {
            engines: E::ENGINES,
            ..SimOptions::default()
        });
        let align = consts::VICAP_ALIGNMENT_4K;
        let input = sim
            .create_pool(vicap_block_size(W, H, align), CHANNELS)
            .expect("input pool");
        let mut frames = Vec::new();
        for chn in 0..CHANNELS {
            let out = sim
                .create_pool(stream_block_size(W, H), 64)
                .expect("output pool");
            sim.attach_vb_pool(chn, out).expect("attach");
            let y = sim.get_block(input).expect("block");
            sim.write_mem(y, &vec![128; (W * H) as usize]).expect("y");
            let uv = y + uv_offset(W, H, align);
            sim.write_mem(uv, &vec![128; (W * H / 2) as usize])
                .expect("uv");
            frames.push((y, uv));
        }
        Board {
            sim,
            frames,
            next_pts: vec![0; CHANNELS as usize + 1],
            packs: Vec::new(),
        }
    }

    fn apply(mut b: Board, m: &Model, call: Call) -> Board {
        let sim = &b.sim;
        let chn = call.chn();
        let actual = match call {
            Call::Create(c) => Expected::Code(sim.create_chn(c, &attr(c).to_mpi())),
            Call::Start(c) => Expected::Code(sim.start_chn(c)),
            Call::Stop(c) => Expected::Code(sim.stop_chn(c)),
            Call::Destroy(c) => Expected::Code(sim.destroy_chn(c)),
            Call::EnableIdr(c, e) => Expected::Code(sim.enable_idr(c, e)),
            Call::RequestIdr(c) => Expected::Code(sim.request_idr(c)),
            Call::SendFrame(c) => {
                let slot = (c as usize).min(b.frames.len() - 1);
                let (y, uv) = b.frames[slot];
                b.next_pts[c as usize] += 33_333;
                let pts = b.next_pts[c as usize];
                let frame = VideoFrameInfo {
                    width: W,
                    height: H,
                    pixel_format: consts::PIXEL_FORMAT_YUV_SEMIPLANAR_420,
                    phys_addr: [y, uv, 0],
                    pts,
                    ..VideoFrameInfo::default()
                };
                let r = sim.send_frame(c, &frame, 1000);
                let started = m
                    .chans
                    .get(c as usize)
                    .is_some_and(|s| s.phase == Phase::Started);
                if r.is_ok() && started {
                    wait_released(sim, c, pts);
                }
                Expected::Code(r)
            }
            Call::GetStream(c, max) => match sim.get_stream(c, max, 0, &mut b.packs) {
                Ok(()) => Expected::Packs(b.packs.iter().map(|p| p.pack_type).collect()),
                Err(e) => Expected::Code(Err(e)),
            },
            Call::Release(c, n) => Expected::Code(sim.release_stream(c, n)),
            Call::Query(c) => match sim.query_status(c) {
                Ok(st) => {
                    let idle = m
                        .chans
                        .get(c as usize)
                        .is_none_or(|s| s.phase == Phase::Idle);
                    Expected::Status(
                        st.cur_packs,
                        (!idle).then(|| released(sim, c)),
                        st.release_pic_pts,
                    )
                }
                Err(e) => Expected::Code(Err(e)),
            },
        };
        let want = if chn >= CHANNELS {
            Expected::Code(Err(VencError::InvalidChnId))
        } else {
            m.last.clone()
        };
        assert_eq!(actual, want, "ch{chn}: model and simulator disagree");
        b
    }

    fn check_invariants(b: &Board, m: &Model) {
        // cur_packs always equals the model's queue (VENC-RING-001).
        for (chn, c) in m.chans.iter().enumerate() {
            let st = b.sim.query_status(chn as u32).expect("status");
            assert_eq!(st.cur_packs, c.queued.len() as u32, "ch{chn} cur_packs");
        }
    }
}

/// `var` from the environment, else `default`.
fn cases(var: &str, default: u32) -> u32 {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: cases("PROPTEST_CASES", 1000),
        max_shrink_iters: 2048,
        .. Config::default()
    })]

    #[test]
    fn channel_contract_holds_for_random_call_sequences(
        sequential 1..40 => SimUnderTest<RealEngines>
    );
}

// The null engine's 10^5 sequences, in two halves so both cores run them.
prop_state_machine! {
    #![proptest_config(Config {
        cases: cases("NULL_PROPTEST_CASES", 50_000),
        max_shrink_iters: 2048,
        .. Config::default()
    })]

    #[test]
    fn channel_contract_holds_on_the_null_engine_a(
        sequential 1..40 => SimUnderTest<NullEngines>
    );

    #[test]
    fn channel_contract_holds_on_the_null_engine_b(
        sequential 1..40 => SimUnderTest<NullEngines>
    );
}
