//! `media.sensor`: the `Sensor` class and the images `snapshot()` returns.

use crate::board::{self, Board};
use crate::board::{
    CAM_CHN_ID_0, CAM_CHN_ID_1, CAM_CHN_ID_2, Crop, GRAYSCALE, MIN_SIDE, RGB565, RGB888, RGBP888,
    Rect, SENSOR_CHANNELS, SENSOR_DEVICES, Sensor, SensorError, SensorImage, SensorOptions,
    YUV420SP,
};
use crate::errors::{self, value_error};
use crate::image::PyImage;
use pyo3::exceptions::{PyAssertionError, PyOSError, PyRuntimeError, PySystemExit, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use venc_core::consts::{self, SENSOR_BUFFERS};

/// CanMV's default sensor: the camera connector the CanMV boards use (`Sensor()` = CSI2).
const DEFAULT_SENSOR_ID: u32 = 2;

/// `Sensor.<NAME>` frame sizes: name, enum value, width, height (firmware facts §2).
const FRAME_SIZES: &[(&str, u32, u32, u32)] = &[
    ("QQCIF", 0, 88, 72),
    ("QCIF", 1, 176, 144),
    ("CIF", 2, 352, 288),
    ("QSIF", 3, 176, 120),
    ("SIF", 4, 352, 240),
    ("QQVGA", 5, 160, 120),
    ("QVGA", 6, 320, 240),
    ("VGA", 7, 640, 480),
    ("HQQVGA", 8, 120, 80),
    ("HQVGA", 9, 240, 160),
    ("HVGA", 10, 480, 320),
    ("B64X64", 11, 64, 64),
    ("B128X64", 12, 128, 64),
    ("B128X128", 13, 128, 128),
    ("B160X160", 14, 160, 160),
    ("B320X320", 15, 320, 320),
    ("QQVGA2", 16, 128, 160),
    ("WVGA", 17, 720, 480),
    ("WVGA2", 18, 752, 480),
    ("SVGA", 19, 800, 600),
    ("XGA", 20, 1024, 768),
    ("WXGA", 21, 1280, 768),
    ("SXGA", 22, 1280, 1024),
    ("SXGAM", 23, 1280, 960),
    ("UXGA", 24, 1600, 1200),
    ("HD", 25, 1280, 720),
    ("FHD", 26, 1920, 1080),
    ("QHD", 27, 2560, 1440),
    ("QXGA", 28, 2048, 1536),
    ("WQXGA", 29, 2560, 1600),
    ("WQXGA2", 30, 2592, 1944),
];
/// `Sensor.FRAME_SIZE_INVAILD` (sic): the default, which maps to 0x0.
const FRAME_SIZE_INVAILD: u32 = 31;
/// The largest output per channel: chn0 3072x2160, chn1/2 1920x1080 (VF §3.3).
const CHANNEL_CAPS: [(u32, u32); 3] = [(3072, 2160), (1920, 1080), (1920, 1080)];
/// `snapshot(auto_reboot=True)`: this many failures within the window reboot the board.
const SNAPSHOT_FAILURE_LIMIT: usize = 3;
const SNAPSHOT_FAILURE_WINDOW: Duration = Duration::from_millis(10_000);

/// `media.sensor.Sensor` on the simulator. The firmware's Python module (`sensor.py`) gives
/// `snapshot` its generation's signature over `_snapshot` / `_snapshot_frame`.
#[derive(Debug)]
#[pyclass(name = "Sensor", module = "media.sensor", subclass)]
#[doc(alias = "media.sensor.Sensor")]
pub struct PySensor {
    board: Arc<Board>,
    sensor: Arc<Sensor>,
    id: u32,
    failures: Mutex<Vec<Instant>>,
}

impl PySensor {
    /// Starts one sensor, with the firmware's console line.
    fn start(py: Python<'_>, id: u32, sensor: &Sensor) -> PyResult<()> {
        sensor.run().map_err(errors::sensor)?;
        let (w, h, _) = sensor.channel(CAM_CHN_ID_0).unwrap_or((0, 0, None));
        Self::print(
            py,
            format!(
                "sensor({id}), mode 0, buffer_num {SENSOR_BUFFERS}, buffer_size {}",
                venc_core::layout::vicap_block_size(w, h, 0)
            ),
        )
    }

    fn print(py: Python<'_>, line: String) -> PyResult<()> {
        py.import("builtins")?.getattr("print")?.call1((line,))?;
        Ok(())
    }

    /// `reset()` must come first (AssertionError `should call reset() first`).
    fn check_reset(&self) -> PyResult<()> {
        if !self.sensor.is_reset() {
            return Err(errors::sensor(SensorError::NotReset));
        }
        Ok(())
    }

    fn check_chn(chn: u32) -> PyResult<()> {
        if chn >= SENSOR_CHANNELS {
            return Err(errors::sensor(SensorError::BadChannel(chn)));
        }
        Ok(())
    }

    fn snapshot_image(&self, py: Python<'_>, chn: u32, auto_reboot: bool) -> PyResult<SensorImage> {
        Self::check_chn(chn)?;
        self.check_reset()?;
        let taken = if self.board.releases_gil() {
            py.detach(|| self.sensor.snapshot(chn))
        } else {
            self.sensor.snapshot(chn)
        };
        taken.or_else(|e| {
            let now = Instant::now();
            let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
            failures.retain(|t| now.duration_since(*t) < SNAPSHOT_FAILURE_WINDOW);
            failures.push(now);
            if auto_reboot && failures.len() >= SNAPSHOT_FAILURE_LIMIT {
                Self::print(py, format!(
                    "sensor({}) snapshot chn({chn}) failed {SNAPSHOT_FAILURE_LIMIT} times in 10 s, rebooting...",
                    self.id
                ))?;
                // machine.reset(): the board reboots, the script is gone.
                return Err(PySystemExit::new_err(
                    "machine.reset(): snapshot(auto_reboot=True) rebooted the board",
                ));
            }
            Err(PyRuntimeError::new_err(format!(
                "sensor({}) snapshot chn({chn}) failed(-1): {}",
                self.id,
                errors::message(e.to_string())
            )))
        })
    }
}

#[pymethods]
impl PySensor {
    #[classattr]
    const YUV420SP: u32 = YUV420SP;
    #[classattr]
    const RGB888: u32 = RGB888;
    #[classattr]
    const RGBP888: u32 = RGBP888;
    #[classattr]
    const RGB565: u32 = RGB565;
    #[classattr]
    const GRAYSCALE: u32 = GRAYSCALE;
    #[classattr]
    const FRAME_SIZE_INVAILD: u32 = FRAME_SIZE_INVAILD;

    /// `Sensor(id=2, width=1920, height=1080, fps=60, type=None, force=False)`: keywords only,
    /// as the firmware's `__init__(self, **kwargs)`. The fps default is the firmware's (60);
    /// the Sensor manual says 30.
    #[new]
    #[pyo3(signature = (*, id = DEFAULT_SENSOR_ID, width = 1920, height = 1080, fps = 60, r#type = None, force = false))]
    fn new(
        py: Python<'_>,
        id: u32,
        width: u32,
        height: u32,
        fps: u32,
        r#type: Option<u32>,
        force: bool,
    ) -> PyResult<Self> {
        let _ = force; // the firmware's re-probe flag; the simulated sensor is always found
        if id >= SENSOR_DEVICES {
            return Err(PyAssertionError::new_err(format!("invaild sensor id {id}")));
        }
        // The modes a real sensor offers are a list; the simulated one takes any sane mode.
        let window_ok = (64..=4096).contains(&width) && (64..=2160).contains(&height);
        if fps == 0 || fps > 240 || !window_ok {
            return Err(PyRuntimeError::new_err(format!(
                "Can not found sensor on {id} (the simulated sensor offers 64x64 ~ 4096x2160 at 1 ~ 240 fps; asked {width}x{height}@{fps})"
            )));
        }
        let board = board::current();
        if !board.claim_sensor_bus(id) {
            return Err(PyOSError::new_err(format!(
                "sensor({id}) is already inited."
            )));
        }
        let spec = board.source_for(id);
        let source = match spec.sensor_source() {
            Ok(s) => s,
            Err(e) => {
                board.free_sensor_bus(id);
                return Err(value_error(e));
            }
        };
        let opts = SensorOptions {
            fps,
            timing: board.timing,
            max_width: width,
            max_height: height,
            frame_limit: None,
        };
        Self::print(
            py,
            format!(
                "find sensor sim_{}, type {}, output {width}x{height}@{fps}",
                spec.kind(),
                r#type.unwrap_or(0)
            ),
        )?;
        let sensor = Arc::new(Sensor::new(Arc::clone(&board.sim), id, source, opts));
        board.register_sensor(&sensor);
        board.enlist_sensor(id, &sensor);
        Ok(Self {
            board,
            sensor,
            id,
            failures: Mutex::new(Vec::new()),
        })
    }

    /// `reset()`.
    fn reset(&self) -> PyResult<()> {
        self.sensor.reset().map_err(errors::sensor)
    }

    /// `set_framesize(framesize=FRAME_SIZE_INVAILD, chn=CAM_CHN_ID_0, alignment=0, crop=None,
    /// **kwargs)`: the size from `w=`/`h=` or `width=`/`height=` (a pair counts only if both
    /// are given), else from the enum.
    #[pyo3(signature = (framesize = FRAME_SIZE_INVAILD, chn = CAM_CHN_ID_0, alignment = 0, crop = None, **kwargs))]
    fn set_framesize(
        &self,
        py: Python<'_>,
        framesize: u32,
        chn: u32,
        alignment: u32,
        crop: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let pair = |a: &str, b: &str| -> PyResult<Option<(u32, u32)>> {
            let Some(kw) = kwargs else { return Ok(None) };
            match (kw.get_item(a)?, kw.get_item(b)?) {
                (Some(w), Some(h)) => Ok(Some((w.extract()?, h.extract()?))),
                _ => Ok(None),
            }
        };
        let (w, h) = match (pair("w", "h")?, pair("width", "height")?) {
            (Some(size), _) | (None, Some(size)) => size,
            (None, None) => FRAME_SIZES
                .iter()
                .find(|f| f.1 == framesize)
                .map_or((0, 0), |f| (f.2, f.3)),
        };
        self.check_reset()?;
        Self::check_chn(chn)?;
        let aligned = w.next_multiple_of(16);
        if aligned != w {
            Self::print(
                py,
                format!(
                    "Warning: sensor({}) chn({chn}) set_framesize align up width to {aligned}",
                    self.id
                ),
            )?;
        }
        let (win_w, win_h) = self.sensor.window();
        let (cap_w, cap_h) = CHANNEL_CAPS[chn as usize];
        let invalid = |what: &str, v: u32| {
            PyAssertionError::new_err(format!(
                "sensor({}) chn({chn}) set_framesize invaild {what}({v})",
                self.id
            ))
        };
        if !(MIN_SIDE..=win_w.min(cap_w)).contains(&aligned) {
            return Err(invalid("width", aligned));
        }
        if !(MIN_SIDE..=win_h.min(cap_h)).contains(&h) {
            return Err(invalid("height", h));
        }
        let crop = match crop {
            None => None,
            Some(c) => match c.cast::<PyBool>() {
                Ok(on) => on.is_true().then_some(Crop::Centred),
                Err(_) => {
                    let (x, y, w, h): (u32, u32, u32, u32) = c.extract().map_err(|_| {
                        PyTypeError::new_err("set_framesize: crop must be True or (x, y, w, h)")
                    })?;
                    Some(Crop::Window(Rect { x, y, w, h }))
                }
            },
        };
        // Checked before anything changes: a refused crop leaves the channel as it was.
        if let Some(crop) = crop {
            Sensor::crop_rect(chn, crop, (aligned, h), (win_w, win_h)).map_err(errors::sensor)?;
        }
        self.sensor
            .set_framesize(aligned, h, chn, alignment)
            .map_err(errors::sensor)?;
        if let Some(crop) = crop {
            self.sensor.set_crop(chn, crop).map_err(errors::sensor)?;
        }
        Ok(())
    }

    /// `set_pixformat(pix_format, chn=CAM_CHN_ID_0)`.
    #[pyo3(signature = (pix_format, chn = CAM_CHN_ID_0))]
    fn set_pixformat(&self, pix_format: u32, chn: u32) -> PyResult<()> {
        self.sensor
            .set_pixformat(pix_format, chn)
            .map_err(errors::sensor)
    }

    /// `width(chn=0)`: the channel's width (0 until set); `chn=None`: the sensor's.
    #[pyo3(signature = (chn = Some(CAM_CHN_ID_0)))]
    fn width(&self, chn: Option<u32>) -> PyResult<u32> {
        self.size(chn).map(|s| s.0)
    }

    /// `height(chn=0)`.
    #[pyo3(signature = (chn = Some(CAM_CHN_ID_0)))]
    fn height(&self, chn: Option<u32>) -> PyResult<u32> {
        self.size(chn).map(|s| s.1)
    }

    /// `bind_info(x=0, y=0, chn=CAM_CHN_ID_0)`: `{'src': (CAMERA_MOD_ID, dev, chn),
    /// 'rect': (x, y, width, height), 'pix_format': fmt}`.
    #[pyo3(signature = (x = 0, y = 0, chn = CAM_CHN_ID_0))]
    fn bind_info<'py>(
        &self,
        py: Python<'py>,
        x: u32,
        y: u32,
        chn: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.check_reset()?;
        Self::check_chn(chn)?;
        let src = self.sensor.bind_info(chn).src;
        let (w, h, fmt) = self.sensor.channel(chn).unwrap_or((0, 0, None));
        let info = PyDict::new(py);
        info.set_item("src", (src.mod_id, src.dev, src.chn))?;
        info.set_item("rect", (x, y, w, h))?;
        info.set_item("pix_format", fmt.unwrap_or(0))?;
        Ok(info)
    }

    /// `set_hmirror(enable)`: applied at the next `run()`.
    fn set_hmirror(&self, enable: bool) -> PyResult<()> {
        self.check_reset()?;
        self.sensor.set_mirror(Some(enable), None);
        Ok(())
    }

    /// `set_vflip(enable)`: applied at the next `run()`.
    fn set_vflip(&self, enable: bool) -> PyResult<()> {
        self.check_reset()?;
        self.sensor.set_mirror(None, Some(enable));
        Ok(())
    }

    /// `get_hmirror()`.
    fn get_hmirror(&self) -> bool {
        self.sensor.mirror().0
    }

    /// `get_vflip()`.
    fn get_vflip(&self) -> bool {
        self.sensor.mirror().1
    }

    /// `run()`. With more than one `Sensor` on the board (the firmware's MCM mode), the first
    /// `run()` starts every one that is reset and not started, in bus order; a later `run()`
    /// finds them started (firmware facts §2; S `sensor.py` `_run_mcm_device`).
    fn run(&self, py: Python<'_>) -> PyResult<()> {
        self.check_reset()?;
        let on_buses = self.board.sensors_on_buses();
        if on_buses.len() > 1 {
            for (id, sensor) in on_buses {
                if sensor.is_reset() && !sensor.is_running() {
                    Self::start(py, id, &sensor)?;
                }
            }
            return Ok(());
        }
        if self.sensor.is_running() {
            return Ok(());
        }
        Self::start(py, self.id, &self.sensor)
    }

    /// `Sensor.deinit()`: stops every sensor on the board (the firmware's classmethod).
    #[staticmethod]
    fn deinit(py: Python<'_>) {
        let board = board::current();
        for (id, sensor) in board.sensors_on_buses() {
            py.detach(|| sensor.stop());
            board.free_sensor_bus(id);
        }
    }

    /// `stop()`: stops streaming and frees the bus (a new `Sensor` can then be made).
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        if !self.sensor.is_running() {
            Self::print(py, "warning: sensor not call run()".into())?;
        }
        py.detach(|| self.sensor.stop());
        self.board.free_sensor_bus(self.id);
        Ok(())
    }

    /// The next frame of `chn` as an image (`snapshot(chn)`).
    #[pyo3(signature = (chn = CAM_CHN_ID_0, timeout = 1000, auto_reboot = false))]
    fn _snapshot(
        &self,
        py: Python<'_>,
        chn: u32,
        timeout: i32,
        auto_reboot: bool,
    ) -> PyResult<PyImage> {
        let _ = timeout; // frames come at the sensor's pace; a wait is never longer than one
        let image = self.snapshot_image(py, chn, auto_reboot)?;
        PyImage::from_snapshot(&self.board, &image)
    }

    /// The next frame of `chn` as the bytes of its `k_video_frame_info` (`dump_frame=True`).
    #[pyo3(signature = (chn = CAM_CHN_ID_0, timeout = 1000, auto_reboot = false))]
    fn _snapshot_frame<'py>(
        &self,
        py: Python<'py>,
        chn: u32,
        timeout: i32,
        auto_reboot: bool,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let _ = timeout;
        let image = self.snapshot_image(py, chn, auto_reboot)?;
        let mut info = image.frame_info();
        info.mod_id = consts::CAMERA_MOD_ID;
        Ok(PyBytes::new(py, &info.to_c_bytes()))
    }

    fn __repr__(&self) -> String {
        format!(
            "<Sensor {} on venc-sim, source {:?}>",
            self.id,
            self.board.source()
        )
    }
}

impl PySensor {
    fn size(&self, chn: Option<u32>) -> PyResult<(u32, u32)> {
        match chn {
            None => Ok(self.sensor.window()),
            Some(chn) => {
                self.check_reset()?;
                Self::check_chn(chn)?;
                Ok(self.sensor.channel(chn).map_or((0, 0), |(w, h, _)| (w, h)))
            }
        }
    }
}

impl Drop for PySensor {
    fn drop(&mut self) {
        // `__del__` calls stop(is_del=True): the bus is free again.
        self.board.free_sensor_bus(self.id);
    }
}

/// `SENSOR_CONSTANTS`: the names `from media.sensor import *` brings.
pub fn add_constants(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let c = PyDict::new(m.py());
    c.set_item("CAM_CHN_ID_0", CAM_CHN_ID_0)?;
    c.set_item("CAM_CHN_ID_1", CAM_CHN_ID_1)?;
    c.set_item("CAM_CHN_ID_2", CAM_CHN_ID_2)?;
    c.set_item("CAM_CHN_ID_MAX", SENSOR_CHANNELS)?;
    c.set_item("CAMERA_MOD_ID", consts::CAMERA_MOD_ID)?;
    c.set_item("CAM_DEFAULT_SENSOR", DEFAULT_SENSOR_ID)?;
    let sizes = PyDict::new(m.py());
    for (name, code, _, _) in FRAME_SIZES {
        sizes.set_item(*name, *code)?;
    }
    sizes.set_item("FRAME_SIZE_INVAILD", FRAME_SIZE_INVAILD)?;
    m.add("SENSOR_FRAME_SIZES", sizes)?;
    m.add("SENSOR_CONSTANTS", c)
}
