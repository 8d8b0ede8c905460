//! The CanMV firmware generations, named by the date of their first image, and what each one's
//! Python layer does differently, as data ([`Traits`]). The facade ([`crate::encoder`]), the media
//! manager and the Python front read these; none of them names a generation itself.

/// Which CanMV firmware's `vencoder.py` the facade behaves like (firmware facts §1.1). Each one
/// is a set of [`Traits`]; the names say which images to pick it for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub enum Firmware {
    /// CanMV v0.1 (`dc2656a`, 2023-10): `media.camera` and the class `media` (oldgen facts §1);
    /// every method returns 0 or prints and returns -1; camera parameter errors are NameErrors
    /// (`printf`); `buffer_deinit` exits VB; no `os.exitpoint`.
    CanMv2023Oct,
    /// CanMV v0.2 (`9aa8938`, 2023-11): as v0.1 with the camera's prints fixed, `g711`, and a
    /// `buffer_deinit` that does nothing.
    CanMv2023Nov,
    /// CanMV v0.3 (`7458889`, 2023-12) and v0.4 (`8f2e975`, 2024-01): exceptions instead of
    /// return codes, `os.exitpoint` (returning None), `buffer_deinit(force=False)`.
    CanMv2023Dec,
    /// CanMV v0.5 (`70adbd2`, 2024-03): `set_outsize(..., alignment=0)`, several sensors
    /// (`start_mcm_stream`), CSI1/CSI2 sensor names.
    CanMv2024Mar,
    /// CanMV v0.6 (`db3d1e9`, 2024-04): most `CAM_*` sensor names gone, `media.sensor` (the
    /// lower-case class `sensor`) beside `media.camera`.
    CanMv2024Apr,
    /// CanMV v0.7 (`e1da130`, 2024-07): as v1.0 but no `SendFrame`, `GetStream(chn, sd)` waits
    /// for ever, no `StreamData.phy_addr`.
    CanMv2024Jul,
    /// CanMV v1.0 (`b6a2bb3`, 2024-08) and images up to 2025-02-16: `pack_cnt` forced to 1,
    /// `GetStream` waits a fixed 1000 ms and raises `OSError`, `SendFrame` raises, no
    /// `enable_idr` (so the header comes once).
    CanMv2024Aug,
    /// Images built 2025-04-08 … 2025-07-23: `GetStream(chn, sd, timeout=-1)` returns 0 / -1,
    /// `ChnAttrStr` takes `bit_rate` and frame rates, `enable_idr` in Create; `SendFrame` still
    /// raises and `pack_cnt` is still 1; no JPEG.
    CanMv2025Apr,
    /// Images built 2025-08-20 … 2026-01-28: every 2025 change (JPEG, `mjpeg_quality_factor`,
    /// `pack_cnt = cur_packs`, `SendFrame(chn, frame, timeout=1000)` returning the raw status);
    /// output buffers still configured through `MediaManager` (before `init()`).
    CanMv2025Aug,
    /// `kendryte/canmv_k230 @ 8c173c34` (2026-01-29 on), = the CanMV docs and the manual in
    /// `reference/`: as 2025-08 with private output pools and the GIL released while waiting.
    #[default]
    CanMv2026Jan,
    /// The newest firmware (after 2026-07, firmware facts §1.3): no channel argument anywhere;
    /// `Create(attr)` requests a channel (`kd_mpi_venc_request_chn`) and keeps it in
    /// `encoder.chn`, `Destroy()` releases it; otherwise as [`Firmware::CanMv2026Jan`].
    CanMv2026Jul,
}

/// Names a user may type for a generation that are not its name: the release tags, and the names
/// used before generations were named by the date of their first image (2026-12).
const OTHER_NAMES: [(&str, Firmware); 18] = [
    ("v0.1", Firmware::CanMv2023Oct),
    ("canmv-v0.1", Firmware::CanMv2023Oct),
    ("v0.2", Firmware::CanMv2023Nov),
    ("canmv-v0.2", Firmware::CanMv2023Nov),
    ("v0.3", Firmware::CanMv2023Dec),
    ("canmv-v0.3", Firmware::CanMv2023Dec),
    ("v0.4", Firmware::CanMv2023Dec),
    ("canmv-v0.4", Firmware::CanMv2023Dec),
    ("v0.5", Firmware::CanMv2024Mar),
    ("canmv-v0.5", Firmware::CanMv2024Mar),
    ("v0.6", Firmware::CanMv2024Apr),
    ("canmv-v0.6", Firmware::CanMv2024Apr),
    ("v0.7", Firmware::CanMv2024Jul),
    ("canmv-v0.7", Firmware::CanMv2024Jul),
    ("v1.0", Firmware::CanMv2024Aug),
    ("canmv-v1.0", Firmware::CanMv2024Aug),
    ("canmv-new", Firmware::CanMv2026Jan),
    ("canmv-nochn", Firmware::CanMv2026Jul),
];

/// How `SendFrame` answers, per generation (firmware facts §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendFrameStyle {
    /// No `SendFrame` method (before v1.0).
    Absent,
    /// Returns None, raises `OSError("mpi venc send frame failed.")` (v1.0 to 2025-07-23).
    Raises,
    /// Returns the raw `kd_mpi_venc_send_frame` status (from 2025-07-24).
    ReturnsStatus,
}

/// How long `GetStream` waits and how it fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetStreamStyle {
    /// `GetStream(chn, sd)`: waits for ever, returns None, raises on failure (v0.3–v0.7).
    ForeverRaises,
    /// `GetStream(chn, sd)`: waits a fixed 1000 ms, returns None, raises (v1.0).
    FixedSecondRaises,
    /// `GetStream(chn, sd, timeout=-1)`: returns 0, or -1 on failure (from 2025-04-08).
    TimeoutReturnsCode,
}

/// Where `SetOutBufs` puts the output buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutBufPools {
    /// `MediaManager._config`: must come before `MediaManager.init()` (v0.7 … 2026-01-28).
    MediaConfig,
    /// A private pool per `Encoder` (`kd_mpi_vb_create_pool`), any time (2026-01-29 on).
    Private,
}

/// Which channel the IDE's preview takes while it is attached (firmware facts §1.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdeChannel {
    /// The last channel, 3, created as JPEG by the firmware (`hd_jpeg_encode`).
    FixedLast,
    /// A channel requested from the driver (`kd_mpi_venc_request_chn`).
    Requested,
}

/// Which Python API a generation's media modules have (oldgen facts §1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaApi {
    /// v0.1–v0.6: `media.camera`, the class `media` (`buffer_init`, `create_link`), and from
    /// v0.6 the lower-case `media.sensor.sensor`.
    Camera,
    /// v0.7 on: `media.sensor.Sensor` and `MediaManager`.
    Manager,
}

/// How the media modules report a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failures {
    /// v0.1–v0.2: a printed message and -1 (0 on success).
    ReturnCodes,
    /// v0.3 on: None on success, an exception on failure.
    Exceptions,
}

/// What differs between generations, as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traits {
    /// The media modules' API.
    pub media_api: MediaApi,
    /// Return codes or exceptions.
    pub failures: Failures,
    /// `os.exitpoint` exists (from v0.3).
    pub exitpoint: bool,
    /// `os.exitpoint(flag)` returns the old flag (from v0.7; None in v0.3–v0.6).
    pub exitpoint_returns_flag: bool,
    /// `buffer_deinit()` / `MediaManager.deinit()` exits VB, so a second init in the same
    /// script works (v0.1, and from 2025-03-07). Otherwise VB stays up and the second init
    /// fails ("recording twice", oldgen facts §4.2).
    pub deinit_exits_vb: bool,
    /// Methods take a channel (`Create(chn, attr)`); false: `Create(attr)` requests one.
    pub takes_chn: bool,
    /// `SendFrame`.
    pub send_frame: SendFrameStyle,
    /// `SendFrame(..., timeout=1000)` takes a timeout (from 2025-08-20; before, 1000 ms fixed).
    pub send_frame_timeout: bool,
    /// `GetStream`.
    pub get_stream: GetStreamStyle,
    /// `pack_cnt = cur_packs` (else forced to 1: v0.7 to 2025-07-31).
    pub packs_per_get: bool,
    /// `enable_idr(chn, True)` after creating an H.264/H.265 channel (from 2025-03-19).
    pub enable_idr: bool,
    /// `PAYLOAD_TYPE_JPEG` and `mjpeg_quality_factor` (from 2025-07-25/28).
    pub jpeg: bool,
    /// `ChnAttrStr(..., bit_rate=4000, gopLen=30, src_frame_rate=30, dst_frame_rate=30)`
    /// (from 2025-02); before, `ChnAttrStr(..., gopLen=30)`.
    pub rate_attrs: bool,
    /// `StreamData.phy_addr` (from v1.0).
    pub stream_phy_addr: bool,
    /// Where output buffers live.
    pub out_bufs: OutBufPools,
    /// `MediaManager.link` returns an object with `destroy()` (from 2025-04-18).
    pub link_destroy: bool,
    /// `Sensor.snapshot(chn, timeout, dump_frame)` (from 2025-04-18; before, `snapshot(chn)`).
    pub snapshot_dump_frame: bool,
    /// The GIL is released while `GetStream`/`SendFrame`/`snapshot` wait (known only for
    /// 2026-01 on; the 2025 images are taken to hold it, the stricter case: D-038).
    pub releases_gil: bool,
    /// The IDE preview's channel.
    pub ide_channel: IdeChannel,
    /// `multimedia.rtsp_pusher` (the newest firmware, from 2026-08: oldgen facts §3).
    pub rtsp_pusher: bool,
    /// The method name `Create`'s ValueError gives: v0.7 and v1.0 say "create", as their
    /// SetOutBufs does (K@v1.0 `vencoder.py`).
    pub create_name: &'static str,
}

impl Firmware {
    /// Name used on the command line and in reports.
    pub const fn name(self) -> &'static str {
        match self {
            Self::CanMv2023Oct => "canmv-2023-10",
            Self::CanMv2023Nov => "canmv-2023-11",
            Self::CanMv2023Dec => "canmv-2023-12",
            Self::CanMv2024Mar => "canmv-2024-03",
            Self::CanMv2024Apr => "canmv-2024-04",
            Self::CanMv2024Jul => "canmv-2024-07",
            Self::CanMv2024Aug => "canmv-2024-08",
            Self::CanMv2025Apr => "canmv-2025-04",
            Self::CanMv2025Aug => "canmv-2025-08",
            Self::CanMv2026Jan => "canmv-2026-01",
            Self::CanMv2026Jul => "canmv-2026-07",
        }
    }

    /// Which firmware images it stands for, for help texts.
    pub const fn images(self) -> &'static str {
        match self {
            Self::CanMv2023Oct => "v0.1 (2023-10; media.camera, return codes)",
            Self::CanMv2023Nov => "v0.2 (2023-11)",
            Self::CanMv2023Dec => "v0.3 (2023-12) and v0.4 (2024-01)",
            Self::CanMv2024Mar => "v0.5 (2024-03)",
            Self::CanMv2024Apr => "v0.6 (2024-04)",
            Self::CanMv2024Jul => "v0.7 (2024-07)",
            Self::CanMv2024Aug => "v1.0 (2024-08) to images built 2025-02-16",
            Self::CanMv2025Apr => "images built 2025-04-08 to 2025-07-23",
            Self::CanMv2025Aug => "images built 2025-08-20 to 2026-01-28",
            Self::CanMv2026Jan => "images built 2026-01-29 to mid-2026; the manual's",
            Self::CanMv2026Jul => "images after 2026-07 (Create(attr), encoder.chn)",
        }
    }

    /// Every generation, oldest first.
    pub const ALL: [Self; 11] = [
        Self::CanMv2023Oct,
        Self::CanMv2023Nov,
        Self::CanMv2023Dec,
        Self::CanMv2024Mar,
        Self::CanMv2024Apr,
        Self::CanMv2024Jul,
        Self::CanMv2024Aug,
        Self::CanMv2025Apr,
        Self::CanMv2025Aug,
        Self::CanMv2026Jan,
        Self::CanMv2026Jul,
    ];

    /// Parses [`Firmware::name`].
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Parses a `--firmware` value; an old name or a release tag is refused with the name to
    /// use, anything else with the list.
    pub fn parse(name: &str) -> Result<Self, String> {
        if let Some(firmware) = Self::from_name(name) {
            return Ok(firmware);
        }
        if let Some((_, firmware)) = OTHER_NAMES.iter().find(|(other, _)| *other == name) {
            return Err(format!(
                "firmware {name:?} is named {} ({})",
                firmware.name(),
                firmware.images()
            ));
        }
        let known: Vec<String> = Self::ALL
            .iter()
            .map(|f| format!("{} ({})", f.name(), f.images()))
            .collect();
        Err(format!(
            "unknown firmware {name:?}: use one of {}",
            known.join(", ")
        ))
    }

    /// What this generation's Python layer does differently (firmware facts §1.1, VF §1.1).
    pub const fn traits(self) -> Traits {
        let newest = Traits {
            media_api: MediaApi::Manager,
            failures: Failures::Exceptions,
            exitpoint: true,
            exitpoint_returns_flag: true,
            deinit_exits_vb: true,
            takes_chn: true,
            send_frame: SendFrameStyle::ReturnsStatus,
            send_frame_timeout: true,
            get_stream: GetStreamStyle::TimeoutReturnsCode,
            packs_per_get: true,
            enable_idr: true,
            jpeg: true,
            rate_attrs: true,
            stream_phy_addr: true,
            out_bufs: OutBufPools::Private,
            link_destroy: true,
            snapshot_dump_frame: true,
            releases_gil: true,
            ide_channel: IdeChannel::Requested,
            create_name: "Create",
            rtsp_pusher: false,
        };
        let aug_2025 = Traits {
            out_bufs: OutBufPools::MediaConfig,
            releases_gil: false,
            ide_channel: IdeChannel::FixedLast,
            ..newest
        };
        let apr_2025 = Traits {
            send_frame: SendFrameStyle::Raises,
            send_frame_timeout: false,
            packs_per_get: false,
            jpeg: false,
            ..aug_2025
        };
        let v1 = Traits {
            create_name: "create",
            get_stream: GetStreamStyle::FixedSecondRaises,
            enable_idr: false,
            rate_attrs: false,
            link_destroy: false,
            snapshot_dump_frame: false,
            ..apr_2025
        };
        let v1 = Traits {
            deinit_exits_vb: false,
            ..v1
        };
        let v0_7 = Traits {
            send_frame: SendFrameStyle::Absent,
            get_stream: GetStreamStyle::ForeverRaises,
            stream_phy_addr: false,
            ..v1
        };
        // v0.3–v0.6: GetStream hands out every queued pack (`cur_packs`, VF §1.1).
        let v0_3 = Traits {
            media_api: MediaApi::Camera,
            exitpoint_returns_flag: false,
            packs_per_get: true,
            ..v0_7
        };
        let v0_1 = Traits {
            failures: Failures::ReturnCodes,
            exitpoint: false,
            ..v0_3
        };
        match self {
            Self::CanMv2023Oct => Traits {
                deinit_exits_vb: true,
                ..v0_1
            },
            Self::CanMv2023Nov => v0_1,
            Self::CanMv2023Dec | Self::CanMv2024Mar | Self::CanMv2024Apr => v0_3,
            Self::CanMv2024Jul => v0_7,
            Self::CanMv2024Aug => v1,
            Self::CanMv2025Apr => apr_2025,
            Self::CanMv2025Aug => aug_2025,
            Self::CanMv2026Jan => newest,
            Self::CanMv2026Jul => Traits {
                takes_chn: false,
                rtsp_pusher: true,
                ..newest
            },
        }
    }
}
