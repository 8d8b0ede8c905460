//! Ctrl-C (and SIGTERM, SIGHUP) end a `venc encode` as the IDE's stop ends a script: the input
//! ends, the encoder drains what it took, the channel is stopped and destroyed, the output is
//! finished (an MP4's `moov` written, a fragmented MP4's last fragment closed) and kept, and
//! the command exits 130. A second signal while that runs exits 130 at once. A bound run
//! (`--bind`) ends its camera's capture where it is, and drains the same way.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use venc_core::camera::BoundCamera;
use venc_harness::source::{FrameSource, SourceError};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Catches the signals for the rest of the process.
pub fn install() -> Result<(), String> {
    ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            // The second one: the user wants out now.
            std::process::exit(130);
        }
    })
    .map_err(|e| format!("signal handler: {e}"))
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// A frame source that ends when a stop is asked for.
pub struct UntilStopped<'a>(pub &'a mut dyn FrameSource);

impl FrameSource for UntilStopped<'_> {
    fn width(&self) -> u32 {
        self.0.width()
    }

    fn height(&self) -> u32 {
        self.0.height()
    }

    fn next_frame(&mut self, y: &mut [u8], uv: &mut [u8]) -> Result<bool, SourceError> {
        if requested() {
            return Ok(false);
        }
        self.0.next_frame(y, uv)
    }
}

/// The watch over a bound run (`--bind`): a stop ends the camera's capture where it is.
pub struct CaptureWatch {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Watches for a stop while a bound camera runs (`camera` is filled once it is linked).
pub fn end_capture_on_stop<C: BoundCamera + 'static>(
    camera: Arc<Mutex<Option<Arc<C>>>>,
) -> CaptureWatch {
    let done = Arc::new(AtomicBool::new(false));
    let until = Arc::clone(&done);
    let thread = std::thread::spawn(move || {
        while !until.load(Ordering::SeqCst) {
            if requested()
                && let Some(c) = camera
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .as_ref()
            {
                c.end_capture();
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    CaptureWatch {
        done,
        thread: Some(thread),
    }
}

impl CaptureWatch {
    /// The run is over: the watch ends.
    pub fn finish(mut self) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
