//! # venc-rtsp
//!
//! CanMV's `multimedia` RTSP server (`mm.rtsp_server()`, the `rtspserver_*` methods; firmware
//! facts §3) on the PC, so that a script streaming the simulated encoder's packs serves a real
//! RTSP stream that ffplay, VLC and GStreamer play. The board runs live555; here GStreamer's
//! RTSP server (through gstreamer-rs) does the RTSP and RTP work: no hand-written packetizer.
//!
//! What the firmware's binding does, kept here (§3.1): `init` binds the port (and fails when it
//! is taken), `createsession` mounts `/<name>` (an existing name is left as it is; sessions are
//! process-wide, as the board's map is file-static), `start` runs the server loop on its own
//! thread, `sendvideodata` accepts data while the session exists, with or without clients, and
//! drops data that does not begin with a 4-byte start code, `stop` ends every session, `deinit`
//! closes the port. Parameter sets go before every IDR (the parsers' `config-interval=-1`),
//! H.264 and H.265 over `rtph264pay`/`rtph265pay`, MJPEG over `rtpjpegpay` (RFC 2435); RTP over
//! UDP or interleaved on the RTSP connection, as the client asks; several clients share one
//! stream. What crashes the board (an unknown session's URL, a session before `init`) is an
//! error of its own kind, [`RtspError::Crash`], for the front to end the script with.

use gstreamer as gst;
use gstreamer::glib;
use gstreamer::prelude::*;
use gstreamer_app::AppSrc;
use gstreamer_rtsp_server as rtsp;
use gstreamer_rtsp_server::prelude::*;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::JoinHandle;

pub mod pusher;

/// `multi_media_type.media_h264` / `media_h265` / `media_mjpeg`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoType {
    /// `media_h264` (0).
    H264,
    /// `media_h265` (1).
    H265,
    /// `media_mjpeg` (2).
    Mjpeg,
}

impl VideoType {
    /// The firmware's value: 0, 1 or 2.
    pub fn from_value(v: i64) -> Option<Self> {
        match v {
            0 => Some(Self::H264),
            1 => Some(Self::H265),
            2 => Some(Self::Mjpeg),
            _ => None,
        }
    }

    fn launch(self) -> &'static str {
        // Data is timestamped as it arrives (`send_video`): the firmware's `timestamp` argument
        // is stored but unused, the presentation time is when the data is taken (facts §3.1).
        match self {
            Self::H264 => {
                "( appsrc name=src is-live=true format=time \
                 caps=video/x-h264,stream-format=byte-stream,alignment=au ! h264parse config-interval=-1 \
                 ! rtph264pay name=pay0 pt=96 )"
            }
            Self::H265 => {
                "( appsrc name=src is-live=true format=time \
                 caps=video/x-h265,stream-format=byte-stream,alignment=au ! h265parse config-interval=-1 \
                 ! rtph265pay name=pay0 pt=96 )"
            }
            Self::Mjpeg => {
                "( appsrc name=src is-live=true format=time \
                 caps=image/jpeg ! jpegparse ! rtpjpegpay name=pay0 pt=26 )"
            }
        }
    }
}

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum RtspError {
    /// `rtspserver_init`: the port could not be bound (the firmware prints
    /// `create rtsp server failed.` and returns -1).
    #[error("create rtsp server failed. ({0})")]
    InitFailed(String),
    /// A call the board does not survive (facts §7).
    #[error("{0}")]
    Crash(String),
    /// GStreamer refused (a plugin missing, say).
    #[error("gstreamer: {0}")]
    Gst(String),
}

/// One mounted session: its URL and the source its stream is fed through, once a client made
/// the media.
#[derive(Debug)]
struct Session {
    url: String,
    video: VideoType,
    src: Arc<Mutex<Option<Feed>>>,
    /// The G.711 source of a session made with audio.
    audio: Option<Arc<Mutex<Option<Feed>>>>,
    /// The last parameter sets sent, whether or not anyone watched: re-sent before every IDR
    /// that comes without them, as the board caches them from the session's start (§3.2).
    parameter_sets: Vec<u8>,
}

/// The source a session's stream is fed through, and the time stamp it gave last.
#[derive(Debug)]
struct Feed {
    src: AppSrc,
    /// For [`send_video_at`]: the running time and the sender's time of its first entry.
    origin: Option<(gst::ClockTime, gst::ClockTime)>,
    /// Whether the full queue was said already (once per stream).
    overflow_said: bool,
    last: Option<gst::ClockTime>,
    /// Parameter sets sent on their own (a HEADER pack): they go out with the picture after
    /// them, as the board re-sends its cached sets before every IDR (facts §3.2).
    header: Vec<u8>,
}

/// What a buffer of Annex-B data holds.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Holds {
    parameter_sets: bool,
    picture: bool,
    idr: bool,
}

/// The NAL units of Annex-B bytes (after each 3-byte start code, up to the next one; a
/// 4-byte start code's leading zero stays at the end of the unit before, which readers of the
/// header byte do not mind).
pub(crate) fn nal_units(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut at = data.windows(3).position(|w| w == [0, 0, 1]).map(|i| i + 3);
    std::iter::from_fn(move || {
        let start = at?;
        let next = data[start..]
            .windows(3)
            .position(|w| w == [0, 0, 1])
            .map(|i| start + i);
        at = next.map(|n| n + 3);
        let mut end = next.unwrap_or(data.len());
        while end > start && next.is_some() && data[end - 1] == 0 {
            end -= 1;
        }
        Some(&data[start..end])
    })
}

fn holds(video: VideoType, data: &[u8]) -> Holds {
    let mut h = Holds::default();
    for nal in nal_units(data) {
        let Some(&b) = nal.first() else { continue };
        let (set, idr, picture) = match video {
            VideoType::H264 => {
                let t = b & 0x1f;
                (matches!(t, 7 | 8), t == 5, (1..=5).contains(&t))
            }
            VideoType::H265 => {
                let t = (b >> 1) & 0x3f;
                (matches!(t, 32..=34), matches!(t, 19 | 20), t < 32)
            }
            VideoType::Mjpeg => (false, false, true),
        };
        h.parameter_sets |= set;
        h.idr |= idr;
        h.picture |= picture;
        if picture {
            // Parameter sets come before the slices of an access unit: the rest of the
            // picture's bytes need no scan.
            break;
        }
    }
    h
}

/// The audio branch of a session made with `enable_audio`.
const AUDIO_LAUNCH: &str = "appsrc name=asrc is-live=true format=time \
     caps=audio/x-mulaw,rate=8000,channels=1 ! rtppcmupay name=pay1 pt=0";

/// The board's session thread takes one entry every 10 ms (facts §3.2): no two entries are
/// closer in time than that.
const ENTRY_PERIOD: gst::ClockTime = gst::ClockTime::from_mseconds(10);

/// Sessions by name, for the whole process: the board's map is file-static, shared by every
/// server object (facts §3.1).
static SESSIONS: Mutex<BTreeMap<String, Session>> = Mutex::new(BTreeMap::new());

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts GStreamer (and so reads or rebuilds its plugin registry) now: a caller about to
/// confine the process does it first, as a registry rebuild runs a helper program.
pub fn warm_up() -> Result<(), RtspError> {
    gst_init()
}

fn gst_init() -> Result<(), RtspError> {
    static INIT: OnceLock<Result<(), String>> = OnceLock::new();
    INIT.get_or_init(|| gst::init().map_err(|e| e.to_string()))
        .clone()
        .map_err(RtspError::Gst)
}

#[derive(Default)]
struct Running {
    server: Option<rtsp::RTSPServer>,
    context: Option<glib::MainContext>,
    source: Option<glib::Source>,
    main_loop: Option<glib::MainLoop>,
    thread: Option<JoinHandle<()>>,
    host: String,
    port: u16,
}

/// `mm.rtsp_server()`: one server object.
#[derive(Default)]
pub struct RtspServer {
    state: Mutex<Running>,
}

impl std::fmt::Debug for RtspServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let st = lock(&self.state);
        f.debug_struct("RtspServer")
            .field("host", &st.host)
            .field("port", &st.port)
            .field("listening", &st.source.is_some())
            .finish()
    }
}

impl RtspServer {
    /// A server object; nothing is bound until [`RtspServer::init`].
    pub fn new() -> Self {
        Self::default()
    }

    /// `rtspserver_init(port)`: binds `host:port` now (no second-init guard, as on the board).
    pub fn init(&self, host: &str, port: u16) -> Result<(), RtspError> {
        gst_init()?;
        let server = rtsp::RTSPServer::new();
        server.set_address(host);
        server.set_service(&port.to_string());
        let source = server
            .create_source(None::<&rtsp::gio::Cancellable>)
            .map_err(|e| RtspError::InitFailed(e.to_string()))?;
        let context = glib::MainContext::new();
        source.attach(Some(&context));
        let mut st = lock(&self.state);
        st.server = Some(server);
        st.context = Some(context);
        st.source = Some(source);
        st.host = host.to_owned();
        st.port = port;
        Ok(())
    }

    /// The port the server listens on (the one asked for, or the one the OS chose for 0).
    pub fn bound_port(&self) -> Option<u16> {
        let st = lock(&self.state);
        let port = st.server.as_ref()?.bound_port();
        u16::try_from(port).ok()
    }

    /// `rtspserver_createsession(name, video_type, enable_audio)`: mounts `/<name>`. An
    /// existing name is left as it is (`Ok(false)`; the firmware prints `stream session has
    /// already been created` and returns 0).
    pub fn create_session(
        &self,
        name: &str,
        video: VideoType,
        audio: bool,
    ) -> Result<bool, RtspError> {
        let st = lock(&self.state);
        let Some(server) = st.server.as_ref() else {
            return Err(RtspError::Crash(
                "rtspserver_createsession before rtspserver_init: the board dereferences a \
                 null live555 environment and crashes"
                    .into(),
            ));
        };
        let mut sessions = lock(&SESSIONS);
        if sessions.contains_key(name) {
            return Ok(false);
        }
        let factory = rtsp::RTSPMediaFactory::new();
        factory.set_launch(&if audio {
            // The board's G.711 subsession: µ-law, 8 kHz mono, payload type 0 (facts §2.5).
            format!("{} {AUDIO_LAUNCH} )", video.launch().trim_end_matches(')'))
        } else {
            video.launch().to_string()
        });
        factory.set_shared(true);
        let slot: Arc<Mutex<Option<Feed>>> = Arc::default();
        let audio_slot: Option<Arc<Mutex<Option<Feed>>>> = audio.then(Arc::default);
        let for_media = Arc::clone(&slot);
        let audio_for_media = audio_slot.clone();
        factory.connect_media_configure(move |_, media| {
            let bin = media.element().downcast::<gst::Bin>().ok();
            let feed = |name: &str| {
                let src = bin
                    .as_ref()
                    .and_then(|bin| bin.by_name_recurse_up(name))
                    .and_then(|e| e.downcast::<AppSrc>().ok())?;
                // A client that does not read holds the stream back; what waits for it is
                // bounded, the oldest dropped first, as live555's 8-entry queue drops (§3.2).
                src.set_property("max-bytes", QUEUE_BYTES);
                src.set_property_from_str("leaky-type", "downstream");
                Some(Feed {
                    src,
                    origin: None,
                    overflow_said: false,
                    last: None,
                    header: Vec::new(),
                })
            };
            *lock(&for_media) = feed("src");
            if let Some(slot) = &audio_for_media {
                *lock(slot) = feed("asrc");
            }
        });
        let mounts = server
            .mount_points()
            .ok_or_else(|| RtspError::Gst("the server has no mount points".into()))?;
        mounts.add_factory(&format!("/{name}"), factory);
        let url = if st.port == 554 {
            format!("rtsp://{}/{name}", st.host)
        } else {
            format!("rtsp://{}:{}/{name}", st.host, st.port)
        };
        sessions.insert(
            name.to_owned(),
            Session {
                url,
                video,
                src: slot,
                audio: audio_slot,
                parameter_sets: Vec::new(),
            },
        );
        Ok(true)
    }

    /// `rtspserver_start()`: the server loop, on its own thread; clients connect from now on.
    pub fn start(&self) -> Result<(), RtspError> {
        let mut st = lock(&self.state);
        if st.thread.is_some() {
            return Ok(());
        }
        let Some(context) = st.context.clone() else {
            return Err(RtspError::Crash(
                "rtspserver_start before rtspserver_init: no live555 environment".into(),
            ));
        };
        let main_loop = glib::MainLoop::new(Some(&context), false);
        let run = main_loop.clone();
        let thread = std::thread::Builder::new()
            .name("rtsp-server".into())
            .spawn(move || {
                let _ = context.with_thread_default(|| run.run());
            })
            .map_err(|e| RtspError::Gst(format!("server thread: {e}")))?;
        st.main_loop = Some(main_loop);
        st.thread = Some(thread);
        Ok(())
    }

    /// `rtspserver_stop()`: ends every session (process-wide, as the board's) and the loop.
    /// The mounts stay until [`RtspServer::deinit`].
    pub fn stop(&self) {
        for (_, session) in std::mem::take(&mut *lock(&SESSIONS)) {
            if let Some(feed) = lock(&session.src).take() {
                let _ = feed.src.end_of_stream();
            }
        }
        let (main_loop, thread, context) = {
            let mut st = lock(&self.state);
            (st.main_loop.take(), st.thread.take(), st.context.clone())
        };
        if let (Some(l), Some(ctx)) = (main_loop, context) {
            // Quit from inside the loop: a quit before `run` began would be forgotten.
            ctx.invoke(move || l.quit());
        }
        if let Some(t) = thread {
            let _ = t.join();
        }
    }

    /// `rtspserver_deinit()`: closes the listening socket and drops the clients; nothing if
    /// never initialised.
    pub fn deinit(&self) {
        self.stop();
        let mut st = lock(&self.state);
        if let Some(server) = st.server.take() {
            server.client_filter(Some(&mut |_, _| rtsp::RTSPFilterResult::Remove));
        }
        if let Some(source) = st.source.take() {
            source.destroy();
        }
        st.context = None;
    }

    /// `rtspserver_destroysession(name)`: the board erases the name from its map even when it
    /// is not there (undefined behaviour), which is a crash here.
    pub fn destroy_session(&self, name: &str) -> Result<(), RtspError> {
        let removed = lock(&SESSIONS).remove(name);
        match removed {
            Some(session) => {
                if let Some(feed) = lock(&session.src).take() {
                    let _ = feed.src.end_of_stream();
                }
                if let Some(mounts) = lock(&self.state)
                    .server
                    .as_ref()
                    .and_then(|s| s.mount_points())
                {
                    mounts.remove_factory(&format!("/{name}"));
                }
                Ok(())
            }
            None => Err(RtspError::Crash(format!(
                "rtspserver_destroysession(\"{name}\"): no such session; the board erases end() \
                 of its session map (undefined behaviour)"
            ))),
        }
    }
}

/// `rtspserver_getrtspurl(name)`: the URL recorded at createsession. An unknown name is
/// `strlen(NULL)` in the binding: a crash.
pub fn session_url(name: &str) -> Result<String, RtspError> {
    lock(&SESSIONS)
        .get(name)
        .map(|s| s.url.clone())
        .ok_or_else(|| {
            RtspError::Crash(format!(
                "rtspserver_getrtspurl(\"{name}\"): no such session; the binding calls \
                 strlen(NULL) and the board crashes"
            ))
        })
}

/// What `sendvideodata` did with the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// Into the stream (to whoever watches).
    Streamed,
    /// Taken, but no client is watching: dropped, as the board's replicator has no reader.
    NoClient,
    /// Not starting with a 4-byte start code: dropped silently (facts §3.2).
    Dropped,
}

/// The most a session keeps waiting for slow clients: beyond it the oldest data goes.
pub const QUEUE_BYTES: u64 = 4 << 20;

/// The bytes a session's stream holds, waiting to be sent (at most about [`QUEUE_BYTES`]);
/// `None` when no client made its stream yet.
pub fn queued_bytes(name: &str) -> Option<u64> {
    let slot = Arc::clone(&lock(&SESSIONS).get(name)?.src);
    lock(&slot)
        .as_ref()
        .map(|feed| feed.src.current_level_bytes())
}

/// `rtspserver_sendvideodata(name, data, size, timestamp)`: `None` when the session does not
/// exist (the firmware's -1), else what became of the data (0 in every case). Stamped when
/// it arrives: the firmware stores the timestamp argument and never reads it (facts §3.1).
pub fn send_video(name: &str, data: &[u8]) -> Option<Sent> {
    send(name, data, None)
}

/// [`send_video`] for a sender that owns the timeline (`venc encode --rtsp`): the data is
/// stamped `at` after the session's first stamped entry, so its RTP time stamps are exactly
/// 90 kHz × its presentation times (whatever the host's scheduling did to its arrival).
pub fn send_video_at(name: &str, data: &[u8], at: std::time::Duration) -> Option<Sent> {
    send(name, data, Some(at))
}

fn send(name: &str, data: &[u8], at: Option<std::time::Duration>) -> Option<Sent> {
    let mut sessions = lock(&SESSIONS);
    let session = sessions.get_mut(name)?;
    let video = session.video;
    let starts = match video {
        VideoType::Mjpeg => data.starts_with(&[0xFF, 0xD8]),
        _ => data.starts_with(&[0, 0, 0, 1]),
    };
    if !starts {
        return Some(Sent::Dropped);
    }
    let what = holds(video, data);
    if what.parameter_sets && !what.picture {
        session.parameter_sets = data.to_vec();
    }
    let cached = (what.idr && !what.parameter_sets).then(|| session.parameter_sets.clone());
    let slot = Arc::clone(&session.src);
    drop(sessions);
    let mut feed = lock(&slot);
    let Some(feed) = feed.as_mut() else {
        return Some(Sent::NoClient);
    };
    if what.parameter_sets && !what.picture {
        // Sent with the picture after them, in one access unit.
        feed.header.extend_from_slice(data);
        return Some(Sent::Streamed);
    }
    let mut bytes = std::mem::take(&mut feed.header);
    if bytes.is_empty()
        && let Some(sets) = cached
    {
        bytes = sets;
    }
    bytes.extend_from_slice(data);
    if feed.src.current_level_bytes() + bytes.len() as u64 > QUEUE_BYTES && !feed.overflow_said {
        log::warn!(
            "rtsp session {name}: a client is not reading; the stream's queue is full \
             ({} MiB) and its oldest data goes (docs/divergences.md D-065)",
            QUEUE_BYTES >> 20
        );
        feed.overflow_said = true;
    }
    let pts = match at {
        None => stamp(&feed.src, feed.last),
        Some(at) => {
            let at =
                gst::ClockTime::from_nseconds(u64::try_from(at.as_nanos()).unwrap_or(u64::MAX));
            let (origin, at0) = *feed
                .origin
                .get_or_insert_with(|| (stamp(&feed.src, feed.last), at));
            // Never before the entry ahead of it: a sender's times only go forward.
            let pts = origin + at.saturating_sub(at0);
            feed.last.map_or(pts, |last| pts.max(last))
        }
    };
    feed.last = Some(pts);
    let mut buffer = gst::Buffer::from_slice(bytes);
    if let Some(b) = buffer.get_mut() {
        b.set_pts(pts);
    }
    Some(match feed.src.push_buffer(buffer) {
        Ok(_) => Sent::Streamed,
        Err(_) => Sent::NoClient,
    })
}

/// The time stamp of the next entry: the source's running time, but never closer than
/// [`ENTRY_PERIOD`] to the last one. The running time is read only while the source is
/// playing: during the pipeline's move to PLAYING a source holds the clock before its base
/// time, and clock minus a zero base is the host's uptime, a stamp hours ahead that the
/// synchronised sinks would hold forever.
fn stamp(src: &AppSrc, last: Option<gst::ClockTime>) -> gst::ClockTime {
    let now = if src.current_state() == gst::State::Playing {
        src.current_running_time()
    } else {
        None
    };
    match (now, last) {
        (Some(now), Some(last)) if now >= last + ENTRY_PERIOD => now,
        (Some(now), None) => now,
        (_, Some(last)) => last + ENTRY_PERIOD,
        (None, None) => gst::ClockTime::ZERO,
    }
}

/// `rtspserver_sendaudiodata(name, data, size, timestamp)`: `None` when the session does not
/// exist (-1); otherwise the data (G.711 µ-law, one frame per call) goes out on the session's
/// audio subsession if it has one, stamped when it arrives, as the video is (facts §2.5).
pub fn send_audio(name: &str, data: &[u8]) -> Option<Sent> {
    let sessions = lock(&SESSIONS);
    let session = sessions.get(name)?;
    let Some(slot) = session.audio.clone() else {
        return Some(Sent::Dropped);
    };
    drop(sessions);
    let mut feed = lock(&slot);
    let Some(feed) = feed.as_mut() else {
        return Some(Sent::NoClient);
    };
    let pts = stamp(&feed.src, feed.last);
    feed.last = Some(pts);
    let mut buffer = gst::Buffer::from_slice(data.to_vec());
    if let Some(b) = buffer.get_mut() {
        b.set_pts(pts);
        b.set_duration(gst::ClockTime::from_nseconds(data.len() as u64 * 125_000));
    }
    Some(match feed.src.push_buffer(buffer) {
        Ok(_) => Sent::Streamed,
        Err(_) => Sent::NoClient,
    })
}

/// Whether a session of that name exists.
pub fn has_session(name: &str) -> bool {
    lock(&SESSIONS).contains_key(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn appsrc() -> AppSrc {
        gst_init().expect("gstreamer");
        gst::ElementFactory::make("appsrc")
            .build()
            .expect("appsrc")
            .downcast::<AppSrc>()
            .expect("an AppSrc")
    }

    #[test]
    fn a_source_given_its_clock_before_its_base_time_is_not_stamped_with_the_uptime() {
        let src = appsrc();
        // What a source holds for an instant while its pipeline goes to PLAYING.
        src.set_clock(Some(&gst::SystemClock::obtain()))
            .expect("a clock taken");
        assert_eq!(src.base_time(), Some(gst::ClockTime::ZERO));
        let uptime = src.current_running_time().expect("a clock");
        assert!(uptime > gst::ClockTime::ZERO);
        assert_eq!(stamp(&src, None), gst::ClockTime::ZERO);
        let last = gst::ClockTime::from_seconds(1);
        assert_eq!(stamp(&src, Some(last)), last + ENTRY_PERIOD);
    }

    #[test]
    fn a_playing_source_is_stamped_with_its_running_time_at_least_one_period_apart() {
        let src = appsrc();
        src.set_is_live(true);
        let pipeline = gst::Pipeline::new();
        let sink = gst::ElementFactory::make("fakesink")
            .build()
            .expect("fakesink");
        pipeline.add_many([src.upcast_ref(), &sink]).expect("added");
        src.link(&sink).expect("linked");
        let started = std::time::Instant::now();
        pipeline.set_state(gst::State::Playing).expect("playing");
        while src.current_state() != gst::State::Playing {
            assert!(started.elapsed().as_secs() < 5, "the source never played");
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        let first = stamp(&src, None);
        let bound = gst::ClockTime::try_from(started.elapsed()).expect("a duration");
        assert!(first <= bound, "{first} > {bound}");
        // A second entry at once is one period after the first.
        assert_eq!(stamp(&src, Some(first)), first + ENTRY_PERIOD);
        // An entry long after the last one takes the running time.
        let long_ago = gst::ClockTime::ZERO;
        std::thread::sleep(std::time::Duration::from_millis(30));
        let later = stamp(&src, Some(long_ago));
        assert!(later >= gst::ClockTime::from_mseconds(30), "{later}");
        pipeline.set_state(gst::State::Null).expect("stopped");
    }
}
