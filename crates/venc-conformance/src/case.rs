//! Conformance cases as data: one TOML file per case under `conformance/cases/`.
//!
//! A case names the contract rules it covers, a setup (defaults for every channel it creates),
//! steps (CanMV `Encoder` calls, raw MPI calls, and a few helpers) each with the result it
//! expects, and expectations on the streams the channels produced. It never names a backend.

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};
use venc_core::consts;
use venc_core::{FeatureCall, Firmware, VencError};

/// One conformance case.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Unique id, also the file stem and the trace snapshot name.
    pub id: String,
    /// One line saying what the case shows.
    pub title: String,
    /// Contract rule IDs (`VENC-LIFE-003`, …) this case covers.
    pub rules: Vec<String>,
    /// Defaults for the channels the case creates.
    #[serde(default)]
    pub setup: Setup,
    /// What the program does, in order.
    pub steps: Vec<Step>,
    /// Expectations on each channel's stream, checked after the steps.
    #[serde(default)]
    pub streams: Vec<StreamExpect>,
    /// Run the case twice and require the same bytes from every channel (oracle L4).
    #[serde(default)]
    pub deterministic: bool,
    /// Seconds after which the case is abandoned as hung (default 60).
    #[serde(default)]
    pub timeout_s: Option<u64>,
}

/// Channel defaults (`ChnAttrStr` fields and buffer counts).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Setup {
    /// `h264` or `h265`.
    pub codec: CodecName,
    /// `baseline`, `main`, `high` (H.264) or `main` (H.265); the codec's first one if absent.
    pub profile: Option<ProfileName>,
    /// Picture width.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// `gop_len`.
    pub gop: u32,
    /// `bit_rate` in kbps.
    pub bitrate: u32,
    /// `src_frame_rate`.
    pub src_fps: u32,
    /// `dst_frame_rate`.
    pub dst_fps: u32,
    /// `SetOutBufs` buffer count.
    pub out_bufs: u32,
    /// Input frame buffers per channel (NV12, VICAP layout).
    pub frame_bufs: u32,
    /// Which firmware's `Encoder` the facade behaves like.
    pub firmware: FirmwareName,
}

impl Default for Setup {
    fn default() -> Self {
        Self {
            codec: CodecName::H264,
            profile: None,
            width: 320,
            height: 240,
            gop: consts::defaults::GOP_LEN,
            bitrate: 1000,
            src_fps: consts::defaults::SRC_FRAME_RATE,
            dst_fps: consts::defaults::DST_FRAME_RATE,
            out_bufs: 8,
            frame_bufs: 4,
            firmware: FirmwareName(Firmware::CanMv2026Jan),
        }
    }
}

/// `h264` / `h265`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CodecName {
    /// H.264 (`PAYLOAD_TYPE_H264`).
    H264,
    /// H.265 (`PAYLOAD_TYPE_H265`).
    H265,
}

impl CodecName {
    /// The payload type value.
    pub const fn payload(self) -> u32 {
        match self {
            Self::H264 => consts::K_PT_H264,
            Self::H265 => consts::K_PT_H265,
        }
    }
}

/// A profile by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileName {
    /// H.264 Baseline.
    Baseline,
    /// H.264 Main, or H.265 Main with the H.265 codec.
    Main,
    /// H.264 High.
    High,
}

impl ProfileName {
    /// The `VENC_PROFILE_*` value for a codec.
    pub const fn value(self, codec: CodecName) -> u32 {
        match (self, codec) {
            (Self::Baseline, _) => consts::VENC_PROFILE_H264_BASELINE,
            (Self::Main, CodecName::H264) => consts::VENC_PROFILE_H264_MAIN,
            (Self::Main, CodecName::H265) => consts::VENC_PROFILE_H265_MAIN,
            (Self::High, _) => consts::VENC_PROFILE_H264_HIGH,
        }
    }
}

/// A firmware generation by its [`Firmware::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FirmwareName(pub Firmware);

impl<'de> Deserialize<'de> for FirmwareName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Firmware::parse(&name)
            .map(Self)
            .map_err(serde::de::Error::custom)
    }
}

/// A VENC call beyond the encode loop by its MPI name without `kd_mpi_venc_`
/// (`set_rotation`, `get_2d_osd_param`, …; [`FeatureCall`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureName(pub FeatureCall);

impl<'de> Deserialize<'de> for FeatureName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        FeatureCall::from_name(&format!("kd_mpi_venc_{name}"))
            .map(Self)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown VENC call {name:?}")))
    }
}

/// Attribute overrides for one `Create` / `mpi.create_chn`.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttrOverride {
    /// Codec by name.
    pub codec: Option<CodecName>,
    /// Raw payload type (wins over `codec`), to pass values no program should.
    pub payload: Option<u32>,
    /// Profile by name.
    pub profile: Option<ProfileName>,
    /// Raw profile value (wins over `profile`).
    pub profile_value: Option<u32>,
    /// Width.
    pub width: Option<u32>,
    /// Height.
    pub height: Option<u32>,
    /// GOP.
    pub gop: Option<u32>,
    /// Bit rate (kbps).
    pub bitrate: Option<u32>,
    /// Source frame rate.
    pub src_fps: Option<u32>,
    /// Destination frame rate.
    pub dst_fps: Option<u32>,
    /// Rate-control mode for `mpi.create_chn`: `cbr` (default), `vbr`, `fixqp`.
    pub rc: Option<RcName>,
    /// VBR `max_bit_rate` (kbps); the bit rate if unset.
    pub max_bitrate: Option<u32>,
    /// FIXQP `i_qp`; 30 if unset.
    pub i_qp: Option<u32>,
    /// FIXQP `p_qp`; 32 if unset.
    pub p_qp: Option<u32>,
}

/// Rate-control mode by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RcName {
    /// `K_VENC_RC_MODE_CBR`.
    Cbr,
    /// `K_VENC_RC_MODE_VBR`.
    Vbr,
    /// `K_VENC_RC_MODE_FIXQP`.
    Fixqp,
}

/// Where a frame's UV plane is said to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UvPlace {
    /// Where VICAP puts it: `ALIGN_UP(w*h, 4K)` from Y (the manual's +1024/+3072).
    #[default]
    Vicap,
    /// `Y + w*h`: the manual's fallback branch, wrong when `w*h` is not a multiple of 4 KiB.
    Packed,
}

/// What the frames contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Content {
    /// The built-in moving pattern, frame `n` in buffer `n % frame_bufs`; a buffer is reused only
    /// after the encoder released the frame that was in it.
    #[default]
    Pattern,
    /// Pattern frame 0 in buffer 0 for every frame: no reuse waits (for queue-filling cases).
    Static,
}

/// Plane addresses a `SendFrame` claims, for error cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Address {
    /// The frame buffer's real planes.
    #[default]
    Buffer,
    /// Y and UV 1 MiB past the end of the buffer pool: unmapped media memory.
    Unmapped,
    /// Both planes moved 64 bytes up: inside the block, not 4 KiB aligned.
    Misaligned,
}

/// Which address a `ReadPack` step reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadFrom {
    /// `data[slot]`: the user mapping.
    Data,
    /// `phy_addr[slot]`: a physical address.
    PhyAddr,
}

/// One step of a case.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "call", deny_unknown_fields)]
pub enum Step {
    /// `Encoder.SetOutBufs(chn, bufs, width, height)`.
    SetOutBufs {
        /// Channel as the program passes it.
        chn: i64,
        /// Buffer count (setup's `out_bufs` if absent).
        bufs: Option<u32>,
        /// Picture size the blocks are sized for (setup's if absent).
        size: Option<[u32; 2]>,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `Encoder.Create(chn, ChnAttrStr(...))` from the setup and overrides.
    Create {
        /// Channel.
        chn: i64,
        /// Overrides of the setup's attributes.
        #[serde(default)]
        attr: AttrOverride,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `Encoder.Start(chn)`.
    Start {
        /// Channel.
        chn: i64,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `Encoder.SendFrame(chn, frame, timeout)`, `count` times; every call but the last must
    /// return 0, the last one gives the result checked against `expect`.
    SendFrame {
        /// Channel.
        chn: i64,
        /// Frames to send.
        #[serde(default = "one")]
        count: u32,
        /// `timeout` in ms.
        #[serde(default = "send_timeout")]
        timeout: i32,
        /// UV plane placement.
        #[serde(default)]
        uv: UvPlace,
        /// Frame content.
        #[serde(default)]
        content: Content,
        /// Plane addresses.
        #[serde(default)]
        address: Address,
        /// `v_frame.width/height` different from the channel's (the buffers stay channel-sized).
        frame_size: Option<[u32; 2]>,
        /// Expected result of the last call.
        #[serde(default)]
        expect: Expect,
    },
    /// `Encoder.GetStream(chn, streamData, timeout)`; packs go to the channel's stream.
    GetStream {
        /// Channel.
        chn: i64,
        /// `timeout` in ms.
        #[serde(default = "get_timeout")]
        timeout: i32,
        /// Pack types expected in this call (`["HEADER", "I"]`).
        packs: Option<Vec<String>>,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `Encoder.ReleaseStream(chn, streamData)` of the channel's last `StreamData`.
    ReleaseStream {
        /// Channel.
        chn: i64,
        /// Overrides `streamData.pack_cnt` before the call.
        pack_cnt: Option<u32>,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `Encoder.Stop(chn)`.
    Stop {
        /// Channel.
        chn: i64,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `Encoder.Destroy(chn)`.
    Destroy {
        /// Channel.
        chn: i64,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `uctypes.bytearray_at` on slot `slot` of the channel's last `StreamData`.
    ReadPack {
        /// Channel.
        chn: i64,
        /// Slot.
        #[serde(default)]
        slot: usize,
        /// Which address to read.
        from: ReadFrom,
        /// Expected result (`ok` or `BadAddress`).
        #[serde(default)]
        expect: Expect,
    },
    /// Example 2's loop over several channels at once: `frames` frames to each channel in
    /// turn, consuming (GetStream/ReleaseStream) whatever is queued whenever a frame buffer is
    /// still held by the encoder, then until every sent frame was released and every pack taken.
    Stream {
        /// Channels, served round robin.
        chns: Vec<i64>,
        /// Frames per channel.
        frames: u32,
        /// UV plane placement.
        #[serde(default)]
        uv: UvPlace,
    },
    /// Example 2's consumer: GetStream/ReleaseStream until `frames` more frames (I/P packs)
    /// arrived on the channel; fails after 20 s without a pack.
    Drain {
        /// Channel.
        chn: i64,
        /// Frames to collect.
        frames: u32,
    },
    /// Polls `query_status` until `cur_packs >= packs` (fails after 20 s).
    WaitPacks {
        /// Channel.
        chn: u32,
        /// Packs to wait for.
        packs: u32,
    },
    /// Polls `query_status` until the last frame sent on the channel was released (encoded or
    /// dropped); fails after 20 s.
    WaitReleased {
        /// Channel.
        chn: u32,
    },
    /// `Encoder()`: a second facade object over the same backend; later facade steps use it.
    NewEncoder,
    /// `kd_mpi_venc_create_chn` with the setup's attributes and overrides (no pool attach).
    #[serde(rename = "mpi.create_chn")]
    MpiCreate {
        /// Channel.
        chn: u32,
        /// Overrides.
        #[serde(default)]
        attr: AttrOverride,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `kd_mpi_venc_request_chn`: `expect = "ret=N"` names the channel handed out.
    #[serde(rename = "mpi.request_chn")]
    MpiRequestChn {
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `kd_mpi_venc_release_chn`.
    #[serde(rename = "mpi.release_chn")]
    MpiReleaseChn {
        /// Channel.
        chn: u32,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `kd_mpi_venc_attach_vb_pool` of the pool the current `Encoder`'s `SetOutBufs` made, as
    /// the facade's `Create` does before `create_chn`.
    #[serde(rename = "mpi.attach_vb_pool")]
    MpiAttachPool {
        /// Channel.
        chn: u32,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `kd_mpi_venc_start_chn`.
    #[serde(rename = "mpi.start_chn")]
    MpiStart {
        /// Channel.
        chn: u32,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `kd_mpi_venc_stop_chn`.
    #[serde(rename = "mpi.stop_chn")]
    MpiStop {
        /// Channel.
        chn: u32,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `kd_mpi_venc_destroy_chn`.
    #[serde(rename = "mpi.destroy_chn")]
    MpiDestroy {
        /// Channel.
        chn: u32,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `kd_mpi_venc_enable_idr`.
    #[serde(rename = "mpi.enable_idr")]
    MpiEnableIdr {
        /// Channel.
        chn: u32,
        /// The flag.
        #[serde(default = "yes")]
        enable: bool,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `kd_mpi_venc_request_idr`.
    #[serde(rename = "mpi.request_idr")]
    MpiRequestIdr {
        /// Channel.
        chn: u32,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `kd_mpi_venc_query_status`, optionally checking `cur_packs`.
    #[serde(rename = "mpi.query_status")]
    MpiQueryStatus {
        /// Channel.
        chn: u32,
        /// Expected `cur_packs`.
        cur_packs: Option<u32>,
        /// Expected `release_pic_pts`.
        release_pic_pts: Option<u64>,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `kd_mpi_venc_get_stream`; packs go to the channel's stream.
    #[serde(rename = "mpi.get_stream")]
    MpiGetStream {
        /// Channel.
        chn: u32,
        /// Packs asked for.
        #[serde(default = "one")]
        max_packs: u32,
        /// Timeout in ms.
        #[serde(default)]
        timeout: i32,
        /// Packs expected back, if checked.
        got: Option<u32>,
        /// Bounds on the time the call took, in ms (`[min, max]`).
        took_ms: Option<[u64; 2]>,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// `kd_mpi_venc_release_stream`.
    #[serde(rename = "mpi.release_stream")]
    MpiReleaseStream {
        /// Channel.
        chn: u32,
        /// Packs to release.
        count: u32,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// A call beyond the encode loop (rotation, mirror, the coding tools, the 2D engine) with
    /// its values as words ([`venc_core::Words`]), optionally checking the words a getter read.
    #[serde(rename = "mpi.feature")]
    MpiFeature {
        /// Channel.
        chn: u32,
        /// The call (`set_rotation`, `get_2d_border_param`, …).
        name: FeatureName,
        /// The OSD region or border.
        #[serde(default)]
        index: u8,
        /// The values a setter takes.
        #[serde(default)]
        words: Vec<u32>,
        /// The words a getter must read.
        got: Option<Vec<u32>>,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// An OSD picture (ARGB8888 stripes, [`crate::picture::OsdPicture`]) written into a VB block
    /// of its own and set as region `index` with `kd_mpi_venc_set_2d_osd_param` (`osd_alpha`
    /// 255, drawn over the video).
    #[serde(rename = "Osd")]
    Osd {
        /// Channel.
        chn: u32,
        /// The region (0..=7).
        #[serde(default)]
        index: u8,
        /// Left edge.
        x: u16,
        /// Top edge.
        y: u16,
        /// Width (four stripes: a multiple of 8).
        width: u16,
        /// Height.
        height: u16,
        /// Every pixel's alpha.
        #[serde(default = "opaque")]
        alpha: u8,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
    /// The standalone 2D path: `kd_mpi_venc_send_2d_frame` of one frame (a luma ramp over flat
    /// chroma, in `format`, in a VB block of its own), then, when it was taken,
    /// `kd_mpi_venc_get_2d_frame`: the frame handed back must be the one sent (its addresses)
    /// with the channel's `Osd` regions drawn on it in place, against the suite's own
    /// composition ([`crate::picture::with_osd`]), PSNR ≥ `psnr_min` on every plane. With
    /// `send = false` only `get_2d_frame` is called, checked against `expect`.
    #[serde(rename = "mpi.two_d_frame")]
    MpiTwoDFrame {
        /// Channel.
        chn: u32,
        /// Width (even).
        #[serde(default = "two_d_side")]
        width: u32,
        /// Height (even).
        #[serde(default = "two_d_side")]
        height: u32,
        /// The frame's layout.
        #[serde(default)]
        format: TwoDFormat,
        /// Send a frame first (else only take one).
        #[serde(default = "yes")]
        send: bool,
        /// The least PSNR of the frame taken back against the composition, every plane.
        #[serde(default = "two_d_psnr")]
        psnr_min: f64,
        /// Expected result of the first call (`send_2d_frame`, or `get_2d_frame` alone).
        #[serde(default)]
        expect: Expect,
    },
    /// `kd_mpi_venc_send_frame` of one frame (like `SendFrame`, without the facade).
    #[serde(rename = "mpi.send_frame")]
    MpiSendFrame {
        /// Channel.
        chn: u32,
        /// Timeout in ms.
        #[serde(default = "send_timeout")]
        timeout: i32,
        /// Expected result.
        #[serde(default)]
        expect: Expect,
    },
}

fn one() -> u32 {
    1
}
fn two_d_side() -> u32 {
    64
}
fn two_d_psnr() -> f64 {
    45.0
}

/// The 4:2:0 layouts the standalone 2D engine takes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TwoDFormat {
    /// `PIXEL_FORMAT_YUV_SEMIPLANAR_420`: Y, then U and V interleaved.
    #[default]
    Nv12,
    /// `PIXEL_FORMAT_YVU_SEMIPLANAR_420`: Y, then V and U interleaved.
    Nv21,
    /// `PIXEL_FORMAT_YVU_PLANAR_420`, as `sample_nonai_2d` fills it: Y, U, V planes.
    I420,
}
fn yes() -> bool {
    true
}
fn opaque() -> u8 {
    255
}

fn send_timeout() -> i32 {
    consts::defaults::SEND_FRAME_TIMEOUT_MS
}
fn get_timeout() -> i32 {
    -1
}

/// The result a step expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expect {
    /// `0` / `Ok`.
    #[default]
    Ok,
    /// The facade returned this int (`-1` from a failed `GetStream`).
    Ret(i64),
    /// The MPI code (for facade calls: `OSError` carrying it, or `SendFrame`'s raw status).
    Code(VencError),
    /// `ValueError` (channel out of range).
    ValueError,
    /// `IndexError` (more than 12 packs).
    IndexError,
    /// A read of an address that is not mapped.
    BadAddress,
}

impl Expect {
    /// Parses `ok`, `ret=-1`, `ValueError`, `IndexError`, `BadAddress`, or a code name
    /// (`NOT_PERM`, `K_ERR_VENC_NOT_PERM`).
    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "ok" => return Ok(Self::Ok),
            "ValueError" => return Ok(Self::ValueError),
            "IndexError" => return Ok(Self::IndexError),
            "BadAddress" => return Ok(Self::BadAddress),
            _ => {}
        }
        if let Some(v) = s.strip_prefix("ret=") {
            return v
                .parse()
                .map(Self::Ret)
                .map_err(|_| format!("bad return value in {s:?}"));
        }
        let name = s.strip_prefix("K_ERR_VENC_").unwrap_or(s);
        VencError::ALL
            .into_iter()
            .find(|e| e.name().strip_prefix("K_ERR_VENC_") == Some(name))
            .map(Self::Code)
            .ok_or_else(|| format!("unknown expectation {s:?}"))
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ok => f.write_str("ok"),
            Self::Ret(v) => write!(f, "ret={v}"),
            Self::Code(e) => f.write_str(short_code(*e)),
            Self::ValueError => f.write_str("ValueError"),
            Self::IndexError => f.write_str("IndexError"),
            Self::BadAddress => f.write_str("BadAddress"),
        }
    }
}

/// `NOT_PERM` for `K_ERR_VENC_NOT_PERM`: what traces print.
pub fn short_code(e: VencError) -> &'static str {
    let name = e.name();
    name.strip_prefix("K_ERR_VENC_").unwrap_or(name)
}

impl<'de> Deserialize<'de> for Expect {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Expectations on one channel's stream (oracles L2 and L3).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamExpect {
    /// Channel.
    pub chn: u32,
    /// Encoded frames (I and P packs) collected.
    pub frames: u32,
    /// Frame indices (among encoded frames) that must be IDR; every `gop` from 0 if absent.
    pub idr_at: Option<Vec<u32>>,
    /// A HEADER before every IDR (`true`, CanMV's `enable_idr`) or only before the first.
    #[serde(default = "yes")]
    pub header_every_idr: bool,
    /// Decode with the independent decoder and compare with the source (oracle L3).
    #[serde(default)]
    pub decode: bool,
    /// Floor of the luma PSNR (dB).
    pub psnr_y_min: Option<f64>,
    /// Floor of the chroma PSNR (dB, the lower of U and V).
    pub psnr_uv_min: Option<f64>,
    /// Ceiling of the chroma PSNR (dB): wrong chroma must show.
    pub psnr_uv_max: Option<f64>,
    /// Allowed relative deviation of the average bit rate from the channel's `bit_rate`.
    pub bitrate_tolerance: Option<f64>,
    /// The mean bit rate over the whole stream, as a multiple of `bit_rate`, must lie in
    /// `[low, high]` (libvpx's rate tests hold [0.85, 1.15]).
    pub mean_within: Option<[f64; 2]>,
    /// Every 1-second window (`src_frame_rate` frames, sliding one frame at a time) must stay
    /// at or below this multiple of the reference: `bit_rate` for CBR, `max_bit_rate` for VBR
    /// (Android's CTS: 1.15 for CBR, 2 for VBR).
    pub window_max: Option<f64>,
    /// The longest distance between two key frames, which must equal the GOP (CTS); the
    /// stream's last key frame is no further than this from its end.
    pub longest_key_distance: Option<u32>,
    /// Each accepted `mpi.request_idr` puts an IDR on a frame not yet taken, at most this many
    /// frames after the first frame sent after the request (negative delays — a frame already in
    /// flight — are fine). Replaces `idr_at`; the GOP must be longer than the stream.
    pub idr_request_delay_max: Option<u32>,
    /// Header syntax elements, named as libavcodec's `trace_headers` names them, and the value
    /// every occurrence must have (at least one must occur): what a coding tool put in the
    /// stream (`sample_adaptive_offset_enabled_flag = 0`, `entropy_coding_mode_flag = 1`).
    #[serde(default)]
    pub syntax: std::collections::BTreeMap<String, i64>,
    /// The QP every IDR slice starts at, then every other slice's (FIXQP's `i_qp`, `p_qp`).
    pub slice_qp: Option<[i32; 2]>,
    /// The decoded pictures carry the channel's `Osd` regions (the 2D engine attached in an OSD
    /// mode); false: the pictures as sent, whatever regions were set.
    #[serde(default)]
    pub osd: bool,
}

/// A case file that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct CaseError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

impl Case {
    /// Parses one case file; the id must equal the file stem.
    pub fn load(path: &Path) -> Result<Self, CaseError> {
        let err = |message: String| CaseError {
            path: path.to_owned(),
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        Self::parse(&text, stem).map_err(err)
    }

    /// Parses a case from its text; its id must be `id`.
    pub fn parse(text: &str, id: &str) -> Result<Self, String> {
        let case: Case = toml::from_str(text).map_err(|e| e.to_string())?;
        if case.id != id {
            return Err(format!("id {:?} differs from the file name", case.id));
        }
        if case.rules.is_empty() {
            return Err("a case must cover at least one rule".into());
        }
        if case.steps.is_empty() {
            return Err("a case needs steps".into());
        }
        Ok(case)
    }

    /// Seconds before the case counts as hung.
    pub fn timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.timeout_s.unwrap_or(60))
    }
}

/// Every `*.toml` case in a directory, sorted by id; the first unreadable file is an error for
/// that file only (it is returned beside the good ones).
pub fn load_dir(dir: &Path) -> Result<(Vec<Case>, Vec<CaseError>), std::io::Error> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    paths.sort();
    let (mut cases, mut errors) = (Vec::new(), Vec::new());
    for p in paths {
        match Case::load(&p) {
            Ok(c) => cases.push(c),
            Err(e) => errors.push(e),
        }
    }
    cases.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((cases, errors))
}

/// The workspace's `conformance/` directory (cases, expectations, snapshots).
pub fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expectations_parse() {
        assert_eq!(Expect::parse("ok"), Ok(Expect::Ok));
        assert_eq!(Expect::parse("ret=-1"), Ok(Expect::Ret(-1)));
        assert_eq!(
            Expect::parse("NOT_PERM"),
            Ok(Expect::Code(VencError::NotPerm))
        );
        assert_eq!(
            Expect::parse("K_ERR_VENC_BUSY"),
            Ok(Expect::Code(VencError::Busy))
        );
        assert!(Expect::parse("NOT_A_CODE").is_err());
        assert!(Expect::parse("ret=x").is_err());
        assert_eq!(Expect::Code(VencError::NotReady).to_string(), "NOTREADY");
    }

    #[test]
    fn malformed_case_is_an_error_naming_the_file() {
        let dir = std::env::temp_dir().join(format!("venc-case-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tmp");
        let bad = dir.join("bad.toml");
        std::fs::write(&bad, "id = \"bad\"\ntitle = \"x\"\nrules = [\"VENC-LIFE-001\"]\nsteps = [{ call = \"Fly\", chn = 0 }]\n").expect("write");
        let e = Case::load(&bad).expect_err("unknown call");
        assert!(e.to_string().contains("bad.toml"), "{e}");
        let wrong_id = dir.join("other.toml");
        std::fs::write(&wrong_id, "id = \"bad\"\ntitle = \"x\"\nrules = [\"VENC-LIFE-001\"]\nsteps = [{ call = \"Start\", chn = 0 }]\n").expect("write");
        assert!(Case::load(&wrong_id).is_err());
        let (cases, errors) = load_dir(&dir).expect("dir");
        assert!(cases.is_empty());
        assert_eq!(errors.len(), 2);
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
