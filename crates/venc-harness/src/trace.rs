//! Call traces: every MPI call a program makes, on any backend, as JSON lines, and a diff that
//! says where two traces first differ in behaviour.
//!
//! [`TracingMpi`] wraps a backend (`Arc<dyn Mpi>`: the simulator or the board client alike) and
//! writes one line per call: `{"t_us", "dur_us", "call", "chn", "args", "result", "packs"}`.
//! [`diff`] compares behaviour only — which calls, on which channel, with which result code,
//! and the types of the packs that came out — not addresses, sizes or times, and not the polls
//! whose count depends on timing (a GetStream that found nothing, a query of the status, memory
//! reads and writes, releases), so a simulator run and a board run of the same program compare.

use serde::{Deserialize, Serialize};
use serde_json::{Value::Null, json};
use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use venc_core::features::COEF_NUM;
use venc_core::{
    Border, Chn, ChnAttr, ChnStatus, H264Entropy, H265Sao, MemError, Mpi, OsdRegion, Pack, PoolId,
    VencError, VideoFrameInfo,
};

/// One traced call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Microseconds from the first call.
    pub t_us: u64,
    /// How long the call took, µs.
    pub dur_us: u64,
    /// The MPI function (`kd_mpi_venc_send_frame`, …).
    pub call: String,
    /// The channel, for VENC calls.
    #[serde(default)]
    pub chn: Option<u32>,
    /// The other arguments.
    #[serde(default)]
    pub args: serde_json::Value,
    /// `ok`, or the error (`K_ERR_VENC_BUSY`, a media-memory message).
    pub result: String,
    /// The types of the packs a successful get_stream returned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packs: Option<Vec<String>>,
}

/// A `Write` that keeps what is written, shared by its clones: a trace kept in memory for
/// the caller to read back once the tracer is done (tests, tools that diff in-process).
#[derive(Debug, Clone, Default)]
pub struct SharedBytes(Arc<Mutex<Vec<u8>>>);

impl SharedBytes {
    /// Everything written so far, as text (a trace is UTF-8).
    pub fn text(&self) -> String {
        let bytes = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for SharedBytes {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where a trace reads its times: the host's clock by default, the board's for a simulator
/// whose clock is not the host's (a deterministic run's trace is then the same every time).
pub type TraceClock = Box<dyn Fn() -> Duration + Send + Sync>;

/// A backend that writes every call to `out` before answering it.
pub struct TracingMpi<W: Write + Send> {
    inner: Arc<dyn Mpi>,
    out: Mutex<TraceOut<W>>,
    now: TraceClock,
}

struct TraceOut<W> {
    writer: W,
    /// The first write error: later lines are not written, [`TracingMpi::finish`] reports it.
    failed: Option<std::io::Error>,
}

impl<W: Write + Send> std::fmt::Debug for TracingMpi<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TracingMpi")
            .field("backend", &self.inner.backend_name())
            .finish_non_exhaustive()
    }
}

impl<W: Write + Send> TracingMpi<W> {
    /// Traces every call to `inner` into `out`, timed by the host's clock.
    pub fn new(inner: Arc<dyn Mpi>, out: W) -> Self {
        let t0 = Instant::now();
        Self::on_clock(inner, out, Box::new(move || t0.elapsed()))
    }

    /// Traces every call to `inner` into `out`, timed by `now` (time since the trace began).
    pub fn on_clock(inner: Arc<dyn Mpi>, out: W, now: TraceClock) -> Self {
        Self {
            inner,
            out: Mutex::new(TraceOut {
                writer: out,
                failed: None,
            }),
            now,
        }
    }

    /// Flushes the trace; the first write error of the run, if any.
    pub fn finish(&self) -> std::io::Result<()> {
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(e) = out.failed.take() {
            return Err(e);
        }
        out.writer.flush()
    }

    fn record<T>(
        &self,
        call: &str,
        chn: Option<Chn>,
        args: serde_json::Value,
        started: Duration,
        result: &Result<T, String>,
        packs: Option<Vec<String>>,
    ) {
        let event = Event {
            t_us: started.as_micros() as u64,
            dur_us: (self.now)().saturating_sub(started).as_micros() as u64,
            call: call.to_owned(),
            chn,
            args,
            result: match result {
                Ok(_) => "ok".into(),
                Err(e) => e.clone(),
            },
            packs,
        };
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        if out.failed.is_some() {
            return;
        }
        let line = serde_json::to_string(&event).unwrap_or_default();
        if let Err(e) = writeln!(out.writer, "{line}") {
            out.failed = Some(e);
        }
    }

    /// Runs a VENC call on channel `chn` and records it.
    fn venc<T>(
        &self,
        call: &str,
        chn: Chn,
        args: serde_json::Value,
        f: impl FnOnce() -> Result<T, VencError>,
    ) -> Result<T, VencError> {
        self.traced(call, Some(chn), args, f)
    }

    /// Runs a call that answers with a VENC code and records it.
    fn traced<T>(
        &self,
        call: &str,
        chn: Option<Chn>,
        args: serde_json::Value,
        f: impl FnOnce() -> Result<T, VencError>,
    ) -> Result<T, VencError> {
        let started = (self.now)();
        let r = f();
        let shown = r.as_ref().map(|_| ()).map_err(|e| e.name().to_owned());
        self.record(call, chn, args, started, &shown, None);
        r
    }

    /// Runs a VENC call that reads a value back and records it, the value as `args.got` (so a
    /// diff sees what each backend answered, not only that it answered).
    fn getter<T: Serialize>(
        &self,
        call: &str,
        chn: Chn,
        mut args: serde_json::Value,
        f: impl FnOnce() -> Result<T, VencError>,
    ) -> Result<T, VencError> {
        let started = (self.now)();
        let r = f();
        if let Ok(v) = &r {
            let got = serde_json::to_value(v).unwrap_or_default();
            match &mut args {
                serde_json::Value::Object(map) => {
                    map.insert("got".into(), got);
                }
                other => *other = serde_json::json!({ "got": got }),
            }
        }
        let shown = r.as_ref().map(|_| ()).map_err(|e| e.name().to_owned());
        self.record(call, Some(chn), args, started, &shown, None);
        r
    }

    /// Runs a media-memory call and records it.
    fn mem<T>(
        &self,
        call: &str,
        args: serde_json::Value,
        f: impl FnOnce() -> Result<T, MemError>,
    ) -> Result<T, MemError> {
        let started = (self.now)();
        let r = f();
        let shown = r.as_ref().map(|_| ()).map_err(ToString::to_string);
        self.record(call, None, args, started, &shown, None);
        r
    }
}

impl<W: Write + Send> TracingMpi<W> {
    /// One `kd_mpi_venc_get_stream` line: the packs' types when it succeeded.
    fn record_get_stream(
        &self,
        chn: Chn,
        (max_packs, timeout_ms): (u32, i32),
        started: std::time::Duration,
        r: &Result<(), VencError>,
        out: &[Pack],
    ) {
        let args = serde_json::json!({ "max_packs": max_packs, "timeout": timeout_ms });
        let packs = r
            .is_ok()
            .then(|| out.iter().map(|p| p.pack_type.name().to_owned()).collect());
        let shown = r.as_ref().map(|_| ()).map_err(|e| e.name().to_owned());
        self.record(
            "kd_mpi_venc_get_stream",
            Some(chn),
            args,
            started,
            &shown,
            packs,
        );
    }
}

impl<W: Write + Send> Mpi for TracingMpi<W> {
    fn backend_name(&self) -> &str {
        self.inner.backend_name()
    }
    fn media_inited(&self) -> bool {
        self.inner.media_inited()
    }
    fn backend_fault(&self) -> Option<String> {
        self.inner.backend_fault()
    }
    fn inject_fault(&self, spec: &venc_core::FaultSpec) -> Result<(), VencError> {
        // Traced, so a diff of two runs shows where one was given a fault and the other not.
        let args = serde_json::json!({ "spec": spec.to_string() });
        self.traced("inject_fault", None, args, || self.inner.inject_fault(spec))
    }
    fn faults_injected(&self) -> [(&'static str, u64); 7] {
        self.inner.faults_injected()
    }
    fn request_chn(&self) -> Result<Chn, VencError> {
        let started = (self.now)();
        let r = self.inner.request_chn();
        let shown = r.map(drop).map_err(|e| e.name().to_owned());
        let args = serde_json::json!({ "chn": r.ok() });
        self.record("kd_mpi_venc_request_chn", None, args, started, &shown, None);
        r
    }
    fn release_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.venc(
            "kd_mpi_venc_release_chn",
            chn,
            serde_json::Value::Null,
            || self.inner.release_chn(chn),
        )
    }
    fn create_chn(&self, chn: Chn, attr: &ChnAttr) -> Result<(), VencError> {
        let args = serde_json::to_value(attr).unwrap_or_default();
        self.venc("kd_mpi_venc_create_chn", chn, args, || {
            self.inner.create_chn(chn, attr)
        })
    }
    fn destroy_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.venc(
            "kd_mpi_venc_destroy_chn",
            chn,
            serde_json::Value::Null,
            || self.inner.destroy_chn(chn),
        )
    }
    fn start_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.venc(
            "kd_mpi_venc_start_chn",
            chn,
            serde_json::Value::Null,
            || self.inner.start_chn(chn),
        )
    }
    fn stop_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.venc("kd_mpi_venc_stop_chn", chn, serde_json::Value::Null, || {
            self.inner.stop_chn(chn)
        })
    }
    fn enable_idr(&self, chn: Chn, enable: bool) -> Result<(), VencError> {
        let args = serde_json::json!({ "enable": enable });
        self.venc("kd_mpi_venc_enable_idr", chn, args, || {
            self.inner.enable_idr(chn, enable)
        })
    }
    fn request_idr(&self, chn: Chn) -> Result<(), VencError> {
        self.venc(
            "kd_mpi_venc_request_idr",
            chn,
            serde_json::Value::Null,
            || self.inner.request_idr(chn),
        )
    }
    fn released_pts(&self, chn: Chn) -> Result<Option<u64>, VencError> {
        // Not a board call: nothing to trace.
        self.inner.released_pts(chn)
    }
    fn query_status(&self, chn: Chn) -> Result<ChnStatus, VencError> {
        let started = (self.now)();
        let r = self.inner.query_status(chn);
        let args = match &r {
            Ok(st) => serde_json::to_value(st).unwrap_or_default(),
            Err(_) => serde_json::Value::Null,
        };
        let shown = r.as_ref().map(|_| ()).map_err(|e| e.name().to_owned());
        self.record(
            "kd_mpi_venc_query_status",
            Some(chn),
            args,
            started,
            &shown,
            None,
        );
        r
    }
    fn send_frame(
        &self,
        chn: Chn,
        frame: &VideoFrameInfo,
        timeout_ms: i32,
    ) -> Result<(), VencError> {
        let args = serde_json::json!({
            "timeout": timeout_ms,
            "width": frame.width,
            "height": frame.height,
            "pts": frame.pts,
            "phys_addr": frame.phys_addr,
        });
        self.venc("kd_mpi_venc_send_frame", chn, args, || {
            self.inner.send_frame(chn, frame, timeout_ms)
        })
    }
    fn get_stream(
        &self,
        chn: Chn,
        max_packs: u32,
        timeout_ms: i32,
        out: &mut Vec<Pack>,
    ) -> Result<(), VencError> {
        let started = (self.now)();
        let r = self.inner.get_stream(chn, max_packs, timeout_ms, out);
        self.record_get_stream(chn, (max_packs, timeout_ms), started, &r, out);
        r
    }

    fn channel_incarnation(&self, chn: Chn) -> Result<u64, VencError> {
        self.inner.channel_incarnation(chn)
    }

    fn get_stream_since(
        &self,
        chn: Chn,
        since: u64,
        max_packs: u32,
        timeout_ms: i32,
        out: &mut Vec<Pack>,
    ) -> Result<(), VencError> {
        let started = (self.now)();
        let r = self
            .inner
            .get_stream_since(chn, since, max_packs, timeout_ms, out);
        self.record_get_stream(chn, (max_packs, timeout_ms), started, &r, out);
        r
    }
    fn release_stream(&self, chn: Chn, pack_cnt: u32) -> Result<(), VencError> {
        let args = serde_json::json!({ "pack_cnt": pack_cnt });
        self.venc("kd_mpi_venc_release_stream", chn, args, || {
            self.inner.release_stream(chn, pack_cnt)
        })
    }
    fn attach_vb_pool(&self, chn: Chn, pool: PoolId) -> Result<(), VencError> {
        let args = serde_json::json!({ "pool": pool });
        self.venc("kd_mpi_venc_attach_vb_pool", chn, args, || {
            self.inner.attach_vb_pool(chn, pool)
        })
    }
    fn detach_vb_pool(&self, chn: Chn) -> Result<(), VencError> {
        self.venc(
            "kd_mpi_venc_detach_vb_pool",
            chn,
            serde_json::Value::Null,
            || self.inner.detach_vb_pool(chn),
        )
    }
    fn attach_vb_pool_ex(&self, chn: Chn, pool: PoolId, buff_num: i32) -> Result<(), VencError> {
        let args = json!({ "pool": pool, "buff_num": buff_num });
        self.venc("kd_mpi_venc_attach_vb_pool_ex", chn, args, || {
            self.inner.attach_vb_pool_ex(chn, pool, buff_num)
        })
    }
    fn set_intbuf_size(&self, chn: Chn, size: u32) -> Result<(), VencError> {
        self.venc(
            "kd_mpi_venc_set_intbuf_size",
            chn,
            json!({ "size": size }),
            || self.inner.set_intbuf_size(chn, size),
        )
    }
    fn set_rotation(&self, chn: Chn, rotation: u32) -> Result<(), VencError> {
        let args = json!({ "rotation": rotation });
        self.venc("kd_mpi_venc_set_rotation", chn, args, || {
            self.inner.set_rotation(chn, rotation)
        })
    }
    fn get_rotation(&self, chn: Chn) -> Result<u32, VencError> {
        self.getter("kd_mpi_venc_get_rotation", chn, Null, || {
            self.inner.get_rotation(chn)
        })
    }
    fn set_mirror(&self, chn: Chn, mirror: u32) -> Result<(), VencError> {
        let args = json!({ "mirror": mirror });
        self.venc("kd_mpi_venc_set_mirror", chn, args, || {
            self.inner.set_mirror(chn, mirror)
        })
    }
    fn get_mirror(&self, chn: Chn) -> Result<u32, VencError> {
        self.getter("kd_mpi_venc_get_mirror", chn, Null, || {
            self.inner.get_mirror(chn)
        })
    }
    fn set_dblk(&self, chn: Chn, enable: u32) -> Result<(), VencError> {
        let args = json!({ "dblk_en": enable });
        self.venc("kd_mpi_venc_set_dblk", chn, args, || {
            self.inner.set_dblk(chn, enable)
        })
    }
    fn get_dblk(&self, chn: Chn) -> Result<u32, VencError> {
        self.getter("kd_mpi_venc_get_dblk", chn, Null, || {
            self.inner.get_dblk(chn)
        })
    }
    fn set_h265_sao(&self, chn: Chn, sao: &H265Sao) -> Result<(), VencError> {
        let args = serde_json::to_value(sao).unwrap_or_default();
        self.venc("kd_mpi_venc_set_h265_sao", chn, args, || {
            self.inner.set_h265_sao(chn, sao)
        })
    }
    fn get_h265_sao(&self, chn: Chn) -> Result<H265Sao, VencError> {
        self.getter("kd_mpi_venc_get_h265_sao", chn, Null, || {
            self.inner.get_h265_sao(chn)
        })
    }
    fn set_h264_entropy(&self, chn: Chn, entropy: &H264Entropy) -> Result<(), VencError> {
        let args = serde_json::to_value(entropy).unwrap_or_default();
        self.venc("kd_mpi_venc_set_h264_entropy", chn, args, || {
            self.inner.set_h264_entropy(chn, entropy)
        })
    }
    fn get_h264_entropy(&self, chn: Chn) -> Result<H264Entropy, VencError> {
        self.getter("kd_mpi_venc_get_h264_entropy", chn, Null, || {
            self.inner.get_h264_entropy(chn)
        })
    }
    fn set_h265_entropy(&self, chn: Chn, cabac_init_flag: u8) -> Result<(), VencError> {
        let args = json!({ "cabac_init_flag": cabac_init_flag });
        self.venc("kd_mpi_venc_set_h265_entropy", chn, args, || {
            self.inner.set_h265_entropy(chn, cabac_init_flag)
        })
    }
    fn get_h265_entropy(&self, chn: Chn) -> Result<u8, VencError> {
        self.getter("kd_mpi_venc_get_h265_entropy", chn, Null, || {
            self.inner.get_h265_entropy(chn)
        })
    }
    fn attach_2d(&self, chn: Chn) -> Result<(), VencError> {
        self.venc("kd_mpi_venc_attach_2d", chn, Null, || {
            self.inner.attach_2d(chn)
        })
    }
    fn detach_2d(&self, chn: Chn) -> Result<(), VencError> {
        self.venc("kd_mpi_venc_detach_2d", chn, Null, || {
            self.inner.detach_2d(chn)
        })
    }
    fn set_2d_mode(&self, chn: Chn, mode: u32) -> Result<(), VencError> {
        self.venc(
            "kd_mpi_venc_set_2d_mode",
            chn,
            json!({ "mode": mode }),
            || self.inner.set_2d_mode(chn, mode),
        )
    }
    fn get_2d_mode(&self, chn: Chn) -> Result<u32, VencError> {
        self.getter("kd_mpi_venc_get_2d_mode", chn, Null, || {
            self.inner.get_2d_mode(chn)
        })
    }
    fn set_2d_osd(&self, chn: Chn, index: u8, region: &OsdRegion) -> Result<(), VencError> {
        // The picture's address is the backend's: left out, as everywhere in a trace's
        // behaviour; the region's size, place, alphas, order, colour and format stay.
        let mut args = serde_json::to_value(region).unwrap_or_default();
        if let serde_json::Value::Object(map) = &mut args {
            map.remove("phys_addr");
            map.insert("index".into(), index.into());
        }
        self.venc("kd_mpi_venc_set_2d_osd_param", chn, args, || {
            self.inner.set_2d_osd(chn, index, region)
        })
    }
    fn get_2d_osd(&self, chn: Chn, index: u8) -> Result<OsdRegion, VencError> {
        let started = (self.now)();
        let r = self.inner.get_2d_osd(chn, index);
        let mut got = r
            .as_ref()
            .map_or(Null, |v| serde_json::to_value(v).unwrap_or_default());
        if let serde_json::Value::Object(map) = &mut got {
            map.remove("phys_addr");
        }
        let args = json!({ "index": index, "got": got });
        let shown = r.as_ref().map(|_| ()).map_err(|e| e.name().to_owned());
        self.record(
            "kd_mpi_venc_get_2d_osd_param",
            Some(chn),
            args,
            started,
            &shown,
            None,
        );
        r
    }
    fn set_2d_border(&self, chn: Chn, index: u8, border: &Border) -> Result<(), VencError> {
        let mut args = serde_json::to_value(border).unwrap_or_default();
        if let serde_json::Value::Object(map) = &mut args {
            map.insert("index".into(), index.into());
        }
        self.venc("kd_mpi_venc_set_2d_border_param", chn, args, || {
            self.inner.set_2d_border(chn, index, border)
        })
    }
    fn get_2d_border(&self, chn: Chn, index: u8) -> Result<Border, VencError> {
        self.getter(
            "kd_mpi_venc_get_2d_border_param",
            chn,
            json!({ "index": index }),
            || self.inner.get_2d_border(chn, index),
        )
    }
    fn set_2d_custom_coef(&self, chn: Chn, coef: &[i16; COEF_NUM]) -> Result<(), VencError> {
        self.venc(
            "kd_mpi_venc_set_2d_custom_coef",
            chn,
            json!({ "coef": coef }),
            || self.inner.set_2d_custom_coef(chn, coef),
        )
    }
    fn get_2d_custom_coef(&self, chn: Chn) -> Result<[i16; COEF_NUM], VencError> {
        self.getter("kd_mpi_venc_get_2d_custom_coef", chn, Null, || {
            self.inner.get_2d_custom_coef(chn)
        })
    }
    fn set_2d_color_gamut(&self, chn: Chn, gamut: u32) -> Result<(), VencError> {
        self.venc(
            "kd_mpi_venc_set_2d_color_gamut",
            chn,
            json!({ "gamut": gamut }),
            || self.inner.set_2d_color_gamut(chn, gamut),
        )
    }
    fn get_2d_color_gamut(&self, chn: Chn) -> Result<u32, VencError> {
        self.getter("kd_mpi_venc_get_2d_color_gamut", chn, Null, || {
            self.inner.get_2d_color_gamut(chn)
        })
    }
    fn set_2d_csc(&self, chn: Chn, dst_fmt: u32) -> Result<(), VencError> {
        self.venc(
            "kd_mpi_venc_set_2d_csc_param",
            chn,
            json!({ "dst_fmt": dst_fmt }),
            || self.inner.set_2d_csc(chn, dst_fmt),
        )
    }
    fn get_2d_csc(&self, chn: Chn) -> Result<u32, VencError> {
        self.getter("kd_mpi_venc_get_2d_csc_param", chn, Null, || {
            self.inner.get_2d_csc(chn)
        })
    }
    fn start_2d_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.venc("kd_mpi_venc_start_2d_chn", chn, Null, || {
            self.inner.start_2d_chn(chn)
        })
    }
    fn stop_2d_chn(&self, chn: Chn) -> Result<(), VencError> {
        self.venc("kd_mpi_venc_stop_2d_chn", chn, Null, || {
            self.inner.stop_2d_chn(chn)
        })
    }
    fn send_2d_frame(&self, chn: Chn, frame: &VideoFrameInfo) -> Result<(), VencError> {
        let args = json!({ "width": frame.width, "height": frame.height, "pts": frame.pts });
        self.venc("kd_mpi_venc_send_2d_frame", chn, args, || {
            self.inner.send_2d_frame(chn, frame)
        })
    }
    fn get_2d_frame(&self, chn: Chn) -> Result<VideoFrameInfo, VencError> {
        let started = (self.now)();
        let r = self.inner.get_2d_frame(chn);
        let args = r.as_ref().map_or(
            Null,
            |f| json!({ "got": { "width": f.width, "height": f.height, "pts": f.pts } }),
        );
        let shown = r.as_ref().map(|_| ()).map_err(|e| e.name().to_owned());
        self.record(
            "kd_mpi_venc_get_2d_frame",
            Some(chn),
            args,
            started,
            &shown,
            None,
        );
        r
    }
    fn create_pool(&self, blk_size: u64, blk_cnt: u32) -> Result<PoolId, MemError> {
        let args = serde_json::json!({ "blk_size": blk_size, "blk_cnt": blk_cnt });
        self.mem("kd_mpi_vb_create_pool", args, || {
            self.inner.create_pool(blk_size, blk_cnt)
        })
    }
    fn destroy_pool(&self, pool: PoolId) -> Result<(), MemError> {
        let args = serde_json::json!({ "pool": pool });
        self.mem("kd_mpi_vb_destory_pool", args, || {
            self.inner.destroy_pool(pool)
        })
    }
    fn get_block(&self, pool: PoolId) -> Result<u64, MemError> {
        let args = serde_json::json!({ "pool": pool });
        self.mem("kd_mpi_vb_get_block", args, || self.inner.get_block(pool))
    }
    fn release_block(&self, phys_addr: u64) -> Result<(), MemError> {
        let args = serde_json::json!({ "phys_addr": phys_addr });
        self.mem("kd_mpi_vb_release_block", args, || {
            self.inner.release_block(phys_addr)
        })
    }
    fn read_mem(&self, phys_addr: u64, buf: &mut [u8]) -> Result<(), MemError> {
        let args = serde_json::json!({ "phys_addr": phys_addr, "len": buf.len() });
        self.mem("read_mem", args, || self.inner.read_mem(phys_addr, buf))
    }
    fn write_mem(&self, phys_addr: u64, data: &[u8]) -> Result<(), MemError> {
        let args = serde_json::json!({ "phys_addr": phys_addr, "len": data.len() });
        self.mem("write_mem", args, || self.inner.write_mem(phys_addr, data))
    }
}
