//! `media.pyaudio`'s devices and `media.g711`'s codec over `venc_audio`: the microphone's and
//! the speaker's channels paced on the board clock, and G.711. The firmware's Python classes
//! (`firmware/media/pyaudio.py`, `g711.py`) give them their generation's API.

use crate::board::{self, Board};
use crate::errors::value_error;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use venc_audio::g711::{self, Law};
use venc_audio::{AudioIn, AudioOut, SpeakerFile, StreamShape};

fn now_ns(board: &Board) -> u64 {
    u64::try_from(board.sim.clock().now().as_nanos()).unwrap_or(u64::MAX)
}

fn sleep_until(py: Python<'_>, board: &Board, ns: u64) {
    let clock = board.sim.clock().clone();
    py.detach(|| clock.sleep_until(Duration::from_nanos(ns)));
}

/// An AI channel (`Read_stream`), started when made.
#[derive(Debug)]
#[pyclass(name = "_AudioIn", module = "media.pyaudio")]
pub struct PyAudioIn {
    board: Arc<Board>,
    ai: Mutex<AudioIn>,
}

#[pymethods]
impl PyAudioIn {
    /// A channel of `rate` Hz, `channels`, `frames_per_buffer` samples per frame, hearing the
    /// board's microphone from now on.
    #[new]
    fn new(rate: u32, channels: u16, frames_per_buffer: u32) -> PyResult<Self> {
        let shape = StreamShape::new(rate, channels, frames_per_buffer)
            .map_err(|e| value_error(e.to_string()))?;
        let board = board::current();
        let ai = AudioIn::new(board.mic(), shape, now_ns(&board));
        Ok(Self {
            board,
            ai: Mutex::new(ai),
        })
    }

    /// `kd_mpi_ai_get_frame(…, timeout_ms)`: the oldest frame held, waiting up to
    /// `timeout_ms` of board time for one; None on timeout.
    fn read<'py>(&self, py: Python<'py>, timeout_ms: u64) -> Option<Bound<'py, PyBytes>> {
        let deadline = now_ns(&self.board).saturating_add(timeout_ms * 1_000_000);
        loop {
            let (frame, due) = {
                let mut ai = self.ai.lock().unwrap_or_else(PoisonError::into_inner);
                (ai.take(now_ns(&self.board)), ai.next_due_ns())
            };
            if let Some(mut f) = frame {
                let channels = self
                    .ai
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .shape()
                    .channels;
                self.board.with_gain(true, |g| g.apply(&mut f, channels));
                return Some(PyBytes::new(py, &f));
            }
            if now_ns(&self.board) >= deadline {
                return None;
            }
            sleep_until(py, &self.board, due.min(deadline));
        }
    }

    /// `(taken, lost)` frames so far.
    fn stats(&self) -> (u64, u64) {
        let ai = self.ai.lock().unwrap_or_else(PoisonError::into_inner);
        (ai.taken(), ai.lost())
    }
}

/// An AO channel (`Write_stream`).
#[derive(Debug)]
#[pyclass(name = "_AudioOut", module = "media.pyaudio")]
pub struct PyAudioOut {
    board: Arc<Board>,
    ao: Mutex<AudioOut>,
}

/// `K_ERR_AO_BUF_FULL`-like status for a frame that found no room within the timeout.
const AO_TIMEOUT: i32 = -1;

#[pymethods]
impl PyAudioOut {
    /// A channel of the given shape, recording into the board's speaker file if there is one.
    #[new]
    fn new(rate: u32, channels: u16, frames_per_buffer: u32) -> PyResult<Self> {
        let shape = StreamShape::new(rate, channels, frames_per_buffer)
            .map_err(|e| value_error(e.to_string()))?;
        let board = board::current();
        let file = match board.next_speaker_file() {
            Some(path) => Some(
                SpeakerFile::create(&path, shape)
                    .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("venc-sim: {e}")))?,
            ),
            None => None,
        };
        Ok(Self {
            board,
            ao: Mutex::new(AudioOut::new(shape, file)),
        })
    }

    /// `kd_mpi_ao_send_frame(…, timeout_ms)`: waits for room (board time), plays the frame;
    /// 0, or -1 when no room came within the timeout.
    fn write(&self, py: Python<'_>, pcm: &[u8], timeout_ms: u64) -> PyResult<i32> {
        let now = now_ns(&self.board);
        let room = self
            .ao
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .room_at(now);
        if room > now {
            if room - now > timeout_ms * 1_000_000 {
                sleep_until(py, &self.board, now + timeout_ms * 1_000_000);
                return Ok(AO_TIMEOUT);
            }
            sleep_until(py, &self.board, room);
        }
        let mut ao = self.ao.lock().unwrap_or_else(PoisonError::into_inner);
        let mut heard = pcm.to_vec();
        let channels = ao.shape().channels;
        self.board
            .with_gain(false, |g| g.apply(&mut heard, channels));
        ao.play(now_ns(&self.board).max(room), &heard)
            .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("venc-sim: {e}")))?;
        Ok(0)
    }

    /// Closes the speaker's recording (the WAV header gets its sizes).
    fn finish(&self) -> PyResult<()> {
        self.ao
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .finish()
            .map_err(|e| pyo3::exceptions::PyOSError::new_err(format!("venc-sim: {e}")))
    }

    /// Frames played so far.
    fn played(&self) -> u64 {
        self.ao
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .played_frames()
    }
}

impl Drop for PyAudioOut {
    fn drop(&mut self) {
        let _ = self
            .ao
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .finish();
    }
}

fn law(payload: i64) -> PyResult<Law> {
    Law::from_payload(payload)
        .ok_or_else(|| value_error(format!("not a G.711 payload type: {payload}")))
}

/// `g711_encode(payload, pcm)`: 16-bit PCM to G.711 (`K_PT_G711A` 19, `K_PT_G711U` 20).
#[pyfunction]
pub fn g711_encode<'py>(
    py: Python<'py>,
    payload: i64,
    pcm: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(py, &g711::encode(law(payload)?, pcm)))
}

/// `g711_decode(payload, coded)`: G.711 to 16-bit PCM.
#[pyfunction]
pub fn g711_decode<'py>(
    py: Python<'py>,
    payload: i64,
    coded: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    Ok(PyBytes::new(py, &g711::decode(law(payload)?, coded)))
}

/// `configure_audio(mic, speaker=None)`: `--mic` and `--speaker`.
#[pyfunction]
#[pyo3(signature = (mic, speaker = None))]
pub fn configure_audio(mic: &str, speaker: Option<String>) -> PyResult<()> {
    board::current()
        .set_audio(mic, speaker)
        .map_err(value_error)
}

/// `ai_set_vol`/`ao_set_vol` (`vol` given: True) and `ai_get_vol`/`ao_get_vol` (`(l, r)`):
/// `device` "mic" or "hp".
#[pyfunction]
#[pyo3(signature = (device, vol = None, channel = 3))]
pub fn audio_volume(
    py: Python<'_>,
    device: &str,
    vol: Option<i64>,
    channel: i64,
) -> PyResult<Py<PyAny>> {
    let mic = device == "mic";
    let board = board::current();
    Ok(match vol {
        Some(v) => {
            board.with_gain(mic, |g| g.set_volume(v, channel));
            pyo3::types::PyBool::new(py, true)
                .to_owned()
                .into_any()
                .unbind()
        }
        None => {
            let (l, r) = board.with_gain(mic, |g| g.volume());
            pyo3::types::PyTuple::new(py, [l, r])?.into_any().unbind()
        }
    })
}

/// `ai_swap_left_right`/`ao_swap_left_right`.
#[pyfunction]
pub fn audio_swap(device: &str, state: bool) {
    board::current().with_gain(device == "mic", |g| g.set_swapped(state));
}
