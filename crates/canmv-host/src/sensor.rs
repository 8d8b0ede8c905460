//! `media.sensor`: the `Sensor` class and the images `snapshot()` returns.

use crate::board::{self, Board};
use crate::board::{
    CAM_CHN_ID_0, CAM_CHN_ID_1, CAM_CHN_ID_2, SENSOR_CHANNELS, SENSOR_DEVICES, Sensor, SensorImage,
    SensorOptions, YUV420SP,
};
use crate::errors::{self, value_error};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use std::sync::Arc;
use venc_core::consts;

/// CanMV's default sensor: the camera connector the CanMV boards use (`Sensor()` = CSI2).
const DEFAULT_SENSOR_ID: u32 = 2;

/// `Sensor.QVGA`, `VGA`, `HD`, `FHD`: named frame sizes. The firmware's enum values are not in
/// the facts; these are the simulator's, and only their sizes matter to a script.
const FRAME_SIZES: &[(&str, u32, u32, u32)] = &[
    ("QVGA", 100, 320, 240),
    ("VGA", 101, 640, 480),
    ("HD", 102, 1280, 720),
    ("FHD", 103, 1920, 1080),
];

/// `media.sensor.Sensor` on the simulator.
#[derive(Debug)]
#[pyclass(name = "Sensor", module = "media.sensor")]
#[doc(alias = "media.sensor.Sensor")]
pub struct PySensor {
    board: Arc<Board>,
    sensor: Sensor,
}

#[pymethods]
impl PySensor {
    #[classattr]
    const YUV420SP: u32 = YUV420SP;
    #[classattr]
    const RGB888: u32 = consts::PIXEL_FORMAT_RGB_888;
    #[classattr]
    const QVGA: u32 = FRAME_SIZES[0].1;
    #[classattr]
    const VGA: u32 = FRAME_SIZES[1].1;
    #[classattr]
    const HD: u32 = FRAME_SIZES[2].1;
    #[classattr]
    const FHD: u32 = FRAME_SIZES[3].1;

    /// `Sensor(id=2, width=1920, height=1080, fps=30)`: the acquisition window and frame rate.
    #[new]
    #[pyo3(signature = (id = DEFAULT_SENSOR_ID, width = 1920, height = 1080, fps = 30))]
    fn new(id: u32, width: u32, height: u32, fps: u32) -> PyResult<Self> {
        if id >= SENSOR_DEVICES {
            return Err(value_error(format!(
                "sensor id {id} out of range 0 ~ {}",
                SENSOR_DEVICES - 1
            )));
        }
        if fps == 0 || fps > 240 {
            return Err(value_error(format!("sensor fps {fps} outside 1 ~ 240")));
        }
        let board = board::current();
        let source = board.source.sensor_source().map_err(value_error)?;
        let opts = SensorOptions {
            fps,
            timing: board.timing,
            max_width: width,
            max_height: height,
            frame_limit: None,
        };
        let sensor = Sensor::new(Arc::clone(&board.sim), id, source, opts);
        Ok(Self { board, sensor })
    }

    /// `reset()`.
    fn reset(&self) -> PyResult<()> {
        self.sensor.reset().map_err(errors::sensor)
    }

    /// `set_framesize(framesize=None, chn=CAM_CHN_ID_0, alignment=0, width=, height=)`.
    #[pyo3(signature = (framesize = None, chn = CAM_CHN_ID_0, alignment = 0, width = None, height = None))]
    fn set_framesize(
        &self,
        py: Python<'_>,
        framesize: Option<u32>,
        chn: u32,
        alignment: u32,
        width: Option<u32>,
        height: Option<u32>,
    ) -> PyResult<()> {
        let (w, h) = match (framesize, width, height) {
            (None, Some(w), Some(h)) => (w, h),
            (Some(code), None, None) => FRAME_SIZES
                .iter()
                .find(|f| f.1 == code)
                .map(|f| (f.2, f.3))
                .ok_or_else(|| value_error(format!("unknown framesize {code}")))?,
            _ => {
                return Err(value_error(
                    "set_framesize: give framesize, or width and height",
                ));
            }
        };
        let (aw, ah) = self
            .sensor
            .set_framesize(w, h, chn, alignment)
            .map_err(errors::sensor)?;
        if (aw, ah) != (w, h) {
            // The firmware aligns the width up to 16 and says so on the console.
            let print = py.import("builtins")?.getattr("print")?;
            print.call1((format!(
                "Warning: sensor({}) chn({chn}) width {w} is aligned up to {aw}",
                self.sensor.bind_info(chn).src.dev
            ),))?;
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

    /// `bind_info(x=0, y=0, chn=CAM_CHN_ID_0)`: `{'src': (CAMERA_MOD_ID, dev, chn)}`.
    #[pyo3(signature = (x = 0, y = 0, chn = CAM_CHN_ID_0))]
    fn bind_info<'py>(
        &self,
        py: Python<'py>,
        x: u32,
        y: u32,
        chn: u32,
    ) -> PyResult<Bound<'py, PyDict>> {
        // The window offset only matters to the display; the simulator has none.
        let _ = (x, y);
        let src = self.sensor.bind_info(chn).src;
        let info = PyDict::new(py);
        info.set_item("src", (src.mod_id, src.dev, src.chn))?;
        Ok(info)
    }

    /// `run()`.
    fn run(&self) -> PyResult<()> {
        self.sensor.run().map_err(errors::sensor)
    }

    /// `stop()`.
    fn stop(&self, py: Python<'_>) {
        py.detach(|| self.sensor.stop());
    }

    /// `snapshot(chn=CAM_CHN_ID_0)`: the next frame, in one of the channel's buffers.
    #[pyo3(signature = (chn = CAM_CHN_ID_0))]
    fn snapshot(&self, py: Python<'_>, chn: u32) -> PyResult<PyImage> {
        let image = if self.board.releases_gil() {
            py.detach(|| self.sensor.snapshot(chn))
        } else {
            self.sensor.snapshot(chn)
        }
        .map_err(errors::sensor)?;
        Ok(PyImage {
            board: Arc::clone(&self.board),
            image,
        })
    }

    fn __repr__(&self) -> String {
        format!("<Sensor on venc-sim, source {:?}>", self.board.source)
    }
}

/// An image from `snapshot()`: NV12 in a sensor buffer.
#[derive(Debug)]
#[pyclass(name = "Image", module = "image")]
pub struct PyImage {
    board: Arc<Board>,
    image: SensorImage,
}

#[pymethods]
impl PyImage {
    /// `width()`.
    fn width(&self) -> u32 {
        self.image.width()
    }
    /// `height()`.
    fn height(&self) -> u32 {
        self.image.height()
    }
    /// `format()`: `Sensor.YUV420SP`.
    fn format(&self) -> u32 {
        YUV420SP
    }
    /// `size()`: bytes of the picture (Y + UV).
    fn size(&self) -> u64 {
        venc_core::layout::y_size(self.image.width(), self.image.height())
            + venc_core::layout::uv_size(self.image.width(), self.image.height())
    }
    /// `phyaddr(plane=0)`: the Y plane, or 1 for the UV plane where VICAP put it.
    #[pyo3(signature = (plane = 0))]
    fn phyaddr(&self, plane: u32) -> PyResult<u64> {
        self.image
            .phyaddr(plane)
            .ok_or_else(|| value_error(format!("phyaddr: plane {plane} outside 0 ~ 1 (NV12)")))
    }
    /// `poolid()`.
    fn poolid(&self) -> u32 {
        self.image.poolid()
    }
    /// The capture time in microseconds (the `v_frame.pts` VICAP sets).
    fn pts(&self) -> u64 {
        self.image.pts()
    }
    /// `to_bytes()`: Y then interleaved UV.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let bytes = self
            .image
            .to_bytes(&self.board.sim)
            .map_err(|e| PyRuntimeError::new_err(format!("image memory: {e}")))?;
        Ok(PyBytes::new(py, &bytes))
    }
    fn __repr__(&self) -> String {
        format!(
            "<Image {}x{} YUV420SP at 0x{:x}>",
            self.image.width(),
            self.image.height(),
            self.image.phyaddr(0).unwrap_or(0)
        )
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
    m.add("SENSOR_CONSTANTS", c)
}
